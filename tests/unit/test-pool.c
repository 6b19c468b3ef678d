/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool baseline: fixture pools with known answers (read off the hosts'
 * reserved_regions), order independence, the defining property
 * usable ∪ forbidden = [0, limit] with usable ∩ forbidden = ∅, and errors. */
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

static MmPoolMap *baseline_of(const char *const *hosts, const char *const *names, size_t n)
{
	MmHostMap *maps[16];
	MmPoolMap *p = NULL;
	MmError err = { 0 };
	ck_assert_uint_le(n, ELEMENTSOF(maps));
	for (size_t i = 0; i < n; i++)
		maps[i] = tu_probe(hosts[i], names[i]);
	int r = mm_pool_baseline("p1", (const MmHostMap *const *)maps, n, &p, &err);
	ck_assert_msg(r == 0, "baseline: %s", err.message);
	for (size_t i = 0; i < n; i++)
		mm_hostmap_free(maps[i]);
	return p;
}

/* usable and forbidden partition [0, 2^limit - 1] exactly. */
static void assert_partition(const MmPoolMap *p)
{
	MmRangeSet forbidden = { 0 }, space = { 0 }, both = { 0 }, all = { 0 };
	uint64_t top = p->limit_bits ? ((uint64_t)1 << p->limit_bits) - 1 : UINT64_MAX;
	for (size_t i = 0; i < p->n_forbidden; i++)
		if (p->forbidden[i].start <= top)
			ck_assert_int_eq(mm_rangeset_add(&forbidden, p->forbidden[i].start,
							 p->forbidden[i].end < top
								 ? p->forbidden[i].end
								 : top,
							 MM_NO_ORIGIN),
					 0);
	ck_assert_int_eq(mm_rangeset_intersect(&both, &forbidden, &p->usable), 0);
	ck_assert_uint_eq(both.n, 0);
	ck_assert_int_eq(mm_rangeset_union(&all, &forbidden, &p->usable), 0);
	ck_assert_int_eq(mm_rangeset_add(&space, 0, top, MM_NO_ORIGIN), 0);
	ck_assert(mm_rangeset_equal(&all, &space));
	mm_rangeset_clear(&forbidden);
	mm_rangeset_clear(&space);
	mm_rangeset_clear(&both);
	mm_rangeset_clear(&all);
}

START_TEST(test_arm64_pool)
{
	/* a: the software MSI window only; b: a HiSilicon-style host whose
	 * doorbells bypass the SMMU; c: an IORT RMR direct range */
	const char *hosts[] = { "arm64-virt-smmuv3", "arm64-hwmsi", "arm64-rmr" };
	const char *names[] = { "a", "b", "c" };
	_cleanup_(mm_poolmap_freep) MmPoolMap *p = baseline_of(hosts, names, 3);

	ck_assert_uint_eq(p->n_members, 3);
	ck_assert_str_eq(p->members[0].name, "a");
	ck_assert_uint_eq(p->n_forbidden, 4);
	/* the shared window, from every host */
	ck_assert_str_eq(p->forbidden[0].type, "msi");
	ck_assert_uint_eq(p->forbidden[0].start, 0x8000000);
	ck_assert_uint_eq(p->forbidden[0].end, 0x80fffff);
	ck_assert_uint_eq(p->forbidden[0].hosts.n, 3);
	/* b's hardware doorbell page, from b alone */
	ck_assert_str_eq(p->forbidden[1].type, "msi");
	ck_assert_uint_eq(p->forbidden[1].start, 0xc6010000);
	ck_assert_uint_eq(p->forbidden[1].hosts.n, 1);
	ck_assert_str_eq(p->members[p->forbidden[1].hosts.ids[0]].name, "b");
	ck_assert_str_eq(p->forbidden[2].type, "direct");
	ck_assert_uint_eq(p->forbidden[2].start, 0xfbe00000);
	ck_assert_str_eq(p->members[p->forbidden[2].hosts.ids[0]].name, "c");
	ck_assert_uint_eq(p->forbidden[3].start, 0x8c6010000);
	/* a's SMMUv3 takes 44-bit input addresses ("ias 44-bit" in its boot
	 * log); b and c say nothing of theirs */
	ck_assert_uint_eq(p->limit_bits, 44);
	ck_assert_uint_eq(p->limit_hosts.n, 1);
	ck_assert_str_eq(p->members[p->limit_hosts.ids[0]].name, "a");
	ck_assert_uint_eq(p->n_warnings, 0);
	/* usable starts at 0 and stops just below the window */
	ck_assert_uint_eq(p->usable.spans[0].start, 0);
	ck_assert_uint_eq(p->usable.spans[0].end, 0x7ffffff);
	ck_assert_uint_eq(p->usable.spans[1].start, 0x8100000);
	ck_assert_uint_eq(p->usable.spans[p->usable.n - 1].end, 0xfffffffffff);
	assert_partition(p);

	char msg[512];
	_cleanup_free_ char *xml = NULL;
	ck_assert_int_eq(mm_poolmap_format_xml(p, &xml), 0);
	ck_assert_msg(tu_validate("poolmap.rng", xml, msg, sizeof(msg)), "%s", msg);
}
END_TEST

