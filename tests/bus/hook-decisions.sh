#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every decision migmap-hook(8) lists (DECISIONS, EXIT STATUS), made twice:
# through a running migmapd (the production path, tools/hook-daemon.c) and
# with migmapd absent (the local path, tools/hook-local.c). Both must give
# the same exit status and the same standard error, the one line libvirt
# shows. The migmapd is host b (hardware MSI doorbells) on a private system
# bus; without it the hook reads b's own state directory. While migmapd runs
# the hook's settings file points at an empty state directory and a host
# that fits everything (a decoy), so a refusal there can only be migmapd's;
# a dbus-monitor records whether the hook asked migmapd at all.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
HOOK=${HOOK:-$top_builddir/tools/migmap-hook}
D=$top_srcdir/tests/data/libvirt
EX=$top_srcdir/examples/pool
[ -x "$HOOK" ] || skip_all "$HOOK not built"

start_bus sys
start_daemon b "$sys_addr" "$HOSTS/arm64-hwmsi" || exit 99
pid_b=$daemon_pid
S=$tmpdir/b.state
mkdir "$tmpdir/empty"
# without migmapd: b's settings and b's state (what migmapd itself uses)
printf 'sysroot = %s\nstate_dir = %s\nname = b\n' "$HOSTS/arm64-hwmsi" "$S" >"$tmpdir/local.conf"
# through migmapd: an empty state and a host every test domain fits
printf 'sysroot = %s\nstate_dir = %s\nname = b\n' "$HOSTS/arm64-virt-smmuv3" "$tmpdir/empty" \
	>"$tmpdir/decoy.conf"
for f in local decoy; do
	cp "$tmpdir/$f.conf" "$tmpdir/$f-allow.conf"
	echo "unknown_pool = allow" >>"$tmpdir/$f-allow.conf"
done

# b's pools, made through migmapd: p1 (examples/pool a, b, c), an empty
# one, and sp, where b is joined by a remote member r that is gone when sp
# is refreshed (stale)
quiet call "$sys_addr" CreatePool s p1
for h in a b c; do quiet call "$sys_addr" AddHost ss p1 "$(cat "$EX/$h.xml")"; done
quiet call "$sys_addr" CreatePool s empty
start_bus R
start_daemon r "$R_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
pid_r=$daemon_pid
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
quiet call "$sys_addr" CreatePool s sp
quiet call "$sys_addr" AddHost ss sp "$(cat "$tmpdir/b.xml")"
quiet call "$sys_addr" AddRemoteHost ss sp "$R_addr"
stop_daemon "$pid_r"
quiet call "$sys_addr" RefreshPool s sp
check "setup: r is stale in sp" grep -q '"stale": true' "$S/pools/sp/remote.json"

dbus-monitor --address "$sys_addr" \
	"type='method_call',interface='$IFACE'" >"$tmpdir/calls" 2>&1 &
bg_pids="$bg_pids $!"
wait_for "$tmpdir/calls" "member=NameLost"

# asked: how many CheckDomain calls migmapd got so far. A ListPools of our
# own after each run, once the monitor saw it, means it saw the hook's too.
sentinels=0
asked() {
	sentinels=$((sentinels + 1))
	quiet call "$sys_addr" ListPools
	i=0
	until [ "$(grep -c 'member=ListPools' "$tmpdir/calls")" -ge "$sentinels" ]; do
		i=$((i + 1))
		[ $i -le 1200 ] || { echo "  the monitor missed ListPools"; return 1; }
		sleep 0.05
	done
	grep -c 'member=CheckDomain' "$tmpdir/calls"
}

