/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ACPI tables the kernel booted with (sys/firmware/acpi/tables/):
 * the MADT ("APIC": GIC ITS entries, GIC MSI frames, the x86 local APIC
 * address), the IORT (how root complexes and named components reach the
 * ITS groups, directly or through an SMMU; RMR nodes) and whether the x86
 * IOMMU tables (DMAR: Intel VT-d, IVRS: AMD-Vi) are there.
 *
 * Firmware tables are input: every length and offset is checked against
 * the table's length before it is read, and what does not fit becomes a
 * warning naming the table and the offset. Layouts: ACPI 6.5 §5.2.12
 * (MADT), Arm DEN 0049E.d (IORT). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "rangeset.h"
#include "sysroot.h"

#define TABLES_DIR      "sys/firmware/acpi/tables"
#define ACPI_HEADER_LEN 36
#define ACPI_TABLE_MAX  (1u << 20)

#define GITS_TRANSLATER   0x10040
#define GICV3_ITS_SIZE    0x20000 /* the kernel's ACPI_GICV3_ITS_MEM_SIZE */
#define V2M_MSI_SETSPI_NS 0x40
#define V2M_FRAME_SIZE    0x1000
#define X86_MSI_WINDOW    0x100000 /* MSI addresses are 0xfeexxxxx */

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The length to parse: the header's, cut to what the file holds. 0 when
 * the table cannot be parsed at all (already warned). */
static int table_length(const uint8_t *t, size_t len, const char *file, const char *signature,
			size_t *ret, MmHostMap *m)
{
	*ret = 0;
	if (len < ACPI_HEADER_LEN)
		return mm_hostmap_add_warning(m,
					      "%s: %zu bytes, shorter than an ACPI header: ignored",
					      file, len);
	if (memcmp(t, signature, 4) != 0)
		return mm_hostmap_add_warning(m, "%s: offset 0x0: signature is not %s: ignored",
					      file, signature);
	uint32_t declared = le32(t + 4);
	if (declared < ACPI_HEADER_LEN)
		return mm_hostmap_add_warning(m,
					      "%s: offset 0x4: table length %" PRIu32
					      " shorter than its header: ignored",
					      file, declared);
	if (declared > len) {
		*ret = len;
		return mm_hostmap_add_warning(m,
					      "%s: offset 0x4: table length %" PRIu32
					      " past the end of the file (%zu bytes): truncated "
					      "table, read as far as it goes",
					      file, declared, len);
	}
	*ret = declared;
	return 0;
}

/* ---- MADT ---- */

enum {
	MADT_LOCAL_APIC = 0x0,
	MADT_LAPIC_OVERRIDE = 0x5,
	MADT_LOCAL_X2APIC = 0x9,
	MADT_GIC_MSI_FRAME = 0xd,
	MADT_GIC_ITS = 0xf,
};

void mm_madt_clear(MmMadt *madt)
{
	free(madt->controllers);
	free(madt->its_ids);
	*madt = (MmMadt){ 0 };
}

