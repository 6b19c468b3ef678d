/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe sources, one per file, each filling part of a host map. The
 * parsers take text so fuzz targets and unit tests can feed them directly.
 * Internal to libmigmap. */
#pragma once

#include "error.h"
#include "hostmap.h"

/* sys/kernel/iommu_groups/N/reserved_regions of group_id; file names the
 * file in errors and warnings. */
int mm_reserved_regions_parse(const char *text, size_t len, const char *file, uint32_t group_id,
			      MmHostMap *m, MmError *err);
int mm_probe_iommu_groups(int rootfd, MmHostMap *m, MmError *err);

/* /proc/iomem: System RAM, PCI host bridge windows, ECAM. */
int mm_iomem_parse(const char *text, size_t len, const char *file, MmHostMap *m, MmError *err);
int mm_probe_iomem(int rootfd, MmHostMap *m, MmError *err);

/* /proc/cpuinfo: arch and, on x86, physical address bits. */
int mm_cpuinfo_parse(const char *text, size_t len, const char *file, MmHostMap *m, MmError *err);
int mm_probe_cpuinfo(int rootfd, MmHostMap *m, MmError *err);

/* Host name, machine id, kernel release. */
int mm_probe_identity(int rootfd, const char *name, MmHostMap *m, MmError *err);

/* The device tree blob (sys/firmware/fdt): GICv3 ITS and GICv2m frames and
 * whether devices reach them through an IOMMU. A damaged blob is a warning
 * naming file (and node), never an error; -ENOMEM only. */
int mm_fdt_parse(const void *blob, size_t len, const char *file, MmHostMap *m);
int mm_probe_fdt(int rootfd, MmHostMap *m, MmError *err);

/* What the MADT says, before the IORT tells how devices reach it. */
typedef struct MmMadt {
	MmMsiController *controllers;
	uint32_t *its_ids; /* per controller: its GIC ITS translation id, else UINT32_MAX */
	size_t n;
	bool x86; /* the table lists local APICs */
} MmMadt;

void mm_madt_clear(MmMadt *madt);
/* ACPI tables straight from their bytes; every length and offset is checked
 * against the table length, and a bad one is a warning naming the table
 * file and the offset. -ENOMEM only. */
int mm_madt_parse(const uint8_t *table, size_t len, const char *file, MmMadt *ret, MmHostMap *m);
/* Sets madt's ITS controllers' translated from the IORT's mappings (madt
 * may be NULL) and adds the RMR ranges the kernel did not report. */
int mm_iort_parse(const uint8_t *table, size_t len, const char *file, MmMadt *madt, MmHostMap *m);
int mm_probe_acpi(int rootfd, MmHostMap *m, MmError *err);

/* Address limits: the CPU's (from phys_bits), IOMMU input widths, KVM's IPA
 * limit. live: the sysroot is this host, so /dev/kvm and the kernel log
 * may be asked; ask_iommufd: and iommufd (MmProbeOptions.ask_iommufd). */
int mm_probe_limits(int rootfd, bool live, bool ask_iommufd, MmHostMap *m, MmError *err);
/* iommufd's answers (probe-iommufd.c): on this host (live), iommufd asked
 * now when ask, else nothing; below a sysroot, read back from its
 * iommufd.txt. After the sysfs and log limits, which they are compared
 * with. */
int mm_probe_iommufd(int rootfd, bool live, bool ask, MmHostMap *m);
/* The width a VT-d cap register's MGAW allows; an AMD-Vi "features" file's
 * HATS; -EINVAL on junk or a reserved value. */
int mm_intel_cap_address_bits(const char *text, unsigned *ret);
/* Whether a kernel of this release prints amd-iommu/features EFR first
 * ("EFR:EFR2", 6.7 on) rather than "EFR2:EFR"; NULL or unparsable: true. */
bool mm_amd_features_efr_first(const char *release);
int mm_amd_features_address_bits(const char *text, bool efr_first, unsigned *ret);
/* KVM_CHECK_EXTENSION(KVM_CAP_ARM_VM_IPA_SIZE)'s answer as a limit: 0
 * (capability absent) means the historical 40 bits. */
unsigned mm_kvm_ipa_bits_from_cap(int cap);
/* The kernel log: SMMUv3 "ias NN-bit" lines and KVM's "IPA Size Limit". */
int mm_kernel_log_parse(const char *text, size_t len, const char *source, MmHostMap *m);

/* Cross-checks of firmware against the kernel's reserved ranges, as
 * warnings: a hardware doorbell with no msi range, a software MSI window
 * over a hardware doorbell, an IORT RMR the kernel did not report. */
int mm_msi_check(MmHostMap *m);
