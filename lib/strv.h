/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String vectors: a char ** with its length beside it, as the models keep
 * their warnings and notes (lib/strv.c). */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Append a formatted string to the list *v of *n strings (warnings,
 * notes). Returns 0 or -ENOMEM; the list is unchanged on failure. */
int mm_strv_appendf(char ***v, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mm_strv_appendv(char ***v, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Free the n strings of v and v itself; v may be NULL. */
void mm_strv_free(char **v, size_t n);

#ifdef __cplusplus
}
#endif
