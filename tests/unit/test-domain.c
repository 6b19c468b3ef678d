/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain reader: fixture domains (tests/data/domains) → the fields the
 * layouts need; bad documents → one error naming the line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

static MmDomain *parse_fixture(const char *name)
{
	char rel[256], buf[1024];
	size_t len;
	snprintf(rel, sizeof(rel), "domains/%s", name);
	_cleanup_free_ char *xml = tu_read(tu_data_path(rel), &len);
	MmDomain *d = NULL;
	MmError err = { 0 };
	int r = mm_domain_parse_xml(xml, len, name, &d, &err);
	ck_assert_msg(r == 0, "%s: %s", name, mm_error_format(&err, buf, sizeof(buf)));
	return d;
}

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)

typedef struct DomainCase {
	const char *file;
	const char *arch, *machine;
	uint64_t memory, current_memory, max_memory;
	unsigned slots, vcpus;
	size_t n_cells;
	uint64_t cells[4];
	size_t n_memdevs;
	const char *cpu_model, *cpu_vendor, *cpu_mode;
	unsigned maxphysaddr_bits;
	unsigned gic;
	size_t n_hostdevs;
	const char *hostdev_bdfs[2]; /* their <source><address>es */
	const char *iommu;
	bool efi, acpi;
	const char *pool;
} DomainCase;

static const DomainCase cases[] = {
	{ .file = "arm64-virt72-uefi.xml",
	  .arch = "aarch64",
	  .machine = "virt-7.2",
	  .memory = 4 * GiB,
	  .current_memory = 4 * GiB,
	  .vcpus = 4,
	  .cpu_mode = "host-passthrough",
	  .gic = 3,
	  .n_hostdevs = 1,
	  .hostdev_bdfs = { "0000:0b:00.1" },
	  .efi = true,
	  .acpi = true,
	  .pool = "rack-7" },
	{ .file = "arm64-numa-dimm.xml",
	  .arch = "aarch64",
	  .machine = "virt-6.2",
	  .memory = 5 * GiB,
	  .current_memory = 5 * GiB,
	  .max_memory = 16 * GiB,
	  .slots = 4,
	  .vcpus = 8,
	  .n_cells = 2,
	  .cells = { 2 * GiB, 2 * GiB }, /* in id order, not document order */
	  .n_memdevs = 1,
	  .cpu_model = "cortex-a57",
	  .cpu_mode = "custom",
	  .gic = 3,
	  .iommu = "smmuv3",
	  .efi = true, /* an edk2 ROM loader */
	  .acpi = true },
	{ .file = "x86-q35-epyc-2t.xml",
	  .arch = "x86_64",
	  .machine = "pc-q35-7.2",
	  .memory = 2048 * GiB,
	  .vcpus = 64,
	  .cpu_model = "EPYC-Milan",
	  .cpu_vendor = "AMD", /* derived from the model */
	  .cpu_mode = "custom",
	  .maxphysaddr_bits = 48,
	  .n_hostdevs = 2, /* the USB hostdev does not count */
	  .hostdev_bdfs = { "0000:41:00.0", "0000:42:00.0" },
	  .iommu = "intel",
	  .efi = true,
	  .acpi = true },
	{ .file = "x86-q35-intel-numa.xml",
	  .arch = "x86_64",
	  .machine = "pc-q35-7.1",
	  .memory = 20 * GiB,
	  .current_memory = 16 * GiB,
	  .max_memory = 64 * GiB,
	  .slots = 8,
	  .vcpus = 4,
	  .n_cells = 2,
	  .cells = { 8 * GiB, 8 * GiB },
	  .n_memdevs = 2,
	  .cpu_model = "Skylake-Server-IBRS",
	  .cpu_vendor = "Intel",
	  .cpu_mode = "custom" },
	{ .file = "x86-i440fx-old.xml",
	  .arch = "x86_64",
	  .machine = "pc-i440fx-2.11",
	  .memory = GiB,
	  .current_memory = GiB,
	  .vcpus = 1,
	  .cpu_vendor = "Intel",
	  .cpu_mode = "host-passthrough" },
	{ .file = "arm64-alias-gicv2.xml",
	  .arch = "aarch64",
	  .machine = "virt",
	  .memory = 2048 * MiB,
	  .vcpus = 8,
	  .gic = 2 },
};

