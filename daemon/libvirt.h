/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd following libvirt (libvirt.c). */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* Follow the libvirt at config.libvirt_uri (default qemu:///system, "none"
 * for none), reconnecting with back-off: its host UUID goes into the host
 * map, its PCI node devices into GetLibvirt, and every domain defined or
 * started is checked (DomainConflict signal). */
int libvirt_start(Manager *m);
void libvirt_stop(Manager *m);
/* A freshly probed map takes libvirt's host UUID. */
int libvirt_apply_identity(Manager *m, MmHostMap *map);
/* The GetLibvirt method. */
int libvirt_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error);
