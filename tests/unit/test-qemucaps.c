/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/qemucaps.c: the QEMU version from libvirt's capabilities cache, on
 * the files libvirtd 9.0 wrote for QEMU 7.2 (tests/data/qemucaps/README.md)
 * and copies of them with one element changed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "migmap.h"
#include "testutil.h"

#define CAPS     "var/cache/libvirt/qemu/capabilities"
#define X86_FILE "926803a9278e445ec919c2b6cbd8c1c449c75b26dcb1686b774314180376c725.xml"
#define ARM_FILE "a013a09a30bf35fbea5b0236d43e579da4a041eaea677bc2f449290e5b7a5d5e.xml"
#define X86_EMU  "/usr/bin/qemu-system-x86_64"

static void put_caps2(const char *root, const char *real, const char *name, const char *from,
		      const char *to, const char *from2, const char *to2);

/* The real file name, with from replaced by to (once), written as name
 * into root's cache directory. */
static void put_caps(const char *root, const char *real, const char *name, const char *from,
		     const char *to)
{
	put_caps2(root, real, name, from, to, NULL, NULL);
}

static char *replace(char *text, const char *from, const char *to)
{
	if (!from)
		return text;
	char *at = strstr(text, from);
	ck_assert_ptr_nonnull(at);
	char *out = NULL;
	ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)),
			 0);
	free(text);
	return out;
}

