#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One style for every migmap command, as virsh and systemctl users expect:
# --help and --version on each, and every usage error (getopt's own
# included) one line on stderr starting "migmap: ", exit status 2. The
# commands are the ones `migmap --help` lists, so a new one is covered; the
# version is configure.ac's AC_INIT, not migmap's own answer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

version=$(sed -n 's/^AC_INIT(\[migmap\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
check "configure.ac names a version" [ -n "$version" ]
commands=$("$MIGMAP" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && !/Commands:/ {print $1}')
check "migmap --help lists commands" [ -n "$commands" ]

check "migmap --version" migmap_rc 0 "$tmpdir/out" --version
check "  prints 'migmap $version'" [ "$(cat "$tmpdir/out")" = "migmap $version" ]
check "migmap --jsno: exit 2" migmap_rc 2 "$tmpdir/out" --jsno
check "  message" err_is "migmap: unrecognized option '--jsno' (see 'migmap --help')"
check "migmap --state-dir (no argument): exit 2" migmap_rc 2 "$tmpdir/out" --state-dir
check "  message" err_is "migmap: option needs an argument: '--state-dir' (see 'migmap --help')"

for cmd in $commands; do
	check "migmap $cmd --help" migmap_rc 0 "$tmpdir/out" "$cmd" --help
	check "  starts 'Usage: migmap $cmd'" sh -c "head -n 1 '$tmpdir/out' | grep -q '^Usage: migmap .*\<$cmd\>'"
	check "migmap $cmd -h" migmap_rc 0 "$tmpdir/out" "$cmd" -h
	check "migmap $cmd --version" migmap_rc 0 "$tmpdir/out" "$cmd" --version
	check "  prints 'migmap $version'" [ "$(cat "$tmpdir/out")" = "migmap $version" ]
	check "migmap $cmd --bogus: exit 2" migmap_rc 2 "$tmpdir/out" "$cmd" --bogus
	check "  message" err_is "migmap: $cmd: unrecognized option '--bogus' (see 'migmap $cmd --help')"
	check "  nothing on stdout" [ ! -s "$tmpdir/out" ]
	check "migmap $cmd -Z: exit 2" migmap_rc 2 "$tmpdir/out" "$cmd" -Z
	check "  message" err_is "migmap: $cmd: unrecognized option '-Z' (see 'migmap $cmd --help')"
done
# pool's subcommands share pool's options: an error names "pool"
for sub in list create delete add remove tag untag refresh sync show check fit whatif; do
	check "migmap pool $sub --bogus: exit 2" migmap_rc 2 "$tmpdir/out" pool "$sub" --bogus
	check "  message" err_is "migmap: pool: unrecognized option '--bogus' (see 'migmap pool --help')"
done
check "pool's --help lists tag and untag" sh -c '"$0" pool --help | grep -q "^  tag DOMAIN POOL" && "$0" pool --help | grep -q "^  untag DOMAIN"' "$MIGMAP"
# the hook, run by hand: the same style under its own name
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
"$HOOK" --bogus >"$tmpdir/out" 2>"$tmpdir/err"
check "migmap-hook --bogus: exit 2" [ $? -eq 2 ]
check "  message" err_is "migmap-hook: unrecognized option '--bogus' (see 'migmap-hook --help')"
"$HOOK" --version >"$tmpdir/out" 2>"$tmpdir/err"
check "migmap-hook --version" [ "$(cat "$tmpdir/out")" = "migmap-hook $version" ]
# an option that takes an argument, given none
check "migmap host --sysroot: exit 2" migmap_rc 2 "$tmpdir/out" host --sysroot
check "  message" err_is "migmap: host: option needs an argument: '--sysroot' (see 'migmap host --help')"
check "migmap check -c: exit 2" migmap_rc 2 "$tmpdir/out" check -c
check "  message" err_is "migmap: check: option needs an argument: '-c' (see 'migmap check --help')"
finish
