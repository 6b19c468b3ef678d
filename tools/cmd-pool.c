/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap pool: migration pools and their members. Goes through migmapd
 * when it runs on the system bus (so the two never write at once), else
 * works on the state directory itself, holding its writer lock while it
 * changes it. --state-dir always means the directory, without the daemon. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "cli.h"
#include "macros.h"
#include "remote.h"

#define POOL_FILE_MAX (16u << 20)

void cmd_pool_help(FILE *f)
{
	fputs("Usage: migmap [--state-dir DIR] pool COMMAND [--json] ...\n"
	      "\n"
	      "Manage migration pools: each holds the host maps of its members.\n"
	      "\n"
	      "  list                          list the pools\n"
	      "  create POOL                   create an empty pool\n"
	      "  delete POOL                   delete a pool and its members' maps\n"
	      "  add POOL HOST.xml...          import host maps ('migmap host' output; - for "
	      "stdin)\n"
	      "  add --ssh [USER@]HOST[:PORT] POOL\n"
	      "                                fetch the map from the migmapd on that host,\n"
	      "                                over ssh to its systemd-stdio-bridge\n"
	      "  add --remote unix:path=SOCKET POOL\n"
	      "                                fetch the map from the migmapd on that local bus\n"
	      "                                (root may give any sd-bus address)\n"
	      "  remove POOL HOST              remove a member\n"
	      "  tag DOMAIN POOL [-c URI]      put a libvirt domain into POOL: the migmap\n"
	      "                                metadata the hook reads (virsh metadata)\n"
	      "  untag DOMAIN [-c URI]         remove that metadata\n"
	      "  refresh POOL                  fetch the remote members again; one that does\n"
	      "                                not answer keeps its last map, marked stale\n"
	      "  sync POOL                     push the pool (next generation) to every remote\n"
	      "                                member's migmapd\n"
	      "  show POOL                     print the pool map (XML, or JSON with --json)\n"
	      "  check POOL DOMAIN.xml         check a libvirt domain against the pool\n"
	      "  fit POOL --domain D           on which members would domain D run (each alone)\n"
	      "  whatif POOL --add HOST.xml | --remove HOST [--domain D...] [-c URI]\n"
	      "                                which domains become invalid (or valid) if that\n"
	      "                                host joins or leaves; default: every domain of\n"
	      "                                the pool libvirt at URI knows\n"
	      "\n"
	      "  --domain D    a domain XML file, or with -c a domain name at URI (fit,\n"
	      "                whatif)\n"
	      "  -c, --connect URI  libvirt URI (default " CLI_DEFAULT_URI "; fit, whatif, tag)\n"
	      "  --add HOST.xml, --remove HOST  the change whatif asks about\n"
	      "  --json        print JSON (list, show, check, fit, whatif, and what create,\n"
	      "                delete, add, remove, tag, untag, refresh and sync did)\n"
	      "  -h, --help    show this help\n"
	      "  --version     print the version\n"
	      "\n"
	      "Through migmapd when it runs on the system bus, else on the state directory\n"
	      "(--state-dir, the config file's state_dir, or " MM_STATE_DIR ").\n"
	      "check exits 1 when the domain conflicts with the pool; refresh and sync exit 1\n"
	      "when some member is stale or did not take the pool; fit exits 1 when the\n"
	      "domain runs on no member; whatif exits 1 when some domain becomes invalid.\n",
	      f);
}

typedef struct Pool {
	sd_bus *bus;     /* through migmapd when set */
	char *state_dir; /* else here */
	char *pool_dir;  /* the config file's pool_dir; NULL: <state_dir>/pools */
	MmState *state;
	bool json;
	const char *remote;
	const char *verb_pool; /* refresh: the pool, for the lines printed */
	char **domains;        /* fit, whatif: --domain, in order */
	size_t n_domains;
	const char *uri;        /* -c */
	const char *add, *drop; /* whatif: --add HOST.xml, --remove HOST */
	size_t n_bad;           /* refresh: members found stale */
	uint64_t timeout_usec;  /* without migmapd: the config file's remote_timeout */
	/* refresh, sync --json: each member's result, printed at the end */
	char **m_hosts, **m_results;
	bool *m_ok;
	size_t n_m;
	bool m_failed; /* a result could not be printed or kept */
} Pool;

static void pool_done(Pool *p)
{
	sd_bus_flush_close_unref(p->bus);
	free(p->state_dir);
	free(p->pool_dir);
	free(p->domains);
	mm_state_free(p->state);
	mm_strv_free(p->m_hosts, p->n_m);
	mm_strv_free(p->m_results, p->n_m);
	free(p->m_ok);
}

/* One member's result of a refresh or a sync: "HOST: RESULT" on stdout at
 * once, or kept for the JSON object printed at the end (members_done). */
static int member_result(Pool *p, const char *host, bool ok, const char *result)
{
	if (!p->json) {
		printf("%s: %s\n", host, result);
		return fflush(stdout) == 0 ? EXIT_OK
					   : cli_fail("cannot write output: %s", strerror(errno));
	}
	bool *v = realloc(p->m_ok, (p->n_m + 1) * sizeof(*v));
	if (!v)
		return cli_fail("out of memory");
	p->m_ok = v;
	size_t n = p->n_m;
	if (mm_strv_appendf(&p->m_hosts, &n, "%s", host) < 0)
		return cli_fail("out of memory");
	n = p->n_m;
	if (mm_strv_appendf(&p->m_results, &n, "%s", result) < 0) {
		free(p->m_hosts[p->n_m]);
		p->m_hosts[p->n_m] = NULL;
		return cli_fail("out of memory");
	}
	p->m_ok[p->n_m++] = ok;
	return EXIT_OK;
}

/* After a refresh or a sync: with --json, what it did to every member as
 * one object; ret (the command's exit status so far) unless that fails. */
