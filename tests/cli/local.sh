#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap check and plan without HOST.xml files judge a domain as the hook
# does: against this host (here the fixture sysroot of examples/pool's host
# b, named in the settings file) and the pool its migmap metadata names
# (from the state directory). The conflicts expected are the fixtures'
# own: host b's ITS doorbell page (msi 0xc6010000), host c's RMR (direct
# 0xfbe00000), as examples/pool/README.md describes them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
EX=$top_srcdir/examples/pool
S=$tmpdir/state
# never reach a daemon on this machine's bus
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus
export DBUS_SYSTEM_BUS_ADDRESS
run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...

printf 'sysroot = %s\nname = b\nstate_dir = %s\n' "$HOSTS/arm64-hwmsi" "$S" >"$tmpdir/migmap.conf"
C="--config $tmpdir/migmap.conf"
domain() { # domain NAME [POOL]: 8 GiB from 1 GiB on virt-7.2
	{
		echo "<domain type='kvm'><name>$1</name>"
		[ -z "${2:-}" ] || echo "<metadata><migmap:pool xmlns:migmap='http://migmap.org/xmlns/domain/1.0' name='$2'/></metadata>"
		echo "<memory unit='GiB'>8</memory><vcpu>2</vcpu>"
		echo "<os><type arch='aarch64' machine='virt-7.2'>hvm</type></os><features><gic version='3'/></features></domain>"
	} >"$tmpdir/$1.xml"
}
domain g1
domain g2 p1
domain g3 nope

check "no state directory yet: an error" run 2 "$tmpdir/o" $C check --domain "$tmpdir/g1.xml"
check "  names it" grep -q "^migmap: $S: cannot open the state directory" "$tmpdir/err"
"$MIGMAP" --state-dir "$S" pool create p1 >/dev/null
"$MIGMAP" --state-dir "$S" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml" >/dev/null

# no metadata: this host alone, here b
check "check, no pool: this host" run 1 "$tmpdir/o" $C check --domain "$tmpdir/g1.xml"
check "  b's doorbell" grep -q "^error: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b " "$tmpdir/o"
check "  not c's RMR" sh -c '! grep -q "on host c" "$0"' "$tmpdir/o"
check "  one host" grep -q "^conflict: .* on 1 host (virt-7.2)" "$tmpdir/o"
# metadata names p1: this host and p1's members, b once
check "check, pool p1: this host and the pool" run 1 "$tmpdir/o" $C check --domain "$tmpdir/g2.xml"
check "  c's RMR" grep -q "^error: guest RAM 0x40000000-0x23fffffff meets direct 0xfbe00000-0xfbffffff on host c " "$tmpdir/o"
check "  b's doorbell once" [ "$(grep -c "msi 0xc6010000-0xc601ffff on host b " "$tmpdir/o")" -eq 1 ]
check "  three hosts: b, a, c" grep -q "^conflict: .* on 3 hosts (virt-7.2)" "$tmpdir/o"
# the same as naming the three maps
"$MIGMAP" check --domain "$tmpdir/g2.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml" >"$tmpdir/files" 2>&1
grep "^error" "$tmpdir/o" | sort >"$tmpdir/e1"
grep "^error" "$tmpdir/files" | sort >"$tmpdir/e2"
check "  the same conflicts as with the three files" cmp -s "$tmpdir/e1" "$tmpdir/e2"
check "check --json" run 1 "$tmpdir/o" $C check --json --domain "$tmpdir/g2.xml"
check "  JSON not ok" grep -q '"ok": false' "$tmpdir/o"
# c found stale by the last refresh (remote.json as migmapd leaves it when
# c's migmapd does not answer): check names c and when its map was fetched
printf '{"members": {"c": {"address": "ssh:c.invalid", "fetched": "2026-01-02T03:04:05Z", "stale": true}}}\n' \
	>"$S/pools/p1/remote.json"
check "check, pool p1 with c stale" run 1 "$tmpdir/o" $C check --domain "$tmpdir/g2.xml"
check "  says c is stale, since its last fetch" \
	grep -q "^warning: host 'c' is stale: its migmapd at ssh:c.invalid did not answer; its map was fetched 2026-01-02T03:04:05Z\$" "$tmpdir/o"
check "  still judged against c's last map" grep -q "meets direct 0xfbe00000-0xfbffffff on host c " "$tmpdir/o"
check "check --json: the same warning" run 1 "$tmpdir/o" $C check --json --domain "$tmpdir/g2.xml"
check "  in warnings" "$PYTHON3" -c 'import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
assert any("host '"'"'c'"'"' is stale" in x and "2026-01-02T03:04:05Z" in x for x in w), w' "$tmpdir/o"
rm "$S/pools/p1/remote.json"
check "not stale any more: no such note" run 1 "$tmpdir/o" $C check --domain "$tmpdir/g2.xml"
check "  none" sh -c '! grep -q "is stale" "$0"' "$tmpdir/o"
# a pool this host does not know: refused as the hook refuses it
check "unknown pool: exit 2" run 2 "$tmpdir/o" $C check --domain "$tmpdir/g3.xml"
check "  one line" err_is "migmap: check: the domain's pool 'nope' is not known here (see 'migmap pool list'; give HOST.xml files to check elsewhere)"
printf 'unknown_pool = allow\n' >>"$tmpdir/migmap.conf"
check "unknown_pool = allow: this host only" run 1 "$tmpdir/o" $C check --domain "$tmpdir/g3.xml"
check "  warns" grep -q "^migmap: warning: check: pool 'nope' is not known here" "$tmpdir/err"
check "  one host" grep -q "on 1 host " "$tmpdir/o"

# plan: a layout valid on this host and the pool, which check then accepts
check "plan, pool p1" run 0 "$tmpdir/plan.xml" $C plan --domain "$tmpdir/g2.xml"
check "  the plan fits a, b and c" run 0 "$tmpdir/o" check --domain "$tmpdir/plan.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  the same plan as from the three files" sh -c '"$0" plan --domain "$1" "$2" "$3" "$4" 2>/dev/null | cmp -s - "$5"' \
	"$MIGMAP" "$tmpdir/g2.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml" "$tmpdir/plan.xml"

# by name: the metadata libvirt holds (tests/data/libvirt/node.xml: g-pool in p1)
URI=test://$top_srcdir/tests/data/libvirt/node.xml
check "check --name, pool from libvirt's XML" run 1 "$tmpdir/o" $C check --name g-pool -c "$URI"
check "  three hosts" grep -q "^conflict: .* on 3 hosts " "$tmpdir/o"
# --state-dir that does not exist: an error, never an empty store
check "--state-dir missing: exit 2" run 2 "$tmpdir/o" $C --state-dir "$tmpdir/none" check --domain "$tmpdir/g2.xml"
check "  names it" grep -q "^migmap: $tmpdir/none: cannot open the state directory" "$tmpdir/err"
finish