static void assert_str(const char *what, const char *got, const char *want)
{
	ck_assert_msg(streq_ptr(got, want), "%s: got '%s', want '%s'", what, got ? got : "(null)",
		      want ? want : "(null)");
}

START_TEST(test_fixture)
{
	const DomainCase *c = &cases[_i];
	_cleanup_(mm_domain_freep) MmDomain *d = parse_fixture(c->file);

	assert_str("arch", d->arch, c->arch);
	assert_str("machine", d->machine, c->machine);
	ck_assert_uint_eq(d->memory, c->memory);
	ck_assert_uint_eq(d->current_memory, c->current_memory);
	ck_assert_uint_eq(d->max_memory, c->max_memory);
	ck_assert_uint_eq(d->max_memory_slots, c->slots);
	ck_assert_uint_eq(d->vcpus, c->vcpus);
	ck_assert_uint_eq(d->n_numa_cells, c->n_cells);
	for (size_t i = 0; i < c->n_cells; i++)
		ck_assert_uint_eq(d->numa_cells[i], c->cells[i]);
	ck_assert_uint_eq(d->n_memory_devices, c->n_memdevs);
	assert_str("cpu model", d->cpu_model, c->cpu_model);
	assert_str("cpu vendor", d->cpu_vendor, c->cpu_vendor);
	assert_str("cpu mode", d->cpu_mode, c->cpu_mode);
	ck_assert_uint_eq(d->maxphysaddr_bits, c->maxphysaddr_bits);
	ck_assert_uint_eq(d->gic_version, c->gic);
	ck_assert_uint_eq(d->n_pci_hostdevs, c->n_hostdevs);
	ck_assert_uint_eq(d->n_pci_hostdev_bdfs, c->n_hostdevs);
	for (size_t i = 0; i < c->n_hostdevs; i++)
		ck_assert_str_eq(d->pci_hostdev_bdfs[i], c->hostdev_bdfs[i]);
	assert_str("iommu", d->iommu_model, c->iommu);
	ck_assert_int_eq(d->firmware_efi, c->efi);
	ck_assert_int_eq(d->acpi, c->acpi);
	assert_str("pool", d->pool, c->pool);
}
END_TEST

START_TEST(test_memory_devices)
{
	_cleanup_(mm_domain_freep) MmDomain *arm = parse_fixture("arm64-numa-dimm.xml");
	ck_assert_int_eq(arm->memory_devices[0].model, MM_MEMDEV_DIMM);
	ck_assert_uint_eq(arm->memory_devices[0].size, GiB);
	ck_assert(arm->memory_devices[0].has_base);
	ck_assert_uint_eq(arm->memory_devices[0].base, 0x140000000);
	ck_assert_int_eq(arm->memory_devices[0].node, 1);

	_cleanup_(mm_domain_freep) MmDomain *x86 = parse_fixture("x86-q35-intel-numa.xml");
	ck_assert_int_eq(x86->memory_devices[1].model, MM_MEMDEV_VIRTIO_MEM);
	ck_assert_uint_eq(x86->memory_devices[1].size, 2 * GiB);
	ck_assert(x86->memory_devices[1].has_base);
	ck_assert_uint_eq(x86->memory_devices[1].base, 0x500000000);
	ck_assert_int_eq(x86->memory_devices[1].node, 1);
}
END_TEST

/* libvirt's units (virScaleInteger): default KiB, IEC and SI, any case */
typedef struct UnitCase {
	const char *unit;
	uint64_t value, bytes;
} UnitCase;

