#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Who may change what: an unprivileged caller (nobody) is served every read
# and refused every mutating method by migmapd itself, on a bus that lets
# everyone call and on one that uses the shipped D-Bus policy (which
# leaves the decision to migmapd). No polkitd runs on these buses, so a
# configured admin_group lifts the refusal (tests/bus/polkit.sh: polkit).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

can_drop_privileges || skip_all "needs root and setpriv to call as nobody"
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
chmod 644 "$tmpdir/b.xml"
B=$(cat "$tmpdir/b.xml")

# nobody_fails ADDR ERROR METHOD ARGS...: as nobody, the call fails with ERROR.
nobody_fails() {
	a=$1 want=$2 m=$3
	shift 3
	if as_nobody dbus-send --bus="$a" --print-reply --dest="$SVC" "$OBJ" "$IFACE.$m" "$@" \
		>/dev/null 2>"$tmpdir/err"; then
		echo "  $m succeeded as nobody"
		return 1
	fi
	got=$(sed -n 's/^Error \([^:]*\):.*/\1/p' "$tmpdir/err")
	[ "$got" = "$want" ] || { echo "  $m: $(cat "$tmpdir/err"), wanted $want"; return 1; }
}
nobody_reads() { # nobody_reads ADDR METHOD SIGNATURE ARGS...
	a=$1 m=$2
	shift 2
	as_nobody busctl --address="$a" call "$SVC" "$OBJ" "$IFACE" "$m" "$@" >/dev/null
}
# every_method ADDR ERROR: nobody is refused each mutating method with ERROR
# and served each read.
every_method() {
	a=$1 denied=$2
	check "$3: nobody: Refresh refused" nobody_fails "$a" "$denied" Refresh
	check "$3: nobody: CreatePool refused" nobody_fails "$a" "$denied" CreatePool string:n
	check "$3: nobody: DeletePool refused" nobody_fails "$a" "$denied" DeletePool string:p
	check "$3: nobody: AddHost refused" nobody_fails "$a" "$denied" AddHost string:p "string:$B"
	check "$3: nobody: AddRemoteHost refused" nobody_fails "$a" "$denied" AddRemoteHost string:p "string:$a"
	check "$3: nobody: RemoveHost refused" nobody_fails "$a" "$denied" RemoveHost string:p string:b
	check "$3: nobody: RefreshPool refused" nobody_fails "$a" "$denied" RefreshPool string:p
	check "$3: nobody: SyncPool refused" nobody_fails "$a" "$denied" SyncPool string:p
	check "$3: nobody: ImportPool refused" nobody_fails "$a" "$denied" ImportPool string:p uint64:9 string:x
	check "$3: nobody: FitDomain served" nobody_reads "$a" FitDomain ss "$(cat "$top_srcdir/tests/data/domains/arm64-virt72-uefi.xml")" p
	check "$3: nobody: GetHostMap served" nobody_reads "$a" GetHostMap s xml
	check "$3: nobody: ListPools served" nobody_reads "$a" ListPools
	check "$3: nobody: GetPoolMap served" nobody_reads "$a" GetPoolMap ss p json
	check "$3: nobody: properties served" sh -c \
		"setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups busctl --address='$a' get-property $SVC $OBJ $IFACE Generation >/dev/null"
	check "$3: nobody: introspection served" sh -c \
		"setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups busctl --address='$a' introspect $SVC $OBJ >/dev/null"
	check "$3: nobody: the pool is untouched" [ "$(call "$a" ListPools)" = 'a(so) 1 "p" "/org/migmap/Migmap1/pool/p"' ]
	check "$3: nobody: its member is untouched" [ "$(get "$a" GetPoolMap ss p xml | grep -c '<member ')" -eq 1 ]
}

# 1. migmapd's own check, on a bus that lets everyone call everything
start_bus A open
start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
call "$A_addr" CreatePool s p >/dev/null && call "$A_addr" AddHost ss p "$B" >/dev/null
every_method "$A_addr" org.freedesktop.DBus.Error.AccessDenied daemon
check "the refusal says why" err_has "only root may (caller uid $(id -u nobody))"

