#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd's periodic refresh (refresh_interval, daemon/refresh.c): with no
# call from anyone, a remote member whose host map changed is fetched again
# and stored, PoolChanged is emitted and the pool is then synced to the
# member (ImportPool there); a member whose new map no longer fits the pool
# (another architecture) is kept with its last map, marked stale. SyncPool
# to a member that cannot import, or with a generation that cannot be
# recorded; SIGTERM while a refresh waits for a member.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

# until_true CMD...: CMD succeeds within a minute (a refresh every second)
until_true() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -le 600 ] || return 1
		sleep 0.1
	done
}

# while_stopped PID CMD...: CMD with daemon PID stopped. a refreshes and
# syncs q every second, so c imports q and a records its generation at any
# moment: a file swapped under a running daemon could be recreated between
# the removal and the creation.
while_stopped() {
	ws_pid=$1
	shift
	kill -STOP "$ws_pid"
	"$@"
	ws_status=$?
	kill -CONT "$ws_pid"
	return $ws_status
}

cp -R "$HOSTS/arm64-hwmsi" "$tmpdir/bsys"
start_bus A
start_bus B
start_daemon b "$B_addr" "$tmpdir/bsys" || exit 99
printf 'libvirt_uri = none\nrefresh_interval = 1s\n' >"$tmpdir/a.conf"
[ "$(id -u)" -eq 0 ] || echo "admin_group = $(id -g)" >>"$tmpdir/a.conf"
daemon_config=$tmpdir/a.conf start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
a_pid=$daemon_pid
state=$tmpdir/a.state

quiet call "$A_addr" CreatePool s p
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-smmuv3" --name a >"$tmpdir/a.xml"
quiet call "$A_addr" AddHost ss p "$(cat "$tmpdir/a.xml")"
check "AddRemoteHost b" [ "$(get "$A_addr" AddRemoteHost ss p "$B_addr")" = b ]
cp "$state/pools/p/b.xml" "$tmpdir/b-first.xml"
monitor "$A_addr" "$tmpdir/signals"

# b's host changes: a group goes; b probes again, a finds out by itself
rm -r "$tmpdir/bsys/sys/kernel/iommu_groups/1"
check "b: Refresh finds the change" call "$B_addr" Refresh
"$MIGMAP" host --sysroot "$tmpdir/bsys" --name b >"$tmpdir/b-new.xml"
check "the maps differ (the test's premise)" sh -c "! cmp -s '$tmpdir/b-first.xml' '$tmpdir/b-new.xml'"
check "periodic refresh: a stores b's new map" until_true cmp -s "$tmpdir/b-new.xml" "$state/pools/p/b.xml"
check "periodic refresh: PoolChanged(p)" wait_for "$tmpdir/signals" 'string "p"'
check "periodic refresh: b is not stale" grep -q '"stale": false' "$state/pools/p/remote.json"
check "then synced: b imported pool p" \
	until_true sh -c "busctl --address='$B_addr' call $SVC $OBJ $IFACE ListPools | grep -q '\"p\"'"

# b becomes an x86 host: its map no longer fits the pool (a is arm64)
rm -rf "$tmpdir/bsys"
cp -R "$HOSTS/x86-q35-vtd" "$tmpdir/bsys"
check "b: Refresh as an x86 host" call "$B_addr" Refresh
check "periodic refresh: b is stale" \
	until_true grep -q '"stale": true' "$state/pools/p/remote.json"
check "  logged with why" grep -q "pool p: host b is stale: .*" "$tmpdir/a.log"
check "  its last map is kept" cmp -s "$tmpdir/b-new.xml" "$state/pools/p/b.xml"
get "$A_addr" GetPoolMap ss p json >"$tmpdir/pool.json"
check "  GetPoolMap warns that b is stale" grep -q 'stale' "$tmpdir/pool.json"
# SyncPool to a member that cannot import (AddRemoteHost synced q to c;
# now c's pools/q is a file): its refusal is its line of the answer, and
# logged
start_bus C
start_daemon c "$C_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
pid_c=$daemon_pid
quiet call "$A_addr" CreatePool s q
quiet call "$A_addr" AddHost ss q "$(cat "$tmpdir/a.xml")"
check "AddRemoteHost c to q" [ "$(get "$A_addr" AddRemoteHost ss q "$C_addr")" = c ]
while_stopped "$pid_c" sh -c "rm -rf '$tmpdir/c.state/pools/q' && : >'$tmpdir/c.state/pools/q'"
call "$A_addr" SyncPool s q >"$tmpdir/sync.out"
check "SyncPool: c's member line says false" grep -q '^a(sbs) 1 "c" false' "$tmpdir/sync.out"
check "  logged" grep -q "pool q: sync to c: ImportPool failed" "$tmpdir/a.log"
while_stopped "$pid_c" sh -c "rm '$tmpdir/c.state/pools/q' && mkdir '$tmpdir/c.state/pools/q'"
# a generation that cannot be recorded: StateFailed
gen=$state/pools/q/generation
while_stopped "$a_pid" sh -c "rm -f '$gen' && mkdir '$gen'"
check "SyncPool, the generation unwritable: StateFailed" \
	fails_with "$A_addr" "$IFACE.Error.StateFailed" SyncPool string:q
check "  logged" grep -q "pool q: cannot sync" "$tmpdir/a.log"
rmdir "$gen"

# the fetch times cannot be recorded (pools/q immutable, where the file
# system allows it): a warning, and the refresh itself succeeds
if command -v chattr >/dev/null 2>&1 && chattr +i "$state/pools/q" 2>/dev/null; then
	check "RefreshPool, pools/q unwritable: succeeds" quiet call "$A_addr" RefreshPool s q
	chattr -i "$state/pools/q"
	check "  a warning naming the pool" grep -q "warning: pool q: .*remote.json" "$tmpdir/a.log"
else
	echo "# chattr +i not supported here: not testing an unwritable remote.json"
fi

# SIGTERM while a refresh waits for a member that does not answer (stopped)
kill -STOP "$pid_c"
call "$A_addr" RefreshPool s q >/dev/null 2>&1 &
refresh_pid=$!
bg_pids="$bg_pids $refresh_pid"
# (a second for the call to reach a and a's question to reach c's bus;
# SIGTERM earlier only skips what this is about)
sleep 1
check "SIGTERM a with a refresh in flight: exit 0" stop_daemon "$a_pid"
kill -CONT "$pid_c"
wait "$refresh_pid" 2>/dev/null
check "SIGTERM c: exit 0" stop_daemon "$pid_c"
finish
