/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probing fixture sysroots. Expected values are read off the kernels' own
 * files in tests/data/hosts/ (reserved_regions, /proc/iomem, cpuinfo); the
 * hand-made hosts' READMEs name the layouts they follow. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "probe-internal.h"
#include "testutil.h"

typedef struct ExpectReserved {
	const char *type;
	uint64_t start, end;
	uint32_t groups[8];
	size_t n_groups;
} ExpectReserved;

typedef struct ExpectHost {
	const char *host;
	const char *arch;
	unsigned phys_bits;
	size_t n_iommu_groups;
	ExpectReserved reserved[6];
	size_t n_reserved;
	MmRange ram_first, ram_last;
	size_t n_pci_windows;
	MmRange ecam;
	const char *warning; /* a substring one warning must hold, or NULL */
} ExpectHost;

#define ARM_MSI(...)                                            \
	{                                                       \
		"msi", 0x8000000, 0x80fffff, { __VA_ARGS__ },   \
			sizeof((uint32_t[]){ __VA_ARGS__ }) / 4 \
	}
#define X86_MSI(...)                                            \
	{                                                       \
		"msi", 0xfee00000, 0xfeefffff, { __VA_ARGS__ }, \
			sizeof((uint32_t[]){ __VA_ARGS__ }) / 4 \
	}

static const ExpectHost hosts[] = {
	{
		.host = "arm64-virt-smmuv3",
		.arch = "aarch64",
		.n_iommu_groups = 3,
		.reserved = { ARM_MSI(0, 1, 2) },
		.n_reserved = 1,
		.ram_first = { 0x40000000, 0xbfffffff },
		.ram_last = { 0x40000000, 0xbfffffff },
		.n_pci_windows = 2,
		.ecam = { 0x4010000000, 0x401fffffff },
	},
	{
		.host = "arm64-virt-acpi",
		.arch = "aarch64",
		.n_iommu_groups = 2,
		.reserved = { ARM_MSI(0, 1) },
		.n_reserved = 1,
		/* UEFI keeps pieces of RAM for itself: three System RAM entries */
		.ram_first = { 0x40000000, 0xbc43ffff },
		.ram_last = { 0xbffe0000, 0xbfffffff },
		.n_pci_windows = 2,
		.ecam = { 0x4010000000, 0x401fffffff },
	},
	{
		.host = "arm64-virt-noiommu",
		.arch = "aarch64",
		.n_iommu_groups = 0,
		.n_reserved = 0,
		.ram_first = { 0x40000000, 0xbfffffff },
		.ram_last = { 0x40000000, 0xbfffffff },
		.n_pci_windows = 2,
		.ecam = { 0x4010000000, 0x401fffffff },
		.warning = "this host cannot assign devices",
	},
	{
		.host = "x86-q35-vtd",
		.arch = "x86_64",
		.phys_bits = 40,
		.n_iommu_groups = 6,
		/* the ISA bridge's group keeps the low 16 MiB for legacy DMA */
		.reserved = { { "direct-relaxable", 0x0, 0xffffff, { 5 }, 1 },
			      X86_MSI(0, 1, 2, 3, 4, 5) },
		.n_reserved = 2,
		.ram_first = { 0x1000, 0x9fbff },
		.ram_last = { 0x100000, 0x7ffdefff },
		.n_pci_windows = 4, /* legacy VGA, two below 4 GiB, one above */
		.ecam = { 0xb0000000, 0xbfffffff },
	},
	{
		.host = "x86-q35-amdvi",
		.arch = "x86_64",
		.phys_bits = 40,
		.n_iommu_groups = 5,
		.reserved = { X86_MSI(0, 1, 2, 3, 4),
			      { "reserved", 0xfd00000000, 0xffffffffff, { 0, 1, 2, 3, 4 }, 5 } },
		.n_reserved = 2,
		.ram_first = { 0x1000, 0x9fbff },
		.ram_last = { 0x100000, 0x7ffdefff },
		.n_pci_windows = 4,
		.ecam = { 0xb0000000, 0xbfffffff },
	},
};

