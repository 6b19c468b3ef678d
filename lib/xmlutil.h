/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libxml2 helpers shared by every XML format: a safe reader (no network, no
 * DTD, bounded size), an indenting writer, and attribute getters that fill
 * MmError with file and line. Internal to libmigmap. */
#pragma once

#include <stdbool.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "error.h"
#include "macros.h"

/* Largest XML document migmap reads. */
#define MM_XML_MAX (16u << 20)
/* Largest document read with XML_PARSE_HUGE: libvirt's largest RPC message
 * (VIR_NET_MESSAGE_MAX, 32 MiB), so every domain libvirt holds fits. */
#define MM_XML_HUGE_MAX (32u << 20)

typedef struct MmXmlWriter {
	xmlBufferPtr buffer;
	xmlTextWriterPtr writer;
} MmXmlWriter;

int mm_xml_writer_new(MmXmlWriter **ret);
void mm_xml_writer_free(MmXmlWriter *w);
MM_DEFINE_FREEP(MmXmlWriter, mm_xml_writer_free)
/* Close what is open and hand out the text, ending in a newline. */
int mm_xml_writer_finish(MmXmlWriter *w, char **ret);

int mm_xml_read(const char *xml, size_t len, const char *file, xmlDocPtr *ret, MmError *err);
/* The same, with more libxml2 parser options (XML_PARSE_NOBLANKS to
 * re-indent a document that will be edited; XML_PARSE_HUGE to read up to
 * MM_XML_HUGE_MAX without libxml2's text-node and depth limits). */
int mm_xml_read_opts(const char *xml, size_t len, const char *file, int options, xmlDocPtr *ret,
		     MmError *err);
MM_DEFINE_FREEP_NAMED(mm_xml_doc_freep, xmlDoc, xmlFreeDoc)

/* Which elements of a name a lookup takes. libvirt's domain XML keeps its
 * own elements in no namespace and others' in <metadata>, so reading or
 * editing it takes only those; migmap's host maps are read whatever the
 * namespace. */
typedef enum MmXmlNs {
	MM_XML_NO_NS,
	MM_XML_ANY_NS,
} MmXmlNs;

bool mm_xml_is_element(xmlNodePtr n, const char *name, MmXmlNs ns);
/* The first child element of node called name; NULL when there is none or
 * node is NULL. */
xmlNodePtr mm_xml_child(xmlNodePtr node, const char *name, MmXmlNs ns);
unsigned mm_xml_line(xmlNodePtr node);
/* Fail on an attribute not in allowed (NULL-terminated). */
int mm_xml_check_attrs(xmlNodePtr node, const char *file, const char *const *allowed, MmError *err);
/* Return 1 and the value when present, 0 when absent and not required. */
int mm_xml_get_string(xmlNodePtr node, const char *name, bool required, const char *file,
		      char **ret, MmError *err);
int mm_xml_get_u64(xmlNodePtr node, const char *name, bool required, const char *file,
		   uint64_t *ret, MmError *err);
/* Required start='…' end='…' with start <= end. */
int mm_xml_get_range(xmlNodePtr node, const char *file, uint64_t *start, uint64_t *end,
		     MmError *err);
/* The text content of node, malloc'ed, replacing *ret. */
int mm_xml_text(xmlNodePtr node, char **ret);
