/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's PCI node devices (virsh nodedev-dumpxml) as migmapd follows
 * them, and the GetLibvirt answer built from them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "freep.h"

typedef struct MmNodeDevice {
	char *name;       /* libvirt's node device name, "pci_0000_03_00_0" */
	char *bdf;        /* "0000:03:00.0" */
	char *driver;     /* the bound driver, NULL when unbound */
	long iommu_group; /* -1 when the device has none */
	char **domains;   /* names of the domains that assign it */
	size_t n_domains;
} MmNodeDevice;

/* Parse one <device> document. -EINVAL (err filled) for malformed XML or a
 * PCI capability without its address; -ENODEV for a device that is not
 * PCI. */
int mm_nodedev_parse_xml(const char *xml, size_t len, const char *file, MmNodeDevice **ret,
			 MmError *err);
/* Frees what d holds, not d: for arrays of devices. */
void mm_nodedev_clear(MmNodeDevice *d);
void mm_nodedev_free(MmNodeDevice *d);
MM_DEFINE_FREEP(MmNodeDevice, mm_nodedev_free)
/* Record that domain assigns d. */
int mm_nodedev_add_domain(MmNodeDevice *d, const char *domain);

/* What migmapd knows of libvirt, for GetLibvirt. */
typedef struct MmLibvirtStatus {
	const char *uri; /* "none" when migmapd does not follow libvirt */
	bool connected;
	const char *host_uuid; /* NULL when unknown */
	unsigned conflicts;    /* DomainConflict signals sent */
	const MmNodeDevice *devices;
	size_t n_devices;
} MmLibvirtStatus;

/* {"uri", "connected", "host_uuid", "conflicts", "devices": [{"bdf",
 * "name", "driver", "iommu_group", "vfio", "domains"}]}, pretty-printed. */
int mm_libvirt_status_format_json(const MmLibvirtStatus *s, char **ret);