/* put_caps with two replacements */
static void put_caps2(const char *root, const char *real, const char *name, const char *from,
		      const char *to, const char *from2, const char *to2)
{
	char src[512], dst[1024];
	size_t len;
	snprintf(src, sizeof(src), "qemucaps/" CAPS "/%s", real);
	_cleanup_free_ char *text = tu_read(tu_data_path(src), &len);
	ck_assert_ptr_nonnull(text);
	snprintf(dst, sizeof(dst), "%s/var", root);
	(void)mkdir(dst, 0755);
	snprintf(dst, sizeof(dst), "%s/var/cache", root);
	(void)mkdir(dst, 0755);
	snprintf(dst, sizeof(dst), "%s/var/cache/libvirt", root);
	(void)mkdir(dst, 0755);
	snprintf(dst, sizeof(dst), "%s/var/cache/libvirt/qemu", root);
	(void)mkdir(dst, 0755);
	snprintf(dst, sizeof(dst), "%s/" CAPS, root);
	(void)mkdir(dst, 0755);
	snprintf(dst, sizeof(dst), "%s/" CAPS "/%s", root, name);
	FILE *f = fopen(dst, "w");
	ck_assert_ptr_nonnull(f);
	text = replace(replace(text, from, to), from2, to2);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void rm_rf(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* the real cache: each emulator's version, by path and by architecture */
START_TEST(test_real_cache)
{
	const char *root = tu_data_path("qemucaps");
	unsigned long v = 0;
	MmError err = { 0 };
	ck_assert_int_eq(mm_qemu_caps_version(root, X86_EMU, NULL, &v, &err), 0);
	ck_assert_uint_eq(v, 7002022);
	v = 0;
	ck_assert_int_eq(mm_qemu_caps_version(root, "/usr/bin/qemu-system-aarch64", "aarch64", &v,
					      &err),
			 0);
	ck_assert_uint_eq(v, 7002022);
	v = 0;
	ck_assert_int_eq(mm_qemu_caps_version(root, NULL, "x86_64", &v, &err), 0);
	ck_assert_uint_eq(v, 7002022);

	/* what the cache does not hold */
	v = 0;
	ck_assert_int_eq(mm_qemu_caps_version(root, "/usr/bin/qemu-system-ppc64", NULL, &v, &err),
			 -ENOENT);
	ck_assert_ptr_nonnull(
		strstr(err.message, "libvirt has not probed /usr/bin/qemu-system-ppc64"));
	ck_assert_int_eq(mm_qemu_caps_version(root, NULL, "i686", &v, &err), -ENOENT);
	ck_assert_uint_eq(v, 0);
	/* no cache at all */
	ck_assert_int_eq(mm_qemu_caps_version(tu_data_path("hosts/x86-q35-vtd"), X86_EMU, NULL, &v,
					      &err),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.message, "libvirt's QEMU capabilities"));
	ck_assert_int_eq(mm_qemu_caps_version(root, NULL, NULL, &v, &err), -EINVAL);
	ck_assert_int_eq(mm_qemu_caps_version("/nonexistent-sysroot", X86_EMU, NULL, &v, &err),
			 -ENOENT);
	ck_assert_uint_eq(v, 0);
}
END_TEST

/* an entry libvirt probed from another binary than the one now there */
START_TEST(test_stale)
{
	char buf[512], path[1024], ctime_el[64];
	char *root = tu_mkdtemp(buf, sizeof(buf), "qemucaps");
	ck_assert_ptr_nonnull(root);
	put_caps(root, X86_FILE, X86_FILE, NULL, NULL);
	snprintf(path, sizeof(path), "%s/usr", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/usr/bin", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s" X86_EMU, root);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* the binary's ctime is now, not libvirt's <qemuctime> of 2026 */
	unsigned long v = 0;
	MmError err = { 0 };
	ck_assert_int_eq(mm_qemu_caps_version(root, X86_EMU, NULL, &v, &err), -ESTALE);
	ck_assert_ptr_nonnull(strstr(err.message, "changed since libvirt probed it"));
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(mm_qemu_caps_version(root, NULL, "x86_64", &v, &err), -ESTALE);

	/* probed again: the entry holds the binary's ctime */
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(ctime_el, sizeof(ctime_el), "<qemuctime>%lld</qemuctime>", (long long)st.st_ctime);
	put_caps(root, X86_FILE, X86_FILE, "<qemuctime>1796017318</qemuctime>", ctime_el);
	ck_assert_int_eq(mm_qemu_caps_version(root, X86_EMU, NULL, &v, &err), 0);
	ck_assert_uint_eq(v, 7002022);
	rm_rf(root);
}
END_TEST

/* two emulators for one architecture, and files that are no entry */
START_TEST(test_several)
{
	char buf[512];
	char *root = tu_mkdtemp(buf, sizeof(buf), "qemucaps");
	ck_assert_ptr_nonnull(root);
	put_caps(root, X86_FILE, X86_FILE, NULL, NULL);
	put_caps2(root, X86_FILE, "0000local.xml", "<version>7002022</version>",
		  "<version>10001002</version>", "<emulator>/usr/bin/",
		  "<emulator>/usr/local/bin/");
	put_caps(root, ARM_FILE, "00garbage.xml", "<qemuCaps>", "<qemuCaps><<");
	put_caps(root, ARM_FILE, "00noversion.xml", "<version>7002022</version>", "");
	put_caps(root, ARM_FILE, "00other.txt", NULL, NULL);
	put_caps2(root, ARM_FILE, "00root.xml", "<qemuCaps>", "<domain>", "</qemuCaps>",
		  "</domain>");
	put_caps(root, ARM_FILE, "00noemulator.xml",
		 "<emulator>/usr/bin/qemu-system-aarch64</emulator>", "");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/" CAPS "/00dir.xml", root);
	ck_assert_int_eq(mkdir(dir, 0755), 0);

	unsigned long v = 0;
	MmError err = { 0 };
	ck_assert_int_eq(mm_qemu_caps_version(root, NULL, "x86_64", &v, &err), -ENOTUNIQ);
	ck_assert_ptr_nonnull(strstr(err.message, "2 emulators for x86_64"));
	ck_assert_int_eq(mm_qemu_caps_version(root, "/usr/local/bin/qemu-system-x86_64", "x86_64",
					      &v, &err),
			 0);
	ck_assert_uint_eq(v, 10001002);
	ck_assert_int_eq(mm_qemu_caps_version(root, X86_EMU, "x86_64", &v, &err), 0);
	ck_assert_uint_eq(v, 7002022);
	/* the aarch64 entries are all unreadable (not well-formed, no
	 * version, another root element, no emulator) or no file: none */
	ck_assert_int_eq(mm_qemu_caps_version(root, NULL, "aarch64", &v, &err), -ENOENT);
	rm_rf(root);
}
END_TEST

static const char q35_viommu[] = "<domain type='kvm'><name>g</name><memory unit='GiB'>4</memory>"
				 "<os><type arch='x86_64' machine='pc-q35-9.2'>hvm</type></os>"
				 "<features><acpi/><ioapic driver='qemu'/></features>"
				 "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
				 "<iommu model='intel'/></devices></domain>";

/* The same pc-q35-9.2 domain with an intel vIOMMU: its default width is
 * the QEMU binary's (39 bits before QEMU 10.0, 48 after: QEMU commit
 * 81ab964f, pc_compat_9_1), read through the cache; unknown, 48 with a
 * warning. */
START_TEST(test_domain_viommu)
{
	static const struct {
		const char *version; /* NULL: no cache */
		unsigned bits;
		bool warns;
	} v[] = {
		{ "<version>9002000</version>", 39, false },
		{ "<version>10000000</version>", 48, false },
		{ "<version>9002003</version>", 39, false },
		{ NULL, 48, true },
	};
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		char buf[512];
		char *root = tu_mkdtemp(buf, sizeof(buf), "qemucaps");
		ck_assert_ptr_nonnull(root);
		if (v[i].version)
			put_caps(root, X86_FILE, X86_FILE, "<version>7002022</version>",
				 v[i].version);
		_cleanup_(mm_domain_freep) MmDomain *d = NULL;
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_domain_parse_xml(q35_viommu, sizeof(q35_viommu) - 1, "d.xml",
						     &d, &err),
				 0);
		ck_assert_str_eq(d->emulator, X86_EMU);
		int r = mm_qemu_caps_fill_domain(d, root, &err);
		ck_assert_int_eq(r, v[i].version ? 0 : -ENOENT);
		ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
		ck_assert_uint_eq(l->viommu_bits, v[i].bits);
		bool warned = false;
		for (size_t k = 0; k < l->n_warnings; k++)
			warned = warned || strstr(l->warnings[k], "QEMU version unknown");
		ck_assert_int_eq(warned, v[i].warns);
		rm_rf(root);
	}
	/* a version already known (a libvirt connection's) stays */
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(q35_viommu, sizeof(q35_viommu) - 1, "d.xml", &d, &err),
			 0);
	d->qemu_version = 10002000;
	ck_assert_int_eq(mm_qemu_caps_fill_domain(d, tu_data_path("qemucaps"), &err), 0);
	ck_assert_uint_eq(d->qemu_version, 10002000);
	/* a domain naming neither emulator nor architecture: nothing to look up */
	MmDomain bare = { 0 };
	ck_assert_int_eq(mm_qemu_caps_fill_domain(&bare, tu_data_path("qemucaps"), &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.message, "no emulator and no architecture"));
	ck_assert_uint_eq(bare.qemu_version, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qemucaps");
	TCase *tc = tcase_create("qemucaps");
	tcase_add_test(tc, test_real_cache);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_several);
	tcase_add_test(tc, test_domain_viommu);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
