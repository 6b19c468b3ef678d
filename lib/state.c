/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory (docs/design.md §9): this host's last map and, per pool, its
 * members' maps and where the remote ones come from.
 *
 *   <dir>/host.xml                  this host's map
 *   <dir>/pools/<pool>/<host>.xml   a member's map (host capabilities fragment)
 *   <dir>/pools/<pool>/remote.json  the remote members: bus address, last
 *                                   fetch, stale flag
 *   <dir>/pools/<pool>/generation   the pool's generation (pool sync)
 *   <dir>/pools/.lock               flock()ed while a pool is created or deleted
 *   <dir>/.lock                     flock()ed by the one writer, or shared
 *                                   by the daemons that use this directory
 *
 * The pools directory may be elsewhere (pool_dir), on storage several
 * hosts' migmapd share (docs/design.md §9): each writes only its own member
 * file, so no lock is needed but the one around creating or deleting a pool.
 *
 * Every write goes to a hidden temporary file in the target's directory, is
 * fsynced, renamed over the target and the directory fsynced, so a crash
 * leaves the old or the new file. Hidden names (".…") are never loaded, and
 * no pool or member name may start with '.', so a leftover temporary file or
 * a half-deleted pool is invisible; writers remove such leftovers once no
 * writer, here or on another host, can still finish them (is_leftover).
 * Modes are explicit whatever the umask (set_mode). All access goes through directory fds
 * (openat and friends); names are validated before they reach a path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "error.h"
#include "hostmap-format.h"
#include "hostmap.h"
#include "jsonutil.h"
#include "macros.h"
#include "pool.h"
#include "state.h"
#include "strv.h"
#include "sysroot.h"
#include "util.h"

#define HOST_FILE       "host.xml"
#define POOLS_DIR       "pools"
#define REMOTE_FILE     "remote.json"
#define LOCK_FILE       ".lock"
#define GENERATION_FILE "generation"
/* Explicit modes whatever the umask (docs/design.md §9): maps and
 * directories readable by the admin group, what holds addresses or
 * commands (remote.json: SSH command lines) and the locks by the owner
 * alone. */
#define STATE_FILE_MODE   0640
#define STATE_DIR_MODE    0750
#define STATE_SECRET_MODE 0600
/* A temporary file this old is a crash's leftover whoever wrote it: a
 * write of at most STATE_FILE_MAX takes seconds, and a writer stalled
 * longer than this loses only its own write (its rename fails). Generous
 * for the clock skew between hosts sharing pool_dir (docs/design.md §9). */
#define LEFTOVER_AGE_SEC (30 * 60)
/* The largest map file accepted: the XML reader's own limit. */
#define STATE_FILE_MAX (16u << 20)
/* <name>.xml must fit NAME_MAX (255). */
#define STATE_NAME_MAX 250

bool mm_state_name_valid(const char *name)
{
	return mm_name_valid(name) && strlen(name) <= STATE_NAME_MAX;
}

static void member_clear(MmStateMember *m)
{
	free(m->name);
	mm_hostmap_free(m->map);
	free(m->address);
	free(m->fetched);
	memset(m, 0, sizeof(*m));
}

static void pool_clear(MmStatePool *p)
{
	free(p->name);
	for (size_t i = 0; i < p->n_members; i++)
		member_clear(&p->members[i]);
	free(p->members);
	memset(p, 0, sizeof(*p));
}

void mm_state_free(MmState *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->poolsfd >= 0)
		close(s->poolsfd);
	mm_hostmap_free(s->host);
	for (size_t i = 0; i < s->n_pools; i++)
		pool_clear(&s->pools[i]);
	free(s->pools);
	mm_strv_free(s->warnings, s->n_warnings);
	free(s);
}

static int add_warning(MmState *s, const char *fmt, ...) _printf_(2, 3);
static int add_warning(MmState *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mm_strv_appendv(&s->warnings, &s->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

static int add_error_warning(MmState *s, const MmError *e)
{
	char buf[1024];
	return add_warning(s, "%s", mm_error_format(e, buf, sizeof(buf)));
}

/* ---- atomic writes ------------------------------------------------------ */

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Give fd exactly mode (the umask only ever removes bits) and, when gid is
 * not -1, that group. A writer that may not give the group (not a member
 * of it, a root-squashing NFS server) keeps its own: the mode still holds. */
static int set_mode(int fd, mode_t mode, gid_t gid)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* fchown only to change something: the shipped unit filters @chown
	 * (docs/design.md §9), and the group is mostly the one there already */
	if (gid != (gid_t)-1 && st.st_gid != gid && fchown(fd, (uid_t)-1, gid) < 0 &&
	    errno != EPERM)
		return -errno;
	return fchmod(fd, mode) < 0 ? -errno : 0;
}

/* mkdirat, created owner-only and then given STATE_DIR_MODE and gid;
 * -EEXIST (and the existing directory left alone) when it is there. */
static int make_dir_at(int dirfd, const char *name, gid_t gid)
{
	if (mkdirat(dirfd, name, 0700) < 0)
		return -errno;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = set_mode(fd, STATE_DIR_MODE, gid);
	close(fd);
	return r;
}

/* Temporary files are named ".#<boot>.<pidns>.<pid>.<random>.tmp": the
 * boot id and the pid namespace say whether <pid> is a process this one
 * can see, so a leftover of a dead local writer is known at once. Where
 * /proc does not tell them, ".#<random>.tmp" (age alone decides). */
typedef struct WriterTag {
	char boot[33]; /* boot id, 32 hex digits; "" when unknown */
	uint64_t pidns;
} WriterTag;

static void writer_tag(WriterTag *t)
{
	char buf[64], link[64];
	size_t n = 0;
	int fd;
	ssize_t k;

	memset(t, 0, sizeof(*t));
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (ssize_t i = 0; i < k && n < 32; i++)
		if (strchr("0123456789abcdef", buf[i]) && buf[i])
			t->boot[n++] = buf[i];
	k = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);
	if (n != 32 || k <= 0 ||
	    (link[k] = '\0', sscanf(link, "pid:[%" SCNu64 "]", &t->pidns) != 1)) {
		memset(t, 0, sizeof(*t));
		return;
	}
	t->boot[32] = '\0';
}

static void temp_name(char *buf, size_t size, const WriterTag *t, unsigned attempt)
{
	uint64_t rnd;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^ attempt;
	if (t->boot[0])
		snprintf(buf, size, ".#%s.%" PRIu64 ".%ld.%016" PRIx64 ".tmp", t->boot, t->pidns,
			 (long)getpid(), rnd);
	else
		snprintf(buf, size, ".#%016" PRIx64 ".tmp", rnd);
}

