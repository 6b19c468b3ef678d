/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Talking to the remote members of pools without stalling the daemon
 * (refresh.c, docs/design.md §10): every member of a refresh or a sync in
 * parallel on sd-event, each call bounded by remote_timeout, the method's
 * reply sent once all have finished; the refresh_interval timer. */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* RefreshPool(s pool) -> a(sbs): per remote member its name, whether it is
 * fresh, and for a stale one "since T: reason". */
int refresh_method_refresh_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* SyncPool(s pool) -> a(sbs): the pool, at its next generation, pushed to
 * every remote member's ImportPool; per member whether it took it. */
int refresh_method_sync_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* ImportPool(s pool, t generation, s pool_document): take a newer
 * generation of a pool another member pushes. */
int refresh_method_import_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* AddRemoteHost(s pool, s address) -> s name, after bus_begin_pool_write():
 * the member's map fetched asynchronously (remote_timeout), the method
 * answered when the fetch ends. privileged: the caller is root. An address
 * the caller may not use fails at once. */
int refresh_add_remote_host(Manager *m, sd_bus_message *msg, const char *pool, const char *address,
			    bool privileged, sd_bus_error *error);
/* Arm the refresh_interval timer. */
int refresh_start(Manager *m);
/* Drop the calls under way (the daemon is exiting) and the timer. */
void refresh_stop(Manager *m);
