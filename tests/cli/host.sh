#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migmap host from the outside: exit codes, one-line errors naming file and
# line, and every fixture's XML validated by xmllint against the schema (an
# validator independent of the library's own RelaxNG use).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# run EXPECTED_RC ARGS...: migmap_rc with stdout in $tmpdir/out
run() {
	want=$1
	shift
	migmap_rc "$want" "$tmpdir/out" "$@"
}

check "--help exits 0" run 0 --help
check "--version names the package" sh -c '"$0" --version | grep -q "^migmap "' "$MIGMAP"
check "host --help exits 0" run 0 host --help
check "no command is a usage error" run 2
check "unknown command" run 2 frobnicate
check "unknown command: one line" err_is "migmap: unknown command 'frobnicate' (see 'migmap --help')"
check "unknown option" run 2 host --bogus
check "extra argument" run 2 host stray
check "extra argument: one line" err_is "migmap: host: unexpected argument 'stray'"
check "missing sysroot" run 2 host --sysroot "$tmpdir/none"
check "empty name refused" run 2 host --name ""

# Bad fixtures: exit 2, nothing on stdout, one line naming file and line.
check "bad address" run 2 host --sysroot "$HOSTS/bad-address"
check "bad address: message" err_is \
	"migmap: sys/kernel/iommu_groups/3/reserved_regions:2: bad address '0xzz00000000ee0000'"
check "bad address: no output" test ! -s "$tmpdir/out"
check "truncated file" run 2 host --sysroot "$HOSTS/bad-truncated"
check "truncated file: message" sh -c 'grep -q "reserved_regions:[0-9]*: truncated line" "$0"' "$tmpdir/err"
check "reversed range" run 2 host --sysroot "$HOSTS/bad-reversed"
check "reversed range: message" sh -c 'grep -q "reserved_regions:[0-9]*: end 0x[0-9a-f]* before start" "$0"' "$tmpdir/err"
check "garbage iomem" run 2 host --sysroot "$HOSTS/bad-iomem-garbage"
check "garbage iomem: message" sh -c 'grep -q "^migmap: proc/iomem" "$0"' "$tmpdir/err"

# Unknown types are kept and warned about, not fatal.
check "unknown type kept" run 0 host --sysroot "$HOSTS/unknown-type" --json
check "unknown type: warning in the map" grep -q "unknown type 'sw-future' (kept as read)" "$tmpdir/out"

# Firmware: damaged tables are warnings naming table and offset, not errors.
check "damaged firmware tables: exit 0" run 0 host --sysroot "$HOSTS/fw-bad-tables" --json
check "damaged MADT: warning names table and offset" grep -q \
	"sys/firmware/acpi/tables/APIC: offset 0x44: subtable type 0xf with length 0" "$tmpdir/out"
check "truncated IORT: warning names table and offset" grep -q \
	"sys/firmware/acpi/tables/IORT: offset 0x4: table length 476 past the end" "$tmpdir/out"
check "RMR the kernel did not report: kept from the IORT" \
	run 0 host --sysroot "$HOSTS/fw-rmr-oldkernel"
check "RMR the kernel did not report: source='iort'" grep -q \
	"<reserved type='direct' start='0xfbe00000' end='0xfbffffff' source='iort'/>" "$tmpdir/out"

# The table for people.
check "--table" run 0 host --sysroot "$HOSTS/arm64-virt-smmuv3" --table
check "--table: the ITS and its doorbell" grep -Eq \
	"^gicv3-its +0x8080000 +0x20000 +0x8090040 +yes +fdt$" "$tmpdir/out"
check "--table: the SMMU's limit" grep -Eq "^iommu +44 +dmesg.txt: 9050000.smmuv3$" "$tmpdir/out"
check "--table: reserved range with groups and devices" grep -Eq \
	"^msi +0x8000000 +0x80fffff +kernel +0\(0000:00:02.0\) 1" "$tmpdir/out"
check "--json and --table together" run 2 host --json --table
check "--json and --table: one line" err_is "migmap: host: --json and --table exclude each other"
check "--help names --table" sh -c '"$0" host --help | grep -q -- "--table"' "$MIGMAP"

