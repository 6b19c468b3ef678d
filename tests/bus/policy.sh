#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shipped D-Bus policy against what migmapd really serves: every method
# of its introspection data is classified by migmapd itself (called as
# nobody on a bus that lets everyone call: a mutating method answers
# org.freedesktop.DBus.Error.AccessDenied, a read does not), and then
#   - the policy file allows every method to everybody: the reads are
#     served to all, and the mutating ones are for migmapd to decide
#     (polkit, or admin_group without polkitd), as systemd's services do;
#   - on a bus that uses the shipped policy, nobody's calls all pass the
#     bus, and migmapd itself refuses the mutating ones.
# A method added to migmapd without a policy line fails here.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"

can_drop_privileges || skip_all "needs root and setpriv to call as nobody"
POLICY=$top_srcdir/daemon/org.migmap.Migmap1.conf

start_bus open
start_daemon a "$open_addr" "$HOSTS/arm64-hwmsi" || exit 1
busctl --address="$open_addr" --xml-interface introspect "$SVC" "$OBJ" >"$tmpdir/introspect.xml"
check "introspection data" test -s "$tmpdir/introspect.xml"

# methods NAME SIGNATURE, one a line, from the introspection data
"$PYTHON3" - "$tmpdir/introspect.xml" "$IFACE" >"$tmpdir/methods" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for i in root.findall("interface"):
    if i.get("name") != sys.argv[2]:
        continue
    for m in i.findall("method"):
        sig = "".join(a.get("type") for a in m.findall("arg") if a.get("direction", "in") == "in")
        print(m.get("name"), sig or "-")
PY
check "migmapd has methods" test -s "$tmpdir/methods"

# args SIGNATURE: dbus-send arguments of that signature, each a string "x"
args() {
	sig=$1
	[ "$sig" = - ] && return
	n=${#sig}
	i=0
	while [ $i -lt "$n" ]; do
		printf 'string:x '
		i=$((i + 1))
	done
}
error_of() { sed -n 's/^Error \([^:]*\):.*/\1/p' "$tmpdir/err"; }

: >"$tmpdir/reads"
: >"$tmpdir/writes"
while read -r m sig; do
	case $sig in *[!s-]*)
		echo "# $m takes '$sig': only string arguments are modelled here"
		continue ;;
	esac
	# shellcheck disable=SC2046
	as_nobody dbus-send --bus="$open_addr" --print-reply --dest="$SVC" "$OBJ" \
		"$IFACE.$m" $(args "$sig") >/dev/null 2>"$tmpdir/err"
	if [ "$(error_of)" = org.freedesktop.DBus.Error.AccessDenied ]; then
		echo "$m $sig" >>"$tmpdir/writes"
	else
		echo "$m $sig" >>"$tmpdir/reads"
	fi
done <"$tmpdir/methods"
check "migmapd refuses some methods to nobody (the mutating ones)" test -s "$tmpdir/writes"
check "and serves others (the reads)" test -s "$tmpdir/reads"
echo "# reads: $(cut -d' ' -f1 "$tmpdir/reads" | tr '\n' ' ')"
echo "# mutating: $(cut -d' ' -f1 "$tmpdir/writes" | tr '\n' ' ')"

# What the policy file grants: per context/user/group, the members of the
# interface allowed (send_member), or "*" when the whole destination is.
"$PYTHON3" - "$POLICY" "$SVC" "$IFACE" >"$tmpdir/granted" <<'PY'
import sys, xml.etree.ElementTree as ET
policy, svc, iface = sys.argv[1:]
for p in ET.parse(policy).getroot().findall("policy"):
    if p.get("context"):
        who = p.get("context")
    elif p.get("user"):
        who = "user=" + p.get("user")
    else:
        who = "group=" + p.get("group", "")
    for a in p.findall("allow"):
        if a.get("send_destination") != svc:
            continue
        if a.get("send_interface") is None:
            print(who, "*")
        elif a.get("send_interface") == iface:
            print(who, a.get("send_member") or "*")
PY
granted_to() { # granted_to WHO METHOD
	grep -qx "$1 $2" "$tmpdir/granted" || grep -qx "$1 \*" "$tmpdir/granted"
}
while read -r m sig; do
	check "policy: read $m allowed to everybody" granted_to default "$m"
done <"$tmpdir/reads"
while read -r m sig; do
	check "policy: mutating $m allowed to everybody, for migmapd to decide" \
		granted_to default "$m"
done <"$tmpdir/writes"

# The policy in force: a bus that includes the shipped file.
start_bus strict policy
start_daemon s "$strict_addr" "$HOSTS/arm64-hwmsi" || exit 1
while read -r m sig; do
	# shellcheck disable=SC2046
	as_nobody dbus-send --bus="$strict_addr" --print-reply --dest="$SVC" "$OBJ" \
		"$IFACE.$m" $(args "$sig") >/dev/null 2>"$tmpdir/err"
	check "bus with the policy: nobody's $m reaches migmapd" \
		[ "$(error_of)" != org.freedesktop.DBus.Error.AccessDenied ]
done <"$tmpdir/reads"
while read -r m sig; do
	# shellcheck disable=SC2046
	as_nobody dbus-send --bus="$strict_addr" --print-reply --dest="$SVC" "$OBJ" \
		"$IFACE.$m" $(args "$sig") >/dev/null 2>"$tmpdir/err"
	# migmapd's refusal, not dbus-daemon's
	check "bus with the policy: nobody's $m reaches migmapd, which refuses it" sh -c \
		'[ "$(sed -n "s/^Error \([^:]*\):.*/\1/p" "$1")" = org.freedesktop.DBus.Error.AccessDenied ] &&
		! grep -q "Rejected send message" "$1"' sh "$tmpdir/err"
done <"$tmpdir/writes"
finish
