#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Pools on shared storage: three migmapd, each on its own bus with its own
# state directory, share one pool_dir (as hosts share an NFS mount). Each
# writes only its own member file; each notices the others' changes and
# says so with PoolChanged; a daemon whose map changes publishes it into
# the pools it is a member of.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

shared=$tmpdir/shared
cp "$tmpdir/test.conf" "$tmpdir/share.conf"
echo "pool_dir = $shared" >>"$tmpdir/share.conf"
# the periodic rescan (what NFS relies on) fast enough for a test
echo "rescan_interval = 1s" >>"$tmpdir/share.conf"
daemon_config=$tmpdir/share.conf

start_bus A
start_bus B
start_bus C
start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
pid_a=$daemon_pid
start_daemon b "$B_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
start_daemon c "$C_addr" "$HOSTS/arm64-virt-acpi" || exit 99
for h in a:arm64-virt-smmuv3 b:arm64-virt-gicv2 c:arm64-virt-acpi; do
	"$MIGMAP" host --sysroot "$HOSTS/${h#*:}" --name "${h%%:*}" >"$tmpdir/${h%%:*}.xml"
done
# a's map once its hardware changed
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name a >"$tmpdir/a2.xml"

monitor "$B_addr" "$tmpdir/b.signals"
monitor "$C_addr" "$tmpdir/c.signals"
check "a creates pool p in the shared directory" quiet call "$A_addr" CreatePool s p
check "the pool is a directory of the shared storage" [ -d "$shared/p" ]
check "b notices the new pool: PoolChanged(p)" wait_for "$tmpdir/b.signals" 'string "p"'
check "c notices the new pool: PoolChanged(p)" wait_for "$tmpdir/c.signals" 'string "p"'
check "b lists p" sh -c "busctl --address='$B_addr' call $SVC $OBJ $IFACE ListPools | grep -q '\"p\"'"
check "c lists p" sh -c "busctl --address='$C_addr' call $SVC $OBJ $IFACE ListPools | grep -q '\"p\"'"

# each host joins with its own map, on its own daemon, at the same time
call "$A_addr" AddHost ss p "$(cat "$tmpdir/a.xml")" >/dev/null &
call "$B_addr" AddHost ss p "$(cat "$tmpdir/b.xml")" >/dev/null &
call "$C_addr" AddHost ss p "$(cat "$tmpdir/c.xml")" >/dev/null &
wait_members() {
	i=0
	until [ "$(get "$1" GetPoolMap ss p json 2>/dev/null | "$PYTHON3" -c '
import json, sys
print(" ".join(sorted(m["name"] for m in json.load(sys.stdin)["pool"]["members"])))' 2>/dev/null)" = "$2" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "  $1: members are not $2"; return 1; }
		sleep 0.1
	done
}
check "a sees the three members" wait_members "$A_addr" "a b c"
check "b sees the three members" wait_members "$B_addr" "a b c"
check "c sees the three members" wait_members "$C_addr" "a b c"
for h in a b c; do
	check "$h.xml in the shared directory is $h's own map" cmp -s "$tmpdir/$h.xml" "$shared/p/$h.xml"
done
check "no temporary file left behind" [ -z "$(find "$shared" -name '.#*')" ]
"$MIGMAP" baseline --name p "$tmpdir/a.xml" "$tmpdir/b.xml" "$tmpdir/c.xml" >"$tmpdir/pool.xml"
get "$C_addr" GetPoolMap ss p xml >"$tmpdir/got.xml"
check "c's pool map is the baseline of a, b and c" cmp -s "$tmpdir/pool.xml" "$tmpdir/got.xml"

# a's hardware changes (here: it restarts on another fixture): it publishes
check "a stops" stop_daemon "$pid_a"
start_daemon a "$A_addr" "$HOSTS/arm64-hwmsi" || exit 99
check "a published its new map into p" cmp -s "$tmpdir/a2.xml" "$shared/p/a.xml"
check "the publication is logged" grep -q "pool p: published this host's map" "$tmpdir/a.log"
"$MIGMAP" baseline --name p "$tmpdir/a2.xml" "$tmpdir/b.xml" "$tmpdir/c.xml" >"$tmpdir/pool2.xml"
wait_pool() {
	i=0
	until [ "$(get "$1" GetPoolMap ss p xml)" = "$(cat "$2")" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "  $1: pool map not updated"; return 1; }
		sleep 0.1
	done
}
check "c's pool map follows: a's doorbell forbidden" wait_pool "$C_addr" "$tmpdir/pool2.xml"
check "b's pool map follows" wait_pool "$B_addr" "$tmpdir/pool2.xml"
check "b's and c's maps untouched" sh -c "cmp -s '$tmpdir/b.xml' '$shared/p/b.xml' && cmp -s '$tmpdir/c.xml' '$shared/p/c.xml'"

# a change no inotify event announces (as on NFS, written by another
# machine): the periodic rescan finds it
check "b's file removed behind the daemons' backs" rm "$shared/p/b.xml"
check "c notices by rescanning" wait_members "$C_addr" "a c"
# a damaged member file is skipped and logged with its real path, once:
# a later rescan (that notices y.xml) does not repeat x.xml's line
# (written whole, by a rename: a rescan between the creation and the write
# would see an empty file first, another skip with another message)
echo '<host' >"$shared/p/.x.tmp" && mv "$shared/p/.x.tmp" "$shared/p/x.xml"
check "c logs the damaged file under pool_dir" wait_for "$tmpdir/c.log" "$shared/p/x.xml"
echo '<host' >"$shared/p/.y.tmp" && mv "$shared/p/.y.tmp" "$shared/p/y.xml"
check "  a later rescan logs the next one" wait_for "$tmpdir/c.log" "$shared/p/y.xml"
check "  and x.xml only once" [ "$(grep -c "$shared/p/x.xml" "$tmpdir/c.log")" -eq 1 ]
rm "$shared/p/x.xml" "$shared/p/y.xml"

check "c deletes p" quiet call "$C_addr" DeletePool s p
check "a notices the deletion" sh -c "i=0; until ! busctl --address='$A_addr' call $SVC $OBJ $IFACE ListPools | grep -q '\"p\"'; do i=\$((i+1)); [ \$i -le 100 ] || exit 1; sleep 0.1; done"
check "a creates p again" quiet call "$A_addr" CreatePool s p
check "b creating it at the same time: PoolExists" \
	fails_with "$B_addr" "$IFACE.Error.PoolExists" CreatePool string:p
finish
