#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap-hook and migmapd under a real libvirtd: the hook in <sysconfdir>/libvirt/hooks/qemu.d,
# a state directory with pool p1 (examples/pool a, b, c), and TCG aarch64
# domains. One in p1 whose RAM meets host b's hardware MSI doorbell page must
# be refused with migmap's line in virsh's error; one in p1 that fits and one
# outside any pool must start. migmapd, following that libvirtd, signals the
# conflicting domain's define, and again after libvirtd restarts. Root only, with libvirtd, virtlogd, virsh and
# qemu-system-aarch64 installed, and no libvirtd already running (this test
# starts its own and stops it); it uses the system's /etc/libvirt/hooks.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
EX=$top_srcdir/examples/pool
[ "$(id -u)" -eq 0 ] || skip_all "needs root (it starts libvirtd)"
for tool in libvirtd virtlogd virsh qemu-system-aarch64; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed"
done
pidfile_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
pidfile_alive /run/libvirtd.pid && skip_all "a libvirtd is already running: not touching it"
[ -x "$HOOK" ] || skip_all "$HOOK not built"
HOOKS=/etc/libvirt/hooks/qemu.d
[ ! -e "$HOOKS/migmap" ] || skip_all "$HOOKS/migmap exists already: not replacing it"
URI=qemu:///system
# migmapd following this libvirtd, on a private bus of its own
. "$top_srcdir/tests/bus/lib-bus.sh"
chmod 755 "$tmpdir"

# QEMU runs as libvirt-qemu on Debian: the user must exist.
id libvirt-qemu >/dev/null 2>&1 ||
	useradd --system --no-create-home --shell /usr/sbin/nologin libvirt-qemu ||
	skip_all "cannot create the libvirt-qemu user"

state=$tmpdir/state
mkdir "$state"
"$MIGMAP" --state-dir "$state" pool create p1 >/dev/null
"$MIGMAP" --state-dir "$state" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml" >/dev/null
cat >"$tmpdir/migmap.conf" <<CONF
sysroot = $HOSTS/arm64-hwmsi
state_dir = $state
name = b
CONF
# libvirt clears its hooks' environment: a wrapper names the config.
mkdir -p "$HOOKS"
printf '#!/bin/sh\nMIGMAP_CONFIG=%s exec %s "$@"\n' "$tmpdir/migmap.conf" "$HOOK" >"$HOOKS/migmap"
chmod 755 "$HOOKS/migmap"

mkdir -p /var/log/libvirt /var/lib/libvirt/qemu /run/libvirt
started_logd=
pidfile_alive /run/virtlogd.pid || { virtlogd -d && started_logd=yes; }
cleanup_libvirt() {
	for p in $bg_pids; do kill "$p" 2>/dev/null; done
	for d in mm-conflict mm-conflict2 mm-fits mm-nopool; do
		virsh -c "$URI" destroy "$d" >/dev/null 2>&1
		virsh -c "$URI" undefine "$d" >/dev/null 2>&1
	done
	pidfile_alive /run/libvirtd.pid && kill "$(cat /run/libvirtd.pid)"
	[ -z "$started_logd" ] || { pidfile_alive /run/virtlogd.pid && kill "$(cat /run/virtlogd.pid)"; }
	rm -f "$HOOKS/migmap"
	rm -rf "$tmpdir"
}
trap cleanup_libvirt EXIT
libvirtd -d || { echo "libvirtd did not start"; exit 99; }
i=0
until virsh -c "$URI" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "libvirtd does not answer"; exit 99; }
	sleep 0.1
done

# domain NAME MEMORY_MIB [POOL]: a TCG aarch64 guest with nothing to boot
domain() {
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  $( [ -n "${3:-}" ] && echo "<metadata><migmap:pool xmlns:migmap='http://migmap.org/xmlns/domain/1.0' name='$3'/></metadata>")
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
# migmapd as host b with pool p1, following this libvirtd: the conflicting
# domain's define event must come out as a DomainConflict signal
"$MIGMAP" --state-dir "$tmpdir/d.state" pool create p1 >/dev/null
"$MIGMAP" --state-dir "$tmpdir/d.state" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml" >/dev/null
printf 'libvirt_uri = %s\n' "$URI" >"$tmpdir/d.conf"
start_bus D
daemon_config=$tmpdir/d.conf start_daemon d "$D_addr" "$HOSTS/arm64-hwmsi" || exit 99
dbus-monitor --address "$D_addr" "type='signal',interface='$IFACE',member='DomainConflict'" \
	>"$tmpdir/signals" 2>&1 &
bg_pids="$bg_pids $!"
sleep 0.5

domain mm-conflict 3072 p1 >"$tmpdir/conflict.xml"
domain mm-fits 256 p1 >"$tmpdir/fits.xml"
domain mm-nopool 3072 >"$tmpdir/nopool.xml"
for x in conflict fits nopool; do
	check "virsh define $x" sh -c 'virsh -c "$0" define "$1" >/dev/null' "$URI" "$tmpdir/$x.xml"
done
i=0
until grep -q '"mm-conflict"' "$tmpdir/signals" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "migmapd signals DomainConflict when libvirt defines the conflicting domain" \
	grep -q '"mm-conflict"' "$tmpdir/signals"
check "  and not for the domains that fit" sh -c '! grep -q "mm-fits\|mm-nopool" "$0"' "$tmpdir/signals"
check "  and logs it" grep -q "mm-conflict" "$tmpdir/d.log"
grep -q "mm-conflict" "$tmpdir/d.log" ||
	{ echo "# migmapd's log:"; sed 's/^/#   /' "$tmpdir/d.log" | head -40; }

virsh -c "$URI" start mm-conflict >"$tmpdir/out" 2>"$tmpdir/err"
rc=$?
echo "# virsh start mm-conflict said:"
sed 's/^/#   /' "$tmpdir/err"
check "virsh start refuses the domain in p1 that meets the doorbell" [ "$rc" -ne 0 ]
check "virsh's error carries migmap's line" grep -q \
	"migmap: guest RAM 0x40000000-0xfffffffff* meets msi 0xc6010000-0xc601ffff on host b (group 0, " "$tmpdir/err"
check "the domain is not running" sh -c '! virsh -c "$0" domstate mm-conflict | grep -q running' "$URI"

started() { # started NAME: virsh start succeeds and the domain runs
	virsh -c "$URI" start "$1" >"$tmpdir/out" 2>"$tmpdir/err" ||
		{ echo "  virsh start $1:"; cat "$tmpdir/err"; return 1; }
	virsh -c "$URI" domstate "$1" | grep -q running
}
check "the domain in p1 that fits starts" started mm-fits
check "the domain outside any pool starts" started mm-nopool

# libvirtd goes away and comes back: migmapd reconnects and follows it again
kill "$(cat /run/libvirtd.pid)"
i=0
while pidfile_alive /run/libvirtd.pid && [ $i -le 100 ]; do sleep 0.1; i=$((i + 1)); done
check "migmapd outlives libvirtd" kill -0 "$daemon_pid"
libvirtd -d || { echo "libvirtd did not start again"; exit 99; }
domain mm-conflict2 3072 p1 >"$tmpdir/conflict2.xml"
i=0
until virsh -c "$URI" version >/dev/null 2>&1 || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "virsh define after the restart" sh -c 'virsh -c "$0" define "$1" >/dev/null' "$URI" "$tmpdir/conflict2.xml"
i=0
until grep -q '"mm-conflict2"' "$tmpdir/signals" || [ $i -gt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "after the restart, migmapd signals the conflicting domain defined since" grep -q '"mm-conflict2"' "$tmpdir/signals"
finish
