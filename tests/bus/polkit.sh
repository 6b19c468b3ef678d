#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Authorization through a real polkitd on the private bus: a rules file
# lets nobody (not in admin_group) manage one pool and refuses the user
# daemon (in admin_group) every pool of this run, and migmapd follows
# polkit, not the group; a rule asking for authentication is answered
# InteractiveAuthorizationRequired; root needs nobody's word; reads stay
# open. With polkitd stopped, admin_group decides again.
#
# polkitd reads actions and rules only from its own directories, so the
# test installs the shipped actions and its rules there, under names of
# this run, and removes them when it ends. Its rules concern only pools
# named after this run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

POLKITD=${POLKITD:-/usr/lib/polkit-1/polkitd}
POLKIT_ACTIONS=${POLKIT_ACTIONS:-/usr/share/polkit-1/actions}
POLKIT_RULES=${POLKIT_RULES:-/etc/polkit-1/rules.d}
[ "$(id -u)" -eq 0 ] || skip_all "needs root to install polkit actions and rules"
[ -x "$POLKITD" ] || skip_all "polkitd not installed (Debian package polkitd)"
can_drop_privileges || skip_all "needs setpriv and the user nobody"
# the user polkitd drops to, and the second caller: both from Debian's
# polkitd and base-passwd packages
id polkitd >/dev/null 2>&1 || { echo "polkitd is installed without its user"; exit 99; }
id daemon >/dev/null 2>&1 || { echo "no user daemon"; exit 99; }

run=pk$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
actions_file=$POLKIT_ACTIONS/org.migmap.Migmap1.test-$run.policy
rules_file=$POLKIT_RULES/00-migmap-test-$run.rules
cleanup_polkit() {
	rm -f "$actions_file" "$rules_file"
	cleanup_bus
}
trap cleanup_polkit EXIT

install -m 644 "$top_srcdir/daemon/org.migmap.Migmap1.policy" "$actions_file" ||
	{ echo "cannot install $actions_file"; exit 99; }
cat >"$rules_file" <<EOF
// migmap's tests/bus/polkit.sh, run $run: removed when it ends
polkit.addRule(function(action, subject) {
	if (action.id.indexOf("org.migmap.Migmap1.") != 0)
		return;
	var pool = action.lookup("pool") || "";
	if (pool.indexOf("$run-") != 0)
		return;
	if (subject.user == "nobody" && pool == "$run-ok")
		return polkit.Result.YES;
	if (subject.user == "nobody" && (pool == "$run-ask" || pool == "$run-tty"))
		return polkit.Result.AUTH_ADMIN;
	return polkit.Result.NO;
});
EOF
chmod 644 "$rules_file"

as_daemon() {
	setpriv --reuid=daemon --regid="$(id -g daemon)" --clear-groups "$@"
}
# caller_fails WHO ERROR METHOD ARGS...: as WHO (as_nobody, as_daemon) the
# call fails with ERROR; its message is left in $tmpdir/err
caller_fails() {
	who=$1
	shift
	fails_as "$who" "$P_addr" "$@"
}
# caller_calls WHO METHOD SIGNATURE ARGS...: as WHO the call succeeds
# (busctl, which allows interactive authorization unless told not to)
caller_calls() {
	who=$1 m=$2
	shift 2
	$who busctl --address="$P_addr" --allow-interactive-authorization=no call "$SVC" "$OBJ" "$IFACE" "$m" "$@" >/dev/null
}
# the pool names: the Pools property (as)
pools() { busctl --address="$P_addr" get-property "$SVC" "$OBJ" "$IFACE" Pools; }
has_polkit() {
	busctl --address="$P_addr" call org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus NameHasOwner s org.freedesktop.PolicyKit1 2>/dev/null |
		grep -q true
}

