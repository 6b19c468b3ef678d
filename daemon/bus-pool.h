/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One bus object per migration pool, as systemd's services export one per
 * entity (machined's machines): /org/migmap/Migmap1/pool/<escaped name>,
 * interface org.migmap.Migmap1.Pool (daemon/bus-pool.c). */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "manager.h"

/* Export the pool objects (a fallback vtable and a node enumerator). */
int bus_pool_setup(Manager *m);
void bus_pool_free(Manager *m);
/* Pool `pool` changed (created, members added or removed): bump its
 * Generation and emit PropertiesChanged on its object. A deleted pool's
 * object is gone (introspection no longer lists it). */
void bus_pool_changed(Manager *m, const char *pool);
/* MemberFinished(s host, b ok, s message) on pool's object: one member of
 * a RefreshPool or SyncPool is done (fresh or synced; else why not).
 * Sent to destination, the method's caller, only; to everyone when NULL
 * (the refresh_interval timer). */
void bus_pool_member_finished(Manager *m, const char *pool, const char *destination,
			      const char *host, bool ok, const char *message);
/* ListPools() -> a(so): every pool and its object path. */
int bus_pool_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error);
