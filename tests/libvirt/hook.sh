#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap-hook run the way libvirt runs it: "DOMAIN OPERATION SUB-OPERATION
# EXTRA", the domain XML on stdin. Exit 1 and one line on a conflict, 0
# otherwise; nothing on stdout; no migmapd here (a bus address that does not
# exist), so the hook reads the config and the state directory itself.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
D=$top_srcdir/tests/data/libvirt
EX=$top_srcdir/examples/pool
[ -x "$HOOK" ] || skip_all "$HOOK not built"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus
export DBUS_SYSTEM_BUS_ADDRESS

# This host is b (hardware MSI doorbells); pool p1 is the example pool.
state=$tmpdir/state
cat >"$tmpdir/hook.conf" <<CONF
sysroot = $HOSTS/arm64-hwmsi
state_dir = $state
name = b
CONF
MIGMAP_CONFIG=$tmpdir/hook.conf
export MIGMAP_CONFIG
quiet() { "$@" >/dev/null; }
mkdir "$state"
quiet "$MIGMAP" --state-dir "$state" pool create p1
quiet "$MIGMAP" --state-dir "$state" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"

# hook WANT_RC DOMAIN.xml ARGS...: run it; stdout in $tmpdir/out, stderr in $tmpdir/err
hook() {
	want=$1 xml=$2
	shift 2
	"$HOOK" "$@" <"$xml" >"$tmpdir/out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  exit $rc, wanted $want: $*"; cat "$tmpdir/err"; return 1; }
}
one_line() { # the error is exactly one line, naming what and where
	[ "$(wc -l <"$tmpdir/err")" -eq 1 ] && grep -q -- "$1" "$tmpdir/err" ||
		{ echo "  stderr:"; cat "$tmpdir/err"; return 1; }
}
stdout_empty() { [ ! -s "$tmpdir/out" ] || { echo "  stdout:"; cat "$tmpdir/out"; return 1; }; }

line_b="^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, 0002:f8:00.0"

# ---- no stored host.xml: the hook probes the sysroot
check "hostdev, no host.xml: prepare begin refused" hook 1 "$D/g-hostdev.xml" g-hostdev prepare begin -
check "the one line names guest range, msi range, host, group, device" one_line "$line_b"
check "stdout stays empty" stdout_empty
check "hostdev that fits: allowed" hook 0 "$D/g-fits.xml" g-fits prepare begin -
check "  warnings only" sh -c '! grep -v "^migmap: warning: " "$0"' "$tmpdir/err"

# ---- incoming migration: same verdict, never a word on stdout
check "migrate begin refused" hook 1 "$D/g-hostdev.xml" g-hostdev migrate begin -
check "migrate begin: one line" one_line "$line_b"
check "migrate begin: stdout empty (libvirt keeps the XML)" stdout_empty
check "migrate begin, fits: allowed" hook 0 "$D/g-fits.xml" g-fits migrate begin -
check "migrate begin, fits: stdout empty" stdout_empty

# ---- every other operation: exit 0 at once (not even reading the config)
for op in "start begin" "started begin" "stopped end" "release end" "reconnect begin" \
	"attach begin" "restore begin" "migrate end" "prepare end"; do
	# shellcheck disable=SC2086
	check "$op: allowed" env MIGMAP_CONFIG=/nonexistent/bad.conf "$HOOK" g-hostdev $op - \
		<"$D/g-hostdev.xml"
done

# ---- the pool named in the metadata
check "pool member conflict: refused" hook 1 "$D/g-pool.xml" g-pool prepare begin -
check "pool: one line names host b" one_line "^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, "
check "no hostdev, no pool: allowed" hook 0 "$D/g-plain.xml" g-plain prepare begin -
check "  without a word" [ ! -s "$tmpdir/err" ]
check "  even with a broken config" env MIGMAP_CONFIG=/nonexistent "$HOOK" g-plain prepare begin - \
	<"$D/g-plain.xml"
sed 's/name=.p1./name="p9"/' "$D/g-pool.xml" >"$tmpdir/g-p9.xml"
check "unknown pool: allowed" hook 0 "$tmpdir/g-p9.xml" g-pool prepare begin -
check "  with a warning" grep -q "^migmap: warning: pool p9: not checked: no pool 'p9'" "$tmpdir/err"
quiet "$MIGMAP" --state-dir "$state" pool create empty
sed 's/name=.p1./name="empty"/' "$D/g-pool.xml" >"$tmpdir/g-empty.xml"
check "empty pool: allowed with a warning" hook 0 "$tmpdir/g-empty.xml" g-pool prepare begin -
check "  the warning" grep -q "pool 'empty' has no hosts yet" "$tmpdir/err"

# ---- a stored host.xml is used as it is: no probe
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-smmuv3" --name a >"$state/host.xml"
check "stored host.xml (a host that fits): allowed" hook 0 "$D/g-hostdev.xml" g-hostdev prepare begin -
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$state/host.xml"
check "stored host.xml of b: refused" hook 1 "$D/g-hostdev.xml" g-hostdev prepare begin -
check "  the one line" one_line "$line_b"

# ---- what migmap cannot judge does not stop a domain
sed 's/virt-7.2/sbsa-ref/' "$D/g-hostdev.xml" >"$tmpdir/g-sbsa.xml"
check "machine not modelled: allowed" hook 0 "$tmpdir/g-sbsa.xml" g-sbsa prepare begin -
check "  with a warning" grep -q "^migmap: warning: this host: not checked" "$tmpdir/err"
echo "<domain><name>x</name>" >"$tmpdir/broken.xml"
check "unreadable XML: allowed" hook 0 "$tmpdir/broken.xml" x prepare begin -
check "  with a warning" grep -q "^migmap: warning: domain x not checked" "$tmpdir/err"

# ---- usage
check "--help" hook 0 /dev/null --help
check "too few arguments: 2" hook 2 /dev/null g1 prepare
finish
