#!/bin/sh
# migmap layout --json equals QEMU's own map (tests/oracle-layout.py): device
# trees of aarch64 virt machines, `info mtree` and host-bridge properties of
# x86 q35/i440fx machines, over machine versions, RAM sizes, NUMA, GIC
# versions and CPU vendors. Needs qemu-system-aarch64 / qemu-system-x86_64
# (packages qemu-system-arm, qemu-system-x86) and dtc (device-tree-compiler).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
[ -n "$PYTHON3" ] || skip_all "python3 not installed"
command -v qemu-system-aarch64 >/dev/null || command -v qemu-system-x86_64 >/dev/null ||
	skip_all "qemu-system-aarch64 and qemu-system-x86_64 not installed (qemu-system-arm, qemu-system-x86)"

"$PYTHON3" "$top_srcdir/tests/oracle-layout.py" "$MIGMAP" "$tmpdir"