# decide WHAT ASKS WANT_RC PATTERN XML ARGS...: the hook on XML with ARGS
# (DOMAIN OPERATION SUB-OPERATION EXTRA, or options), through migmapd and
# without it. ASKS: yes when the hook must ask migmapd, no when it decides
# before asking, "-" not looked at. Both runs exit WANT_RC; the stderr of the first matches
# PATTERN (grep -E; "" for an empty stderr) and both are the same.
# Through migmapd the settings are $conf_d, without it $conf_l.
conf_d=$tmpdir/decoy.conf conf_l=$tmpdir/local.conf
rc_is() { # rc_is RC WANT STDERR-FILE
	[ "$1" -eq "$2" ] || { echo "  exit $1, wanted $2:"; cat "$3"; return 1; }
}
stderr_is() { # stderr_is PATTERN FILE: matches, or empty for ""
	if [ -n "$1" ]; then
		grep -qE -- "$1" "$2" || { echo "  stderr:"; cat "$2"; return 1; }
	else
		[ ! -s "$2" ] || { echo "  stderr:"; cat "$2"; return 1; }
	fi
}
cmp_err() {
	cmp -s "$tmpdir/err.d" "$tmpdir/err.l" || { diff "$tmpdir/err.d" "$tmpdir/err.l"; return 1; }
}
decide() {
	what=$1 asks=$2 want=$3 pattern=$4 xml=$5
	shift 5
	before=$(asked)
	DBUS_SYSTEM_BUS_ADDRESS=$sys_addr MIGMAP_CONFIG=$conf_d \
		"$HOOK" "$@" <"$xml" >"$tmpdir/out.d" 2>"$tmpdir/err.d"
	rc_d=$?
	after=$(asked)
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus MIGMAP_CONFIG=$conf_l \
		"$HOOK" "$@" <"$xml" >"$tmpdir/out.l" 2>"$tmpdir/err.l"
	rc_l=$?
	check "$what, through migmapd: exit $want" rc_is "$rc_d" "$want" "$tmpdir/err.d"
	case $asks in
	yes) check "  migmapd was asked" [ "$after" -gt "$before" ] ;;
	no) check "  migmapd was not asked" [ "$after" -eq "$before" ] ;;
	esac
	check "  stderr: ${pattern:-empty}" stderr_is "$pattern" "$tmpdir/err.d"
	check "  nothing on stdout (libvirt would take it as the XML)" \
		sh -c '[ ! -s "$0" ] && [ ! -s "$1" ]' "$tmpdir/out.d" "$tmpdir/out.l"
	check "$what, without migmapd: exit $want" rc_is "$rc_l" "$want" "$tmpdir/err.l"
	check "  the same stderr" cmp_err
}

line_b="^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b \(group 0, 0002:f8:00\.0"
line_pool_b="^migmap: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b \(group 0, "
# b's map has no address limit: a warning, which never stops a domain
no_limit="^migmap: warning: this host: no member knows its address limit"
NS="xmlns:migmap='http://migmap.org/xmlns/domain/1.0'"
meta() { # meta METADATA IN OUT: IN with <metadata>METADATA</metadata>
	sed "s|<vcpu>|<metadata>$1</metadata><vcpu>|" "$2" >"$3"
}

# ---- nothing to check: exit 0 at once
decide "no hostdev, no pool" no 0 "" "$D/g-plain.xml" g-plain prepare begin -
meta "<o:x xmlns:o='urn:o'/>" "$D/g-plain.xml" "$tmpdir/g-foreign.xml"
decide "others' metadata only, no hostdev" no 0 "" "$tmpdir/g-foreign.xml" g-plain prepare begin -

# ---- this host: hostdev domains, for a start and an incoming migration
for op in "prepare begin" "migrate begin"; do
	# shellcheck disable=SC2086
	decide "hostdev, clean, $op" yes 0 "$no_limit" "$D/g-fits.xml" g-fits $op -
	check "  warnings only" sh -c '! grep -v "^migmap: warning: " "$0"' "$tmpdir/err.d"
	# shellcheck disable=SC2086
	decide "hostdev, conflict, $op" yes 1 "$line_b" "$D/g-hostdev.xml" g-hostdev $op -
	check "  one line" [ "$(wc -l <"$tmpdir/err.d")" -eq 1 ]
done

