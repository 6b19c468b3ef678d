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
finish
