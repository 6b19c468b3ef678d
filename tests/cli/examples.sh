#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The example pool's host maps are what migmap makes of their fixtures today
# (examples/pool/README.md says how to regenerate them).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
for p in a:arm64-virt-smmuv3 b:arm64-hwmsi c:arm64-rmr; do
	name=${p%%:*} host=${p#*:}
	SOURCE_DATE_EPOCH=1764000000 "$MIGMAP" host --name "$name" --sysroot "$HOSTS/$host" >"$tmpdir/$name.xml"
	check "examples/pool/$name.xml is up to date with $host" \
		cmp "$tmpdir/$name.xml" "$top_srcdir/examples/pool/$name.xml"
done
"$MIGMAP" show --svg "$tmpdir/picture.svg" --domain "$top_srcdir/examples/guest.xml" \
	"$top_srcdir/examples/pool/a.xml" "$top_srcdir/examples/pool/b.xml" \
	"$top_srcdir/examples/pool/c.xml" >/dev/null
check "examples/pool/picture.svg is up to date" \
	cmp "$tmpdir/picture.svg" "$top_srcdir/examples/pool/picture.svg"
finish
