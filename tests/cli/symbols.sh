#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# libmigmap.so's interface: lib/libmigmap.syms lists exactly the functions
# the public headers declare (the installed ones, lib/Makefile.inc.am's
# pkginclude_HEADERS), and the built library exports exactly that list,
# under its version node, with soname libmigmap.so.0 (libtool's
# -version-info 0:0:0); debian/libmigmap0.symbols lists the same.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

so=$top_builddir/lib/.libs/libmigmap.so.0
[ -f "$so" ] || skip_all "no shared library built (configure --disable-shared)"
command -v nm >/dev/null && command -v objdump >/dev/null || skip_all "nm/objdump (binutils) not installed"

syms=$top_srcdir/lib/libmigmap.syms
sed -n 's/^ *\(mm_[a-z0-9_]*\);$/\1/p' "$syms" | sort >"$tmpdir/listed"
# every mm_ function a public header declares (not the static inline freep's)
headers=$(sed -n '/^pkginclude_HEADERS/,/[^\\]$/p' "$top_srcdir/lib/Makefile.inc.am" | tr ' \\\t' '\n\n\n' | grep '\.h$')
for h in $headers; do
	${CC:-cc} -E -P -D'__attribute__(x)=' -I "$top_srcdir/lib" "$top_srcdir/$h"
done >"$tmpdir/pp.c"
grep -oE '\bmm_[a-z0-9_]+ *\(' "$tmpdir/pp.c" | tr -d ' (' | sort -u >"$tmpdir/used"
grep -oE 'static inline [^(]*\bmm_[a-z0-9_]+\(' "$tmpdir/pp.c" | grep -oE 'mm_[a-z0-9_]+' | sort -u >"$tmpdir/inline"
comm -23 "$tmpdir/used" "$tmpdir/inline" >"$tmpdir/declared"
check "headers declare functions" [ "$(wc -l <"$tmpdir/declared")" -gt 50 ]
check "libmigmap.syms lists every public function and nothing else" \
	diff -u "$tmpdir/declared" "$tmpdir/listed"

nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^MIGMAP_' | sort >"$tmpdir/exported"
sed 's/$/@@MIGMAP_0.1.0/' "$tmpdir/listed" >"$tmpdir/want"
check "libmigmap.so.0 exports exactly libmigmap.syms, versioned" diff -u "$tmpdir/want" "$tmpdir/exported"
# the Debian package's symbols file: the same list (dpkg-gensymbols fails
# the package build on a difference, but only where packages are built)
sed -n 's/^ \(mm_[a-z0-9_]*\)@MIGMAP_0.1.0 .*/\1/p' "$top_srcdir/debian/libmigmap0.symbols" |
	sort >"$tmpdir/debian"
check "debian/libmigmap0.symbols lists libmigmap.syms" diff -u "$tmpdir/listed" "$tmpdir/debian"
check "soname is libmigmap.so.0" sh -c "objdump -p '$so' | grep -q 'SONAME *libmigmap.so.0\$'"
finish
