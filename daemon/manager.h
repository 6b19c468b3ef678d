/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's one context: settings, the state store, this host's map and
 * the bus it serves them on. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "migmap.h"

typedef struct Manager {
	sd_event *event;
	sd_bus *bus;
	MmConfig config; /* the config file's settings, overridden by the options */
	gid_t admin_gid; /* valid when has_admin_group */
	bool has_admin_group;
	MmState *state;
	MmHostMap *host;
	uint64_t generation;               /* bumped when the host map changes */
	struct Libvirt *libvirt;           /* libvirt.c: the libvirt followed; NULL when none */
	struct sd_device_monitor *hotplug; /* hotplug.c: udev's pci and iommu events */
	sd_event_source *hotplug_timer;    /* a probe due once events settle */
	/* share.c: a pools directory other migmapd write too */
	int share_inotify_fd;
	sd_event_source *share_inotify, *share_settle, *share_rescan;
	/* the durations of migmap.conf, in microseconds */
	uint64_t rescan_usec;         /* rescan_interval */
	uint64_t refresh_usec;        /* refresh_interval */
	uint64_t remote_timeout_usec; /* remote_timeout */
	/* refresh.c: the pools' member fetches under way, and the timer */
	struct RefreshJob *refresh_jobs;
	sd_event_source *refresh_timer;
	struct BusPools *bus_pools; /* bus-pool.c: each pool's Generation */
	struct Worker *worker;      /* worker.c: calls worked on off the loop */
	struct Access *access;      /* access.c: the calls waiting for polkitd */
} Manager;

Manager *manager_new(void);
Manager *manager_free(Manager *m);
void manager_freep(Manager **m);
/* Open the state (creating and locking it), resolve admin_group, probe. */
int manager_start(Manager *m);
/* Probe again; 1 when the map changed (generation bumped, host.xml
 * written), 0 when not, < 0 with err filled. */
int manager_refresh(Manager *m, MmError *err);
/* Export the object, take the name, then run until SIGTERM/SIGINT; a
 * failure is logged here, in one line. */
int manager_run(Manager *m);
