/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store: round-trip, atomic writes (a crash's leftovers are not
 * loaded, and are removed once no writer can finish them), explicit modes,
 * damaged files reported not fatal, names that could escape the directory
 * refused, bad input changing nothing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "macros.h"
#include "testutil.h"

static char dir[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(tu_mkdtemp(dir, sizeof(dir), "test-state"));
}

static pid_t writer = -1; /* a writer stopped in the middle of a write */

static void teardown(void)
{
	if (writer > 0) {
		kill(writer, SIGKILL);
		waitpid(writer, NULL, 0);
		writer = -1;
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *path(const char *rel)
{
	static char buf[2][512];
	static unsigned next;
	char *b = buf[next++ % 2];
	snprintf(b, sizeof(buf[0]), "%s/%s", dir, rel);
	return b;
}

static void write_file(const char *rel, const char *text)
{
	FILE *f = fopen(path(rel), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static bool exists(const char *rel)
{
	struct stat st;
	return lstat(path(rel), &st) == 0;
}

static MmState *open_state(unsigned flags)
{
	MmState *s = NULL;
	MmError err = { 0 };
	int r = mm_state_open(dir, flags, &s, &err);
	ck_assert_msg(r == 0, "open: %d %s", r, err.message);
	return s;
}

/* Every name in dir (recursively) that is hidden, except the lock. */
static int count_hidden(const char *sub)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "test $(find '%s/%s' -name '.*' ! -name .lock | wc -l) -eq 0",
		 dir, sub);
	return system(cmd) == 0 ? 0 : 1;
}

static char *format(const MmHostMap *m)
{
	char *text = NULL;
	ck_assert_int_eq(mm_hostmap_format_xml(m, &text), 0);
	return text;
}

/* A new state holding pool p with a as its one imported member. */
static void pool_p_with(const MmHostMap *a)
{
	MmError err = { 0 };
	MmState *s = open_state(MM_STATE_CREATE);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);
	mm_state_free(s);
}

START_TEST(round_trip)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = tu_probe("arm64-hwmsi", "b");
	MmError err = { 0 };

	MmState *s = open_state(MM_STATE_CREATE | MM_STATE_LOCK);
	ck_assert_int_eq(s->n_pools, 0);
	ck_assert_int_eq(mm_state_save_host(s, a, &err), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "prod", &err), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "empty", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "prod", b, "unix:path=/run/b", false, &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "prod", a, NULL, false, &err), 0);
	ck_assert_int_eq(mm_state_mark_stale(s, "prod", "b", &err), 0);
	mm_state_free(s);

	s = open_state(0);
	ck_assert_int_eq(s->n_warnings, 0);
	ck_assert_ptr_nonnull(s->host);
	_cleanup_free_ char *x1 = format(a), *x2 = format(s->host);
	ck_assert_str_eq(x1, x2);
	ck_assert_int_eq(s->n_pools, 2);
	ck_assert_str_eq(s->pools[0].name, "empty");
	ck_assert_int_eq(s->pools[0].n_members, 0);
	const MmStatePool *p = mm_state_find_pool(s, "prod");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->n_members, 2);
	ck_assert_str_eq(p->members[0].name, "a");
	ck_assert_ptr_null(p->members[0].address);
	ck_assert(!p->members[0].stale);
	ck_assert_str_eq(p->members[1].name, "b");
	ck_assert_str_eq(p->members[1].address, "unix:path=/run/b");
	ck_assert_ptr_nonnull(p->members[1].fetched);
	ck_assert(p->members[1].stale);
	_cleanup_free_ char *y1 = format(b), *y2 = format(p->members[1].map);
	ck_assert_str_eq(y1, y2);

	/* The pool map equals the baseline of the same maps, plus the stale note. */
	_cleanup_(mm_poolmap_freep) MmPoolMap *pm = NULL;
	_cleanup_(mm_poolmap_freep) MmPoolMap *direct = NULL;
	const MmHostMap *maps[] = { b, a };
	ck_assert_int_eq(mm_state_pool_baseline(s, "prod", &pm, &err), 0);
	ck_assert_int_eq(mm_pool_baseline("prod", maps, 2, &direct, &err), 0);
	ck_assert_int_eq(pm->n_forbidden, direct->n_forbidden);
	ck_assert_int_eq(pm->n_warnings, direct->n_warnings + 1);
	ck_assert_ptr_nonnull(strstr(pm->warnings[pm->n_warnings - 1], "host 'b' is stale"));

	/* What a domain is checked against: the members' maps in member order,
	 * or the reason there are none. */
	_cleanup_free_ const MmHostMap **hosts = NULL;
	size_t n = 0;
	ck_assert_int_eq(mm_state_pool_hosts(s, "prod", &hosts, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(hosts[0], p->members[0].map);
	ck_assert_ptr_eq(hosts[1], p->members[1].map);
	static const struct {
		const char *pool;
		int error;
		const char *message;
	} none[] = {
		{ "empty", -ENODATA, "pool 'empty' has no hosts yet" },
		{ "nope", -ENOENT, "no pool 'nope'" },
		{ "x/y", -EINVAL, "invalid pool name 'x/y'" },
		{ "", -EINVAL, "invalid pool name ''" },
	};
	for (size_t i = 0; i < ELEMENTSOF(none); i++) {
		const MmHostMap **h = NULL;
		ck_assert_int_eq(mm_state_pool_hosts(s, none[i].pool, &h, &n, &err), none[i].error);
		ck_assert_ptr_null(h);
		ck_assert_msg(strstr(err.message, none[i].message), "%s", err.message);
	}
	ck_assert_int_eq(mm_state_pool_hosts(NULL, "prod", &hosts, &n, &err), -ENOENT);
	mm_state_free(s);

	/* remove and delete, then reload */
	s = open_state(MM_STATE_LOCK);
	ck_assert_int_eq(mm_state_remove_member(s, "prod", "b", &err), 0);
	ck_assert(!exists("pools/prod/b.xml"));
	ck_assert(!exists("pools/prod/remote.json"));
	ck_assert_int_eq(mm_state_delete_pool(s, "empty", &err), 0);
	ck_assert(!exists("pools/empty"));
	ck_assert_int_eq(mm_state_pool_baseline(s, "empty", &pm, &err), -ENOENT);
	mm_state_free(s);
	s = open_state(0);
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(s->pools[0].n_members, 1);
	ck_assert_int_eq(count_hidden(""), 0);
	mm_state_free(s);
}
END_TEST

START_TEST(leftovers_not_loaded)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	MmState *s;

	pool_p_with(a);

	/* What a crash leaves: a half-written temporary file next to the
	 * map, a half-deleted pool, a remote entry whose map was never
	 * written. None of it may show. */
	write_file("pools/p/.#0123456789abcdef.tmp", "<capabilities><host><memo");
	write_file("pools/.#0123456789abcdef.tmp", "junk");
	ck_assert_int_eq(mkdir(path("pools/.#deleted.0123456789abcdef"), 0755), 0);
	write_file("pools/.#deleted.0123456789abcdef/x.xml", "junk");
	write_file(
		"pools/p/remote.json",
		"{\"members\": {\"ghost\": {\"address\": \"unix:path=/x\", \"stale\": false}}}\n");
	write_file(".#0123456789abcdef.tmp", "<capabilities>");

	s = open_state(0);
	ck_assert_int_eq(s->n_warnings, 0);
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(s->pools[0].n_members, 1);
	ck_assert_str_eq(s->pools[0].members[0].name, "a");
	ck_assert_ptr_null(s->pools[0].members[0].address);
	ck_assert_ptr_null(s->host);
	mm_state_free(s);
}
END_TEST

