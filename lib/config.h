/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration file, <sysconfdir>/migmap/migmap.conf (lib/config.c).
 * Not autoconf's config.h: the build force-includes that one by its path in
 * the build directory. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "key = value" lines, '#' comments; shared by migmapd, the CLI and the hook. */
typedef struct MmConfig {
	char *sysroot;
	char *state_dir;
	char *name;
	char *admin_group;  /* may call migmapd's mutating methods besides root */
	char *libvirt_uri;  /* migmapd follows this libvirt; "none": it does not */
	char *unknown_pool; /* "refuse" (NULL: the default) or "allow": the hook and a
			     * domain whose pool this host does not know */
	char *pool_dir;     /* the pools, when not <state_dir>/pools: maybe shared storage */
	/* durations ("600", "10s", "10min", "1h"), checked when read: */
	char *refresh_interval; /* migmapd re-fetches and syncs remote members */
	char *remote_timeout;   /* one member's fetch at most */
	char *rescan_interval;  /* migmapd rereads a shared pool_dir */
} MmConfig;

/* Read path into c (keys it sets replace c's). -ENOENT when missing; an
 * unknown key or a line without '=' is -EINVAL with err at file:line. */
int mm_config_load(const char *path, MmConfig *c, MmError *err);
void mm_config_clear(MmConfig *c);
/* unknown_pool = allow: the hook lets in a domain whose pool is not known here. */
bool mm_config_unknown_pool_allowed(const MmConfig *c);
/* A duration setting in microseconds: value (NULL: def_sec seconds) is a
 * number of seconds, or a number followed by s, min or h. -EINVAL for
 * anything else, zero included. */
int mm_config_duration(const char *value, unsigned def_sec, uint64_t *ret_usec);

#ifdef __cplusplus
}
#endif
