/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a host map document (libvirt capabilities fragment), as
 * migmap baseline, pool add and the daemon's AddHost read it. What parses
 * must format and parse again. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmHostMap *m = NULL, *again = NULL;
	MmError err;
	char *xml = NULL;

	if (mm_hostmap_parse_xml((const char *)data, size, "fuzz.xml", &m, &err) < 0)
		return 0;
	if (mm_hostmap_format_xml(m, &xml) == 0) {
		if (mm_hostmap_parse_xml(xml, strlen(xml), "formatted.xml", &again, &err) < 0)
			abort(); /* migmap must read what it writes */
		mm_hostmap_free(again);
		free(xml);
	}
	if (mm_hostmap_format_json(m, &xml) == 0)
		free(xml);
	if (mm_hostmap_format_table(m, &xml) == 0)
		free(xml);
	const MmHostMap *hosts[] = { m };
	MmPoolMap *p = NULL;
	if (mm_pool_baseline("fuzz", hosts, 1, &p, &err) == 0) {
		if (mm_poolmap_format_xml(p, &xml) == 0)
			free(xml);
		mm_poolmap_free(p);
	}
	mm_hostmap_free(m);
	return 0;
}
