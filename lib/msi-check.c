/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cross-checks of what the firmware says against what the kernel reserved,
 * added to the host map as warnings (docs/design.md §3):
 * - a hardware MSI doorbell (reached without translation) in no msi
 *   reserved range: a guest could put RAM over it;
 * - a software MSI window over a hardware doorbell: the kernel would map
 *   its window over an address devices write to untranslated;
 * - an IORT RMR the kernel did not report (kernels before 6.0). */
#include <errno.h>
#include <string.h>

#include "hostmap.h"
#include "probe-internal.h"
#include "rangeset.h"
#include "util.h"

#define ITS_TRANSLATION_PAGE 0x10000 /* the 64 KiB frame of GITS_TRANSLATER */

/* The addresses a hardware MSI region of c covers, as the kernel reserves
 * them: an ITS's translation page, any other controller's whole frame. */
static void hardware_region(const MmMsiController *c, uint64_t *start, uint64_t *end)
{
	if (c->type == MM_MSI_GICV3_ITS && c->size >= 2 * ITS_TRANSLATION_PAGE) {
		*start = c->base + ITS_TRANSLATION_PAGE;
		*end = *start + ITS_TRANSLATION_PAGE - 1;
	} else {
		*start = c->base;
		*end = c->base + (c->size ? c->size - 1 : 0);
	}
}

static bool is_msi(const MmReserved *r)
{
	return mm_reserved_kind_of(r->type) == MM_RESERVED_MSI &&
	       r->source == MM_RESERVED_FROM_KERNEL;
}

static int check_unreserved_doorbells(MmHostMap *m)
{
	if (m->n_iommu_groups == 0)
		return 0; /* nothing can be assigned: nothing to reserve */
	for (size_t i = 0; i < m->n_msi_controllers; i++) {
		const MmMsiController *c = &m->msi_controllers[i];
		bool reserved = false;
		if (c->translated != 0)
			continue;
		for (size_t k = 0; k < m->n_reserved && !reserved; k++)
			reserved = is_msi(&m->reserved[k]) && m->reserved[k].start <= c->doorbell &&
				   c->doorbell <= m->reserved[k].end;
		if (reserved)
			continue;
		char b[19], d[19];
		int r = mm_hostmap_add_warning(
			m,
			"%s %s at %s: hardware MSI doorbell %s is in no msi reserved range: "
			"guest RAM there would take devices' interrupts",
			mm_firmware_to_string(c->source), mm_msi_type_to_string(c->type),
			mm_hex(c->base, b), mm_hex(c->doorbell, d));
		if (r < 0)
			return r;
	}
	return 0;
}

/* An msi range holding a hardware doorbell and more than the hardware
 * regions in it is a software window laid over that doorbell. */
static int check_window_over_doorbell(MmHostMap *m)
{
	for (size_t k = 0; k < m->n_reserved; k++) {
		const MmReserved *res = &m->reserved[k];
		MmRangeSet window = { 0 }, hardware = { 0 }, rest = { 0 };
		const MmMsiController *first = NULL;
		int r = 0;

		if (!is_msi(res))
			continue;
		for (size_t i = 0; r >= 0 && i < m->n_msi_controllers; i++) {
			const MmMsiController *c = &m->msi_controllers[i];
			uint64_t start, end;
			if (c->translated != 0 || c->doorbell < res->start ||
			    c->doorbell > res->end)
				continue;
			if (!first)
				first = c;
			hardware_region(c, &start, &end);
			r = mm_rangeset_add(&hardware, start, end, MM_NO_ORIGIN);
		}
		if (r >= 0 && first) {
			r = mm_rangeset_add(&window, res->start, res->end, MM_NO_ORIGIN);
			if (r >= 0)
				r = mm_rangeset_subtract(&rest, &window, &hardware);
			if (r >= 0 && rest.n) {
				char s[19], e[19], b[19], d[19];
				r = mm_hostmap_add_warning(m,
							   "msi %s-%s: a software MSI window over "
							   "the hardware doorbell "
							   "%s of the %s at %s",
							   mm_hex(res->start, s),
							   mm_hex(res->end, e),
							   mm_hex(first->doorbell, d),
							   mm_msi_type_to_string(first->type),
							   mm_hex(first->base, b));
			}
		}
		mm_rangeset_clear(&window);
		mm_rangeset_clear(&hardware);
		mm_rangeset_clear(&rest);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_unreported_rmrs(MmHostMap *m)
{
	for (size_t k = 0; k < m->n_reserved; k++) {
		const MmReserved *res = &m->reserved[k];
		char s[19], e[19];
		if (res->source != MM_RESERVED_FROM_IORT)
			continue;
		int r = mm_hostmap_add_warning(
			m,
			"IORT RMR %s %s-%s: in no IOMMU group's reserved_regions (the kernel did "
			"not report it; Linux reports RMRs from 6.0 on)",
			res->type, mm_hex(res->start, s), mm_hex(res->end, e));
		if (r < 0)
			return r;
	}
	return 0;
}

int mm_msi_check(MmHostMap *m)
{
	int r = check_unreserved_doorbells(m);
	if (r >= 0)
		r = check_window_over_doorbell(m);
	if (r >= 0)
		r = check_unreported_rmrs(m);
	return r;
}