/* Whether name (in dirfd) is a temporary file no writer will finish: one
 * of a process of this boot and pid namespace that is gone, or one older
 * than LEFTOVER_AGE_SEC whoever wrote it. A pid used again by another
 * process only delays the removal to the age rule; a live writer's file,
 * here or on another host sharing the directory, is never removed
 * (docs/design.md §9). */
static bool is_leftover(int dirfd, const char *name, const WriterTag *t)
{
	size_t n = strlen(name);
	struct stat st;
	if (n < 2 + 4 + 1 || strncmp(name, ".#", 2) != 0 || strcmp(name + n - 4, ".tmp") != 0)
		return false;
	if (t->boot[0] && n > 2 + 32 && strncmp(name + 2, t->boot, 32) == 0 && name[34] == '.') {
		uint64_t pidns;
		long pid;
		int used = 0;
		if (sscanf(name + 35, "%" SCNu64 ".%ld.%*16[0-9a-f].tmp%n", &pidns, &pid, &used) ==
			    2 &&
		    (size_t)used == n - 35 && pidns == t->pidns && pid > 0 &&
		    kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			return true;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return false;
	return time(NULL) - st.st_mtime > LEFTOVER_AGE_SEC;
}

/* Remove the temporary files interrupted writes left in directory fd;
 * best-effort: a leftover that stays is only disk space. */
static void reap_dir(int fd, const WriterTag *t)
{
	char **names = NULL;
	size_t n = 0;
	if (mm_list_dir_at(fd, ".", &names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (is_leftover(fd, names[i], t))
			(void)unlinkat(fd, names[i], 0);
	mm_strv_free(names, n);
}

/* Replace name (in dirfd) by data: temporary file (created 0600, then
 * given mode and group before any byte is written), fsync, rename, fsync
 * of the directory. On failure the old file is untouched. What crashed
 * writes left in dirfd goes first. */
static int write_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			   gid_t gid)
{
	char tmp[128];
	WriterTag tag;
	int fd = -1, r;

	writer_tag(&tag);
	reap_dir(dirfd, &tag);
	for (unsigned attempt = 0;; attempt++) {
		temp_name(tmp, sizeof(tmp), &tag, attempt);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST || attempt > 16)
			return -errno;
	}
	/* addresses and commands stay the owner's: no group for them */
	r = set_mode(fd, mode, mode == STATE_SECRET_MODE ? (gid_t)-1 : gid);
	if (r == 0)
		r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return fsync(dirfd) < 0 ? -errno : 0;
}

/* Open (creating owner-only) a lock file and make it STATE_SECRET_MODE
 * when it is ours: nobody else needs to open it. */
static int open_lock_at(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name,
			O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_uid == geteuid() && (st.st_mode & 07777) != STATE_SECRET_MODE)
		(void)fchmod(fd, STATE_SECRET_MODE);
	return fd;
}

static int open_dir_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Creating and deleting pools is the one thing several migmapd sharing a
 * pools directory must not do at once: flock() of pools/.lock, held (and
 * waited for) only meanwhile. The returned fd is the lock. */
static int pools_lock(int poolsfd, MmError *err)
{
	int fd = open_lock_at(poolsfd, LOCK_FILE);
	if (fd < 0) {
		int r = fd;
		mm_error_set(err, POOLS_DIR "/" LOCK_FILE, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	while (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		if (r == -EINTR)
			continue;
		close(fd);
		mm_error_set(err, POOLS_DIR "/" LOCK_FILE, 0, "cannot lock: %s", strerror(-r));
		return r;
	}
	return fd;
}

/* Remove every entry of dirfd (one level: pools hold plain files). */
static int empty_dir(int dirfd)
{
	char **names = NULL;
	size_t n = 0;
	int r = mm_list_dir_at(dirfd, ".", &names, &n, NULL);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (unlinkat(dirfd, names[i], 0) < 0 && errno != ENOENT)
			r = -errno;
	mm_strv_free(names, n);
	return r;
}

/* Finish the deletions a crash interrupted: under the pools lock a
 * ".#deleted.*" directory is no deleter's any more (one holds the lock
 * from its rename to its removal). */
static void reap_deleted(int poolsfd)
{
	char **names = NULL;
	size_t n = 0;
	if (mm_list_dir_at(poolsfd, ".", &names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], ".#deleted.", 10) != 0)
			continue;
		_cleanup_close_ int fd = open_dir_at(poolsfd, names[i]);
		if (fd >= 0 && empty_dir(fd) >= 0)
			(void)unlinkat(poolsfd, names[i], AT_REMOVEDIR);
	}
	mm_strv_free(names, n);
}

/* ---- loading ------------------------------------------------------------ */

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const MmStateMember *)a)->name, ((const MmStateMember *)b)->name);
}

static int pool_cmp(const void *a, const void *b)
{
	return strcmp(((const MmStatePool *)a)->name, ((const MmStatePool *)b)->name);
}

static bool has_suffix(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (n <= k || strcmp(s + n - k, suffix) != 0)
		return false;
	*stem = n - k;
	return true;
}

/* The content hash of a member file (MmStateMember.content_hash): 64-bit
 * FNV-1a over the bytes and their length, never 0 (0 is "unknown"). Not a
 * defence against a forger, who could write the pool directory anyway: it
 * tells a rewritten file from an unchanged one. */
static uint64_t content_hash(const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	h ^= len;
	return h ? h : 1;
}

/* Read and parse one map file; rel is the name used in messages. A bad
 * file returns < 0 with err filled. */
static int read_map_at(int dirfd, const char *file, const char *rel, MmHostMap **ret, MmError *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mm_read_file_at(dirfd, file, STATE_FILE_MAX, &text, &len, err);
	if (r < 0) {
		snprintf(err->file, sizeof(err->file), "%s", rel);
		return r;
	}
	return mm_hostmap_parse_xml(text, len, rel, ret, err);
}

/* Apply remote.json to the loaded members; entries for members that have
 * no map (a crash between the two writes of an add) are dropped. */
