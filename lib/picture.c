/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address-space picture of `migmap show`: one lane per host with its
 * reserved ranges, a lane for the pool's forbidden ranges, a lane for the
 * guest's regions, conflicts marked. Address space is cut at every range
 * boundary into bands; a band's width grows with the logarithm of its size,
 * so a 4 KiB doorbell page stays visible next to a terabyte of nothing, and
 * bands where no lane has anything are drawn as breaks. The same picture is
 * written as SVG, as text lanes, or as JSON. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "hostmap.h"
#include "jsonutil.h"
#include "layout.h"
#include "macros.h"
#include "picture.h"
#include "pool.h"
#include "util.h"

void mm_picture_free(MmPicture *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_lanes; i++) {
		free(p->lanes[i].name);
		free(p->lanes[i].items);
	}
	free(p->lanes);
	free(p->bands);
	free(p->marks);
	mm_poolmap_free(p->pool);
	free(p->machine);
	free(p->pool_name);
	free(p->guest_name);
	free(p);
}

int mm_picture_set_names(MmPicture *p, const char *pool, const char *guest)
{
	char *a = NULL, *b = NULL;
	if ((pool && !(a = strdup(pool))) || (guest && !(b = strdup(guest)))) {
		free(a);
		return -ENOMEM;
	}
	free(p->pool_name);
	free(p->guest_name);
	p->pool_name = a;
	p->guest_name = b;
	return 0;
}

static MmPictureLane *add_lane(MmPicture *p, const char *fmt, ...) _printf_(2, 3);
static MmPictureLane *add_lane(MmPicture *p, const char *fmt, ...)
{
	MmPictureLane *v = realloc(p->lanes, (p->n_lanes + 1) * sizeof(*v));
	if (!v)
		return NULL;
	p->lanes = v;
	MmPictureLane *lane = &v[p->n_lanes];
	memset(lane, 0, sizeof(*lane));
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&lane->name, fmt, ap);
	va_end(ap);
	if (r < 0)
		return NULL;
	p->n_lanes++;
	return lane;
}

