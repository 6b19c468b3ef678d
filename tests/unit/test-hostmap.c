/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map's own operations (lib/hostmap.c): reserved ranges merged
 * per type and source as the kernel's iommu_insert_resv_region() merges
 * a group's regions of one type, groups added in one merge, limits, and
 * the enum names of the XML format (docs/design.md, migmap-xml(5)). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

START_TEST(test_reserved_merge)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmIdSet g1 = { 0 }, g2 = { 0 };
	ck_assert_int_eq(mm_idset_add(&g1, 1), 0);
	ck_assert_int_eq(mm_idset_add(&g2, 2), 0);
	/* reversed: refused, nothing added */
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "msi", 0x2000, 0x1fff, &g1), -EINVAL);
	ck_assert_uint_eq(m->n_reserved, 0);
	/* two ranges, then one that touches both (adjacent counts): one range
	 * with both groups */
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "direct", 0x1000, 0x1fff, &g1), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "direct", 0x3000, 0x3fff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "direct", 0x2000, 0x2fff, &g2), 0);
	/* the same range of another type, and of another source, stay apart */
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "msi", 0x1000, 0x1fff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved_from(m, "direct", MM_RESERVED_FROM_IORT, 0x1000,
						      0x1fff, NULL),
			 0);
	/* the top of the address space: no wrap past UINT64_MAX */
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "reserved", 0xfffffffffffff000, UINT64_MAX,
						 NULL),
			 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "reserved", 0x0, 0xfff, NULL), 0);
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "reserved", 0xffffffffffff0000,
						 0xfffffffffffff000, NULL),
			 0);
	ck_assert_uint_eq(m->n_reserved, 5);
	/* sorted by start, then type, then source */
	ck_assert_uint_eq(m->reserved[0].start, 0);
	ck_assert_str_eq(m->reserved[0].type, "reserved");
	ck_assert_str_eq(m->reserved[1].type, "direct");
	ck_assert_uint_eq(m->reserved[1].start, 0x1000);
	ck_assert_uint_eq(m->reserved[1].end, 0x3fff);
	ck_assert_uint_eq(m->reserved[1].groups.n, 2);
	ck_assert_int_eq(m->reserved[1].source, MM_RESERVED_FROM_KERNEL);
	ck_assert_str_eq(m->reserved[2].type, "direct");
	ck_assert_int_eq(m->reserved[2].source, MM_RESERVED_FROM_IORT);
	ck_assert_uint_eq(m->reserved[2].end, 0x1fff);
	ck_assert_str_eq(m->reserved[3].type, "msi");
	ck_assert_uint_eq(m->reserved[4].start, 0xffffffffffff0000);
	ck_assert_uint_eq(m->reserved[4].end, UINT64_MAX);
	mm_idset_clear(&g1);
	mm_idset_clear(&g2);
}
END_TEST

START_TEST(test_groups)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	ck_assert_ptr_nonnull(mm_hostmap_ensure_group(m, 5));
	ck_assert_ptr_nonnull(mm_hostmap_ensure_group(m, 1));
	ck_assert_ptr_eq(mm_hostmap_ensure_group(m, 5), mm_hostmap_find_group(m, 5));
	/* new ids, ids already there, duplicates among them, in any order */
	uint32_t ids[] = { 9, 5, 0, 9, 1, 7 };
	ck_assert_int_eq(mm_hostmap_add_groups(m, ids, ELEMENTSOF(ids)), 0);
	ck_assert_int_eq(mm_hostmap_add_groups(m, NULL, 0), 0);
	static const uint32_t want[] = { 0, 1, 5, 7, 9 };
	ck_assert_uint_eq(m->n_groups, ELEMENTSOF(want));
	for (size_t i = 0; i < ELEMENTSOF(want); i++)
		ck_assert_uint_eq(m->groups[i].id, want[i]);
	ck_assert_ptr_null(mm_hostmap_find_group(m, 2));
	ck_assert_ptr_null(mm_hostmap_find_group(m, UINT32_MAX));
}
END_TEST

/* MSI controllers: one added twice is kept once; any field that differs
 * makes another, ordered by base first. */