START_TEST(writes_leave_no_temporaries)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	MmError err = { 0 };
	MmState *s = open_state(MM_STATE_CREATE);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(mm_state_add_member(s, "p", a, "unix:path=/a", true, &err), 0);
	ck_assert_int_eq(mm_state_save_host(s, a, &err), 0);
	ck_assert_int_eq(count_hidden(""), 0);
	mm_state_free(s);
}
END_TEST

/* The number of write temporaries (".#*.tmp") in sub. */
static int count_tmp(const char *sub)
{
	char cmd[700];
	int n = -1;
	snprintf(cmd, sizeof(cmd), "find '%s/%s' -maxdepth 1 -name '.#*.tmp' | wc -l", dir, sub);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	ck_assert_int_eq(pclose(f), 0);
	return n;
}

static int stop_pipe[2];

/* The write exceeded RLIMIT_FSIZE: say so and stay there, as a writer
 * preempted in the middle of its write, until the test kills it. */
static void on_xfsz(int sig)
{
	(void)sig;
	(void)!write(stop_pipe[1], "x", 1);
	for (;;)
		pause();
}

/* Start a process that writes m (into pool p, or as host.xml when pool is
 * NULL) and stops half-way through, its temporary file on disk; returns
 * once it has stopped. The test SIGKILLs it to make a crashed writer. */
static void start_stopped_writer(const char *pool, const MmHostMap *m)
{
	char c;
	ck_assert_int_eq(pipe(stop_pipe), 0);
	writer = fork();
	ck_assert_int_ge(writer, 0);
	if (writer == 0) {
		MmState *s = NULL;
		MmError err = { 0 };
		struct rlimit fsize = { 64, 64 };
		close(stop_pipe[0]);
		if (mm_state_open(dir, 0, &s, &err) < 0)
			_exit(1);
		signal(SIGXFSZ, on_xfsz);
		if (setrlimit(RLIMIT_FSIZE, &fsize) < 0)
			_exit(1);
		if (pool)
			mm_state_add_member(s, pool, m, NULL, true, &err);
		else
			mm_state_save_host(s, m, &err);
		_exit(1); /* the write got through: the test fails on the pipe */
	}
	close(stop_pipe[1]);
	ck_assert_int_eq(read(stop_pipe[0], &c, 1), 1);
	close(stop_pipe[0]);
}

static void kill_writer(void)
{
	int status;
	ck_assert_int_eq(kill(writer, SIGKILL), 0);
	ck_assert_int_eq(waitpid(writer, &status, 0), writer);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	writer = -1;
}

static void age(const char *rel, time_t seconds)
{
	struct timespec t[2] = { { time(NULL) - seconds, 0 }, { time(NULL) - seconds, 0 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, path(rel), t, AT_SYMLINK_NOFOLLOW), 0);
}

/* Temporary files of interrupted writes (each up to 16 MiB) are removed
 * when a writer takes the lock and before each write in their directory,
 * but only when no writer can still finish them: other processes, and
 * other hosts' migmapd on a shared pool_dir, may be writing right now. */
START_TEST(leftovers_removed_once_no_writer_owns_them)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = tu_probe("arm64-virt-smmuv3", "b");
	_cleanup_(mm_hostmap_freep) MmHostMap *c = tu_probe("arm64-virt-smmuv3", "c");
	MmError err = { 0 };
	MmState *s;

	pool_p_with(a);
	/* A writer in the middle of writing b's map: its file stays while
	 * it lives, through a writer taking the lock and through writes. */
	start_stopped_writer("p", b);
	ck_assert_int_eq(count_tmp("pools/p"), 1);
	s = open_state(MM_STATE_SHARED);
	ck_assert_int_eq(count_tmp("pools/p"), 1);
	ck_assert_int_eq(mm_state_add_member(s, "p", c, NULL, false, &err), 0);
	ck_assert_int_eq(count_tmp("pools/p"), 1);
	/* SIGKILLed, it never finishes: the next write removes its file */
	kill_writer();
	ck_assert_int_eq(count_tmp("pools/p"), 1);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, true, &err), 0);
	ck_assert_int_eq(count_tmp("pools/p"), 0);
	mm_state_free(s);

	/* The same in the state directory, removed by the next writer to
	 * take the lock; the map written before is still the one loaded. */
	s = open_state(MM_STATE_LOCK);
	ck_assert_int_eq(mm_state_save_host(s, a, &err), 0);
	mm_state_free(s);
	start_stopped_writer(NULL, b);
	ck_assert_int_eq(count_tmp(""), 1);
	kill_writer();
	s = open_state(MM_STATE_LOCK);
	ck_assert_int_eq(count_tmp(""), 0);
	ck_assert_str_eq(s->host->name, "a");
	mm_state_free(s);

	/* A temporary file whose writer cannot be asked (another host's on
	 * shared storage, an older migmap's): kept while fresh, removed once
	 * older than any write takes; other hidden names are not the
	 * writes' own and stay. */
	write_file("pools/p/.#0123456789abcdef.tmp", "<capabilities><host><memo");
	write_file("pools/p/.#fedcba9876543210.tmp", "<capabilities>");
	write_file("pools/.#0123456789abcdef.tmp", "junk");
	write_file("pools/p/.#not-a-write", "kept");
	age("pools/p/.#0123456789abcdef.tmp", 2 * 3600);
	age("pools/.#0123456789abcdef.tmp", 2 * 3600);
	age("pools/p/.#not-a-write", 2 * 3600);
	/* a pool whose deletion a crash interrupted */
	ck_assert_int_eq(mkdir(path("pools/.#deleted.0123456789abcdef"), 0755), 0);
	write_file("pools/.#deleted.0123456789abcdef/x.xml", "junk");
	s = open_state(MM_STATE_SHARED);
	ck_assert(!exists("pools/p/.#0123456789abcdef.tmp"));
	ck_assert(!exists("pools/.#0123456789abcdef.tmp"));
	ck_assert(exists("pools/p/.#fedcba9876543210.tmp"));
	ck_assert(exists("pools/p/.#not-a-write"));
	ck_assert(!exists("pools/.#deleted.0123456789abcdef"));
	ck_assert_int_eq(s->pools[0].n_members, 2); /* a and c: b was never finished */
	mm_state_free(s);
}
END_TEST