static int load_remote(MmState *s, MmStatePool *p, int poolfd)
{
	_cleanup_free_ char *text = NULL, *rel = NULL;
	MmError err = { 0 };
	size_t len;

	if (asprintf(&rel, POOLS_DIR "/%s/" REMOTE_FILE, p->name) < 0)
		return -ENOMEM;
	int r = mm_read_file_at(poolfd, REMOTE_FILE, STATE_FILE_MAX, &text, &len, &err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return add_warning(s, "%s: %s", rel, err.message);

	_cleanup_(mm_json_putp) json_object *root = NULL;
	json_object *members = NULL;
	r = mm_json_parse(text, len, rel, &root, &err);
	if (r == -ENOMEM)
		return r;
	if (r == 0 && !(members = mm_json_get(root, "members", json_type_object)))
		mm_error_set(&err, rel, 0, "no \"members\" object");
	if (!members)
		return add_warning(
			s, "%s: not a remote member list (%s); its members count as imported", rel,
			err.message);
	r = 0;
	json_object_object_foreach(members, key, val) {
		MmStateMember key_member = { .name = key };
		MmStateMember *m = p->n_members ? bsearch(&key_member, p->members, p->n_members,
							  sizeof(*p->members), member_cmp)
						: NULL;
		const char *address = mm_json_get_string(val, "address");
		const char *fetched = mm_json_get_string(val, "fetched");
		json_object *stale = mm_json_get(val, "stale", json_type_boolean);
		if (!m)
			continue;
		if (!address) {
			r = add_warning(s, "%s: member '%s' has no address; it counts as imported",
					rel, key);
			if (r < 0)
				break;
			continue;
		}
		if (!(m->address = strdup(address)) ||
		    (fetched && !(m->fetched = strdup(fetched)))) {
			r = -ENOMEM;
			break;
		}
		m->stale = stale && json_object_get_boolean(stale);
	}
	return r;
}

/* The generation file: one decimal number; absent is 0. */
static int load_generation(MmState *s, MmStatePool *p, int poolfd)
{
	_cleanup_free_ char *text = NULL;
	MmError err = { 0 };
	size_t len;
	int r = mm_read_file_at(poolfd, GENERATION_FILE, 64, &text, &len, &err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return add_warning(s, POOLS_DIR "/%s/" GENERATION_FILE ": %s", p->name,
				   err.message);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (mm_parse_u64(text, &p->generation) < 0)
		return add_warning(s, POOLS_DIR "/%s/" GENERATION_FILE ": not a number, taken as 0",
				   p->name);
	return 0;
}

/* Read member file `file` of pool `name` into *ret; rel names it in
 * messages. When prev (the pool as loaded before) has the member with the
 * same content hash, the map is not parsed again: ret->map stays NULL and
 * mm_state_reload moves prev's map over once the reload succeeds. */
static int load_member(const MmStatePool *prev, int poolfd, const char *file, const char *rel,
		       const char *member, MmStateMember *ret, MmError *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mm_read_file_at(poolfd, file, STATE_FILE_MAX, &text, &len, err);
	if (r < 0) {
		snprintf(err->file, sizeof(err->file), "%.*s", (int)sizeof(err->file) - 1, rel);
		return r;
	}
	ret->content_hash = content_hash(text, len);
	const MmStateMember *old = prev ? mm_state_find_member(prev, member) : NULL;
	if (old && old->map && old->content_hash == ret->content_hash)
		return 0;
	return mm_hostmap_parse_xml(text, len, rel, &ret->map, err);
}

static int load_pool(MmState *s, const MmState *prev, int poolsfd, const char *name)
{
	_cleanup_close_ int poolfd = -1;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	MmStatePool pool = { 0 };
	MmError err = { 0 };
	int r;

	poolfd = open_dir_at(poolsfd, name);
	if (poolfd < 0)
		return add_warning(s, POOLS_DIR "/%s: not a pool directory (%s), ignored", name,
				   strerror(-poolfd));
	r = mm_list_dir_at(poolfd, ".", &names, &n, &err);
	if (r == -ENOMEM)
		return r; /* not an unreadable pool: it would be dropped */
	if (r < 0)
		return add_warning(s, POOLS_DIR "/%s: %s", name, err.message);
	if (!(pool.name = strdup(name))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *file = names[i];
		char rel[512];
		size_t stem;
		snprintf(rel, sizeof(rel), POOLS_DIR "/%s/%s", name, file);
		if (file[0] == '.' || strcmp(file, REMOTE_FILE) == 0 ||
		    strcmp(file, GENERATION_FILE) == 0)
			continue; /* temporary files; remote.json and generation below */
		if (!has_suffix(file, ".xml", &stem)) {
			r = add_warning(s, "%s: not a member map (<host>.xml), ignored", rel);
		} else {
			_cleanup_free_ char *member = strndup(file, stem);
			MmStateMember m = { 0 };
			if (!member) {
				r = -ENOMEM;
			} else if (!mm_state_name_valid(member)) {
				r = add_warning(s, "%s: '%s' is not a valid host name, ignored",
						rel, member);
			} else if ((r = load_member(prev ? mm_state_find_pool(prev, name) : NULL,
						    poolfd, file, rel, member, &m, &err)) < 0) {
				r = r == -ENOMEM ? r : add_error_warning(s, &err);
			} else if (m.map && !streq_ptr(m.map->name, member)) {
				r = add_warning(s,
						"%s: holds the map of host '%s', not '%s'; ignored",
						rel, m.map->name ? m.map->name : "", member);
				mm_hostmap_free(m.map);
			} else if (MM_GROW(pool.members, alloc, pool.n_members + 1) < 0) {
				mm_hostmap_free(m.map);
				r = -ENOMEM;
			} else {
				m.name = TAKE_PTR(member);
				pool.members[pool.n_members++] = m;
			}
		}
		if (r < 0)
			goto out;
	}
	/* mm_list_dir_at sorts by file name; "<a>.xml" orders like "<a>" except
	 * when one name is a prefix of another, so sort again by name. */
	if (pool.n_members > 1)
		qsort(pool.members, pool.n_members, sizeof(*pool.members), member_cmp);
	r = load_remote(s, &pool, poolfd);
	if (r < 0)
		goto out;
	r = load_generation(s, &pool, poolfd);
	if (r < 0)
		goto out;
	MmStatePool *v = realloc(s->pools, (s->n_pools + 1) * sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto out;
	}
	s->pools = v;
	s->pools[s->n_pools++] = pool;
	memset(&pool, 0, sizeof(pool));
out:
	pool_clear(&pool);
	mm_strv_free(names, n);
	return r;
}

static int load_pools(MmState *s, const MmState *prev);

static int load(MmState *s)
{
	MmError err = { 0 };
	int r;

	r = read_map_at(s->dirfd, HOST_FILE, HOST_FILE, &s->host, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && r != -ENOENT && (r = add_error_warning(s, &err)) < 0)
		return r;
	return load_pools(s, NULL);
}

/* A new fd of the pools directory: -ENOENT when there is none. */
static int open_pools(const MmState *s)
{
	if (s->poolsfd < 0)
		return -ENOENT;
	return open_dir_at(s->poolsfd, ".");
}

/* prev: the state as loaded before (mm_state_reload), whose unchanged
 * member files are not parsed again; NULL on the first load. */
static int load_pools(MmState *s, const MmState *prev)
{
	_cleanup_close_ int poolsfd = -1;
	char **names = NULL;
	size_t n = 0;
	MmError err = { 0 };
	int r = 0;

	poolsfd = open_pools(s);
	if (poolsfd == -ENOENT)
		return 0;
	if (poolsfd < 0)
		return add_warning(s, POOLS_DIR ": %s", strerror(-poolsfd));
	r = mm_list_dir_at(poolsfd, ".", &names, &n, &err);
	if (r == -ENOMEM)
		return r; /* not "no pools": a reload would drop them all */
	if (r < 0)
		return add_warning(s, POOLS_DIR ": %s", err.message);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (names[i][0] == '.')
			continue; /* a pool being deleted, or a temporary file */
		if (!mm_state_name_valid(names[i]))
			r = add_warning(s, POOLS_DIR "/%s: not a valid pool name, ignored",
					names[i]);
		else
			r = load_pool(s, prev, poolsfd, names[i]);
	}
	mm_strv_free(names, n);
	return r;
}

int mm_state_open(const char *path, unsigned flags, MmState **ret, MmError *err)
{
	return mm_state_open_group(path, NULL, flags, (gid_t)-1, ret, err);
}

int mm_state_open_pools(const char *path, const char *pool_dir, unsigned flags, MmState **ret,
			MmError *err)
{
	return mm_state_open_group(path, pool_dir, flags, (gid_t)-1, ret, err);
}

/* The writer's lock is taken: remove what crashed writes left in the
 * state directory, the pools directory and every pool (is_leftover says
 * which are safe to remove while other hosts' migmapd write into a shared
 * pool_dir), and finish deletions a crash interrupted. */
static void reap_leftovers(MmState *s)
{
	_cleanup_close_ int poolsfd = -1;
	char **names = NULL;
	size_t n = 0;
	bool doomed = false;
	WriterTag tag;

	writer_tag(&tag);
	reap_dir(s->dirfd, &tag);
	if ((poolsfd = open_pools(s)) < 0)
		return;
	reap_dir(poolsfd, &tag);
	if (mm_list_dir_at(poolsfd, ".", &names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], ".#deleted.", 10) == 0)
			doomed = true;
		if (names[i][0] == '.')
			continue;
		_cleanup_close_ int fd = open_dir_at(poolsfd, names[i]);
		if (fd >= 0)
			reap_dir(fd, &tag);
	}
	mm_strv_free(names, n);
	if (doomed) {
		_cleanup_close_ int lockfd = pools_lock(poolsfd, NULL);
		if (lockfd >= 0)
			reap_deleted(poolsfd);
	}
}