START_TEST(test_probe_fixture)
{
	const ExpectHost *e = &hosts[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(e->host, "h");

	ck_assert_str_eq(m->name, "h");
	ck_assert_str_eq(m->arch, e->arch);
	ck_assert_uint_eq(m->phys_bits, e->phys_bits);
	ck_assert_uint_eq(m->n_iommu_groups, e->n_iommu_groups);
	ck_assert_ptr_nonnull(m->kernel);
	ck_assert_uint_eq(m->n_reserved, e->n_reserved);
	for (size_t i = 0; i < e->n_reserved; i++) {
		const MmReserved *r = &m->reserved[i];
		ck_assert_str_eq(r->type, e->reserved[i].type);
		ck_assert_uint_eq(r->start, e->reserved[i].start);
		ck_assert_uint_eq(r->end, e->reserved[i].end);
		ck_assert_uint_eq(r->groups.n, e->reserved[i].n_groups);
		for (size_t k = 0; k < r->groups.n; k++)
			ck_assert_uint_eq(r->groups.ids[k], e->reserved[i].groups[k]);
	}
	ck_assert_uint_ge(m->ram.n, 1);
	ck_assert_uint_eq(m->ram.spans[0].start, e->ram_first.start);
	ck_assert_uint_eq(m->ram.spans[0].end, e->ram_first.end);
	ck_assert_uint_eq(m->ram.spans[m->ram.n - 1].start, e->ram_last.start);
	ck_assert_uint_eq(m->ram.spans[m->ram.n - 1].end, e->ram_last.end);
	ck_assert_uint_eq(m->pci_windows.n, e->n_pci_windows);
	ck_assert_uint_eq(m->ecam.n, 1);
	ck_assert_uint_eq(m->ecam.spans[0].start, e->ecam.start);
	ck_assert_uint_eq(m->ecam.spans[0].end, e->ecam.end);
	if (e->warning) {
		bool found = false;
		for (size_t i = 0; i < m->n_warnings; i++)
			found |= strstr(m->warnings[i], e->warning) != NULL;
		ck_assert_msg(found, "no warning with '%s'", e->warning);
	}
}
END_TEST

START_TEST(test_group_devices)
{
	/* x86-q35-vtd group 5: the ICH9 LPC/ISA bridge, SATA and SMBus */
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe("x86-q35-vtd", NULL);
	const MmGroup *g = mm_hostmap_find_group(m, 5);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(g->type, "DMA-FQ");
	ck_assert_uint_eq(g->n_devices, 3);
	ck_assert_str_eq(g->devices[0].bdf, "0000:00:1f.0");
	ck_assert(g->devices[0].has_ids);
	ck_assert_uint_eq(g->devices[0].vendor, 0x8086);
	ck_assert_uint_eq(g->devices[0].device, 0x2918);
	ck_assert_uint_eq(g->devices[0].class, 0x060100);
	ck_assert_str_eq(g->devices[2].bdf, "0000:00:1f.3");
	/* no etc/hostname in a capture: named localhost, with a warning */
	ck_assert_str_eq(m->name, "localhost");
	ck_assert_uint_ge(m->n_warnings, 1);
}
END_TEST

/* reserved_regions text straight into the parser: one row per input. */
typedef struct ParseCase {
	const char *text;
	int ret;
	unsigned line;
	const char *message; /* substring of the error, or of a warning on success */
} ParseCase;

#define LONG_TAIL                                                                                  \
	"                                                                                        " \
	"  "                                                                                       \
	"                                                                                        " \
	"  "                                                                                       \
	"                                                                                        " \
	"  "

static const ParseCase parse_cases[] = {
	{ "0x0000000008000000 0x00000000080fffff msi\n", 0, 0, NULL },
	{ "", 0, 0, NULL },
	{ "0x0000000008000000 0x00000000080fffff msi\n0xzz 0x1 msi\n", -EINVAL, 2,
	  "bad address '0xzz'" },
	{ "0x0000000008000000 0x00000000080fffff msi\n0x00000000080", -EINVAL, 2, "truncated" },
	{ "0x0000000008000000 0x0000000007ffffff msi\n", -EINVAL, 1, "before start" },
	{ "0x0000000008000000 0x00000000080fffff\n", -EINVAL, 1, "expected 'START END TYPE'" },
	{ "0x0000000008000000 0x00000000080fffff msi extra\n", -EINVAL, 1, "expected" },
	{ "8000000 80fffff msi\n", -EINVAL, 1, "bad address '8000000'" },
	{ "0x10000000000000000 0x1 msi\n", -EINVAL, 1, "bad address" },
	{ "0x0 0xffffffffffffffff reserved\n", 0, 0, NULL },
	{ "0x0000000008000000 0x00000000080fffff Msi!\n", -EINVAL, 1, "bad type" },
	{ "0x0000000008000000 0x00000000080fffff sw-future\n", 0, 0, "unknown type 'sw-future'" },
	{ "0x0 0x1 msi\n\0garbage\n", -EINVAL, 0, "NUL" },
	/* lines are bounded (200 bytes; README's Limits) */
	{ "0x0000000008000000 0x00000000080fffff msi" LONG_TAIL "\n", -EINVAL, 1, "line too long" },
};

START_TEST(test_reserved_regions_parse)
{
	const ParseCase *c = &parse_cases[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	size_t len = strlen(c->text);
	if (strcmp(c->message ? c->message : "", "NUL") == 0)
		len = sizeof("0x0 0x1 msi\n\0garbage\n") - 1;
	int r = mm_reserved_regions_parse(c->text, len, "g/reserved_regions", 7, m, &err);
	ck_assert_int_eq(r, c->ret);
	if (r < 0) {
		ck_assert_str_eq(err.file, "g/reserved_regions");
		ck_assert_uint_eq(err.line, c->line);
		ck_assert_msg(strstr(err.message, c->message), "'%s' lacks '%s'", err.message,
			      c->message);
	} else if (c->message) {
		ck_assert_uint_eq(m->n_warnings, 1);
		ck_assert_msg(strstr(m->warnings[0], c->message), "%s", m->warnings[0]);
		/* an unknown type is kept as read */
		ck_assert_uint_eq(m->n_reserved, 1);
		ck_assert_str_eq(m->reserved[0].type, "sw-future");
	}
}
END_TEST

START_TEST(test_merge_per_type_not_across)
{
	/* overlapping ranges of different types stay apart; touching ranges of
	 * one type merge, with the union of their groups */
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	const char *g1 = "0x0000000000000000 0x0000000000ffffff direct-relaxable\n"
			 "0x00000000fee00000 0x00000000feefffff msi\n";
	const char *g2 = "0x0000000000800000 0x00000000017fffff direct\n"
			 "0x0000000001000000 0x0000000001ffffff direct-relaxable\n";
	ck_assert_int_eq(mm_reserved_regions_parse(g1, strlen(g1), "a", 1, m, &err), 0);
	ck_assert_int_eq(mm_reserved_regions_parse(g2, strlen(g2), "b", 2, m, &err), 0);
	ck_assert_uint_eq(m->n_reserved, 3);
	ck_assert_str_eq(m->reserved[0].type, "direct-relaxable");
	ck_assert_uint_eq(m->reserved[0].end, 0x1ffffff);
	ck_assert_uint_eq(m->reserved[0].groups.n, 2);
	ck_assert_str_eq(m->reserved[1].type, "direct");
	ck_assert_uint_eq(m->reserved[1].start, 0x800000);
	ck_assert_str_eq(m->reserved[2].type, "msi");
}
END_TEST

typedef struct IomemCase {
	const char *text;
	int ret;
	unsigned line;
	size_t n_ram, n_windows;
	const char *message;
} IomemCase;

static const IomemCase iomem_cases[] = {
	{ "40000000-bfffffff : System RAM\n  40210000-4185ffff : Kernel code\n", 0, 0, 1, 0, NULL },
	/* without root every address reads as zero: nothing is invented */
	{ "00000000-00000000 : System RAM\n00000000-00000000 : pcie@10000000\n", 0, 0, 0, 0,
	  "addresses hidden" },
	{ "40000000-bfffffff : System RAM\nzzzz-1 : junk\n", -EINVAL, 2, 0, 0, "bad address" },
	{ "40000000-3fffffff : System RAM\n", -EINVAL, 1, 0, 0, "before start" },
	{ "40000000-bfffffff System RAM\n", -EINVAL, 1, 0, 0, "expected" },
	{ "   40000000-bfffffff : System RAM\n", -EINVAL, 1, 0, 0, "indentation" },
	{ "40000000-bfffffff : System RAM", -EINVAL, 1, 0, 0, "truncated" },
	{ "10000000000000000-1 : System RAM\n", -EINVAL, 1, 0, 0, "bad address" },
	/* a name longer than any the kernel's resources carry */
	{ "40000000-bfffffff : System RAM\n  40210000-4185ffff : "
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkk\n",
	  -EINVAL, 2, 0, 0, "line too long" },
	/* empty names: "X-Y : " as the kernel prints a resource without one,
	 * and "X-Y :" with the trailing blank lost (an Ampere eMAG dump) */
	{ "40000000-bfffffff : System RAM\n  80000000-8000ffff : \n", 0, 0, 1, 0, NULL },
	{ "40000000-bfffffff : System RAM\nc0000000-c000ffff :\n"
	  "10000000-3efeffff : pcie@10000000\n",
	  0, 0, 1, 1, NULL },
	{ "40000000-bfffffff :System RAM\n", -EINVAL, 1, 0, 0, "expected" },
	/* a nested "PCI Bus" is a bridge behind the root port, not a window */
	{ "10000000-3efeffff : pcie@10000000\n  10000000-101fffff : PCI Bus 0000:01\n", 0, 0, 0, 1,
	  NULL },
};

START_TEST(test_iomem_parse)
{
	const IomemCase *c = &iomem_cases[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	int r = mm_iomem_parse(c->text, strlen(c->text), "proc/iomem", m, &err);
	ck_assert_int_eq(r, c->ret);
	if (r < 0) {
		ck_assert_uint_eq(err.line, c->line);
		ck_assert_msg(strstr(err.message, c->message), "'%s' lacks '%s'", err.message,
			      c->message);
		ck_assert_uint_eq(m->ram.n, 0);
		return;
	}
	ck_assert_uint_eq(m->ram.n, c->n_ram);
	ck_assert_uint_eq(m->pci_windows.n, c->n_windows);
	if (c->message) {
		ck_assert_uint_eq(m->n_warnings, 1);
		ck_assert_msg(strstr(m->warnings[0], c->message), "%s", m->warnings[0]);
	}
}
END_TEST

START_TEST(test_sysroot_missing)
{
	MmProbeOptions opts = { .sysroot = tu_data_path("hosts/no-such-host") };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), -ENOENT);
	ck_assert_ptr_null(m);
	ck_assert(strstr(err.message, "cannot open sysroot"));
}
END_TEST

START_TEST(test_huge_file)
{
	/* a sysfs or /proc file past MM_FILE_MAX (4 MiB) is refused, named */
	char root[256];
	ck_assert_ptr_nonnull(tu_mkdtemp(root, sizeof(root), "migmap-huge"));
	char path[512];
	snprintf(path, sizeof(path), "%s/proc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 5 * 1024 * 1024 / 32; i++)
		fputs("40000000-bfffffff : System RAM\n", f);
	fclose(f);
	MmProbeOptions opts = { .sysroot = root, .name = "h" };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), -EFBIG);
	ck_assert_str_eq(err.file, "proc/iomem");
	ck_assert(strstr(err.message, "larger than 4194304 bytes"));
	ck_assert_ptr_null(m);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc", root);
	rmdir(path);
	rmdir(root);
}
END_TEST