START_TEST(test_x86_pool_limit)
{
	/* QEMU's VT-d takes 39-bit IOVAs (MGAW in its cap register,
	 * 0xd2008c22260206), below the CPUs' 40 and the Xeon's 46 bits */
	const char *hosts[] = { "x86-rmrr", "x86-q35-vtd", "x86-q35-amdvi" };
	const char *names[] = { "dl388p", "vtd", "amd" };
	_cleanup_(mm_poolmap_freep) MmPoolMap *p = baseline_of(hosts, names, 3);
	ck_assert_uint_eq(p->limit_bits, 39);
	ck_assert_uint_eq(p->limit_hosts.n, 1);
	ck_assert_str_eq(p->members[p->limit_hosts.ids[0]].name, "vtd");
	ck_assert_uint_eq(p->usable.spans[p->usable.n - 1].end, 0x7fffffffff);
	/* the HyperTransport hole of the AMD host is forbidden (above the
	 * limit here, but the pool map still lists it) */
	bool ht = false;
	for (size_t i = 0; i < p->n_forbidden; i++)
		ht |= strcmp(p->forbidden[i].type, "reserved") == 0 &&
		      p->forbidden[i].start == 0xfd00000000;
	ck_assert(ht);
	/* direct-relaxable 0-16 MiB from the ISA bridges of two hosts */
	ck_assert_str_eq(p->forbidden[0].type, "direct-relaxable");
	ck_assert_uint_eq(p->forbidden[0].hosts.n, 2);
	ck_assert_uint_eq(p->usable.spans[0].start, 0x1000000);
	assert_partition(p);
}
END_TEST

START_TEST(test_order_independent)
{
	const char *hosts[] = { "arm64-virt-smmuv3", "arm64-hwmsi", "arm64-rmr",
				"arm64-oldkernel-pciwin" };
	const char *names[] = { "a", "b", "c", "d" };
	static const int perms[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 3, 0, 2 }, { 2, 0, 3, 1 }
	};
	_cleanup_free_ char *first = NULL;
	for (size_t k = 0; k < ELEMENTSOF(perms); k++) {
		const char *h[4], *n[4];
		for (int i = 0; i < 4; i++) {
			h[i] = hosts[perms[k][i]];
			n[i] = names[perms[k][i]];
		}
		_cleanup_(mm_poolmap_freep) MmPoolMap *p = baseline_of(h, n, 4);
		_cleanup_free_ char *xml = NULL;
		ck_assert_int_eq(mm_poolmap_format_xml(p, &xml), 0);
		if (!first)
			first = TAKE_PTR(xml);
		else
			ck_assert_str_eq(xml, first);
	}
}
END_TEST

START_TEST(test_random_pools)
{
	/* random hosts: the partition property and order independence hold */
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	for (int round = 0; round < 60; round++) {
		MmHostMap *maps[6];
		size_t n = 1 + (size_t)(round % 6);
		for (size_t i = 0; i < n; i++) {
			maps[i] = mm_hostmap_new();
			ck_assert_int_ge(asprintf(&maps[i]->name, "h%zu", i), 0);
			maps[i]->phys_bits = 32 + (unsigned)((seed >> 7) % 20);
			for (int k = 0; k < 5; k++) {
				seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
				uint64_t start = seed % ((uint64_t)1 << 36);
				uint64_t len = (seed >> 40) % 0x1000000;
				const char *type = (seed & 3) == 0 ? "direct" : "msi";
				MmIdSet g = { (uint32_t[]){ (uint32_t)k }, 1 };
				ck_assert_int_eq(mm_hostmap_add_reserved(maps[i], type, start,
									 start + len, &g),
						 0);
			}
		}
		MmPoolMap *p = NULL, *q = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_pool_baseline("r", (const MmHostMap *const *)maps, n, &p, &err),
				 0);
		assert_partition(p);
		/* reversed order, same XML */
		MmHostMap *rev[6];
		for (size_t i = 0; i < n; i++)
			rev[i] = maps[n - 1 - i];
		ck_assert_int_eq(mm_pool_baseline("r", (const MmHostMap *const *)rev, n, &q, &err),
				 0);
		char *a = NULL, *b = NULL;
		ck_assert_int_eq(mm_poolmap_format_json(p, &a), 0);
		ck_assert_int_eq(mm_poolmap_format_json(q, &b), 0);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
		mm_poolmap_free(p);
		mm_poolmap_free(q);
		for (size_t i = 0; i < n; i++)
			mm_hostmap_free(maps[i]);
	}
}
END_TEST

