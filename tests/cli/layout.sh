#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap layout from the outside: usage errors, one-line errors naming the
# domain file, the table and JSON forms for every fixture domain.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
DOMAINS=$top_srcdir/tests/data/domains
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)

# run EXPECTED_RC ARGS...: migmap_rc with stdout in $tmpdir/out
run() {
	want=$1
	shift
	migmap_rc "$want" "$tmpdir/out" "$@"
}

check "layout --help exits 0" run 0 layout --help
check "layout without --domain" run 2 layout
check "layout without --domain: one line" err_is "migmap: layout: --domain FILE or --name NAME is required (see 'migmap layout --help')"
check "layout extra argument" run 2 layout --domain "$DOMAINS/x86-i440fx-old.xml" stray
check "missing file" run 2 layout --domain "$tmpdir/none.xml"
check "missing file: one line" err_is "migmap: $tmpdir/none.xml: No such file or directory"
# a bare word is a file too: a domain name only with --name or -c URI
(cd "$tmpdir" && "$MIGMAP" layout --domain g-fits >"$tmpdir/out" 2>"$tmpdir/err")
check "a mistyped file name is not a domain name" [ $? -eq 2 ]
check "  says how to name a domain" err_is "migmap: g-fits: No such file or directory (use --name or -c URI for a libvirt domain)"
URI=test://$top_srcdir/tests/data/libvirt/node.xml
check "layout --name NAME -c URI" run 0 layout --name g-fits -c "$URI"
# the domain as libvirt's test driver holds it: 1 GiB, at 1 GiB on QEMU's virt
check "  RAM of the domain libvirt holds" grep -q "^ram  *0x40000000  *0x7fffffff " "$tmpdir/out"
check "layout --domain NAME -c URI" run 0 layout --json --domain g-fits -c "$URI"
check "layout --domain and --name" run 2 layout --domain x --name y
check "  one line" err_is "migmap: layout: --domain and --name exclude each other (see 'migmap layout --help')"

printf '<domain>\n<os><type arch="aarch64" machine="virt-7.2"/></os>\n<memory unit="XiB">1</memory>\n</domain>\n' >"$tmpdir/bad.xml"
check "bad unit" run 2 layout --domain "$tmpdir/bad.xml"
check "bad unit: file and line" err_is "migmap: $tmpdir/bad.xml:3: <memory> has unknown unit 'XiB'"
printf '<domain><os><type arch="aarch64" machine="virt-1.0"/></os><memory>1048576</memory></domain>\n' >"$tmpdir/old.xml"
check "machine not modelled" run 2 layout --domain "$tmpdir/old.xml"
check "machine not modelled: one line" err_is "migmap: $tmpdir/old.xml: machine type 'virt-1.0' is not modelled"

check "domain on stdin" sh -c '"$0" layout --json --domain - <"$1" | grep -q "\"machine\": \"virt-7.2\""' \
	"$MIGMAP" "$DOMAINS/arm64-virt72-uefi.xml"

for f in "$DOMAINS"/*.xml; do
	name=$(basename "$f")
	check "$name: table" run 0 layout --domain "$f"
	check "$name: table header" grep -q "^KIND  *START  *END" "$tmpdir/out"
	check "$name: json" run 0 layout --json --domain "$f"
	if [ -n "$PYTHON3" ]; then
		check "$name: json shape" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) - {"viommuBits"} == {"arch", "machine", "physBits", "regions", "warnings"}, sorted(d)
assert d["regions"] and all(set(r) <= {"kind", "block", "class", "start", "end", "node"} for r in d["regions"])
starts = [int(r["start"], 16) for r in d["regions"]]
assert starts == sorted(starts)
assert all(int(r["end"], 16) < 1 << d["physBits"] for r in d["regions"])
# RAM is kind "ram" on every arch, with the QEMU block name; every region has a class
ram = [r for r in d["regions"] if r["kind"] == "ram"]
assert ram and all(r["block"] in ("mach-virt.ram", "ram-below-4g", "ram-above-4g") for r in ram), ram
assert all(r["class"] == "dma" for r in ram)
assert all(r["class"] in ("dma", "pci-window", "mmio") for r in d["regions"])
assert not any(r["kind"].startswith("ram-") for r in d["regions"])
' "$tmpdir/out"
	fi
done
check "alias warns" sh -c '"$0" layout --domain "$1" | grep -q "^warning: machine .virt. is an alias"' \
	"$MIGMAP" "$DOMAINS/arm64-alias-gicv2.xml"
finish
