#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The example commands of README.md's tour run as written: every line of
# every ```sh block after the two set-up commands, from the top of the tree,
# with ./tools/ taken from the build and /tmp/ from a private directory. A
# line ending in "# exit N" must exit N, every other line 0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
awk '
	/^<!-- test-command -->/ { setup_done = 1 }
	/^```sh$/ && setup_done { inblock = 1; blocks++; next }
	/^```$/ { inblock = 0; next }
	inblock && blocks > 1 && !/^#/ && NF { print }
' "$top_srcdir/README.md" >"$tmpdir/lines"
check "the README has example commands" test -s "$tmpdir/lines"
cd "$top_srcdir" || exit 1
while IFS= read -r line; do
	want=0
	case $line in *"# exit "[0-9]*) want=${line##*# exit }; want=${want%%[!0-9]*} ;; esac
	cmd=$(printf '%s\n' "$line" | sed "s|/tmp/|$tmpdir/|g; s|\./tools/|$top_builddir/tools/|g")
	sh -c "$cmd" >"$tmpdir/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$line"
	else
		not_ok "$line (exit $rc, wanted $want)"
		sed 's/^/    /' "$tmpdir/out" | head -5
	fi
done <"$tmpdir/lines"
finish
