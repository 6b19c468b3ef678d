/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory (docs/design.md §9): this host's map and the pools' members'
 * maps, written atomically (lib/state.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "freep.h"
#include "hostmap.h"
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
	/* FNV-1a of the member file's bytes as last read or written, 0 when
	 * unknown: a reload parses only files whose content changed. */
	uint64_t content_hash;
} MmStateMember;

typedef struct MmStatePool {
	char *name;
	MmStateMember *members; /* sorted by name */
	size_t n_members;
	uint64_t generation; /* <pool>/generation: bumped by each pool sync; 0 when absent */
} MmStatePool;

typedef struct MmState {
	int dirfd;
	int lockfd;         /* -1 unless opened with MM_STATE_LOCK or MM_STATE_SHARED */
	int poolsfd;        /* the pools directory (pool_dir); -1 while there is none */
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
	/* one of the daemons sharing the directory (a shared flock of
	 * <dir>/.lock): -EBUSY while an MM_STATE_LOCK writer has it */
	MM_STATE_SHARED = 1 << 2,
};

/* Open and load the state at path. Damaged files do not fail the open: they
 * are skipped and listed in warnings. */
int mm_state_open(const char *path, unsigned flags, MmState **ret, MmError *err);
/* The same with the pools in pool_dir rather than <path>/pools (NULL: there);
 * pool_dir may be on storage other hosts' migmapd use too (docs/design.md §9). */
int mm_state_open_pools(const char *path, const char *pool_dir, unsigned flags, MmState **ret,
			MmError *err);
/* The same, creating with group (the admin group; (gid_t)-1: the state
 * directory's own). Files are 0640, directories 0750, remote.json and the
 * locks 0600, whatever the umask; with MM_STATE_CREATE the state directory
 * is given 0750 and group too. With MM_STATE_LOCK or MM_STATE_SHARED, and
 * before each write in a directory, the temporary files crashed writes
 * left there are removed (those of a dead writer of this host, and any
 * older than 30 minutes; docs/design.md §9). */
int mm_state_open_group(const char *path, const char *pool_dir, unsigned flags, gid_t group,
			MmState **ret, MmError *err);
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
/* mm_state_add_member in two halves, for a caller that must keep its own
 * thread responsive with big maps (migmapd's event loop): the first, the
 * slow one, touches no state and may run on any thread (m formatted as it
 * will be stored, and read back as loading will read it); the second
 * stores what the first made, as mm_state_add_member does, taking it over
 * (*prepared is NULL afterwards, whatever the result). Preparing: -EINVAL
 * for an invalid host name, -EFBIG for a map too big to be stored. */
typedef struct MmStatePrepared MmStatePrepared;
int mm_state_prepare_member(const MmHostMap *m, MmStatePrepared **ret, MmError *err);
int mm_state_add_prepared(MmState *s, const char *pool, MmStatePrepared **prepared,
			  const char *address, bool replace, MmError *err);
/* The host name of the map p holds. */
const char *mm_state_prepared_name(const MmStatePrepared *p);
void mm_state_prepared_free(MmStatePrepared *p);
MM_DEFINE_FREEP(MmStatePrepared, mm_state_prepared_free)
int mm_state_remove_member(MmState *s, const char *pool, const char *name, MmError *err);
/* A remote member did not answer: keep its map, mark it stale. */
int mm_state_mark_stale(MmState *s, const char *pool, const char *name, MmError *err);
/* The outcome of one refresh of pool's remote members, in one write of
 * remote.json: the members named in fresh were fetched now (their maps
 * unchanged, or stored already), those in stale did not answer (kept, marked
 * stale). Names that are no longer remote members of pool are skipped. */
int mm_state_record_fetches(MmState *s, const char *pool, char *const *fresh, size_t n_fresh,
			    char *const *stale, size_t n_stale, MmError *err);
/* The pool map of pool's members, with a warning per stale member;
 * -ENODATA for a pool without members. */
int mm_state_pool_baseline(const MmState *s, const char *pool, MmPoolMap **ret, MmError *err);
/* Append to report (a check of a domain against pool) a warning per stale
 * member of pool, naming it and the time of its last fetch; 0 or -ENOMEM.
 * Every caller that checks against a stored pool calls it. */
struct MmCheckReport;
int mm_state_add_stale_warnings(const MmState *s, const char *pool, struct MmCheckReport *report);
/* Write pool's generation (pool sync, docs/design.md §9). */
int mm_state_set_generation(MmState *s, const char *pool, uint64_t generation, MmError *err);
/* Load the pools again from disk, where other hosts' migmapd may have
 * changed them (a shared pool_dir), and replace the ones in s. *changed
 * (to free with mm_strv_free) names each pool created, deleted or changed
 * since s had it. Only member files whose content changed are parsed
 * again. s->warnings becomes what this reading skipped. On failure s is
 * unchanged. */
int mm_state_reload(MmState *s, char ***changed, size_t *n_changed, MmError *err);
/* Pool sync (lib/state-sync.c): pool and its members' maps as a JSON
 * document stamped with generation, in *ret. */
int mm_state_pool_export(const MmState *s, const char *pool, uint64_t generation, char **ret,
			 MmError *err);
/* Make pool (created when missing) hold exactly the document's members, as
 * imported maps, and take its generation. -ESTALE when the pool here is at
 * that generation or a newer one, -EINVAL / -EDOM for a bad document
 * (nothing written then). */
int mm_state_pool_import(MmState *s, const char *pool, uint64_t generation, const char *json,
			 size_t len, MmError *err);

#ifdef __cplusplus
}
#endif