static unsigned mode_of(const char *rel)
{
	struct stat st;
	ck_assert_msg(lstat(path(rel), &st) == 0, "%s missing", rel);
	return st.st_mode & 07777;
}

static gid_t gid_of(const char *rel)
{
	struct stat st;
	ck_assert_int_eq(lstat(path(rel), &st), 0);
	return st.st_gid;
}

/* Explicit modes whatever the umask: maps 0640, directories 0750,
 * remote.json (addresses, SSH command lines) and the locks 0600; the group
 * given (root may give any; others their own). _i: the umask. */
static const mode_t umasks[] = { 0, 022, 077, 027 };

START_TEST(modes_whatever_the_umask)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	char state[400], pools[400];
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(pools, sizeof(pools), "%s/shared", dir);
	gid_t group = geteuid() == 0 ? 4242 : getegid();
	mode_t old = umask(umasks[_i]);
	MmState *s = NULL;
	MmError err = { 0 };
	int r = mm_state_open_group(state, NULL, MM_STATE_CREATE | MM_STATE_SHARED, group, &s,
				    &err);
	ck_assert_msg(r == 0, "open: %s", err.message);
	ck_assert_int_eq(mm_state_save_host(s, a, &err), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, "ssh:admin@a", false, &err), 0);
	ck_assert_int_eq(mm_state_set_generation(s, "p", 3, &err), 0);
	mm_state_free(s);
	/* a pool directory elsewhere (pool_dir) */
	r = mm_state_open_group(state, pools, MM_STATE_CREATE | MM_STATE_SHARED, group, &s, &err);
	ck_assert_msg(r == 0, "open: %s", err.message);
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), 0);
	mm_state_free(s);
	umask(old);

	ck_assert_uint_eq(mode_of("state"), 0750);
	ck_assert_uint_eq(mode_of("state/pools"), 0750);
	ck_assert_uint_eq(mode_of("state/pools/p"), 0750);
	ck_assert_uint_eq(mode_of("state/host.xml"), 0640);
	ck_assert_uint_eq(mode_of("state/pools/p/a.xml"), 0640);
	ck_assert_uint_eq(mode_of("state/pools/p/generation"), 0640);
	ck_assert_uint_eq(mode_of("state/pools/p/remote.json"), 0600);
	ck_assert_uint_eq(mode_of("state/.lock"), 0600);
	ck_assert_uint_eq(mode_of("state/pools/.lock"), 0600);
	ck_assert_uint_eq(mode_of("shared"), 0750);
	ck_assert_uint_eq(mode_of("shared/q"), 0750);
	ck_assert_uint_eq(gid_of("state"), group);
	ck_assert_uint_eq(gid_of("state/pools"), group);
	ck_assert_uint_eq(gid_of("state/pools/p"), group);
	ck_assert_uint_eq(gid_of("state/pools/p/a.xml"), group);
	ck_assert_uint_eq(gid_of("state/host.xml"), group);
	ck_assert_uint_eq(gid_of("shared/q"), group);

	/* a later writer naming no group keeps the directory's; a creating
	 * one gives a directory made by someone else (systemd's
	 * StateDirectory=, 0755) its mode */
	ck_assert_int_eq(chmod(state, 0755), 0);
	s = NULL;
	ck_assert_int_eq(mm_state_open(state, MM_STATE_CREATE | MM_STATE_LOCK, &s, &err), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), 0);
	mm_state_free(s);
	ck_assert_uint_eq(mode_of("state"), 0750);
	ck_assert_uint_eq(gid_of("state/pools/q"), group);
	ck_assert_uint_eq(mode_of("state/pools/q"), 0750);
}
END_TEST

START_TEST(damaged_files_reported)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	MmState *s;

	pool_p_with(a);

	write_file("host.xml",
		   "<capabilities>\n<host>\n<memoryMap name='x' iommuGroups='0'>\n"
		   "<ram start='0x2' end='0x1'/>\n</memoryMap></host></capabilities>\n");
	write_file("pools/p/b.xml", "<capabilities><host>");
	write_file("pools/p/c.xml", "<capabilities><host><memoryMap name='other' "
				    "iommuGroups='0'/></host></capabilities>\n");
	write_file("pools/p/notes.txt", "hello");
	write_file("pools/p/remote.json", "{\"members\": [");
	write_file("pools/bad name", "");

	s = open_state(0);
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(s->pools[0].n_members, 1); /* a survives */
	ck_assert_ptr_null(s->host);
	static const char *const want[] = {
		"host.xml:4: <ram> end 0x1 before start 0x2",
		"pools/p/b.xml",
		"pools/p/c.xml: holds the map of host 'other', not 'c'; ignored",
		"pools/p/notes.txt: not a member map",
		"pools/p/remote.json: not a remote member list",
		"pools/bad name: not a valid pool name",
	};
	ck_assert_int_eq(s->n_warnings, ELEMENTSOF(want));
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		bool found = false;
		for (size_t j = 0; j < s->n_warnings; j++)
			found |= strncmp(s->warnings[j], want[i], strlen(want[i])) == 0;
		ck_assert_msg(found, "no warning starting '%s'", want[i]);
	}
	mm_state_free(s);
}
END_TEST

