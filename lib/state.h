/* The state directory (docs/design.md §9): this host's map and the pools' members'
 * maps, written atomically (lib/state.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* <dir>/host.xml, <dir>/pools/<pool>/<host>.xml and
 * <dir>/pools/<pool>/remote.json (remote members: bus address, last fetch,
 * stale). Writes are atomic (temporary file, fsync, rename, fsync of the
 * directory) and change memory only once the disk has the new state; on
 * failure nothing changes. */
typedef struct MmStateMember {
	char *name;
	MmHostMap *map;
	char *address; /* the member's migmapd bus address; NULL when imported */
	char *fetched; /* RFC 3339 time of the last successful fetch; NULL when imported */
	bool stale;    /* the last fetch failed: map is the one fetched at `fetched` */
} MmStateMember;

typedef struct MmStatePool {
	char *name;
	MmStateMember *members; /* sorted by name */
	size_t n_members;
} MmStatePool;

typedef struct MmState {
	int dirfd;
	int lockfd;         /* -1 unless opened with MM_STATE_LOCK */
	MmHostMap *host;    /* host.xml; NULL when absent or damaged */
	MmStatePool *pools; /* sorted by name */
	size_t n_pools;
	char **warnings; /* damaged files, skipped: "pools/a/b.xml:3: message" */
	size_t n_warnings;
	gid_t gid; /* group of what is created: the admin group, else the directory's */
} MmState;

enum {
	MM_STATE_CREATE = 1 << 0, /* create the directory (not its parents) when missing */
	MM_STATE_LOCK = 1 << 1,   /* be the one writer (flock of <dir>/.lock): -EBUSY if taken */
};

/* Open and load the state at path. Damaged files do not fail the open: they
 * are skipped and listed in warnings. */
int mm_state_open(const char *path, unsigned flags, MmState **ret, MmError *err);
/* The same, creating with group (the admin group; (gid_t)-1: the state
 * directory's own). Files are 0640, directories 0750, remote.json 0600,
 * whatever the umask. With MM_STATE_LOCK, the temporary files interrupted
 * writes left (".#*.tmp") are removed. */
int mm_state_open_group(const char *path, unsigned flags, gid_t group, MmState **ret, MmError *err);
void mm_state_free(MmState *s);
MM_DEFINE_FREEP(MmState, mm_state_free)
/* mm_name_valid(), not starting with '.' (hidden names are the store's
 * own), and short enough for "<name>.xml" to be a file name. */
bool mm_state_name_valid(const char *name);
const MmStatePool *mm_state_find_pool(const MmState *s, const char *pool);
const MmStateMember *mm_state_find_member(const MmStatePool *p, const char *name);
/* The members' maps of pool, in member order, as an array the caller frees
 * (not the maps) and their number: what a domain is checked against.
 * -EINVAL for an invalid name, -ENOENT when there is no such pool (also
 * when s is NULL), -ENODATA when it has no members; err says which. */
int mm_state_pool_hosts(const MmState *s, const char *pool, const MmHostMap ***ret, size_t *n,
			MmError *err);
int mm_state_save_host(MmState *s, const MmHostMap *m, MmError *err);
/* -EINVAL bad name, -EEXIST / -ENOENT for the pool. */
int mm_state_create_pool(MmState *s, const char *pool, MmError *err);
int mm_state_delete_pool(MmState *s, const char *pool, MmError *err);
/* Store m as member m->name of pool; address is the member's migmapd bus
 * address (fetched now) or NULL for an imported map. -EEXIST when the pool
 * has that member unless replace; -EDOM (err says why) when the pool could
 * not take it (another architecture). */
int mm_state_add_member(MmState *s, const char *pool, const MmHostMap *m, const char *address,
			bool replace, MmError *err);
int mm_state_remove_member(MmState *s, const char *pool, const char *name, MmError *err);
/* A remote member did not answer: keep its map, mark it stale. */
int mm_state_mark_stale(MmState *s, const char *pool, const char *name, MmError *err);
/* The pool map of pool's members, with a warning per stale member;
 * -ENODATA for a pool without members. */
int mm_state_pool_baseline(const MmState *s, const char *pool, MmPoolMap **ret, MmError *err);

#ifdef __cplusplus
}
#endif
