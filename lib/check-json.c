/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The check report as JSON (see mm_check_report_format_json in check.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
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
	json_object *guest = NULL, *reserved = NULL, *hosts = NULL, *devices = NULL;
	/* each member made right before o owns it: a failure leaves nothing
	 * behind, and a range that could not be made is no JSON null */
	if (!o ||
	    mm_json_add(o, "severity", json_object_new_string(mm_severity_to_string(c->severity))) <
		    0 ||
	    !(guest = range_json("kind", c->guest_kind, c->guest_start, c->guest_end)) ||
	    mm_json_add(o, "guest", guest) < 0 ||
	    !(reserved = range_json("type", c->type, c->start, c->end)) ||
	    mm_json_add(o, "reserved", reserved) < 0 || !(hosts = json_object_new_array()) ||
	    mm_json_add(o, "hosts", hosts) < 0 || !(devices = json_object_new_array()) ||
	    mm_json_add(o, "devices", devices) < 0 ||
	    mm_json_add(o, "message", json_object_new_string(c->message ? c->message : "")) < 0)
		return NULL;
	for (size_t i = 0; i < c->n_hosts; i++) {
		json_object *s = json_object_new_string(c->hosts[i]);
		if (!s || json_object_array_add(hosts, s) < 0) {
			json_object_put(s);
			return NULL;
		}
	}
	for (size_t i = 0; i < c->n_devices; i++) {
		json_object *d = json_object_new_object();
		if (!d || mm_json_add(d, "host", json_object_new_string(c->devices[i].host)) < 0 ||
		    mm_json_add(d, "group", json_object_new_int64(c->devices[i].group)) < 0 ||
		    mm_json_add_string_or_null(d, "bdf", c->devices[i].bdf) < 0 ||
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
	json_object *conflicts = NULL, *warnings = NULL;
	if (!o || mm_json_add(o, "ok", json_object_new_boolean(r->ok)) < 0 ||
	    mm_json_add_string_or_null(o, "machine", r->machine) < 0 ||
	    !(conflicts = json_object_new_array()) || mm_json_add(o, "conflicts", conflicts) < 0 ||
	    !(warnings = json_object_new_array()) || mm_json_add(o, "warnings", warnings) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_conflicts; i++) {
		json_object *c = conflict_json(&r->conflicts[i]);
		if (!c || json_object_array_add(conflicts, c) < 0) {
			json_object_put(c);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < r->n_warnings; i++) {
		json_object *s = json_object_new_string(r->warnings[i]);
		if (!s || json_object_array_add(warnings, s) < 0) {
			json_object_put(s);
			return -ENOMEM;
		}
	}
	return mm_json_to_string(o, ret);
}

/* ---- reading it back ---------------------------------------------------- */

static int bad_report(MmError *err, const char *file, const char *what, size_t i)
{
	mm_error_set(err, file, 0, "not a check report: conflict %zu: %s", i + 1, what);
	return -EINVAL;
}

/* Copies the strings of array a (all strings) into *v, *n. */
static int read_strings(json_object *a, char ***v, size_t *n)
{
	size_t len = json_object_array_length(a);
	if (len == 0)
		return 0;
	if (!(*v = calloc(len, sizeof(**v))))
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if (!json_object_is_type(s, json_type_string))
			return -EINVAL;
		if (!((*v)[i] = strdup(json_object_get_string(s))))
			return -ENOMEM;
		*n = i + 1;
	}
	return 0;
}

static int read_devices(json_object *a, MmConflict *c)
{
	size_t len = json_object_array_length(a);
	if (len == 0)
		return 0;
	if (!(c->devices = calloc(len, sizeof(*c->devices))))
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		json_object *d = json_object_array_get_idx(a, i);
		json_object *group = mm_json_get(d, "group", json_type_int);
		const char *host = mm_json_get_string(d, "host"),
			   *bdf = mm_json_get_string(d, "bdf");
		int64_t g = group ? json_object_get_int64(group) : -1;
		if (!host || g < 0 || g > UINT32_MAX)
			return -EINVAL;
		MmConflictDevice *out = &c->devices[c->n_devices++];
		out->group = (uint32_t)g;
		if (!(out->host = strdup(host)) || (bdf && !(out->bdf = strdup(bdf))))
			return -ENOMEM;
	}
	return 0;
}

static int read_conflict(json_object *o, MmConflict *c, const char *file, size_t i, MmError *err)
{
	json_object *guest = mm_json_get(o, "guest", json_type_object);
	json_object *reserved = mm_json_get(o, "reserved", json_type_object);
	json_object *hosts = mm_json_get(o, "hosts", json_type_array);
	json_object *devices = mm_json_get(o, "devices", json_type_array);
	const char *severity = mm_json_get_string(o, "severity");
	const char *kind = mm_json_get_string(guest, "kind"),
		   *type = mm_json_get_string(reserved, "type");
	const char *message = mm_json_get_string(o, "message");
	int r;

	if (!severity || (strcmp(severity, "error") != 0 && strcmp(severity, "warning") != 0))
		return bad_report(err, file, "severity is not \"error\" or \"warning\"", i);
	c->severity = severity[0] == 'e' ? MM_SEVERITY_ERROR : MM_SEVERITY_WARNING;
	if (!kind || mm_json_get_hex(guest, "start", &c->guest_start) < 0 ||
	    mm_json_get_hex(guest, "end", &c->guest_end) < 0)
		return bad_report(err, file, "no guest kind, start and end", i);
	if (!type || mm_json_get_hex(reserved, "start", &c->start) < 0 ||
	    mm_json_get_hex(reserved, "end", &c->end) < 0)
		return bad_report(err, file, "no reserved type, start and end", i);
	if (!hosts || !devices || !message)
		return bad_report(err, file, "no hosts, devices or message", i);
	if (!(c->guest_kind = strdup(kind)) || !(c->type = strdup(type)) ||
	    !(c->message = strdup(message)))
		return -ENOMEM;
	if ((r = read_strings(hosts, &c->hosts, &c->n_hosts)) == -EINVAL)
		return bad_report(err, file, "a host name is not a string", i);
	if (r < 0)
		return r;
	if ((r = read_devices(devices, c)) == -EINVAL)
		return bad_report(err, file, "a device lacks its host or group", i);
	return r;
}

int mm_check_report_parse_json(const char *json, size_t len, const char *file, MmCheckReport **ret,
			       MmError *err)
{
	_cleanup_(mm_json_putp) json_object *root = NULL;
	_cleanup_(mm_check_report_freep) MmCheckReport *r = NULL;
	json_object *ok, *machine, *conflicts, *warnings;
	int k;

	if ((k = mm_json_parse(json, len, file, &root, err)) < 0)
		return k;
	ok = mm_json_get(root, "ok", json_type_boolean);
	conflicts = mm_json_get(root, "conflicts", json_type_array);
	warnings = mm_json_get(root, "warnings", json_type_array);
	if (!ok || !conflicts || !warnings) {
		mm_error_set(err, file, 0,
			     "not a check report: no \"ok\", \"conflicts\" or \"warnings\"");
		return -EINVAL;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	r->ok = json_object_get_boolean(ok);
	if ((machine = mm_json_get(root, "machine", json_type_string)) &&
	    !(r->machine = strdup(json_object_get_string(machine))))
		return -ENOMEM;
	size_t n = json_object_array_length(conflicts);
	if (n && !(r->conflicts = calloc(n, sizeof(*r->conflicts))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r->n_conflicts = i + 1;
		k = read_conflict(json_object_array_get_idx(conflicts, i), &r->conflicts[i], file,
				  i, err);
		if (k < 0)
			return k;
	}
	if ((k = read_strings(warnings, &r->warnings, &r->n_warnings)) == -EINVAL) {
		mm_error_set(err, file, 0, "not a check report: a warning is not a string");
		return k;
	}
	if (k < 0)
		return k;
	*ret = TAKE_PTR(r);
	return 0;
}
