/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration file, <sysconfdir>/migmap/migmap.conf (lib/config.c).
 * Not autoconf's config.h: the build force-includes that one by its path in
 * the build directory. */
#pragma once

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "key = value" lines, '#' comments; shared by migmapd, the CLI and the hook. */
typedef struct MmConfig {
	char *sysroot;
	char *state_dir;
	char *name;
	char *admin_group; /* may call migmapd's mutating methods besides root */
	char *libvirt_uri; /* migmapd follows this libvirt; "none": it does not */
} MmConfig;

/* Read path into c (keys it sets replace c's). -ENOENT when missing; an
 * unknown key or a line without '=' is -EINVAL with err at file:line. */
int mm_config_load(const char *path, MmConfig *c, MmError *err);
void mm_config_clear(MmConfig *c);

#ifdef __cplusplus
}
#endif
