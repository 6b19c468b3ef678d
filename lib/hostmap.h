/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map (docs/design.md §3): a host's IOMMU groups, reserved ranges, MSI
 * controllers and address limits, its model and the names of its kinds
 * (lib/hostmap.c, lib/hostmap-firmware.c). Probing and the formats have
 * their own headers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "freep.h"
#include "rangeset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MmDevice {
	char *bdf;       /* "0000:00:01.0" */
	uint16_t vendor; /* valid when has_ids */
	uint16_t device;
	uint32_t class; /* valid when has_class */
	bool has_ids;
	bool has_class;
} MmDevice;

typedef struct MmGroup {
	uint32_t id;
	char *type; /* "DMA", "DMA-FQ", "identity", "blocked", "unmanaged"; NULL unknown */
	MmDevice *devices;
	size_t n_devices;
} MmGroup;

typedef enum MmReservedKind {
	MM_RESERVED_DIRECT,
	MM_RESERVED_DIRECT_RELAXABLE,
	MM_RESERVED_RESERVED,
	MM_RESERVED_MSI,
	MM_RESERVED_OTHER, /* a type this version does not know: kept as read */
} MmReservedKind;

const char *mm_reserved_kind_to_string(MmReservedKind k); /* "direct", …, "msi" */
int mm_reserved_kind_from_string(const char *s, MmReservedKind *ret);
/* The kind of a type as the kernel prints it; MM_RESERVED_OTHER for a type
 * this version does not know. */
MmReservedKind mm_reserved_kind_of(const char *type);

/* Where a reserved range was read: the kernel's reserved_regions, or the
 * firmware when the kernel did not report it (an IORT RMR on a kernel
 * before 6.0). Ranges of different sources are never merged. */
typedef enum MmReservedSource {
	MM_RESERVED_FROM_KERNEL,
	MM_RESERVED_FROM_IORT,
} MmReservedSource;

const char *mm_reserved_source_to_string(MmReservedSource s); /* "kernel", "iort" */
int mm_reserved_source_from_string(const char *s, MmReservedSource *ret);

/* One merged reserved range of one type; origin ids are IOMMU group ids. */
typedef struct MmReserved {
	char *type; /* as the kernel printed it */
	uint64_t start;
	uint64_t end;
	MmIdSet groups;
	MmReservedSource source;
} MmReserved;

#define MM_BITS_UNKNOWN 0

/* An MSI controller from the firmware (docs/design.md §3). */
typedef enum MmMsiType {
	MM_MSI_GICV3_ITS, /* doorbell GITS_TRANSLATER, base + 0x10040 */
	MM_MSI_GICV2M,    /* doorbell MSI_SETSPI_NS, base + 0x40 */
	MM_MSI_X86_LAPIC, /* the 0xfeexxxxx interrupt window */
} MmMsiType;

typedef enum MmFirmware {
	MM_FIRMWARE_FDT,
	MM_FIRMWARE_ACPI,
} MmFirmware;

#define MM_TRANSLATED_UNKNOWN (-1)

typedef struct MmMsiController {
	MmMsiType type;
	uint64_t base; /* the controller's frame [base, base + size - 1] */
	uint64_t size;
	uint64_t doorbell; /* the address devices write their MSIs to */
	/* 1: devices reach it through an IOMMU (the kernel maps it in its
	 * software MSI window); 0: not (a hardware MSI region, or no IOMMU on
	 * the way); MM_TRANSLATED_UNKNOWN: the firmware does not say. */
	int translated;
	MmFirmware source;
} MmMsiController;

const char *mm_msi_type_to_string(MmMsiType t); /* "gicv3-its", "gicv2m", "x86-lapic" */
int mm_msi_type_from_string(const char *s, MmMsiType *ret);
const char *mm_firmware_to_string(MmFirmware f); /* "fdt", "acpi" */
int mm_firmware_from_string(const char *s, MmFirmware *ret);

