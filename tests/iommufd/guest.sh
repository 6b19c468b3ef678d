#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The live iommufd query (lib/iommufd-live.c) against a real kernel: boot a
# q35 guest with QEMU's intel-iommu and an e1000e on a PCIe root port under
# TCG, bind the e1000e to vfio-pci in the guest, run iommufd-query (built
# here from lib/iommufd-live.c with gcc -static) and compare its lines with
# what that kernel itself shows: the allowed IOVA ranges must be the
# complement of the device group's reserved_regions within the aperture,
# and the width the one the VT-d cap register in sysfs gives and the
# aw-bits QEMU was told.
#
# usage: guest.sh [--kernel debian|built] [--aw-bits N] [--save DIR]
#   debian: Debian trixie's own kernel (Linux 6.12) with its vfio modules.
#     It is built without CONFIG_IOMMUFD (so without
#     CONFIG_VFIO_DEVICE_CDEV): the test then asserts that the guest has no
#     /dev/iommu, that the endpoint is bound to vfio-pci all the same, and
#     that iommufd-query says why it cannot ask.
#   built (default): Linux 6.12 from Debian trixie's linux-source-6.12,
#     configured small with tests/iommufd/kernel.config (IOMMUFD,
#     VFIO_DEVICE_CDEV, VFIO_PCI, INTEL_IOMMU built in), built once and
#     cached (a few minutes on two cores).
#   --save DIR: keep the guest's capture (capture-host's files plus the
#     query's iommufd.txt) as a sysroot in DIR.
# Kernel, source and busybox come from the archive this machine's apt
# uses, cached in MIGMAP_IOMMUFD_CACHE (/var/cache/migmap-iommufd). Exits
# 77 only when that archive cannot be reached.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON3=${PYTHON3:-python3}
cache=${MIGMAP_IOMMUFD_CACHE:-/var/cache/migmap-iommufd}
kernel=built aw=48 save=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--aw-bits) aw=$2; shift ;;
	--save) save=$2; shift ;;
	*) echo "guest.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case $kernel in debian | built) ;; *) echo "guest.sh: --kernel debian or built" >&2; exit 2 ;; esac
for tool in qemu-system-x86_64 cpio gzip xz apt-get "${CC:-gcc}" "$PYTHON3"; do
	command -v "$tool" >/dev/null || { echo "guest.sh: needs $tool" >&2; exit 1; }
done

# ---- the archive: a private apt setup for trixie amd64 ----
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$cache/dl"
uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list | head -1)
echo "deb [arch=amd64] $uri trixie main" >"$apt_dir/sources.list"
apt_o="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir -o APT::Architectures::=amd64"
# fetch PKG...: the packages' .debs in $cache/dl, unpacked below $cache/dl/x
fetch() {
	need=
	for p in "$@"; do ls "$cache/dl/${p}_"*.deb >/dev/null 2>&1 || need="$need $p"; done
	[ -z "$need" ] && return 0
	if ! apt-get $apt_o update -qq >/dev/null 2>&1; then
		echo "guest.sh: the Debian archive ($uri) cannot be reached: skipped" >&2
		exit 77
	fi
	(cd "$cache/dl" && apt-get $apt_o download -qq $need >/dev/null 2>&1) || {
		echo "guest.sh: cannot download$need from $uri trixie" >&2; exit 1; }
	for p in $need; do dpkg -x "$(ls "$cache/dl/${p}_"*.deb | head -1)" "$cache/dl/x"; done
}
kpkg=$(ls "$cache/dl"/linux-image-6.*-amd64_*.deb 2>/dev/null | head -1)
if [ -z "$kpkg" ]; then
	apt-get $apt_o update -qq >/dev/null 2>&1 || {
		echo "guest.sh: the Debian archive ($uri) cannot be reached: skipped" >&2; exit 77; }
	kpkg=$(apt-cache $apt_o depends linux-image-amd64:amd64 |
		sed -n 's/.*Depends: \(linux-image-[^:]*\).*/\1/p' | head -1)
else
	kpkg=$(basename "$kpkg" | sed 's/_.*//')
