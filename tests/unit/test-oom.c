/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Allocation failure: each operation below is run with its Nth allocation
 * failing, for N = 1, 2, ... until it no longer reaches an Nth allocation,
 * and every run must end in -ENOMEM (nothing half done, nothing leaked: the
 * suite runs under valgrind and ASan in CI), and the last in success.
 *
 * The allocations are those libmigmap makes itself: the link wraps
 * (-Wl,--wrap=, tests/unit/Makefile.inc.am) the allocator and the
 * libxml2/json-c constructors lib/ calls. Allocations inside libxml2 or
 * json-c are not failed: what those libraries do then is theirs to test.
 * Inputs are kept small so that the quadratic number of runs stays cheap. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "failalloc.h"
#include "jsonutil.h"
#include "macros.h"
#include "testutil.h"

FAILALLOC_WRAP(void *, malloc, (size_t n), (n), NULL)
FAILALLOC_WRAP(void *, calloc, (size_t n, size_t size), (n, size), NULL)
FAILALLOC_WRAP(void *, realloc, (void *p, size_t n), (p, n), NULL)
FAILALLOC_WRAP(char *, strdup, (const char *s), (s), NULL)
FAILALLOC_WRAP(char *, strndup, (const char *s, size_t n), (s, n), NULL)
FAILALLOC_WRAP(int, vasprintf, (char **p, const char *fmt, va_list ap), (p, fmt, ap), -1)
FAILALLOC_WRAP(FILE *, open_memstream, (char **p, size_t *n), (p, n), NULL)
FAILALLOC_WRAP(json_tokener *, json_tokener_new, (void), (), NULL)
/* json-c's constructors, and its two adds failing as json-c does when it
 * cannot grow a table or an array: -1, the value still the caller's */
FAILALLOC_WRAP(json_object *, json_object_new_object, (void), (), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_array, (void), (), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_string, (const char *s), (s), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_int, (int32_t i), (i), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_int64, (int64_t i), (i), NULL)
FAILALLOC_WRAP(json_object *, json_object_new_boolean, (json_bool b), (b), NULL)
FAILALLOC_WRAP(int, json_object_object_add, (json_object * o, const char *key, json_object *v),
	       (o, key, v), -1)
FAILALLOC_WRAP(int, json_object_array_add, (json_object * a, json_object *v), (a, v), -1)
FAILALLOC_WRAP(const char *, json_object_to_json_string_ext, (json_object * o, int flags),
	       (o, flags), NULL)
FAILALLOC_WRAP(xmlBufferPtr, xmlBufferCreate, (void), (), NULL)
FAILALLOC_WRAP(xmlTextWriterPtr, xmlNewTextWriterMemory, (xmlBufferPtr b, int c), (b, c), NULL)
FAILALLOC_WRAP(xmlParserCtxtPtr, xmlNewParserCtxt, (void), (), NULL)
FAILALLOC_WRAP(int, xmlTextWriterStartElement, (xmlTextWriterPtr w, const xmlChar *n), (w, n), -1)
FAILALLOC_WRAP(int, xmlTextWriterWriteAttribute,
	       (xmlTextWriterPtr w, const xmlChar *n, const xmlChar *v), (w, n, v), -1)
FAILALLOC_WRAP(int, xmlTextWriterWriteElement,
	       (xmlTextWriterPtr w, const xmlChar *n, const xmlChar *v), (w, n, v), -1)
FAILALLOC_WRAP(xmlNodePtr, xmlNewChild,
	       (xmlNodePtr p, xmlNsPtr ns, const xmlChar *n, const xmlChar *c), (p, ns, n, c), NULL)
FAILALLOC_WRAP(xmlNodePtr, xmlNewNode, (xmlNsPtr ns, const xmlChar *n), (ns, n), NULL)
FAILALLOC_WRAP(xmlAttrPtr, xmlSetProp, (xmlNodePtr n, const xmlChar *k, const xmlChar *v),
	       (n, k, v), NULL)

