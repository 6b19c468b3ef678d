/* Fuzz target: sys/kernel/iommu_groups/N/reserved_regions as the kernel would print it
 * (or not); then the host map it filled is formatted. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmHostMap *m = mm_hostmap_new();
	MmError err;
	char *xml = NULL;

	if (!m)
		return 0;
	if (mm_reserved_regions_parse((const char *)data, size, "reserved_regions", 7, m, &err) ==
		    0 &&
	    mm_hostmap_format_xml(m, &xml) == 0)
		free(xml);
	mm_hostmap_free(m);
	return 0;
}
