#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The QEMU version from libvirt's capabilities cache (docs/design.md §6),
# where no libvirt connection is at hand: migmap-hook without migmapd and
# migmap check without HOST.xml files read it below the configured sysroot.
# The domain is a pc-q35-9.2 guest with an intel vIOMMU of the default
# width and an assigned device, on a host whose VT-d maps 39 bits: QEMU 9.2
# gives the vIOMMU 39 bits (it fits), QEMU 10.0 gives it 48 (QEMU refuses
# the device: refused), and without a cache the newest QEMU is assumed,
# with a warning saying so. The cache files are the real ones of
# tests/data/qemucaps with only <version> changed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
[ -x "$HOOK" ] || skip_all "$HOOK not built"
CAPS=var/cache/libvirt/qemu/capabilities
X86=926803a9278e445ec919c2b6cbd8c1c449c75b26dcb1686b774314180376c725.xml
# never reach a daemon on this machine's bus
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus
export DBUS_SYSTEM_BUS_ADDRESS
run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...

# a sysroot: host x86-vtd39-cpu46 and, given VERSION, libvirt's cache
sysroot() { # sysroot DIR [VERSION]
	cp -a "$HOSTS/x86-vtd39-cpu46" "$1"
	[ -n "${2:-}" ] || return 0
	mkdir -p "$1/$CAPS"
	sed "s|<version>7002022</version>|<version>$2</version>|" \
		"$top_srcdir/tests/data/qemucaps/$CAPS/$X86" >"$1/$CAPS/$X86"
}
sysroot "$tmpdir/r92" 9002000
sysroot "$tmpdir/r100" 10000000
sysroot "$tmpdir/rnone"
for r in r92 r100 rnone; do
	mkdir "$tmpdir/$r.state"
	printf 'sysroot = %s\nstate_dir = %s\n' "$tmpdir/$r" "$tmpdir/$r.state" >"$tmpdir/$r.conf"
done

sed -e "s/pc-q35-8.2/pc-q35-9.2/" -e "s/ aw_bits='48'//" \
	-e "s|<devices>|<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>|" \
	"$top_srcdir/tests/data/domains/x86-viommu-aw48.xml" >"$tmpdir/g.xml"

hook() { # hook WANT_RC CONF: stderr in $tmpdir/err
	MIGMAP_CONFIG=$2 "$HOOK" nested prepare begin - <"$tmpdir/g.xml" >"$tmpdir/out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$1" ] || { echo "  exit $rc, wanted $1"; cat "$tmpdir/err"; return 1; }
}
width_error="vIOMMU address width 48 bits exceeds the 39-bit IOMMU input width"

check "hook, QEMU 9.2: the 39-bit vIOMMU fits, allowed" hook 0 "$tmpdir/r92.conf"
check "  no vIOMMU error, no version warning" \
	sh -c '! grep -q "vIOMMU\|QEMU version" "$0"' "$tmpdir/err"
check "hook, QEMU 10.0: 48 bits, refused" hook 1 "$tmpdir/r100.conf"
check "  saying why" grep -q "^migmap: .*intel $width_error" "$tmpdir/err"
check "  no version warning" sh -c '! grep -q "QEMU version unknown" "$0"' "$tmpdir/err"
unknown="QEMU version unknown: intel-iommu's default address width on pc-q35-9.2 assumed 48 bits"
check "hook, no cache: the newest assumed, refused" hook 1 "$tmpdir/rnone.conf"
check "  for 48 bits" grep -q "^migmap: .*intel $width_error" "$tmpdir/err"
# a refusal is one line on stderr; the assumption is said by check
check "check, no cache: the width error" run 1 "$tmpdir/onone" --config "$tmpdir/rnone.conf" \
	check --domain "$tmpdir/g.xml"
check "  and the assumption" grep -q "^warning: $unknown" "$tmpdir/onone"

check "check, QEMU 9.2: clean" run 0 "$tmpdir/o" --config "$tmpdir/r92.conf" check --domain "$tmpdir/g.xml"
check "check, QEMU 10.0: the width error" run 1 "$tmpdir/o100" --config "$tmpdir/r100.conf" \
	check --domain "$tmpdir/g.xml"
check "  one line" grep -q "^error: guest intel $width_error" "$tmpdir/o100"

# plan without HOST.xml finds the version as check does
check "plan, QEMU 9.2: a plan" run 0 "$tmpdir/p92" --config "$tmpdir/r92.conf" plan --domain "$tmpdir/g.xml"
check "  of the domain" grep -q "<domain" "$tmpdir/p92"
check "plan, QEMU 10.0: no plan (exit 1)" run 1 "$tmpdir/p100" --config "$tmpdir/r100.conf" \
	plan --domain "$tmpdir/g.xml"
check "  for the width" grep -q "^migmap: no valid plan: .*intel $width_error" "$tmpdir/err"
check "plan, no cache: the newest assumed, no plan" run 1 "$tmpdir/pnone" --config "$tmpdir/rnone.conf" \
	plan --domain "$tmpdir/g.xml"

# QEMU upgraded since libvirt probed it: the binary's ctime is not the
# entry's, so its version is not believed
mkdir -p "$tmpdir/r92/usr/bin"
: >"$tmpdir/r92/usr/bin/qemu-system-x86_64"
check "stale cache entry: the newest assumed" hook 1 "$tmpdir/r92.conf"
check "  for 48 bits" grep -q "^migmap: .*intel $width_error" "$tmpdir/err"
check "check, stale cache entry: the width error" run 1 "$tmpdir/ostale" --config "$tmpdir/r92.conf" \
	check --domain "$tmpdir/g.xml"
check "  and the assumption" grep -q "^warning: $unknown" "$tmpdir/ostale"
finish
