#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap baseline from the outside: the example pool, order independence,
# xmllint validation, and one-line errors for bad host maps.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
EX=$top_srcdir/examples/pool

run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...

check "baseline --help" run 0 "$tmpdir/h" baseline --help
check "baseline of the example pool" run 0 "$tmpdir/abc.xml" baseline --name example "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "same map in another order" run 0 "$tmpdir/cab.xml" baseline --name example "$EX/c.xml" "$EX/a.xml" "$EX/b.xml"
check "order does not matter" cmp -s "$tmpdir/abc.xml" "$tmpdir/cab.xml"
check "b's hardware doorbell is forbidden" grep -q "<forbidden type='msi' start='0xc6010000' end='0xc601ffff'>" "$tmpdir/abc.xml"
check "JSON form" run 0 "$tmpdir/abc.json" baseline --json "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
if [ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3); then
	check "JSON lists the usable ranges" "$PYTHON3" -c '
import json, sys
p = json.load(open(sys.argv[1]))["pool"]
assert [m["name"] for m in p["members"]] == ["a", "b", "c"], p["members"]
assert p["usable"][0] == {"start": "0x0", "end": "0x7ffffff"}, p["usable"][0]
' "$tmpdir/abc.json"
fi
[ -n "${XMLLINT:-}" ] || XMLLINT=$(command -v xmllint || true)
if [ -n "$XMLLINT" ]; then
	check "xmllint --relaxng accepts the pool map" \
		"$XMLLINT" --noout --relaxng "$top_srcdir/xml/poolmap.rng" "$tmpdir/abc.xml"
fi

# bad input: exit 2, one line naming the file (and line)
check "no files" run 2 "$tmpdir/o" baseline
check "missing file" run 2 "$tmpdir/o" baseline "$tmpdir/none.xml"
check "missing file: message" err_is "migmap: $tmpdir/none.xml: No such file or directory"
printf "<capabilities><host>\n<memoryMap name='x' iommuGroups='0'>\n<ram start='0x2' end='0x1'/>\n</memoryMap></host></capabilities>\n" >"$tmpdir/rev.xml"
check "reversed range" run 2 "$tmpdir/o" baseline "$EX/a.xml" "$tmpdir/rev.xml"
check "reversed range: message" err_is "migmap: $tmpdir/rev.xml:3: <ram> end 0x1 before start 0x2"
check "duplicate host" run 2 "$tmpdir/o" baseline "$EX/a.xml" "$EX/a.xml"
check "duplicate host: message" err_is "migmap: baseline: host 'a' is in the pool twice"
check "bad pool name" run 2 "$tmpdir/o" baseline --name "a b" "$EX/a.xml"
check "nothing on stdout on error" test ! -s "$tmpdir/o"
finish
