/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Allocation failures: the check, plan, fit, layout, domain and picture
 * functions, run again and again with the Nth allocation failing, each time
 * return -ENOMEM, hand back nothing and leak nothing (valgrind and the
 * ASan build's LeakSanitizer see the leaks), and never crash; when no
 * allocation fails, the same call succeeds. The allocators are wrapped at
 * link time (-Wl,--wrap, tests/unit/Makefile.inc.am), so only calls made by
 * the library's own code fail, never libc's or libxml2's inside. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/tree.h>

#include "failalloc.h"
#include "macros.h"
#include "probe-internal.h"
#include "testutil.h"

/* ---- the failing calls (failalloc.h) ---- */

static const char *running; /* which call (for a debugger) */

FAILALLOC_WRAP(void *, malloc, (size_t n), (n), NULL)
FAILALLOC_WRAP(void *, calloc, (size_t n, size_t size), (n, size), NULL)
FAILALLOC_WRAP(void *, realloc, (void *p, size_t n), (p, n), NULL)
FAILALLOC_WRAP(char *, strdup, (const char *s), (s), NULL)
FAILALLOC_WRAP(char *, strndup, (const char *s, size_t n), (s, n), NULL)
/* glibc leaves *ret undefined on failure: the callers must not read it */
FAILALLOC_WRAP(int, vasprintf, (char **ret, const char *fmt, va_list ap), (ret, fmt, ap), -1)
FAILALLOC_WRAP(xmlNodePtr, xmlNewChild,
	       (xmlNodePtr parent, xmlNsPtr ns, const xmlChar *name, const xmlChar *content),
	       (parent, ns, name, content), NULL)
FAILALLOC_WRAP(xmlNodePtr, xmlNewNode, (xmlNsPtr ns, const xmlChar *name), (ns, name), NULL)
FAILALLOC_WRAP(xmlAttrPtr, xmlSetProp, (xmlNodePtr node, const xmlChar *name, const xmlChar *value),
	       (node, name, value), NULL)
/* json-c's own allocations are not wrapped; these two fail as json-c does
 * when it cannot grow a table or an array: -1, the value still the
 * caller's. */
FAILALLOC_WRAP(int, json_object_object_add, (json_object * o, const char *key, json_object *v),
	       (o, key, v), -1)
FAILALLOC_WRAP(int, json_object_array_add, (json_object * a, json_object *v), (a, v), -1)
/* and json-c's constructors */
FAILALLOC_WRAP(json_object *, json_object_new_object, (void), (), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_array, (void), (), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_string, (const char *s), (s), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_int, (int32_t i), (i), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_int64, (int64_t i), (i), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_boolean, (json_bool b), (b), NULL)

void __real_xmlDocDumpFormatMemoryEnc(xmlDocPtr doc, xmlChar **out, int *len, const char *encoding,
				      int format);
void __wrap_xmlDocDumpFormatMemoryEnc(xmlDocPtr doc, xmlChar **out, int *len, const char *encoding,
				      int format);
void __wrap_xmlDocDumpFormatMemoryEnc(xmlDocPtr doc, xmlChar **out, int *len, const char *encoding,
				      int format)
{
	if (failalloc_now()) {
		/* what libxml2 leaves when it cannot allocate the output */
		*out = NULL;
		*len = 0;
		return;
	}
	__real_xmlDocDumpFormatMemoryEnc(doc, out, len, encoding, format);
}

/* ---- the loop ---- */

/* The check library allocates in its asserts: a step records what went
 * wrong here and the loop asserts it once the allocator is back. */
static const char *broken;

static void expect(bool ok, const char *what)
{
	if (!ok && !broken)
		broken = what;
}

/* Run step with the 1st, 2nd … allocation failing until a run makes
 * no allocation fail; each failing run must return -ENOMEM (or, where
 * also_ok says so, a result that a failed allocation may also give), and
 * the clean run 0. Returns the number of failing runs. */
typedef int (*Step)(void *ctx);

static long each_failure(const char *what, Step step, void *ctx)
{
	running = what;
	for (long k = 1; k <= 200000; k++) {
		broken = NULL;
		failalloc_arm((unsigned long)k);
		int r = step(ctx);
		bool hit = failalloc_failed();
		failalloc_arm(0);
		ck_assert_msg(!broken, "%s: allocation %ld failed: not %s", what, k, broken);
		if (!hit) {
			ck_assert_msg(r == 0, "%s: %d without a failed allocation", what, r);
			ck_assert_msg(k > 1, "%s allocates nothing", what);
			return k - 1;
		}
		ck_assert_msg(r == -ENOMEM, "%s: allocation %ld failed, returned %d (%s)", what, k,
			      r, strerror(r < 0 ? -r : 0));
	}
	ck_abort_msg("%s: no end", what);
	return -1;
}

/* ---- the inputs ---- */

static char *read_data(const char *rel)
{
	char *text = tu_read(tu_data_path(rel), NULL);
	ck_assert_ptr_nonnull(text);
	return text;
}

typedef struct Ctx {
	const char *xml;
	MmHostMap *maps[4];
	size_t n;
	MmDomain *domain;
	MmGuestLayout *layout;
	MmCheckReport *report;
	const void *thing; /* what a format step formats */
} Ctx;

static void ctx_clear(Ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		mm_hostmap_free(c->maps[i]);
	mm_domain_free(c->domain);
	mm_layout_free(c->layout);
	mm_check_report_free(c->report);
}

static const MmHostMap *const *hosts_of(Ctx *c)
{
	return (const MmHostMap *const *)c->maps;
}

/* tu_arm64_domain against the arm64 example pool: the check finds errors,
 * and the plan moves RAM into DIMMs (test-plan.c). */

static void arm64_pool(Ctx *c)
{
	const char *hosts[] = { "arm64-virt-smmuv3", "arm64-hwmsi", "arm64-rmr" };
	const char *names[] = { "a", "b", "c" };
	c->n = 3;
	for (size_t i = 0; i < 3; i++)
		c->maps[i] = tu_probe(hosts[i], names[i]);
	c->xml = tu_arm64_domain;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(c->xml, strlen(c->xml), "g1.xml", &c->domain, &err),
			 0);
	ck_assert_int_eq(mm_layout_compute(c->domain, &c->layout, &err), 0);
	ck_assert_int_eq(mm_check_domain(c->domain, hosts_of(c), c->n, &c->report, &err), 0);
	ck_assert(!c->report->ok);
}

