/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Address limits: IOMMU input widths, KVM's IPA limit, the CPU's, and
 * where each came from. Expected widths come from the hardware specs and
 * the kernel's own log lines, not from migmap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "probe-internal.h"
#include "testutil.h"

typedef struct RegisterCase {
	bool intel;
	const char *text; /* as sysfs prints it */
	int ret;
	unsigned bits;
} RegisterCase;

static const RegisterCase register_cases[] = {
	/* QEMU intel-iommu's cap (x86-q35-vtd): MGAW field 0x26, so 39 bits,
	 * QEMU's default aw-bits=39 */
	{ true, "d2008c22260206\n", 0, 39 },
	/* MGAW 0x2f: 48 bits (aw-bits=48) */
	{ true, "d2008c222f0206\n", 0, 48 },
	{ true, "D2008C22260206", 0, 39 },
	{ true, "", -EINVAL, 0 },
	{ true, "0x1234", -EINVAL, 0 },
	{ true, "12345678901234567", -EINVAL, 0 },
	{ true, "zz\n", -EINVAL, 0 },
	/* MGAW 0: a 1-bit width, below any page: not a real register */
	{ true, "0\n", -EINVAL, 0 },
	/* QEMU amd-iommu's EFR (x86-q35-amdvi), "features2:features" since
	 * 5.17: HATS (bits 11:10) = 2, six levels of 9 bits over 12: 64 */
	{ false, "0:29d3\n", 0, 64 },
	{ false, "29d3\n", 0, 64 },       /* before 5.17: features alone */
	{ false, "0:0\n", 0, 48 },        /* HATS 0: four levels */
	{ false, "0:400\n", 0, 57 },      /* HATS 1: five levels */
	{ false, "0:c00\n", -EINVAL, 0 }, /* HATS 3 is reserved */
	{ false, "0:\n", -EINVAL, 0 },
	{ false, "x:1\n", 0, 48 }, /* only features (after ':') matters */
};

/* The order of amd-iommu/features by kernel: Linux 6.1's capture reads
 * "0:29d3", 6.12's "29d3:0" on the same QEMU amd-iommu (EFR 0x29d3). */
START_TEST(test_amd_order)
{
	unsigned bits = 0;
	ck_assert(!mm_amd_features_efr_first("6.1.0-56-amd64"));
	ck_assert(!mm_amd_features_efr_first("5.17.0"));
	ck_assert(mm_amd_features_efr_first("6.12.48+deb13-amd64"));
	ck_assert(mm_amd_features_efr_first("7.0.0"));
	ck_assert(mm_amd_features_efr_first(NULL));
	ck_assert_int_eq(mm_amd_features_address_bits("29d3:0\n", true, &bits), 0);
	ck_assert_uint_eq(bits, 64);
	ck_assert_int_eq(mm_amd_features_address_bits("0:29d3\n", true, &bits), 0);
	ck_assert_uint_eq(bits, 48);
	ck_assert_int_eq(mm_amd_features_address_bits("29d3\n", true, &bits), 0);
	ck_assert_uint_eq(bits, 64);
	ck_assert_int_eq(mm_amd_features_address_bits(":0\n", true, &bits), -EINVAL);
}
END_TEST

START_TEST(test_register)
{
	const RegisterCase *c = &register_cases[_i];
	unsigned bits = 0;
	int r = c->intel ? mm_intel_cap_address_bits(c->text, &bits)
			 : mm_amd_features_address_bits(c->text, false, &bits);
	ck_assert_int_eq(r, c->ret);
	if (r == 0)
		ck_assert_uint_eq(bits, c->bits);
}
END_TEST

START_TEST(test_kvm_cap)
{
	/* KVM_CAP_ARM_VM_IPA_SIZE: 0 when absent, meaning the fixed 40 bits
	 * of kernels before 4.20 (Documentation/virt/kvm/api.rst) */
	ck_assert_uint_eq(mm_kvm_ipa_bits_from_cap(0), 40);
	ck_assert_uint_eq(mm_kvm_ipa_bits_from_cap(44), 44);
	ck_assert_uint_eq(mm_kvm_ipa_bits_from_cap(52), 52);
}
END_TEST

