/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What iommufd said about devices bound to vfio-pci (docs/design.md §3):
 * on the live host asked right now (lib/iommufd-live.c), in a sysroot read
 * back from its iommufd.txt, both as the same lines: the authoritative IOVA
 * ranges (IOMMU_IOAS_IOVA_RANGES on an IOAS the device is attached to) and
 * the IOMMU's input width (IOMMU_GET_HW_INFO), one fact per line:
 *
 *   BDF hw-info TYPE BITS        e.g. 0000:03:00.0 hw-info intel-vtd 48
 *   BDF allowed 0xSTART-0xEND    one line per allowed IOVA range
 *   BDF failed REASON            a device iommufd could not be asked about
 *
 * The width becomes an IOMMU limit; where it, or the ranges, disagree with
 * sysfs (the IOMMU class widths, the group's reserved_regions) the map
 * says so in a warning. A malformed line, or a device that could not be
 * asked, is a warning, never a failure: the rest of the host map stands
 * without it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmap.h"
#include "iommufd-live.h"
#include "macros.h"
#include "probe-internal.h"
#include "probe.h"
#include "sysroot.h"

#define IOMMUFD_FILE "iommufd.txt"
#define IOMMUFD_MAX  (1u << 20)

typedef struct Allowed {
	char bdf[16];
	uint64_t start, end;
} Allowed;

/* The IOMMU group holding bdf; NULL when the map has none. */
static const MmGroup *group_of(const MmHostMap *m, const char *bdf)
{
	for (size_t i = 0; i < m->n_groups; i++)
		for (size_t k = 0; k < m->groups[i].n_devices; k++)
			if (strcmp(m->groups[i].devices[k].bdf, bdf) == 0)
				return &m->groups[i];
	return NULL;
}

static bool in_group(const MmReserved *r, uint32_t id)
{
	for (size_t i = 0; i < r->groups.n; i++)
		if (r->groups.ids[i] == id)
			return true;
	return false;
}

/* The first address of [a, b] that none of group g's reserved ranges
 * covers; *covered true when all of it is. m->reserved is sorted by start. */
static uint64_t uncovered_from(const MmHostMap *m, uint32_t g, uint64_t a, uint64_t b,
			       bool *covered)
{
	uint64_t cur = a;
	*covered = false;
	for (size_t i = 0; i < m->n_reserved; i++) {
		const MmReserved *r = &m->reserved[i];
		if (!in_group(r, g) || r->end < cur)
			continue;
		if (r->start > cur)
			break;
		if (r->end >= b) {
			*covered = true;
			return cur;
		}
		cur = r->end + 1;
	}
	return cur;
}

/* The holes below the highest allowed address of one device: each must be
 * a range sysfs reserves for its group. */
static int check_holes(MmHostMap *m, const char *source, const char *bdf, const Allowed *a,
		       size_t n)
{
	const MmGroup *g = group_of(m, bdf);
	if (!g)
		return mm_hostmap_add_warning(m, "%s: %s: no IOMMU group in sysfs", source, bdf);
	uint64_t next = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].bdf, bdf) != 0)
			continue;
		if (a[i].start > next) {
			bool covered;
			uint64_t at = uncovered_from(m, g->id, next, a[i].start - 1, &covered);
			if (!covered) {
				int r = mm_hostmap_add_warning(
					m,
					"%s: %s: iommufd does not allow IOVA 0x%" PRIx64
					"-0x%" PRIx64 ", which group %" PRIu32
					"'s reserved_regions do not reserve",
					source, bdf, at, a[i].start - 1, g->id);
				if (r < 0)
					return r;
			}
		}
		if (a[i].end == UINT64_MAX)
			return 0;
		next = a[i].end + 1;
	}
	return 0;
}

