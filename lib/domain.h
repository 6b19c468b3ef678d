/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest domains: the parts of libvirt's domain XML that decide a guest's
 * memory map (lib/domain.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "freep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum MmMemoryDeviceModel {
	MM_MEMDEV_DIMM,
	MM_MEMDEV_NVDIMM,
	MM_MEMDEV_VIRTIO_MEM,
	MM_MEMDEV_OTHER,
} MmMemoryDeviceModel;

/* "dimm", "nvdimm", "virtio-mem"; MM_MEMDEV_OTHER has no name. */
const char *mm_memory_device_model_to_string(MmMemoryDeviceModel m);
int mm_memory_device_model_from_string(const char *s, MmMemoryDeviceModel *ret);

/* A <memory model='dimm|nvdimm|virtio-mem'> device. */
typedef struct MmMemoryDevice {
	MmMemoryDeviceModel model;
	uint64_t size; /* bytes (virtio-mem: <size>, the most it can plug) */
	uint64_t base; /* <address type='dimm' base=…/>, valid when has_base */
	bool has_base;
	int node; /* <target><node>, -1 when absent */
} MmMemoryDevice;

/* A <shmem> device: ivshmem, a RAM-backed 64-bit BAR other devices DMA to. */
typedef struct MmShmem {
	char *name;
	uint64_t size; /* <size>, bytes; libvirt's default 4 MiB */
} MmShmem;

typedef struct MmDomain {
	char *name;
	char *arch;              /* <os><type arch=…>, e.g. "aarch64", "x86_64" */
	char *machine;           /* <os><type machine=…> as written, e.g. "virt-7.2", "q35" */
	uint64_t memory;         /* <memory>, bytes: total incl. memory devices */
	uint64_t current_memory; /* <currentMemory>, bytes; 0 when absent */
	uint64_t max_memory;     /* <maxMemory>, bytes; 0 when absent */
	unsigned max_memory_slots;
	uint64_t *numa_cells; /* memory of each <numa><cell>, bytes, in id order */
	size_t n_numa_cells;
	MmMemoryDevice *memory_devices;
	size_t n_memory_devices;
	char *cpu_model;  /* <cpu><model>, NULL when absent (host-passthrough…) */
	char *cpu_vendor; /* <cpu><vendor> or derived from the model: "AMD", "Intel", NULL */
	char *cpu_mode;   /* <cpu mode=…> */
	unsigned vcpus;   /* <vcpu>: the most vCPUs (QEMU's maxcpus); 1 when absent */
	unsigned maxphysaddr_bits; /* <cpu><maxphysaddr bits=…>, 0 when absent */
	char *maxphysaddr_mode;    /* "emulate" | "passthrough" | NULL */
	unsigned gic_version;      /* <features><gic version=…>, 0 when absent */
	size_t n_pci_hostdevs;     /* <hostdev mode='subsystem' type='pci'> */
	char **pci_hostdev_bdfs;   /* their <source><address>es, "0000:03:00.0" */
	size_t n_pci_hostdev_bdfs; /* fewer than n_pci_hostdevs when some have none */
	char *iommu_model;         /* <iommu model=…>, NULL when absent */
	unsigned iommu_aw_bits;    /* <iommu><driver aw_bits=…>, 0 when absent */
	bool iommu_no_dma;         /* <iommu><driver dma_translation='off'> */
	uint64_t pcihole64;        /* <controller model='pcie-root|pci-root'><pcihole64>, bytes */
	bool has_pcihole64;
	unsigned maxphysaddr_limit; /* <cpu><maxphysaddr limit=…> (passthrough), 0 absent */
	MmShmem *shmems;
	size_t n_shmems;
	char *emulator; /* <devices><emulator>, the QEMU binary; NULL when absent */
	/* The QEMU that runs the guest, libvirt's number (major * 1000000 +
	 * minor * 1000 + micro); 0 unknown, the newest assumed. Set by the
	 * callers: from libvirt's QEMU capabilities cache for the emulator
	 * (mm_qemu_caps_version), or a libvirt connection's version. */
	unsigned long qemu_version;
	/* The smallest KVM IPA limit (bits) of the hosts the guest may start
	 * on: QEMU sizes aarch64 virt's map to it under KVM (docs/design.md
	 * §6). 0 unknown: no limit assumed. mm_check_domain() and
	 * mm_plan_domain() fill it from the host maps when it is 0
	 * (mm_check_kvm_ipa_bits()). */
	unsigned kvm_ipa_bits;
	bool kvm;          /* <domain type='kvm'> */
	bool firmware_efi; /* <os firmware='efi'> or a UEFI <loader> */
	bool acpi;         /* <features><acpi/> */
	char *pool;        /* <metadata><migmap:pool name=…/>, NULL when absent */
} MmDomain;

#define MM_DOMAIN_NS "http://migmap.org/xmlns/domain/1.0"
/* The prefix of migmap's metadata element (virsh metadata --key). */
#define MM_DOMAIN_NS_KEY "migmap"

void mm_domain_free(MmDomain *d);
MM_DEFINE_FREEP(MmDomain, mm_domain_free)
int mm_domain_parse_xml(const char *xml, size_t len, const char *filename, MmDomain **ret,
			MmError *err);

/* Why mm_domain_parse_xml_full failed: the hook refuses a domain whose XML
 * it cannot read or whose migmap metadata is malformed (docs/design.md
 * §12), and only warns about one migmap does not model. */
typedef enum MmDomainFault {
	MM_DOMAIN_FAULT_NONE,
	MM_DOMAIN_FAULT_XML,      /* not well-formed, too large, or not a <domain> */
	MM_DOMAIN_FAULT_METADATA, /* <metadata> in migmap's namespace is malformed */
	MM_DOMAIN_FAULT_MODEL,    /* the rest is something migmap does not model */
} MmDomainFault;

/* Flags of mm_domain_parse_xml_full. */
enum {
	/* A document libvirt hands over: read up to MM_DOMAIN_XML_MAX, with no
	 * limit of libxml2's on text nodes. */
	MM_DOMAIN_PARSE_LIBVIRT = 1u << 0,
};
/* libvirt's largest RPC message (VIR_NET_MESSAGE_MAX): no domain libvirt
 * defines, migrates or restores is larger. */
#define MM_DOMAIN_XML_MAX (32u << 20)

/* mm_domain_parse_xml, also saying why it failed (fault may be NULL). The
 * migmap metadata is read before the rest, so its fault is the one reported
 * whatever else the domain holds. */
int mm_domain_parse_xml_full(const char *xml, size_t len, const char *filename, unsigned flags,
			     MmDomain **ret, MmDomainFault *fault, MmError *err);

/* The metadata element that puts a domain into pool, "<pool name='…'/>",
 * as virDomainSetMetadata takes it with MM_DOMAIN_NS and MM_DOMAIN_NS_KEY.
 * -EINVAL for a name that is not a valid pool name. */
int mm_domain_pool_metadata_xml(const char *pool, char **ret);

#ifdef __cplusplus
}
#endif
