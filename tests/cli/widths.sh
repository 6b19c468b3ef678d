#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest address widths against a host's IOMMU (docs/design.md §7), and the
# machine types people run resolving to a layout (docs/design.md §6), from
# the outside: check's exit status and its one line per finding.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
D=$top_srcdir/tests/data/domains

run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...

# 46 physical address bits, VT-d's MGAW 39 bits (tests/data/hosts/README.md)
check "host with a 39-bit VT-d" run 0 "$tmpdir/h46.xml" host --sysroot "$HOSTS/x86-vtd39-cpu46"

# host-passthrough: the firmware puts the 64-bit PCI window, and the
# ivshmem BAR in it, at the top of 46 bits, above what the IOMMU maps
check "shmem above the IOMMU: error" run 1 "$tmpdir/shmem.txt" \
	check --domain "$D/x86-shmem-passthrough.xml" "$tmpdir/h46.xml"
check "  names the shmem and both widths" grep -q \
	"^error: guest <shmem name='looking-glass'> is a RAM-backed BAR in the 64-bit PCI window at the top of the guest's 46 physical address bits, above the 39-bit IOMMU input width of host localhost (sys/class/iommu/dmar0/intel-iommu/cap)" \
	"$tmpdir/shmem.txt"
check "  the window itself: a warning" grep -q \
	"^warning: guest 64-bit PCI window at the top of the guest's 46 physical address bits lies above the 39-bit" \
	"$tmpdir/shmem.txt"

# a named CPU model sees QEMU's default 40 bits, but every RHEL x86 machine
# type turns host-phys-bits on (qemu-kvm's pc_rhel_compat, lib/layout.c):
# the host's 46, and at most 48 on a host with more
sed "/<cpu mode='host-passthrough'/d" "$D/x86-shmem-passthrough.xml" >"$tmpdir/named.xml"
check "named model on pc-q35-9.2: 40 bits" run 1 "$tmpdir/named.txt" \
	check --domain "$tmpdir/named.xml" "$tmpdir/h46.xml"
check "  named in the error" grep -q "at the top of the guest's 40 physical address bits, above the 39-bit" \
	"$tmpdir/named.txt"
sed "s/machine='pc-q35-9.2'/machine='pc-q35-rhel9.6.0'/" "$tmpdir/named.xml" >"$tmpdir/named-rhel.xml"
check "named model on pc-q35-rhel9.6.0: the host's 46 bits" run 1 "$tmpdir/named-rhel.txt" \
	check --domain "$tmpdir/named-rhel.xml" "$tmpdir/h46.xml"
check "  named in the error" grep -q "at the top of the guest's 46 physical address bits, above the 39-bit" \
	"$tmpdir/named-rhel.txt"
sed "s/physBits='46'/physBits='52'/; s/kind='cpu-phys' bits='46'/kind='cpu-phys' bits='52'/" "$tmpdir/h46.xml" >"$tmpdir/h52.xml"
check "  (a 52-bit copy of the host)" grep -q "physBits='52'" "$tmpdir/h52.xml"
check "on a 52-bit host: limited to 48" run 1 "$tmpdir/named-rhel52.txt" \
	check --domain "$tmpdir/named-rhel.xml" "$tmpdir/h52.xml"
check "  named in the error" grep -q "at the top of the guest's 48 physical address bits, above the 39-bit" \
	"$tmpdir/named-rhel52.txt"

# there libvirt's <maxphysaddr mode='emulate' bits='39'/> (QEMU phys-bits=39)
# changes nothing: QEMU lets host-phys-bits win; mode='passthrough' with
# limit='39' (host-phys-bits-limit) is what limits the guest, and what
# plan writes for such a machine
sed "s|<features>|<cpu mode='custom'><model>qemu64</model><maxphysaddr mode='emulate' bits='39'/></cpu><features>|" \
	"$tmpdir/named-rhel.xml" >"$tmpdir/rhel-emulate.xml"
