/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live iommufd query (lib/iommufd-live.c) on a fake host: a directory
 * with the sysfs entries and device nodes the query looks for, and the
 * link sending lib/'s ioctl() calls here (-Wl,--wrap=ioctl), where a
 * stand-in kernel answers as Linux 6.12's iommufd and VFIO cdev do
 * (include/uapi/linux/iommufd.h, vfio.h): EMSGSIZE with the count when the
 * range buffer is short, the ids it handed out checked on every call. The
 * VT-d register values are the ones QEMU's intel-iommu showed a real 6.12
 * guest (the x86-q35-vtd-iommufd-612 capture); tests/iommufd/guest.sh runs
 * the same code against that real kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iommufd-live.h"
#include "iommufd-uapi.h"
#include "macros.h"
#include "probe-internal.h"
#include "probe.h"
#include "testutil.h"

/* What the stand-in kernel does. */
static struct {
	int fail_bind;   /* errno of VFIO_DEVICE_BIND_IOMMUFD, 0: succeed */
	int fail_attach; /* errno of VFIO_DEVICE_ATTACH_IOMMUFD_PT */
	int fail_ranges; /* errno of IOMMU_IOAS_IOVA_RANGES */
	int fail_hw;     /* errno of IOMMU_GET_HW_INFO */
	uint32_t hw_type;
	uint64_t cap;
	const struct mm_iommu_iova_range *ranges;
	uint32_t n_ranges;
	unsigned range_calls;
} kernel;

int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	switch (request) {
	case MM_VFIO_DEVICE_BIND_IOMMUFD: {
		struct mm_vfio_device_bind_iommufd *b = arg;
		ck_assert_uint_eq(b->argsz, sizeof(*b));
		ck_assert_int_ge(b->iommufd, 0);
		if (kernel.fail_bind)
			return errno = kernel.fail_bind, -1;
		b->out_devid = 7;
		return 0;
	}
	case MM_IOMMU_IOAS_ALLOC: {
		struct mm_iommu_ioas_alloc *a = arg;
		ck_assert_uint_eq(a->size, sizeof(*a));
		a->out_ioas_id = 3;
		return 0;
	}
	case MM_VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		struct mm_vfio_device_attach_iommufd_pt *a = arg;
		ck_assert_uint_eq(a->argsz, sizeof(*a));
		ck_assert_uint_eq(a->pt_id, 3);
		if (kernel.fail_attach)
			return errno = kernel.fail_attach, -1;
		return 0;
	}
	case MM_IOMMU_IOAS_IOVA_RANGES: {
		struct mm_iommu_ioas_iova_ranges *q = arg;
		ck_assert_uint_eq(q->size, sizeof(*q));
		ck_assert_uint_eq(q->ioas_id, 3);
		kernel.range_calls++;
		if (kernel.fail_ranges)
			return errno = kernel.fail_ranges, -1;
		uint32_t room = q->num_iovas;
		q->num_iovas = kernel.n_ranges;
		if (room < kernel.n_ranges)
			return errno = EMSGSIZE, -1;
		memcpy((void *)(uintptr_t)q->allowed_iovas, kernel.ranges,
		       kernel.n_ranges * sizeof(*kernel.ranges));
		q->out_iova_alignment = 4096;
		return 0;
	}
	case MM_IOMMU_GET_HW_INFO: {
		struct mm_iommu_hw_info *h = arg;
		ck_assert_uint_eq(h->size, sizeof(*h));
		ck_assert_uint_eq(h->dev_id, 7);
		if (kernel.fail_hw)
			return errno = kernel.fail_hw, -1;
		h->out_data_type = kernel.hw_type;
		if (kernel.hw_type == MM_IOMMU_HW_INFO_TYPE_INTEL_VTD) {
			struct mm_iommu_hw_info_vtd v = { .cap_reg = kernel.cap };
			ck_assert_uint_ge(h->data_len, sizeof(v));
			memcpy((void *)(uintptr_t)h->data_uptr, &v, sizeof(v));
		}
		return 0;
	}
	default:
		return __real_ioctl(fd, request, arg);
	}
}

/* QEMU intel-iommu's cap register as a 6.12 guest's sysfs showed it with
 * aw-bits=39 and 48 (MGAW 38 and 47; SAGAW 39 bits, then 39 and 48). */
#define CAP_AW39 0xd2008c22260206ull
#define CAP_AW48 0xd2008c222f0606ull

/* The allowed ranges the 6.12 guest's iommufd answered for its e1000e
 * under aw-bits=39: everything below 2^39 but the MSI window. */
static const struct mm_iommu_iova_range ranges39[] = {
	{ 0, 0xfedfffff },
	{ 0xfef00000, 0x7fffffffff },
};

static char top[256];

static void mkfile(const char *rel, const char *text)
{
	tu_put_file(top, rel, text);
}