START_TEST(bad_names_refused)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	static const char *const bad[] = { "",        ".",   "..",  "../x", "a/b",
					   ".hidden", "a b", "x\n", "/etc" };
	MmError err = { 0 };
	MmState *s = open_state(MM_STATE_CREATE);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ck_assert_msg(!mm_state_name_valid(bad[i]), "'%s' accepted", bad[i]);
		ck_assert_int_eq(mm_state_create_pool(s, bad[i], &err), -EINVAL);
		ck_assert_int_eq(mm_state_delete_pool(s, bad[i], &err), -EINVAL);
		ck_assert_int_eq(mm_state_remove_member(s, "p", bad[i], &err), -EINVAL);
		free(a->name);
		a->name = strdup(bad[i]);
		ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), -EINVAL);
	}
	char longname[260];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[251] = '\0';
	ck_assert(!mm_state_name_valid(longname));
	/* the same bound for every name, in a map or on the command line */
	ck_assert(!mm_name_valid(longname));
	longname[250] = '\0';
	ck_assert(mm_state_name_valid(longname));
	ck_assert_int_eq(mm_state_create_pool(s, longname, &err), 0);
	ck_assert_str_eq(mm_state_find_pool(s, "p")->name, "p");
	ck_assert_int_eq(mm_state_find_pool(s, "p")->n_members, 0);
	mm_state_free(s);
	/* nothing was written beside the pools (and the lock taken to create
	 * one): no file of a refused name */
	char cmd[1200];
	snprintf(cmd, sizeof(cmd),
		 "test \"$(cd '%s' && find . -mindepth 1 ! -name .lock | sort | tr '\\n' ' ')\" = "
		 "\"./pools ./pools/p ./pools/%s \"",
		 dir, longname);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(bad_input_changes_nothing)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *x = tu_probe("x86-q35-vtd", "x");
	MmError err = { 0 };
	MmState *s = open_state(MM_STATE_CREATE);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);

	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), -EEXIST);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), -EEXIST);
	ck_assert_str_eq(err.message, "pool 'p' already has a host 'a'");
	ck_assert_int_eq(mm_state_add_member(s, "q", a, NULL, false, &err), -ENOENT);
	/* another architecture cannot join */
	ck_assert_int_eq(mm_state_add_member(s, "p", x, NULL, false, &err), -EDOM);
	ck_assert_ptr_nonnull(strstr(err.message, "architectures"));
	ck_assert(!exists("pools/p/x.xml"));
	ck_assert_int_eq(mm_state_remove_member(s, "p", "zz", &err), -ENOENT);
	ck_assert_int_eq(mm_state_mark_stale(s, "p", "a", &err), -EINVAL);
	ck_assert_int_eq(mm_state_delete_pool(s, "q", &err), -ENOENT);
	ck_assert_int_eq(s->pools[0].n_members, 1);
	mm_state_free(s);
	s = open_state(0);
	ck_assert_int_eq(s->n_warnings, 0);
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(s->pools[0].n_members, 1);
	ck_assert_int_eq(count_hidden(""), 0);
	mm_state_free(s);
}
END_TEST

/* mm_state_add_member in halves (migmapd prepares on a thread): what the
 * first half made is taken by the second whatever it answers, the pool is
 * judged as it is when stored, and the stored map reads back as the
 * probed one. */
START_TEST(add_in_two_halves)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *x = tu_probe("x86-q35-vtd", "x");
	_cleanup_(mm_state_prepared_freep) MmStatePrepared *pa = NULL, *pa2 = NULL, *px = NULL;
	_cleanup_free_ char *want = format(a);
	MmError err = { 0 };
	MmState *s = open_state(MM_STATE_CREATE);

	ck_assert_int_eq(mm_state_prepare_member(a, &pa, &err), 0);
	ck_assert_int_eq(mm_state_prepare_member(a, &pa2, &err), 0);
	ck_assert_int_eq(mm_state_prepare_member(x, &px, &err), 0);
	ck_assert_str_eq(mm_state_prepared_name(pa), "a");
	/* the pool is made after the map was prepared */
	ck_assert_int_eq(mm_state_add_prepared(s, "p", &pa, NULL, false, &err), -ENOENT);
	ck_assert_ptr_null(pa);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_prepared(s, "p", &pa2, NULL, false, &err), 0);
	ck_assert_ptr_null(pa2);
	ck_assert_int_eq(mm_state_add_prepared(s, "p", &px, NULL, false, &err), -EDOM);
	ck_assert_ptr_null(px);
	ck_assert(!exists("pools/p/x.xml"));
	ck_assert_int_eq(mm_state_add_prepared(s, "p", &px, NULL, false, &err), -EINVAL);
	mm_state_free(s);

	s = open_state(0);
	const MmStatePool *p = mm_state_find_pool(s, "p");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->n_members, 1);
	_cleanup_free_ char *got = format(p->members[0].map);
	ck_assert_str_eq(got, want);
	mm_state_free(s);
}
END_TEST

/* A refresh's outcome in one write: fresh members take the new fetch time
 * and lose their stale mark, stale ones keep their last time; imported and
 * unknown members are left alone; a reopen reads the same. The times are
 * SOURCE_DATE_EPOCH's, 2025-11-24T16:00:00Z and one day later, as date(1)
 * prints them. */
