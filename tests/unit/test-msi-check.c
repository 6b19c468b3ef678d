/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The firmware/kernel cross-checks, one row per situation: the host's msi
 * reserved ranges as the kernel prints them, its MSI controllers, and the
 * warning expected (or none). Layouts follow docs/design.md §1's table. */
#include <string.h>

#include "macros.h"
#include "probe-internal.h"
#include "testutil.h"

typedef struct CheckCase {
	const char *what;
	MmRange msi[2]; /* msi reserved ranges; {0, 0} ends */
	MmMsiController c;
	const char *warning;
} CheckCase;

#define ITS_AT(base, translated)                                                                \
	{                                                                                       \
		MM_MSI_GICV3_ITS, base, 0x20000, (base) + 0x10040, translated, MM_FIRMWARE_ACPI \
	}

static const CheckCase cases[] = {
	{ "software window, translated ITS inside it",
	  { { 0x8000000, 0x80fffff } },
	  ITS_AT(0x8080000, 1),
	  NULL },
	{ "hardware region reserved (Hi161x)",
	  { { 0x8000000, 0x80fffff }, { 0xc6010000, 0xc601ffff } },
	  ITS_AT(0xc6000000, 0),
	  NULL },
	{ "hardware doorbell not reserved",
	  { { 0x8000000, 0x80fffff } },
	  ITS_AT(0xc6000000, 0),
	  "acpi gicv3-its at 0xc6000000: hardware MSI doorbell 0xc6010040 is in no msi reserved "
	  "range" },
	{ "software window over a hardware doorbell",
	  { { 0x8000000, 0x80fffff } },
	  ITS_AT(0x8080000, 0),
	  "msi 0x8000000-0x80fffff: a software MSI window over the hardware doorbell 0x8090040 "
	  "of the gicv3-its at 0x8080000" },
	{ "unknown translation: nothing to check",
	  { { 0x8000000, 0x80fffff } },
	  ITS_AT(0xc6000000, MM_TRANSLATED_UNKNOWN),
	  NULL },
	{ "x86 interrupt window",
	  { { 0xfee00000, 0xfeefffff } },
	  { MM_MSI_X86_LAPIC, 0xfee00000, 0x100000, 0xfee00000, 0, MM_FIRMWARE_ACPI },
	  NULL },
};

START_TEST(test_check)
{
	const CheckCase *c = &cases[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	uint32_t group = 0;
	MmIdSet groups = { &group, 1 };
	m->n_iommu_groups = 1;
	for (size_t i = 0; i < ELEMENTSOF(c->msi) && c->msi[i].end; i++)
		ck_assert_int_eq(mm_hostmap_add_reserved(m, "msi", c->msi[i].start, c->msi[i].end,
							 &groups),
				 0);
	ck_assert_int_eq(mm_hostmap_add_msi_controller(m, &c->c), 0);
	ck_assert_int_eq(mm_msi_check(m), 0);
	if (!c->warning) {
		ck_assert_msg(m->n_warnings == 0, "%s: %s", c->what, m->warnings[0]);
		return;
	}
	ck_assert_uint_eq(m->n_warnings, 1);
	ck_assert_msg(strstr(m->warnings[0], c->warning), "%s: '%s'", c->what, m->warnings[0]);
}
END_TEST

START_TEST(test_no_groups_no_doorbell_warning)
{
	/* a host without IOMMU groups assigns nothing: its untranslated ITS
	 * (arm64-virt-noiommu) needs no reservation */
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe("arm64-virt-noiommu", NULL);
	ck_assert_uint_eq(m->n_msi_controllers, 1);
	ck_assert_int_eq(m->msi_controllers[0].translated, 0);
	for (size_t i = 0; i < m->n_warnings; i++)
		ck_assert_msg(!strstr(m->warnings[i], "doorbell"), "%s", m->warnings[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("msi-check");
	TCase *tc = tcase_create("checks");
	tcase_add_loop_test(tc, test_check, 0, ELEMENTSOF(cases));
	tcase_add_test(tc, test_no_groups_no_doorbell_warning);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
