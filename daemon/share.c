/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pools shared through storage (docs/design.md §9): several migmapd use one
 * pools directory (pool_dir on NFS, CephFS, GlusterFS, or one local
 * directory for several daemons). Each writes only the file of its own
 * host, whenever its map changes, and rereads the directory when inotify
 * says it changed and every rescan_interval, because network file systems
 * deliver no inotify events for other clients' writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "bus.h"
#include "log.h"
#include "macros.h"
#include "manager.h"
#include "share.h"

/* A burst of events (a rename per file written) gives one rescan. */
#define SHARE_SETTLE_USEC (100 * 1000)
#define SHARE_POOL_EVENTS \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)

/* The content of a map, without the time it was probed. */
static int content_xml(const MmHostMap *h, char **ret)
{
	MmHostMap copy = *h;
	copy.generated = NULL;
	return mm_hostmap_format_xml(&copy, ret);
}

void share_publish(Manager *m)
{
	_cleanup_free_ char *ours = NULL;
	const char *name = m->host ? m->host->name : NULL;
	char buf[1024];

	if (!name || !mm_state_name_valid(name) || content_xml(m->host, &ours) < 0)
		return;
	for (size_t i = 0; i < m->state->n_pools; i++) {
		const MmStatePool *p = &m->state->pools[i];
		const MmStateMember *me = mm_state_find_member(p, name);
		_cleanup_free_ char *stored = NULL;
		MmError err = { 0 };
		if (!me || me->address)
			continue; /* not a member, or fetched from a migmapd by address */
		if (content_xml(me->map, &stored) < 0 || strcmp(stored, ours) == 0)
			continue;
		/* p is invalid once the state changes: keep the name. */
		_cleanup_free_ char *pool = strdup(p->name);
		if (!pool)
			return;
		if (mm_state_add_member(m->state, pool, m->host, NULL, true, &err) < 0) {
			log_warning("pool %s: cannot publish this host's map: %s", pool,
				    mm_error_format(&err, buf, sizeof(buf)));
			continue;
		}
		log_info("pool %s: published this host's map", pool);
		if (m->bus)
			bus_emit_pool_changed(m, pool, false);
	}
}

/* Watch every pool directory (again: new pools get one, existing ones keep
 * theirs, inotify gives the same watch for the same directory). */
static void watch_pools(Manager *m)
{
	char path[64];
	if (m->share_inotify_fd < 0 || m->state->poolsfd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m->state->poolsfd);
	if (inotify_add_watch(m->share_inotify_fd, path, SHARE_POOL_EVENTS) < 0)
		log_warning("cannot watch the pool directory: %s", strerror(errno));
	for (size_t i = 0; i < m->state->n_pools; i++) {
		_cleanup_free_ char *pool = NULL;
		if (asprintf(&pool, "%s/%s", path, m->state->pools[i].name) < 0)
			return;
		(void)inotify_add_watch(m->share_inotify_fd, pool, SHARE_POOL_EVENTS);
	}
}

void share_log_state_warning(const Manager *m, const char *warning)
{
	const char *pools = "pools/";
	if (m->config.pool_dir && strncmp(warning, pools, strlen(pools)) == 0)
		log_warning("%s/%s", m->config.pool_dir, warning + strlen(pools));
	else
		log_warning("%s/%s", m->config.state_dir, warning);
}

static bool listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

void share_rescan(Manager *m)
{
	char **changed = NULL, **before = NULL;
	size_t n = 0, n_before = 0;
	MmError err = { 0 };
	char buf[1024];

	/* A file skipped (damaged, another host's map) is logged when it
	 * first is, not at every rescan. */
	for (size_t i = 0; i < m->state->n_warnings; i++)
		if (mm_strv_appendf(&before, &n_before, "%s", m->state->warnings[i]) < 0)
			break;
	if (mm_state_reload(m->state, &changed, &n, &err) < 0) {
		log_warning("cannot reread the pools: %s", mm_error_format(&err, buf, sizeof(buf)));
		mm_strv_free(before, n_before);
		return;
	}
	for (size_t i = 0; i < m->state->n_warnings; i++)
		if (!listed(before, n_before, m->state->warnings[i]))
			share_log_state_warning(m, m->state->warnings[i]);
	mm_strv_free(before, n_before);
	for (size_t i = 0; i < n; i++) {
		log_info("pool %s changed on disk", changed[i]);
		bus_emit_pool_changed(m, changed[i], i == 0);
	}
	mm_strv_free(changed, n);
	watch_pools(m);
	/* A pool that gained this host (another member added its map) or whose
	 * copy of it is out of date. */
	share_publish(m);
}

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata)
{
	share_rescan(userdata);
	return 0;
}

static void rescan_soon(Manager *m)
{
	int enabled = SD_EVENT_OFF;
	uint64_t now;
	if (sd_event_source_get_enabled(m->share_settle, &enabled) >= 0 && enabled != SD_EVENT_OFF)
		return;
	if (sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0 ||
	    sd_event_source_set_time(m->share_settle, now + SHARE_SETTLE_USEC) < 0 ||
	    sd_event_source_set_enabled(m->share_settle, SD_EVENT_ONESHOT) < 0)
		share_rescan(m);
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			/* our own temporary files and the lock say nothing */
			if (!(e->len > 0 && e->name[0] == '.'))
				any = true;
			p += sizeof(*e) + e->len;
		}
	}
	if (any)
		rescan_soon(userdata);
	return 0;
}

static int on_rescan_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	share_rescan(m);
	return sd_event_source_set_time(s, usec + m->rescan_usec);
}

int share_start(Manager *m)
{
	uint64_t now;
	int r;

	m->share_inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->share_inotify_fd < 0) {
		log_warning("not watching the pool directory (rescanning only): %s",
			    strerror(errno));
	} else {
		r = sd_event_add_io(m->event, &m->share_inotify, m->share_inotify_fd, EPOLLIN,
				    on_inotify, m);
		if (r < 0)
			return r;
		watch_pools(m);
	}
	r = sd_event_add_time(m->event, &m->share_settle, CLOCK_MONOTONIC, 0, 0, on_settled, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->share_settle, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	if (r >= 0)
		r = sd_event_add_time(m->event, &m->share_rescan, CLOCK_MONOTONIC,
				      now + m->rescan_usec, 0, on_rescan_timer, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->share_rescan, SD_EVENT_ON);
	return r;
}

void share_stop(Manager *m)
{
	m->share_rescan = sd_event_source_disable_unref(m->share_rescan);
	m->share_settle = sd_event_source_disable_unref(m->share_settle);
	m->share_inotify = sd_event_source_disable_unref(m->share_inotify);
	if (m->share_inotify_fd >= 0)
		close(m->share_inotify_fd);
	m->share_inotify_fd = -1;
}
