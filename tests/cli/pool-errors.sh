#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap pool without migmapd: each subcommand's wrong arguments and failures
# (one line on stderr, exit 2, the state unchanged), the default state
# directory when neither --state-dir nor a settings file names one, and
# check, show, fit and whatif on what is not there.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
S=$tmpdir/state
D=$top_srcdir/tests/data/libvirt
EX=$top_srcdir/examples/pool
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus
export DBUS_SYSTEM_BUS_ADDRESS
run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...
# the state directory's files, to see that a refused command changed none
snapshot() { (cd "$S" && find . -type f | sort | xargs cat) >"$tmpdir/snap.$1"; }
unchanged() { snapshot after && cmp -s "$tmpdir/snap.before" "$tmpdir/snap.after"; }

"$MIGMAP" --state-dir "$S" pool create p1 >/dev/null
"$MIGMAP" --state-dir "$S" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml" >/dev/null
snapshot before

# ---- wrong arguments: which command, what it expected
while IFS="|" read -r msg args; do
	# shellcheck disable=SC2086
	check "pool $args: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool $args
	check "  says: $msg" err_is "migmap: $msg"
	check "  nothing on stdout" [ ! -s "$tmpdir/o" ]
done <<EOF
pool: no command given (see 'migmap pool --help')|
pool list: unexpected argument 'p1'|list p1
pool create: expected one pool name|create
pool delete: expected one pool name|delete p1 p2
pool add: expected a pool and host map files|add p1
pool add --remote/--ssh: expected one pool name|add --remote unix:path=/x p1 p2
pool remove: expected a pool and a host name|remove p1
pool refresh: expected one pool name|refresh
pool sync: expected one pool name|sync
pool show: expected one pool name|show
pool check: expected a pool and a domain XML file|check p1
pool tag: expected a domain and a pool name|tag g1
pool untag: expected a domain|untag
pool tag: invalid pool name 'x/y'|tag g1 x/y
pool list: --domain is for 'fit' and 'whatif'|list --domain g.xml
pool show: --connect is for 'fit', 'whatif', 'tag' and 'untag'|show -c test:///default p1
pool check: --add and --remove are for 'whatif'|check --remove b p1 g.xml
pool sync: --remote and --ssh are for 'add'|sync --ssh h p1
EOF
check "the state is unchanged" unchanged

# ---- files that are not there or not maps
check "add of a missing file: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool add p1 "$tmpdir/none.xml"
check "  names it" err_is "migmap: $tmpdir/none.xml: No such file or directory"
check "check of a missing domain file: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool check p1 "$tmpdir/none.xml"
check "  names it" err_is "migmap: $tmpdir/none.xml: No such file or directory"
check "check against no pool: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool check p9 "$D/g-fits.xml"
check "  says so" err_is "migmap: no pool 'p9'"
echo "<domain>" >"$tmpdir/broken.xml"
check "check of broken XML: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool check p1 "$tmpdir/broken.xml"
check "  names the file and line" grep -q "^migmap: $tmpdir/broken.xml:2: malformed XML" "$tmpdir/err"
check "show of no pool: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool show p9
check "  says so" err_is "migmap: no pool 'p9'"
check "whatif on no pool: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool whatif p9 --remove b --domain "$D/g-fits.xml"
check "  says so" err_is "migmap: no pool 'p9'"
check "whatif --add of a missing file: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool whatif p1 --add "$tmpdir/none.xml" --domain "$D/g-fits.xml"
check "  names it" err_is "migmap: $tmpdir/none.xml: No such file or directory"
check "whatif --add of a broken map: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool whatif p1 --add "$tmpdir/broken.xml" --domain "$D/g-fits.xml"
check "  names the file" grep -q "^migmap: $tmpdir/broken.xml:" "$tmpdir/err"
check "whatif --domain of a missing file: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool whatif p1 --remove b --domain "$tmpdir/none.xml"
check "  names it" grep -q "^migmap: $tmpdir/none.xml: No such file or directory" "$tmpdir/err"
check "fit --domain of a missing file: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool fit p1 --domain "$tmpdir/none.xml"
check "  names it" grep -q "^migmap: $tmpdir/none.xml: No such file or directory" "$tmpdir/err"
check "whatif --add of a host that is a member: its new map replaces it" \
	run 0 "$tmpdir/o" --state-dir "$S" pool whatif p1 --add "$EX/b.xml" --domain "$D/g-pool.xml"