start_bus P open
# admin_group: the user daemon's group, which nobody is not in
echo "libvirt_uri = none" >"$tmpdir/polkit.conf"
echo "admin_group = $(id -g daemon)" >>"$tmpdir/polkit.conf"
daemon_config=$tmpdir/polkit.conf start_daemon p "$P_addr" "$HOSTS/arm64-hwmsi" || exit 99
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-smmuv3" --name b >"$tmpdir/b.xml"
B=$(cat "$tmpdir/b.xml")

DBUS_SYSTEM_BUS_ADDRESS=$P_addr "$POLKITD" >"$tmpdir/polkitd.log" 2>&1 &
polkitd_pid=$!
bg_pids="$bg_pids $polkitd_pid"
i=0
until has_polkit; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 "$polkitd_pid" 2>/dev/null; then
		echo "polkitd did not start:"; cat "$tmpdir/polkitd.log"
		exit 99
	fi
	sleep 0.05
done

# what migmapd asks polkitd
dbus-monitor --address "$P_addr" \
	"type='method_call',interface='org.freedesktop.PolicyKit1.Authority'" \
	>"$tmpdir/polkit.calls" 2>&1 &
bg_pids="$bg_pids $!"
wait_for "$tmpdir/polkit.calls" "member=NameLost" || exit 99

# 1. polkitd decides
check "polkit allows nobody (not in admin_group): CreatePool" \
	caller_calls as_nobody CreatePool s "$run-ok"
# asked POOL FLAGS: migmapd asked polkitd about the caller's bus name, the
# action and POOL, with CheckAuthorization's FLAGS (1: interaction allowed).
# dbus-monitor's output reaches the file in blocks: look until the whole
# call is there, for up to a minute.
asked() {
	i=0
	until "$PYTHON3" - "$tmpdir/polkit.calls" "$1" "$2" <<'PY'
import re, sys
calls = open(sys.argv[1]).read().split("method call ")
words = lambda c: re.findall(r'(?:string|uint32) "?([^"\n]*)"?', c)
sys.exit(not any(words(c)[:2] == ["system-bus-name", "name"] and
                 words(c)[3:7] == ["org.migmap.Migmap1.manage-pools", "pool", sys.argv[2], sys.argv[3]]
                 for c in calls if "member=CheckAuthorization" in c))
PY
	do
		i=$((i + 1))
		[ $i -le 300 ] || { echo "  polkitd was not asked about $1 with flags $2"; return 1; }
		sleep 0.2
	done
}
check "migmapd asked for the caller's bus name, action and pool, without interaction" \
	asked "$run-ok" 0
check "the pool is there" sh -c "busctl --address='$P_addr' call $SVC $OBJ $IFACE ListPools | grep -q '\"$run-ok\"'"
check "polkit allows nobody: AddHost to it" caller_calls as_nobody AddHost ss "$run-ok" "$B"
check "polkit refuses nobody another pool: AccessDenied" \
	caller_fails as_nobody org.freedesktop.DBus.Error.AccessDenied CreatePool "string:$run-no"
check "the refusal names polkit and the action" err_has "polkit does not allow it"
check "the refusal names the action" err_has "org.migmap.Migmap1.manage-pools"
check "polkit refuses daemon (in admin_group): CreatePool" \
	caller_fails as_daemon org.freedesktop.DBus.Error.AccessDenied CreatePool "string:$run-d"
check "polkit refuses daemon: DeletePool" \
	caller_fails as_daemon org.freedesktop.DBus.Error.AccessDenied DeletePool "string:$run-ok"
check "polkit refuses daemon: RemoveHost" \
	caller_fails as_daemon org.freedesktop.DBus.Error.AccessDenied RemoveHost "string:$run-ok" string:b
check "refusals change nothing: the pools" [ "$(pools)" = "as 1 \"$run-ok\"" ]
check "refusals change nothing: the member" \
	[ "$(get "$P_addr" GetPoolMap ss "$run-ok" xml | grep -c '<member ')" -eq 1 ]
check "authentication asked of a caller that does not allow it: InteractiveAuthorizationRequired" \
	caller_fails as_nobody org.freedesktop.DBus.Error.InteractiveAuthorizationRequired \
	CreatePool "string:$run-ask"
