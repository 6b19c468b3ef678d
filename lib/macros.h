/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers every module uses: cleanup attributes, ownership transfer,
 * array sizes. Internal to the tree; the public API is lib/migmap.h and the module
 * headers it includes. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand the value of *p to the caller and leave NULL behind, so the
 * cleanup attribute on p frees nothing. */
#define TAKE_PTR(p)                         \
	({                                  \
		__typeof__(p) _taken = (p); \
		(p) = NULL;                 \
		_taken;                     \
	})

#define TAKE_FD(fd)                \
	({                         \
		int _taken = (fd); \
		(fd) = -1;         \
		_taken;            \
	})

/* MM_DEFINE_FREEP(type, func): public, for the module headers. */
#include "freep.h"

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

/* Grow *array (of element size sz) so that it holds at least need elements;
 * *alloc tracks the capacity. Returns 0 or -ENOMEM. */
int mm_grow(void **array, size_t *alloc, size_t need, size_t sz);
#define MM_GROW(array, alloc, need) mm_grow((void **)&(array), &(alloc), (need), sizeof(*(array)))

/* The index of s in names[0..n) (the name table of an enum), -EINVAL when
 * absent or NULL. */
int mm_enum_from_name(const char *const *names, size_t n, const char *s);
/* The to_string/from_string pair of one enum and its name table, in the
 * manner of libvirt's VIR_ENUM_IMPL: every enum named in the formats
 * gets its pair from this, its table indexed by the enum's values. A value
 * without a name is "unknown"; a name not in the table is -EINVAL. */
#define MM_ENUM_STRINGS(prefix, type, table)                                 \
	const char *prefix##_to_string(type v)                               \
	{                                                                    \
		return (size_t)v < ELEMENTSOF(table) ? table[v] : "unknown"; \
	}                                                                    \
	int prefix##_from_string(const char *s, type *ret)                   \
	{                                                                    \
		int i = mm_enum_from_name(table, ELEMENTSOF(table), s);      \
		if (i < 0)                                                   \
			return i;                                            \
		*ret = (type)i;                                              \
		return 0;                                                    \
	}

/* Now as RFC 3339 UTC; SOURCE_DATE_EPOCH pins it for reproducible output. */
char *mm_timestamp_now(void);

static inline int streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
