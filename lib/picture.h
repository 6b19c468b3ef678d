/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address-space picture of `migmap show` (lib/picture.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "error.h"
#include "freep.h"
#include "hostmap.h"
#include "layout.h"
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MmPictureItem {
	const char *kind; /* a reserved type or a guest region kind; borrowed */
	uint64_t start;
	uint64_t end;
	bool conflict;
	size_t first_band, last_band;
} MmPictureItem;

typedef struct MmPictureLane {
	char *name;
	MmPictureItem *items;
	size_t n_items;
} MmPictureLane;

/* A stretch of address space between two range boundaries, and where it is
 * drawn: x and w are fractions of the picture's width. */
typedef struct MmPictureBand {
	uint64_t start, end;
	double weight, x, w;
	bool empty; /* no lane has anything there: drawn as a break */
} MmPictureBand;

/* The part of a guest region that meets an error-level conflict: only it
 * is outlined, not the whole region. */
typedef struct MmPictureMark {
	uint64_t start;
	uint64_t end;
} MmPictureMark;

typedef struct MmPicture {
	MmPictureLane *lanes; /* hosts by name, then "pool", then "guest" */
	size_t n_lanes;
	MmPictureBand *bands;
	size_t n_bands;
	MmPictureMark *marks; /* sorted, disjoint; on the guest lane */
	size_t n_marks;
	bool has_guest;   /* the last lane is the guest's */
	MmPoolMap *pool;  /* owns the pool lane's kind strings */
	char *machine;    /* the guest's machine type, NULL without a guest */
	char *pool_name;  /* for the title; NULL when the hosts are not a pool */
	char *guest_name; /* for the title; NULL when unnamed */
} MmPicture;

void mm_picture_free(MmPicture *p);
MM_DEFINE_FREEP(MmPicture, mm_picture_free)
/* The picture of hosts[0..n) and, when given, a guest layout with the
 * error-level conflicts of report marked. The picture borrows the kind
 * strings of hosts and layout: free it first. */
int mm_picture_build(const MmHostMap *const *hosts, size_t n, const MmGuestLayout *layout,
		     const MmCheckReport *report, MmPicture **ret, MmError *err);
/* Name the pool and the guest in the picture's title (either may be NULL). */
int mm_picture_set_names(MmPicture *p, const char *pool, const char *guest);
int mm_picture_format_svg(const MmPicture *p, char **ret);
int mm_picture_format_text(const MmPicture *p, unsigned columns, bool colour, char **ret);
int mm_picture_format_json(const MmPicture *p, char **ret);

#ifdef __cplusplus
}
#endif
