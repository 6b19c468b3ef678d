/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The picture of `migmap show` (lib/picture.c), on the example pool
 * (examples/pool/{a,b,c}.xml) and a guest whose RAM conflicts with it:
 * the SVG is well-formed XML (read back with libxml2) in which each host's
 * lane draws exactly its reserved ranges and the pool's lane exactly the
 * pool's forbidden ranges; the bands cut the address space at every range
 * boundary; every tick is labelled with a band's start and only ticks too
 * close to the previous one are left out; the guest's conflicting regions
 * and only those are marked; names are escaped; the picture does not
 * depend on the order of the hosts; the text and JSON forms show the same
 * lanes. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "macros.h"
#include "testutil.h"

#define SVG_NS "http://www.w3.org/2000/svg"
/* where picture.c draws the address axis, and how close two ticks may be */
#define PLOT_LEFT   90.0
#define PLOT_WIDTH  1000.0
#define PLOT_TOP    36.0
#define LANE_HEIGHT 28.0

/* examples/pool/ holds three arm64 hosts: a, b, c */
static const char *const example_names[] = { "a", "b", "c" };

/* An aarch64 virt guest with GIB GiB of RAM from 1 GiB up. With 8 (the
 * guest of tests/cli/show.sh) its RAM meets reserved ranges of b and c
 * (errors) and b's PCI window (a warning); with 2 only the PCI window. */
#define GUEST_XML(GIB)                                                    \
	"<domain type='kvm'>\n"                                           \
	"  <name>g1</name>\n"                                             \
	"  <memory unit='GiB'>" #GIB "</memory>\n"                        \
	"  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>\n" \
	"  <features><gic version='3'/></features>\n"                     \
	"</domain>\n"
static const char *const guest_xml = GUEST_XML(8);

static MmHostMap *example_host(const char *name)
{
	char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/examples/pool/%s.xml", top ? top : ".", name);
	size_t len;
	_cleanup_free_ char *xml = tu_read(path, &len);
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_hostmap_parse_xml(xml, len, path, &m, &err) == 0, "%s: %s", path,
		      err.message);
	ck_assert_uint_gt(m->n_reserved, 0);
	return m;
}

/* The example hosts (in the order given by idx), the layout and check
 * report of the guest when one is given, and their picture. */
typedef struct Fixture {
	MmHostMap *hosts[3];
	size_t n;
	MmDomain *domain;
	MmGuestLayout *layout;
	MmCheckReport *report;
	MmPicture *pic;
	char *svg;
	xmlDocPtr doc;
	xmlXPathContextPtr xpath;
} Fixture;