# Reads never leave the sysroot: an absolute symlink resolves inside it (as
# the kernel's openat2 RESOLVE_IN_ROOT does), so a link to a file outside
# is a missing file there (proc/iomem is optional: exit 0), and nothing of
# the outside file is ever read, let alone quoted.
printf 'SECRET-LINE-1 not an iomem\nSECRET-LINE-2\n' >"$tmpdir/outside"
cp -R "$HOSTS/arm64-hwmsi" "$tmpdir/esc"
rm "$tmpdir/esc/proc/iomem"
ln -s "$tmpdir/outside" "$tmpdir/esc/proc/iomem"
check "absolute symlink out of the sysroot: not followed out" run 0 host --sysroot "$tmpdir/esc"
check "  nothing of the outside file" sh -c '! grep -q SECRET "$0" "$1"' "$tmpdir/err" "$tmpdir/out"
rm "$tmpdir/esc/proc/iomem"
ln -s ../../../../../../../../../../.."$tmpdir/outside" "$tmpdir/esc/proc/iomem"
check "relative symlink climbing out: stops at the sysroot" run 0 host --sysroot "$tmpdir/esc"
check "  nothing of the outside file" sh -c '! grep -q SECRET "$0" "$1"' "$tmpdir/err" "$tmpdir/out"
mkdir -p "$tmpdir/esc/$tmpdir"
cp "$HOSTS/arm64-hwmsi/proc/iomem" "$tmpdir/esc/$tmpdir/outside"
check "the same link with the file inside the sysroot: read from there" run 0 host --sysroot "$tmpdir/esc"

# A FIFO (or anything not a regular file) is an error, never a hang: a
# timeout turns a regression into a failure rather than a stuck suite.
rm "$tmpdir/esc/proc/iomem"
mkfifo "$tmpdir/esc/proc/iomem"
check "FIFO as a sysroot file: an error at once" \
	sh -c 'timeout 120 "$0" host --sysroot "$1" >"$2" 2>"$3"; [ $? -eq 2 ]' \
	"$MIGMAP" "$tmpdir/esc" "$tmpdir/out" "$tmpdir/err"
check "  saying so" err_is "migmap: proc/iomem: not a regular file"
rm "$tmpdir/esc/proc/iomem"
mkdir "$tmpdir/esc/proc/iomem"
check "directory as a sysroot file: an error" run 2 host --sysroot "$tmpdir/esc"
check "  saying so" err_is "migmap: proc/iomem: not a regular file"