check "RHEL machine, emulate bits 39: still an error" run 1 "$tmpdir/rhel-emulate.txt" \
	check --domain "$tmpdir/rhel-emulate.xml" "$tmpdir/h46.xml"
check "  at the host's 46 bits" grep -q "at the top of the guest's 46 physical address bits" \
	"$tmpdir/rhel-emulate.txt"
check "  a warning says why and what limits them" grep -q \
	"^warning: machine 'pc-q35-rhel9.6.0' turns host-phys-bits on: QEMU ignores <maxphysaddr mode='emulate' bits='39'/> and gives the guest the host's bits; <maxphysaddr mode='passthrough' limit='39'/> limits them" \
	"$tmpdir/rhel-emulate.txt"
sed "s|mode='emulate' bits='39'|mode='passthrough' limit='39'|" "$tmpdir/rhel-emulate.xml" >"$tmpdir/rhel-limit.xml"
check "RHEL machine, passthrough limit 39: no error" run 0 "$tmpdir/rhel-limit.txt" \
	check --domain "$tmpdir/rhel-limit.xml" "$tmpdir/h46.xml"
check "  and no width warning" sh -c '! grep -q "IOMMU input width" "$0"' "$tmpdir/rhel-limit.txt"
check "plan of the RHEL guest" run 0 "$tmpdir/rhel-plan.xml" plan --domain "$tmpdir/named-rhel.xml" "$tmpdir/h46.xml"
check "  sets passthrough with limit 39" grep -q "<maxphysaddr mode=\"passthrough\" limit=\"39\"/>" "$tmpdir/rhel-plan.xml"
check "  and says so" grep -q "^migmap: note: set <maxphysaddr mode='passthrough' limit='39'/>" "$tmpdir/err"
check "  which checks clean of widths" run 0 "$tmpdir/o" check --domain "$tmpdir/rhel-plan.xml" "$tmpdir/h46.xml"
check "    no width warning" sh -c '! grep -q "IOMMU input width" "$0"' "$tmpdir/o"
check "plan of the same guest on pc-q35-9.2: emulate bits 39" run 0 "$tmpdir/up-plan.xml" \
	plan --domain "$tmpdir/named.xml" "$tmpdir/h46.xml"
check "  the element" grep -q "<maxphysaddr mode=\"emulate\" bits=\"39\"/>" "$tmpdir/up-plan.xml"

# the same guest told 39 bits: nothing above the IOMMU
sed "s|<cpu mode='host-passthrough' check='none' migratable='on'/>|<cpu mode='host-passthrough'><maxphysaddr mode='emulate' bits='39'/></cpu>|" \
	"$D/x86-shmem-passthrough.xml" >"$tmpdir/shmem39.xml"
check "maxphysaddr 39: no error" run 0 "$tmpdir/shmem39.txt" \
	check --domain "$tmpdir/shmem39.xml" "$tmpdir/h46.xml"
check "  and no width warning" sh -c '! grep -q "IOMMU input width" "$0"' "$tmpdir/shmem39.txt"

# an intel vIOMMU of 48 bits: QEMU refuses the assigned device
check "intel vIOMMU aw_bits 48: error" run 1 "$tmpdir/viommu.txt" \
	check --domain "$D/x86-viommu-aw48.xml" "$tmpdir/h46.xml"
check "  names both widths" grep -q \
	"^error: guest intel vIOMMU address width 48 bits exceeds the 39-bit IOMMU input width of host localhost" \
	"$tmpdir/viommu.txt"
