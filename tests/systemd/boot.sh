#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd under a real systemd: a Debian 12 image (mmdebstrap, from the
# archive apt already uses) with the project's `make install` inside, booted
# by qemu-system-x86_64 (q35, an intel-iommu, a free pcie-root-port) with
# systemd as PID 1. A oneshot unit in the guest (guest-test.sh) checks the
# shipped unit and writes results/ok lines to /results.txt, then powers
# off; the host reads them back with debugfs. Meanwhile the host adds a PCI
# device through QMP device_add, which must reach migmapd through udev.
# The unit runs with SystemCallErrorNumber=kill in a drop-in, so a newly
# filtered syscall kills migmapd and fails the test.
#
# The base image is cached in /var/cache/migmap-systemd-image/<hash of the
# package list> (built only when missing: a changed list builds a new one,
# older ones are removed); skipped only when the archive cannot be reached
# or a tool is missing. Slow (a TCG boot): run by `make check-systemd`, not
# `make check`.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (image, make install, mkfs)"
for tool in mmdebstrap qemu-system-x86_64 mkfs.ext4 debugfs python3; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed"
done
CACHE=${MIGMAP_SYSTEMD_IMAGE:-/var/cache/migmap-systemd-image}
# libvirt-daemon-system: libvirtd socket-activated, as on a real host, so
# the test sees how migmapd starts beside it
PACKAGES=systemd,systemd-sysv,dbus,udev,libxml2,libjson-c5,libfdt1,libsystemd0,linux-image-amd64,initramfs-tools,libvirt0,libvirt-daemon-system,util-linux
BOOT_TIMEOUT=${BOOT_TIMEOUT:-1500}
IMG=$CACHE/$(printf 'bookworm important %s\n' "$PACKAGES" | sha256sum | cut -c1-16)

# ---- the cached base image
if [ ! -d "$IMG/root" ]; then
	mkdir -p "$IMG"
	rm -rf "$IMG/root.partial"
	t0=$(date +%s)
	if ! nice mmdebstrap --variant=important --include="$PACKAGES" bookworm \
		"$IMG/root.partial" >"$tmpdir/mmdebstrap.log" 2>&1; then
		if ! apt-get -q update >/dev/null 2>&1; then
			skip_all "the Debian archive cannot be reached"
		fi
		tail -20 "$tmpdir/mmdebstrap.log"
		echo "not ok - mmdebstrap failed"
		exit 1
	fi
	mv "$IMG/root.partial" "$IMG/root"
	echo "# image built in $(($(date +%s) - t0)) s"
	# images of other package lists are stale now
	for old in "$CACHE"/*/; do
		[ "${old%/}" = "$IMG" ] || rm -rf "$old"
	done
fi

# ---- this tree installed into a copy of it, as a distribution would
root=$tmpdir/root
cp -a "$IMG/root" "$root"
( cd "$top_builddir" && make distdir distdir="$tmpdir/src" >/dev/null ) || exit 99
( cd "$tmpdir/src" &&
	./configure --quiet --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--with-systemdsystemunitdir=/lib/systemd/system >/dev/null &&
	nice make -j2 >/dev/null &&
	make install DESTDIR="$root" >/dev/null ) || { echo "not ok - build and make install"; exit 1; }
ok "make install into the image"

mkdir -p "$root/etc/systemd/system/migmapd.service.d"
cat >"$root/etc/systemd/system/migmapd.service.d/test.conf" <<'EOF'
# the test: a filtered syscall kills migmapd instead of failing quietly
[Service]
SystemCallErrorNumber=kill
EOF
install -m 755 "$top_srcdir/tests/systemd/guest-test.sh" "$root/usr/local/sbin/migmap-guest-test"
cat >"$root/etc/systemd/system/migmap-guest-test.service" <<'EOF'
[Unit]
Description=migmap systemd test
After=multi-user.target dbus.service systemd-udevd.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/migmap-guest-test
ExecStopPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../migmap-guest-test.service \
	"$root/etc/systemd/system/multi-user.target.wants/migmap-guest-test.service"
echo "migmap-guest" >"$root/etc/hostname"
printf '/dev/vda / ext4 rw 0 1\n' >"$root/etc/fstab"
rm -f "$root/results.txt"

kernel=$(ls "$root"/boot/vmlinuz-* | tail -1)
initrd=$(ls "$root"/boot/initrd.img-* | tail -1)
cp "$kernel" "$tmpdir/vmlinuz"
cp "$initrd" "$tmpdir/initrd"
mkfs.ext4 -q -d "$root" -F "$tmpdir/disk.img" 3G || { echo "not ok - mkfs.ext4 -d"; exit 1; }
rm -rf "$root"
ok "disk image"

# ---- boot; hotplug once the guest says it is ready
accel=tcg,thread=multi
[ -w /dev/kvm ] && accel=kvm
nice qemu-system-x86_64 -M q35,kernel-irqchip=split -accel "$accel" -cpu max -smp 2 -m 2G \
	-device intel-iommu,intremap=on -device pcie-root-port,id=rp1,chassis=1,slot=1 \
	-drive file="$tmpdir/disk.img",format=raw,if=virtio \
	-kernel "$tmpdir/vmlinuz" -initrd "$tmpdir/initrd" \
	-append 'root=/dev/vda rw console=ttyS0 intel_iommu=on systemd.show_status=0' \
	-display none -serial file:"$tmpdir/console.log" -no-reboot \
	-qmp unix:"$tmpdir/qmp.sock",server=on,wait=off &
qemu=$!
python3 - "$tmpdir/console.log" "$tmpdir/qmp.sock" "$BOOT_TIMEOUT" <<'PY'
import json, os, socket, sys, time
console, qmp, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.time() + timeout
while time.time() < end:
    try:
        if b"MIGMAP-HOTPLUG-READY" in open(console, "rb").read():
            break
    except FileNotFoundError:
        pass
    time.sleep(2)
else:
    sys.exit("the guest never became ready for the hotplug")
s = socket.socket(socket.AF_UNIX)
s.connect(qmp)
f = s.makefile("rw")
def cmd(c):
    f.write(json.dumps(c) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
f.readline()
cmd({"execute": "qmp_capabilities"})
r = cmd({"execute": "device_add",
         "arguments": {"driver": "e1000e", "bus": "rp1", "id": "hotplugged"}})
print("# device_add:", json.dumps(r))
PY
i=0
while kill -0 "$qemu" 2>/dev/null; do
	i=$((i + 5))
	if [ $i -gt "$BOOT_TIMEOUT" ]; then
		kill "$qemu"
		echo "not ok - the guest did not power off within ${BOOT_TIMEOUT}s"
		tail -40 "$tmpdir/console.log"
		exit 1
	fi
	sleep 5
done
wait "$qemu"

# ---- the guest's verdicts
debugfs -R 'cat /results.txt' "$tmpdir/disk.img" >"$tmpdir/results.txt" 2>/dev/null
if ! grep -q '^done$' "$tmpdir/results.txt"; then
	echo "not ok - the guest test did not finish"
	tail -60 "$tmpdir/console.log"
	cat "$tmpdir/results.txt"
	exit 1
fi
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$tmpdir/results.txt"
[ "$failed" -eq 0 ] || tail -60 "$tmpdir/console.log"
finish
