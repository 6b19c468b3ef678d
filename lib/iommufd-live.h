/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking the running kernel's iommufd about the devices bound to vfio-pci
 * (lib/iommufd-live.c). Plain libc and ioctls, so that a static helper can
 * be built from this file alone (tests/iommufd/). Internal to libmigmap. */
#pragma once

/* For each PCI device below ROOT/sys/bus/pci/devices bound to vfio-pci (or
 * with a VFIO cdev), bind its cdev to a new iommufd context, attach it to a
 * new IOAS and write what the kernel says in the iommufd.txt format
 * (lib/probe-iommufd.c, docs/design.md §3):
 *
 *   BDF hw-info TYPE BITS
 *   BDF allowed 0xSTART-0xEND      (one line per allowed IOVA range)
 *   BDF skipped REASON             (a device that could not be asked)
 *
 * root is "" for this host (a test may pass a directory holding sys/ and
 * dev/). Returns 0 and a malloc'd text in *ret (empty when no device is
 * bound), -ENOENT when ROOT/dev/iommu does not exist (a kernel without
 * CONFIG_IOMMUFD, or its module not loaded), -ENOMEM. */
int mm_iommufd_live_query(const char *root, char **ret);

/* The input width of a VT-d IOMMU whose capability register is cap, as
 * Linux sizes a second-stage paging domain: the widest supported SAGAW
 * level not over 57 bits, capped at MGAW; 0 when none is supported. */
unsigned mm_iommufd_vtd_bits(unsigned long long cap);