static int members_done(Pool *p, const char *action, const char *pool, int ret)
{
	_cleanup_free_ char *text = NULL;
	if (!p->json || ret == EXIT_USAGE)
		return ret;
	if (mm_pool_members_format_json(action, pool, p->m_hosts, p->m_ok, p->m_results, p->n_m,
					&text) < 0)
		return cli_fail("out of memory");
	int r = cli_print(text);
	return r != EXIT_OK ? r : ret;
}

/* Whether migmapd owns its name on the system bus; keeps the connection. */
static bool daemon_running(Pool *p)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int has = 0;

	if (sd_bus_open_system(&p->bus) < 0)
		return false;
	/* polkit may ask for a password through an agent when someone at a
	 * terminal runs us, as systemctl does; a script gets a plain refusal */
	(void)sd_bus_set_allow_interactive_authorization(p->bus, isatty(STDIN_FILENO));
	if (sd_bus_call_method(p->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "NameHasOwner", &error, &reply, "s",
			       MM_BUS_NAME) < 0 ||
	    sd_bus_message_read(reply, "b", &has) < 0 || !has) {
		p->bus = sd_bus_flush_close_unref(p->bus);
		return false;
	}
	return true;
}

/* The state and pool directories of the configuration file (--config
 * FILE, $MIGMAP_CONFIG, else the installed one, which may be absent), or
 * the built-in state directory. */
static int default_dirs(Pool *p)
{
	const char *file = cli_config_file ? cli_config_file : MM_CONFIG_FILE;
	MmConfig config = { 0 };
	MmError err = { 0 };
	int r = mm_config_load(file, &config, &err);
	if (r < 0 && !(r == -ENOENT && !cli_config_file)) {
		mm_config_clear(&config);
		return cli_fail_error(&err);
	}
	free(p->state_dir);
	free(p->pool_dir);
	p->state_dir = config.state_dir ? TAKE_PTR(config.state_dir) : strdup(MM_STATE_DIR);
	p->pool_dir = TAKE_PTR(config.pool_dir);
	mm_config_clear(&config);
	return p->state_dir ? EXIT_OK : cli_fail("out of memory");
}

/* Without migmapd, the CLI fetches members itself: as long as migmapd
 * would (remote_timeout of --config FILE, $MIGMAP_CONFIG or the installed
 * file; its default without one). */
static int remote_timeout(Pool *p)
{
	const char *file = cli_config_file ? cli_config_file : MM_CONFIG_FILE;
	MmConfig config = { 0 };
	MmError err = { 0 };
	int r = mm_config_load(file, &config, &err);
	if (r < 0 && !(r == -ENOENT && !cli_config_file)) {
		mm_config_clear(&config);
		return cli_fail_error(&err);
	}
	int ret = EXIT_OK;
	if (mm_config_duration(config.remote_timeout, REMOTE_TIMEOUT_DEFAULT_SEC,
			       &p->timeout_usec) < 0)
		ret = cli_fail("%s: remote_timeout: bad duration '%s': a number of seconds, or a "
			       "number followed by s, min or h",
			       file, config.remote_timeout);
	mm_config_clear(&config);
	return ret;
}

static int pool_connect(Pool *p)
{
	if (cli_state_dir) {
		p->state_dir = strdup(cli_state_dir);
		return p->state_dir ? EXIT_OK : cli_fail("out of memory");
	}
	if (cli_config_file) {
		/* a settings file named: it must be there, and its state_dir
		 * (when set) is the directory to work on */
		MmConfig named = { 0 };
		MmError named_err = { 0 };
		if (mm_config_load(cli_config_file, &named, &named_err) < 0) {
			mm_config_clear(&named);
			return cli_fail_error(&named_err);
		}
		p->state_dir = TAKE_PTR(named.state_dir);
		p->pool_dir = TAKE_PTR(named.pool_dir);
		mm_config_clear(&named);
		if (p->state_dir) {
			cli_state_dir = p->state_dir;
			return EXIT_OK;
		}
	}
	if (daemon_running(p))
		return EXIT_OK;
	return default_dirs(p);
}

/* Open the state directory; writers create and lock it. The default
 * directory missing reads as no pools (a host that never had one); a
 * --state-dir that does not exist is an error, as a mistyped path. */
static int state_open(Pool *p, bool write)
{
	MmError err = { 0 };
	int r = mm_state_open_pools(p->state_dir, p->pool_dir,
				    write ? MM_STATE_CREATE | MM_STATE_LOCK : 0, &p->state, &err);
	if (r == -ENOENT && !write && !cli_state_dir) {
		p->state = calloc(1, sizeof(*p->state));
		if (!p->state)
			return cli_fail("out of memory");
		p->state->dirfd = p->state->lockfd = p->state->poolsfd = -1;
		return EXIT_OK;
	}
	if (r < 0)
		return cli_fail_error(&err);
	for (size_t i = 0; i < p->state->n_warnings; i++)
		fprintf(stderr, "migmap: warning: %s/%s\n", p->state_dir, p->state->warnings[i]);
	return EXIT_OK;
}

/* Call a migmapd method; on a D-Bus error print its message. */
static int call(Pool *p, const char *method, sd_bus_message **reply, const char *types, ...)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	va_list ap;
	va_start(ap, types);
	int r = sd_bus_call_methodv(p->bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE, method,
				    &error, reply, types, ap);
	va_end(ap);
	if (r < 0)
		return cli_fail("%s", error.message ? error.message : strerror(-r));
	return EXIT_OK;
}

static int fail_state(int r, const MmError *err)
{
	if (r == -ENOMEM)
		return cli_fail("out of memory");
	return cli_fail_error(err);
}

/* ---- subcommands -------------------------------------------------------- */

