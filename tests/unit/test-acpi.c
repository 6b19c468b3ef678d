/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MSI controllers, their translation and RMR ranges from ACPI tables.
 * Fixture values are read off `iasl -d` of the fixtures' APIC and IORT
 * tables (acpica-tools); damaged tables are a good IORT and MADT built
 * here from the specifications' layouts (Arm DEN 0049E.d, ACPI 6.5
 * §5.2.12), each case patching one field. */
#include <string.h>

#include "macros.h"
#include "probe-internal.h"
#include "testutil.h"

#define ITS(base, translated)                                                                   \
	{                                                                                       \
		MM_MSI_GICV3_ITS, base, 0x20000, (base) + 0x10040, translated, MM_FIRMWARE_ACPI \
	}
#define UNKNOWN MM_TRANSLATED_UNKNOWN

typedef struct ExpectAcpi {
	const char *host;
	size_t n;
	MmMsiController c[8];
	const char *warning; /* a substring one warning must hold, or NULL */
} ExpectAcpi;

static const ExpectAcpi acpi_hosts[] = {
	/* APIC: 0F Generic Interrupt Translator, ID 0, base 0x8080000. IORT:
	 * the root complex (0xA0) maps RIDs 0-0x2ff to the SMMUv3 at 0x48
	 * (Model 0), whose mapping goes to the ITS group at 0x30. */
	{ "arm64-virt-acpi", 1, { ITS(0x8080000, 1) }, NULL },
	/* APIC: ITS IDs 0-7 at 0x4c000000, 0x6c000000, 0xc6000000,
	 * 0x8c6000000, 0x4004c000000, ... IORT: the root complexes reach the
	 * groups of ITS 2 (0x64) and 3 (0x7C) only through SMMUv3 nodes of
	 * Model 1 (HiSilicon Hi161x: MSIs bypass the SMMU); the kernel's
	 * reserved_regions agree, with msi 0xc6010000 and 0x8c6010000. */
	{ "arm64-hwmsi",
	  8,
	  { ITS(0x4c000000, UNKNOWN), ITS(0x6c000000, UNKNOWN), ITS(0xc6000000, 0),
	    ITS(0x8c6000000, 0), ITS(0x4004c000000, UNKNOWN), ITS(0x4006c000000, UNKNOWN),
	    ITS(0x400c6000000, UNKNOWN), ITS(0x408c6000000, UNKNOWN) },
	  NULL },
	/* APIC: ITS ID 0 at 0x100100040000; IORT: root complex -> SMMUv3
	 * (Model 0) -> ITS group */
	{ "arm64-rmr", 1, { ITS(0x100100040000, 1) }, NULL },
	{ "fw-rmr-oldkernel",
	  1,
	  { ITS(0x100100040000, 1) },
	  "IORT RMR direct 0xfbe00000-0xfbffffff" },
	/* IORT: segment 0 -> SMMUv3 (0x60) -> group of ITS 0; segment 1 ->
	 * group of ITS 1 (0x48) directly */
	{ "fw-its-direct",
	  2,
	  { ITS(0x8080000, 1), ITS(0x9100000, 0) },
	  "hardware MSI doorbell 0x9110040 is in no msi reserved range" },
	/* APIC: Local Apic Address FEE00000 and Processor Local APIC entries */
	{ "x86-q35-vtd",
	  1,
	  { { MM_MSI_X86_LAPIC, 0xfee00000, 0x100000, 0xfee00000, 0, MM_FIRMWARE_ACPI } },
	  NULL },
	{ "x86-q35-amdvi",
	  1,
	  { { MM_MSI_X86_LAPIC, 0xfee00000, 0x100000, 0xfee00000, 0, MM_FIRMWARE_ACPI } },
	  NULL },
	{ "fw-bad-tables",
	  0,
	  {},
	  "sys/firmware/acpi/tables/APIC: offset 0x44: subtable type 0xf with length 0" },
};

