#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap's libvirt side failing: what libvirt refuses or cannot reach is one
# line naming what and the URI, with libvirt's own reason, exit 2. On
# libvirt's test driver (in-process, no daemon needed).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
EX=$top_srcdir/examples/pool
D=$top_srcdir/tests/data/libvirt
URI=test://$D/node.xml
run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...

# node.xml holds a g-pool with its own UUID; the file g-pool.xml has none,
# so libvirt takes it for another domain of the same name and refuses it
check "plan --define that libvirt refuses: exit 2" run 2 "$tmpdir/o" plan --define \
	--domain "$D/g-pool.xml" -c "$URI" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  one line, libvirt's reason" sh -c '[ "$(wc -l <"$0")" -eq 1 ] &&
	grep -q "^migmap: cannot define the planned domain (test://.*): .*g-pool.* already exists" "$0"' "$tmpdir/err"
check "plan --define to a URI libvirt cannot open: exit 2" run 2 "$tmpdir/o" plan --define \
	--domain "$D/g-pool.xml" -c nosuchdriver:///x "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  names the URI" grep -q "^migmap: cannot connect to libvirt (nosuchdriver:///x): " "$tmpdir/err"

# a domain file over 16 MiB is not read (without writing 17 MB)
truncate -s 17M "$tmpdir/big.xml"
check "check --domain of a 17 MiB file, -c given: exit 2" run 2 "$tmpdir/o" check \
	--domain "$tmpdir/big.xml" -c "$URI" "$EX/b.xml"
check "  says so" err_is "migmap: $tmpdir/big.xml: larger than 16 MiB"

# whatif without --domain asks libvirt for every domain of the pool
S=$tmpdir/state
"$MIGMAP" --state-dir "$S" pool create p1 >/dev/null
"$MIGMAP" --state-dir "$S" pool add p1 "$EX/a.xml" "$EX/b.xml" >/dev/null
check "whatif, libvirt at a URI it cannot open: exit 2" run 2 "$tmpdir/o" --state-dir "$S" \
	pool whatif p1 --remove b -c nosuchdriver:///x
check "  names the URI" grep -q "^migmap: cannot connect to libvirt (nosuchdriver:///x): " "$tmpdir/err"
finish
