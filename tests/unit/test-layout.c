/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest layouts against QEMU's own tables. Every expected address is read
 * off QEMU's source (hw/arm/virt.c base_memmap[] / extended_memmap[] and
 * virt_set_memmap(); hw/i386/pc.c pc_memory_init(), pc_q35.c
 * pc_q35_init(), pc_piix.c pc_init1(), hw/pci-host/q35.c and i440fx.c),
 * QEMU 7.2 unless a comment names another version, worked by hand; the
 * QEMU-run oracle is tests/oracle/layout.py. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)
#define TiB (UINT64_C(1) << 40)

typedef struct Region {
	const char *kind;
	uint64_t start, end;
	int node;
} Region;

typedef struct LayoutCase {
	const char *what;
	/* the domain */
	const char *arch, *machine;
	uint64_t memory, max_memory;
	unsigned slots, vcpus, gic, pa_bits;
	uint64_t cells[4];
	const char *vendor;
	/* the answer */
	const char *resolved;
	unsigned phys_bits;
	Region regions[12];  /* for each kind listed, exactly these regions */
	const char *warning; /* a substring of some warning; NULL: no warnings */
} LayoutCase;

#define R(k, s, e)          \
	{                   \
		k, s, e, -1 \
	}
#define RN(k, s, e, n)     \
	{                  \
		k, s, e, n \
	}

