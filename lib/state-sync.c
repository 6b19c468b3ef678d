/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pool as one document, pushed from one member's migmapd to the others'
 * when they share no storage (pool sync, docs/design.md §9):
 *
 *   {"pool": "p", "generation": 7,
 *    "members": [{"name": "a", "hostMap": "<capabilities…>"}, …]}
 *
 * A member imports only a newer generation than the one it has, and the
 * import makes its pool hold exactly the document's members. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "error.h"
#include "hostmap-format.h"
#include "hostmap.h"
#include "jsonutil.h"
#include "macros.h"
#include "pool.h"
#include "state.h"
#include "strv.h"

int mm_state_pool_export(const MmState *s, const char *pool, uint64_t generation, char **ret,
			 MmError *err)
{
	_cleanup_(mm_json_putp) json_object *root = json_object_new_object();
	/* referenced from root once added; ours dropped on return */
	_cleanup_(mm_json_putp) json_object *members = json_object_new_array();
	const MmStatePool *p = mm_state_find_pool(s, pool);

	if (err)
		memset(err, 0, sizeof(*err));
	if (!p) {
		mm_error_set(err, NULL, 0, "no pool '%.64s'", pool);
		return -ENOENT;
	}
	if (!root || !members || mm_json_add(root, "pool", json_object_new_string(pool)) < 0 ||
	    mm_json_add(root, "generation", json_object_new_int64((int64_t)generation)) < 0 ||
	    mm_json_add(root, "members", json_object_get(members)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_members; i++) {
		_cleanup_free_ char *xml = NULL;
		json_object *o = json_object_new_object();
		if (!o || json_object_array_add(members, o) < 0) {
			json_object_put(o);
			return -ENOMEM;
		}
		if (mm_hostmap_format_xml(p->members[i].map, &xml) < 0 ||
		    mm_json_add(o, "name", json_object_new_string(p->members[i].name)) < 0 ||
		    mm_json_add(o, "hostMap", json_object_new_string(xml)) < 0)
			return -ENOMEM;
	}
	return mm_json_to_string(root, ret);
}

typedef struct Incoming {
	MmHostMap **maps;
	size_t n;
} Incoming;

static void incoming_clear(Incoming *in)
{
	for (size_t i = 0; i < in->n; i++)
		mm_hostmap_free(in->maps[i]);
	free(in->maps);
}

/* Parse and check the whole document before anything is written. */
static int parse_document(const char *pool, uint64_t generation, const char *json, size_t len,
			  Incoming *in, MmError *err)
{
	_cleanup_(mm_json_putp) json_object *root = NULL;
	json_object *members, *gen;
	int r = mm_json_parse(json, len, "pool_document", &root, err);
	if (r < 0)
		return r;
	members = mm_json_get(root, "members", json_type_array);
	gen = mm_json_get(root, "generation", json_type_int);
	if (!streq_ptr(mm_json_get_string(root, "pool"), pool) || !members || !gen ||
	    (uint64_t)json_object_get_int64(gen) != generation) {
		mm_error_set(err, "pool_document", 0,
			     "not the document of pool '%.64s' at generation %" PRIu64, pool,
			     generation);
		return -EINVAL;
	}
	size_t n = json_object_array_length(members);
	if (!(in->maps = calloc(n + 1, sizeof(*in->maps))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(members, i);
		const char *name = mm_json_get_string(o, "name");
		const char *xml = mm_json_get_string(o, "hostMap");
		if (!name || !xml || !mm_state_name_valid(name)) {
			mm_error_set(err, "pool_document", 0, "member %zu: no valid name or map",
				     i);
			return -EINVAL;
		}
		r = mm_hostmap_parse_xml(xml, strlen(xml), name, &in->maps[in->n], err);
		if (r < 0)
			return r;
		in->n++;
		if (!streq_ptr(in->maps[in->n - 1]->name, name)) {
			mm_error_set(err, "pool_document", 0, "member '%s' holds the map of '%s'",
				     name,
				     in->maps[in->n - 1]->name ? in->maps[in->n - 1]->name : "");
			return -EINVAL;
		}
		for (size_t j = 0; j + 1 < in->n; j++)
			if (strcmp(in->maps[j]->name, name) == 0) {
				mm_error_set(err, "pool_document", 0, "member '%s' twice", name);
				return -EINVAL;
			}
	}
	if (in->n > 0) {
		_cleanup_(mm_poolmap_freep) MmPoolMap *pm = NULL;
		r = mm_pool_baseline(pool, (const MmHostMap *const *)in->maps, in->n, &pm, err);
		if (r < 0)
			return r == -ENOMEM ? r : -EDOM;
	}
	return 0;
}

int mm_state_pool_import(MmState *s, const char *pool, uint64_t generation, const char *json,
			 size_t len, MmError *err)
{
	Incoming in = { 0 };
	const MmStatePool *p;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!mm_state_name_valid(pool)) {
		mm_error_set(err, NULL, 0, "invalid pool name '%.64s'", pool);
		return -EINVAL;
	}
	p = mm_state_find_pool(s, pool);
	if (p && p->generation >= generation) {
		mm_error_set(err, NULL, 0,
			     "pool '%s' is at generation %" PRIu64 " here: %" PRIu64
			     " is not newer",
			     pool, p->generation, generation);
		return -ESTALE;
	}
	r = parse_document(pool, generation, json, len, &in, err);
	if (r < 0)
		goto out;
	if (!p && (r = mm_state_create_pool(s, pool, err)) < 0)
		goto out;
	/* Members the document lacks go first: the ones it brings may be of
	 * an architecture the old ones would refuse. */
	for (;;) {
		p = mm_state_find_pool(s, pool);
		const char *gone = NULL;
		for (size_t i = 0; !gone && i < p->n_members; i++) {
			bool kept = false;
			for (size_t j = 0; j < in.n; j++)
				kept = kept || strcmp(in.maps[j]->name, p->members[i].name) == 0;
			if (!kept)
				gone = p->members[i].name;
		}
		if (!gone)
			break;
		_cleanup_free_ char *name = strdup(gone);
		if (!name) {
			r = -ENOMEM;
			goto out;
		}
		if ((r = mm_state_remove_member(s, pool, name, err)) < 0)
			goto out;
	}
	for (size_t j = 0; j < in.n; j++)
		if ((r = mm_state_add_member(s, pool, in.maps[j], NULL, true, err)) < 0)
			goto out;
	r = mm_state_set_generation(s, pool, generation, err);
out:
	incoming_clear(&in);
	return r;
}