check "  g-pool stays invalid" grep -q "^g-pool: stays invalid: " "$tmpdir/o"
check "the state is unchanged" unchanged

# ---- a state directory that is not there: an error for each reader
for args in "list" "show p1" "check p1 $D/g-fits.xml" "fit p1 --domain $D/g-fits.xml" \
	"whatif p1 --remove b --domain $D/g-fits.xml"; do
	# shellcheck disable=SC2086
	check "pool $args, --state-dir missing: exit 2" run 2 "$tmpdir/o" --state-dir "$tmpdir/nowhere" pool $args
	check "  says which" err_is "migmap: $tmpdir/nowhere: cannot open the state directory: No such file or directory"
done
check "  and creates none" [ ! -e "$tmpdir/nowhere" ]

# ---- fit: a member the domain meets twice says the other error too. 64
# GiB from 1 GiB run over both of host b's ITS doorbell pages (its iomem:
# 0xc6010000 and 0x8c6010000); a still fits.
sed "s|<memory unit='GiB'>8</memory>|<memory unit='GiB'>64</memory>|" "$D/g-pool.xml" >"$tmpdir/g-big.xml"
check "fit: 64 GiB, a fits: exit 0" run 0 "$tmpdir/o" --state-dir "$S" pool fit p1 --domain "$tmpdir/g-big.xml"
check "  b does not, its first doorbell named" grep -q "^b: does not fit: .* meets msi 0xc6010000-0xc601ffff on host b" "$tmpdir/o"
check "  and the second on an 'also:' line" grep -q "^  also: .* meets msi 0x8c6010000-0x8c601ffff on host b" "$tmpdir/o"

# ---- a verdict that cannot be written out is an error, not a silent exit
check "check to a full device: exit 2" run 2 /dev/full --state-dir "$S" pool check p1 "$D/g-fits.xml"
check "  says so" err_is "migmap: cannot write output: No space left on device"
check "whatif to a full device: exit 2" run 2 /dev/full --state-dir "$S" pool whatif p1 --remove b --domain "$D/g-fits.xml"
check "  says so" err_is "migmap: cannot write output: No space left on device"

# ---- whatif over a libvirt's domains (the test driver's, from a file):
# a domain whose migmap metadata is malformed may be the pool's: it is
# named in a warning, the others are judged, and the exit status is not
# "all well"
cat >"$tmpdir/world.xml" <<'XML'
<node>
  <domain type='test'>
    <name>good</name>
    <memory unit='GiB'>2</memory>
    <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
    <metadata><migmap:pool xmlns:migmap='http://migmap.org/xmlns/domain/1.0' name='p1'/></metadata>
  </domain>
  <domain type='test'>
    <name>bad</name>
    <memory unit='GiB'>2</memory>
    <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>
    <metadata><migmap:pool xmlns:migmap='http://migmap.org/xmlns/domain/1.0' name='x/y'/></metadata>
  </domain>
</node>
XML
check "whatif over a libvirt's domains, one unreadable: exit 2" \
	run 2 "$tmpdir/o" --state-dir "$S" pool whatif p1 --remove b -c "test://$tmpdir/world.xml"
check "  the tagged one judged" [ "$(cat "$tmpdir/o")" = "good: stays valid" ]
check "  the malformed one named in a warning" grep -q \
	"^migmap: warning: domain 'bad' of test://$tmpdir/world.xml, line [0-9]* of its XML: invalid pool name 'x/y': not judged$" \
	"$tmpdir/err"
