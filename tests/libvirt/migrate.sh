#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real `virsh migrate` between two real libvirtd on this machine, each in
# its own mount namespace with its own /etc/libvirt, /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt, its own
# virtlogd, migmap's hook in its own qemu.d/, and its own migmap identity:
# host alpha (tests/data/hosts/arm64-virt-smmuv3) and host beta
# (arm64-virt-gicv2), each with its state directory and its migmapd on a
# private bus. The two migmapd keep their pools in one shared directory
# (pool_dir), as hosts would on the NFS mount they share for disk images.
# Guests are TCG aarch64 with nothing to boot.
#   1. g1 (2176 MiB from 1 GiB, pool p) fits both members: it migrates alpha ->
#      beta and runs there.
#   2. host gamma (arm64-hwmsi: hardware MSI doorbell 0xc6010000, inside
#      g1's RAM) joins p through beta; alpha learns it from the shared
#      directory. Migrating g1 back is refused by alpha's hook, virsh's error
#      carries migmap's line, g1 still runs on beta.
#   3. g3 (pool q, which no one made; beta's hook has unknown_pool = allow)
#      starts on beta and is refused by alpha with the unknown-pool line; it
#      still runs on beta. Once q is made, it migrates.
# libvirt runs "migrate begin" and "prepare begin" on the destination and no
# hook on the source; it reads qemu.d/ only when it starts. Root only, with
# libvirtd, virtlogd, virsh, unshare and qemu-system-aarch64 installed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (it starts two libvirtd)"
for tool in libvirtd virtlogd virsh qemu-system-aarch64 unshare; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed"
done
[ -x "$HOOK" ] || skip_all "$HOOK not built"
. "$top_srcdir/tests/bus/lib-bus.sh"
# QEMU runs as libvirt-qemu and must reach the per-instance directories.
chmod 755 "$tmpdir"
id libvirt-qemu >/dev/null 2>&1 ||
	useradd --system --no-create-home --shell /usr/sbin/nologin libvirt-qemu ||
	skip_all "cannot create the libvirt-qemu user"
start_time=$(date +%s)

uri() { echo "qemu+unix:///system?socket=$tmpdir/$1/run/libvirt-sock"; }
pidfile_alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }
# a free TCP port on the loopback for one migration stream
free_port() {
	"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Everything goes, even when a check failed or the script was interrupted:
# guests, libvirtd, virtlogd (the mount namespaces vanish with their last
# process), migmapd and the buses (cleanup_bus).
cleanup_migrate() {
	for inst in alpha beta; do
		d=$tmpdir/$inst
		[ -d "$d" ] || continue
		if pidfile_alive "$d/run/libvirtd.pid"; then
			for g in $(virsh -c "$(uri "$inst")" list --name 2>/dev/null); do
				virsh -c "$(uri "$inst")" destroy "$g" >/dev/null 2>&1
			done
			kill "$(cat "$d/run/libvirtd.pid" 2>/dev/null)" 2>/dev/null
		fi
		# a QEMU libvirtd left behind (libvirtd killed mid-way)
		for p in "$d"/run/qemu/*.pid; do
			[ "${p##*/}" != driver.pid ] && [ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
		done
		pidfile_alive "$d/run/virtlogd.pid" && kill "$(cat "$d/run/virtlogd.pid" 2>/dev/null)" 2>/dev/null
	done
	i=0
	while { pidfile_alive "$tmpdir/alpha/run/libvirtd.pid" ||
		pidfile_alive "$tmpdir/beta/run/libvirtd.pid"; } && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cleanup_bus
}
trap cleanup_migrate EXIT
trap 'exit 99' INT TERM HUP

# ---- migmap: three host maps, each member's migmapd and state
for h in alpha:arm64-virt-smmuv3 beta:arm64-virt-gicv2 gamma:arm64-hwmsi; do
	"$MIGMAP" host --sysroot "$HOSTS/${h#*:}" --name "${h%%:*}" >"$tmpdir/${h%%:*}.xml" ||
		{ echo "migmap host ${h%%:*} failed"; exit 99; }
