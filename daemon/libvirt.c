/* migmapd following libvirt: one connection to config.libvirt_uri,
 * re-opened with back-off when libvirtd is absent or restarts; the host
 * UUID from its capabilities into the host map; its PCI node devices (the
 * driver bound, whether it is vfio-pci, the domains that assign them) for
 * GetLibvirt; and every domain libvirt defines or starts, checked against
 * this host and its pool (mm_guard_targets) with a DomainConflict signal
 * when it conflicts. Domains already there are checked on every connect. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "bus-names.h"
#include "libvirt-dl.h"
#include "macros.h"
#include "manager.h"
#include "virt-event.h"

#define DEFAULT_URI "qemu:///system"
#define BACKOFF_FIRST_USEC (1ULL * 1000 * 1000)
#define BACKOFF_MAX_USEC (60ULL * 1000 * 1000)

typedef struct VirtDevice {
	char *name; /* libvirt's node device name, "pci_0000_03_00_0" */
	char *bdf;
	char *driver; /* NULL when unbound (or libvirt does not say) */
	long iommu_group; /* -1 when none */
	char **domains; /* names of the domains that assign it */
	size_t n_domains;
} VirtDevice;

typedef struct Libvirt {
	Manager *m;
	char *uri;
	virConnectPtr conn;
	int lifecycle_id;
	sd_event_source *retry;
	uint64_t backoff_usec;
	bool failing; /* the last attempt failed: said once, not on every retry */
	char *host_uuid;
	VirtDevice *devices;
	size_t n_devices;
	unsigned n_conflicts; /* DomainConflict signals sent */
} Libvirt;

static void quiet_errors(void *opaque, virErrorPtr error)
{
}

static const char *last_error(void)
{
	const char *s = virGetLastErrorMessage();
	return s ? s : "unknown libvirt error";
}

/* ---- small XML helpers -------------------------------------------------- */

static void xml_doc_freep(xmlDocPtr *d)
{
	if (*d)
		xmlFreeDoc(*d);
}