check "the pool was not created" [ "$(pools)" = "as 1 \"$run-ok\"" ]
# migmap pool through migmapd: interaction only at a terminal
cli_ask() {
	DBUS_SYSTEM_BUS_ADDRESS=$P_addr as_nobody "$MIGMAP" pool create "$run-ask" \
		</dev/null >/dev/null 2>"$tmpdir/err" && return 1
	err_has "does not allow interactive authorization"
}
check "migmap pool without a terminal does not allow interaction" cli_ask
# script(1), of Debian's essential bsdutils, gives it a terminal
if command -v script >/dev/null 2>&1; then
	# what polkitd then answers, and how fast, depends on the machine
	# (no agent here): the point is that the CLI allowed interaction
	# (setpriv execs migmap itself: a shell run as nobody could not
	# reach a build tree in a directory only root may enter)
	DBUS_SYSTEM_BUS_ADDRESS=$P_addr script -qec "setpriv --reuid=nobody \
		--regid=$(id -g nobody) --clear-groups $MIGMAP pool create $run-tty" /dev/null \
		</dev/null >"$tmpdir/tty.out" 2>&1
	check "migmap pool at a terminal allows interaction" asked "$run-tty" 1
	check "  and, with no agent, is refused" [ "$(pools)" = "as 1 \"$run-ok\"" ]
fi
as_nobody busctl --address="$P_addr" --allow-interactive-authorization=yes call "$SVC" "$OBJ" \
	"$IFACE" CreatePool s "$run-ask" >/dev/null 2>"$tmpdir/err"
check "a caller that allows interaction: polkitd is asked to interact" \
	wait_for "$tmpdir/polkit.calls" "uint32 1"
check "and, with no authentication agent, refused (busctl says AccessDenied so)" \
	grep -q "Access denied" "$tmpdir/err"
check "the pool was not created" [ "$(pools)" = "as 1 \"$run-ok\"" ]
check "root is not asked (the rules refuse every user this pool)" \
	call "$P_addr" CreatePool s "$run-root"
check "reads stay open to nobody: GetPoolMap" \
	caller_calls as_nobody GetPoolMap ss "$run-ok" json
check "reads stay open to daemon: ListPools" caller_calls as_daemon ListPools
check "reads stay open to daemon: GetHostMap" caller_calls as_daemon GetHostMap s xml

# 1b. polkitd does not answer (stopped): 64 calls wait for it, one more is
# refused at once with LimitsExceeded (the bus itself would refuse a 129th
# question, max_replies_per_connection); when polkitd dies without
# answering, the calls that waited are refused, and nothing changed
stdbuf -oL dbus-monitor --address "$P_addr" \
	"type='method_call',interface='org.freedesktop.PolicyKit1.Authority'" \
	>"$tmpdir/stall.calls" 2>&1 &
bg_pids="$bg_pids $!"
wait_for "$tmpdir/stall.calls" "member=NameLost" || exit 99
kill -STOP "$polkitd_pid"
# callers that stay on the bus until answered (a caller gone before its
# call is looked at has no credentials to ask about: refused at once)
stall_pids=
i=0
while [ $i -lt 64 ]; do
	as_nobody dbus-send --bus="$P_addr" --print-reply --reply-timeout=300000 --dest="$SVC" \
		"$OBJ" "$IFACE.CreatePool" "string:$run-stall" >/dev/null 2>"$tmpdir/stall.$i.err" &
	stall_pids="$stall_pids $!"
	i=$((i + 1))
done
asked_count() {
	[ "$(grep -c 'member=CheckAuthorization' "$tmpdir/stall.calls")" -ge "$1" ]
}
i=0
until asked_count 64; do
	i=$((i + 1))
	[ $i -le 1200 ] || { echo "  polkitd was asked $(grep -c 'member=CheckAuthorization' "$tmpdir/stall.calls") times, not 64"; break; }
	sleep 0.05
