/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may change migmapd's state (access.c). */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* 1 when the caller of msg is root, 0 when it is a member of admin_group
 * (both may change state); else fills error with AccessDenied and returns
 * < 0. Root alone may use what runs a program of the caller's choosing (a
 * raw unixexec: member address). */
int access_check_write(Manager *m, sd_bus_message *msg, sd_bus_error *error);
/* Resolve config.admin_group to a gid once, at start. */
int access_resolve_group(Manager *m);