[ -n "${XMLLINT:-}" ] || XMLLINT=$(command -v xmllint || true)
for h in "$HOSTS"/*/; do
	h=$(basename "$h")
	case $h in bad-*) continue ;; esac
	check "$h: host exits 0" run 0 host --sysroot "$HOSTS/$h"
	if [ -n "$XMLLINT" ]; then
		check "$h: xmllint --relaxng accepts the XML" \
			"$XMLLINT" --noout --relaxng "$top_srcdir/xml/hostmap.rng" "$tmpdir/out"
	fi
done
[ -n "$XMLLINT" ] || echo "# xmllint not installed: independent schema check skipped"
# A host without IOMMU groups (the fixture has no sys/kernel/iommu_groups):
# one warning line on stderr besides the map's <warning>; with groups, none.
check "host without IOMMU groups: exit 0" migmap_rc 0 "$tmpdir/out" host --sysroot "$HOSTS/x86-noiommu" --name n
check "  warns on stderr" err_is "migmap: host: warning: n has no IOMMU groups: it cannot assign devices"
check "host with IOMMU groups: exit 0" migmap_rc 0 "$tmpdir/out" host --sysroot "$HOSTS/x86-q35-vtd" --name v
check "  no warning" [ ! -s "$tmpdir/err" ]
# The settings file's sysroot and name, as migmapd and the hook probe and
# name this host: what 'migmap host' prints by default, so the map a user
# adds to a pool names the member migmapd publishes itself as.
printf 'sysroot = %s\nname = h1\n' "$HOSTS/x86-q35-vtd" >"$tmpdir/host.conf"
"$MIGMAP" host --sysroot "$HOSTS/x86-q35-vtd" --name h1 >"$tmpdir/want.xml"
check "--config: its sysroot and name" migmap_rc 0 "$tmpdir/out" --config "$tmpdir/host.conf" host
check "  the same map as --sysroot and --name" cmp -s "$tmpdir/want.xml" "$tmpdir/out"
check "MIGMAP_CONFIG: the same" sh -c 'MIGMAP_CONFIG="$1" "$0" host | cmp -s - "$2"' \
	"$MIGMAP" "$tmpdir/host.conf" "$tmpdir/want.xml"
"$MIGMAP" host --sysroot "$HOSTS/arm64-hwmsi" --name b >"$tmpdir/want.xml"
check "--sysroot and --name win over the file" migmap_rc 0 "$tmpdir/out" \
	--config "$tmpdir/host.conf" host --sysroot "$HOSTS/arm64-hwmsi" --name b
check "  the same map as without it" cmp -s "$tmpdir/want.xml" "$tmpdir/out"
check "--config FILE missing: exit 2" migmap_rc 2 "$tmpdir/out" --config "$tmpdir/none.conf" host
check "  names it" err_is "migmap: $tmpdir/none.conf: cannot open: No such file or directory"
# The kernel config's VA_BITS (the SMMUv3's stage-1 input width): a
# proc/config.gz that is not gzip, or is cut short, is passed over for
# boot/config-RELEASE, as if absent.
bits_of() {
	"$MIGMAP" host --sysroot "$1" --json | sed -n 's/^ *"iommuAddressBits": \([0-9]*\),$/\1/p'
}
vab=$tmpdir/vabits
cp -R "$HOSTS/arm64-smmuv3-vabits" "$vab"
check "proc/config.gz: gzip read, before boot/config" [ "$(bits_of "$HOSTS/arm64-smmuv3-configgz")" = 39 ]
printf 'CONFIG_ARM64_VA_BITS=39\n' >"$vab/proc/config.gz"
check "proc/config.gz not gzip: boot/config's 48" [ "$(bits_of "$vab")" = 48 ]
head -c 60 "$HOSTS/arm64-smmuv3-configgz/proc/config.gz" >"$vab/proc/config.gz"
check "proc/config.gz cut short: boot/config's 48" [ "$(bits_of "$vab")" = 48 ]
rm -r "$vab/boot"
cp "$HOSTS/arm64-smmuv3-configgz/proc/config.gz" "$vab/proc/config.gz"
check "proc/config.gz alone" [ "$(bits_of "$vab")" = 39 ]

# iommufd.txt, iommufd's answers as a capture records them: the width
# joins the limits; a hole sysfs does not reserve, a width sysfs does not
# give and a line not understood are warnings.
fd=$HOSTS/x86-q35-vtd-iommufd
check "iommufd.txt: its width is a limit" sh -c '"$0" host --sysroot "$1" |
	grep -q "<limit kind=.iommu. bits=.39. source=.iommufd.txt: 0000:00:03.0 (IOMMU_GET_HW_INFO intel-vtd)./>"' \
	"$MIGMAP" "$fd"
check "iommufd.txt agreeing with sysfs: no warning of it" sh -c '! "$0" host --sysroot "$1" | grep -q "<warning>iommufd"' "$MIGMAP" "$fd"
cp -R "$fd" "$tmpdir/ifd"
cat >>"$tmpdir/ifd/iommufd.txt" <<EOF
0000:00:04.0 hw-info intel-vtd 48
0000:00:04.0 allowed 0x0-0xfedfffff
0000:00:04.0 allowed 0x200000000-0xffffffffffff
0000:00:04.0 allows everything
EOF
"$MIGMAP" host --sysroot "$tmpdir/ifd" >"$tmpdir/ifd.xml"
check "iommufd.txt: a width unlike sysfs's" grep -q "0000:00:04.0 (IOMMU_GET_HW_INFO intel-vtd) says 48 bits, sysfs and the kernel log 39" "$tmpdir/ifd.xml"
check "iommufd.txt: a hole sysfs does not reserve" grep -q "0000:00:04.0: iommufd does not allow IOVA 0xfef00000-0x1ffffffff, which group 4.s reserved_regions do not reserve" "$tmpdir/ifd.xml"
check "iommufd.txt: a line not understood" grep -q "iommufd.txt:10: not understood" "$tmpdir/ifd.xml"
check "iommufd.txt: the smallest width stays" sh -c '"$0" host --sysroot "$1" --json | grep -q "\"iommuAddressBits\": 39,"' "$MIGMAP" "$tmpdir/ifd"
printf '0000:00:04.0 failed VFIO_DEVICE_BIND_IOMMUFD: Device or resource busy\n' >>"$tmpdir/ifd/iommufd.txt"
check "iommufd.txt: a device iommufd could not be asked about" sh -c '"$0" host --sysroot "$1" |
	grep -q "iommufd.txt: 0000:00:04.0 could not be asked: VFIO_DEVICE_BIND_IOMMUFD: Device or resource busy"' "$MIGMAP" "$tmpdir/ifd"

# --save-iommufd asks this host's iommufd: never a capture's
migmap_rc 1 "$tmpdir/out" host --sysroot "$fd" --save-iommufd "$tmpdir/saved"
err_is "migmap: host: --save-iommufd asks this host's iommufd: it cannot be used with --sysroot"
check "--save-iommufd with --sysroot writes nothing" [ ! -e "$tmpdir/saved" ]
migmap_rc 1 "$tmpdir/out" host --sysroot "$fd" --iommufd
err_is "migmap: host: --iommufd asks this host's iommufd: it cannot be used with --sysroot"
if [ ! -e /dev/iommu ]; then
	# without iommufd, --iommufd asks nothing: the same map, no warning
	"$MIGMAP" host --name h | sed '/generated=/d' >"$tmpdir/plain.xml"
	check "--iommufd without /dev/iommu: the map as without it" sh -c \
		'"$0" host --name h --iommufd | sed "/generated=/d" | cmp -s - "$1"' "$MIGMAP" "$tmpdir/plain.xml"
	migmap_rc 1 "$tmpdir/out" host --save-iommufd "$tmpdir/saved"
	err_is "migmap: /dev/iommu: no iommufd on this host (a kernel without CONFIG_IOMMUFD, or the iommufd module not loaded)"
	check "--save-iommufd without /dev/iommu writes nothing" [ ! -e "$tmpdir/saved" ]
fi

finish
