/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers: growing arrays, hex formatting and parsing of addresses. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macros.h"
#include "util.h"

int mm_grow(void **array, size_t *alloc, size_t need, size_t sz)
{
	if (need <= *alloc)
		return 0;
	size_t n = *alloc ? *alloc : 4;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / sz)
		return -ENOMEM;
	void *p = realloc(*array, n * sz);
	if (!p)
		return -ENOMEM;
	*array = p;
	*alloc = n;
	return 0;
}

int mm_enum_from_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

const char *mm_hex(uint64_t addr, char buf[static 19])
{
	snprintf(buf, 19, "0x%" PRIx64, addr);
	return buf;
}

int mm_parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		unsigned d;
		if (isdigit((unsigned char)*s))
			d = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*ret = v;
	return 0;
}

char *mm_timestamp_now(void)
{
	time_t t = time(NULL);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;
	struct tm tm;
	char buf[32];

	if (epoch && mm_parse_u64(epoch, &v) == 0 && v < (uint64_t)1 << 40)
		t = (time_t)v;
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return strdup(buf);
}

bool mm_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	/* no leading '.', and at most 250 characters: names become file names
	 * NAME.xml in the state directory, which must fit NAME_MAX (255) */
	if (n == 0 || n > 250 || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}
