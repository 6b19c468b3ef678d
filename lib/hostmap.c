/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map model: construction, lookup and teardown. Probing, XML and
 * JSON live in their own files. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmap.h"
#include "macros.h"
#include "rangeset.h"
#include "strv.h"

static const char *const reserved_kinds[] = {
	[MM_RESERVED_DIRECT] = "direct",
	[MM_RESERVED_DIRECT_RELAXABLE] = "direct-relaxable",
	[MM_RESERVED_RESERVED] = "reserved",
	[MM_RESERVED_MSI] = "msi",
};

MM_ENUM_STRINGS(mm_reserved_kind, MmReservedKind, reserved_kinds)

MmReservedKind mm_reserved_kind_of(const char *type)
{
	MmReservedKind k;
	return mm_reserved_kind_from_string(type, &k) < 0 ? MM_RESERVED_OTHER : k;
}

MmHostMap *mm_hostmap_new(void)
{
	return calloc(1, sizeof(MmHostMap));
}

static void group_clear(MmGroup *g)
{
	free(g->type);
	for (size_t i = 0; i < g->n_devices; i++)
		free(g->devices[i].bdf);
	free(g->devices);
}

void mm_hostmap_free(MmHostMap *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->uuid);
	free(m->arch);
	free(m->kernel);
	free(m->generated);
	for (size_t i = 0; i < m->n_groups; i++)
		group_clear(&m->groups[i]);
	free(m->groups);
	for (size_t i = 0; i < m->n_reserved; i++) {
		free(m->reserved[i].type);
		mm_idset_clear(&m->reserved[i].groups);
	}
	free(m->reserved);
	mm_rangeset_clear(&m->ram);
	mm_rangeset_clear(&m->pci_windows);
	mm_rangeset_clear(&m->ecam);
	free(m->msi_controllers);
	for (size_t i = 0; i < m->n_limits; i++)
		free(m->limits[i].source);
	free(m->limits);
	mm_strv_free(m->warnings, m->n_warnings);
	free(m);
}

unsigned mm_hostmap_limit_bits(const MmHostMap *m)
{
	/* VFIO cannot map an IOVA above the IOMMU's input width, and a guest
	 * cannot have RAM above the CPU's or KVM's physical limit */
	const unsigned known[] = { m->phys_bits, m->kvm_ipa_bits, m->iommu_bits };
	unsigned bits = MM_BITS_UNKNOWN;
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (known[i] != MM_BITS_UNKNOWN && (bits == MM_BITS_UNKNOWN || known[i] < bits))
			bits = known[i];
	return bits;
}

static size_t group_lower_bound(const MmHostMap *m, uint32_t id)
{
	size_t lo = 0, hi = m->n_groups;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const MmGroup *mm_hostmap_find_group(const MmHostMap *m, uint32_t id)
{
	size_t i = group_lower_bound(m, id);
	return i < m->n_groups && m->groups[i].id == id ? &m->groups[i] : NULL;
}

MmGroup *mm_hostmap_ensure_group(MmHostMap *m, uint32_t id)
{
	size_t i = group_lower_bound(m, id);
	if (i < m->n_groups && m->groups[i].id == id)
		return &m->groups[i];
	MmGroup *p = realloc(m->groups, (m->n_groups + 1) * sizeof(*p));
	if (!p)
		return NULL;
	m->groups = p;
	memmove(p + i + 1, p + i, (m->n_groups - i) * sizeof(*p));
	memset(&p[i], 0, sizeof(*p));
	p[i].id = id;
	m->n_groups++;
	return &p[i];
}

static int group_id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int mm_hostmap_add_groups(MmHostMap *m, uint32_t *ids, size_t n)
{
	if (n == 0)
		return 0;
	qsort(ids, n, sizeof(*ids), group_id_cmp);
	/* merge with the groups already there: both sorted */
	MmGroup *merged = calloc(m->n_groups + n, sizeof(*merged));
	if (!merged)
		return -ENOMEM;
	size_t i = 0, j = 0, k = 0;
	while (i < m->n_groups || j < n) {
		if (j < n && k > 0 && merged[k - 1].id == ids[j]) {
			j++;
			continue;
		}
		if (j >= n || (i < m->n_groups && m->groups[i].id <= ids[j])) {
			if (j < n && m->groups[i].id == ids[j])
				j++;
			merged[k++] = m->groups[i++];
		} else
			merged[k++].id = ids[j++];
	}
	free(m->groups);
	m->groups = merged;
	m->n_groups = k;
	return 0;
}

int mm_hostmap_add_warning(MmHostMap *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mm_strv_appendv(&m->warnings, &m->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

static bool touches(const MmReserved *r, uint64_t start, uint64_t end)
{
	bool after = r->end != UINT64_MAX && r->end + 1 < start;
	bool before = end != UINT64_MAX && end + 1 < r->start;
	return !after && !before;
}

static int reserved_cmp(const void *a, const void *b)
{
	const MmReserved *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	int c = strcmp(x->type, y->type);
	if (c != 0)
		return c;
	return x->source < y->source ? -1 : x->source > y->source;
}

int mm_hostmap_add_reserved(MmHostMap *m, const char *type, uint64_t start, uint64_t end,
			    const MmIdSet *groups)
{
	return mm_hostmap_add_reserved_from(m, type, MM_RESERVED_FROM_KERNEL, start, end, groups);
}

int mm_hostmap_add_reserved_from(MmHostMap *m, const char *type, MmReservedSource source,
				 uint64_t start, uint64_t end, const MmIdSet *groups)
{
	MmIdSet merged = { NULL, 0 };
	_cleanup_free_ char *t = NULL;
	int r;

	if (start > end)
		return -EINVAL;
	if (groups) {
		r = mm_idset_copy(&merged, groups);
		if (r < 0)
			return r;
	}
	/* Gather every range of this type the new one touches; repeat, since a
	 * grown range may now touch one it did not before. */
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < m->n_reserved; i++) {
			MmReserved *x = &m->reserved[i];
			if (strcmp(x->type, type) != 0 || x->source != source ||
			    !touches(x, start, end))
				continue;
			r = mm_idset_union(&merged, &x->groups);
			if (r < 0) {
				mm_idset_clear(&merged);
				return r;
			}
			if (x->start < start)
				start = x->start;
			if (x->end > end)
				end = x->end;
			free(x->type);
			mm_idset_clear(&x->groups);
			m->reserved[i] = m->reserved[--m->n_reserved];
			again = true;
			break;
		}
	}

	t = strdup(type);
	MmReserved *p = t ? realloc(m->reserved, (m->n_reserved + 1) * sizeof(*p)) : NULL;
	if (!p) {
		mm_idset_clear(&merged);
		return -ENOMEM;
	}
	m->reserved = p;
	p[m->n_reserved++] = (MmReserved){ TAKE_PTR(t), start, end, merged, source };
	qsort(m->reserved, m->n_reserved, sizeof(*p), reserved_cmp);
	return 0;
}