static const LayoutCase cases[] = {
	/* virt: RAM at VIRT_MEM (1 GiB); < 255 GiB, so the high regions start at
	 * 256 GiB: REDIST2 (64 MiB, unused with 1 vCPU), then the ECAM aligned to
	 * 256 MiB, then the 512 GiB MMIO window aligned to 512 GiB. */
	{ "virt-7.2 4 GiB",
	  "aarch64",
	  "virt-7.2",
	  4 * GiB,
	  0,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-7.2",
	  40,
	  { R("ram", 0x40000000, 0x13fffffff), R("pcie-ecam", 0x4010000000, 0x401fffffff),
	    R("pcie-mmio-high", 0x8000000000, 0xffffffffff), R("pcie-mmio", 0x10000000, 0x3efeffff),
	    R("pcie-pio", 0x3eff0000, 0x3effffff), R("gic-dist", 0x08000000, 0x0800ffff),
	    R("gic-its", 0x08080000, 0x0809ffff), R("gic-redist", 0x080a0000, 0x08ffffff),
	    R("flash", 0, 0x7ffffff), R("device-memory", 0, 0), R("gic-cpu", 0, 0) },
	  NULL },
	/* virt-2.12 and older: no high ECAM (virt_machine_2_12_options sets
	 * no_highmem_ecam), the 16 MiB one at 0x3f000000 serves */
	{ "virt-2.12 4 GiB",
	  "aarch64",
	  "virt-2.12",
	  4 * GiB,
	  0,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-2.12",
	  40,
	  { R("pcie-ecam", 0x3f000000, 0x3fffffff),
	    R("pcie-mmio-high", 0x8000000000, 0xffffffffff) },
	  NULL },
	{ "virt-2.11 is 2.12's layout",
	  "aarch64",
	  "virt-2.11",
	  4 * GiB,
	  0,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-2.11",
	  40,
	  { R("pcie-ecam", 0x3f000000, 0x3fffffff) },
	  NULL },
	{ "virt-3.0 has the high ECAM",
	  "aarch64",
	  "virt-3.0",
	  4 * GiB,
	  0,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-3.0",
	  40,
	  { R("pcie-ecam", 0x4010000000, 0x401fffffff) },
	  NULL },
	/* GICv2: distributor and CPU interface, GICv2m frame; no ITS */
	{ "virt-7.2 GICv2",
	  "aarch64",
	  "virt-7.2",
	  2 * GiB,
	  0,
	  0,
	  8,
	  2,
	  0,
	  { 0 },
	  NULL,
	  "virt-7.2",
	  40,
	  { R("gic-dist", 0x08000000, 0x0800ffff), R("gic-cpu", 0x08010000, 0x0801ffff),
	    R("gic-v2m", 0x08020000, 0x08020fff), R("gic-its", 0, 0), R("gic-redist", 0, 0) },
	  NULL },
	/* 300 GiB: RAM ends at 301 GiB, past LEGACY_RAMLIMIT: the high regions
	 * float up from there */
	{ "virt-7.2 300 GiB",
	  "aarch64",
	  "virt-7.2",
	  300 * GiB,
	  0,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-7.2",
	  40,
	  { R("ram", 0x40000000, 0x4b3fffffff), R("pcie-ecam", 0x4b50000000, 0x4b5fffffff),
	    R("pcie-mmio-high", 0x8000000000, 0xffffffffff) },
	  NULL },
	/* device memory: base ROUND_UP(1 + 16 GiB, 1 GiB), size maxmem - mem +
	 * 1 GiB per slot = 1016 GiB, top 1033 GiB; MMIO at 1.5 TiB: 41 bits.
	 * With slots and no NUMA cells QEMU 4.2+ makes NUMA node 0
	 * (auto_enable_numa_with_memhp). */
	{ "virt-7.2 1 TiB maxmem",
	  "aarch64",
	  "virt-7.2",
	  16 * GiB,
	  1024 * GiB,
	  8,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-7.2",
	  41,
	  { RN("ram", 0x40000000, 0x43fffffff, 0), R("device-memory", 0x440000000, 0x1023fffffff),
	    R("pcie-ecam", 0x10250000000, 0x1025fffffff),
	    R("pcie-mmio-high", 0x18000000000, 0x1ffffffffff) },
	  NULL },
	/* before 4.2 no node is made; from 5.1 on maxmem alone makes one
	 * (auto_enable_numa_with_memdev) */
	{ "virt-4.1 slots: no NUMA node",
	  "aarch64",
	  "virt-4.1",
	  2 * GiB,
	  4 * GiB,
	  2,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-4.1",
	  40,
	  { R("ram", 0x40000000, 0xbfffffff), R("device-memory", 0xc0000000, 0x1bfffffff) },
	  NULL },
	{ "virt-5.0 maxmem without slots: no node",
	  "aarch64",
	  "virt-5.0",
	  2 * GiB,
	  4 * GiB,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-5.0",
	  40,
	  { R("ram", 0x40000000, 0xbfffffff), R("device-memory", 0xc0000000, 0x13fffffff) },
	  NULL },
	{ "virt-5.1 maxmem without slots: node 0",
	  "aarch64",
	  "virt-5.1",
	  2 * GiB,
	  4 * GiB,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-5.1",
	  40,
	  { RN("ram", 0x40000000, 0xbfffffff, 0) },
	  NULL },
	/* a 40-bit IPA: the 512 GiB window at 1 TiB does not fit, QEMU
	 * disables it; REDIST2 and ECAM still fit below */
	{ "virt-7.1 600 GiB, 40 bits",
	  "aarch64",
	  "virt-7.1",
	  600 * GiB,
	  0,
	  0,
	  1,
	  3,
	  40,
	  { 0 },
	  NULL,
	  "virt-7.1",
	  40,
	  { R("pcie-ecam", 0x9650000000, 0x965fffffff), R("pcie-mmio-high", 0, 0) },
	  "does not fit" },
	/* more than 123 vCPUs (0xf60000 / 2 x 64 KiB) need REDIST2 at 256 GiB */
	{ "virt-7.2 130 vCPUs",
	  "aarch64",
	  "virt-7.2",
	  GiB,
	  0,
	  0,
	  130,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-7.2",
	  40,
	  { R("gic-redist", 0x080a0000, 0x08ffffff), R("gic-redist", 0x4000000000, 0x4003ffffff),
	    R("pcie-ecam", 0x4010000000, 0x401fffffff) },
	  NULL },
	/* NUMA: arm_load_dtb's memory nodes follow each other from 1 GiB */
	{ "virt-7.2 NUMA",
	  "aarch64",
	  "virt-7.2",
	  9 * GiB,
	  0,
	  0,
	  3,
	  3,
	  0,
	  { 2 * GiB, 6 * GiB, GiB },
	  NULL,
	  "virt-7.2",
	  40,
	  { RN("ram", 0x40000000, 0xbfffffff, 0), RN("ram", 0xc0000000, 0x23fffffff, 1),
	    RN("ram", 0x240000000, 0x27fffffff, 2) },
	  NULL },
	/* the alias resolves to the newest modelled virt, with a warning */
	{ "virt alias",
	  "aarch64",
	  "virt",
	  GiB,
	  0,
	  0,
	  1,
	  3,
	  0,
	  { 0 },
	  NULL,
	  "virt-10.2",
	  40,
	  { R("ram", 0x40000000, 0x7fffffff) },
	  "alias" },
	{ "no GIC version: GICv3 assumed",
	  "aarch64",
	  "virt-9.2",
	  GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  NULL,
	  "virt-9.2",
	  40,
	  { R("gic-its", 0x08080000, 0x0809ffff), R("gic-cpu", 0, 0) },
	  "GICv3" },

	/* q35: RAM >= 0xb0000000, so 2 GiB below 4 GiB; MMCONFIG at
	 * 0xb0000000 (256 MiB) cut out of the 32-bit hole, which ends at the
	 * IOAPIC; 64-bit hole Q35_PCI_HOST_HOLE64_SIZE_DEFAULT (32 GiB) after
	 * RAM, 1 GiB aligned */
	{ "q35-7.2 4 GiB",
	  "x86_64",
	  "pc-q35-7.2",
	  4 * GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-q35-7.2",
	  36,
	  { R("ram-below-4g", 0, 0x7fffffff), R("ram-above-4g", 0x100000000, 0x17fffffff),
	    R("pcie-mmio", 0x80000000, 0xafffffff), R("pcie-mmio", 0xc0000000, 0xfebfffff),
	    R("pcie-ecam", 0xb0000000, 0xbfffffff), R("pcie-mmio-high", 0x180000000, 0x97fffffff),
	    R("device-memory", 0, 0) },
	  NULL },
	/* below 0xb0000000 RAM stays below 4 GiB; the 64-bit hole from 4 GiB */
	{ "q35-7.2 2.5 GiB",
	  "x86_64",
	  "pc-q35-7.2",
	  2560 * MiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-q35-7.2",
	  36,
	  { R("ram-below-4g", 0, 0x9fffffff), R("ram-above-4g", 0, 0),
	    R("pcie-mmio-high", 0x100000000, 0x8ffffffff) },
	  NULL },
	/* i440fx: max-ram-below-4g 3.5 GiB, 3 GiB once RAM reaches it
	 * (gigabyte_align); 64-bit hole 2 GiB (I440FX_PCI_HOST_HOLE64_SIZE_DEFAULT) */
	{ "i440fx-7.2 4 GiB",
	  "x86_64",
	  "pc-i440fx-7.2",
	  4 * GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-i440fx-7.2",
	  33,
	  { R("ram-below-4g", 0, 0xbfffffff), R("ram-above-4g", 0x100000000, 0x13fffffff),
	    R("pci-mmio", 0xc0000000, 0xfebfffff), R("pci-mmio-high", 0x140000000, 0x1bfffffff),
	    R("pcie-ecam", 0, 0) },
	  NULL },
	/* i440fx-2.0: no gigabyte_align, 3.5 GiB below; 64-bit hole placed by
	 * firmware before 2.12 (x-pci-hole64-fix off) */
	{ "i440fx-2.0 4 GiB",
	  "x86_64",
	  "pc-i440fx-2.0",
	  4 * GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-i440fx-2.0",
	  33,
	  { R("ram-below-4g", 0, 0xdfffffff), R("ram-above-4g", 0x100000000, 0x11fffffff),
	    R("pci-mmio-high", 0, 0) },
	  "firmware places" },
	/* device memory after RAM above 4 GiB: 58 GiB + 4 slots x 1 GiB */
	{ "q35-7.2 maxmem",
	  "x86_64",
	  "pc-q35-7.2",
	  6 * GiB,
	  64 * GiB,
	  4,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-q35-7.2",
	  37,
	  { R("ram-above-4g", 0x100000000, 0x1ffffffff),
	    R("device-memory", 0x200000000, 0x117fffffff),
	    R("pcie-mmio-high", 0x1180000000, 0x197fffffff) },
	  NULL },
	/* 7.1+: an AMD model whose map would reach 0xfd00000000 gets RAM above
	 * 4 GiB at 1 TiB (pc_set_amd_above_4g_mem_start) */
	{ "q35-7.1 EPYC 1.5 TiB",
	  "x86_64",
	  "pc-q35-7.1",
	  1536 * GiB,
	  0,
	  0,
	  1,
	  0,
	  48,
	  { 0 },
	  "AMD",
	  "pc-q35-7.1",
	  42,
	  { R("ram-above-4g", TiB, TiB + 1534 * GiB - 1),
	    R("pcie-mmio-high", TiB + 1534 * GiB, TiB + 1566 * GiB - 1) },
	  NULL },
	{ "q35-7.0 EPYC: no relocation before 7.1",
	  "x86_64",
	  "pc-q35-7.0",
	  1536 * GiB,
	  0,
	  0,
	  1,
	  0,
	  48,
	  { 0 },
	  "AMD",
	  "pc-q35-7.0",
	  41,
	  { R("ram-above-4g", 4 * GiB, 1538 * GiB - 1) },
	  NULL },
	{ "q35-7.2 Intel: no relocation",
	  "x86_64",
	  "pc-q35-7.2",
	  1536 * GiB,
	  0,
	  0,
	  1,
	  0,
	  48,
	  { 0 },
	  "Intel",
	  "pc-q35-7.2",
	  41,
	  { R("ram-above-4g", 4 * GiB, 1538 * GiB - 1) },
	  NULL },
	/* 980 GiB: RAM ends at 982 GiB, the 64-bit hole at 1014 GiB crosses
	 * 0xfd00000000 (1012 GiB): relocated */
	{ "q35-7.2 EPYC 980 GiB",
	  "x86_64",
	  "pc-q35-7.2",
	  980 * GiB,
	  0,
	  0,
	  1,
	  0,
	  48,
	  { 0 },
	  "AMD",
	  "pc-q35-7.2",
	  41,
	  { R("ram-above-4g", TiB, TiB + 978 * GiB - 1) },
	  NULL },
	/* 900 GiB: the hole ends at 934 GiB, below the HT hole: stays */
	{ "q35-7.2 EPYC 900 GiB",
	  "x86_64",
	  "pc-q35-7.2",
	  900 * GiB,
	  0,
	  0,
	  1,
	  0,
	  48,
	  { 0 },
	  "AMD",
	  "pc-q35-7.2",
	  40,
	  { R("ram-above-4g", 4 * GiB, 902 * GiB - 1) },
	  NULL },
	/* pc-q35-4.0.1 is a machine of its own */
	{ "q35-4.0.1",
	  "x86_64",
	  "pc-q35-4.0.1",
	  GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-q35-4.0.1",
	  36,
	  { R("ram-below-4g", 0, 0x3fffffff) },
	  NULL },
	{ "pc alias",
	  "x86_64",
	  "pc",
	  GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  "Intel",
	  "pc-i440fx-10.2",
	  33,
	  { R("ram-below-4g", 0, 0x3fffffff) },
	  "alias" },
	{ "unknown vendor near the HT hole",
	  "x86_64",
	  "pc-q35-8.2",
	  1536 * GiB,
	  0,
	  0,
	  1,
	  0,
	  0,
	  { 0 },
	  NULL,
	  "pc-q35-8.2",
	  41,
	  { R("ram-above-4g", 4 * GiB, 1538 * GiB - 1) },
	  "vendor unknown" },
	/* a CPU with fewer physical address bits than the map needs: QEMU 7.2
	 * (qemu-system-x86_64 -M pc-q35-7.2 -m 8G -cpu qemu64,phys-bits=35)
	 * refuses with "Address space limit 0x7ffffffff < 0xa7fffffff
	 * phys-bits too low (35)" and starts with 36 */
	{ "q35-7.2 8 GiB, 35 bits",
	  "x86_64",
	  "pc-q35-7.2",
	  8 * GiB,
	  0,
	  0,
	  1,
	  0,
	  35,
	  { 0 },
	  "Intel",
	  "pc-q35-7.2",
	  36,
	  { R("ram-above-4g", 0x100000000, 0x27fffffff),
	    R("pcie-mmio-high", 0x280000000, 0xa7fffffff) },
	  "the map ends at 0xa80000000, above the CPU's 35 physical address bits" },
};

