/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's event loop on migmapd's sd-event loop. */
#pragma once

#include <systemd/sd-event.h>

/* Register sd-event as libvirt's event implementation (virEventRegisterImpl):
 * once per process, before the first virConnectOpen. */
int virt_event_register(sd_event *event);
