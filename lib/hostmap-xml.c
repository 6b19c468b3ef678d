/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map as a libvirt host capabilities fragment (docs/design.md §4):
 * <capabilities><host><uuid/><cpu><arch/></cpu><memoryMap …/></host>
 * </capabilities>. Format and parse are a pair: parse(format(m)) == m and
 * format(parse(x)) == x for every x this file writes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "error.h"
#include "hostmap-format.h"
#include "hostmap.h"
#include "macros.h"
#include "rangeset.h"
#include "util.h"
#include "xmlutil.h"

/* ---- format ---- */

static int write_range(xmlTextWriterPtr w, const char *element, uint64_t start, uint64_t end)
{
	char a[19], b[19];
	int r = xmlTextWriterStartElement(w, BAD_CAST element);
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "start", BAD_CAST mm_hex(start, a));
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "end", BAD_CAST mm_hex(end, b));
	if (r >= 0)
		r = xmlTextWriterEndElement(w);
	return r;
}

static int write_rangeset(xmlTextWriterPtr w, const char *element, const MmRangeSet *s)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < s->n; i++)
		r = write_range(w, element, s->spans[i].start, s->spans[i].end);
	return r;
}

static int write_device(xmlTextWriterPtr w, const MmDevice *d)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST "device");
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "bdf", BAD_CAST d->bdf);
	if (r >= 0 && d->has_ids)
		r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "id", "%04x:%04x", d->vendor,
						      d->device);
	if (r >= 0 && d->has_class)
		r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "class", "0x%06" PRIx32,
						      d->class);
	if (r >= 0)
		r = xmlTextWriterEndElement(w);
	return r;
}

static int write_group(xmlTextWriterPtr w, const MmHostMap *m, uint32_t id)
{
	const MmGroup *g = mm_hostmap_find_group(m, id);
	int r = xmlTextWriterStartElement(w, BAD_CAST "group");
	if (r >= 0)
		r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "id", "%" PRIu32, id);
	if (r >= 0 && g && g->type)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST g->type);
	for (size_t i = 0; g && r >= 0 && i < g->n_devices; i++)
		r = write_device(w, &g->devices[i]);
	if (r >= 0)
		r = xmlTextWriterEndElement(w);
	return r;
}

static int write_msi_controller(xmlTextWriterPtr w, const MmMsiController *c)
{
	char a[19], b[19], d[19];
	int r = xmlTextWriterStartElement(w, BAD_CAST "msiController");
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "type",
						BAD_CAST mm_msi_type_to_string(c->type));
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "base", BAD_CAST mm_hex(c->base, a));
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "size", BAD_CAST mm_hex(c->size, b));
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "doorbell",
						BAD_CAST mm_hex(c->doorbell, d));
	if (r >= 0 && c->translated != MM_TRANSLATED_UNKNOWN)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "translated",
						BAD_CAST(c->translated ? "yes" : "no"));
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "source",
						BAD_CAST mm_firmware_to_string(c->source));
	if (r >= 0)
		r = xmlTextWriterEndElement(w);
	return r;
}

static int write_limit(xmlTextWriterPtr w, const MmLimit *l)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST "limit");
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "kind",
						BAD_CAST mm_limit_kind_to_string(l->kind));
	if (r >= 0)
		r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "bits", "%u", l->bits);
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "source", BAD_CAST l->source);
	if (r >= 0)
		r = xmlTextWriterEndElement(w);
	return r;
}

