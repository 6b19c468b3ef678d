#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap pool through a running migmapd (no --state-dir, no settings file):
# each subcommand, its --json and its errors, which are migmapd's answers in
# one line; the state changes are migmapd's (its state directory). Then the
# same CLI without migmapd fetching from and syncing to a remote member's
# migmapd, and a system bus on which migmapd does not run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/bus/lib-bus.sh"
D=$top_srcdir/tests/data/libvirt
EX=$top_srcdir/examples/pool
unset MIGMAP_CONFIG
run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...
json_is() { # json_is FILE JSON: FILE holds that JSON value
	"$PYTHON3" -c 'import json,sys; assert json.load(open(sys.argv[1])) == json.loads(sys.argv[2]), open(sys.argv[1]).read()' "$1" "$2"
}

start_bus sys
start_daemon b "$sys_addr" "$HOSTS/arm64-hwmsi" || exit 99
DBUS_SYSTEM_BUS_ADDRESS=$sys_addr
export DBUS_SYSTEM_BUS_ADDRESS
B=$tmpdir/b.state
start_bus R
start_daemon r "$R_addr" "$HOSTS/arm64-virt-gicv2" || exit 99
pid_r=$daemon_pid

# ---- create, add, remove, delete: migmapd does it, the CLI says it
check "create --json" run 0 "$tmpdir/o" pool create --json p1
check "  JSON" json_is "$tmpdir/o" '{"action": "created", "pool": "p1"}'
check "  in migmapd's state" [ -d "$B/pools/p1" ]
check "create again: exit 2" run 2 "$tmpdir/o" pool create p1
check "  migmapd's answer, one line" err_is "migmap: pool 'p1' exists"
check "create ../x: exit 2" run 2 "$tmpdir/o" pool create ../x
check "  migmapd's answer" grep -q "^migmap: invalid pool name '../x'" "$tmpdir/err"
check "add a, b, c" run 0 "$tmpdir/o" pool add p1 "$EX/a.xml" "$EX/b.xml" "$EX/c.xml"
check "  one line names them" [ "$(cat "$tmpdir/o")" = "Hosts 'a', 'b', 'c' added to pool 'p1'" ]
check "  in migmapd's state" [ -f "$B/pools/p1/b.xml" ]
check "add b again: exit 2" run 2 "$tmpdir/o" pool add p1 "$EX/b.xml"
check "  migmapd's answer" err_is "migmap: pool 'p1' already has a host 'b'"
check "add to no pool: exit 2" run 2 "$tmpdir/o" pool add p9 "$EX/b.xml"
check "  says so" err_is "migmap: no pool 'p9'"
printf '<capabilities>\n' >"$tmpdir/broken.xml"
check "add a broken map: exit 2, nothing asked of migmapd" run 2 "$tmpdir/o" pool add p1 "$tmpdir/broken.xml"
check "  names the file" grep -q "^migmap: $tmpdir/broken.xml:" "$tmpdir/err"
check "add a missing file: exit 2" run 2 "$tmpdir/o" pool add p1 "$tmpdir/none.xml"
check "  names it" err_is "migmap: $tmpdir/none.xml: No such file or directory"
check "create q --json, add c --json" sh -c '"$0" pool create q >/dev/null && "$0" pool add --json q "$1" >"$2"' \
	"$MIGMAP" "$EX/c.xml" "$tmpdir/o"
check "  JSON" json_is "$tmpdir/o" '{"action": "added", "pool": "q", "hosts": ["c"]}'
check "remove --json" run 0 "$tmpdir/o" pool remove --json q c
check "  JSON" json_is "$tmpdir/o" '{"action": "removed", "pool": "q", "hosts": ["c"]}'
check "  gone from migmapd's state" [ ! -e "$B/pools/q/c.xml" ]
check "remove again: exit 2" run 2 "$tmpdir/o" pool remove q c
check "  migmapd's answer" err_is "migmap: pool 'q' has no host 'c'"

