#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The license: COPYING holds the LGPL 2.1 text, and every source file of the
# tree (C, shell, Python, automake, autoconf) names it in an SPDX line near
# its top, as the SPDX specification's short-form identifiers ask.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

check "COPYING is the GNU LGPL 2.1" grep -q 'GNU LESSER GENERAL PUBLIC LICENSE' "$top_srcdir/COPYING"
check "COPYING is version 2.1" grep -q 'Version 2.1, February 1999' "$top_srcdir/COPYING"

# the source folders and the top's build files only: a build tree or an
# install (make distcheck's _build and _inst) may sit inside the source
missing=$(cd "$top_srcdir" && find lib common tools daemon tests .ci configure.ac autogen.sh Makefile.am \
		-path tests/data -prune -o -type f \
		\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.am' \
		-o -name configure.ac -o -name autogen.sh -o -path '.ci/*' \) -print 2>/dev/null |
	while read -r f; do
		head -n 3 "$f" | grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' || echo "$f"
	done)
check "every source file has an SPDX line${missing:+ (missing: $missing)}" [ -z "$missing" ]
finish
