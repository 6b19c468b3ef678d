#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Remote members run no program of a caller's choosing: an admin_group
# member names hosts (ssh:[USER@]HOST[:PORT], checked, turned by migmapd
# into one fixed ssh command line) or local sockets (unix:path=); a raw
# sd-bus address such as unixexec: is root's alone, when added and again
# when a pool is refreshed. A fake ssh first on PATH records the command
# line migmapd runs and bridges to a second migmapd.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

can_drop_privileges || skip_all "needs root and setpriv to call as nobody"
command -v systemd-stdio-bridge >/dev/null || skip_all "systemd-stdio-bridge not installed"

start_bus A open
start_bus B open
mkdir "$tmpdir/bin"
cat >"$tmpdir/bin/ssh" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$tmpdir/ssh.argv"
exec systemd-stdio-bridge --bus-path="$B_addr"
EOF
# what root may add as a raw unixexec: address: a program that leaves a mark
cat >"$tmpdir/bin/raw-member" <<EOF
#!/bin/sh
: >"$tmpdir/ran"
exec systemd-stdio-bridge --bus-path="$B_addr"
EOF
chmod 755 "$tmpdir/bin/ssh" "$tmpdir/bin/raw-member"
PATH=$tmpdir/bin:$PATH
export PATH

echo "admin_group = $(id -gn nobody)" >"$tmpdir/admin.conf"
echo "libvirt_uri = none" >>"$tmpdir/admin.conf"
daemon_config=$tmpdir/admin.conf start_daemon a "$A_addr" "$HOSTS/arm64-virt-smmuv3" || exit 99
start_daemon b "$B_addr" "$HOSTS/arm64-hwmsi" || exit 99
state=$tmpdir/a.state
quiet call "$A_addr" CreatePool s p

# admin_fails ERROR METHOD ARGS...: as nobody (in admin_group), the call
# fails with the named error.
admin_fails() {
	want=$1 m=$2
	shift 2
	if as_nobody dbus-send --bus="$A_addr" --print-reply --dest="$SVC" "$OBJ" "$IFACE.$m" \
		"$@" >/dev/null 2>"$tmpdir/err"; then
		echo "  $m $* succeeded as nobody"
		return 1
	fi
	got=$(sed -n 's/^Error \([^:]*\):.*/\1/p' "$tmpdir/err")
	[ "$got" = "$want" ] || { echo "  $m: $(cat "$tmpdir/err"), wanted $want"; return 1; }
}

# 1. the attack of the report: a shell through unixexec:
check "admin: AddRemoteHost unixexec: refused" admin_fails org.freedesktop.DBus.Error.AccessDenied \
	AddRemoteHost string:p "string:unixexec:path=/bin/sh,argv1=-c,argv2=touch%20$tmpdir/pwned"
check "the refusal says what is allowed" err_has "ssh:[USER@]HOST[:PORT]"
check "nothing ran" [ ! -e "$tmpdir/pwned" ]
check "admin: a list of addresses with unixexec: refused" admin_fails org.freedesktop.DBus.Error.AccessDenied \
	AddRemoteHost string:p "string:unix:path=$tmpdir/none.sock;unixexec:path=/bin/true"
check "admin: unix:path= with more keys refused" admin_fails org.freedesktop.DBus.Error.AccessDenied \
	AddRemoteHost string:p "string:unix:path=$tmpdir/none.sock,guid=0"
for bad in "ssh:-oProxyCommand=touch%20$tmpdir/pwned" "ssh:h;touch" "ssh:a b" "ssh:h:0" \
	"ssh:h:65536" "ssh:h:22x" "ssh:-l@h" "ssh:u@" "ssh:" "ssh:[::1" "ssh:h%2c" "ssh:u;x@h"; do
	check "admin: AddRemoteHost '$bad': InvalidArgument" admin_fails \
		"$IFACE.Error.InvalidArgument" AddRemoteHost string:p "string:$bad"
done
check "nothing ran, no ssh started" [ ! -e "$tmpdir/pwned" ] && [ ! -e "$tmpdir/ssh.argv" ]

