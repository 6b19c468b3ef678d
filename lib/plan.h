/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan: a layout of a domain valid on every host of a pool (docs/design.md §7)
 * (lib/plan.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "freep.h"
#include "hostmap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MmPlacedDimm {
	uint64_t base;
	uint64_t size;
	int node;
} MmPlacedDimm;

typedef struct MmPlan {
	bool changed;            /* false: the domain already fits */
	uint64_t initial_memory; /* bytes of RAM QEMU maps from the machine's RAM base */
	uint64_t total_memory;   /* <memory>: kept as the domain had it */
	uint64_t max_memory;     /* <maxMemory>, 0 when not needed */
	unsigned slots;
	unsigned phys_bits; /* <maxphysaddr bits> the plan set, 0 when it set none */
	MmPlacedDimm *dimms;
	size_t n_dimms;
	char **notes; /* what the plan changed besides memory, and why */
	size_t n_notes;
	char *domain_xml;     /* the planned domain, libvirt's own XML */
	char *defined;        /* the libvirt domain defined with it (migmap plan --define),
			       * NULL when none: set by the caller, freed with the plan */
	bool phys_bits_limit; /* phys_bits went into <maxphysaddr mode='passthrough'
			       * limit>, not mode='emulate' bits: the machine type
			       * turns host-phys-bits on, which QEMU lets win */
} MmPlan;

void mm_plan_free(MmPlan *p);
MM_DEFINE_FREEP(MmPlan, mm_plan_free)
/* Propose a layout of domain_xml valid on every host: initial RAM that ends
 * before the first forbidden range, the rest as DIMMs at explicit bases in
 * usable gaps of device memory. -ENOSPC with a one-line reason in err when
 * no plan exists; other errors for bad input. */
int mm_plan_domain(const char *domain_xml, size_t len, const char *filename,
		   const MmHostMap *const *hosts, size_t n, MmPlan **ret, MmError *err);
/* mm_plan_domain for a guest the QEMU of version qemu_version (libvirt's
 * number, MmDomain.qemu_version; 0 unknown) runs. */
int mm_plan_domain_qemu(const char *domain_xml, size_t len, const char *filename,
			unsigned long qemu_version, const MmHostMap *const *hosts, size_t n,
			MmPlan **ret, MmError *err);
int mm_plan_format_json(const MmPlan *p, char **ret);

#ifdef __cplusplus
}
#endif