/* ---- the steps ---- */

static int step_domain_parse(void *p)
{
	Ctx *c = p;
	MmDomain *d = NULL;
	MmError err = { 0 };
	int r = mm_domain_parse_xml(c->xml, strlen(c->xml), "d.xml", &d, &err);
	expect(r == 0 ? d != NULL : d == NULL, "r == 0 ? d != NULL : d == NULL");
	mm_domain_free(d);
	return r;
}

static int step_layout(void *p)
{
	Ctx *c = p;
	MmGuestLayout *l = NULL;
	MmError err = { 0 };
	int r = mm_layout_compute(c->domain, &l, &err);
	expect(r == 0 ? l != NULL : l == NULL, "r == 0 ? l != NULL : l == NULL");
	mm_layout_free(l);
	return r;
}

static int step_layout_json(void *p)
{
	Ctx *c = p;
	char *json = NULL;
	int r = mm_layout_format_json(c->layout, &json);
	expect(r == 0 ? json != NULL : json == NULL, "r == 0 ? json != NULL : json == NULL");
	free(json);
	return r;
}

static int step_check(void *p)
{
	Ctx *c = p;
	MmCheckReport *report = NULL;
	MmError err = { 0 };
	int r = mm_check_domain(c->domain, hosts_of(c), c->n, &report, &err);
	expect(r == 0 ? report != NULL : report == NULL,
	       "r == 0 ? report != NULL : report == NULL");
	mm_check_report_free(report);
	return r;
}

static int step_check_json(void *p)
{
	Ctx *c = p;
	char *json = NULL;
	int r = mm_check_report_format_json(c->report, &json);
	expect(r == 0 ? json != NULL : json == NULL, "r == 0 ? json != NULL : json == NULL");
	if (r == 0) {
		/* and back */
		MmCheckReport *back = NULL;
		MmError err = { 0 };
		r = mm_check_report_parse_json(json, strlen(json), "r.json", &back, &err);
		expect(r == 0 ? back != NULL : back == NULL,
		       "r == 0 ? back != NULL : back == NULL");
		if (r == 0)
			expect(back->n_conflicts == c->report->n_conflicts, "round trip");
		mm_check_report_free(back);
	}
	free(json);
	return r;
}

