/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MSI controllers from the device tree. Expected values are read off
 * `dtc -I dtb -O dts tests/data/hosts/NAME/sys/firmware/fdt` (and the
 * capture's dmesg.txt where it names the frame); trees the fixtures do not
 * have are built here with libfdt's sequential-write API. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "macros.h"
#include "probe-internal.h"
#include "testutil.h"

typedef struct ExpectFdt {
	const char *host;
	size_t n;
	MmMsiController c[2];
} ExpectFdt;

#define FDT_ITS(base, translated)                                                              \
	{                                                                                      \
		MM_MSI_GICV3_ITS, base, 0x20000, (base) + 0x10040, translated, MM_FIRMWARE_FDT \
	}
#define FDT_V2M(base, translated)                                                       \
	{                                                                               \
		MM_MSI_GICV2M, base, 0x1000, (base) + 0x40, translated, MM_FIRMWARE_FDT \
	}

static const ExpectFdt fdt_hosts[] = {
	/* its@8080000 { reg = <0x00 0x8080000 0x00 0x20000> } under intc@8000000
	 * (ranges;); pcie@10000000 has msi-map = <0 0x8003 0 0x10000> (the
	 * ITS) and iommu-map = <0 0x8004 0 0x10000> (smmuv3@9050000). dmesg:
	 * "ITS [mem 0x08080000-0x0809ffff]". */
	{ "arm64-virt-smmuv3", 1, { FDT_ITS(0x8080000, 1) } },
	/* v2m@8020000 { reg = <0x00 0x8020000 0x00 0x1000> }, the same msi-map
	 * and iommu-map; dmesg: "GICv2m: range[mem 0x08020000-0x08020fff]". */
	{ "arm64-virt-gicv2", 1, { FDT_V2M(0x8020000, 1) } },
	/* the same ITS; pcie@10000000 has msi-map but no iommu-map */
	{ "arm64-virt-noiommu", 1, { FDT_ITS(0x8080000, 0) } },
	/* v2m@e0080000 { reg = <0x00 0x80000 0x00 0x1000> } inside
	 * interrupt-controller@e1101000 { ranges = <0 0 0 0xe1100000 0
	 * 0x100000> }: 0xe1180000, as Seattle boot logs print it ("GICv2m:
	 * range[mem 0xe1180000-0xe1180fff]"); pcie@f0000000 has msi-parent =
	 * <0x03> and iommu-map = <0 0x04 0 0x10000> (smmu@e0a00000). */
	{ "arm64-oldkernel-pciwin", 1, { FDT_V2M(0xe1180000, 1) } },
	/* the EFI stub's tree: /chosen only */
	{ "arm64-virt-acpi", 0, {} },
};

static void assert_controller(const MmMsiController *got, const MmMsiController *want)
{
	ck_assert_int_eq(got->type, want->type);
	ck_assert_uint_eq(got->base, want->base);
	ck_assert_uint_eq(got->size, want->size);
	ck_assert_uint_eq(got->doorbell, want->doorbell);
	ck_assert_int_eq(got->translated, want->translated);
	ck_assert_int_eq(got->source, want->source);
}

START_TEST(test_fdt_fixture)
{
	const ExpectFdt *e = &fdt_hosts[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(e->host, NULL);
	size_t n = 0;
	for (size_t i = 0; i < m->n_msi_controllers; i++) {
		if (m->msi_controllers[i].source != MM_FIRMWARE_FDT)
			continue; /* arm64-virt-acpi's come from its ACPI tables */
		ck_assert_uint_lt(n, e->n);
		assert_controller(&m->msi_controllers[i], &e->c[n++]);
	}
	ck_assert_uint_eq(n, e->n);
}
END_TEST

/* ---- trees built here ---- */

typedef struct Tree {
	char buf[4096];
} Tree;

#define OK(x) ck_assert_int_eq((x), 0)

static void begin(Tree *t)
{
	OK(fdt_create(t->buf, sizeof(t->buf)));
	OK(fdt_finish_reservemap(t->buf));
	OK(fdt_begin_node(t->buf, ""));
	OK(fdt_property_u32(t->buf, "#address-cells", 2));
	OK(fdt_property_u32(t->buf, "#size-cells", 2));
}

static void reg64(Tree *t, uint64_t base, uint64_t size)
{
	fdt32_t cells[4] = { cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
			     cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size) };
	OK(fdt_property(t->buf, "reg", cells, sizeof(cells)));
}

static void its_node(Tree *t, const char *name, uint64_t base, uint32_t phandle, const char *status)
{
	OK(fdt_begin_node(t->buf, name));
	OK(fdt_property_string(t->buf, "compatible", "arm,gic-v3-its"));
	reg64(t, base, 0x20000);
	OK(fdt_property_u32(t->buf, "#msi-cells", 1));
	OK(fdt_property_u32(t->buf, "phandle", phandle));
	if (status)
		OK(fdt_property_string(t->buf, "status", status));
	OK(fdt_end_node(t->buf));
}

static void iommu_node(Tree *t, uint32_t phandle, const char *status)
{
	OK(fdt_begin_node(t->buf, "smmu@9050000"));
	OK(fdt_property_string(t->buf, "compatible", "arm,smmu-v3"));
	reg64(t, 0x9050000, 0x20000);
	OK(fdt_property_u32(t->buf, "#iommu-cells", 1));
	OK(fdt_property_u32(t->buf, "phandle", phandle));
	if (status)
		OK(fdt_property_string(t->buf, "status", status));
	OK(fdt_end_node(t->buf));
}

static void map_prop(Tree *t, const char *name, uint32_t phandle, size_t cells)
{
	fdt32_t v[4] = { 0, cpu_to_fdt32(phandle), 0, cpu_to_fdt32(0x10000) };
	OK(fdt_property(t->buf, name, v, cells * sizeof(fdt32_t)));
}

static MmHostMap *finish(Tree *t)
{
	OK(fdt_end_node(t->buf));
	OK(fdt_finish(t->buf));
	MmHostMap *m = mm_hostmap_new();
	ck_assert_ptr_nonnull(m);
	OK(mm_fdt_parse(t->buf, fdt_totalsize(t->buf), "fdt", m));
	return m;
}

START_TEST(test_fdt_platform_device_iommus)
{
	/* a platform device with msi-parent and iommus = <&smmu 7>: translated */
	Tree t;
	begin(&t);
	its_node(&t, "its@8080000", 0x8080000, 1, NULL);
	iommu_node(&t, 2, NULL);
	OK(fdt_begin_node(t.buf, "dev@a000000"));
	fdt32_t parent[2] = { cpu_to_fdt32(1), cpu_to_fdt32(0x20) };
	OK(fdt_property(t.buf, "msi-parent", parent, sizeof(parent)));
	fdt32_t iommus[2] = { cpu_to_fdt32(2), cpu_to_fdt32(7) };
	OK(fdt_property(t.buf, "iommus", iommus, sizeof(iommus)));
	OK(fdt_end_node(t.buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 1);
	ck_assert_int_eq(m->msi_controllers[0].translated, 1);
	ck_assert_uint_eq(m->n_warnings, 0);
}
END_TEST

START_TEST(test_fdt_disabled_iommu)
{
	/* iommu-map names a disabled SMMU: MSIs reach the ITS untranslated;
	 * a disabled ITS is no controller; an unreferenced one is unknown */
	Tree t;
	begin(&t);
	its_node(&t, "its@8080000", 0x8080000, 1, NULL);
	its_node(&t, "its@8100000", 0x8100000, 3, "disabled");
	its_node(&t, "its@8200000", 0x8200000, 4, "okay");
	iommu_node(&t, 2, "disabled");
	OK(fdt_begin_node(t.buf, "pcie@10000000"));
	map_prop(&t, "msi-map", 1, 4);
	map_prop(&t, "iommu-map", 2, 4);
	OK(fdt_end_node(t.buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 2);
	ck_assert_uint_eq(m->msi_controllers[0].base, 0x8080000);
	ck_assert_int_eq(m->msi_controllers[0].translated, 0);
	ck_assert_uint_eq(m->msi_controllers[1].base, 0x8200000);
	ck_assert_int_eq(m->msi_controllers[1].translated, MM_TRANSLATED_UNKNOWN);
}
END_TEST

START_TEST(test_fdt_malformed_map)
{
	/* an msi-map of 3 cells is not whole entries: warned, ignored */
	Tree t;
	begin(&t);
	its_node(&t, "its@8080000", 0x8080000, 1, NULL);
	OK(fdt_begin_node(t.buf, "pcie@10000000"));
	map_prop(&t, "msi-map", 1, 3);
	OK(fdt_end_node(t.buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 1);
	ck_assert_int_eq(m->msi_controllers[0].translated, MM_TRANSLATED_UNKNOWN);
	ck_assert(tu_has_warning(m, "fdt: /pcie@10000000: malformed msi-map"));
}
END_TEST

START_TEST(test_fdt_untranslatable)
{
	/* an ITS under a bus with no ranges has no CPU address: skipped with
	 * a warning naming the node; one through a ranges entry is moved */
	Tree t;
	begin(&t);
	OK(fdt_begin_node(t.buf, "bus@0"));
	OK(fdt_property_u32(t.buf, "#address-cells", 2));
	OK(fdt_property_u32(t.buf, "#size-cells", 2));
	its_node(&t, "its@1000", 0x1000, 1, NULL);
	OK(fdt_end_node(t.buf));
	OK(fdt_begin_node(t.buf, "soc"));
	OK(fdt_property_u32(t.buf, "#address-cells", 1));
	OK(fdt_property_u32(t.buf, "#size-cells", 1));
	fdt32_t ranges[4] = { 0, 0, cpu_to_fdt32(0x40000000), cpu_to_fdt32(0x100000) };
	OK(fdt_property(t.buf, "ranges", ranges, sizeof(ranges)));
	OK(fdt_begin_node(t.buf, "v2m@20000"));
	OK(fdt_property_string(t.buf, "compatible", "arm,gic-v2m-frame"));
	fdt32_t reg[2] = { cpu_to_fdt32(0x20000), cpu_to_fdt32(0x1000) };
	OK(fdt_property(t.buf, "reg", reg, sizeof(reg)));
	OK(fdt_end_node(t.buf));
	OK(fdt_end_node(t.buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 1);
	ck_assert_uint_eq(m->msi_controllers[0].base, 0x40020000);
	ck_assert_uint_eq(m->msi_controllers[0].doorbell, 0x40020040);
	ck_assert(tu_has_warning(m, "fdt: /bus@0/its@1000: reg not translatable"));
}
END_TEST

/* An ITS node with a reg of cells 32-bit cells (value each). */
static void its_raw(Tree *t, const char *name, const fdt32_t *reg, size_t cells)
{
	OK(fdt_begin_node(t->buf, name));
	OK(fdt_property_string(t->buf, "compatible", "arm,gic-v3-its"));
	OK(fdt_property(t->buf, "reg", reg, cells * sizeof(fdt32_t)));
	OK(fdt_property_u32(t->buf, "#msi-cells", 1));
	OK(fdt_end_node(t->buf));
}

START_TEST(test_fdt_bad_reg)
{
	/* every way a reg fails to give a CPU address, each controller skipped
	 * with a warning naming it (devicetree specification 2.3.5, 2.3.6,
	 * 2.3.8: #address-cells and #size-cells of the parent, ranges) */
	Tree t;
	begin(&t);
	/* a reg shorter than one (address, size) pair */
	fdt32_t one[2] = { 0, cpu_to_fdt32(0x8080000) };
	its_raw(&t, "its@8080000", one, 2);
	/* a frame smaller than the ITS's doorbell offset (GITS_TRANSLATER at
	 * 0x10040): nothing to point MSIs at */
	fdt32_t small[4] = { 0, cpu_to_fdt32(0x8100000), 0, cpu_to_fdt32(0x10000) };
	its_raw(&t, "its@8100000", small, 4);
	/* a parent with 3 address cells: not something migmap reads */
	OK(fdt_begin_node(t.buf, "wide"));
	OK(fdt_property_u32(t.buf, "#address-cells", 3));
	OK(fdt_property_u32(t.buf, "#size-cells", 1));
	fdt32_t wide[4] = { 0, 0, cpu_to_fdt32(0x1000), cpu_to_fdt32(0x20000) };
	its_raw(&t, "its@1000", wide, 4);
	OK(fdt_end_node(t.buf));
	/* a bus whose ranges do not cover the child's address */
	OK(fdt_begin_node(t.buf, "soc"));
	OK(fdt_property_u32(t.buf, "#address-cells", 1));
	OK(fdt_property_u32(t.buf, "#size-cells", 1));
	fdt32_t ranges[4] = { 0, 0, cpu_to_fdt32(0x40000000), cpu_to_fdt32(0x10000) };
	OK(fdt_property(t.buf, "ranges", ranges, sizeof(ranges)));
	fdt32_t far[2] = { cpu_to_fdt32(0x200000), cpu_to_fdt32(0x20000) };
	its_raw(&t, "its@200000", far, 2);
	/* a bus under a bus whose own cells are out of range */
	OK(fdt_begin_node(t.buf, "odd"));
	OK(fdt_property_u32(t.buf, "#address-cells", 1));
	OK(fdt_property_u32(t.buf, "#size-cells", 3));
	fdt32_t oddranges[5] = { 0, 0, 0, 0, cpu_to_fdt32(0x1000) };
	OK(fdt_property(t.buf, "ranges", oddranges, sizeof(oddranges)));
	OK(fdt_begin_node(t.buf, "inner"));
	OK(fdt_property_u32(t.buf, "#address-cells", 1));
	OK(fdt_property_u32(t.buf, "#size-cells", 1));
	OK(fdt_property(t.buf, "ranges", NULL, 0));
	fdt32_t in[2] = { cpu_to_fdt32(0x3000), cpu_to_fdt32(0x20000) };
	its_raw(&t, "its@3000", in, 2);
	OK(fdt_end_node(t.buf));
	OK(fdt_end_node(t.buf));
	OK(fdt_end_node(t.buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 0);
	static const char *const want[] = {
		"fdt: /its@8080000: no usable reg: controller skipped",
		"fdt: /its@8100000: frame too small for its doorbell: skipped",
		"fdt: /wide/its@1000: reg not translatable to a CPU address: controller skipped",
		"fdt: /soc/its@200000: reg not translatable to a CPU address: controller skipped",
		("fdt: /soc/odd/inner/its@3000: reg not translatable to a CPU address: "
		 "controller skipped"),
	};
	for (size_t i = 0; i < ELEMENTSOF(want); i++)
		ck_assert_msg(tu_has_warning(m, want[i]), "no warning '%s'", want[i]);
}
END_TEST

START_TEST(test_fdt_damaged)
{
	/* every cut of a real blob, and junk: one warning, no controller, no
	 * read past the buffer (the tests run under ASan) */
	size_t len;
	_cleanup_free_ char *blob =
		tu_read(tu_data_path("hosts/arm64-virt-smmuv3/sys/firmware/fdt"), &len);
	ck_assert_uint_gt(len, 4096);
	size_t totalsize = fdt_totalsize(blob);
	for (size_t cut = 0; cut < totalsize; cut += cut < 256 ? 1 : 509) {
		_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
		_cleanup_free_ char *copy = malloc(cut ? cut : 1);
		memcpy(copy, blob, cut);
		OK(mm_fdt_parse(copy, cut, "fdt", m));
		ck_assert_uint_eq(m->n_msi_controllers, 0);
		ck_assert_uint_eq(m->n_warnings, 1);
		ck_assert(strstr(m->warnings[0], "fdt: not a valid device tree"));
	}
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe("fw-bad-tables", NULL);
	ck_assert(tu_has_warning(m, "sys/firmware/fdt: not a valid device tree"));
}
END_TEST

/* A real blob damaged in its structure in ways no cut makes: each is
 * refused by the structure walk that stands in for libfdt 1.6.1's
 * fdt_check_full (which loops or crashes on such blobs). */
typedef enum Damage {
	DAMAGE_PROP_NAME,   /* a property name outside the strings block */
	DAMAGE_UNBALANCED,  /* a node's BEGIN_NODE turned into a NOP */
	DAMAGE_PROP_AT_TOP, /* the root's BEGIN_NODE gone: a property at depth 0 */
} Damage;

START_TEST(test_fdt_structure_damage)
{
	size_t len;
	_cleanup_free_ char *blob =
		tu_read(tu_data_path("hosts/arm64-virt-smmuv3/sys/firmware/fdt"), &len);
	uint32_t *tag;
	int prop = fdt_first_property_offset(blob, 0);
	int child = fdt_first_subnode(blob, 0);
	ck_assert_int_gt(prop, 0);
	ck_assert_int_gt(child, 0);
	switch ((Damage)_i) {
	case DAMAGE_PROP_NAME:
		/* struct fdt_property: tag, len, nameoff */
		tag = (uint32_t *)(blob + fdt_off_dt_struct(blob) + prop);
		tag[2] = cpu_to_fdt32(0x7ffffff0);
		break;
	case DAMAGE_UNBALANCED:
		tag = (uint32_t *)(blob + fdt_off_dt_struct(blob) + child);
		*tag = cpu_to_fdt32(FDT_NOP);
		break;
	case DAMAGE_PROP_AT_TOP:
		tag = (uint32_t *)(blob + fdt_off_dt_struct(blob));
		*tag = cpu_to_fdt32(FDT_NOP);
		break;
	}
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	OK(mm_fdt_parse(blob, len, "fdt", m));
	ck_assert_uint_eq(m->n_msi_controllers, 0);
	ck_assert(tu_has_warning(m, "fdt: not a valid device tree"));
}
END_TEST

START_TEST(test_fdt_bad_phandles)
{
	/* msi-parent naming a phandle no node has, a controller whose
	 * #msi-cells is not one cell (devicetree specification 2.2.4: a
	 * u32), and a node that is no MSI controller at all: the first two
	 * are malformed (their argument counts are unknown), the third says
	 * nothing; the ITS stays of unknown translation */
	Tree t;
	begin(&t);
	its_node(&t, "its@8080000", 0x8080000, 1, NULL);
	OK(fdt_begin_node(t.buf, "wide-cells"));
	OK(fdt_property_u64(t.buf, "#msi-cells", 1));
	OK(fdt_property_u32(t.buf, "phandle", 5));
	OK(fdt_end_node(t.buf));
	OK(fdt_begin_node(t.buf, "intc"));
	OK(fdt_property_u32(t.buf, "phandle", 6));
	OK(fdt_end_node(t.buf));
	OK(fdt_begin_node(t.buf, "dev@1"));
	OK(fdt_property_u32(t.buf, "msi-parent", 9));
	OK(fdt_end_node(t.buf));
	OK(fdt_begin_node(t.buf, "dev@2"));
	OK(fdt_property_u32(t.buf, "msi-parent", 5));
	OK(fdt_end_node(t.buf));
	OK(fdt_begin_node(t.buf, "pcie@3"));
	map_prop(&t, "msi-map", 6, 4);
	OK(fdt_end_node(t.buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 1);
	ck_assert_int_eq(m->msi_controllers[0].translated, MM_TRANSLATED_UNKNOWN);
	ck_assert(tu_has_warning(m, "fdt: /dev@1: malformed msi-parent: ignored"));
	ck_assert(tu_has_warning(m, "fdt: /dev@2: malformed msi-parent: ignored"));
	ck_assert_uint_eq(m->n_warnings, 2);
}
END_TEST

START_TEST(test_fdt_root_controller)
{
	/* the root node claiming to be an ITS has no parent bus to map its
	 * reg: skipped, named by its path "/" */
	Tree t;
	OK(fdt_create(t.buf, sizeof(t.buf)));
	OK(fdt_finish_reservemap(t.buf));
	OK(fdt_begin_node(t.buf, ""));
	OK(fdt_property_string(t.buf, "compatible", "arm,gic-v3-its"));
	reg64(&t, 0x8080000, 0x20000);
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	ck_assert_uint_eq(m->n_msi_controllers, 0);
	ck_assert(tu_has_warning(m, "fdt: /: reg not translatable to a CPU address"));
}
END_TEST

START_TEST(test_fdt_long_path)
{
	/* a node whose path does not fit the warning's 256 bytes is named by
	 * its offset in the structure block instead */
	char name[300];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	Tree t;
	begin(&t);
	fdt32_t one[2] = { 0, cpu_to_fdt32(0x8080000) };
	its_raw(&t, name, one, 2);
	_cleanup_(mm_hostmap_freep) MmHostMap *m = finish(&t);
	char want[64];
	snprintf(want, sizeof(want), "fdt: node at offset %d: no usable reg",
		 fdt_first_subnode(t.buf, 0));
	ck_assert_uint_eq(m->n_msi_controllers, 0);
	ck_assert_msg(tu_has_warning(m, want), "no warning '%s'", want);
}
END_TEST

START_TEST(test_fdt_too_deep)
{
	/* 64 levels of nodes below the root are more than the scan takes
	 * (FDT_SCAN_MAX_DEPTH, Linux's unflatten_dt_nodes() FDT_MAX_DEPTH):
	 * refused as a whole, whatever it holds */
	static char buf[8192];
	OK(fdt_create(buf, sizeof(buf)));
	OK(fdt_finish_reservemap(buf));
	OK(fdt_begin_node(buf, ""));
	for (int i = 0; i < 64; i++)
		OK(fdt_begin_node(buf, "n"));
	for (int i = 0; i < 65; i++)
		OK(fdt_end_node(buf));
	OK(fdt_finish(buf));
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	OK(mm_fdt_parse(buf, fdt_totalsize(buf), "fdt", m));
	ck_assert(
		tu_has_warning(m, "fdt: not a valid device tree (FDT_ERR_BADSTRUCTURE): ignored"));
	/* one level less is a tree */
	static char ok[8192];
	OK(fdt_create(ok, sizeof(ok)));
	OK(fdt_finish_reservemap(ok));
	OK(fdt_begin_node(ok, ""));
	for (int i = 0; i < 63; i++)
		OK(fdt_begin_node(ok, "n"));
	for (int i = 0; i < 64; i++)
		OK(fdt_end_node(ok));
	OK(fdt_finish(ok));
	_cleanup_(mm_hostmap_freep) MmHostMap *m2 = mm_hostmap_new();
	OK(mm_fdt_parse(ok, fdt_totalsize(ok), "fdt", m2));
	ck_assert_uint_eq(m2->n_warnings, 0);
}
END_TEST

START_TEST(test_fdt_not_a_tree)
{
	/* a blob as long as its header says, but without the magic
	 * 0xd00dfeed (devicetree specification 5.2), and one whose root node
	 * is followed by something other than FDT_END: both refused */
	Tree t;
	begin(&t);
	OK(fdt_begin_node(t.buf, "a"));
	OK(fdt_end_node(t.buf));
	OK(fdt_end_node(t.buf));
	OK(fdt_finish(t.buf));
	size_t len = fdt_totalsize(t.buf);
	char copy[sizeof(t.buf)];
	memcpy(copy, t.buf, len);
	fdt_set_magic(copy, 0x12345678);
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	OK(mm_fdt_parse(copy, len, "fdt", m));
	ck_assert(tu_has_warning(m, "fdt: not a valid device tree (FDT_ERR_BADMAGIC): ignored"));
	/* node a's FDT_BEGIN_NODE becomes FDT_END_NODE: the root closes
	 * there, and a's name follows it as a tag */
	memcpy(copy, t.buf, len);
	int a = fdt_first_subnode(copy, 0);
	ck_assert_int_gt(a, 0);
	uint32_t *tag = (uint32_t *)(copy + fdt_off_dt_struct(copy) + a);
	*tag = cpu_to_fdt32(FDT_END_NODE);
	_cleanup_(mm_hostmap_freep) MmHostMap *m2 = mm_hostmap_new();
	OK(mm_fdt_parse(copy, len, "fdt", m2));
	ck_assert(
		tu_has_warning(m2, "fdt: not a valid device tree (FDT_ERR_BADSTRUCTURE): ignored"));
	/* a length beyond libfdt's int offsets: refused before it is read
	 * (the blob is not looked at) */
	_cleanup_(mm_hostmap_freep) MmHostMap *m3 = mm_hostmap_new();
	OK(mm_fdt_parse(t.buf, (size_t)INT32_MAX + 1, "fdt", m3));
	ck_assert(tu_has_warning(m3, "fdt: too large for a device tree: ignored"));
}
END_TEST

START_TEST(test_fdt_unreadable)
{
	/* sys/firmware/fdt a directory: a warning, the probe goes on */
	char top[256], path[400];
	ck_assert_ptr_nonnull(tu_mkdtemp(top, sizeof(top), "test-fdt"));
	snprintf(path, sizeof(path), "%s/sys/firmware/fdt", top);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	int rootfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	OK(mm_probe_fdt(rootfd, m, &err));
	close(rootfd);
	ck_assert_uint_eq(m->n_msi_controllers, 0);
	ck_assert(tu_has_warning(m, "sys/firmware/fdt: unreadable ("));
	ck_assert(tu_has_warning(m, "): MSI controllers from the device tree unknown"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Inputs the fuzzer found (tests/fuzz/regress/fdt/): each is a damaged
 * blob, read in bounded time into one warning. */
static const char *const fuzz_inputs[] = {
	/* a property length of -12: libfdt 1.6.1's fdt_check_full looped
	 * forever on it */
	"check-full-loop",
	/* a structure block at an odd offset: every property read misaligned
	 * (UBSan) */
	"misaligned-struct",
};

START_TEST(test_fdt_fuzz_regressions)
{
	char path[4096];
	size_t len;
	snprintf(path, sizeof(path), "%s/../fuzz/regress/fdt/%s", tu_data_path(""),
		 fuzz_inputs[_i]);
	_cleanup_free_ char *blob = tu_read(path, &len);
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	OK(mm_fdt_parse(blob, len, "fdt", m));
	ck_assert_uint_eq(m->n_msi_controllers, 0);
	ck_assert(tu_has_warning(m, "fdt: not a valid device tree"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, test_fdt_fixture, 0, ELEMENTSOF(fdt_hosts));
	suite_add_tcase(s, tc);
	tc = tcase_create("built");
	tcase_add_test(tc, test_fdt_platform_device_iommus);
	tcase_add_test(tc, test_fdt_disabled_iommu);
	tcase_add_test(tc, test_fdt_malformed_map);
	tcase_add_test(tc, test_fdt_untranslatable);
	tcase_add_test(tc, test_fdt_bad_reg);
	tcase_add_test(tc, test_fdt_damaged);
	tcase_add_test(tc, test_fdt_bad_phandles);
	tcase_add_test(tc, test_fdt_root_controller);
	tcase_add_test(tc, test_fdt_long_path);
	tcase_add_test(tc, test_fdt_too_deep);
	tcase_add_test(tc, test_fdt_not_a_tree);
	tcase_add_test(tc, test_fdt_unreadable);
	tcase_add_loop_test(tc, test_fdt_structure_damage, DAMAGE_PROP_NAME,
			    DAMAGE_PROP_AT_TOP + 1);
	tcase_add_loop_test(tc, test_fdt_fuzz_regressions, 0, ELEMENTSOF(fuzz_inputs));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
