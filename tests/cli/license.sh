#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The license: COPYING holds the LGPL 2.1 text, and every source file of the
# tree (C, shell, Python, automake, autoconf) names it in an SPDX line near
# its top, as the SPDX specification's short-form identifiers ask.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

check "COPYING is the GNU LGPL 2.1" grep -q 'GNU LESSER GENERAL PUBLIC LICENSE' "$top_srcdir/COPYING"
check "COPYING is version 2.1" grep -q 'Version 2.1, February 1999' "$top_srcdir/COPYING"

missing=$(cd "$top_srcdir" && find . \( -path ./tests/data -o -path ./autom4te.cache -o -path ./build-aux \
		-o -path './migmap-*' -o -path ./m4 -o -path ./debian \) -prune -o -type f \
		\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.am' \
		-o -name configure.ac -o -name autogen.sh \) -print |
	grep -v '^\./config\.h$' |
	while read -r f; do
		head -n 3 "$f" | grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' || echo "$f"
	done)
check "every source file has an SPDX line${missing:+ (missing: $missing)}" [ -z "$missing" ]
finish
