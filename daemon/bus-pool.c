/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool objects on the bus (docs/design.md §11): each pool of the state
 * is an object below MM_BUS_POOL_PREFIX, its name escaped with
 * sd_bus_path_encode(), with read-only properties Name, Members, LimitBits
 * and Generation. Generation counts the pool's changes since migmapd
 * started; PropertiesChanged carries the new values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-pool.h"
#include "log.h"
#include "macros.h"

typedef struct BusPools {
	char **names; /* the pools whose Generation is not 0 */
	uint64_t *generations;
	size_t n;
} BusPools;

static uint64_t *generation_of(Manager *m, const char *pool, bool add)
{
	BusPools *b = m->bus_pools;
	for (size_t i = 0; b && i < b->n; i++)
		if (strcmp(b->names[i], pool) == 0)
			return &b->generations[i];
	if (!add || !b)
		return NULL;
	char **names = realloc(b->names, (b->n + 1) * sizeof(*names));
	if (!names)
		return NULL;
	b->names = names;
	uint64_t *gens = realloc(b->generations, (b->n + 1) * sizeof(*gens));
	if (!gens)
		return NULL;
	b->generations = gens;
	if (!(b->names[b->n] = strdup(pool)))
		return NULL;
	b->generations[b->n] = 0;
	return &b->generations[b->n++];
}

/* The pool an object path names, or NULL. */
static const MmStatePool *pool_of_path(Manager *m, const char *path)
{
	_cleanup_free_ char *name = NULL;
	if (sd_bus_path_decode(path, MM_BUS_POOL_PREFIX, &name) <= 0 || !m->state)
		return NULL;
	return mm_state_find_pool(m->state, name);
}

static int pool_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
		     void **found, sd_bus_error *error)
{
	if (!pool_of_path(userdata, path))
		return 0;
	*found = userdata;
	return 1;
}

static int pool_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
			  sd_bus_error *error)
{
	Manager *m = userdata;
	size_t n = m->state ? m->state->n_pools : 0;
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (sd_bus_path_encode(MM_BUS_POOL_PREFIX, m->state->pools[i].name, &v[i]) < 0) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return -ENOMEM;
		}
	*nodes = v;
	return 0;
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	const MmStatePool *p = pool_of_path(m, path);
	if (!p)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "no pool at %s", path);
	if (strcmp(property, "Name") == 0)
		return sd_bus_message_append(reply, "s", p->name);
	if (strcmp(property, "Generation") == 0) {
		const uint64_t *g = generation_of(m, p->name, false);
		return sd_bus_message_append(reply, "t", g ? *g : (uint64_t)0);
	}
	if (strcmp(property, "LimitBits") == 0) {
		/* the smallest member's: what a guest of the pool must fit
		 * below; 0 when no member knows one */
		unsigned bits = 0;
		for (size_t i = 0; i < p->n_members; i++) {
			unsigned b = p->members[i].map ? mm_hostmap_limit_bits(p->members[i].map)
						       : MM_BITS_UNKNOWN;
			if (b != MM_BITS_UNKNOWN && (bits == 0 || b < bits))
				bits = b;
		}
		return sd_bus_message_append(reply, "u", bits);
	}
	/* Members */
	int r = sd_bus_message_open_container(reply, 'a', "s");
	for (size_t i = 0; r >= 0 && i < p->n_members; i++)
		r = sd_bus_message_append(reply, "s", p->members[i].name);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static const sd_bus_vtable pool_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Members", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("LimitBits", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Generation", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_SIGNAL_WITH_NAMES("MemberFinished", "sbs",
				 SD_BUS_PARAM(host) SD_BUS_PARAM(ok) SD_BUS_PARAM(message), 0),
	SD_BUS_VTABLE_END,
};

int bus_pool_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(so)");
	for (size_t i = 0; r >= 0 && m->state && i < m->state->n_pools; i++) {
		_cleanup_free_ char *path = NULL;
		r = sd_bus_path_encode(MM_BUS_POOL_PREFIX, m->state->pools[i].name, &path);
		if (r >= 0)
			r = sd_bus_message_append(reply, "(so)", m->state->pools[i].name, path);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

void bus_pool_changed(Manager *m, const char *pool)
{
	_cleanup_free_ char *path = NULL;
	uint64_t *g = generation_of(m, pool, true);
	if (g)
		(*g)++;
	if (!m->bus || !m->state || !mm_state_find_pool(m->state, pool))
		return;
	int r = sd_bus_path_encode(MM_BUS_POOL_PREFIX, pool, &path);
	if (r >= 0)
		r = sd_bus_emit_properties_changed(m->bus, path, MM_BUS_POOL_INTERFACE, "Members",
						   "LimitBits", "Generation", NULL);
	if (r < 0)
		log_warning("cannot emit PropertiesChanged for pool %s: %s", pool, strerror(-r));
}

void bus_pool_member_finished(Manager *m, const char *pool, const char *destination,
			      const char *host, bool ok, const char *message)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *sig = NULL;
	_cleanup_free_ char *path = NULL;
	if (!m->bus)
		return;
	int r = sd_bus_path_encode(MM_BUS_POOL_PREFIX, pool, &path);
	if (r >= 0)
		r = sd_bus_message_new_signal(m->bus, &sig, path, MM_BUS_POOL_INTERFACE,
					      "MemberFinished");
	if (r >= 0 && destination)
		r = sd_bus_message_set_destination(sig, destination);
	if (r >= 0)
		r = sd_bus_message_append(sig, "sbs", host, ok, message ? message : "");
	if (r >= 0)
		r = sd_bus_send(m->bus, sig, NULL);
	if (r < 0)
		log_warning("pool %s: cannot emit MemberFinished: %s", pool, strerror(-r));
}

int bus_pool_setup(Manager *m)
{
	int r;
	if (!m->bus_pools && !(m->bus_pools = calloc(1, sizeof(*m->bus_pools))))
		return -ENOMEM;
	r = sd_bus_add_fallback_vtable(m->bus, NULL, MM_BUS_POOL_PREFIX, MM_BUS_POOL_INTERFACE,
				       pool_vtable, pool_find, m);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(m->bus, NULL, MM_BUS_POOL_PREFIX, pool_enumerate, m);
	if (r < 0)
		log_error("cannot export the pool objects: %s", strerror(-r));
	return r;
}

void bus_pool_free(Manager *m)
{
	BusPools *b = m->bus_pools;
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->names);
	free(b->generations);
	free(b);
	m->bus_pools = NULL;
}
