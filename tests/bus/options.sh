#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd's command line and start-up failures: each is one line on stderr
# and an exit status (2: usage or configuration, 1: cannot serve), and
# nothing is served; a host that cannot be probed serves its stored map.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

# migmapd_rc RC ARGS...: migmapd exits RC, stdout in $tmpdir/out, stderr in $tmpdir/err
migmapd_rc() {
	want=$1
	shift
	DBUS_SYSTEM_BUS_ADDRESS=${bus_addr:-unix:path=$tmpdir/no.sock} "$MIGMAPD" "$@" >"$tmpdir/out" 2>"$tmpdir/err"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  exit $rc, wanted $want: migmapd $*"; cat "$tmpdir/err"; return 1; }
}
# one_line TEXT: stderr is one line, equal to TEXT
one_line() {
	[ "$(wc -l <"$tmpdir/err")" -eq 1 ] && [ "$(cat "$tmpdir/err")" = "$1" ] ||
		{ echo "  stderr: $(cat "$tmpdir/err")"; echo "  wanted: $1"; return 1; }
}

check "--help: exit 0" migmapd_rc 0 --help
check "--help: usage on stdout" grep -q '^Usage: migmapd \[OPTIONS\]' "$tmpdir/out"
for opt in --sysroot --state-dir --name --config --libvirt-uri --version; do
	check "--help lists $opt" grep -q -- "$opt" "$tmpdir/out"
	check "migmapd(8) documents $opt" grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" \
		"$top_srcdir/man/migmapd.8"
