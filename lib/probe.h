/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probing a host (docs/design.md §3) into a host map (lib/probe.c); the probe
 * sources themselves are internal (lib/probe-internal.h). */
#pragma once

#include "error.h"
#include "hostmap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MmProbeOptions {
	const char *sysroot; /* NULL or "/" for this host */
	const char *name;    /* overrides the host name when set */
	/* Ask this host's iommufd too (sysroot "/" only; a sysroot's captured
	 * iommufd.txt is always read): each device bound to vfio-pci is bound
	 * to an iommufd context, which resets it and, for that moment, keeps a
	 * VMM from opening it. Never in automatic probes (migmapd, the hook):
	 * only when an operator asks (migmap host --iommufd). */
	bool ask_iommufd;
} MmProbeOptions;

/* Probe the host below opts->sysroot. Returns 0 and a new map in *ret, or a
 * negative errno with err filled (file relative to the sysroot). Problems
 * that leave the map still right (a missing optional file, an unknown type)
 * become warnings in the map instead. */
int mm_hostmap_probe(const MmProbeOptions *opts, MmHostMap **ret, MmError *err);

/* Ask this host's iommufd about every device bound to vfio-pci (binding
 * each to a fresh iommufd context, which resets it; a device in use is a
 * "failed" line) and return the answers as the lines of a capture's
 * iommufd.txt (docs/design.md §3) in *ret, empty when no device is bound.
 * -ENOENT with err filled when the host has no /dev/iommu. */
int mm_hostmap_query_iommufd(char **ret, MmError *err);

#ifdef __cplusplus
}
#endif
