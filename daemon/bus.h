/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's D-Bus object (bus.c): the vtable, the name, the signals. */
#pragma once

#include "manager.h"

/* Export the object, attach the bus to the event loop, take the name. */
int bus_setup(Manager *m);
int bus_emit_host_map_changed(Manager *m);
/* PoolChanged(pool), and the Pools property when pools_changed. */
/* The first steps of a method that changes a pool: its string arguments
 * (the pool, then arg when not NULL), the caller's right to change state,
 * and, when must_exist, the pool. access_check_write()'s answer (1: the
 * caller is root), or < 0 with error set. */
int bus_begin_pool_write(Manager *m, sd_bus_message *msg, const char **pool, const char **arg,
			 bool must_exist, sd_bus_error *error);
int bus_emit_pool_changed(Manager *m, const char *pool, bool pools_changed);
/* Store map in pool as a member (address: how it was fetched, NULL for an
 * imported map), emit PoolChanged and answer msg with the member's name;
 * < 0 with error set when the pool cannot take it. */
int bus_add_member(Manager *m, sd_bus_message *msg, const char *pool, MmHostMap *map,
		   const char *address, sd_bus_error *error);
