/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Questions a scheduler asks about a pool (lib/fit.c, docs/design.md §7):
 * on which members would a domain run, and which domains a member joining
 * or leaving would break or mend. Both are checks (check.h) against other
 * sets of hosts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "domain.h"
#include "error.h"
#include "freep.h"
#include "hostmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per member: the domain checked against that host alone. */
typedef struct MmFitHost {
	char *host;
	MmCheckReport *report; /* report->ok: the domain would run there */
} MmFitHost;

typedef struct MmFit {
	MmFitHost *hosts; /* in the order of the hosts given */
	size_t n;
} MmFit;

void mm_fit_free(MmFit *f);
MM_DEFINE_FREEP(MmFit, mm_fit_free)
/* Check d against each of hosts[0..n) alone. Fails only as mm_check_domain
 * fails for the domain itself (-EINVAL, -ENOTSUP, err filled). */
int mm_fit_domain(const MmDomain *d, const MmHostMap *const *hosts, size_t n, MmFit **ret,
		  MmError *err);
/* Build one from reports already made (one per host, taken). */
int mm_fit_add(MmFit *f, const char *host, MmCheckReport *report);
/* {"hosts": [{"host", "fits", "conflicts": [...], "warnings": [...]}]}:
 * the check report of each member, as mm_check_report_format_json. */
int mm_fit_format_json(const MmFit *f, char **ret);

typedef enum MmWhatifChange {
	MM_WHATIF_STAYS_VALID,
	MM_WHATIF_STAYS_INVALID,
	MM_WHATIF_BECOMES_INVALID,
	MM_WHATIF_BECOMES_VALID,
} MmWhatifChange;

const char *mm_whatif_change_to_string(MmWhatifChange c); /* "becomes-invalid", … */

typedef struct MmWhatifDomain {
	char *name;
	MmWhatifChange change;
	char *reason; /* the first error after (becomes invalid) or before (becomes valid) */
} MmWhatifDomain;

typedef struct MmWhatif {
	MmWhatifDomain *domains;
	size_t n;
} MmWhatif;

void mm_whatif_free(MmWhatif *w);
MM_DEFINE_FREEP(MmWhatif, mm_whatif_free)
/* Each domain checked against the pool before (hosts before[0..nb)) and
 * after (after[0..na)) a member joins or leaves. A pool left empty fits
 * nothing. */
int mm_whatif(const MmDomain *const *domains, size_t nd, const MmHostMap *const *before, size_t nb,
	      const MmHostMap *const *after, size_t na, MmWhatif **ret, MmError *err);
/* {"domains": [{"name", "change", "reason"}]} */
int mm_whatif_format_json(const MmWhatif *w, char **ret);

#ifdef __cplusplus
}
#endif
