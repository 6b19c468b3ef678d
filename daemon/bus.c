/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's D-Bus API: one object, one interface, thin handlers over
 * libmigmap and the state store. Reading is open to all; every method that
 * changes something is held back until polkit has answered (access.c's
 * table names its action) and calls access_check_write() first. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "bus-check.h"
#include "bus-names.h"
#include "bus-pool.h"
#include "bus.h"
#include "fit.h"
#include "libvirt.h"
#include "log.h"
#include "macros.h"
#include "manager.h"
#include "refresh.h"
#include "remote.h"
#include "worker.h"

static int format_error(sd_bus_error *error, const char *name, const MmError *err)
{
	char buf[1024];
	return sd_bus_error_setf(error, name, "%s", mm_error_format(err, buf, sizeof(buf)));
}

/* A state store failure as a named error: r says which. */
static int state_error(sd_bus_error *error, int r, const MmError *err, const char *not_found,
		       const char *exists)
{
	const char *name;
	switch (r) {
	case -ENOMEM:
		return r;
	case -EINVAL:
		name = MM_BUS_ERROR_INVALID_NAME;
		break;
	case -ENOENT:
		name = not_found;
		break;
	case -EEXIST:
		name = exists;
		break;
	case -EDOM:
		name = MM_BUS_ERROR_INCOMPATIBLE_HOST;
		break;
	case -ENODATA:
		name = MM_BUS_ERROR_EMPTY_POOL;
		break;
	case -EFBIG:
		name = SD_BUS_ERROR_LIMITS_EXCEEDED;
		break;
	default:
		name = MM_BUS_ERROR_STATE_FAILED;
	}
	return format_error(error, name, err);
}

/* "xml" or "json", else InvalidArgument. */
static int parse_format(const char *format, bool *json, sd_bus_error *error)
{
	if (strcmp(format, "xml") == 0 || strcmp(format, "json") == 0) {
		*json = format[0] == 'j';
		return 0;
	}
	return sd_bus_error_setf(error, MM_BUS_ERROR_INVALID_ARGUMENT,
				 "unknown format '%.32s': 'xml' or 'json'", format);
}

static int find_pool(Manager *m, const char *pool, const MmStatePool **ret, sd_bus_error *error)
{
	if (!mm_state_name_valid(pool))
		return sd_bus_error_setf(error, MM_BUS_ERROR_INVALID_NAME,
					 "invalid pool name '%.64s'", pool);
	*ret = mm_state_find_pool(m->state, pool);
	if (!*ret)
		return sd_bus_error_setf(error, MM_BUS_ERROR_NO_SUCH_POOL, "no pool '%s'", pool);
	return 0;
}

int bus_begin_pool_write(Manager *m, sd_bus_message *msg, const char **pool, const char **arg,
			 bool must_exist, sd_bus_error *error)
{
	const MmStatePool *p;
	int access, r;

	r = arg ? sd_bus_message_read(msg, "ss", pool, arg) : sd_bus_message_read(msg, "s", pool);
	if (r < 0)
		return r;
	if ((access = access_check_write(m, msg, error)) < 0)
		return access;
	if (must_exist && (r = find_pool(m, *pool, &p, error)) < 0)
		return r;
	return access;
}

static int emit_pool_changed(Manager *m, const char *pool, bool pools_changed)
{
	bus_pool_changed(m, pool);
	int r = sd_bus_emit_signal(m->bus, MM_BUS_PATH, MM_BUS_INTERFACE, "PoolChanged", "s", pool);
	if (r >= 0 && pools_changed)
		r = sd_bus_emit_properties_changed(m->bus, MM_BUS_PATH, MM_BUS_INTERFACE, "Pools",
						   NULL);
	if (r < 0)
		log_warning("cannot emit PoolChanged: %s", strerror(-r));
	return 0;
}

int bus_emit_pool_changed(Manager *m, const char *pool, bool pools_changed)
{
	return emit_pool_changed(m, pool, pools_changed);
}

int bus_emit_host_map_changed(Manager *m)
{
	int r = sd_bus_emit_properties_changed(m->bus, MM_BUS_PATH, MM_BUS_INTERFACE, "Generation",
					       NULL);
	if (r >= 0)
		r = sd_bus_emit_signal(m->bus, MM_BUS_PATH, MM_BUS_INTERFACE, "HostMapChanged", "t",
				       m->generation);
	if (r < 0)
		log_warning("cannot emit HostMapChanged: %s", strerror(-r));
	return 0;
}

