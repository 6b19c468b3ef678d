/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Address ranges, id sets and range sets with their provenance
 * (lib/rangeset.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "freep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An inclusive range [start, end], as the kernel prints them. */
typedef struct MmRange {
	uint64_t start;
	uint64_t end;
} MmRange;

/* A sorted set of small integer ids: where a range came from (IOMMU groups,
 * pool members, ...). */
typedef struct MmIdSet {
	uint32_t *ids;
	size_t n;
} MmIdSet;

int mm_idset_add(MmIdSet *s, uint32_t id);
/* Replace s by the n ids of ids (malloc'ed, any order, duplicates allowed),
 * taking ownership: one sort instead of an insertion each (a list of ids in
 * descending order would otherwise cost O(n^2)). */
int mm_idset_take_array(MmIdSet *s, uint32_t *ids, size_t n);
int mm_idset_union(MmIdSet *dst, const MmIdSet *src);
bool mm_idset_contains(const MmIdSet *s, uint32_t id);
int mm_idset_copy(MmIdSet *dst, const MmIdSet *src);
void mm_idset_clear(MmIdSet *s);

/* One member of a range set: a range and its provenance. */
typedef struct MmSpan {
	uint64_t start;
	uint64_t end;
	MmIdSet origin;
} MmSpan;

/* Disjoint, sorted, non-adjacent spans: overlapping or touching ranges are
 * merged and their origins united. The empty set is { NULL, 0 }. */
typedef struct MmRangeSet {
	MmSpan *spans;
	size_t n;
	size_t alloc;
} MmRangeSet;

MmRangeSet *mm_rangeset_new(void);
void mm_rangeset_free(MmRangeSet *s);
MM_DEFINE_FREEP(MmRangeSet, mm_rangeset_free)
void mm_rangeset_clear(MmRangeSet *s); /* frees the contents, keeps s */

/* Add [start, end] (start <= end, else -EINVAL) carrying origin id; pass
 * MM_NO_ORIGIN for none. */
#define MM_NO_ORIGIN UINT32_MAX
int mm_rangeset_add(MmRangeSet *s, uint64_t start, uint64_t end, uint32_t origin);
int mm_rangeset_add_span(MmRangeSet *s, const MmSpan *span);
int mm_rangeset_copy(MmRangeSet *dst, const MmRangeSet *src);
/* dst = a ∪ b; a ∩ b (origins of both sides); a − b (origins of a). dst
 * must be empty and distinct from a and b. */
int mm_rangeset_union(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b);
int mm_rangeset_intersect(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b);
int mm_rangeset_subtract(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b);
bool mm_rangeset_contains(const MmRangeSet *s, uint64_t addr);
bool mm_rangeset_overlaps(const MmRangeSet *s, uint64_t start, uint64_t end);
bool mm_rangeset_equal(const MmRangeSet *a, const MmRangeSet *b); /* ranges only */

#ifdef __cplusplus
}
#endif