# ---- every other operation: exit 0 without reading anything
for op in "start begin" "started begin" "stopped end" "release end" "reconnect begin" \
	"attach begin" "restore begin" "migrate end" "prepare end"; do
	# shellcheck disable=SC2086
	decide "conflicting domain, $op" no 0 "" "$D/g-hostdev.xml" g-hostdev $op -
done

# ---- the pool named in the metadata
decide "pool member conflict" yes 1 "$line_pool_b" "$D/g-pool.xml" g-pool prepare begin -
decide "pool member conflict, migrate begin" yes 1 "$line_pool_b" "$D/g-pool.xml" g-pool migrate begin -
sed 's/name=.p1./name="empty"/' "$D/g-pool.xml" >"$tmpdir/g-empty.xml"
decide "pool without hosts" yes 0 "^migmap: warning: pool empty: not checked: pool 'empty' has no hosts yet\$" \
	"$tmpdir/g-empty.xml" g-pool prepare begin -
meta "<migmap:pool $NS name='sp'/>" "$D/g-fits.xml" "$tmpdir/g-sp.xml"
fetched=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
decide "stale member, domain fits" yes 0 \
	"^migmap: warning: .*host 'r' is stale: .*its map was fetched $fetched" \
	"$tmpdir/g-sp.xml" g-sp prepare begin -

# ---- a pool this host does not know: refused, unless unknown_pool = allow
sed 's/name=.p1./name="p9"/' "$D/g-pool.xml" >"$tmpdir/g-p9.xml"
line_p9="^migmap: domain g-pool: pool p9 is not known on host b: make it known here \('migmap pool sync p9' on a member that has it, or a pool_dir on storage all members share\), or set 'unknown_pool = allow' in migmap.conf\$"
decide "unknown pool" yes 1 "$line_p9" "$tmpdir/g-p9.xml" g-pool prepare begin -
decide "unknown pool, migrate begin" yes 1 "$line_p9" "$tmpdir/g-p9.xml" g-pool migrate begin -
meta "<migmap:pool $NS name='p9'/>" "$D/g-hostdev.xml" "$tmpdir/g-hostdev-p9.xml"
decide "unknown pool and a hostdev conflict: the conflict's line" yes 1 "$line_b" \
	"$tmpdir/g-hostdev-p9.xml" g-hostdev prepare begin -
conf_d=$tmpdir/decoy-allow.conf conf_l=$tmpdir/local-allow.conf
decide "unknown pool, unknown_pool = allow" yes 0 \
	"^migmap: warning: pool p9: not checked: host b does not know it \(unknown_pool = allow\)\$" \
	"$tmpdir/g-p9.xml" g-pool prepare begin -
decide "unknown pool and a conflict, unknown_pool = allow" yes 1 "$line_b" \
	"$tmpdir/g-hostdev-p9.xml" g-hostdev prepare begin -
check "  the conflict alone on stderr (the warning goes to the journal)" \
	[ "$(wc -l <"$tmpdir/err.d")" -eq 1 ]
conf_d=$tmpdir/decoy.conf conf_l=$tmpdir/local.conf

# ---- what the hook cannot read or migmap does not model
meta "<migmap:other $NS/>" "$D/g-fits.xml" "$tmpdir/g-other.xml"
decide "malformed migmap metadata (unknown element)" no 1 \
	"^migmap: domain g: invalid migmap metadata: .*unknown migmap metadata <other>" \
	"$tmpdir/g-other.xml" g prepare begin -
meta "<migmap:pool $NS name='x/y'/>" "$D/g-fits.xml" "$tmpdir/g-xy.xml"
decide "malformed migmap metadata (pool x/y)" no 1 "invalid migmap metadata: .*invalid pool name 'x/y'" \
	"$tmpdir/g-xy.xml" g migrate begin -
meta "<migmap:pool $NS/>" "$D/g-fits.xml" "$tmpdir/g-noname.xml"
decide "malformed migmap metadata (pool without a name)" no 1 "^migmap: domain g: invalid migmap metadata: " \
	"$tmpdir/g-noname.xml" g prepare begin -
