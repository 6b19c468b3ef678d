#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap pool on a state directory, without migmapd: every command, JSON,
# one-line errors, exit codes, damaged files reported as warnings.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
S=$tmpdir/state
# never reach a daemon on this machine's bus
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmpdir/no-bus
export DBUS_SYSTEM_BUS_ADDRESS

run() { migmap_rc "$@"; } # run EXPECTED_RC OUTFILE ARGS...
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/b.xml"
"$MIGMAP" host --sysroot "$HOSTS/arm64-virt-gicv2" --name c >"$tmpdir/c.xml"
"$MIGMAP" host --sysroot "$HOSTS/x86-q35-vtd" --name x >"$tmpdir/x.xml"

check "pool --help" run 0 "$tmpdir/o" pool --help
check "help lists the commands" grep -q "add --ssh \[USER@\]HOST\[:PORT\] POOL" "$tmpdir/o"
# a --state-dir that does not exist is a mistake, not an empty store
check "list of a missing state dir: exit 2" run 2 "$tmpdir/o" --state-dir "$S" pool list
check "  says which" grep -q "^migmap: $S: cannot open the state directory: No such file or directory\$" "$tmpdir/err"
check "  prints nothing on stdout" test ! -s "$tmpdir/o"
check "create" run 0 "$tmpdir/o" --state-dir "$S" pool create p
# what changed, in one line as virsh says it ("Pool 'x' created")
check "  says so" [ "$(cat "$tmpdir/o")" = "Pool 'p' created" ]
check "create again" run 2 "$tmpdir/o" --state-dir "$S" pool create p
check "  message" err_is "migmap: pool 'p' exists"
check "create ../x" run 2 "$tmpdir/o" --state-dir "$S" pool create ../x
check "  message" err_is "migmap: invalid pool name '../x': 1-250 letters, digits, '-', '.', '_', not starting with '.'"
# a bad file after a good one: nothing added, nothing said on stdout
printf '<capabilities>\n' >"$tmpdir/broken.xml"
check "add a good and a broken map" run 2 "$tmpdir/o" --state-dir "$S" pool add p "$tmpdir/b.xml" "$tmpdir/broken.xml"
check "  nothing on stdout" [ ! -s "$tmpdir/o" ]
check "  b was not added" sh -c '! ls "$0/pools/p" | grep -q b' "$S"
check "add two maps" run 0 "$tmpdir/o" --state-dir "$S" pool add p "$tmpdir/b.xml" "$tmpdir/c.xml"
check "  one line names both" [ "$(cat "$tmpdir/o")" = "Hosts 'b', 'c' added to pool 'p'" ]
check "add from stdin" sh -c "'$MIGMAP' --state-dir '$S' pool create q && '$MIGMAP' --state-dir '$S' pool add q - <'$tmpdir/b.xml'"
check "add again" run 2 "$tmpdir/o" --state-dir "$S" pool add p "$tmpdir/b.xml"
check "  message" err_is "migmap: pool 'p' already has a host 'b'"
check "add x86 to arm64" run 2 "$tmpdir/o" --state-dir "$S" pool add p "$tmpdir/x.xml"
check "  message" err_is "migmap: a pool cannot mix architectures: b is aarch64, x is x86_64"
printf "<capabilities><host>\n<memoryMap name='r' iommuGroups='0'>\n<ram start='0x2' end='0x1'/>\n</memoryMap></host></capabilities>\n" >"$tmpdir/rev.xml"
check "add a bad map" run 2 "$tmpdir/o" --state-dir "$S" pool add p "$tmpdir/rev.xml"
check "  message names file and line" err_is "migmap: $tmpdir/rev.xml:3: <ram> end 0x1 before start 0x2"
check "add to no pool" run 2 "$tmpdir/o" --state-dir "$S" pool add nope "$tmpdir/b.xml"
check "  message" err_is "migmap: no pool 'nope'"
check "list" run 0 "$tmpdir/o" --state-dir "$S" pool list
check "  names" [ "$(cat "$tmpdir/o")" = "$(printf 'p\nq')" ]
check "list --json" run 0 "$tmpdir/o" --state-dir "$S" pool list --json
check "  JSON" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"pools": ["p", "q"]}' "$tmpdir/o"
check "show" run 0 "$tmpdir/show.xml" --state-dir "$S" pool show p
"$MIGMAP" baseline --name p "$tmpdir/c.xml" "$tmpdir/b.xml" >"$tmpdir/base.xml"
check "  equals migmap baseline" cmp -s "$tmpdir/base.xml" "$tmpdir/show.xml"
check "show --json" run 0 "$tmpdir/show.json" --state-dir "$S" pool show --json p
"$MIGMAP" baseline --json --name p "$tmpdir/c.xml" "$tmpdir/b.xml" >"$tmpdir/base.json"
check "  equals migmap baseline --json" cmp -s "$tmpdir/base.json" "$tmpdir/show.json"
[ -n "${XMLLINT:-}" ] || XMLLINT=$(command -v xmllint || true)
if [ -n "$XMLLINT" ]; then
	check "  valid against poolmap.rng" "$XMLLINT" --noout --relaxng "$top_srcdir/xml/poolmap.rng" "$tmpdir/show.xml"
