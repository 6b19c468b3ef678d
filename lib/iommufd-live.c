/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live iommufd query (docs/design.md §3): what the running kernel's
 * iommufd allows a device bound to vfio-pci, asked the way a VMM asks it
 * (open the device's VFIO cdev, VFIO_DEVICE_BIND_IOMMUFD to a fresh
 * /dev/iommu context, IOMMU_IOAS_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT, then
 * IOMMU_IOAS_IOVA_RANGES and IOMMU_GET_HW_INFO), written as the lines of a
 * capture's iommufd.txt so the live host and a capture take one path
 * through lib/probe-iommufd.c. Plain libc: tests/iommufd/ builds a static
 * helper from this file alone for a minimal guest.
 *
 * Binding opens the device the way a VMM does, and the kernel resets it
 * then; a device a guest already uses refuses the bind (EBUSY), which is a
 * "failed" line naming the reason, never an error of the query. Each
 * device gets its own iommufd context and IOAS, released on close. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* scandir, open_memstream without config.h */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iommufd-live.h"
#include "iommufd-uapi.h"
#include "macros.h"

/* IOMMU_IOAS_IOVA_RANGES answers a handful; more than this is junk */
#define MAX_RANGES 4096

unsigned mm_iommufd_vtd_bits(unsigned long long cap)
{
	/* VT-d spec 11.4.2: MGAW (bits 21:16) is the width minus one; SAGAW
	 * (bits 12:8) bit n means a 30 + 9n bit (n + 2 level) table. Linux
	 * (drivers/iommu/intel/iommu.c, 6.12: __iommu_calculate_agaw() with
	 * DEFAULT_DOMAIN_ADDRESS_WIDTH 57, then paging_domain_alloc()) takes the
	 * widest SAGAW level up to 57 bits and caps it at MGAW. */
	unsigned mgaw = (unsigned)((cap >> 16) & 0x3f) + 1;
	unsigned sagaw = (unsigned)((cap >> 8) & 0x1f);
	for (int agaw = 3; agaw >= 0; agaw--)
		if (sagaw & (1u << agaw)) {
			unsigned w = 30 + 9 * (unsigned)agaw;
			return w < mgaw ? w : mgaw;
		}
	return 0;
}

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/* Whether ROOT/sys/bus/pci/devices/BDF/driver names vfio-pci. */
static bool bound_to_vfio_pci(const char *root, const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/driver", root, bdf);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	return strcmp(base ? base + 1 : target, "vfio-pci") == 0;
}

/* The device's VFIO device name (vfioN under its vfio-dev/), in name;
 * false when it has none. */
