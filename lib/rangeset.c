/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Range sets: disjoint, sorted, non-touching inclusive ranges over the whole
 * 64-bit space, each remembering the ids it came from. Ends are inclusive,
 * so no arithmetic here may compute end + 1 without checking for
 * UINT64_MAX first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "rangeset.h"

/* ---- id sets ---- */

static size_t idset_lower_bound(const MmIdSet *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool mm_idset_contains(const MmIdSet *s, uint32_t id)
{
	size_t i = idset_lower_bound(s, id);
	return i < s->n && s->ids[i] == id;
}

int mm_idset_add(MmIdSet *s, uint32_t id)
{
	size_t i = idset_lower_bound(s, id);
	if (i < s->n && s->ids[i] == id)
		return 0;
	/* n is the capacity too: id sets are small and grow one by one. */
	uint32_t *p = realloc(s->ids, (s->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memmove(p + i + 1, p + i, (s->n - i) * sizeof(*p));
	p[i] = id;
	s->ids = p;
	s->n++;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int mm_idset_take_array(MmIdSet *s, uint32_t *ids, size_t n)
{
	if (n > 1)
		qsort(ids, n, sizeof(*ids), u32_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	free(s->ids);
	s->ids = ids;
	s->n = k;
	return 0;
}

int mm_idset_union(MmIdSet *dst, const MmIdSet *src)
{
	if (src->n == 0)
		return 0;
	uint32_t *merged = malloc((dst->n + src->n) * sizeof(*merged));
	if (!merged)
		return -ENOMEM;
	size_t i = 0, j = 0, k = 0;
	while (i < dst->n || j < src->n) {
		uint32_t v;
		if (j >= src->n || (i < dst->n && dst->ids[i] < src->ids[j]))
			v = dst->ids[i++];
		else if (i >= dst->n || src->ids[j] < dst->ids[i])
			v = src->ids[j++];
		else {
			v = dst->ids[i++];
			j++;
		}
		merged[k++] = v;
	}
	free(dst->ids);
	dst->ids = merged;
	dst->n = k;
	return 0;
}

int mm_idset_copy(MmIdSet *dst, const MmIdSet *src)
{
	dst->ids = NULL;
	dst->n = 0;
	if (src->n == 0)
		return 0;
	dst->ids = malloc(src->n * sizeof(*dst->ids));
	if (!dst->ids)
		return -ENOMEM;
	memcpy(dst->ids, src->ids, src->n * sizeof(*dst->ids));
	dst->n = src->n;
	return 0;
}

void mm_idset_clear(MmIdSet *s)
{
	free(s->ids);
	s->ids = NULL;
	s->n = 0;
}

/* ---- range sets ---- */

MmRangeSet *mm_rangeset_new(void)
{
	return calloc(1, sizeof(MmRangeSet));
}

void mm_rangeset_clear(MmRangeSet *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		mm_idset_clear(&s->spans[i].origin);
	free(s->spans);
	s->spans = NULL;
	s->n = s->alloc = 0;
}

void mm_rangeset_free(MmRangeSet *s)
{
	mm_rangeset_clear(s);
	free(s);
}

/* Does a span ending at end touch or overlap a range starting at start? */
static bool reaches(uint64_t end, uint64_t start)
{
	return end == UINT64_MAX || end + 1 >= start;
}

int mm_rangeset_add_span(MmRangeSet *s, const MmSpan *span)
{
	uint64_t start = span->start, end = span->end;
	size_t lo, hi, first, last;
	int r;

	if (start > end)
		return -EINVAL;

	/* first: the first span whose end reaches start (ends are increasing). */
	lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (reaches(s->spans[mid].end, start))
			hi = mid;
		else
			lo = mid + 1;
	}
	first = lo;
	/* last + 1: the first span that starts beyond end + 1. */
	lo = first, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (reaches(end, s->spans[mid].start))
			lo = mid + 1;
		else
			hi = mid;
	}
	last = lo; /* spans [first, last) merge with the new one */

	if (first == last) {
		r = MM_GROW(s->spans, s->alloc, s->n + 1);
		if (r < 0)
			return r;
		MmSpan fresh = { start, end, { NULL, 0 } };
		r = mm_idset_copy(&fresh.origin, &span->origin);
		if (r < 0)
			return r;
		memmove(s->spans + first + 1, s->spans + first, (s->n - first) * sizeof(MmSpan));
		s->spans[first] = fresh;
		s->n++;
		return 0;
	}

	MmSpan *into = &s->spans[first];
	/* Merge origins before touching the array so a failure changes nothing. */
	MmIdSet origin = { NULL, 0 };
	r = mm_idset_copy(&origin, &into->origin);
	if (r < 0)
		return r;
	for (size_t i = first + 1; i < last && r >= 0; i++)
		r = mm_idset_union(&origin, &s->spans[i].origin);
	if (r >= 0)
		r = mm_idset_union(&origin, &span->origin);
	if (r < 0) {
		mm_idset_clear(&origin);
		return r;
	}

	if (start < into->start)
		into->start = start;
	if (s->spans[last - 1].end > end)
		end = s->spans[last - 1].end;
	into->end = end;
	mm_idset_clear(&into->origin);
	into->origin = origin;
	for (size_t i = first + 1; i < last; i++)
		mm_idset_clear(&s->spans[i].origin);
	memmove(s->spans + first + 1, s->spans + last, (s->n - last) * sizeof(MmSpan));
	s->n -= last - first - 1;
	return 0;
}

int mm_rangeset_add(MmRangeSet *s, uint64_t start, uint64_t end, uint32_t origin)
{
	uint32_t id = origin;
	MmSpan span = { start, end, { &id, origin == MM_NO_ORIGIN ? 0 : 1 } };
	return mm_rangeset_add_span(s, &span);
}

int mm_rangeset_copy(MmRangeSet *dst, const MmRangeSet *src)
{
	MmRangeSet tmp = { NULL, 0, 0 };
	int r = MM_GROW(tmp.spans, tmp.alloc, src->n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < src->n; i++) {
		tmp.spans[i].start = src->spans[i].start;
		tmp.spans[i].end = src->spans[i].end;
		r = mm_idset_copy(&tmp.spans[i].origin, &src->spans[i].origin);
		if (r < 0) {
			mm_rangeset_clear(&tmp);
			return r;
		}
		tmp.n++;
	}
	*dst = tmp;
	return 0;
}

int mm_rangeset_union(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b)
{
	MmRangeSet tmp = { NULL, 0, 0 };
	int r = mm_rangeset_copy(&tmp, a);
	/* b's spans come in order, so each add merges at the end or near it. */
	for (size_t i = 0; r >= 0 && i < b->n; i++)
		r = mm_rangeset_add_span(&tmp, &b->spans[i]);
	if (r < 0) {
		mm_rangeset_clear(&tmp);
		return r;
	}
	*dst = tmp;
	return 0;
}

/* Append a span to tmp, which the caller builds in order. */
static int append(MmRangeSet *tmp, uint64_t start, uint64_t end, const MmIdSet *o1,
		  const MmIdSet *o2)
{
	MmSpan span = { start, end, { NULL, 0 } };
	int r = mm_idset_copy(&span.origin, o1);
	if (r >= 0 && o2)
		r = mm_idset_union(&span.origin, o2);
	if (r >= 0)
		r = MM_GROW(tmp->spans, tmp->alloc, tmp->n + 1);
	if (r < 0) {
		mm_idset_clear(&span.origin);
		return r;
	}
	tmp->spans[tmp->n++] = span;
	return 0;
}

int mm_rangeset_intersect(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b)
{
	MmRangeSet tmp = { NULL, 0, 0 };
	size_t i = 0, j = 0;
	int r = 0;

	while (i < a->n && j < b->n) {
		const MmSpan *x = &a->spans[i], *y = &b->spans[j];
		uint64_t lo = x->start > y->start ? x->start : y->start;
		uint64_t hi = x->end < y->end ? x->end : y->end;
		if (lo <= hi) {
			/* Pieces of a ∩ b never touch: a gap in a or b lies between. */
			r = append(&tmp, lo, hi, &x->origin, &y->origin);
			if (r < 0)
				break;
		}
		if (x->end < y->end)
			i++;
		else
			j++;
	}
	if (r < 0) {
		mm_rangeset_clear(&tmp);
		return r;
	}
	*dst = tmp;
	return 0;
}

int mm_rangeset_subtract(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b)
{
	MmRangeSet tmp = { NULL, 0, 0 };
	size_t j = 0;
	int r = 0;

	for (size_t i = 0; i < a->n && r >= 0; i++) {
		const MmSpan *x = &a->spans[i];
		uint64_t cur = x->start;
		bool done = false;

		while (j < b->n && b->spans[j].end < cur)
			j++;
		for (size_t k = j; k < b->n && !done && r >= 0; k++) {
			const MmSpan *y = &b->spans[k];
			if (y->start > x->end)
				break;
			if (y->start > cur)
				r = append(&tmp, cur, y->start - 1, &x->origin, NULL);
			if (y->end >= x->end)
				done = true;
			else
				cur = y->end + 1;
		}
		if (!done && r >= 0)
			r = append(&tmp, cur, x->end, &x->origin, NULL);
	}
	if (r < 0) {
		mm_rangeset_clear(&tmp);
		return r;
	}
	*dst = tmp;
	return 0;
}

bool mm_rangeset_contains(const MmRangeSet *s, uint64_t addr)
{
	return mm_rangeset_overlaps(s, addr, addr);
}

bool mm_rangeset_overlaps(const MmRangeSet *s, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->spans[mid].end < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->spans[lo].start <= end;
}

bool mm_rangeset_equal(const MmRangeSet *a, const MmRangeSet *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->spans[i].start != b->spans[i].start || a->spans[i].end != b->spans[i].end)
			return false;
	return true;
}