int mm_state_open_group(const char *path, const char *pool_dir, unsigned flags, gid_t group,
			MmState **ret, MmError *err)
{
	_cleanup_(mm_state_freep) MmState *s = NULL;
	struct stat st;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dirfd = s->lockfd = s->poolsfd = -1;

	if ((flags & MM_STATE_CREATE) && mkdir(path, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		mm_error_set(err, path, 0, "cannot create the state directory: %s", strerror(-r));
		return r;
	}
	s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		r = -errno;
		mm_error_set(err, path, 0, "cannot open the state directory: %s", strerror(-r));
		return r;
	}
	/* Without a group named, what is created takes the state directory's
	 * own (the one migmapd gave it), so CLI and daemon writes agree. */
	s->gid = group;
	if (group == (gid_t)-1 && fstat(s->dirfd, &st) == 0)
		s->gid = st.st_gid;
	/* The creating writer owns the directory's mode, whoever made it
	 * (systemd's StateDirectory= among them). */
	if ((flags & MM_STATE_CREATE) && fstat(s->dirfd, &st) == 0 && st.st_uid == geteuid() &&
	    (r = set_mode(s->dirfd, STATE_DIR_MODE, group)) < 0) {
		mm_error_set(err, path, 0, "cannot set the state directory's mode: %s",
			     strerror(-r));
		return r;
	}
	if (flags & (MM_STATE_LOCK | MM_STATE_SHARED)) {
		s->lockfd = open_lock_at(s->dirfd, LOCK_FILE);
		if (s->lockfd < 0) {
			r = s->lockfd;
			mm_error_set(err, path, 0, "cannot open the lock file: %s", strerror(-r));
			return r;
		}
		if (flock(s->lockfd, ((flags & MM_STATE_SHARED) ? LOCK_SH : LOCK_EX) | LOCK_NB) <
		    0) {
			r = errno == EWOULDBLOCK ? -EBUSY : -errno;
			mm_error_set(err, path, 0, "%s",
				     r == -EBUSY
					     ? "the state directory is in use by another writer "
					       "(migmapd?)"
					     : strerror(-r));
			return r;
		}
	}
	if (flags & MM_STATE_CREATE) {
		r = pool_dir ? make_dir_at(AT_FDCWD, pool_dir, s->gid)
			     : make_dir_at(s->dirfd, POOLS_DIR, s->gid);
		if (r < 0 && r != -EEXIST) {
			mm_error_set(err, pool_dir ? pool_dir : path, 0, "cannot create %s: %s",
				     pool_dir ? "the pool directory" : POOLS_DIR, strerror(-r));
			return r;
		}
	}
	s->poolsfd = pool_dir ? open(pool_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			      : openat(s->dirfd, POOLS_DIR,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->poolsfd < 0 && errno != ENOENT) {
		r = -errno;
		mm_error_set(err, pool_dir ? pool_dir : path, 0, "cannot open %s: %s",
			     pool_dir ? "the pool directory" : POOLS_DIR, strerror(-r));
		return r;
	}
	if (flags & (MM_STATE_LOCK | MM_STATE_SHARED))
		reap_leftovers(s);
	r = load(s);
	if (r < 0) {
		mm_error_set(err, path, 0, "cannot load the state: %s", strerror(-r));
		return r;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

/* ---- lookups ------------------------------------------------------------ */

const MmStatePool *mm_state_find_pool(const MmState *s, const char *pool)
{
	MmStatePool key = { .name = (char *)pool };
	if (!pool || s->n_pools == 0)
		return NULL;
	return bsearch(&key, s->pools, s->n_pools, sizeof(*s->pools), pool_cmp);
}

const MmStateMember *mm_state_find_member(const MmStatePool *p, const char *name)
{
	MmStateMember key = { .name = (char *)name };
	if (!p || !name || p->n_members == 0)
		return NULL;
	return bsearch(&key, p->members, p->n_members, sizeof(*p->members), member_cmp);
}

/* what: "pool" or "host", for the message */
static int check_name(const char *what, const char *name, MmError *err)
{
	if (mm_state_name_valid(name))
		return 0;
	mm_error_set(err, NULL, 0,
		     "invalid %s name '%.64s': 1-%d letters, digits, '-', '.', '_', not "
		     "starting with '.'",
		     what, name ? name : "", STATE_NAME_MAX);
	return -EINVAL;
}

/* The pool, or -ENOENT with err filled; NULL s->pools is fine. */
static int find_pool_mut(MmState *s, const char *pool, MmStatePool **ret, MmError *err)
{
	int r = check_name("pool", pool, err);
	if (r < 0)
		return r;
	*ret = (MmStatePool *)mm_state_find_pool(s, pool);
	if (!*ret) {
		mm_error_set(err, NULL, 0, "no pool '%s'", pool);
		return -ENOENT;
	}
	return 0;
}

static int open_pool_dir(MmState *s, const char *pool, MmError *err)
{
	_cleanup_close_ int poolsfd = open_pools(s);
	if (poolsfd < 0) {
		mm_error_set(err, POOLS_DIR, 0, "cannot open: %s", strerror(-poolsfd));
		return poolsfd;
	}
	int fd = open_dir_at(poolsfd, pool);
	if (fd < 0)
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s: cannot open: %s", pool, strerror(-fd));
	return fd;
}

/* ---- writes ------------------------------------------------------------- */

int mm_state_save_host(MmState *s, const MmHostMap *m, MmError *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_(mm_hostmap_freep) MmHostMap *copy = NULL;

	if (err)
		memset(err, 0, sizeof(*err));
	int r = mm_hostmap_format_xml(m, &text);
	if (r < 0) {
		mm_error_set(err, HOST_FILE, 0, "cannot format the map: %s", strerror(-r));
		return r;
	}
	r = mm_hostmap_parse_xml(text, strlen(text), HOST_FILE, &copy, err);
	if (r < 0)
		return r;
	r = write_atomic_at(s->dirfd, HOST_FILE, text, strlen(text), STATE_FILE_MODE, s->gid);
	if (r < 0) {
		mm_error_set(err, HOST_FILE, 0, "cannot write: %s", strerror(-r));
		return r;
	}
	mm_hostmap_free(s->host);
	s->host = TAKE_PTR(copy);
	return 0;
}

int mm_state_create_pool(MmState *s, const char *pool, MmError *err)
{
	_cleanup_close_ int poolsfd = -1, lockfd = -1;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = check_name("pool", pool, err)) < 0)
		return r;
	if (mm_state_find_pool(s, pool)) {
		mm_error_set(err, NULL, 0, "pool '%s' exists", pool);
		return -EEXIST;
	}
	MmStatePool *v = realloc(s->pools, (s->n_pools + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->pools = v;
	MmStatePool p = { .name = strdup(pool) };
	if (!p.name)
		return -ENOMEM;

	if (s->poolsfd < 0) {
		if ((r = make_dir_at(s->dirfd, POOLS_DIR, s->gid)) < 0 && r != -EEXIST) {
			mm_error_set(err, POOLS_DIR, 0, "cannot create: %s", strerror(-r));
			goto fail;
		}
		s->poolsfd = open_dir_at(s->dirfd, POOLS_DIR);
	}
	poolsfd = open_pools(s);
	if (poolsfd < 0) {
		r = poolsfd;
		mm_error_set(err, POOLS_DIR, 0, "cannot open: %s", strerror(-r));
		goto fail;
	}
	if ((lockfd = pools_lock(poolsfd, err)) < 0) {
		r = lockfd;
		goto fail;
	}
	reap_deleted(poolsfd);
	if ((r = make_dir_at(poolsfd, pool, s->gid)) < 0) {
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s: cannot create: %s", pool,
			     r == -EEXIST ? "exists (not a loadable pool)" : strerror(-r));
		goto fail;
	}
	if (fsync(poolsfd) < 0) {
		r = -errno;
		mm_error_set(err, POOLS_DIR, 0, "cannot sync: %s", strerror(-r));
		goto fail;
	}
	s->pools[s->n_pools++] = p;
	qsort(s->pools, s->n_pools, sizeof(*s->pools), pool_cmp);
	return 0;
fail:
	free(p.name);
	return r;
}

int mm_state_delete_pool(MmState *s, const char *pool, MmError *err)
{
	_cleanup_close_ int poolsfd = -1, fd = -1, lockfd = -1;
	MmStatePool *p;
	char doomed[64];
	uint64_t rnd = 0;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = find_pool_mut(s, pool, &p, err)) < 0)
		return r;
	poolsfd = open_pools(s);
	if (poolsfd < 0) {
		mm_error_set(err, POOLS_DIR, 0, "cannot open: %s", strerror(-poolsfd));
		return poolsfd;
	}
	if ((lockfd = pools_lock(poolsfd, err)) < 0)
		return lockfd;
	reap_deleted(poolsfd);
	/* One rename makes the pool disappear; the hidden remains are removed
	 * after, and a crash in between leaves only an ignored hidden dir. */
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	snprintf(doomed, sizeof(doomed), ".#deleted.%016" PRIx64, rnd);
	if (renameat(poolsfd, pool, poolsfd, doomed) < 0) {
		r = -errno;
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s: cannot remove: %s", pool, strerror(-r));
		return r;
	}
	if (fsync(poolsfd) < 0) {
		r = -errno;
		mm_error_set(err, POOLS_DIR, 0, "cannot sync: %s", strerror(-r));
		return r;
	}
	/* The pool is gone; failing to clean up the hidden remains is not an
	 * error of the delete. */
	fd = open_dir_at(poolsfd, doomed);
	if (fd >= 0 && empty_dir(fd) >= 0)
		(void)unlinkat(poolsfd, doomed, AT_REMOVEDIR);

	size_t i = (size_t)(p - s->pools);
	pool_clear(p);
	memmove(&s->pools[i], &s->pools[i + 1], (s->n_pools - i - 1) * sizeof(*s->pools));
	s->n_pools--;
	return 0;
}