fi
fetch "$kpkg" busybox-static
release=${kpkg#linux-image-}
config=$cache/dl/x/boot/config-$release

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/initramfs/bin" "$work/initramfs/proc" "$work/initramfs/sys" "$work/initramfs/dev" \
	"$work/initramfs/tmp" "$work/initramfs/modules"
cp "$cache/dl/x/usr/bin/busybox" "$work/initramfs/bin/busybox" 2>/dev/null ||
	cp "$cache/dl/x/bin/busybox" "$work/initramfs/bin/busybox"

if [ $kernel = debian ]; then
	bz=$cache/dl/x/boot/vmlinuz-$release
	mods=$cache/dl/x/usr/lib/modules/$release/kernel
	# the load order of their depends= (modinfo): vfio-pci needs
	# vfio-pci-core and vfio, vfio-pci-core irqbypass
	for m in virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/pci/vfio-pci-core \
		drivers/vfio/pci/vfio-pci; do
		xz -dc "$mods/$m.ko.xz" >"$work/initramfs/modules/${m##*/}.ko"
		echo "${m##*/}" >>"$work/initramfs/modules.order"
	done
else
	src_ver=6.12
	# cached by the config's content (a checkout's mtimes say nothing)
	sum=$(sha256sum "$top_srcdir/tests/iommufd/kernel.config" | cut -c1-12)
	bz=$cache/bzImage-$release-iommufd-$sum
	if [ ! -f "$bz" ]; then
		fetch "linux-source-$src_ver"
		echo "guest.sh: building Linux $src_ver with iommufd (once; cached as $bz)" >&2
		b=$cache/build
		rm -rf "$b" && mkdir -p "$b"
		tar -xaf "$cache/dl/x/usr/src/linux-source-$src_ver.tar.xz" -C "$b"
		k=$b/linux-source-$src_ver
		make -C "$k" -s tinyconfig >/dev/null
		grep -v '^#' "$top_srcdir/tests/iommufd/kernel.config" | sed -n 's/^CONFIG_\(.*\)=y$/\1/p' |
			while read -r opt; do "$k/scripts/config" --file "$k/.config" -e "$opt"; done
		make -C "$k" -s olddefconfig >/dev/null
		for opt in IOMMUFD VFIO_DEVICE_CDEV VFIO_PCI INTEL_IOMMU; do
			grep -qx "CONFIG_$opt=y" "$k/.config" || {
				echo "guest.sh: CONFIG_$opt did not stay enabled" >&2; exit 1; }
		done
		nice make -C "$k" -s -j2 bzImage >"$b/build.log" 2>&1 || {
			tail -20 "$b/build.log" >&2; exit 1; }
		cp "$k/arch/x86/boot/bzImage" "$bz.tmp" && mv "$bz.tmp" "$bz"
		rm -rf "$b"
	fi
fi

"${CC:-gcc}" -std=gnu11 -O2 -Wall -Wextra -Werror -static -I"$top_srcdir/lib" \
	-o "$work/initramfs/iommufd-query" "$top_srcdir/tests/iommufd/iommufd-query.c" \
	"$top_srcdir/lib/iommufd-live.c"
cp "$top_srcdir/tests/iommufd/guest-init.sh" "$work/initramfs/init"
chmod +x "$work/initramfs/init"
(cd "$work/initramfs" && find . | cpio -o -H newc 2>/dev/null | gzip >"$work/initrd.gz")

set -- -M q35,kernel-irqchip=split -accel tcg -m 512M \
	-device intel-iommu,intremap=on,aw-bits=$aw \
	-nic none -device pcie-root-port,id=rp1,chassis=1 -device e1000e,bus=rp1,romfile=
timeout 900 nice qemu-system-x86_64 "$@" -nographic -no-reboot -kernel "$bz" \
	-initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1 intel_iommu=on" \
	>"$work/console.log" 2>&1 || true
tr -d '\r' <"$work/console.log" >"$work/console.txt"
[ -z "${GUEST_KEEP_CONSOLE:-}" ] || cp "$work/console.txt" "$GUEST_KEEP_CONSOLE"
if ! grep -q '^=== SNAPSHOT END' "$work/console.txt"; then
	echo "guest.sh: the guest did not finish; console tail:" >&2
	tail -30 "$work/console.txt" >&2
	exit 1
fi
sed -n '/^=== BDF/,/^=== QUERYERR/p' "$work/console.txt"
if [ -n "$save" ]; then
	rm -rf "$save" && mkdir -p "$save"
	sed -n '/^=== SNAPSHOT BEGIN/,/^=== SNAPSHOT END/p' "$work/console.txt" | sed '1d;$d' |
		base64 -d | gunzip | tar xf - -C "$save"
	printf '%s\n' "qemu-system-x86_64 $* -kernel $(basename "$bz")" >"$save/capture.txt"
fi

# ---- what the guest's kernel said, against the query ----
"$PYTHON3" - "$work/console.txt" "$kernel" "$aw" "$config" <<'EOF'
import re, sys

text = open(sys.argv[1]).read()
kernel, aw, config = sys.argv[2], int(sys.argv[3]), sys.argv[4]
fails = []


def marker(name):
    m = re.search(r"^=== %s ?(.*)$" % name, text, re.M)
    return m.group(1).strip() if m else None


def block(name):
    m = re.search(r"^=== %s BEGIN\n(.*?)^=== %s END" % (name, name), text, re.M | re.S)
    return m.group(1).splitlines() if m else []


def check(what, ok):
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    if not ok:
        fails.append(what)


bdf = marker("BDF")
check("the guest has the endpoint 0000:01:00.0", bdf == "0000:01:00.0")
check("the endpoint is bound to vfio-pci", marker("DRIVER") == "vfio-pci")
check("no module failed to load", "=== INSMOD FAILED" not in text)
q = re.search(r"^=== QUERY BEGIN\n(.*?)^=== QUERY END rc=(\d+)", text, re.M | re.S)
lines, rc = q.group(1).splitlines(), int(q.group(2))
if kernel == "debian":
    opts = open(config).read()
    check("Debian's kernel config has no IOMMUFD",
          "# CONFIG_IOMMUFD is not set" in opts.splitlines())
    check("so the guest has no /dev/iommu", marker("DEVIOMMU") == "no")
    check("iommufd-query exits 1 naming /dev/iommu and CONFIG_IOMMUFD",
          rc == 1 and "/dev/iommu: No such file or directory" in marker("QUERYERR")
          and "CONFIG_IOMMUFD" in marker("QUERYERR"))
else:
    check("the guest has /dev/iommu", marker("DEVIOMMU") == "yes")
    check("iommufd-query exits 0", rc == 0)
    cap = int(marker("CAP"), 16)
    mgaw = ((cap >> 16) & 0x3F) + 1
    sagaw = (cap >> 8) & 0x1F
    top = max(30 + 9 * n for n in range(4) if sagaw >> n & 1)
    width = min(mgaw, top)
    print("sysfs cap 0x%x: MGAW %d, SAGAW 0x%x: %d bits (QEMU aw-bits %d)"
          % (cap, mgaw, sagaw, width, aw))
    check("the cap register's width is QEMU's aw-bits", width == aw)
    hw = [l.split() for l in lines if " hw-info " in l]
    check("one hw-info line: %s intel-vtd %d" % (bdf, width),
          hw == [[bdf, "hw-info", "intel-vtd", str(width)]])
    reserved = []
    for l in block("RESERVED"):
        s, e, _ = l.split()
        reserved.append((int(s, 16), int(e, 16)))
    reserved.sort()
    expect, cur, end = [], 0, (1 << width) - 1
    for s, e in reserved:
        if e < cur:
            continue
        if s > cur:
            expect.append((cur, min(s - 1, end)))
        cur = max(cur, e + 1)
        if cur > end:
            break
    if cur <= end:
        expect.append((cur, end))
    got = [tuple(int(x, 16) for x in l.split()[2].split("-"))
           for l in lines if " allowed " in l]
    print("reserved_regions: %s" % ", ".join("0x%x-0x%x" % r for r in reserved))
    check("allowed ranges are the complement of reserved_regions below 2^%d: %s"
          % (width, ", ".join("0x%x-0x%x" % r for r in expect)), got == expect)
    check("no device failed", not [l for l in lines if " failed " in l])
sys.exit(1 if fails else 0)
EOF
