#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap-hook asking a running migmapd (its production path): the same
# decisions as without it, and migmapd's own limits never let a domain
# through unchecked. The system bus is a private one with migmapd for host b
# (hardware MSI doorbells) on it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
D=$top_srcdir/tests/data/libvirt
[ -x "$HOOK" ] || skip_all "$HOOK not built"

start_bus sys
start_daemon b "$sys_addr" "$HOSTS/arm64-hwmsi" || exit 1
DBUS_SYSTEM_BUS_ADDRESS=$sys_addr
export DBUS_SYSTEM_BUS_ADDRESS
# the local fallback would see the same host b
cat >"$tmpdir/hook.conf" <<CONF
sysroot = $HOSTS/arm64-hwmsi
state_dir = $tmpdir/b.state
name = b
CONF
MIGMAP_CONFIG=$tmpdir/hook.conf
export MIGMAP_CONFIG

hook() { # hook WANT_RC DOMAIN.xml NAME: stderr in $tmpdir/err
	"$HOOK" "$3" prepare begin - <"$2" >"$tmpdir/out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$1" ] || { echo "  exit $rc, wanted $1"; cat "$tmpdir/err"; return 1; }
}
line_b="^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, 0002:f8:00.0"

check "conflict, through migmapd: refused" hook 1 "$D/g-hostdev.xml" g-hostdev
check "  the one line" grep -q "$line_b" "$tmpdir/err"
check "fits, through migmapd: allowed" hook 0 "$D/g-fits.xml" g-fits
check "no hostdev, no pool: allowed" hook 0 "$D/g-plain.xml" g-plain

meta() { sed "s|<vcpu>|<metadata>$1</metadata><vcpu>|" "$D/g-fits.xml"; }
meta "<migmap:other xmlns:migmap='http://migmap.org/xmlns/domain/1.0'/>" >"$tmpdir/g-other.xml"
check "malformed migmap metadata: refused before asking" hook 1 "$tmpdir/g-other.xml" g
check "  saying why" grep -q "invalid migmap metadata" "$tmpdir/err"

# A 20 MB domain is over migmapd's 16 MiB document limit: migmapd answers
# with an error and the hook judges the domain itself rather than letting
# it start unchecked.
{
	sed -n '1,/<name>/p' "$D/g-hostdev.xml"
	printf "<metadata><o:x xmlns:o='urn:o' v='"
	head -c 20000000 /dev/zero | tr '\0' x
	printf "'/></metadata>\n"
	sed '1,/<name>/d' "$D/g-hostdev.xml"
} >"$tmpdir/big.xml"
check "20 MB conflicting domain, migmapd refuses the size: still refused" \
	hook 1 "$tmpdir/big.xml" g-hostdev
check "  for the conflict" grep -q "$line_b" "$tmpdir/err"
stop_daemon "$daemon_pid"
finish
