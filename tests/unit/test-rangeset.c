/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Range sets: edge cases at both ends of the 64-bit space, provenance, and a
 * randomized comparison against a naive bitmap model. */
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

static void check_invariants(const MmRangeSet *s)
{
	for (size_t i = 0; i < s->n; i++) {
		ck_assert_uint_le(s->spans[i].start, s->spans[i].end);
		if (i > 0) {
			/* sorted, disjoint and not touching */
			ck_assert_uint_ne(s->spans[i - 1].end, UINT64_MAX);
			ck_assert_uint_lt(s->spans[i - 1].end + 1, s->spans[i].start);
		}
		for (size_t k = 1; k < s->spans[i].origin.n; k++)
			ck_assert_uint_lt(s->spans[i].origin.ids[k - 1], s->spans[i].origin.ids[k]);
	}
}

START_TEST(test_merge_overlapping_and_adjacent)
{
	MmRangeSet s = { 0 };
	ck_assert_int_eq(mm_rangeset_add(&s, 0x100, 0x1ff, 1), 0);
	ck_assert_int_eq(mm_rangeset_add(&s, 0x300, 0x3ff, 2), 0);
	ck_assert_uint_eq(s.n, 2);
	/* touching the first on its right: merges */
	ck_assert_int_eq(mm_rangeset_add(&s, 0x200, 0x20f, 3), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.spans[0].end, 0x20f);
	/* bridging both */
	ck_assert_int_eq(mm_rangeset_add(&s, 0x210, 0x2ff, 4), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.spans[0].start, 0x100);
	ck_assert_uint_eq(s.spans[0].end, 0x3ff);
	ck_assert_uint_eq(s.spans[0].origin.n, 4);
	for (uint32_t id = 1; id <= 4; id++)
		ck_assert(mm_idset_contains(&s.spans[0].origin, id));
	/* reversed range refused, nothing changed */
	ck_assert_int_eq(mm_rangeset_add(&s, 0x10, 0x5, 9), -EINVAL);
	ck_assert_uint_eq(s.n, 1);
	check_invariants(&s);
	mm_rangeset_clear(&s);
}
END_TEST