START_TEST(test_bad_name)
{
	MmProbeOptions opts = { .sysroot = tu_data_path("hosts/arm64-virt-smmuv3"), .name = "a b" };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), -EINVAL);
	ck_assert(strstr(err.message, "invalid host name"));
}
END_TEST

/* Who the host is, from files written here as the kernel and systemd
 * write them (hostname(5), machine-id(5), proc(5)): a bad name in one
 * file falls back to the next, then to "localhost", each with a warning;
 * a machine id that is not 32 hex digits is ignored; the kernel release
 * from osrelease, else from the "Linux version" line. */
typedef struct IdentityCase {
	const char *hostname, *kernel_hostname, *machine_id, *osrelease, *version;
	const char *name, *uuid, *kernel;
	const char *warning[3];
} IdentityCase;

static const IdentityCase identity_cases[] = {
	{ "bad name!\n",
	  "kern-host\n",
	  "0123456789abcdef0123456789abcdef\n",
	  "6.1.0-test\n",
	  NULL,
	  "kern-host",
	  "01234567-89ab-cdef-0123-456789abcdef",
	  "6.1.0-test",
	  { "etc/hostname: not a valid host name" } },
	{ "\n",
	  "no/slash\n",
	  "0123456789ABCDEF0123456789ABCDEF\n",
	  NULL,
	  "Linux version 6.12.9-arm64 (debian-kernel@lists.debian.org) #1 SMP\n",
	  "localhost",
	  NULL,
	  "6.12.9-arm64",
	  { "proc/sys/kernel/hostname: not a valid host name",
	    "etc/machine-id: not 32 hex digits, ignored",
	    "etc/hostname, proc/sys/kernel/hostname: missing: host named 'localhost'" } },
	{ NULL,
	  NULL,
	  "0123\n",
	  NULL,
	  "Darwin\n",
	  "localhost",
	  NULL,
	  NULL,
	  { "etc/machine-id: not 32 hex digits, ignored",
	    "etc/hostname, proc/sys/kernel/hostname: missing: host named 'localhost'" } },
};

