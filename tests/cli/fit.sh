#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap pool fit and pool whatif on a state directory: examples/pool's
# hosts a (software MSI window below guest RAM), b (ITS doorbell page
# 0xc6010000) and c (RMR 0xfbe00000-0xfbffffff), and g-pool, an 8 GiB
# virt guest whose RAM (0x40000000-0x23fffffff, QEMU's virt layout) covers
# both b's doorbell and c's RMR; g-fits, 1 GiB, covers neither.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

ex=$top_srcdir/examples/pool
lv=$top_srcdir/tests/data/libvirt
S="--state-dir $tmpdir/s"
"$MIGMAP" $S pool create p1
"$MIGMAP" $S pool add p1 "$ex/a.xml" "$ex/b.xml" "$ex/c.xml"

check "fit: g-pool runs on a only: exit 0" migmap_rc 0 "$tmpdir/out" $S pool fit p1 --domain "$lv/g-pool.xml"
check "fit: a fits" grep -qx "a: fits" "$tmpdir/out"
check "fit: b does not, its doorbell named" grep -q "^b: does not fit: .*0xc6010000" "$tmpdir/out"
check "fit: c does not, its RMR named" grep -q "^c: does not fit: .*0xfbe00000" "$tmpdir/out"
check "fit --json: one report per member" migmap_rc 0 "$tmpdir/fit.json" $S pool fit --json p1 --domain "$lv/g-pool.xml"
check "fit --json: a ok, b and c not" "$PYTHON3" -c '
import json, sys
h = {x["host"]: x for x in json.load(open(sys.argv[1]))["hosts"]}
assert h["a"]["ok"] and not h["b"]["ok"] and not h["c"]["ok"], h
assert any(c["reserved"]["start"] == "0xc6010000" for c in h["b"]["conflicts"])
' "$tmpdir/fit.json"
"$MIGMAP" $S pool remove p1 a
check "fit on no member: exit 1" migmap_rc 1 "$tmpdir/out" $S pool fit p1 --domain "$lv/g-pool.xml"
check "fit without --domain: exit 2" migmap_rc 2 "$tmpdir/out" $S pool fit p1
check "fit of no pool: exit 2" migmap_rc 2 "$tmpdir/out" $S pool fit nope --domain "$lv/g-pool.xml"

# whatif: the pool is {b, c} now
check "whatif --remove b: g-pool stays invalid (c), g-fits stays valid" \
	migmap_rc 0 "$tmpdir/out" $S pool whatif p1 --remove b --domain "$lv/g-pool.xml" --domain "$lv/g-fits.xml"
check "whatif: g-pool stays invalid, naming c's RMR" grep -q "^g-pool: stays invalid: .*0xfbe00000" "$tmpdir/out"
check "whatif: g-fits stays valid" grep -qx "g-fits: stays valid" "$tmpdir/out"
"$MIGMAP" $S pool remove p1 c
check "whatif --remove b (last): g-fits becomes invalid (no host)" \
	migmap_rc 1 "$tmpdir/out" $S pool whatif p1 --remove b --domain "$lv/g-fits.xml"
"$MIGMAP" $S pool remove p1 b
"$MIGMAP" $S pool add p1 "$ex/a.xml"
check "whatif --add b: g-pool becomes invalid: exit 1" \
	migmap_rc 1 "$tmpdir/out" $S pool whatif p1 --add "$ex/b.xml" --domain "$lv/g-pool.xml"
check "whatif --add b names the doorbell" grep -q "^g-pool: becomes invalid: .*0xc6010000" "$tmpdir/out"
check "whatif --json" migmap_rc 1 "$tmpdir/w.json" $S pool whatif --json p1 --add "$ex/b.xml" --domain "$lv/g-pool.xml"
check "whatif --json: change and reason" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))["domains"]
assert d[0]["name"] == "g-pool" and d[0]["change"] == "becomes-invalid" and "0xc6010000" in d[0]["reason"], d
' "$tmpdir/w.json"
"$MIGMAP" $S pool add p1 "$ex/b.xml"
check "whatif --remove b: g-pool becomes valid" \
	migmap_rc 0 "$tmpdir/out" $S pool whatif p1 --remove b --domain "$lv/g-pool.xml"
check "whatif: becomes valid" grep -qx "g-pool: becomes valid: .*" "$tmpdir/out"
check "whatif --remove of no member: exit 2" migmap_rc 2 "$tmpdir/out" $S pool whatif p1 --remove zz --domain "$lv/g-pool.xml"
check "whatif with both --add and --remove: exit 2" migmap_rc 2 "$tmpdir/out" $S pool whatif p1 --remove b --add "$ex/c.xml"
if "$MIGMAP" check -c "test://$lv/node.xml" --domain g-pool "$ex/a.xml" >/dev/null 2>&1; then
	# by default: every domain of pool p1 that libvirt knows (the test
	# driver's node: g-pool is p1's; the others are in no pool)
	check "whatif -c: the pool's domains from libvirt" \
		migmap_rc 0 "$tmpdir/out" $S pool whatif p1 --remove b -c "test://$lv/node.xml"
	check "whatif -c: g-pool only" sh -c "[ \"\$(cut -d: -f1 '$tmpdir/out')\" = g-pool ]"
fi
check "--add outside whatif: exit 2" migmap_rc 2 "$tmpdir/out" $S pool show p1 --add "$ex/c.xml"
finish
