#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap show and check on input they cannot use: one line naming the file
# and why, exit 2, nothing on stdout. And check without HOST.xml files
# (this host and its pool, as the hook judges) from a state directory that
# holds this host's stored map, or from a sysroot that cannot be probed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
EX=$top_srcdir/examples/pool
D=$top_srcdir/tests/data/libvirt
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus
export DBUS_SYSTEM_BUS_ADDRESS
run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...
fails() { # fails LINE ARGS...: exit 2, stderr is LINE, stdout empty
	line=$1
	shift
	migmap_rc 2 "$tmpdir/o" "$@" && err_is "$line" &&
		{ [ ! -s "$tmpdir/o" ] || { echo "  stdout:"; cat "$tmpdir/o"; return 1; }; }
}

sed 's/virt-7.2/sbsa-ref/' "$D/g-hostdev.xml" >"$tmpdir/sbsa.xml"
echo "<domain>" >"$tmpdir/broken.xml"
# larger than any domain file migmap reads (16 MiB), without writing it
truncate -s 17M "$tmpdir/big.xml"

# ---- show
check "show --svg into a directory that is not there" \
	fails "migmap: show: $tmpdir/nodir/p.svg: No such file or directory" \
	show --svg "$tmpdir/nodir/p.svg" "$EX/b.xml"
check "  writes nothing" [ ! -e "$tmpdir/nodir" ]
check "show of a missing host map" \
	fails "migmap: $tmpdir/none.xml: No such file or directory" show "$tmpdir/none.xml"
check "show --domain of a missing file" \
	fails "migmap: $tmpdir/none.xml: No such file or directory" show --domain "$tmpdir/none.xml" "$EX/b.xml"
check "show --domain larger than 16 MiB" \
	fails "migmap: $tmpdir/big.xml: larger than 16 MiB" show --domain "$tmpdir/big.xml" "$EX/b.xml"
check "show --domain of broken XML: file and line" run 2 "$tmpdir/o" show --domain "$tmpdir/broken.xml" "$EX/b.xml"
check "  names them" grep -q "^migmap: $tmpdir/broken.xml:2: malformed XML" "$tmpdir/err"
check "show --domain of a machine not modelled" \
	fails "migmap: show: machine type 'sbsa-ref' is not modelled" show --domain "$tmpdir/sbsa.xml" "$EX/b.xml"
check "show --svg to a full device" \
	fails "migmap: show: /dev/full: No space left on device" show --svg /dev/full "$EX/b.xml"
# on a terminal the lanes take its width (piped: 100 columns); script(1)
# gives migmap a terminal of 200 columns
if command -v script >/dev/null 2>&1; then
	lane_width() { tr -d '\r' <"$1" | sed -n 's/^\(b  .*\)$/\1/p' | awk '{ print length($0) }'; }
	NO_COLOR=1 "$MIGMAP" show "$EX/a.xml" "$EX/b.xml" >"$tmpdir/piped"
	NO_COLOR=1 script -qec "stty cols 200; '$MIGMAP' show '$EX/a.xml' '$EX/b.xml'" /dev/null >"$tmpdir/tty"
	check "show piped: 100-column lanes" [ "$(lane_width "$tmpdir/piped")" = 100 ]
	check "show on a 200-column terminal: 200-column lanes" [ "$(lane_width "$tmpdir/tty")" = 200 ]
fi

# ---- check with HOST.xml files
check "check of a missing host map" \
	fails "migmap: $tmpdir/none.xml: No such file or directory" check --domain "$D/g-fits.xml" "$tmpdir/none.xml"
check "check of a machine not modelled" \
	fails "migmap: check: machine type 'sbsa-ref' is not modelled" check --domain "$tmpdir/sbsa.xml" "$EX/b.xml"

# ---- check without HOST.xml files: --state-dir with this host's stored map
# (host b's), no settings file
S=$tmpdir/state
"$MIGMAP" --state-dir "$S" pool create p1 >/dev/null
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$S/host.xml"
check "--state-dir, its host.xml: b's doorbell" run 1 "$tmpdir/o" --state-dir "$S" check --domain "$D/g-hostdev.xml"
check "  named" grep -q "^error: guest RAM 0x40000000-0x23fffffff meets msi 0xc6010000-0xc601ffff on host b " "$tmpdir/o"
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-smmuv3" --name a >"$S/host.xml"
check "--state-dir, another host.xml: a, which it fits" run 0 "$tmpdir/o" --state-dir "$S" check --domain "$D/g-hostdev.xml"
echo "<capabilities>" >"$S/pools/p1/bad.xml"
check "  a damaged member of a pool: still checked" run 0 "$tmpdir/o" --state-dir "$S" check --domain "$D/g-hostdev.xml"
check "  with a warning naming the file" grep -q "^migmap: warning: $S/pools/p1/bad.xml" "$tmpdir/err"

# ---- a sysroot that cannot be probed, no stored map: an error, not a pass
mkdir "$tmpdir/empty"
printf 'sysroot = %s\nstate_dir = %s\n' "$HOSTS/bad-truncated" "$tmpdir/empty" >"$tmpdir/bad.conf"
check "check, this host cannot be probed: exit 2" run 2 "$tmpdir/o" --config "$tmpdir/bad.conf" check --domain "$D/g-fits.xml"
check "  says why" grep -q "^migmap: check: cannot probe this host: .*truncated line" "$tmpdir/err"
finish