static void put_at(const char *root, const char *rel, const char *text)
{
	if (text)
		tu_put_file(root, rel, text);
}

START_TEST(test_identity)
{
	const IdentityCase *c = &identity_cases[_i];
	char root[256], cmd[300];
	ck_assert_ptr_nonnull(tu_mkdtemp(root, sizeof(root), "test-probe"));
	put_at(root, "etc/hostname", c->hostname);
	put_at(root, "proc/sys/kernel/hostname", c->kernel_hostname);
	put_at(root, "etc/machine-id", c->machine_id);
	put_at(root, "proc/sys/kernel/osrelease", c->osrelease);
	put_at(root, "proc/version", c->version);
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	ck_assert_int_eq(mm_probe_identity(rootfd, NULL, m, &err), 0);
	close(rootfd);
	ck_assert_str_eq(m->name, c->name);
	ck_assert_pstr_eq(m->uuid, c->uuid);
	ck_assert_pstr_eq(m->kernel, c->kernel);
	size_t n = 0;
	while (n < ELEMENTSOF(c->warning) && c->warning[n]) {
		ck_assert_msg(tu_has_warning(m, c->warning[n]), "no warning '%s'", c->warning[n]);
		n++;
	}
	ck_assert_uint_eq(m->n_warnings, n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* /proc/cpuinfo in the shapes arch/x86/kernel/cpu/proc.c and
 * arch/arm64/kernel/cpuinfo.c print it, and broken ones. */
typedef struct CpuinfoCase {
	const char *text;
	size_t len; /* 0: strlen(text) */
	int ret;
	const char *arch; /* NULL: none, with a warning */
	unsigned phys;
	unsigned line;
	const char *message;
} CpuinfoCase;

static const CpuinfoCase cpuinfo_cases[] = {
	/* a 32-bit x86 CPU: flags without lm; the first block only */
	{ "\nprocessor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu pae\n"
	  "address sizes\t: 36 bits physical, 32 bits virtual\n\nprocessor\t: 1\n"
	  "address sizes\t: 99 bits physical\n",
	  0, 0, "i686", 36, 0, NULL },
	{ "processor\t: 0\nflags\t\t: fpu lm\nno colon here\n", 0, 0, "x86_64", MM_BITS_UNKNOWN, 0,
	  NULL },
	{ "processor\t: 0\nBogoMIPS\t: 50.00\nCPU architecture: 8\n\nprocessor\t: 1\n", 0, 0,
	  "aarch64", MM_BITS_UNKNOWN, 0, NULL },
	{ "processor\t: 0\nCPU architecture: AArch64\n", 0, 0, "aarch64", MM_BITS_UNKNOWN, 0,
	  NULL },
	/* riscv64 (arch/riscv/kernel/cpu.c): not one migmap knows */
	{ "processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc\n", 0, 0, NULL, MM_BITS_UNKNOWN, 0,
	  NULL },
	{ "processor\t: 0\nvendor_id\t: AuthenticAMD\naddress sizes\t: 99 bits physical\n", 0,
	  -EINVAL, NULL, 0, 3, "bad address sizes '99 bits physical'" },
	{ "processor\t: 0\naddress sizes\t: many\n", 0, -EINVAL, NULL, 0, 2,
	  "bad address sizes 'many'" },
	{ "processor\t: 0\n\0vendor_id\t: x\n", 26, -EINVAL, NULL, 0, 0, "binary data (NUL byte)" },
};

START_TEST(test_cpuinfo_parse)
{
	const CpuinfoCase *c = &cpuinfo_cases[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	size_t len = c->len ? c->len : strlen(c->text);
	ck_assert_int_eq(mm_cpuinfo_parse(c->text, len, "proc/cpuinfo", m, &err), c->ret);
	if (c->ret < 0) {
		ck_assert_str_eq(err.message, c->message);
		ck_assert_uint_eq(err.line, c->line);
		ck_assert_ptr_null(m->arch);
		return;
	}
	ck_assert_pstr_eq(m->arch, c->arch);
	ck_assert_uint_eq(m->phys_bits, c->phys);
	ck_assert_uint_eq(m->n_warnings, c->arch ? 0 : 1);
	if (!c->arch)
		ck_assert_str_eq(m->warnings[0], "proc/cpuinfo: architecture not recognised");
}
END_TEST

/* A long line (a future CPU's flags) is skipped, not cut. */
START_TEST(test_cpuinfo_long_line)
{
	size_t n = 10000;
	_cleanup_free_ char *text = malloc(n + 200);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: ");
	size_t at = strlen(text);
	for (size_t i = 0; i + 3 < n; i += 3)
		memcpy(text + at + i, "lm ", 3);
	at += n - n % 3;
	strcpy(text + at, "\naddress sizes\t: 46 bits physical, 48 bits virtual\n");
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	MmError err = { 0 };
	ck_assert_int_eq(mm_cpuinfo_parse(text, strlen(text), "proc/cpuinfo", m, &err), 0);
	ck_assert_str_eq(m->arch, "i686"); /* the flags were not read */
	ck_assert_uint_eq(m->phys_bits, 46);
}
END_TEST

/* The x86-q35-vtd capture in a scratch copy, damaged as a kernel never
 * writes it but a copied or half-made sysroot can be: bad ids and class,
 * a group's type that is a directory, its devices that are a file, a
 * missing reserved_regions, group directories that are no numbers, a
 * device that is no PCI address, an IOMMU cap that is no hex number, and
 * another IOMMU class member (an SMMU, whose width the log gives). Each
 * is a warning; the rest of the map stands. */
START_TEST(test_sysfs_damaged)
{
	char top[256], cmd[2048];
	ck_assert_ptr_nonnull(tu_mkdtemp(top, sizeof(top), "test-probe"));
	snprintf(cmd, sizeof(cmd),
		 "set -e; cp -R '%s' '%s/r'; cd '%s/r/sys'; "
		 "echo 0xzzzz > bus/pci/devices/0000:00:01.0/vendor; "
		 "echo 0x1000000 > bus/pci/devices/0000:00:02.0/class; "
		 "rm kernel/iommu_groups/3/type; mkdir kernel/iommu_groups/3/type; "
		 "rm -r kernel/iommu_groups/4/devices; touch kernel/iommu_groups/4/devices; "
		 "rm kernel/iommu_groups/2/reserved_regions; "
		 "mkdir kernel/iommu_groups/07 kernel/iommu_groups/abc; "
		 "ln -s ../../../../devices/platform/dev "
		 "kernel/iommu_groups/1/devices/platform-dev; "
		 "echo zz > class/iommu/dmar0/intel-iommu/cap; "
		 "mkdir class/iommu/smmu3.0x0000000009050000",
		 tu_data_path("hosts/x86-q35-vtd"), top, top);
	ck_assert_int_eq(system(cmd), 0);
	char root[300];
	snprintf(root, sizeof(root), "%s/r", top);
	MmProbeOptions opts = { .sysroot = root, .name = "h" };
	_cleanup_(mm_hostmap_freep) MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), 0);
	static const char *const want[] = {
		"sys/bus/pci/devices/0000:00:01.0: bad vendor or device id",
		"sys/bus/pci/devices/0000:00:02.0/class: bad class",
		"sys/kernel/iommu_groups/3/type: unreadable",
		"sys/kernel/iommu_groups/4/devices: cannot list: Not a directory",
		"sys/kernel/iommu_groups/2/reserved_regions: missing",
		"sys/kernel/iommu_groups/07: not a group number, skipped",
		"sys/kernel/iommu_groups/abc: not a group number, skipped",
		"sys/class/iommu/dmar0/intel-iommu/cap: cannot read an address width from 'zz'",
	};
	for (size_t i = 0; i < ELEMENTSOF(want); i++)
		ck_assert_msg(tu_has_warning(m, want[i]), "no warning '%s'", want[i]);
	ck_assert_uint_eq(m->n_iommu_groups, 6);
	const MmGroup *g1 = mm_hostmap_find_group(m, 1);
	ck_assert_uint_eq(g1->n_devices, 2);
	ck_assert_str_eq(g1->devices[1].bdf, "platform-dev");
	ck_assert(!g1->devices[1].has_ids);
	ck_assert(!g1->devices[0].has_ids); /* its vendor was bad */
	ck_assert_ptr_null(mm_hostmap_find_group(m, 3)->type);
	ck_assert_uint_eq(mm_hostmap_find_group(m, 4)->n_devices, 0);
	/* no width from the IOMMU's cap: only the CPU's limit */
	ck_assert_uint_eq(m->iommu_bits, MM_BITS_UNKNOWN);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* sys/kernel/iommu_groups with no group in it: the host cannot assign. */
START_TEST(test_no_groups)
{
	char top[256], cmd[1024];
	ck_assert_ptr_nonnull(tu_mkdtemp(top, sizeof(top), "test-probe"));
	snprintf(cmd, sizeof(cmd),
		 "set -e; cp -R '%s' '%s/r'; cd '%s/r/sys'; rm -r kernel/iommu_groups/*; "
		 "rm -r class/iommu; touch class/iommu",
		 tu_data_path("hosts/x86-q35-vtd"), top, top);
	ck_assert_int_eq(system(cmd), 0);
	char root[300];
	snprintf(root, sizeof(root), "%s/r", top);
	MmProbeOptions opts = { .sysroot = root, .name = "h" };
	_cleanup_(mm_hostmap_freep) MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), 0);
	ck_assert(tu_has_warning(m, "sys/kernel/iommu_groups: empty: no IOMMU groups, this host "
				    "cannot assign devices"));
	ck_assert(tu_has_warning(m, "sys/class/iommu: cannot list: Not a directory"));
	ck_assert_uint_eq(m->n_iommu_groups, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, test_probe_fixture, 0, ELEMENTSOF(hosts));
	tcase_add_test(tc, test_group_devices);
	tcase_add_test(tc, test_sysroot_missing);
	tcase_add_test(tc, test_bad_name);
	tcase_add_test(tc, test_huge_file);
	tcase_add_loop_test(tc, test_identity, 0, ELEMENTSOF(identity_cases));
	tcase_add_test(tc, test_sysfs_damaged);
	tcase_add_test(tc, test_no_groups);
	suite_add_tcase(s, tc);
	tc = tcase_create("parsers");
	tcase_add_loop_test(tc, test_reserved_regions_parse, 0, ELEMENTSOF(parse_cases));
	tcase_add_test(tc, test_merge_per_type_not_across);
	tcase_add_loop_test(tc, test_iomem_parse, 0, ELEMENTSOF(iomem_cases));
	tcase_add_loop_test(tc, test_cpuinfo_parse, 0, ELEMENTSOF(cpuinfo_cases));
	tcase_add_test(tc, test_cpuinfo_long_line);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