/* ---- properties --------------------------------------------------------- */

static int property_get_name(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	Manager *m = userdata;
	return sd_bus_message_append(reply, "s", m->host->name ? m->host->name : "");
}

static int append_pools(Manager *m, sd_bus_message *reply)
{
	int r = sd_bus_message_open_container(reply, 'a', "s");
	for (size_t i = 0; r >= 0 && i < m->state->n_pools; i++)
		r = sd_bus_message_append(reply, "s", m->state->pools[i].name);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

static int property_get_pools(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	return append_pools(userdata, reply);
}

/* ---- this host ---------------------------------------------------------- */

static int method_get_host_map(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_free_ char *text = NULL;
	const char *format;
	bool json;
	int r;

	if ((r = sd_bus_message_read(msg, "s", &format)) < 0)
		return r;
	if ((r = parse_format(format, &json, error)) < 0)
		return r;
	r = json ? mm_hostmap_format_json(m->host, &text) : mm_hostmap_format_xml(m->host, &text);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, "s", text);
}

static int method_refresh(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	MmError err = { 0 };
	int r;

	if ((r = access_check_write(m, msg, error)) < 0)
		return r;
	r = manager_refresh(m, &err);
	if (r < 0)
		return format_error(error, MM_BUS_ERROR_PROBE_FAILED, &err);
	if (r > 0)
		bus_emit_host_map_changed(m);
	return sd_bus_reply_method_return(msg, NULL);
}

/* ---- pools -------------------------------------------------------------- */

/* CreatePool and DeletePool: one handler, the member name says which. */
static int method_create_delete_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	bool create = streq_ptr(sd_bus_message_get_member(msg), "CreatePool");
	MmError err = { 0 };
	const char *pool;
	int r;

	if ((r = bus_begin_pool_write(m, msg, &pool, NULL, false, error)) < 0)
		return r;
	r = create ? mm_state_create_pool(m->state, pool, &err)
		   : mm_state_delete_pool(m->state, pool, &err);
	if (r < 0)
		return state_error(error, r, &err, MM_BUS_ERROR_NO_SUCH_POOL,
				   MM_BUS_ERROR_POOL_EXISTS);
	emit_pool_changed(m, pool, true);
	return sd_bus_reply_method_return(msg, NULL);
}

/* Store map in pool; the reply names the member. */
static int add_member(Manager *m, sd_bus_message *msg, const char *pool, MmHostMap *map,
		      const char *address, sd_bus_error *error)
{
	MmError err = { 0 };
	if (!mm_state_name_valid(map->name))
		return sd_bus_error_setf(error, MM_BUS_ERROR_INVALID_NAME,
					 "the host map's name '%.64s' is not a valid host name",
					 map->name ? map->name : "");
	int r = mm_state_add_member(m->state, pool, map, address, false, &err);
	if (r < 0)
		return state_error(error, r, &err, MM_BUS_ERROR_NO_SUCH_POOL,
				   MM_BUS_ERROR_HOST_EXISTS);
	emit_pool_changed(m, pool, false);
	return sd_bus_reply_method_return(msg, "s", map->name);
}

/* AddHost off the loop (daemon/worker.c): a map may be big (hundreds of
 * thousands of groups take seconds to read), so it is parsed, checked and
 * formatted as it will be stored on a thread; the loop only stores it. */
typedef struct AddHostWork {
	const char *pool, *xml; /* in the message, which the job references; the
				 * map is read from it on the thread */
	MmStatePrepared *prepared;
	const char *error_name; /* the bus error when the work fails */
	MmError err;
} AddHostWork;

static void add_host_work_free(void *data)
{
	AddHostWork *w = data;
	mm_state_prepared_free(w->prepared);
	free(w);
}

/* Read a call's arguments on a worker thread; a string that is not one
 * (sd-bus: not UTF-8, or holding a NUL) is the argument's error. */
static int read_args(sd_bus_message *msg, const char *what, MmError *err, const char **a,
		     const char **b)
{
	int r = sd_bus_message_rewind(msg, true);
	if (r >= 0)
		r = sd_bus_message_read(msg, "ss", a, b);
	if (r < 0)
		mm_error_set(err, what, 0, "cannot read it: %s", strerror(-r));
	return r;
}

static int add_host_work(sd_bus_message *msg, void *data)
{
	AddHostWork *w = data;
	_cleanup_(mm_hostmap_freep) MmHostMap *map = NULL;
	const char *pool;
	int r = read_args(msg, "hostmap_xml", &w->err, &pool, &w->xml);
	if (r >= 0)
		r = mm_hostmap_parse_xml(w->xml, strlen(w->xml), "hostmap_xml", &map, &w->err);
	if (r < 0) {
		w->error_name = MM_BUS_ERROR_INVALID_HOST_MAP;
		return r;
	}
	/* the state's own rules: -EINVAL is the map's name, -EFBIG its size */
	r = mm_state_prepare_member(map, &w->prepared, &w->err);
	w->error_name = r == -EFBIG    ? SD_BUS_ERROR_LIMITS_EXCEEDED
			: r == -EINVAL ? MM_BUS_ERROR_INVALID_NAME
				       : MM_BUS_ERROR_INVALID_HOST_MAP;
	return r;
}

static int add_host_done(Manager *m, sd_bus_message *msg, void *data, int r)
{
	AddHostWork *w = data;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *name = NULL;
	MmError err = { 0 };
	const char *pool = w->pool;

	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		format_error(&error, w->error_name, &w->err);
		return sd_bus_reply_method_error(msg, &error);
	}
	/* the pool as it is now: it may have changed, or gone, meanwhile */
	if (!(name = strdup(mm_state_prepared_name(w->prepared))))
		return -ENOMEM;
	r = mm_state_add_prepared(m->state, pool, &w->prepared, NULL, false, &err);
	if (r < 0) {
		r = state_error(&error, r, &err, MM_BUS_ERROR_NO_SUCH_POOL,
				MM_BUS_ERROR_HOST_EXISTS);
		return r < 0 && !sd_bus_error_is_set(&error)
			       ? r
			       : sd_bus_reply_method_error(msg, &error);
	}
	emit_pool_changed(m, pool, false);
	return sd_bus_reply_method_return(msg, "s", name);
}

static int method_add_host(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	const char *pool;
	int r;

	/* who may, and whether the pool exists, are said at once; the map,
	 * the second argument, is read on the thread */
	if ((r = bus_begin_pool_write(m, msg, &pool, NULL, true, error)) < 0)
		return r;
	AddHostWork *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->pool = pool;
	return worker_submit(m, msg, add_host_work, add_host_done, w, add_host_work_free);
}

int bus_add_member(Manager *m, sd_bus_message *msg, const char *pool, MmHostMap *map,
		   const char *address, sd_bus_error *error)
{
	return add_member(m, msg, pool, map, address, error);
}

static int method_add_remote_host(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	const char *pool, *address;
	int r;

	if ((r = bus_begin_pool_write(m, msg, &pool, &address, true, error)) < 0)
		return r;
	/* refresh.c: the fetch runs on the event loop; answered when it ends */
	return refresh_add_remote_host(m, msg, pool, address, r > 0, error);
}

static int method_remove_host(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	MmError err = { 0 };
	const char *pool, *name;
	int r;

	if ((r = bus_begin_pool_write(m, msg, &pool, &name, true, error)) < 0)
		return r;
	r = mm_state_remove_member(m->state, pool, name, &err);
	if (r < 0)
		return state_error(error, r, &err, MM_BUS_ERROR_NO_SUCH_HOST,
				   MM_BUS_ERROR_HOST_EXISTS);
	emit_pool_changed(m, pool, false);
	return sd_bus_reply_method_return(msg, NULL);
}

static int method_get_pool_map(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_(mm_poolmap_freep) MmPoolMap *pm = NULL;
	_cleanup_free_ char *text = NULL;
	MmError err = { 0 };
	const char *pool, *format;
	bool json;
	int r;

	if ((r = sd_bus_message_read(msg, "ss", &pool, &format)) < 0)
		return r;
	if ((r = parse_format(format, &json, error)) < 0)
		return r;
	r = mm_state_pool_baseline(m->state, pool, &pm, &err);
	if (r < 0)
		return state_error(error, r, &err, MM_BUS_ERROR_NO_SUCH_POOL,
				   MM_BUS_ERROR_POOL_EXISTS);
	r = json ? mm_poolmap_format_json(pm, &text) : mm_poolmap_format_xml(pm, &text);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, "s", text);
}

/* ---- domains ------------------------------------------------------------ */

/* The hosts a domain is checked or planned against: pool "" is this host. */
static int domain_hosts(Manager *m, const char *pool, const MmHostMap ***maps,
			const MmHostMap *const **hosts, size_t *n, sd_bus_error *error)
{
	if (!*pool) {
		*hosts = (const MmHostMap *const *)&m->host;
		*n = 1;
		return 0;
	}
	MmError err = { 0 };
	int r = mm_state_pool_hosts(m->state, pool, maps, n, &err);
	if (r < 0)
		return state_error(error, r, &err, MM_BUS_ERROR_NO_SUCH_POOL,
				   MM_BUS_ERROR_POOL_EXISTS);
	*hosts = (const MmHostMap *const *)*maps;
	return 0;
}

/* A CheckDomain or PlanDomain call: its arguments (domain XML, pool; ""
 * for this host) and the maps the domain is judged against. */
typedef struct DomainCall {
	const char *xml, *pool;
	const MmHostMap **maps; /* owned: the pool's members */
	const MmHostMap *const *hosts;
	size_t n;
} DomainCall;

static void domain_call_done(DomainCall *c)
{
	free(c->maps);
}

static int domain_call(Manager *m, sd_bus_message *msg, DomainCall *c, sd_bus_error *error)
{
	int r = sd_bus_message_read(msg, "ss", &c->xml, &c->pool);
	if (r < 0)
		return r;
	return domain_hosts(m, c->pool, &c->maps, &c->hosts, &c->n, error);
}

/* CheckDomain off the loop (daemon/worker.c): the domain is parsed and laid
 * out on a thread, which needs nothing but the text; the check against the
 * maps, quick, runs on the loop, where the maps live. */
typedef struct CheckWork {
	const char *xml, *pool; /* in the message, which the job references */
	const char *sysroot;    /* m->config's, for libvirt's QEMU capabilities */
	MmDomain *domain;
	MmGuestLayout *layout;
	MmError err;
} CheckWork;

static void check_work_free(void *data)
{
	CheckWork *w = data;
	mm_layout_free(w->layout);
	mm_domain_free(w->domain);
	free(w);
}

static int check_work(sd_bus_message *msg, void *data)
{
	CheckWork *w = data;
	int r = read_args(msg, "domain_xml", &w->err, &w->xml, &w->pool);
	if (r < 0)
		return r;
	r = mm_domain_parse_xml(w->xml, strlen(w->xml), "domain_xml", &w->domain, &w->err);
	if (r < 0)
		return r;
	/* the emulator's version as libvirt recorded it (docs/design.md §6):
	 * a file read, here off the loop; unknown, the layout says so */
	if (mm_qemu_caps_fill_domain(w->domain, w->sysroot, NULL) == -ENOMEM)
		return -ENOMEM;
	return mm_layout_compute(w->domain, &w->layout, &w->err);
}

/* A domain that could not be judged: a machine not modelled is
 * NotSupported, anything else InvalidDomain (parse errors included: the
 * parser never says -ENOTSUP). */
static int reply_domain_error(sd_bus_message *msg, int r, const MmError *err)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	if (r == -ENOMEM)
		return r;
	format_error(&error,
		     r == -ENOTSUP ? MM_BUS_ERROR_NOT_SUPPORTED : MM_BUS_ERROR_INVALID_DOMAIN, err);
	return sd_bus_reply_method_error(msg, &error);
}

static int check_done(Manager *m, sd_bus_message *msg, void *data, int r)
{
	CheckWork *w = data;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	_cleanup_(domain_call_done) DomainCall c = { 0 };
	_cleanup_free_ char *json = NULL;
	MmError err = { 0 };

	if (r < 0)
		return reply_domain_error(msg, r, &w->err);
	/* the maps as they are now, the pool looked up again: it may have
	 * changed, or gone, while the domain was parsed */
	c.pool = w->pool;
	if ((r = domain_hosts(m, c.pool, &c.maps, &c.hosts, &c.n, &error)) < 0)
		return sd_bus_error_is_set(&error) ? sd_bus_reply_method_error(msg, &error) : r;
	r = mm_check_layout(w->layout, w->domain, c.hosts, c.n, &report, &err);
	if (r < 0)
		return reply_domain_error(msg, r, &err);
	if (*c.pool && (r = mm_state_add_stale_warnings(m->state, c.pool, report)) < 0)
		return r;
	if (streq_ptr(sd_bus_message_get_member(msg), "CheckDomainConflicts"))
		return bus_reply_check_typed(msg, report);
	if ((r = mm_check_report_format_json(report, &json)) < 0)
		return r;
	return sd_bus_reply_method_return(msg, "bs", report->ok, json);
}

