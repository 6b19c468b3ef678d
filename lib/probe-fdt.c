/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device tree the kernel booted with (sys/firmware/fdt), read with
 * libfdt: GICv3 ITS nodes (arm,gic-v3-its) and GICv2m frames
 * (arm,gic-v2m-frame) with their doorbells, and whether devices reach them
 * through an IOMMU: a node whose msi-map/msi-parent names the controller
 * and whose iommu-map/iommus names an enabled IOMMU has its MSIs translated
 * (the kernel maps the doorbell in its software MSI window). Addresses are
 * translated to CPU addresses through the parents' ranges. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "sysroot.h"

#define FDT_FILE          "sys/firmware/fdt"
#define GITS_TRANSLATER   0x10040
#define V2M_MSI_SETSPI_NS 0x40

/* How one controller is reached, gathered over every MSI client. */
typedef struct FdtController {
	int node;
	bool via_iommu, direct;
	MmMsiController c;
} FdtController;

typedef struct FdtScan {
	const void *fdt;
	const char *file;
	MmHostMap *m;
	FdtController *controllers;
	size_t n, alloc;
} FdtScan;

static const char *node_path(const void *fdt, int node, char *buf, size_t size)
{
	if (fdt_get_path(fdt, node, buf, (int)size) < 0)
		snprintf(buf, size, "node at offset %d", node);
	return buf;
}

static int warn_node(FdtScan *s, int node, const char *what)
{
	char path[256];
	return mm_hostmap_add_warning(s->m, "%s: %s: %s", s->file,
				      node_path(s->fdt, node, path, sizeof(path)), what);
}

static bool node_enabled(const void *fdt, int node)
{
	int len;
	const char *status = fdt_getprop(fdt, node, "status", &len);
	if (!status || len <= 0)
		return true;
	return strnlen(status, (size_t)len) < (size_t)len &&
	       (strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0);
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

/* Translate addr, in the address space of bus's children, to a CPU
 * address: each bus up to the root maps it through its ranges. */
static int translate(const void *fdt, int bus, uint64_t *addr)
{
	for (int depth = 0; bus > 0; depth++) {
		int parent = fdt_parent_offset(fdt, bus), len;
		if (parent < 0 || depth > 64)
			return -EINVAL;
		const fdt32_t *ranges = fdt_getprop(fdt, bus, "ranges", &len);
		if (!ranges)
			return -EINVAL; /* not memory-mapped through this bus */
		if (len > 0) {
			int cac = fdt_address_cells(fdt, bus), csc = fdt_size_cells(fdt, bus);
			int pac = fdt_address_cells(fdt, parent);
			if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc < 0 || csc > 2)
				return -ENOTSUP;
			int entry = cac + pac + csc, n = len / (int)sizeof(fdt32_t) / entry;
			bool found = false;
			for (int i = 0; i < n && !found; i++) {
				const fdt32_t *e = ranges + i * entry;
				uint64_t child = read_cells(e, cac), to = read_cells(e + cac, pac);
				uint64_t size = read_cells(e + cac + pac, csc);
				if (*addr >= child && *addr - child < size) {
					*addr = to + (*addr - child);
					found = true;
				}
			}
			if (!found)
				return -ERANGE;
		}
		bus = parent;
	}
	return 0;
}

/* The first reg entry of node as a CPU address. */
static int node_reg(const void *fdt, int node, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node), len;
	if (parent < 0)
		return -EINVAL;
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -ENOTSUP;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < (ac + sc) * (int)sizeof(fdt32_t))
		return -ENODATA;
	*base = read_cells(reg, ac);
	*size = read_cells(reg + ac, sc);
	return translate(fdt, parent, base);
}

static int add_controllers(FdtScan *s, const char *compatible, MmMsiType type, uint64_t offset)
{
	const void *fdt = s->fdt;
	for (int node = fdt_node_offset_by_compatible(fdt, -1, compatible); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compatible)) {
		uint64_t base, size;
		if (!node_enabled(fdt, node))
			continue;
		int r = node_reg(fdt, node, &base, &size);
		if (r < 0) {
			if (warn_node(s, node,
				      r == -ENODATA ? "no usable reg: controller skipped"
						    : "reg not translatable to a CPU address: "
						      "controller skipped") < 0)
				return -ENOMEM;
			continue;
		}
		if (size <= offset || base > UINT64_MAX - offset) {
			if (warn_node(s, node, "frame too small for its doorbell: skipped") < 0)
				return -ENOMEM;
			continue;
		}
		if (MM_GROW(s->controllers, s->alloc, s->n + 1) < 0)
			return -ENOMEM;
		s->controllers[s->n++] = (FdtController){
			.node = node,
			.c = { type, base, size, base + offset, MM_TRANSLATED_UNKNOWN,
			       MM_FIRMWARE_FDT },
		};
	}
	return 0;
}

