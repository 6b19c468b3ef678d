#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap show: the SVG is well-formed XML, and the ranges it draws are the
# maps' own (read from the host map XML files by
# tests/oracle/show-check.py, not by migmap); text lanes print without
# colour when piped or with NO_COLOR.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3 || true)
EX=$top_srcdir/examples/pool
cat >"$tmpdir/g1.xml" <<'XML'
<domain type='kvm'>
  <name>g1</name>
  <memory unit='GiB'>8</memory>
  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
  <features><gic version='3'/></features>
</domain>
XML
check "show --svg exits 0" "$MIGMAP" show --svg "$tmpdir/p.svg" --domain "$tmpdir/g1.xml" \
	"$EX/a.xml" "$EX/b.xml" "$EX/c.xml" >"$tmpdir/text"
[ -n "${XMLLINT:-}" ] || XMLLINT=$(command -v xmllint || true)
if [ -n "$XMLLINT" ]; then
	check "the SVG is well-formed XML" "$XMLLINT" --noout "$tmpdir/p.svg"
fi
if [ -n "$PYTHON3" ]; then
	check "the SVG draws every host's reserved ranges, the pool and the guest" \
		"$PYTHON3" "$top_srcdir/tests/oracle/show-check.py" "$tmpdir/p.svg" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
fi
check "text: one lane per host, the pool and the guest" \
	sh -c 'grep -c "^a \|^b \|^c \|^pool \|^guest " "$0" | grep -qx 5' "$tmpdir/text"
check "text: the conflicting RAM is marked" grep -q '^guest .*!' "$tmpdir/text"
check "text: no colour when piped" sh -c '! grep -q "$(printf "\033")" "$0"' "$tmpdir/text"
check "show --json" sh -c '"$0" show --json "$1" | grep -q "\"lanes\""' "$MIGMAP" "$EX/a.xml"
check "show without hosts is a usage error" sh -c '! "$0" show 2>/dev/null' "$MIGMAP"
# --svg -: the SVG alone on stdout, no file named '-'
check "show --svg -" sh -c 'cd "$0" && "$1" show --svg - "$2" >svg.out && [ ! -e ./- ]' "$tmpdir" "$MIGMAP" "$EX/a.xml"
check "  stdout is one SVG document" sh -c 'head -c 5 "$0" | grep -q "^<svg" && [ "$(grep -c "</svg>" "$0")" -eq 1 ]' "$tmpdir/svg.out"
if [ -n "$XMLLINT" ]; then
	check "  well-formed XML" "$XMLLINT" --noout "$tmpdir/svg.out"
fi
check "show --svg - --json is a usage error" sh -c '! "$0" show --svg - --json "$1" >/dev/null 2>&1' "$MIGMAP" "$EX/a.xml"
finish