# ---- add --remote: migmapd fetches r's map from r's migmapd
check "add --remote --json" run 0 "$tmpdir/o" pool add --json --remote "$R_addr" q
check "  JSON names r" json_is "$tmpdir/o" '{"action": "added", "pool": "q", "hosts": ["r"]}'
check "  migmapd keeps the address" grep -q "$R_addr" "$B/pools/q/remote.json"
check "add --remote again: exit 2" run 2 "$tmpdir/o" pool add --remote "$R_addr" q
check "  migmapd's answer" err_is "migmap: pool 'q' already has a host 'r'"
check "add --remote, text" sh -c '"$0" pool create q2 >/dev/null && "$0" pool add --remote "$1" q2 >"$2"' \
	"$MIGMAP" "$R_addr" "$tmpdir/o"
check "  one line" [ "$(cat "$tmpdir/o")" = "Host 'r' added to pool 'q2'" ]

# ---- list, show, check, fit
check "list" run 0 "$tmpdir/o" pool list
check "  the pools" [ "$(cat "$tmpdir/o")" = "$(printf 'p1\nq\nq2')" ]
check "list --json" run 0 "$tmpdir/o" pool list --json
check "  JSON" json_is "$tmpdir/o" '{"pools": ["p1", "q", "q2"]}'
check "show of no pool: exit 2" run 2 "$tmpdir/o" pool show p9
check "  migmapd's answer" err_is "migmap: no pool 'p9'"
check "check: g-pool meets b and c: exit 1" run 1 "$tmpdir/o" pool check p1 "$D/g-pool.xml"
check "  b's doorbell" grep -q "^error: guest RAM .* meets msi 0xc6010000-0xc601ffff on host b" "$tmpdir/o"
check "  the verdict" grep -qx "conflict: the domain does not fit pool 'p1'" "$tmpdir/o"
check "check --json: g-fits fits: exit 0" run 0 "$tmpdir/o" pool check --json p1 "$D/g-fits.xml"
check "  ok in the report" "$PYTHON3" -c 'import json,sys; assert json.load(open(sys.argv[1]))["ok"] is True' "$tmpdir/o"
check "check against no pool: exit 2" run 2 "$tmpdir/o" pool check p9 "$D/g-fits.xml"
check "  migmapd's answer" err_is "migmap: no pool 'p9'"
check "fit through migmapd: g-pool runs on a only: exit 0" run 0 "$tmpdir/o" pool fit p1 --domain "$D/g-pool.xml"
check "  a fits" grep -qx "a: fits" "$tmpdir/o"
check "  b does not, its doorbell named" grep -q "^b: does not fit: .*0xc6010000" "$tmpdir/o"
check "  c does not, its RMR named" grep -q "^c: does not fit: .*0xfbe00000" "$tmpdir/o"
check "  the same as without migmapd" sh -c '"$0" --state-dir "$1" pool fit p1 --domain "$2" | cmp -s - "$3"' \
	"$MIGMAP" "$B" "$D/g-pool.xml" "$tmpdir/o"
check "fit --json through migmapd" run 0 "$tmpdir/o" pool fit --json p1 --domain "$D/g-pool.xml"
check "  the same JSON as without migmapd" sh -c '"$0" --state-dir "$1" pool fit --json p1 --domain "$2" | cmp -s - "$3"' \
	"$MIGMAP" "$B" "$D/g-pool.xml" "$tmpdir/o"
check "fit on no pool: exit 2" run 2 "$tmpdir/o" pool fit p9 --domain "$D/g-pool.xml"
check "  migmapd's answer" err_is "migmap: no pool 'p9'"
check "fit on a pool without hosts: exit 2" sh -c '"$0" pool create e >/dev/null && "$0" pool fit e --domain "$1" >/dev/null 2>"$2"; [ $? -eq 2 ]' \
	"$MIGMAP" "$D/g-pool.xml" "$tmpdir/err"
check "  migmapd's answer" grep -q "^migmap: .*'e' has no hosts" "$tmpdir/err"

