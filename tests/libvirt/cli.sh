#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap check and plan with domains by name, through libvirt's test driver
# (test:///<tests/data/libvirt/node.xml>: in-process, no daemon needed).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
EX=$top_srcdir/examples/pool
URI=test://$top_srcdir/tests/data/libvirt/node.xml
cd "$tmpdir" || exit 99

run() { # run EXPECTED_RC ARGS...: stdout in $tmpdir/out, stderr in $tmpdir/err
	want=$1; shift
	"$MIGMAP" "$@" >"$tmpdir/out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  exit $rc, wanted $want: migmap $*"; cat "$tmpdir/err"; return 1; }
}

check "check --domain NAME -c URI: conflict" run 1 check --domain g-hostdev -c "$URI" "$EX/b.xml"
check "  the line names the doorbell on host b" \
	grep -q "^error: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, " "$tmpdir/out"
check "check --name NAME -c URI: conflict" run 1 check --name g-hostdev -c "$URI" "$EX/b.xml"
check "  the same doorbell" grep -q "meets msi 0xc6010000-0xc601ffff on host b " "$tmpdir/out"
check "plan --name NAME -c URI" run 0 plan --name g-pool -c "$URI" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  the plan keeps the domain's UUID" grep -q "3b1f0d4e-6a3c-4f0e-9a51-0c7d2e8b1a02" "$tmpdir/out"
check "--name of no such domain" run 2 check --name nosuch -c test:///default "$EX/a.xml"
check "  one line naming domain and URI" grep -q "^migmap: nosuch (test:///default): .*not found" "$tmpdir/err"
check "check --connect URI: a domain that fits" run 0 check --domain g-fits --connect "$URI" "$EX/b.xml"
check "check a pool member by name" run 1 check --domain g-pool -c "$URI" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "test:///default: no such domain" run 2 check --domain nosuch -c test:///default "$EX/a.xml"
check "  one line naming domain and URI" \
	sh -c '[ "$(wc -l <"$0")" -eq 1 ] && grep -q "^migmap: nosuch (test:///default): .*not found" "$0"' "$tmpdir/err"
check "a path that does not exist stays a file error" run 2 check --domain ./nosuch.xml -c test:///default "$EX/a.xml"
check "  file error" grep -q "^migmap: ./nosuch.xml: No such file" "$tmpdir/err"
check "bad URI: one line" run 2 check --domain g1 -c nosuchdriver:///x "$EX/a.xml"
check "  names the URI" grep -q "^migmap: cannot connect to libvirt (nosuchdriver:///x): " "$tmpdir/err"

# a file of the same name wins over the domain
cp "$top_srcdir/tests/data/libvirt/g-fits.xml" g-hostdev
check "an existing file wins over a domain name" run 0 check --domain g-hostdev -c "$URI" "$EX/b.xml"

check "plan --define: defines the planned domain" run 0 plan --define --domain g-pool -c "$URI" \
	"$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  says so" grep -q "^migmap: defined domain 'g-pool' with the planned layout" "$tmpdir/err"
check "  and still prints the plan" grep -q "<maxMemory unit=\"KiB\" slots=" "$tmpdir/out"
check "  the plan keeps the domain's UUID" grep -q "3b1f0d4e-6a3c-4f0e-9a51-0c7d2e8b1a02" "$tmpdir/out"
check "plan --define: a domain that fits is left alone" run 0 plan --define --domain g-fits -c "$URI" \
	"$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  says so" grep -q "^migmap: the domain already fits: not redefined" "$tmpdir/err"
check "plan --define of a file on test:///default" run 0 plan --define \
	--domain "$top_srcdir/tests/data/libvirt/g-pool.xml" -c test:///default "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  defined g-pool" grep -q "^migmap: defined domain 'g-pool'" "$tmpdir/err"
check "plan --define --json: the JSON names the domain defined" run 0 plan --define --json \
	--domain "$top_srcdir/tests/data/libvirt/g-pool.xml" -c test:///default "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  defined: g-pool" "${PYTHON3:-python3}" -c 'import json,sys; d = json.load(open(sys.argv[1])); assert d["defined"] == "g-pool" and d["changed"], d["defined"]' "$tmpdir/out"
check "plan --json without --define: defined is null" run 0 plan --json \
	--domain "$top_srcdir/tests/data/libvirt/g-pool.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  null" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1]))["defined"] is None' "$tmpdir/out"

# pool tag/untag: what they say (what libvirt then holds: tests/libvirt/test-tag)
check "pool tag" run 0 pool tag g-fits prod -c "$URI"
check "  says so" [ "$(cat "$tmpdir/out")" = "Domain 'g-fits' tagged with pool 'prod'" ]
check "pool untag --json" run 0 pool --json untag g-fits -c "$URI"
check "  JSON" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"action": "untagged", "domain": "g-fits"}' "$tmpdir/out"
check "pool tag: no such domain" run 2 pool tag nosuch prod -c "$URI"
check "  one line naming domain and URI" grep -q "^migmap: nosuch (test://.*): .*not found" "$tmpdir/err"
check "pool tag: a name the hook would refuse" run 2 pool tag g-fits "a b" -c "$URI"
check "  message" grep -qx "migmap: pool tag: invalid pool name 'a b'" "$tmpdir/err"
check "pool tag: one argument" run 2 pool tag g-fits -c "$URI"
check "  message" grep -qx "migmap: pool tag: expected a domain and a pool name" "$tmpdir/err"
finish