static int step_plan(void *p)
{
	Ctx *c = p;
	MmPlan *plan = NULL;
	MmError err = { 0 };
	int r = mm_plan_domain(c->xml, strlen(c->xml), "g1.xml", hosts_of(c), c->n, &plan, &err);
	expect(r == 0 ? plan != NULL : plan == NULL, "r == 0 ? plan != NULL : plan == NULL");
	if (r == 0) {
		char *json = NULL;
		r = mm_plan_format_json(plan, &json);
		free(json);
	}
	mm_plan_free(plan);
	return r;
}

static int step_fit(void *p)
{
	Ctx *c = p;
	MmFit *fit = NULL;
	MmError err = { 0 };
	int r = mm_fit_domain(c->domain, hosts_of(c), c->n, &fit, &err);
	expect(r == 0 ? fit != NULL : fit == NULL, "r == 0 ? fit != NULL : fit == NULL");
	if (r == 0) {
		char *json = NULL;
		r = mm_fit_format_json(fit, &json);
		expect(r == 0 ? json != NULL : json == NULL,
		       "r == 0 ? json != NULL : json == NULL");
		free(json);
	}
	mm_fit_free(fit);
	return r;
}

static int step_whatif(void *p)
{
	Ctx *c = p;
	MmWhatif *w = NULL;
	MmError err = { 0 };
	const MmDomain *const domains[] = { c->domain };
	/* before: the first member alone; after: all three */
	int r = mm_whatif(domains, 1, hosts_of(c), 1, hosts_of(c), c->n, &w, &err);
	expect(r == 0 ? w != NULL : w == NULL, "r == 0 ? w != NULL : w == NULL");
	if (r == 0) {
		char *json = NULL;
		r = mm_whatif_format_json(w, &json);
		expect(r == 0 ? json != NULL : json == NULL,
		       "r == 0 ? json != NULL : json == NULL");
		free(json);
	}
	mm_whatif_free(w);
	return r;
}

static int step_picture(void *p)
{
	Ctx *c = p;
	MmPicture *pic = NULL;
	MmError err = { 0 };
	int r = mm_picture_build(hosts_of(c), c->n, c->layout, c->report, &pic, &err);
	expect(r == 0 ? pic != NULL : pic == NULL, "r == 0 ? pic != NULL : pic == NULL");
	if (r == 0)
		r = mm_picture_set_names(pic, "pool", "g1");
	char *out = NULL;
	if (r == 0 && (r = mm_picture_format_svg(pic, &out)) == 0)
		free(TAKE_PTR(out));
	if (r == 0 && (r = mm_picture_format_text(pic, 100, true, &out)) == 0)
		free(TAKE_PTR(out));
	if (r == 0 && (r = mm_picture_format_json(pic, &out)) == 0)
		free(TAKE_PTR(out));
	expect(out == NULL, "out == NULL");
	mm_picture_free(pic);
	return r;
}

static int step_msi_check(void *p)
{
	Ctx *c = p;
	size_t before = c->maps[0]->n_warnings;
	int r = mm_msi_check(c->maps[0]);
	/* the warnings it could not add are not there half-made */
	for (size_t i = before; i < c->maps[0]->n_warnings; i++)
		expect(c->maps[0]->warnings[i] != NULL, "whole warnings");
	return r;
}

/* ---- the tests ---- */

START_TEST(test_domain_parse)
{
	/* the hand-made fixtures cover NUMA cells, DIMMs, shared memory,
	 * a vIOMMU, aliases, firmware; see their comments */
	static const char *const files[] = {
		"domains/arm64-numa-dimm.xml",       "domains/x86-q35-intel-numa.xml",
		"domains/x86-shmem-passthrough.xml", "domains/x86-viommu-aw48.xml",
		"domains/arm64-alias-gicv2.xml",     "domains/arm64-virt72-uefi.xml",
		"domains/x86-q35-epyc-2t.xml",       "domains/x86-i440fx-old.xml",
	};
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *xml = read_data(files[i]);
		Ctx c = { .xml = xml };
		each_failure(files[i], step_domain_parse, &c);
	}
}
END_TEST