START_TEST(test_ends_of_address_space)
{
	MmRangeSet s = { 0 }, full = { 0 }, d = { 0 };
	ck_assert_int_eq(mm_rangeset_add(&s, UINT64_MAX, UINT64_MAX, MM_NO_ORIGIN), 0);
	ck_assert_int_eq(mm_rangeset_add(&s, 0, 0, MM_NO_ORIGIN), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(mm_rangeset_contains(&s, UINT64_MAX));
	ck_assert(!mm_rangeset_contains(&s, UINT64_MAX - 1));
	ck_assert(mm_rangeset_contains(&s, 0));
	/* touching at the top */
	ck_assert_int_eq(mm_rangeset_add(&s, 0xfffffffffffff000, UINT64_MAX - 1, MM_NO_ORIGIN), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.spans[1].start, 0xfffffffffffff000);
	ck_assert_uint_eq(s.spans[1].end, UINT64_MAX);

	/* the whole space minus both ends */
	ck_assert_int_eq(mm_rangeset_add(&full, 0, UINT64_MAX, MM_NO_ORIGIN), 0);
	ck_assert_int_eq(mm_rangeset_subtract(&d, &full, &s), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.spans[0].start, 1);
	ck_assert_uint_eq(d.spans[0].end, 0xffffffffffffefff);
	mm_rangeset_clear(&d);

	/* minus nothing is everything; everything minus everything is nothing */
	MmRangeSet empty = { 0 };
	ck_assert_int_eq(mm_rangeset_subtract(&d, &full, &empty), 0);
	ck_assert(mm_rangeset_equal(&d, &full));
	mm_rangeset_clear(&d);
	ck_assert_int_eq(mm_rangeset_subtract(&d, &full, &full), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(mm_rangeset_intersect(&d, &full, &s), 0);
	ck_assert(mm_rangeset_equal(&d, &s));
	mm_rangeset_clear(&d);
	ck_assert(mm_rangeset_overlaps(&full, UINT64_MAX, UINT64_MAX));
	mm_rangeset_clear(&s);
	mm_rangeset_clear(&full);
}
END_TEST

START_TEST(test_provenance_through_operations)
{
	MmRangeSet a = { 0 }, b = { 0 }, u = { 0 }, i = { 0 }, d = { 0 };
	ck_assert_int_eq(mm_rangeset_add(&a, 0x1000, 0x1fff, 1), 0);
	ck_assert_int_eq(mm_rangeset_add(&b, 0x1800, 0x27ff, 2), 0);
	ck_assert_int_eq(mm_rangeset_union(&u, &a, &b), 0);
	ck_assert_uint_eq(u.n, 1);
	ck_assert_uint_eq(u.spans[0].origin.n, 2);
	ck_assert_int_eq(mm_rangeset_intersect(&i, &a, &b), 0);
	ck_assert_uint_eq(i.n, 1);
	ck_assert_uint_eq(i.spans[0].start, 0x1800);
	ck_assert_uint_eq(i.spans[0].end, 0x1fff);
	ck_assert_uint_eq(i.spans[0].origin.n, 2);
	ck_assert_int_eq(mm_rangeset_subtract(&d, &a, &b), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.spans[0].end, 0x17ff);
	ck_assert_uint_eq(d.spans[0].origin.n, 1);
	ck_assert_uint_eq(d.spans[0].origin.ids[0], 1);
	mm_rangeset_clear(&a);
	mm_rangeset_clear(&b);
	mm_rangeset_clear(&u);
	mm_rangeset_clear(&i);
	mm_rangeset_clear(&d);
}
END_TEST

/* ---- randomized comparison with a bitmap over 256 addresses ---- */

#define UNIVERSE 256

typedef struct Bitmap {
	bool bit[UNIVERSE];
} Bitmap;

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* xorshift64*: reproducible without depending on libc's rand() */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void random_set(uint64_t base, MmRangeSet *s, Bitmap *b)
{
	memset(b, 0, sizeof(*b));
	unsigned n = (unsigned)(rnd() % 8);
	for (unsigned k = 0; k < n; k++) {
		unsigned lo = (unsigned)(rnd() % UNIVERSE);
		unsigned len = (unsigned)(rnd() % 40);
		unsigned hi = lo + len >= UNIVERSE ? UNIVERSE - 1 : lo + len;
		ck_assert_int_eq(mm_rangeset_add(s, base + lo, base + hi, k), 0);
		for (unsigned x = lo; x <= hi; x++)
			b->bit[x] = true;
	}
}

static void assert_same(uint64_t base, const MmRangeSet *s, const Bitmap *b)
{
	check_invariants(s);
	for (unsigned x = 0; x < UNIVERSE; x++)
		ck_assert_msg(mm_rangeset_contains(s, base + x) == b->bit[x],
			      "address base+%u: set says %d, model says %d", x,
			      mm_rangeset_contains(s, base + x), b->bit[x]);
	/* every span lies inside the universe */
	for (size_t i = 0; i < s->n; i++) {
		ck_assert_uint_ge(s->spans[i].start, base);
		ck_assert_uint_le(s->spans[i].end, base + UNIVERSE - 1);
	}
}

START_TEST(test_random_against_bitmap)
{
	/* base 0 and base at the top of the space: both ends get exercised */
	const uint64_t base = _i == 0 ? 0 : UINT64_MAX - (UNIVERSE - 1);
	rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	for (int round = 0; round < 400; round++) {
		MmRangeSet a = { 0 }, b = { 0 }, u = { 0 }, in = { 0 }, d = { 0 };
		Bitmap ba, bb, want;
		random_set(base, &a, &ba);
		random_set(base, &b, &bb);
		assert_same(base, &a, &ba);

		ck_assert_int_eq(mm_rangeset_union(&u, &a, &b), 0);
		for (unsigned x = 0; x < UNIVERSE; x++)
			want.bit[x] = ba.bit[x] || bb.bit[x];
		assert_same(base, &u, &want);

		ck_assert_int_eq(mm_rangeset_intersect(&in, &a, &b), 0);
		for (unsigned x = 0; x < UNIVERSE; x++)
			want.bit[x] = ba.bit[x] && bb.bit[x];
		assert_same(base, &in, &want);

		ck_assert_int_eq(mm_rangeset_subtract(&d, &a, &b), 0);
		for (unsigned x = 0; x < UNIVERSE; x++)
			want.bit[x] = ba.bit[x] && !bb.bit[x];
		assert_same(base, &d, &want);

		for (unsigned k = 0; k < 16; k++) {
			unsigned lo = (unsigned)(rnd() % UNIVERSE),
				 hi = lo + (unsigned)(rnd() % 16);
			if (hi >= UNIVERSE)
				hi = UNIVERSE - 1;
			bool any = false;
			for (unsigned x = lo; x <= hi; x++)
				any |= ba.bit[x];
			ck_assert(mm_rangeset_overlaps(&a, base + lo, base + hi) == any);
		}
		mm_rangeset_clear(&a);
		mm_rangeset_clear(&b);
		mm_rangeset_clear(&u);
		mm_rangeset_clear(&in);
		mm_rangeset_clear(&d);
	}
}
END_TEST

START_TEST(test_parse_u64)
{
	uint64_t v;
	ck_assert_int_eq(mm_parse_u64("0xffffffffffffffff", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(mm_parse_u64("0x10000000000000000", &v), -ERANGE);
	ck_assert_int_eq(mm_parse_u64("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(mm_parse_u64("0x", &v), -EINVAL);
	ck_assert_int_eq(mm_parse_u64("0xzz", &v), -EINVAL);
	ck_assert_int_eq(mm_parse_u64("12a", &v), -EINVAL);
	ck_assert_int_eq(mm_parse_u64("", &v), -EINVAL);
	ck_assert_int_eq(mm_parse_u64("0x8000000", &v), 0);
	ck_assert_uint_eq(v, 0x8000000);
	char buf[19];
	ck_assert_str_eq(mm_hex(UINT64_MAX, buf), "0xffffffffffffffff");
	ck_assert_str_eq(mm_hex(0, buf), "0x0");
}
END_TEST

/* A set built from ids in any order, with repeats: sorted, each once, the
 * same as adding them one by one. */
START_TEST(test_idset_from_array)
{
	uint32_t in[] = { 9, 3, 3, 7, 0, 9, 4000000000u, 1 };
	uint32_t *ids = malloc(sizeof(in));
	memcpy(ids, in, sizeof(in));
	MmIdSet a = { NULL, 0 }, b = { NULL, 0 };
	ck_assert_int_eq(mm_idset_take_array(&a, ids, ELEMENTSOF(in)), 0);
	for (size_t i = 0; i < ELEMENTSOF(in); i++)
		ck_assert_int_eq(mm_idset_add(&b, in[i]), 0);
	ck_assert_uint_eq(a.n, 6);
	ck_assert_uint_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		ck_assert_uint_eq(a.ids[i], b.ids[i]);
	ck_assert(mm_idset_contains(&a, 4000000000u));
	ck_assert(!mm_idset_contains(&a, 2));
	mm_idset_clear(&a);
	mm_idset_clear(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rangeset");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_merge_overlapping_and_adjacent);
	tcase_add_test(tc, test_ends_of_address_space);
	tcase_add_test(tc, test_provenance_through_operations);
	tcase_add_loop_test(tc, test_random_against_bitmap, 0, 2);
	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_idset_from_array);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
