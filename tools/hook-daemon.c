/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap-hook asking migmapd: one CheckDomain call on the system bus,
 * without activating the daemon and bounded in time, so a host without
 * migmapd costs the hook a failed connect or one round trip. */
#include <errno.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "hook.h"
#include "macros.h"

int hook_ask_daemon(const char *domain_xml, const char *pool, HookVerdict *v)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	MmError err = { 0 };
	char what[300];
	const char *json;
	int ok, r;

	if (pool)
		snprintf(what, sizeof(what), "pool %s", pool);
	else
		snprintf(what, sizeof(what), "this host");
	if (sd_bus_open_system(&bus) < 0)
		return -ENXIO;
	r = sd_bus_message_new_method_call(bus, &call, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					   "CheckDomain");
	/* Not running is an answer: the bus says so at once. */
	if (r >= 0)
		r = sd_bus_message_set_auto_start(call, false);
	if (r >= 0)
		r = sd_bus_message_append(call, "ss", domain_xml, pool ? pool : "");
	if (r < 0)
		return r == -ENOMEM ? r : -ENXIO;
	r = sd_bus_call(bus, call, HOOK_BUS_TIMEOUT_USEC, &error, &reply);
	if (r < 0) {
		/* migmapd does not know the pool: hook.c decides (unknown_pool). */
		if (pool && error.name && strcmp(error.name, MM_BUS_ERROR_NO_SUCH_POOL) == 0)
			return (v->unknown_pool || (v->unknown_pool = strdup(pool))) ? 0 : -ENOMEM;
		/* A pool without members is migmapd's answer too: the warning the
		 * local path gives, not a second look at a state that may not
		 * be migmapd's (it would call the pool unknown). */
		if (pool && error.name && strcmp(error.name, MM_BUS_ERROR_EMPTY_POOL) == 0)
			return hook_warn(v, "%s: not checked: %s", what, error.message);
		/* Any other error, migmapd's own included (a request over its
		 * bounds, a document it will not take): the hook decides locally
		 * from the same data rather than let a domain start unchecked. */
		return -ENXIO;
	}
	if (sd_bus_message_read(reply, "bs", &ok, &json) < 0)
		return -ENXIO;
	r = mm_check_report_parse_json(json, strlen(json), "CheckDomain", &report, &err);
	if (r == -ENOMEM)
		return r;
	/* An answer that is no report (whatever owns migmapd's name) is no
	 * verdict either: decided locally, as on any other error, rather than
	 * let the domain start unchecked. */
	if (r < 0)
		return -ENXIO;
	return hook_verdict_add_report(v, report, what);
}