START_TEST(record_fetches)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = tu_probe("arm64-hwmsi", "b");
	_cleanup_(mm_hostmap_freep) MmHostMap *c = tu_probe("arm64-virt-gicv2", "c");
	char *fresh[] = { "b", "zz" }, *stale[] = { "c", "a" };
	MmError err = { 0 };

	ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", "1764000000", 1), 0);
	MmState *s = open_state(MM_STATE_CREATE);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", b, "unix:path=/run/b", false, &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", c, "unix:path=/run/c", false, &err), 0);
	ck_assert_int_eq(mm_state_mark_stale(s, "p", "b", &err), 0);
	ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", "1764086400", 1), 0);
	ck_assert_int_eq(mm_state_record_fetches(s, "p", fresh, 2, stale, 2, &err), 0);
	ck_assert_int_eq(mm_state_record_fetches(s, "nope", fresh, 2, stale, 2, &err), -ENOENT);
	ck_assert_int_eq(unsetenv("SOURCE_DATE_EPOCH"), 0);
	for (int pass = 0; pass < 2; pass++) {
		const MmStatePool *p = mm_state_find_pool(s, "p");
		ck_assert_int_eq(p->n_members, 3);
		ck_assert_ptr_null(p->members[0].fetched);
		ck_assert(!p->members[0].stale);
		ck_assert_str_eq(p->members[1].fetched, "2025-11-25T16:00:00Z");
		ck_assert(!p->members[1].stale);
		ck_assert_str_eq(p->members[2].fetched, "2025-11-24T16:00:00Z");
		ck_assert(p->members[2].stale);
		mm_state_free(s);
		s = pass == 0 ? open_state(0) : NULL;
	}
	ck_assert_int_eq(count_hidden(""), 0);
}
END_TEST

START_TEST(one_writer)
{
	MmState *s = open_state(MM_STATE_CREATE | MM_STATE_LOCK), *t = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_state_open(dir, MM_STATE_LOCK, &t, &err), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err.message, "in use"));
	/* readers are never blocked */
	t = open_state(0);
	mm_state_free(t);
	mm_state_free(s);
	t = open_state(MM_STATE_LOCK);
	mm_state_free(t);
}
END_TEST

/* Daemons sharing a directory: shared locks coexist, an exclusive writer
 * is kept out while one holds it. */
START_TEST(shared_writers)
{
	MmState *s = open_state(MM_STATE_CREATE | MM_STATE_SHARED), *t = NULL;
	MmError err = { 0 };
	t = open_state(MM_STATE_SHARED);
	MmState *u = NULL;
	ck_assert_int_eq(mm_state_open(dir, MM_STATE_LOCK, &u, &err), -EBUSY);
	mm_state_free(t);
	mm_state_free(s);
	t = open_state(MM_STATE_LOCK);
	mm_state_free(t);
}
END_TEST

/* Two stores on one pools directory (pool_dir): what one writes, the other
 * reloads, naming the pools that changed; the generation is kept. */