/* ListPools' answer, a(so): the names, in a list of *n to free with
 * mm_strv_free. */
static int read_pool_names(sd_bus_message *reply, char ***ret, size_t *n)
{
	char **names = NULL;
	size_t count = 0;
	const char *name, *path;
	int r = sd_bus_message_enter_container(reply, 'a', "(so)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(so)", &name, &path)) > 0)
		r = mm_strv_appendf(&names, &count, "%s", name);
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	if (r < 0) {
		mm_strv_free(names, count);
		return r;
	}
	*ret = names;
	*n = count;
	return 0;
}

static int do_list(Pool *p, char **args, size_t n)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ char *json = NULL;
	char **names = NULL;
	size_t n_names = 0;
	int r = EXIT_OK;

	if (n != 0)
		return cli_fail("pool list: unexpected argument '%s'", args[0]);
	if (p->bus) {
		if ((r = call(p, "ListPools", &reply, NULL)) != EXIT_OK)
			return r;
		if ((r = read_pool_names(reply, &names, &n_names)) < 0)
			return cli_fail("bad answer from migmapd: %s", strerror(-r));
		r = EXIT_OK;
	} else {
		if ((r = state_open(p, false)) != EXIT_OK)
			return r;
		if (!(names = calloc(p->state->n_pools + 1, sizeof(*names))))
			return cli_fail("out of memory");
		for (; n_names < p->state->n_pools; n_names++)
			if (!(names[n_names] = strdup(p->state->pools[n_names].name))) {
				mm_strv_free(names, n_names);
				return cli_fail("out of memory");
			}
	}
	if (p->json) {
		r = mm_pool_names_format_json(names, n_names, &json) < 0 ? cli_fail("out of memory")
									 : cli_print(json);
	} else {
		for (size_t i = 0; r == EXIT_OK && i < n_names; i++) {
			r = cli_print(names[i]);
			if (r == EXIT_OK)
				r = cli_print("\n");
		}
	}
	mm_strv_free(names, n_names);
	return r;
}

static int do_create_delete(Pool *p, bool create, char **args, size_t n)
{
	const char *what = create ? "create" : "delete";
	MmError err = { 0 };
	int r;

	if (n != 1)
		return cli_fail("pool %s: expected one pool name", what);
	if (p->bus)
		r = call(p, create ? "CreatePool" : "DeletePool", NULL, "s", args[0]);
	else if ((r = state_open(p, true)) == EXIT_OK) {
		r = create ? mm_state_create_pool(p->state, args[0], &err)
			   : mm_state_delete_pool(p->state, args[0], &err);
		r = r < 0 ? fail_state(r, &err) : EXIT_OK;
	}
	if (r != EXIT_OK)
		return r;
	return cli_report_action(p->json, create ? "created" : "deleted", args[0], NULL, 0, NULL);
}

/* The member name migmapd answers AddHost and AddRemoteHost with, in *ret. */
static int read_name(sd_bus_message *reply, char **ret)
{
	const char *name;
	int r = sd_bus_message_read(reply, "s", &name);
	if (r < 0)
		return cli_fail("bad answer from migmapd: %s", strerror(-r));
	return (*ret = strdup(name)) ? EXIT_OK : cli_fail("out of memory");
}

static int do_add_remote(Pool *p, const char *pool)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(mm_hostmap_freep) MmHostMap *map = NULL;
	_cleanup_free_ char *name = NULL;
	MmError err = { 0 };
	int r;

	if (p->bus) {
		if ((r = call(p, "AddRemoteHost", &reply, "ss", pool, p->remote)) != EXIT_OK ||
		    (r = read_name(reply, &name)) != EXIT_OK)
			return r;
		return cli_report_action(p->json, "added", pool, &name, 1, NULL);
	}
	if ((r = remote_timeout(p)) != EXIT_OK || (r = state_open(p, true)) != EXIT_OK)
		return r;
	if (!mm_state_find_pool(p->state, pool))
		return cli_fail("no pool '%s'", pool);
	r = remote_fetch_hostmap(p->remote, geteuid() == 0, p->timeout_usec, &map, &err);
	if (r < 0)
		return fail_state(r, &err);
	r = mm_state_add_member(p->state, pool, map, p->remote, false, &err);
	if (r < 0)
		return fail_state(r, &err);
	return cli_report_action(p->json, "added", pool, &map->name, 1, NULL);
}

static void hostmaps_free(MmHostMap **maps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mm_hostmap_free(maps[i]);
	free(maps);
}

static int do_add(Pool *p, char **args, size_t n)
{
	MmHostMap **maps = NULL;
	char **texts = NULL, **names = NULL;
	size_t n_maps = 0, n_added = 0;
	int r = EXIT_OK;

	if (p->remote) {
		if (n != 1)
			return cli_fail("pool add --remote/--ssh: expected one pool name");
		return do_add_remote(p, args[0]);
	}
	if (n < 2)
		return cli_fail("pool add: expected a pool and host map files");
	if (!p->bus && (r = state_open(p, true)) != EXIT_OK)
		return r;
	if (!(maps = calloc(n, sizeof(*maps))) || !(texts = calloc(n, sizeof(*texts))) ||
	    !(names = calloc(n, sizeof(*names)))) {
		r = cli_fail("out of memory");
		goto out;
	}
	/* Every file read and parsed first, here in both modes: a bad one
	 * adds none, and errors name the file and line. */
	for (size_t i = 1; i < n; i++, n_maps++) {
		MmError err = { 0 };
		size_t len;
		int k = cli_read_file(args[i], POOL_FILE_MAX, &texts[n_maps], &len);
		if (k < 0) {
			r = cli_fail("%s: %s", args[i], strerror(-k));
			goto out;
		}
		if (mm_hostmap_parse_xml(texts[n_maps], len, args[i], &maps[n_maps], &err) < 0) {
			r = cli_fail_error(&err);
			goto out;
		}
	}
	for (size_t i = 0; r == EXIT_OK && i < n_maps; i++) {
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
		MmError err = { 0 };
		if (p->bus) {
			if ((r = call(p, "AddHost", &reply, "ss", args[0], texts[i])) == EXIT_OK)
				r = read_name(reply, &names[n_added]);
		} else if ((r = mm_state_add_member(p->state, args[0], maps[i], NULL, false,
						    &err)) < 0)
			r = fail_state(r, &err);
		else if (!(names[n_added] = strdup(maps[i]->name)))
			r = cli_fail("out of memory");
		if (r == EXIT_OK)
			n_added++;
	}
	/* what was added before a failure is said too: it is in the pool */
	if (n_added) {
		int k = cli_report_action(p->json, "added", args[0], names, n_added, NULL);
		r = r != EXIT_OK ? r : k;
	}
out:
	/* calloc'd n long: what a failed parse left is freed too */
	hostmaps_free(maps, maps ? n : 0);
	mm_strv_free(texts, texts ? n : 0);
	mm_strv_free(names, names ? n : 0);
	return r;
}

