/* migmap-hook asking migmapd: one CheckDomain call on the system bus,
 * without activating the daemon and bounded in time, so a host without
 * migmapd costs the hook a failed connect or one round trip. */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "../daemon/bus-names.h"
#include "hook.h"
#include "macros.h"

static void json_putp(json_object **o)
{
	json_object_put(*o);
}

static const char *string_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* CheckDomain's report_json (mm_check_report_format_json) into v. */
static int fold_report(const char *json, const char *what, HookVerdict *v)
{
	_cleanup_(json_putp) json_object *root = json_tokener_parse(json);
	json_object *conflicts, *warnings;

	if (!root || !json_object_is_type(root, json_type_object))
		return hook_warn(v, "%s: migmapd's answer is not JSON", what);
	if (json_object_object_get_ex(root, "conflicts", &conflicts) &&
	    json_object_is_type(conflicts, json_type_array))
		for (size_t i = 0; i < json_object_array_length(conflicts); i++) {
			json_object *c = json_object_array_get_idx(conflicts, i);
			const char *severity = string_of(c, "severity"), *message = string_of(c, "message");
			if (!severity || !message)
				continue;
			if (strcmp(severity, "error") == 0) {
				if (!v->error && !(v->error = strdup(message)))
					return -ENOMEM;
			} else if (hook_warn(v, "%s", message) < 0)
				return -ENOMEM;
		}
	if (json_object_object_get_ex(root, "warnings", &warnings) &&
	    json_object_is_type(warnings, json_type_array))
		for (size_t i = 0; i < json_object_array_length(warnings); i++) {
			const char *w = json_object_get_string(json_object_array_get_idx(warnings, i));
			if (w && hook_warn(v, "%s: %s", what, w) < 0)
				return -ENOMEM;
		}
	return 0;
}

int hook_ask_daemon(const char *domain_xml, const char *pool, HookVerdict *v)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
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
		/* migmapd answered: it cannot check this domain there. */
		if (error.name && strncmp(error.name, MM_BUS_INTERFACE ".Error.",
					  strlen(MM_BUS_INTERFACE ".Error.")) == 0 &&
		    strcmp(error.name, MM_BUS_ERROR_ACCESS_DENIED) != 0)
			return hook_warn(v, "%s: not checked: %s", what,
					 error.message ? error.message : error.name);
		return -ENXIO;
	}
	if (sd_bus_message_read(reply, "bs", &ok, &json) < 0)
		return -ENXIO;
	return fold_report(json, what, v);
}