/* remote.json for members as they will be: `changed` (may be NULL)
 * replaces or adds the entry of its name, `drop` (may be NULL) is left out. */
static int write_remote(MmState *s, int poolfd, const MmStatePool *p, const MmStateMember *changed,
			const char *drop, MmError *err)
{
	_cleanup_(mm_json_putp) json_object *root = json_object_new_object();
	json_object *members = json_object_new_object();
	bool any = false;
	int r = -ENOMEM;

	if (!root || !members || mm_json_add(root, "members", members) < 0) {
		if (!root || !members)
			json_object_put(members);
		goto out;
	}
	for (size_t i = 0; i <= p->n_members; i++) {
		const MmStateMember *m = i < p->n_members ? &p->members[i] : changed;
		if (!m)
			continue;
		if (i < p->n_members && ((changed && strcmp(m->name, changed->name) == 0) ||
					 (drop && strcmp(m->name, drop) == 0)))
			continue;
		if (!m->address)
			continue;
		json_object *o = json_object_new_object();
		if (!o || mm_json_add(members, m->name, o) < 0 ||
		    mm_json_add(o, "address", json_object_new_string(m->address)) < 0 ||
		    mm_json_add_string_or_null(o, "fetched", m->fetched) < 0 ||
		    mm_json_add(o, "stale", json_object_new_boolean(m->stale)) < 0)
			goto out;
		any = true;
	}
	if (!any) {
		r = unlinkat(poolfd, REMOTE_FILE, 0) < 0 && errno != ENOENT ? -errno : 0;
		if (r == 0 && fsync(poolfd) < 0)
			r = -errno;
	} else {
		_cleanup_free_ char *text = NULL;
		if (mm_json_to_string(root, &text) < 0)
			goto out;
		r = write_atomic_at(poolfd, REMOTE_FILE, text, strlen(text), STATE_SECRET_MODE,
				    s->gid);
	}
	if (r < 0)
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s/" REMOTE_FILE ": cannot write: %s",
			     p->name, strerror(-r));
