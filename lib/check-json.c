/* The check report as JSON (see mm_check_report_format_json in checker.h). */
#include <errno.h>

#include "checker.h"
#include "jsonutil.h"
#include "macros.h"

static json_object *range_json(const char *key, const char *value, uint64_t start, uint64_t end)
{
	json_object *o = json_object_new_object();
	if (!o || mm_json_add(o, key, json_object_new_string(value)) < 0 ||
	    mm_json_add(o, "start", mm_json_hex(start)) < 0 ||
	    mm_json_add(o, "end", mm_json_hex(end)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *conflict_json(const MmConflict *c)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	json_object *hosts = json_object_new_array();
	json_object *devices = json_object_new_array();
	if (!o ||
	    mm_json_add(o, "severity", json_object_new_string(mm_severity_to_string(c->severity))) <
		    0 ||
	    mm_json_add(o, "guest", range_json("kind", c->guest_kind, c->guest_start, c->guest_end)) <
		    0 ||
	    mm_json_add(o, "reserved", range_json("type", c->type, c->start, c->end)) < 0 ||
	    mm_json_add(o, "hosts", hosts) < 0 || mm_json_add(o, "devices", devices) < 0 ||
	    mm_json_add(o, "message", json_object_new_string(c->message ? c->message : "")) < 0)
		return NULL;
	for (size_t i = 0; i < c->n_hosts; i++)
		if (json_object_array_add(hosts, json_object_new_string(c->hosts[i])) < 0)
			return NULL;
	for (size_t i = 0; i < c->n_devices; i++) {
		json_object *d = json_object_new_object();
		if (!d || mm_json_add(d, "host", json_object_new_string(c->devices[i].host)) < 0 ||
		    mm_json_add(d, "group", json_object_new_int64(c->devices[i].group)) < 0 ||
		    mm_json_add(d, "bdf", mm_json_string_or_null(c->devices[i].bdf)) < 0 ||
		    json_object_array_add(devices, d) < 0) {
			json_object_put(d);
			return NULL;
		}
	}
	return TAKE_PTR(o);
}

int mm_check_report_format_json(const MmCheckReport *r, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	json_object *conflicts = json_object_new_array();
	json_object *warnings = json_object_new_array();
	if (!o || mm_json_add(o, "ok", json_object_new_boolean(r->ok)) < 0 ||
	    mm_json_add(o, "machine", mm_json_string_or_null(r->machine)) < 0 ||
	    mm_json_add(o, "conflicts", conflicts) < 0 || mm_json_add(o, "warnings", warnings) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_conflicts; i++) {
		json_object *c = conflict_json(&r->conflicts[i]);
		if (!c || json_object_array_add(conflicts, c) < 0) {
			json_object_put(c);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < r->n_warnings; i++)
		if (json_object_array_add(warnings, json_object_new_string(r->warnings[i])) < 0)
			return -ENOMEM;
	return mm_json_to_string(o, ret);
}