static void mklink(const char *rel, const char *target)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

/* A host with /dev/iommu and four PCI devices: 0000:01:00.0 bound to
 * vfio-pci with a cdev, 0000:02:00.0 bound to vfio-pci without one (a
 * kernel without CONFIG_VFIO_DEVICE_CDEV still lists vfio-dev/vfioN, but
 * with no "dev"), 0000:03:00.0 bound to it with no vfio-dev at all,
 * 0000:00:1f.0 on another driver. */
static void setup(void)
{
	ck_assert_ptr_nonnull(tu_mkdtemp(top, sizeof(top), "iommufd"));
	mkfile("dev/iommu", "");
	mkfile("dev/vfio/devices/vfio0", "");
	mkfile("sys/bus/pci/devices/0000:01:00.0/vfio-dev/vfio0/dev", "240:0\n");
	mklink("sys/bus/pci/devices/0000:01:00.0/driver", "../../../bus/pci/drivers/vfio-pci");
	mkfile("sys/bus/pci/devices/0000:02:00.0/vfio-dev/vfio1/uevent", "");
	mklink("sys/bus/pci/devices/0000:02:00.0/driver", "../../../bus/pci/drivers/vfio-pci");
	mkfile("sys/bus/pci/devices/0000:03:00.0/class", "0x020000\n");
	mklink("sys/bus/pci/devices/0000:03:00.0/driver", "../../../bus/pci/drivers/vfio-pci");
	mkfile("sys/bus/pci/devices/0000:00:1f.0/class", "0x060100\n");
	mklink("sys/bus/pci/devices/0000:00:1f.0/driver", "../../../bus/pci/drivers/lpc_ich");
	memset(&kernel, 0, sizeof(kernel));
	kernel.hw_type = MM_IOMMU_HW_INFO_TYPE_INTEL_VTD;
	kernel.cap = CAP_AW39;
	kernel.ranges = ranges39;
	kernel.n_ranges = ELEMENTSOF(ranges39);
}

static void teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

static char *query(void)
{
	char *text = NULL;
	ck_assert_int_eq(mm_iommufd_live_query(top, &text), 0);
	ck_assert_ptr_nonnull(text);
	return text;
}

#define NO_CDEV                                                                          \
	"0000:02:00.0 failed no VFIO cdev (the kernel has no CONFIG_VFIO_DEVICE_CDEV)\n" \
	"0000:03:00.0 failed no VFIO cdev (the kernel has no CONFIG_VFIO_DEVICE_CDEV)\n"

START_TEST(test_vtd_bits)
{
	/* the kernel's and QEMU's width: aw-bits itself */
	ck_assert_uint_eq(mm_iommufd_vtd_bits(CAP_AW39), 39);
	ck_assert_uint_eq(mm_iommufd_vtd_bits(CAP_AW48), 48);
	/* the same as the sysfs reader's MGAW for what QEMU builds */
	unsigned bits = 0;
	ck_assert_int_eq(mm_intel_cap_address_bits("d2008c222f0606\n", &bits), 0);
	ck_assert_uint_eq(bits, 48);
	/* SAGAW 39 and 48 but MGAW 40: MGAW caps it */
	ck_assert_uint_eq(mm_iommufd_vtd_bits((0x27ull << 16) | (0x6ull << 8)), 40);
	/* SAGAW 57 only (bit 3), MGAW 57 */
	ck_assert_uint_eq(mm_iommufd_vtd_bits((0x38ull << 16) | (0x8ull << 8)), 57);
	/* SAGAW bit 4 (reserved, 66 bits) alone: no width Linux takes */
	ck_assert_uint_eq(mm_iommufd_vtd_bits((0x3full << 16) | (0x10ull << 8)), 0);
}
END_TEST

START_TEST(test_answers)
{
	_cleanup_free_ char *text = query();
	ck_assert_str_eq(text, "0000:01:00.0 hw-info intel-vtd 39\n"
			       "0000:01:00.0 allowed 0x0-0xfedfffff\n"
			       "0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n" NO_CDEV);
	/* asked with no room first, then with room for the two */
	ck_assert_uint_eq(kernel.range_calls, 2);
}
END_TEST

/* A first-stage domain's aperture is narrower than the registers say:
 * the width never claims more than iommufd allows. */
START_TEST(test_narrow_aperture)
{
	static const struct mm_iommu_iova_range narrow[] = { { 0, 0xfedfffff },
							     { 0xfef00000, 0x7fffffffffff } };
	kernel.cap = (0x38ull << 16) | (0x4ull << 8); /* SAGAW 48, MGAW 57 */
	kernel.ranges = narrow;
	kernel.n_ranges = 2;
	_cleanup_free_ char *a = query();
	ck_assert_str_eq(a, "0000:01:00.0 hw-info intel-vtd 47\n"
			    "0000:01:00.0 allowed 0x0-0xfedfffff\n"
			    "0000:01:00.0 allowed 0xfef00000-0x7fffffffffff\n" NO_CDEV);
}
END_TEST

