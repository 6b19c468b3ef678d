#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The error replies of migmapd's methods and pool objects that daemon.sh
# does not reach: bad names, unknown and empty pools, domains that cannot
# be judged or planned, host maps named badly, paths that name no pool.
# Each error leaves the state as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

DOMAINS=$top_srcdir/tests/data/domains
"$MIGMAP" host --sysroot "$HOSTS/x86-q35-vtd" --name y >"$tmpdir/y.xml"
start_bus A
start_daemon x "$A_addr" "$HOSTS/x86-q35-vtd" || exit 99
call "$A_addr" CreatePool s p >/dev/null
call "$A_addr" CreatePool s empty >/dev/null
call "$A_addr" AddHost ss p "$(cat "$tmpdir/y.xml")" >/dev/null
state_before=$(cd "$tmpdir/x.state" && find . | sort)
uefi=$(cat "$DOMAINS/arm64-virt72-uefi.xml")
epyc=$(cat "$DOMAINS/x86-q35-epyc-2t.xml")
# a machine migmap does not model: the same domain as a RISC-V guest
riscv=$(sed "s/arch='aarch64' machine='virt-7.2'/arch='riscv64' machine='virt'/" \
	"$DOMAINS/arm64-virt72-uefi.xml")

# ---- FitDomain
check "FitDomain, a bad pool name: InvalidName" \
	fails_with "$A_addr" "$IFACE.Error.InvalidName" FitDomain "string:$uefi" string:a/b
check "FitDomain, an empty pool: EmptyPool" \
	fails_with "$A_addr" "$IFACE.Error.EmptyPool" FitDomain "string:$uefi" string:empty
check "  names the pool" err_has "empty"
check "FitDomain, not XML: InvalidDomain" \
	fails_with "$A_addr" "$IFACE.Error.InvalidDomain" FitDomain "string:<domain" string:p
check "  names the argument" err_has "domain_xml"
check "FitDomain, a machine not modelled: NotSupported" \
	fails_with "$A_addr" "$IFACE.Error.NotSupported" FitDomain "string:$riscv" string:p
check "  names the architecture" err_has "riscv64"

# ---- PlanDomain (pool "": this host)
check "PlanDomain, not XML: InvalidDomain" \
	fails_with "$A_addr" "$IFACE.Error.InvalidDomain" PlanDomain "string:<domain" string:
check "PlanDomain, a machine not modelled: NotSupported" \
	fails_with "$A_addr" "$IFACE.Error.NotSupported" PlanDomain "string:$riscv" string:
check "PlanDomain, 2 TiB below a 39-bit limit: NoPlan" \
	fails_with "$A_addr" "$IFACE.Error.NoPlan" PlanDomain "string:$epyc" string:p
check "  says why" err_has "no usable range below the pool's 39-bit limit"
check "PlanDomain, a bad pool name: InvalidName" \
	fails_with "$A_addr" "$IFACE.Error.InvalidName" PlanDomain "string:$epyc" string:.p
check "PlanDomain, no such pool: NoSuchPool" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchPool" PlanDomain "string:$epyc" string:nope

# ---- CheckDomain
check "CheckDomain, an empty pool: EmptyPool" \
	fails_with "$A_addr" "$IFACE.Error.EmptyPool" CheckDomain "string:$uefi" string:empty
check "CheckDomain, a machine not modelled: NotSupported" \
	fails_with "$A_addr" "$IFACE.Error.NotSupported" CheckDomain "string:$riscv" string:p
check "CheckDomain of an aarch64 guest on this x86 host: InvalidDomain" \
	fails_with "$A_addr" "$IFACE.Error.InvalidDomain" CheckDomain "string:$uefi" string:
check "  names both architectures" err_has "the guest is aarch64 but host x is x86_64"

# ---- pool writes
check "RemoveHost, a bad pool name: InvalidName" \
	fails_with "$A_addr" "$IFACE.Error.InvalidName" RemoveHost string:a/b string:y