out:
	if (r == -ENOMEM)
		mm_error_set(err, NULL, 0, "out of memory");
	return r;
}

static bool remote_entry_changes(const MmStateMember *old, const MmStateMember *m)
{
	if (!old)
		return m->address != NULL;
	return !streq_ptr(old->address, m->address) || !streq_ptr(old->fetched, m->fetched) ||
	       old->stale != m->stale;
}

struct MmStatePrepared {
	char *text;     /* the member file's content */
	MmHostMap *map; /* text read back */
};

const char *mm_state_prepared_name(const MmStatePrepared *p)
{
	return p->map->name;
}

void mm_state_prepared_free(MmStatePrepared *p)
{
	if (!p)
		return;
	free(p->text);
	mm_hostmap_free(p->map);
	free(p);
}

int mm_state_prepare_member(const MmHostMap *map, MmStatePrepared **ret, MmError *err)
{
	_cleanup_(mm_state_prepared_freep) MmStatePrepared *p = NULL;
	_cleanup_free_ char *file = NULL;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = check_name("host", map->name, err)) < 0)
		return r;
	if (!(p = calloc(1, sizeof(*p))) || mm_hostmap_format_xml(map, &p->text) < 0 ||
	    asprintf(&file, "%s.xml", map->name) < 0)
		return -ENOMEM;
	/* never store what loading would refuse */
	size_t len = strlen(p->text);
	if (len > STATE_FILE_MAX) {
		mm_error_set(err, file, 0, "host map of %zu bytes: a stored map holds at most %u",
			     len, STATE_FILE_MAX);
		return -EFBIG;
	}
	/* stored as loading will read it */
	/* our own output not reading back is no fault of the caller's name:
	 * -EINVAL stays the name's */
	if ((r = mm_hostmap_parse_xml(p->text, len, file, &p->map, err)) < 0)
		return r == -ENOMEM ? r : -EBADMSG;
	*ret = TAKE_PTR(p);
	return 0;
}

int mm_state_add_member(MmState *s, const char *pool, const MmHostMap *map, const char *address,
			bool replace, MmError *err)
{
	_cleanup_(mm_state_prepared_freep) MmStatePrepared *p = NULL;
	int r;

	if ((r = mm_state_prepare_member(map, &p, err)) < 0)
		return r;
	return mm_state_add_prepared(s, pool, &p, address, replace, err);
}

int mm_state_add_prepared(MmState *s, const char *pool, MmStatePrepared **prepared,
			  const char *address, bool replace, MmError *err)
{
	_cleanup_(mm_state_prepared_freep) MmStatePrepared *prep = TAKE_PTR(*prepared);
	_cleanup_free_ char *file = NULL, *rel = NULL;
	_cleanup_close_ int poolfd = -1;
	MmStateMember m = { 0 };
	MmStatePool *p;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!prep)
		return -EINVAL;
	const MmHostMap *map = prep->map;
	if ((r = find_pool_mut(s, pool, &p, err)) < 0)
		return r;
	if ((r = check_name("host", map->name, err)) < 0)
		return r;
	MmStateMember *old = (MmStateMember *)mm_state_find_member(p, map->name);
	if (old && !replace) {
		mm_error_set(err, NULL, 0, "pool '%s' already has a host '%s'", pool, map->name);
		return -EEXIST;
	}
	/* The pool must stay a pool: same architecture, no duplicate. */
	{
		_cleanup_free_ const MmHostMap **maps = calloc(p->n_members + 1, sizeof(*maps));
		_cleanup_(mm_poolmap_freep) MmPoolMap *pm = NULL;
		size_t n = 0;
		if (!maps)
			return -ENOMEM;
		for (size_t i = 0; i < p->n_members; i++)
			if (&p->members[i] != old)
				maps[n++] = p->members[i].map;
		maps[n++] = map;
		r = mm_pool_baseline(pool, maps, n, &pm, err);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return -EDOM;
	}

	if (asprintf(&file, "%s.xml", map->name) < 0 ||
	    asprintf(&rel, POOLS_DIR "/%s/%s", pool, file) < 0)
		return -ENOMEM;
	if (!(m.name = strdup(map->name)) || (address && !(m.address = strdup(address))) ||
	    (address && !(m.fetched = mm_timestamp_now()))) {
		r = -ENOMEM;
		goto fail;
	}
	m.map = TAKE_PTR(prep->map);
	m.content_hash = content_hash(prep->text, strlen(prep->text));
	poolfd = open_pool_dir(s, pool, err);
	if (poolfd < 0) {
		r = poolfd;
		goto fail;
	}
	/* remote.json first: a crash before the map is written leaves an entry
	 * without a map, which loading drops. */
	if (remote_entry_changes(old, &m) && (r = write_remote(s, poolfd, p, &m, NULL, err)) < 0)
		goto fail;
	r = write_atomic_at(poolfd, file, prep->text, strlen(prep->text), STATE_FILE_MODE, s->gid);
	if (r < 0) {
		mm_error_set(err, rel, 0, "cannot write: %s", strerror(-r));
		goto fail;
	}
	if (old) {
		member_clear(old);
		*old = m;
		return 0;
	}
	MmStateMember *v = realloc(p->members, (p->n_members + 1) * sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto fail;
	}
	p->members = v;
	p->members[p->n_members++] = m;
	qsort(p->members, p->n_members, sizeof(*p->members), member_cmp);
	return 0;