static MmDomain *make_domain(const LayoutCase *c, uint64_t *cells)
{
	MmDomain *d = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(d);
	d->arch = strdup(c->arch);
	d->machine = strdup(c->machine);
	d->memory = c->memory;
	d->max_memory = c->max_memory;
	d->max_memory_slots = c->slots;
	d->vcpus = c->vcpus;
	d->gic_version = c->gic;
	/* pa_bits: <maxphysaddr> on x86; on aarch64 the KVM IPA limit of the
	 * hosts (hw/arm/virt.c virt_kvm_type() lays the map out for it) */
	if (strcmp(c->arch, "aarch64") == 0) {
		d->kvm = c->pa_bits != 0;
		d->kvm_ipa_bits = c->pa_bits;
	} else
		d->maxphysaddr_bits = c->pa_bits;
	d->cpu_vendor = c->vendor ? strdup(c->vendor) : NULL;
	for (size_t i = 0; i < ELEMENTSOF(c->cells) && c->cells[i]; i++) {
		cells[i] = c->cells[i];
		d->n_numa_cells = i + 1;
	}
	if (d->n_numa_cells) {
		d->numa_cells = calloc(d->n_numa_cells, sizeof(uint64_t));
		memcpy(d->numa_cells, cells, d->n_numa_cells * sizeof(uint64_t));
	}
	return d;
}

/* A domain of one vCPU with an Intel CPU (GICv3 on aarch64) and memory
 * bytes of RAM on machine. */
static MmDomain *simple_domain(const char *arch, const char *machine, uint64_t memory)
{
	LayoutCase c = { .arch = arch,
			 .machine = machine,
			 .memory = memory,
			 .vcpus = 1,
			 .gic = 3,
			 .vendor = "Intel" };
	uint64_t cells[4];
	return make_domain(&c, cells);
}

/* d laid out; the test fails with the reason when it does not lay out. */
static MmGuestLayout *lay_out(const MmDomain *d)
{
	MmGuestLayout *l = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_layout_compute(d, &l, &err) == 0, "%s: %s", d->machine, err.message);
	return l;
}

START_TEST(test_layout)
{
	const LayoutCase *c = &cases[_i];
	uint64_t cells[4];
	_cleanup_(mm_domain_freep) MmDomain *d = make_domain(c, cells);
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError err = { 0 };

	ck_assert_msg(mm_layout_compute(d, &l, &err) == 0, "%s: %s", c->what, err.message);
	ck_assert_str_eq(l->machine, c->resolved);
	ck_assert_str_eq(l->arch, c->arch);
	ck_assert_msg(l->phys_bits == c->phys_bits, "%s: %u bits, want %u", c->what, l->phys_bits,
		      c->phys_bits);

	/* sorted, and the regions never overlap */
	for (size_t i = 1; i < l->n_regions; i++)
		ck_assert_msg(l->regions[i].start > l->regions[i - 1].end, "%s: %s overlaps %s",
			      c->what, l->regions[i].kind, l->regions[i - 1].kind);

	for (size_t k = 0; k < ELEMENTSOF(c->regions) && c->regions[k].kind; k++) {
		const char *kind = c->regions[k].kind;
		size_t want = 0, got = 0;
		for (size_t j = 0; j < ELEMENTSOF(c->regions) && c->regions[j].kind; j++)
			if (strcmp(c->regions[j].kind, kind) == 0 && c->regions[j].end)
				want++;
		for (size_t i = 0; i < l->n_regions; i++) {
			if (strcmp(l->regions[i].kind, kind) != 0)
				continue;
			got++;
		}
		ck_assert_msg(got == want, "%s: %zu %s regions, want %zu", c->what, got, kind,
			      want);
		if (!c->regions[k].end)
			continue; /* "none of this kind" */
		bool found = false;
		for (size_t i = 0; i < l->n_regions && !found; i++)
			found = strcmp(l->regions[i].kind, kind) == 0 &&
				l->regions[i].start == c->regions[k].start &&
				l->regions[i].end == c->regions[k].end &&
				l->regions[i].node == c->regions[k].node;
		ck_assert_msg(found, "%s: no %s 0x%" PRIx64 "-0x%" PRIx64, c->what, kind,
			      c->regions[k].start, c->regions[k].end);
	}
	if (!c->warning)
		ck_assert_msg(l->n_warnings == 0, "%s: warning '%s'", c->what,
			      l->n_warnings ? l->warnings[0] : "");
	else {
		bool found = false;
		for (size_t i = 0; i < l->n_warnings; i++)
			found = found || strstr(l->warnings[i], c->warning);
		ck_assert_msg(found, "%s: no warning with '%s'", c->what, c->warning);
	}
}
END_TEST

typedef struct BadLayout {
	const char *arch, *machine;
	uint64_t memory, max_memory;
	unsigned slots, pa_bits;
	const char *message;
} BadLayout;

