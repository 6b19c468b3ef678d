#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""make coverage's verdict on gcovr's JSON summary (issue 14 item 11):
every file under lib/, daemon/, common/ and tools/ runs >= 90% of its lines,
and lib/ as a whole >= 80% of its branches. At most five files may stay
below, each named with its reason (--except FILE:REASON, kept in
tests/Makefile.inc.am next to the target). Prints one line per file below
the goal and the totals; exits 1 when the goal is missed, or when an
exception is not needed any more (so the list never outlives its reason)."""
import argparse
import json
import sys

LINE_GOAL, BRANCH_GOAL, MAX_EXCEPTIONS = 90.0, 80.0, 5
DIRS = ("lib/", "daemon/", "common/", "tools/")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("summary")
    ap.add_argument("--except", dest="exceptions", action="append", default=[],
                    metavar="FILE:REASON")
    args = ap.parse_args()
    exceptions = {}
    for e in args.exceptions:
        name, _, reason = e.partition(":")
        if not reason.strip():
            ap.error("--except %s: an exception needs a reason (FILE:REASON)" % name)
        exceptions[name] = reason
    if len(exceptions) > MAX_EXCEPTIONS:
        sys.exit("coverage: %d exceptions, at most %d" % (len(exceptions), MAX_EXCEPTIONS))
    files = [f for f in json.load(open(args.summary))["files"]
             if f["filename"].startswith(DIRS) and f["filename"].endswith(".c")]
    if not files:
        sys.exit("coverage: no source file in %s" % args.summary)
    failed = False
    for f in sorted(files, key=lambda f: f["filename"]):
        name, total = f["filename"], f["line_total"]
        pct = 100.0 * f["line_covered"] / total if total else 100.0
        if name in exceptions:
            if pct >= LINE_GOAL:
                print("coverage: %s is at %.1f%% of lines: drop its exception" % (name, pct))
                failed = True
            else:
                print("coverage: %s: %.1f%% of lines, excepted: %s" % (name, pct, exceptions[name]))
        elif pct < LINE_GOAL:
            print("coverage: %s: %.1f%% of lines (%d of %d), goal %.0f%%"
                  % (name, pct, f["line_covered"], total, LINE_GOAL))
            failed = True
    for name in sorted(set(exceptions) - {f["filename"] for f in files}):
        print("coverage: exception for %s, which has no figures" % name)
        failed = True
    lib = [f for f in files if f["filename"].startswith("lib/")]
    covered = sum(f["branch_covered"] for f in lib)
    total = sum(f["branch_total"] for f in lib)
    bpct = 100.0 * covered / total if total else 100.0
    lines = 100.0 * sum(f["line_covered"] for f in files) / max(1, sum(f["line_total"] for f in files))
    print("coverage: lib/ branches %.1f%% (%d of %d), goal %.0f%%" % (bpct, covered, total, BRANCH_GOAL))
    if bpct < BRANCH_GOAL:
        failed = True
    print("coverage: all lines %.1f%%; %s" % (lines, "goal missed" if failed else "goal met"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