START_TEST(test_acpi_fixture)
{
	const ExpectAcpi *e = &acpi_hosts[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(e->host, NULL);
	ck_assert_uint_eq(m->n_msi_controllers, e->n);
	for (size_t i = 0; i < e->n; i++) {
		const MmMsiController *got = &m->msi_controllers[i], *want = &e->c[i];
		ck_assert_int_eq(got->type, want->type);
		ck_assert_uint_eq(got->base, want->base);
		ck_assert_uint_eq(got->size, want->size);
		ck_assert_uint_eq(got->doorbell, want->doorbell);
		ck_assert_int_eq(got->translated, want->translated);
		ck_assert_int_eq(got->source, want->source);
	}
	if (e->warning)
		ck_assert_msg(tu_has_warning(m, e->warning), "%s: no warning '%s'", e->host,
			      e->warning);
	else
		for (size_t i = 0; i < m->n_warnings; i++)
			ck_assert_msg(!strstr(m->warnings[i], "sys/firmware/acpi") &&
					      !strstr(m->warnings[i], "MSI"),
				      "%s: unexpected warning '%s'", e->host, m->warnings[i]);
}
END_TEST

START_TEST(test_rmr_reported_or_not)
{
	/* arm64-rmr's kernel (6.1) reports the RMR in group 1: nothing added.
	 * fw-rmr-oldkernel's (5.15) does not: the range is kept from the IORT
	 * (RMR descriptor base 0xfbe00000, length 0x200000, flags 0x14: remap
	 * not permitted, so direct). */
	_cleanup_(mm_hostmap_freep) MmHostMap *reported = tu_probe("arm64-rmr", NULL);
	_cleanup_(mm_hostmap_freep) MmHostMap *old = tu_probe("fw-rmr-oldkernel", NULL);
	for (size_t i = 0; i < reported->n_reserved; i++)
		ck_assert_int_eq(reported->reserved[i].source, MM_RESERVED_FROM_KERNEL);
	ck_assert_uint_eq(old->n_reserved, 2);
	ck_assert_str_eq(old->reserved[1].type, "direct");
	ck_assert_uint_eq(old->reserved[1].start, 0xfbe00000);
	ck_assert_uint_eq(old->reserved[1].end, 0xfbffffff);
	ck_assert_int_eq(old->reserved[1].source, MM_RESERVED_FROM_IORT);
	ck_assert_uint_eq(old->reserved[1].groups.n, 0);
}
END_TEST

/* ---- tables built from the specifications ---- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t revision)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = revision;
	memcpy(t + 10, "MIGMAP", 6);
}

static void node_header(uint8_t *n, uint8_t type, uint16_t len, uint8_t rev, uint32_t id,
			uint32_t n_mappings, uint32_t mappings)
{
	n[0] = type;
	put16(n + 1, len);
	n[3] = rev;
	put32(n + 4, id);
	put32(n + 8, n_mappings);
	put32(n + 12, mappings);
}

static void id_mapping(uint8_t *p, uint32_t in, uint32_t count, uint32_t out, uint32_t ref)
{
	put32(p, in);
	put32(p + 4, count);
	put32(p + 8, out);
	put32(p + 12, ref);
	put32(p + 16, 0);
}

/* IORT revision 5: ITS group @0x30 (ITS 0), SMMUv3 @0x48 (-> ITS group),
 * root complex @0xa0 (-> SMMUv3), RMR @0xd8 (StreamID 0x100 of the SMMU,
 * one descriptor 0xfbe00000 + 2 MiB). 284 bytes. */
#define IORT_LEN 284
static void build_iort(uint8_t *t)
{
	memset(t, 0, IORT_LEN);
	header(t, "IORT", IORT_LEN, 5);
	put32(t + 36, 4);
	put32(t + 40, 0x30);
	node_header(t + 0x30, 0, 24, 1, 0, 0, 0);
	put32(t + 0x40, 1);
	put32(t + 0x44, 0);
	node_header(t + 0x48, 4, 88, 5, 1, 1, 68);
	put64(t + 0x58, 0x9050000);
	id_mapping(t + 0x48 + 68, 0, 0xffff, 0, 0x30);
	node_header(t + 0xa0, 2, 56, 0, 2, 1, 36);
	put32(t + 0xb0, 1);
	id_mapping(t + 0xa0 + 36, 0, 0xffff, 0, 0x48);
	node_header(t + 0xd8, 6, 68, 3, 3, 1, 28);
	put32(t + 0xe8, 0x14);
	put32(t + 0xec, 1);
	put32(t + 0xf0, 48);
	id_mapping(t + 0xd8 + 28, 0x100, 0, 0x100, 0x48);
	put64(t + 0xd8 + 48, 0xfbe00000);
	put64(t + 0xd8 + 56, 0x200000);
}

/* MADT: GICD @0x2c, GIC ITS @0x44 (ID 0, 0x8080000), GIC MSI frame @0x58
 * (0x8020000). 112 bytes. */
#define MADT_LEN 112
static void build_madt(uint8_t *t)
{
	memset(t, 0, MADT_LEN);
	header(t, "APIC", MADT_LEN, 5);
	t[0x2c] = 0xc;
	t[0x2d] = 24;
	put64(t + 0x2c + 8, 0x8000000);
	t[0x44] = 0xf;
	t[0x45] = 20;
	put64(t + 0x44 + 8, 0x8080000);
	t[0x58] = 0xd;
	t[0x59] = 24;
	put64(t + 0x58 + 8, 0x8020000);
}

typedef struct Patch {
	const char *what;
	size_t offset;
	unsigned width; /* 1, 2, 4 or 8 bytes; 0: no patch */
	uint64_t value;
	int translated;      /* the ITS's, after the IORT */
	size_t n_iort_rmrs;  /* reserved ranges added from the IORT */
	const char *warning; /* substring of the first warning, or NULL for none */
} Patch;

static void apply(uint8_t *t, const Patch *p)
{
	switch (p->width) {
	case 1:
		t[p->offset] = (uint8_t)p->value;
		break;
	case 2:
		put16(t + p->offset, (uint32_t)p->value);
		break;
	case 4:
		put32(t + p->offset, (uint32_t)p->value);
		break;
	case 8:
		put64(t + p->offset, p->value);
		break;
	}
}

static const Patch iort_patches[] = {
	{ "good", 0, 0, 0, 1, 1, NULL },
	{ "Hi161x SMMU: MSIs bypass it", 0x48 + 40, 4, 1, 0, 1, NULL },
	{ "root complex straight to the ITS group", 0xa0 + 36 + 12, 4, 0x30, 0, 1, NULL },
	{ "bad signature", 0, 1, 'X', UNKNOWN, 0, "I: offset 0x0: signature is not IORT" },
	{ "length shorter than a header", 4, 4, 10, UNKNOWN, 0,
	  "I: offset 0x4: table length 10 shorter than its header" },
	{ "length past the end", 4, 4, 0x200, 1, 1,
	  "I: offset 0x4: table length 512 past the end of the file (284 bytes)" },
	{ "node count past the end", 36, 4, 0xffffffff, 1, 1,
	  "I: offset 0x24: 4294967295 nodes cannot fit in 284 bytes" },
	{ "node offset outside", 40, 4, 0x1000, UNKNOWN, 0,
	  "I: offset 0x28: node offset 0x1000 outside the table" },
	{ "zero-length node", 0x48 + 1, 2, 0, UNKNOWN, 0, "I: offset 0x48: node 1 has length 0" },
	{ "node length past the end", 0xd8 + 1, 2, 255, 1, 0,
	  "I: offset 0xd8: node 3 length 255 past the end of the table (length 284)" },
	{ "mappings outside the node", 0xa0 + 12, 4, 0x100, UNKNOWN, 1,
	  "I: offset 0xa0: 1 ID mappings at node offset 0x100 do not fit in the node" },
	{ "too many mappings", 0xa0 + 8, 4, 0x10000000, UNKNOWN, 1,
	  "I: offset 0xa0: 268435456 ID mappings" },
	{ "reference to no node", 0xa0 + 36 + 12, 4, 0x49, UNKNOWN, 1,
	  "I: offset 0xd0: ID mapping output reference 0x49 is not a node" },
	{ "reference outside the table", 0x48 + 68 + 12, 4, 0xfffffff0, UNKNOWN, 1,
	  "I: offset 0x98: ID mapping output reference 0xfffffff0 is not a node" },
	{ "ITS group count past its node", 0x40, 4, 1000, UNKNOWN, 1,
	  "I: offset 0x30: ITS group of 1000 ITSes does not fit" },
	{ "RMR descriptors outside the node", 0xf0, 4, 0x40, 1, 0,
	  "I: offset 0xec: 1 RMR descriptors at node offset 0x40 do not fit" },
	{ "RMR descriptor count huge", 0xec, 4, 0xffffffff, 1, 0, "RMR descriptors at node" },
	{ "RMR descriptor of length 0", 0xd8 + 56, 8, 0, 1, 0,
	  "I: offset 0x108: RMR descriptor with base 0xfbe00000 length 0x0: ignored" },
	{ "RMR descriptor past the top", 0xd8 + 48, 8, 0xfffffffffff00000, 1, 0,
	  "RMR descriptor with base 0xfffffffffff00000 length 0x200000" },
	{ "RMR in an IORT before revision 5", 8, 1, 3, 1, 0,
	  "I: offset 0xd8: RMR node in an IORT of revision 3: ignored" },
	{ "RMR without mappings", 0xd8 + 8, 4, 0, 1, 0, "RMR node without ID mappings" },
	{ "RMR with remapping permitted", 0xe8, 4, 0x15, 1, 1, NULL },
};

START_TEST(test_iort_patched)
{
	const Patch *p = &iort_patches[_i];
	uint8_t t[IORT_LEN], a[MADT_LEN];
	MmMadt madt = { 0 };
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();

	build_madt(a);
	ck_assert_int_eq(mm_madt_parse(a, sizeof(a), "A", &madt, m), 0);
	ck_assert_uint_eq(m->n_warnings, 0);
	build_iort(t);
	apply(t, p);
	ck_assert_int_eq(mm_iort_parse(t, sizeof(t), "I", &madt, m), 0);
	ck_assert_uint_eq(madt.n, 2);
	ck_assert_int_eq(madt.controllers[0].type, MM_MSI_GICV3_ITS);
	ck_assert_int_eq(madt.controllers[0].translated, p->translated);
	/* the GICv2m frame is not in the IORT */
	ck_assert_int_eq(madt.controllers[1].translated, UNKNOWN);
	ck_assert_uint_eq(m->n_reserved, p->n_iort_rmrs);
	if (p->n_iort_rmrs) {
		ck_assert_str_eq(m->reserved[0].type,
				 strcmp(p->what, "RMR with remapping permitted") == 0
					 ? "direct-relaxable"
					 : "direct");
		ck_assert_uint_eq(m->reserved[0].start, 0xfbe00000);
		ck_assert_uint_eq(m->reserved[0].end, 0xfbffffff);
		ck_assert_int_eq(m->reserved[0].source, MM_RESERVED_FROM_IORT);
	}
	if (p->warning) {
		ck_assert_msg(m->n_warnings >= 1, "%s: no warning", p->what);
		ck_assert_msg(strstr(m->warnings[0], p->warning), "%s: '%s' lacks '%s'", p->what,
			      m->warnings[0], p->warning);
	} else {
		ck_assert_msg(m->n_warnings == 0, "%s: %s", p->what, m->warnings[0]);
	}
	mm_madt_clear(&madt);
}
END_TEST

START_TEST(test_iort_rmr_reported)
{
	/* the kernel already reports the RMR (as group 5's direct range): no
	 * second copy */
	uint8_t t[IORT_LEN];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	uint32_t group = 5;
	MmIdSet groups = { &group, 1 };
	ck_assert_int_eq(mm_hostmap_add_reserved(m, "direct", 0xfbe00000, 0xfbffffff, &groups), 0);
	build_iort(t);
	ck_assert_int_eq(mm_iort_parse(t, sizeof(t), "I", NULL, m), 0);
	ck_assert_uint_eq(m->n_reserved, 1);
	ck_assert_int_eq(m->reserved[0].source, MM_RESERVED_FROM_KERNEL);
	ck_assert_uint_eq(m->n_warnings, 0);
}
END_TEST

static const Patch madt_patches[] = {
	{ "good", 0, 0, 0, UNKNOWN, 2, NULL },
	{ "zero-length subtable", 0x45, 1, 0, UNKNOWN, 0,
	  "A: offset 0x44: subtable type 0xf with length 0: rest of the table ignored" },
	{ "subtable past the end", 0x59, 1, 200, UNKNOWN, 1,
	  "A: offset 0x58: subtable type 0xd with length 200 past the end of the table (length "
	  "112)" },
	{ "ITS entry too short", 0x45, 1, 12, UNKNOWN, 0,
	  "A: offset 0x44: subtable type 0xf is 12 bytes, needs 20: skipped" },
	{ "length past the end", 4, 4, 113, UNKNOWN, 2,
	  "A: offset 0x4: table length 113 past the end of the file (112 bytes)" },
	{ "header cut", 4, 4, 40, UNKNOWN, 0, "A: offset 0x24: table ends inside the MADT header" },
};

START_TEST(test_madt_patched)
{
	const Patch *p = &madt_patches[_i];
	uint8_t t[MADT_LEN];
	MmMadt madt = { 0 };
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();

	build_madt(t);
	apply(t, p);
	ck_assert_int_eq(mm_madt_parse(t, sizeof(t), "A", &madt, m), 0);
	ck_assert_uint_eq(madt.n, p->n_iort_rmrs); /* here: controllers found */
	ck_assert(!madt.x86);
	if (madt.n >= 1) {
		ck_assert_uint_eq(madt.controllers[0].base, 0x8080000);
		ck_assert_uint_eq(madt.controllers[0].doorbell, 0x8090040);
		ck_assert_uint_eq(madt.its_ids[0], 0);
	}
	if (madt.n == 2) {
		ck_assert_int_eq(madt.controllers[1].type, MM_MSI_GICV2M);
		ck_assert_uint_eq(madt.controllers[1].doorbell, 0x8020040);
	}
	if (p->warning) {
		ck_assert_msg(m->n_warnings >= 1, "%s: no warning", p->what);
		ck_assert_msg(strstr(m->warnings[0], p->warning), "%s: '%s' lacks '%s'", p->what,
			      m->warnings[0], p->warning);
	} else {
		ck_assert_uint_eq(m->n_warnings, 0);
	}
	mm_madt_clear(&madt);
}
END_TEST

START_TEST(test_madt_x86)
{
	/* local APIC address 0xfee00000 with one Processor Local APIC entry;
	 * then with a Local APIC Address Override */
	uint8_t t[64] = { 0 };
	header(t, "APIC", 52, 5);
	put32(t + 36, 0xfee00000);
	t[44] = 0;
	t[45] = 8;
	MmMadt madt = { 0 };
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	ck_assert_int_eq(mm_madt_parse(t, 52, "A", &madt, m), 0);
	ck_assert(madt.x86);
	ck_assert_uint_eq(madt.n, 1);
	ck_assert_int_eq(madt.controllers[0].type, MM_MSI_X86_LAPIC);
	ck_assert_uint_eq(madt.controllers[0].base, 0xfee00000);
	ck_assert_uint_eq(madt.controllers[0].size, 0x100000);
	ck_assert_int_eq(madt.controllers[0].translated, 0);
	mm_madt_clear(&madt);

	header(t, "APIC", 64, 5);
	t[52] = 5;
	t[53] = 12;
	put64(t + 56, 0x1fee00000);
	ck_assert_int_eq(mm_madt_parse(t, 64, "A", &madt, m), 0);
	ck_assert_uint_eq(madt.controllers[0].base, 0x1fee00000);
	ck_assert_uint_eq(m->n_warnings, 0);
	mm_madt_clear(&madt);
}
END_TEST

START_TEST(test_every_cut)
{
	/* every prefix of the good tables and of the fixtures' real ones:
	 * never a crash or a read past the end (ASan), a warning when cut */
	static const char *const files[] = {
		"hosts/arm64-virt-acpi/sys/firmware/acpi/tables/IORT",
		"hosts/arm64-hwmsi/sys/firmware/acpi/tables/IORT",
		"hosts/arm64-rmr/sys/firmware/acpi/tables/IORT",
		"hosts/arm64-hwmsi/sys/firmware/acpi/tables/APIC",
		"hosts/x86-q35-vtd/sys/firmware/acpi/tables/APIC",
	};
	for (size_t f = 0; f < ELEMENTSOF(files) + 2; f++) {
		_cleanup_free_ uint8_t *whole = NULL;
		size_t len;
		if (f < ELEMENTSOF(files)) {
			whole = (uint8_t *)tu_read(tu_data_path(files[f]), &len);
		} else {
			len = f == ELEMENTSOF(files) ? IORT_LEN : MADT_LEN;
			whole = malloc(len);
			if (len == IORT_LEN)
				build_iort(whole);
			else
				build_madt(whole);
		}
		bool is_iort = memcmp(whole, "IORT", 4) == 0;
		for (size_t cut = 0; cut <= len; cut++) {
			_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
			_cleanup_free_ uint8_t *copy = malloc(cut ? cut : 1);
			MmMadt madt = { 0 };
			memcpy(copy, whole, cut);
			if (is_iort)
				ck_assert_int_eq(mm_iort_parse(copy, cut, "T", &madt, m), 0);
			else
				ck_assert_int_eq(mm_madt_parse(copy, cut, "T", &madt, m), 0);
			if (cut < len)
				ck_assert_msg(m->n_warnings >= 1, "%zu: cut at %zu: no warning", f,
					      cut);
			mm_madt_clear(&madt);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, test_acpi_fixture, 0, ELEMENTSOF(acpi_hosts));
	tcase_add_test(tc, test_rmr_reported_or_not);
	suite_add_tcase(s, tc);
	tc = tcase_create("tables");
	tcase_add_loop_test(tc, test_iort_patched, 0, ELEMENTSOF(iort_patches));
	tcase_add_test(tc, test_iort_rmr_reported);
	tcase_add_loop_test(tc, test_madt_patched, 0, ELEMENTSOF(madt_patches));
	tcase_add_test(tc, test_madt_x86);
	tcase_add_test(tc, test_every_cut);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
