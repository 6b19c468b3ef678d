#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap-hook run the way libvirt runs it: "DOMAIN OPERATION SUB-OPERATION
# EXTRA", the domain XML on stdin. Exit 1 and one line on a conflict, 0
# otherwise; nothing on stdout. First no migmapd (a bus address that does not
# exist), so the hook reads the config and the state directory itself; then
# the same decisions through a migmapd on a private bus.
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
# ---- a pool this host does not know: refused, saying how to make it known,
# for a start and for both operations of an incoming migration
sed 's/name=.p1./name="p9"/' "$D/g-pool.xml" >"$tmpdir/g-p9.xml"
line_p9="^migmap: domain g-pool: pool p9 is not known on host b: make it known here ('migmap pool sync p9' on a member that has it, or a pool_dir on storage all members share), or set 'unknown_pool = allow' in migmap.conf\$"
for op in "prepare begin" "migrate begin"; do
	# shellcheck disable=SC2086
	check "unknown pool, $op: refused" hook 1 "$tmpdir/g-p9.xml" g-pool $op -
	check "  the one line names pool, host and the ways out" one_line "$line_p9"
	check "  stdout empty" stdout_empty
done
# a missing state directory knows no pool either
sed "s|^state_dir = .*|state_dir = $tmpdir/nowhere|" "$tmpdir/hook.conf" >"$tmpdir/nostate.conf"
check "unknown pool, no state directory: refused" env MIGMAP_CONFIG="$tmpdir/nostate.conf" \
	sh -c '! "$0" g-pool migrate begin - <"$1" 2>"$2"' "$HOOK" "$tmpdir/g-p9.xml" "$tmpdir/err"
check "  the one line" one_line "pool p9 is not known on host b"
# a conflict found on this host says more than the unknown pool: it stays
sed 's/<memory/<metadata><migmap:pool xmlns:migmap="http:\/\/migmap.org\/xmlns\/domain\/1.0" name="p9"\/><\/metadata><memory/' \
	"$D/g-hostdev.xml" >"$tmpdir/g-hostdev-p9.xml"
check "hostdev conflict and unknown pool: refused" hook 1 "$tmpdir/g-hostdev-p9.xml" g-hostdev migrate begin -
check "  the one line is the conflict" one_line "$line_b"
cp "$tmpdir/hook.conf" "$tmpdir/allow.conf"
echo "unknown_pool = allow" >>"$tmpdir/allow.conf"
MIGMAP_CONFIG=$tmpdir/allow.conf
for op in "prepare begin" "migrate begin"; do
	# shellcheck disable=SC2086
	check "unknown_pool = allow, $op: allowed" hook 0 "$tmpdir/g-p9.xml" g-pool $op -
	check "  with a warning" grep -q "^migmap: warning: pool p9: not checked: host b does not know it (unknown_pool = allow)$" "$tmpdir/err"
done
echo "unknown_pool = maybe" >"$tmpdir/bad.conf"
MIGMAP_CONFIG=$tmpdir/bad.conf
check "unknown_pool = maybe: the config is wrong, the default holds" hook 1 "$tmpdir/g-p9.xml" g-pool migrate begin -
check "  only the refusal on stderr (the config's warning goes to the journal)" one_line "pool p9 is not known on host"
MIGMAP_CONFIG=$tmpdir/hook.conf
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

# ---- what is not libvirt's or migmap's to get wrong is refused
echo "<domain><name>x</name>" >"$tmpdir/broken.xml"
check "XML that is not well-formed: refused" hook 1 "$tmpdir/broken.xml" x prepare begin -
check "  one line from libxml2's structured error, no raw parser output" \
	one_line "^migmap: domain x: cannot read its XML: domain XML:2: malformed XML: "