START_TEST(test_kernel_log)
{
	static const char log[] =
		"[    0.589807] arm-smmu-v3 9050000.smmuv3: ias 44-bit, oas 44-bit (features "
		"0x00008305)\n"
		"[    0.589900] arm-smmu-v3 arm-smmu-v3.1.auto: ias 48-bit, oas 48-bit (features "
		"0x00008305)\n"
		"[    1.000000] kvm [1]: IPA Size Limit: 44 bits\n"
		"[    1.100000] something: ias 12-bit\n" /* not an SMMU */
		"[    1.200000] arm-smmu-v3 x: ias 99-bit, oas 44-bit\n"
		"no newline at the end: arm-smmu-v3 y: ias 40-bit";
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	ck_assert_int_eq(mm_kernel_log_parse(log, strlen(log), "dmesg.txt", m), 0);
	ck_assert_uint_eq(m->iommu_bits, 40);
	ck_assert_uint_eq(m->kvm_ipa_bits, 44);
	ck_assert_uint_eq(m->n_limits, 4);
	ck_assert_int_eq(m->limits[0].kind, MM_LIMIT_KVM_IPA);
	ck_assert_str_eq(m->limits[0].source, "dmesg.txt");
	ck_assert_int_eq(m->limits[1].kind, MM_LIMIT_IOMMU);
	ck_assert_str_eq(m->limits[1].source, "dmesg.txt: 9050000.smmuv3");
	ck_assert_uint_eq(m->limits[1].bits, 44);
	ck_assert_str_eq(m->limits[2].source, "dmesg.txt: arm-smmu-v3.1.auto");
	ck_assert_str_eq(m->limits[3].source, "dmesg.txt: y");
	ck_assert_uint_eq(m->n_warnings, 1);
	ck_assert(strstr(m->warnings[0], "SMMU ias 99-bit out of range"));
}
END_TEST

typedef struct ExpectLimits {
	const char *host;
	unsigned phys_bits, iommu_bits, kvm_ipa_bits;
	const char *iommu_source;
} ExpectLimits;

static const ExpectLimits limit_hosts[] = {
	/* dmesg.txt: "arm-smmu-v3 9050000.smmuv3: ias 44-bit, oas 44-bit" */
	{ "arm64-virt-smmuv3", 0, 44, 0, "dmesg.txt: 9050000.smmuv3" },
	{ "arm64-virt-gicv2", 0, 44, 0, "dmesg.txt: 9050000.smmuv3" },
	/* "arm-smmu-v3 arm-smmu-v3.0.auto: ias 44-bit, oas 44-bit" */
	{ "arm64-virt-acpi", 0, 44, 0, "dmesg.txt: arm-smmu-v3.0.auto" },
	{ "arm64-virt-noiommu", 0, 0, 0, NULL },
	/* the capture plus a kernel config: the SMMUv3's stage-1 input width
	 * min(48, CONFIG_ARM64_VA_BITS) (arm-smmu-v3.c
	 * arm_smmu_domain_finalise()), "ias" kept in the source as a lower
	 * bound; the running kernel's proc/config.gz first */
	{ "arm64-smmuv3-vabits", 0, 48, 0,
	  "dmesg.txt: 9050000.smmuv3 (ias 44-bit, a lower bound); "
	  "boot/config-6.1.0-56-arm64: VA_BITS 48" },
	{ "arm64-smmuv3-configgz", 0, 39, 0,
	  "dmesg.txt: 9050000.smmuv3 (ias 44-bit, a lower bound); proc/config.gz: VA_BITS 39" },
	/* cpuinfo "address sizes : 40 bits physical"; cap MGAW 39 */
	{ "x86-q35-vtd", 40, 39, 0, "sys/class/iommu/dmar0/intel-iommu/cap" },
	{ "x86-q35-amdvi", 40, 64, 0, "sys/class/iommu/ivhd0/amd-iommu/features" },
	/* Linux 6.12 on the same machine: the same 64 bits, "EFR:EFR2" */
	{ "x86-q35-amdvi-612", 40, 64, 0, "sys/class/iommu/ivhd0/amd-iommu/features" },
	/* Linux 6.12, ACPI SMMUv3: "ias 44-bit" as with 6.1 */
	{ "arm64-virt-acpi-612", 0, 44, 0, "dmesg.txt: arm-smmu-v3.0.auto" },
};