/* One address limit and where it was read. */
typedef enum MmLimitKind {
	MM_LIMIT_CPU_PHYS, /* CPU physical address bits */
	MM_LIMIT_KVM_IPA,  /* KVM's guest physical (IPA) limit, arm64 */
	MM_LIMIT_IOMMU,    /* an IOMMU's input address width: no IOVA above it */
} MmLimitKind;

typedef struct MmLimit {
	MmLimitKind kind;
	unsigned bits;
	char *source; /* "proc/cpuinfo", "/dev/kvm", "sys/class/iommu/dmar0/intel-iommu/cap", … */
} MmLimit;

const char *mm_limit_kind_to_string(MmLimitKind k); /* "cpu-phys", "kvm-ipa", "iommu" */
int mm_limit_kind_from_string(const char *s, MmLimitKind *ret);

typedef struct MmHostMap {
	char *name;
	char *uuid;            /* NULL when unknown */
	char *arch;            /* "aarch64", "x86_64", ...; NULL when unknown */
	char *kernel;          /* release, NULL when unknown */
	char *generated;       /* RFC 3339 UTC time of the probe */
	unsigned phys_bits;    /* CPU physical address bits; MM_BITS_UNKNOWN */
	size_t n_iommu_groups; /* how many groups the host has; 0: cannot assign devices */

	MmGroup *groups; /* sorted by id */
	size_t n_groups;

	MmReserved *reserved; /* sorted by (start, type) */
	size_t n_reserved;

	MmRangeSet ram;         /* System RAM */
	MmRangeSet pci_windows; /* PCI host bridge windows (MMIO) */
	MmRangeSet ecam;        /* PCI ECAM / MMCONFIG */

	MmMsiController *msi_controllers; /* sorted by (base, type, source) */
	size_t n_msi_controllers;

	unsigned iommu_bits;   /* smallest IOMMU input address width; MM_BITS_UNKNOWN */
	unsigned kvm_ipa_bits; /* KVM's IPA limit; MM_BITS_UNKNOWN */
	MmLimit *limits;       /* every limit read and where, sorted by (kind, source) */
	size_t n_limits;

	char **warnings;
	size_t n_warnings;
} MmHostMap;

MmHostMap *mm_hostmap_new(void);
void mm_hostmap_free(MmHostMap *m);
MM_DEFINE_FREEP(MmHostMap, mm_hostmap_free)
const MmGroup *mm_hostmap_find_group(const MmHostMap *m, uint32_t id);
int mm_hostmap_add_warning(MmHostMap *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add a reserved range of one type; ranges of the same type that overlap or
 * touch are merged with the union of their groups. */
int mm_hostmap_add_reserved(MmHostMap *m, const char *type, uint64_t start, uint64_t end,
			    const MmIdSet *groups);
/* The same for a range of a given source: merged only with its own source. */
int mm_hostmap_add_reserved_from(MmHostMap *m, const char *type, MmReservedSource source,
				 uint64_t start, uint64_t end, const MmIdSet *groups);
/* Add an MSI controller (an identical one is kept once). */
int mm_hostmap_add_msi_controller(MmHostMap *m, const MmMsiController *c);
/* Record a limit read from source; phys_bits, kvm_ipa_bits or iommu_bits
 * become the smallest recorded of their kind. bits outside 12..64: -EINVAL. */
int mm_hostmap_add_limit(MmHostMap *m, MmLimitKind kind, unsigned bits, const char *source);
/* Find or add group id; the returned pointer is valid until the next call. */
MmGroup *mm_hostmap_ensure_group(MmHostMap *m, uint32_t id);
/* Make sure groups ids[0..n) exist (empty when new), in one sort and merge
 * rather than an insertion each; ids is sorted in place. */
int mm_hostmap_add_groups(MmHostMap *m, uint32_t *ids, size_t n);
/* The address limit of one host: the smallest of what it knows (CPU
 * physical bits, KVM IPA size, IOMMU input width); 0 when unknown. */
unsigned mm_hostmap_limit_bits(const MmHostMap *m);

#ifdef __cplusplus
}
#endif