echo "<domain><name>x</name>" >"$tmpdir/broken.xml"
decide "XML not well-formed" no 1 "^migmap: domain x: cannot read its XML: domain XML:2: malformed XML: " \
	"$tmpdir/broken.xml" x prepare begin -
echo "<network><name>x</name></network>" >"$tmpdir/network.xml"
decide "not a <domain>" no 1 "^migmap: domain x: cannot read its XML: .*root element is <network>, not a libvirt <domain>" \
	"$tmpdir/network.xml" x prepare begin -
sed '/<memory/d' "$D/g-hostdev.xml" >"$tmpdir/g-nomem.xml"
decide "a domain migmap does not model (no <memory>)" no 0 \
	"^migmap: warning: domain g-hostdev not checked: .*lacks <memory>" \
	"$tmpdir/g-nomem.xml" g-hostdev prepare begin -
sed 's/virt-7.2/sbsa-ref/' "$D/g-hostdev.xml" >"$tmpdir/g-sbsa.xml"
decide "machine type migmap does not model" yes 0 "^migmap: warning: this host: not checked: " \
	"$tmpdir/g-sbsa.xml" g-sbsa prepare begin -

# ---- size: up to libvirt's 32 MiB every domain is read and judged. Over
# migmapd's own 16 MiB limit the call fails and the hook judges the domain
# itself (here with b's settings: the decoy would let the conflict in, the
# fallback reads the state migmapd uses). Whether the monitor sees a call
# that large is the bus's business: not looked at.
pad() { # pad BYTES IN OUT: IN with another application's BYTES-long attribute
	{
		sed -n '1,/<name>/p' "$2"
		printf "<metadata><o:x xmlns:o='urn:o' v='"
		head -c "$1" /dev/zero | tr '\0' x
		printf "'/></metadata>\n"
		sed '1,/<name>/d' "$2"
	} >"$3"
}
pad 20000000 "$D/g-hostdev.xml" "$tmpdir/big.xml"
conf_d=$tmpdir/local.conf
decide "20 MB domain with a conflict" - 1 "$line_b" "$tmpdir/big.xml" g-hostdev prepare begin -
conf_d=$tmpdir/decoy.conf
check "  one line" [ "$(wc -l <"$tmpdir/err.d")" -eq 1 ]
pad 34000000 "$D/g-fits.xml" "$tmpdir/big.xml"
decide "larger than libvirt's 32 MiB" no 1 \
	"^migmap: domain g-fits: cannot read its XML: larger than 33554432 bytes, libvirt's own limit\$" \
	"$tmpdir/big.xml" g-fits prepare begin -
rm -f "$tmpdir/big.xml"

# ---- settings the hook cannot read: a warning to the journal, the defaults
# (here: the built-in state directory, which knows no pool p9)
echo "unknown_pool = maybe" >"$tmpdir/bad.conf"
conf_d=$tmpdir/bad.conf conf_l=$tmpdir/bad.conf
decide "unreadable settings, unknown pool" yes 1 "pool p9 is not known on host " \
	"$tmpdir/g-p9.xml" g-pool prepare begin -
conf_d=$tmpdir/decoy.conf conf_l=$tmpdir/local.conf

# ---- not run as libvirt runs it: exit 2
decide "too few arguments" no 2 "^migmap-hook: expected DOMAIN OPERATION SUB-OPERATION" /dev/null g1 prepare
decide "a bad option" no 2 "^migmap-hook: unrecognized option '--bogus'" /dev/null --bogus g1 prepare begin -

