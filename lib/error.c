/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MmError: where and what went wrong, filled by parsers, printed once by
 * the caller. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void mm_error_set(MmError *err, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

const char *mm_error_format(const MmError *err, char *buf, size_t size)
{
	if (err->file[0] && err->line)
		snprintf(buf, size, "%s:%u: %s", err->file, err->line, err->message);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->message);
	else
		snprintf(buf, size, "%s", err->message);
	return buf;
}
