#!/bin/sh
# migmap host --json equals an independent reading of the kernel's own files
# (tests/oracle-host.py) for every fixture host.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
[ -n "$PYTHON3" ] || skip_all "python3 not installed"

for h in "$HOSTS"/*/; do
	h=$(basename "$h")
	case $h in bad-*) continue ;; esac
	if "$MIGMAP" host --sysroot "$HOSTS/$h" --json >"$tmpdir/$h.json"; then
		check "$h: migmap agrees with the kernel's files" \
			"$PYTHON3" "$top_srcdir/tests/oracle-host.py" "$HOSTS/$h" "$tmpdir/$h.json"
	else
		not_ok "$h: migmap host failed"
	fi
done
finish
