/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hotplug: on a live system a PCI device that appears, goes, or changes
 * driver can change the IOMMU groups and their reserved ranges. udev's
 * events for the pci and iommu subsystems arm a short timer (a burst of
 * events gives one probe); when it fires the host is probed again and, if
 * the map changed, HostMapChanged is emitted. Under a sysroot there is
 * nothing to watch: Refresh() probes on demand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-device.h>

#include "bus.h"
#include "hotplug.h"
#include "log.h"
#include "macros.h"
#include "manager.h"

#define HOTPLUG_SETTLE_USEC (500 * 1000)

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	MmError err = { 0 };
	char buf[1024];
	int r = manager_refresh(m, &err);
	if (r < 0)
		log_warning("hotplug: cannot probe this host: %s",
			    mm_error_format(&err, buf, sizeof(buf)));
	else if (r > 0) {
		log_info("hotplug: host map changed (generation %llu)",
			 (unsigned long long)m->generation);
		bus_emit_host_map_changed(m);
	}
	return 0;
}

static int on_uevent(sd_device_monitor *monitor, sd_device *device, void *userdata)
{
	Manager *m = userdata;
	int enabled = SD_EVENT_OFF;
	if (m->hotplug_timer && sd_event_source_get_enabled(m->hotplug_timer, &enabled) >= 0 &&
	    enabled != SD_EVENT_OFF)
		return 0; /* a probe is already due */
	uint64_t now;
	int r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	if (r >= 0 && m->hotplug_timer)
		r = sd_event_source_set_time(m->hotplug_timer, now + HOTPLUG_SETTLE_USEC);
	if (r >= 0 && m->hotplug_timer)
		r = sd_event_source_set_enabled(m->hotplug_timer, SD_EVENT_ONESHOT);
	if (r < 0)
		log_warning("hotplug: cannot schedule a probe: %s", strerror(-r));
	return 0;
}

int hotplug_start(Manager *m)
{
	const char *root = m->config.sysroot;
	int r;

	if (root && strcmp(root, "/") != 0)
		return 0;
	r = sd_device_monitor_new(&m->hotplug);
	if (r >= 0)
		r = sd_device_monitor_filter_add_match_subsystem_devtype(m->hotplug, "pci", NULL);
	if (r >= 0)
		r = sd_device_monitor_filter_add_match_subsystem_devtype(m->hotplug, "iommu", NULL);
	if (r >= 0)
		r = sd_device_monitor_attach_event(m->hotplug, m->event);
	if (r >= 0)
		r = sd_device_monitor_start(m->hotplug, on_uevent, m);
	if (r >= 0)
		r = sd_event_add_time(m->event, &m->hotplug_timer, CLOCK_MONOTONIC, 0, 0,
				      on_settled, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->hotplug_timer, SD_EVENT_OFF);
	if (r < 0) {
		/* no udev (a container): the map is still right, just not followed */
		log_warning("not following PCI hotplug: %s", strerror(-r));
		hotplug_stop(m);
	}
	return 0;
}

void hotplug_stop(Manager *m)
{
	m->hotplug_timer = sd_event_source_disable_unref(m->hotplug_timer);
	m->hotplug = sd_device_monitor_unref(m->hotplug);
}
