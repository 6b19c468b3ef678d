/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the check suites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "macros.h"
#include "testutil.h"

const char *tu_data_path(const char *rel)
{
	static char buf[4][4096];
	static unsigned next;
	const char *top = getenv("top_srcdir");
	char *b = buf[next++ % 4];
	snprintf(b, sizeof(buf[0]), "%s/tests/data/%s", top ? top : ".", rel);
	return b;
}

char *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open %s", path);
	char *buf = NULL;
	size_t n = 0, alloc = 0;
	for (;;) {
		ck_assert_int_ge(MM_GROW(buf, alloc, n + 4097), 0);
		size_t k = fread(buf + n, 1, 4096, f);
		n += k;
		if (k == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

_printf_(2, 3) static void collect_error(void *ctx, const char *fmt, ...)
{
	char *msg = ctx;
	if (msg[0])
		return; /* keep the first */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, 512, fmt, ap);
	va_end(ap);
}

bool tu_validate(const char *schema, const char *xml, char *msg, size_t msg_size)
{
	char path[4096], first[512] = "";
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/xml/%s", top ? top : ".", schema);

	xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(path);
	xmlRelaxNGPtr rng = xmlRelaxNGParse(pctxt);
	xmlRelaxNGFreeParserCtxt(pctxt);
	ck_assert_msg(rng, "schema %s does not load", path);
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "out.xml", NULL, XML_PARSE_NONET);
	ck_assert_msg(doc, "output is not well-formed XML");
	xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidErrors(vctxt, collect_error, collect_error, first);
	int r = xmlRelaxNGValidateDoc(vctxt, doc);
	xmlRelaxNGFreeValidCtxt(vctxt);
	xmlFreeDoc(doc);
	xmlRelaxNGFree(rng);
	snprintf(msg, msg_size, "%s", first);
	return r == 0;
}

MmHostMap *tu_probe(const char *host, const char *name)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "hosts/%s", host);
	MmProbeOptions opts = { .sysroot = tu_data_path(rel), .name = name };
	MmHostMap *m = NULL;
	MmError err = { 0 };
	char buf[1024];
	int r = mm_hostmap_probe(&opts, &m, &err);
	ck_assert_msg(r == 0, "probe %s: %s", host, mm_error_format(&err, buf, sizeof(buf)));
	return m;
}

char *tu_mkdtemp(char *buf, size_t size, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(buf, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	return mkdtemp(buf);
}

void tu_put_file(const char *root, const char *rel, const char *text)
{
	char path[600], cmd[700];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(cmd), 0);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

bool tu_has_warning(const MmHostMap *m, const char *what)
{
	for (size_t i = 0; i < m->n_warnings; i++)
		if (strstr(m->warnings[i], what))
			return true;
	return false;
}

const char tu_arm64_domain[] = "<domain type='kvm'>\n"
			       "  <name>g1</name>\n"
			       "  <memory unit='GiB'>8</memory>\n"
			       "  <vcpu>4</vcpu>\n"
			       "  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>\n"
			       "  <features><gic version='3'/></features>\n"
			       "  <devices>\n"
			       "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
			       "      <source><address domain='0x0000' bus='0x01' slot='0x00' "
			       "function='0x0'/></source>\n"
			       "    </hostdev>\n"
			       "  </devices>\n"
			       "</domain>\n";