static int do_remove(Pool *p, char **args, size_t n)
{
	MmError err = { 0 };
	int r;

	if (n != 2)
		return cli_fail("pool remove: expected a pool and a host name");
	if (p->bus)
		r = call(p, "RemoveHost", NULL, "ss", args[0], args[1]);
	else if ((r = state_open(p, true)) == EXIT_OK) {
		r = mm_state_remove_member(p->state, args[0], args[1], &err);
		r = r < 0 ? fail_state(r, &err) : EXIT_OK;
	}
	if (r != EXIT_OK)
		return r;
	return cli_report_action(p->json, "removed", args[0], &args[1], 1, NULL);
}

/* tag DOMAIN POOL, untag DOMAIN: the metadata the hook reads (docs/design.md
 * §12), set through libvirt; the pool's state is not needed. */
static int do_tag(Pool *p, bool tag, char **args, size_t n)
{
	_cleanup_free_ char *metadata = NULL;
	const char *uri = p->uri ? p->uri : CLI_DEFAULT_URI;
	int r;

	if (n != (tag ? 2u : 1u))
		return cli_fail(tag ? "pool tag: expected a domain and a pool name"
				    : "pool untag: expected a domain");
	if (tag) {
		r = mm_domain_pool_metadata_xml(args[1], &metadata);
		if (r == -EINVAL)
			return cli_fail("pool tag: invalid pool name '%s'", args[1]);
		if (r < 0)
			return cli_fail("out of memory");
	}
	if ((r = cli_virt_tag(uri, args[0], metadata)) != EXIT_OK)
		return r;
	if (tag)
		return cli_report_action(p->json, "tagged", args[1], NULL, 0, args[0]);
	return cli_report_action(p->json, "untagged", NULL, NULL, 0, args[0]);
}

/* "migmap: pool P: 3/10 host-c" on one terminal line, rewritten in place;
 * nothing when stderr is not a terminal. */
static void show_progress(size_t done, size_t total, const char *host, void *userdata)
{
	const char *pool = userdata;
	if (done < total)
		fprintf(stderr, "\r\033[Kmigmap: pool %s: fetching %zu/%zu %s", pool, done + 1,
			total, host);
	else
		fprintf(stderr, "\r\033[K");
	fflush(stderr);
}

static void show_stale(const char *host, const MmError *why, void *userdata)
{
	Pool *p = userdata;
	char buf[1024];
	const MmStateMember *m =
		mm_state_find_member(mm_state_find_pool(p->state, p->verb_pool), host);
	_cleanup_free_ char *result = NULL;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	p->n_bad++;
	if (asprintf(&result, "stale since %s: %s",
		     m && m->fetched ? m->fetched : "an unknown time",
		     mm_error_format(why, buf, sizeof(buf))) < 0) {
		p->m_failed = true;
		cli_fail("out of memory");
		return;
	}
	if (member_result(p, host, false, result) != EXIT_OK)
		p->m_failed = true;
}

static void show_fresh(const char *host, void *userdata)
{
	Pool *p = userdata;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	if (member_result(p, host, true, "fresh") != EXIT_OK)
		p->m_failed = true;
}

static void show_progress_pool(size_t done, size_t total, const char *host, void *userdata)
{
	show_progress(done, total, host, (void *)((Pool *)userdata)->verb_pool);
}

/* A RefreshPool or SyncPool under way: the members' lines printed so far. */
typedef struct MembersCall {
	Pool *p;
	const char *good, *bad; /* "fresh", "stale" or "synced", "not synced:" */
	const char *me;         /* our unique name: MemberFinished sent to us */
	char **printed;
	size_t n_printed;
	bool done;
	int ret;
} MembersCall;

/* One member's line, once: "HOST: fresh" or "HOST: stale MESSAGE". */
static void member_line(MembersCall *mc, const char *host, int ok, const char *message)
{
	for (size_t i = 0; i < mc->n_printed; i++)
		if (strcmp(mc->printed[i], host) == 0)
			return;
	if (mm_strv_appendf(&mc->printed, &mc->n_printed, "%s", host) < 0) {
		mc->ret = cli_fail("out of memory");
		return;
	}
	_cleanup_free_ char *result = NULL;
	if (!ok && asprintf(&result, "%s %s", mc->bad, message) < 0) {
		mc->ret = cli_fail("out of memory");
		return;
	}
	if (!ok)
		mc->ret = mc->ret == EXIT_OK ? EXIT_VERDICT : mc->ret;
	if (member_result(mc->p, host, ok, ok ? mc->good : result) != EXIT_OK)
		mc->ret = EXIT_USAGE;
}

