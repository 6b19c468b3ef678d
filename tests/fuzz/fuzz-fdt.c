/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the flattened device tree (sys/firmware/fdt), read with
 * libfdt for GIC ITS / GICv2m frames and their IOMMU paths. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmHostMap *m = mm_hostmap_new();
	char *xml = NULL;

	if (!m)
		return 0;
	/* libfdt wants the blob 8-byte aligned, as a file read gives it */
	void *blob = malloc(size ? size : 1);
	if (blob) {
		memcpy(blob, data, size);
		if (mm_fdt_parse(blob, size, "sys/firmware/fdt", m) == 0 &&
		    mm_hostmap_format_xml(m, &xml) == 0)
			free(xml);
		free(blob);
	}
	mm_hostmap_free(m);
	return 0;
}
