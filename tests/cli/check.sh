#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap check and plan from the outside: exit 0/1/2, one line per conflict
# and per error, and a plan that check accepts.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
EX=$top_srcdir/examples/pool

run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...

# 8 GiB from 1 GiB runs over host b's ITS doorbell page and host c's RMR
cat >"$tmpdir/g1.xml" <<'XML'
<domain type='kvm'>
  <name>g1</name>
  <memory unit='GiB'>8</memory>
  <vcpu>2</vcpu>
  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
  <features><gic version='3'/></features>
</domain>
XML
check "check --help" run 0 "$tmpdir/o" check --help
check "check finds the conflicts" run 1 "$tmpdir/check.txt" check --domain "$tmpdir/g1.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "one line names the doorbell, the host and its devices" \
	grep -q "^error: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, " "$tmpdir/check.txt"
check "one line names the RMR on host c" \
	grep -q "^error: guest RAM 0x40000000-0x23fffffff meets direct 0xfbe00000-0xfbffffff on host c " "$tmpdir/check.txt"
check "host a alone: no conflict" run 0 "$tmpdir/o" check --domain "$tmpdir/g1.xml" "$EX/a.xml"
check "check --json" run 1 "$tmpdir/check.json" check --json --domain "$tmpdir/g1.xml" "$EX/b.xml"
check "JSON says not ok" grep -q '"ok": false' "$tmpdir/check.json"

check "plan proposes a layout" run 0 "$tmpdir/plan.xml" plan --domain "$tmpdir/g1.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "plan notes on stderr" grep -q "^migmap: note: initial RAM 1664 MiB ends before 0xa8000000" "$tmpdir/err"
check "the plan checks without a warning" sh -c '"$0" check --domain "$1" "$2" "$3" "$4" | grep -q "^ok: 0 errors, 0 warnings"' "$MIGMAP" "$tmpdir/plan.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "the plan passes check" run 0 "$tmpdir/o" check --domain "$tmpdir/plan.xml" "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "plan --json" run 0 "$tmpdir/plan.json" plan --json --domain "$tmpdir/g1.xml" "$EX/b.xml"

# a guest too big for a 40-bit pool: exit 1, one line saying why
cat >"$tmpdir/big.xml" <<'XML'
<domain type='kvm'>
  <name>big</name>
  <memory unit='GiB'>2048</memory>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <cpu mode='custom'><model>Skylake-Server</model></cpu>
</domain>
XML
"$MIGMAP" host --name amd --sysroot "$HOSTS/x86-q35-amdvi" >"$tmpdir/amd.xml"
check "no plan: exit 1" run 1 "$tmpdir/o" plan --domain "$tmpdir/big.xml" "$tmpdir/amd.xml"
check "no plan: one line" sh -c '[ "$(wc -l <"$0")" -eq 1 ] && grep -q "^migmap: no valid plan: .*40-bit limit" "$0"' "$tmpdir/err"

# colours: on a terminal only, never with NO_COLOR
check "no colour when piped" sh -c '! grep -q "$(printf "\033")" "$0"' "$tmpdir/check.txt"
if command -v script >/dev/null; then
	script -qec "'$MIGMAP' check --domain '$tmpdir/g1.xml' '$EX/b.xml'" /dev/null >"$tmpdir/tty" 2>&1
	check "colour on a terminal" grep -q "$(printf '\033')\[1;31merror:" "$tmpdir/tty"
	script -qec "NO_COLOR=1 '$MIGMAP' check --domain '$tmpdir/g1.xml' '$EX/b.xml'" /dev/null >"$tmpdir/tty" 2>&1
	check "no colour with NO_COLOR" sh -c '! grep -q "$(printf "\033")" "$0"' "$tmpdir/tty"
fi

# bad input: exit 2
check "no --domain" run 2 "$tmpdir/o" check "$EX/a.xml"
check "  message" err_is "migmap: check: --domain FILE or --name NAME is required (see 'migmap check --help')"
check "--domain and --name" run 2 "$tmpdir/o" plan --domain "$tmpdir/g1.xml" --name g1 "$EX/a.xml"
check "  message" err_is "migmap: plan: --domain and --name exclude each other (see 'migmap plan --help')"
# without -c a bare word is a file, never a libvirt domain looked up
(cd "$tmpdir" && "$MIGMAP" check --domain g1 "$EX/a.xml" >"$tmpdir/o" 2>"$tmpdir/err")
check "a mistyped file name: exit 2" [ $? -eq 2 ]
check "  says how to name a domain" err_is "migmap: g1: No such file or directory (use --name or -c URI for a libvirt domain)"
(cd "$tmpdir" && "$MIGMAP" plan --domain g1 "$EX/a.xml" >"$tmpdir/o" 2>"$tmpdir/err")
check "plan: the same" err_is "migmap: g1: No such file or directory (use --name or -c URI for a libvirt domain)"
printf "<domain><name>x</name>\n<os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>\n<memory unit='parsec'>1</memory></domain>\n" >"$tmpdir/bad.xml"
check "bad domain" run 2 "$tmpdir/o" check --domain "$tmpdir/bad.xml" "$EX/a.xml"
check "bad domain: file and line" grep -q "^migmap: $tmpdir/bad.xml:3: .*parsec" "$tmpdir/err"
check "x86 guest on arm64 hosts" run 2 "$tmpdir/o" check --domain "$tmpdir/big.xml" "$EX/a.xml"
check "arch mismatch: message" grep -q "^migmap: check: the guest is x86_64 but host a is aarch64" "$tmpdir/err"

# libxml2's errors come back through its structured handler: one line, never
# its raw report with a line of the document (an 11 MB text node in 1000-byte
# pieces is past libxml2's 10 MB limit, which it reports on its own)
{
	printf '<domain><description>'
	yes "$(head -c 995 /dev/zero | tr '\0' x)&amp;" | head -n 11000 | tr -d '\n'
	printf '</description></domain>\n'
} >"$tmpdir/huge-text.xml"
check "huge text node: refused" run 2 "$tmpdir/o" check --domain "$tmpdir/huge-text.xml" "$EX/a.xml"
check "  one line, libxml2's message" err_is \
	"migmap: $tmpdir/huge-text.xml:1: malformed XML: xmlSAX2Characters: huge text node"
finish