sed "s/aw_bits='48'/aw_bits='39'/" "$D/x86-viommu-aw48.xml" >"$tmpdir/viommu39.xml"
check "aw_bits 39: no vIOMMU error" run 0 "$tmpdir/o" check --domain "$tmpdir/viommu39.xml" "$tmpdir/h46.xml"
# the default: 39 bits before pc-q35-9.2, 48 after (QEMU pc_compat_9_1)
sed "s/ aw_bits='48'//" "$D/x86-viommu-aw48.xml" >"$tmpdir/viommu-default.xml"
check "pc-q35-8.2 default 39: no error" run 0 "$tmpdir/o" check --domain "$tmpdir/viommu-default.xml" "$tmpdir/h46.xml"
sed "s/pc-q35-8.2/pc-q35-10.0/" "$tmpdir/viommu-default.xml" >"$tmpdir/viommu-10.xml"
check "pc-q35-10.0 default 48: error" run 1 "$tmpdir/o" check --domain "$tmpdir/viommu-10.xml" "$tmpdir/h46.xml"
sed "s/<driver /<driver dma_translation='off' /" "$tmpdir/viommu-10.xml" >"$tmpdir/viommu-nodma.xml"
check "dma_translation off: no error" run 0 "$tmpdir/o" check --domain "$tmpdir/viommu-nodma.xml" "$tmpdir/h46.xml"

# a device whose IOMMU group has a `direct` (RMRR) range cannot be assigned
# where the kernel refuses it: intel-iommu always, every IOMMU from Linux 6.6
check "x86-rmrr host" run 0 "$tmpdir/rmrr.xml" host --sysroot "$HOSTS/x86-rmrr"
sed "s/function='0x0'/function='0x1'/; s/pc-q35-8.2/pc-q35-7.2/; /<iommu/,/<\/iommu>/d" \
	"$D/x86-viommu-aw48.xml" >"$tmpdir/rmrr-guest.xml"
check "RMRR device: error" run 1 "$tmpdir/rmrr.txt" check --domain "$tmpdir/rmrr-guest.xml" "$tmpdir/rmrr.xml"
check "  its own line" grep -q \
	"^error: 0000:01:00.1 cannot be assigned on host dl388p-g8-07: firmware direct-maps 0xbddde000-0xbdddefff in its IOMMU group 8 (intel-iommu refuses such devices)" \
	"$tmpdir/rmrr.txt"
check "arm64-rmr host (Linux 6.1)" run 0 "$tmpdir/rmr.xml" host --sysroot "$HOSTS/arm64-rmr"
cat >"$tmpdir/rmr-guest.xml" <<'XML'
<domain type='kvm'>
  <name>rmr</name>
  <memory unit='GiB'>2</memory>
  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
  <features><gic version='3'/></features>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
    </hostdev>
  </devices>
</domain>
XML
check "IORT RMR device on Linux 6.1: assignable" run 0 "$tmpdir/o" check --domain "$tmpdir/rmr-guest.xml" "$tmpdir/rmr.xml"
sed "s/kernel='6.1.0-13-arm64'/kernel='6.6.13-arm64'/" "$tmpdir/rmr.xml" >"$tmpdir/rmr66.xml"
check "  on Linux 6.6: error" run 1 "$tmpdir/rmr66.txt" check --domain "$tmpdir/rmr-guest.xml" "$tmpdir/rmr66.xml"
check "  its line" grep -q "^error: 0000:01:00.0 cannot be assigned on host .*: firmware direct-maps 0xfbe00000-0xfbffffff in its IOMMU group 1 (Linux 6.6 and later refuse such devices)" "$tmpdir/rmr66.txt"

# machine types of QEMU 11, RHEL and Ubuntu: checked as their base, with a note
for m in pc-q35-11.0 pc-i440fx-11.0 pc-q35-rhel9.6.0 pc-q35-rhel10.2.0 pc-q35-noble pc-q35-jammy-hpb \
	pc-i440fx-noble ubuntu-q35 pc-q35-resolute; do
	sed "s/pc-q35-8.2/$m/" "$D/x86-viommu-aw48.xml" >"$tmpdir/m.xml"
	check "$m: checked, not exit 2" run 1 "$tmpdir/m.txt" check --domain "$tmpdir/m.xml" "$tmpdir/h46.xml"
	check "$m: a warning names it" grep -q "^warning: machine '$m' " "$tmpdir/m.txt"
done
finish