static void fixture_init(Fixture *f, const size_t *idx, size_t n, const char *guest)
{
	MmError err = { 0 };
	memset(f, 0, sizeof(*f));
	f->n = n;
	for (size_t i = 0; i < n; i++)
		f->hosts[i] = example_host(example_names[idx[i]]);
	const MmHostMap *const *maps = (const MmHostMap *const *)f->hosts;
	if (guest) {
		ck_assert_msg(mm_domain_parse_xml(guest, strlen(guest), "g1.xml", &f->domain,
						  &err) == 0,
			      "domain: %s", err.message);
		ck_assert_msg(mm_layout_compute(f->domain, &f->layout, &err) == 0, "layout: %s",
			      err.message);
		ck_assert_msg(mm_check_layout(f->layout, f->domain, maps, n, &f->report, &err) == 0,
			      "check: %s", err.message);
	}
	ck_assert_msg(mm_picture_build(maps, n, f->layout, f->report, &f->pic, &err) == 0,
		      "picture: %s", err.message);
	ck_assert_int_eq(mm_picture_format_svg(f->pic, &f->svg), 0);

	/* strictly: no recovery, no network, errors fail the parse */
	f->doc = xmlReadMemory(f->svg, (int)strlen(f->svg), "picture.svg", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_msg(f->doc, "the SVG is not well-formed XML:\n%s", f->svg);
	f->xpath = xmlXPathNewContext(f->doc);
	ck_assert_ptr_nonnull(f->xpath);
	ck_assert_int_eq(xmlXPathRegisterNs(f->xpath, BAD_CAST "s", BAD_CAST SVG_NS), 0);
}

static void fixture_clear(Fixture *f)
{
	xmlXPathFreeContext(f->xpath);
	xmlFreeDoc(f->doc);
	free(f->svg);
	mm_picture_free(f->pic); /* first: it borrows from hosts and layout */
	mm_check_report_free(f->report);
	mm_layout_free(f->layout);
	mm_domain_free(f->domain);
	for (size_t i = 0; i < f->n; i++)
		mm_hostmap_free(f->hosts[i]);
}

static xmlXPathObjectPtr query(const Fixture *f, const char *fmt, ...) _printf_(2, 3);
static xmlXPathObjectPtr query(const Fixture *f, const char *fmt, ...)
{
	char expr[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, f->xpath);
	ck_assert_msg(o && o->type == XPATH_NODESET, "%s", expr);
	return o;
}

static size_t count(const xmlXPathObject *o)
{
	return o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;
}

static xmlNodePtr node(const xmlXPathObject *o, size_t i)
{
	return o->nodesetval->nodeTab[i];
}

static uint64_t hex_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	ck_assert_msg(v, "no %s", name);
	char *end;
	uint64_t x = strtoull((const char *)v, &end, 16);
	ck_assert_msg(strncmp((const char *)v, "0x", 2) == 0 && *end == '\0', "%s='%s'", name,
		      (const char *)v);
	xmlFree(v);
	return x;
}

static double num_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	ck_assert_msg(v, "no %s", name);
	double x = strtod((const char *)v, NULL);
	xmlFree(v);
	return x;
}

static bool attr_is(xmlNodePtr n, const char *name, const char *want)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	bool same = v && strcmp((const char *)v, want) == 0;
	xmlFree(v);
	return same;
}

static bool text_is(xmlNodePtr n, const char *want)
{
	xmlChar *v = xmlNodeGetContent(n);
	bool same = v && strcmp((const char *)v, want) == 0;
	xmlFree(v);
	return same;
}

/* The lane names, top to bottom: the <text x='4'> at the left. */
static void assert_lane_names(const Fixture *f, const char *const *want, size_t n)
{
	xmlXPathObjectPtr o = query(f, "/s:svg/s:text[@x='4']");
	ck_assert_uint_eq(count(o), n);
	ck_assert_uint_eq(f->pic->n_lanes, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(text_is(node(o, i), want[i]), "lane %zu is not %s", i, want[i]);
		ck_assert_str_eq(f->pic->lanes[i].name, want[i]);
	}
	xmlXPathFreeObject(o);
}

/* Lane `lane` draws exactly n ranges, each (kind, start, end) of the list
 * once. */
static void assert_lane_ranges(const Fixture *f, size_t lane, const char *const *kinds,
			       const uint64_t *starts, const uint64_t *ends, size_t n)
{
	xmlXPathObjectPtr o = query(f, "//s:rect[@class='range'][@data-lane='%zu']", lane);
	ck_assert_msg(count(o) == n, "lane %zu draws %zu ranges, not %zu", lane, count(o), n);
	for (size_t i = 0; i < n; i++) {
		size_t found = 0;
		for (size_t k = 0; k < count(o); k++)
			if (attr_is(node(o, k), "data-kind", kinds[i]) &&
			    hex_attr(node(o, k), "data-start") == starts[i] &&
			    hex_attr(node(o, k), "data-end") == ends[i])
				found++;
		ck_assert_msg(found == 1,
			      "lane %zu: %s 0x%" PRIx64 "-0x%" PRIx64 " drawn %zu times", lane,
			      kinds[i], starts[i], ends[i], found);
	}
	/* inside the plot, and left to right in address order */
	double last_x = 0;
	uint64_t last_start = 0;
	for (size_t k = 0; k < count(o); k++) {
		double x = num_attr(node(o, k), "x"), w = num_attr(node(o, k), "width");
		uint64_t start = hex_attr(node(o, k), "data-start");
		ck_assert(x >= PLOT_LEFT - 0.01 && x + w <= PLOT_LEFT + PLOT_WIDTH + 1.01);
		ck_assert(w >= 1);
		if (k > 0 && start > last_start)
			ck_assert(x >= last_x);
		last_x = x;
		last_start = start;
	}
	xmlXPathFreeObject(o);
}