START_TEST(reload_sees_other_writers)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = tu_probe("arm64-hwmsi", "b");
	char pools[300], one[300], two[300];
	MmState *s = NULL, *t = NULL;
	MmError err = { 0 };
	char **changed = NULL;
	size_t n = 0;

	snprintf(pools, sizeof(pools), "%s/shared", dir);
	snprintf(one, sizeof(one), "%s/one", dir);
	snprintf(two, sizeof(two), "%s/two", dir);
	ck_assert_int_eq(mm_state_open_pools(one, pools, MM_STATE_CREATE | MM_STATE_SHARED, &s,
					     &err),
			 0);
	ck_assert_int_eq(mm_state_open_pools(two, pools, MM_STATE_CREATE | MM_STATE_SHARED, &t,
					     &err),
			 0);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);
	/* t's copy is older: creating p there fails as the directory exists */
	ck_assert_int_eq(mm_state_create_pool(t, "p", &err), -EEXIST);
	ck_assert_int_eq(mm_state_reload(t, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(changed[0], "p");
	ck_assert_str_eq(changed[1], "q");
	mm_strv_free(changed, n);
	ck_assert_int_eq(mm_state_find_pool(t, "p")->n_members, 1);
	ck_assert_int_eq(mm_state_add_member(t, "p", b, NULL, false, &err), 0);
	ck_assert_int_eq(mm_state_set_generation(t, "q", 7, &err), 0);
	/* nothing changed for t itself */
	ck_assert_int_eq(mm_state_reload(t, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 2);
	mm_strv_free(changed, n);
	ck_assert_int_eq(mm_state_find_pool(s, "p")->n_members, 2);
	ck_assert_uint_eq(mm_state_find_pool(s, "q")->generation, 7);
	ck_assert_int_eq(mm_state_delete_pool(t, "q", &err), 0);
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(changed[0], "q");
	mm_strv_free(changed, n);
	ck_assert_ptr_null(mm_state_find_pool(s, "q"));
	ck_assert_int_eq(s->n_warnings, 0);
	mm_state_free(s);
	mm_state_free(t);
}
END_TEST

/* A reload parses only member files whose content changed (what a
 * shared-directory rescan needs: migmapd rescans after each of its own
 * writes and every rescan_interval, on its event loop). An unchanged file
 * keeps its map object; a file rewritten by another writer with other
 * content, or with the same size and one byte changed, is read again; one
 * rewritten with the same bytes is no change. */
START_TEST(reload_parses_only_changed_files)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = tu_probe("arm64-hwmsi", "b");
	_cleanup_(mm_hostmap_freep) MmHostMap *b2 = tu_probe("arm64-virt-gicv2", "b");
	MmState *s = open_state(MM_STATE_CREATE), *t = NULL;
	MmError err = { 0 };
	char **changed = NULL;
	size_t n = 0;

	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", b, NULL, false, &err), 0);
	const MmHostMap *map_a = mm_state_find_member(mm_state_find_pool(s, "p"), "a")->map;
	const MmHostMap *map_b = mm_state_find_member(mm_state_find_pool(s, "p"), "b")->map;

	/* its own writes: nothing to parse */
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_eq(mm_state_find_member(mm_state_find_pool(s, "p"), "a")->map, map_a);
	ck_assert_ptr_eq(mm_state_find_member(mm_state_find_pool(s, "p"), "b")->map, map_b);

	/* another writer stores b again with the same content: no change */
	t = open_state(0);
	ck_assert_int_eq(mm_state_add_member(t, "p", b, NULL, true, &err), 0);
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_eq(mm_state_find_member(mm_state_find_pool(s, "p"), "b")->map, map_b);

	/* ... and with another map: b is read again, a is kept */
	ck_assert_int_eq(mm_state_add_member(t, "p", b2, NULL, true, &err), 0);
	mm_state_free(t);
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(changed[0], "p");
	mm_strv_free(changed, n);
	const MmStatePool *p = mm_state_find_pool(s, "p");
	ck_assert_ptr_eq(mm_state_find_member(p, "a")->map, map_a);
	_cleanup_free_ char *want = format(b2), *got = format(mm_state_find_member(p, "b")->map);
	ck_assert_str_eq(got, want);

	/* one byte of a changed in place, same size, same file: read again */
	_cleanup_free_ char *text = format(a);
	char *nodes = strstr(text, "name='a'");
	if (!nodes)
		nodes = strstr(text, "name=\"a\"");
	ck_assert_ptr_nonnull(nodes);
	nodes[6] = 'z'; /* name='z': a map that is not the member's own */
	write_file("pools/p/a.xml", text);
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	mm_strv_free(changed, n);
	p = mm_state_find_pool(s, "p");
	ck_assert_ptr_null(mm_state_find_member(p, "a"));
	/* skipped, and said so */
	ck_assert_int_eq(s->n_warnings, 1);
	ck_assert_ptr_nonnull(strstr(s->warnings[0], "pools/p/a.xml"));
	ck_assert_ptr_nonnull(strstr(s->warnings[0], "holds the map of host 'z'"));
	/* fixed again: the warning goes with the next reload */
	_cleanup_free_ char *fixed = format(a);
	write_file("pools/p/a.xml", fixed);
	ck_assert_int_eq(mm_state_reload(s, &changed, &n, &err), 0);
	mm_strv_free(changed, n);
	ck_assert_int_eq(s->n_warnings, 0);
	mm_state_free(s);
}
END_TEST

START_TEST(missing_dir)
{
	MmState *s = NULL;
	MmError err = { 0 };
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/none", dir);
	ck_assert_int_eq(mm_state_open(missing, 0, &s, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.message, "cannot open the state directory"));
}
END_TEST

/* Damaged pool files of other kinds: each is a warning, the rest loads. */
START_TEST(damaged_pool_files)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	MmState *s;

	pool_p_with(a);
	/* remote.json: valid JSON without "members"; a member without an
	 * address; an unknown member (skipped) */
	write_file("pools/p/remote.json", "[1, 2]");
	write_file("pools/p/generation", "twelve\n");
	write_file("pools/p/bad name.xml", "");
	write_file("pools/file", "not a directory");
	s = open_state(0);
	static const char *const want[] = {
		("pools/p/remote.json: not a remote member list (no \"members\" object); its "
		 "members count as imported"),
		"pools/p/generation: not a number, taken as 0",
		"pools/p/bad name.xml: 'bad name' is not a valid host name, ignored",
		"pools/file: not a pool directory (Not a directory), ignored",
	};
	ck_assert_int_eq(s->n_warnings, ELEMENTSOF(want));
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		bool found = false;
		for (size_t j = 0; j < s->n_warnings; j++)
			found |= strcmp(s->warnings[j], want[i]) == 0;
		ck_assert_msg(found, "no warning '%s'", want[i]);
	}
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(s->pools[0].generation, 0);
	ck_assert_ptr_null(s->pools[0].members[0].address);
	mm_state_free(s);

	write_file("pools/p/remote.json",
		   "{\"members\": {\"a\": {\"fetched\": \"2026-01-01T00:00:00Z\"}, "
		   "\"zz\": {\"address\": \"unix:path=/x\"}}}");
	write_file("pools/p/generation", "7\n");
	s = open_state(0);
	ck_assert_int_eq(s->pools[0].generation, 7);
	ck_assert_ptr_null(s->pools[0].members[0].address);
	bool found = false;
	for (size_t j = 0; j < s->n_warnings; j++)
		found |= strcmp(s->warnings[j], "pools/p/remote.json: member 'a' has no address; "
						"it counts as imported") == 0;
	ck_assert(found);
	mm_state_free(s);

	/* files that are not regular files are not read */
	ck_assert_int_eq(unlink(path("pools/p/generation")), 0);
	ck_assert_int_eq(mkfifo(path("pools/p/generation"), 0600), 0);
	ck_assert_int_eq(unlink(path("pools/p/remote.json")), 0);
	ck_assert_int_eq(mkdir(path("pools/p/remote.json"), 0700), 0);
	s = open_state(0);
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(s->pools[0].n_members, 1);
	int hits = 0;
	for (size_t j = 0; j < s->n_warnings; j++)
		hits += strcmp(s->warnings[j], "pools/p/generation: not a regular file") == 0 ||
			strcmp(s->warnings[j], "pools/p/remote.json: not a regular file") == 0;
	ck_assert_int_eq(hits, 2);
	mm_state_free(s);
}
END_TEST

/* The state directory's own members in the wrong shape: errors, no hang. */
START_TEST(state_dir_in_the_wrong_shape)
{
	MmState *s = NULL;
	MmError err = { 0 };
	char sub[300];
	/* the directory is a file */
	write_file("file", "x");
	snprintf(sub, sizeof(sub), "%s/file", dir);
	ck_assert_int_eq(mm_state_open(sub, MM_STATE_CREATE, &s, &err), -ENOTDIR);
	ck_assert_str_eq(err.message, "cannot open the state directory: Not a directory");
	/* its parent is missing: not created */
	snprintf(sub, sizeof(sub), "%s/none/s", dir);
	ck_assert_int_eq(mm_state_open(sub, MM_STATE_CREATE, &s, &err), -ENOENT);
	ck_assert_str_eq(err.message, "cannot create the state directory: No such file or "
				      "directory");
	ck_assert(!exists("none"));
	/* the lock is a directory, a FIFO */
	ck_assert_int_eq(mkdir(path(".lock"), 0700), 0);
	ck_assert_int_eq(mm_state_open(dir, MM_STATE_LOCK, &s, &err), -EISDIR);
	ck_assert_str_eq(err.message, "cannot open the lock file: Is a directory");
	ck_assert_int_eq(rmdir(path(".lock")), 0);
	ck_assert_int_eq(mkfifo(path(".lock"), 0600), 0);
	ck_assert_int_eq(mm_state_open(dir, MM_STATE_SHARED, &s, &err), -EINVAL);
	ck_assert_int_eq(unlink(path(".lock")), 0);
	/* pools is a file: open refuses, as does creating a pool */
	write_file("pools", "x");
	ck_assert_int_eq(mm_state_open(dir, MM_STATE_CREATE, &s, &err), -ENOTDIR);
	ck_assert_str_eq(err.message, "cannot open pools: Not a directory");
	ck_assert_ptr_null(s);
	ck_assert_int_eq(unlink(path("pools")), 0);
	/* a pool_dir elsewhere that is a file */
	ck_assert_int_eq(mm_state_open_pools(dir, path("file"), MM_STATE_CREATE, &s, &err),
			 -ENOTDIR);
	ck_assert_str_eq(err.file, path("file"));
	ck_assert_ptr_null(s);
}
END_TEST

