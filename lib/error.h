/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MmError: where and what went wrong, filled by the parsers and printed once
 * by the caller (lib/error.c). */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MmError {
	char file[256]; /* relative to the sysroot or as given; "" if none */
	unsigned line;  /* 1-based; 0 when the error is not about one line */
	char message[512];
} MmError;

void mm_error_set(MmError *err, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "file:line: message", "file: message" or "message" into buf. */
const char *mm_error_format(const MmError *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
