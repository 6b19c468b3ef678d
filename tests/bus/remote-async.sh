#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Members never stall migmapd: while AddRemoteHost waits for a member that
# does not answer (its migmapd stopped with SIGSTOP, remote_timeout 20 s),
# other clients' reads and writes are answered; the caller gets its answer
# when the member answers or the timeout ends. `migmap pool refresh`
# through migmapd prints each member's line as that member finishes (a fast
# one while a slow one still hangs) and exits 0 all fresh, 1 some stale,
# 2 on errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

start_bus A
start_bus H
start_bus S
start_bus F
cp "$tmpdir/test.conf" "$tmpdir/slow.conf"
echo "remote_timeout = 20s" >>"$tmpdir/slow.conf"
cp "$tmpdir/test.conf" "$tmpdir/short.conf"
echo "remote_timeout = 1s" >>"$tmpdir/short.conf"
daemon_config=$tmpdir/slow.conf start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
start_daemon h "$H_addr" "$HOSTS/arm64-hwmsi" || exit 99
pid_h=$daemon_pid
daemon_config=$tmpdir/short.conf start_daemon s "$S_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
start_daemon f "$F_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-smmuv3" --name a >"$tmpdir/a.xml"
quiet call "$A_addr" CreatePool s p
quiet call "$S_addr" CreatePool s p

# pending PID FILE: the background call PID is still waiting, its answer
# file FILE still empty
pending() {
	kill -0 "$1" 2>/dev/null && [ ! -s "$2" ]
}

# calls_to_h FILE: record the method calls h's bus carries in FILE
calls_to_h() {
	dbus-monitor --address "$H_addr" "type='method_call',member='GetHostMap'" >"$1" 2>&1 &
	bg_pids="$bg_pids $!"
	wait_for "$1" "member=NameLost"
}

# 1. AddRemoteHost of a member that hangs: the daemon goes on serving
kill -STOP "$pid_h"
calls_to_h "$tmpdir/h.calls"
busctl --address="$A_addr" --timeout=120 call "$SVC" "$OBJ" "$IFACE" AddRemoteHost ss p "$H_addr" \
	>"$tmpdir/add.out" 2>"$tmpdir/add.err" &
add=$!
bg_pids="$bg_pids $add"
# a is waiting for h once its GetHostMap is on h's bus
check "a asked h for its map" wait_for "$tmpdir/h.calls" "member=GetHostMap"
check "AddRemoteHost is waiting for h" pending "$add" "$tmpdir/add.out"
check "GetHostMap from another client answers meanwhile" \
	sh -c "busctl --address='$A_addr' --timeout=10 call $SVC $OBJ $IFACE GetHostMap s xml | grep -q '<capabilities>'"
check "a write answers meanwhile too (AddHost)" quiet busctl --address="$A_addr" --timeout=10 \
	call "$SVC" "$OBJ" "$IFACE" AddHost ss p "$(cat "$tmpdir/a.xml")"
check "ListPools answers meanwhile" quiet busctl --address="$A_addr" --timeout=10 \
	call "$SVC" "$OBJ" "$IFACE" ListPools
check "AddRemoteHost is still waiting, after the other calls were answered" \
	pending "$add" "$tmpdir/add.out"
kill -CONT "$pid_h"
wait "$add"
add_rc=$?
check "h answers: AddRemoteHost succeeds and names the member" \
	[ "$add_rc" -eq 0 ] && [ "$(cat "$tmpdir/add.out")" = 's "h"' ]
check "h is a member of p" sh -c \
	"busctl --address='$A_addr' get-property $SVC /org/migmap/Migmap1/pool/p org.migmap.Migmap1.Pool Members | grep -q '\"h\"'"

# 2. a member that never answers: RemoteFailed once remote_timeout (1 s) ends
kill -STOP "$pid_h"
check "AddRemoteHost of a hung member: RemoteFailed after remote_timeout" \
	fails_with "$S_addr" "$IFACE.Error.RemoteFailed" AddRemoteHost string:p "string:$H_addr"
check "the error names the member and says GetHostMap failed" err_has "$H_addr: GetHostMap failed: "
check "nothing was added" sh -c \
	"! busctl --address='$S_addr' get-property $SVC /org/migmap/Migmap1/pool/p org.migmap.Migmap1.Pool Members | grep -q '\"h\"'"
kill -CONT "$pid_h"

# 3. migmap pool refresh through migmapd prints each member's line as it
# finishes: f answers at once, h only once it is continued
quiet call "$A_addr" AddRemoteHost ss p "$F_addr"
kill -STOP "$pid_h"
DBUS_SYSTEM_BUS_ADDRESS=$A_addr "$MIGMAP" pool refresh p >"$tmpdir/refresh.out" 2>"$tmpdir/refresh.err" &
cli=$!
bg_pids="$bg_pids $cli"
check "f's line is printed while h still hangs" wait_for "$tmpdir/refresh.out" "^f: fresh$"
check "no line for h yet, and the refresh still waits for it" \
	sh -c "kill -0 $cli && ! grep -q '^h:' '$tmpdir/refresh.out'"
kill -CONT "$pid_h"
wait "$cli"
cli_rc=$?
check "h's line once it answered; exit 0, all fresh" \
	[ "$cli_rc" -eq 0 ] && [ "$(cat "$tmpdir/refresh.out")" = "$(printf 'f: fresh\nh: fresh')" ]

# 4. a member that times out (remote_timeout 1 s on s): stale, exit 1
quiet call "$S_addr" AddRemoteHost ss p "$F_addr"
quiet call "$S_addr" AddRemoteHost ss p "$H_addr"
kill -STOP "$pid_h"
check "refresh with h hung: exit 1" env DBUS_SYSTEM_BUS_ADDRESS="$S_addr" \
	sh -c '"$0" pool refresh p >"$1" 2>"$2"; [ $? -eq 1 ]' "$MIGMAP" "$tmpdir/refresh.out" "$tmpdir/err"
kill -CONT "$pid_h"
check "f fresh, h stale since its last fetch, and why" sh -c \
	"grep -qx 'f: fresh' '$tmpdir/refresh.out' &&
	 grep -q '^h: stale since 20[-0-9T:]*Z: GetHostMap failed: ' '$tmpdir/refresh.out'"
check "refresh of no pool through migmapd: exit 2" env DBUS_SYSTEM_BUS_ADDRESS="$S_addr" \
	sh -c '"$0" pool refresh nope >/dev/null 2>"$1"; [ $? -eq 2 ] && grep -q "no pool .nope." "$1"' \
	"$MIGMAP" "$tmpdir/err"
finish
