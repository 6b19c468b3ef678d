#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Remote members: two migmapd on two private buses with different fixtures;
# a adds b by b's bus address, refreshes it, keeps b's last map marked stale
# when b is gone, and picks it up again when b is back. The CLI does the
# same on a state directory without a daemon.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

start_bus A
start_bus B
start_bus X
start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
pid_a=$daemon_pid
start_daemon b "$B_addr" "$HOSTS/arm64-hwmsi" || exit 99
pid_b=$daemon_pid
start_daemon x "$X_addr" "$HOSTS/x86-q35-vtd" || exit 99
state=$tmpdir/a.state
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-smmuv3" --name a >"$tmpdir/a.xml"

quiet call "$A_addr" CreatePool s p
monitor "$A_addr" "$tmpdir/signals"
check "AddRemoteHost names the member after the remote host" \
	[ "$(get "$A_addr" AddRemoteHost ss p "$B_addr")" = b ]
check "PoolChanged(p) emitted" wait_for "$tmpdir/signals" 'string "p"'
check "b's map stored as b served it" cmp -s "$tmpdir/b.xml" "$state/pools/p/b.xml"
check "remote.json records the address" grep -qF "\"address\": \"$B_addr\"" "$state/pools/p/remote.json"
check "remote.json: not stale" grep -q '"stale": false' "$state/pools/p/remote.json"
check "AddRemoteHost again: HostExists" \
	fails_with "$A_addr" "$IFACE.Error.HostExists" AddRemoteHost string:p "string:$B_addr"
check "AddRemoteHost of an x86 host: IncompatibleHost" \
	fails_with "$A_addr" "$IFACE.Error.IncompatibleHost" AddRemoteHost string:p "string:$X_addr"
check "AddRemoteHost of a bus without migmapd: RemoteFailed" \
	fails_with "$A_addr" "$IFACE.Error.RemoteFailed" AddRemoteHost string:p "string:unix:path=$tmpdir/none.sock"
check "AddRemoteHost of its own bus: RemoteFailed at once" \
	fails_with "$A_addr" "$IFACE.Error.RemoteFailed" AddRemoteHost string:p "string:$A_addr"
check "AddRemoteHost of a bad address: RemoteFailed" \
	fails_with "$A_addr" "$IFACE.Error.RemoteFailed" AddRemoteHost string:p string:nonsense
check "AddRemoteHost to no pool: NoSuchPool" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchPool" AddRemoteHost string:nope "string:$B_addr"
# a remote member whose map is named so that it cannot name a member file
# (a stand-in serving it: migmapd --name refuses such a name)
FAKE=$top_builddir/tests/bus/fake-migmapd
sed "s/memoryMap name='b'/memoryMap name='.b'/" "$tmpdir/b.xml" >"$tmpdir/hidden.xml"
start_bus F
"$FAKE" "$F_addr" hostmap "$tmpdir/hidden.xml" >"$tmpdir/fake.log" 2>&1 &
bg_pids="$bg_pids $!"
i=0
until bus_has_daemon "$F_addr" || [ $i -gt 1200 ]; do sleep 0.05; i=$((i + 1)); done
before=$(ls "$state/pools/p")
check "AddRemoteHost of a map named '.b': InvalidName" \
	fails_with "$A_addr" "$IFACE.Error.InvalidName" AddRemoteHost string:p "string:$F_addr"
check "  quotes the map's name" err_has "the host map's name '.b' is not a valid host name"
check "  the pool unchanged" [ "$(ls "$state/pools/p")" = "$before" ]
check "AddHost a (imported)" quiet call "$A_addr" AddHost ss p "$(cat "$tmpdir/a.xml")"

"$MIGMAP" baseline --name p "$tmpdir/a.xml" "$tmpdir/b.xml" >"$tmpdir/pool.xml"
get "$A_addr" GetPoolMap ss p xml >"$tmpdir/got.xml"
check "the pool map is the baseline of a and b" cmp -s "$tmpdir/pool.xml" "$tmpdir/got.xml"
check "RefreshPool with b up" call "$A_addr" RefreshPool s p
get "$A_addr" GetPoolMap ss p xml >"$tmpdir/got.xml"
check "refreshed: still the same map, no stale warning" cmp -s "$tmpdir/pool.xml" "$tmpdir/got.xml"

# b goes away: its last map stays, marked stale with the time it was fetched
check "b stops" stop_daemon "$pid_b"
check "RefreshPool with b down still succeeds" call "$A_addr" RefreshPool s p
check "the failure is logged" grep -q "pool p: host b is stale" "$tmpdir/a.log"
check "remote.json: stale" grep -q '"stale": true' "$state/pools/p/remote.json"
get "$A_addr" GetPoolMap ss p json >"$tmpdir/stale.json"
check "GetPoolMap warns that b is stale, with its fetch time" "$PYTHON3" -c '
import json, sys
p = json.load(open(sys.argv[1]))["pool"]
w = [x for x in p["warnings"] if "stale" in x]
assert len(w) == 1 and "host '"'"'b'"'"' is stale" in w[0] and "fetched 20" in w[0], p["warnings"]
assert sorted(m["name"] for m in p["members"]) == ["a", "b"], p["members"]
assert any(f["start"] == "0xc6010000" for f in p["forbidden"]), "b'"'"'s doorbell was dropped"
' "$tmpdir/stale.json"
check "b's last map is kept" cmp -s "$tmpdir/b.xml" "$state/pools/p/b.xml"

# restart a: the stale mark persists
check "a stops" stop_daemon "$pid_a"
start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
check "restart: b still stale" sh -c "busctl --address='$A_addr' call $SVC $OBJ $IFACE GetPoolMap ss p xml | grep -q 'is stale'"

# b is back
start_daemon b "$B_addr" "$HOSTS/arm64-hwmsi" || exit 99
check "RefreshPool with b back" call "$A_addr" RefreshPool s p
check "remote.json: no longer stale" grep -q '"stale": false' "$state/pools/p/remote.json"
get "$A_addr" GetPoolMap ss p xml >"$tmpdir/got.xml"
check "no stale warning any more" cmp -s "$tmpdir/pool.xml" "$tmpdir/got.xml"
check "RemoveHost b drops its remote entry" call "$A_addr" RemoveHost ss p b
check "remote.json gone with the last remote member" [ ! -e "$state/pools/p/remote.json" ]

# the CLI without a daemon: same store, same fetch
local_state=$tmpdir/local
check "migmap pool create (local)" "$MIGMAP" --state-dir "$local_state" pool create p
check "migmap pool add --remote (local)" "$MIGMAP" --state-dir "$local_state" pool add --remote "$B_addr" p
check "migmap pool refresh (local)" "$MIGMAP" --state-dir "$local_state" pool refresh p
check "local: b fetched" cmp -s "$tmpdir/b.xml" "$local_state/pools/p/b.xml"
check "local: remote.json" grep -qF "$B_addr" "$local_state/pools/p/remote.json"
check "migmap pool add a local member (local)" "$MIGMAP" --state-dir "$local_state" pool add p "$tmpdir/a.xml"
check "refresh prints one line per remote member (not the local a), no progress when piped" sh -c \
	'[ "$("$0" --state-dir "$1" pool refresh p 2>&1)" = "b: fresh" ]' "$MIGMAP" "$local_state"
if command -v script >/dev/null; then
	# a terminal (script's pty): one progress line naming the host, then cleared
	script -qec "'$MIGMAP' --state-dir '$local_state' pool refresh p" /dev/null >"$tmpdir/tty" 2>&1
	check "refresh on a terminal shows progress by host name" grep -q "fetching 1/1 b" "$tmpdir/tty"
fi
check "stop b for the CLI" stop_daemon "$daemon_pid"
check "refresh with b down: exit 1" migmap_rc 1 "$tmpdir/refresh.out" --state-dir "$local_state" pool refresh p
check "b is stale since its last fetch, and why" \
	grep -q "^b: stale since 20[-0-9T:]*Z: .*GetHostMap failed: " "$tmpdir/refresh.out"
"$MIGMAP" --state-dir "$local_state" pool check p "$top_srcdir/tests/data/domains/arm64-virt72-uefi.xml" >"$tmpdir/check.out"
check "pool check warns that b is stale, with its fetch time" \
	grep -q "^warning: host 'b' is stale: .*fetched 20" "$tmpdir/check.out"
check "refresh of no pool: exit 2" migmap_rc 2 "$tmpdir/refresh.out" --state-dir "$local_state" pool refresh nope
check "refresh of no pool says so" grep -q "no pool 'nope'" "$tmpdir/err"
# without migmapd the CLI waits for a member as long as migmapd would: the
# config file's remote_timeout (1 s here), not a built-in 15 s
start_bus H
start_daemon h "$H_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
pid_h=$daemon_pid
check "add h (local)" "$MIGMAP" --state-dir "$local_state" pool add --remote "$H_addr" p
kill -STOP "$pid_h"
cp "$tmpdir/test.conf" "$tmpdir/short.conf"
echo "remote_timeout = 1s" >>"$tmpdir/short.conf"
t0=$(date +%s)
check "refresh with h hung: exit 1" migmap_rc 1 "$tmpdir/refresh.out" \
	--config "$tmpdir/short.conf" --state-dir "$local_state" pool refresh p