static const BadLayout bad_layouts[] = {
	{ "aarch64", "virt-2.5", GiB, 0, 0, 0, "not modelled" },
	{ "aarch64", "virt-7.3", GiB, 0, 0, 0, "not modelled" },
	{ "aarch64", "virt-7.2x", GiB, 0, 0, 0, "not modelled" },
	{ "aarch64", "virt-", GiB, 0, 0, 0, "not modelled" },
	{ "aarch64", "sbsa-ref", GiB, 0, 0, 0, "not modelled" },
	{ "x86_64", "pc-i440fx-rhel6.6.0", GiB, 0, 0, 0, "not modelled" },
	{ "x86_64", "pc-q35-lucid", GiB, 0, 0, 0, "not modelled" },
	/* gone from Ubuntu 22.04 and later; Ubuntu defines no virt-CODENAME */
	{ "x86_64", "pc-i440fx-utopic", GiB, 0, 0, 0, "not modelled" },
	{ "aarch64", "virt-noble", GiB, 0, 0, 0, "not modelled" },
	{ "x86_64", "pc-q35-noble-hpbx", GiB, 0, 0, 0, "not modelled" },
	{ "x86_64", "pc-q35-rhel", GiB, 0, 0, 0, "not modelled" },
	{ "x86_64", "pc-i440fx-2.0", 4 * GiB, 8 * GiB, 2, 0, "before 2.1" },
	{ "x86_64", "pc-q35-2.3", GiB, 0, 0, 0, "not modelled" },
	{ "x86_64", "virt-7.2", GiB, 0, 0, 0, "is for aarch64" },
	{ "aarch64", "q35", GiB, 0, 0, 0, "is for x86_64" },
	{ "aarch64", "virt-7.2", 2048 * GiB, 0, 0, 40,
	  "above the 40-bit IPA limit (the hosts' KVM" },
	{ "aarch64", "virt-7.2", GiB, UINT64_MAX - 4095, 4, 0, "64 bits" },
	{ "x86_64", "pc-q35-7.2", GiB, UINT64_MAX - 4095, 4, 0, "64 bits" },
	{ "aarch64", NULL, GiB, 0, 0, 0, "no machine" },
	/* maxMemory near 2^64: each step of QEMU's pc_memory_init() arithmetic
	 * (device memory, its slots, the 64-bit hole after it) overflows */
	{ "x86_64", "pc-q35-7.2", GiB, 0xffffffff00000000, 1, 0, "64 bits" },
	{ "x86_64", "pc-q35-7.2", GiB, 0xfffffffefffff000, 1, 0, "64 bits" },
	{ "x86_64", "pc-q35-7.2", GiB, 0xfffffffec0000000, 1, 0, "64 bits" },
	{ "x86_64", "pc-q35-7.2", 0xfffffffec0000000, 0xfffffffec0001000, 1, 0, "64 bits" },
	{ "x86_64", "pc-q35-7.2", 0xfffffffffffff000, 0, 0, 0, "64 bits" },
	/* and of hw/arm/virt.c virt_set_memmap()/virt_set_high_memmap(): RAM
	 * from 1 GiB, device memory after it, the high regions on top */
	{ "aarch64", "virt-7.2", 0xffffffffc0100000, 0, 0, 0, "64 bits" },
	{ "aarch64", "virt-7.2", 0xffffffff80100000, 0, 0, 0, "64 bits" },
	{ "aarch64", "virt-7.2", GiB, 0xffffffffff000000, 1, 0, "64 bits" },
	{ "aarch64", "virt-7.2", GiB, 0xffffffff00000000, 1, 0, "64 bits" },
};

START_TEST(test_bad_layout)
{
	const BadLayout *b = &bad_layouts[_i];
	_cleanup_(mm_domain_freep) MmDomain *d = calloc(1, sizeof(*d));
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError err = { 0 };
	d->arch = strdup(b->arch);
	d->machine = b->machine ? strdup(b->machine) : NULL;
	d->memory = b->memory;
	d->max_memory = b->max_memory;
	d->max_memory_slots = b->slots;
	d->kvm = true;
	d->kvm_ipa_bits = b->pa_bits;
	d->vcpus = 1;
	d->gic_version = 3;
	ck_assert_int_lt(mm_layout_compute(d, &l, &err), 0);
	ck_assert_ptr_null(l);
	ck_assert_msg(strstr(err.message, b->message), "case %d: '%s' lacks '%s'", _i, err.message,
		      b->message);
}
END_TEST

/* RAM of 2^64 - 2^39 bytes fits above 4 GiB, but not above 1 TiB, where
 * QEMU 7.1+ moves it for an AMD CPU (pc_set_amd_above_4g_mem_start()):
 * the EPYC guest is refused, the same Intel guest laid out. */
START_TEST(test_amd_1tb_overflow)
{
	static const char *const models[] = { "EPYC-Milan", "Skylake-Server" };
	char xml[512];
	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>huge</name>"
		 "<memory unit='KiB'>18014397972611072</memory><vcpu>1</vcpu>"
		 "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
		 "<cpu mode='custom'><model>%s</model></cpu></domain>",
		 models[_i]);
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), "huge.xml", &d, &err), 0);
	int r = mm_layout_compute(d, &l, &err);
	if (_i == 0) {
		ck_assert_int_lt(r, 0);
		ck_assert_ptr_null(l);
		ck_assert_msg(strstr(err.message, "does not fit in 64 bits"), "'%s'", err.message);
	} else {
		ck_assert_int_eq(r, 0);
		ck_assert_uint_eq(l->phys_bits, 64);
	}
}
END_TEST

/* every modelled machine lays out a small and a large guest without
 * overlaps, and its regions stay in order */
START_TEST(test_fixture_domains)
{
	static const struct {
		const char *file, *machine;
		const char *kind;
		uint64_t start, end;
		int node;
	} fixtures[] = {
		{ "arm64-virt72-uefi.xml", "virt-7.2", "ram", 0x40000000, 0x13fffffff, -1 },
		/* NUMA cells 2 + 2 GiB, then device memory from 5 GiB: 16 - 4 GiB
		 * plus 4 slots */
		{ "arm64-numa-dimm.xml", "virt-6.2", "ram", 0xc0000000, 0x13fffffff, 1 },
		{ "arm64-numa-dimm.xml", "virt-6.2", "device-memory", 0x140000000, 0x53fffffff,
		  -1 },
		{ "arm64-numa-dimm.xml", "virt-6.2", "smmu", 0x09050000, 0x0906ffff, -1 },
		{ "x86-q35-epyc-2t.xml", "pc-q35-7.2", "ram-above-4g", TiB, TiB + 2046 * GiB - 1,
		  -1 },
		{ "x86-q35-intel-numa.xml", "pc-q35-7.1", "device-memory", 0x480000000,
		  0x127fffffff, -1 },
		{ "x86-i440fx-old.xml", "pc-i440fx-2.11", "ram-below-4g", 0, 0x3fffffff, -1 },
		{ "arm64-alias-gicv2.xml", "virt-10.2", "gic-cpu", 0x08010000, 0x0801ffff, -1 },
	};
	for (size_t i = 0; i < ELEMENTSOF(fixtures); i++) {
		char rel[256], buf[1024];
		size_t len;
		snprintf(rel, sizeof(rel), "domains/%s", fixtures[i].file);
		_cleanup_free_ char *xml = tu_read(tu_data_path(rel), &len);
		_cleanup_(mm_domain_freep) MmDomain *d = NULL;
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_domain_parse_xml(xml, len, fixtures[i].file, &d, &err), 0);
		ck_assert_msg(mm_layout_compute(d, &l, &err) == 0, "%s: %s", fixtures[i].file,
			      mm_error_format(&err, buf, sizeof(buf)));
		ck_assert_str_eq(l->machine, fixtures[i].machine);
		bool found = false;
		for (size_t k = 0; k < l->n_regions && !found; k++)
			found = strcmp(l->regions[k].kind, fixtures[i].kind) == 0 &&
				l->regions[k].start == fixtures[i].start &&
				l->regions[k].end == fixtures[i].end &&
				l->regions[k].node == fixtures[i].node;
		ck_assert_msg(found, "%s: no %s 0x%" PRIx64 "-0x%" PRIx64, fixtures[i].file,
			      fixtures[i].kind, fixtures[i].start, fixtures[i].end);
	}
}
END_TEST

