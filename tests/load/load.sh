#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Load and faults, against one migmapd on a private bus (make check-load):
# - 50 clients x 2,000 mixed calls (tests/load/bus-client.c): no error, and
#   the daemon's RSS grows by less than 2 MiB over the run;
# - 1,000 pool updates (create, add, remove, delete) in bursts of 20, each
#   burst cut by a SIGKILL after a random delay: after each kill the state
#   loads (migmapd starts on it, migmap pool show reads every pool).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
BUS_CLIENT=$top_builddir/tests/load/bus-client
CLIENTS=${LOAD_CLIENTS:-50} CALLS=${LOAD_CALLS:-2000} UPDATES=${LOAD_UPDATES:-1000}
[ -x "$BUS_CLIENT" ] || skip_all "$BUS_CLIENT not built"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-gicv2" --name c >"$tmpdir/c.xml"
domain=$top_srcdir/tests/data/domains/arm64-virt72-uefi.xml

# ---- concurrent clients
start_bus A
start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
call "$A_addr" CreatePool s p >/dev/null
call "$A_addr" AddHost ss p "$(cat "$tmpdir/b.xml")" >/dev/null
call "$A_addr" AddHost ss p "$(cat "$tmpdir/c.xml")" >/dev/null
# warm up: the first calls grow the heap to its working size
"$BUS_CLIENT" "$A_addr" load 4 200 p "$domain" >/dev/null
before=$(rss "$daemon_pid")
t0=$(date +%s)
check "$CLIENTS clients x $CALLS calls, no error" \
	sh -c '"$1" "$2" load "$3" "$4" p "$5" 2>"$6" || { tail -n 20 "$6"; exit 1; }' sh \
	"$BUS_CLIENT" "$A_addr" "$CLIENTS" "$CALLS" "$domain" "$tmpdir/load.err"
after=$(rss "$daemon_pid")
echo "# $((CLIENTS * CALLS)) calls in $(($(date +%s) - t0)) s; RSS ${before} KiB -> ${after} KiB"
check "RSS growth $((after - before)) KiB < 2048 KiB" [ $((after - before)) -lt 2048 ]
check "the daemon still answers" quiet call "$A_addr" ListPools
check "the daemon exits cleanly" stop_daemon "$daemon_pid"

# ---- SIGKILL at random points of pool updates
state=$tmpdir/k.state
kills=0 updates=0 bad=0
start_daemon k "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
while [ "$updates" -lt "$UPDATES" ]; do
	# a burst of updates in the background, killed after a random delay
	(
		i=0
		while [ $i -lt 20 ]; do
			n=$(( (updates + i) % 7 ))
			busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" CreatePool s "q$n" 2>/dev/null
			busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" AddHost ss "q$n" \
				"$(cat "$tmpdir/b.xml")" 2>/dev/null
			busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" RemoveHost ss "q$n" b \
				2>/dev/null
			[ $((i % 5)) -eq 4 ] &&
				busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" DeletePool s "q$n" \
					2>/dev/null
			i=$((i + 1))
		done
	) >/dev/null 2>&1 &
	burst=$!
	sleep "0.$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%03d", $1 % 250 }')"
	kill -KILL "$daemon_pid" 2>/dev/null
	wait "$daemon_pid" 2>/dev/null
	kill "$burst" 2>/dev/null
	wait "$burst" 2>/dev/null
	kills=$((kills + 1)) updates=$((updates + 20))
	# the state left behind loads: the CLI reads it, the daemon starts on it
	for p in $(ls "$state/pools" 2>/dev/null); do
		"$MIGMAP" --state-dir "$state" pool show "$p" >/dev/null 2>"$tmpdir/show.err" ||
			grep -q "has no hosts yet" "$tmpdir/show.err" || { bad=$((bad + 1)); cat "$tmpdir/show.err"; }
	done
	if ! start_daemon k "$A_addr" "$HOSTS/arm64-virt-smmuv3"; then
		bad=$((bad + 1))
		break
	fi
done
echo "# $kills kills over about $updates updates"
check "state loads after every one of $kills SIGKILLs" [ "$bad" -eq 0 ]
check "no temporary files left behind are taken for pools" \
	sh -c '! "$1" --state-dir "$2" pool list 2>&1 | grep -q "\.tmp"' sh "$MIGMAP" "$state"
stop_daemon "$daemon_pid"
finish
