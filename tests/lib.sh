# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the shell tests: where things are, and a tiny assertion kit.
# Each test sources this, runs its checks and ends with `finish`.
set -u
# Run by hand, a test finds the top of the tree above its own folder.
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")" && while [ ! -f tests/lib.sh ] && [ "$PWD" != / ]; do cd ..; done && pwd)
fi
top_builddir=${top_builddir:-$top_srcdir}
MIGMAP=${MIGMAP:-$top_builddir/tools/migmap}
HOSTS=$top_srcdir/tests/data/hosts
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
skip_all() { echo "SKIP: $*"; exit 77; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
# migmap_rc EXPECTED_RC OUTFILE ARGS...: run migmap with stdout in OUTFILE
# and stderr in $tmpdir/err; fails, saying why, unless it exits EXPECTED_RC.
migmap_rc() {
	want=$1 out=$2
	shift 2
	"$MIGMAP" "$@" >"$out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  exit $rc, wanted $want: migmap $*"; cat "$tmpdir/err"; return 1; }
}
# err_is TEXT: the last migmap_rc's stderr is exactly TEXT (one line).
err_is() {
	[ "$(cat "$tmpdir/err")" = "$1" ] && [ "$(wc -l <"$tmpdir/err")" -le 1 ] ||
		{ echo "  stderr: $(cat "$tmpdir/err")"; echo "  wanted: $1"; return 1; }
}
tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT
