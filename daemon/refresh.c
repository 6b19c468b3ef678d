/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Remote members, asynchronously (docs/design.md §10). A job is one
 * RefreshPool, SyncPool or timer round over one pool (a call per remote
 * member), or one AddRemoteHost (a call to the new member): each call on
 * that member's own connection attached to the event loop with
 * remote_timeout, all in flight at once. Every other method is served
 * meanwhile; the job's caller gets its reply when the last call finished. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "bus-names.h"
#include "bus-pool.h"
#include "bus.h"
#include "log.h"
#include "macros.h"
#include "manager.h"
#include "refresh.h"
#include "remote.h"
#include "sysroot.h"

typedef enum JobKind {
	JOB_REFRESH, /* GetHostMap of each member, stored or marked stale */
	JOB_SYNC,    /* ImportPool on each member */
	JOB_ADD,     /* AddRemoteHost: GetHostMap of the one new member */
} JobKind;

typedef struct RefreshJob RefreshJob;

typedef struct Call {
	RefreshJob *job;
	char *name;
	char *address;
	sd_bus *bus;
	sd_bus_slot *slot;
	bool done, ok;
	/* JOB_REFRESH, recorded in one write when the job ends: a fresh
	 * member whose map did not change, a member to mark stale */
	bool unchanged, mark_stale;
	char *message;          /* why not ok */
	char *ssh_log;          /* ssh: members: where ssh writes its own messages */
	MmHostMap *map;         /* JOB_ADD: the member's map, when ok */
	const char *error_name; /* JOB_ADD: the D-Bus error, when not ok */
} Call;

struct RefreshJob {
	Manager *m;
	JobKind kind;
	char *pool;
	sd_bus_message *request; /* the method call to answer; NULL for the timer */
	bool privileged;
	bool then_sync; /* the timer: a sync once the refresh is done */
	Call *calls;
	size_t n, n_done;
	bool changed;
	char *document;
	uint64_t generation;
	RefreshJob *next;
	sd_event_source *free_source;  /* frees the job once the loop is out of its callbacks */
	sd_event_source *start_source; /* starts the calls, START_BATCH a turn */
	size_t n_started;
};

/* Calls started per turn of the loop: connecting to a member (socket,
 * connect, the start of the handshake) takes a fraction of a millisecond,
 * a hundred at once held the loop for tens (docs/design.md §10). */
#define START_BATCH 4

static void job_free(RefreshJob *j)
{
	for (size_t i = 0; i < j->n; i++) {
		Call *c = &j->calls[i];
		sd_bus_slot_unref(c->slot);
		sd_bus_close_unref(c->bus);
		free(c->name);
		free(c->address);
		free(c->message);
		if (c->ssh_log)
			(void)unlink(c->ssh_log);
		free(c->ssh_log);
		mm_hostmap_free(c->map);
	}
	free(j->calls);
	sd_event_source_disable_unref(j->free_source);
	sd_event_source_disable_unref(j->start_source);
	sd_bus_message_unref(j->request);
	free(j->pool);
	free(j->document);
	free(j);
}

static void job_unlink(RefreshJob *j)
{
	for (RefreshJob **p = &j->m->refresh_jobs; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			return;
		}
}

static int start_job(Manager *m, JobKind kind, const char *pool, sd_bus_message *request,
		     bool privileged, bool then_sync);
static void record_fetches(RefreshJob *j);

static int on_free_job(sd_event_source *s, void *userdata)
{
	job_free(userdata);
	return 0;
}

/* AddRemoteHost's answer: the member stored and named, or why not. */
static void add_finish(RefreshJob *j)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	Call *c = &j->calls[0];
	int r;

	if (c->ok)
		r = bus_add_member(j->m, j->request, j->pool, c->map, c->address, &error);
	else
		r = sd_bus_error_setf(&error,
				      c->error_name ? c->error_name : MM_BUS_ERROR_REMOTE_FAILED,
				      "%s", c->message ? c->message : "no answer");
	if (r < 0)
		r = sd_bus_error_is_set(&error) ? sd_bus_reply_method_error(j->request, &error)
						: sd_bus_reply_method_errno(j->request, r, NULL);
	if (r < 0)
		log_warning("pool %s: cannot answer AddRemoteHost: %s", j->pool, strerror(-r));
}

