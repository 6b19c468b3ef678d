/* Fetching a host map from another host's migmapd over an sd-bus address
 * (unix:path=…, or the unixexec: SSH transport sd_bus_open_system_remote()
 * uses). Shared by migmapd and the migmap CLI. */
#pragma once

#include <stdint.h>

#include <systemd/sd-bus.h>

#include "migmap.h"

/* How long one fetch may take, connection included. */
#define REMOTE_TIMEOUT_USEC (15ULL * 1000 * 1000)

/* Connect to the bus at address, call GetHostMap("xml") on its migmapd and
 * parse the answer. 0 and a new map in *ret, or a negative errno with err
 * filled: err->file is the address, err->line the parser's line. self, when
 * not NULL, is the caller's own bus connection as the owner of the name:
 * the address of that same bus is refused (-ELOOP) rather than waited on. */
int remote_fetch_hostmap(const char *address, uint64_t timeout_usec, sd_bus *self,
			 MmHostMap **ret, MmError *err);

/* Re-fetch every remote member of pool and store its map; a member that
 * does not answer keeps its last map, marked stale, and is reported on
 * stderr as "<prog>: pool P: host H is stale: …". Returns how many members
 * were fetched or marked, or a negative errno (err filled) when the pool is
 * not there or the state cannot be written. */
typedef void (*RemoteProgress)(size_t done, size_t total, const char *host, void *userdata);
/* progress, when not NULL, is called before each member is fetched and once
 * more with done == total at the end. */
int remote_refresh_pool(MmState *s, const char *pool, sd_bus *self, const char *prog,
			RemoteProgress progress, void *userdata, MmError *err);
