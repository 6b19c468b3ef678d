#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap-hook asking a running migmapd (its production path): the same
# decisions as without it, and migmapd's own limits never let a domain
# through unchecked. The system bus is a private one with migmapd for host b
# (hardware MSI doorbells) on it. A pool with a stale member: the warning
# naming it and its last fetch on the hook's stderr and in pool check.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
D=$top_srcdir/tests/data/libvirt
[ -x "$HOOK" ] || skip_all "$HOOK not built"

start_bus sys
start_daemon b "$sys_addr" "$HOSTS/arm64-hwmsi" || exit 1
DBUS_SYSTEM_BUS_ADDRESS=$sys_addr
export DBUS_SYSTEM_BUS_ADDRESS
# the local fallback would see the same host b
cat >"$tmpdir/hook.conf" <<CONF
sysroot = $HOSTS/arm64-hwmsi
state_dir = $tmpdir/b.state
name = b
CONF
MIGMAP_CONFIG=$tmpdir/hook.conf
export MIGMAP_CONFIG

hook() { # hook WANT_RC DOMAIN.xml NAME: stderr in $tmpdir/err
	"$HOOK" "$3" prepare begin - <"$2" >"$tmpdir/out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$1" ] || { echo "  exit $rc, wanted $1"; cat "$tmpdir/err"; return 1; }
}
line_b="^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, 0002:f8:00.0"

check "conflict, through migmapd: refused" hook 1 "$D/g-hostdev.xml" g-hostdev
check "  the one line" grep -q "$line_b" "$tmpdir/err"
check "fits, through migmapd: allowed" hook 0 "$D/g-fits.xml" g-fits
check "no hostdev, no pool: allowed" hook 0 "$D/g-plain.xml" g-plain

meta() { sed "s|<vcpu>|<metadata>$1</metadata><vcpu>|" "$D/g-fits.xml"; }
meta "<migmap:other xmlns:migmap='http://migmap.org/xmlns/domain/1.0'/>" >"$tmpdir/g-other.xml"
check "malformed migmap metadata: refused before asking" hook 1 "$tmpdir/g-other.xml" g
check "  saying why" grep -q "invalid migmap metadata" "$tmpdir/err"

# A 20 MB domain is over migmapd's 16 MiB document limit: migmapd answers
# with an error and the hook judges the domain itself rather than letting
# it start unchecked.
{
	sed -n '1,/<name>/p' "$D/g-hostdev.xml"
	printf "<metadata><o:x xmlns:o='urn:o' v='"
	head -c 20000000 /dev/zero | tr '\0' x
	printf "'/></metadata>\n"
	sed '1,/<name>/d' "$D/g-hostdev.xml"
} >"$tmpdir/big.xml"
check "20 MB conflicting domain, migmapd refuses the size: still refused" \
	hook 1 "$tmpdir/big.xml" g-hostdev
check "  for the conflict" grep -q "$line_b" "$tmpdir/err"

# A pool with a stale member: the hook lets a fitting guest in, and says on
# its stderr (what libvirt shows) which member is stale and since when;
# migmap pool check says the same. r is a remote member whose migmapd is
# gone when the pool is refreshed.
pid_b=$daemon_pid
start_bus R
start_daemon r "$R_addr" "$HOSTS/arm64-virt-gicv2" || exit 1
pid_r=$daemon_pid
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
quiet call "$sys_addr" CreatePool s p1
quiet call "$sys_addr" AddHost ss p1 "$(cat "$tmpdir/b.xml")"
quiet call "$sys_addr" AddRemoteHost ss p1 "$R_addr"
stop_daemon "$pid_r"
quiet call "$sys_addr" RefreshPool s p1
# migmap's clock in the tests is SOURCE_DATE_EPOCH (lib-bus.sh): r was
# last fetched then
fetched=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
check "r is stale" grep -q '"stale": true' "$tmpdir/b.state/pools/p1/remote.json"
meta "<migmap:pool xmlns:migmap='http://migmap.org/xmlns/domain/1.0' name='p1'/>" >"$tmpdir/g-p1.xml"
stale_line="^migmap: warning: .*host 'r' is stale: .*its map was fetched $fetched"
check "fits p1, through migmapd: allowed" hook 0 "$tmpdir/g-p1.xml" g-p1
check "  with the stale warning on stderr, naming r and its last fetch" grep -q "$stale_line" "$tmpdir/err"
# (no MIGMAP_CONFIG: its state_dir would make migmap skip migmapd)
dbus-monitor --address "$sys_addr" "type='method_call',member='CheckDomain'" >"$tmpdir/calls" 2>&1 &
bg_pids="$bg_pids $!"
wait_for "$tmpdir/calls" "member=NameLost"
check "pool check through migmapd: fits (exit 0)" env -u MIGMAP_CONFIG \
	sh -c '"$0" pool check p1 "$1" >"$2"' "$MIGMAP" "$tmpdir/g-p1.xml" "$tmpdir/check.out"
check "  and warns that r is stale since its last fetch" \
	grep -q "^warning: host 'r' is stale: .*fetched $fetched" "$tmpdir/check.out"
check "  (migmapd answered it: CheckDomain)" grep -q "CheckDomain" "$tmpdir/calls"
stop_daemon "$pid_b"
check "fits p1, without migmapd: allowed" hook 0 "$tmpdir/g-p1.xml" g-p1
check "  with the same stale warning on stderr" grep -q "$stale_line" "$tmpdir/err"
check "pool check without migmapd warns too" sh -c \
	"'$MIGMAP' --state-dir '$tmpdir/b.state' pool check p1 '$tmpdir/g-p1.xml' |
	 grep -q \"^warning: host 'r' is stale: .*fetched $fetched\""
finish