static int on_member_finished(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	MembersCall *mc = userdata;
	const char *host, *message;
	int ok;
	/* another refresh of the pool (migmapd's timer) is not ours */
	if (!streq_ptr(sd_bus_message_get_destination(msg), mc->me))
		return 0;
	if (sd_bus_message_read(msg, "sbs", &host, &ok, &message) >= 0)
		member_line(mc, host, ok, message);
	return 0;
}

/* The a(sbs) answer: the lines of members no signal announced (none
 * normally), and the exit status. */
static int on_members_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	MembersCall *mc = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	const char *name, *message;
	int ok, r;

	mc->done = true;
	if (e) {
		mc->ret = cli_fail("%s", e->message ? e->message : e->name);
		return 0;
	}
	if ((r = sd_bus_message_enter_container(reply, 'a', "(sbs)")) >= 0)
		while ((r = sd_bus_message_read(reply, "(sbs)", &name, &ok, &message)) > 0)
			member_line(mc, name, ok, message);
	if (r < 0)
		mc->ret = cli_fail("bad answer from migmapd: %s", strerror(-r));
	return 0;
}

/* RefreshPool or SyncPool through migmapd: one line per member as each
 * finishes (migmapd's MemberFinished signals on the pool's object, sent to
 * this caller), until the answer, once every member answered or timed out
 * (its remote_timeout, which may exceed sd-bus's 25 s). */
static int call_members(Pool *p, const char *method, const char *pool, const char *good,
			const char *bad)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *match = NULL, *call_slot = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *owner = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *path = NULL;
	MembersCall mc = { .p = p, .good = good, .bad = bad, .ret = EXIT_OK };
	const char *daemon;
	int r;

	if (!mm_state_name_valid(pool))
		return cli_fail("invalid pool name '%.64s'", pool);
	/* signals from migmapd itself only: its unique name */
	r = sd_bus_call_method(p->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "GetNameOwner", &error, &owner, "s",
			       MM_BUS_NAME);
	if (r >= 0)
		r = sd_bus_message_read(owner, "s", &daemon);
	if (r < 0)
		return cli_fail("migmapd: %s", error.message ? error.message : strerror(-r));
	if ((r = sd_bus_get_unique_name(p->bus, &mc.me)) < 0 ||
	    (r = sd_bus_path_encode(MM_BUS_POOL_PREFIX, pool, &path)) < 0 ||
	    (r = sd_bus_match_signal(p->bus, &match, daemon, path, MM_BUS_POOL_INTERFACE,
				     "MemberFinished", on_member_finished, &mc)) < 0)
		return cli_fail("cannot follow migmapd's answers: %s", strerror(-r));
	(void)sd_bus_set_method_call_timeout(p->bus, UINT64_C(3600) * 1000 * 1000);
	r = sd_bus_call_method_async(p->bus, &call_slot, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
				     method, on_members_answer, &mc, "s", pool);
	if (r < 0)
		return cli_fail("cannot call %s: %s", method, strerror(-r));
	while (!mc.done) {
		r = sd_bus_process(p->bus, NULL);
		if (r == 0)
			r = sd_bus_wait(p->bus, UINT64_MAX);
		if (r < 0) {
			mc.ret = cli_fail("migmapd: %s", strerror(-r));
			break;
		}
	}
	mm_strv_free(mc.printed, mc.n_printed);
	return mc.ret;
}

static int do_refresh(Pool *p, char **args, size_t n)
{
	MmError err = { 0 };
	int r;

	if (n != 1)
		return cli_fail("pool refresh: expected one pool name");
	if (p->bus)
		return members_done(p, "refreshed", args[0],
				    call_members(p, "RefreshPool", args[0], "fresh", "stale"));
	if ((r = remote_timeout(p)) != EXIT_OK || (r = state_open(p, true)) != EXIT_OK)
		return r;
	p->verb_pool = args[0];
	const RemoteRefreshOps ops = {
		.progress = isatty(STDERR_FILENO) ? show_progress_pool : NULL,
		.stale = show_stale,
		.fresh = show_fresh,
	};
	r = remote_refresh_pool(p->state, args[0], geteuid() == 0, p->timeout_usec, &ops, p, &err);
	if (r < 0)
		return fail_state(r, &err);
	if (p->m_failed)
		return EXIT_USAGE;
	return members_done(p, "refreshed", args[0], p->n_bad ? EXIT_VERDICT : EXIT_OK);
}

static int do_sync(Pool *p, char **args, size_t n)
{
	_cleanup_free_ char *doc = NULL;
	const MmStatePool *pool;
	MmError err = { 0 };
	int r, ret = EXIT_OK;

	if (n != 1)
		return cli_fail("pool sync: expected one pool name");
	if (p->bus)
		return members_done(p, "synced", args[0],
				    call_members(p, "SyncPool", args[0], "synced", "not synced:"));
	if ((r = remote_timeout(p)) != EXIT_OK || (r = state_open(p, true)) != EXIT_OK)
		return r;
	if (!(pool = mm_state_find_pool(p->state, args[0])))
		return cli_fail("no pool '%s'", args[0]);
	uint64_t generation = pool->generation + 1;
	if ((r = mm_state_set_generation(p->state, args[0], generation, &err)) < 0 ||
	    (r = mm_state_pool_export(p->state, args[0], generation, &doc, &err)) < 0)
		return fail_state(r, &err);
	pool = mm_state_find_pool(p->state, args[0]);
	for (size_t i = 0; i < pool->n_members; i++) {
		const MmStateMember *m = &pool->members[i];
		char buf[1024];
		if (!m->address)
			continue;
		r = remote_import_pool(m->address, geteuid() == 0, p->timeout_usec, args[0],
				       generation, doc, &err);
		_cleanup_free_ char *result = NULL;
		if (r < 0 && asprintf(&result, "not synced: %s",
				      mm_error_format(&err, buf, sizeof(buf))) < 0)
			return cli_fail("out of memory");
		if (r < 0)
			ret = EXIT_VERDICT;
		if ((r = member_result(p, m->name, !result, result ? result : "synced")) != EXIT_OK)
			return r;
	}
	return members_done(p, "synced", args[0], ret);
}