static int method_check_domain(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	(void)error;

	/* the arguments are read on the thread: reading a 15 MB domain is
	 * sd-bus checking it whole; a pool that does not exist is said once
	 * the domain is parsed */
	CheckWork *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->sysroot = m->config.sysroot;
	return worker_submit(m, msg, check_work, check_done, w, check_work_free);
}

#define PLAN_XML_MAX (1u << 20)

/* PlanDomain: the emulator's version is found off the loop (a read of
 * libvirt's capabilities cache, as for CheckDomain); the plan itself needs
 * the maps, so it runs on the loop, on a domain bounded by PLAN_XML_MAX
 * (a domain worth planning has one NUMA cell and is far smaller; `migmap
 * plan` takes any size). */
typedef struct PlanWork {
	const char *xml, *pool; /* in the message, which the job references */
	const char *sysroot;    /* m->config's */
	unsigned long qemu_version;
} PlanWork;

static int plan_work(sd_bus_message *msg, void *data)
{
	(void)msg;
	PlanWork *w = data;
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	/* a domain that does not parse is said by the plan, with its error */
	if (mm_domain_parse_xml(w->xml, strlen(w->xml), "domain_xml", &d, NULL) < 0)
		return 0;
	int r = mm_qemu_caps_fill_domain(d, w->sysroot, NULL);
	if (r == -ENOMEM)
		return r;
	w->qemu_version = d->qemu_version;
	return 0;
}

static int plan_done(Manager *m, sd_bus_message *msg, void *data, int r)
{
	PlanWork *w = data;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	_cleanup_(domain_call_done) DomainCall c = { 0 };
	MmError err = { 0 };

	if (r < 0)
		return r;
	/* the maps as they are now: the pool may have changed, or gone */
	c.xml = w->xml;
	c.pool = w->pool;
	if ((r = domain_hosts(m, c.pool, &c.maps, &c.hosts, &c.n, &error)) < 0)
		return sd_bus_error_is_set(&error) ? sd_bus_reply_method_error(msg, &error) : r;
	r = mm_plan_domain_qemu(c.xml, strlen(c.xml), "domain_xml", w->qemu_version, c.hosts, c.n,
				&plan, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		format_error(&error,
			     r == -ENOSPC    ? MM_BUS_ERROR_NO_PLAN
			     : r == -ENOTSUP ? MM_BUS_ERROR_NOT_SUPPORTED
					     : MM_BUS_ERROR_INVALID_DOMAIN,
			     &err);
		return sd_bus_reply_method_error(msg, &error);
	}
	return sd_bus_reply_method_return(msg, "s", plan->domain_xml);
}

