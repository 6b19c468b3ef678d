/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The small shared helpers: growing arrays (overflow refused before any
 * allocation), address parsing (C's 0x and decimal forms, overflow),
 * timestamps (SOURCE_DATE_EPOCH, reproducible-builds.org), names, string
 * vectors, error formatting, and the JSON helpers' edges. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "macros.h"
#include "strv.h"
#include "testutil.h"
#include "util.h"

START_TEST(test_grow)
{
	int *a = NULL;
	size_t alloc = 0;
	ck_assert_int_eq(MM_GROW(a, alloc, 1), 0);
	ck_assert_uint_eq(alloc, 4);
	ck_assert_int_eq(MM_GROW(a, alloc, 3), 0); /* enough already */
	ck_assert_uint_eq(alloc, 4);
	ck_assert_int_eq(MM_GROW(a, alloc, 9), 0);
	ck_assert_uint_eq(alloc, 16);
	/* sizes whose byte count would wrap: refused, the array kept */
	ck_assert_int_eq(MM_GROW(a, alloc, SIZE_MAX), -ENOMEM);
	ck_assert_int_eq(MM_GROW(a, alloc, SIZE_MAX / 2 + 2), -ENOMEM);
	ck_assert_int_eq(mm_grow((void **)&a, &alloc, 17, SIZE_MAX / 8), -ENOMEM);
	ck_assert_uint_eq(alloc, 16);
	a[15] = 1;
	free(a);
}
END_TEST

START_TEST(test_parse_u64)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "0XaBc", 0, 0xabc },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "12a", -EINVAL, 0 },
		{ "0xg", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t v = 42;
		ck_assert_msg(mm_parse_u64(cases[i].s, &v) == cases[i].ret, "'%s'", cases[i].s);
		ck_assert_uint_eq(v, cases[i].ret == 0 ? cases[i].v : 42);
	}
	uint64_t v;
	ck_assert_int_eq(mm_parse_u64(NULL, &v), -EINVAL);
	char buf[19];
	ck_assert_str_eq(mm_hex(UINT64_MAX, buf), "0xffffffffffffffff");
	ck_assert_str_eq(mm_hex(0, buf), "0x0");
}
END_TEST

START_TEST(test_timestamp)
{
	/* date -u -d @1764000000 */
	ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", "1764000000", 1), 0);
	_cleanup_free_ char *a = mm_timestamp_now();
	ck_assert_str_eq(a, "2025-11-24T16:00:00Z");
	/* not a number, or past 2^40 seconds: the clock instead */
	static const char *const bad[] = { "soon", "1099511627776" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ck_assert_int_eq(setenv("SOURCE_DATE_EPOCH", bad[i], 1), 0);
		_cleanup_free_ char *b = mm_timestamp_now();
		ck_assert_uint_eq(strlen(b), 20);
		ck_assert_str_ne(b, a);
	}
	unsetenv("SOURCE_DATE_EPOCH");
}
END_TEST

START_TEST(test_names)
{
	ck_assert(mm_name_valid("host-1.example_com"));
	ck_assert(!mm_name_valid(NULL));
	ck_assert(!mm_name_valid(""));
	ck_assert(!mm_name_valid(".x"));
	ck_assert(!mm_name_valid("a/b"));
	ck_assert(!mm_name_valid("ä"));
}
END_TEST

START_TEST(test_strv_and_errors)
{
	char **v = NULL;
	size_t n = 0;
	ck_assert_int_eq(mm_strv_appendf(&v, &n, "%s-%d", "a", 1), 0);
	ck_assert_int_eq(mm_strv_appendf(&v, &n, "%s", "b"), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "a-1");
	ck_assert_str_eq(v[1], "b");
	mm_strv_free(v, n);
	mm_strv_free(NULL, 0);

	MmError err = { 0 };
	char buf[128];
	mm_error_set(&err, "f.xml", 3, "bad %s", "thing");
	ck_assert_str_eq(mm_error_format(&err, buf, sizeof(buf)), "f.xml:3: bad thing");
	mm_error_set(&err, "f.xml", 0, "bad");
	ck_assert_str_eq(mm_error_format(&err, buf, sizeof(buf)), "f.xml: bad");
	mm_error_set(&err, NULL, 7, "bad");
	ck_assert_str_eq(mm_error_format(&err, buf, sizeof(buf)), "bad");
	mm_error_set(NULL, "f", 1, "nothing to fill");
	/* a message longer than the buffer is cut, still terminated */
	char small[8];
	ck_assert_str_eq(mm_error_format(&err, small, sizeof(small)), "bad");
	mm_error_set(&err, "a-long-file-name", 1, "x");
	ck_assert_str_eq(mm_error_format(&err, small, sizeof(small)), "a-long-");
}
END_TEST

START_TEST(test_json_edges)
{
	json_object *o = NULL;
	MmError err = { 0 };
	/* a length no JSON parser takes: refused before reading */
	ck_assert_int_eq(mm_json_parse("{}", (size_t)INT32_MAX + 1, "f.json", &o, &err), -EINVAL);
	ck_assert_str_eq(err.message, "too large to be JSON (2147483648 bytes)");
	ck_assert_int_eq(mm_json_parse("{\"a\": ", 6, "f.json", &o, &err), -EINVAL);
	ck_assert_str_eq(err.message, "not JSON: unexpected end");
	/* the offset of the extra data, past the blank */
	ck_assert_int_eq(mm_json_parse("{} {}", 5, "f.json", &o, &err), -EINVAL);
	ck_assert_str_eq(err.message, "not JSON: data after the document at byte 3");
	ck_assert_int_eq(mm_json_parse("{}\0x", 4, "f.json", &o, &err), -EINVAL);
	ck_assert_ptr_null(o);
	const char *text = "{\"a\": \"0x10\", \"b\": \"16\", \"c\": 3, \"d\": \"0xz\"} \n\t";
	ck_assert_int_eq(mm_json_parse(text, strlen(text), "f.json", &o, &err), 0);
	uint64_t v = 0;
	ck_assert_int_eq(mm_json_get_hex(o, "a", &v), 0);
	ck_assert_uint_eq(v, 16);
	ck_assert_int_eq(mm_json_get_hex(o, "b", &v), -EINVAL); /* decimal: not an address */
	ck_assert_int_eq(mm_json_get_hex(o, "c", &v), -EINVAL);
	ck_assert_int_eq(mm_json_get_hex(o, "d", &v), -EINVAL);
	ck_assert_int_eq(mm_json_get_hex(o, "e", &v), -EINVAL);
	ck_assert_ptr_null(mm_json_get_string(o, "c"));
	ck_assert_ptr_null(mm_json_get(mm_json_get(o, "c", json_type_int), "x", json_type_int));
	json_object_put(o);

	/* a NULL value is a constructor that failed: an error, not a null */
	o = json_object_new_object();
	ck_assert_int_eq(mm_json_add(o, "lost", NULL), -ENOMEM);
	ck_assert(!json_object_object_get_ex(o, "lost", NULL));
	ck_assert_int_eq(mm_json_add_null(o, "none"), 0);
	ck_assert_int_eq(mm_json_add_string_or_null(o, "s", NULL), 0);
	ck_assert_int_eq(mm_json_add_string_or_null(o, "t", "x"), 0);
	ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			 "{\"none\":null,\"s\":null,\"t\":\"x\"}");
	json_object_put(o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_timestamp);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_strv_and_errors);
	tcase_add_test(tc, test_json_edges);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