check "  and counted in the error" sh -c '[ "$(tail -n 1 "$0")" = "migmap: pool whatif: 1 domain not judged (see the warnings)" ]' "$tmpdir/err"
"${PYTHON3:-python3}" -c 'import re,sys; t=open(sys.argv[1]).read(); open(sys.argv[2],"w").write(re.sub(r"\s*<domain type=.test.>\s*<name>bad</name>.*?</domain>", "", t, flags=re.S))' \
	"$tmpdir/world.xml" "$tmpdir/world-good.xml"
check "without it: exit 0" \
	run 0 "$tmpdir/o" --state-dir "$S" pool whatif p1 --remove b -c "test://$tmpdir/world-good.xml"
check "  nothing on stderr" [ ! -s "$tmpdir/err" ]

# ---- a settings file with a bad remote_timeout: what fetches from members
# says so, with its state directory from the file or from --state-dir
printf 'state_dir = %s\nremote_timeout = soon\n' "$S" >"$tmpdir/bad.conf"
for dir in "" "--state-dir=$S"; do
	for v in refresh sync "add --remote=unix:path=$tmpdir/x"; do
		# shellcheck disable=SC2086
		check "$dir pool $v p1, remote_timeout = soon: exit 2" \
			run 2 "$tmpdir/o" --config "$tmpdir/bad.conf" $dir pool $v p1
		check "  names file, line and setting" err_is "migmap: $tmpdir/bad.conf:2: 'remote_timeout' is not a duration: seconds, or a number with s, min or h"
	done
done

# ---- add --remote and sync without migmapd, on what is not there
check "add --remote to no pool: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool add --remote "unix:path=$tmpdir/x" p9
check "  says so" err_is "migmap: no pool 'p9'"
check "add --remote of a bus that is not there: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool add --remote "unix:path=$tmpdir/x" p1
check "  names the address" grep -q "unix:path=$tmpdir/x" "$tmpdir/err"
check "sync of no pool: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool sync p9
check "  says so" err_is "migmap: no pool 'p9'"
check "sync of a pool without remote members: exit 0, no line" run 0 "$tmpdir/o" --state-dir "$S" pool sync p1
check "  nothing printed" [ ! -s "$tmpdir/o" ]

# ---- no --state-dir, no settings file, no migmapd: the built-in state
# directory (pool --help names it), which a host that never stored
# anything lacks: no pools, and nothing created
default=$("$MIGMAP" pool --help | sed -n 's/.*(--state-dir, the config file.s state_dir, or \(.*\))\.$/\1/p')
check "pool --help names the built-in state directory" [ -n "$default" ]
conf=$("$MIGMAP" --help | sed -n 's/.*default: \$MIGMAP_CONFIG, else \([^ )]*\).*/\1/p')
if [ -n "$default" ] && [ ! -e "$default" ] && { [ -z "$conf" ] || [ ! -e "$conf" ]; }; then
	for bus in "unix:path=$tmpdir/no-bus" "not-an-address"; do
		check "list, no migmapd ($bus): exit 0" sh -c \
			'DBUS_SYSTEM_BUS_ADDRESS=$0 "$1" pool list >"$2"' "$bus" "$MIGMAP" "$tmpdir/o"
		check "  no pools" [ ! -s "$tmpdir/o" ]
	done
	check "list --json: no pools" sh -c '"$0" pool list --json >"$1"' "$MIGMAP" "$tmpdir/o"
	check "  an empty list" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"pools": []}' "$tmpdir/o"
	check "show p1: exit 2" run 2 "$tmpdir/o" pool show p1
	check "  no pool" err_is "migmap: no pool 'p1'"
	check "whatif: exit 2" run 2 "$tmpdir/o" pool whatif p1 --remove b --domain "$D/g-fits.xml"
	check "  no pool" err_is "migmap: no pool 'p1'"
	check "  nothing created" [ ! -e "$default" ]
else
	echo "# $default or the settings file exists here: the defaults are not looked at"
fi
finish
