#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the Debian guest of tests/systemd/boot.sh as a oneshot unit:
# checks migmapd under systemd and writes "ok - …" / "not ok - …" lines to
# /results.txt, "done" last. Asks the host for a PCI hotplug by printing
# MIGMAP-HOTPLUG-READY on the console.
# scratch files of this run, inside the guest
work=$(mktemp -d)
out=/results.txt
: >"$out"
SVC=org.migmap.Migmap1
OBJ=/org/migmap/Migmap1
IFACE=org.migmap.Migmap1
res() { echo "$*" >>"$out"; sync; }
t() { # t DESCRIPTION CMD...
	d=$1
	shift
	if "$@" >"$work/t.out" 2>&1; then res "ok - $d"; else
		res "not ok - $d"
		sed 's/^/# /' "$work/t.out" | head -20 >>"$out"
	fi
}
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
call() { busctl --system call "$SVC" "$OBJ" "$IFACE" "$@"; }
active() { [ "$(systemctl is-active migmapd.service)" = active ]; }

# libvirtd as at boot: socket-activated, not running yet. migmapd must
# not wait for it to start (READY=1 comes first); it follows libvirt once
# libvirtd answers.
systemctl stop libvirtd.service >/dev/null 2>&1
t "libvirtd's socket listens, libvirtd is stopped" sh -c \
	'systemctl is-active -q libvirtd.socket && ! systemctl is-active -q libvirtd.service'
t0=$(date +%s.%N)
t "systemctl start migmapd (shipped unit, kill drop-in)" systemctl start migmapd.service
t1=$(date +%s.%N)
t "migmapd is active" active
i=0
until journalctl -b -u migmapd.service --no-pager | grep -q "following libvirt" || [ $i -ge 300 ]; do
	sleep 1
	i=$((i + 1))
done
t2=$(date +%s.%N)
res "# systemctl start migmapd: $(awk "BEGIN{print $t1 - $t0}") s; following libvirt after $(awk "BEGIN{print $t2 - $t0}") s"
t "migmapd follows the socket-activated libvirtd" sh -c \
	'journalctl -b -u migmapd.service --no-pager | grep -q "following libvirt"'
t "libvirtd was activated" systemctl is-active -q libvirtd.service
t "read as nobody: GetHostMap" nobody busctl --system call "$SVC" "$OBJ" "$IFACE" GetHostMap s xml
t "read as nobody: ListPools" nobody busctl --system call "$SVC" "$OBJ" "$IFACE" ListPools
t "read as nobody: GetLibvirt" nobody busctl --system call "$SVC" "$OBJ" "$IFACE" GetLibvirt
t "write as nobody refused" sh -c '! setpriv --reuid=nobody --regid=nogroup --clear-groups busctl --system call '"$SVC $OBJ $IFACE"' CreatePool s p1'
t "write as root: CreatePool" call CreatePool s p1
t "write as root: DeletePool" call DeletePool s p1

t "systemctl stop migmapd" systemctl stop migmapd.service
t "bus activation: a call starts it" call GetHostMap s xml
t "  and it is active again" active

systemd-analyze security --no-pager migmapd.service >"$work/security.txt" 2>&1
score=$(sed -n 's/.*Overall exposure level for migmapd.service: \([0-9.]*\).*/\1/p' "$work/security.txt")
res "# exposure: $score"
t "systemd-analyze security <= 2.0" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'

# the hotplug: a device on the free pcie-root-port, added by the host
busctl --system monitor --match "type='signal',interface='$IFACE',member='HostMapChanged'" \
	>"$work/monitor.txt" 2>&1 &
mon=$!
sleep 2
echo "MIGMAP-HOTPLUG-READY" >/dev/console
echo "MIGMAP-HOTPLUG-READY" >/dev/ttyS0 2>/dev/null
i=0
while [ ! -e /sys/bus/pci/devices/0000:01:00.0 ] && [ $i -lt 300 ]; do
	sleep 1
	i=$((i + 1))
done
t "the hotplugged device appeared (0000:01:00.0)" test -e /sys/bus/pci/devices/0000:01:00.0
i=0
until grep -q HostMapChanged "$work/monitor.txt" || [ $i -ge 120 ]; do
	sleep 1
	i=$((i + 1))
done
kill "$mon" 2>/dev/null
t "HostMapChanged emitted" grep -q HostMapChanged "$work/monitor.txt"
t "the new device's group is in GetHostMap" sh -c "busctl --system call $SVC $OBJ $IFACE GetHostMap s xml | grep -q 0000:01:00.0"
t "migmapd still active (no syscall killed it)" active
journalctl -b -u migmapd.service --no-pager >"$work/journal.txt" 2>&1
sed 's/^/# /' "$work/journal.txt" | tail -30 >>"$out"
t "no denial in migmapd's journal" sh -c '! grep -Eiq "denied|not permitted|seccomp|SIGSYS|status=31|Couldn.t stat device" "$0"' "$work/journal.txt"
journalctl -b --no-pager >"$work/boot.txt" 2>&1
# systemd logs a DeviceAllow= path it cannot stat without the unit's name;
# the kernel logs a seccomp kill (audit type 1326) in its own
t "no device warning or seccomp kill in the boot's journal" sh -c \
	'! grep -Eq "Couldn.t stat device|type=1326" "$0"' "$work/boot.txt"
grep -E "Couldn.t stat device|type=1326" "$work/boot.txt" | sed 's/^/# /' | head >>"$out"
res "done"
sync
