#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/coverage/check.py, make coverage's verdict, on gcovr summaries made
# here by hand (the shape of gcovr's --json-summary: a "files" list with
# filename, line_total, line_covered, branch_total, branch_covered per
# file): it passes exactly when every file under lib/, daemon/, common/ and
# tools/ runs >= 90% of its lines and lib/ >= 80% of its branches, save at
# most five files excepted with a reason, and no exception outlives its need.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3) || skip_all "python3 not installed"
CHECK=$top_srcdir/tests/coverage/check.py

# summary FILE ENTRY...: ENTRY is NAME=LINES_COVERED/LINES,BRANCHES_COVERED/BRANCHES
summary() {
	"$PYTHON3" - "$@" <<-'EOF'
	import json, sys
	files = []
	for e in sys.argv[2:]:
	    name, figures = e.split("=")
	    (lc, lt), (bc, bt) = (map(int, f.split("/")) for f in figures.split(","))
	    files.append({"filename": name, "line_covered": lc, "line_total": lt,
	                  "branch_covered": bc, "branch_total": bt})
	json.dump({"files": files}, open(sys.argv[1], "w"))
	EOF
}

# verdict RC SUMMARY [ARGS...]: check.py exits RC; its output in $tmpdir/out
verdict() {
	want=$1
	shift
	"$PYTHON3" "$CHECK" "$@" >"$tmpdir/out" 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  exit $rc, wanted $want:"; sed 's/^/  /' "$tmpdir/out"; return 1; }
}
says() {
	grep -qxF -- "$1" "$tmpdir/out" || { echo "  no line '$1' in:"; sed 's/^/  /' "$tmpdir/out"; return 1; }
}
lacks() {
	! grep -qF -- "$1" "$tmpdir/out" || { echo "  '$1' in:"; sed 's/^/  /' "$tmpdir/out"; return 1; }
}

# every file at or above the goal; 90.0% exactly is enough, as is 80.0% of
# lib/'s branches (800 of 1000 over two files); files outside the four
# folders, headers and files without lines do not count
summary "$tmpdir/good.json" lib/a.c=900/1000,500/600 lib/b.c=95/100,300/400 \
	daemon/d.c=9/10,0/0 common/c.c=0/0,0/0 tools/t.c=1/1,1/2 \
	tests/unit/test-a.c=1/100,0/50 lib/a.h=0/10,0/10
check "all at goal: exit 0" verdict 0 "$tmpdir/good.json"
check "all at goal: 'goal met'" says "coverage: all lines 90.5%; goal met"
check "all at goal: lib/ branches are lib/ files' only" \
	says "coverage: lib/ branches 80.0% (800 of 1000), goal 80%"
check "all at goal: no file named" lacks "of lines"

# one file a line short
summary "$tmpdir/short.json" lib/a.c=900/1000,500/600 daemon/d.c=899/1000,0/0
check "a file under 90%: exit 1" verdict 1 "$tmpdir/short.json"
check "a file under 90%: named with its figures" \
	says "coverage: daemon/d.c: 89.9% of lines (899 of 1000), goal 90%"
# (the lines of all files together, 1799 of 2000, round to 90.0%)
check "a file under 90%: 'goal missed'" says "coverage: all lines 90.0%; goal missed"

# ... excepted with a reason
check "the file excepted: exit 0" verdict 0 "$tmpdir/short.json" \
	--except "daemon/d.c:only a udev event reaches lines 10-20"
check "the file excepted: its reason printed" \
	says "coverage: daemon/d.c: 89.9% of lines, excepted: only a udev event reaches lines 10-20"

# lib/ branches under 80%, every file's lines fine
summary "$tmpdir/branches.json" lib/a.c=95/100,799/1000 daemon/d.c=10/10,1/100
check "lib/ branches under 80%: exit 1" verdict 1 "$tmpdir/branches.json"
check "lib/ branches under 80%: said" says "coverage: lib/ branches 79.9% (799 of 1000), goal 80%"
check "lib/ branches under 80%: an exception does not help" verdict 1 "$tmpdir/branches.json" \
	--except "lib/a.c:no reason is good enough"

# five files excepted are allowed, six are not, even if each were needed
five="lib/1.c=1/10,1/1 lib/2.c=1/10,1/1 lib/3.c=1/10,1/1 lib/4.c=1/10,1/1 lib/5.c=1/10,1/1"
# shellcheck disable=SC2086 # one word per entry
summary "$tmpdir/five.json" $five
# shellcheck disable=SC2086
summary "$tmpdir/six.json" $five lib/6.c=1/10,1/1
except5="--except lib/1.c:r --except lib/2.c:r --except lib/3.c:r --except lib/4.c:r --except lib/5.c:r"
# shellcheck disable=SC2086
check "five exceptions: exit 0" verdict 0 "$tmpdir/five.json" $except5
# shellcheck disable=SC2086
check "six exceptions: exit 1" verdict 1 "$tmpdir/six.json" $except5 --except lib/6.c:r
check "six exceptions: said" says "coverage: 6 exceptions, at most 5"

# an exception no longer needed, or for a file that has no figures
check "an exception for a file at goal: exit 1" verdict 1 "$tmpdir/good.json" \
	--except "lib/b.c:was short once"
check "an exception for a file at goal: said" \
	says "coverage: lib/b.c is at 95.0% of lines: drop its exception"
check "an exception for a file not measured: exit 1" verdict 1 "$tmpdir/good.json" \
	--except "lib/gone.c:removed since"
check "an exception for a file not measured: said" \
	says "coverage: exception for lib/gone.c, which has no figures"

# an exception without its reason is refused, as is a summary with no file
check "an exception without a reason: exit 2" verdict 2 "$tmpdir/short.json" --except daemon/d.c
check "an exception without a reason: said" grep -qF "daemon/d.c: an exception needs a reason" \
	"$tmpdir/out"
check "an exception with an empty reason: exit 2" verdict 2 "$tmpdir/short.json" --except daemon/d.c:
summary "$tmpdir/none.json" tests/unit/test-a.c=1/1,1/1
check "no source file: exit 1" verdict 1 "$tmpdir/none.json"
check "no source file: said" says "coverage: no source file in $tmpdir/none.json"
finish