/* No registers migmap decodes: the width of the aperture. */
START_TEST(test_type_none)
{
	kernel.hw_type = MM_IOMMU_HW_INFO_TYPE_NONE;
	_cleanup_free_ char *a = query();
	ck_assert_str_eq(a, "0000:01:00.0 hw-info none 39\n"
			    "0000:01:00.0 allowed 0x0-0xfedfffff\n"
			    "0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n" NO_CDEV);
	kernel.hw_type = 2;
	_cleanup_free_ char *b = query();
	ck_assert_str_eq(b, "0000:01:00.0 hw-info type-2 39\n"
			    "0000:01:00.0 allowed 0x0-0xfedfffff\n"
			    "0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n" NO_CDEV);
	kernel.cap = 0;
	kernel.hw_type = MM_IOMMU_HW_INFO_TYPE_INTEL_VTD;
	_cleanup_free_ char *c = query();
	ck_assert_str_eq(c, "0000:01:00.0 failed IOMMU_GET_HW_INFO: VT-d cap 0x0 supports no "
			    "SAGAW width\n"
			    "0000:01:00.0 allowed 0x0-0xfedfffff\n"
			    "0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n" NO_CDEV);
}
END_TEST

/* Each step that fails is a "failed" line naming the ioctl and errno. */
START_TEST(test_failures)
{
	kernel.fail_bind = EBUSY;
	_cleanup_free_ char *a = query();
	ck_assert_str_eq(a, "0000:01:00.0 failed VFIO_DEVICE_BIND_IOMMUFD: Device or resource "
			    "busy\n" NO_CDEV);
	kernel.fail_bind = 0;
	kernel.fail_attach = EINVAL;
	_cleanup_free_ char *b = query();
	ck_assert_str_eq(b, "0000:01:00.0 failed VFIO_DEVICE_ATTACH_IOMMUFD_PT: Invalid "
			    "argument\n" NO_CDEV);
	kernel.fail_attach = 0;
	kernel.fail_ranges = ENOTTY;
	_cleanup_free_ char *c = query();
	ck_assert_str_eq(c, "0000:01:00.0 failed IOMMU_IOAS_IOVA_RANGES: Inappropriate ioctl "
			    "for device\n" NO_CDEV);
	kernel.fail_ranges = 0;
	kernel.fail_hw = EOPNOTSUPP;
	_cleanup_free_ char *d = query();
	ck_assert_str_eq(d, "0000:01:00.0 failed IOMMU_GET_HW_INFO: Operation not supported\n"
			    "0000:01:00.0 allowed 0x0-0xfedfffff\n"
			    "0000:01:00.0 allowed 0xfef00000-0x7fffffffff\n" NO_CDEV);
	kernel.fail_hw = 0;
	/* the cdev node missing: the open names it */
	char path[512];
	snprintf(path, sizeof(path), "%s/dev/vfio/devices/vfio0", top);
	ck_assert_int_eq(unlink(path), 0);
	_cleanup_free_ char *e = query();
	char want[1024];
	snprintf(want, sizeof(want),
		 "0000:01:00.0 failed cannot open %s: No such file or directory\n" NO_CDEV, path);
	ck_assert_str_eq(e, want);
}
END_TEST

/* No /dev/iommu: nothing to ask (Debian's kernels build without
 * CONFIG_IOMMUFD); no PCI devices: nothing said. */
START_TEST(test_no_iommufd)
{
	char path[512];
	char *text = NULL;
	snprintf(path, sizeof(path), "%s/sys", top);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(mm_iommufd_live_query(top, &text), 0);
	ck_assert_str_eq(text, "");
	free(text);
	text = NULL;
	snprintf(path, sizeof(path), "%s/dev/iommu", top);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mm_iommufd_live_query(top, &text), -ENOENT);
	ck_assert_ptr_null(text);
	/* this machine's own: the public call says why when it has none */
	if (access("/dev/iommu", F_OK) < 0) {
		MmError err = { 0 };
		char buf[512];
		ck_assert_int_eq(mm_hostmap_query_iommufd(&text, &err), -ENOENT);
		ck_assert_str_eq(mm_error_format(&err, buf, sizeof(buf)),
				 "/dev/iommu: no iommufd on this host (a kernel without "
				 "CONFIG_IOMMUFD, or the iommufd module not loaded)");
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("iommufd");
	TCase *tc = tcase_create("live");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vtd_bits);
	tcase_add_test(tc, test_answers);
	tcase_add_test(tc, test_narrow_aperture);
	tcase_add_test(tc, test_type_none);
	tcase_add_test(tc, test_failures);
	tcase_add_test(tc, test_no_iommufd);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