/* asprintf is variadic: it fails here or goes to the real vasprintf. */
int __wrap_asprintf(char **p, const char *fmt, ...);
int __wrap_asprintf(char **p, const char *fmt, ...)
{
	va_list ap;
	if (failalloc_now())
		return -1;
	va_start(ap, fmt);
	int r = __real_vasprintf(p, fmt, ap);
	va_end(ap);
	return r;
}

int __real_xmlTextWriterWriteVFormatAttribute(xmlTextWriterPtr w, const xmlChar *n, const char *fmt,
					      va_list ap);
int __wrap_xmlTextWriterWriteFormatAttribute(xmlTextWriterPtr w, const xmlChar *n, const char *fmt,
					     ...) _printf_(3, 4);
int __wrap_xmlTextWriterWriteFormatAttribute(xmlTextWriterPtr w, const xmlChar *n, const char *fmt,
					     ...)
{
	va_list ap;
	if (failalloc_now())
		return -1;
	va_start(ap, fmt);
	int r = xmlTextWriterWriteVFormatAttribute(w, n, fmt, ap);
	va_end(ap);
	return r;
}

/* One operation: returns what the library returned, after freeing all it
 * made (the fixture it works on is made before, outside the failures). It
 * asserts nothing itself: check's own allocations go through the wrappers
 * too; a wrong result is reported as -EBADE. */
typedef int (*Op)(void *data);

/* Run op with allocation 1, 2, ... failing (TEST_OOM_COUNTS=1 in the
 * environment prints how many each operation makes); each must give -ENOMEM, and
 * the first run that reaches no failure must succeed. With absorb, op has
 * steps where an allocation failure is documented to change no result: a
 * run may then succeed too, op having checked its result. Returns the
 * number of allocations op makes. */
static unsigned long run_failing(const char *what, Op op, void *data, bool absorb)
{
	for (unsigned long n = 1;; n++) {
		failalloc_arm(n);
		int r = op(data);
		bool hit = failalloc_failed();
		failalloc_arm(0);
		if (!hit) {
			ck_assert_msg(r == 0, "%s: %d (%s) without any failure", what, r,
				      strerror(-r));
			if (getenv("TEST_OOM_COUNTS"))
				fprintf(stderr, "%s: %lu allocations\n", what, n - 1);
			return n - 1;
		}
		ck_assert_msg(r == -ENOMEM || (absorb && r == 0),
			      "%s: allocation %lu failed, returned %d (%s)", what, n, r,
			      r < 0 ? strerror(-r) : "success");
		ck_assert_msg(n < 100000, "%s: no end to its allocations", what);
	}
}

/* --- the operations --- */

static const char *sysroot(const char *host)
{
	static char buf[512];
	char rel[256];
	snprintf(rel, sizeof(rel), "hosts/%s", host);
	snprintf(buf, sizeof(buf), "%s", tu_data_path(rel));
	return buf;
}

static int op_probe(void *data)
{
	MmProbeOptions opts = { .sysroot = sysroot(data), .name = "h" };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	int r = mm_hostmap_probe(&opts, &m, &err);
	if (r < 0 && m)
		r = -EBADE; /* a map beside an error */
	mm_hostmap_free(m);
	return r;
}

static int op_hostmap_xml(void *data)
{
	const MmHostMap *m = data;
	_cleanup_free_ char *xml = NULL;
	MmHostMap *back = NULL;
	MmError err = { 0 };
	int r = mm_hostmap_format_xml(m, &xml);
	if (r < 0)
		return r;
	r = mm_hostmap_parse_xml(xml, strlen(xml), "h.xml", &back, &err);
	if (r == 0 && (back->n_groups != m->n_groups || back->n_reserved != m->n_reserved))
		r = -EBADE; /* not the map that was written */
	mm_hostmap_free(back);
	return r;
}

static int op_hostmap_json(void *data)
{
	const MmHostMap *m = data;
	_cleanup_free_ char *json = NULL, *table = NULL;
	int r = mm_hostmap_format_json(m, &json);
	if (r == 0)
		r = mm_hostmap_format_table(m, &table);
	return r;
}

typedef struct Pool {
	MmHostMap *maps[2];
} Pool;