/* A store without pools/ (an old one, or made read-only) creates it with
 * its first pool. */
START_TEST(pools_dir_made_on_demand)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	MmError err = { 0 };
	MmState *s = open_state(0);
	ck_assert(!exists("pools"));
	ck_assert_int_eq(s->n_pools, 0);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert(exists("pools/p"));
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);
	ck_assert_int_eq(mm_state_delete_pool(s, "p", &err), 0);
	ck_assert(!exists("pools/p"));
	ck_assert_int_eq(s->n_pools, 0);
	mm_state_free(s);
}
END_TEST

/* Pool sync documents: every bad one refused before anything is written. */
START_TEST(import_bad_documents)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *x = tu_probe("x86-q35-vtd", "x");
	_cleanup_free_ char *xa = format(a), *xx = format(x);
	MmError err = { 0 };
	pool_p_with(a);
	MmState *s = open_state(MM_STATE_LOCK);
	_cleanup_free_ char *good = NULL;
	ck_assert_int_eq(mm_state_pool_export(s, "p", 3, &good, &err), 0);
	ck_assert_int_eq(mm_state_pool_export(s, "q", 3, &good, &err), -ENOENT);
	ck_assert_str_eq(err.message, "no pool 'q'");

	json_object *ja = json_object_new_string(xa), *jx = json_object_new_string(xx);
	const char *sa = json_object_to_json_string_ext(ja, JSON_C_TO_STRING_NOSLASHESCAPE);
	const char *sx = json_object_to_json_string_ext(jx, JSON_C_TO_STRING_NOSLASHESCAPE);
	char doc[8][16384];
	snprintf(doc[0], sizeof(doc[0]),
		 "{\"pool\": \"p\", \"generation\": 3, \"members\": "
		 "[{\"name\": \"a\", \"hostMap\": %s}, {\"name\": "
		 "\"x\", \"hostMap\": %s}]}",
		 sa, sx);
	snprintf(doc[1], sizeof(doc[1]),
		 "{\"pool\": \"p\", \"generation\": 3, \"members\": "
		 "[{\"name\": \"b\", \"hostMap\": %s}]}",
		 sa);
	snprintf(doc[2], sizeof(doc[2]),
		 "{\"pool\": \"p\", \"generation\": 3, \"members\": "
		 "[{\"name\": \"a\", \"hostMap\": %s}, {\"name\": "
		 "\"a\", \"hostMap\": %s}]}",
		 sa, sa);
	static const struct {
		int doc; /* index in doc, or -1: text */
		const char *text;
		int ret;
		const char *message;
	} bad[] = {
		{ -1, "{\"pool\": ", -EINVAL, "not JSON: unexpected end" },
		{ -1, "{\"pool\": \"q\", \"generation\": 3, \"members\": []}", -EINVAL,
		  "not the document of pool 'p' at generation 3" },
		{ -1, "{\"pool\": \"p\", \"generation\": 2, \"members\": []}", -EINVAL,
		  "not the document of pool 'p' at generation 3" },
		{ -1, "{\"pool\": \"p\", \"generation\": 3}", -EINVAL,
		  "not the document of pool 'p' at generation 3" },
		{ -1, "{\"pool\": \"p\", \"generation\": 3, \"members\": [{\"name\": \"a\"}]}",
		  -EINVAL, "member 0: no valid name or map" },
		{ -1,
		  "{\"pool\": \"p\", \"generation\": 3, \"members\": [{\"name\": \"../a\", "
		  "\"hostMap\": \"<capabilities/>\"}]}",
		  -EINVAL, "member 0: no valid name or map" },
		{ -1,
		  "{\"pool\": \"p\", \"generation\": 3, \"members\": [{\"name\": \"a\", "
		  "\"hostMap\": \"<capabilities>\"}]}",
		  -EINVAL, NULL },
		{ 0, NULL, -EDOM, NULL },
		{ 1, NULL, -EINVAL, "member 'b' holds the map of 'a'" },
		{ 2, NULL, -EINVAL, "member 'a' twice" },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		const char *text = bad[i].doc < 0 ? bad[i].text : doc[bad[i].doc];
		memset(&err, 0, sizeof(err));
		int r = mm_state_pool_import(s, "p", 3, text, strlen(text), &err);
		ck_assert_msg(r == bad[i].ret, "document %zu: %d %s", i, r, err.message);
		ck_assert_str_ne(err.message, "");
		if (bad[i].message)
			ck_assert_str_eq(err.message, bad[i].message);
	}
	/* an older or the same generation, a bad pool name */
	ck_assert_int_eq(mm_state_pool_import(s, "p", 0, good, strlen(good), &err), -ESTALE);
	ck_assert_str_eq(err.message, "pool 'p' is at generation 0 here: 0 is not newer");
	ck_assert_int_eq(mm_state_pool_import(s, "a/b", 3, good, strlen(good), &err), -EINVAL);
	ck_assert_str_eq(err.message, "invalid pool name 'a/b'");
	/* nothing changed, in memory or on disk */
	const MmStatePool *p = mm_state_find_pool(s, "p");
	ck_assert_int_eq(p->n_members, 1);
	ck_assert_int_eq(p->generation, 0);
	ck_assert(!exists("pools/p/generation"));
	ck_assert(!exists("pools/p/x.xml"));
	ck_assert(!exists("pools/p/b.xml"));
	json_object_put(ja);
	json_object_put(jx);
	mm_state_free(s);
}
END_TEST

/* An import makes the pool hold exactly the document's members: one it
 * lacks goes, even of another architecture than the ones it brings. */
