/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a libvirt domain document, as migmap check/plan, the daemon's
 * CheckDomain and the hook read it; then its guest layout. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmDomain *d = NULL;
	MmGuestLayout *l = NULL;
	MmError err;
	char *json = NULL;

	if (mm_domain_parse_xml((const char *)data, size, "fuzz.xml", &d, &err) < 0)
		return 0;
	if (mm_layout_compute(d, &l, &err) == 0) {
		if (mm_layout_format_json(l, &json) == 0)
			free(json);
		mm_layout_free(l);
	}
	mm_domain_free(d);
	return 0;
}
