/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool map as JSON, the same content as the XML:
 * {"pool": {"name", "members", "limit", "forbidden", "usable", "warnings",
 * "generated"}}. */
#include <errno.h>

#include "jsonutil.h"
#include "macros.h"
#include "pool.h"
#include "rangeset.h"

static json_object *host_names(const MmPoolMap *p, const MmIdSet *hosts)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < hosts->n; i++)
		if (mm_json_append(a, json_object_new_string(p->members[hosts->ids[i]].name)) < 0) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

static json_object *member_json(const MmPoolMember *mb)
{
	json_object *o = json_object_new_object();
	if (!o || mm_json_add(o, "name", json_object_new_string(mb->name)) < 0 ||
	    mm_json_add_string_or_null(o, "uuid", mb->uuid) < 0 ||
	    mm_json_add_string_or_null(o, "arch", mb->arch) < 0 ||
	    (mb->limit_bits ? mm_json_add(o, "limitBits", json_object_new_int(mb->limit_bits))
			    : mm_json_add_null(o, "limitBits")) < 0 ||
	    mm_json_add(o, "iommuGroups", json_object_new_int64((int64_t)mb->n_iommu_groups)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int mm_poolmap_to_json(const MmPoolMap *p, json_object **ret)
{
	_cleanup_(mm_json_putp) json_object *pool = json_object_new_object();
	/* referenced from pool once added; ours dropped on return */
	_cleanup_(mm_json_putp) json_object *members = json_object_new_array();
	_cleanup_(mm_json_putp) json_object *forbidden = json_object_new_array();
	_cleanup_(mm_json_putp) json_object *warnings = json_object_new_array();
	_cleanup_(mm_json_putp) json_object *limit = NULL;

	if (p->limit_bits) {
		uint64_t top =
			p->limit_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << p->limit_bits) - 1;
		limit = json_object_new_object();
		if (!limit || mm_json_add(limit, "bits", json_object_new_int(p->limit_bits)) < 0 ||
		    mm_json_add(limit, "end", mm_json_hex(top)) < 0 ||
		    mm_json_add(limit, "hosts", host_names(p, &p->limit_hosts)) < 0)
			return -ENOMEM;
	}
	if (!pool || !members || !forbidden || !warnings ||
	    mm_json_add(pool, "name", json_object_new_string(p->name)) < 0 ||
	    mm_json_add(pool, "members", json_object_get(members)) < 0 ||
	    /* no limit known: null */
	    (limit ? mm_json_add(pool, "limit", json_object_get(limit))
		   : mm_json_add_null(pool, "limit")) < 0 ||
	    mm_json_add(pool, "forbidden", json_object_get(forbidden)) < 0 ||
	    mm_json_add(pool, "usable", mm_json_ranges(&p->usable)) < 0 ||
	    mm_json_add(pool, "warnings", json_object_get(warnings)) < 0 ||
	    mm_json_add_string_or_null(pool, "generated", p->generated) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_members; i++) {
		json_object *m = member_json(&p->members[i]);
		if (!m || json_object_array_add(members, m) < 0) {
			json_object_put(m);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < p->n_forbidden; i++) {
		const MmForbidden *f = &p->forbidden[i];
		json_object *o = json_object_new_object();
		if (!o || mm_json_add(o, "type", json_object_new_string(f->type)) < 0 ||
		    mm_json_add(o, "start", mm_json_hex(f->start)) < 0 ||
		    mm_json_add(o, "end", mm_json_hex(f->end)) < 0 ||
		    mm_json_add(o, "hosts", host_names(p, &f->hosts)) < 0 ||
		    json_object_array_add(forbidden, o) < 0) {
			json_object_put(o);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < p->n_warnings; i++)
		if (mm_json_append(warnings, json_object_new_string(p->warnings[i])) < 0)
			return -ENOMEM;

	json_object *root = json_object_new_object();
	if (!root || mm_json_add(root, "pool", TAKE_PTR(pool)) < 0) {
		json_object_put(root);
		return -ENOMEM;
	}
	*ret = root;
	return 0;
}

int mm_poolmap_format_json(const MmPoolMap *p, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = NULL;
	int r = mm_poolmap_to_json(p, &o);
	if (r < 0)
		return r;
	return mm_json_to_string(o, ret);
}

int mm_pool_names_format_json(char *const *names, size_t n, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	_cleanup_(mm_json_putp) json_object *pools = json_object_new_array();
	if (!o || !pools || mm_json_add(o, "pools", json_object_get(pools)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (mm_json_append(pools, json_object_new_string(names[i])) < 0)
			return -ENOMEM;
	return mm_json_to_string(o, ret);
}

int mm_pool_action_format_json(const char *action, const char *pool, char *const *hosts,
			       size_t n_hosts, const char *domain, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	if (!o || mm_json_add(o, "action", json_object_new_string(action)) < 0 ||
	    (pool && mm_json_add(o, "pool", json_object_new_string(pool)) < 0))
		return -ENOMEM;
	if (n_hosts) {
		json_object *a = json_object_new_array();
		if (mm_json_add(o, "hosts", a) < 0 || !a)
			return -ENOMEM;
		for (size_t i = 0; i < n_hosts; i++)
			if (mm_json_append(a, json_object_new_string(hosts[i])) < 0)
				return -ENOMEM;
	}
	if (domain && mm_json_add(o, "domain", json_object_new_string(domain)) < 0)
		return -ENOMEM;
	return mm_json_to_string(o, ret);
}

int mm_pool_members_format_json(const char *action, const char *pool, char *const *hosts,
				const bool *ok, char *const *results, size_t n, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	json_object *members = json_object_new_array();
	if (!o || mm_json_add(o, "action", json_object_new_string(action)) < 0 ||
	    mm_json_add(o, "pool", json_object_new_string(pool)) < 0 ||
	    mm_json_add(o, "members", members) < 0 || !members)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_new_object();
		if (mm_json_append(members, m) < 0 || !m ||
		    mm_json_add(m, "host", json_object_new_string(hosts[i])) < 0 ||
		    mm_json_add(m, "ok", json_object_new_boolean(ok[i])) < 0 ||
		    mm_json_add(m, "result", json_object_new_string(results[i])) < 0)
			return -ENOMEM;
	}
	return mm_json_to_string(o, ret);
}
