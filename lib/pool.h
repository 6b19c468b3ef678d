/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pools: the baseline of several host maps (docs/design.md §5), its model and its
 * formats (lib/pool.c, lib/poolmap-xml.c, lib/poolmap-json.c). */
#pragma once

#include <stddef.h>

#include "error.h"
#include "freep.h"
#include "hostmap.h"
#include "rangeset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A forbidden range of one type; origin ids index MmPoolMap.members. */
typedef struct MmForbidden {
	char *type;
	uint64_t start;
	uint64_t end;
	MmIdSet hosts;
} MmForbidden;

typedef struct MmPoolMember {
	char *name;
	char *uuid; /* NULL when unknown */
	char *arch;
	unsigned limit_bits; /* the member's own address limit; 0 unknown */
	size_t n_iommu_groups;
} MmPoolMember;

typedef struct MmPoolMap {
	char *name;
	char *generated;
	MmPoolMember *members; /* sorted by name: the map does not depend on order */
	size_t n_members;
	MmForbidden *forbidden; /* merged per type, sorted by (start, type) */
	size_t n_forbidden;
	unsigned limit_bits; /* smallest member limit; 0 when no member knows one */
	MmIdSet limit_hosts; /* the members that set it */
	MmRangeSet usable;   /* [0, 2^limit_bits - 1] minus every forbidden range */
	char **warnings;
	size_t n_warnings;
} MmPoolMap;

void mm_poolmap_free(MmPoolMap *p);
MM_DEFINE_FREEP(MmPoolMap, mm_poolmap_free)
/* forbidden, limit and usable of hosts[0..n): a pure function of the maps,
 * independent of their order. Fails on duplicate host names or mixed
 * architectures. */
int mm_pool_baseline(const char *name, const MmHostMap *const *hosts, size_t n, MmPoolMap **ret,
		     MmError *err);
int mm_poolmap_format_xml(const MmPoolMap *p, char **ret);
int mm_poolmap_format_json(const MmPoolMap *p, char **ret);
/* {"pools": [names…]}: what 'migmap pool list --json' prints. */
int mm_pool_names_format_json(char *const *names, size_t n, char **ret);
/* What a command that changed a pool did, as one JSON object:
 * {"action": "created", "pool": "p1"}, with "hosts": [names…] when n_hosts
 * is not 0 and "domain": name when domain is not NULL; pool may be NULL
 * ({"action": "untagged", "domain": "g1"}). */
int mm_pool_action_format_json(const char *action, const char *pool, char *const *hosts,
			       size_t n_hosts, const char *domain, char **ret);
/* What a refresh or a sync of pool did to each of its n remote members, as
 * one JSON object: {"action": "refreshed", "pool": "p1", "members":
 * [{"host": "b", "ok": false, "result": "stale since …: …"}, …]}; result
 * is what 'migmap pool refresh' prints after "HOST: " ("fresh", "stale
 * since T: why", "synced", "not synced: why"). */
int mm_pool_members_format_json(const char *action, const char *pool, char *const *hosts,
				const bool *ok, char *const *results, size_t n, char **ret);

#ifdef __cplusplus
}
#endif