static int do_show(Pool *p, char **args, size_t n)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(mm_poolmap_freep) MmPoolMap *pm = NULL;
	_cleanup_free_ char *text = NULL;
	MmError err = { 0 };
	const char *answer;
	int r;

	if (n != 1)
		return cli_fail("pool show: expected one pool name");
	if (p->bus) {
		if ((r = call(p, "GetPoolMap", &reply, "ss", args[0], p->json ? "json" : "xml")) !=
		    EXIT_OK)
			return r;
		if ((r = sd_bus_message_read(reply, "s", &answer)) < 0)
			return cli_fail("bad answer from migmapd: %s", strerror(-r));
		return cli_print(answer);
	}
	if ((r = state_open(p, false)) != EXIT_OK)
		return r;
	if ((r = mm_state_pool_baseline(p->state, args[0], &pm, &err)) < 0)
		return fail_state(r, &err);
	r = p->json ? mm_poolmap_format_json(pm, &text) : mm_poolmap_format_xml(pm, &text);
	if (r < 0)
		return cli_fail("out of memory");
	return cli_print(text);
}

/* The report as lines for people. */
static int print_report_text(const char *pool, const MmCheckReport *report)
{
	for (size_t i = 0; i < report->n_conflicts; i++)
		printf("%s: %s\n",
		       report->conflicts[i].severity == MM_SEVERITY_ERROR ? "error" : "warning",
		       report->conflicts[i].message);
	for (size_t i = 0; i < report->n_warnings; i++)
		printf("warning: %s\n", report->warnings[i]);
	printf(report->ok ? "ok: the domain fits every host of pool '%s'\n"
			  : "conflict: the domain does not fit pool '%s'\n",
	       pool);
	if (fflush(stdout) != 0)
		return cli_fail("cannot write output: %s", strerror(errno));
	return EXIT_OK;
}

/* The report of the domain in text against pool, from migmapd or here. */
static int check_report(Pool *p, const char *pool, const char *file, const char *text, size_t len,
			MmCheckReport **ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(mm_domain_freep) MmDomain *domain = NULL;
	_cleanup_free_ const MmHostMap **maps = NULL;
	MmError err = { 0 };
	const char *json;
	int ok, r;
	size_t n;

	if (p->bus) {
		if ((r = call(p, "CheckDomain", &reply, "ss", text, pool)) != EXIT_OK)
			return r;
		if ((r = sd_bus_message_read(reply, "bs", &ok, &json)) < 0)
			return cli_fail("bad answer from migmapd: %s", strerror(-r));
		if (mm_check_report_parse_json(json, strlen(json), "migmapd", ret, &err) < 0)
			return cli_fail_error(&err);
		return EXIT_OK;
	}
	if ((r = state_open(p, false)) != EXIT_OK)
		return r;
	if (mm_state_pool_hosts(p->state, pool, &maps, &n, &err) < 0 ||
	    mm_domain_parse_xml(text, len, file, &domain, &err) < 0 ||
	    mm_check_domain(domain, maps, n, ret, &err) < 0)
		return cli_fail_error(&err);
	if (mm_state_add_stale_warnings(p->state, pool, *ret) < 0)
		return cli_fail("out of memory");
	return EXIT_OK;
}

static int do_check(Pool *p, char **args, size_t n)
{
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	_cleanup_free_ char *text = NULL, *json = NULL;
	size_t len;
	int r;

	if (n != 2)
		return cli_fail("pool check: expected a pool and a domain XML file");
	r = cli_read_file(args[1], POOL_FILE_MAX, &text, &len);
	if (r < 0)
		return cli_fail("%s: %s", args[1], strerror(-r));
	if ((r = check_report(p, args[0], args[1], text, len, &report)) != EXIT_OK)
		return r;
	if (p->json) {
		if (mm_check_report_format_json(report, &json) < 0)
			return cli_fail("out of memory");
		r = cli_print(json);
	} else
		r = print_report_text(args[0], report);
	if (r != EXIT_OK)
		return r;
	return report->ok ? EXIT_OK : EXIT_VERDICT;
}

/* The stored pool for reading, also when migmapd runs (readers take no
 * lock): fit and whatif need the members' maps, which the bus does not
 * serve one by one. */
static int state_for_reading(Pool *p)
{
	int r;

	if (!p->state_dir && (r = default_dirs(p)) != EXIT_OK)
		return r;
	return state_open(p, false);
}

