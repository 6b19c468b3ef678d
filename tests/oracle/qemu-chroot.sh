#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a QEMU of a newer Debian suite from its chroot (docs/design.md §13):
#   qemu-chroot.sh ensure ROOT            build ROOT once (mmdebstrap), exit 77
#                                         when that cannot be done here
#   qemu-chroot.sh run ROOT DIR CMD...    run CMD in ROOT with /proc, /sys,
#                                         /dev (QEMU reads
#                                         /proc/sys/vm/overcommit_memory) and
#                                         DIR bind-mounted, in a private mount
#                                         namespace that leaves nothing behind
set -eu
SUITE=${MIGMAP_QEMU_SUITE:-trixie}
what=${1:?usage: qemu-chroot.sh ensure ROOT | run ROOT DIR CMD...}
root=${2:?no ROOT}
case $what in
ensure)
	[ -x "$root/usr/bin/qemu-system-x86_64" ] && [ -x "$root/usr/bin/qemu-system-aarch64" ] && exit 0
	[ "$(id -u)" = 0 ] || { echo "qemu-chroot: not root: cannot build $root" >&2; exit 77; }
	command -v mmdebstrap >/dev/null || { echo "qemu-chroot: mmdebstrap not installed" >&2; exit 77; }
	command -v unshare >/dev/null || { echo "qemu-chroot: unshare not installed" >&2; exit 77; }
	tmp=$root.tmp.$$
	rm -rf "$tmp"
	# the archive apt already uses; unreachable: skip, nothing half-built kept
	if ! nice mmdebstrap --quiet --variant=apt --include=qemu-system-arm,qemu-system-x86 \
		"$SUITE" "$tmp" >&2; then
		rm -rf "$tmp"
		echo "qemu-chroot: cannot build a $SUITE chroot (archive unreachable?)" >&2
		exit 77
	fi
	mv "$tmp" "$root" ;;
run)
	dir=${3:?no DIR}
	shift 3
	exec unshare --mount --propagation private sh -eu -c '
		root=$1 dir=$2
		shift 2
		for d in proc sys dev; do mount --bind "/$d" "$root/$d"; done
		mkdir -p "$root$dir"
		mount --bind "$dir" "$root$dir"
		exec chroot "$root" "$@"' sh "$root" "$dir" "$@" ;;
*)
	echo "qemu-chroot: unknown command $what" >&2
	exit 99 ;;
esac