static void job_finish(RefreshJob *j)
{
	Manager *m = j->m;
	if (j->kind == JOB_REFRESH)
		record_fetches(j);
	if (j->changed)
		bus_emit_pool_changed(m, j->pool, false);
	if (j->kind == JOB_ADD) {
		add_finish(j);
	} else if (j->request) {
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
		int r = sd_bus_message_new_method_return(j->request, &reply);
		if (r >= 0)
			r = sd_bus_message_open_container(reply, 'a', "(sbs)");
		for (size_t i = 0; r >= 0 && i < j->n; i++)
			r = sd_bus_message_append(reply, "(sbs)", j->calls[i].name, j->calls[i].ok,
						  j->calls[i].message ? j->calls[i].message : "");
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		if (r >= 0)
			r = sd_bus_send(NULL, reply, NULL);
		if (r < 0)
			log_warning("pool %s: cannot answer: %s", j->pool, strerror(-r));
	}
	if (j->then_sync && mm_state_find_pool(m->state, j->pool))
		(void)start_job(m, JOB_SYNC, j->pool, NULL, true, false);
	job_unlink(j);
	/* This may run inside a callback of one of the job's connections,
	 * which sd-bus still uses after it returns: free on the next turn of
	 * the loop. */
	if (sd_event_add_defer(m->event, &j->free_source, on_free_job, j) < 0)
		log_warning("pool %s: cannot release the members' connections", j->pool);
}

/* The last line ssh wrote, "" when none: why the transport failed. */
static char *ssh_line(const Call *c)
{
	_cleanup_free_ char *text = NULL;
	MmError err = { 0 };
	size_t len;
	if (!c->ssh_log || mm_read_file_at(AT_FDCWD, c->ssh_log, 64u << 10, &text, &len, &err) < 0)
		return strdup("");
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	char *nl = strrchr(text, '\n');
	return strdup(nl ? nl + 1 : text);
}

/* reason, with ssh's last line when it wrote one: "REASON (ssh: LINE)". */
static char *with_ssh_line(const Call *c, const char *reason)
{
	_cleanup_free_ char *ssh = ssh_line(c);
	char *s = NULL;
	if (ssh && *ssh && asprintf(&s, "%s (ssh: %s)", reason, ssh) >= 0)
		return s;
	return strdup(reason);
}

/* The stale line of a member: "since T: reason". */
static void refresh_failed(Call *c, const char *reason)
{
	_cleanup_free_ char *with_ssh = with_ssh_line(c, reason);
	const char *why = with_ssh ? with_ssh : reason;
	RefreshJob *j = c->job;
	const MmStateMember *mb =
		mm_state_find_member(mm_state_find_pool(j->m->state, j->pool), c->name);
	bool was_stale = mb && mb->stale;
	const char *since = mb && mb->fetched ? mb->fetched : "an unknown time";

	if (asprintf(&c->message, "since %s: %s", since, why) < 0)
		c->message = NULL;
	log_warning("pool %s: host %s is stale: %s", j->pool, c->name, why);
	c->mark_stale = true;
	if (!was_stale)
		j->changed = true;
}

/* The content of a map, without the time it was probed. */
static int content_xml(const MmHostMap *h, char **ret)
{
	MmHostMap copy = *h;
	copy.generated = NULL;
	return mm_hostmap_format_xml(&copy, ret);
}

static bool same_content(const MmHostMap *a, const MmHostMap *b)
{
	_cleanup_free_ char *x = NULL, *y = NULL;
	return a && b && content_xml(a, &x) >= 0 && content_xml(b, &y) >= 0 && strcmp(x, y) == 0;
}

/* The end of a refresh: the fetch times of the members whose maps did not
 * change and the stale marks, in one write of remote.json. Members answer
 * at once by the hundred; a write (and its fsyncs) each would hold the
 * loop that long every time (docs/design.md §10). */
static void record_fetches(RefreshJob *j)
{
	_cleanup_free_ char **fresh = calloc(j->n + 1, sizeof(char *));
	_cleanup_free_ char **stale = calloc(j->n + 1, sizeof(char *));
	size_t n_fresh = 0, n_stale = 0;
	MmError err = { 0 };
	char buf[1024];
	if (!fresh || !stale) {
		log_warning("pool %s: cannot record the fetches: out of memory", j->pool);
		return;
	}
	for (size_t i = 0; i < j->n; i++) {
		if (j->calls[i].unchanged)
			fresh[n_fresh++] = j->calls[i].name;
		else if (j->calls[i].mark_stale)
			stale[n_stale++] = j->calls[i].name;
	}
	if ((n_fresh || n_stale) && mm_state_find_pool(j->m->state, j->pool) &&
	    mm_state_record_fetches(j->m->state, j->pool, fresh, n_fresh, stale, n_stale, &err) < 0)
		log_warning("pool %s: %s", j->pool, mm_error_format(&err, buf, sizeof(buf)));
}