START_TEST(test_msi_controllers)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	const MmMsiController its = { MM_MSI_GICV3_ITS, 0x8080000, 0x20000,
				      0x8090040,        1,         MM_FIRMWARE_ACPI };
	MmMsiController v[6];
	for (size_t i = 0; i < ELEMENTSOF(v); i++)
		v[i] = its;
	v[1].type = MM_MSI_GICV2M;
	v[2].source = MM_FIRMWARE_FDT;
	v[3].size = 0x10000;
	v[4].doorbell = 0x8080040;
	v[5].translated = 0;
	for (size_t i = ELEMENTSOF(v); i-- > 0;)
		ck_assert_int_eq(mm_hostmap_add_msi_controller(m, &v[i]), 0);
	ck_assert_int_eq(mm_hostmap_add_msi_controller(m, &its), 0);
	const MmMsiController low = { MM_MSI_X86_LAPIC,      0xfee00000,      0x100000, 0xfee00000,
				      MM_TRANSLATED_UNKNOWN, MM_FIRMWARE_ACPI };
	ck_assert_int_eq(mm_hostmap_add_msi_controller(m, &low), 0);
	ck_assert_uint_eq(m->n_msi_controllers, 7);
	for (size_t i = 1; i < 6; i++)
		ck_assert_uint_eq(m->msi_controllers[i].base, 0x8080000);
	ck_assert_uint_eq(m->msi_controllers[6].base, 0xfee00000);
}
END_TEST

/* Every name of the XML format's enums, both ways; unknown names refused. */
START_TEST(test_enum_names)
{
	/* as the kernel's iommu_group_resv_type_string[] prints them (its
	 * software MSI window is "msi" too) */
	static const char *const kinds[] = { "direct", "direct-relaxable", "reserved", "msi" };
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
		MmReservedKind k;
		ck_assert_int_eq(mm_reserved_kind_from_string(kinds[i], &k), 0);
		ck_assert_str_eq(mm_reserved_kind_to_string(k), kinds[i]);
	}
	static const char *const sources[] = { "kernel", "iort" };
	for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
		MmReservedSource s;
		ck_assert_int_eq(mm_reserved_source_from_string(sources[i], &s), 0);
		ck_assert_str_eq(mm_reserved_source_to_string(s), sources[i]);
	}
	static const char *const msis[] = { "gicv3-its", "gicv2m", "x86-lapic" };
	for (size_t i = 0; i < ELEMENTSOF(msis); i++) {
		MmMsiType t;
		ck_assert_int_eq(mm_msi_type_from_string(msis[i], &t), 0);
		ck_assert_str_eq(mm_msi_type_to_string(t), msis[i]);
	}
	static const char *const firmwares[] = { "fdt", "acpi" };
	for (size_t i = 0; i < ELEMENTSOF(firmwares); i++) {
		MmFirmware f;
		ck_assert_int_eq(mm_firmware_from_string(firmwares[i], &f), 0);
		ck_assert_str_eq(mm_firmware_to_string(f), firmwares[i]);
	}
	static const char *const limits[] = { "cpu-phys", "kvm-ipa", "iommu" };
	for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
		MmLimitKind l;
		ck_assert_int_eq(mm_limit_kind_from_string(limits[i], &l), 0);
		ck_assert_str_eq(mm_limit_kind_to_string(l), limits[i]);
	}
	MmReservedKind k;
	MmReservedSource s;
	MmMsiType t;
	MmFirmware f;
	MmLimitKind l;
	ck_assert_int_eq(mm_reserved_kind_from_string("MSI", &k), -EINVAL);
	ck_assert_int_eq(mm_reserved_kind_of("msi"), MM_RESERVED_MSI);
	ck_assert_int_eq(mm_reserved_kind_of("hw-msi"), MM_RESERVED_OTHER);
	ck_assert_str_eq(mm_reserved_kind_to_string(MM_RESERVED_OTHER), "unknown");
	ck_assert_str_eq(mm_limit_kind_to_string((MmLimitKind)99), "unknown");
	ck_assert_int_eq(mm_reserved_source_from_string("", &s), -EINVAL);
	ck_assert_int_eq(mm_msi_type_from_string("gicv4", &t), -EINVAL);
	ck_assert_int_eq(mm_firmware_from_string("uefi", &f), -EINVAL);
	ck_assert_int_eq(mm_limit_kind_from_string("cpu", &l), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostmap");
	TCase *tc = tcase_create("hostmap");
	tcase_add_test(tc, test_reserved_merge);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_msi_controllers);
	tcase_add_test(tc, test_enum_names);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
