#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh SECONDS [TARGET...]: fuzz each target (default: all) for SECONDS
# with libFuzzer, one after the other, from the seed corpus and what earlier
# runs found (tests/fuzz/corpus/TARGET in the build tree). A crash leaves
# its input in tests/fuzz/crashes/ and fails the run: add it to
# tests/fuzz/regress/TARGET/ and to the unit suite of the parser.
# Needs a ./configure CC=clang --enable-fuzzing build (make fuzz, make
# fuzz-smoke call this). With FUZZ_RUNS set (make fuzz-smoke, CI), each
# target runs exactly FUZZ_RUNS inputs with seed FUZZ_SEED (default 1) from
# the seed corpus alone: the same findings every time, so a red CI is a
# reproducible one.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/fuzz/corpus.sh"

seconds=${1:-60}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && fuzz_targets=$*
crashes=$FUZZ_DIR/crashes
mkdir -p "$crashes"
for t in $fuzz_targets; do
	prog=$FUZZ_DIR/fuzz-$t
	corpus=$FUZZ_DIR/corpus/$t
	limit="-max_total_time=$seconds"
	if [ -n "${FUZZ_RUNS:-}" ]; then
		corpus=$tmpdir/corpus-$t
		limit="-runs=$FUZZ_RUNS -seed=${FUZZ_SEED:-1}"
	fi
	mkdir -p "$corpus"
	seeds "$t" "$tmpdir/seeds-$t"
	echo "  FUZZ $t: $limit"
	# -rss_limit_mb: a map of a few MiB must not take GiBs; -timeout: no
	# input may take a second; -max_len: above the largest table seed.
	# shellcheck disable=SC2086
	if "$prog" $limit -timeout=5 -rss_limit_mb=1024 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$crashes/$t-" \
		"$corpus" "$tmpdir/seeds-$t" >"$tmpdir/$t.log" 2>&1; then
		ok "fuzz-$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmpdir/$t.log" |
			sed 's/.*: *//') runs, corpus $(ls "$corpus" | wc -l)"
	else
		tail -n 60 "$tmpdir/$t.log"
		not_ok "fuzz-$t crashed: $(ls "$crashes"/"$t"-* 2>/dev/null | tr '\n' ' ')"
	fi
done
finish