START_TEST(test_json)
{
	static const char want[] = "{\n"
				   "  \"machine\": \"virt-7.2\",\n"
				   "  \"arch\": \"aarch64\",\n"
				   "  \"physBits\": 40,\n"
				   "  \"regions\": [\n";
	LayoutCase c = cases[12]; /* virt-7.2 NUMA */
	uint64_t cells[4];
	_cleanup_(mm_domain_freep) MmDomain *d = make_domain(&c, cells);
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	_cleanup_free_ char *json = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
	ck_assert_int_eq(mm_layout_format_json(l, &json), 0);
	ck_assert_msg(strncmp(json, want, strlen(want)) == 0, "%s", json);
	ck_assert_ptr_nonnull(strstr(json, "{\n      \"kind\": \"ram\",\n      \"block\": "
					   "\"mach-virt.ram\",\n      \"class\": \"dma\",\n"
					   "      \"start\": \"0xc0000000\",\n      \"end\": "
					   "\"0x23fffffff\",\n      \"node\": 1\n    }"));
	ck_assert_ptr_nonnull(strstr(json, "\"warnings\": [\n  ]\n}\n"));
}
END_TEST

/* every machine version modelled gives a layout for a few sizes */
START_TEST(test_all_versions)
{
	static const char *const virt[] = { "2.11", "2.12", "3.0",  "3.1", "4.0", "4.1", "4.2",
					    "5.0",  "5.1",  "5.2",  "6.0", "6.1", "6.2", "7.0",
					    "7.1",  "7.2",  "8.0",  "8.1", "8.2", "9.0", "9.1",
					    "9.2",  "10.0", "10.1", "10.2" };
	static const uint64_t sizes[] = { 128 * MiB, 2816 * MiB, 3584 * MiB, 200 * GiB,
					  1536 * GiB };
	for (size_t i = 0; i < ELEMENTSOF(virt); i++) {
		for (size_t f = 0; f < 3; f++) {
			char machine[64];
			static const char *const prefix[] = { "virt-", "pc-q35-", "pc-i440fx-" };
			snprintf(machine, sizeof(machine), "%s%s", prefix[f], virt[i]);
			for (size_t s = 0; s < ELEMENTSOF(sizes); s++) {
				LayoutCase c = { .arch = f ? "x86_64" : "aarch64",
						 .machine = machine,
						 .memory = sizes[s],
						 .max_memory = 2 * sizes[s],
						 .slots = 2,
						 .vcpus = 1,
						 .gic = 3,
						 .vendor = s % 2 ? "AMD" : "Intel" };
				uint64_t cells[4];
				_cleanup_(mm_domain_freep) MmDomain *d = make_domain(&c, cells);
				_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
				MmError err = { 0 };
				ck_assert_msg(mm_layout_compute(d, &l, &err) == 0, "%s: %s",
					      machine, err.message);
				for (size_t k = 1; k < l->n_regions; k++)
					ck_assert_msg(l->regions[k].start > l->regions[k - 1].end,
						      "%s %" PRIu64 ": %s overlaps %s", machine,
						      sizes[s], l->regions[k].kind,
						      l->regions[k - 1].kind);
				uint64_t top = l->regions[l->n_regions - 1].end;
				ck_assert_uint_ge(l->phys_bits,
						  64 - (unsigned)__builtin_clzll(top));
			}
		}
	}
}
END_TEST

/* Machine types QEMU 8.0 to 11, RHEL 8 to 10 and Ubuntu 22.04 to 26.04 ship
 * (their `qemu-system-* -machine help` / `qemu-kvm -machine help`): each
 * lays out, as the base expected. Distribution rows: RHEL's from the
 * compat level qemu-kvm's machine definitions name (OpenELA's dist-git
 * copy), Ubuntu's from its define-ubuntu-machine-types patch as 24.04
 * carries it, quirks included (lib/layout.c names both); a warning names
 * the type and the base whenever the base is assumed. hpb: the type turns
 * host-phys-bits on (Ubuntu's -hpb types, and every RHEL x86 type, which
 * also limits it to 48 bits). */
