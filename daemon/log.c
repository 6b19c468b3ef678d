/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's log lines (see log.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static bool to_journal;

void log_setup(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	to_journal = stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 &&
		     fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
		     (unsigned long long)st.st_ino == ino;
}

void log_full(int level, const char *fmt, ...)
{
	va_list ap;

	if (to_journal)
		fprintf(stderr, "<%d>", level);
	else
		fputs(level == LOG_WARNING ? "migmapd: warning: " : "migmapd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