check "  quotes the name" err_has "invalid pool name 'a/b'"
check "RemoveHost, no such pool: NoSuchPool" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchPool" RemoveHost string:nope string:y
check "RemoveHost, no such member: NoSuchHost" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchHost" RemoveHost string:p string:nope
check "CreatePool, a hidden name: InvalidName" \
	fails_with "$A_addr" "$IFACE.Error.InvalidName" CreatePool string:.hidden
check "DeletePool, no such pool: NoSuchPool" \
	fails_with "$A_addr" "$IFACE.Error.NoSuchPool" DeletePool string:nope
# a host map whose own name cannot name a member file
sed "s/memoryMap name='y'/memoryMap name='.y'/" "$tmpdir/y.xml" >"$tmpdir/hidden.xml"
if ! cmp -s "$tmpdir/y.xml" "$tmpdir/hidden.xml"; then
	check "AddHost, a map named '.y': InvalidName" \
		fails_with "$A_addr" "$IFACE.Error.InvalidName" AddHost string:p \
		"string:$(cat "$tmpdir/hidden.xml")"
	check "  quotes the map's name" err_has "'.y'"
else
	not_ok "the host map has no <name> to change"
fi
check "GetPoolMap, yaml: InvalidArgument" \
	fails_with "$A_addr" "$IFACE.Error.InvalidArgument" GetPoolMap string:p string:yaml
check "GetPoolMap, an empty pool: EmptyPool" \
	fails_with "$A_addr" "$IFACE.Error.EmptyPool" GetPoolMap string:empty string:xml
# the store itself failing: the pools' lock file made a directory, so no
# writer can take the lock; the error names the file and why, the pool
# is not made, and with the lock back CreatePool works
lockfile=$tmpdir/x.state/pools/.lock
if [ -f "$lockfile" ]; then
	rm -f "$lockfile" && mkdir "$lockfile"
	check "CreatePool, the store's lock unusable: StateFailed" \
		fails_with "$A_addr" "$IFACE.Error.StateFailed" CreatePool string:blocked
	check "  names the lock file and why" err_has "pools/.lock: cannot open: Is a directory"
	check "  no pool made" [ ! -e "$tmpdir/x.state/pools/blocked" ]
	call "$A_addr" ListPools >"$tmpdir/pools"
	check "  none listed" sh -c 'grep -q "\"p\"" "$0" && ! grep -q blocked "$0"' "$tmpdir/pools"
	rmdir "$lockfile" && : >"$lockfile" && chmod 0600 "$lockfile"
else
	not_ok "no pools/.lock to block"
fi
check "errors changed nothing in the state" \
	[ "$(cd "$tmpdir/x.state" && find . | sort)" = "$state_before" ]

# ---- pool objects
pool_prop() {
	busctl --address="$A_addr" get-property "$SVC" "$1" org.migmap.Migmap1.Pool "$2"
}
check "a pool object's Name" [ "$(pool_prop "$OBJ/pool/p" Name)" = 's "p"' ]
check "a path below a pool object is no object" \
	sh -c "! busctl --address='$A_addr' get-property '$SVC' '$OBJ/pool/p/x' org.migmap.Migmap1.Pool Name 2>'$tmpdir/err'"
check "  UnknownObject" grep -qi "unknown object" "$tmpdir/err"
check "an unknown pool is no object" \
	sh -c "! busctl --address='$A_addr' get-property '$SVC' '$OBJ/pool/nope' org.migmap.Migmap1.Pool Name 2>'$tmpdir/err'"
# after a restart, a pool that has not changed since is at generation 0
check "SIGTERM: exit 0" stop_daemon "$daemon_pid"
start_daemon x "$A_addr" "$HOSTS/x86-q35-vtd" || exit 99
check "after a restart: a pool's Generation is 0" [ "$(pool_prop "$OBJ/pool/p" Generation)" = "t 0" ]
check "after a restart: its Members" [ "$(pool_prop "$OBJ/pool/p" Members)" = 'as 1 "y"' ]
check "SIGTERM: exit 0" stop_daemon "$daemon_pid"
finish
