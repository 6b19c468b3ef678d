/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the host map knows from the firmware and the kernel beyond reserved
 * ranges: MSI controllers with their doorbells, and address limits with
 * where each was read. Names of their kinds, as the formats spell them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostmap.h"
#include "macros.h"

static const char *const msi_types[] = {
	[MM_MSI_GICV3_ITS] = "gicv3-its",
	[MM_MSI_GICV2M] = "gicv2m",
	[MM_MSI_X86_LAPIC] = "x86-lapic",
};
static const char *const firmwares[] = {
	[MM_FIRMWARE_FDT] = "fdt",
	[MM_FIRMWARE_ACPI] = "acpi",
};
static const char *const limit_kinds[] = {
	[MM_LIMIT_CPU_PHYS] = "cpu-phys",
	[MM_LIMIT_KVM_IPA] = "kvm-ipa",
	[MM_LIMIT_IOMMU] = "iommu",
};
static const char *const reserved_sources[] = {
	[MM_RESERVED_FROM_KERNEL] = "kernel",
	[MM_RESERVED_FROM_IORT] = "iort",
};

MM_ENUM_STRINGS(mm_msi_type, MmMsiType, msi_types)
MM_ENUM_STRINGS(mm_firmware, MmFirmware, firmwares)
MM_ENUM_STRINGS(mm_limit_kind, MmLimitKind, limit_kinds)
MM_ENUM_STRINGS(mm_reserved_source, MmReservedSource, reserved_sources)

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int msi_cmp(const void *a, const void *b)
{
	const MmMsiController *x = a, *y = b;
	int c = cmp_u64(x->base, y->base);
	if (!c)
		c = cmp_u64(x->type, y->type);
	if (!c)
		c = cmp_u64(x->source, y->source);
	if (!c)
		c = cmp_u64(x->size, y->size);
	if (!c)
		c = cmp_u64(x->doorbell, y->doorbell);
	if (!c)
		c = x->translated < y->translated ? -1 : x->translated > y->translated;
	return c;
}

int mm_hostmap_add_msi_controller(MmHostMap *m, const MmMsiController *c)
{
	for (size_t i = 0; i < m->n_msi_controllers; i++)
		if (msi_cmp(&m->msi_controllers[i], c) == 0)
			return 0;
	MmMsiController *p = realloc(m->msi_controllers, (m->n_msi_controllers + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->msi_controllers = p;
	p[m->n_msi_controllers++] = *c;
	qsort(p, m->n_msi_controllers, sizeof(*p), msi_cmp);
	return 0;
}

static int limit_cmp(const void *a, const void *b)
{
	const MmLimit *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	int c = strcmp(x->source, y->source);
	return c ? c : (x->bits < y->bits ? -1 : x->bits > y->bits);
}

static void lower(unsigned *field, unsigned bits)
{
	if (*field == MM_BITS_UNKNOWN || bits < *field)
		*field = bits;
}

int mm_hostmap_add_limit(MmHostMap *m, MmLimitKind kind, unsigned bits, const char *source)
{
	if (bits < 12 || bits > 64 || (size_t)kind >= ELEMENTSOF(limit_kinds) || !source)
		return -EINVAL;
	MmLimit key = { kind, bits, (char *)source };
	for (size_t i = 0; i < m->n_limits; i++)
		if (limit_cmp(&m->limits[i], &key) == 0)
			return 0;
	_cleanup_free_ char *s = strdup(source);
	MmLimit *p = s ? realloc(m->limits, (m->n_limits + 1) * sizeof(*p)) : NULL;
	if (!p)
		return -ENOMEM;
	m->limits = p;
	p[m->n_limits++] = (MmLimit){ kind, bits, TAKE_PTR(s) };
	qsort(p, m->n_limits, sizeof(*p), limit_cmp);
	switch (kind) {
	case MM_LIMIT_CPU_PHYS:
		lower(&m->phys_bits, bits);
		break;
	case MM_LIMIT_KVM_IPA:
		lower(&m->kvm_ipa_bits, bits);
		break;
	case MM_LIMIT_IOMMU:
		lower(&m->iommu_bits, bits);
		break;
	}
	return 0;
}