# metadata <metadata xmlns:...> placed in the fitting hostdev domain: the
# host alone would allow it
meta() { sed "s|<vcpu>|<metadata>$1</metadata><vcpu>|" "$D/g-fits.xml"; }
NS="xmlns:migmap='http://migmap.org/xmlns/domain/1.0'"
meta "<migmap:other $NS/>" >"$tmpdir/g-other.xml"
check "unknown element in migmap's namespace: refused" hook 1 "$tmpdir/g-other.xml" g prepare begin -
check "  the one line says why" one_line "^migmap: domain g: invalid migmap metadata: .*unknown migmap metadata <other>"
meta "<migmap:pool $NS name='x/y'/>" >"$tmpdir/g-xy.xml"
check "pool name x/y: refused" hook 1 "$tmpdir/g-xy.xml" g migrate begin -
check "  the one line says why" one_line "invalid pool name 'x/y'"
check "  stdout stays empty" stdout_empty
meta "<migmap:pool $NS/>" >"$tmpdir/g-noname.xml"
check "pool without a name: refused" hook 1 "$tmpdir/g-noname.xml" g prepare begin -
meta "<other:x xmlns:other='urn:other'/>" >"$tmpdir/g-foreign.xml"
check "others' metadata is not migmap's: allowed" hook 0 "$tmpdir/g-foreign.xml" g prepare begin -

# ---- size never decides: every domain libvirt can hand over (up to its
# 32 MiB RPC message, VIR_NET_MESSAGE_MAX) is read and judged
pad() { # pad BYTES IN OUT: IN with another application's metadata, an
	# attribute value of BYTES characters (libxml2's default limit is 10 MB)
	{
		sed -n '1,/<name>/p' "$2"
		printf "<metadata><o:x xmlns:o='urn:o' v='"
		head -c "$1" /dev/zero | tr '\0' x
		printf "'/></metadata>\n"
		sed '1,/<name>/d' "$2"
	} >"$3"
}
pad 15000000 "$D/g-hostdev.xml" "$tmpdir/big-hostdev.xml"
check "15 MB domain (a 15 MB attribute) with a conflict: refused" \
	hook 1 "$tmpdir/big-hostdev.xml" g-hostdev prepare begin -
check "  the conflict's one line" one_line "$line_b"
pad 20000000 "$D/g-fits.xml" "$tmpdir/big-fits.xml"
check "20 MB domain that fits: allowed" hook 0 "$tmpdir/big-fits.xml" g-fits prepare begin -
check "  warnings only" sh -c '! grep -v "^migmap: warning: " "$0"' "$tmpdir/err"
pad 34000000 "$D/g-fits.xml" "$tmpdir/huge.xml"
check "larger than libvirt's limit: refused" hook 1 "$tmpdir/huge.xml" g-fits prepare begin -
check "  saying so" one_line "cannot read its XML: larger than 33554432 bytes, libvirt's own limit"
rm -f "$tmpdir"/big-*.xml "$tmpdir/huge.xml"

# ---- a FIFO as the configuration: an error (defaults then), never a hang
# that would block libvirt's domain start
mkfifo "$tmpdir/fifo.conf"
check "FIFO as the config file: the hook finishes" \
	sh -c 'MIGMAP_CONFIG=$1 timeout 120 "$0" g-fits prepare begin - <"$2" >/dev/null 2>"$3"; [ $? -ne 124 ]' \
	"$HOOK" "$tmpdir/fifo.conf" "$D/g-fits.xml" "$tmpdir/err"
check "  saying why" grep -q "fifo.conf: not a regular file" "$tmpdir/err"