done
check "polkitd stopped: 64 calls wait for it" asked_count 64
check "the 65th: LimitsExceeded" \
	caller_fails as_nobody org.freedesktop.DBus.Error.LimitsExceeded CreatePool "string:$run-stall"
check "  says why" err_has "too many calls wait for polkit"
check "  polkitd was not asked again" sh -c \
	"[ \$(grep -c 'member=CheckAuthorization' '$tmpdir/stall.calls') -eq 64 ]"
check "reads are served meanwhile" caller_calls as_nobody ListPools
kill -KILL "$polkitd_pid"
{ wait "$polkitd_pid"; } 2>/dev/null
refused=0
for sp in $stall_pids; do wait "$sp" || refused=$((refused + 1)); done
check "polkitd died unanswering: the 64 waiting calls are refused" [ "$refused" -eq 64 ]
check "  AccessDenied" grep -q '^Error org.freedesktop.DBus.Error.AccessDenied' "$tmpdir/stall.0.err"
check "  cannot ask polkit" grep -q "CreatePool changes migmapd's state: cannot ask polkit" "$tmpdir/stall.0.err"
check "  migmapd logs it" grep -q "warning: polkit failed to decide on CreatePool" "$tmpdir/p.log"
check "the waiting calls changed nothing" [ "$(pools)" = "as 2 \"$run-ok\" \"$run-root\"" ]

# 2. without polkitd, admin_group decides
i=0
while has_polkit; do
	i=$((i + 1))
	[ $i -le 1200 ] || { echo "polkitd still on the bus"; exit 99; }
	sleep 0.05
done
check "no polkitd: daemon (in admin_group) may: CreatePool" \
	caller_calls as_daemon CreatePool s "$run-d"
check "no polkitd: daemon may: RemoveHost" caller_calls as_daemon RemoveHost ss "$run-ok" b
check "no polkitd: nobody (not in admin_group) is refused" \
	caller_fails as_nobody org.freedesktop.DBus.Error.AccessDenied CreatePool "string:$run-x"
check "the refusal names the group rule" err_has "only root or group"
check "no polkitd: nobody is refused what polkit allowed" \
	caller_fails as_nobody org.freedesktop.DBus.Error.AccessDenied DeletePool "string:$run-ok"
check "no polkitd: reads stay open to nobody" caller_calls as_nobody ListPools
check "no polkitd: the refusals changed nothing" \
	[ "$(pools)" = "as 3 \"$run-d\" \"$run-ok\" \"$run-root\"" ]

# 3. SIGTERM while a call waits for polkitd (stopped): migmapd exits
# cleanly, and the caller is answered with an error, not left waiting
DBUS_SYSTEM_BUS_ADDRESS=$P_addr "$POLKITD" >>"$tmpdir/polkitd.log" 2>&1 &
polkitd_pid=$!
bg_pids="$bg_pids $polkitd_pid"
i=0
until has_polkit; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 "$polkitd_pid" 2>/dev/null; then
		echo "polkitd did not start again"
		exit 99
	fi
	sleep 0.05
done
kill -STOP "$polkitd_pid"
asked_before=$(grep -c 'member=CheckAuthorization' "$tmpdir/stall.calls")
as_nobody dbus-send --bus="$P_addr" --print-reply --reply-timeout=300000 --dest="$SVC" \
	"$OBJ" "$IFACE.CreatePool" "string:$run-term" >/dev/null 2>"$tmpdir/term.err" &
term_caller=$!
i=0
until asked_count $((asked_before + 1)) || [ $i -gt 1200 ]; do
	i=$((i + 1))
	sleep 0.05
done
check "polkitd stopped: the call waits for it" asked_count $((asked_before + 1))
check "SIGTERM with a call waiting for polkit: exit 0" stop_daemon "$daemon_pid"
wait "$term_caller"
term_rc=$?
check "  the waiting caller gets an error" [ "$term_rc" -ne 0 ]
check "  from the bus: migmapd left without answering" grep -q "^Error org.freedesktop.DBus.Error.NoReply" "$tmpdir/term.err"
kill -KILL "$polkitd_pid"
finish
