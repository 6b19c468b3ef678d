/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the ACPI MADT (sys/firmware/acpi/tables/APIC). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmHostMap *m = mm_hostmap_new();
	MmMadt madt = { 0 };

	if (!m)
		return 0;
	mm_madt_parse(data, size, "APIC", &madt, m);
	mm_madt_clear(&madt);
	mm_hostmap_free(m);
	return 0;
}
