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
tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT
