/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every XML parser of outside input (host map, domain; migmap reads pool
 * maps only as their member host maps) against hostile documents: external
 * entities (XXE: files, network), entity expansion (billion laughs),
 * external DTDs and XInclude, and a document over the size limit. Each is
 * refused with an error naming the file, quickly, and never reads what it
 * points at. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "macros.h"
#include "migmap.h"
#include "testutil.h"
#include "xmlutil.h"

typedef enum { HOSTMAP, DOMAIN } Parser;

static const char *const parser_names[] = { "host map", "domain" };
static const char *const roots[] = {
	"<capabilities><host><memoryMap>&x;</memoryMap></host></capabilities>",
	"<domain><name>&x;</name><memory>1</memory><os><type arch='x86_64' "
	"machine='q35'>hvm</type></os></domain>",
};

typedef struct Hostile {
	const char *what;
	const char *prolog; /* before the root element */
} Hostile;

static const Hostile hostile[] = {
	{ "XXE: a local file", "<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" },
	{ "XXE: the network", "<!DOCTYPE r [<!ENTITY x SYSTEM 'http://127.0.0.1:9/x'>]>" },
	{ "XXE: a parameter entity",
	  "<!DOCTYPE r [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p; <!ENTITY x 'y'>]>" },
	{ "an external DTD", "<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/r.dtd'>" },
	{ "billion laughs",
	  "<!DOCTYPE r [<!ENTITY a 'lollollollollollollollollollol'>"
	  "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
	  "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
	  "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'><!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
	  "<!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'><!ENTITY x "
	  "'&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>]>" },
	{ "quadratic blowup",
	  "<!DOCTYPE r [<!ENTITY y "
	  "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'>"
	  "<!ENTITY x '&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;'>]>" },
	{ "an undeclared entity", "" },
};

static int parse(Parser p, const char *xml, size_t len, MmError *err)
{
	if (p == HOSTMAP) {
		MmHostMap *m = NULL;
		int r = mm_hostmap_parse_xml(xml, len, "hostile.xml", &m, err);
		mm_hostmap_free(m);
		return r;
	}
	MmDomain *d = NULL;
	int r = mm_domain_parse_xml(xml, len, "hostile.xml", &d, err);
	mm_domain_free(d);
	return r;
}

START_TEST(test_hostile)
{
	const Hostile *h = &hostile[_i / 2];
	Parser p = (Parser)(_i % 2);
	char xml[4096];
	MmError err = { 0 };
	snprintf(xml, sizeof(xml), "%s%s", h->prolog, roots[p]);

	time_t t0 = time(NULL);
	int r = parse(p, xml, strlen(xml), &err);
	ck_assert_msg(r == -EINVAL, "%s, %s: %d", parser_names[p], h->what, r);
	ck_assert_msg(strcmp(err.file, "hostile.xml") == 0, "%s, %s: file '%s'", parser_names[p],
		      h->what, err.file);
	ck_assert_msg(err.message[0], "%s, %s: no message", parser_names[p], h->what);
	ck_assert_msg(!strstr(err.message, "root:"), "%s, %s: read /etc/passwd: %s",
		      parser_names[p], h->what, err.message);
	ck_assert_msg(time(NULL) - t0 < 2, "%s, %s: slow", parser_names[p], h->what);
}
END_TEST

START_TEST(test_too_large)
{
	/* one byte over the limit, well-formed otherwise */
	Parser p = (Parser)_i;
	size_t len = MM_XML_MAX + 1;
	_cleanup_free_ char *xml = malloc(len);
	const char *open = p == HOSTMAP ? "<capabilities>" : "<domain>";
	const char *close = p == HOSTMAP ? "</capabilities>" : "</domain>";
	memset(xml, ' ', len);
	memcpy(xml, open, strlen(open));
	memcpy(xml + len - strlen(close), close, strlen(close));
	MmError err = { 0 };
	ck_assert_int_eq(parse(p, xml, len, &err), -EFBIG);
	ck_assert(strstr(err.message, "larger than"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xml-safety");
	TCase *tc = tcase_create("hostile");
	tcase_add_loop_test(tc, test_hostile, 0, 2 * (int)ELEMENTSOF(hostile));
	tcase_add_loop_test(tc, test_too_large, 0, 2);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