static void assert_host_lane(const Fixture *f, size_t lane, const MmHostMap *h)
{
	const char *kinds[64];
	uint64_t starts[64], ends[64];
	ck_assert_uint_le(h->n_reserved, ELEMENTSOF(kinds));
	for (size_t i = 0; i < h->n_reserved; i++) {
		kinds[i] = h->reserved[i].type;
		starts[i] = h->reserved[i].start;
		ends[i] = h->reserved[i].end;
	}
	assert_lane_ranges(f, lane, kinds, starts, ends, h->n_reserved);
}

static const MmHostMap *host_named(const Fixture *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->hosts[i]->name, name) == 0)
			return f->hosts[i];
	ck_abort_msg("no host %s", name);
	return NULL;
}

static const size_t abc[] = { 0, 1, 2 };

START_TEST(svg_is_well_formed)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	xmlNodePtr root = xmlDocGetRootElement(f.doc);
	ck_assert_str_eq((const char *)root->name, "svg");
	ck_assert_ptr_nonnull(root->ns);
	ck_assert_str_eq((const char *)root->ns->href, SVG_NS);
	ck_assert_double_gt(num_attr(root, "width"), PLOT_LEFT + PLOT_WIDTH);
	xmlXPathObjectPtr o = query(&f, "/s:svg/s:title");
	ck_assert_uint_eq(count(o), 1);
	xmlXPathFreeObject(o);
	fixture_clear(&f);
}
END_TEST

/* Each host's lane draws exactly the reserved ranges of its map. */
START_TEST(svg_draws_each_host)
{
	Fixture f;
	fixture_init(&f, abc, 3, NULL);
	const char *const names[] = { "a", "b", "c", "pool" };
	assert_lane_names(&f, names, 4);
	for (size_t l = 0; l < 3; l++)
		assert_host_lane(&f, l, host_named(&f, names[l]));
	fixture_clear(&f);
}
END_TEST

/* The pool's lane draws exactly the pool's forbidden ranges, and every
 * range a host reserves lies within them. */
START_TEST(svg_draws_the_pool)
{
	Fixture f;
	fixture_init(&f, abc, 3, NULL);
	_cleanup_(mm_poolmap_freep) MmPoolMap *pool = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_pool_baseline("p", (const MmHostMap *const *)f.hosts, 3, &pool, &err),
			 0);
	const char *kinds[64];
	uint64_t starts[64], ends[64];
	ck_assert_uint_gt(pool->n_forbidden, 0);
	ck_assert_uint_le(pool->n_forbidden, ELEMENTSOF(kinds));
	for (size_t i = 0; i < pool->n_forbidden; i++) {
		kinds[i] = pool->forbidden[i].type;
		starts[i] = pool->forbidden[i].start;
		ends[i] = pool->forbidden[i].end;
	}
	ck_assert_str_eq(f.pic->lanes[3].name, "pool");
	assert_lane_ranges(&f, 3, kinds, starts, ends, pool->n_forbidden);
	for (size_t h = 0; h < 3; h++)
		for (size_t i = 0; i < f.hosts[h]->n_reserved; i++) {
			const MmReserved *r = &f.hosts[h]->reserved[i];
			bool covered = false;
			for (size_t k = 0; k < pool->n_forbidden && !covered; k++)
				covered = pool->forbidden[k].start <= r->start &&
					  pool->forbidden[k].end >= r->end;
			ck_assert_msg(covered, "%s: 0x%" PRIx64 " not in the pool lane",
				      f.hosts[h]->name, r->start);
		}
	fixture_clear(&f);
}
END_TEST

