/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest layouts, internal: what the per-machine files share with the
 * dispatcher in layout.c. */
#pragma once

#include "domain.h"
#include "error.h"
#include "layout.h"

#define MM_KIB (UINT64_C(1) << 10)
#define MM_MIB (UINT64_C(1) << 20)
#define MM_GIB (UINT64_C(1) << 30)
#define MM_TIB (UINT64_C(1) << 40)

/* A machine type version, "7.2" → {7, 2}; "4.0.1" → {4, 0, 1}. */
typedef struct MmMachineVersion {
	unsigned major, minor, micro;
} MmMachineVersion;

static inline bool mm_version_before(MmMachineVersion v, unsigned major, unsigned minor)
{
	return v.major < major || (v.major == major && v.minor < minor);
}

/* The x86 layout settings a machine version implies (QEMU's PCMachineClass
 * fields and host bridge properties that pc_*_machine_options() and the
 * pc_compat_* arrays set); a distribution's type may differ from its
 * upstream base in some (lib/layout.c). */
typedef struct MmX86Compat {
	bool reserved_memory;     /* has_reserved_memory: a hotplug area (2.1) */
	bool gigabyte_align;      /* i440fx low RAM ends at 3 GiB from 3.5 GiB on (2.1) */
	bool aligned_dimm;        /* enforce_aligned_dimm (2.2) */
	bool broken_reserved_end; /* the 64-bit hole ignores the hotplug area (before 2.5) */
	bool hole64_fix;          /* x-pci-hole64-fix (2.12) */
	bool amd_1tb_hole;        /* enforce_amd_1tb_hole (7.1) */
} MmX86Compat;

MmX86Compat mm_x86_compat(MmMachineVersion v);

/* What QEMU is told about memory, as libvirt words the command line for a
 * domain: -m size=ram,slots=…,maxmem=…, and -numa node,memdev=… sizes. */
typedef struct MmGuestMemory {
	uint64_t ram;    /* initial RAM */
	uint64_t maxram; /* ram when there is no <maxMemory> */
	unsigned slots;
	const uint64_t *cells; /* NUMA cell sizes, libvirt-aligned; NULL without NUMA */
	size_t n_cells;
} MmGuestMemory;

/* Append a region [start, start + size - 1]; -ERANGE when it does not fit
 * in 64 bits. The dispatcher sorts the regions afterwards. */
int mm_layout_add(MmGuestLayout *l, const char *kind, MmRegionClass cls, uint64_t start,
		  uint64_t size, int node);
int mm_layout_warn(MmGuestLayout *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* x = ROUND_UP(x, align) for a power of two align; false on overflow. */
static inline bool mm_align_up(uint64_t *x, uint64_t align)
{
	uint64_t r;
	if (__builtin_add_overflow(*x, align - 1, &r))
		return false;
	*x = r & ~(align - 1);
	return true;
}

/* Each fills l's regions, phys_bits and device memory for one machine
 * family; the dispatcher has set l->machine and l->arch. */
int mm_layout_virt(const MmDomain *d, MmMachineVersion v, const MmGuestMemory *mem,
		   MmGuestLayout *l, MmError *err);
int mm_layout_x86(const MmDomain *d, bool q35, const MmX86Compat *c, const MmGuestMemory *mem,
		  MmGuestLayout *l, MmError *err);

/* Known machine versions, oldest first; the last is what aliases resolve to. */
extern const MmMachineVersion mm_virt_versions[];
extern const size_t mm_n_virt_versions;
extern const MmMachineVersion mm_q35_versions[];
extern const size_t mm_n_q35_versions;
extern const MmMachineVersion mm_i440fx_versions[];
extern const size_t mm_n_i440fx_versions;
