/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may change migmapd's state (docs/design.md §11): root always; anyone
 * else as polkit decides for the method's action, or, when no polkitd is on
 * the bus, the members of the configured admin_group. Reading is open to
 * every local user.
 *
 * The question to polkitd must not block the daemon, yet the method
 * handlers stay synchronous: a bus filter holds back every call of a
 * mutating method from a caller other than root, asks polkitd (polkit.c),
 * and, when the answer allows it, puts the call back on the bus's read
 * queue. The second time round the filter lets it through with the answer,
 * and the handler's access_check_write() reads it. A refusal is answered
 * from here, and the handler never runs. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "bus-names.h"
#include "log.h"
#include "macros.h"
#include "manager.h"
#include "polkit.h"

/* Calls waiting for polkitd at once: more are refused (LimitsExceeded), not
 * queued. Below the system bus's default max_replies_per_connection (128),
 * past which dbus-daemon itself would answer each question to polkitd with
 * an error and the caller would be told that polkit could not be asked. */
#define MAX_QUERIES 64

/* The methods that change state and the action each needs; pool: its first
 * argument names a pool, which polkit rules see as the detail "pool". */
static const struct {
	const char *member, *action;
	bool pool;
} mutating[] = {
	{ "Refresh", ACCESS_ACTION_REFRESH_HOST, false },
	{ "CreatePool", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "DeletePool", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "AddHost", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "AddRemoteHost", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "RemoveHost", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "RefreshPool", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "SyncPool", ACCESS_ACTION_MANAGE_POOLS, true },
	{ "ImportPool", ACCESS_ACTION_MANAGE_POOLS, true },
};

typedef enum Verdict {
	VERDICT_NONE,     /* no answer yet */
	VERDICT_POLKIT,   /* polkitd allowed it */
	VERDICT_FALLBACK, /* no polkitd: admin_group decides */
} Verdict;

typedef struct Query {
	Manager *m;
	sd_bus_message *msg; /* the call held back */
	sd_bus_slot *slot;   /* the question to polkitd, until answered */
	const char *action;
	uid_t uid;
	Verdict verdict;
	struct Query *next;
} Query;

typedef struct Access {
	sd_bus_slot *filter;
	Query *queries;
	size_t n_queries;
	/* the call the filter let through last, and why: what its handler's
	 * access_check_write() finds */
	sd_bus_message *passed;
	Verdict passed_verdict;
} Access;

const char *access_action(sd_bus_message *msg)
{
	const char *member = sd_bus_message_get_member(msg);
	const char *interface = sd_bus_message_get_interface(msg);

	if (sd_bus_message_is_method_call(msg, NULL, NULL) <= 0 || !member ||
	    !streq_ptr(sd_bus_message_get_path(msg), MM_BUS_PATH))
		return NULL;
	/* a call without an interface reaches the member all the same */
	if (interface && strcmp(interface, MM_BUS_INTERFACE) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(mutating) / sizeof(mutating[0]); i++)
		if (strcmp(member, mutating[i].member) == 0)
			return mutating[i].action;
	return NULL;
}

static bool names_pool(sd_bus_message *msg)
{
	const char *member = sd_bus_message_get_member(msg);
	for (size_t i = 0; i < sizeof(mutating) / sizeof(mutating[0]); i++)
		if (streq_ptr(member, mutating[i].member))
			return mutating[i].pool;
	return false;
}

int access_resolve_group(Manager *m)
{
	const char *name = m->config.admin_group;
	uint64_t gid;

	m->has_admin_group = false;
	if (!name)
		return 0;
	if (mm_parse_u64(name, &gid) == 0 && gid < (gid_t)-1) {
		m->admin_gid = (gid_t)gid;
	} else {
		struct group *g = getgrnam(name);
		if (!g) {
			log_warning("admin_group '%s' does not exist: only root may "
				    "change the state when polkitd is not running",
				    name);
			return 0;
		}
		m->admin_gid = g->gr_gid;
	}
	m->has_admin_group = true;
	return 0;
}