/* The bands cover [0, the highest end] without gap or overlap, are cut at
 * every range's start and end, and a band nothing touches is a break. */
START_TEST(bands_cut_at_every_boundary)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	const MmPicture *p = f.pic;
	ck_assert_uint_gt(p->n_bands, 1);
	ck_assert_uint_eq(p->bands[0].start, 0);
	double width = 0;
	size_t breaks = 0;
	for (size_t i = 0; i < p->n_bands; i++) {
		const MmPictureBand *b = &p->bands[i];
		ck_assert_uint_le(b->start, b->end);
		if (i + 1 < p->n_bands) {
			ck_assert_uint_eq(p->bands[i + 1].start, b->end + 1);
			ck_assert_double_lt(b->x, p->bands[i + 1].x);
		}
		ck_assert_double_gt(b->w, 0);
		width += b->w;
		bool touched = false;
		for (size_t l = 0; l < p->n_lanes; l++)
			for (size_t k = 0; k < p->lanes[l].n_items; k++)
				touched |= p->lanes[l].items[k].start <= b->end &&
					   p->lanes[l].items[k].end >= b->start;
		ck_assert_msg(b->empty == !touched, "band %zu", i);
		/* a break is a narrow gap whatever it stands for */
		if (b->empty)
			ck_assert_double_le(b->w, 0.0061);
		breaks += b->empty;
	}
	ck_assert_double_eq_tol(width, 1.0, 1e-9);
	uint64_t top = 0;
	for (size_t l = 0; l < p->n_lanes; l++)
		for (size_t k = 0; k < p->lanes[l].n_items; k++) {
			const MmPictureItem *it = &p->lanes[l].items[k];
			ck_assert_uint_eq(p->bands[it->first_band].start, it->start);
			ck_assert_uint_eq(p->bands[it->last_band].end, it->end);
			if (it->end > top)
				top = it->end;
		}
	ck_assert_uint_eq(p->bands[p->n_bands - 1].end, top);
	xmlXPathObjectPtr o = query(&f, "//s:rect[@class='break']");
	ck_assert_uint_eq(count(o), breaks);
	xmlXPathFreeObject(o);
	fixture_clear(&f);
}
END_TEST

/* Ticks on the axis: one at the start of every drawn range (every lane's,
 * the host maps' reserved starts and the guest's regions among them),
 * each at its band's x, labelled with the address; labels in one row never
 * meet, at LABEL_CHAR a character (the widest sans-serif digit at 11 px is
 * 0.64 em, about 7 px). */
#define LABEL_CHAR 7.0
START_TEST(ticks_label_range_starts)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	const MmPicture *p = f.pic;
	xmlXPathObjectPtr labels = query(&f, "/s:svg/s:text[@class='tick']");
	size_t n = count(labels);
	ck_assert_uint_gt(n, 2);
	uint64_t *addr = calloc(n, sizeof(*addr));
	double *x = calloc(n, sizeof(*x)), *end = calloc(n, sizeof(*end));
	long *row = calloc(n, sizeof(*row));
	ck_assert(addr && x && end && row);
	for (size_t i = 0; i < n; i++) {
		xmlChar *text = xmlNodeGetContent(node(labels, i));
		addr[i] = strtoull((const char *)text, NULL, 16);
		x[i] = num_attr(node(labels, i), "x");
		end[i] = x[i] + LABEL_CHAR * (double)strlen((const char *)text);
		row[i] = (long)num_attr(node(labels, i), "data-row");
		xmlFree(text);
	}
	/* every range's start labelled once, at its band */
	for (size_t l = 0; l < p->n_lanes; l++)
		for (size_t k = 0; k < p->lanes[l].n_items; k++) {
			const MmPictureItem *it = &p->lanes[l].items[k];
			size_t found = 0;
			for (size_t i = 0; i < n; i++)
				if (addr[i] == it->start) {
					found++;
					double bx =
						PLOT_LEFT + p->bands[it->first_band].x * PLOT_WIDTH;
					ck_assert_double_eq_tol(x[i], bx + 1, 0.01);
				}
			ck_assert_msg(found == 1, "lane %zu's 0x%" PRIx64 " is labelled %zu times",
				      l, it->start, found);
		}
	/* the fixture's hosts: every reserved range's start among them */
	for (size_t h = 0; h < f.n; h++)
		for (size_t r = 0; r < f.hosts[h]->n_reserved; r++) {
			bool labelled = false;
			for (size_t i = 0; i < n && !labelled; i++)
				labelled = addr[i] == f.hosts[h]->reserved[r].start;
			ck_assert_msg(labelled, "host %zu's 0x%" PRIx64 " has no label", h,
				      f.hosts[h]->reserved[r].start);
		}
	/* no two labels of a row meet */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (row[i] == row[j])
				ck_assert_msg(end[i] <= x[j] || end[j] <= x[i],
					      "labels 0x%" PRIx64 " and 0x%" PRIx64 " overlap",
					      addr[i], addr[j]);
	free(addr);
	free(x);
	free(end);
	free(row);
	xmlXPathFreeObject(labels);
	fixture_clear(&f);
}
END_TEST