done
check "-h: exit 0" migmapd_rc 0 -h
check "--version: exit 0" migmapd_rc 0 --version
version=$(sed -n 's/^AC_INIT(\[migmap\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
check "--version: the package version" [ "$(cat "$tmpdir/out")" = "migmapd $version" ]

check "unknown option: exit 2" migmapd_rc 2 --frobnicate
check "unknown option: getopt's line and a hint" \
	[ "$(sed -n 2p "$tmpdir/err")" = "Try 'migmapd --help'." ]
check "missing option value: exit 2" migmapd_rc 2 --state-dir
check "an argument: exit 2" migmapd_rc 2 extra
check "an argument: one line" one_line "migmapd: unexpected argument 'extra'"
check "a bad --name: exit 2" migmapd_rc 2 --name "a/b"
check "a bad --name: one line" one_line "migmapd: --name 'a/b' is not a valid host name"

# configuration errors
check "missing --config: exit 2" migmapd_rc 2 --config "$tmpdir/nope.conf"
check "missing --config: one line naming it" \
	sh -c "[ \$(wc -l <'$tmpdir/err') -eq 1 ] && grep -q '$tmpdir/nope.conf' '$tmpdir/err'"
printf 'libvirt_uri = none\ncolour = blue\n' >"$tmpdir/bad.conf"
check "unknown key: exit 2" migmapd_rc 2 --config "$tmpdir/bad.conf"
check "unknown key: one line at file:line" \
	sh -c "[ \$(wc -l <'$tmpdir/err') -eq 1 ] && grep -q '$tmpdir/bad.conf:2: .*colour' '$tmpdir/err'"
printf 'libvirt_uri = none\nrefresh_interval = 5 fortnights\n' >"$tmpdir/bad.conf"
check "bad duration: exit 2" migmapd_rc 2 --config "$tmpdir/bad.conf"
check "bad duration: one line at file:line" \
	sh -c "[ \$(wc -l <'$tmpdir/err') -eq 1 ] && grep -q '$tmpdir/bad.conf:2: .*refresh_interval' '$tmpdir/err'"

# cannot serve: exit 1, one line
: >"$tmpdir/file"
check "state dir is a file: exit 1" migmapd_rc 1 --config "$tmpdir/test.conf" \
	--sysroot "$HOSTS/arm64-virt-smmuv3" --state-dir "$tmpdir/file/state"
check "state dir is a file: one line naming it" \
	sh -c "[ \$(wc -l <'$tmpdir/err') -eq 1 ] && grep -q '$tmpdir/file' '$tmpdir/err'"
check "no bus: exit 1" migmapd_rc 1 --config "$tmpdir/test.conf" \
	--sysroot "$HOSTS/arm64-virt-smmuv3" --state-dir "$tmpdir/nobus.state"
check "no bus: one line, why" one_line "migmapd: cannot connect to the system bus: No such file or directory"

# under systemd (JOURNAL_STREAM names stderr) lines carry a syslog priority
# instead of the program's name: LOG_ERR is 3
: >"$tmpdir/journal"
stream=$(stat -c '%d:%i' "$tmpdir/journal")
JOURNAL_STREAM=$stream "$MIGMAPD" extra 2>>"$tmpdir/journal"
check "journal stream: a priority prefix" \
	[ "$(cat "$tmpdir/journal")" = "<3>unexpected argument 'extra'" ]
JOURNAL_STREAM=1:1 "$MIGMAPD" extra 2>"$tmpdir/err"
check "another stream: the program's name" one_line "migmapd: unexpected argument 'extra'"

# a host that cannot be probed: with no stored map, exit 1; with one, it is served
cp -R "$HOSTS/arm64-virt-smmuv3" "$tmpdir/sysroot"
start_bus A
start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
get "$A_addr" GetHostMap s xml >"$tmpdir/stored.xml"
check "first start: SIGTERM, exit 0" stop_daemon "$daemon_pid"
# the name is taken: the second migmapd on a bus says so and exits 1
start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
bus_addr=$A_addr
check "name taken: exit 1" migmapd_rc 1 --config "$tmpdir/test.conf" \
	--sysroot "$tmpdir/sysroot" --state-dir "$tmpdir/second.state"
check "name taken: one line" one_line "migmapd: cannot take the name $SVC: File exists"
unset bus_addr
check "the first one still serves" quiet call "$A_addr" GetHostMap s xml
check "SIGTERM: exit 0" stop_daemon "$daemon_pid"

echo garbage >"$tmpdir/sysroot/sys/kernel/iommu_groups/1/reserved_regions"
check "unprobeable host, no stored map: exit 1" migmapd_rc 1 --config "$tmpdir/test.conf" \
	--sysroot "$tmpdir/sysroot" --state-dir "$tmpdir/empty.state"
check "unprobeable host: why, with the file" \
	grep -q "cannot probe this host: .*iommu_groups/1/reserved_regions" "$tmpdir/err"
start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
check "unprobeable host, stored map: says so" \
	grep -q "serving the host map stored in $tmpdir/a.state/host.xml" "$tmpdir/a.log"
get "$A_addr" GetHostMap s xml >"$tmpdir/got.xml"
check "unprobeable host, stored map: served as stored" cmp -s "$tmpdir/stored.xml" "$tmpdir/got.xml"
check "unprobeable host: Refresh fails" \
	fails_with "$A_addr" "$IFACE.Error.ProbeFailed" Refresh
check "SIGTERM: exit 0" stop_daemon "$daemon_pid"

# host.xml cannot be written: a warning, the probed map is served all the same
rm -rf "$tmpdir/sysroot" "$tmpdir/a.state"
cp -R "$HOSTS/arm64-virt-smmuv3" "$tmpdir/sysroot"
mkdir -p "$tmpdir/a.state/host.xml/x"
start_daemon a "$A_addr" "$tmpdir/sysroot" || exit 99
check "host.xml unwritable: a warning" grep -q "warning: .*host.xml" "$tmpdir/a.log"
"$MIGMAP" host --sysroot "$tmpdir/sysroot" --name a >"$tmpdir/host.xml"
get "$A_addr" GetHostMap s xml >"$tmpdir/got.xml"
check "host.xml unwritable: the probed map is served" cmp -s "$tmpdir/host.xml" "$tmpdir/got.xml"
check "SIGTERM: exit 0" stop_daemon "$daemon_pid"
# no usable libvirt.so.0 (hidden in a private mount namespace by an empty
# file, then by another library): a warning, and the daemon serves without
# following libvirt
libvirt_so=$(ldconfig -p 2>/dev/null | awk '$1 == "libvirt.so.0" { print $NF; exit }')
other_so=$(ldconfig -p 2>/dev/null | awk '$1 == "libz.so.1" { print $NF; exit }')
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 || [ -z "$libvirt_so" ] ||
	[ -z "$other_so" ] || nm -D "$MIGMAPD" 2>/dev/null | grep -q ' U virConnectOpen'; then
	echo "# not root, no unshare, no libvirt.so.0 or libz.so.1, or libvirt linked: skipping the missing libvirt"
else
	for hide in /dev/null "$other_so"; do
		rm -rf "$tmpdir/a.state"
		unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
			"$hide" "$libvirt_so" env DBUS_SYSTEM_BUS_ADDRESS="$A_addr" "$MIGMAPD" \
			--config "$tmpdir/test.conf" --sysroot "$HOSTS/arm64-virt-smmuv3" \
			--state-dir "$tmpdir/a.state" --name a --libvirt-uri test:///default \
			>"$tmpdir/nolibvirt.log" 2>&1 &
		pid=$!
		i=0
		until bus_has_daemon "$A_addr" || [ $i -gt 1200 ]; do sleep 0.05; i=$((i + 1)); done
		check "libvirt.so.0 is $hide: a warning naming the URI" \
			grep -q "warning: libvirt: cannot load it (.*): not following test:///default" "$tmpdir/nolibvirt.log"
		check "  GetLibvirt: not connected" sh -c \
			"busctl --address='$A_addr' --json=short call $SVC $OBJ $IFACE GetLibvirt | grep -q 'connected.*false'"
		check "  the host map is served" quiet call "$A_addr" GetHostMap s xml
		check "  SIGTERM: exit 0" stop_daemon "$pid"
	done
	check "another library as libvirt.so.0: the symbol it lacks is named" \
		grep -q "libvirt.so.0 lacks vir" "$tmpdir/nolibvirt.log"
fi
finish