static bool vfio_dev_name(const char *root, const char *bdf, char *name, size_t size)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/vfio-dev", root, bdf);
	DIR *d = opendir(path);
	if (!d)
		return false;
	bool found = false;
	for (struct dirent *e; !found && (e = readdir(d));)
		if (strncmp(e->d_name, "vfio", 4) == 0 && strlen(e->d_name) < size) {
			snprintf(name, size, "%s", e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

/* The allowed IOVA ranges of ioas: *ret holds *ret_n of them, sorted by
 * the kernel. -errno of the ioctl on failure. */
static int iova_ranges(int iommufd, uint32_t ioas, struct mm_iommu_iova_range **ret, size_t *ret_n)
{
	_cleanup_free_ struct mm_iommu_iova_range *r = NULL;
	uint32_t n = 0;
	for (int tries = 0; tries < 4; tries++) {
		struct mm_iommu_ioas_iova_ranges q = {
			.size = sizeof(q),
			.ioas_id = ioas,
			.num_iovas = n,
			.allowed_iovas = (uintptr_t)r,
		};
		if (ioctl(iommufd, MM_IOMMU_IOAS_IOVA_RANGES, &q) == 0) {
			*ret_n = q.num_iovas < n ? q.num_iovas : n;
			*ret = TAKE_PTR(r);
			return 0;
		}
		if (errno != EMSGSIZE)
			return -errno;
		if (q.num_iovas == 0 || q.num_iovas > MAX_RANGES)
			return -EOVERFLOW;
		/* more ranges than room: ask again with room for all */
		free(r);
		r = calloc(q.num_iovas, sizeof(*r));
		if (!r)
			return -ENOMEM;
		n = q.num_iovas;
	}
	return -EAGAIN;
}

/* A "failed" line: the device could not be asked, and why. */
_printf_(3, 4) static int failed(FILE *out, const char *bdf, const char *fmt, ...)
{
	va_list ap;
	fprintf(out, "%s failed ", bdf);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	return 0;
}

/* Ask iommufd about one device whose cdev is devpath; out gets its lines. */
static int query_device(const char *root, const char *bdf, const char *devpath, FILE *out)
{
	char path[PATH_MAX];
	_cleanup_close_ int dev = open(devpath, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return failed(out, bdf, "cannot open %s: %s", devpath, strerror(errno));
	snprintf(path, sizeof(path), "%s/dev/iommu", root);
	_cleanup_close_ int iommufd = open(path, O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		return failed(out, bdf, "cannot open /dev/iommu: %s", strerror(errno));
	struct mm_vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	if (ioctl(dev, MM_VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0)
		return failed(out, bdf, "VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));
	struct mm_iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	if (ioctl(iommufd, MM_IOMMU_IOAS_ALLOC, &ioas) < 0)
		return failed(out, bdf, "IOMMU_IOAS_ALLOC: %s", strerror(errno));
	struct mm_vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = ioas.out_ioas_id,
	};
	if (ioctl(dev, MM_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0)
		return failed(out, bdf, "VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s", strerror(errno));
	_cleanup_free_ struct mm_iommu_iova_range *ranges = NULL;
	size_t n = 0;
	int r = iova_ranges(iommufd, ioas.out_ioas_id, &ranges, &n);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return failed(out, bdf, "IOMMU_IOAS_IOVA_RANGES: %s", strerror(-r));
	/* the aperture: the width of the highest allowed address */
	unsigned aperture = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned w = ranges[i].last ? 64 - (unsigned)__builtin_clzll(ranges[i].last) : 1;
		if (w > aperture)
			aperture = w;
	}
	struct mm_iommu_hw_info_vtd vtd = { 0 };
	struct mm_iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = bind.out_devid,
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};
	if (ioctl(iommufd, MM_IOMMU_GET_HW_INFO, &info) < 0)
		fprintf(out, "%s failed IOMMU_GET_HW_INFO: %s\n", bdf, strerror(errno));
	else if (info.out_data_type == MM_IOMMU_HW_INFO_TYPE_INTEL_VTD) {
		unsigned bits = mm_iommufd_vtd_bits(vtd.cap_reg);
		if (bits == 0)
			fprintf(out,
				"%s failed IOMMU_GET_HW_INFO: VT-d cap 0x%" PRIx64
				" supports no SAGAW width\n",
				bdf, (uint64_t)vtd.cap_reg);
		else
			/* a first-stage domain's aperture is a bit narrower
			 * than the registers say: never claim more than it */
			fprintf(out, "%s hw-info intel-vtd %u\n", bdf,
				aperture && aperture < bits ? aperture : bits);
	} else if (aperture >= 12) {
		/* no registers migmap decodes (none, or a type newer than
		 * Linux 6.12's UAPI): the width of the IOAS's aperture */
		if (info.out_data_type == MM_IOMMU_HW_INFO_TYPE_NONE)
			fprintf(out, "%s hw-info none %u\n", bdf, aperture);
		else
			fprintf(out, "%s hw-info type-%" PRIu32 " %u\n", bdf, info.out_data_type,
				aperture);
	}
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s allowed 0x%" PRIx64 "-0x%" PRIx64 "\n", bdf, ranges[i].start,
			ranges[i].last);
	return 0;
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int mm_iommufd_live_query(const char *root, char **ret)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/dev/iommu", root);
	if (access(path, F_OK) < 0)
		return -errno;

	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_(fclosep) FILE *out = open_memstream(&text, &len);
	if (!out)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", root);
	struct dirent **names = NULL;
	int n = scandir(path, &names, not_hidden, alphasort);
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *bdf = names[i]->d_name;
		char vfio[64] = "", dev[PATH_MAX], attr[PATH_MAX] = "";
		bool vfio_pci = bound_to_vfio_pci(root, bdf);
		bool has_dev = vfio_dev_name(root, bdf, vfio, sizeof(vfio));
		if (r < 0 || (!vfio_pci && !has_dev))
			continue;
		/* the vfio-dev entry has a "dev" (major:minor) only when the
		 * kernel made it a character device: CONFIG_VFIO_DEVICE_CDEV */
		if (has_dev)
			snprintf(attr, sizeof(attr), "%s/sys/bus/pci/devices/%s/vfio-dev/%s/dev",
				 root, bdf, vfio);
		if (!has_dev || access(attr, F_OK) < 0)
			fprintf(out,
				"%s failed no VFIO cdev (the kernel has no "
				"CONFIG_VFIO_DEVICE_CDEV)\n",
				bdf);
		else {
			snprintf(dev, sizeof(dev), "%s/dev/vfio/devices/%s", root, vfio);
			r = query_device(root, bdf, dev, out);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r < 0)
		return r;
	if (fflush(out) != 0 || ferror(out))
		return -ENOMEM;
	fclose(TAKE_PTR(out));
	*ret = TAKE_PTR(text);
	return 0;
}
