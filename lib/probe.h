/* The probe sources, one per file, each filling part of a host map. The
 * parsers take text so fuzz targets and unit tests can feed them directly.
 * Internal to libmigmap. */
#pragma once

#include "migmap.h"

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
