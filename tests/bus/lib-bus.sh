# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the bus tests: private system-like buses, migmapd on them, and
# calls. Sourced after tests/lib.sh. Needs dbus-daemon, busctl, dbus-send
# (error names), dbus-monitor (signals) and python3 (to unpack answers);
# skips (77) without them.
MIGMAPD=${MIGMAPD:-$top_builddir/daemon/migmapd}
SVC=org.migmap.Migmap1
OBJ=/org/migmap/Migmap1
IFACE=org.migmap.Migmap1
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764000000}

for tool in dbus-daemon busctl dbus-send dbus-monitor; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not installed"
done
[ -n "${PYTHON3:-}" ] || PYTHON3=$(command -v python3) || skip_all "python3 not installed"
[ -x "$MIGMAPD" ] || skip_all "$MIGMAPD not built"

# The sockets live in $tmpdir: let other users (nobody) reach them.
chmod 711 "$tmpdir"
# The daemons' config: as root nothing; otherwise this user's group may
# change state, so the tests can (access.sh tests the refusals).
: >"$tmpdir/test.conf"
# not this machine's libvirt: tests/libvirt/ gives the daemon a test driver
echo "libvirt_uri = none" >"$tmpdir/test.conf"
[ "$(id -u)" -eq 0 ] || echo "admin_group = $(id -g)" >>"$tmpdir/test.conf"
bg_pids=
cleanup_bus() {
	for p in $bg_pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmpdir"
}
trap cleanup_bus EXIT

# start_bus NAME [POLICY]: a dbus-daemon listening on $tmpdir/NAME.sock;
# POLICY "open" (default) lets every user own and call everything, so the
# daemon's own checks are what is tested; "shipped" is the system bus
# default policy plus the installed daemon/org.migmap.Migmap1.conf.
# Sets NAME_addr.
start_bus() {
	name=$1 policy=${2:-open}
	{
		cat <<-EOF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig>
		  <type>system</type>
		  <listen>unix:path=$tmpdir/$name.sock</listen>
		  <auth>EXTERNAL</auth>
		EOF
		if [ "$policy" = open ]; then
			cat <<-EOF
			  <policy context="default">
			    <allow user="*"/>
			    <allow own="*"/>
			    <allow send_destination="*" eavesdrop="true"/>
			    <allow eavesdrop="true"/>
			  </policy>
			EOF
		else
			cat <<-EOF
			  <policy context="default">
			    <allow user="*"/>
			    <deny own="*"/>
			    <deny send_type="method_call"/>
			    <allow send_type="signal"/>
			    <allow send_requested_reply="true" send_type="method_return"/>
			    <allow send_requested_reply="true" send_type="error"/>
			    <allow receive_type="method_call"/>
			    <allow receive_type="method_return"/>
			    <allow receive_type="error"/>
			    <allow receive_type="signal"/>
			    <allow send_destination="org.freedesktop.DBus"
			           send_interface="org.freedesktop.DBus"/>
			    <allow send_destination="org.freedesktop.DBus"
			           send_interface="org.freedesktop.DBus.Introspectable"/>
			  </policy>
			  <include>$top_srcdir/daemon/org.migmap.Migmap1.conf</include>
			EOF
		fi
		echo "</busconfig>"
	} >"$tmpdir/$name.bus.conf"
	dbus-daemon --config-file="$tmpdir/$name.bus.conf" --fork --print-pid=1 \
		--print-address=1 >"$tmpdir/$name.bus.out" || { echo "dbus-daemon failed"; exit 99; }
	bg_pids="$bg_pids $(sed -n 2p "$tmpdir/$name.bus.out")"
	eval "${name}_addr=\$(sed -n 1p \"\$tmpdir/\$name.bus.out\")"
}

# bus_has_daemon ADDR: migmapd owns its name on that bus.
bus_has_daemon() {
	busctl --address="$1" call org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus NameHasOwner s "$SVC" 2>/dev/null | grep -q true
}

