#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion: commands, options from --help, pool names from the state
# directory.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v bash >/dev/null || skip_all "bash not installed"
mkdir -p "$tmpdir/bin"
ln -s "$MIGMAP" "$tmpdir/bin/migmap"
"$MIGMAP" --state-dir "$tmpdir/state" pool create alpha >/dev/null
"$MIGMAP" --state-dir "$tmpdir/state" pool create beta >/dev/null

# complete LINE: what the completion offers for LINE (cursor at its end)
complete_line() {
	PATH="$tmpdir/bin:$PATH" bash -c '
		. "$1"
		read -r -a COMP_WORDS <<<"$2"
		case $2 in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$2 COMP_POINT=${#2}
		_migmap
		printf "%s\n" "${COMPREPLY[@]}"' _ "$top_srcdir/tools/migmap.bash-completion" "$1"
}
check "commands" [ "$(complete_line "migmap ba")" = baseline ]
check "options of host come from its --help" sh -c 'echo "$0" | grep -qx -- --sysroot' "$(complete_line "migmap host --sys")"
check "pool subcommands" [ "$(complete_line "migmap pool sh")" = show ]
check "pool names" [ "$(complete_line "migmap --state-dir $tmpdir/state pool show ")" = "$(printf 'alpha\nbeta')" ]
check "pool names with a prefix" [ "$(complete_line "migmap --state-dir $tmpdir/state pool delete b")" = beta ]
# --state-dir goes before the command: not offered after it
check "no --state-dir after pool" sh -c '! echo "$0" | grep -qx -- --state-dir' "$(complete_line "migmap pool --")"
check "  but before the command" sh -c 'echo "$0" | grep -qx -- --state-dir' "$(complete_line "migmap --st")"
# pool remove POOL: the pool's members, as its map names them
"$MIGMAP" host --sysroot "$HOSTS/x86-q35-vtd" --name vtd >"$tmpdir/vtd.xml"
"$MIGMAP" host --sysroot "$HOSTS/x86-rmrr" --name rmrr >"$tmpdir/rmrr.xml"
"$MIGMAP" --state-dir "$tmpdir/state" pool add beta "$tmpdir/vtd.xml" "$tmpdir/rmrr.xml" >/dev/null
check "members after pool remove POOL" [ "$(complete_line "migmap --state-dir $tmpdir/state pool remove beta " | sort)" = "$(printf 'rmrr\nvtd')" ]
check "  with a prefix" [ "$(complete_line "migmap --state-dir $tmpdir/state pool remove beta v")" = vtd ]
check "pool whatif POOL --remove: the pool's members" [ "$(complete_line "migmap --state-dir $tmpdir/state pool whatif beta --remove " | sort)" = "$(printf 'rmrr\nvtd')" ]
check "pool whatif POOL --add: map files" [ "$(complete_line "migmap pool whatif beta --add $tmpdir/vt")" = "$tmpdir/vtd.xml" ]
# --config FILE: the pools of its state_dir
printf 'state_dir = %s\n' "$tmpdir/state" >"$tmpdir/migmap.conf"
check "pool names from --config's state_dir" [ "$(complete_line "migmap --config $tmpdir/migmap.conf pool show ")" = "$(printf 'alpha\nbeta')" ]
check "  and members" [ "$(complete_line "migmap --config $tmpdir/migmap.conf pool remove beta r")" = rmrr ]
# libvirt domains: a stand-in virsh that names the domains of the URI it is given
cat >"$tmpdir/bin/virsh" <<'SH'
#!/bin/sh
[ "$1 $2" = "-c test:///x" ] && printf 'web1\nweb2\n\n' || printf 'sysdom\n\n'
SH
chmod +x "$tmpdir/bin/virsh"
check "pool subcommands: tag" [ "$(complete_line "migmap pool ta")" = tag ]
check "pool tag: domains" [ "$(complete_line "migmap pool tag -c test:///x w" | sort)" = "$(printf 'web1\nweb2')" ]
check "pool tag DOMAIN: pools" [ "$(complete_line "migmap --state-dir $tmpdir/state pool tag web1 ")" = "$(printf 'alpha\nbeta')" ]
check "pool tag DOMAIN POOL: nothing more" [ -z "$(complete_line "migmap --state-dir $tmpdir/state pool tag web1 alpha ")" ]
check "pool untag: domains at virsh's default" [ "$(complete_line "migmap pool untag ")" = sysdom ]
check "check --name: domains" [ "$(complete_line "migmap check -c test:///x --name ")" = "$(printf 'web1\nweb2')" ]
check "host --name: no domains" [ -z "$(complete_line "migmap host --name ")" ]
mkdir "$tmpdir/d" && : >"$tmpdir/d/g1.xml"
check "--domain without -c: files only" [ "$(complete_line "migmap check --domain $tmpdir/d/")" = "$tmpdir/d/g1.xml" ]
check "--domain with -c: files and domains" [ "$(complete_line "migmap layout -c test:///x --domain " | grep -c web)" -eq 2 ]
check "options of check: --name" sh -c 'echo "$0" | grep -qx -- --name' "$(complete_line "migmap check --na")"
check "an option's argument is no command word" [ "$(complete_line "migmap --state-dir $tmpdir/state pool -c test:///x tag web1 ")" = "$(printf 'alpha\nbeta')" ]
finish
