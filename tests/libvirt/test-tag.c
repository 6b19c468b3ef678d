/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap pool tag and untag (tools/virt.c) against libvirt's test driver:
 * what libvirt itself then holds in the domain's definition and in the
 * running guest, read back through a connection of the test's own.
 * test:///default is one state per process, shared by its connections
 * while one stays open, so the tag and the read-back run here together. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cli.h"
#include "testutil.h"

#define URI "test:///default"

static virConnectPtr conn;
static virDomainPtr dom;

static void quiet(void *opaque, virErrorPtr e)
{
}

static void setup(void)
{
	virSetErrorFunc(NULL, quiet);
	ck_assert_ptr_nonnull(conn = virConnectOpen(URI));
	/* the driver's own domain "test": defined and running */
	ck_assert_ptr_nonnull(dom = virDomainLookupByName(conn, "test"));
	ck_assert_int_eq(virDomainIsActive(dom), 1);
	ck_assert_int_eq(virDomainIsPersistent(dom), 1);
}

static void teardown(void)
{
	virDomainFree(dom);
	virConnectClose(conn);
}

/* The pool the hook reads from the XML libvirt hands it (flags: the
 * definition, or the running guest); NULL when none. */
static char *pool_of(unsigned flags)
{
	char *xml = virDomainGetXMLDesc(dom, flags);
	MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_ptr_nonnull(xml);
	ck_assert_msg(mm_domain_parse_xml(xml, strlen(xml), "test", &d, &err) == 0, "%s",
		      err.message);
	char *pool = d->pool ? strdup(d->pool) : NULL;
	mm_domain_free(d);
	free(xml);
	return pool;
}

START_TEST(tag_then_read_back)
{
	char *metadata = NULL;
	ck_assert_int_eq(mm_domain_pool_metadata_xml("prod", &metadata), 0);
	ck_assert_int_eq(cli_virt_tag(URI, "test", metadata), EXIT_OK);
	free(metadata);

	/* libvirt's own view: the element in migmap's namespace, under the
	 * prefix virsh metadata --key would give it */
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	ck_assert_ptr_nonnull(xml);
	ck_assert_ptr_nonnull(
		strstr(xml, "<migmap:pool xmlns:migmap=\"http://migmap.org/xmlns/domain/1.0\" "
			    "name=\"prod\"/>"));
	free(xml);
	char *element =
		virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
				     "http://migmap.org/xmlns/domain/1.0", VIR_DOMAIN_AFFECT_LIVE);
	ck_assert_ptr_nonnull(element);
	ck_assert_ptr_nonnull(strstr(element, "name=\"prod\""));
	free(element);

	/* and what the hook reads: in the definition and the running guest */
	char *pool = pool_of(VIR_DOMAIN_XML_INACTIVE);
	ck_assert_str_eq(pool, "prod");
	free(pool);
	pool = pool_of(0);
	ck_assert_str_eq(pool, "prod");
	free(pool);

	/* a second tag replaces the first: one pool per domain */
	ck_assert_int_eq(mm_domain_pool_metadata_xml("p2", &metadata), 0);
	ck_assert_int_eq(cli_virt_tag(URI, "test", metadata), EXIT_OK);
	free(metadata);
	pool = pool_of(VIR_DOMAIN_XML_INACTIVE);
	ck_assert_str_eq(pool, "p2");
	free(pool);

	/* untag: no migmap metadata left anywhere */
	ck_assert_int_eq(cli_virt_tag(URI, "test", NULL), EXIT_OK);
	ck_assert_ptr_null(pool_of(VIR_DOMAIN_XML_INACTIVE));
	ck_assert_ptr_null(pool_of(0));
	ck_assert_ptr_null(virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
						"http://migmap.org/xmlns/domain/1.0",
						VIR_DOMAIN_AFFECT_CONFIG));
}
END_TEST

START_TEST(bad_names)
{
	char *metadata = NULL;
	/* no such domain: migmap's one-line error, EXIT_USAGE, nothing set */
	ck_assert_int_eq(mm_domain_pool_metadata_xml("prod", &metadata), 0);
	ck_assert_int_eq(cli_virt_tag(URI, "nosuch", metadata), EXIT_USAGE);
	free(metadata);
	ck_assert_ptr_null(pool_of(VIR_DOMAIN_XML_INACTIVE));
	/* a pool name the hook would refuse is never written */
	ck_assert_int_eq(mm_domain_pool_metadata_xml("a b", &metadata), -EINVAL);
	ck_assert_int_eq(mm_domain_pool_metadata_xml("x'y", &metadata), -EINVAL);
	ck_assert_int_eq(mm_domain_pool_metadata_xml("", &metadata), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tag");
	TCase *tc = tcase_create("tag");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tag_then_read_back);
	tcase_add_test(tc, bad_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
