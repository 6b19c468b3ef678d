/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "bus-names.h"
#include "bus.h"
#include "libvirt-dl.h"
#include "libvirt.h"
#include "log.h"
#include "macros.h"
#include "manager.h"
#include "nodedev.h"
#include "virt-event.h"

#define DEFAULT_URI        "qemu:///system"
#define BACKOFF_FIRST_USEC (1ULL * 1000 * 1000)
#define BACKOFF_MAX_USEC   (60ULL * 1000 * 1000)

typedef struct Libvirt {
	Manager *m;
	char *uri;
	virConnectPtr conn;
	int lifecycle_id;
	sd_event_source *retry;
	uint64_t backoff_usec;
	bool failing; /* the last attempt failed: said once, not on every retry */
	char *host_uuid;
	MmNodeDevice *devices;
	size_t n_devices;
	unsigned n_conflicts; /* DomainConflict signals sent */
} Libvirt;

static void quiet_errors(void *opaque, virErrorPtr error)
{
}

static const char *last_error(void)
{
	const char *s = sym_virGetLastErrorMessage();
	return s ? s : "unknown libvirt error";
}

/* ---- node devices --------------------------------------------------------- */

static void devices_clear(Libvirt *v)
{
	for (size_t i = 0; i < v->n_devices; i++)
		mm_nodedev_clear(&v->devices[i]);
	free(v->devices);
	v->devices = NULL;
	v->n_devices = 0;
}

static int read_device(virNodeDevicePtr dev, MmNodeDevice *out)
{
	_cleanup_free_ char *xml = sym_virNodeDeviceGetXMLDesc(dev, 0);
	_cleanup_(mm_nodedev_freep) MmNodeDevice *d = NULL;
	const char *name = sym_virNodeDeviceGetName(dev);
	MmError err = { 0 };
	char buf[1024];
	int r;

	if (!xml)
		return -EIO;
	r = mm_nodedev_parse_xml(xml, strlen(xml), name ? name : "node device", &d, &err);
	if (r == -EINVAL)
		log_warning("libvirt: %s", mm_error_format(&err, buf, sizeof(buf)));
	if (r < 0)
		return r;
	*out = *d;
	free(TAKE_PTR(d));
	return 0;
}

static MmNodeDevice *find_device(Libvirt *v, const char *bdf)
{
	for (size_t i = 0; i < v->n_devices; i++)
		if (strcmp(v->devices[i].bdf, bdf) == 0)
			return &v->devices[i];
	return NULL;
}

/* Note which devices domain's XML assigns. */
static int note_hostdevs(Libvirt *v, const char *domain, const char *xml)
{
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	int r = mm_domain_parse_xml(xml, strlen(xml), domain, &d, &err);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	for (size_t i = 0; i < d->n_pci_hostdev_bdfs; i++) {
		MmNodeDevice *dev = find_device(v, d->pci_hostdev_bdfs[i]);
		if (dev && (r = mm_nodedev_add_domain(dev, domain)) < 0)
			return r;
	}
	return 0;
}