static int write_memory_map(xmlTextWriterPtr w, const MmHostMap *m)
{
	char a[19], b[19];
	int r = xmlTextWriterStartElement(w, BAD_CAST "memoryMap");
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST m->name);
	if (r >= 0 && m->kernel)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "kernel", BAD_CAST m->kernel);
	if (r >= 0 && m->phys_bits != MM_BITS_UNKNOWN)
		r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "physBits", "%u", m->phys_bits);
	if (r >= 0)
		r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "iommuGroups", "%zu",
						      m->n_iommu_groups);
	if (r >= 0 && m->generated)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "generated", BAD_CAST m->generated);

	for (size_t i = 0; r >= 0 && i < m->n_reserved; i++) {
		const MmReserved *res = &m->reserved[i];
		r = xmlTextWriterStartElement(w, BAD_CAST "reserved");
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST res->type);
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "start",
							BAD_CAST mm_hex(res->start, a));
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "end",
							BAD_CAST mm_hex(res->end, b));
		if (r >= 0 && res->source != MM_RESERVED_FROM_KERNEL)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "source",
							BAD_CAST mm_reserved_source_to_string(
								res->source));
		for (size_t j = 0; r >= 0 && j < res->groups.n; j++)
			r = write_group(w, m, res->groups.ids[j]);
		if (r >= 0)
			r = xmlTextWriterEndElement(w);
	}
	for (size_t i = 0; r >= 0 && i < m->n_msi_controllers; i++)
		r = write_msi_controller(w, &m->msi_controllers[i]);
	for (size_t i = 0; r >= 0 && i < m->n_limits; i++)
		r = write_limit(w, &m->limits[i]);
	if (r >= 0)
		r = write_rangeset(w, "ram", &m->ram);
	if (r >= 0)
		r = write_rangeset(w, "pciWindow", &m->pci_windows);
	if (r >= 0)
		r = write_rangeset(w, "ecam", &m->ecam);
	for (size_t i = 0; r >= 0 && i < m->n_warnings; i++)
		r = xmlTextWriterWriteElement(w, BAD_CAST "warning", BAD_CAST m->warnings[i]);
	if (r >= 0)
		r = xmlTextWriterEndElement(w);
	return r;
}

int mm_hostmap_format_xml(const MmHostMap *m, char **ret)
{
	_cleanup_(mm_xml_writer_freep) MmXmlWriter *w = NULL;
	int r = mm_xml_writer_new(&w);
	if (r < 0)
		return r;
	r = xmlTextWriterStartElement(w->writer, BAD_CAST "capabilities");
	if (r >= 0)
		r = xmlTextWriterStartElement(w->writer, BAD_CAST "host");
	if (r >= 0 && m->uuid)
		r = xmlTextWriterWriteElement(w->writer, BAD_CAST "uuid", BAD_CAST m->uuid);
	if (r >= 0 && m->arch) {
		r = xmlTextWriterStartElement(w->writer, BAD_CAST "cpu");
		if (r >= 0)
			r = xmlTextWriterWriteElement(w->writer, BAD_CAST "arch", BAD_CAST m->arch);
		if (r >= 0)
			r = xmlTextWriterEndElement(w->writer);
	}
	if (r >= 0)
		r = write_memory_map(w->writer, m);
	if (r < 0)
		return -ENOMEM;
	return mm_xml_writer_finish(w, ret);
}

/* ---- parse ---- */

static int parse_device(xmlNodePtr node, const char *file, MmDevice *d, MmError *err)
{
	_cleanup_free_ char *bdf = NULL, *id = NULL, *cls = NULL;
	int r = mm_xml_check_attrs(node, file, (const char *const[]){ "bdf", "id", "class", NULL },
				   err);
	if (r >= 0)
		r = mm_xml_get_string(node, "bdf", true, file, &bdf, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "id", false, file, &id, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "class", false, file, &cls, err);
	if (r < 0)
		return r;
	if (id) {
		unsigned v, dv;
		char tail;
		if (strlen(id) != 9 || sscanf(id, "%4x:%4x%c", &v, &dv, &tail) != 2) {
			mm_error_set(err, file, mm_xml_line(node),
				     "device id '%s' is not VVVV:DDDD", id);
			return -EINVAL;
		}
		d->vendor = (uint16_t)v;
		d->device = (uint16_t)dv;
		d->has_ids = true;
	}
	if (cls) {
		uint64_t v;
		if (mm_parse_u64(cls, &v) < 0 || v > 0xffffff) {
			mm_error_set(err, file, mm_xml_line(node),
				     "device class '%s' is not a 24-bit number", cls);
			return -EINVAL;
		}
		d->class = (uint32_t)v;
		d->has_class = true;
	}
	d->bdf = TAKE_PTR(bdf);
	return 0;
}

/* What one parse of a map keeps across its <reserved> elements: which
 * groups (by index in m->groups, created up front) were read whole. */
typedef struct GroupsSeen {
	bool *seen;
	size_t n;
} GroupsSeen;

/* The ids of a <reserved>'s groups, in document order. */
typedef struct IdList {
	uint32_t *ids;
	size_t n, alloc;
} IdList;

