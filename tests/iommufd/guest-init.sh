#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# PID 1 of the guest tests/iommufd/guest.sh boots: load the VFIO modules
# the initramfs carries (none when the kernel has them built in), bind the
# endpoint to vfio-pci, run iommufd-query, then print between markers what
# the kernel itself says (its config, the endpoint's IOMMU group and its
# reserved_regions, the VT-d capability register) and a snapshot of the
# sysfs/proc files a capture holds (as ../shared/tools/capture-host saves
# them) for the host side to compare and keep.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
# the guest's scratch space (a tmpfs of its own)
w=/scratch
mkdir -p $w && mount -t tmpfs scratch $w
for m in $(cat /modules.order 2>/dev/null); do
	insmod /modules/$m.ko || echo "=== INSMOD FAILED $m"
done
sleep 1
# a line of its own: the firmware's escape codes end the line before
echo
# the endpoint: the one device on the root port's bus
bdf=
for d in /sys/bus/pci/devices/0000:01:00.0; do [ -e "$d" ] && bdf=${d##*/}; done
echo "=== BDF $bdf"
if [ -n "$bdf" ]; then
	echo vfio-pci >/sys/bus/pci/devices/$bdf/driver_override
	echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	echo "=== DRIVER $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")"
	g=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
	echo "=== GROUP $g"
	echo "=== RESERVED BEGIN"
	cat /sys/kernel/iommu_groups/$g/reserved_regions
	echo "=== RESERVED END"
	echo "=== VFIODEV $(ls /sys/bus/pci/devices/$bdf/vfio-dev 2>/dev/null)"
fi
for c in /sys/class/iommu/*/intel-iommu/cap; do [ -r "$c" ] && echo "=== CAP $(cat $c)"; done
echo "=== CONFIG BEGIN"
[ -r /proc/config.gz ] && zcat /proc/config.gz | grep -E '^(# )?CONFIG_(IOMMUFD|VFIO_DEVICE_CDEV)[ =]'
echo "=== CONFIG END"
echo "=== DEVIOMMU $([ -c /dev/iommu ] && echo yes || echo no)"
echo "=== QUERY BEGIN"
/iommufd-query >$w/iommufd.txt 2>$w/query.err
rc=$?
cat $w/iommufd.txt
echo "=== QUERY END rc=$rc"
echo "=== QUERYERR $(cat $w/query.err)"
# the capture, as ../shared/tools/capture-host takes it, plus iommufd.txt
s=$w/snap
mkdir -p $s/proc $s/sys/kernel/iommu_groups $s/sys/firmware/acpi/tables $s/sys/bus/pci/devices
cat /proc/iomem >$s/proc/iomem
cat /proc/cpuinfo >$s/proc/cpuinfo
cat /proc/version >$s/proc/version
for g in /sys/kernel/iommu_groups/*; do
	[ -d "$g" ] || continue
	n=${g##*/}
	mkdir -p $s/sys/kernel/iommu_groups/$n/devices
	for f in type reserved_regions; do cat $g/$f >$s/sys/kernel/iommu_groups/$n/$f; done
	for d in $g/devices/*; do
		[ -e "$d" ] && ln -s "$(readlink $d)" $s/sys/kernel/iommu_groups/$n/devices/${d##*/}
	done
done
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	b=${d##*/}
	mkdir -p $s/sys/bus/pci/devices/$b
	for f in vendor device class; do cat $d/$f >$s/sys/bus/pci/devices/$b/$f; done
	[ -e $d/iommu_group ] && ln -s "$(readlink $d/iommu_group)" $s/sys/bus/pci/devices/$b/iommu_group
done
for a in /sys/class/iommu/*/intel-iommu/*; do
	[ -f "$a" ] || continue
	u=${a%/intel-iommu/*}
	u=${u##*/}
	mkdir -p $s/sys/class/iommu/$u/intel-iommu
	cat $a >$s/sys/class/iommu/$u/intel-iommu/${a##*/} 2>/dev/null
done
for t in APIC MCFG DMAR; do
	[ -r /sys/firmware/acpi/tables/$t ] && cat /sys/firmware/acpi/tables/$t >$s/sys/firmware/acpi/tables/$t
done
[ $rc -eq 0 ] && cp $w/iommufd.txt $s/iommufd.txt
echo "=== SNAPSHOT BEGIN"
(cd $s && tar cf - .) | gzip | base64
echo "=== SNAPSHOT END"
poweroff -f
