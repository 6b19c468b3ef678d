#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages render without warnings, and migmap(1) documents every
# command and every long option that `migmap ... --help` shows.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v groff >/dev/null || skip_all "groff not installed (groff-base)"
for page in "$top_srcdir"/man/*.[0-9]; do
	check "$(basename "$page") renders without warnings" \
		sh -c '[ -z "$(groff -man -Tutf8 -ww -z "$0" 2>&1)" ]' "$page"
done
page=$top_srcdir/man/migmap.1
# the man page as text, hyphens and quotes plain
groff -man -Tascii "$page" 2>/dev/null | col -b 2>/dev/null >"$tmpdir/page" ||
	groff -man -Tascii "$page" | sed 's/.\x08//g' >"$tmpdir/page"
commands=$("$MIGMAP" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && !/Commands:/ {print $1}')
for cmd in $commands; do
	check "migmap(1) documents '$cmd'" grep -q "migmap $cmd\|^ *$cmd\$\|^ *$cmd " "$tmpdir/page"
	for opt in $("$MIGMAP" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		check "migmap(1) documents '$cmd $opt'" grep -q -- "$opt" "$tmpdir/page"
	done
done
for opt in $("$MIGMAP" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	check "migmap(1) documents '$opt'" grep -q -- "$opt" "$tmpdir/page"
done
# pool's subcommands, as 'migmap pool --help' lists them: each one in bold
# in migmap(1)'s source
for sub in $("$MIGMAP" pool --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u); do
	check "migmap(1) documents 'pool $sub'" grep -q "^\.B $sub\( \|\$\)" "$page"
done
# every setting migmap reads (lib/config.c's table of keys): a tagged
# paragraph of its own in migmap.conf(5), and a commented line in the
# default file make install puts in place
keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", offsetof(MmConfig.*/\1/p' "$top_srcdir/lib/config.c")
check "lib/config.c names settings" [ -n "$keys" ]
for key in $keys; do
	check "migmap.conf(5) has a paragraph for '$key'" \
		sh -c 'grep -A1 "^\.TP" "$1" | grep -qx "\.B $0"' "$key" "$top_srcdir/man/migmap.conf.5"
	check "daemon/migmap.conf shows '$key'" grep -q "^#$key =" "$top_srcdir/daemon/migmap.conf"
done
finish