fail:
	member_clear(&m);
	return r;
}

static int find_member_mut(MmState *s, const char *pool, const char *name, MmStatePool **ret_pool,
			   MmStateMember **ret, MmError *err)
{
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	r = find_pool_mut(s, pool, ret_pool, err);
	if (r < 0)
		return r;
	if ((r = check_name("host", name, err)) < 0)
		return r;
	*ret = (MmStateMember *)mm_state_find_member(*ret_pool, name);
	if (!*ret) {
		mm_error_set(err, NULL, 0, "pool '%s' has no host '%s'", pool, name);
		return -ENOENT;
	}
	return 0;
}

int mm_state_remove_member(MmState *s, const char *pool, const char *name, MmError *err)
{
	_cleanup_close_ int poolfd = -1;
	_cleanup_free_ char *file = NULL;
	MmStatePool *p;
	MmStateMember *m;
	int r;

	if ((r = find_member_mut(s, pool, name, &p, &m, err)) < 0)
		return r;
	if (asprintf(&file, "%s.xml", name) < 0)
		return -ENOMEM;
	poolfd = open_pool_dir(s, pool, err);
	if (poolfd < 0)
		return poolfd;
	/* The map first: a crash after it leaves a remote entry without a
	 * map, which loading drops. */
	if (unlinkat(poolfd, file, 0) < 0 && errno != ENOENT) {
		r = -errno;
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s/%s: cannot remove: %s", pool, file,
			     strerror(-r));
		return r;
	}
	if (fsync(poolfd) < 0) {
		r = -errno;
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s: cannot sync: %s", pool, strerror(-r));
		return r;
	}
	if (m->address && (r = write_remote(s, poolfd, p, NULL, name, err)) < 0)
		return r;
	size_t i = (size_t)(m - p->members);
	member_clear(m);
	memmove(&p->members[i], &p->members[i + 1], (p->n_members - i - 1) * sizeof(*m));
	p->n_members--;
	return 0;
}

int mm_state_mark_stale(MmState *s, const char *pool, const char *name, MmError *err)
{
	_cleanup_close_ int poolfd = -1;
	MmStatePool *p;
	MmStateMember *m;
	int r;

	if ((r = find_member_mut(s, pool, name, &p, &m, err)) < 0)
		return r;
	if (!m->address) {
		mm_error_set(err, NULL, 0, "host '%s' of pool '%s' is not a remote member", name,
			     pool);
		return -EINVAL;
	}
	if (m->stale)
		return 0;
	poolfd = open_pool_dir(s, pool, err);
	if (poolfd < 0)
		return poolfd;
	MmStateMember changed = *m;
	changed.stale = true;
	if ((r = write_remote(s, poolfd, p, &changed, NULL, err)) < 0)
		return r;
	m->stale = true;
	return 0;
}

static bool name_in(const char *name, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

int mm_state_record_fetches(MmState *s, const char *pool, char *const *fresh, size_t n_fresh,
			    char *const *stale, size_t n_stale, MmError *err)
{
	_cleanup_free_ MmStateMember *next = NULL;
	_cleanup_free_ char *now = NULL;
	_cleanup_close_ int poolfd = -1;
	MmStatePool *p, tmp;
	bool any = false;
	int r = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = find_pool_mut(s, pool, &p, err)) < 0)
		return r;
	if (!(now = mm_timestamp_now()) || !(next = calloc(p->n_members + 1, sizeof(*next))))
		return -ENOMEM;
	/* the members as they will be: shallow copies but for a fresh member's
	 * new fetch time, which next owns until it is in memory */
	for (size_t i = 0; i < p->n_members; i++) {
		next[i] = p->members[i];
		if (!next[i].address)
			continue;
		if (name_in(next[i].name, fresh, n_fresh)) {
			if (!(next[i].fetched = strdup(now))) {
				r = -ENOMEM;
				goto out;
			}
			next[i].stale = false;
			any = true;
		} else if (name_in(next[i].name, stale, n_stale) && !next[i].stale) {
			next[i].stale = true;
			any = true;
		}
	}
	if (!any)
		goto out;
	poolfd = open_pool_dir(s, pool, err);
	if (poolfd < 0) {
		r = poolfd;
		goto out;
	}
	tmp = *p;
	tmp.members = next;
	if ((r = write_remote(s, poolfd, &tmp, NULL, NULL, err)) < 0)
		goto out;
	/* on disk: now in memory */
	for (size_t i = 0; i < p->n_members; i++) {
		MmStateMember *m = &p->members[i];
		if (next[i].fetched != m->fetched) {
			free(m->fetched);
			m->fetched = next[i].fetched;
			next[i].fetched = NULL;
		}
		m->stale = next[i].stale;
	}
out:
	for (size_t i = 0; i < p->n_members; i++)
		if (next[i].fetched != p->members[i].fetched)
			free(next[i].fetched);
	return r;
}

/* One warning per stale member of p: what a pool map and a check against
 * the pool say, so nobody trusts an old map without a word. */
static int stale_warnings(const MmStatePool *p, char ***v, size_t *n)
{
	for (size_t i = 0; i < p->n_members; i++) {
		const MmStateMember *m = &p->members[i];
		if (!m->stale)
			continue;
		if (mm_strv_appendf(v, n,
				    "host '%s' is stale: its migmapd at %s did not answer; its map "
				    "was fetched %s",
				    m->name, m->address,
				    m->fetched ? m->fetched : "at an unknown time") < 0)
			return -ENOMEM;
	}
	return 0;
}