done
shared=$tmpdir/shared
cp "$tmpdir/test.conf" "$tmpdir/share.conf"
# the periodic rescan (what NFS relies on) fast enough for a test
printf 'pool_dir = %s\nrescan_interval = 1s\n' "$shared" >>"$tmpdir/share.conf"
daemon_config=$tmpdir/share.conf
start_bus A
start_daemon alpha "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
start_bus B
start_daemon beta "$B_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
# members NAME...: alpha's migmapd sees exactly these members of p
members() {
	want=$*
	i=0
	until [ "$(get "$A_addr" GetPoolMap ss p json 2>/dev/null | "$PYTHON3" -c '
import json, sys
print(" ".join(sorted(m["name"] for m in json.load(sys.stdin)["pool"]["members"])))' 2>/dev/null)" = "$want" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "  alpha: the members of p are not $want"; return 1; }
		sleep 0.1
	done
}
# pool p: alpha makes it, each host joins with its own map on its own migmapd
check "alpha creates p in the shared directory" quiet call "$A_addr" CreatePool s p
check "alpha joins p" quiet call "$A_addr" AddHost ss p "$(cat "$tmpdir/alpha.xml")"
i=0
until busctl --address="$B_addr" call "$SVC" "$OBJ" "$IFACE" ListPools | grep -q '"p"'; do
	i=$((i + 1))
	[ $i -le 100 ] || break
	sleep 0.1
done
check "beta joins p" quiet call "$B_addr" AddHost ss p "$(cat "$tmpdir/beta.xml")"
check "alpha sees both members" members alpha beta

# ---- instance INST SYSROOT BUS_ADDR CGROUPS: directories, configuration and
# hook of one libvirtd; then its virtlogd and libvirtd in a mount namespace
instance() {
	inst=$1 root=$2 addr=$3 cgroups=$4 extra=${5:-}
	d=$tmpdir/$inst
	mkdir -p "$d/etc/hooks/qemu.d" "$d/run" "$d/lib" "$d/log" "$d/cache"
	# distinct, random host UUIDs: libvirt refuses to migrate to "the same host"
	cat >"$d/etc/libvirtd.conf" <<-EOF
	host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
	auth_unix_ro = "none"
	auth_unix_rw = "none"
	log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
	EOF
	{
		echo "# instance $inst of tests/libvirt/migrate.sh"
		echo 'security_driver = "none"'
		# both guests' cgroups would clash in one machine-wide hierarchy
		[ -z "$cgroups" ] || echo "cgroup_controllers = [ ]"
	} >"$d/etc/qemu.conf"
	# The hook's identity: this instance's config (sysroot, state, name)
	# and its migmapd's bus. libvirt clears its hooks' environment, so a
	# wrapper in this instance's qemu.d/ sets both.
	cat >"$d/migmap.conf" <<-EOF
	sysroot = $root
	state_dir = $tmpdir/$inst.state
	pool_dir = $shared
	name = $inst
	$extra
	EOF
	cat >"$d/etc/hooks/qemu.d/migmap" <<-EOF
	#!/bin/sh
	MIGMAP_CONFIG=$d/migmap.conf DBUS_SYSTEM_BUS_ADDRESS=$addr exec $HOOK "\$@"
	EOF
	chmod 755 "$d/etc/hooks" "$d/etc/hooks/qemu.d" "$d/etc/hooks/qemu.d/migmap"
	for m in /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
		[ -d "$m" ] || mkdir -p "$m"
	done
	# The daemons are the namespace's only processes once the shell exits:
	# it lives as long as they do.
	unshare --mount --propagation private sh -e -c '
		d=$1
		mount --bind "$d/etc" /etc/libvirt
		mount --bind "$d/run" /run/libvirt
		mount --bind "$d/lib" /var/lib/libvirt
		mount --bind "$d/log" /var/log/libvirt
		mount --bind "$d/cache" /var/cache/libvirt
		virtlogd -d -p /run/libvirt/virtlogd.pid
		libvirtd -d -p /run/libvirt/libvirtd.pid
	' sh "$d" || { echo "instance $inst did not start"; return 1; }
	i=0
	until virsh -c "$(uri "$inst")" version >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 300 ] || { echo "libvirtd $inst does not answer"; cat "$d/log/libvirtd.log"; return 1; }
		sleep 0.1
	done
}
instance alpha "$HOSTS/arm64-virt-smmuv3" "$A_addr" yes || exit 99
# beta lets in domains of pools it does not know (case 3 starts one there)
instance beta "$HOSTS/arm64-virt-gicv2" "$B_addr" "" "unknown_pool = allow" || exit 99

