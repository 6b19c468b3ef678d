/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may change migmapd's state (access.c): root, polkit, admin_group. */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* The polkit actions of migmapd's mutating methods, as the shipped
 * daemon/org.migmap.Migmap1.policy declares them. */
#define ACCESS_ACTION_MANAGE_POOLS "org.migmap.Migmap1.manage-pools"
#define ACCESS_ACTION_REFRESH_HOST "org.migmap.Migmap1.refresh-host"

/* Install the bus filter that holds back each call of a mutating method
 * until polkitd has answered (call before taking the bus name). */
int access_setup(Manager *m);
void access_free(Manager *m);
/* The polkit action a call needs, or NULL when it changes nothing. */
const char *access_action(sd_bus_message *msg);
/* From the handler of a mutating method, before anything else: 1 when the
 * caller of msg is root, 0 when polkit allowed the call (or, without
 * polkitd, the caller is a member of admin_group); else fills error with
 * AccessDenied and returns < 0. Root alone may use what runs a program of
 * the caller's choosing (a raw unixexec: member address). */
int access_check_write(Manager *m, sd_bus_message *msg, sd_bus_error *error);
/* Resolve config.admin_group to a gid once, at start. */
int access_resolve_group(Manager *m);