/* Whether uid is in the admin group: its primary group, a supplementary
 * group the bus vouches for, or the group's member list. */
static bool in_admin_group(Manager *m, uid_t uid, sd_bus_creds *creds)
{
	const gid_t *gids = NULL;
	int n = creds ? sd_bus_creds_get_supplementary_gids(creds, &gids) : -ENODATA;
	for (int i = 0; i < n; i++)
		if (gids[i] == m->admin_gid)
			return true;

	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return false;
	if (pw->pw_gid == m->admin_gid)
		return true;
	struct group *g = getgrgid(m->admin_gid);
	for (char **mem = g ? g->gr_mem : NULL; mem && *mem; mem++)
		if (strcmp(*mem, pw->pw_name) == 0)
			return true;
	return false;
}

/* The caller's uid, as the bus tells it. */
static int caller_creds(sd_bus_message *msg, sd_bus_creds **creds, uid_t *uid)
{
	int r = sd_bus_query_sender_creds(msg,
					  SD_BUS_CREDS_EUID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
						  SD_BUS_CREDS_AUGMENT,
					  creds);
	return r < 0 ? r : sd_bus_creds_get_euid(*creds, uid);
}

static Query *query_free(Query *q)
{
	if (!q)
		return NULL;
	sd_bus_slot_unref(q->slot);
	sd_bus_message_unref(q->msg);
	free(q);
	return NULL;
}

static void query_drop(Access *a, Query *q)
{
	for (Query **p = &a->queries; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			a->n_queries--;
			break;
		}
	query_free(q);
}

static int on_polkit_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	Query *q = userdata;
	Access *a = q->m->access;
	const char *member = sd_bus_message_get_member(q->msg);
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	int answer = polkit_answer(reply, &e), r;

	q->slot = sd_bus_slot_unref(q->slot);
	switch (answer) {
	case POLKIT_YES:
	case POLKIT_ABSENT:
		q->verdict = answer == POLKIT_YES ? VERDICT_POLKIT : VERDICT_FALLBACK;
		/* once more through the filter, then to its handler */
		r = sd_bus_enqueue_for_read(q->m->bus, q->msg);
		if (r >= 0)
			return 0;
		log_warning("cannot dispatch %s after polkit's answer: %s", member, strerror(-r));
		r = sd_bus_reply_method_errno(q->msg, r, NULL);
		break;
	case POLKIT_NO:
		r = sd_bus_reply_method_errorf(q->msg, MM_BUS_ERROR_ACCESS_DENIED,
					       "%s changes migmapd's state: polkit does not allow "
					       "it to uid %u (action %s)",
					       member, (unsigned)q->uid, q->action);
		break;
	case POLKIT_CHALLENGE:
		/* with interaction allowed, polkitd found no agent to ask */
		if (sd_bus_message_get_allow_interactive_authorization(q->msg) > 0)
			r = sd_bus_reply_method_errorf(q->msg, MM_BUS_ERROR_ACCESS_DENIED,
						       "%s changes migmapd's state: polkit could "
						       "not authenticate uid %u (action %s): no "
						       "authentication agent",
						       member, (unsigned)q->uid, q->action);
		else
			r = sd_bus_reply_method_errorf(
				q->msg, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
				"%s changes migmapd's state: polkit asks uid %u to "
				"authenticate (action %s), and the call does not allow "
				"interactive authorization",
				member, (unsigned)q->uid, q->action);
		break;
	default:
		log_warning("polkit failed to decide on %s: %s", member,
			    e.message ? e.message : strerror(-answer));
		r = sd_bus_reply_method_errorf(q->msg, MM_BUS_ERROR_ACCESS_DENIED,
					       "%s changes migmapd's state: cannot ask polkit: %s",
					       member, e.message ? e.message : strerror(-answer));
	}
	if (r < 0)
		log_warning("cannot answer %s: %s", member, strerror(-r));
	query_drop(a, q);
	return 0;
}

