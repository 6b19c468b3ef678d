#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd follows udev (daemon/hotplug.c) without a udev here: in a private
# mount namespace, /sys/kernel/iommu_groups is a tmpfs holding a fixture's
# groups and /run/udev/control exists (libsystemd's device monitor listens
# only where udev runs); the test then changes the groups and broadcasts a
# uevent in udev's own netlink format (the libudev header of systemd's
# sd-device/device-monitor.c: "libudev", magic 0xfeedcafe, MurmurHash2 of
# the subsystem for the kernel socket filter, then KEY=VALUE properties) to
# the udev multicast group, as systemd-udevd does after a device_add. The
# daemon's real monitor, timer and probe of / run. The real udev path (QMP
# device_add under systemd) is tests/systemd/.
if [ -z "${MM_HOTPLUG_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
		echo "SKIP: needs root and unshare (a private mount namespace)"
		exit 77
	fi
	MM_HOTPLUG_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

mount -t tmpfs migmap-test /run || skip_all "cannot mount a tmpfs on /run"
mkdir /run/udev && : >/run/udev/control
mount -t tmpfs migmap-test /sys/kernel/iommu_groups || skip_all "cannot mount on /sys/kernel/iommu_groups"
cp -R "$HOSTS/x86-q35-vtd/sys/kernel/iommu_groups/." /sys/kernel/iommu_groups/

# uevent SUBSYSTEM ACTION DEVPATH [COUNT]: COUNT (1) events broadcast as udev does
uevent() {
	"$PYTHON3" - "$@" <<-'EOF'
	import socket, struct, sys
	subsystem, action, devpath = sys.argv[1:4]
	count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
	def murmur2(data, seed=0):
	    m, h = 0x5BD1E995, (seed ^ len(data)) & 0xFFFFFFFF
	    while len(data) >= 4:
	        k = struct.unpack("<I", data[:4])[0]
	        k = (k * m) & 0xFFFFFFFF
	        k ^= k >> 24
	        k = (k * m) & 0xFFFFFFFF
	        h = ((h * m) & 0xFFFFFFFF) ^ k
	        data = data[4:]
	    if len(data) == 3:
	        h ^= data[2] << 16
	    if len(data) >= 2:
	        h ^= data[1] << 8
	    if len(data) >= 1:
	        h ^= data[0]
	        h = (h * m) & 0xFFFFFFFF
	    h ^= h >> 13
	    h = (h * m) & 0xFFFFFFFF
	    h ^= h >> 15
	    return h
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 15)  # NETLINK_KOBJECT_UEVENT
	s.bind((0, 0))
	for seq in range(1, count + 1):
	    props = b"".join(x.encode() + b"\0" for x in (
	        "ACTION=" + action, "DEVPATH=" + devpath, "SUBSYSTEM=" + subsystem,
	        "SEQNUM=%d" % seq))
	    header = b"libudev\0" + struct.pack("!I", 0xFEEDCAFE) + struct.pack(
	        "=III", 40, 40, len(props)) + struct.pack(
	        "!IIII", murmur2(subsystem.encode()), 0, 0, 0)
	    s.sendto(header + props, (0, 2))  # the udev group
	EOF
}

start_bus H
monitor "$H_addr" "$tmpdir/signals"
start_daemon h "$H_addr" / || exit 99
pid=$daemon_pid
check "not under a sysroot: the monitor runs" sh -c "! grep -q 'not following PCI hotplug' '$tmpdir/h.log'"
get "$H_addr" GetHostMap s json >"$tmpdir/before.json"
check "the groups in the tmpfs are served" grep -q '"iommuGroups": 6' "$tmpdir/before.json"

# an event of a subsystem not watched: no probe
rm -r /sys/kernel/iommu_groups/5
uevent block add /devices/virtual/block/loop9
sleep 1
check "a block event probes nothing" [ "$(prop "$H_addr" Generation)" = "t 1" ]

# a burst of PCI events: one probe, one signal
uevent pci remove /devices/pci0000:00/0000:00:1f.0 5
check "pci remove: HostMapChanged" wait_for "$tmpdir/signals" "member=HostMapChanged"
check "pci remove: Generation 2" [ "$(prop "$H_addr" Generation)" = "t 2" ]
get "$H_addr" GetHostMap s json >"$tmpdir/after.json"
check "pci remove: group 5 is gone from GetHostMap" grep -q '"iommuGroups": 5' "$tmpdir/after.json"
check "a burst gives one probe" [ "$(grep -c 'hotplug: host map changed' "$tmpdir/h.log")" -eq 1 ]

# an iommu event whose probe fails: logged, the last map still served
echo garbage >/sys/kernel/iommu_groups/2/reserved_regions
uevent iommu add /devices/virtual/iommu/dmar0
check "failed probe: logged" wait_for "$tmpdir/h.log" \
	"hotplug: cannot probe this host: .*iommu_groups/2/reserved_regions"
check "failed probe: the map stays" [ "$(prop "$H_addr" Generation)" = "t 2" ]
check "failed probe: GetHostMap still answers" quiet call "$H_addr" GetHostMap s xml

check "SIGTERM: clean exit" stop_daemon "$pid"
finish
