#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmapd's systemd unit, as make install puts it, is sandboxed:
# systemd-analyze security (offline: no running systemd needed) scores its
# exposure at 2.0 or less (0 = fully sandboxed, 10 = not at all).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v systemd-analyze >/dev/null 2>&1 || skip_all "systemd-analyze not installed (Debian package systemd)"
unit=$top_builddir/daemon/migmapd.service
[ -f "$unit" ] || skip_all "$unit not built"
limit=2.0

# the file under its installed name, alone in a directory
cp "$unit" "$tmpdir/migmapd.service"
systemd-analyze security --offline=true --no-pager "$tmpdir/migmapd.service" >"$tmpdir/out" 2>&1
score=$(sed -n 's/.*Overall exposure level for migmapd.service: \([0-9.]*\).*/\1/p' "$tmpdir/out")
echo "exposure: ${score:-?} (limit $limit)"
check "systemd-analyze scored the unit" [ -n "$score" ]
check "exposure ${score:-?} <= $limit" awk -v s="${score:-99}" -v l="$limit" 'BEGIN { exit !(s <= l) }'
[ "$failed" -eq 0 ] || grep '✗' "$tmpdir/out"
# what the daemon needs is still there
for setting in 'BusName=org.migmap.Migmap1' 'StateDirectory=migmap' 'DeviceAllow=char-misc rw' \
	'CapabilityBoundingSet=CAP_SYS_ADMIN' 'RestrictAddressFamilies=AF_UNIX'; do
	check "unit keeps $setting" grep -q "^$setting" "$unit"
done
# set_mempolicy (libnuma's constructor, loaded with libvirt.so) is in
# systemd's @resources, which the unit denies: it must be allowed again
# after that line, or a real boot sees it filtered (issue 14)
check "set_mempolicy is in systemd's @resources here" \
	sh -c 'systemd-analyze syscall-filter @resources | grep -qw set_mempolicy'
check "the unit allows set_mempolicy after denying @resources" awk '
	/^SystemCallFilter=~.*@resources/ { denied = NR }
	/^SystemCallFilter=set_mempolicy$/ { allowed = NR }
	END { exit !(denied && allowed > denied) }' "$unit"
finish