static FdtController *find_controller(FdtScan *s, uint32_t phandle)
{
	int node = fdt_node_offset_by_phandle(s->fdt, phandle);
	for (size_t i = 0; node >= 0 && i < s->n; i++)
		if (s->controllers[i].node == node)
			return &s->controllers[i];
	return NULL;
}

/* The #cells property of the node phandle names (0 when absent). */
static int phandle_cells(const void *fdt, uint32_t phandle, const char *name)
{
	int node = fdt_node_offset_by_phandle(fdt, phandle), len;
	if (node < 0)
		return -1;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return 0;
	if (len != sizeof(*p))
		return -1;
	uint32_t v = fdt32_ld(p);
	return v > 8 ? -1 : (int)v;
}

/* Call fn on every phandle of node's property: a "-map" property (entries
 * of 4 cells: id-base, phandle, out-base, length, as the kernel's
 * of_map_id() reads them) or a phandle list with #cells arguments. Returns
 * -EBADMSG when the property is malformed. */
static int for_each_phandle(FdtScan *s, int node, const char *prop, const char *cells_name,
			    int (*fn)(FdtScan *s, uint32_t phandle, void *userdata), void *userdata)
{
	int len;
	const fdt32_t *p = fdt_getprop(s->fdt, node, prop, &len);
	if (!p || len <= 0)
		return 0;
	int n = len / (int)sizeof(fdt32_t), r;
	if (!cells_name) {
		if (len % 16)
			return -EBADMSG;
		for (int i = 0; i + 3 < n; i += 4)
			if ((r = fn(s, fdt32_ld(&p[i + 1]), userdata)) < 0)
				return r;
		return 0;
	}
	for (int i = 0; i < n;) {
		uint32_t ph = fdt32_ld(&p[i]);
		int cells = phandle_cells(s->fdt, ph, cells_name);
		if (cells < 0 || i + 1 + cells > n)
			return -EBADMSG;
		if ((r = fn(s, ph, userdata)) < 0)
			return r;
		i += 1 + cells;
	}
	return 0;
}

static int note_iommu(FdtScan *s, uint32_t phandle, void *userdata)
{
	int node = fdt_node_offset_by_phandle(s->fdt, phandle);
	if (node >= 0 && node_enabled(s->fdt, node))
		*(bool *)userdata = true;
	return 0;
}

static int note_msi(FdtScan *s, uint32_t phandle, void *userdata)
{
	FdtController *c = find_controller(s, phandle);
	if (c) {
		if (*(bool *)userdata)
			c->via_iommu = true;
		else
			c->direct = true;
	}
	return 0;
}

static int warn_bad_prop(FdtScan *s, int node, const char *prop, int r)
{
	if (r != -EBADMSG)
		return r;
	char what[96];
	snprintf(what, sizeof(what), "malformed %s: ignored", prop);
	return warn_node(s, node, what) < 0 ? -ENOMEM : 0;
}

/* Every enabled node with msi-map or msi-parent is an MSI client: a PCIe
 * host bridge or a platform device. */
static int scan_clients(FdtScan *s)
{
	const void *fdt = s->fdt;
	int depth = 0, r;
	for (int node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		bool has_msi = fdt_getprop(fdt, node, "msi-map", NULL) ||
			       fdt_getprop(fdt, node, "msi-parent", NULL);
		if (!has_msi || !node_enabled(fdt, node))
			continue;
		bool behind_iommu = false;
		r = for_each_phandle(s, node, "iommu-map", NULL, note_iommu, &behind_iommu);
		if (r >= 0)
			r = for_each_phandle(s, node, "iommus", "#iommu-cells", note_iommu,
					     &behind_iommu);
		if (r < 0 && (r = warn_bad_prop(s, node, "iommu-map or iommus", r)) < 0)
			return r;
		r = for_each_phandle(s, node, "msi-map", NULL, note_msi, &behind_iommu);
		if (r < 0 && (r = warn_bad_prop(s, node, "msi-map", r)) < 0)
			return r;
		r = for_each_phandle(s, node, "msi-parent", "#msi-cells", note_msi, &behind_iommu);
		if (r < 0 && (r = warn_bad_prop(s, node, "msi-parent", r)) < 0)
			return r;
	}
	return 0;
}

#define FDT_SCAN_MAX_DEPTH 64

