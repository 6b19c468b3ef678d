/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pools on storage shared by several hosts' migmapd (share.c,
 * docs/design.md §9): publishing this host's map into them, noticing the
 * other members' changes. */
#pragma once

#include "manager.h"

/* Write this host's map into every pool that has it as an imported member
 * (a member of this host's name without a bus address), where the stored
 * one differs; PoolChanged for each once the bus is up. */
void share_publish(Manager *m);
/* Watch the pools directory (inotify) and reread it every rescan_interval. */
int share_start(Manager *m);
void share_stop(Manager *m);
/* Log a warning of the state (a file skipped when loading, relative to the
 * state directory) with the file's real path: under pool_dir for pools. */
void share_log_state_warning(const Manager *m, const char *warning);
/* Reread the pools directory now: PoolChanged for each pool another
 * migmapd created, deleted or changed. */
void share_rescan(Manager *m);