static int op_pool(void *data)
{
	Pool *p = data;
	MmPoolMap *pm = NULL;
	MmError err = { 0 };
	_cleanup_free_ char *xml = NULL, *json = NULL;
	int r = mm_pool_baseline("p", (const MmHostMap *const *)p->maps, 2, &pm, &err);
	if (r < 0)
		return r;
	r = mm_poolmap_format_xml(pm, &xml);
	if (r == 0)
		r = mm_poolmap_format_json(pm, &json);
	mm_poolmap_free(pm);
	return r;
}

/* The state store, read: a directory made beforehand (a pool with one
 * member) is opened, the pool exported and its baseline
 * computed, and the store reloaded. Writes are left out: their fsyncs
 * would make the hundreds of runs slow. A reload that cannot compare two
 * members counts them as changed (lib/state.c member_equal): one pool too
 * many reported, the reload itself still right. */
typedef struct StateRun {
	char dir[256];
	MmHostMap *m;
} StateRun;

static int op_state(void *data)
{
	StateRun *st = data;
	MmState *s = NULL;
	MmError err = { 0 };
	_cleanup_free_ char *json = NULL;
	MmPoolMap *pm = NULL;
	char **changed = NULL;
	size_t n_changed = 0;
	int r = mm_state_open(st->dir, 0, &s, &err);
	if (r < 0)
		return r;
	const MmStatePool *p = mm_state_find_pool(s, "p");
	if (!p || !mm_state_find_member(p, "h"))
		r = -EBADE;
	if (r >= 0)
		r = mm_state_pool_export(s, "p", 2, &json, &err);
	if (r >= 0)
		r = mm_state_pool_baseline(s, "p", &pm, &err);
	if (r >= 0)
		r = mm_state_reload(s, &changed, &n_changed, &err);
	/* nothing changed on disk: at most p reported, never lost */
	if (r >= 0 && (n_changed > 1 || (n_changed && strcmp(changed[0], "p") != 0) ||
		       !mm_state_find_pool(s, "p")))
		r = -EBADE;
	mm_strv_free(changed, n_changed);
	mm_poolmap_free(pm);
	mm_state_free(s);
	return r;
}

/* The state store, written: each run in a new directory, on a tmpfs where
 * there is one (/dev/shm: no fsync cost). A host saved, two pools made,
 * a local and a remote member added, the remote one marked stale and then
 * fetched, a generation set, the pool exported and imported back, the
 * local member removed, a pool deleted.
 * Reaping leftovers before each write is best-effort (lib/state.c
 * reap_dir): a failure there is absorbed, so op checks the end state. */
typedef struct WriteRun {
	char top[256];
	unsigned long run;
	MmHostMap *local, *remote;
} WriteRun;

static int op_state_write(void *data)
{
	WriteRun *w = data;
	char dir[300];
	MmState *s = NULL;
	MmError err = { 0 };
	char *fresh[] = { (char *)"r" };
	_cleanup_free_ char *json = NULL;
	snprintf(dir, sizeof(dir), "%s/%lu", w->top, w->run++);
	int r = mm_state_open(dir, MM_STATE_CREATE | MM_STATE_LOCK, &s, &err);
	if (r < 0)
		return r;
	r = mm_state_create_pool(s, "p", &err);
	if (r >= 0)
		r = mm_state_create_pool(s, "gone", &err);
	if (r >= 0)
		r = mm_state_add_member(s, "p", w->local, NULL, false, &err);
	if (r >= 0)
		r = mm_state_add_member(s, "p", w->remote, "unix:path=/run/r", false, &err);
	if (r >= 0)
		r = mm_state_mark_stale(s, "p", "r", &err);
	if (r >= 0)
		r = mm_state_record_fetches(s, "p", fresh, 1, NULL, 0, &err);
	if (r >= 0)
		r = mm_state_set_generation(s, "p", 5, &err);
	if (r >= 0)
		r = mm_state_pool_export(s, "p", 6, &json, &err);
	if (r >= 0)
		r = mm_state_pool_import(s, "p", 6, json, strlen(json), &err);
	if (r >= 0)
		r = mm_state_remove_member(s, "p", "h", &err);
	if (r >= 0)
		r = mm_state_delete_pool(s, "gone", &err);
	if (r >= 0) {
		const MmStatePool *p = mm_state_find_pool(s, "p");
		const MmStateMember *m = p ? mm_state_find_member(p, "r") : NULL;
		/* the import made r an imported member, at generation 6 */
		if (!m || p->n_members != 1 || m->stale || m->address || p->generation != 6 ||
		    mm_state_find_pool(s, "gone") || s->n_pools != 1)
			r = -EBADE;
	}
	mm_state_free(s);
	return r;
}

