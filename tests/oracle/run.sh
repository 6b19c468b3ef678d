#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs one oracle: an independent reading (Python, QEMU, dtc, iasl) of what
# migmap computes. make check runs it once per oracle in TESTS, as
# `run.sh tests/oracle/NAME.py` (PY_LOG_COMPILER); by hand, from a build
# tree: `tests/oracle/run.sh NAME`.
#   host      migmap host --json equals an independent reading of the
#             kernel's own files, for every fixture host
#   firmware  migmap host --json lists the MSI controllers and IOMMU widths
#             dtc (device trees), iasl (ACPI tables) and the kernel's log
#             give, for every fixture host
#   layout    migmap layout --json equals QEMU's own map: device trees of
#             aarch64 virt machines, `info mtree` and host-bridge properties
#             of x86 q35/i440fx machines, over machine versions, RAM sizes,
#             NUMA, GIC versions and CPU vendors
#   layout-new  the same against a newer QEMU (Debian trixie's 10.0) run
#             from a chroot built once under /var/cache/migmap-qemu10
#             (tests/oracle/qemu-chroot.sh, mmdebstrap): machines 8.0 and
#             later, <pcihole64>, vIOMMU widths QEMU accepts or refuses
#   plan      QEMU starts what `migmap plan` proposes, with the DIMMs and
#             the RAM where the plan says
#   plan-new  the same with the newer QEMU of layout-new's chroot, for its
#             newest machines and the aliases
# layout and plan need qemu-system-aarch64 and/or qemu-system-x86_64
# (packages qemu-system-arm, qemu-system-x86); firmware needs dtc
# (device-tree-compiler) and iasl (acpica-tools).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
name=$(basename "${1:?usage: run.sh NAME}" .py)
oracle=$top_srcdir/tests/oracle/$name.py
[ -f "$oracle" ] || { echo "run.sh: no oracle $oracle" >&2; exit 99; }
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
[ -n "$PYTHON3" ] || skip_all "python3 not installed"

# per_host DESCRIPTION: the oracle on `migmap host --json` of every fixture
# host but the broken ones
per_host() {
	for h in "$HOSTS"/*/; do
		h=$(basename "$h")
		case $h in bad-*) continue ;; esac
		if "$MIGMAP" host --sysroot "$HOSTS/$h" --json >"$tmpdir/$h.json"; then
			check "$h: $1" "$PYTHON3" "$oracle" "$HOSTS/$h" "$tmpdir/$h.json"
		else
			not_ok "$h: migmap host failed"
		fi
	done
	finish
}

case $name in
host)
	per_host "migmap agrees with the kernel's files" ;;
firmware)
	command -v dtc >/dev/null || skip_all "dtc not installed (Debian: device-tree-compiler)"
	command -v iasl >/dev/null || skip_all "iasl not installed (Debian: acpica-tools)"
	per_host "migmap agrees with dtc, iasl and the kernel log" ;;
layout)
	command -v qemu-system-aarch64 >/dev/null || command -v qemu-system-x86_64 >/dev/null ||
		skip_all "qemu-system-aarch64 and qemu-system-x86_64 not installed (qemu-system-arm, qemu-system-x86)"
	"$PYTHON3" "$oracle" "$MIGMAP" "$tmpdir" ;;
layout-new | plan-new)
	# a newer QEMU from a chroot built once and cached; skipped only when
	# it cannot be built here (not root, archive unreachable)
	root=${MIGMAP_QEMU_CACHE:-/var/cache/migmap-qemu10}
	command -v dtc >/dev/null || skip_all "dtc not installed (Debian: device-tree-compiler)"
	rc=0
	sh "$top_srcdir/tests/oracle/qemu-chroot.sh" ensure "$root" || rc=$?
	case $rc in 0) ;; 77) skip_all "no chroot with a newer QEMU at $root" ;; *) exit 99 ;; esac
	if [ "$name" = plan-new ]; then
		MIGMAP_QEMU_ROOT=$root "$PYTHON3" "$oracle" "$MIGMAP" "$top_srcdir" "$tmpdir"
	else
		MIGMAP_QEMU_ROOT=$root "$PYTHON3" "$oracle" "$MIGMAP" "$tmpdir"
	fi ;;
plan)
	"$PYTHON3" "$oracle" "$MIGMAP" "$top_srcdir" "$tmpdir" ;;
*)
	echo "run.sh: $name.py has no way to run here" >&2
	exit 99 ;;
esac
