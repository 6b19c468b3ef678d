/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libxml2 helpers shared by the XML formats, and the one place libxml2
 * parses: its errors come back as MmError, never on stderr. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "error.h"
#include "macros.h"
#include "util.h"
#include "xmlutil.h"

int mm_xml_writer_new(MmXmlWriter **ret)
{
	MmXmlWriter *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->buffer = xmlBufferCreate();
	w->writer = w->buffer ? xmlNewTextWriterMemory(w->buffer, 0) : NULL;
	if (!w->writer || xmlTextWriterSetIndent(w->writer, 1) < 0 ||
	    xmlTextWriterSetIndentString(w->writer, BAD_CAST "  ") < 0 ||
	    xmlTextWriterSetQuoteChar(w->writer, '\'') < 0) {
		mm_xml_writer_free(w);
		return -ENOMEM;
	}
	*ret = w;
	return 0;
}

void mm_xml_writer_free(MmXmlWriter *w)
{
	if (!w)
		return;
	if (w->writer)
		xmlFreeTextWriter(w->writer);
	if (w->buffer)
		xmlBufferFree(w->buffer);
	free(w);
}

int mm_xml_writer_finish(MmXmlWriter *w, char **ret)
{
	while (xmlTextWriterEndElement(w->writer) > 0)
		;
	if (xmlTextWriterFlush(w->writer) < 0)
		return -ENOMEM;
	const char *text = (const char *)xmlBufferContent(w->buffer);
	size_t len = (size_t)xmlBufferLength(w->buffer);
	char *s = malloc(len + 2);
	if (!s)
		return -ENOMEM;
	memcpy(s, text, len);
	if (len == 0 || s[len - 1] != '\n')
		s[len++] = '\n';
	s[len] = '\0';
	*ret = s;
	return 0;
}

int mm_xml_read(const char *xml, size_t len, const char *file, xmlDocPtr *ret, MmError *err)
{
	return mm_xml_read_opts(xml, len, file, 0, ret, err);
}

/* What one parse collected: libxml2's first error, and whether the
 * document tried to declare a DTD. */
typedef struct XmlParse {
	char message[256];
	unsigned line;
	bool error;
	bool dtd;
	unsigned dtd_line;
} XmlParse;

#if LIBXML_VERSION >= 21200
static void on_xml_error(void *data, const xmlError *e)
#else
static void on_xml_error(void *data, xmlErrorPtr e)
#endif
{
	XmlParse *p = data;
	/* The first error is the cause; later ones follow from it. Warnings
	 * never decide anything. */
	if (!p || p->error || !e || e->level < XML_ERR_ERROR)
		return;
	p->error = true;
	snprintf(p->message, sizeof(p->message), "%s", e->message ? e->message : "");
	p->message[strcspn(p->message, "\n")] = '\0';
	p->line = e->line > 0 ? (unsigned)e->line : 0;
}

/* Messages libxml2 sends to its generic channel (outside the structured
 * one) are dropped: they carry a line of the document, never a cause the
 * structured handler has not seen. */
static void on_xml_generic(void *data, const char *fmt, ...)
{
	(void)data;
	(void)fmt;
}

/* A DOCTYPE stops the parser before any declaration in it is read: no
 * entity is ever defined, so nothing can expand, even with XML_PARSE_HUGE. */
static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
			       const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	(void)name;
	(void)external_id;
	(void)system_id;
	XmlParse *p = ctxt->_private;
	p->dtd = true;
	p->dtd_line = ctxt->input && ctxt->input->line > 0 ? (unsigned)ctxt->input->line : 0;
	xmlStopParser(ctxt);
}