/* The legend: each swatch, then its text, then the next swatch, none
 * meeting another; all within the picture's width. A title names the
 * hosts. */
START_TEST(legend_and_title)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	xmlXPathObjectPtr rects = query(&f, "/s:svg/s:rect[@class='legend']");
	xmlXPathObjectPtr texts = query(&f, "/s:svg/s:text[@class='legend']");
	double width = num_attr(xmlDocGetRootElement(f.doc), "width");
	ck_assert_uint_eq(count(rects), count(texts));
	ck_assert_uint_gt(count(rects), 5);
	for (size_t i = 0; i < count(rects); i++) {
		double rx = num_attr(node(rects, i), "x"), ry = num_attr(node(rects, i), "y");
		double tx = num_attr(node(texts, i), "x");
		xmlChar *t = xmlNodeGetContent(node(texts, i));
		double tend = tx + LABEL_CHAR * (double)strlen((const char *)t);
		xmlFree(t);
		ck_assert_double_ge(tx, rx + 10);
		ck_assert_double_le(tend, width);
		if (i + 1 < count(rects) && num_attr(node(rects, i + 1), "y") == ry)
			ck_assert_double_ge(num_attr(node(rects, i + 1), "x"), tend);
	}
	xmlXPathFreeObject(rects);
	xmlXPathFreeObject(texts);
	xmlXPathObjectPtr title = query(&f, "/s:svg/s:text[@class='title']");
	ck_assert_uint_eq(count(title), 1);
	xmlChar *t = xmlNodeGetContent(node(title, 0));
	ck_assert_msg(strstr((const char *)t, "a, b, c") && strstr((const char *)t, "guest"),
		      "title: %s", (const char *)t);
	xmlFree(t);
	xmlXPathFreeObject(title);

	/* named, the pool and the guest with its machine */
	ck_assert_int_eq(mm_picture_set_names(f.pic, "prod", "g1"), 0);
	_cleanup_free_ char *svg = NULL;
	ck_assert_int_eq(mm_picture_format_svg(f.pic, &svg), 0);
	ck_assert_msg(strstr(svg, "Pool prod, hosts a, b, c: ") &&
			      strstr(svg, "guest g1 (virt-7.2)</text>"),
		      "%s", svg);
	fixture_clear(&f);
}
END_TEST

/* The guest's lane: every region drawn; outlined in red only the part of a
 * region that an error-level conflict covers (the region cut to the
 * forbidden range it meets), all of those parts and nothing else. */