START_TEST(test_layout_and_json)
{
	static const char *const files[] = {
		"domains/arm64-numa-dimm.xml",
		"domains/x86-q35-intel-numa.xml",
		"domains/x86-q35-epyc-2t.xml",
	};
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *xml = read_data(files[i]);
		Ctx c = { .xml = xml };
		MmError err = { 0 };
		ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), files[i], &c.domain, &err),
				 0);
		ck_assert_int_eq(mm_layout_compute(c.domain, &c.layout, &err), 0);
		each_failure(files[i], step_layout, &c);
		each_failure(files[i], step_layout_json, &c);
		ctx_clear(&c);
	}
	/* layouts with warnings: a 2 TiB q35 guest without a CPU model (its
	 * vendor unknown: QEMU may move RAM to 1 TiB), and an AMD one whose
	 * map ends above its maxphysaddr */
	static const char *const warned[] = {
		"<domain type='kvm'><name>w</name><memory unit='TiB'>2</memory><vcpu>1</vcpu>"
		"<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os></domain>",
		"<domain type='kvm'><name>w</name><memory unit='TiB'>2</memory><vcpu>1</vcpu>"
		"<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
		"<cpu mode='custom'><model>EPYC-Milan</model>"
		"<maxphysaddr mode='emulate' bits='40'/></cpu></domain>",
	};
	for (size_t i = 0; i < ELEMENTSOF(warned); i++) {
		Ctx c = { .xml = warned[i] };
		MmError err = { 0 };
		ck_assert_int_eq(mm_domain_parse_xml(c.xml, strlen(c.xml), "w.xml", &c.domain,
						     &err),
				 0);
		ck_assert_int_eq(mm_layout_compute(c.domain, &c.layout, &err), 0);
		ck_assert_uint_eq(c.layout->n_warnings, 1);
		each_failure("w.xml", step_layout, &c);
		ctx_clear(&c);
	}
}
END_TEST

/* The layout's region list grows geometrically: a guest of 4,096 NUMA
 * cells (4,096 RAM regions) is laid out with a few dozen allocations, not
 * one reallocation per region (which copied the list each time: seconds
 * for 100,000 cells, minutes under ASan). A count, not a time. */
START_TEST(test_layout_allocations_grow_geometrically)
{
	enum { CELLS = 4096 };
	char *xml = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&xml, &len);
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"<domain type='kvm'><name>cells</name><memory unit='MiB'>%d</memory>"
		"<vcpu>1</vcpu><os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>"
		"<cpu><numa>",
		CELLS);
	for (int i = 0; i < CELLS; i++)
		fprintf(f, "<cell id='%d' memory='1' unit='MiB'/>", i);
	fputs("</numa></cpu></domain>", f);
	ck_assert_int_eq(fclose(f), 0);
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(xml, len, "cells.xml", &d, &err), 0);
	free(xml);
	unsigned long before = failalloc_calls;
	ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
	ck_assert_uint_ge(l->n_regions, CELLS);
	ck_assert_msg(failalloc_calls - before < 100, "%lu allocations for %d cells",
		      failalloc_calls - before, CELLS);
}
END_TEST

START_TEST(test_check_and_json)
{
	Ctx c = { 0 };
	arm64_pool(&c);
	each_failure("check", step_check, &c);
	each_failure("check json", step_check_json, &c);
	ctx_clear(&c);
}
END_TEST

START_TEST(test_plan)
{
	Ctx c = { 0 };
	arm64_pool(&c);
	each_failure("plan", step_plan, &c);
	ctx_clear(&c);
}
END_TEST

START_TEST(test_fit_and_whatif)
{
	Ctx c = { 0 };
	arm64_pool(&c);
	each_failure("fit", step_fit, &c);
	each_failure("whatif", step_whatif, &c);
	ctx_clear(&c);
}
END_TEST

START_TEST(test_picture)
{
	Ctx c = { 0 };
	arm64_pool(&c);
	each_failure("picture", step_picture, &c);
	ctx_clear(&c);
}
END_TEST

/* the firmware cross-checks' warnings: an IORT RMR the kernel did not
 * report, an ITS doorbell in no msi range (the fixtures' READMEs) */