# 2. the shipped policy, on a bus that uses it
start_bus S shipped
start_daemon s "$S_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
check "policy: root may change" call "$S_addr" CreatePool s p
call "$S_addr" AddHost ss p "$B" >/dev/null
every_method "$S_addr" org.freedesktop.DBus.Error.AccessDenied policy

# 3. admin_group: its members may change state
echo "admin_group = $(id -gn nobody)" >"$tmpdir/admin.conf"
start_bus G open
daemon_config=$tmpdir/admin.conf start_daemon g "$G_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
check "admin_group: nobody may CreatePool" \
	as_nobody busctl --address="$G_addr" call "$SVC" "$OBJ" "$IFACE" CreatePool s n
check "admin_group: nobody may AddHost" \
	quiet as_nobody busctl --address="$G_addr" call "$SVC" "$OBJ" "$IFACE" AddHost ss n "$B"
check "admin_group: the pool is there" [ "$(call "$G_addr" ListPools)" = 'a(so) 1 "n" "/org/migmap/Migmap1/pool/n"' ]
# 4. admin_group as a number: a supplementary group the bus vouches for is
# enough; a caller without it is refused
printf 'libvirt_uri = none\nadmin_group = 4242\n' >"$tmpdir/gid.conf"
start_bus N open
daemon_config=$tmpdir/gid.conf start_daemon n "$N_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
with_group() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --groups=4242 "$@"
}
check "admin_group 4242: nobody with it as a supplementary group may CreatePool" \
	with_group busctl --address="$N_addr" call "$SVC" "$OBJ" "$IFACE" CreatePool s m
check "admin_group 4242: nobody without it is refused" \
	nobody_fails "$N_addr" org.freedesktop.DBus.Error.AccessDenied CreatePool string:k
check "  the refusal names the group" err_has "only root or group '4242' may"
check "admin_group 4242: only the allowed pool was created" [ "$(call "$N_addr" ListPools)" = 'a(so) 1 "m" "/org/migmap/Migmap1/pool/m"' ]

# 5. an admin_group that does not exist: said at start, and only root may
printf 'libvirt_uri = none\nadmin_group = migmap-no-such-group\n' >"$tmpdir/nogroup.conf"
start_bus O open
daemon_config=$tmpdir/nogroup.conf start_daemon o "$O_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
check "unknown admin_group: a warning at start" \
	grep -q "warning: admin_group 'migmap-no-such-group' does not exist" "$tmpdir/o.log"
check "unknown admin_group: nobody is refused as with none" \
	nobody_fails "$O_addr" org.freedesktop.DBus.Error.AccessDenied CreatePool string:k
check "  only root may" err_has "only root may"
check "unknown admin_group: root may" call "$O_addr" CreatePool s k

# 6. admin_group's member list (/etc/group) names the caller, whose process
# does not carry the group (added since it logged in): a member, allowed.
# A group of this run's own, removed when the test ends.
if command -v groupadd >/dev/null && command -v gpasswd >/dev/null; then
	group=mmtest$(od -An -N3 -tx1 /dev/urandom | tr -d ' ')
	cleanup_group() {
		groupdel "$group" 2>/dev/null
		cleanup_bus
	}
	trap cleanup_group EXIT
	groupadd "$group" && gpasswd -a nobody "$group" >/dev/null ||
		{ echo "cannot make group $group"; exit 99; }
	printf 'libvirt_uri = none\nadmin_group = %s\n' "$group" >"$tmpdir/members.conf"
	start_bus M open
	daemon_config=$tmpdir/members.conf start_daemon mem "$M_addr" "$HOSTS/arm64-virt-smmuv3" ||
		exit 99
	check "admin_group listing nobody as a member: nobody (without the group) may CreatePool" \
		quiet as_nobody busctl --address="$M_addr" call "$SVC" "$OBJ" "$IFACE" CreatePool s l
	check "  the pool is there" [ "$(call "$M_addr" ListPools)" = 'a(so) 1 "l" "/org/migmap/Migmap1/pool/l"' ]
	check "admin_group listing nobody: daemon (not listed) is refused" \
		fails_as "setpriv --reuid=daemon --regid=$(id -g daemon) --clear-groups" "$M_addr" \
		org.freedesktop.DBus.Error.AccessDenied CreatePool string:d
	check "  by the group rule" err_has "only root or group '$group' may"
fi
finish
