/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fetching a host map from another host's migmapd. A member is named by
 * ssh:[USER@]HOST[:PORT] (migmapd runs a fixed ssh command line to the
 * member's systemd-stdio-bridge) or unix:path=/SOCKET (a local bus: tests,
 * several daemons on one machine). Shared by migmapd and the migmap CLI. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "migmap.h"

/* How long one fetch may take, connection included, when migmap.conf sets
 * no remote_timeout: the same for migmapd and the CLI without it. */
#define REMOTE_TIMEOUT_DEFAULT_SEC 10

/* The sd-bus address to connect to for a member named spec, in *ret (to
 * free). ssh:[USER@]HOST[:PORT] becomes "ssh -xT -o BatchMode=yes [-p PORT]
 * [-l USER] -- HOST systemd-stdio-bridge" as a unixexec: address, built
 * from a validated host name; unix:path=/SOCKET is used as it is. Any other
 * sd-bus address, unixexec: with a command of the caller's choosing among
 * them, only when privileged (the caller is root): -EPERM otherwise.
 * -EINVAL with err filled for a malformed ssh: name. */
int remote_address_resolve(const char *spec, bool privileged, char **ret, MmError *err);
/* The same; for an ssh: member with log_path, ssh writes its own messages
 * there (-E) rather than to the caller's stderr. */
int remote_address_resolve_logged(const char *spec, bool privileged, const char *log_path,
				  char **ret, MmError *err);

/* Connect to the bus of member spec (see remote_address_resolve()), call GetHostMap("xml") on its
 * migmapd and parse the answer. 0 and a new map in *ret, or a negative errno with err filled:
 * err->file is spec, err->line the parser's line. The CLI's fetch without migmapd; migmapd
 * fetches asynchronously (remote_open()) and refuses its own bus there (daemon/refresh.c). */
int remote_fetch_hostmap(const char *spec, bool privileged, uint64_t timeout_usec, MmHostMap **ret,
			 MmError *err);

/* A connection to member spec's bus (see remote_address_resolve_logged()),
 * attached to event and started without waiting: the caller makes its
 * calls asynchronously, each with its own timeout. */
int remote_open(const char *spec, bool privileged, sd_event *event, const char *log_path,
		sd_bus **ret, MmError *err);
/* ImportPool(pool, generation, document) on member spec, synchronously
 * (the CLI without migmapd); err says why it failed. */
int remote_import_pool(const char *spec, bool privileged, uint64_t timeout_usec, const char *pool,
		       uint64_t generation, const char *document, MmError *err);

typedef struct RemoteRefreshOps {
	/* Before each member is fetched, and once more with done == total at
	 * the end. */
	void (*progress)(size_t done, size_t total, const char *host, void *userdata);
	/* A member that did not answer, and why: it is now stale. */
	void (*stale)(const char *host, const MmError *why, void *userdata);
	/* A member fetched and stored. */
	void (*fresh)(const char *host, void *userdata);
} RemoteRefreshOps;

/* Re-fetch every remote member of pool and store its map; a member that
 * does not answer keeps its last map, marked stale. ops and its members
 * may be NULL. Returns how many members were fetched or marked, or a
 * negative errno (err filled) when the pool is not there or the state
 * cannot be written. */
/* privileged: the caller is root. A member stored with an address that only
 * root may use is not run for anyone else: it is marked stale. */
/* timeout_usec bounds each member's fetch (remote_timeout). */
int remote_refresh_pool(MmState *s, const char *pool, bool privileged, uint64_t timeout_usec,
			const RemoteRefreshOps *ops, void *userdata, MmError *err);