static int method_plan_domain(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_(domain_call_done) DomainCall c = { 0 };
	int r;

	/* a pool that does not exist, or a domain too big, is said at once */
	if ((r = domain_call(m, msg, &c, error)) < 0)
		return r;
	size_t len = strlen(c.xml);
	if (len > PLAN_XML_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
					 "domain_xml: %zu bytes, PlanDomain takes at most %u; "
					 "plan it with 'migmap plan'",
					 len, PLAN_XML_MAX);
	PlanWork *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->xml = c.xml;
	w->pool = c.pool;
	w->sysroot = m->config.sysroot;
	return worker_submit(m, msg, plan_work, plan_done, w, free);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Generation", "t", NULL, offsetof(Manager, generation),
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Pools", "as", property_get_pools, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	/* Every method is reachable by everyone as far as sd-bus goes
	 * (UNPRIVILEGED): the mutating ones check the caller themselves. */
	SD_BUS_METHOD_WITH_NAMES("GetHostMap", "s", SD_BUS_PARAM(format), "s",
				 SD_BUS_PARAM(host_map), method_get_host_map,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Refresh", NULL, NULL, method_refresh, SD_BUS_VTABLE_UNPRIVILEGED),
	/* each pool with its object (bus-pool.c), as machined's ListMachines */
	SD_BUS_METHOD_WITH_NAMES("ListPools", NULL, , "a(so)", SD_BUS_PARAM(pools),
				 bus_pool_method_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("CreatePool", "s", SD_BUS_PARAM(pool), NULL, ,
				 method_create_delete_pool, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("DeletePool", "s", SD_BUS_PARAM(pool), NULL, ,
				 method_create_delete_pool, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("AddHost", "ss", SD_BUS_PARAM(pool) SD_BUS_PARAM(hostmap_xml), "s",
				 SD_BUS_PARAM(name), method_add_host, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("AddRemoteHost", "ss",
				 SD_BUS_PARAM(pool) SD_BUS_PARAM(bus_address), "s",
				 SD_BUS_PARAM(name), method_add_remote_host,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("RemoveHost", "ss", SD_BUS_PARAM(pool) SD_BUS_PARAM(name), NULL, ,
				 method_remove_host, SD_BUS_VTABLE_UNPRIVILEGED),
	/* refresh.c: answered once every member has answered or timed out */
	SD_BUS_METHOD_WITH_NAMES("RefreshPool", "s", SD_BUS_PARAM(pool), "a(sbs)",
				 SD_BUS_PARAM(members), refresh_method_refresh_pool,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SyncPool", "s", SD_BUS_PARAM(pool), "a(sbs)",
				 SD_BUS_PARAM(members), refresh_method_sync_pool,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ImportPool", "sts",
				 SD_BUS_PARAM(pool) SD_BUS_PARAM(generation)
					 SD_BUS_PARAM(pool_document),
				 NULL, , refresh_method_import_pool, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("GetPoolMap", "ss", SD_BUS_PARAM(pool) SD_BUS_PARAM(format), "s",
				 SD_BUS_PARAM(pool_map), method_get_pool_map,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("CheckDomain", "ss", SD_BUS_PARAM(domain_xml) SD_BUS_PARAM(pool),
				 "bs", SD_BUS_PARAM(ok) SD_BUS_PARAM(report_json),
				 method_check_domain, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("FitDomain", "ss", SD_BUS_PARAM(domain_xml) SD_BUS_PARAM(pool),
				 "a(sbs)", SD_BUS_PARAM(hosts), fit_method_fit_domain,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	/* the same check, typed: (b ok, a(ssttsttas) conflicts), bus-check.c */
	SD_BUS_METHOD_WITH_NAMES("CheckDomainConflicts", "ss",
				 SD_BUS_PARAM(domain_xml) SD_BUS_PARAM(pool), "ba(ssttsttas)",
				 SD_BUS_PARAM(ok) SD_BUS_PARAM(conflicts), method_check_domain,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("PlanDomain", "ss", SD_BUS_PARAM(domain_xml) SD_BUS_PARAM(pool),
				 "s", SD_BUS_PARAM(plan_xml), method_plan_domain,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("HostMapChanged", "t", SD_BUS_PARAM(generation), 0),
	SD_BUS_SIGNAL_WITH_NAMES("PoolChanged", "s", SD_BUS_PARAM(pool), 0),
	SD_BUS_METHOD_WITH_NAMES("GetLibvirt", NULL, , "s", SD_BUS_PARAM(libvirt_json),
				 libvirt_method_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("DomainConflict", "ss",
				 SD_BUS_PARAM(domain) SD_BUS_PARAM(report_json), 0),
	SD_BUS_VTABLE_END,
};

int bus_setup(Manager *m)
{
	int r;

	r = sd_bus_open_system(&m->bus);
	if (r < 0) {
		log_error("cannot connect to the system bus: %s", strerror(-r));
		return r;
	}
	r = sd_bus_add_object_vtable(m->bus, NULL, MM_BUS_PATH, MM_BUS_INTERFACE, manager_vtable,
				     m);
	if (r < 0) {
		log_error("cannot export %s: %s", MM_BUS_PATH, strerror(-r));
		return r;
	}
	if ((r = bus_pool_setup(m)) < 0)
		return r;
	if ((r = access_setup(m)) < 0)
		return r;
	r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = sd_bus_set_exit_on_disconnect(m->bus, true);
	if (r < 0) {
		log_error("cannot attach the bus: %s", strerror(-r));
		return r;
	}
	r = sd_bus_request_name(m->bus, MM_BUS_NAME, 0);
	if (r < 0) {
		log_error("cannot take the name %s: %s", MM_BUS_NAME, strerror(-r));
		return r;
	}
	return 0;
}