START_TEST(guest_conflicts_marked)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	const char *const names[] = { "a", "b", "c", "pool", "guest" };
	assert_lane_names(&f, names, 5);
	const MmGuestLayout *l = f.layout;
	const char *kinds[64];
	uint64_t starts[64], ends[64];
	ck_assert_uint_le(l->n_regions, ELEMENTSOF(kinds));
	for (size_t i = 0; i < l->n_regions; i++) {
		kinds[i] = l->regions[i].kind;
		starts[i] = l->regions[i].start;
		ends[i] = l->regions[i].end;
	}
	assert_lane_ranges(&f, 4, kinds, starts, ends, l->n_regions);
	/* no range rectangle is outlined any more: the marks are */
	xmlXPathObjectPtr o = query(&f, "//s:rect[@class='range'][@stroke]");
	ck_assert_uint_eq(count(o), 0);
	xmlXPathFreeObject(o);

	xmlXPathObjectPtr marks = query(&f, "//s:rect[@class='conflict'][@stroke='#ff0000']");
	size_t n = count(marks);
	ck_assert_uint_gt(n, 0);
	double lane_y = PLOT_TOP + LANE_HEIGHT * 4;
	uint64_t last_end = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t ms = hex_attr(node(marks, i), "data-start");
		uint64_t me = hex_attr(node(marks, i), "data-end");
		ck_assert_uint_le(ms, me);
		if (i > 0)
			ck_assert_uint_gt(ms, last_end); /* sorted, disjoint */
		last_end = me;
		double y = num_attr(node(marks, i), "y");
		ck_assert(y >= lane_y && y < lane_y + LANE_HEIGHT);
		/* each of its addresses (both ends here) is in some error's
		 * overlap of a guest region with a forbidden range */
		const uint64_t probe[2] = { ms, me };
		for (size_t e = 0; e < 2; e++) {
			bool covered = false;
			for (size_t c = 0; c < f.report->n_conflicts && !covered; c++) {
				const MmConflict *k = &f.report->conflicts[c];
				uint64_t lo = k->start > k->guest_start ? k->start : k->guest_start;
				uint64_t hi = k->end < k->guest_end ? k->end : k->guest_end;
				covered = k->severity == MM_SEVERITY_ERROR && lo <= probe[e] &&
					  probe[e] <= hi;
			}
			ck_assert_msg(covered, "mark 0x%" PRIx64 "-0x%" PRIx64 " outside conflicts",
				      ms, me);
		}
	}
	/* every error's overlap inside one mark */
	size_t errors = 0;
	for (size_t c = 0; c < f.report->n_conflicts; c++) {
		const MmConflict *k = &f.report->conflicts[c];
		if (k->severity != MM_SEVERITY_ERROR)
			continue;
		errors++;
		uint64_t lo = k->start > k->guest_start ? k->start : k->guest_start;
		uint64_t hi = k->end < k->guest_end ? k->end : k->guest_end;
		bool inside = false;
		for (size_t i = 0; i < n && !inside; i++)
			inside = hex_attr(node(marks, i), "data-start") <= lo &&
				 hi <= hex_attr(node(marks, i), "data-end");
		ck_assert_msg(inside, "conflict 0x%" PRIx64 "-0x%" PRIx64 " not marked", lo, hi);
	}
	/* the 8 GiB of RAM from 1 GiB cover the example hosts' reserved
	 * ranges, which are far smaller: the marks are narrower than RAM */
	ck_assert_uint_gt(errors, 0);
	xmlXPathObjectPtr ram =
		query(&f, "//s:rect[@class='range'][@data-lane='4'][@data-kind='ram']");
	ck_assert_uint_eq(count(ram), 1);
	double ram_w = num_attr(node(ram, 0), "width");
	for (size_t i = 0; i < n; i++)
		ck_assert_double_lt(num_attr(node(marks, i), "width"), ram_w / 2);
	xmlXPathFreeObject(ram);
	xmlXPathFreeObject(marks);
	fixture_clear(&f);
}
END_TEST

/* Guest regions are named by kind: on the region where the name fits, else
 * under the lanes at the region's start, labels never meeting. */