static const UnitCase unit_cases[] = {
	{ NULL, 1, 1024 },
	{ "b", 4096, 4096 },
	{ "bytes", 4096, 4096 },
	{ "k", 2, 2048 },
	{ "KiB", 2, 2048 },
	{ "KB", 2, 2000 },
	{ "kb", 2, 2000 },
	{ "M", 3, 3 * MiB },
	{ "MiB", 3, 3 * MiB },
	{ "mib", 3, 3 * MiB },
	{ "MB", 3, 3000000 },
	{ "G", 5, 5 * GiB },
	{ "GiB", 5, 5 * GiB },
	{ "GB", 5, 5000000000ull },
	{ "T", 2, 2ull << 40 },
	{ "TiB", 2, 2ull << 40 },
	{ "TB", 2, 2000000000000ull },
	{ "PiB", 1, 1ull << 50 },
	{ "EiB", 15, 15ull << 60 },
};

START_TEST(test_units)
{
	const UnitCase *u = &unit_cases[_i];
	char xml[512], unit[64] = "";
	if (u->unit)
		snprintf(unit, sizeof(unit), " unit='%s'", u->unit);
	snprintf(xml, sizeof(xml),
		 "<domain><os><type arch='x86_64' machine='q35'/></os>"
		 "<memory%s>%" PRIu64 "</memory></domain>",
		 unit, u->value);
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_domain_parse_xml(xml, strlen(xml), "u.xml", &d, &err) == 0, "%s: %s",
		      u->unit, err.message);
	ck_assert_uint_eq(d->memory, u->bytes);
}
END_TEST

#define OS "<os><type arch='aarch64' machine='virt-7.2'/></os>\n"

