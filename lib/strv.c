/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String vectors: appending formatted strings and freeing the lot. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strv.h"

int mm_strv_appendv(char ***v, size_t *n, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return -ENOMEM;
	char **grown = realloc(*v, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(s);
		return -ENOMEM;
	}
	grown[(*n)++] = s;
	*v = grown;
	return 0;
}

int mm_strv_appendf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mm_strv_appendv(v, n, fmt, ap);
	va_end(ap);
	return r;
}

void mm_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
