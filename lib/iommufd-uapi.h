/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The few iommufd and VFIO cdev ioctls the live iommufd query uses
 * (lib/iommufd-live.c), declared here because Debian 12's linux-libc-dev
 * (Linux 6.1) has no <linux/iommufd.h> and its <linux/vfio.h> no cdev
 * ioctls. Numbers and layouts are facts of the kernel's UAPI as Linux
 * 6.12 defines them (include/uapi/linux/iommufd.h and
 * include/uapi/linux/vfio.h of Linux 6.12.117, Debian's linux-source-6.12):
 * every command is _IO(';', nr), every argument starts with its own size
 * (iommufd) or argsz (VFIO), and the kernel accepts a larger, zero-tailed
 * size from newer callers. Where the system has the headers, the numbers
 * are checked against them at compile time. Internal to libmigmap. */
#pragma once

#include <linux/types.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <sys/ioctl.h>

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif

#define MM_IOMMUFD_TYPE ';'

/* iommufd commands: 0x80 + their index in the kernel's command enum */
#define MM_IOMMU_IOAS_ALLOC       _IO(MM_IOMMUFD_TYPE, 0x81)
#define MM_IOMMU_IOAS_IOVA_RANGES _IO(MM_IOMMUFD_TYPE, 0x84)
#define MM_IOMMU_GET_HW_INFO      _IO(MM_IOMMUFD_TYPE, 0x8a)

/* VFIO cdev commands: VFIO_BASE (100) + 18 and + 19 */
#define MM_VFIO_DEVICE_BIND_IOMMUFD      _IO(MM_IOMMUFD_TYPE, 100 + 18)
#define MM_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(MM_IOMMUFD_TYPE, 100 + 19)

/* IOMMU_GET_HW_INFO's out_data_type values (enum iommu_hw_info_type) */
#define MM_IOMMU_HW_INFO_TYPE_NONE      0
#define MM_IOMMU_HW_INFO_TYPE_INTEL_VTD 1

#if defined(IOMMU_IOAS_ALLOC)
_Static_assert(MM_IOMMU_IOAS_ALLOC == IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC");
_Static_assert(MM_IOMMU_IOAS_IOVA_RANGES == IOMMU_IOAS_IOVA_RANGES, "IOMMU_IOAS_IOVA_RANGES");
_Static_assert(MM_IOMMU_GET_HW_INFO == IOMMU_GET_HW_INFO, "IOMMU_GET_HW_INFO");
#endif
#if defined(VFIO_DEVICE_BIND_IOMMUFD)
_Static_assert(MM_VFIO_DEVICE_BIND_IOMMUFD == VFIO_DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD");
_Static_assert(MM_VFIO_DEVICE_ATTACH_IOMMUFD_PT == VFIO_DEVICE_ATTACH_IOMMUFD_PT,
	       "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
#endif

/* struct iommu_ioas_alloc */
struct mm_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

/* struct iommu_iova_range: inclusive */
struct mm_iommu_iova_range {
	uint64_t start;
	uint64_t last;
};

/* struct iommu_ioas_iova_ranges: num_iovas in, the number the kernel has
 * out (with EMSGSIZE when more than fit) */
struct mm_iommu_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t reserved;
	uint64_t allowed_iovas; /* user pointer to struct mm_iommu_iova_range[] */
	uint64_t out_iova_alignment;
};

/* struct iommu_hw_info */
struct mm_iommu_hw_info {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t data_len;
	uint64_t data_uptr;
	uint32_t out_data_type;
	uint8_t out_max_pasid_log2;
	uint8_t reserved[3];
	uint64_t out_capabilities;
};

/* struct iommu_hw_info_vtd: the VT-d capability and extended capability
 * registers as the hardware (or QEMU's intel-iommu) reports them */
struct mm_iommu_hw_info_vtd {
	uint32_t flags;
	uint32_t reserved;
	uint64_t cap_reg;
	uint64_t ecap_reg;
};

/* struct vfio_device_bind_iommufd */
struct mm_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

/* struct vfio_device_attach_iommufd_pt */
struct mm_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

_Static_assert(sizeof(struct mm_iommu_ioas_alloc) == 12, "iommu_ioas_alloc");
_Static_assert(sizeof(struct mm_iommu_ioas_iova_ranges) == 32, "iommu_ioas_iova_ranges");
_Static_assert(sizeof(struct mm_iommu_hw_info) == 40, "iommu_hw_info");
_Static_assert(sizeof(struct mm_iommu_hw_info_vtd) == 24, "iommu_hw_info_vtd");
_Static_assert(sizeof(struct mm_vfio_device_bind_iommufd) == 16, "vfio_device_bind_iommufd");
_Static_assert(sizeof(struct mm_vfio_device_attach_iommufd_pt) == 12,
	       "vfio_device_attach_iommufd_pt");