static int allowed_cmp(const void *x, const void *y)
{
	const Allowed *a = x, *b = y;
	int c = strcmp(a->bdf, b->bdf);
	if (c)
		return c;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* The lines of an iommufd.txt in text (modified), from source: the file's
 * name, or /dev/iommu when asked live. */
static int parse(const char *source, char *text, MmHostMap *m)
{
	_cleanup_free_ Allowed *allowed = NULL;
	size_t n = 0, alloc = 0;
	int r;
	/* the sysfs widths before iommufd's join them */
	unsigned sysfs_bits = m->iommu_bits;
	unsigned lineno = 0;
	for (char *line = text, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		lineno++;
		if (*line == '#' || *line == '\0')
			continue;
		char bdf[16], what[16], type[32];
		unsigned bits;
		uint64_t start, end;
		int used = 0;
		if (sscanf(line, "%15s %15s %n", bdf, what, &used) == 2 &&
		    strcmp(what, "hw-info") == 0 &&
		    sscanf(line + used, "%31s %u", type, &bits) == 2 && bits >= 12 && bits <= 64) {
			char src[128];
			snprintf(src, sizeof(src), "%s: %s (IOMMU_GET_HW_INFO %s)", source, bdf,
				 type);
			if (sysfs_bits != MM_BITS_UNKNOWN && sysfs_bits != bits &&
			    (r = mm_hostmap_add_warning(
				     m, "%s says %u bits, sysfs and the kernel log %u", src, bits,
				     sysfs_bits)) < 0)
				return r;
			if ((r = mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, bits, src)) < 0)
				return r;
		} else if (sscanf(line, "%15s %15s %n", bdf, what, &used) == 2 &&
			   strcmp(what, "allowed") == 0 &&
			   sscanf(line + used, "0x%" SCNx64 "-0x%" SCNx64, &start, &end) == 2 &&
			   start <= end) {
			if (MM_GROW(allowed, alloc, n + 1) < 0)
				return -ENOMEM;
			snprintf(allowed[n].bdf, sizeof(allowed[n].bdf), "%s", bdf);
			allowed[n].start = start;
			allowed[n].end = end;
			n++;
		} else if (sscanf(line, "%15s %15s %n", bdf, what, &used) == 2 &&
			   strcmp(what, "failed") == 0 && line[used]) {
			if ((r = mm_hostmap_add_warning(m, "%s: %s could not be asked: %s", source,
							bdf, line + used)) < 0)
				return r;
		} else if ((r = mm_hostmap_add_warning(m, "%s:%u: not understood", source,
						       lineno)) < 0)
			return r;
	}
	if (n > 1)
		qsort(allowed, n, sizeof(*allowed), allowed_cmp);
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || strcmp(allowed[i].bdf, allowed[i - 1].bdf) != 0) &&
		    (r = check_holes(m, source, allowed[i].bdf, allowed, n)) < 0)
			return r;
	return 0;
}

int mm_probe_iommufd(int rootfd, bool live, bool ask, MmHostMap *m)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;
	/* asking binds (and resets) devices: only when asked to */
	if (live && !ask)
		return 0;
	if (live) {
		/* this host: what iommufd says now; nothing when the kernel
		 * has no iommufd or no device is bound to vfio-pci */
		r = mm_iommufd_live_query("", &text);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r == -ENOMEM
				       ? r
				       : mm_hostmap_add_warning(m, "/dev/iommu: cannot ask: %s",
								strerror(-r));
		return parse("/dev/iommu", text, m);
	}
	r = mm_read_file_at(rootfd, IOMMUFD_FILE, IOMMUFD_MAX, &text, &len, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r == -ENOMEM ? r
				    : mm_hostmap_add_warning(m, IOMMUFD_FILE ": cannot read: %s",
							     strerror(-r));
	return parse(IOMMUFD_FILE, text, m);
}

int mm_hostmap_query_iommufd(char **ret, MmError *err)
{
	int r = mm_iommufd_live_query("", ret);
	if (r == -ENOENT)
		mm_error_set(err, "/dev/iommu", 0,
			     "no iommufd on this host (a kernel without CONFIG_IOMMUFD, or the "
			     "iommufd module not loaded)");
	else if (r < 0)
		mm_error_set(err, "/dev/iommu", 0, "cannot ask iommufd: %s", strerror(-r));
	return r;
}
