#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One bus object per pool, the systemd way: ListPools answers each
# pool with its path (sd_bus_path_encode's escaping, checked against
# busctl's own reading of the tree), introspection shows the objects with
# interface org.migmap.Migmap1.Pool, and the properties Name, Members,
# LimitBits, Generation follow the pool, with PropertiesChanged; and the
# typed check answer, CheckDomainConflicts.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

"$MIGMAP" host --sysroot "$HOSTS/x86-rmrr" --name r >"$tmpdir/r.xml"
"$MIGMAP" host --sysroot "$HOSTS/x86-q35-vtd" --name x >"$tmpdir/x.xml"
start_bus A
start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
PIFACE=org.migmap.Migmap1.Pool
pprop() { busctl --address="$A_addr" get-property "$SVC" "$1" "$PIFACE" "$2"; }

quiet call "$A_addr" CreatePool s p1
# a name with '-' and '.': escaped as sd-bus escapes (_2d, _2e)
quiet call "$A_addr" CreatePool s my-pool.1
check "ListPools: a(so)" sh -c '[ "$(busctl --address="$0" call "$1" "$2" "$3" ListPools)" = "$4" ]' \
	"$A_addr" "$SVC" "$OBJ" "$IFACE" \
	'a(so) 2 "my-pool.1" "/org/migmap/Migmap1/pool/my_2dpool_2e1" "p1" "/org/migmap/Migmap1/pool/p1"'
busctl --address="$A_addr" tree --list "$SVC" >"$tmpdir/tree"
check "the tree holds both pool objects" sh -c 'grep -qx /org/migmap/Migmap1/pool/p1 "$0" &&
	grep -qx /org/migmap/Migmap1/pool/my_2dpool_2e1 "$0"' "$tmpdir/tree"
busctl --address="$A_addr" introspect "$SVC" /org/migmap/Migmap1/pool/p1 >"$tmpdir/introspect"
check "introspect shows $PIFACE" grep -q "^$PIFACE " "$tmpdir/introspect"
for member in Name Members LimitBits Generation; do
	check "  with $member" grep -q "^\.$member " "$tmpdir/introspect"
done
check "Name" [ "$(pprop /org/migmap/Migmap1/pool/my_2dpool_2e1 Name)" = 's "my-pool.1"' ]
check "no Members yet" [ "$(pprop /org/migmap/Migmap1/pool/p1 Members)" = "as 0" ]
check "LimitBits 0 without members" [ "$(pprop /org/migmap/Migmap1/pool/p1 LimitBits)" = "u 0" ]
g0=$(pprop /org/migmap/Migmap1/pool/p1 Generation | cut -d' ' -f2)

monitor "$A_addr" "$tmpdir/signals"
quiet call "$A_addr" AddHost ss p1 "$(cat "$tmpdir/r.xml")"
quiet call "$A_addr" AddHost ss p1 "$(cat "$tmpdir/x.xml")"
check "Members after AddHost" [ "$(pprop /org/migmap/Migmap1/pool/p1 Members)" = 'as 2 "r" "x"' ]
# the smallest limit any member read (each limit as read, with its source)
minbits() { "$MIGMAP" host --sysroot "$1" --json | "$PYTHON3" -c 'import json, sys
print(min(l["bits"] for l in json.load(sys.stdin)["host"]["limits"]))'; }
lb=$(minbits "$HOSTS/x86-rmrr")
lx=$(minbits "$HOSTS/x86-q35-vtd")
min=$lb; [ "$lx" -lt "$min" ] && min=$lx
check "LimitBits is the smallest member's ($min)" [ "$(pprop /org/migmap/Migmap1/pool/p1 LimitBits)" = "u $min" ]
check "Generation counts the changes" [ "$(pprop /org/migmap/Migmap1/pool/p1 Generation)" = "t $((g0 + 2))" ]
check "PropertiesChanged on the pool's object" wait_for "$tmpdir/signals" \
	"path=/org/migmap/Migmap1/pool/p1; interface=org.freedesktop.DBus.Properties; member=PropertiesChanged"
# CheckDomainConflicts: the check as D-Bus types. The domain's 2 TiB of RAM
# ends above 2^39, host x's IOMMU limit (its dmar cap, read above): an
# error of a RAM kind, type "limit", behind x; as many conflicts as the
# JSON answer has.
dom=$top_srcdir/tests/data/domains/x86-q35-epyc-2t.xml
busctl --address="$A_addr" --json=short call "$SVC" "$OBJ" "$IFACE" CheckDomainConflicts ss \
	"$(cat "$dom")" p1 >"$tmpdir/typed"
busctl --address="$A_addr" --json=short call "$SVC" "$OBJ" "$IFACE" CheckDomain ss \
	"$(cat "$dom")" p1 >"$tmpdir/json"
check "CheckDomainConflicts answers (ba(ssttsttas))" grep -q '"type":"ba(ssttsttas)"' "$tmpdir/typed"
check "  the domain does not fit, above x's limit" "$PYTHON3" -c '
import json, sys
ok, conflicts = json.load(open(sys.argv[1]))["data"]
report = json.loads(json.load(open(sys.argv[2]))["data"][1])
assert ok is False and report["ok"] is False
assert len(conflicts) == len(report["conflicts"]), (conflicts, report)
assert any(c[0] == "error" and c[1].startswith("ram") and c[4] == "limit" and c[3] >= 1 << 39
           and "x" in c[7] for c in conflicts), conflicts
' "$tmpdir/typed" "$tmpdir/json"
quiet call "$A_addr" DeletePool s my-pool.1
check "a deleted pool's object is gone" sh -c '! busctl --address="$0" get-property "$1" /org/migmap/Migmap1/pool/my_2dpool_2e1 "$2" Name 2>/dev/null' \
	"$A_addr" "$SVC" "$PIFACE"
check "  and not listed" sh -c '! busctl --address="$0" tree --list "$1" | grep -q my_2dpool' "$A_addr" "$SVC"
stop_daemon "$daemon_pid"
finish
