/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the ACPI IORT (sys/firmware/acpi/tables/IORT). An input that
 * starts with a MADT ("APIC" and its length) is that MADT followed by the
 * IORT, so the ITS mappings meet real controllers; any other input is an
 * IORT alone. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmHostMap *m = mm_hostmap_new();
	MmMadt madt = { 0 };
	MmMadt *with = NULL;
	char *xml = NULL;

	if (!m)
		return 0;
	if (size >= 8 && memcmp(data, "APIC", 4) == 0 && le32(data + 4) <= size) {
		size_t madt_len = le32(data + 4);
		if (mm_madt_parse(data, madt_len, "APIC", &madt, m) == 0)
			with = &madt;
		data += madt_len;
		size -= madt_len;
	}
	if (mm_iort_parse(data, size, "IORT", with, m) == 0) {
		for (size_t i = 0; i < madt.n; i++)
			mm_hostmap_add_msi_controller(m, &madt.controllers[i]);
		mm_msi_check(m);
		if (mm_hostmap_format_xml(m, &xml) == 0)
			free(xml);
	}
	mm_madt_clear(&madt);
	mm_hostmap_free(m);
	return 0;
}
