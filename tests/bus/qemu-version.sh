#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd's CheckDomain, CheckDomainConflicts and PlanDomain take the QEMU
# version from libvirt's capabilities cache below its sysroot
# (docs/design.md §6): a pc-q35-9.2 guest with an intel vIOMMU of the
# default width and an assigned device, on a host whose VT-d maps 39 bits,
# fits with QEMU 9.2 (39 bits) and not with QEMU 10.0 (48 bits). The cache
# files are the real ones of tests/data/qemucaps with only <version>
# changed; without libvirt (libvirt_uri = none) nothing else says it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
CAPS=var/cache/libvirt/qemu/capabilities
X86=926803a9278e445ec919c2b6cbd8c1c449c75b26dcb1686b774314180376c725.xml

sysroot() { # sysroot DIR VERSION
	cp -a "$HOSTS/x86-vtd39-cpu46" "$1"
	mkdir -p "$1/$CAPS"
	sed "s|<version>7002022</version>|<version>$2</version>|" \
		"$top_srcdir/tests/data/qemucaps/$CAPS/$X86" >"$1/$CAPS/$X86"
}
sysroot "$tmpdir/r92" 9002000
sysroot "$tmpdir/r100" 10000000
sed -e "s/pc-q35-8.2/pc-q35-9.2/" -e "s/ aw_bits='48'//" \
	-e "s|<devices>|<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>|" \
	"$top_srcdir/tests/data/domains/x86-viommu-aw48.xml" >"$tmpdir/g.xml"

start_bus A
start_daemon a "$A_addr" "$tmpdir/r92" || exit 1
start_bus B
start_daemon b "$B_addr" "$tmpdir/r100" || exit 1

# check_domain ADDR: CheckDomain's ok against this host, report in $tmpdir/report.json
check_domain() {
	busctl --address="$1" --json=short call "$SVC" "$OBJ" "$IFACE" CheckDomain ss \
		"$(cat "$tmpdir/g.xml")" "" | "$PYTHON3" -c 'import json, sys
d = json.load(sys.stdin)["data"]
open(sys.argv[1], "w").write(d[1])
print("true" if d[0] else "false")' "$tmpdir/report.json"
}
width="intel vIOMMU address width 48 bits exceeds the 39-bit IOMMU input width"

check "CheckDomain, QEMU 9.2: ok" [ "$(check_domain "$A_addr")" = true ]
check "  no vIOMMU error" sh -c '! grep -q "vIOMMU" "$0"' "$tmpdir/report.json"
check "CheckDomain, QEMU 10.0: not ok" [ "$(check_domain "$B_addr")" = false ]
check "  for the 48-bit vIOMMU" grep -q "$width" "$tmpdir/report.json"
check "  no version note" sh -c '! grep -q "QEMU version unknown" "$0"' "$tmpdir/report.json"

# the typed answer's error: the vIOMMU's range, 0 to 2^48 - 1
typed='"error" "viommu" 0 281474976710655 '
conflicts() { # conflicts ADDR: CheckDomainConflicts' answer has the width error
	call "$1" CheckDomainConflicts ss "$(cat "$tmpdir/g.xml")" "" >"$tmpdir/typed" &&
		grep -q "$typed" "$tmpdir/typed"
}
check "CheckDomainConflicts, QEMU 10.0: the width" conflicts "$B_addr"
no_width() { # no_width ADDR: CheckDomainConflicts answers without it
	call "$1" CheckDomainConflicts ss "$(cat "$tmpdir/g.xml")" "" >"$tmpdir/typed" &&
		! grep -q '"viommu"' "$tmpdir/typed"
}
check "CheckDomainConflicts, QEMU 9.2: not it" no_width "$A_addr"
plan() { # plan ADDR: PlanDomain answers a domain
	call "$1" PlanDomain ss "$(cat "$tmpdir/g.xml")" "" >"$tmpdir/plan" &&
		grep -q "<domain" "$tmpdir/plan"
}
check "PlanDomain, QEMU 9.2: a plan" plan "$A_addr"
check "PlanDomain, QEMU 10.0: no plan, for the width" fails_with "$B_addr" \
	"$IFACE.Error.NoPlan" PlanDomain "string:$(cat "$tmpdir/g.xml")" string:
check "  saying why" err_has "48 bits"
finish
