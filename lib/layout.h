/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest layouts: where QEMU puts a guest's regions (docs/design.md §6)
 * (lib/layout.c and the per-machine files behind lib/layout-internal.h). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "error.h"
#include "freep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a region means for DMA: RAM and device memory must be DMA-able
 * (a conflict is an error); PCI windows matter for peer-to-peer (a
 * conflict is a warning); the rest is emulated MMIO devices never DMA to. */
typedef enum MmRegionClass {
	MM_REGION_DMA,
	MM_REGION_PCI_WINDOW,
	MM_REGION_MMIO,
} MmRegionClass;

typedef struct MmGuestRegion {
	const char *kind; /* static string: "ram", "device-memory", "pcie-ecam",
			   * "pcie-mmio", "pcie-mmio-high", "pcie-pio", "gic-dist",
			   * "gic-redist", "gic-its", "ram-below-4g", … */
	MmRegionClass cls;
	uint64_t start;
	uint64_t end;
	int node; /* NUMA node of a RAM block, -1 otherwise */
} MmGuestRegion;

typedef struct MmGuestLayout {
	char *machine; /* the resolved upstream versioned machine, "virt-7.2"; a
			* distribution's type resolves to its base ("pc-q35-9.1") */
	char *arch;
	unsigned phys_bits;     /* address bits the guest needs (highest end + 1) */
	bool host_phys_bits;    /* the machine type turns host-phys-bits on (Ubuntu -hpb,
				 * every RHEL x86 type) */
	unsigned viommu_bits;   /* the vIOMMU's input address width; 0: none, or no DMA
				 * translation (dma_translation='off') */
	MmGuestRegion *regions; /* sorted by start */
	size_t n_regions;
	uint64_t device_memory_base; /* hotplug area for DIMMs; 0 size when none */
	uint64_t device_memory_size;
	char **warnings;
	size_t n_warnings;
	unsigned host_phys_bits_limit; /* with host_phys_bits: at most this many bits,
					* 0 none (RHEL: 48) */
} MmGuestLayout;

void mm_layout_free(MmGuestLayout *l);
MM_DEFINE_FREEP(MmGuestLayout, mm_layout_free)
/* Compute the guest's layout as QEMU builds it for d's machine; -ENOTSUP
 * with err for a machine or arch not modelled. */
int mm_layout_compute(const MmDomain *d, MmGuestLayout **ret, MmError *err);
int mm_layout_format_json(const MmGuestLayout *l, char **ret);

#ifdef __cplusplus
}
#endif