static const TuBadXml bad_cases[] = {
	{ "<domain>", 1, "malformed XML" },
	{ "<capabilities/>", 1, "not a libvirt <domain>" },
	{ "<domain>\n<memory>1</memory>\n</domain>", 1, "lacks <os>" },
	{ "<domain>\n<os/>\n<memory>1</memory></domain>", 2, "lacks <type>" },
	{ "<domain>\n<os><type machine='virt'/></os>\n<memory>1</memory></domain>", 2,
	  "lacks attribute 'arch'" },
	{ "<domain>\n" OS "</domain>", 1, "lacks <memory>" },
	{ "<domain>\n" OS "<memory unit='KiBs'>1</memory></domain>", 3, "unknown unit 'KiBs'" },
	{ "<domain>\n" OS "<memory unit='x'>1</memory></domain>", 3, "unknown unit 'x'" },
	{ "<domain>\n" OS "<memory>0x10</memory></domain>", 3, "not a number" },
	{ "<domain>\n" OS "<memory>-1</memory></domain>", 3, "not a number" },
	{ "<domain>\n" OS "<memory>12 GiB</memory></domain>", 3, "not a number" },
	{ "<domain>\n" OS "<memory unit='EiB'>16</memory></domain>", 3, "out of range" },
	{ "<domain>\n" OS "<memory>18014398509481984</memory></domain>", 3, "out of range" },
	{ "<domain>\n" OS "<memory>99999999999999999999999</memory></domain>", 3, "not a number" },
	{ "<domain>\n" OS "<memory>0</memory></domain>", 3, "is zero" },
	{ "<domain>\n" OS "<memory>1048576</memory>\n<vcpu>0</vcpu></domain>", 4, "at least 1" },
	{ "<domain>\n" OS "<memory>1048576</memory>\n<maxMemory slots='x'>4194304</maxMemory>"
	  "</domain>",
	  4, "not a valid number" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<maxMemory slots='2'>1048576</maxMemory>"
	  "</domain>",
	  4, "smaller than <memory>" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<cpu><numa>\n"
	  "<cell id='0' memory='1'/>\n<cell id='0' memory='1'/>\n</numa></cpu></domain>",
	  6, "used twice" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<cpu><numa>\n"
	  "<cell id='0' memory='1'/>\n<cell id='2' memory='1'/>\n</numa></cpu></domain>",
	  4, "must be 0 to 1" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<cpu><numa>\n"
	  "<cell id='0'/>\n</numa></cpu></domain>",
	  5, "lacks attribute 'memory'" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<cpu>\n<maxphysaddr bits='40'/>\n</cpu>"
	  "</domain>",
	  5, "lacks attribute 'mode'" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<cpu>\n"
	  "<maxphysaddr mode='emulate' bits='65'/>\n</cpu></domain>",
	  5, "above 64" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<features>\n<gic version='5'/>\n"
	  "</features></domain>",
	  5, "unknown GIC version '5'" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<maxMemory slots='2'>8388608</maxMemory>\n"
	  "<devices>\n<memory model='dimm'>\n<target/>\n</memory></devices></domain>",
	  6, "lacks <target><size>" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<maxMemory slots='2'>8388608</maxMemory>\n"
	  "<devices>\n<memory model='dimm'><target><size>1048576</size></target>\n"
	  "<address type='dimm' base='0xzz'/></memory></devices></domain>",
	  7, "not a number" },
	{ "<domain>\n" OS "<memory>1048576</memory>\n<maxMemory slots='2'>8388608</maxMemory>\n"
	  "<devices>\n<memory model='dimm'><target><size>1048576</size></target>"
	  "</memory></devices></domain>",
	  3, "not more than its memory devices" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n"
	  "<devices>\n<memory model='dimm'><target><size>1048576</size></target>"
	  "</memory></devices></domain>",
	  3, "need <maxMemory" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<devices>\n<iommu/>\n</devices></domain>", 5,
	  "lacks attribute 'model'" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<metadata>\n"
	  "<m:pool xmlns:m='" MM_DOMAIN_NS "' name='a b'/>\n</metadata></domain>",
	  5, "invalid pool name" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<metadata>\n"
	  "<m:pool xmlns:m='" MM_DOMAIN_NS "'/>\n</metadata></domain>",
	  5, "lacks attribute 'name'" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<metadata>\n"
	  "<m:pools xmlns:m='" MM_DOMAIN_NS "'/>\n</metadata></domain>",
	  5, "unknown migmap metadata" },
	{ "<!DOCTYPE domain [<!ENTITY x 'y'>]>\n<domain/>", 1, "document type" },
	/* libvirt's PCI address (formatdomain "Device Addresses"): bus 0-0xff,
	 * slot 0-0x1f, function 0-7, all but domain required */
	{ "<domain>\n" OS "<memory>4194304</memory>\n<devices>\n<hostdev type='pci'>\n"
	  "<source>\n<address domain='0x0000' bus='0x01' slot='0x20' function='0x0'/>\n"
	  "</source></hostdev></devices></domain>",
	  7, "hostdev address slot='0x20' out of range" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<devices>\n<hostdev type='pci'>\n"
	  "<source>\n<address bus='0x100' slot='0x0' function='0x0'/>\n"
	  "</source></hostdev></devices></domain>",
	  7, "hostdev address bus='0x100' out of range" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<devices>\n<hostdev type='pci'>\n"
	  "<source>\n<address domain='0x0' slot='0x0' function='0x0'/>\n"
	  "</source></hostdev></devices></domain>",
	  7, "lacks attribute 'bus'" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<devices>\n<iommu model='smmuv3'>\n"
	  "<driver aw_bits='8'/>\n</iommu></devices></domain>",
	  6, "aw_bits 8 out of range" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<devices>\n<iommu model='intel'>\n"
	  "<driver aw_bits='65'/>\n</iommu></devices></domain>",
	  6, "aw_bits 65 out of range" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<maxMemory slots='2'>8388608</maxMemory>\n"
	  "<devices>\n<memory model='dimm'><target><size>1048576</size>\n"
	  "<node>4294967295</node></target></memory></devices></domain>",
	  7, "NUMA node 4294967295 out of range" },
	{ "<domain>\n" OS "<memory>4194304</memory>\n<cpu>\n"
	  "<maxphysaddr mode='passthrough' limit='many'/>\n</cpu></domain>",
	  5, "limit" },
};