# start_daemon NAME ADDR SYSROOT [MIGMAPD OPTIONS...]: migmapd in the
# foreground (in the background of this shell) with state in
# $tmpdir/NAME.state, log in $tmpdir/NAME.log; waits for its name.
# Sets daemon_pid.
start_daemon() {
	dname=$1 daddr=$2 droot=$3
	shift 3
	DBUS_SYSTEM_BUS_ADDRESS=$daddr "$MIGMAPD" --config "${daemon_config:-$tmpdir/test.conf}" \
		--sysroot "$droot" --state-dir "$tmpdir/$dname.state" --name "$dname" "$@" \
		>>"$tmpdir/$dname.log" 2>&1 &
	daemon_pid=$!
	bg_pids="$bg_pids $daemon_pid"
	i=0
	until bus_has_daemon "$daddr"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
			echo "migmapd $dname did not start:"; cat "$tmpdir/$dname.log"
			return 1
		fi
		sleep 0.05
	done
}

# stop_daemon PID: SIGTERM, and its exit status must be 0.
stop_daemon() {
	kill -TERM "$1" && wait "$1"
}

# call ADDR METHOD SIGNATURE ARGS...: busctl call, answer on stdout.
call() {
	a=$1 m=$2
	shift 2
	busctl --address="$a" call "$SVC" "$OBJ" "$IFACE" "$m" "$@"
}

# get ADDR METHOD SIGNATURE ARGS...: the first value of the answer, raw.
get() {
	a=$1 m=$2
	shift 2
	busctl --address="$a" --json=short call "$SVC" "$OBJ" "$IFACE" "$m" "$@" |
		"$PYTHON3" -c 'import json, sys; d = json.load(sys.stdin)["data"][0]
sys.stdout.write(d if isinstance(d, str) else json.dumps(d))'
}

# prop ADDR NAME: a property, as busctl prints it ("s \"a\"", "t 1", …).
prop() {
	busctl --address="$1" get-property "$SVC" "$OBJ" "$IFACE" "$2"
}

# fails_with ADDR ERROR METHOD DBUS-SEND-ARGS...: the call fails with the
# named D-Bus error; its message is left in $tmpdir/err.
fails_with() {
	fails_as "" "$@"
}
# fails_as WHO ADDR ERROR METHOD ARGS...: fails_with, run through the command
# prefix WHO (as_nobody, runuser -u U --, ...; "" for none)
fails_as() {
	who=$1 a=$2 want=$3 m=$4
	shift 4
	if $who dbus-send --bus="$a" --print-reply --dest="$SVC" "$OBJ" "$IFACE.$m" "$@" \
		>/dev/null 2>"$tmpdir/err"; then
		echo "  $m succeeded${who:+ for $who}, wanted $want"
		return 1
	fi
	got=$(sed -n 's/^Error \([^:]*\):.*/\1/p' "$tmpdir/err")
	[ "$got" = "$want" ] || { echo "  $m: $(cat "$tmpdir/err"), wanted $want"; return 1; }
}

# err_has TEXT: the last error message contains TEXT.
err_has() {
	grep -qF -- "$1" "$tmpdir/err" || { echo "  error: $(cat "$tmpdir/err")"; return 1; }
}

# as_nobody CMD...: run as the unprivileged user (root only).
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}
can_drop_privileges() {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1
}

# monitor ADDR FILE: record the daemon's signals in FILE until the test ends.
monitor() {
	dbus-monitor --address "$1" "type='signal',sender='$SVC'" >"$2" 2>&1 &
	bg_pids="$bg_pids $!"
	# a monitor has lost its own name once it is one
	wait_for "$2" "member=NameLost"
}

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (60 s at
# most: it returns as soon as it matches, and a sanitizer build on a loaded
# machine can be slow).
wait_for() {
	i=0
	until grep -q -- "$2" "$1"; do
		i=$((i + 1))
		[ $i -le 1200 ] || { echo "  no '$2' in $1:"; cat "$1"; return 1; }
		sleep 0.05
	done
}

# quiet CMD...: run CMD with its output dropped.
quiet() {
	"$@" >/dev/null
}
