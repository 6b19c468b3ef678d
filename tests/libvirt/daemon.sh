#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd following libvirt's test driver (test:///<tests/data/libvirt/node.xml>,
# inside the daemon): PCI node devices with drivers and users in GetLibvirt,
# and DomainConflict for the running domains that conflict with this host
# (an assigned device) or their pool; none for the one that fits. A libvirt
# that is not there does not stop the daemon.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
EX=$top_srcdir/examples/pool
# node.xml and three more running domains migmap cannot judge: one of a
# pool this host does not know, one whose migmap metadata is malformed, one
# of a machine type migmap does not model
"$PYTHON3" - "$top_srcdir/tests/data/libvirt/node.xml" "$tmpdir/node.xml" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
pool = re.search(r"  <domain type='test'>\s*<name>g-pool</name>.*?</domain>\n", text, re.S).group(0)
extra = ""
for name, tail, pool_name, machine in (("g-nopool", "04", "p9", "virt-7.2"),
                                       ("g-badmeta", "05", "x/y", "virt-7.2"),
                                       ("g-sbsa", "06", "p1", "sbsa-ref")):
    extra += (pool.replace("g-pool", name).replace("1a02", "1a" + tail)
              .replace("name='p1'", "name='%s'" % pool_name)
              .replace("machine='virt-7.2'", "machine='%s'" % machine))
open(sys.argv[2], "w").write(text.replace("</node>", extra + "</node>"))
EOF
URI=test://$tmpdir/node.xml

mkdir "$tmpdir/b.state"
quiet "$MIGMAP" --state-dir "$tmpdir/b.state" pool create p1
quiet "$MIGMAP" --state-dir "$tmpdir/b.state" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"

start_bus A
monitor "$A_addr" "$tmpdir/signals"
start_daemon b "$A_addr" "$HOSTS/arm64-hwmsi" --libvirt-uri "$URI" || exit 99
busctl --address="$A_addr" introspect "$SVC" "$OBJ" "$IFACE" >"$tmpdir/introspect"
check "introspect lists DomainConflict" grep -q "^\.DomainConflict *signal *ss" "$tmpdir/introspect"
check "introspect lists GetLibvirt" grep -q "^\.GetLibvirt *method" "$tmpdir/introspect"

check "DomainConflict for g-hostdev (this host)" wait_for "$tmpdir/signals" 'string "g-hostdev"'
check "DomainConflict for g-pool (pool p1)" wait_for "$tmpdir/signals" 'string "g-pool"'
check "the report names the doorbell on host b" \
	grep -q 'meets msi 0xc6010000-0xc601ffff on host b' "$tmpdir/signals"
check "none for g-fits" sh -c '! grep -q "string \"g-fits\"" "$0"' "$tmpdir/signals"
check "logged with the one line" grep -q "^migmapd: domain g-hostdev conflicts with this host: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b" "$tmpdir/b.log"
check "pool conflict logged" grep -q "^migmapd: domain g-pool conflicts with pool p1: " "$tmpdir/b.log"
check "a domain of an unknown pool: not checked, logged why" \
	wait_for "$tmpdir/b.log" "^migmapd: domain g-nopool: pool p9: not checked: .*p9"
check "a domain with malformed migmap metadata: not checked, logged why" \
	wait_for "$tmpdir/b.log" "^migmapd: domain g-badmeta not checked: .*x/y"
check "a machine migmap does not model: not checked, logged why" \
	wait_for "$tmpdir/b.log" "^migmapd: domain g-sbsa: pool p1: not checked: .*sbsa-ref"
check "no DomainConflict for any of them" \
	sh -c '! grep -q "string \"g-\(nopool\|badmeta\|sbsa\)\"" "$0"' "$tmpdir/signals"

get "$A_addr" GetLibvirt >"$tmpdir/libvirt.json"
check "GetLibvirt: connected" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["connected"] is True and d["uri"] == sys.argv[2], d
dev = {x["bdf"]: x for x in d["devices"]}

assert sorted(dev) == ["0002:f8:00.0", "0002:f9:00.0", "0002:f9:00.1"], dev
# the test driver keeps IOMMU groups but drops <driver>: vfio is false then
assert all(x["iommu_group"] == 0 for x in dev.values()), dev
assert dev["0002:f9:00.0"]["vfio"] == (dev["0002:f9:00.0"]["driver"] == "vfio-pci")
assert dev["0002:f9:00.0"]["domains"] == ["g-hostdev"], dev
assert dev["0002:f9:00.1"]["domains"] == []
assert d["conflicts"] >= 2, d
' "$tmpdir/libvirt.json" "$URI"
check "stops cleanly" stop_daemon "$daemon_pid"

# no libvirt there: the daemon serves anyway and says it retries, once
start_daemon c "$A_addr" "$HOSTS/arm64-hwmsi" --libvirt-uri "test:///$tmpdir/nothing.xml" || exit 99
check "absent libvirt: the daemon serves" call "$A_addr" GetHostMap s xml
get "$A_addr" GetLibvirt >"$tmpdir/c.json"
check "GetLibvirt: not connected" grep -q '"connected": false' "$tmpdir/c.json"
check "logged: retrying" grep -q "^migmapd: libvirt at test:///.*nothing.xml: .*; retrying" "$tmpdir/c.log"
check "stops cleanly" stop_daemon "$daemon_pid"

start_daemon d "$A_addr" "$HOSTS/arm64-hwmsi" --libvirt-uri none || exit 99
get "$A_addr" GetLibvirt >"$tmpdir/d.json"
check "libvirt-uri none: uri none" grep -q '"uri": "none"' "$tmpdir/d.json"
check "stops cleanly" stop_daemon "$daemon_pid"
finish