START_TEST(test_bad)
{
	const TuBadXml *c = &bad_cases[_i];
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	int r = mm_domain_parse_xml(c->xml, strlen(c->xml), "bad.xml", &d, &err);
	ck_assert_msg(r < 0, "case %d parsed", _i);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(err.file, "bad.xml");
	ck_assert_msg(strstr(err.message, c->message), "case %d: '%s' lacks '%s'", _i, err.message,
		      c->message);
	ck_assert_msg(err.line == c->line, "case %d: line %u, want %u (%s)", _i, err.line, c->line,
		      err.message);
}
END_TEST

START_TEST(test_other_metadata_ignored)
{
	static const char xml[] =
		"<domain><name> spaced </name>" OS "<memory unit='GiB'>1</memory><metadata>"
		"<other:x xmlns:other='urn:other'/>"
		"<m:pool xmlns:m='" MM_DOMAIN_NS "' name='p1'/></metadata>"
		"<cpu mode='custom'><model>Opteron_G5</model>"
		"<vendor>GenuineIntel</vendor></cpu></domain>";
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), "m.xml", &d, &err), 0);
	ck_assert_str_eq(d->name, "spaced");
	ck_assert_str_eq(d->pool, "p1");
	/* an explicit <vendor> wins over the model's */
	ck_assert_str_eq(d->cpu_vendor, "Intel");
	ck_assert_uint_eq(d->vcpus, 1);
}
END_TEST

START_TEST(test_vendor_from_model)
{
	static const struct {
		const char *model, *vendor;
	} models[] = {
		{ "EPYC", "AMD" },
		{ "EPYC-Rome-v4", "AMD" },
		{ "Opteron_G3", "AMD" },
		{ "qemu64", "AMD" },
		{ "Skylake-Client", "Intel" },
		{ "Cascadelake-Server", "Intel" },
		{ "Icelake-Server-noTSX", "Intel" },
		{ "Haswell-noTSX", "Intel" },
		{ "Broadwell-IBRS", "Intel" },
		{ "SapphireRapids", "Intel" },
		{ "kvm64", "Intel" },
		{ "cortex-a57", NULL },
		{ "max", NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(models); i++) {
		char xml[512];
		snprintf(xml, sizeof(xml),
			 "<domain><os><type arch='x86_64'/></os><memory>1024</memory>"
			 "<cpu><model>%s</model></cpu></domain>",
			 models[i].model);
		_cleanup_(mm_domain_freep) MmDomain *d = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), "v.xml", &d, &err), 0);
		assert_str(models[i].model, d->cpu_vendor, models[i].vendor);
	}
}
END_TEST

/* what decides widths and the 64-bit hole: <pcihole64>, <shmem>, the
 * vIOMMU's <driver>, maxphysaddr's limit (libvirt's formatdomain) */
START_TEST(test_widths_read)
{
	static const char xml[] =
		"<domain><os><type arch='x86_64' machine='pc-q35-9.2'/></os>"
		"<memory unit='GiB'>900</memory>"
		"<cpu mode='host-passthrough'><maxphysaddr mode='passthrough' limit='42'/></cpu>"
		"<devices>"
		"<controller type='pci' index='0' model='pcie-root'>"
		"<pcihole64 unit='GiB'>256</pcihole64></controller>"
		"<controller type='pci' index='1' model='pcie-root-port'/>"
		"<shmem name='lg'><model type='ivshmem-plain'/><size unit='M'>64</size></shmem>"
		"<shmem name='plain'/>"
		"<shmem name='bytes'><size>1048576</size></shmem>"
		"<iommu model='intel'><driver aw_bits='48' dma_translation='off'/></iommu>"
		"</devices></domain>";
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), "w.xml", &d, &err), 0);
	ck_assert(d->has_pcihole64);
	ck_assert_uint_eq(d->pcihole64, 256ULL << 30);
	ck_assert_str_eq(d->maxphysaddr_mode, "passthrough");
	ck_assert_uint_eq(d->maxphysaddr_limit, 42);
	ck_assert_uint_eq(d->n_shmems, 3);
	ck_assert_str_eq(d->shmems[0].name, "lg");
	ck_assert_uint_eq(d->shmems[0].size, 64ULL << 20);
	ck_assert_uint_eq(d->shmems[1].size, 4ULL << 20); /* libvirt's default */
	ck_assert_uint_eq(d->shmems[2].size, 1ULL << 20); /* bytes without a unit */
	ck_assert_str_eq(d->iommu_model, "intel");
	ck_assert_uint_eq(d->iommu_aw_bits, 48);
	ck_assert(d->iommu_no_dma);
}
END_TEST