t1=$(date +%s)
check "h is stale: timed out" grep -q "^h: stale since 20[-0-9T:]*Z: .*GetHostMap failed: " "$tmpdir/refresh.out"
check "h given up after remote_timeout (1 s), well before 15 s ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 12 ]
echo "remote_timeout = soon" >>"$tmpdir/short.conf"
check "a bad remote_timeout: exit 2" migmap_rc 2 "$tmpdir/refresh.out" \
	--config "$tmpdir/short.conf" --state-dir "$local_state" pool refresh p
check "a bad remote_timeout says so, with its line" grep -q "short.conf:[0-9]*: 'remote_timeout' is not a duration" "$tmpdir/err"
kill -CONT "$pid_h"
# pool sync without migmapd: the pool pushed to each remote member's
# migmapd (ImportPool there); b is down: not synced, exit 1, h is synced
check "pool sync (local), b down: exit 1" migmap_rc 1 "$tmpdir/sync.out" \
	--state-dir "$local_state" pool sync p
check "b: not synced, with why" grep -q "^b: not synced: .*ImportPool failed: " "$tmpdir/sync.out"
check "h: synced" grep -q "^h: synced$" "$tmpdir/sync.out"
check "h's migmapd now has pool p" \
	sh -c "busctl --address='$H_addr' call $SVC $OBJ $IFACE ListPools | grep -q '\"p\"'"
# --json: the same results, one object, the exit status unchanged
members_json() { # members_json FILE ACTION: FILE holds b's failure, h's success
	"$PYTHON3" - "$1" "$2" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["action"] == sys.argv[2] and o["pool"] == "p", o
m = {x["host"]: x for x in o["members"]}
assert sorted(m) == ["b", "h"], o
assert m["h"]["ok"] is True and m["b"]["ok"] is False, o
good, bad = ("synced", "not synced: ") if sys.argv[2] == "synced" else ("fresh", "stale since 20")
assert m["h"]["result"] == good and m["b"]["result"].startswith(bad), o
PY
}
check "pool sync --json (local), b down: exit 1" migmap_rc 1 "$tmpdir/sync.json" \
	--state-dir "$local_state" pool sync --json p
check "  b not synced, h synced" members_json "$tmpdir/sync.json" synced
check "pool refresh --json (local), b down: exit 1" migmap_rc 1 "$tmpdir/refresh.json" \
	--state-dir "$local_state" pool refresh --json p
check "  b stale, h fresh" members_json "$tmpdir/refresh.json" refreshed
# member addresses the CLI refuses before anything is stored, each one line
bad_member() { # bad_member ADDRESS MESSAGE
	migmap_rc 2 "$tmpdir/add.out" --state-dir "$local_state" pool add --remote "$1" p &&
		err_is "migmap: $2"
}
check "an empty member address" bad_member "" "empty member address"
ssh_form="expected ssh:[USER@]HOST[:PORT] with a host name, an IPv4 address or an [IPv6] address"
check "ssh: an IPv6 address with a letter past f" bad_member "ssh:[::g]" "bad member 'ssh:[::g]': $ssh_form"
check "ssh: text after the brackets" bad_member "ssh:[::1]x" "bad member 'ssh:[::1]x': $ssh_form"
check "a socket that is not there" bad_member "unix:path=$tmpdir/none.sock" \
	"unix:path=$tmpdir/none.sock: cannot connect: No such file or directory"
check "the members are as they were (a, b and h)" \
	[ "$(ls "$local_state/pools/p" | grep -c '\.xml$')" -eq 3 ]
check "pool refresh of a bad pool name: exit 2" migmap_rc 2 "$tmpdir/refresh.out" \
	--state-dir "$local_state" pool refresh a/b
check "  says so" err_is "migmap: invalid pool name 'a/b'"
check "pool sync of no pool: exit 2" migmap_rc 2 "$tmpdir/sync.out" --state-dir "$local_state" pool sync nope
check "  says so" grep -q "no pool 'nope'" "$tmpdir/err"
finish