int mm_xml_read_opts(const char *xml, size_t len, const char *file, int options, xmlDocPtr *ret,
		     MmError *err)
{
	unsigned max = options & XML_PARSE_HUGE ? MM_XML_HUGE_MAX : MM_XML_MAX;
	if (len > max) {
		mm_error_set(err, file, 0, "document larger than %u bytes", max);
		return -EFBIG;
	}
	if (len > INT32_MAX)
		return -EFBIG;
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	XmlParse parse = { .error = false };
	ctxt->_private = &parse;
	ctxt->sax->internalSubset = on_internal_subset;
	/* Every error libxml2 raises while this thread parses goes to parse,
	 * none to stderr: the structured handler is per thread, and so is the
	 * generic one, both put back afterwards. */
	xmlStructuredErrorFunc old_serror = xmlStructuredError;
	void *old_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_error = xmlGenericError;
	void *old_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&parse, on_xml_error);
	xmlSetGenericErrorFunc(NULL, on_xml_generic);
	/* No network, no entity substitution, no DTD (see on_internal_subset);
	 * libxml2's size limits stay on unless the caller asks for
	 * XML_PARSE_HUGE (a document libvirt hands over, of any size libvirt
	 * accepts). */
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, file, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR |
						  XML_PARSE_NOWARNING | options);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_ctx, old_error);
	if (parse.dtd) {
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		mm_error_set(err, file, parse.dtd_line,
			     "document type declarations are not accepted");
		return -EINVAL;
	}
	/* An error libxml2 recovered from still leaves a document that is not
	 * the one written (a huge text node is cut short): refused too. */
	if (doc && parse.error) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		if (!parse.error && e && e->message) {
			on_xml_error(&parse, (xmlErrorPtr)e);
			parse.error = true;
		}
		xmlFreeParserCtxt(ctxt);
		mm_error_set(err, file, parse.line, "malformed XML: %s",
			     parse.error && parse.message[0] ? parse.message
							     : "not well-formed XML");
		return -EINVAL;
	}
	xmlFreeParserCtxt(ctxt);
	if (doc->intSubset || doc->extSubset) {
		mm_error_set(err, file, 0, "document type declarations are not accepted");
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	if (!xmlDocGetRootElement(doc)) {
		mm_error_set(err, file, 0, "empty document");
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	*ret = doc;
	return 0;
}

bool mm_xml_is_element(xmlNodePtr n, const char *name, MmXmlNs ns)
{
	return n->type == XML_ELEMENT_NODE && (ns == MM_XML_ANY_NS || !n->ns) &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

xmlNodePtr mm_xml_child(xmlNodePtr node, const char *name, MmXmlNs ns)
{
	for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
		if (mm_xml_is_element(c, name, ns))
			return c;
	return NULL;
}

unsigned mm_xml_line(xmlNodePtr node)
{
	long l = xmlGetLineNo(node);
	return l > 0 ? (unsigned)l : 0;
}

int mm_xml_check_attrs(xmlNodePtr node, const char *file, const char *const *allowed, MmError *err)
{
	for (xmlAttrPtr a = node->properties; a; a = a->next) {
		bool ok = false;
		for (const char *const *p = allowed; *p && !ok; p++)
			ok = xmlStrEqual(a->name, BAD_CAST * p);
		if (!ok) {
			mm_error_set(err, file, mm_xml_line(node), "unknown attribute '%s' on <%s>",
				     a->name, node->name);
			return -EINVAL;
		}
	}
	return 0;
}

int mm_xml_get_string(xmlNodePtr node, const char *name, bool required, const char *file,
		      char **ret, MmError *err)
{
	xmlChar *v = xmlGetProp(node, BAD_CAST name);
	if (!v) {
		if (!required)
			return 0;
		mm_error_set(err, file, mm_xml_line(node), "<%s> lacks attribute '%s'", node->name,
			     name);
		return -EINVAL;
	}
	char *s = strdup((const char *)v);
	xmlFree(v);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 1;
}

int mm_xml_get_u64(xmlNodePtr node, const char *name, bool required, const char *file,
		   uint64_t *ret, MmError *err)
{
	_cleanup_free_ char *s = NULL;
	int r = mm_xml_get_string(node, name, required, file, &s, err);
	if (r <= 0)
		return r;
	r = mm_parse_u64(s, ret);
	if (r < 0) {
		mm_error_set(err, file, mm_xml_line(node), "%s '%s' on <%s>: %s", name, s,
			     node->name, r == -ERANGE ? "out of range" : "not a number");
		return r;
	}
	return 1;
}

int mm_xml_get_range(xmlNodePtr node, const char *file, uint64_t *start, uint64_t *end,
		     MmError *err)
{
	int r = mm_xml_get_u64(node, "start", true, file, start, err);
	if (r >= 0)
		r = mm_xml_get_u64(node, "end", true, file, end, err);
	if (r < 0)
		return r;
	if (*end < *start) {
		mm_error_set(err, file, mm_xml_line(node),
			     "<%s> end 0x%" PRIx64 " before start 0x%" PRIx64, node->name, *end,
			     *start);
		return -EINVAL;
	}
	return 0;
}

int mm_xml_text(xmlNodePtr node, char **ret)
{
	xmlChar *v = xmlNodeGetContent(node);
	char *s = strdup(v ? (const char *)v : "");
	xmlFree(v);
	if (!s)
		return -ENOMEM;
	free(*ret);
	*ret = s;
	return 0;
}