static xmlDocPtr parse_xml(const char *text)
{
	return xmlReadMemory(text, (int)strlen(text), "libvirt.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* string(expr) of doc, NULL when empty. */
static char *xpath_string(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
	char *r = NULL;
	if (o && o->type == XPATH_STRING && o->stringval && *o->stringval)
		r = strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return r;
}

/* ---- node devices --------------------------------------------------------- */

static void devices_clear(Libvirt *v)
{
	for (size_t i = 0; i < v->n_devices; i++) {
		VirtDevice *d = &v->devices[i];
		free(d->name);
		free(d->bdf);
		free(d->driver);
		for (size_t j = 0; j < d->n_domains; j++)
			free(d->domains[j]);
		free(d->domains);
	}
	free(v->devices);
	v->devices = NULL;
	v->n_devices = 0;
}

static unsigned long field(xmlDocPtr doc, const char *name)
{
	char expr[128];
	snprintf(expr, sizeof(expr), "string(/device/capability[@type='pci']/%s)", name);
	_cleanup_free_ char *s = xpath_string(doc, expr);
	return s ? strtoul(s, NULL, 0) : 0;
}

static int read_device(virNodeDevicePtr dev, VirtDevice *out)
{
	_cleanup_free_ char *xml = virNodeDeviceGetXMLDesc(dev, 0);
	_cleanup_(xml_doc_freep) xmlDocPtr doc = xml ? parse_xml(xml) : NULL;
	if (!doc)
		return -EINVAL;
	if (asprintf(&out->bdf, "%04lx:%02lx:%02lx.%lx", field(doc, "domain"), field(doc, "bus"),
		     field(doc, "slot"), field(doc, "function")) < 0) {
		out->bdf = NULL;
		return -ENOMEM;
	}
	const char *name = virNodeDeviceGetName(dev);
	out->name = strdup(name ? name : "");
	out->driver = xpath_string(doc, "string(/device/driver/name)");
	_cleanup_free_ char *group =
		xpath_string(doc, "string(/device/capability[@type='pci']/iommuGroup/@number)");
	out->iommu_group = group ? strtol(group, NULL, 10) : -1;
	return out->name ? 0 : -ENOMEM;
}

static VirtDevice *find_device(Libvirt *v, const char *bdf)
{
	for (size_t i = 0; i < v->n_devices; i++)
		if (strcmp(v->devices[i].bdf, bdf) == 0)
			return &v->devices[i];
	return NULL;
}

/* Note which devices domain's XML assigns. */
static int note_hostdevs(Libvirt *v, const char *domain, const char *xml)
{
	_cleanup_(xml_doc_freep) xmlDocPtr doc = parse_xml(xml);
	if (!doc)
		return 0;
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression(
					    BAD_CAST "/domain/devices/hostdev[@type='pci']/source/address",
					    ctx)
				  : NULL;
	int r = 0;
	for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr && r >= 0; i++) {
		xmlNodePtr a = o->nodesetval->nodeTab[i];
		unsigned long part[4];
		const char *names[] = {"domain", "bus", "slot", "function"};
		for (size_t k = 0; k < 4; k++) {
			xmlChar *s = xmlGetProp(a, BAD_CAST names[k]);
			part[k] = s ? strtoul((const char *)s, NULL, 0) : 0;
			xmlFree(s);
		}
		char bdf[32];
		snprintf(bdf, sizeof(bdf), "%04lx:%02lx:%02lx.%lx", part[0], part[1], part[2],
			 part[3]);
		VirtDevice *d = find_device(v, bdf);
		if (!d)
			continue;
		char **n = realloc(d->domains, (d->n_domains + 1) * sizeof(*n));
		if (!n || !(n[d->n_domains] = strdup(domain))) {
			if (n)
				d->domains = n;
			r = -ENOMEM;
			break;
		}
		d->domains = n;
		d->n_domains++;
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return r;
}

/* The PCI node devices and who uses them, read again. */
static void refresh_devices(Libvirt *v)
{
	virNodeDevicePtr *devs = NULL;
	virDomainPtr *doms = NULL;
	int n = virConnectListAllNodeDevices(v->conn, &devs, VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV);

	devices_clear(v);
	if (n < 0) {
		fprintf(stderr, "migmapd: libvirt: cannot list node devices: %s\n", last_error());
		return;
	}
	v->devices = calloc(n ? (size_t)n : 1, sizeof(*v->devices));
	for (int i = 0; i < n; i++) {
		if (v->devices && read_device(devs[i], &v->devices[v->n_devices]) == 0)
			v->n_devices++;
		virNodeDeviceFree(devs[i]);
	}
	free(devs);
	int nd = virConnectListAllDomains(v->conn, &doms, 0);
	for (int i = 0; i < nd; i++) {
		_cleanup_free_ char *xml = virDomainGetXMLDesc(doms[i], 0);
		const char *name = virDomainGetName(doms[i]);
		if (xml && name)
			(void)note_hostdevs(v, name, xml);
		virDomainFree(doms[i]);
	}
	free(doms);
}

/* ---- the host's identity -------------------------------------------------- */

int libvirt_apply_identity(Manager *m, MmHostMap *map)
{
	Libvirt *v = m->libvirt;
	if (!v || !v->host_uuid || streq_ptr(map->uuid, v->host_uuid))
		return 0;
	char *uuid = strdup(v->host_uuid);
	if (!uuid)
		return -ENOMEM;
	free(map->uuid);
	map->uuid = uuid;
	return 0;
}

static void read_host_uuid(Libvirt *v)
{
	Manager *m = v->m;
	_cleanup_free_ char *caps = virConnectGetCapabilities(v->conn);
	_cleanup_(xml_doc_freep) xmlDocPtr doc = caps ? parse_xml(caps) : NULL;
	if (!doc) {
		fprintf(stderr, "migmapd: libvirt: cannot read the capabilities: %s\n", last_error());
		return;
	}
	free(v->host_uuid);
	v->host_uuid = xpath_string(doc, "string(/capabilities/host/uuid)");
	if (!m->host || !v->host_uuid || streq_ptr(m->host->uuid, v->host_uuid))
		return;
	/* The map changes: the same path as a Refresh that found a change. */
	MmError err = {0};
	char buf[1024];
	if (libvirt_apply_identity(m, m->host) < 0)
		return;
	if (m->state && mm_state_save_host(m->state, m->host, &err) < 0)
		fprintf(stderr, "migmapd: warning: %s\n", mm_error_format(&err, buf, sizeof(buf)));
	m->generation++;
	if (m->bus)
		bus_emit_host_map_changed(m);
}

/* ---- checking domains ----------------------------------------------------- */

static void emit_conflict(Libvirt *v, const char *domain, const MmCheckReport *report,
			  const char *what)
{
	_cleanup_free_ char *json = NULL;
	const MmConflict *c = mm_check_report_first_error(report);
	fprintf(stderr, "migmapd: domain %s conflicts with %s: %s\n", domain, what,
		c ? c->message : "?");
	v->n_conflicts++;
	if (!v->m->bus || mm_check_report_format_json(report, &json) < 0)
		return;
	int r = sd_bus_emit_signal(v->m->bus, MM_BUS_PATH, MM_BUS_INTERFACE, "DomainConflict", "ss",
				   domain, json);
	if (r < 0)
		fprintf(stderr, "migmapd: cannot emit DomainConflict: %s\n", strerror(-r));
}

static void check_one(Libvirt *v, const char *name, const MmDomain *d, unsigned target)
{
	Manager *m = v->m;
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	_cleanup_free_ const MmHostMap **maps = NULL;
	const MmHostMap *const *hosts;
	char what[300];
	size_t n;
	MmError err = {0};

	if (target == MM_GUARD_HOST) {
		if (!m->host)
			return;
		snprintf(what, sizeof(what), "this host");
		hosts = (const MmHostMap *const *)&m->host;
		n = 1;
	} else {
		snprintf(what, sizeof(what), "pool %s", d->pool);
		if (mm_state_pool_hosts(m->state, d->pool, &maps, &n, &err) < 0) {
			char buf[1024];
			fprintf(stderr, "migmapd: domain %s: %s: not checked: %s\n", name, what,
				mm_error_format(&err, buf, sizeof(buf)));
			return;
		}
		hosts = maps;
	}
	if (mm_check_domain(d, hosts, n, &report, &err) < 0) {
		char buf[1024];
		fprintf(stderr, "migmapd: domain %s: %s: not checked: %s\n", name, what,
			mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	if (!report->ok)
		emit_conflict(v, name, report, what);
}

static void check_domain(Libvirt *v, virDomainPtr dom)
{
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	const char *name = virDomainGetName(dom);
	_cleanup_free_ char *xml = virDomainGetXMLDesc(dom, 0);
	MmError err = {0};
	char buf[1024];

	if (!xml || !name)
		return;
	if (mm_domain_parse_xml(xml, strlen(xml), name, &d, &err) < 0) {
		fprintf(stderr, "migmapd: domain %s not checked: %s\n", name,
			mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	unsigned targets = mm_guard_targets(d);
	if (targets & MM_GUARD_HOST)
		check_one(v, name, d, MM_GUARD_HOST);
	if (targets & MM_GUARD_POOL)
		check_one(v, name, d, MM_GUARD_POOL);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	Libvirt *v = opaque;
	refresh_devices(v);
	if (event == VIR_DOMAIN_EVENT_DEFINED || event == VIR_DOMAIN_EVENT_STARTED)
		check_domain(v, dom);
	return 0;
}

/* ---- the connection --------------------------------------------------------- */

static void schedule(Libvirt *v, uint64_t delay_usec);

static void disconnect(Libvirt *v)
{
	if (!v->conn)
		return;
	if (v->lifecycle_id >= 0)
		virConnectDomainEventDeregisterAny(v->conn, v->lifecycle_id);
	v->lifecycle_id = -1;
	virConnectClose(v->conn);
	v->conn = NULL;
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	Libvirt *v = opaque;
	fprintf(stderr, "migmapd: libvirt at %s went away; reconnecting\n", v->uri);
	/* Not from inside libvirt's own callback: from the loop, at once. */
	v->backoff_usec = BACKOFF_FIRST_USEC;
	schedule(v, 0);
}

static int try_connect(Libvirt *v)
{
	virDomainPtr *doms = NULL;

	disconnect(v);
	v->conn = virConnectOpen(v->uri);
	if (!v->conn) {
		if (!v->failing)
			fprintf(stderr, "migmapd: libvirt at %s: %s; retrying\n", v->uri,
				last_error());
		v->failing = true;
		schedule(v, v->backoff_usec);
		v->backoff_usec = v->backoff_usec * 2 < BACKOFF_MAX_USEC ? v->backoff_usec * 2
										  : BACKOFF_MAX_USEC;
		return 0;
	}
	v->failing = false;
	v->backoff_usec = BACKOFF_FIRST_USEC;
	(void)virConnectSetKeepAlive(v->conn, 5, 3);
	(void)virConnectRegisterCloseCallback(v->conn, on_close, v, NULL);
	v->lifecycle_id = virConnectDomainEventRegisterAny(
		v->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
		v, NULL);
	if (v->lifecycle_id < 0)
		fprintf(stderr, "migmapd: libvirt at %s: no domain events: %s\n", v->uri,
			last_error());
	fprintf(stderr, "migmapd: following libvirt at %s\n", v->uri);
	read_host_uuid(v);
	refresh_devices(v);
	/* What was defined or started while we were away. */
	int n = virConnectListAllDomains(v->conn, &doms, 0);
	for (int i = 0; i < n; i++) {
		check_domain(v, doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	return try_connect(userdata);
}

static void schedule(Libvirt *v, uint64_t delay_usec)
{
	uint64_t now = 0;
	(void)sd_event_now(v->m->event, CLOCK_MONOTONIC, &now);
	if (!v->retry) {
		if (sd_event_add_time(v->m->event, &v->retry, CLOCK_MONOTONIC, now + delay_usec,
				      0, on_retry, v) < 0)
			fprintf(stderr, "migmapd: libvirt: cannot schedule a reconnect\n");
		return;
	}
	(void)sd_event_source_set_time(v->retry, now + delay_usec);
	(void)sd_event_source_set_enabled(v->retry, SD_EVENT_ONESHOT);
}

int libvirt_start(Manager *m)
{
	const char *uri = m->config.libvirt_uri ? m->config.libvirt_uri : DEFAULT_URI;
	int r;

	if (strcmp(uri, "none") == 0)
		return 0;
	const char *why = NULL;
	if (libvirt_dl_open(&why) < 0) {
		fprintf(stderr, "migmapd: libvirt: cannot load it (%s): not following %s\n", why,
			uri);
		return 0;
	}
	if ((r = virt_event_register(m->event)) < 0)
		return r;
	virSetErrorFunc(NULL, quiet_errors);
	Libvirt *v = calloc(1, sizeof(*v));
	if (!v || !(v->uri = strdup(uri))) {
		free(v);
		return -ENOMEM;
	}
	v->m = m;
	v->lifecycle_id = -1;
	v->backoff_usec = BACKOFF_FIRST_USEC;
	m->libvirt = v;
	return try_connect(v);
}

void libvirt_stop(Manager *m)
{
	Libvirt *v = m->libvirt;
	if (!v)
		return;
	disconnect(v);
	sd_event_source_disable_unref(v->retry);
	devices_clear(v);
	free(v->host_uuid);
	free(v->uri);
	free(v);
	m->libvirt = NULL;
}

/* ---- GetLibvirt ------------------------------------------------------------- */

static json_object *string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int libvirt_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	Libvirt *v = m->libvirt;
	json_object *root = json_object_new_object(), *devices = json_object_new_array();
	int r;

	if (!root || !devices) {
		json_object_put(root);
		json_object_put(devices);
		return -ENOMEM;
	}
	json_object_object_add(root, "uri", json_object_new_string(v ? v->uri : "none"));
	json_object_object_add(root, "connected", json_object_new_boolean(v && v->conn));
	json_object_object_add(root, "host_uuid", string_or_null(v ? v->host_uuid : NULL));
	json_object_object_add(root, "conflicts", json_object_new_int64(v ? v->n_conflicts : 0));
	for (size_t i = 0; v && i < v->n_devices; i++) {
		const VirtDevice *d = &v->devices[i];
		json_object *o = json_object_new_object(), *doms = json_object_new_array();
		json_object_object_add(o, "bdf", json_object_new_string(d->bdf));
		json_object_object_add(o, "name", json_object_new_string(d->name));
		json_object_object_add(o, "driver", string_or_null(d->driver));
		json_object_object_add(o, "iommu_group", d->iommu_group >= 0
								 ? json_object_new_int64(d->iommu_group)
								 : NULL);
		json_object_object_add(o, "vfio",
				       json_object_new_boolean(streq_ptr(d->driver, "vfio-pci")));
		for (size_t j = 0; j < d->n_domains; j++)
			json_object_array_add(doms, json_object_new_string(d->domains[j]));
		json_object_object_add(o, "domains", doms);
		json_object_array_add(devices, o);
	}
	json_object_object_add(root, "devices", devices);
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
									 JSON_C_TO_STRING_SPACED |
									 JSON_C_TO_STRING_NOSLASHESCAPE);
	r = sd_bus_reply_method_return(msg, "s", text);
	json_object_put(root);
	return r;
}