# domain NAME MEMORY_MIB POOL: a TCG aarch64 guest with nothing to boot
domain() {
	cat <<-XML
	<domain type='qemu'>
	  <name>$1</name>
	  <metadata><migmap:pool xmlns:migmap='http://migmap.org/xmlns/domain/1.0' name='$3'/></metadata>
	  <memory unit='MiB'>$2</memory>
	  <vcpu>1</vcpu>
	  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
	  <features><gic version='3'/></features>
	  <cpu mode='custom'><model>cortex-a57</model></cpu>
	  <devices>
	    <emulator>$(command -v qemu-system-aarch64)</emulator>
	    <controller type='usb' model='none'/>
	    <memballoon model='none'/>
	  </devices>
	</domain>
	XML
}
# running INST NAME: the domain runs on that instance
running() { virsh -c "$(uri "$1")" domstate "$2" 2>/dev/null | grep -qx running; }
# absent INST NAME: the instance has no such domain
absent() { ! virsh -c "$(uri "$1")" domstate "$2" >/dev/null 2>&1; }
# migrate FROM TO NAME: virsh migrate --live, its error in $tmpdir/err
migrate() {
	timeout 300 virsh -c "$(uri "$1")" migrate --live "$3" "$(uri "$2")" \
		--migrateuri "tcp://127.0.0.1:$(free_port)" >"$tmpdir/out" 2>"$tmpdir/err"
}
migrated() { # migrated FROM TO NAME: it succeeds (else says why)
	migrate "$@" || { echo "  virsh migrate $3 $1 -> $2:"; cat "$tmpdir/err"; return 1; }
}
refused() { # refused FROM TO NAME: it fails, and says so
	if migrate "$@"; then echo "  virsh migrate $3 $1 -> $2 succeeded"; return 1; fi
	echo "# virsh migrate $3 $1 -> $2 said:"
	sed 's/^/#   /' "$tmpdir/err"
}
has() { grep -qF -- "$1" "$tmpdir/err" || { echo "  no '$1' in:"; cat "$tmpdir/err"; return 1; }; }

# ---- 1. a guest of p that fits both members migrates
domain g1 2176 p >"$tmpdir/g1.xml"
domain g3 512 q >"$tmpdir/g3.xml"
check "g1 (pool p) starts on alpha" sh -c 'virsh -c "$0" create "$1" >/dev/null' "$(uri alpha)" "$tmpdir/g1.xml"
check "  and runs" running alpha g1
t0=$(date +%s)
check "virsh migrate --live g1 alpha -> beta" migrated alpha beta g1
echo "# migration took $(($(date +%s) - t0)) s"
check "  g1 runs on beta" running beta g1
check "  and is gone from alpha" absent alpha g1

# ---- 2. gamma, whose hardware MSI doorbell lies in g1's RAM, joins p
# Beta's migmapd adds it (AddHost, what `migmap pool add` does) to the
# shared directory; alpha, the destination, learns it from there.
check "pool whatif --add gamma (alpha's configuration) names g1 beforehand" sh -c \
	'"$0" --config "$1" pool whatif p --add "$2" -c "$3" >"$4"; [ $? -eq 1 ] &&
	 grep -q "^g1: becomes invalid: .*gamma" "$4"' \
	"$MIGMAP" "$tmpdir/alpha/migmap.conf" "$tmpdir/gamma.xml" "$(uri beta)" "$tmpdir/whatif.out"
check "gamma joins p through beta" quiet call "$B_addr" AddHost ss p "$(cat "$tmpdir/gamma.xml")"
check "alpha learns it from the shared directory" members alpha beta gamma
check "virsh migrate g1 beta -> alpha is refused" refused beta alpha g1
check "  virsh's error carries migmap's line: range, host, devices" has \
	"migmap: guest RAM 0x40000000-0xc7ffffff meets msi 0xc6010000-0xc601ffff on host gamma (group 0, 0002:f8:00.0, 0002:f9:00.0, 0002:f9:00.1)"
check "  g1 still runs on beta" running beta g1
check "  and is not on alpha" absent alpha g1

# ---- 3. a pool the destination does not know
check "g3 (pool q, no such pool; beta allows it) starts on beta" sh -c 'virsh -c "$0" create "$1" >/dev/null' "$(uri beta)" "$tmpdir/g3.xml"
check "virsh migrate g3 beta -> alpha is refused" refused beta alpha g3
check "  virsh's error says alpha does not know q and how to make it known" has \
	"migmap: domain g3: pool q is not known on host alpha: make it known here ('migmap pool sync q' on a member that has it, or a pool_dir on storage all members share), or set 'unknown_pool = allow' in migmap.conf"
check "  g3 still runs on beta" running beta g3
check "  and is not on alpha" absent alpha g3

# ---- q made (through beta, in the shared directory): g3 fits it
check "q made on beta" quiet call "$B_addr" CreatePool s q
quiet call "$B_addr" AddHost ss q "$(cat "$tmpdir/beta.xml")"
i=0
until busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" ListPools | grep -q '"q"'; do
	i=$((i + 1))
	[ $i -le 100 ] || break
	sleep 0.1
done
check "alpha joins q" quiet call "$A_addr" AddHost ss q "$(cat "$tmpdir/alpha.xml")"
check "virsh migrate g3 beta -> alpha now succeeds" migrated beta alpha g3
check "  g3 runs on alpha" running alpha g3

echo "# tests/libvirt/migrate.sh took $(($(date +%s) - start_time)) s"
finish