fi
check "remove" run 0 "$tmpdir/o" --state-dir "$S" pool remove p c
check "  says so" [ "$(cat "$tmpdir/o")" = "Host 'c' removed from pool 'p'" ]
check "remove again" run 2 "$tmpdir/o" --state-dir "$S" pool remove p c
check "  message" err_is "migmap: pool 'p' has no host 'c'"
check "refresh without remote members" run 0 "$tmpdir/o" --state-dir "$S" pool refresh p
check "--remote only for add" run 2 "$tmpdir/o" --state-dir "$S" pool show --remote x p
check "unknown command" run 2 "$tmpdir/o" --state-dir "$S" pool frobnicate
check "delete" run 0 "$tmpdir/o" --state-dir "$S" pool delete q
check "  says so" [ "$(cat "$tmpdir/o")" = "Pool 'q' deleted" ]
# --json: the same as one object
check "create --json" run 0 "$tmpdir/o" --state-dir "$S" pool create --json j
check "  JSON" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == json.loads(sys.argv[2])' "$tmpdir/o" '{"action": "created", "pool": "j"}'
check "add --json" run 0 "$tmpdir/o" --state-dir "$S" pool --json add j "$tmpdir/c.xml"
check "  JSON" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == json.loads(sys.argv[2])' "$tmpdir/o" '{"action": "added", "pool": "j", "hosts": ["c"]}'
check "  c is in j" sh -c '"$0" --state-dir "$1" pool show --json j | grep -q "\"name\": \"c\""' "$MIGMAP" "$S"
check "remove --json" run 0 "$tmpdir/o" --state-dir "$S" pool --json remove j c
check "  JSON" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == json.loads(sys.argv[2])' "$tmpdir/o" '{"action": "removed", "pool": "j", "hosts": ["c"]}'
check "delete --json" run 0 "$tmpdir/o" --state-dir "$S" pool --json delete j
check "  JSON" "${PYTHON3:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1])) == json.loads(sys.argv[2])' "$tmpdir/o" '{"action": "deleted", "pool": "j"}'
check "  j is gone" sh -c '! "$0" --state-dir "$1" pool list | grep -qx j' "$MIGMAP" "$S"
check "delete again" run 2 "$tmpdir/o" --state-dir "$S" pool delete q
check "  message" err_is "migmap: no pool 'q'"

# damaged state: a warning naming the file, the rest still works
echo "<capabilities><host>" >"$S/pools/p/bad.xml"
check "damaged member: show still works" run 0 "$tmpdir/o" --state-dir "$S" pool show p
check "  warning names the file" grep -q "^migmap: warning: $S/pools/p/bad.xml" "$tmpdir/err"
# --config FILE and MIGMAP_CONFIG: the settings file names the state directory
printf 'state_dir = %s\n' "$S" >"$tmpdir/migmap.conf"
check "--config FILE: its state_dir" run 0 "$tmpdir/o" --config "$tmpdir/migmap.conf" pool list
check "  lists the pools there" grep -qx p "$tmpdir/o"
check "MIGMAP_CONFIG: the same" sh -c 'MIGMAP_CONFIG="$0" "$1" pool list | grep -qx p' "$tmpdir/migmap.conf" "$MIGMAP"
check "--config of a missing file: exit 2" run 2 "$tmpdir/o" --config "$tmpdir/none.conf" pool list
check "  says which" err_is "migmap: $tmpdir/none.conf: cannot open: No such file or directory"

# a FIFO in the state directory is never opened for a blocking read
rm "$S/pools/p/bad.xml"
mkfifo "$S/pools/p/fifo.xml"
check "FIFO as a member: pool list does not hang" \
	sh -c 'timeout 120 "$0" --state-dir "$1" pool list >"$2" 2>"$3"; [ $? -ne 124 ]' \
	"$MIGMAP" "$S" "$tmpdir/o" "$tmpdir/err"
check "  the member is named, not a regular file" grep -q "$S/pools/p/fifo.xml.*not a regular file" "$tmpdir/err"
check "  the pool is still listed" grep -q "^p" "$tmpdir/o"
rm "$S/pools/p/fifo.xml"
finish