START_TEST(test_limits_fixture)
{
	const ExpectLimits *e = &limit_hosts[_i];
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(e->host, NULL);
	ck_assert_uint_eq(m->phys_bits, e->phys_bits);
	ck_assert_uint_eq(m->iommu_bits, e->iommu_bits);
	ck_assert_uint_eq(m->kvm_ipa_bits, e->kvm_ipa_bits);
	size_t n = (e->phys_bits != 0) + (e->iommu_bits != 0);
	ck_assert_uint_eq(m->n_limits, n);
	for (size_t i = 0; i < m->n_limits; i++) {
		const MmLimit *l = &m->limits[i];
		if (l->kind == MM_LIMIT_CPU_PHYS) {
			ck_assert_uint_eq(l->bits, e->phys_bits);
			ck_assert_str_eq(l->source, "proc/cpuinfo");
		} else {
			ck_assert_int_eq(l->kind, MM_LIMIT_IOMMU);
			ck_assert_uint_eq(l->bits, e->iommu_bits);
			ck_assert_str_eq(l->source, e->iommu_source);
		}
	}
}
END_TEST

START_TEST(test_add_limit)
{
	/* the smallest of a kind wins; the same limit twice is kept once */
	_cleanup_(mm_hostmap_freep) MmHostMap *m = mm_hostmap_new();
	ck_assert_int_eq(mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, 48, "b"), 0);
	ck_assert_int_eq(mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, 39, "a"), 0);
	ck_assert_int_eq(mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, 39, "a"), 0);
	ck_assert_int_eq(mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, 65, "c"), -EINVAL);
	ck_assert_int_eq(mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, 11, "c"), -EINVAL);
	ck_assert_uint_eq(m->iommu_bits, 39);
	ck_assert_uint_eq(m->n_limits, 2);
	ck_assert_str_eq(m->limits[0].source, "a");
}
END_TEST

/* The arm64-smmuv3-configgz capture in a scratch copy whose proc/config.gz
 * is replaced by a FIFO, by plain text (what gzread would pass through)
 * and by a gzip stream cut short: none is a kernel config, so the SMMU
 * keeps its "ias" width from the log (44), as on a host without one. The
 * FIFO must not be opened for reading in blocking mode: that would wait
 * for a writer forever. */
static void probe_with_config(const char *kind)
{
	char top[256], root[300], cfg[400], cmd[1200];
	ck_assert_ptr_nonnull(tu_mkdtemp(top, sizeof(top), "test-limits"));
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s'", tu_data_path("hosts/arm64-smmuv3-configgz"),
		 root);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cfg, sizeof(cfg), "%s/proc/config.gz", root);
	if (strcmp(kind, "fifo") == 0) {
		ck_assert_int_eq(unlink(cfg), 0);
		ck_assert_int_eq(mkfifo(cfg, 0600), 0);
	} else if (strcmp(kind, "text") == 0) {
		FILE *f = fopen(cfg, "w");
		ck_assert_ptr_nonnull(f);
		fputs("\nCONFIG_ARM64_VA_BITS=39\n", f);
		ck_assert_int_eq(fclose(f), 0);
	} else {
		ck_assert_int_eq(truncate(cfg, 40), 0);
	}
	MmProbeOptions opts = { .sysroot = root, .name = "h" };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), 0);
	ck_assert_uint_eq(m->iommu_bits, 44);
	ck_assert_uint_eq(m->n_limits, 1);
	ck_assert_str_eq(m->limits[0].source, "dmesg.txt: 9050000.smmuv3");
	mm_hostmap_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_config_not_gzip)
{
	static const char *const kinds[] = { "fifo", "text", "cut" };
	probe_with_config(kinds[_i]);
}
END_TEST

/* A copy of host's capture under a scratch root with file replaced by
 * text (NULL: by a directory); the probed map. *top is removed by the
 * caller (remove_scratch). */
static MmHostMap *probe_changed(const char *host, const char *file, const char *text, char *top,
				size_t size)
{
	char root[300], path[400], cmd[1200];
	ck_assert_ptr_nonnull(tu_mkdtemp(top, size, "test-limits"));
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(cmd, sizeof(cmd), "cp -R '%s/hosts/%s' '%s'", tu_data_path(""), host, root);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", root, file);
	ck_assert_int_eq(unlink(path), 0);
	if (text) {
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(text, f);
		ck_assert_int_eq(fclose(f), 0);
	} else {
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	MmProbeOptions opts = { .sysroot = root, .name = "h" };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_probe(&opts, &m, &err), 0);
	return m;
}

static void remove_scratch(const char *top)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* iommufd.txt of the x86-q35-vtd-iommufd capture (sysfs width 39, every
 * group reserving the MSI window 0xfee00000-0xfeefffff) changed: a wider
 * hw-info, lines that are not understood, holes sysfs does not reserve
 * (group 4 from 0, group 1 past the MSI window), a device in no group. */