static const struct {
	const char *arch, *machine, *base;
	bool hpb;
} shipped[] = {
	{ "x86_64", "pc-q35-11.0", "pc-q35-10.2", false },
	{ "x86_64", "pc-i440fx-11.0", "pc-i440fx-10.2", false },
	{ "aarch64", "virt-11.0", "virt-10.2", false },
	{ "aarch64", "virt-2.6", "virt-2.6", false },
	{ "x86_64", "pc-i440fx-1.4", "pc-i440fx-1.4", false },
	/* RHEL 8 */
	{ "x86_64", "pc-i440fx-rhel7.0.0", "pc-i440fx-1.5", true },
	{ "x86_64", "pc-i440fx-rhel7.6.0", "pc-i440fx-2.12", true },
	{ "x86_64", "pc-q35-rhel7.3.0", "pc-q35-2.6", true },
	{ "x86_64", "pc-q35-rhel7.6.0", "pc-q35-2.12", true },
	{ "x86_64", "pc-q35-rhel8.0.0", "pc-q35-3.1", true },
	{ "x86_64", "pc-q35-rhel8.1.0", "pc-q35-4.1", true },
	{ "x86_64", "pc-q35-rhel8.2.0", "pc-q35-4.2", true },
	{ "x86_64", "pc-q35-rhel8.3.0", "pc-q35-5.1", true },
	{ "x86_64", "pc-q35-rhel8.4.0", "pc-q35-5.2", true },
	{ "x86_64", "pc-q35-rhel8.5.0", "pc-q35-6.0", true },
	{ "x86_64", "pc-q35-rhel8.6.0", "pc-q35-6.2", true },
	{ "aarch64", "virt-rhel8.6.0", "virt-6.2", false },
	/* RHEL 9 */
	{ "x86_64", "pc-q35-rhel9.0.0", "pc-q35-6.2", true },
	{ "x86_64", "pc-q35-rhel9.2.0", "pc-q35-7.2", true },
	{ "x86_64", "pc-q35-rhel9.4.0", "pc-q35-8.2", true },
	{ "x86_64", "pc-q35-rhel9.6.0", "pc-q35-9.1", true },
	{ "x86_64", "pc-q35-rhel9.8.0", "pc-q35-10.1", true },
	{ "aarch64", "virt-rhel9.0.0", "virt-6.2", false },
	{ "aarch64", "virt-rhel9.2.0", "virt-7.2", false },
	{ "aarch64", "virt-rhel9.4.0", "virt-8.2", false },
	{ "aarch64", "virt-rhel9.6.0", "virt-9.1", false },
	{ "aarch64", "virt-rhel9.8.0", "virt-10.1", false },
	/* RHEL 10 */
	{ "x86_64", "pc-q35-rhel10.0.0", "pc-q35-9.1", true },
	{ "x86_64", "pc-q35-rhel10.1.0", "pc-q35-10.0", true },
	{ "x86_64", "pc-q35-rhel10.2.0", "pc-q35-10.1", true },
	{ "aarch64", "virt-rhel10.0.0", "virt-9.1", false },
	{ "aarch64", "virt-rhel10.2.0", "virt-10.1", false },
	/* a RHEL release newer than the table: its major's last row */
	{ "x86_64", "pc-q35-rhel10.4.0", "pc-q35-10.1", true },
	{ "x86_64", "pc-q35-rhel9.10.0", "pc-q35-10.1", true },
	/* Ubuntu 22.04 .. 26.04: every codename their QEMU registers */
	{ "x86_64", "pc-q35-xenial", "pc-q35-2.5", false },
	{ "x86_64", "pc-q35-yakkety", "pc-q35-2.6", false },
	{ "x86_64", "pc-q35-zesty", "pc-q35-2.8", false },
	{ "x86_64", "pc-q35-artful", "pc-q35-2.10", false },
	{ "x86_64", "pc-q35-bionic", "pc-q35-2.11", false },
	{ "x86_64", "pc-q35-bionic-hpb", "pc-q35-2.11", true },
	{ "x86_64", "pc-q35-cosmic", "pc-q35-2.11", false },
	{ "x86_64", "pc-q35-cosmic-hpb", "pc-q35-2.12", true },
	{ "x86_64", "pc-i440fx-cosmic", "pc-i440fx-2.12", false },
	{ "x86_64", "pc-q35-disco", "pc-q35-3.1", false },
	{ "x86_64", "pc-q35-eoan-hpb", "pc-q35-4.0", true },
	{ "x86_64", "pc-q35-focal", "pc-q35-4.2", false },
	{ "x86_64", "pc-i440fx-focal", "pc-i440fx-4.0", false },
	{ "x86_64", "pc-i440fx-focal-hpb", "pc-i440fx-4.0", true },
	{ "x86_64", "pc-q35-groovy", "pc-q35-5.0", false },
	{ "x86_64", "pc-q35-hirsute", "pc-q35-5.2", false },
	{ "x86_64", "pc-q35-hirsute-hpb", "pc-q35-5.2", true },
	{ "x86_64", "pc-i440fx-hirsute-hpb", "pc-i440fx-5.1", true },
	{ "x86_64", "pc-q35-impish-hpb", "pc-q35-6.0", true },
	{ "x86_64", "pc-q35-jammy", "pc-q35-6.2", false },
	{ "x86_64", "pc-q35-jammy-hpb", "pc-q35-6.2", true },
	{ "x86_64", "pc-q35-jammy-maxcpus", "pc-q35-6.2", false },
	{ "x86_64", "pc-q35-jammy-hpb-maxcpus", "pc-q35-6.2", true },
	{ "x86_64", "pc-q35-kinetic", "pc-q35-7.0", false },
	{ "x86_64", "pc-q35-lunar-hpb", "pc-q35-7.2", true },
	{ "x86_64", "pc-q35-mantic", "pc-q35-8.0", false },
	{ "x86_64", "pc-q35-mantic-hpb-maxcpus", "pc-q35-8.0", true },
	{ "x86_64", "pc-q35-noble", "pc-q35-8.2", false },
	{ "x86_64", "pc-q35-noble-v2", "pc-q35-8.2", false },
	{ "x86_64", "pc-q35-oracular", "pc-q35-9.0", false },
	{ "x86_64", "pc-q35-plucky", "pc-q35-9.2", false },
	{ "x86_64", "pc-q35-questing", "pc-q35-10.1", false },
	{ "x86_64", "pc-q35-resolute", "pc-q35-10.2", false },
	{ "x86_64", "ubuntu-q35", "pc-q35-10.2", false },
	{ "x86_64", "pc-i440fx-trusty", "pc-i440fx-2.0", false },
	{ "x86_64", "pc-i440fx-wily", "pc-i440fx-2.4", false },
	{ "x86_64", "pc-i440fx-xenial", "pc-i440fx-2.5", false },
	{ "x86_64", "pc-i440fx-jammy-hpb", "pc-i440fx-6.2", true },
	{ "x86_64", "pc-i440fx-noble", "pc-i440fx-8.2", false },
	{ "x86_64", "pc-i440fx-resolute", "pc-i440fx-10.2", false },
	{ "x86_64", "ubuntu", "pc-i440fx-10.2", false },
};

START_TEST(test_shipped)
{
	LayoutCase c = { .arch = shipped[_i].arch,
			 .machine = shipped[_i].machine,
			 .memory = 4 * GiB,
			 .vcpus = 1,
			 .gic = 3,
			 .vendor = "Intel" };
	uint64_t cells[4];
	_cleanup_(mm_domain_freep) MmDomain *d = make_domain(&c, cells);
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_layout_compute(d, &l, &err) == 0, "%s: %s", c.machine, err.message);
	ck_assert_str_eq(l->machine, shipped[_i].base);
	ck_assert_int_eq(l->host_phys_bits, shipped[_i].hpb);
	/* RHEL's pc_rhel_compat: host-phys-bits-limit=48 */
	ck_assert_uint_eq(l->host_phys_bits_limit,
			  strstr(c.machine, "-rhel") && shipped[_i].hpb ? 48 : 0);
	if (strcmp(shipped[_i].machine, shipped[_i].base) != 0) {
		bool named = false;
		for (size_t i = 0; i < l->n_warnings; i++)
			named = named || (strstr(l->warnings[i], shipped[_i].machine) &&
					  strstr(l->warnings[i], shipped[_i].base));
		ck_assert_msg(named, "%s: no warning names it and %s", c.machine, shipped[_i].base);
	}
}
END_TEST

/* RHEL 7 types that differ from their base (lib/layout.c, from RHEL 8's
 * qemu-kvm): pc-i440fx-rhel7.0.0 aligns low RAM at 3 GiB where
 * pc-i440fx-1.5 ends it at 3.5 GiB; pc-i440fx-rhel7.5.0 has the 64-bit
 * hole fix of 2.12, so its window is listed where pc-i440fx-2.10's is not */
START_TEST(test_rhel7_quirks)
{
	static const struct {
		const char *machine, *kind;
		uint64_t start, end; /* end 0: no such region */
	} q[] = {
		{ "pc-i440fx-rhel7.0.0", "ram-below-4g", 0, 0xbfffffff },
		{ "pc-i440fx-1.5", "ram-below-4g", 0, 0xdfffffff },
		{ "pc-i440fx-rhel7.5.0", "pci-mmio-high", 0x140000000, 0x1bfffffff },
		{ "pc-i440fx-2.10", "pci-mmio-high", 0, 0 },
		{ "pc-i440fx-rhel7.4.0", "pci-mmio-high", 0, 0 },
	};
	for (size_t i = 0; i < ELEMENTSOF(q); i++) {
		_cleanup_(mm_domain_freep) MmDomain *d =
			simple_domain("x86_64", q[i].machine, 4 * GiB);
		_cleanup_(mm_layout_freep) MmGuestLayout *l = lay_out(d);
		const MmGuestRegion *r = NULL;
		for (size_t k = 0; k < l->n_regions; k++)
			if (strcmp(l->regions[k].kind, q[i].kind) == 0)
				r = &l->regions[k];
		if (!q[i].end) {
			ck_assert_msg(!r, "%s: has %s", q[i].machine, q[i].kind);
			continue;
		}
		ck_assert_msg(r, "%s: no %s", q[i].machine, q[i].kind);
		ck_assert_msg(r->start == q[i].start && r->end == q[i].end,
			      "%s: %s 0x%" PRIx64 "-0x%" PRIx64, q[i].machine, q[i].kind, r->start,
			      r->end);
	}
}
END_TEST