START_TEST(import_replaces_members)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *x = tu_probe("x86-q35-vtd", "x");
	MmError err = { 0 };
	/* the document: pool q holding x, from another store */
	MmState *s = open_state(MM_STATE_CREATE);
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "q", x, NULL, false, &err), 0);
	_cleanup_free_ char *doc = NULL;
	ck_assert_int_eq(mm_state_pool_export(s, "q", 4, &doc, &err), 0);
	ck_assert_int_eq(mm_state_delete_pool(s, "q", &err), 0);
	/* here q holds a (arm64) */
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "q", a, NULL, false, &err), 0);
	ck_assert_int_eq(mm_state_pool_import(s, "q", 4, doc, strlen(doc), &err), 0);
	const MmStatePool *p = mm_state_find_pool(s, "q");
	ck_assert_int_eq(p->n_members, 1);
	ck_assert_str_eq(p->members[0].name, "x");
	ck_assert_int_eq(p->generation, 4);
	ck_assert(!exists("pools/q/a.xml"));
	/* a pool new here is created */
	ck_assert_int_eq(mm_state_pool_import(s, "new", 4, doc, strlen(doc), &err), -EINVAL);
	mm_state_free(s);
	s = open_state(0);
	ck_assert_int_eq(mm_state_find_pool(s, "q")->generation, 4);
	ck_assert_int_eq(mm_state_find_pool(s, "q")->n_members, 1);
	mm_state_free(s);
}
END_TEST

/* Writes that the file system refuses (a directory where a file goes, a
 * pool directory gone): each fails with its message, memory unchanged. */
START_TEST(refused_writes_change_nothing)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = tu_probe("arm64-hwmsi", "b");
	MmError err = { 0 };
	MmState *s = open_state(MM_STATE_CREATE | MM_STATE_LOCK);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", a, NULL, false, &err), 0);

	/* host.xml is a directory: renaming the new file onto it fails */
	ck_assert_int_eq(mkdir(path("host.xml"), 0700), 0);
	ck_assert_int_eq(mm_state_save_host(s, a, &err), -EISDIR);
	ck_assert_str_eq(err.file, "host.xml");
	ck_assert_str_eq(err.message, "cannot write: Is a directory");
	ck_assert_ptr_null(s->host);
	ck_assert_int_eq(count_hidden(""), 0); /* its temporary file removed */

	/* the member's file is a directory */
	ck_assert_int_eq(mkdir(path("pools/p/b.xml"), 0700), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", b, NULL, false, &err), -EISDIR);
	ck_assert_str_eq(err.file, "pools/p/b.xml");
	ck_assert_str_eq(err.message, "cannot write: Is a directory");
	ck_assert_int_eq(mm_state_find_pool(s, "p")->n_members, 1);
	ck_assert_int_eq(rmdir(path("pools/p/b.xml")), 0);

	/* remote.json is a directory: a remote member cannot be recorded */
	ck_assert_int_eq(mkdir(path("pools/p/remote.json"), 0700), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", b, "unix:path=/run/b", false, &err), -EISDIR);
	ck_assert_ptr_nonnull(strstr(err.message, "remote.json"));
	ck_assert_int_eq(mm_state_find_pool(s, "p")->n_members, 1);
	ck_assert_int_eq(rmdir(path("pools/p/remote.json")), 0);

	/* a member file that cannot be removed (a directory with an entry) */
	ck_assert_int_eq(unlink(path("pools/p/a.xml")), 0);
	ck_assert_int_eq(mkdir(path("pools/p/a.xml"), 0700), 0);
	write_file("pools/p/a.xml/x", "");
	ck_assert_int_eq(mm_state_remove_member(s, "p", "a", &err), -EISDIR);
	ck_assert_str_eq(err.message, "pools/p/a.xml: cannot remove: Is a directory");
	ck_assert_int_eq(mm_state_find_pool(s, "p")->n_members, 1);

	/* the pools lock is a directory: no pool is made or deleted */
	ck_assert_int_eq(unlink(path("pools/.lock")), 0);
	ck_assert_int_eq(mkdir(path("pools/.lock"), 0700), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), -EISDIR);
	ck_assert_str_eq(err.message, "cannot open: Is a directory");
	ck_assert_int_eq(mm_state_delete_pool(s, "p", &err), -EISDIR);
	ck_assert_int_eq(s->n_pools, 1);
	ck_assert_int_eq(rmdir(path("pools/.lock")), 0);

	/* a pool directory made behind the store's back is not overwritten */
	ck_assert_int_eq(mkdir(path("pools/q"), 0700), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "q", &err), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err.message, "exists (not a loadable pool)"));
	ck_assert_int_eq(s->n_pools, 1);

	/* the pool's directory gone behind it */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path("pools/p"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(mm_state_set_generation(s, "p", 2, &err), -ENOENT);
	ck_assert_str_eq(err.message, "pools/p: cannot open: No such file or directory");
	ck_assert_int_eq(mm_state_find_pool(s, "p")->generation, 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", b, NULL, false, &err), -ENOENT);
	mm_state_free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, leftovers_not_loaded);
	tcase_add_test(tc, writes_leave_no_temporaries);
	tcase_add_test(tc, leftovers_removed_once_no_writer_owns_them);
	tcase_add_loop_test(tc, modes_whatever_the_umask, 0, ELEMENTSOF(umasks));
	tcase_add_test(tc, damaged_files_reported);
	tcase_add_test(tc, bad_names_refused);
	tcase_add_test(tc, bad_input_changes_nothing);
	tcase_add_test(tc, add_in_two_halves);
	tcase_add_test(tc, record_fetches);
	tcase_add_test(tc, one_writer);
	tcase_add_test(tc, shared_writers);
	tcase_add_test(tc, reload_sees_other_writers);
	tcase_add_test(tc, reload_parses_only_changed_files);
	tcase_add_test(tc, missing_dir);
	tcase_add_test(tc, damaged_pool_files);
	tcase_add_test(tc, state_dir_in_the_wrong_shape);
	tcase_add_test(tc, pools_dir_made_on_demand);
	tcase_add_test(tc, import_bad_documents);
	tcase_add_test(tc, import_replaces_members);
	tcase_add_test(tc, refused_writes_change_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