START_TEST(test_errors)
{
	MmHostMap *a = tu_probe("arm64-virt-smmuv3", "a");
	MmHostMap *a2 = tu_probe("arm64-rmr", "a");
	MmHostMap *x = tu_probe("x86-q35-vtd", "x");
	MmPoolMap *p = NULL;
	MmError err = { 0 };

	const MmHostMap *dup[] = { a, a2 };
	ck_assert_int_eq(mm_pool_baseline("p", dup, 2, &p, &err), -EEXIST);
	ck_assert_str_eq(err.message, "host 'a' is in the pool twice");
	const MmHostMap *mixed[] = { x, a };
	ck_assert_int_eq(mm_pool_baseline("p", mixed, 2, &p, &err), -EINVAL);
	ck_assert(strstr(err.message, "cannot mix architectures: a is aarch64, x is x86_64"));
	ck_assert_int_eq(mm_pool_baseline("p", NULL, 0, &p, &err), -EINVAL);
	const MmHostMap *one[] = { a };
	ck_assert_int_eq(mm_pool_baseline("bad name", one, 1, &p, &err), -EINVAL);
	ck_assert(strstr(err.message, "invalid pool name"));
	ck_assert_ptr_null(p);
	mm_hostmap_free(a);
	mm_hostmap_free(a2);
	mm_hostmap_free(x);
}
END_TEST

static MmHostMap *map_with(const char *name, const char *arch)
{
	MmHostMap *m = mm_hostmap_new();
	ck_assert_ptr_nonnull(m);
	m->name = name ? strdup(name) : NULL;
	m->arch = strdup(arch);
	m->n_iommu_groups = 1;
	return m;
}

/* Types the kernel may add after this release (reserved_regions prints
 * whatever iommu_resv_type names): kept apart by name, ordered by start
 * then name, their hosts joined where the same type and range meet. */
START_TEST(test_unknown_types)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *a = map_with("a", "aarch64");
	_cleanup_(mm_hostmap_freep) MmHostMap *b = map_with("b", "aarch64");
	ck_assert_int_eq(mm_hostmap_add_reserved(a, "zeta", 0x1000, 0x1fff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(a, "alpha", 0x1000, 0x1fff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(a, "alpha", 0x500, 0x5ff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(b, "alpha", 0x1000, 0x1fff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(b, "msi", 0x8000000, 0x80fffff, NULL), 0);
	const MmHostMap *maps[] = { b, a };
	_cleanup_(mm_poolmap_freep) MmPoolMap *p = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_pool_baseline("p", maps, 2, &p, &err), 0);
	ck_assert_uint_eq(p->n_forbidden, 4);
	static const struct {
		const char *type;
		uint64_t start, end;
		size_t n_hosts;
	} want[] = {
		{ "alpha", 0x500, 0x5ff, 1 },
		{ "alpha", 0x1000, 0x1fff, 2 },
		{ "zeta", 0x1000, 0x1fff, 1 },
		{ "msi", 0x8000000, 0x80fffff, 1 },
	};
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		ck_assert_str_eq(p->forbidden[i].type, want[i].type);
		ck_assert_uint_eq(p->forbidden[i].start, want[i].start);
		ck_assert_uint_eq(p->forbidden[i].end, want[i].end);
		ck_assert_uint_eq(p->forbidden[i].hosts.n, want[i].n_hosts);
	}
}
END_TEST

START_TEST(test_bad_members)
{
	/* a map without a name (a broken caller): refused, whatever its place */
	_cleanup_(mm_hostmap_freep) MmHostMap *a = map_with("a", "aarch64");
	_cleanup_(mm_hostmap_freep) MmHostMap *nameless = map_with(NULL, "aarch64");
	MmPoolMap *p = NULL;
	MmError err = { 0 };
	const MmHostMap *noname[] = { a, nameless };
	ck_assert_int_eq(mm_pool_baseline("p", noname, 2, &p, &err), -EINVAL);
	ck_assert_str_eq(err.message, "a host map has no name");
	ck_assert_ptr_null(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("baseline");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_arm64_pool);
	tcase_add_test(tc, test_x86_pool_limit);
	tcase_add_test(tc, test_order_independent);
	tcase_add_test(tc, test_random_pools);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_unknown_types);
	tcase_add_test(tc, test_bad_members);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