/* The structure block is sound: tags that move forward, nodes that nest
 * and close, properties inside nodes whose names are in the strings block.
 * This is what fdt_check_full() checks, done here with libfdt's accessors
 * because the libfdt Debian 12 ships (1.6.1) fails on damaged blobs in its
 * fdt_check_full(): it loops forever on a property length near 2^32 and
 * dereferences NULL on another blob (both found by fuzzing, in
 * tests/fuzz/regress/fdt/). Every later libfdt call reads a checked blob. */
static int check_structure(const void *fdt)
{
	int depth = 0, r = fdt_check_header(fdt);
	if (r < 0)
		return r;
	/* tags are 4-byte aligned from the block's start: so must the start be,
	 * or every property read is misaligned */
	if (fdt_off_dt_struct(fdt) % FDT_TAGSIZE)
		return -FDT_ERR_ALIGNMENT;
	for (int offset = 0, next = 0;; offset = next) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);
		if (tag == FDT_END)
			return next < 0                   ? next
			       : depth == 0 && offset > 0 ? 0
							  : -FDT_ERR_BADSTRUCTURE;
		if (next <= offset)
			return -FDT_ERR_BADSTRUCTURE;
		if (offset == 0 && tag != FDT_BEGIN_NODE)
			return -FDT_ERR_BADSTRUCTURE; /* the root node comes first */
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth > 0 && depth >= FDT_SCAN_MAX_DEPTH)
				return -FDT_ERR_BADSTRUCTURE;
			if (!fdt_get_name(fdt, offset, &r))
				return r;
			depth++;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -FDT_ERR_BADSTRUCTURE;
			if (depth == 0) {
				/* only NOPs may follow the root node before FDT_END */
				int n2 = next;
				uint32_t t;
				while ((t = fdt_next_tag(fdt, n2, &n2)) == FDT_NOP)
					;
				if (t != FDT_END || n2 < 0)
					return -FDT_ERR_BADSTRUCTURE;
				return 0;
			}
			break;
		case FDT_PROP: {
			int len;
			const struct fdt_property *prop =
				fdt_get_property_by_offset(fdt, offset, &len);
			if (!prop)
				return len;
			int nameoff = (int)fdt32_ld(
				(const fdt32_t *)((const char *)prop +
						  offsetof(struct fdt_property, nameoff)));
			if (depth == 0 || !fdt_get_string(fdt, nameoff, &r))
				return depth == 0 ? -FDT_ERR_BADSTRUCTURE : r;
			break;
		}
		case FDT_NOP:
			break;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
	}
}

int mm_fdt_parse(const void *blob, size_t len, const char *file, MmHostMap *m)
{
	FdtScan s = { .fdt = blob, .file = file, .m = m };
	int r;

	if (len > INT32_MAX)
		return mm_hostmap_add_warning(m, "%s: too large for a device tree: ignored", file);
	r = len < FDT_V1_SIZE || fdt_totalsize(blob) > len ? -FDT_ERR_TRUNCATED
							   : check_structure(blob);
	if (r < 0)
		return mm_hostmap_add_warning(m, "%s: not a valid device tree (%s): ignored", file,
					      fdt_strerror(r));
	r = add_controllers(&s, "arm,gic-v3-its", MM_MSI_GICV3_ITS, GITS_TRANSLATER);
	if (r >= 0)
		r = add_controllers(&s, "arm,gic-v2m-frame", MM_MSI_GICV2M, V2M_MSI_SETSPI_NS);
	if (r >= 0 && s.n)
		r = scan_clients(&s);
	for (size_t i = 0; r >= 0 && i < s.n; i++) {
		FdtController *c = &s.controllers[i];
		c->c.translated = c->via_iommu ? 1 : c->direct ? 0 : MM_TRANSLATED_UNKNOWN;
		r = mm_hostmap_add_msi_controller(m, &c->c);
	}
	free(s.controllers);
	return r;
}

int mm_probe_fdt(int rootfd, MmHostMap *m, MmError *err)
{
	_cleanup_free_ char *blob = NULL;
	size_t len;
	int r = mm_read_file_at(rootfd, FDT_FILE, MM_FILE_MAX, &blob, &len, NULL);
	if (r == -ENOENT)
		return 0; /* an ACPI or x86 host */
	if (r == -ENOMEM) {
		mm_error_set(err, FDT_FILE, 0, "out of memory");
		return r;
	}
	if (r < 0)
		return mm_hostmap_add_warning(m,
					      FDT_FILE ": unreadable (%s): MSI controllers "
						       "from the device tree unknown",
					      strerror(-r));
	return mm_fdt_parse(blob, len, FDT_FILE, m);
}
