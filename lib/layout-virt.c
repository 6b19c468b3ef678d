/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The aarch64 'virt' machine's guest physical map, machine version by
 * machine version, as QEMU's hw/arm/virt.c builds it (read from QEMU
 * 7.2 through 10.2; the layout of a versioned machine type is frozen, so
 * today's QEMU builds virt-2.11 as QEMU 2.11 did, modulo the rules below;
 * virt-2.6 to 2.10 differ from 2.11 only in having no GICv3 ITS up to 2.7,
 * virt_machine_2_7_options() no_its):
 *
 * - a fixed low map below 1 GiB: flash, GIC, UART, RTC, fw_cfg, GPIO,
 *   virtio-mmio, platform bus, 32-bit PCIe MMIO, PIO and ECAM;
 * - RAM from 1 GiB, NUMA nodes one after the other;
 * - device memory (DIMMs, virtio-mem) from the next 1 GiB boundary after
 *   RAM, sized maxmem - mem + 1 GiB per slot;
 * - the high regions (second GICv3 redistributor region, 64 MiB; high
 *   ECAM, 256 MiB; 64-bit PCIe MMIO, 512 GiB), each aligned to its own
 *   size, from the end of device memory or from 256 GiB, whichever is
 *   higher. A region that does not fit the guest's IPA size is disabled;
 *   before virt-7.2 its address space is still skipped ("legacy"), from
 *   7.2 on it is not ("compact-highmem"). virt-2.12 and older have no
 *   high ECAM (no_highmem_ecam) but still skip its space.
 *
 * The IPA size (virt_set_memmap's pa_bits): under KVM the host's KVM IPA
 * limit (virt_kvm_type(): KVM_CAP_ARM_VM_IPA_SIZE, 40 when the kernel has
 * none); under TCG the CPU model's ID_AA64MMFR0.PARange (machvirt_init:
 * arm_pamax()). RAM and device memory beyond it: QEMU exits ("Addressing
 * limited to N bits"). <maxphysaddr> is an x86 setting libvirt does not
 * pass for aarch64: it plays no part here.
 *
 * Which QEMU runs virt-7.2 does not matter for any map libvirt can ask
 * for, although the binary decides between the two layouts: the compact
 * layout is QEMU 8.0's, not 7.2's (Gavin Shan's series, commits 4a4ff9edc6a8
 * "hw/arm/virt: Improve high memory region address assignment", f40408a9fe5d
 * "hw/arm/virt: Add 'compact-highmem' property" and 6a48c64eec35 "Add
 * properties to disable high memory regions", in Peter Maydell's
 * pull-target-arm-20221215, "first arm pullreq of the 8.0 series", after
 * 7.2.0's release), with virt_machine_7_1_options() setting
 * no_highmem_compact: QEMU 7.2 lays virt-7.2 out the legacy way, QEMU 8.0
 * and later the compact way. The two differ only for a high region that is
 * disabled while one after it is placed. Placed in order (64 MiB, 256 MiB,
 * 512 GiB, each aligned to its size) from a base that only grows, a
 * region that does not fit the IPA limit means none after it fits; only
 * the highmem-redists/-ecam/-mmio switches disable a region that fits,
 * and libvirt's domain XML has nothing that sets them. So both QEMUs give
 * every virt-7.2 map libvirt can ask for the same addresses, which the
 * QEMU 7.2 and 10.0 oracles (tests/oracle/layout.py, layout-new.py) both
 * check.
 *
 * virt-10.1 and virt-10.2 move nothing: virt_machine_10_0_options() and
 * virt_machine_10_1_options() only add hw_compat_10_0 and hw_compat_10_1
 * (as posted: "hw: add compat machines for 10.2", Message-ID
 * 20250805095616.1168905-1-cohuck@redhat.com), whose properties (scsi-hd,
 * vfio-pci migration, legacy x86 ROMs, acpi-ged x-has-hest-addr,
 * virtio-serial console-size) place no region; highmem-mmio-size (10.0)
 * resizes the high PCIe window only when set, which libvirt 9.0 (older
 * than QEMU 10.0) cannot do.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "error.h"
#include "layout-internal.h"
#include "layout.h"
#include "macros.h"

const MmMachineVersion mm_virt_versions[] = {
	{ 2, 6, 0 },  { 2, 7, 0 }, { 2, 8, 0 }, { 2, 9, 0 },  { 2, 10, 0 }, { 2, 11, 0 },
	{ 2, 12, 0 }, { 3, 0, 0 }, { 3, 1, 0 }, { 4, 0, 0 },  { 4, 1, 0 },  { 4, 2, 0 },
	{ 5, 0, 0 },  { 5, 1, 0 }, { 5, 2, 0 }, { 6, 0, 0 },  { 6, 1, 0 },  { 6, 2, 0 },
	{ 7, 0, 0 },  { 7, 1, 0 }, { 7, 2, 0 }, { 8, 0, 0 },  { 8, 1, 0 },  { 8, 2, 0 },
	{ 9, 0, 0 },  { 9, 1, 0 }, { 9, 2, 0 }, { 10, 0, 0 }, { 10, 1, 0 }, { 10, 2, 0 },
};
const size_t mm_n_virt_versions = ELEMENTSOF(mm_virt_versions);

/* hw/arm/virt.c base_memmap[] (unchanged from 2.11 to 10.2 for what is
 * listed here). */
#define VIRT_FLASH_BASE        0x00000000u
#define VIRT_FLASH_SIZE        0x08000000u
#define VIRT_GIC_DIST_BASE     0x08000000u
#define VIRT_GIC_DIST_SIZE     0x00010000u
#define VIRT_GIC_CPU_BASE      0x08010000u
#define VIRT_GIC_CPU_SIZE      0x00010000u
#define VIRT_GIC_V2M_BASE      0x08020000u
#define VIRT_GIC_V2M_SIZE      0x00001000u
#define VIRT_GIC_ITS_BASE      0x08080000u
#define VIRT_GIC_ITS_SIZE      0x00020000u
#define VIRT_GIC_REDIST_BASE   0x080a0000u
#define VIRT_GIC_REDIST_SIZE   0x00f60000u
#define VIRT_UART_BASE         0x09000000u
#define VIRT_RTC_BASE          0x09010000u
#define VIRT_FW_CFG_BASE       0x09020000u
#define VIRT_FW_CFG_SIZE       0x18u
#define VIRT_GPIO_BASE         0x09030000u
#define VIRT_SMMU_BASE         0x09050000u
#define VIRT_SMMU_SIZE         0x00020000u
#define VIRT_PVTIME_BASE       0x090a0000u
#define VIRT_PVTIME_SIZE       0x00010000u
#define VIRT_MMIO_BASE         0x0a000000u
#define VIRT_MMIO_SIZE         (32u * 0x200u) /* NUM_VIRTIO_TRANSPORTS of 0x200 */
#define VIRT_PLATFORM_BUS_BASE 0x0c000000u
#define VIRT_PLATFORM_BUS_SIZE 0x02000000u
#define VIRT_PCIE_MMIO_BASE    0x10000000u
#define VIRT_PCIE_MMIO_SIZE    0x2eff0000u
#define VIRT_PCIE_PIO_BASE     0x3eff0000u
#define VIRT_PCIE_PIO_SIZE     0x00010000u
#define VIRT_PCIE_ECAM_BASE    0x3f000000u
#define VIRT_PCIE_ECAM_SIZE    0x01000000u
#define VIRT_MEM_BASE          MM_GIB
/* LEGACY_RAMLIMIT_BYTES: the high regions never start below 1 + 255 GiB */
#define VIRT_LEGACY_RAMLIMIT (255 * MM_GIB)

/* extended_memmap[] */
#define VIRT_HIGH_REDIST2_SIZE (64 * MM_MIB)
#define VIRT_HIGH_ECAM_SIZE    (256 * MM_MIB)
#define VIRT_HIGH_MMIO_SIZE    (512 * MM_GIB)

/* GICv3 redistributor frames: two 64 KiB frames per CPU (GICv4: four). */
#define GICV3_REDIST_SIZE 0x20000u
#define GICV4_REDIST_SIZE 0x40000u

typedef struct HighRegion {
	const char *kind;
	MmRegionClass cls;
	uint64_t size;
	bool enabled;
	uint64_t base; /* set by place_high */
} HighRegion;

/* virt_set_high_memmap(): place the high regions from base; disable those
 * above the IPA limit (pa_bits 64: no limit known); track the highest
 * guest physical address QEMU sizes the IPA space for. */
static int place_high(HighRegion *regions, size_t n, uint64_t base, unsigned pa_bits, bool compact,
		      uint64_t *highest)
{
	for (size_t i = 0; i < n; i++) {
		HighRegion *h = &regions[i];
		uint64_t start = base, end;
		if (!mm_align_up(&start, h->size) || __builtin_add_overflow(start, h->size, &end))
			return -ERANGE;
		h->base = start;
		bool fits = pa_bits >= 64 || end <= (UINT64_C(1) << pa_bits);
		h->enabled = h->enabled && fits;
		if (compact && !h->enabled)
			continue;
		base = end;
		if (fits)
			*highest = end - 1;
	}
	return 0;
}

/* The PA size of a TCG CPU model: ID_AA64MMFR0.PARange as QEMU's
 * target/arm/cpu64.c and cpu64.c's "max" set it, each checked against
 * QEMU 7.2 and 10.0 ("Addressing limited to N bits", and which high
 * regions a map near 2^N keeps). */
static const struct {
	const char *model;
	unsigned bits;
} tcg_pa_bits[] = {
	{ "cortex-a53", 40 }, { "cortex-a57", 44 },  { "cortex-a72", 44 },  { "cortex-a76", 40 },
	{ "a64fx", 40 },      { "neoverse-n1", 48 }, { "neoverse-v1", 48 }, { "max", 52 },
};

/* The IPA size QEMU lays the map out for, and where it comes from; 0
 * when unknown. */
static unsigned ipa_limit(const MmDomain *d, const char **src)
{
	if (d->kvm) {
		*src = "the hosts' KVM IPA limit";
		return d->kvm_ipa_bits;
	}
	*src = "the CPU model's physical address size";
	for (size_t i = 0; d->cpu_model && i < ELEMENTSOF(tcg_pa_bits); i++)
		if (strcmp(d->cpu_model, tcg_pa_bits[i].model) == 0)
			return tcg_pa_bits[i].bits;
	return 0;
}

int mm_layout_virt(const MmDomain *d, MmMachineVersion v, const MmGuestMemory *mem,
		   MmGuestLayout *l, MmError *err)
{
	/* virt_instance_init / compat options */
	bool high_ecam = !mm_version_before(v, 3, 0); /* 2.12: no_highmem_ecam */
	/* 7.1: no_highmem_compact (QEMU >= 8.0; the same maps, see above) */
	bool compact = !mm_version_before(v, 7, 2);
	bool its = !mm_version_before(v, 2, 8); /* 2.7: no_its */
	unsigned gic = d->gic_version;
	int r;
	const char *limit_src;
	unsigned pa_bits = ipa_limit(d, &limit_src);
	if (pa_bits == 0) {
		pa_bits = 64;
		limit_src = NULL;
	}
	if (d->maxphysaddr_bits &&
	    (r = mm_layout_warn(l, "<maxphysaddr> is an x86 setting: ignored for %s", l->machine)) <
		    0)
		return r;

	if (gic == 0) {
		gic = 3;
		r = mm_layout_warn(l, "no <gic version> given: assuming GICv3, what libvirt "
				      "picks on hosts that have it");
		if (r < 0)
			return r;
	}

	/* virt_set_memmap() */
	uint64_t ram_end, devmem_base, devmem_size, memtop, slots_size;
	if (__builtin_add_overflow(VIRT_MEM_BASE, mem->ram, &ram_end))
		goto too_big;
	devmem_base = ram_end;
	if (!mm_align_up(&devmem_base, MM_GIB))
		goto too_big;
	if (__builtin_mul_overflow((uint64_t)mem->slots, MM_GIB, &slots_size) ||
	    __builtin_add_overflow(mem->maxram - mem->ram, slots_size, &devmem_size))
		goto too_big;
	uint64_t devmem_span = devmem_size;
	if (!mm_align_up(&devmem_span, MM_GIB) ||
	    __builtin_add_overflow(devmem_base, devmem_span, &memtop))
		goto too_big;
	if (pa_bits < 64 && memtop > (UINT64_C(1) << pa_bits)) {
		mm_error_set(err, NULL, 0,
			     "%s: memory ends at 0x%" PRIx64 ", above the %u-bit IPA limit (%s): "
			     "QEMU refuses to start the guest",
			     l->machine, memtop, pa_bits, limit_src);
		return -ERANGE;
	}
	uint64_t base = memtop;
	if (base < VIRT_MEM_BASE + VIRT_LEGACY_RAMLIMIT)
		base = VIRT_MEM_BASE + VIRT_LEGACY_RAMLIMIT;
	uint64_t highest = memtop - 1;

	HighRegion high[] = {
		{ "gic-redist", MM_REGION_MMIO, VIRT_HIGH_REDIST2_SIZE, true, 0 },
		{ "pcie-ecam", MM_REGION_MMIO, VIRT_HIGH_ECAM_SIZE, high_ecam, 0 },
		{ "pcie-mmio-high", MM_REGION_PCI_WINDOW, VIRT_HIGH_MMIO_SIZE, true, 0 },
	};
	r = place_high(high, ELEMENTSOF(high), base, pa_bits, compact, &highest);
	if (r < 0)
		goto too_big;
	/* virt_kvm_type(): the IPA size asked of KVM, at least 32 bits */
	l->phys_bits = 64 - (unsigned)__builtin_clzll(highest);
	if (l->phys_bits < 32)
		l->phys_bits = 32;

	/* the fixed low map */
	struct {
		const char *kind;
		MmRegionClass cls;
		uint64_t start, size;
		bool present;
	} low[] = {
		{ "flash", MM_REGION_MMIO, VIRT_FLASH_BASE, VIRT_FLASH_SIZE, true },
		{ "gic-dist", MM_REGION_MMIO, VIRT_GIC_DIST_BASE, VIRT_GIC_DIST_SIZE, true },
		{ "gic-cpu", MM_REGION_MMIO, VIRT_GIC_CPU_BASE, VIRT_GIC_CPU_SIZE, gic == 2 },
		{ "gic-v2m", MM_REGION_MMIO, VIRT_GIC_V2M_BASE, VIRT_GIC_V2M_SIZE, gic == 2 },
		{ "gic-its", MM_REGION_MMIO, VIRT_GIC_ITS_BASE, VIRT_GIC_ITS_SIZE,
		  gic >= 3 && its },
		{ "gic-redist", MM_REGION_MMIO, VIRT_GIC_REDIST_BASE, VIRT_GIC_REDIST_SIZE,
		  gic >= 3 },
		{ "uart", MM_REGION_MMIO, VIRT_UART_BASE, 0x1000, true },
		{ "rtc", MM_REGION_MMIO, VIRT_RTC_BASE, 0x1000, true },
		{ "fw-cfg", MM_REGION_MMIO, VIRT_FW_CFG_BASE, VIRT_FW_CFG_SIZE, true },
		{ "gpio", MM_REGION_MMIO, VIRT_GPIO_BASE, 0x1000, true },
		{ "smmu", MM_REGION_MMIO, VIRT_SMMU_BASE, VIRT_SMMU_SIZE,
		  streq_ptr(d->iommu_model, "smmuv3") },
		/* KVM stolen-time pages: RAM (hw/arm/virt.c machvirt_init
		 * "pvtime" memory region) that VFIO maps like any RAM; from
		 * virt-5.2 on (virt_machine_5_1_options: no_kvm_steal_time) */
		{ "pvtime", MM_REGION_DMA, VIRT_PVTIME_BASE, VIRT_PVTIME_SIZE,
		  d->kvm && !mm_version_before(v, 5, 2) },
		{ "virtio-mmio", MM_REGION_MMIO, VIRT_MMIO_BASE, VIRT_MMIO_SIZE, true },
		{ "platform-bus", MM_REGION_MMIO, VIRT_PLATFORM_BUS_BASE, VIRT_PLATFORM_BUS_SIZE,
		  true },
		{ "pcie-mmio", MM_REGION_PCI_WINDOW, VIRT_PCIE_MMIO_BASE, VIRT_PCIE_MMIO_SIZE,
		  true },
		{ "pcie-pio", MM_REGION_MMIO, VIRT_PCIE_PIO_BASE, VIRT_PCIE_PIO_SIZE, true },
		/* the low ECAM serves only when the high one is off */
		{ "pcie-ecam", MM_REGION_MMIO, VIRT_PCIE_ECAM_BASE, VIRT_PCIE_ECAM_SIZE,
		  !high[1].enabled },
	};
	for (size_t i = 0; i < ELEMENTSOF(low); i++)
		if (low[i].present && (r = mm_layout_add(l, low[i].kind, low[i].cls, low[i].start,
							 low[i].size, -1)) < 0)
			return r;

	/* RAM: the NUMA nodes' shares one after the other (arm_load_dtb's
	 * memory nodes); nodes without memory have no block */
	if (mem->n_cells == 0) {
		/* without NUMA cells QEMU makes node 0 itself when memory can be
		 * hotplugged: with slots from 4.2 on (auto_enable_numa_with_memhp),
		 * with maxmem alone from 5.1 on (auto_enable_numa_with_memdev) */
		bool auto_node = (mem->slots > 0 && !mm_version_before(v, 4, 2)) ||
				 (mem->maxram > mem->ram && !mm_version_before(v, 5, 1));
		if ((r = mm_layout_add(l, "ram", MM_REGION_DMA, VIRT_MEM_BASE, mem->ram,
				       auto_node ? 0 : -1)) < 0)
			return r;
	} else {
		uint64_t at = VIRT_MEM_BASE;
		for (size_t i = 0; i < mem->n_cells; i++) {
			if (mem->cells[i] == 0)
				continue;
			if ((r = mm_layout_add(l, "ram", MM_REGION_DMA, at, mem->cells[i],
					       (int)i)) < 0)
				return r;
			at += mem->cells[i];
		}
	}
	if (devmem_size > 0) {
		l->device_memory_base = devmem_base;
		l->device_memory_size = devmem_size;
		if ((r = mm_layout_add(l, "device-memory", MM_REGION_DMA, devmem_base, devmem_size,
				       -1)) < 0)
			return r;
	}

	/* the second redistributor region serves only when the first cannot
	 * hold every vCPU (virt_gicv3_redist_region_count) */
	if (gic >= 3) {
		uint64_t frame = gic == 4 ? GICV4_REDIST_SIZE : GICV3_REDIST_SIZE;
		uint64_t capacity = VIRT_GIC_REDIST_SIZE / frame;
		if (d->vcpus > capacity) {
			if (!high[0].enabled) {
				mm_error_set(err, NULL, 0,
					     "%s: %u vCPUs need the high redistributor region, "
					     "which does not fit the %u-bit IPA limit (%s)",
					     l->machine, d->vcpus, pa_bits, limit_src);
				return -ERANGE;
			}
			if ((r = mm_layout_add(l, high[0].kind, high[0].cls, high[0].base,
					       high[0].size, -1)) < 0)
				return r;
		}
	}
	for (size_t i = 1; i < ELEMENTSOF(high); i++)
		if (high[i].enabled && (r = mm_layout_add(l, high[i].kind, high[i].cls,
							  high[i].base, high[i].size, -1)) < 0)
			return r;
	if (!high[2].enabled && (r = mm_layout_warn(l,
						    "the 64-bit PCIe MMIO window does not fit the "
						    "%u-bit IPA limit (%s): QEMU leaves it out",
						    pa_bits, limit_src)) < 0)
		return r;
	/* every arm64 KVM host offers 40 bits (the default IPA size): beyond
	 * that, an unknown limit may change the map */
	if (!limit_src && d->kvm && l->phys_bits > 40 &&
	    (r = mm_layout_warn(l,
				"the hosts' KVM IPA limit is unknown: the %u bits the map "
				"needs are assumed to be there (a smaller limit drops the "
				"high regions)",
				l->phys_bits)) < 0)
		return r;
	return 0;

too_big:
	mm_error_set(err, NULL, 0, "%s: the memory map does not fit in 64 bits", l->machine);
	return -ERANGE;
}