START_TEST(guest_regions_labelled)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	const MmPictureLane *lane = &f.pic->lanes[4];
	xmlXPathObjectPtr below = query(&f, "/s:svg/s:text[@class='guest-kind']");
	xmlXPathObjectPtr on = query(&f, "/s:svg/s:text[@class='kind']");
	size_t n = count(below);
	ck_assert_uint_gt(n, 0);
	for (size_t k = 0; k < lane->n_items; k++) {
		const MmPictureItem *it = &lane->items[k];
		size_t found = 0;
		for (size_t i = 0; i < n; i++)
			if (hex_attr(node(below, i), "data-start") == it->start) {
				ck_assert(text_is(node(below, i), it->kind));
				found++;
			}
		for (size_t i = 0; i < count(on); i++)
			found += text_is(node(on, i), it->kind) &&
				 num_attr(node(on, i), "y") > PLOT_TOP + LANE_HEIGHT * 4;
		ck_assert_msg(found >= 1, "%s at 0x%" PRIx64 " has no label", it->kind, it->start);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			if (num_attr(node(below, i), "data-row") !=
			    num_attr(node(below, j), "data-row"))
				continue;
			xmlChar *ti = xmlNodeGetContent(node(below, i));
			xmlChar *tj = xmlNodeGetContent(node(below, j));
			double xi = num_attr(node(below, i), "x"),
			       xj = num_attr(node(below, j), "x");
			double ei = xi + LABEL_CHAR * (double)strlen((const char *)ti);
			double ej = xj + LABEL_CHAR * (double)strlen((const char *)tj);
			ck_assert_msg(ei <= xj || ej <= xi, "%s and %s overlap", ti, tj);
			xmlFree(ti);
			xmlFree(tj);
		}
	xmlXPathFreeObject(below);
	xmlXPathFreeObject(on);
	fixture_clear(&f);
}
END_TEST

/* A region that meets only a warning (a host's PCI window) is not marked. */
START_TEST(warnings_not_marked)
{
	Fixture f;
	fixture_init(&f, abc, 3, GUEST_XML(2));
	size_t warnings = 0;
	for (size_t c = 0; c < f.report->n_conflicts; c++) {
		ck_assert_int_ne(f.report->conflicts[c].severity, MM_SEVERITY_ERROR);
		warnings++;
	}
	ck_assert_uint_gt(warnings, 0);
	xmlXPathObjectPtr o = query(&f, "//s:rect[@class='conflict']");
	ck_assert_uint_eq(count(o), 0);
	xmlXPathFreeObject(o);
	fixture_clear(&f);
}
END_TEST

START_TEST(no_guest_no_marks)
{
	Fixture f;
	fixture_init(&f, abc, 3, NULL);
	xmlXPathObjectPtr o = query(&f, "//s:rect[@class='range'][@stroke]");
	ck_assert_uint_eq(count(o), 0);
	xmlXPathFreeObject(o);
	fixture_clear(&f);
}
END_TEST

/* One host: its lane, no pool lane. */
START_TEST(one_host_no_pool)
{
	Fixture f;
	const size_t b[] = { 1 };
	fixture_init(&f, b, 1, NULL);
	const char *const names[] = { "b" };
	assert_lane_names(&f, names, 1);
	assert_host_lane(&f, 0, f.hosts[0]);
	fixture_clear(&f);
}
END_TEST

/* Hosts by name whatever the order they come in: the same picture. */
START_TEST(order_of_hosts_does_not_matter)
{
	Fixture f1, f2;
	const size_t cab[] = { 2, 0, 1 };
	fixture_init(&f1, abc, 3, guest_xml);
	fixture_init(&f2, cab, 3, guest_xml);
	ck_assert_str_eq(f1.svg, f2.svg);
	fixture_clear(&f1);
	fixture_clear(&f2);
}
END_TEST