START_TEST(test_iommufd_disagrees)
{
	char top[256];
	_cleanup_(mm_hostmap_freep) MmHostMap *m =
		probe_changed("x86-q35-vtd-iommufd", "iommufd.txt",
			      "# comment\n"
			      "\n"
			      "0000:00:03.0 hw-info intel-vtd 48\n"
			      "0000:00:03.0 hw-info intel-vtd 99\n"
			      "garbage\n"
			      "0000:00:03.0 allowed 0x10-0x5\n"
			      "0000:00:04.0 allowed 0x1000-0xfedfffff\n"
			      "0000:00:04.0 allowed 0xfef00000-0xffffffffffffffff\n"
			      "0000:00:01.0 allowed 0xfef80000-0x7fffffffff\n"
			      "0000:00:01.0 allowed 0x0-0xfedfffff\n"
			      "0000:00:09.0 allowed 0x0-0xffff",
			      top, sizeof(top));
	static const char *const want[] = {
		"iommufd.txt: 0000:00:03.0 (IOMMU_GET_HW_INFO intel-vtd) says 48 bits, sysfs and "
		"the kernel log 39",
		"iommufd.txt:4: not understood",
		"iommufd.txt:5: not understood",
		"iommufd.txt:6: not understood",
		"iommufd.txt: 0000:00:01.0: iommufd does not allow IOVA 0xfef00000-0xfef7ffff, "
		"which group 1's reserved_regions do not reserve",
		"iommufd.txt: 0000:00:04.0: iommufd does not allow IOVA 0x0-0xfff, which group "
		"4's reserved_regions do not reserve",
		"iommufd.txt: 0000:00:09.0: no IOMMU group in sysfs",
	};
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		bool found = false;
		for (size_t j = 0; j < m->n_warnings; j++)
			found |= strcmp(m->warnings[j], want[i]) == 0;
		ck_assert_msg(found, "no warning '%s'", want[i]);
	}
	ck_assert_uint_eq(m->n_warnings, ELEMENTSOF(want));
	/* the narrower width stands */
	ck_assert_uint_eq(m->iommu_bits, 39);
	remove_scratch(top);
}
END_TEST

START_TEST(test_iommufd_not_a_file)
{
	char top[256];
	_cleanup_(mm_hostmap_freep) MmHostMap *m =
		probe_changed("x86-q35-vtd-iommufd", "iommufd.txt", NULL, top, sizeof(top));
	ck_assert(tu_has_warning(m, "iommufd.txt: cannot read: Invalid argument"));
	ck_assert_uint_eq(m->iommu_bits, 39);
	remove_scratch(top);
}
END_TEST

/* The x86-q35-vtd capture (MGAW 39) with the IOMMU's cap unreadable (a
 * directory) or all zero: a warning naming the file, and no IOMMU limit
 * taken from it (the CPU's 40 bits stay). */
START_TEST(test_intel_cap_bad)
{
	static const char *const texts[] = { NULL, "0\n" };
	static const char *const want[] = {
		"sys/class/iommu/dmar0/intel-iommu/cap: unreadable: its address width unknown",
		"sys/class/iommu/dmar0/intel-iommu/cap: cannot read an address width from '0'",
	};
	char top[256];
	_cleanup_(mm_hostmap_freep) MmHostMap *m =
		probe_changed("x86-q35-vtd", "sys/class/iommu/dmar0/intel-iommu/cap", texts[_i],
			      top, sizeof(top));
	ck_assert_msg(tu_has_warning(m, want[_i]), "no warning '%s'", want[_i]);
	ck_assert_uint_eq(m->iommu_bits, MM_BITS_UNKNOWN);
	ck_assert_uint_eq(m->n_limits, 1);
	ck_assert_int_eq(m->limits[0].kind, MM_LIMIT_CPU_PHYS);
	remove_scratch(top);
}
END_TEST

/* The arm64-smmuv3-vabits capture, whose kernel config says VA_BITS 48,
 * with that config saying nothing of VA_BITS, or with the kernel release
 * unknown (proc/version unreadable: no boot/config-RELEASE to look for):
 * the SMMU keeps the log's "ias 44-bit" as its width. */
START_TEST(test_smmu_no_va_bits)
{
	char top[256];
	_cleanup_(mm_hostmap_freep) MmHostMap *m =
		_i == 0 ? probe_changed("arm64-smmuv3-vabits", "boot/config-6.1.0-56-arm64",
					"CONFIG_ARM64=y\nCONFIG_ARM64_4K_PAGES=y\n", top,
					sizeof(top))
			: probe_changed("arm64-smmuv3-vabits", "proc/version", NULL, top,
					sizeof(top));
	ck_assert_uint_eq(m->iommu_bits, 44);
	ck_assert_uint_eq(m->n_limits, 1);
	ck_assert_str_eq(m->limits[0].source, "dmesg.txt: 9050000.smmuv3");
	remove_scratch(top);
}
END_TEST

