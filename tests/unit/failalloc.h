/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Allocation failure for the unit suites that prove out-of-memory paths
 * (test-oom, test-nomem, test-hook-verdict): the suite's link wraps the
 * allocating calls the code under test makes (-Wl,--wrap=NAME,
 * tests/unit/Makefile.inc.am), each suite defines the wrappers of the
 * calls it wraps with FAILALLOC_WRAP, and failalloc_arm(N) makes the Nth
 * wrapped call from then on fail, once. Only the code under test fails:
 * libc's, libxml2's and json-c's own inner allocations are not wrapped. */
#pragma once

#include <errno.h>
#include <stdbool.h>

static unsigned long failalloc_left;  /* wrapped calls before the failing one; 0: none armed */
static bool failalloc_hit;            /* whether the armed failure happened */
static unsigned long failalloc_calls; /* wrapped calls so far, armed or not */

/* The nth wrapped call from now fails (n >= 1); 0 disarms. */
static inline void failalloc_arm(unsigned long n)
{
	failalloc_left = n;
	failalloc_hit = false;
}

/* Whether the armed failure happened since failalloc_arm. */
static inline bool failalloc_failed(void)
{
	return failalloc_hit;
}

/* In a wrapper: whether this call fails. */
static inline bool failalloc_now(void)
{
	failalloc_calls++;
	if (failalloc_left == 0 || --failalloc_left > 0)
		return false;
	failalloc_hit = true;
	errno = ENOMEM;
	return true;
}

/* __wrap_NAME: fails with FAILED when armed, else calls the real NAME. */
#define FAILALLOC_WRAP(ret, name, params, args, failed) \
	ret __real_##name params;                       \
	ret __wrap_##name params;                       \
	ret __wrap_##name params                        \
	{                                               \
		if (failalloc_now())                    \
			return failed;                  \
		return __real_##name args;              \
	}