/* libvirt's <vendor> takes the CPUID vendor strings (cpu_map/x86_vendors.xml:
 * AuthenticAMD, GenuineIntel) as well as the short names; a vendor neither
 * is kept as written. <gic version='host'> takes the host's GIC. A loader
 * from an edk2 build is UEFI whatever its type. */
START_TEST(test_vendor_gic_loader)
{
	static const struct {
		const char *vendor, *want;
	} vendors[] = { { "AuthenticAMD", "AMD" },
			{ "amd", "AMD" },
			{ "intel", "Intel" },
			{ "HygonGenuine", "HygonGenuine" } };
	for (size_t i = 0; i < ELEMENTSOF(vendors); i++) {
		char xml[512];
		snprintf(xml, sizeof(xml),
			 "<domain><os><type arch='x86_64' machine='pc-q35-7.2'/></os>"
			 "<memory unit='GiB'>1</memory><cpu mode='custom'><model>qemu64</model>"
			 "<vendor>%s</vendor></cpu></domain>",
			 vendors[i].vendor);
		_cleanup_(mm_domain_freep) MmDomain *d = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), "v.xml", &d, &err), 0);
		ck_assert_str_eq(d->cpu_vendor, vendors[i].want);
	}
	static const char gic[] =
		"<domain><os><type arch='aarch64' machine='virt-7.2'/>"
		"<loader readonly='yes'>/usr/share/qemu-efi-aarch64/edk2-aarch64-code.fd</loader>"
		"</os><memory unit='GiB'>1</memory><features><gic version='host'/></features>"
		"</domain>";
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(gic, strlen(gic), "g.xml", &d, &err), 0);
	ck_assert_uint_eq(d->gic_version, 0);
	ck_assert(d->firmware_efi);
}
END_TEST

/* The element libvirt's virDomainSetMetadata is given: <pool name=…/> */
START_TEST(test_pool_metadata_xml)
{
	_cleanup_free_ char *xml = NULL;
	ck_assert_int_eq(mm_domain_pool_metadata_xml("p1", &xml), 0);
	ck_assert_msg(strstr(xml, "<pool name='p1'/>"), "%s", xml);
	char *bad = NULL;
	ck_assert_int_eq(mm_domain_pool_metadata_xml("a/b", &bad), -EINVAL);
	ck_assert_ptr_null(bad);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("domain");
	TCase *tc = tcase_create("domain");
	tcase_add_loop_test(tc, test_fixture, 0, ELEMENTSOF(cases));
	tcase_add_test(tc, test_memory_devices);
	tcase_add_loop_test(tc, test_units, 0, ELEMENTSOF(unit_cases));
	tcase_add_loop_test(tc, test_bad, 0, ELEMENTSOF(bad_cases));
	tcase_add_test(tc, test_other_metadata_ignored);
	tcase_add_test(tc, test_vendor_from_model);
	tcase_add_test(tc, test_widths_read);
	tcase_add_test(tc, test_vendor_gic_loader);
	tcase_add_test(tc, test_pool_metadata_xml);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
