/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The x86_64 'pc-q35-*' and 'pc-i440fx-*' guest physical maps, machine
 * version by machine version, as QEMU's hw/i386/pc.c, pc_q35.c, pc_piix.c
 * and hw/pci-host/q35.c, i440fx.c build them (read from QEMU 7.2 through
 * 10.2; pc-i440fx-1.4 to 1.7 lay memory out as 2.0 does):
 *
 * - RAM split at "lowmem": q35 keeps 2 GiB below 4 GiB when RAM is at least
 *   2.75 GiB (else up to 2.75 GiB, where MMCONFIG starts); i440fx keeps
 *   3.5 GiB, or 3 GiB when RAM reaches 3.5 GiB (gigabyte_align, 2.1+);
 *   the rest is "ram-above-4g", from 4 GiB;
 * - the 32-bit PCI hole from the end of low RAM to the IOAPIC at
 *   0xfec00000, MMCONFIG (q35, 256 MiB at 0xb0000000) cut out of it;
 * - device memory from the next 1 GiB boundary after RAM above 4 GiB,
 *   maxmem - mem plus 1 GiB per slot (enforce_aligned_dimm, 2.2+);
 * - the 64-bit PCI hole after it, 1 GiB aligned, 32 GiB (q35) or 2 GiB
 *   (i440fx) long; machine types before 2.12 let firmware place it
 *   (x-pci-hole64-fix off);
 * - from 7.1 on (enforce_amd_1tb_hole), with an AMD CPU model, RAM above
 *   4 GiB starts at 1 TiB instead when the map would otherwise reach the
 *   HyperTransport hole at 0xfd00000000.
 *
 * pc-q35/pc-i440fx 10.1 and 10.2 lay out as 10.0 does. Checked in the
 * compat properties the new machine types brought, as posted to qemu-devel
 * (QEMU's git could not be fetched here: its snapshot is over the size
 * limit): hw_compat_10_0 (scsi-hd dpofua, vfio-pci
 * x-migration-load-config-after-iter, ramfb and vfio-pci-nohotplug
 * use-legacy-x86-rom) and hw_compat_10_1 (acpi-ged x-has-hest-addr,
 * virtio-serial-device console-size), pc_compat_10_0 (x86 CPU cache and
 * CPUID switches) and pc_compat_10_1 (kvmclock x-account-downtime, and mch
 * extended-tseg-mbytes 16: Gerd Hoffmann's "bump extended TSEG to 64 MB for
 * new machine types", Message-Id 20251106105640.1642109-1-kraxel@redhat.com)
 * move no region; pc_q35_machine_10_1_options() and the 10.2 machines add
 * nothing else ("hw: add compat machines for 10.2", Message-ID
 * 20250805095616.1168905-1-cohuck@redhat.com). The TSEG is not modelled:
 * it lies inside ram-below-4g, at its top, and only becomes a hole VFIO
 * does not map once the firmware closes SMRAM, so counting it as RAM, 16
 * MiB before pc-q35-10.2 and 64 MiB after, can only over-report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "domain.h"
#include "error.h"
#include "layout-internal.h"
#include "layout.h"
#include "macros.h"

#define X86_VERSIONS_COMMON                                                            \
	{ 2, 5, 0 }, { 2, 6, 0 }, { 2, 7, 0 }, { 2, 8, 0 }, { 2, 9, 0 }, { 2, 10, 0 }, \
		{ 2, 11, 0 }, { 2, 12, 0 }, { 3, 0, 0 }, { 3, 1, 0 },                  \
	{                                                                              \
		4, 0, 0                                                                \
	}

#define X86_VERSIONS_RECENT                                                                        \
	{ 4, 1, 0 }, { 4, 2, 0 }, { 5, 0, 0 }, { 5, 1, 0 }, { 5, 2, 0 }, { 6, 0, 0 }, { 6, 1, 0 }, \
		{ 6, 2, 0 }, { 7, 0, 0 }, { 7, 1, 0 }, { 7, 2, 0 }, { 8, 0, 0 }, { 8, 1, 0 },      \
		{ 8, 2, 0 }, { 9, 0, 0 }, { 9, 1, 0 }, { 9, 2, 0 }, { 10, 0, 0 }, { 10, 1, 0 },    \
	{                                                                                          \
		10, 2, 0                                                                           \
	}

const MmMachineVersion mm_q35_versions[] = {
	{ 2, 4, 0 },
	X86_VERSIONS_COMMON,
	{ 4, 0, 1 },
	X86_VERSIONS_RECENT,
};
const size_t mm_n_q35_versions = ELEMENTSOF(mm_q35_versions);

const MmMachineVersion mm_i440fx_versions[] = {
	{ 1, 4, 0 }, { 1, 5, 0 },         { 1, 6, 0 },         { 1, 7, 0 },
	{ 2, 0, 0 }, { 2, 1, 0 },         { 2, 2, 0 },         { 2, 3, 0 },
	{ 2, 4, 0 }, X86_VERSIONS_COMMON, X86_VERSIONS_RECENT,
};
const size_t mm_n_i440fx_versions = ELEMENTSOF(mm_i440fx_versions);

#define X86_ABOVE_4G_START    (4 * MM_GIB)
#define Q35_LOWMEM_SMALL      0xb0000000u /* MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT */
#define Q35_LOWMEM_LARGE      0x80000000u
#define Q35_MMCONFIG_BASE     0xb0000000u
#define Q35_MMCONFIG_SIZE     0x10000000u /* MCH_HOST_BRIDGE_PCIEXBAR_MAX */
#define I440FX_LOWMEM         0xe0000000u /* default max-ram-below-4g */
#define I440FX_LOWMEM_ALIGNED 0xc0000000u
#define IO_APIC_BASE          0xfec00000u
#define IO_APIC_SIZE          0x1000u
#define APIC_MSI_BASE         0xfee00000u /* local APIC and MSI doorbells */
#define APIC_MSI_SIZE         0x100000u
#define Q35_HOLE64_SIZE       (UINT64_C(1) << 35)
#define I440FX_HOLE64_SIZE    (UINT64_C(1) << 31)
#define AMD_HT_START          UINT64_C(0xfd00000000)
#define AMD_ABOVE_1TB_START   MM_TIB

typedef struct X86Map {
	uint64_t above_start, above;
	bool has_devmem;
	uint64_t devmem_base, devmem_size;
	uint64_t hole64_start, hole64_end; /* end exclusive */
} X86Map;

/* pc_memory_init()'s arithmetic above 4 GiB for one above_4g_mem_start. */
static bool place_above(X86Map *m, uint64_t hole64_size, bool aligned_dimm,
			bool broken_reserved_end, const MmGuestMemory *mem)
{
	uint64_t above_end, slots;
	if (__builtin_add_overflow(m->above_start, m->above, &above_end))
		return false;
	m->has_devmem = mem->maxram > mem->ram;
	uint64_t hole64 = above_end;
	if (m->has_devmem) {
		m->devmem_base = above_end;
		m->devmem_size = mem->maxram - mem->ram;
		if (!mm_align_up(&m->devmem_base, MM_GIB))
			return false;
		if (aligned_dimm &&
		    (__builtin_mul_overflow((uint64_t)mem->slots, MM_GIB, &slots) ||
		     __builtin_add_overflow(m->devmem_size, slots, &m->devmem_size)))
			return false;
		hole64 = m->devmem_base;
		if (!broken_reserved_end && __builtin_add_overflow(hole64, m->devmem_size, &hole64))
			return false;
	}
	if (!mm_align_up(&hole64, MM_GIB))
		return false;
	m->hole64_start = hole64;
	if (__builtin_add_overflow(hole64, hole64_size, &m->hole64_end) ||
	    !mm_align_up(&m->hole64_end, MM_GIB))
		return false;
	return true;
}

MmX86Compat mm_x86_compat(MmMachineVersion v)
{
	return (MmX86Compat){
		.reserved_memory = !mm_version_before(v, 2, 1),
		.gigabyte_align = !mm_version_before(v, 2, 1),
		.aligned_dimm = !mm_version_before(v, 2, 2),
		.broken_reserved_end = mm_version_before(v, 2, 5),
		.hole64_fix = !mm_version_before(v, 2, 12),
		.amd_1tb_hole = !mm_version_before(v, 7, 1),
	};
}

int mm_layout_x86(const MmDomain *d, bool q35, const MmX86Compat *c, const MmGuestMemory *mem,
		  MmGuestLayout *l, MmError *err)
{
	bool gigabyte_align = c->gigabyte_align;
	bool aligned_dimm = c->aligned_dimm;
	bool broken_reserved_end = c->broken_reserved_end;
	bool hole64_fix = c->hole64_fix;
	bool amd_1tb_hole = c->amd_1tb_hole;
	/* <pcihole64> sets the host bridge's pci-hole64-size (libvirt:
	 * -global q35-pcihost/i440FX-pcihost.pci-hole64-size); it counts in
	 * QEMU pc_pci_hole64_start() + size, pc_max_used_gpa(), and so in the
	 * AMD 1 TiB decision below */
	uint64_t hole64_size = d->has_pcihole64 ? d->pcihole64
			       : q35            ? Q35_HOLE64_SIZE
						: I440FX_HOLE64_SIZE;
	const char *pci = q35 ? "pcie-mmio" : "pci-mmio";
	const char *pci_high = q35 ? "pcie-mmio-high" : "pci-mmio-high";
	int r;

	/* machine types before 2.1 have no hotplug memory area
	 * (has_reserved_memory off): QEMU refuses slots and maxmem, as
	 * QEMU 7.2 says for pc-i440fx-1.7 and 2.0 */
	if (!c->reserved_memory && mem->maxram > mem->ram) {
		mm_error_set(err, NULL, 0,
			     "%s: QEMU refuses <maxMemory> (memory hotplug) on machine types "
			     "before 2.1",
			     l->machine);
		return -EINVAL;
	}

	uint64_t lowmem;
	if (q35)
		lowmem = mem->ram >= Q35_LOWMEM_SMALL ? Q35_LOWMEM_LARGE : Q35_LOWMEM_SMALL;
	else
		lowmem = mem->ram >= I440FX_LOWMEM && gigabyte_align ? I440FX_LOWMEM_ALIGNED
								     : I440FX_LOWMEM;
	uint64_t below = mem->ram < lowmem ? mem->ram : lowmem;
	X86Map m = { .above_start = X86_ABOVE_4G_START, .above = mem->ram - below };

	if (!place_above(&m, hole64_size, aligned_dimm, broken_reserved_end, mem))
		goto too_big;

	/* pc_set_amd_above_4g_mem_start(): the highest address used is the
	 * end of the 64-bit hole (64-bit CPUs) */
	bool amd = streq_ptr(d->cpu_vendor, "AMD");
	if (amd_1tb_hole && !d->cpu_vendor && m.hole64_end - 1 >= AMD_HT_START &&
	    (r = mm_layout_warn(l, "CPU vendor unknown (no CPU model): on an AMD host QEMU "
				   "moves RAM above 4 GiB to 1 TiB")) < 0)
		return r;
	if (amd && amd_1tb_hole && m.hole64_end - 1 >= AMD_HT_START) {
		m.above_start = AMD_ABOVE_1TB_START;
		if (!place_above(&m, hole64_size, aligned_dimm, broken_reserved_end, mem))
			goto too_big;
	}
	uint64_t top = hole64_fix     ? m.hole64_end
		       : m.has_devmem ? m.devmem_base + m.devmem_size
				      : m.above_start + m.above;
	if (top <= X86_ABOVE_4G_START)
		top = X86_ABOVE_4G_START;
	l->phys_bits = 64 - (unsigned)__builtin_clzll(top - 1);
	/* the machine type's host-phys-bits=on wins over libvirt's phys-bits */
	if (l->host_phys_bits && d->maxphysaddr_bits &&
	    !streq_ptr(d->maxphysaddr_mode, "passthrough") &&
	    (r = mm_layout_warn(l,
				"machine '%s' turns host-phys-bits on: QEMU ignores <maxphysaddr "
				"mode='emulate' bits='%u'/> and gives the guest the host's bits; "
				"<maxphysaddr mode='passthrough' limit='%u'/> limits them",
				d->machine, d->maxphysaddr_bits, d->maxphysaddr_bits)) < 0)
		return r;
	/* QEMU 7.1+ refuses maps above the CPU's phys-bits */
	if (d->maxphysaddr_bits && d->maxphysaddr_bits < 64 &&
	    top > (UINT64_C(1) << d->maxphysaddr_bits) &&
	    (r = mm_layout_warn(l,
				"the map ends at 0x%" PRIx64 ", above the CPU's %u physical "
				"address bits: QEMU 7.1 and later refuse to start",
				top, d->maxphysaddr_bits)) < 0)
		return r;

	if ((r = mm_layout_add(l, "ram-below-4g", MM_REGION_DMA, 0, below, -1)) < 0)
		return r;
	if (q35) {
		if (below < Q35_MMCONFIG_BASE &&
		    (r = mm_layout_add(l, pci, MM_REGION_PCI_WINDOW, below,
				       Q35_MMCONFIG_BASE - below, -1)) < 0)
			return r;
		if ((r = mm_layout_add(l, "pcie-ecam", MM_REGION_MMIO, Q35_MMCONFIG_BASE,
				       Q35_MMCONFIG_SIZE, -1)) < 0 ||
		    (r = mm_layout_add(l, pci, MM_REGION_PCI_WINDOW,
				       Q35_MMCONFIG_BASE + Q35_MMCONFIG_SIZE,
				       IO_APIC_BASE - Q35_MMCONFIG_BASE - Q35_MMCONFIG_SIZE, -1)) <
			    0)
			return r;
	} else if ((r = mm_layout_add(l, pci, MM_REGION_PCI_WINDOW, below, IO_APIC_BASE - below,
				      -1)) < 0)
		return r;
	if ((r = mm_layout_add(l, "ioapic", MM_REGION_MMIO, IO_APIC_BASE, IO_APIC_SIZE, -1)) < 0 ||
	    (r = mm_layout_add(l, "interrupt-window", MM_REGION_MMIO, APIC_MSI_BASE, APIC_MSI_SIZE,
			       -1)) < 0)
		return r;
	if (m.above > 0 &&
	    (r = mm_layout_add(l, "ram-above-4g", MM_REGION_DMA, m.above_start, m.above, -1)) < 0)
		return r;
	if (m.has_devmem) {
		l->device_memory_base = m.devmem_base;
		l->device_memory_size = m.devmem_size;
		if ((r = mm_layout_add(l, "device-memory", MM_REGION_DMA, m.devmem_base,
				       m.devmem_size, -1)) < 0)
			return r;
	}
	if (hole64_fix)
		r = mm_layout_add(l, pci_high, MM_REGION_PCI_WINDOW, m.hole64_start,
				  m.hole64_end - m.hole64_start, -1);
	else
		r = mm_layout_warn(l,
				   "%s: firmware places the 64-bit PCI window on machine "
				   "types before 2.12; it is not listed",
				   l->machine);
	return r < 0 ? r : 0;

too_big:
	mm_error_set(err, NULL, 0, "%s: the memory map does not fit in 64 bits", l->machine);
	return -ERANGE;
}
