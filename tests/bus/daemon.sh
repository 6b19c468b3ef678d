#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd on a private bus: every method, property, signal and error; the
# answers equal the CLI's; state survives a restart and a SIGKILL in the
# middle of a burst of writes; damaged state is reported, not fatal.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

# A copy of a fixture, so Refresh can see it change.
cp -R "$HOSTS/arm64-virt-smmuv3" "$tmpdir/sysroot"
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-gicv2" --name c >"$tmpdir/c.xml"
"$MIGMAP" host --sysroot "$HOSTS/x86-q35-vtd" --name x >"$tmpdir/x.xml"
state=$tmpdir/a.state

start_bus A
# readiness: sd_notify(READY=1) once the name is taken
"$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(10)
open(sys.argv[2], "w").write(s.recv(4096).decode())
' "$tmpdir/notify" "$tmpdir/notified" &
notify_pid=$!
i=0
until [ -S "$tmpdir/notify" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
NOTIFY_SOCKET=$tmpdir/notify start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
pid_a=$daemon_pid
wait $notify_pid
check "sd_notify READY=1" grep -q '^READY=1' "$tmpdir/notified"

# ---- the API is all there
busctl --address="$A_addr" introspect "$SVC" "$OBJ" "$IFACE" >"$tmpdir/introspect"
for member in GetHostMap Refresh ListPools CreatePool DeletePool AddHost AddRemoteHost \
	RemoveHost RefreshPool GetPoolMap CheckDomain PlanDomain Name Generation Pools \
	HostMapChanged PoolChanged; do
	check "introspect lists $member" grep -q "^\.$member " "$tmpdir/introspect"
done
# migmapd(8) documents every member the daemon shows, and every error name
for member in $(sed -n 's/^\.\([A-Za-z]*\) .*/\1/p' "$tmpdir/introspect"); do
	check "migmapd(8) documents $member" grep -q "$member" "$top_srcdir/man/migmapd.8"
done
errors=$(sed -n 's/.*MM_BUS_ERROR("\([A-Za-z]*\)").*/\1/p' "$top_srcdir/common/bus-names.h")
check "common/bus-names.h names errors" [ -n "$errors" ]
for error in $errors; do
	check "migmapd(8) documents the error $error" grep -q "$error" "$top_srcdir/man/migmapd.8"
done
check "Name" [ "$(prop "$A_addr" Name)" = 's "a"' ]
check "Generation starts at 1" [ "$(prop "$A_addr" Generation)" = "t 1" ]
check "Pools starts empty" [ "$(prop "$A_addr" Pools)" = "as 0" ]

# ---- this host
"$MIGMAP" host --sysroot "$tmpdir/sysroot" --name a >"$tmpdir/host.xml"
"$MIGMAP" host --sysroot "$tmpdir/sysroot" --name a --json >"$tmpdir/host.json"
get "$A_addr" GetHostMap s xml >"$tmpdir/got.xml"
check "GetHostMap xml equals 'migmap host'" cmp -s "$tmpdir/host.xml" "$tmpdir/got.xml"
get "$A_addr" GetHostMap s json >"$tmpdir/got.json"
check "GetHostMap json equals 'migmap host --json'" cmp -s "$tmpdir/host.json" "$tmpdir/got.json"
check "host.xml stored" cmp -s "$tmpdir/host.xml" "$state/host.xml"
check "GetHostMap yaml: InvalidArgument" \
	fails_with "$A_addr" "$IFACE.Error.InvalidArgument" GetHostMap string:yaml

monitor "$A_addr" "$tmpdir/signals"
check "Refresh, nothing changed" call "$A_addr" Refresh
check "Generation unchanged" [ "$(prop "$A_addr" Generation)" = "t 1" ]
# a group goes away
rm -rf "$tmpdir/sysroot/sys/kernel/iommu_groups/2"
check "Refresh after a change" call "$A_addr" Refresh
check "Generation bumped" [ "$(prop "$A_addr" Generation)" = "t 2" ]
check "HostMapChanged(2) emitted" wait_for "$tmpdir/signals" "member=HostMapChanged"
check "HostMapChanged carries 2" grep -q "uint64 2" "$tmpdir/signals"
check "PropertiesChanged(Generation) emitted" grep -q 'string "Generation"' "$tmpdir/signals"
"$MIGMAP" host --sysroot "$tmpdir/sysroot" --name a >"$tmpdir/host2.xml"
check "host.xml follows" cmp -s "$tmpdir/host2.xml" "$state/host.xml"

# ---- pools
check "CreatePool p" call "$A_addr" CreatePool s p
check "PoolChanged(p) emitted" wait_for "$tmpdir/signals" 'string "p"'
check "PropertiesChanged(Pools) emitted" wait_for "$tmpdir/signals" 'string "Pools"'
check "ListPools" [ "$(call "$A_addr" ListPools)" = 'a(so) 1 "p" "/org/migmap/Migmap1/pool/p"' ]
check "Pools property" [ "$(prop "$A_addr" Pools)" = 'as 1 "p"' ]
check "CreatePool p again: PoolExists" fails_with "$A_addr" "$IFACE.Error.PoolExists" CreatePool string:p
for bad in .. ../x a/b .hidden "a b" ""; do
	check "CreatePool '$bad': InvalidName" \
		fails_with "$A_addr" "$IFACE.Error.InvalidName" CreatePool "string:$bad"
done
check "nothing escaped the state dir" [ ! -e "$tmpdir/x" ]
check "GetPoolMap of an empty pool: EmptyPool" \
	fails_with "$A_addr" "$IFACE.Error.EmptyPool" GetPoolMap string:p string:xml

check "AddHost b" [ "$(get "$A_addr" AddHost ss p "$(cat "$tmpdir/b.xml")")" = b ]
check "AddHost c" [ "$(get "$A_addr" AddHost ss p "$(cat "$tmpdir/c.xml")")" = c ]
check "member file b.xml" [ -f "$state/pools/p/b.xml" ]
check "member file c.xml" [ -f "$state/pools/p/c.xml" ]
check "AddHost b again: HostExists" \
	fails_with "$A_addr" "$IFACE.Error.HostExists" AddHost string:p "string:$(cat "$tmpdir/b.xml")"
check "AddHost to no pool: NoSuchPool" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchPool" AddHost string:nope "string:$(cat "$tmpdir/b.xml")"
printf "<capabilities><host>\n<memoryMap name='r' iommuGroups='0'>\n<ram start='0x2' end='0x1'/>\n</memoryMap></host></capabilities>\n" >"$tmpdir/rev.xml"
check "AddHost of a bad map: InvalidHostMap" \
	fails_with "$A_addr" "$IFACE.Error.InvalidHostMap" AddHost string:p "string:$(cat "$tmpdir/rev.xml")"
check "InvalidHostMap names the line" err_has "hostmap_xml:3: <ram> end 0x1 before start 0x2"
check "AddHost of an x86 host to an arm64 pool: IncompatibleHost" \
	fails_with "$A_addr" "$IFACE.Error.IncompatibleHost" AddHost string:p "string:$(cat "$tmpdir/x.xml")"
check "the refused host left nothing" [ ! -e "$state/pools/p/x.xml" ]

"$MIGMAP" baseline --name p "$tmpdir/b.xml" "$tmpdir/c.xml" >"$tmpdir/pool.xml"
"$MIGMAP" baseline --name p --json "$tmpdir/c.xml" "$tmpdir/b.xml" >"$tmpdir/pool.json"
get "$A_addr" GetPoolMap ss p xml >"$tmpdir/gotpool.xml"
check "GetPoolMap xml equals 'migmap baseline'" cmp -s "$tmpdir/pool.xml" "$tmpdir/gotpool.xml"
get "$A_addr" GetPoolMap ss p json >"$tmpdir/gotpool.json"
check "GetPoolMap json equals 'migmap baseline --json'" cmp -s "$tmpdir/pool.json" "$tmpdir/gotpool.json"
check "GetPoolMap of no pool: NoSuchPool" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchPool" GetPoolMap string:nope string:xml
check "GetPoolMap yaml: InvalidArgument" \
	fails_with "$A_addr" "$IFACE.Error.InvalidArgument" GetPoolMap string:p string:yaml

# ---- the CLI through the daemon equals the daemon, and the CLI on the state
export DBUS_SYSTEM_BUS_ADDRESS=$A_addr
check "migmap pool list (daemon)" [ "$("$MIGMAP" pool list)" = p ]
"$MIGMAP" pool show p >"$tmpdir/cli.xml"
check "migmap pool show (daemon) equals GetPoolMap" cmp -s "$tmpdir/cli.xml" "$tmpdir/gotpool.xml"
"$MIGMAP" --state-dir "$state" pool show p >"$tmpdir/cli-local.xml"
check "migmap --state-dir pool show equals GetPoolMap" cmp -s "$tmpdir/cli-local.xml" "$tmpdir/gotpool.xml"
"$MIGMAP" pool show --json p >"$tmpdir/cli.json"
check "migmap pool show --json (daemon) equals GetPoolMap json" cmp -s "$tmpdir/cli.json" "$tmpdir/gotpool.json"
check "migmap pool create (daemon)" sh -c '[ "$("$0" pool create q)" = "Pool '"'q'"' created" ]' "$MIGMAP"
# the member's name as migmapd's AddHost answers it
check "migmap pool add (daemon)" sh -c '[ "$("$0" pool --json add q "$1")" = "$(printf "{\n  \"action\": \"added\",\n  \"pool\": \"q\",\n  \"hosts\": [\n    \"b\"\n  ]\n}")" ]' "$MIGMAP" "$tmpdir/b.xml"
check "migmap pool add (daemon): HostExists message" sh -c \
	"! '$MIGMAP' pool add q '$tmpdir/b.xml' 2>'$tmpdir/err' && grep -q \"already has a host 'b'\" '$tmpdir/err'"
check "migmap pool list --json (daemon)" sh -c "'$MIGMAP' pool list --json | grep -q '\"q\"'"
check "no local write while migmapd holds the state" sh -c \
	"! '$MIGMAP' --state-dir '$state' pool create z 2>'$tmpdir/err' && grep -q 'in use' '$tmpdir/err'"
check "migmap pool remove (daemon)" sh -c '[ "$("$0" pool remove q b)" = "Host '"'b'"' removed from pool '"'q'"'" ]' "$MIGMAP"
check "migmap pool delete (daemon)" sh -c '[ "$("$0" pool delete q)" = "Pool '"'q'"' deleted" ]' "$MIGMAP"
unset DBUS_SYSTEM_BUS_ADDRESS

# ---- domains: RAM from 1 GiB; 4 GiB of it meets b's doorbell at 0xc6010000
domain() { # domain GIB
	cat <<EOF
<domain type='kvm'>
  <name>g</name>
  <memory unit='GiB'>$1</memory>
  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
</domain>
EOF
}
domain 1 >"$tmpdir/small.xml"
domain 4 >"$tmpdir/domain.xml"
# check_domain FILE POOL: CheckDomain's "b ok", then its report in $tmpdir/report.json
check_domain() {
	busctl --address="$A_addr" --json=short call "$SVC" "$OBJ" "$IFACE" CheckDomain ss \
		"$(cat "$1")" "$2" | "$PYTHON3" -c 'import json, sys
d = json.load(sys.stdin)["data"]
open(sys.argv[1], "w").write(d[1])
print("true" if d[0] else "false")' "$tmpdir/report.json"
}
check "CheckDomain of a fitting domain: ok" [ "$(check_domain "$tmpdir/small.xml" p)" = true ]
check "CheckDomain against this host (pool ''): ok" [ "$(check_domain "$tmpdir/domain.xml" "")" = true ]
check "CheckDomain of a conflicting domain: not ok" [ "$(check_domain "$tmpdir/domain.xml" p)" = false ]
check "the report names b's doorbell" grep -q '"start": "0xc6010000"' "$tmpdir/report.json"
check "CheckDomain of no pool: NoSuchPool" fails_with "$A_addr" "$IFACE.Error.NoSuchPool" \
	CheckDomain "string:$(cat "$tmpdir/domain.xml")" string:nope
check "CheckDomain of junk: InvalidDomain" fails_with "$A_addr" "$IFACE.Error.InvalidDomain" \
	CheckDomain "string:<domain" string:
check "InvalidDomain names the argument" err_has "domain_xml"
# a domain bigger than a command line (1.2 MB of description): CheckDomain
# takes it (worked on off the loop) with the same verdict, PlanDomain's
# bound refuses it with the standard error
BUS_CLIENT=$top_builddir/tests/load/bus-client
"$PYTHON3" -c 'import sys
d = open(sys.argv[1]).read()
print(d.replace("<name>g</name>", "<name>g</name><description>" + "x" * 1200000 + "</description>"))' \
	"$tmpdir/domain.xml" >"$tmpdir/big.xml"
check "CheckDomain of a 1.2 MB conflicting domain: answered, not ok" \
	[ "$("$BUS_CLIENT" "$A_addr" big CheckDomain p "$tmpdir/big.xml" | cut -d' ' -f3-)" = "ok false" ]
check "PlanDomain of a 1.2 MB domain: LimitsExceeded" \
	[ "$("$BUS_CLIENT" "$A_addr" big PlanDomain p "$tmpdir/big.xml" | cut -d' ' -f3)" = \
		org.freedesktop.DBus.Error.LimitsExceeded ]
# work that takes seconds is done off the loop: a GetHostMap sent right
# behind a big call on the same connection is answered first (an order,
# not a time: it holds on any machine; docs/design.md §8)
"$PYTHON3" "$top_srcdir/tests/bench/gen-big.py" cells "$tmpdir/cells.xml" 100000
# the arch of pool p's hosts
sed -i "s/arch='x86_64' machine='pc-q35-7.2'/arch='aarch64' machine='virt-7.2'/" "$tmpdir/cells.xml"
"$PYTHON3" "$top_srcdir/tests/bench/gen-big.py" groups "$tmpdir/groups.xml" 200000
answers() { "$BUS_CLIENT" "$A_addr" beside "$@" | tr '\n' ' '; }
check "a GetHostMap behind a 100,000-cell CheckDomain is answered first" \
	[ "$(answers CheckDomain p "$tmpdir/cells.xml")" = "GetHostMap ok CheckDomain ok " ]
call "$A_addr" CreatePool s big >/dev/null
check "a GetHostMap behind AddHost of a 200,000-group map is answered first" \
	[ "$(answers AddHost big "$tmpdir/groups.xml")" = "GetHostMap ok AddHost ok " ]
check "  and the map is stored whole" \
	[ "$(grep -c '<group ' "$state/pools/big/groups.xml")" -eq 200000 ]
# the first map's write makes migmapd reread the pools on its loop: the
# file it wrote itself is not parsed again, so the order still holds
check "AddHost of it again: HostExists, after a GetHostMap behind it" \
	[ "$(answers AddHost big "$tmpdir/groups.xml")" = "GetHostMap ok AddHost $IFACE.Error.HostExists " ]
call "$A_addr" DeletePool s big >/dev/null
DBUS_SYSTEM_BUS_ADDRESS=$A_addr "$MIGMAP" pool check --json p "$tmpdir/domain.xml" >"$tmpdir/cli-report.json"
check "migmap pool check (daemon) exits 1 on a conflict" [ $? -eq 1 ]
check "  and prints CheckDomain's report" cmp -s "$tmpdir/report.json" "$tmpdir/cli-report.json"
"$MIGMAP" --state-dir "$state" pool check --json p "$tmpdir/domain.xml" >"$tmpdir/local-report.json"
check "migmap --state-dir pool check exits 1 on a conflict" [ $? -eq 1 ]
check "  with the daemon's report" cmp -s "$tmpdir/report.json" "$tmpdir/local-report.json"
"$MIGMAP" --state-dir "$state" pool check p "$tmpdir/small.xml" >"$tmpdir/o"
check "migmap pool check of a fitting domain exits 0" [ $? -eq 0 ]
check "  and says so" grep -q "^ok: the domain fits every host of pool 'p'" "$tmpdir/o"
busctl --address="$A_addr" --json=short call "$SVC" "$OBJ" "$IFACE" PlanDomain ss \
	"$(cat "$tmpdir/domain.xml")" p | "$PYTHON3" -c 'import json, sys
sys.stdout.write(json.load(sys.stdin)["data"][0])' >"$tmpdir/planned-bus.xml"
check "PlanDomain answers a domain with DIMMs" grep -q '<address type="dimm"' "$tmpdir/planned-bus.xml"
"$MIGMAP" plan --domain "$tmpdir/domain.xml" "$state"/pools/p/*.xml >"$tmpdir/planned-cli.xml" 2>/dev/null
check "  the same plan as migmap plan on the pool's maps" cmp -s "$tmpdir/planned-bus.xml" "$tmpdir/planned-cli.xml"
check "  which passes CheckDomain" [ "$(check_domain "$tmpdir/planned-bus.xml" p)" = true ]
check "PlanDomain of no pool: NoSuchPool" fails_with "$A_addr" "$IFACE.Error.NoSuchPool" \
	PlanDomain "string:$(cat "$tmpdir/domain.xml")" string:nope

# ---- removing
check "RemoveHost c" call "$A_addr" RemoveHost ss p c
check "RemoveHost c again: NoSuchHost" fails_with "$A_addr" "$IFACE.Error.NoSuchHost" RemoveHost string:p string:c
check "RemoveHost in no pool: NoSuchPool" fails_with "$A_addr" "$IFACE.Error.NoSuchPool" RemoveHost string:nope string:c
check "c's file is gone" [ ! -e "$state/pools/p/c.xml" ]
check "CreatePool gone" call "$A_addr" CreatePool s gone
check "DeletePool gone" call "$A_addr" DeletePool s gone
check "DeletePool gone again: NoSuchPool" fails_with "$A_addr" "$IFACE.Error.NoSuchPool" DeletePool string:gone
check "its directory is gone" [ ! -e "$state/pools/gone" ]
check "RefreshPool of a pool without remote members" call "$A_addr" RefreshPool s p
check "RefreshPool of no pool: NoSuchPool" fails_with "$A_addr" "$IFACE.Error.NoSuchPool" RefreshPool string:nope

# ---- restart: SIGTERM exits 0, the state is all there again
get "$A_addr" GetPoolMap ss p xml >"$tmpdir/before.xml"
check "SIGTERM: clean exit" stop_daemon "$pid_a"
start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
pid_a=$daemon_pid
check "restart: pools kept" [ "$(call "$A_addr" ListPools)" = 'a(so) 1 "p" "/org/migmap/Migmap1/pool/p"' ]
get "$A_addr" GetPoolMap ss p xml >"$tmpdir/after.xml"
check "restart: pool map kept" cmp -s "$tmpdir/before.xml" "$tmpdir/after.xml"
check "restart: no warnings" sh -c "! grep -q warning '$tmpdir/a.log'"

# ---- SIGKILL in the middle of a burst of writes leaves readable state
(
	i=0
	while [ $i -lt 300 ]; do
		call "$A_addr" CreatePool s "burst$i" >/dev/null 2>&1
		call "$A_addr" AddHost ss p "$(cat "$tmpdir/c.xml")" >/dev/null 2>&1
		call "$A_addr" RemoveHost ss p c >/dev/null 2>&1
		i=$((i + 1))
	done
) &
burst=$!
i=0
until [ -d "$state/pools/burst2" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
kill "$burst" 2>/dev/null
wait "$burst" 2>/dev/null
check "after SIGKILL: the state reads without warnings" sh -c \
	"'$MIGMAP' --state-dir '$state' pool list >'$tmpdir/list' 2>'$tmpdir/err' && [ ! -s '$tmpdir/err' ]"
check "after SIGKILL: some writes made it" grep -q '^burst' "$tmpdir/list"
check "after SIGKILL: the pool map reads" sh -c \
	"'$MIGMAP' --state-dir '$state' pool show p >/dev/null 2>'$tmpdir/err' && [ ! -s '$tmpdir/err' ]"

# ---- a damaged file is reported at start, not fatal
echo "<capabilities><host>" >"$state/pools/p/bad.xml"
start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
pid_a=$daemon_pid
check "damaged file: reported with its name" grep -q "warning: $state/pools/p/bad.xml" "$tmpdir/a.log"
check "damaged file: the daemon serves the rest" quiet call "$A_addr" GetPoolMap ss p xml
kill -INT "$pid_a"
wait "$pid_a"
check "SIGINT: clean exit" [ $? -eq 0 ]

# ---- the bus goes away: a failure (migmapd(8) EXIT STATUS 1), said in one
# line, not the clean exit of a stop somebody asked for
start_bus L
start_daemon l "$L_addr" "$HOSTS/x86-q35-vtd" || exit 99
pid_l=$daemon_pid
kill -TERM "$(sed -n 2p "$tmpdir/L.bus.out")"
wait "$pid_l"
check "the bus lost: exit 1" [ $? -eq 1 ]
check "  says why" grep -qx "migmapd: lost the connection to the system bus" "$tmpdir/l.log"
finish
