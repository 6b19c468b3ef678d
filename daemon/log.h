/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd's one way to log: a line on stderr, which systemd hands to the
 * journal. Under systemd (stderr is the stream $JOURNAL_STREAM names) each
 * line starts with its syslog level as "<N>", which journald reads as the
 * priority; elsewhere (a terminal, a test's log file) it starts with
 * "migmapd: " and, for warnings, "warning: ". */
#pragma once

#include <syslog.h>

#include "macros.h"

/* Decide the line format once, at start. */
void log_setup(void);
void log_full(int level, const char *fmt, ...) _printf_(2, 3);

#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
