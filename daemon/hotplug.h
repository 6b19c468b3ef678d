/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Following PCI hotplug (hotplug.c). */
#pragma once

#include "manager.h"

/* On a live system (no sysroot), probe again when PCI devices or IOMMU
 * groups come or go; a missing udev is a warning, not an error. */
int hotplug_start(Manager *m);
void hotplug_stop(Manager *m);