# ---- refresh and sync through migmapd
check "refresh of an invalid name: exit 2" run 2 "$tmpdir/o" pool refresh ../x
check "  says so" err_is "migmap: invalid pool name '../x'"
check "refresh of no pool: exit 2" run 2 "$tmpdir/o" pool refresh p9
check "  migmapd's answer" err_is "migmap: no pool 'p9'"
check "sync of no pool: exit 2" run 2 "$tmpdir/o" pool sync p9
check "  migmapd's answer" err_is "migmap: no pool 'p9'"
check "refresh q: r answers" run 0 "$tmpdir/o" pool refresh q
check "  r: fresh" grep -qx "r: fresh" "$tmpdir/o"
check "refresh --json" run 0 "$tmpdir/o" pool refresh --json q
check "  JSON" json_is "$tmpdir/o" '{"action": "refreshed", "pool": "q", "members": [{"host": "r", "ok": true, "result": "fresh"}]}'

# ---- delete
check "delete --json" run 0 "$tmpdir/o" pool delete --json q2
check "  JSON" json_is "$tmpdir/o" '{"action": "deleted", "pool": "q2"}'
check "  gone from migmapd's state" [ ! -e "$B/pools/q2" ]
check "delete again: exit 2" run 2 "$tmpdir/o" pool delete q2
check "  migmapd's answer" err_is "migmap: no pool 'q2'"

# ---- without migmapd (--state-dir): fetch from r, sync to r
L=$tmpdir/l.state
check "--state-dir: create l" run 0 "$tmpdir/o" --state-dir "$L" pool create l
check "add --remote without migmapd: the CLI fetches r's map" run 0 "$tmpdir/o" --state-dir "$L" pool add --remote "$R_addr" l
check "  says so" [ "$(cat "$tmpdir/o")" = "Host 'r' added to pool 'l'" ]
check "  r's map stored" [ -f "$L/pools/l/r.xml" ]
check "add --remote again: exit 2" run 2 "$tmpdir/o" --state-dir "$L" pool add --remote "$R_addr" l
check "  says so" err_is "migmap: pool 'l' already has a host 'r'"
check "add c, a member without an address" run 0 "$tmpdir/o" --state-dir "$L" pool add l "$EX/c.xml"
check "sync l: r takes it: exit 0" run 0 "$tmpdir/o" --state-dir "$L" pool sync l
check "  r: synced, and no line for c" [ "$(cat "$tmpdir/o")" = "r: synced" ]
check "  r's migmapd has pool l" sh -c 'busctl --address="$0" call '"$SVC $OBJ $IFACE"' ListPools | grep -q "\"l\""' "$R_addr"
stop_daemon "$pid_r"
check "sync l, r gone: exit 1" run 1 "$tmpdir/o" --state-dir "$L" pool sync l
check "  r: not synced, saying why" grep -q "^r: not synced: .*$R_addr" "$tmpdir/o"

# ---- a system bus on which migmapd does not run: the state directory
# (here one named by a settings file's state_dir)
start_bus E
printf 'state_dir = %s\n' "$L" >"$tmpdir/l.conf"
check "no migmapd on the bus, --config: its state_dir" sh -c \
	'DBUS_SYSTEM_BUS_ADDRESS=$0 "$1" --config "$2" pool list >"$3"' "$E_addr" "$MIGMAP" "$tmpdir/l.conf" "$tmpdir/o"
check "  lists l" [ "$(cat "$tmpdir/o")" = l ]
default=$("$MIGMAP" pool --help | sed -n 's/.*(--state-dir, the config file.s state_dir, or \(.*\))\.$/\1/p')
conf=$("$MIGMAP" --help | sed -n 's/.*default: \$MIGMAP_CONFIG, else \([^ )]*\).*/\1/p')
if [ -n "$default" ] && [ ! -e "$default" ] && [ -n "$conf" ] && [ ! -e "$conf" ]; then
	check "no migmapd on the bus, nothing named: no pools" sh -c \
		'DBUS_SYSTEM_BUS_ADDRESS=$0 "$1" pool list >"$2"' "$E_addr" "$MIGMAP" "$tmpdir/o"
	check "  an empty list" [ ! -s "$tmpdir/o" ]
fi
finish