/* The physical address bits an x86 guest gets (lib/check.c, docs/design.md
 * §7): libvirt's <maxphysaddr> as QEMU's CPU properties, and the machine
 * types that keep host-phys-bits on (RHEL: limited to 48), where QEMU lets
 * it win over phys-bits. */
START_TEST(test_guest_phys_bits)
{
	static const struct {
		const char *machine, *cpu_mode, *mode;
		unsigned bits, limit, host, want;
	} g[] = {
		{ "pc-q35-9.2", NULL, NULL, 0, 0, 46, 40 },
		{ "pc-q35-9.2", "host-passthrough", NULL, 0, 0, 46, 46 },
		{ "pc-q35-9.2", NULL, "emulate", 39, 0, 46, 39 },
		{ "pc-q35-9.2", "host-passthrough", "emulate", 0, 0, 46, 40 },
		{ "pc-q35-9.2", NULL, "passthrough", 0, 39, 46, 39 },
		{ "pc-q35-rhel9.6.0", NULL, NULL, 0, 0, 46, 46 },
		{ "pc-q35-rhel9.6.0", NULL, NULL, 0, 0, 52, 48 },
		{ "pc-q35-rhel9.6.0", NULL, "emulate", 39, 0, 46, 46 },
		{ "pc-q35-rhel9.6.0", NULL, "emulate", 0, 0, 46, 40 },
		{ "pc-q35-rhel9.6.0", NULL, "passthrough", 0, 39, 46, 39 },
		{ "pc-q35-jammy-hpb", NULL, "emulate", 39, 0, 52, 52 },
	};
	for (size_t i = 0; i < ELEMENTSOF(g); i++) {
		_cleanup_(mm_domain_freep) MmDomain *d = simple_domain("x86_64", g[i].machine, GiB);
		d->cpu_mode = g[i].cpu_mode ? strdup(g[i].cpu_mode) : NULL;
		d->maxphysaddr_mode = g[i].mode ? strdup(g[i].mode) : NULL;
		d->maxphysaddr_bits = g[i].bits;
		d->maxphysaddr_limit = g[i].limit;
		_cleanup_(mm_layout_freep) MmGuestLayout *l = lay_out(d);
		MmHostMap h = { .phys_bits = g[i].host };
		ck_assert_msg(mm_check_guest_phys_bits(l, d, &h) == g[i].want, "row %zu: %u bits",
			      i, mm_check_guest_phys_bits(l, d, &h));
	}
}
END_TEST

/* every upstream version QEMU 8.0 to 11.0 registers for virt, pc-q35 and
 * pc-i440fx (virt-2.6, pc-q35-2.4 and pc-i440fx-1.4 are the oldest QEMU 8.0
 * registers; pc-q35-4.0.1 is the one three-part name) */
START_TEST(test_shipped_upstream)
{
	static const char *const versions[] = {
		"1.4", "1.5", "1.6", "1.7",  "2.0",  "2.1",  "2.2",  "2.3",  "2.4",  "2.5",   "2.6",
		"2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "3.0",  "3.1",  "4.0",  "4.0.1", "4.1",
		"4.2", "5.0", "5.1", "5.2",  "6.0",  "6.1",  "6.2",  "7.0",  "7.1",  "7.2",   "8.0",
		"8.1", "8.2", "9.0", "9.1",  "9.2",  "10.0", "10.1", "10.2", "11.0",
	};
	static const struct {
		const char *arch, *prefix, *oldest;
	} fams[] = {
		{ "aarch64", "virt-", "2.6" },
		{ "x86_64", "pc-q35-", "2.4" },
		{ "x86_64", "pc-i440fx-", "1.4" },
	};
	for (size_t f = 0; f < ELEMENTSOF(fams); f++) {
		bool on = false;
		for (size_t i = 0; i < ELEMENTSOF(versions); i++) {
			char machine[64];
			on = on || strcmp(versions[i], fams[f].oldest) == 0;
			if (!on || (strcmp(versions[i], "4.0.1") == 0 && f != 1))
				continue;
			snprintf(machine, sizeof(machine), "%s%s", fams[f].prefix, versions[i]);
			LayoutCase c = { .arch = fams[f].arch,
					 .machine = machine,
					 .memory = 4 * GiB,
					 .vcpus = 1,
					 .gic = 3,
					 .vendor = "AMD" };
			uint64_t cells[4];
			_cleanup_(mm_domain_freep) MmDomain *d = make_domain(&c, cells);
			_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
			MmError err = { 0 };
			ck_assert_msg(mm_layout_compute(d, &l, &err) == 0, "%s: %s", machine,
				      err.message);
		}
	}
}
END_TEST

/* the intel vIOMMU's default width on pc-q35-9.2 is the QEMU version's:
 * 39 with QEMU 9.2, 48 from QEMU 10.0 (commit 81ab964f, pc_compat_9_1);
 * unknown: the newest assumed, with a note */
START_TEST(test_viommu_qemu_version)
{
	static const struct {
		const char *machine;
		unsigned long qemu;
		unsigned bits;
		bool warns;
	} v[] = {
		{ "pc-q35-9.2", 9002000, 39, false }, { "pc-q35-9.2", 10000000, 48, false },
		{ "pc-q35-9.2", 0, 48, true },        { "pc-q35-9.1", 0, 39, false },
		{ "pc-q35-10.0", 0, 48, false },      { "pc-q35-rhel9.6.0", 0, 39, false },
		{ "pc-q35-rhel9.8.0", 0, 48, false },
	};
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		LayoutCase c = {
			.arch = "x86_64", .machine = v[i].machine, .memory = GiB, .vcpus = 1
		};
		uint64_t cells[4];
		_cleanup_(mm_domain_freep) MmDomain *d = make_domain(&c, cells);
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		MmError err = { 0 };
		d->iommu_model = strdup("intel");
		d->qemu_version = v[i].qemu;
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
		ck_assert_uint_eq(l->viommu_bits, v[i].bits);
		bool warned = false;
		for (size_t k = 0; k < l->n_warnings; k++)
			warned = warned || strstr(l->warnings[k], "QEMU version unknown");
		ck_assert_int_eq(warned, v[i].warns);
	}
}
END_TEST

/* KVM's stolen-time RAM at 0x090a0000 (hw/arm/virt.c base_memmap[]
 * VIRT_PVTIME, 64 KiB): a DMA region under KVM from virt-5.2 on */
