/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest layouts: from a domain to the machine family that builds its map
 * (layout-virt.c, layout-x86.c), machine aliases, the memory sizes QEMU is
 * given, and the layout's JSON form. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "error.h"
#include "jsonutil.h"
#include "layout-internal.h"
#include "layout.h"
#include "macros.h"
#include "strv.h"

void mm_layout_free(MmGuestLayout *l)
{
	if (!l)
		return;
	free(l->machine);
	free(l->arch);
	free(l->regions);
	mm_strv_free(l->warnings, l->n_warnings);
	free(l);
}

int mm_layout_add(MmGuestLayout *l, const char *kind, MmRegionClass cls, uint64_t start,
		  uint64_t size, int node)
{
	size_t alloc = l->n_regions; /* grow one at a time: layouts are small */
	uint64_t end;
	if (size == 0)
		return 0;
	if (__builtin_add_overflow(start, size - 1, &end))
		return -ERANGE;
	if (MM_GROW(l->regions, alloc, l->n_regions + 1) < 0)
		return -ENOMEM;
	l->regions[l->n_regions++] = (MmGuestRegion){ kind, cls, start, end, node };
	return 0;
}

int mm_layout_warn(MmGuestLayout *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mm_strv_appendv(&l->warnings, &l->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

static int region_cmp(const void *a, const void *b)
{
	const MmGuestRegion *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* ---- machines ---- */

typedef enum Family { FAMILY_VIRT, FAMILY_Q35, FAMILY_I440FX } Family;

static const struct {
	Family family;
	const char *arch;
	const char *prefix; /* of versioned names */
	const char *alias;
	const MmMachineVersion *versions;
	const size_t *n_versions;
} families[] = {
	{ FAMILY_VIRT, "aarch64", "virt-", "virt", mm_virt_versions, &mm_n_virt_versions },
	{ FAMILY_Q35, "x86_64", "pc-q35-", "q35", mm_q35_versions, &mm_n_q35_versions },
	{ FAMILY_I440FX, "x86_64", "pc-i440fx-", "pc", mm_i440fx_versions, &mm_n_i440fx_versions },
};

/* "7.2" or "4.0.1": digits only, no leading junk, nothing after. */
static bool parse_version(const char *s, MmMachineVersion *v)
{
	unsigned parts[3] = { 0, 0, 0 };
	size_t n = 0;
	for (;;) {
		if (*s < '0' || *s > '9' || n == 3)
			return false;
		unsigned x = 0;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (unsigned)(*s++ - '0');
			if (x > 1000)
				return false;
		}
		parts[n++] = x;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return false;
	}
	if (n < 2)
		return false;
	*v = (MmMachineVersion){ parts[0], parts[1], parts[2] };
	return true;
}

static const char *alias_target(size_t f, char *buf, size_t size)
{
	const MmMachineVersion *last = &families[f].versions[*families[f].n_versions - 1];
	snprintf(buf, size, "%s%u.%u", families[f].prefix, last->major, last->minor);
	return buf;
}

/* The memory sizes libvirt puts on QEMU's command line: initial RAM is the
 * sum of the NUMA cells or <memory> less the memory devices; sizes are
 * rounded up to 1 MiB (qemuDomainAlignMemorySizes, x86 and aarch64). */
static int guest_memory(const MmDomain *d, MmGuestMemory *mem, uint64_t **cells, MmError *err)
{
	*mem = (MmGuestMemory){ 0 };
	if (d->n_numa_cells > 0) {
		*cells = calloc(d->n_numa_cells, sizeof(uint64_t));
		if (!*cells)
			return -ENOMEM;
		for (size_t i = 0; i < d->n_numa_cells; i++) {
			uint64_t c = d->numa_cells[i];
			if (!mm_align_up(&c, MM_MIB) ||
			    __builtin_add_overflow(mem->ram, c, &mem->ram))
				goto too_big;
			(*cells)[i] = c;
		}
		mem->cells = *cells;
		mem->n_cells = d->n_numa_cells;
	} else {
		uint64_t devices = 0;
		for (size_t i = 0; i < d->n_memory_devices; i++)
			if (__builtin_add_overflow(devices, d->memory_devices[i].size, &devices))
				goto too_big;
		if (devices >= d->memory) {
			mm_error_set(err, NULL, 0,
				     "no initial memory left after the memory devices");
			return -EINVAL;
		}
		mem->ram = d->memory - devices;
		if (!mm_align_up(&mem->ram, MM_MIB))
			goto too_big;
	}
	mem->maxram = mem->ram;
	if (d->max_memory) {
		uint64_t max = d->max_memory;
		if (!mm_align_up(&max, MM_MIB))
			goto too_big;
		if (max > mem->ram)
			mem->maxram = max;
		mem->slots = d->max_memory_slots;
	}
	return 0;
too_big:
	mm_error_set(err, NULL, 0, "memory sizes do not fit in 64 bits");
	return -ERANGE;
}

int mm_layout_compute(const MmDomain *d, MmGuestLayout **ret, MmError *err)
{
	_cleanup_(mm_layout_freep) MmGuestLayout *l = calloc(1, sizeof(*l));
	_cleanup_free_ uint64_t *cells = NULL;
	char buf[64];
	int r;

	if (!l)
		return -ENOMEM;
	if (!d->machine) {
		mm_error_set(err, NULL, 0, "the domain names no machine type");
		return -ENOTSUP;
	}
	size_t f;
	MmMachineVersion v = { 0 };
	const char *name = d->machine;
	bool known = false;
	for (f = 0; f < ELEMENTSOF(families); f++) {
		if (strcmp(name, families[f].alias) == 0) {
			const char *target = alias_target(f, buf, sizeof(buf));
			r = mm_layout_warn(l,
					   "machine '%s' is an alias: laid out as %s, the newest "
					   "modelled; the host's QEMU may resolve it differently, "
					   "so name a versioned machine type",
					   name, target);
			if (r < 0)
				return r;
			v = families[f].versions[*families[f].n_versions - 1];
			known = true;
			break;
		}
		size_t plen = strlen(families[f].prefix);
		if (strncmp(name, families[f].prefix, plen) == 0 &&
		    parse_version(name + plen, &v)) {
			for (size_t k = 0; k < *families[f].n_versions && !known; k++)
				known = memcmp(&families[f].versions[k], &v, sizeof(v)) == 0;
			if (!known) {
				mm_error_set(err, NULL, 0, "machine type '%s' is not modelled",
					     name);
				return -ENOTSUP;
			}
			break;
		}
	}
	if (!known) {
		mm_error_set(err, NULL, 0, "machine type '%s' is not modelled", name);
		return -ENOTSUP;
	}
	if (!d->arch || strcmp(d->arch, families[f].arch) != 0) {
		mm_error_set(err, NULL, 0, "machine type '%s' is for %s, not %s", name,
			     families[f].arch, d->arch ? d->arch : "an unknown arch");
		return -ENOTSUP;
	}
	if (v.micro)
		snprintf(buf, sizeof(buf), "%s%u.%u.%u", families[f].prefix, v.major, v.minor,
			 v.micro);
	else
		snprintf(buf, sizeof(buf), "%s%u.%u", families[f].prefix, v.major, v.minor);
	if (!(l->machine = strdup(buf)) || !(l->arch = strdup(families[f].arch)))
		return -ENOMEM;

	MmGuestMemory mem;
	if ((r = guest_memory(d, &mem, &cells, err)) < 0)
		return r;
	MmError local = { 0 };
	switch (families[f].family) {
	case FAMILY_VIRT:
		r = mm_layout_virt(d, v, &mem, l, &local);
		break;
	case FAMILY_Q35:
	case FAMILY_I440FX:
		r = mm_layout_x86(d, families[f].family == FAMILY_Q35, v, &mem, l, &local);
		break;
	}
	if (r < 0) {
		if (local.message[0] && err)
			*err = local;
		else if (r == -ERANGE)
			mm_error_set(err, NULL, 0, "%s: the memory map does not fit in 64 bits",
				     l->machine);
		return r;
	}
	qsort(l->regions, l->n_regions, sizeof(*l->regions), region_cmp);

	/* memory devices placed by hand must sit inside device memory */
	for (size_t i = 0; i < d->n_memory_devices; i++) {
		const MmMemoryDevice *m = &d->memory_devices[i];
		uint64_t end;
		if (!m->has_base)
			continue;
		if (l->device_memory_size == 0 || m->base < l->device_memory_base ||
		    __builtin_add_overflow(m->base, m->size, &end) ||
		    end > l->device_memory_base + l->device_memory_size) {
			r = mm_layout_warn(l,
					   "memory device %zu at base 0x%" PRIx64
					   " is outside device memory: QEMU refuses it",
					   i, m->base);
			if (r < 0)
				return r;
		}
	}
	*ret = TAKE_PTR(l);
	return 0;
}

/* ---- JSON ---- */

int mm_layout_format_json(const MmGuestLayout *l, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	json_object *regions = json_object_new_array();
	json_object *warnings = json_object_new_array();
	if (!o || mm_json_add(o, "machine", json_object_new_string(l->machine)) < 0 ||
	    mm_json_add(o, "arch", json_object_new_string(l->arch)) < 0 ||
	    mm_json_add(o, "physBits", json_object_new_int((int32_t)l->phys_bits)) < 0 ||
	    mm_json_add(o, "regions", regions) < 0) {
		json_object_put(warnings);
		return -ENOMEM;
	}
	if (mm_json_add(o, "warnings", warnings) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_regions; i++) {
		const MmGuestRegion *g = &l->regions[i];
		json_object *r = json_object_new_object();
		if (!r || mm_json_add(r, "kind", json_object_new_string(g->kind)) < 0 ||
		    mm_json_add(r, "start", mm_json_hex(g->start)) < 0 ||
		    mm_json_add(r, "end", mm_json_hex(g->end)) < 0 ||
		    (g->node >= 0 && mm_json_add(r, "node", json_object_new_int(g->node)) < 0) ||
		    json_object_array_add(regions, r) < 0) {
			json_object_put(r);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < l->n_warnings; i++) {
		json_object *s = json_object_new_string(l->warnings[i]);
		if (!s || json_object_array_add(warnings, s) < 0) {
			json_object_put(s);
			return -ENOMEM;
		}
	}
	return mm_json_to_string(o, ret);
}