/* the e1000e's IOMMU group in the capture */
#define IOMMUFD_612_GROUP "4"

/* A real capture: Linux 6.12 (Debian trixie's linux-source-6.12, built
 * with iommufd by tests/iommufd/guest.sh) on q35 with QEMU's intel-iommu
 * at aw-bits=39, the e1000e 0000:01:00.0 bound to vfio-pci, iommufd.txt as
 * the live query wrote it there. The width must be the one the capture's
 * own VT-d cap register gives (MGAW, VT-d spec 11.4.2), with no warning:
 * the allowed ranges are exactly what the group's reserved_regions leave.
 * Without its first allowed range, the hole up to the next allowed address
 * starts at 0, where sysfs reserves nothing. */
START_TEST(test_iommufd_capture_612)
{
	const char *host = "x86-q35-vtd-iommufd-612";
	char path[512];
	snprintf(path, sizeof(path), "hosts/%s/sys/class/iommu/dmar0/intel-iommu/cap", host);
	_cleanup_free_ char *cap_text = tu_read(tu_data_path(path), NULL);
	unsigned long long cap = strtoull(cap_text, NULL, 16);
	unsigned mgaw = (unsigned)((cap >> 16) & 0x3f) + 1;
	ck_assert_uint_eq(mgaw, 39);

	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(host, NULL);
	bool found = false;
	for (size_t i = 0; i < m->n_limits; i++)
		if (strcmp(m->limits[i].source,
			   "iommufd.txt: 0000:01:00.0 (IOMMU_GET_HW_INFO intel-vtd)") == 0) {
			ck_assert_uint_eq(m->limits[i].bits, mgaw);
			found = true;
		}
	ck_assert(found);
	ck_assert_uint_eq(m->iommu_bits, mgaw);
	for (size_t i = 0; i < m->n_warnings; i++)
		ck_assert_msg(!strstr(m->warnings[i], "iommufd"), "warning '%s'", m->warnings[i]);

	/* the group's one reserved range, as the capture's kernel printed it */
	snprintf(path, sizeof(path), "hosts/%s/sys/kernel/iommu_groups/%s/reserved_regions", host,
		 IOMMUFD_612_GROUP);
	_cleanup_free_ char *reserved = tu_read(tu_data_path(path), NULL);
	ck_assert_str_eq(reserved, "0x00000000fee00000 0x00000000feefffff msi\n");
	snprintf(path, sizeof(path), "hosts/%s/iommufd.txt", host);
	_cleanup_free_ char *lines = tu_read(tu_data_path(path), NULL);
	/* the complement of 0xfee00000-0xfeefffff below 2^39, in two lines */
	ck_assert_str_eq(lines, "0000:01:00.0 hw-info intel-vtd 39\n"
				"0000:01:00.0 allowed 0x0-0xfedfffff\n"
				"0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n");

	char top[256];
	_cleanup_(mm_hostmap_freep) MmHostMap *cut =
		probe_changed(host, "iommufd.txt",
			      "0000:01:00.0 hw-info intel-vtd 39\n"
			      "0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n",
			      top, sizeof(top));
	char want[200];
	snprintf(want, sizeof(want),
		 "iommufd.txt: 0000:01:00.0: iommufd does not allow IOVA 0x0-0xfeefffff, which "
		 "group %s's reserved_regions do not reserve",
		 IOMMUFD_612_GROUP);
	ck_assert(tu_has_warning(cut, want));
	remove_scratch(top);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("parsers");
	tcase_add_loop_test(tc, test_register, 0, ELEMENTSOF(register_cases));
	tcase_add_test(tc, test_kvm_cap);
	tcase_add_test(tc, test_amd_order);
	tcase_add_test(tc, test_kernel_log);
	tcase_add_test(tc, test_add_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, test_limits_fixture, 0, ELEMENTSOF(limit_hosts));
	tcase_add_loop_test(tc, test_config_not_gzip, 0, 3);
	tcase_add_test(tc, test_iommufd_disagrees);
	tcase_add_test(tc, test_iommufd_not_a_file);
	tcase_add_loop_test(tc, test_intel_cap_bad, 0, 2);
	tcase_add_loop_test(tc, test_smmu_no_va_bits, 0, 2);
	tcase_add_test(tc, test_iommufd_capture_612);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