static int madt_add(MmMadt *madt, MmMsiType type, uint64_t base, uint64_t size,
		    uint64_t doorbell_offset, uint32_t its_id)
{
	MmMsiController *c = realloc(madt->controllers, (madt->n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	madt->controllers = c;
	uint32_t *ids = realloc(madt->its_ids, (madt->n + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	madt->its_ids = ids;
	c[madt->n] = (MmMsiController){
		type, base, size, base + doorbell_offset, MM_TRANSLATED_UNKNOWN, MM_FIRMWARE_ACPI
	};
	ids[madt->n] = its_id;
	madt->n++;
	return 0;
}

int mm_madt_parse(const uint8_t *t, size_t file_len, const char *file, MmMadt *ret, MmHostMap *m)
{
	size_t len;
	int r = table_length(t, file_len, file, "APIC", &len, m);
	if (r < 0 || len == 0)
		return r;
	if (len < ACPI_HEADER_LEN + 8)
		return mm_hostmap_add_warning(m,
					      "%s: offset 0x%x: table ends inside the MADT header",
					      file, ACPI_HEADER_LEN);
	uint64_t lapic = le32(t + ACPI_HEADER_LEN);
	for (size_t off = ACPI_HEADER_LEN + 8; off < len;) {
		if (len - off < 2)
			return mm_hostmap_add_warning(m,
						      "%s: offset 0x%zx: subtable header cut by "
						      "the end of the table",
						      file, off);
		uint8_t type = t[off], sublen = t[off + 1];
		if (sublen < 2)
			return mm_hostmap_add_warning(m,
						      "%s: offset 0x%zx: subtable type 0x%x with "
						      "length %u: rest of the table ignored",
						      file, off, type, sublen);
		if (sublen > len - off)
			return mm_hostmap_add_warning(m,
						      "%s: offset 0x%zx: subtable type 0x%x with "
						      "length %u past the end of the table "
						      "(length %zu): ignored",
						      file, off, type, sublen, len);
		const uint8_t *s = t + off;
		static const uint8_t need[] = {
			[MADT_LAPIC_OVERRIDE] = 12,
			[MADT_GIC_MSI_FRAME] = 24,
			[MADT_GIC_ITS] = 20,
		};
		if (type < sizeof(need) && need[type] && sublen < need[type]) {
			r = mm_hostmap_add_warning(m,
						   "%s: offset 0x%zx: subtable type 0x%x is %u "
						   "bytes, needs %u: skipped",
						   file, off, type, sublen, need[type]);
		} else if (type == MADT_LOCAL_APIC || type == MADT_LOCAL_X2APIC) {
			ret->x86 = true;
		} else if (type == MADT_LAPIC_OVERRIDE) {
			lapic = le64(s + 4);
		} else if (type == MADT_GIC_MSI_FRAME) {
			r = madt_add(ret, MM_MSI_GICV2M, le64(s + 8), V2M_FRAME_SIZE,
				     V2M_MSI_SETSPI_NS, UINT32_MAX);
		} else if (type == MADT_GIC_ITS) {
			r = madt_add(ret, MM_MSI_GICV3_ITS, le64(s + 8), GICV3_ITS_SIZE,
				     GITS_TRANSLATER, le32(s + 4));
		}
		if (r < 0)
			return r;
		off += sublen;
	}
	if (ret->x86 && lapic) {
		/* MSIs are writes to 0xfeexxxxx that interrupt remapping, not
		 * DMA translation, handles: never moved by an IOMMU. */
		r = madt_add(ret, MM_MSI_X86_LAPIC, lapic, X86_MSI_WINDOW, 0, UINT32_MAX);
		if (r >= 0)
			ret->controllers[ret->n - 1].translated = 0;
	}
	return r;
}

/* ---- IORT ---- */

enum {
	IORT_ITS_GROUP = 0,
	IORT_NAMED_COMPONENT = 1,
	IORT_ROOT_COMPLEX = 2,
	IORT_SMMU = 3,
	IORT_SMMU_V3 = 4,
	IORT_RMR = 6,
};

#define IORT_NODE_HEADER              16
#define IORT_ID_MAPPING               20
#define IORT_SMMU_V3_MODEL            40 /* offset of Model in an SMMUv3 node */
#define IORT_SMMU_V3_HISILICON_HI161X 1  /* MSIs bypass the SMMU */
#define IORT_RMR_DESC                 20
#define IORT_RMR_REMAP_PERMITTED      0x1

typedef struct IortNode {
	size_t offset;
	uint8_t type, revision;
	size_t length;
	uint32_t n_mappings;
	size_t mappings; /* offset of the ID mapping array within the node */
} IortNode;

/* How the ITSes are reached; indexed by the order of madt's controllers. */
typedef struct ItsReach {
	bool translated, bypass, direct;
} ItsReach;

typedef struct Iort {
	const uint8_t *t;
	size_t len;
	const char *file;
	MmHostMap *m;
	IortNode *nodes;
	size_t n_nodes;
} Iort;

static const IortNode *iort_node_at(const Iort *io, uint32_t offset)
{
	for (size_t i = 0; i < io->n_nodes; i++)
		if (io->nodes[i].offset == offset)
			return &io->nodes[i];
	return NULL;
}

/* Read and check every node header; nodes that do not fit end the walk. */
static int iort_read_nodes(Iort *io)
{
	const uint8_t *t = io->t;
	if (io->len < ACPI_HEADER_LEN + 12)
		return mm_hostmap_add_warning(io->m,
					      "%s: offset 0x%x: table ends inside the IORT "
					      "header",
					      io->file, ACPI_HEADER_LEN);
	uint32_t count = le32(t + 36), off = le32(t + 40);
	if (count && (off < ACPI_HEADER_LEN + 12 || off >= io->len))
		return mm_hostmap_add_warning(io->m,
					      "%s: offset 0x28: node offset 0x%" PRIx32
					      " outside the table (length %zu)",
					      io->file, off, io->len);
	size_t max_nodes = (io->len - ACPI_HEADER_LEN) / IORT_NODE_HEADER;
	if (count > max_nodes) {
		int r = mm_hostmap_add_warning(io->m,
					       "%s: offset 0x24: %" PRIu32 " nodes cannot fit "
					       "in %zu bytes",
					       io->file, count, io->len);
		if (r < 0)
			return r;
		count = (uint32_t)max_nodes;
	}
	io->nodes = calloc(count ? count : 1, sizeof(*io->nodes));
	if (!io->nodes)
		return -ENOMEM;
	size_t pos = off;
	for (uint32_t i = 0; i < count; i++) {
		if (io->len - pos < IORT_NODE_HEADER)
			return mm_hostmap_add_warning(io->m,
						      "%s: offset 0x%zx: node %" PRIu32
						      " header past the end of the table",
						      io->file, pos, i);
		const uint8_t *n = t + pos;
		size_t length = le16(n + 1);
		if (length < IORT_NODE_HEADER)
			return mm_hostmap_add_warning(io->m,
						      "%s: offset 0x%zx: node %" PRIu32
						      " has length %zu: rest of the "
						      "table ignored",
						      io->file, pos, i, length);
		if (length > io->len - pos)
			return mm_hostmap_add_warning(io->m,
						      "%s: offset 0x%zx: node %" PRIu32
						      " length %zu past the end of the "
						      "table (length %zu)",
						      io->file, pos, i, length, io->len);
		IortNode node = { pos, n[0], n[3], length, le32(n + 8), le32(n + 12) };
		if (node.n_mappings &&
		    (node.mappings < IORT_NODE_HEADER || node.mappings > length ||
		     node.n_mappings > (length - node.mappings) / IORT_ID_MAPPING)) {
			int r = mm_hostmap_add_warning(io->m,
						       "%s: offset 0x%zx: %" PRIu32 " ID "
						       "mappings at node offset 0x%zx "
						       "do not fit in the node (length "
						       "%zu): mappings ignored",
						       io->file, pos, node.n_mappings,
						       node.mappings, length);
			if (r < 0)
				return r;
			node.n_mappings = 0;
		}
		io->nodes[io->n_nodes++] = node;
		pos += length;
	}
	return 0;
}

/* The output node of mapping i of node, or NULL (warned) when it points
 * at no node. */
static int iort_mapping_target(Iort *io, const IortNode *node, uint32_t i, const IortNode **ret)
{
	size_t at = node->offset + node->mappings + (size_t)i * IORT_ID_MAPPING;
	uint32_t ref = le32(io->t + at + 12);
	*ret = iort_node_at(io, ref);
	if (*ret)
		return 0;
	return mm_hostmap_add_warning(io->m,
				      "%s: offset 0x%zx: ID mapping output reference "
				      "0x%" PRIx32 " is not a node",
				      io->file, at + 12, ref);
}

/* Mark the ITSes of group its as reached one way. */
static int iort_mark_its(Iort *io, const IortNode *its, MmMadt *madt, ItsReach *reach, int how)
{
	const uint8_t *g = io->t + its->offset;
	if (its->length < IORT_NODE_HEADER + 4)
		return mm_hostmap_add_warning(io->m, "%s: offset 0x%zx: ITS group node too short",
					      io->file, its->offset);
	uint32_t n = le32(g + IORT_NODE_HEADER);
	if (n > (its->length - IORT_NODE_HEADER - 4) / 4)
		return mm_hostmap_add_warning(io->m,
					      "%s: offset 0x%zx: ITS group of %" PRIu32
					      " ITSes does not fit in its node (length "
					      "%zu)",
					      io->file, its->offset, n, its->length);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t id = le32(g + IORT_NODE_HEADER + 4 + 4 * k);
		for (size_t c = 0; madt && c < madt->n; c++) {
			if (madt->its_ids[c] != id)
				continue;
			if (how == 0)
				reach[c].direct = true;
			else if (how == 1)
				reach[c].translated = true;
			else
				reach[c].bypass = true;
		}
	}
	return 0;
}

static bool smmu_bypasses_msi(const Iort *io, const IortNode *smmu)
{
	return smmu->type == IORT_SMMU_V3 && smmu->length >= IORT_SMMU_V3_MODEL + 4 &&
	       le32(io->t + smmu->offset + IORT_SMMU_V3_MODEL) == IORT_SMMU_V3_HISILICON_HI161X;
}

/* Follow every root complex and named component to the ITS groups its
 * MSIs reach: directly, or through an SMMU that translates them (or, for a
 * HiSilicon Hi161x SMMUv3, lets them bypass it: a hardware MSI region, as
 * the kernel's iort_iommu_msi_get_resv_regions() reserves). */
static int iort_reach(Iort *io, MmMadt *madt, ItsReach *reach)
{
	int r;
	for (size_t i = 0; i < io->n_nodes; i++) {
		const IortNode *client = &io->nodes[i];
		if (client->type != IORT_ROOT_COMPLEX && client->type != IORT_NAMED_COMPONENT)
			continue;
		for (uint32_t k = 0; k < client->n_mappings; k++) {
			const IortNode *out;
			if ((r = iort_mapping_target(io, client, k, &out)) < 0)
				return r;
			if (!out)
				continue;
			if (out->type == IORT_ITS_GROUP) {
				if ((r = iort_mark_its(io, out, madt, reach, 0)) < 0)
					return r;
				continue;
			}
			if (out->type != IORT_SMMU && out->type != IORT_SMMU_V3)
				continue;
			int how = smmu_bypasses_msi(io, out) ? 2 : 1;
			for (uint32_t j = 0; j < out->n_mappings; j++) {
				const IortNode *its;
				if ((r = iort_mapping_target(io, out, j, &its)) < 0)
					return r;
				if (its && its->type == IORT_ITS_GROUP &&
				    (r = iort_mark_its(io, its, madt, reach, how)) < 0)
					return r;
			}
		}
	}
	return 0;
}

/* Is [start, end] wholly in the kernel's direct or direct-relaxable ranges? */
static int kernel_reported(const MmHostMap *m, uint64_t start, uint64_t end, bool *ret)
{
	MmRangeSet kernel = { 0 }, want = { 0 }, left = { 0 };
	int r = mm_rangeset_add(&want, start, end, MM_NO_ORIGIN);
	for (size_t i = 0; r >= 0 && i < m->n_reserved; i++) {
		const MmReserved *x = &m->reserved[i];
		MmReservedKind k = mm_reserved_kind_of(x->type);
		if (x->source == MM_RESERVED_FROM_KERNEL &&
		    (k == MM_RESERVED_DIRECT || k == MM_RESERVED_DIRECT_RELAXABLE))
			r = mm_rangeset_add(&kernel, x->start, x->end, MM_NO_ORIGIN);
	}
	if (r >= 0)
		r = mm_rangeset_subtract(&left, &want, &kernel);
	*ret = left.n == 0;
	mm_rangeset_clear(&kernel);
	mm_rangeset_clear(&want);
	mm_rangeset_clear(&left);
	return r;
}

/* An RMR node's memory ranges become direct (or, remapping permitted,
 * direct-relaxable) ranges, as the kernel's iort_get_rmrs() reports them;
 * the ones the kernel did not report are added with source iort. */
static int iort_rmr(Iort *io, const IortNode *node)
{
	const uint8_t *n = io->t + node->offset;
	const char *file = io->file;
	if (node->length < IORT_NODE_HEADER + 12)
		return mm_hostmap_add_warning(io->m,
					      "%s: offset 0x%zx: RMR node too short "
					      "(length %zu): ignored",
					      file, node->offset, node->length);
	if (node->n_mappings == 0)
		return mm_hostmap_add_warning(io->m,
					      "%s: offset 0x%zx: RMR node without ID "
					      "mappings: ignored, as the kernel does",
					      file, node->offset);
	uint32_t flags = le32(n + 16), count = le32(n + 20), ref = le32(n + 24);
	if (count == 0)
		return 0;
	if (ref < IORT_NODE_HEADER + 12 || ref > node->length ||
	    count > (node->length - ref) / IORT_RMR_DESC)
		return mm_hostmap_add_warning(io->m,
					      "%s: offset 0x%zx: %" PRIu32 " RMR "
					      "descriptors at node offset 0x%" PRIx32
					      " do not fit in the node (length %zu): "
					      "ignored",
					      file, node->offset + 20, count, ref, node->length);
	const char *type = flags & IORT_RMR_REMAP_PERMITTED ? "direct-relaxable" : "direct";
	for (uint32_t i = 0; i < count; i++) {
		size_t at = node->offset + ref + (size_t)i * IORT_RMR_DESC;
		uint64_t base = le64(io->t + at), length = le64(io->t + at + 8);
		int r = 0;
		if (length == 0 || base > UINT64_MAX - (length - 1)) {
			r = mm_hostmap_add_warning(io->m,
						   "%s: offset 0x%zx: RMR descriptor with "
						   "base 0x%" PRIx64 " length 0x%" PRIx64
						   ": ignored",
						   file, at, base, length);
		} else {
			bool reported;
			uint64_t end = base + (length - 1);
			r = kernel_reported(io->m, base, end, &reported);
			if (r >= 0 && !reported)
				r = mm_hostmap_add_reserved_from(io->m, type, MM_RESERVED_FROM_IORT,
								 base, end, NULL);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int mm_iort_parse(const uint8_t *t, size_t file_len, const char *file, MmMadt *madt, MmHostMap *m)
{
	Iort io = { .t = t, .file = file, .m = m };
	_cleanup_free_ ItsReach *reach = NULL;
	int r = table_length(t, file_len, file, "IORT", &io.len, m);
	if (r < 0 || io.len == 0)
		return r;
	r = iort_read_nodes(&io);
	if (r >= 0 && madt && madt->n) {
		reach = calloc(madt->n, sizeof(*reach));
		r = reach ? iort_reach(&io, madt, reach) : -ENOMEM;
		for (size_t c = 0; r >= 0 && c < madt->n; c++) {
			if (madt->controllers[c].type != MM_MSI_GICV3_ITS)
				continue;
			const ItsReach *x = &reach[c];
			madt->controllers[c].translated = x->bypass       ? 0
							  : x->translated ? 1
							  : x->direct     ? 0
									  : MM_TRANSLATED_UNKNOWN;
		}
	}
	/* The kernel reads RMR nodes of IORT revision 5 (E.d) and later only. */
	for (size_t i = 0; r >= 0 && i < io.n_nodes; i++) {
		if (io.nodes[i].type != IORT_RMR)
			continue;
		if (t[8] < 5)
			r = mm_hostmap_add_warning(m,
						   "%s: offset 0x%zx: RMR node in an IORT of "
						   "revision %u: ignored, as the kernel does",
						   file, io.nodes[i].offset, t[8]);
		else
			r = iort_rmr(&io, &io.nodes[i]);
	}
	free(io.nodes);
	return r;
}

/* ---- the tables directory ---- */

static int read_table(int rootfd, const char *name, uint8_t **ret, size_t *len, MmHostMap *m,
		      MmError *err)
{
	char path[128];
	snprintf(path, sizeof(path), TABLES_DIR "/%s", name);
	int r = mm_read_file_at(rootfd, path, ACPI_TABLE_MAX, (char **)ret, len, NULL);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM) {
		mm_error_set(err, path, 0, "out of memory");
		return r;
	}
	if (r < 0) {
		*ret = NULL;
		return mm_hostmap_add_warning(m, "%s: unreadable (%s)%s", path, strerror(-r),
					      r == -EACCES ? ": run as root to read the firmware "
							     "tables"
							   : "");
	}
	return 1;
}

static bool table_present(int rootfd, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), TABLES_DIR "/%s", name);
	return faccessat(rootfd, path, F_OK, 0) == 0;
}

int mm_probe_acpi(int rootfd, MmHostMap *m, MmError *err)
{
	_cleanup_free_ uint8_t *apic = NULL, *iort = NULL;
	size_t apic_len = 0, iort_len = 0;
	MmMadt madt = { 0 };
	int r;

	r = read_table(rootfd, "APIC", &apic, &apic_len, m, err);
	if (r > 0)
		r = mm_madt_parse(apic, apic_len, TABLES_DIR "/APIC", &madt, m);
	if (r >= 0)
		r = read_table(rootfd, "IORT", &iort, &iort_len, m, err);
	if (r > 0)
		r = mm_iort_parse(iort, iort_len, TABLES_DIR "/IORT", &madt, m);
	for (size_t i = 0; r >= 0 && i < madt.n; i++)
		r = mm_hostmap_add_msi_controller(m, &madt.controllers[i]);
	mm_madt_clear(&madt);
	if (r < 0)
		return r;

	/* Firmware with an IOMMU the kernel does not use. */
	static const struct {
		const char *table, *what, *option;
	} iommus[] = {
		{ "DMAR", "Intel VT-d", "intel_iommu=on" },
		{ "IVRS", "AMD-Vi", "amd_iommu=on" },
	};
	for (size_t i = 0; i < ELEMENTSOF(iommus) && m->n_iommu_groups == 0; i++) {
		if (!table_present(rootfd, iommus[i].table))
			continue;
		r = mm_hostmap_add_warning(m,
					   TABLES_DIR "/%s: the firmware describes %s but the "
						      "kernel made no IOMMU groups (is %s missing "
						      "from the kernel command line?)",
					   iommus[i].table, iommus[i].what, iommus[i].option);
		if (r < 0)
			return r;
	}
	return 0;
}
