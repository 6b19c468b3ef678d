/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every fuzz target implements: libFuzzer's entry point. Built with
 * --enable-fuzzing, libFuzzer supplies main(); otherwise replay.c does, and
 * the target runs each file named on its command line once (make check
 * replays the seed corpus and the regression inputs that way). */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include <stdlib.h>

#include "hostmap-format.h"
#include "hostmap.h"

/* One text parser of a probe source, filling m. */
typedef int (*FuzzHostMapParser)(const char *text, size_t len, MmHostMap *m, MmError *err);

/* Parse the input into a new host map, then format the map when the parser
 * took the input: what the probe does with that file. */
static inline int fuzz_parse_into_hostmap(const uint8_t *data, size_t size, FuzzHostMapParser parse)
{
	MmHostMap *m = mm_hostmap_new();
	MmError err;
	char *xml = NULL;

	if (!m)
		return 0;
	if (parse((const char *)data, size, m, &err) == 0 && mm_hostmap_format_xml(m, &xml) == 0)
		free(xml);
	mm_hostmap_free(m);
	return 0;
}