# ---- the local path's own inputs (migmapd has its map and its state):
# this host from a sysroot, a stored host.xml or neither
nobus() { # nobus WANT_RC CONFIG XML NAME: the hook without migmapd
	MIGMAP_CONFIG=$2 DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus \
		"$HOOK" "$4" prepare begin - <"$3" >"$tmpdir/out" 2>"$tmpdir/err"
	rc_is $? "$1" "$tmpdir/err"
}
printf 'sysroot = %s\nstate_dir = %s\n' "$HOSTS/bad-truncated" "$tmpdir/empty" >"$tmpdir/noprobe.conf"
check "no migmapd, this host cannot be probed: allowed" nobus 0 "$tmpdir/noprobe.conf" "$D/g-hostdev.xml" g-hostdev
check "  with a warning saying why" grep -q "^migmap: warning: this host: not checked: cannot probe it: .*truncated line" "$tmpdir/err"
printf 'sysroot = %s\nstate_dir = %s\nname = b\n' "$HOSTS/arm64-hwmsi" "$tmpdir/b.xml" >"$tmpdir/filestate.conf"
check "no migmapd, state_dir is a file: the sysroot still judged, refused" \
	nobus 1 "$tmpdir/filestate.conf" "$D/g-hostdev.xml" g-hostdev
check "  for b's doorbell" grep -qE "$line_b" "$tmpdir/err"
check "  fits: allowed" nobus 0 "$tmpdir/filestate.conf" "$D/g-fits.xml" g-fits
check "  with a warning naming the state directory" grep -q "^migmap: warning: $tmpdir/b.xml: " "$tmpdir/err"
# no name in the settings: the stored host.xml's (b), not the machine's
printf 'state_dir = %s\n' "$S" >"$tmpdir/noname.conf"
check "no migmapd, no name set, unknown pool: refused" nobus 1 "$tmpdir/noname.conf" "$tmpdir/g-p9.xml" g-pool
check "  naming host b from the stored map" grep -qE "$line_p9" "$tmpdir/err"
check "stdin a directory: refused" sh -c \
	'MIGMAP_CONFIG=$1 "$0" g prepare begin - <"$2" 2>"$3"; [ $? -eq 1 ]' "$HOOK" "$tmpdir/local.conf" "$tmpdir/empty" "$tmpdir/err"
check "  cannot read its XML" grep -qx "migmap: domain g: cannot read its XML: Is a directory" "$tmpdir/err"

# ---- migmapd gone between the two: the local path, still the same verdict
stop_daemon "$pid_b"
check "migmapd stopped, conflict: refused" sh -c \
	'MIGMAP_CONFIG=$1 DBUS_SYSTEM_BUS_ADDRESS=$2 "$0" g-hostdev prepare begin - <"$3" 2>"$4"; [ $? -eq 1 ]' \
	"$HOOK" "$tmpdir/local.conf" "$sys_addr" "$D/g-hostdev.xml" "$tmpdir/err"
check "  the line" grep -qE "$line_b" "$tmpdir/err"

# ---- something else owning migmapd's name and answering CheckDomain with
# what the hook cannot use: the hook judges the domain itself
FAKE=$top_builddir/tests/bus/fake-migmapd
for mode in badtype badjson; do
	"$FAKE" "$sys_addr" $mode >"$tmpdir/fake.log" 2>&1 &
	fake_pid=$!
	bg_pids="$bg_pids $fake_pid"
	i=0
	until bus_has_daemon "$sys_addr"; do
		i=$((i + 1))
		[ $i -le 1200 ] && kill -0 "$fake_pid" 2>/dev/null || { cat "$tmpdir/fake.log"; exit 99; }
		sleep 0.05
	done
	check "an answer the hook cannot use ($mode), conflict: refused" sh -c \
		'MIGMAP_CONFIG=$1 DBUS_SYSTEM_BUS_ADDRESS=$2 "$0" g-hostdev prepare begin - <"$3" 2>"$4"; [ $? -eq 1 ]' \
		"$HOOK" "$tmpdir/local.conf" "$sys_addr" "$D/g-hostdev.xml" "$tmpdir/err"
	check "  the line" grep -qE "$line_b" "$tmpdir/err"
	kill "$fake_pid"
	wait "$fake_pid" 2>/dev/null
done
finish
