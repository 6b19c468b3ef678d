/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's context: start-up (state, probe), refresh, and the event loop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "access.h"
#include "bus-names.h"
#include "bus-pool.h"
#include "bus.h"
#include "hotplug.h"
#include "libvirt.h"
#include "log.h"
#include "macros.h"
#include "manager.h"
#include "refresh.h"
#include "remote.h"
#include "share.h"
#include "worker.h"

Manager *manager_new(void)
{
	Manager *m = calloc(1, sizeof(Manager));
	if (m)
		m->share_inotify_fd = -1;
	return m;
}

Manager *manager_free(Manager *m)
{
	if (!m)
		return NULL;
	libvirt_stop(m);
	hotplug_stop(m);
	refresh_stop(m);
	share_stop(m);
	worker_shutdown(m);
	access_free(m);
	sd_bus_flush_close_unref(m->bus);
	bus_pool_free(m);
	sd_event_unref(m->event);
	mm_state_free(m->state);
	mm_hostmap_free(m->host);
	mm_config_clear(&m->config);
	free(m);
	return NULL;
}

void manager_freep(Manager **m)
{
	manager_free(*m);
}

/* The map's content, without the time it was probed: what decides whether
 * the host map changed. */
static int content_xml(MmHostMap *h, char **ret)
{
	char *generated = h->generated;
	h->generated = NULL;
	int r = mm_hostmap_format_xml(h, ret);
	h->generated = generated;
	return r;
}

int manager_refresh(Manager *m, MmError *err)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *map = NULL;
	_cleanup_free_ char *old = NULL, *new = NULL;
	MmProbeOptions opts = { .sysroot = m->config.sysroot, .name = m->config.name };
	MmError save_err = { 0 };
	int r;

	r = mm_hostmap_probe(&opts, &map, err);
	if (r < 0)
		return r;
	if ((r = libvirt_apply_identity(m, map)) < 0)
		return r;
	if (m->host && (r = content_xml(m->host, &old)) < 0)
		return r;
	if ((r = content_xml(map, &new)) < 0)
		return r;
	if (old && strcmp(old, new) == 0)
		return 0;
	/* host.xml is a record of the last probe, for clients without the
	 * daemon; failing to write it does not make the probe wrong. */
	if (mm_state_save_host(m->state, map, &save_err) < 0) {
		char buf[1024];
		log_warning("%s", mm_error_format(&save_err, buf, sizeof(buf)));
	}
	mm_hostmap_free(m->host);
	m->host = TAKE_PTR(map);
	m->generation++;
	share_publish(m);
	return 1;
}

int manager_start(Manager *m)
{
	MmError err = { 0 };
	char buf[1024];
	int r;

	/* Several migmapd may share the state directory and the pools (§9): a
	 * shared lock, which keeps out only `migmap pool --state-dir` writers. */
	if (mm_config_duration(m->config.rescan_interval, 30, &m->rescan_usec) < 0 ||
	    mm_config_duration(m->config.refresh_interval, 600, &m->refresh_usec) < 0 ||
	    mm_config_duration(m->config.remote_timeout, REMOTE_TIMEOUT_DEFAULT_SEC,
			       &m->remote_timeout_usec) < 0) {
		log_error("bad duration in the configuration");
		return -EINVAL;
	}
	/* The admin group first: what the state creates belongs to it (§9). */
	access_resolve_group(m);
	r = mm_state_open_group(m->config.state_dir, m->config.pool_dir,
				MM_STATE_CREATE | MM_STATE_SHARED,
				m->has_admin_group ? m->admin_gid : (gid_t)-1, &m->state, &err);
	if (r < 0) {
		log_warning("%s", mm_error_format(&err, buf, sizeof(buf)));
		return r;
	}
	for (size_t i = 0; i < m->state->n_warnings; i++)
		share_log_state_warning(m, m->state->warnings[i]);

	r = manager_refresh(m, &err);
	if (r < 0) {
		log_warning("cannot probe this host: %s", mm_error_format(&err, buf, sizeof(buf)));
		if (!m->state->host)
			return r;
		/* Serve the last map we had rather than nothing. */
		log_warning("serving the host map stored in %s/host.xml", m->config.state_dir);
		MmError copy_err = { 0 };
		_cleanup_free_ char *text = NULL;
		if (mm_hostmap_format_xml(m->state->host, &text) < 0 ||
		    mm_hostmap_parse_xml(text, strlen(text), "host.xml", &m->host, &copy_err) < 0)
			return -ENOMEM;
		m->generation = 1;
	}
	return 0;
}

int manager_run(Manager *m)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	r = sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ? -errno : 0;
	if (r >= 0)
		r = sd_event_default(&m->event);
	/* A NULL handler exits the loop with the given code. */
	if (r >= 0 && (r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL)) >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	if (r < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		return r;
	}

	/* bus_setup() says itself what failed */
	r = bus_setup(m);
	if (r < 0)
		return r;
	/* After the name: a conflict found at once is a signal someone may see. */
	if ((r = libvirt_start(m)) < 0 || (r = hotplug_start(m)) < 0 || (r = share_start(m)) < 0 ||
	    (r = refresh_start(m)) < 0) {
		log_error("cannot start watching: %s", strerror(-r));
		return r;
	}
	(void)sd_notifyf(false, "READY=1\nSTATUS=Serving %zu pool(s) as %s", m->state->n_pools,
			 m->host->name ? m->host->name : "?");
	log_info("serving %s on the system bus", MM_BUS_NAME);

	r = sd_event_loop(m->event);
	(void)sd_notify(false, "STOPPING=1");
	if (r < 0)
		log_error("the event loop failed: %s", strerror(-r));
	else if (r > 0) {
		/* SIGTERM and SIGINT end the loop with 0; sd-bus ends it with
		 * EXIT_FAILURE when the bus goes away (exit on disconnect, set
		 * in bus_setup): a failure, not a stop anybody asked for */
		log_error("lost the connection to the system bus");
		r = -ECONNRESET;
	}
	return r;
}
