#!/bin/sh
# migmap host --json lists the MSI controllers and IOMMU widths an
# independent decoding gives (tests/oracle-firmware.py: dtc for device
# trees, iasl for ACPI tables, the kernel's log) for every fixture host.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
[ -n "$PYTHON3" ] || skip_all "python3 not installed"
command -v dtc >/dev/null || skip_all "dtc not installed (Debian: device-tree-compiler)"
command -v iasl >/dev/null || skip_all "iasl not installed (Debian: acpica-tools)"

for h in "$HOSTS"/*/; do
	h=$(basename "$h")
	case $h in bad-*) continue ;; esac
	if "$MIGMAP" host --sysroot "$HOSTS/$h" --json >"$tmpdir/$h.json"; then
		check "$h: migmap agrees with dtc, iasl and the kernel log" \
			"$PYTHON3" "$top_srcdir/tests/oracle-firmware.py" "$HOSTS/$h" "$tmpdir/$h.json"
	else
		not_ok "$h: migmap host failed"
	fi
done
finish
