#!/bin/sh
# QEMU starts what `migmap plan` proposes, with the DIMMs and the RAM where
# the plan says (tests/oracle-plan.py). Needs qemu-system-aarch64 and/or
# qemu-system-x86_64.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
[ -n "$PYTHON3" ] || skip_all "python3 not installed"
"$PYTHON3" "$top_srcdir/tests/oracle-plan.py" "$MIGMAP" "$top_srcdir" "$tmpdir"
rc=$?
exit $rc