# 2. ssh: migmapd runs its own command line
check "admin: AddRemoteHost ssh:admin@b.example:2222" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" AddRemoteHost ss p \
	ssh:admin@b.example:2222
printf '%s\n' -xT -o BatchMode=yes -p 2222 -l admin -- b.example systemd-stdio-bridge \
	>"$tmpdir/want.argv"
# same_argv: ssh ran with the fixed command line of want.argv, plus the -E
# FILE migmapd adds (ssh's own messages, read back for its answer), FILE
# hidden in the state directory
same_argv() {
	sed '/^-E$/,+1d' "$tmpdir/ssh.argv" | cmp -s "$tmpdir/want.argv" - &&
		grep -qx -- '-E' "$tmpdir/ssh.argv" && grep -q "^$state/\.#ssh-" "$tmpdir/ssh.argv"
}
check "ssh ran with the fixed command line" same_argv
check "remote.json keeps the name, not a command" \
	grep -qF '"address": "ssh:admin@b.example:2222"' "$state/pools/p/remote.json"
rm -f "$tmpdir/ssh.argv"
check "admin: RefreshPool reruns the same ssh" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" RefreshPool s p
check "the same command line again" same_argv
check "admin: an IPv6 host" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" RemoveHost ss p b
check "admin: AddRemoteHost ssh:[fe80::1]" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" AddRemoteHost ss p \
	'ssh:[fe80::1]'
printf '%s\n' -xT -o BatchMode=yes -- fe80::1 systemd-stdio-bridge >"$tmpdir/want.argv"
check "ssh got the bare IPv6 address" same_argv
check "admin: RemoveHost fe80::1" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" RemoveHost ss p b
check "admin: AddRemoteHost ssh:admin@[fe80::1]:2222" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" AddRemoteHost ss p \
	'ssh:admin@[fe80::1]:2222'
printf '%s\n' -xT -o BatchMode=yes -p 2222 -l admin -- fe80::1 systemd-stdio-bridge \
	>"$tmpdir/want.argv"
check "ssh got the port after the brackets, the user, the bare address" same_argv

# 3. a raw address root added is never run for an admin
quiet call "$A_addr" CreatePool s r
check "root: AddRemoteHost unixexec: accepted" \
	quiet call "$A_addr" AddRemoteHost ss r "unixexec:path=$tmpdir/bin/raw-member"
check "root's program ran" [ -e "$tmpdir/ran" ]
rm -f "$tmpdir/ran"
check "admin: RefreshPool r answers" \
	quiet as_nobody busctl --address="$A_addr" call "$SVC" "$OBJ" "$IFACE" RefreshPool s r
check "admin: root's program did not run" [ ! -e "$tmpdir/ran" ]
check "admin: the member is stale, not refreshed" grep -q '"stale": true' "$state/pools/r/remote.json"
check "the log says why" grep -q "may be used by root only" "$tmpdir/a.log"
check "root: RefreshPool r runs it again" quiet call "$A_addr" RefreshPool s r
check "root's program ran again" [ -e "$tmpdir/ran" ]
check "root: fresh again" grep -q '"stale": false' "$state/pools/r/remote.json"

# 4. the CLI without a daemon: the same names, the same rule for its user
local_state=$tmpdir/local
"$MIGMAP" --state-dir "$local_state" pool create p
check "migmap pool add --ssh (local)" "$MIGMAP" --state-dir "$local_state" pool add --ssh \
	admin@b.example p
printf '%s\n' -xT -o BatchMode=yes -l admin -- b.example systemd-stdio-bridge >"$tmpdir/want.argv"
check "local: the fixed command line" cmp "$tmpdir/want.argv" "$tmpdir/ssh.argv"
check "migmap pool add --ssh with a bad host: one line naming it" sh -c \
	'! "$0" --state-dir "$1" pool add --ssh "-oProxyCommand=x" p 2>"$2" &&
	 grep -q "^migmap: bad member .ssh:-oProxyCommand=x." "$2"' \
	"$MIGMAP" "$local_state" "$tmpdir/cli.err"
finish