int mm_state_pool_baseline(const MmState *s, const char *pool, MmPoolMap **ret, MmError *err)
{
	_cleanup_free_ const MmHostMap **maps = NULL;
	_cleanup_(mm_poolmap_freep) MmPoolMap *pm = NULL;
	const MmStatePool *p;
	int r;

	size_t n;

	if ((r = mm_state_pool_hosts(s, pool, &maps, &n, err)) < 0)
		return r;
	p = mm_state_find_pool(s, pool);
	r = mm_pool_baseline(pool, maps, n, &pm, err);
	if (r < 0)
		return r;
	if (stale_warnings(p, &pm->warnings, &pm->n_warnings) < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(pm);
	return 0;
}

int mm_state_add_stale_warnings(const MmState *s, const char *pool, MmCheckReport *report)
{
	const MmStatePool *p = s ? mm_state_find_pool(s, pool) : NULL;
	return p ? stale_warnings(p, &report->warnings, &report->n_warnings) : 0;
}

int mm_state_pool_hosts(const MmState *s, const char *pool, const MmHostMap ***ret, size_t *n,
			MmError *err)
{
	const MmStatePool *p;
	const MmHostMap **maps;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = check_name("pool", pool, err)) < 0)
		return r;
	if (!s || !(p = mm_state_find_pool(s, pool))) {
		mm_error_set(err, NULL, 0, "no pool '%s'", pool);
		return -ENOENT;
	}
	if (p->n_members == 0) {
		mm_error_set(err, NULL, 0, "pool '%s' has no hosts yet", pool);
		return -ENODATA;
	}
	if (!(maps = calloc(p->n_members, sizeof(*maps)))) {
		mm_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_members; i++)
		maps[i] = p->members[i].map;
	*ret = maps;
	*n = p->n_members;
	return 0;
}

/* ---- pools shared with other hosts (docs/design.md §9) ------------------- */

int mm_state_set_generation(MmState *s, const char *pool, uint64_t generation, MmError *err)
{
	_cleanup_close_ int poolfd = -1;
	MmStatePool *p;
	char text[32];
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = find_pool_mut(s, pool, &p, err)) < 0)
		return r;
	poolfd = open_pool_dir(s, pool, err);
	if (poolfd < 0)
		return poolfd;
	snprintf(text, sizeof(text), "%" PRIu64 "\n", generation);
	r = write_atomic_at(poolfd, GENERATION_FILE, text, strlen(text), STATE_FILE_MODE, s->gid);
	if (r < 0) {
		mm_error_set(err, NULL, 0, POOLS_DIR "/%s/" GENERATION_FILE ": cannot write: %s",
			     pool, strerror(-r));
		return r;
	}
	p->generation = generation;
	return 0;
}

static bool member_equal(const MmStateMember *a, const MmStateMember *b)
{
	_cleanup_free_ char *x = NULL, *y = NULL;
	if (strcmp(a->name, b->name) != 0 || !streq_ptr(a->address, b->address) ||
	    !streq_ptr(a->fetched, b->fetched) || a->stale != b->stale)
		return false;
	/* b's map is NULL when its file was unchanged (load_member) */
	if (a->content_hash && a->content_hash == b->content_hash)
		return true;
	if (!b->map)
		return false;
	/* An allocation failure counts as a change: the reload then reports
	 * one pool too many, never one too few. */
	if (mm_hostmap_format_xml(a->map, &x) < 0 || mm_hostmap_format_xml(b->map, &y) < 0)
		return false;
	return strcmp(x, y) == 0;
}

static bool pool_equal(const MmStatePool *a, const MmStatePool *b)
{
	if (a->n_members != b->n_members || a->generation != b->generation)
		return false;
	for (size_t i = 0; i < a->n_members; i++)
		if (!member_equal(&a->members[i], &b->members[i]))
			return false;
	return true;
}

int mm_state_reload(MmState *s, char ***changed, size_t *n_changed, MmError *err)
{
	MmState fresh = { .dirfd = -1, .lockfd = -1, .poolsfd = s->poolsfd };
	size_t i = 0, j = 0;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	*changed = NULL;
	*n_changed = 0;
	r = load_pools(&fresh, s);
	if (r < 0)
		goto out;
	/* Both lists are sorted by name: walk them together. */
	while (r >= 0 && (i < s->n_pools || j < fresh.n_pools)) {
		int c = i == s->n_pools      ? 1
			: j == fresh.n_pools ? -1
					     : strcmp(s->pools[i].name, fresh.pools[j].name);
		if (c < 0)
			r = mm_strv_appendf(changed, n_changed, "%s", s->pools[i++].name);
		else if (c > 0)
			r = mm_strv_appendf(changed, n_changed, "%s", fresh.pools[j++].name);
		else if (!pool_equal(&s->pools[i++], &fresh.pools[j++]))
			r = mm_strv_appendf(changed, n_changed, "%s", s->pools[i - 1].name);
	}
	if (r < 0)
		goto out;
	/* The maps of unchanged files move over from the old state. */
	for (j = 0; j < fresh.n_pools; j++) {
		const MmStatePool *old = mm_state_find_pool(s, fresh.pools[j].name);
		for (size_t k = 0; k < fresh.pools[j].n_members; k++) {
			MmStateMember *m = &fresh.pools[j].members[k];
			if (!m->map)
				m->map = TAKE_PTR(
					((MmStateMember *)mm_state_find_member(old, m->name))->map);
		}
	}
	for (i = 0; i < s->n_pools; i++)
		pool_clear(&s->pools[i]);
	free(s->pools);
	s->pools = TAKE_PTR(fresh.pools);
	s->n_pools = fresh.n_pools;
	fresh.n_pools = 0;
	/* what this reading skipped, in place of what the last one did */
	mm_strv_free(s->warnings, s->n_warnings);
	s->warnings = TAKE_PTR(fresh.warnings);
	s->n_warnings = fresh.n_warnings;
	fresh.n_warnings = 0;
	r = 0;
out:
	for (i = 0; i < fresh.n_pools; i++)
		pool_clear(&fresh.pools[i]);
	free(fresh.pools);
	mm_strv_free(fresh.warnings, fresh.n_warnings);
	if (r < 0) {
		mm_strv_free(*changed, *n_changed);
		*changed = NULL;
		*n_changed = 0;
		mm_error_set(err, POOLS_DIR, 0, "cannot reload: %s", strerror(-r));
	}
	return r;
}
