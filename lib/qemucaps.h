/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU that runs a guest, from libvirt's QEMU capabilities cache
 * (lib/qemucaps.c, docs/design.md §6). */
#pragma once

#include "domain.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where libvirt's system QEMU driver keeps what it probed of each emulator:
 * one <qemuCaps> document per binary, naming it (<emulator>), its version
 * (<version>, libvirt's number: major * 1000000 + minor * 1000 + micro)
 * and the binary's ctime when probed (<qemuctime>). */
#define MM_QEMU_CAPS_DIR "/var/cache/libvirt/qemu/capabilities"

/* The version of the QEMU binary emulator (a domain's <emulator>) as
 * libvirt's cache below sysroot (NULL: "/") records it. Without an
 * emulator, the one binary the cache holds for arch (libvirt's name,
 * "x86_64", "aarch64"). Nothing is run and libvirt is not asked: the hook,
 * inside libvirtd, must not call it back.
 * -ENOENT: no entry (no cache, or none for that binary or arch);
 * -ESTALE: the entry was probed from another binary than the one now at
 *          that path (its ctime differs: QEMU was upgraded since);
 * -ENOTUNIQ: no emulator given and several for arch.
 * err says which (it may be NULL). */
int mm_qemu_caps_version(const char *sysroot, const char *emulator, const char *arch,
			 unsigned long *ret, MmError *err);
/* Fill d->qemu_version from the cache below sysroot for d's <emulator>
 * (else its arch), unless it is set already: 0 when set, else what
 * mm_qemu_caps_version says, d unchanged. The layout then warns that the
 * version is unknown where it matters (docs/design.md §6). */
int mm_qemu_caps_fill_domain(MmDomain *d, const char *sysroot, MmError *err);

#ifdef __cplusplus
}
#endif