static void call_done(Call *c)
{
	RefreshJob *j = c->job;
	c->done = true;
	/* Each member's line as soon as it is known (pool refresh prints them
	 * as they come), to the caller only. */
	if (j->kind != JOB_ADD)
		bus_pool_member_finished(j->m, j->pool,
					 j->request ? sd_bus_message_get_sender(j->request) : NULL,
					 c->name, c->ok, c->message);
	if (++j->n_done == j->n)
		job_finish(j);
}

static void store_map(Call *c, sd_bus_message *reply)
{
	RefreshJob *j = c->job;
	_cleanup_(mm_hostmap_freep) MmHostMap *map = NULL;
	MmError err = { 0 };
	char buf[1024];
	const char *xml;
	int r = sd_bus_message_read(reply, "s", &xml);
	if (r < 0) {
		refresh_failed(c, "bad answer to GetHostMap");
		return;
	}
	r = mm_hostmap_parse_xml(xml, strlen(xml), c->name, &map, &err);
	if (r >= 0) {
		/* The member keeps its name even if the host renamed itself. */
		free(map->name);
		map->name = strdup(c->name);
		if (!map->name)
			r = -ENOMEM;
	}
	if (r >= 0) {
		const MmStateMember *old =
			mm_state_find_member(mm_state_find_pool(j->m->state, j->pool), c->name);
		/* The usual answer: the map it had. Its new fetch time is
		 * written with the others' at the end. */
		if (old && old->address && same_content(old->map, map)) {
			c->ok = c->unchanged = true;
			if (old->stale)
				j->changed = true;
			return;
		}
		r = mm_state_add_member(j->m->state, j->pool, map, c->address, true, &err);
	}
	if (r < 0) {
		refresh_failed(c, mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	c->ok = true;
	j->changed = true;
}

/* AddRemoteHost: the new member's answer, kept for add_finish(). */
static void add_reply(Call *c, sd_bus_message *reply, const sd_bus_error *e)
{
	Manager *m = c->job->m;
	sd_id128_t ours, theirs;
	MmError err = { 0 };
	char buf[1024];
	const char *xml;
	int r;

	c->error_name = MM_BUS_ERROR_REMOTE_FAILED;
	if (e) {
		snprintf(buf, sizeof(buf), "%s: GetHostMap failed: %s", c->address,
			 e->message ? e->message : e->name);
		c->message = with_ssh_line(c, buf);
		return;
	}
	/* Not waited on (the loop runs), but not a member either. */
	if (m->bus && sd_bus_get_bus_id(m->bus, &ours) >= 0 &&
	    sd_bus_get_bus_id(c->bus, &theirs) >= 0 && sd_id128_equal(ours, theirs)) {
		if (asprintf(&c->message,
			     "%s: this is this migmapd's own bus: add this host with its map "
			     "instead",
			     c->address) < 0)
			c->message = NULL;
		return;
	}
	if ((r = sd_bus_message_read(reply, "s", &xml)) < 0) {
		if (asprintf(&c->message, "%s: bad answer to GetHostMap: %s", c->address,
			     strerror(-r)) < 0)
			c->message = NULL;
		return;
	}
	r = mm_hostmap_parse_xml(xml, strlen(xml), c->address, &c->map, &err);
	if (r < 0) {
		if (err.line)
			c->error_name = MM_BUS_ERROR_INVALID_HOST_MAP;
		c->message = strdup(mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	c->ok = true;
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	Call *c = userdata;
	RefreshJob *j = c->job;
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	c->slot = sd_bus_slot_unref(c->slot);
	if (j->kind == JOB_ADD) {
		add_reply(c, reply, e);
	} else if (e) {
		_cleanup_free_ char *why = NULL;
		if (asprintf(&why, "%s failed: %s",
			     j->kind == JOB_REFRESH ? "GetHostMap" : "ImportPool",
			     e->message ? e->message : e->name) < 0)
			why = NULL;
		if (j->kind == JOB_REFRESH)
			refresh_failed(c, why ? why : "no answer");
		else {
			c->message = with_ssh_line(c, why ? why : "no answer");
			log_warning("pool %s: sync to %s: %s", j->pool, c->name,
				    c->message ? c->message : "failed");
		}
	} else if (j->kind == JOB_REFRESH) {
		store_map(c, reply);
	} else {
		c->ok = true;
	}
	call_done(c);
	return 0;
}

/* Open the member's connection and send its call; a failure here finishes
 * the call at once. */
static void call_start(Call *c)
{
	RefreshJob *j = c->job;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
	MmError err = { 0 };
	char buf[1024];
	int r;
	if (strncmp(c->address, "ssh:", 4) == 0) {
		static unsigned counter;
		if (asprintf(&c->ssh_log, "%s/.#ssh-%u-%u.log", j->m->config.state_dir,
			     (unsigned)getpid(), ++counter) < 0)
			c->ssh_log = NULL;
		else
			(void)unlink(c->ssh_log);
	}
	r = remote_open(c->address, j->privileged, j->m->event, c->ssh_log, &c->bus, &err);
	if (r < 0) {
		mm_error_format(&err, buf, sizeof(buf));
		goto fail;
	}
	r = sd_bus_message_new_method_call(c->bus, &msg, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					   j->kind == JOB_SYNC ? "ImportPool" : "GetHostMap");
	if (r >= 0)
		r = j->kind == JOB_SYNC
			    ? sd_bus_message_append(msg, "sts", j->pool, j->generation, j->document)
			    : sd_bus_message_append(msg, "s", "xml");
	if (r >= 0)
		r = sd_bus_call_async(c->bus, &c->slot, msg, on_reply, c,
				      j->m->remote_timeout_usec);
	if (r < 0) {
		snprintf(buf, sizeof(buf), "%s: cannot call: %s", c->name, strerror(-r));
		goto fail;
	}
	return;
fail:
	if (j->kind == JOB_REFRESH)
		refresh_failed(c, buf);
	else
		c->message = strdup(buf);
	/* JOB_ADD: c->error_name NULL, RemoteFailed */
	call_done(c);
}

/* A defer source, below the daemon's own bus in priority: between two
 * batches the loop serves the clients. The job is freed on a later turn
 * (job_finish), so it is still there after its last call finished here. */
static int on_start_batch(sd_event_source *s, void *userdata)
{
	RefreshJob *j = userdata;
	size_t end = j->n_started + START_BATCH < j->n ? j->n_started + START_BATCH : j->n;
	while (j->n_started < end)
		call_start(&j->calls[j->n_started++]);
	if (j->n_started == j->n)
		(void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

/* A job over pool with room for max_calls calls, none yet. */
static RefreshJob *job_new(Manager *m, JobKind kind, const char *pool, sd_bus_message *request,
			   bool privileged, size_t max_calls)
{
	RefreshJob *j = calloc(1, sizeof(*j));
	if (!j || !(j->pool = strdup(pool)) ||
	    !(j->calls = calloc(max_calls + 1, sizeof(*j->calls)))) {
		if (j)
			job_free(j);
		return NULL;
	}
	j->m = m;
	j->kind = kind;
	j->request = sd_bus_message_ref(request);
	j->privileged = privileged;
	return j;
}

static int start_job(Manager *m, JobKind kind, const char *pool, sd_bus_message *request,
		     bool privileged, bool then_sync)
{
	const MmStatePool *p = mm_state_find_pool(m->state, pool);
	MmError err = { 0 };
	RefreshJob *j;
	int r;

	if (!p)
		return -ENOENT;
	if (!(j = job_new(m, kind, pool, request, privileged, p->n_members)))
		return -ENOMEM;
	j->then_sync = then_sync;
	for (size_t i = 0; i < p->n_members; i++) {
		if (!p->members[i].address)
			continue;
		Call *c = &j->calls[j->n++];
		c->job = j;
		if (!(c->name = strdup(p->members[i].name)) ||
		    !(c->address = strdup(p->members[i].address))) {
			job_free(j);
			return -ENOMEM;
		}
	}
	if (kind == JOB_SYNC && j->n > 0) {
		/* The next generation, recorded here before it is pushed. */
		j->generation = p->generation + 1;
		r = mm_state_set_generation(m->state, pool, j->generation, &err);
		if (r >= 0)
			r = mm_state_pool_export(m->state, pool, j->generation, &j->document, &err);
		if (r < 0) {
			char buf[1024];
			log_warning("pool %s: cannot sync: %s", pool,
				    mm_error_format(&err, buf, sizeof(buf)));
			job_free(j);
			return r;
		}
	}
	j->next = m->refresh_jobs;
	m->refresh_jobs = j;
	if (j->n == 0) {
		job_finish(j);
		return 0;
	}
	/* Every call may finish at once (no such socket): they are all
	 * counted (j->n) before the first starts, so that the job finishes
	 * after the last one only. */
	r = sd_event_add_defer(m->event, &j->start_source, on_start_batch, j);
	if (r >= 0)
		r = sd_event_source_set_priority(j->start_source, SD_EVENT_PRIORITY_NORMAL + 10);
	if (r >= 0) /* a defer source fires once by default: every turn until done */
		r = sd_event_source_set_enabled(j->start_source, SD_EVENT_ON);
	if (r < 0) {
		/* all at once, then */
		log_warning("pool %s: cannot start the calls in batches: %s", pool, strerror(-r));
		while (j->n_started < j->n)
			call_start(&j->calls[j->n_started++]);
	}
	return 0;
}

static int start_method(sd_bus_message *msg, void *userdata, sd_bus_error *error, JobKind kind)
{
	Manager *m = userdata;
	const char *pool;
	int r;

	if ((r = bus_begin_pool_write(m, msg, &pool, NULL, true, error)) < 0)
		return r;
	bool root = r > 0;
	r = start_job(m, kind, pool, msg, root, false);
	if (r < 0)
		return sd_bus_error_setf(error, MM_BUS_ERROR_STATE_FAILED, "pool %s: %s", pool,
					 strerror(-r));
	return 1; /* answered when the job finishes */
}

int refresh_method_refresh_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return start_method(msg, userdata, error, JOB_REFRESH);
}

int refresh_method_sync_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return start_method(msg, userdata, error, JOB_SYNC);
}

int refresh_add_remote_host(Manager *m, sd_bus_message *msg, const char *pool, const char *address,
			    bool privileged, sd_bus_error *error)
{
	_cleanup_free_ char *resolved = NULL;
	MmError err = { 0 };
	char buf[1024];
	RefreshJob *j;
	int r;

	/* What the caller may not name, or names wrongly, fails at once. */
	r = remote_address_resolve(address, privileged, &resolved, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return sd_bus_error_setf(error,
					 r == -EPERM ? MM_BUS_ERROR_ACCESS_DENIED
						     : MM_BUS_ERROR_INVALID_ARGUMENT,
					 "%s", mm_error_format(&err, buf, sizeof(buf)));
	if (!(j = job_new(m, JOB_ADD, pool, msg, privileged, 1)))
		return -ENOMEM;
	Call *c = &j->calls[j->n++];
	c->job = j;
	if (!(c->name = strdup(address)) || !(c->address = strdup(address))) {
		job_free(j);
		return -ENOMEM;
	}
	j->next = m->refresh_jobs;
	m->refresh_jobs = j;
	call_start(c);
	return 1; /* answered when the fetch ends */
}

int refresh_method_import_pool(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	const char *pool, *doc;
	uint64_t generation;
	MmError err = { 0 };
	char buf[1024];
	int r;

	if ((r = sd_bus_message_read(msg, "sts", &pool, &generation, &doc)) < 0)
		return r;
	if ((r = access_check_write(m, msg, error)) < 0)
		return r;
	bool existed = mm_state_find_pool(m->state, pool) != NULL;
	r = mm_state_pool_import(m->state, pool, generation, doc, strlen(doc), &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return sd_bus_error_setf(error,
					 r == -ESTALE   ? MM_BUS_ERROR_OLD_GENERATION
					 : r == -EDOM   ? MM_BUS_ERROR_INCOMPATIBLE_HOST
					 : r == -EINVAL ? MM_BUS_ERROR_INVALID_ARGUMENT
							: MM_BUS_ERROR_STATE_FAILED,
					 "%s", mm_error_format(&err, buf, sizeof(buf)));
	log_info("pool %s: imported generation %" PRIu64, pool, generation);
	bus_emit_pool_changed(m, pool, !existed);
	return sd_bus_reply_method_return(msg, NULL);
}

static int on_refresh_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	for (size_t i = 0; i < m->state->n_pools; i++) {
		const MmStatePool *p = &m->state->pools[i];
		bool remote = false;
		for (size_t k = 0; k < p->n_members; k++)
			remote = remote || p->members[k].address;
		bool busy = false;
		for (RefreshJob *j = m->refresh_jobs; j; j = j->next)
			busy = busy || (j->kind != JOB_ADD && strcmp(j->pool, p->name) == 0);
		/* The daemon itself: stored addresses were all allowed when added. */
		if (remote && !busy)
			(void)start_job(m, JOB_REFRESH, p->name, NULL, true, true);
	}
	return sd_event_source_set_time(s, usec + m->refresh_usec);
}

int refresh_start(Manager *m)
{
	uint64_t now;
	int r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	if (r >= 0)
		r = sd_event_add_time(m->event, &m->refresh_timer, CLOCK_MONOTONIC,
				      now + m->refresh_usec, 0, on_refresh_timer, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ON);
	return r;
}

void refresh_stop(Manager *m)
{
	m->refresh_timer = sd_event_source_disable_unref(m->refresh_timer);
	while (m->refresh_jobs) {
		RefreshJob *j = m->refresh_jobs;
		m->refresh_jobs = j->next;
		job_free(j);
	}
}