static int on_message(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	Access *a = m->access;
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	const char *action = access_action(msg);
	const char *details[3] = { NULL, NULL, NULL };
	uid_t uid;
	int r;

	if (!action)
		return 0;
	/* a call back from polkit: its handler may run now */
	for (Query *q = a->queries; q; q = q->next)
		if (q->msg == msg && q->verdict != VERDICT_NONE) {
			sd_bus_message_unref(a->passed);
			a->passed = sd_bus_message_ref(msg);
			a->passed_verdict = q->verdict;
			query_drop(a, q);
			return 0;
		}
	/* root needs nobody's word; an unknown caller is refused by the
	 * handler's access_check_write() */
	if (caller_creds(msg, &creds, &uid) < 0 || uid == 0)
		return 0;
	if (a->n_queries >= MAX_QUERIES)
		return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
					 "%s: too many calls wait for polkit",
					 sd_bus_message_get_member(msg));
	if (names_pool(msg) && sd_bus_message_read_basic(msg, 's', &details[1]) > 0)
		details[0] = "pool";
	r = sd_bus_message_rewind(msg, true);
	if (r < 0)
		return r;

	Query *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	*q = (Query){ .m = m, .msg = sd_bus_message_ref(msg), .action = action, .uid = uid };
	r = polkit_check_async(m->bus, msg, action, details, &q->slot, on_polkit_answer, q);
	if (r < 0) {
		query_free(q);
		log_warning("cannot ask polkit about %s: %s", sd_bus_message_get_member(msg),
			    strerror(-r));
		return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
					 "%s changes migmapd's state: cannot ask polkit: %s",
					 sd_bus_message_get_member(msg), strerror(-r));
	}
	q->next = a->queries;
	a->queries = q;
	a->n_queries++;
	return 1; /* held back until polkitd answers */
}

int access_setup(Manager *m)
{
	int r;
	if (!m->access && !(m->access = calloc(1, sizeof(*m->access))))
		return -ENOMEM;
	r = sd_bus_add_filter(m->bus, &m->access->filter, on_message, m);
	if (r < 0)
		log_error("cannot watch the bus for calls to authorize: %s", strerror(-r));
	return r;
}

void access_free(Manager *m)
{
	Access *a = m->access;
	if (!a)
		return;
	while (a->queries) {
		Query *q = a->queries;
		a->queries = q->next;
		query_free(q);
	}
	sd_bus_message_unref(a->passed);
	sd_bus_slot_unref(a->filter);
	free(a);
	m->access = NULL;
}

int access_check_write(Manager *m, sd_bus_message *msg, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	const char *member = sd_bus_message_get_member(msg);
	Access *a = m->access;
	uid_t uid;
	int r;

	r = caller_creds(msg, &creds, &uid);
	if (r < 0)
		return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
					 "%s: cannot tell who the caller is: %s", member,
					 strerror(-r));
	if (uid == 0)
		return 1;
	/* Fail closed: a call the filter did not let through with an answer
	 * (a method missing from mutating[]) is refused. */
	Verdict v = a && a->passed == msg ? a->passed_verdict : VERDICT_NONE;
	if (v == VERDICT_POLKIT)
		return 0;
	if (v == VERDICT_NONE)
		return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
					 "%s changes migmapd's state: no authorization decision "
					 "for it (caller uid %u)",
					 member, (unsigned)uid);
	if (m->has_admin_group && in_admin_group(m, uid, creds))
		return 0;
	if (m->has_admin_group)
		return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
					 "%s changes migmapd's state: only root or group '%s' may "
					 "(caller uid %u)",
					 member, m->config.admin_group, (unsigned)uid);
	return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
				 "%s changes migmapd's state: only root may (caller uid %u)",
				 member, (unsigned)uid);
}