static int parse_group(xmlNodePtr node, const char *file, MmHostMap *m, GroupsSeen *seen,
		       IdList *ids, MmError *err)
{
	uint64_t id;
	_cleanup_free_ char *type = NULL;
	unsigned line = mm_xml_line(node);
	int r = mm_xml_check_attrs(node, file, (const char *const[]){ "id", "type", NULL }, err);
	if (r >= 0)
		r = mm_xml_get_u64(node, "id", true, file, &id, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "type", false, file, &type, err);
	if (r < 0)
		return r;
	if (id >= UINT32_MAX) {
		mm_error_set(err, file, line, "group id %" PRIu64 " out of range", id);
		return -ERANGE;
	}

	MmGroup *g = mm_hostmap_ensure_group(m, (uint32_t)id);
	if (!g)
		return -ENOMEM;
	size_t index = (size_t)(g - m->groups);
	bool known = index < seen->n && seen->seen[index];
	if (index < seen->n)
		seen->seen[index] = true;
	if (!known) {
		g->type = TAKE_PTR(type);
		for (xmlNodePtr c = node->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (!xmlStrEqual(c->name, BAD_CAST "device")) {
				mm_error_set(err, file, mm_xml_line(c),
					     "unexpected element <%s> in <group>", c->name);
				return -EINVAL;
			}
			MmDevice *p = realloc(g->devices, (g->n_devices + 1) * sizeof(*p));
			if (!p)
				return -ENOMEM;
			g->devices = p;
			memset(&p[g->n_devices], 0, sizeof(*p));
			r = parse_device(c, file, &p[g->n_devices], err);
			g->n_devices++;
			if (r < 0)
				return r;
		}
	}
	/* A group listed under several ranges is written whole each time;
	 * later copies are trusted to match the first. */
	if (MM_GROW(ids->ids, ids->alloc, ids->n + 1) < 0)
		return -ENOMEM;
	ids->ids[ids->n++] = (uint32_t)id;
	return 0;
}

static int parse_reserved(xmlNodePtr node, const char *file, MmHostMap *m, GroupsSeen *seen,
			  MmError *err)
{
	_cleanup_free_ char *type = NULL;
	uint64_t start, end;
	MmIdSet ids = { NULL, 0 };
	IdList list = { NULL, 0, 0 };
	_cleanup_free_ char *source_name = NULL;
	MmReservedSource source = MM_RESERVED_FROM_KERNEL;
	int r = mm_xml_check_attrs(node, file,
				   (const char *const[]){ "type", "start", "end", "source", NULL },
				   err);
	if (r >= 0)
		r = mm_xml_get_string(node, "type", true, file, &type, err);
	if (r >= 0)
		r = mm_xml_get_range(node, file, &start, &end, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "source", false, file, &source_name, err);
	if (r > 0 && mm_reserved_source_from_string(source_name, &source) < 0) {
		mm_error_set(err, file, mm_xml_line(node), "unknown reserved source '%s'",
			     source_name);
		r = -EINVAL;
	}
	for (xmlNodePtr c = node->children; r >= 0 && c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrEqual(c->name, BAD_CAST "group")) {
			mm_error_set(err, file, mm_xml_line(c),
				     "unexpected element <%s> in <reserved>", c->name);
			r = -EINVAL;
			break;
		}
		r = parse_group(c, file, m, seen, &list, err);
	}
	if (r >= 0) {
		mm_idset_take_array(&ids, list.ids, list.n);
		list.ids = NULL;
	}
	free(list.ids);
	if (r >= 0)
		r = mm_hostmap_add_reserved_from(m, type, source, start, end, &ids);
	mm_idset_clear(&ids);
	return r;
}

static int parse_msi_controller(xmlNodePtr node, const char *file, MmHostMap *m, MmError *err)
{
	static const char *const attrs[] = { "type",       "base",   "size", "doorbell",
					     "translated", "source", NULL };
	_cleanup_free_ char *type = NULL, *translated = NULL, *source = NULL;
	MmMsiController c = { .translated = MM_TRANSLATED_UNKNOWN };
	unsigned line = mm_xml_line(node);
	int r = mm_xml_check_attrs(node, file, attrs, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "type", true, file, &type, err);
	if (r >= 0)
		r = mm_xml_get_u64(node, "base", true, file, &c.base, err);
	if (r >= 0)
		r = mm_xml_get_u64(node, "size", true, file, &c.size, err);
	if (r >= 0)
		r = mm_xml_get_u64(node, "doorbell", true, file, &c.doorbell, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "translated", false, file, &translated, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "source", true, file, &source, err);
	if (r < 0)
		return r;
	if (mm_msi_type_from_string(type, &c.type) < 0) {
		mm_error_set(err, file, line, "unknown MSI controller type '%s'", type);
		return -EINVAL;
	}
	if (mm_firmware_from_string(source, &c.source) < 0) {
		mm_error_set(err, file, line, "unknown MSI controller source '%s'", source);
		return -EINVAL;
	}
	if (translated) {
		if (strcmp(translated, "yes") != 0 && strcmp(translated, "no") != 0) {
			mm_error_set(err, file, line, "translated='%s' is not 'yes' or 'no'",
				     translated);
			return -EINVAL;
		}
		c.translated = strcmp(translated, "yes") == 0;
	}
	if (c.size == 0 || c.base > UINT64_MAX - (c.size - 1)) {
		mm_error_set(err, file, line, "MSI controller size 0 or past the top of memory");
		return -EINVAL;
	}
	return mm_hostmap_add_msi_controller(m, &c);
}

