/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the check suites: fixture paths, files, schema validation. */
#pragma once

#include <check.h>

#include "migmap.h"

/* $top_srcdir/tests/data/REL (top_srcdir from the test harness, else "."). */
const char *tu_data_path(const char *rel);
char *tu_read(const char *path, size_t *len);
/* An aarch64 guest of 8 GiB on virt-7.2, GICv3, one assigned device
 * (0000:01:00.0): the examples' arm64 pool refuses it, a plan fixes it. */
extern const char tu_arm64_domain[];
/* Validate xml against $top_srcdir/xml/SCHEMA with libxml2's RelaxNG; on
 * failure return false and put the first error in msg. */
bool tu_validate(const char *schema, const char *xml, char *msg, size_t msg_size);
MmHostMap *tu_probe(const char *host, const char *name);
/* A new empty directory under $TMPDIR (else /tmp) into buf; NULL on error. */
char *tu_mkdtemp(char *buf, size_t size, const char *prefix);
/* Write text to root/rel, making its directories; fails the test when it
 * cannot. */
void tu_put_file(const char *root, const char *rel, const char *text);
/* Whether one of m's warnings contains what. */
bool tu_has_warning(const MmHostMap *m, const char *what);
/* A row of a table of bad documents: the input, the line the error names
 * and a part of its message. */
typedef struct TuBadXml {
	const char *xml;
	unsigned line;
	const char *message;
} TuBadXml;
/* Run the suite, return the process exit status. */
int tu_run(Suite *s);