static int op_config(void *data)
{
	MmConfig c = { 0 };
	MmError err = { 0 };
	int r = mm_config_load(data, &c, &err);
	if (r == 0 && (!c.state_dir || !c.admin_group))
		r = -EBADE;
	mm_config_clear(&c);
	return r;
}

static int op_nodedev(void *data)
{
	MmNodeDevice *d = NULL;
	MmError err = { 0 };
	int r = mm_nodedev_parse_xml(data, strlen(data), "n.xml", &d, &err);
	mm_nodedev_free(d);
	return r;
}

/* Range and id sets: merges that join origins, set algebra, copies. */
static int op_rangeset(void *data)
{
	(void)data;
	MmRangeSet a = { 0 }, b = { 0 }, u = { 0 }, in = { 0 }, d = { 0 }, c = { 0 };
	MmIdSet x = { 0 }, y = { 0 }, z = { 0 };
	MmRangeSet *n = mm_rangeset_new();
	int r = n ? 0 : -ENOMEM;
	if (r >= 0)
		r = mm_rangeset_add(&a, 0x1000, 0x1fff, 1);
	if (r >= 0)
		r = mm_rangeset_add(&a, 0x4000, 0x4fff, 2);
	if (r >= 0) /* joins both, and 3 to their origins */
		r = mm_rangeset_add(&a, 0x1800, 0x47ff, 3);
	if (r >= 0)
		r = mm_rangeset_add(&a, 0x8000, 0x8fff, 4);
	if (r >= 0)
		r = mm_rangeset_add(&b, 0x3000, 0x8800, 5);
	if (r >= 0)
		r = mm_rangeset_union(&u, &a, &b);
	if (r >= 0)
		r = mm_rangeset_intersect(&in, &a, &b);
	if (r >= 0)
		r = mm_rangeset_subtract(&d, &a, &b);
	if (r >= 0)
		r = mm_rangeset_copy(&c, &a);
	if (r >= 0)
		r = mm_rangeset_add_span(n, &a.spans[0]);
	if (r >= 0)
		r = mm_idset_add(&x, 7);
	if (r >= 0)
		r = mm_idset_add(&x, 3);
	if (r >= 0)
		r = mm_idset_union(&y, &x);
	if (r >= 0)
		r = mm_idset_copy(&z, &a.spans[0].origin);
	if (r >= 0 && (a.n != 2 || a.spans[0].origin.n != 3 || u.n != 1 || in.n != 2 || d.n != 2 ||
		       !mm_rangeset_equal(&a, &c) || n->n != 1 || x.n != 2 || y.n != 2 ||
		       z.n != 3 || !mm_idset_contains(&z, 3)))
		r = -EBADE;
	mm_rangeset_clear(&a);
	mm_rangeset_clear(&b);
	mm_rangeset_clear(&u);
	mm_rangeset_clear(&in);
	mm_rangeset_clear(&d);
	mm_rangeset_clear(&c);
	mm_rangeset_free(n);
	mm_idset_clear(&x);
	mm_idset_clear(&y);
	mm_idset_clear(&z);
	return r;
}

START_TEST(test_oom_rangeset)
{
	ck_assert_uint_gt(run_failing("range sets", op_rangeset, NULL, false), 0);
}
END_TEST

/* A host map with little in it: the state tests format and parse maps
 * on every run, and their cost is what counts here, not the map's. */
static MmHostMap *small_map(const char *name)
{
	MmHostMap *m = mm_hostmap_new();
	ck_assert_ptr_nonnull(m);
	m->name = strdup(name);
	m->arch = strdup("aarch64");
	ck_assert_ptr_nonnull(m->name);
	ck_assert_ptr_nonnull(m->arch);
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "msi", 0x8000000, 0x80fffff, 0), 0);
	ck_assert_ptr_nonnull(mm_hostmap_ensure_group(m, 0));
	return m;
}