START_TEST(test_msi_check)
{
	static const char *const hosts[] = { "fw-rmr-oldkernel", "fw-its-direct", "arm64-hwmsi" };
	for (size_t i = 0; i < ELEMENTSOF(hosts); i++) {
		Ctx c = { .n = 1 };
		c.maps[0] = tu_probe(hosts[i], "h");
		each_failure(hosts[i], step_msi_check, &c);
		ctx_clear(&c);
	}
}
END_TEST

/* the checks of widths, assignability and the vIOMMU: an x86 guest with
 * a 48-bit intel vIOMMU and the device of x86-rmrr's RMRR group, on a pool
 * with a 39-bit VT-d; an aarch64 guest with virtio-iommu on the arm64
 * pool, whose ranges differ between members */
START_TEST(test_check_widths_viommu)
{
	static const char x86[] =
		"<domain type='kvm'><name>n</name><memory unit='GiB'>8</memory>"
		"<os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>"
		"<cpu mode='custom'><model>Skylake-Server</model></cpu><devices>"
		"<hostdev mode='subsystem' type='pci' managed='yes'><source>"
		"<address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source>"
		"</hostdev><shmem name='ivshmem0'><model type='ivshmem-plain'/>"
		"<size unit='M'>64</size></shmem>"
		"<iommu model='intel'><driver aw_bits='48'/></iommu></devices></domain>";
	static const char arm[] = "<domain type='kvm'><name>v</name><memory unit='GiB'>2</memory>"
				  "<os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>"
				  "<features><gic version='3'/></features><devices>"
				  "<iommu model='virtio'/></devices></domain>";
	MmError err = { 0 };
	{
		Ctx c = { .n = 2, .xml = x86 };
		c.maps[0] = tu_probe("x86-vtd39-cpu46", "a");
		c.maps[1] = tu_probe("x86-rmrr", "b");
		ck_assert_int_eq(mm_domain_parse_xml(x86, strlen(x86), "n.xml", &c.domain, &err),
				 0);
		ck_assert_int_eq(mm_check_domain(c.domain, hosts_of(&c), c.n, &c.report, &err), 0);
		ck_assert(!c.report->ok);
		each_failure("check x86", step_check, &c);
		each_failure("check x86 json", step_check_json, &c);
		ctx_clear(&c);
	}
	{
		Ctx c = { 0 };
		arm64_pool(&c);
		mm_domain_free(c.domain);
		c.domain = NULL;
		mm_check_report_free(c.report);
		c.report = NULL;
		c.xml = arm;
		ck_assert_int_eq(mm_domain_parse_xml(arm, strlen(arm), "v.xml", &c.domain, &err),
				 0);
		ck_assert_int_eq(mm_check_domain(c.domain, hosts_of(&c), c.n, &c.report, &err), 0);
		ck_assert_uint_gt(c.report->n_conflicts, 0);
		each_failure("check virtio-iommu", step_check, &c);
		each_failure("check virtio-iommu json", step_check_json, &c);
		ctx_clear(&c);
	}
}
END_TEST

/* the plan that only narrows an x86 guest's address width to the 39 bits
 * of x86-vtd39-cpu46's VT-d (test-plan.c) */
START_TEST(test_plan_phys_bits)
{
	static const char xml[] = "<domain type='kvm'><name>w</name><memory unit='GiB'>4</memory>"
				  "<vcpu>2</vcpu>"
				  "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
				  "<cpu mode='custom'><model>Skylake-Client</model></cpu></domain>";
	Ctx c = { .n = 1, .xml = xml };
	c.maps[0] = tu_probe("x86-vtd39-cpu46", "vtd");
	each_failure("plan phys bits", step_plan, &c);
	ctx_clear(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nomem");
	TCase *tc = tcase_create("nomem");
	/* many runs of each call: room for a sanitizer build on a busy machine */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_domain_parse);
	tcase_add_test(tc, test_layout_and_json);
	tcase_add_test(tc, test_layout_allocations_grow_geometrically);
	tcase_add_test(tc, test_check_and_json);
	tcase_add_test(tc, test_check_widths_viommu);
	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_plan_phys_bits);
	tcase_add_test(tc, test_fit_and_whatif);
	tcase_add_test(tc, test_picture);
	tcase_add_test(tc, test_msi_check);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
