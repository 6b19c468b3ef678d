#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every fuzz target runs its seed corpus and the regression inputs of
# tests/fuzz/regress/ once, without a crash: in the normal build through the
# replay main() (tests/fuzz/replay.c), in a --enable-fuzzing build through
# libFuzzer's own (which runs the files it is given once).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/fuzz/corpus.sh"

for t in $fuzz_targets; do
	prog=$FUZZ_DIR/fuzz-$t
	[ -x "$prog" ] || { not_ok "$prog not built"; continue; }
	seeds "$t" "$tmpdir/$t"
	count=$(ls "$tmpdir/$t" | wc -l)
	check "fuzz-$t replays $count inputs" \
		sh -c '${FUZZ_WRAPPER:-} "$1" "$2"/* >"$3" 2>&1 || { cat "$3"; exit 1; }' sh "$prog" "$tmpdir/$t" "$tmpdir/$t.log"
	check "fuzz-$t has seeds" [ "$count" -gt 0 ]
done
finish