static int parse_limit(xmlNodePtr node, const char *file, MmHostMap *m, MmError *err)
{
	_cleanup_free_ char *kind = NULL, *source = NULL;
	MmLimitKind k;
	uint64_t bits;
	unsigned line = mm_xml_line(node);
	int r = mm_xml_check_attrs(node, file,
				   (const char *const[]){ "kind", "bits", "source", NULL }, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "kind", true, file, &kind, err);
	if (r >= 0)
		r = mm_xml_get_u64(node, "bits", true, file, &bits, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "source", true, file, &source, err);
	if (r < 0)
		return r;
	if (mm_limit_kind_from_string(kind, &k) < 0) {
		mm_error_set(err, file, line, "unknown limit kind '%s'", kind);
		return -EINVAL;
	}
	if (bits < 12 || bits > 64) {
		mm_error_set(err, file, line, "limit of %" PRIu64 " bits outside 12..64", bits);
		return -ERANGE;
	}
	return mm_hostmap_add_limit(m, k, (unsigned)bits, source);
}

static int parse_memory_map(xmlNodePtr node, const char *file, MmHostMap *m, MmError *err)
{
	uint64_t v;
	static const char *const attrs[] = { "name",        "kernel",    "physBits",
					     "iommuGroups", "generated", NULL };
	int r = mm_xml_check_attrs(node, file, attrs, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "name", true, file, &m->name, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "kernel", false, file, &m->kernel, err);
	if (r >= 0)
		r = mm_xml_get_string(node, "generated", false, file, &m->generated, err);
	if (r < 0)
		return r;
	r = mm_xml_get_u64(node, "physBits", false, file, &v, err);
	if (r < 0)
		return r;
	if (r > 0) {
		if (v < 12 || v > 64) {
			mm_error_set(err, file, mm_xml_line(node),
				     "physBits %" PRIu64 " outside 12..64", v);
			return -ERANGE;
		}
		m->phys_bits = (unsigned)v;
	}
	r = mm_xml_get_u64(node, "iommuGroups", true, file, &v, err);
	if (r < 0)
		return r;
	m->n_iommu_groups = (size_t)v;

	/* Every group of every <reserved> created at once, in one sort: a map
	 * listing its groups in descending order costs O(n log n), not an
	 * insertion at the front each. Ids that are not valid are left to
	 * parse_group to report. */
	_cleanup_free_ uint32_t *all = NULL;
	size_t n_all = 0, alloc_all = 0;
	for (xmlNodePtr c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "reserved"))
			continue;
		for (xmlNodePtr g = c->children; g; g = g->next) {
			if (g->type != XML_ELEMENT_NODE || !xmlStrEqual(g->name, BAD_CAST "group"))
				continue;
			xmlChar *text = xmlGetProp(g, BAD_CAST "id");
			uint64_t id;
			bool ok = text && mm_parse_u64((const char *)text, &id) == 0 &&
				  id < UINT32_MAX;
			xmlFree(text);
			if (!ok)
				continue;
			if (MM_GROW(all, alloc_all, n_all + 1) < 0)
				return -ENOMEM;
			all[n_all++] = (uint32_t)id;
		}
	}
	if (mm_hostmap_add_groups(m, all, n_all) < 0)
		return -ENOMEM;
	_cleanup_free_ bool *seen_groups = calloc(m->n_groups ? m->n_groups : 1, sizeof(bool));
	if (!seen_groups)
		return -ENOMEM;
	GroupsSeen seen = { seen_groups, m->n_groups };

	for (xmlNodePtr c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		uint64_t start, end;
		MmRangeSet *set = NULL;
		if (xmlStrEqual(c->name, BAD_CAST "reserved")) {
			r = parse_reserved(c, file, m, &seen, err);
		} else if (xmlStrEqual(c->name, BAD_CAST "msiController")) {
			r = parse_msi_controller(c, file, m, err);
		} else if (xmlStrEqual(c->name, BAD_CAST "limit")) {
			r = parse_limit(c, file, m, err);
		} else if (xmlStrEqual(c->name, BAD_CAST "ram"))
			set = &m->ram;
		else if (xmlStrEqual(c->name, BAD_CAST "pciWindow"))
			set = &m->pci_windows;
		else if (xmlStrEqual(c->name, BAD_CAST "ecam"))
			set = &m->ecam;
		else if (xmlStrEqual(c->name, BAD_CAST "warning")) {
			xmlChar *text = xmlNodeGetContent(c);
			r = mm_hostmap_add_warning(m, "%s", text ? (const char *)text : "");
			xmlFree(text);
		} else {
			mm_error_set(err, file, mm_xml_line(c),
				     "unexpected element <%s> in <memoryMap>", c->name);
			return -EINVAL;
		}
		if (set) {
			r = mm_xml_check_attrs(c, file,
					       (const char *const[]){ "start", "end", NULL }, err);
			if (r >= 0)
				r = mm_xml_get_range(c, file, &start, &end, err);
			if (r >= 0)
				r = mm_rangeset_add(set, start, end, MM_NO_ORIGIN);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int mm_hostmap_parse_xml(const char *xml, size_t len, const char *filename, MmHostMap **ret,
			 MmError *err)
{
	_cleanup_(mm_xml_doc_freep) xmlDocPtr doc = NULL;
	_cleanup_(mm_hostmap_freep) MmHostMap *m = NULL;
	const char *file = filename ? filename : "<input>";
	xmlNodePtr root, host, memory_map = NULL;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	r = mm_xml_read(xml, len, file, &doc, err);
	if (r < 0)
		return r;
	root = xmlDocGetRootElement(doc);
	if (!xmlStrEqual(root->name, BAD_CAST "capabilities")) {
		mm_error_set(err, file, mm_xml_line(root),
			     "root element is <%s>, expected <capabilities>", root->name);
		return -EINVAL;
	}
	host = mm_xml_child(root, "host", MM_XML_ANY_NS);
	if (!host) {
		mm_error_set(err, file, mm_xml_line(root), "no <host> element");
		return -EINVAL;
	}
	m = mm_hostmap_new();
	if (!m)
		return -ENOMEM;
	for (xmlNodePtr c = host->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(c->name, BAD_CAST "uuid")) {
			r = mm_xml_text(c, &m->uuid);
		} else if (xmlStrEqual(c->name, BAD_CAST "cpu")) {
			xmlNodePtr arch = mm_xml_child(c, "arch", MM_XML_ANY_NS);
			if (arch)
				r = mm_xml_text(arch, &m->arch);
		} else if (xmlStrEqual(c->name, BAD_CAST "memoryMap")) {
			if (memory_map) {
				mm_error_set(err, file, mm_xml_line(c),
					     "more than one <memoryMap>");
				return -EINVAL;
			}
			memory_map = c;
		}
		/* Other children of <host> are libvirt's: a full `virsh
		 * capabilities` document is a valid input. */
		if (r < 0)
			return r;
	}
	if (!memory_map) {
		mm_error_set(err, file, mm_xml_line(host), "no <memoryMap> in <host>");
		return -EINVAL;
	}
	r = parse_memory_map(memory_map, file, m, err);
	if (r < 0) {
		if (err && !err->message[0])
			mm_error_set(err, file, 0, "%s", strerror(-r));
		return r;
	}
	*ret = TAKE_PTR(m);
	return 0;
}

int mm_capabilities_host_uuid(const char *xml, size_t len, const char *filename, char **ret,
			      MmError *err)
{
	_cleanup_(mm_xml_doc_freep) xmlDocPtr doc = NULL;
	int r = mm_xml_read(xml, len, filename, &doc, err);
	if (r < 0)
		return r;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root || !xmlStrEqual(root->name, BAD_CAST "capabilities")) {
		mm_error_set(err, filename, root ? mm_xml_line(root) : 0,
			     "not libvirt capabilities: the root element is not <capabilities>");
		return -EINVAL;
	}
	xmlNodePtr uuid =
		mm_xml_child(mm_xml_child(root, "host", MM_XML_NO_NS), "uuid", MM_XML_NO_NS);
	*ret = NULL;
	if (!uuid)
		return 0;
	if (mm_xml_text(uuid, ret) < 0)
		return -ENOMEM;
	if (!**ret) {
		free(*ret);
		*ret = NULL;
	}
	return 0;
}