START_TEST(test_oom_state)
{
	StateRun st = { .m = small_map("h") };
	MmState *s = NULL;
	MmError err = { 0 };
	char cmd[300];
	ck_assert_ptr_nonnull(tu_mkdtemp(st.dir, sizeof(st.dir), "test-oom"));
	ck_assert_int_eq(mm_state_open(st.dir, MM_STATE_CREATE | MM_STATE_LOCK, &s, &err), 0);
	ck_assert_int_eq(mm_state_create_pool(s, "p", &err), 0);
	ck_assert_int_eq(mm_state_add_member(s, "p", st.m, NULL, false, &err), 0);
	mm_state_free(s);
	ck_assert_uint_gt(run_failing("state", op_state, &st, true), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", st.dir);
	ck_assert_int_eq(system(cmd), 0);
	mm_hostmap_free(st.m);
}
END_TEST

START_TEST(test_oom_state_write)
{
	WriteRun w = { .local = small_map("h"), .remote = small_map("r") };
	const char *tmp = getenv("TMPDIR");
	if (access("/dev/shm", W_OK) == 0)
		snprintf(w.top, sizeof(w.top), "/dev/shm/test-oom.XXXXXX");
	else
		snprintf(w.top, sizeof(w.top), "%s/test-oom.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(w.top));
	ck_assert_uint_gt(run_failing("state writes", op_state_write, &w, true), 0);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w.top);
	ck_assert_int_eq(system(cmd), 0);
	mm_hostmap_free(w.local);
	mm_hostmap_free(w.remote);
}
END_TEST

START_TEST(test_oom_config)
{
	char dir[256], path[300];
	ck_assert_ptr_nonnull(tu_mkdtemp(dir, sizeof(dir), "test-oom"));
	snprintf(path, sizeof(path), "%s/migmap.conf", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# a comment\nstate_dir = /var/lib/migmap\nadmin_group = wheel\n"
	      "refresh_interval = 10min\n",
	      f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_gt(run_failing("config", op_config, path, false), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_oom_nodedev)
{
	_cleanup_free_ char *xml = tu_read(tu_data_path("nodedev/pci_0000_03_00_0.xml"), NULL);
	ck_assert_ptr_nonnull(xml);
	ck_assert_uint_gt(run_failing("node device", op_nodedev, xml, false), 0);
}
END_TEST

START_TEST(test_oom_probe)
{
	/* an arm64 host with an SMMUv3 and ACPI tables, and one with a device
	 * tree (an x86 one would add little but time under valgrind) */
	static const char *const hosts[] = { "arm64-virt-acpi", "arm64-virt-gicv2" };
	for (size_t i = 0; i < ELEMENTSOF(hosts); i++)
		ck_assert_uint_gt(run_failing(hosts[i], op_probe, (void *)hosts[i], false), 0);
}
END_TEST

START_TEST(test_oom_hostmap_formats)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe("arm64-virt-smmuv3", "h");
	ck_assert_uint_gt(run_failing("host map XML", op_hostmap_xml, m, false), 0);
	ck_assert_uint_gt(run_failing("host map JSON", op_hostmap_json, m, false), 0);
}
END_TEST

START_TEST(test_oom_pool)
{
	Pool p = { { tu_probe("arm64-virt-smmuv3", "a"), tu_probe("arm64-rmr", "b") } };
	ck_assert_uint_gt(run_failing("pool", op_pool, &p, false), 0);
	mm_hostmap_free(p.maps[0]);
	mm_hostmap_free(p.maps[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_oom_probe);
	tcase_add_test(tc, test_oom_hostmap_formats);
	tcase_add_test(tc, test_oom_pool);
	tcase_add_test(tc, test_oom_rangeset);
	tcase_add_test(tc, test_oom_state);
	tcase_add_test(tc, test_oom_state_write);
	tcase_add_test(tc, test_oom_config);
	tcase_add_test(tc, test_oom_nodedev);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
