# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by tests/fuzz/replay.sh and tests/fuzz/run.sh: the fuzz targets
# and where each one's seed inputs come from. Sourced after tests/lib.sh.
fuzz_targets="hostmap-xml domain-xml reserved-regions iomem cpuinfo fdt madt iort"
FUZZ_DIR=$top_builddir/tests/fuzz

# seeds TARGET DIR: copy TARGET's seed inputs into DIR: the fixtures of the
# kind it reads, then tests/fuzz/regress/TARGET/* (inputs that once failed).
seeds() {
	target=$1 dir=$2 n=0
	mkdir -p "$dir"
	case $target in
	hostmap-xml)
		cp "$top_srcdir"/examples/pool/*.xml "$dir/"
		# every fixture host's map, as migmap writes it
		for h in "$HOSTS"/*/; do
			h=${h%/}
			"$MIGMAP" host --sysroot "$h" --name "${h##*/}" >"$dir/host-${h##*/}.xml" 2>/dev/null ||
				rm -f "$dir/host-${h##*/}.xml"
		done ;;
	domain-xml) cp "$top_srcdir"/tests/data/domains/*.xml "$dir/" ;;
	reserved-regions)
		for f in "$HOSTS"/*/sys/kernel/iommu_groups/*/reserved_regions; do
			n=$((n + 1)); cp "$f" "$dir/rr-$n"
		done ;;
	iomem | cpuinfo)
		for f in "$HOSTS"/*/proc/$target; do
			f=${f%/proc/*}; cp "$f/proc/$target" "$dir/${f##*/}"
		done ;;
	fdt)
		for f in "$HOSTS"/*/sys/firmware/fdt; do
			# QEMU pads its blob to 1 MiB: keep totalsize (header word 1)
			size=$(od -An -j4 -N4 -tu1 "$f" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
			h=${f%/sys/*}; h=${h##*/}
			head -c "$size" "$f" >"$dir/$h"
		done ;;
	madt | iort)
		table=APIC; [ "$target" = iort ] && table=IORT
		for f in "$HOSTS"/*/sys/firmware/acpi/tables/$table; do
			h=${f%/sys/*}; h=${h##*/}
			cp "$f" "$dir/$h"
			# fuzz-iort reads a MADT followed by an IORT as both
			[ "$table" = IORT ] && [ -f "${f%/IORT}/APIC" ] &&
				cat "${f%/IORT}/APIC" "$f" >"$dir/$h-with-madt"
		done ;;
	esac
	if [ -d "$top_srcdir/tests/fuzz/regress/$target" ]; then
		for f in "$top_srcdir/tests/fuzz/regress/$target"/*; do
			[ -f "$f" ] && cp "$f" "$dir/regress-${f##*/}"
		done
	fi
	return 0
}