static int add_item(MmPictureLane *lane, const char *kind, uint64_t start, uint64_t end,
		    bool conflict)
{
	MmPictureItem *v = realloc(lane->items, (lane->n_items + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	lane->items = v;
	v[lane->n_items++] = (MmPictureItem){ kind, start, end, conflict, 0, 0 };
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Which band holds addr: bands are sorted and cover [0, top]. */
static size_t band_of(const MmPicture *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n_bands;
	while (lo + 1 < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->bands[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The width of one break, a fraction of the plot. */
#define MM_PICTURE_BREAK 0.006

static int cmp_mark(const void *x, const void *y)
{
	const MmPictureMark *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* The parts of guest regions that error-level conflicts cover: the region
 * cut to the forbidden range it meets, merged where they touch. */
static int collect_marks(MmPicture *p, const MmCheckReport *report)
{
	size_t n = 0;
	for (size_t c = 0; c < report->n_conflicts; c++)
		n += report->conflicts[c].severity == MM_SEVERITY_ERROR;
	if (n == 0)
		return 0;
	p->marks = calloc(n, sizeof(*p->marks));
	if (!p->marks)
		return -ENOMEM;
	n = 0;
	for (size_t c = 0; c < report->n_conflicts; c++) {
		const MmConflict *k = &report->conflicts[c];
		if (k->severity != MM_SEVERITY_ERROR)
			continue;
		MmPictureMark m = { k->guest_start, k->guest_end };
		if (k->start <= k->guest_end && k->end >= k->guest_start) {
			m.start = k->start > k->guest_start ? k->start : k->guest_start;
			m.end = k->end < k->guest_end ? k->end : k->guest_end;
		}
		p->marks[n++] = m;
	}
	qsort(p->marks, n, sizeof(*p->marks), cmp_mark);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && p->marks[k - 1].end != UINT64_MAX &&
		    p->marks[i].start <= p->marks[k - 1].end + 1) {
			if (p->marks[i].end > p->marks[k - 1].end)
				p->marks[k - 1].end = p->marks[i].end;
			continue;
		}
		p->marks[k++] = p->marks[i];
	}
	p->n_marks = k;
	return 0;
}

static int cut_bands(MmPicture *p)
{
	_cleanup_free_ uint64_t *cuts = NULL;
	size_t n = 0, alloc = 0;
	uint64_t top = 0;

	for (size_t i = 0; i < p->n_lanes; i++)
		for (size_t k = 0; k < p->lanes[i].n_items; k++) {
			const MmPictureItem *it = &p->lanes[i].items[k];
			if (MM_GROW(cuts, alloc, n + 2) < 0)
				return -ENOMEM;
			cuts[n++] = it->start;
			if (it->end != UINT64_MAX)
				cuts[n++] = it->end + 1;
			if (it->end > top)
				top = it->end;
		}
	/* a marked part of a region starts and ends on band edges too */
	if (MM_GROW(cuts, alloc, n + 2 * p->n_marks + 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_marks; i++) {
		cuts[n++] = p->marks[i].start;
		if (p->marks[i].end != UINT64_MAX)
			cuts[n++] = p->marks[i].end + 1;
	}
	cuts[n++] = 0;
	qsort(cuts, n, sizeof(*cuts), u64_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if ((k == 0 || cuts[k - 1] != cuts[i]) && cuts[i] <= top)
			cuts[k++] = cuts[i];
	n = k;

	p->bands = calloc(n, sizeof(*p->bands));
	if (!p->bands)
		return -ENOMEM;
	p->n_bands = n;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		MmPictureBand *b = &p->bands[i];
		b->start = cuts[i];
		b->end = i + 1 < n ? cuts[i + 1] - 1 : top;
		double size = (double)(b->end - b->start) + 1.0;
		b->weight = 1.0 + log2(size < 4096 ? 1.0 : size / 4096.0);
		total += b->weight;
	}
	/* empty bands: a break, drawn as a narrow gap of the same width
	 * whatever their size and number, so nothing is spent on nothing */
	size_t n_empty = 0;
	for (size_t i = 0; i < n; i++) {
		MmPictureBand *b = &p->bands[i];
		b->empty = true;
		for (size_t l = 0; l < p->n_lanes && b->empty; l++)
			for (size_t m = 0; m < p->lanes[l].n_items && b->empty; m++) {
				const MmPictureItem *it = &p->lanes[l].items[m];
				b->empty = !(it->start <= b->end && it->end >= b->start);
			}
		if (b->empty) {
			total -= b->weight;
			n_empty++;
		}
	}
	if (n_empty > 0) {
		/* each break takes MM_PICTURE_BREAK of the width, all of them
		 * together at most a tenth */
		double share = MM_PICTURE_BREAK * (double)n_empty;
		if (share > 0.1)
			share = 0.1;
		double weight = n_empty < n ? total * share / (1.0 - share) / (double)n_empty : 1.0;
		for (size_t i = 0; i < n; i++)
			if (p->bands[i].empty) {
				p->bands[i].weight = weight;
				total += weight;
			}
	}
	double x = 0;
	for (size_t i = 0; i < n; i++) {
		p->bands[i].x = x / total;
		p->bands[i].w = p->bands[i].weight / total;
		x += p->bands[i].weight;
	}
	for (size_t i = 0; i < p->n_lanes; i++)
		for (size_t m = 0; m < p->lanes[i].n_items; m++) {
			MmPictureItem *it = &p->lanes[i].items[m];
			it->first_band = band_of(p, it->start);
			it->last_band = band_of(p, it->end);
		}
	return 0;
}

int mm_picture_build(const MmHostMap *const *hosts, size_t n, const MmGuestLayout *layout,
		     const MmCheckReport *report, MmPicture **ret, MmError *err)
{
	_cleanup_(mm_picture_freep) MmPicture *p = calloc(1, sizeof(*p));
	_cleanup_(mm_poolmap_freep) MmPoolMap *pool = NULL;
	int r;

	if (!p)
		return -ENOMEM;
	if ((r = mm_pool_baseline("picture", hosts, n, &pool, err)) < 0)
		return r;
	for (size_t i = 0; i < pool->n_members; i++) {
		const MmHostMap *h = NULL;
		for (size_t k = 0; k < n && !h; k++)
			if (strcmp(hosts[k]->name, pool->members[i].name) == 0)
				h = hosts[k];
		MmPictureLane *lane = add_lane(p, "%s", h->name);
		if (!lane)
			return -ENOMEM;
		for (size_t k = 0; k < h->n_reserved; k++)
			if (add_item(lane, h->reserved[k].type, h->reserved[k].start,
				     h->reserved[k].end, false) < 0)
				return -ENOMEM;
	}
	if (n > 1) {
		MmPictureLane *lane = add_lane(p, "pool");
		if (!lane)
			return -ENOMEM;
		for (size_t k = 0; k < pool->n_forbidden; k++)
			if (add_item(lane, pool->forbidden[k].type, pool->forbidden[k].start,
				     pool->forbidden[k].end, false) < 0)
				return -ENOMEM;
	}
	if (layout) {
		MmPictureLane *lane = add_lane(p, "guest");
		if (!lane)
			return -ENOMEM;
		for (size_t k = 0; k < layout->n_regions; k++) {
			const MmGuestRegion *g = &layout->regions[k];
			bool conflict = false;
			for (size_t c = 0; report && c < report->n_conflicts && !conflict; c++)
				conflict = report->conflicts[c].severity == MM_SEVERITY_ERROR &&
					   report->conflicts[c].guest_start == g->start &&
					   report->conflicts[c].guest_end == g->end;
			if (add_item(lane, g->kind, g->start, g->end, conflict) < 0)
				return -ENOMEM;
		}
		p->has_guest = true;
		if (report && collect_marks(p, report) < 0)
			return -ENOMEM;
		if (layout->machine && !(p->machine = strdup(layout->machine)))
			return -ENOMEM;
	}
	if ((r = cut_bands(p)) < 0)
		return r;
	p->pool = TAKE_PTR(pool);
	*ret = TAKE_PTR(p);
	return 0;
}

/* ---- colours and letters ---- */

static const struct {
	const char *kind;
	const char *colour; /* SVG */
	char letter;        /* text */
	int ansi;           /* 256-colour index */
} styles[] = {
	{ "msi", "#d62728", 'M', 160 },
	{ "direct", "#9467bd", 'D', 97 },
	{ "direct-relaxable", "#c5b0d5", 'd', 183 },
	{ "reserved", "#8c564b", 'R', 94 },
	{ "ram", "#2ca02c", '=', 34 },
	{ "ram-below-4g", "#2ca02c", '=', 34 },
	{ "ram-above-4g", "#2ca02c", '=', 34 },
	{ "device-memory", "#98df8a", '+', 120 },
	{ "dimm", "#2ca02c", '=', 34 },
	{ "pcie-mmio", "#1f77b4", 'p', 32 },
	{ "pcie-mmio-high", "#1f77b4", 'p', 32 },
	{ "pci-mmio", "#1f77b4", 'p', 32 },
	{ "pci-mmio-high", "#1f77b4", 'p', 32 },
};

static int style_of(const char *kind)
{
	for (size_t i = 0; i < ELEMENTSOF(styles); i++)
		if (strcmp(kind, styles[i].kind) == 0)
			return (int)i;
	return -1;
}

/* ---- SVG ---- */

typedef struct Buf {
	char *s;
	size_t len, alloc;
	int error;
} Buf;

static void put(Buf *b, const char *fmt, ...) _printf_(2, 3);
static void put(Buf *b, const char *fmt, ...)
{
	if (b->error)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->alloc - b->len : 0, fmt,
				  ap);
		va_end(ap);
		if (n < 0) {
			b->error = -EINVAL;
			return;
		}
		if (b->s && b->len + (size_t)n < b->alloc) {
			b->len += (size_t)n;
			return;
		}
		if (MM_GROW(b->s, b->alloc, b->len + (size_t)n + 1) < 0) {
			b->error = -ENOMEM;
			return;
		}
	}
}

/* Lane names and kinds come from host maps: escape them for XML. */
static void put_escaped(Buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<':
			put(b, "&lt;");
			break;
		case '>':
			put(b, "&gt;");
			break;
		case '&':
			put(b, "&amp;");
			break;
		case '\'':
			put(b, "&apos;");
			break;
		case '"':
			put(b, "&quot;");
			break;
		default:
			put(b, "%c", *s);
		}
}

#define SVG_LEFT 90.0
#define SVG_PLOT 1000.0
#define SVG_LANE 28.0
#define SVG_TOP  36.0
/* the whole width: lane names, the plot, a margin (nothing else right of it) */
#define SVG_WIDTH (SVG_LEFT + SVG_PLOT + 20.0)
/* What a label takes at font-size 11: 7 px a character bounds sans-serif's
 * widest digits (0.64 em), so labels placed by it do not touch. */
#define SVG_CHAR      7.0
#define SVG_ROW       14.0
#define SVG_TICK_ROWS 64

static double svg_text_width(const char *s)
{
	return SVG_CHAR * (double)strlen(s);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* The x of the band starting at addr (every range's start is one). */
static double svg_x_of(const MmPicture *p, uint64_t addr)
{
	for (size_t i = 0; i < p->n_bands; i++)
		if (p->bands[i].start == addr)
			return SVG_LEFT + p->bands[i].x * SVG_PLOT;
	return -1;
}

/* Place labels left to right, each in the first row where it does not
 * meet the label before it (place, then stack); x ascending. Returns the
 * number of rows used. */
static unsigned svg_stack_labels(const double *x, const double *width, size_t n, unsigned *row)
{
	double row_end[SVG_TICK_ROWS];
	unsigned rows = 0;
	for (size_t r = 0; r < SVG_TICK_ROWS; r++)
		row_end[r] = -1e9;
	for (size_t i = 0; i < n; i++) {
		unsigned r = 0;
		while (r + 1 < SVG_TICK_ROWS && row_end[r] > x[i])
			r++;
		row[i] = r;
		row_end[r] = x[i] + width[i] + 6;
		if (r + 1 > rows)
			rows = r + 1;
	}
	return rows;
}

/* The axis labels: one at the start of every drawn range, every lane's,
 * horizontal, stacked where they would meet. Returns how many, with their
 * addresses, x and rows in the arrays (n_max long); *rows the rows used. */
static size_t svg_place_ticks(const MmPicture *p, uint64_t *addr, double *x, double *width,
			      unsigned *row, size_t n_max, unsigned *rows)
{
	size_t n = 0;
	for (size_t l = 0; l < p->n_lanes; l++)
		for (size_t k = 0; k < p->lanes[l].n_items && n < n_max; k++)
			addr[n++] = p->lanes[l].items[k].start;
	qsort(addr, n, sizeof(*addr), cmp_u64);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || addr[u - 1] != addr[i])
			addr[u++] = addr[i];
	for (size_t i = 0; i < u; i++) {
		char buf[19];
		x[i] = svg_x_of(p, addr[i]);
		width[i] = svg_text_width(mm_hex(addr[i], buf));
	}
	*rows = svg_stack_labels(x, width, u, row);
	return u;
}

/* The guest lane, when there is one. */
static const MmPictureLane *guest_lane(const MmPicture *p)
{
	return p->has_guest ? &p->lanes[p->n_lanes - 1] : NULL;
}

static double item_width(const MmPicture *p, const MmPictureItem *it)
{
	const MmPictureBand *f = &p->bands[it->first_band];
	const MmPictureBand *e = &p->bands[it->last_band];
	return (e->x + e->w - f->x) * SVG_PLOT;
}

/* The visible title: the pool, its hosts, and the guest with its machine. */
static void svg_title(Buf *b, const MmPicture *p)
{
	size_t n_hosts = p->n_lanes - (p->has_guest ? 1 : 0);
	if (n_hosts > 1)
		n_hosts--; /* the pool's lane */
	put(b, "<text class='title' x='5' y='16' font-size='13' font-weight='bold'>");
	if (p->pool_name) {
		put(b, "Pool ");
		put_escaped(b, p->pool_name);
		put(b, ", ");
		put(b, n_hosts > 1 ? "hosts " : "host ");
	} else
		put(b, n_hosts > 1 ? "Hosts " : "Host ");
	for (size_t l = 0; l < n_hosts; l++) {
		put(b, "%s", l ? ", " : "");
		put_escaped(b, p->lanes[l].name);
	}
	put(b, ": reserved ranges%s", n_hosts > 1 ? ", the baseline" : "");
	if (p->has_guest) {
		put(b, " and guest ");
		if (p->guest_name) {
			put_escaped(b, p->guest_name);
			put(b, " ");
		}
		if (p->machine) {
			put(b, "(");
			put_escaped(b, p->machine);
			put(b, ")");
		}
	}
	put(b, "</text>\n");
}

int mm_picture_format_svg(const MmPicture *p, char **ret)
{
	static const char *const legend[][2] = {
		{ "#d62728", "msi" },
		{ "#9467bd", "direct" },
		{ "#c5b0d5", "direct-relaxable" },
		{ "#8c564b", "reserved" },
		{ "#2ca02c", "RAM" },
		{ "#98df8a", "device memory" },
		{ "#1f77b4", "PCI window" },
		{ "#7f7f7f", "emulated device, other" },
		{ "#f2f2f2", "break (not to scale)" },
		{ "none", "conflict" },
	};
	Buf b = { 0 };
	char a[19], c[19];
	size_t n_max = 0;
	for (size_t l = 0; l < p->n_lanes; l++)
		n_max += p->lanes[l].n_items;
	_cleanup_free_ uint64_t *tick_addr = calloc(n_max + 1, sizeof(*tick_addr));
	_cleanup_free_ double *tick_x = calloc(n_max + 1, sizeof(*tick_x));
	_cleanup_free_ double *tick_width = calloc(n_max + 1, sizeof(*tick_width));
	_cleanup_free_ unsigned *tick_row = calloc(n_max + 1, sizeof(*tick_row));
	if (!tick_addr || !tick_x || !tick_width || !tick_row)
		return -ENOMEM;
	unsigned rows = 0;
	size_t n_ticks = svg_place_ticks(p, tick_addr, tick_x, tick_width, tick_row, n_max, &rows);

	/* the guest's regions too small for their kind written on them: the
	 * kind under the lanes, stacked like the ticks */
	const MmPictureLane *guest = guest_lane(p);
	size_t n_glabels = 0;
	unsigned glabel_rows = 0;
	_cleanup_free_ size_t *glabel_item = NULL;
	_cleanup_free_ double *glabel_x = NULL, *glabel_w = NULL;
	_cleanup_free_ unsigned *glabel_row = NULL;
	if (guest) {
		glabel_item = calloc(guest->n_items + 1, sizeof(*glabel_item));
		glabel_x = calloc(guest->n_items + 1, sizeof(*glabel_x));
		glabel_w = calloc(guest->n_items + 1, sizeof(*glabel_w));
		glabel_row = calloc(guest->n_items + 1, sizeof(*glabel_row));
		if (!glabel_item || !glabel_x || !glabel_w || !glabel_row)
			return -ENOMEM;
		for (size_t k = 0; k < guest->n_items; k++) {
			const MmPictureItem *it = &guest->items[k];
			if (svg_text_width(it->kind) + 6 <= item_width(p, it))
				continue;
			glabel_item[n_glabels] = k;
			glabel_x[n_glabels] = SVG_LEFT + p->bands[it->first_band].x * SVG_PLOT + 1;
			glabel_w[n_glabels] = svg_text_width(it->kind);
			n_glabels++;
		}
		glabel_rows = svg_stack_labels(glabel_x, glabel_w, n_glabels, glabel_row);
	}

	/* the legend, in rows that fit the width */
	double legend_x[ELEMENTSOF(legend)];
	unsigned legend_row[ELEMENTSOF(legend)], legend_rows = 1;
	double lx = 4;
	for (size_t i = 0; i < ELEMENTSOF(legend); i++) {
		double w = 14 + svg_text_width(legend[i][1]) + 16;
		if (lx + w > SVG_WIDTH && lx > 4) {
			lx = 4;
			legend_rows++;
		}
		legend_x[i] = lx;
		legend_row[i] = legend_rows - 1;
		lx += w;
	}

	double plot_bottom = SVG_TOP + SVG_LANE * (double)p->n_lanes;
	double glabel_top = plot_bottom + 2;
	double axis = glabel_top + SVG_ROW * (double)glabel_rows + (glabel_rows ? 6 : 2);
	double legend_top = axis + 8 + SVG_ROW * (double)rows + 10;
	double height = legend_top + 18 * (double)legend_rows + 4;

	put(&b,
	    "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
	    "font-family='sans-serif' font-size='11'>\n",
	    SVG_WIDTH, height);
	put(&b, "<title>migmap: reserved ranges and guest regions</title>\n");
	svg_title(&b, p);
	/* breaks first, under everything */
	for (size_t i = 0; i < p->n_bands; i++) {
		const MmPictureBand *band = &p->bands[i];
		if (!band->empty)
			continue;
		put(&b,
		    "<rect class='break' x='%.2f' y='%.1f' width='%.2f' height='%.1f' "
		    "fill='#f2f2f2'><title>%s-%s: nothing (not to scale)</title></rect>\n",
		    SVG_LEFT + band->x * SVG_PLOT, SVG_TOP, band->w * SVG_PLOT,
		    SVG_LANE * (double)p->n_lanes, mm_hex(band->start, a), mm_hex(band->end, c));
	}
	for (size_t l = 0; l < p->n_lanes; l++) {
		const MmPictureLane *lane = &p->lanes[l];
		double y = SVG_TOP + SVG_LANE * (double)l;
		put(&b, "<text x='4' y='%.1f'>", y + SVG_LANE / 2 + 4);
		put_escaped(&b, lane->name);
		put(&b, "</text>\n");
		for (size_t k = 0; k < lane->n_items; k++) {
			const MmPictureItem *it = &lane->items[k];
			int s = style_of(it->kind);
			double x = SVG_LEFT + p->bands[it->first_band].x * SVG_PLOT;
			double w = item_width(p, it);
			put(&b, "<rect class='range' data-lane='%zu' data-kind='", l);
			put_escaped(&b, it->kind);
			put(&b,
			    "' data-start='%s' data-end='%s' x='%.2f' y='%.1f' width='%.2f' "
			    "height='%.1f' fill='%s' fill-opacity='0.85'><title>",
			    mm_hex(it->start, a), mm_hex(it->end, c), x, y + 4, w < 1 ? 1 : w,
			    SVG_LANE - 8, s >= 0 ? styles[s].colour : "#7f7f7f");
			put_escaped(&b, it->kind);
			put(&b, " %s-%s%s</title></rect>\n", mm_hex(it->start, a),
			    mm_hex(it->end, c), it->conflict ? " (conflict)" : "");
			if (svg_text_width(it->kind) + 6 <= w) {
				put(&b, "<text class='kind' x='%.2f' y='%.1f' fill='#ffffff'>",
				    x + 3, y + SVG_LANE / 2 + 4);
				put_escaped(&b, it->kind);
				put(&b, "</text>\n");
			}
		}
	}
	/* conflicts: only the part of a region that meets a forbidden range */
	for (size_t i = 0; guest && i < p->n_marks; i++) {
		const MmPictureMark *m = &p->marks[i];
		const MmPictureBand *f = &p->bands[band_of(p, m->start)];
		const MmPictureBand *e = &p->bands[band_of(p, m->end)];
		double x = SVG_LEFT + f->x * SVG_PLOT;
		double w = (e->x + e->w - f->x) * SVG_PLOT;
		put(&b,
		    "<rect class='conflict' data-start='%s' data-end='%s' x='%.2f' y='%.1f' "
		    "width='%.2f' height='%.1f' fill='none' stroke='#ff0000' stroke-width='2.5'>"
		    "<title>conflict %s-%s</title></rect>\n",
		    mm_hex(m->start, a), mm_hex(m->end, c), x,
		    SVG_TOP + SVG_LANE * (double)(p->n_lanes - 1) + 3, w < 2 ? 2 : w, SVG_LANE - 6,
		    mm_hex(m->start, a), mm_hex(m->end, c));
	}
	/* the kinds of small guest regions, under the lanes */
	for (size_t i = 0; i < n_glabels; i++) {
		double ty = glabel_top + SVG_ROW * (double)(glabel_row[i] + 1) - 3;
		put(&b,
		    "<line x1='%.2f' y1='%.1f' x2='%.2f' y2='%.1f' stroke='#7f7f7f'/>"
		    "<text class='guest-kind' x='%.2f' y='%.1f' data-row='%u' data-start='%s' "
		    "fill='#555'>",
		    glabel_x[i] - 1, plot_bottom - 4, glabel_x[i] - 1, ty - 9, glabel_x[i], ty,
		    glabel_row[i], mm_hex(guest->items[glabel_item[i]].start, a));
		put_escaped(&b, guest->items[glabel_item[i]].kind);
		put(&b, "</text>\n");
	}
	/* a tick and its label at the start of every drawn range */
	for (size_t i = 0; i < n_ticks; i++) {
		double ty = axis + 8 + SVG_ROW * (double)(tick_row[i] + 1) - 3;
		put(&b,
		    "<line x1='%.2f' y1='%.1f' x2='%.2f' y2='%.1f' stroke='#999'/>"
		    "<text class='tick' x='%.2f' y='%.1f' data-row='%u'>%s</text>\n",
		    tick_x[i], SVG_TOP, tick_x[i], ty - 9, tick_x[i] + 1, ty, tick_row[i],
		    mm_hex(tick_addr[i], a));
	}
	for (size_t i = 0; i < ELEMENTSOF(legend); i++) {
		double ly = legend_top + 18 * (double)legend_row[i] + 10;
		bool conflict = strcmp(legend[i][0], "none") == 0;
		put(&b,
		    "<rect class='legend' x='%.1f' y='%.1f' width='10' height='10' fill='%s' "
		    "stroke='%s'%s/><text class='legend' x='%.1f' y='%.1f'>%s</text>\n",
		    legend_x[i], ly - 9, legend[i][0], conflict ? "#ff0000" : "#999",
		    conflict ? " stroke-width='2'" : "", legend_x[i] + 14, ly, legend[i][1]);
	}
	put(&b, "</svg>\n");
	if (b.error) {
		free(b.s);
		return b.error;
	}
	*ret = b.s;
	return 0;
}

/* ---- text ---- */

int mm_picture_format_text(const MmPicture *p, unsigned columns, bool colour, char **ret)
{
	Buf b = { 0 };
	const unsigned name_w = 8;
	unsigned plot = columns > name_w + 20 ? columns - name_w - 2 : 60;
	char a[19], c[19];
	_cleanup_free_ char *row = malloc(plot + 1);
	_cleanup_free_ int *row_style = malloc((plot + 1) * sizeof(int));
	if (!row || !row_style)
		return -ENOMEM;

	for (size_t l = 0; l < p->n_lanes; l++) {
		const MmPictureLane *lane = &p->lanes[l];
		for (unsigned i = 0; i < plot; i++) {
			row[i] = ' ';
			row_style[i] = -1;
		}
		for (size_t i = 0; i < p->n_bands; i++)
			if (p->bands[i].empty) {
				unsigned x = (unsigned)(p->bands[i].x * plot);
				if (x < plot)
					row[x] = '~';
			}
		for (size_t k = 0; k < lane->n_items; k++) {
			const MmPictureItem *it = &lane->items[k];
			const MmPictureBand *f = &p->bands[it->first_band];
			const MmPictureBand *e = &p->bands[it->last_band];
			unsigned x0 = (unsigned)(f->x * plot);
			unsigned x1 = (unsigned)((e->x + e->w) * plot);
			if (x1 <= x0)
				x1 = x0 + 1;
			int s = style_of(it->kind);
			char ch = s >= 0 ? styles[s].letter : '.';
			for (unsigned x = x0; x < x1 && x < plot; x++) {
				row[x] = ch;
				row_style[x] = s >= 0 ? styles[s].ansi : 244;
			}
		}
		/* on the guest's lane, the parts in conflict */
		for (size_t i = 0; p->has_guest && l + 1 == p->n_lanes && i < p->n_marks; i++) {
			const MmPictureBand *f = &p->bands[band_of(p, p->marks[i].start)];
			const MmPictureBand *e = &p->bands[band_of(p, p->marks[i].end)];
			unsigned x0 = (unsigned)(f->x * plot);
			unsigned x1 = (unsigned)((e->x + e->w) * plot);
			if (x1 <= x0)
				x1 = x0 + 1;
			for (unsigned x = x0; x < x1 && x < plot; x++) {
				row[x] = '!';
				row_style[x] = 196;
			}
		}
		put(&b, "%-*.*s  ", (int)name_w, (int)name_w, lane->name);
		for (unsigned x = 0; x < plot; x++) {
			if (colour && row_style[x] >= 0)
				put(&b, "\033[38;5;%dm%c\033[0m", row_style[x], row[x]);
			else
				put(&b, "%c", row[x]);
		}
		put(&b, "\n");
	}
	put(&b, "\nM msi  D direct  d direct-relaxable  R reserved  = RAM  + device memory  "
		"p PCI window  . other  ! conflict  ~ break (not to scale)\n");
	put(&b, "first address %s, last %s\n", mm_hex(p->bands[0].start, a),
	    mm_hex(p->bands[p->n_bands - 1].end, c));
	if (b.error) {
		free(b.s);
		return b.error;
	}
	*ret = b.s;
	return 0;
}

/* ---- JSON ---- */

int mm_picture_format_json(const MmPicture *p, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	/* referenced from o once added; ours dropped on return */
	_cleanup_(mm_json_putp) json_object *lanes = json_object_new_array();
	if (!o || !lanes || mm_json_add(o, "lanes", json_object_get(lanes)) < 0)
		return -ENOMEM;
	for (size_t l = 0; l < p->n_lanes; l++) {
		json_object *lane = json_object_new_object();
		json_object *items = NULL;
		if (!lane ||
		    mm_json_add(lane, "name", json_object_new_string(p->lanes[l].name)) < 0 ||
		    !(items = json_object_new_array()) || mm_json_add(lane, "items", items) < 0 ||
		    json_object_array_add(lanes, lane) < 0) {
			json_object_put(lane);
			return -ENOMEM;
		}
		for (size_t k = 0; k < p->lanes[l].n_items; k++) {
			const MmPictureItem *it = &p->lanes[l].items[k];
			json_object *i = json_object_new_object();
			if (!i || mm_json_add(i, "kind", json_object_new_string(it->kind)) < 0 ||
			    mm_json_add(i, "start", mm_json_hex(it->start)) < 0 ||
			    mm_json_add(i, "end", mm_json_hex(it->end)) < 0 ||
			    mm_json_add(i, "conflict", json_object_new_boolean(it->conflict)) < 0 ||
			    json_object_array_add(items, i) < 0) {
				json_object_put(i);
				return -ENOMEM;
			}
		}
	}
	json_object *marks = json_object_new_array();
	if (mm_json_add(o, "conflicts", marks) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_marks; i++) {
		json_object *m = json_object_new_object();
		if (!m || mm_json_add(m, "start", mm_json_hex(p->marks[i].start)) < 0 ||
		    mm_json_add(m, "end", mm_json_hex(p->marks[i].end)) < 0 ||
		    json_object_array_add(marks, m) < 0) {
			json_object_put(m);
			return -ENOMEM;
		}
	}
	if ((p->machine && mm_json_add(o, "machine", json_object_new_string(p->machine)) < 0) ||
	    (p->pool_name && mm_json_add(o, "pool", json_object_new_string(p->pool_name)) < 0) ||
	    (p->guest_name && mm_json_add(o, "guest", json_object_new_string(p->guest_name)) < 0))
		return -ENOMEM;
	return mm_json_to_string(o, ret);
}
