/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool map as XML: <poolMap name=…> with its members, the forbidden
 * ranges and the hosts behind each, the address limit and the usable
 * ranges. Schema: xml/poolmap.rng. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "macros.h"
#include "pool.h"
#include "rangeset.h"
#include "util.h"
#include "xmlutil.h"

static int write_hosts(xmlTextWriterPtr w, const MmPoolMap *p, const MmIdSet *hosts)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < hosts->n; i++) {
		r = xmlTextWriterStartElement(w, BAD_CAST "host");
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "name",
							BAD_CAST p->members[hosts->ids[i]].name);
		if (r >= 0)
			r = xmlTextWriterEndElement(w);
	}
	return r;
}

static int write_range(xmlTextWriterPtr w, uint64_t start, uint64_t end)
{
	char a[19], b[19];
	int r = xmlTextWriterWriteAttribute(w, BAD_CAST "start", BAD_CAST mm_hex(start, a));
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "end", BAD_CAST mm_hex(end, b));
	return r;
}

int mm_poolmap_format_xml(const MmPoolMap *p, char **ret)
{
	_cleanup_(mm_xml_writer_freep) MmXmlWriter *xw = NULL;
	int r = mm_xml_writer_new(&xw);
	if (r < 0)
		return r;
	xmlTextWriterPtr w = xw->writer;

	r = xmlTextWriterStartElement(w, BAD_CAST "poolMap");
	if (r >= 0)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST p->name);
	if (r >= 0 && p->generated)
		r = xmlTextWriterWriteAttribute(w, BAD_CAST "generated", BAD_CAST p->generated);
	for (size_t i = 0; r >= 0 && i < p->n_members; i++) {
		const MmPoolMember *mb = &p->members[i];
		r = xmlTextWriterStartElement(w, BAD_CAST "member");
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST mb->name);
		if (r >= 0 && mb->uuid)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "uuid", BAD_CAST mb->uuid);
		if (r >= 0 && mb->arch)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "arch", BAD_CAST mb->arch);
		if (r >= 0 && mb->limit_bits)
			r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "limitBits", "%u",
							      mb->limit_bits);
		if (r >= 0)
			r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "iommuGroups", "%zu",
							      mb->n_iommu_groups);
		if (r >= 0)
			r = xmlTextWriterEndElement(w);
	}
	if (r >= 0 && p->limit_bits) {
		uint64_t top =
			p->limit_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << p->limit_bits) - 1;
		char b[19];
		r = xmlTextWriterStartElement(w, BAD_CAST "limit");
		if (r >= 0)
			r = xmlTextWriterWriteFormatAttribute(w, BAD_CAST "bits", "%u",
							      p->limit_bits);
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "end", BAD_CAST mm_hex(top, b));
		if (r >= 0)
			r = write_hosts(w, p, &p->limit_hosts);
		if (r >= 0)
			r = xmlTextWriterEndElement(w);
	}
	for (size_t i = 0; r >= 0 && i < p->n_forbidden; i++) {
		const MmForbidden *f = &p->forbidden[i];
		r = xmlTextWriterStartElement(w, BAD_CAST "forbidden");
		if (r >= 0)
			r = xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST f->type);
		if (r >= 0)
			r = write_range(w, f->start, f->end);
		if (r >= 0)
			r = write_hosts(w, p, &f->hosts);
		if (r >= 0)
			r = xmlTextWriterEndElement(w);
	}
	for (size_t i = 0; r >= 0 && i < p->usable.n; i++) {
		r = xmlTextWriterStartElement(w, BAD_CAST "usable");
		if (r >= 0)
			r = write_range(w, p->usable.spans[i].start, p->usable.spans[i].end);
		if (r >= 0)
			r = xmlTextWriterEndElement(w);
	}
	for (size_t i = 0; r >= 0 && i < p->n_warnings; i++)
		r = xmlTextWriterWriteElement(w, BAD_CAST "warning", BAD_CAST p->warnings[i]);
	if (r < 0)
		return -ENOMEM;
	return mm_xml_writer_finish(xw, ret);
}
