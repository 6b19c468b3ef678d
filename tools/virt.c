/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap's side of libvirt: a domain's XML by name (check, plan) and
 * defining a planned domain (plan --define). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cli.h"
#include "macros.h"

/* libvirt prints every error by default; migmap prints the one it handles. */
static void quiet_errors(void *opaque, virErrorPtr error)
{
}

static void domain_freep(virDomainPtr *d)
{
	if (*d)
		virDomainFree(*d);
}

static int virt_fail(const char *what, const char *uri)
{
	const char *message = virGetLastErrorMessage();
	return cli_fail("%s (%s): %s", what, uri, message ? message : "unknown libvirt error");
}

/* One connection per run: plan --define writes back through the connection
 * it read the domain from (the test driver's state lives in it). */
static virConnectPtr conn;
static char *conn_uri;

static void close_conn(void)
{
	if (conn)
		virConnectClose(conn);
	free(conn_uri);
	conn = NULL;
	conn_uri = NULL;
}

static int open_uri(const char *uri, virConnectPtr *ret)
{
	if (conn && strcmp(conn_uri, uri) == 0) {
		*ret = conn;
		return EXIT_OK;
	}
	close_conn();
	virSetErrorFunc(NULL, quiet_errors);
	if (!(conn_uri = strdup(uri)))
		return cli_fail("out of memory");
	if (!(conn = virConnectOpen(uri)))
		return virt_fail("cannot connect to libvirt", uri);
	static bool registered;
	if (!registered)
		registered = atexit(close_conn) == 0;
	*ret = conn;
	return EXIT_OK;
}

/* The domain called name at uri, in *ret. */
static int lookup_domain(const char *uri, const char *name, virDomainPtr *ret)
{
	virConnectPtr c;
	int r = open_uri(uri, &c);
	if (r != EXIT_OK)
		return r;
	if (!(*ret = virDomainLookupByName(c, name)))
		return virt_fail(name, uri);
	return EXIT_OK;
}

int cli_virt_domain_xml(const char *uri, const char *name, bool inactive, char **ret)
{
	_cleanup_(domain_freep) virDomainPtr dom = NULL;
	int r = lookup_domain(uri, name, &dom);
	if (r != EXIT_OK)
		return r;
	/* plan --define writes the XML back: keep what only SECURE shows. */
	*ret = virDomainGetXMLDesc(dom,
				   inactive ? VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE : 0);
	return *ret ? EXIT_OK : virt_fail(name, uri);
}

int cli_virt_define(const char *uri, const char *xml, char **ret_name)
{
	virConnectPtr c;
	_cleanup_(domain_freep) virDomainPtr dom = NULL;
	int r = open_uri(uri, &c);
	if (r != EXIT_OK)
		return r;
	if (!(dom = virDomainDefineXML(c, xml)))
		return virt_fail("cannot define the planned domain", uri);
	const char *name = virDomainGetName(dom);
	if (ret_name && !(*ret_name = strdup(name ? name : "")))
		return cli_fail("out of memory");
	return EXIT_OK;
}

int cli_read_domain_xml(const char *arg, const char *name, const char *uri, bool inactive,
			char **ret, size_t *len)
{
	struct stat st;
	int r;

	/* A file, unless named a domain: --name NAME, or -c URI and no file
	 * of that name (nor "-", nor a path with '/'). Without either, a
	 * mistyped file name is an error, never a domain looked up. */
	if (!name && (!uri || strcmp(arg, "-") == 0 || stat(arg, &st) == 0 || strchr(arg, '/'))) {
		r = cli_read_file(arg, 16u << 20, ret, len);
		if (r == -EFBIG)
			return cli_fail("%s: larger than 16 MiB", arg);
		/* a bare word may have been meant as a domain's name */
		if (r == -ENOENT && !uri && !strchr(arg, '/'))
			return cli_fail("%s: %s (use --name or -c URI for a libvirt domain)", arg,
					strerror(-r));
		if (r < 0)
			return cli_fail("%s: %s", arg, strerror(-r));
		return EXIT_OK;
	}
	r = cli_virt_domain_xml(uri ? uri : CLI_DEFAULT_URI, name ? name : arg, inactive, ret);
	if (r == EXIT_OK)
		*len = strlen(*ret);
	return r;
}

int cli_load_domain_from(const char *arg, const char *name, const char *uri, MmDomain **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	MmError err = { 0 };
	int r = cli_read_domain_xml(arg, name, uri, false, &text, &len);
	if (r != EXIT_OK)
		return r;
	if (mm_domain_parse_xml(text, len, name ? name : arg, ret, &err) < 0)
		return cli_fail_error(&err);
	(*ret)->qemu_version = cli_virt_qemu_version();
	return EXIT_OK;
}

unsigned long cli_virt_qemu_version(void)
{
	/* a domain read from libvirt's QEMU driver: its QEMU decides some
	 * defaults (docs/design.md §6); without it the newest is assumed */
	unsigned long version = 0;
	const char *type = conn ? virConnectGetType(conn) : NULL;
	if (type && strcmp(type, "QEMU") == 0 && virConnectGetVersion(conn, &version) == 0)
		return version;
	return 0;
}

int cli_virt_all_domains_xml(const char *uri, char ***ret, char ***ret_names, size_t *n)
{
	virConnectPtr c;
	virDomainPtr *doms = NULL;
	int r = open_uri(uri, &c);
	if (r != EXIT_OK)
		return r;
	int count = virConnectListAllDomains(c, &doms, 0);
	if (count < 0)
		return virt_fail("cannot list the domains", uri);
	char **v = calloc((size_t)count + 1, sizeof(*v));
	char **names = calloc((size_t)count + 1, sizeof(*names));
	r = v && names ? EXIT_OK : cli_fail("out of memory");
	for (int i = 0; i < count; i++) {
		if (r == EXIT_OK && !(v[i] = virDomainGetXMLDesc(doms[i], 0)))
			r = virt_fail(virDomainGetName(doms[i]), uri);
		if (r == EXIT_OK && !(names[i] = strdup(virDomainGetName(doms[i]))))
			r = cli_fail("out of memory");
		virDomainFree(doms[i]);
	}
	free(doms);
	if (r != EXIT_OK) {
		mm_strv_free(v, (size_t)count);
		mm_strv_free(names, (size_t)count);
		return r;
	}
	*ret = v;
	*ret_names = names;
	*n = (size_t)count;
	return EXIT_OK;
}

int cli_virt_tag(const char *uri, const char *name, const char *metadata)
{
	_cleanup_(domain_freep) virDomainPtr dom = NULL;
	int r = lookup_domain(uri, name, &dom);
	if (r != EXIT_OK)
		return r;
	/* the definition, and the running guest too when there is one: the
	 * hook reads the XML libvirt hands it at start and at migration */
	int persistent = virDomainIsPersistent(dom), active = virDomainIsActive(dom);
	if (persistent < 0 || active < 0)
		return virt_fail(name, uri);
	unsigned flags =
		(persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0) | (active ? VIR_DOMAIN_AFFECT_LIVE : 0);
	if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, metadata,
				 metadata ? MM_DOMAIN_NS_KEY : NULL, MM_DOMAIN_NS, flags) < 0)
		return virt_fail(name, uri);
	return EXIT_OK;
}