static int do_fit(Pool *p, char **args, size_t n)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(mm_fit_freep) MmFit *fit = NULL;
	_cleanup_(mm_domain_freep) MmDomain *domain = NULL;
	_cleanup_free_ const MmHostMap **maps = NULL;
	_cleanup_free_ char *xml = NULL, *json = NULL;
	MmError err = { 0 };
	size_t len, n_maps;
	int r;

	if (n != 1 || p->n_domains != 1)
		return cli_fail("pool fit: expected a pool and one --domain");
	if ((r = cli_read_domain_xml(p->domains[0], NULL, p->uri, false, &xml, &len)) != EXIT_OK)
		return r;
	if (p->bus) {
		const char *host, *report_json;
		int ok;
		if ((r = call(p, "FitDomain", &reply, "ss", xml, args[0])) != EXIT_OK)
			return r;
		if (!(fit = calloc(1, sizeof(*fit))))
			return cli_fail("out of memory");
		if ((r = sd_bus_message_enter_container(reply, 'a', "(sbs)")) < 0)
			return cli_fail("bad answer from migmapd: %s", strerror(-r));
		while ((r = sd_bus_message_read(reply, "(sbs)", &host, &ok, &report_json)) > 0) {
			MmCheckReport *report = NULL;
			if (mm_check_report_parse_json(report_json, strlen(report_json), "migmapd",
						       &report, &err) < 0)
				return cli_fail_error(&err);
			if (mm_fit_add(fit, host, report) < 0) {
				mm_check_report_free(report);
				return cli_fail("out of memory");
			}
		}
		if (r < 0)
			return cli_fail("bad answer from migmapd: %s", strerror(-r));
	} else {
		if ((r = state_open(p, false)) != EXIT_OK)
			return r;
		if (mm_state_pool_hosts(p->state, args[0], &maps, &n_maps, &err) < 0 ||
		    mm_domain_parse_xml(xml, len, p->domains[0], &domain, &err) < 0 ||
		    mm_fit_domain(domain, maps, n_maps, &fit, &err) < 0)
			return cli_fail_error(&err);
	}
	bool any = false;
	for (size_t i = 0; i < fit->n; i++)
		any = any || fit->hosts[i].report->ok;
	if (p->json) {
		if (mm_fit_format_json(fit, &json) < 0)
			return cli_fail("out of memory");
		r = cli_print(json);
	} else {
		for (size_t i = 0; i < fit->n; i++) {
			const MmCheckReport *rep = fit->hosts[i].report;
			const MmConflict *c = mm_check_report_first_error(rep);
			if (rep->ok)
				printf("%s: fits\n", fit->hosts[i].host);
			else
				printf("%s: does not fit: %s\n", fit->hosts[i].host,
				       c ? c->message : "conflicts");
			for (size_t k = 0; c && k < rep->n_conflicts; k++)
				if (&rep->conflicts[k] != c &&
				    rep->conflicts[k].severity == MM_SEVERITY_ERROR)
					printf("  also: %s\n", rep->conflicts[k].message);
		}
		r = fflush(stdout) == 0 ? EXIT_OK
					: cli_fail("cannot write output: %s", strerror(errno));
	}
	if (r != EXIT_OK)
		return r;
	return any ? EXIT_OK : EXIT_VERDICT;
}

/* The domains whatif asks about: --domain arguments, else every domain of
 * the pool that libvirt knows; *unread counts those whose XML migmap
 * cannot read (malformed migmap metadata), each named in a warning: they
 * may belong to the pool, so they are not judged. */
static int whatif_domains(Pool *p, const char *pool, MmDomain ***ret, size_t *n, size_t *unread)
{
	char **xmls = NULL, **names = NULL;
	size_t n_xmls = 0;
	MmDomain **v;
	MmError err = { 0 };
	int r = EXIT_OK;

	*n = 0;
	if (p->n_domains) {
		if (!(v = calloc(p->n_domains + 1, sizeof(*v))))
			return cli_fail("out of memory");
		*ret = v;
		for (size_t i = 0; i < p->n_domains; i++) {
			if ((r = cli_load_domain_from(p->domains[i], NULL, p->uri, &v[i])) !=
			    EXIT_OK)
				return r;
			(*n)++;
		}
		return EXIT_OK;
	}
	const char *uri = p->uri ? p->uri : CLI_DEFAULT_URI;
	if ((r = cli_virt_all_domains_xml(uri, &xmls, &names, &n_xmls)) != EXIT_OK)
		return r;
	if (!(v = calloc(n_xmls + 1, sizeof(*v))))
		r = cli_fail("out of memory");
	*ret = v;
	for (size_t i = 0; r == EXIT_OK && i < n_xmls; i++) {
		MmDomain *d = NULL;
		if (mm_domain_parse_xml(xmls[i], strlen(xmls[i]), uri, &d, &err) < 0) {
			if (err.line)
				fprintf(stderr,
					"migmap: warning: domain '%s' of %s, line %u of its XML: "
					"%s: not judged\n",
					names[i], uri, err.line, err.message);
			else
				fprintf(stderr,
					"migmap: warning: domain '%s' of %s: %s: not judged\n",
					names[i], uri, err.message);
			(*unread)++;
			continue;
		}
		if (streq_ptr(d->pool, pool))
			v[(*n)++] = d;
		else
			mm_domain_free(d);
	}
	mm_strv_free(xmls, n_xmls);
	mm_strv_free(names, n_xmls);
	return r;
}