/* Kinds come from host maps: markup in them stays text. */
START_TEST(kinds_escaped)
{
	Fixture f;
	const size_t a[] = { 0 };
	fixture_init(&f, a, 1, NULL);
	const char *weird = "x<y>&'\"";
	/* the picture borrows the kind strings: point one at ours */
	f.pic->lanes[0].items[0].kind = weird;
	free(f.svg);
	ck_assert_int_eq(mm_picture_format_svg(f.pic, &f.svg), 0);
	xmlDocPtr doc = xmlReadMemory(f.svg, (int)strlen(f.svg), "picture.svg", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_msg(doc, "not well-formed:\n%s", f.svg);
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST SVG_NS);
	xmlXPathObjectPtr o =
		xmlXPathEvalExpression(BAD_CAST "//s:rect[@class='range'][@data-lane='0']", ctx);
	ck_assert_uint_eq(count(o), f.hosts[0]->n_reserved);
	size_t found = 0;
	for (size_t i = 0; i < count(o); i++)
		found += attr_is(node(o, i), "data-kind", weird);
	ck_assert_uint_eq(found, 1);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	f.pic->lanes[0].items[0].kind = f.hosts[0]->reserved[0].type;
	fixture_clear(&f);
}
END_TEST

/* The text form: one row per lane, named, as wide as asked, no colour
 * unless asked, the conflict marked; the JSON form: the same lanes and
 * items. */
START_TEST(text_and_json_show_the_lanes)
{
	Fixture f;
	fixture_init(&f, abc, 3, guest_xml);
	const MmPicture *p = f.pic;
	_cleanup_free_ char *text = NULL, *colour = NULL, *json = NULL;
	ck_assert_int_eq(mm_picture_format_text(p, 100, false, &text), 0);
	ck_assert_ptr_null(strchr(text, '\033'));
	const char *row = text;
	for (size_t l = 0; l < p->n_lanes; l++) {
		const char *nl = strchr(row, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(strncmp(row, p->lanes[l].name, strlen(p->lanes[l].name)) == 0 &&
				      row[strlen(p->lanes[l].name)] == ' ',
			      "row %zu: %.*s", l, (int)(nl - row), row);
		ck_assert_uint_eq((size_t)(nl - row), 100);
		if (strcmp(p->lanes[l].name, "guest") == 0)
			ck_assert_ptr_nonnull(memchr(row, '!', (size_t)(nl - row)));
		row = nl + 1;
	}
	ck_assert_int_eq(mm_picture_format_text(p, 100, true, &colour), 0);
	ck_assert_ptr_nonnull(strstr(colour, "\033[38;5;"));

	ck_assert_int_eq(mm_picture_format_json(p, &json), 0);
	json_object *o = json_tokener_parse(json), *lanes;
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "lanes", &lanes));
	ck_assert_uint_eq(json_object_array_length(lanes), p->n_lanes);
	for (size_t l = 0; l < p->n_lanes; l++) {
		json_object *lane = json_object_array_get_idx(lanes, l), *name, *items;
		ck_assert(json_object_object_get_ex(lane, "name", &name));
		ck_assert_str_eq(json_object_get_string(name), p->lanes[l].name);
		ck_assert(json_object_object_get_ex(lane, "items", &items));
		ck_assert_uint_eq(json_object_array_length(items), p->lanes[l].n_items);
	}
	json_object_put(o);
	fixture_clear(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("picture");
	TCase *tc = tcase_create("picture");
	tcase_add_test(tc, svg_is_well_formed);
	tcase_add_test(tc, svg_draws_each_host);
	tcase_add_test(tc, svg_draws_the_pool);
	tcase_add_test(tc, bands_cut_at_every_boundary);
	tcase_add_test(tc, ticks_label_range_starts);
	tcase_add_test(tc, legend_and_title);
	tcase_add_test(tc, guest_conflicts_marked);
	tcase_add_test(tc, guest_regions_labelled);
	tcase_add_test(tc, warnings_not_marked);
	tcase_add_test(tc, no_guest_no_marks);
	tcase_add_test(tc, one_host_no_pool);
	tcase_add_test(tc, order_of_hosts_does_not_matter);
	tcase_add_test(tc, kinds_escaped);
	tcase_add_test(tc, text_and_json_show_the_lanes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