/* The PCI node devices and who uses them, read again. */
static void refresh_devices(Libvirt *v)
{
	virNodeDevicePtr *devs = NULL;
	virDomainPtr *doms = NULL;
	int n = sym_virConnectListAllNodeDevices(v->conn, &devs,
						 VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV);

	devices_clear(v);
	if (n < 0) {
		log_warning("libvirt: cannot list node devices: %s", last_error());
		return;
	}
	v->devices = calloc(n ? (size_t)n : 1, sizeof(*v->devices));
	for (int i = 0; i < n; i++) {
		if (v->devices && read_device(devs[i], &v->devices[v->n_devices]) == 0)
			v->n_devices++;
		sym_virNodeDeviceFree(devs[i]);
	}
	free(devs);
	int nd = sym_virConnectListAllDomains(v->conn, &doms, 0);
	for (int i = 0; i < nd; i++) {
		_cleanup_free_ char *xml = sym_virDomainGetXMLDesc(doms[i], 0);
		const char *name = sym_virDomainGetName(doms[i]);
		if (xml && name)
			(void)note_hostdevs(v, name, xml);
		sym_virDomainFree(doms[i]);
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
	_cleanup_free_ char *caps = sym_virConnectGetCapabilities(v->conn);
	MmError err = { 0 };
	char buf[1024];
	if (!caps) {
		log_warning("libvirt: cannot read the capabilities: %s", last_error());
		return;
	}
	free(v->host_uuid);
	v->host_uuid = NULL;
	if (mm_capabilities_host_uuid(caps, strlen(caps), "capabilities", &v->host_uuid, &err) <
	    0) {
		log_warning("libvirt: %s", mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	if (!m->host || !v->host_uuid || streq_ptr(m->host->uuid, v->host_uuid))
		return;
	/* The map changes: the same path as a Refresh that found a change. */
	if (libvirt_apply_identity(m, m->host) < 0)
		return;
	if (m->state && mm_state_save_host(m->state, m->host, &err) < 0)
		log_warning("%s", mm_error_format(&err, buf, sizeof(buf)));
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
	log_notice("domain %s conflicts with %s: %s", domain, what, c ? c->message : "?");
	v->n_conflicts++;
	if (!v->m->bus || mm_check_report_format_json(report, &json) < 0)
		return;
	int r = sd_bus_emit_signal(v->m->bus, MM_BUS_PATH, MM_BUS_INTERFACE, "DomainConflict", "ss",
				   domain, json);
	if (r < 0)
		log_warning("cannot emit DomainConflict: %s", strerror(-r));
}

static void check_one(Libvirt *v, const char *name, const MmDomain *d, unsigned target)
{
	Manager *m = v->m;
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	_cleanup_free_ const MmHostMap **maps = NULL;
	const MmHostMap *const *hosts;
	char what[300];
	size_t n;
	MmError err = { 0 };

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
			log_notice("domain %s: %s: not checked: %s", name, what,
				   mm_error_format(&err, buf, sizeof(buf)));
			return;
		}
		hosts = maps;
	}
	if (mm_check_domain(d, hosts, n, &report, &err) < 0) {
		char buf[1024];
		log_notice("domain %s: %s: not checked: %s", name, what,
			   mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	if (!report->ok)
		emit_conflict(v, name, report, what);
}

static void check_domain(Libvirt *v, virDomainPtr dom)
{
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	const char *name = sym_virDomainGetName(dom);
	_cleanup_free_ char *xml = sym_virDomainGetXMLDesc(dom, 0);
	MmError err = { 0 };
	char buf[1024];

	if (!xml || !name)
		return;
	if (mm_domain_parse_xml(xml, strlen(xml), name, &d, &err) < 0) {
		log_notice("domain %s not checked: %s", name,
			   mm_error_format(&err, buf, sizeof(buf)));
		return;
	}
	/* libvirt validated its record of the domain's emulator when it
	 * defined or started it: the version is current (docs/design.md §6) */
	(void)mm_qemu_caps_fill_domain(d, v->m->config.sysroot, NULL);
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
		sym_virConnectDomainEventDeregisterAny(v->conn, v->lifecycle_id);
	v->lifecycle_id = -1;
	sym_virConnectClose(v->conn);
	v->conn = NULL;
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	Libvirt *v = opaque;
	log_info("libvirt at %s went away; reconnecting", v->uri);
	/* Not from inside libvirt's own callback: from the loop, at once. */
	v->backoff_usec = BACKOFF_FIRST_USEC;
	schedule(v, 0);
}

static int try_connect(Libvirt *v)
{
	virDomainPtr *doms = NULL;

	disconnect(v);
	v->conn = sym_virConnectOpen(v->uri);
	if (!v->conn) {
		if (!v->failing)
			log_notice("libvirt at %s: %s; retrying", v->uri, last_error());
		v->failing = true;
		schedule(v, v->backoff_usec);
		v->backoff_usec = v->backoff_usec * 2 < BACKOFF_MAX_USEC ? v->backoff_usec * 2
									 : BACKOFF_MAX_USEC;
		return 0;
	}
	v->failing = false;
	v->backoff_usec = BACKOFF_FIRST_USEC;
	(void)sym_virConnectSetKeepAlive(v->conn, 5, 3);
	(void)sym_virConnectRegisterCloseCallback(v->conn, on_close, v, NULL);
	v->lifecycle_id =
		sym_virConnectDomainEventRegisterAny(v->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), v,
						     NULL);
	if (v->lifecycle_id < 0)
		log_warning("libvirt at %s: no domain events: %s", v->uri, last_error());
	log_info("following libvirt at %s", v->uri);
	read_host_uuid(v);
	refresh_devices(v);
	/* What was defined or started while we were away. */
	int n = sym_virConnectListAllDomains(v->conn, &doms, 0);
	for (int i = 0; i < n; i++) {
		check_domain(v, doms[i]);
		sym_virDomainFree(doms[i]);
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
		if (sd_event_add_time(v->m->event, &v->retry, CLOCK_MONOTONIC, now + delay_usec, 0,
				      on_retry, v) < 0)
			log_warning("libvirt: cannot schedule a reconnect");
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
		log_warning("libvirt: cannot load it (%s): not following %s", why, uri);
		return 0;
	}
	if ((r = virt_event_register(m->event)) < 0)
		return r;
	sym_virSetErrorFunc(NULL, quiet_errors);
	Libvirt *v = calloc(1, sizeof(*v));
	if (!v || !(v->uri = strdup(uri))) {
		free(v);
		return -ENOMEM;
	}
	v->m = m;
	v->lifecycle_id = -1;
	v->backoff_usec = BACKOFF_FIRST_USEC;
	m->libvirt = v;
	/* The first connection from the loop, after READY=1: a socket-activated
	 * libvirtd takes seconds to answer at boot, which must not hold up
	 * migmapd's start and every unit after it. Important, so the loop's
	 * first turn connects before it serves a call, as before. */
	schedule(v, 0);
	if (v->retry)
		(void)sd_event_source_set_priority(v->retry, SD_EVENT_PRIORITY_IMPORTANT);
	return 0;
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

int libvirt_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	Libvirt *v = m->libvirt;
	_cleanup_free_ char *json = NULL;
	MmLibvirtStatus status = {
		.uri = v ? v->uri : "none",
		.connected = v && v->conn,
		.host_uuid = v ? v->host_uuid : NULL,
		.conflicts = v ? v->n_conflicts : 0,
		.devices = v ? v->devices : NULL,
		.n_devices = v ? v->n_devices : 0,
	};
	int r = mm_libvirt_status_format_json(&status, &json);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, "s", json);
}
