/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap-hook's verdict (tools/hook-verdict.c): what a report adds, and
 * that running out of memory at any allocation is -ENOMEM with the verdict
 * still whole (what it held stays, nothing half added). The allocations
 * of hook-verdict.c are wrapped (-Wl,--wrap, tests/unit/Makefile.inc.am):
 * failalloc_arm(N) makes the Nth one from then on fail (failalloc.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failalloc.h"
#include "hook.h"
#include "testutil.h"

FAILALLOC_WRAP(void *, realloc, (void *p, size_t size), (p, size), NULL)
FAILALLOC_WRAP(char *, strdup, (const char *s), (s), NULL)
FAILALLOC_WRAP(int, vasprintf, (char **ret, const char *fmt, va_list ap), (ret, fmt, ap), -1)
/* what vasprintf becomes with _FORTIFY_SOURCE */
FAILALLOC_WRAP(int, __vasprintf_chk, (char **ret, int flag, const char *fmt, va_list ap),
	       (ret, flag, fmt, ap), -1)

/* A report with an error (two, the first counts), a warning-level
 * conflict and a warning. */
static MmCheckReport *report(void)
{
	static MmConflict conflicts[] = {
		{ .severity = MM_SEVERITY_ERROR, .message = "first error" },
		{ .severity = MM_SEVERITY_ERROR, .message = "second error" },
		{ .severity = MM_SEVERITY_WARNING, .message = "a warning conflict" },
	};
	static char *warnings[] = { "no limit known" };
	static MmCheckReport r = {
		.ok = false,
		.conflicts = conflicts,
		.n_conflicts = 3,
		.warnings = warnings,
		.n_warnings = 1,
	};
	return &r;
}

START_TEST(add_report)
{
	HookVerdict v = { 0 };
	ck_assert_int_eq(hook_verdict_add_report(&v, report(), "pool p1"), 0);
	ck_assert_str_eq(v.error, "first error");
	ck_assert_uint_eq(v.n_warnings, 2);
	ck_assert_str_eq(v.warnings[0], "a warning conflict");
	ck_assert_str_eq(v.warnings[1], "pool p1: no limit known");
	/* an error found before says more: it stays */
	hook_verdict_clear(&v);
	v.error = strdup("earlier");
	ck_assert_int_eq(hook_verdict_add_report(&v, report(), "this host"), 0);
	ck_assert_str_eq(v.error, "earlier");
	hook_verdict_clear(&v);
	ck_assert_ptr_null(v.error);
	ck_assert_uint_eq(v.n_warnings, 0);
}
END_TEST

START_TEST(warn_out_of_memory)
{
	HookVerdict v = { 0 };
	ck_assert_int_eq(hook_warn(&v, "kept %d", 1), 0);
	for (int n = 1; n <= 2; n++) {
		failalloc_arm(n); /* the text, then the array */
		ck_assert_int_eq(hook_warn(&v, "lost %d", n), -ENOMEM);
		ck_assert(failalloc_failed());
		failalloc_arm(0);
		ck_assert_uint_eq(v.n_warnings, 1);
		ck_assert_str_eq(v.warnings[0], "kept 1");
	}
	ck_assert_int_eq(hook_warn(&v, "then %s", "fine"), 0);
	ck_assert_uint_eq(v.n_warnings, 2);
	ck_assert_str_eq(v.warnings[1], "then fine");
	hook_verdict_clear(&v);
}
END_TEST

START_TEST(add_report_out_of_memory)
{
	/* the error's copy, then each warning's text and array: every
	 * failure is -ENOMEM, and what was added before it stays whole */
	for (int n = 1;; n++) {
		HookVerdict v = { 0 };
		failalloc_arm(n);
		int r = hook_verdict_add_report(&v, report(), "pool p1");
		bool failed = failalloc_failed();
		failalloc_arm(0);
		if (!failed) {
			ck_assert_int_eq(r, 0);
			ck_assert_uint_eq(v.n_warnings, 2);
			hook_verdict_clear(&v);
			ck_assert_int_gt(n, 5); /* strdup, 2 x (text, array) */
			break;
		}
		ck_assert_int_eq(r, -ENOMEM);
		ck_assert(n == 1 ? v.error == NULL : strcmp(v.error, "first error") == 0);
		for (size_t i = 0; i < v.n_warnings; i++)
			ck_assert_ptr_nonnull(v.warnings[i]);
		ck_assert_uint_le(v.n_warnings, (size_t)(n - 2) / 2);
		hook_verdict_clear(&v);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hook-verdict");
	TCase *tc = tcase_create("hook-verdict");
	tcase_add_test(tc, add_report);
	tcase_add_test(tc, warn_out_of_memory);
	tcase_add_test(tc, add_report_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