static int do_whatif(Pool *p, char **args, size_t n)
{
	_cleanup_(mm_whatif_freep) MmWhatif *w = NULL;
	_cleanup_(mm_hostmap_freep) MmHostMap *added = NULL;
	_cleanup_free_ const MmHostMap **before = NULL, **after = NULL;
	_cleanup_free_ char *json = NULL, *text = NULL;
	MmDomain **domains = NULL;
	size_t nb = 0, na = 0, nd = 0, unread = 0, len;
	MmError err = { 0 };
	bool found = false;
	int r;

	if (n != 1 || !p->add == !p->drop)
		return cli_fail(
			"pool whatif: expected a pool and one of --add HOST.xml, --remove HOST");
	if ((r = state_for_reading(p)) != EXIT_OK)
		return r;
	r = mm_state_pool_hosts(p->state, args[0], &before, &nb, &err);
	if (r < 0 && r != -ENODATA)
		return cli_fail_error(&err);
	if (p->add) {
		r = cli_read_file(p->add, POOL_FILE_MAX, &text, &len);
		if (r < 0)
			return cli_fail("%s: %s", p->add, strerror(-r));
		if (mm_hostmap_parse_xml(text, len, p->add, &added, &err) < 0)
			return cli_fail_error(&err);
	}
	if (!(after = calloc(nb + 1, sizeof(*after))))
		return cli_fail("out of memory");
	for (size_t i = 0; i < nb; i++) {
		const char *name = before[i]->name;
		bool same = (p->drop && streq_ptr(name, p->drop)) ||
			    (added && streq_ptr(name, added->name));
		found = found || same;
		if (!same)
			after[na++] = before[i];
	}
	if (added)
		after[na++] = added;
	else if (!found)
		return cli_fail("pool whatif: pool '%s' has no host '%s'", args[0], p->drop);
	if ((r = whatif_domains(p, args[0], &domains, &nd, &unread)) == EXIT_OK) {
		if (mm_whatif((const MmDomain *const *)domains, nd, before, nb, after, na, &w,
			      &err) < 0)
			r = cli_fail_error(&err);
	}
	for (size_t i = 0; domains && domains[i]; i++)
		mm_domain_free(domains[i]);
	free(domains);
	if (r != EXIT_OK)
		return r;
	bool broken = false;
	for (size_t i = 0; i < w->n; i++)
		broken = broken || w->domains[i].change == MM_WHATIF_BECOMES_INVALID;
	if (p->json) {
		if (mm_whatif_format_json(w, &json) < 0)
			return cli_fail("out of memory");
		if ((r = cli_print(json)) != EXIT_OK)
			return r;
	} else {
		for (size_t i = 0; i < w->n; i++) {
			const MmWhatifDomain *d = &w->domains[i];
			static const char *const says[] = {
				[MM_WHATIF_STAYS_VALID] = "stays valid",
				[MM_WHATIF_STAYS_INVALID] = "stays invalid",
				[MM_WHATIF_BECOMES_INVALID] = "becomes invalid",
				[MM_WHATIF_BECOMES_VALID] = "becomes valid",
			};
			printf("%s: %s%s%s\n", d->name, says[d->change], d->reason ? ": " : "",
			       d->reason ? d->reason : "");
		}
		if (fflush(stdout) != 0)
			return cli_fail("cannot write output: %s", strerror(errno));
	}
	if (broken)
		return EXIT_VERDICT;
	/* a domain that may be the pool's and was not judged: no "all well" */
	if (unread)
		return cli_fail("pool whatif: %zu domain%s not judged (see the warnings)", unread,
				unread == 1 ? "" : "s");
	return EXIT_OK;
}

int cmd_pool(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "remote", required_argument, NULL, 'r' },
		{ "ssh", required_argument, NULL, 's' },
		{ "domain", required_argument, NULL, 'd' },
		{ "connect", required_argument, NULL, 'c' },
		{ "add", required_argument, NULL, 'a' },
		{ "remove", required_argument, NULL, 'x' },
		CLI_COMMON_OPTIONS,
		{},
	};
	static const struct {
		const char *name;
		int (*run)(Pool *p, char **args, size_t n);
	} verbs[] = {
		{ "list", do_list },       { "add", do_add },   { "remove", do_remove },
		{ "refresh", do_refresh }, { "show", do_show }, { "check", do_check },
		{ "sync", do_sync },       { "fit", do_fit },   { "whatif", do_whatif },
	};
	_cleanup_(pool_done) Pool p = { 0 };
	_cleanup_free_ char *ssh_spec = NULL;
	int c;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING "c:", options, NULL)) != -1) {
		switch (c) {
		case 'd': {
			char **v = realloc(p.domains, (p.n_domains + 1) * sizeof(*v));
			if (!v)
				return cli_fail("out of memory");
			p.domains = v;
			p.domains[p.n_domains++] = optarg;
			break;
		}
		case 'c':
			p.uri = optarg;
			break;
		case 'a':
			p.add = optarg;
			break;
		case 'x':
			p.drop = optarg;
			break;
		case 'j':
			p.json = true;
			break;
		case 'r':
			p.remote = optarg;
			break;
		case 's':
			free(ssh_spec);
			if (!(ssh_spec = malloc(strlen(optarg) + 5)))
				return cli_fail("out of memory");
			p.remote = strcat(strcpy(ssh_spec, "ssh:"), optarg);
			break;
		default:
			return cli_common_option("pool", c, argv, cmd_pool_help);
		}
	}
	if (optind >= argc)
		return cli_fail("pool: no command given (see 'migmap pool --help')");
	const char *verb = argv[optind];
	char **args = argv + optind + 1;
	size_t n = (size_t)(argc - optind - 1);
	if (p.remote && strcmp(verb, "add") != 0)
		return cli_fail("pool %s: --remote and --ssh are for 'add'", verb);
	bool tag = strcmp(verb, "tag") == 0, untag = strcmp(verb, "untag") == 0;
	if (p.n_domains && strcmp(verb, "fit") != 0 && strcmp(verb, "whatif") != 0)
		return cli_fail("pool %s: --domain is for 'fit' and 'whatif'", verb);
	if (p.uri && strcmp(verb, "fit") != 0 && strcmp(verb, "whatif") != 0 && !tag && !untag)
		return cli_fail("pool %s: --connect is for 'fit', 'whatif', 'tag' and 'untag'",
				verb);
	if ((p.add || p.drop) && strcmp(verb, "whatif") != 0)
		return cli_fail("pool %s: --add and --remove are for 'whatif'", verb);

	if (tag || untag)
		return do_tag(&p, tag, args, n);
	bool create = strcmp(verb, "create") == 0;
	if (create || strcmp(verb, "delete") == 0) {
		int r = pool_connect(&p);
		return r != EXIT_OK ? r : do_create_delete(&p, create, args, n);
	}
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (strcmp(verb, verbs[i].name) == 0) {
			int r = pool_connect(&p);
			return r != EXIT_OK ? r : verbs[i].run(&p, args, n);
		}
	return cli_fail("pool: unknown command '%s' (see 'migmap pool --help')", verb);
}
