/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's D-Bus object (bus.c): the vtable, the name, the signals. */
#pragma once

#include "manager.h"

/* Export the object, attach the bus to the event loop, take the name. */
int bus_setup(Manager *m);
int bus_emit_host_map_changed(Manager *m);
/* PoolChanged(pool), and the Pools property when pools_changed. */
int bus_emit_pool_changed(Manager *m, const char *pool, bool pools_changed);