# ---- usage
check "--help" hook 0 /dev/null --help
check "too few arguments: 2" hook 2 /dev/null g1 prepare
check "  one line, the hook's prefix" one_line "^migmap-hook: expected DOMAIN OPERATION SUB-OPERATION \[EXTRA\]"
check "--version" hook 0 /dev/null --version
check "  prints the version" grep -qx "migmap-hook $(sed -n 's/^AC_INIT(\[migmap\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "$tmpdir/out"
check "-h" hook 0 /dev/null -h
check "  usage" grep -q "^Usage: migmap-hook \[--config FILE\] DOMAIN" "$tmpdir/out"
check "--bogus: exit 2" hook 2 /dev/null --bogus g1 prepare begin -
check "  getopt's error, the hook's prefix" one_line "^migmap-hook: unrecognized option '--bogus' (see 'migmap-hook --help')\$"
check "--config without FILE: exit 2" hook 2 /dev/null --config
check "  one line" one_line "^migmap-hook: option needs an argument: '--config' (see 'migmap-hook --help')\$"
# --config FILE over MIGMAP_CONFIG: the broken one in the environment is not read
check "--config FILE: its settings" sh -c 'MIGMAP_CONFIG=/nonexistent/bad.conf "$0" --config "$1" g-hostdev prepare begin - <"$2" 2>"$3"; [ $? -eq 1 ]' \
	"$HOOK" "$tmpdir/hook.conf" "$D/g-hostdev.xml" "$tmpdir/err"
check "  host b's refusal" one_line "$line_b"
# as libvirt runs it, four arguments are never options: a domain named "-Z"
check "four arguments: a domain named '-Z' is no option" hook 0 /dev/null -Z release end -

# ---- the same decisions through a running migmapd (host b, pool p1). The
# hook's own state directory is empty, so a verdict naming p1's members can
# only be migmapd's.
have_bus=yes
for tool in dbus-daemon busctl dbus-send dbus-monitor python3; do
	command -v "$tool" >/dev/null 2>&1 || have_bus=
done
if [ -z "$have_bus" ]; then
	echo "# no dbus-daemon, busctl, dbus-send, dbus-monitor or python3: the migmapd part is not run"
	finish
	exit
fi
. "$top_srcdir/tests/bus/lib-bus.sh"
mkdir "$tmpdir/b.state" "$tmpdir/empty"
quiet "$MIGMAP" --state-dir "$tmpdir/b.state" pool create p1
quiet "$MIGMAP" --state-dir "$tmpdir/b.state" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
start_bus B
start_daemon b "$B_addr" "$HOSTS/arm64-hwmsi" || exit 99
DBUS_SYSTEM_BUS_ADDRESS=$B_addr
printf 'state_dir = %s\nname = b\n' "$tmpdir/empty" >"$tmpdir/daemon-hook.conf"
MIGMAP_CONFIG=$tmpdir/daemon-hook.conf
for op in "prepare begin" "migrate begin"; do
	# shellcheck disable=SC2086
	check "migmapd: pool member conflict, $op: refused" hook 1 "$D/g-pool.xml" g-pool $op -
	check "  the one line names range, host b and its devices" one_line \
		"^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b (group 0, "
	check "  stdout empty" stdout_empty
	# shellcheck disable=SC2086
	check "migmapd: hostdev conflict on this host, $op: refused" hook 1 "$D/g-hostdev.xml" g-hostdev $op -
	check "  the one line" one_line "$line_b"
	# shellcheck disable=SC2086
	check "migmapd: unknown pool, $op: refused" hook 1 "$tmpdir/g-p9.xml" g-pool $op -
	check "  the one line names pool, host and the ways out" one_line "$line_p9"
	# shellcheck disable=SC2086
	check "migmapd: fits, $op: allowed" hook 0 "$D/g-fits.xml" g-fits $op -
done
echo "unknown_pool = allow" >>"$tmpdir/daemon-hook.conf"
check "migmapd: unknown pool with unknown_pool = allow: allowed" hook 0 "$tmpdir/g-p9.xml" g-pool migrate begin -
check "  with a warning" grep -q "^migmap: warning: pool p9: not checked: host b does not know it" "$tmpdir/err"
# the pool made known to migmapd: the same domain is judged against it
quiet call "$B_addr" CreatePool s p9
quiet call "$B_addr" AddHost ss p9 "$(cat "$EX/b.xml")"
check "migmapd: p9 now known, b in it: refused for b's doorbell" hook 1 "$tmpdir/g-p9.xml" g-pool migrate begin -
check "  the one line" one_line "on host b (group 0, "
finish