START_TEST(test_pvtime)
{
	static const struct {
		const char *machine;
		bool kvm, present;
	} v[] = { { "virt-7.2", true, true },
		  { "virt-5.1", true, false },
		  { "virt-7.2", false, false } };
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		LayoutCase c = { .arch = "aarch64",
				 .machine = v[i].machine,
				 .memory = GiB,
				 .vcpus = 1,
				 .gic = 3 };
		uint64_t cells[4];
		_cleanup_(mm_domain_freep) MmDomain *d = make_domain(&c, cells);
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		MmError err = { 0 };
		d->kvm = v[i].kvm;
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
		bool found = false;
		for (size_t k = 0; k < l->n_regions; k++)
			if (strcmp(l->regions[k].kind, "pvtime") == 0) {
				found = true;
				ck_assert_uint_eq(l->regions[k].start, 0x090a0000);
				ck_assert_uint_eq(l->regions[k].end, 0x090affff);
				ck_assert_int_eq(l->regions[k].cls, MM_REGION_DMA);
			}
		ck_assert_int_eq(found, v[i].present);
	}
}
END_TEST

/* virt under TCG takes its IPA size from the CPU model (ID_AA64MMFR0
 * PARange: cortex-a53 40 bits, cortex-a57 44, target/arm/cpu64.c); the
 * first redistributor region (hw/arm/virt.c VIRT_GIC_REDIST, 0xf60000
 * bytes of 128 KiB GICv3 frames) holds 123 vCPUs, more need the second
 * one at 256 GiB (VIRT_HIGH_GIC_REDIST2, 64 MiB), which must fit the IPA
 * size; QEMU 7.2 starts -M virt-7.2 -cpu cortex-a53 -smp 200 -m 1G. A
 * NUMA node without memory has no RAM block. */
static MmDomain *virt_domain(const char *cpu, unsigned vcpus, uint64_t memory)
{
	MmDomain *d = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(d);
	d->arch = strdup("aarch64");
	d->machine = strdup("virt-7.2");
	d->cpu_model = cpu ? strdup(cpu) : NULL;
	d->memory = memory;
	d->vcpus = vcpus;
	d->gic_version = 3;
	return d;
}

START_TEST(test_virt_tcg_limits)
{
	MmError err = { 0 };
	{
		_cleanup_(mm_domain_freep) MmDomain *d = virt_domain("cortex-a53", 200, GiB);
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
		bool redist2 = false;
		for (size_t i = 0; i < l->n_regions; i++)
			redist2 = redist2 || (strcmp(l->regions[i].kind, "gic-redist") == 0 &&
					      l->regions[i].start == 0x4000000000 &&
					      l->regions[i].end == 0x4003ffffff);
		ck_assert(redist2);
	}
	{
		/* RAM to 1 TiB puts the second region at 2^40 */
		_cleanup_(mm_domain_freep) MmDomain *d = virt_domain("cortex-a53", 200, 1023 * GiB);
		MmGuestLayout *l = NULL;
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), -ERANGE);
		ck_assert_ptr_null(l);
		ck_assert_msg(strstr(err.message,
				     "200 vCPUs need the high redistributor region, "
				     "which does not fit the 40-bit IPA limit (the CPU "
				     "model's physical address size)"),
			      "%s", err.message);
	}
	{
		_cleanup_(mm_domain_freep) MmDomain *d = virt_domain("cortex-a57", 1, 16 * TiB);
		MmGuestLayout *l = NULL;
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), -ERANGE);
		ck_assert_msg(strstr(err.message, "above the 44-bit IPA limit (the CPU model's"),
			      "%s", err.message);
	}
	{
		_cleanup_(mm_domain_freep) MmDomain *d = virt_domain("cortex-a57", 1, 2 * GiB);
		uint64_t cells[] = { GiB, 0, GiB };
		d->numa_cells = calloc(3, sizeof(uint64_t));
		memcpy(d->numa_cells, cells, sizeof(cells));
		d->n_numa_cells = 3;
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
		size_t n = 0;
		for (size_t i = 0; i < l->n_regions; i++) {
			if (strcmp(l->regions[i].kind, "ram") != 0)
				continue;
			ck_assert_uint_eq(l->regions[i].start, n ? 0x80000000 : 0x40000000);
			ck_assert_int_eq(l->regions[i].node, n ? 2 : 0);
			n++;
		}
		ck_assert_uint_eq(n, 2);
	}
}
END_TEST

/* What QEMU refuses before it lays anything out: an intel-iommu address
 * width other than 39 or 48 (QEMU 7.2: "Supported values for aw-bits are:
 * 39, 48"), a virtio-iommu one outside 32-64 (hw/virtio/virtio-iommu.c
 * realize), and memory devices that leave no initial RAM (libvirt's
 * qemuDomainDefValidateMemoryHotplug: <memory> includes them). */
START_TEST(test_refused_before_layout)
{
	static const struct {
		const char *arch, *machine, *iommu;
		unsigned aw;
		uint64_t dimm;
		const char *message;
	} rows[] = {
		{ "x86_64", "pc-q35-7.2", "intel", 40, 0,
		  "<iommu model='intel'> aw_bits 40: QEMU refuses the device" },
		{ "aarch64", "virt-9.2", "virtio", 31, 0,
		  "<iommu model='virtio'> aw_bits 31: QEMU refuses the device" },
		{ "x86_64", "pc-q35-7.2", NULL, 0, 4 * GiB,
		  "no initial memory left after the memory devices" },
	};
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		_cleanup_(mm_domain_freep) MmDomain *d = calloc(1, sizeof(*d));
		MmMemoryDevice dimm = { MM_MEMDEV_DIMM, rows[i].dimm, 0, false, 0 };
		d->arch = strdup(rows[i].arch);
		d->machine = strdup(rows[i].machine);
		d->memory = 4 * GiB;
		d->vcpus = 1;
		d->gic_version = 3;
		d->iommu_model = rows[i].iommu ? strdup(rows[i].iommu) : NULL;
		d->iommu_aw_bits = rows[i].aw;
		if (rows[i].dimm) {
			d->max_memory = 8 * GiB;
			d->max_memory_slots = 1;
			d->memory_devices = malloc(sizeof(dimm));
			d->memory_devices[0] = dimm;
			d->n_memory_devices = 1;
		}
		MmGuestLayout *l = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), -EINVAL);
		ck_assert_ptr_null(l);
		ck_assert_msg(strstr(err.message, rows[i].message), "row %zu: %s", i, err.message);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("layout");
	tcase_add_loop_test(tc, test_layout, 0, ELEMENTSOF(cases));
	tcase_add_loop_test(tc, test_bad_layout, 0, ELEMENTSOF(bad_layouts));
	tcase_add_loop_test(tc, test_amd_1tb_overflow, 0, 2);
	tcase_add_test(tc, test_fixture_domains);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_all_versions);
	tcase_add_loop_test(tc, test_shipped, 0, ELEMENTSOF(shipped));
	tcase_add_test(tc, test_rhel7_quirks);
	tcase_add_test(tc, test_guest_phys_bits);
	tcase_add_test(tc, test_shipped_upstream);
	tcase_add_test(tc, test_viommu_qemu_version);
	tcase_add_test(tc, test_pvtime);
	tcase_add_test(tc, test_virt_tcg_limits);
	tcase_add_test(tc, test_refused_before_layout);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
