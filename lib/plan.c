/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan: a layout of a domain that is valid on every host of a pool, in
 * libvirt's own XML (docs/design.md §7). The guest keeps its total memory; initial
 * RAM shrinks until it ends before the first forbidden range (or the address
 * limit), and the rest becomes DIMMs at explicit bases in usable gaps of
 * the device memory area, which <maxMemory> makes large enough to reach
 * them. libvirt wants a NUMA cell for memory hotplug, and an aarch64 guest
 * needs UEFI with ACPI to see DIMMs: the plan adds what is missing and says
 * so. The result is checked with mm_check_domain() before it is returned. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "check.h"
#include "domain.h"
#include "error.h"
#include "hostmap.h"
#include "jsonutil.h"
#include "layout-internal.h"
#include "layout.h"
#include "macros.h"
#include "plan.h"
#include "pool.h"
#include "rangeset.h"
#include "strv.h"
#include "util.h"
#include "xmlutil.h"

#define MIB MM_MIB
#define GIB MM_GIB
/* DIMM sizes and the initial RAM are multiples of this; DIMM bases are
 * aligned to 1 GiB, as QEMU aligns each hotplug slot. */
#define GRANULE               (128 * MIB)
#define MAX_DIMMS             64
#define X86_DEFAULT_PHYS_BITS 40

void mm_plan_free(MmPlan *p)
{
	if (!p)
		return;
	free(p->dimms);
	mm_strv_free(p->notes, p->n_notes);
	free(p->domain_xml);
	free(p->defined);
	free(p);
}

static int add_note(MmPlan *p, const char *fmt, ...) _printf_(2, 3);
static int add_note(MmPlan *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mm_strv_appendv(&p->notes, &p->n_notes, fmt, ap);
	va_end(ap);
	return r;
}

static bool blocks_ram(const MmForbidden *f)
{
	return mm_reserved_kind_of(f->type) != MM_RESERVED_DIRECT_RELAXABLE;
}

static bool is_ram(const MmGuestRegion *g)
{
	return strncmp(g->kind, "ram", 3) == 0;
}

/* How much of the guest's RAM, walked in address order, lies before the
 * first forbidden range or the limit: that much may stay initial RAM. */
static uint64_t ram_before_obstacle(const MmGuestLayout *l, const MmPoolMap *pool,
				    const MmRangeSet *windows, uint64_t *obstacle)
{
	uint64_t top = pool->limit_bits && pool->limit_bits < 64
			       ? ((uint64_t)1 << pool->limit_bits) - 1
			       : UINT64_MAX;
	uint64_t fits = 0;
	for (size_t i = 0; i < l->n_regions; i++) {
		const MmGuestRegion *g = &l->regions[i];
		if (!is_ram(g))
			continue;
		uint64_t stop = g->end < top ? g->end : top;
		bool blocked = g->end > top;
		*obstacle = top == UINT64_MAX ? UINT64_MAX : top + 1;
		for (size_t k = 0; k < pool->n_forbidden; k++) {
			const MmForbidden *f = &pool->forbidden[k];
			if (!blocks_ram(f) || f->end < g->start || f->start > stop)
				continue;
			/* forbidden is sorted by start: the first one met is the lowest */
			if (f->start <= g->start)
				return fits;
			stop = f->start - 1;
			*obstacle = f->start;
			blocked = true;
			break;
		}
		/* a member's PCI host bridge window: DMA there may go peer-to-peer */
		for (size_t k = 0; windows && k < windows->n; k++) {
			const MmSpan *w = &windows->spans[k];
			if (w->end < g->start || w->start > stop)
				continue;
			if (w->start <= g->start)
				return fits;
			stop = w->start - 1;
			*obstacle = w->start;
			blocked = true;
			break;
		}
		if (g->start > stop)
			return fits;
		fits += stop - g->start + 1;
		if (blocked)
			return fits;
	}
	return fits;
}

/* A copy of d's memory settings with other values: what the layout and
 * check functions see for a candidate plan. */
typedef struct Candidate {
	MmDomain d;
	MmMemoryDevice dimms[MAX_DIMMS];
	uint64_t cell;
} Candidate;

static void candidate_init(Candidate *c, const MmDomain *d, uint64_t initial, uint64_t total,
			   uint64_t max_memory, unsigned slots)
{
	c->d = *d;
	c->d.memory = total;
	c->d.current_memory = total;
	c->d.max_memory = max_memory;
	c->d.max_memory_slots = slots;
	c->d.memory_devices = c->dimms;
	c->d.n_memory_devices = 0;
	c->cell = initial;
	c->d.numa_cells = &c->cell;
	c->d.n_numa_cells = 1;
}

/* Lay DIMMs worth `need` bytes into the usable ranges from `from` up. */
static int place_dimms(const MmRangeSet *usable, uint64_t from, uint64_t need, Candidate *c,
		       uint64_t *last_end)
{
	for (size_t i = 0; i < usable->n && need > 0; i++) {
		const MmSpan *u = &usable->spans[i];
		if (u->end < from)
			continue;
		uint64_t base = u->start > from ? u->start : from;
		if (!mm_align_up(&base, GIB) || base > u->end)
			continue;
		uint64_t room = (u->end - base + 1) / GRANULE * GRANULE;
		if (u->end == UINT64_MAX)
			room = (UINT64_MAX - base) / GRANULE * GRANULE;
		if (room == 0)
			continue;
		if (c->d.n_memory_devices == MAX_DIMMS)
			return -E2BIG;
		uint64_t size = need < room ? need : room;
		c->dimms[c->d.n_memory_devices++] =
			(MmMemoryDevice){ MM_MEMDEV_DIMM, size, base, true, 0 };
		need -= size;
		*last_end = base + size - 1;
	}
	return need == 0 ? 0 : -ENOSPC;
}

/* Does device memory in l hold every DIMM of d? */
static bool dimms_inside(const MmGuestLayout *l, const MmDomain *d)
{
	for (size_t i = 0; i < d->n_memory_devices; i++) {
		const MmMemoryDevice *m = &d->memory_devices[i];
		if (l->device_memory_size == 0 || m->base < l->device_memory_base ||
		    m->base - l->device_memory_base > l->device_memory_size ||
		    m->size > l->device_memory_size - (m->base - l->device_memory_base))
			return false;
	}
	return true;
}

/* ---- writing the planned domain ---- */

static xmlNodePtr ensure_child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c = mm_xml_child(parent, name, MM_XML_NO_NS);
	return c ? c : xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

/* <NAME unit='KiB'>bytes/1024</NAME>, replacing what was there. */
static int set_kib(xmlNodePtr parent, xmlNodePtr before, const char *name, uint64_t bytes)
{
	char text[32];
	snprintf(text, sizeof(text), "%" PRIu64, bytes / 1024);
	xmlNodePtr n = mm_xml_child(parent, name, MM_XML_NO_NS);
	if (!n) {
		n = xmlNewNode(NULL, BAD_CAST name);
		if (!n)
			return -ENOMEM;
		if (before)
			xmlAddPrevSibling(before, n);
		else
			xmlAddChild(parent, n);
	}
	xmlNodeSetContent(n, BAD_CAST text);
	return xmlSetProp(n, BAD_CAST "unit", BAD_CAST "KiB") ? 0 : -ENOMEM;
}

static unsigned vcpu_count(xmlNodePtr root)
{
	xmlNodePtr v = mm_xml_child(root, "vcpu", MM_XML_NO_NS);
	xmlChar *text = v ? xmlNodeGetContent(v) : NULL;
	unsigned long n = text ? strtoul((const char *)text, NULL, 10) : 1;
	xmlFree(text);
	return n >= 1 && n <= 4096 ? (unsigned)n : 1;
}

static int write_numa(xmlNodePtr root, const MmPlan *p)
{
	xmlNodePtr cpu = mm_xml_child(root, "cpu", MM_XML_NO_NS);
	if (!cpu && !(cpu = xmlNewChild(root, NULL, BAD_CAST "cpu", NULL)))
		return -ENOMEM;
	xmlNodePtr numa = ensure_child(cpu, "numa");
	xmlNodePtr cell = numa ? mm_xml_child(numa, "cell", MM_XML_NO_NS) : NULL;
	if (numa && !cell) {
		char cpus[32];
		unsigned n = vcpu_count(root);
		if (n > 1)
			snprintf(cpus, sizeof(cpus), "0-%u", n - 1);
		else
			snprintf(cpus, sizeof(cpus), "0");
		cell = xmlNewChild(numa, NULL, BAD_CAST "cell", NULL);
		if (!cell || !xmlSetProp(cell, BAD_CAST "id", BAD_CAST "0") ||
		    !xmlSetProp(cell, BAD_CAST "cpus", BAD_CAST cpus))
			return -ENOMEM;
	}
	if (!cell)
		return -ENOMEM;
	char kib[32];
	snprintf(kib, sizeof(kib), "%" PRIu64, p->initial_memory / 1024);
	if (!xmlSetProp(cell, BAD_CAST "memory", BAD_CAST kib) ||
	    !xmlSetProp(cell, BAD_CAST "unit", BAD_CAST "KiB"))
		return -ENOMEM;
	return 0;
}

static int write_dimms(xmlNodePtr root, const MmPlan *p)
{
	xmlNodePtr devices = ensure_child(root, "devices");
	if (!devices)
		return -ENOMEM;
	/* the plan replaces every DIMM the domain had */
	for (xmlNodePtr c = devices->children, next; c; c = next) {
		next = c->next;
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "memory"))
			continue;
		xmlChar *model = xmlGetProp(c, BAD_CAST "model");
		bool dimm = model && xmlStrEqual(model, BAD_CAST "dimm");
		xmlFree(model);
		if (dimm) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	for (size_t i = 0; i < p->n_dimms; i++) {
		char size[32], slot[32], base[19];
		snprintf(size, sizeof(size), "%" PRIu64, p->dimms[i].size / 1024);
		snprintf(slot, sizeof(slot), "%zu", i);
		xmlNodePtr mem = xmlNewChild(devices, NULL, BAD_CAST "memory", NULL);
		xmlNodePtr target = mem ? xmlNewChild(mem, NULL, BAD_CAST "target", NULL) : NULL;
		xmlNodePtr sz =
			target ? xmlNewChild(target, NULL, BAD_CAST "size", BAD_CAST size) : NULL;
		xmlNodePtr node =
			target ? xmlNewChild(target, NULL, BAD_CAST "node", BAD_CAST "0") : NULL;
		xmlNodePtr addr = mem ? xmlNewChild(mem, NULL, BAD_CAST "address", NULL) : NULL;
		if (!node || !sz || !addr || !xmlSetProp(mem, BAD_CAST "model", BAD_CAST "dimm") ||
		    !xmlSetProp(sz, BAD_CAST "unit", BAD_CAST "KiB") ||
		    !xmlSetProp(addr, BAD_CAST "type", BAD_CAST "dimm") ||
		    !xmlSetProp(addr, BAD_CAST "slot", BAD_CAST slot) ||
		    !xmlSetProp(addr, BAD_CAST "base", BAD_CAST mm_hex(p->dimms[i].base, base)))
			return -ENOMEM;
	}
	return 0;
}

static int write_firmware(xmlNodePtr root, const MmDomain *d, MmPlan *p)
{
	if (!d->arch || strcmp(d->arch, "aarch64") != 0 || p->n_dimms == 0)
		return 0;
	if (!d->firmware_efi) {
		xmlNodePtr os = ensure_child(root, "os");
		if (!os || !xmlSetProp(os, BAD_CAST "firmware", BAD_CAST "efi"))
			return -ENOMEM;
		if (add_note(p, "set <os firmware='efi'>: an aarch64 guest finds DIMMs through "
				"UEFI and ACPI") < 0)
			return -ENOMEM;
	}
	if (!d->acpi) {
		xmlNodePtr features = ensure_child(root, "features");
		if (!features || !ensure_child(features, "acpi"))
			return -ENOMEM;
		if (add_note(p, "added <features><acpi/>: an aarch64 guest finds DIMMs through "
				"ACPI") < 0)
			return -ENOMEM;
	}
	return 0;
}

/* <cpu><maxphysaddr mode='emulate' bits=…/>, or mode='passthrough' limit=…
 * on a machine type that turns host-phys-bits on (libvirt's emulate sets
 * only phys-bits, which QEMU ignores while host-phys-bits is on; docs/
 * design.md §7), replacing what was there. */
static int write_maxphysaddr(xmlNodePtr root, unsigned phys_bits, bool limit)
{
	char bits[16];
	snprintf(bits, sizeof(bits), "%u", phys_bits);
	xmlNodePtr cpu = ensure_child(root, "cpu");
	xmlNodePtr mpa = cpu ? ensure_child(cpu, "maxphysaddr") : NULL;
	if (!mpa ||
	    !xmlSetProp(mpa, BAD_CAST "mode", BAD_CAST(limit ? "passthrough" : "emulate")) ||
	    !xmlSetProp(mpa, BAD_CAST(limit ? "limit" : "bits"), BAD_CAST bits))
		return -ENOMEM;
	xmlUnsetProp(mpa, BAD_CAST(limit ? "bits" : "limit"));
	return 0;
}

/* What write_maxphysaddr writes, for the notes. */
static const char *maxphysaddr_text(bool limit, unsigned bits, char *buf, size_t size)
{
	snprintf(buf, size,
		 limit ? "<maxphysaddr mode='passthrough' limit='%u'/>"
		       : "<maxphysaddr mode='emulate' bits='%u'/>",
		 bits);
	return buf;
}

static int write_domain(const char *xml, size_t len, const char *file, const MmDomain *d, MmPlan *p,
			MmError *err)
{
	_cleanup_(mm_xml_doc_freep) xmlDocPtr doc = NULL;
	int r = mm_xml_read_opts(xml, len, file, XML_PARSE_NOBLANKS, &doc, err);
	if (r < 0)
		return r;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr memory = mm_xml_child(root, "memory", MM_XML_NO_NS);
	if ((r = set_kib(root, memory, "maxMemory", p->max_memory)) < 0 ||
	    (r = set_kib(root, NULL, "memory", p->total_memory)) < 0 ||
	    (r = set_kib(root, NULL, "currentMemory", p->total_memory)) < 0)
		return r;
	char slots[16];
	snprintf(slots, sizeof(slots), "%u", p->slots);
	xmlNodePtr max = mm_xml_child(root, "maxMemory", MM_XML_NO_NS);
	if (!xmlSetProp(max, BAD_CAST "slots", BAD_CAST slots))
		return -ENOMEM;
	if (p->phys_bits && (r = write_maxphysaddr(root, p->phys_bits, p->phys_bits_limit)) < 0)
		return r;
	if ((r = write_numa(root, p)) < 0 || (r = write_dimms(root, p)) < 0 ||
	    (r = write_firmware(root, d, p)) < 0)
		return r;

	xmlChar *out = NULL;
	int out_len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &out, &out_len, "UTF-8", 1);
	if (!out)
		return -ENOMEM;
	/* libvirt writes domains without an XML declaration */
	const char *text = (const char *)out;
	if (strncmp(text, "<?xml", 5) == 0 && strchr(text, '\n'))
		text = strchr(text, '\n') + 1;
	p->domain_xml = strdup(text);
	xmlFree(out);
	return p->domain_xml ? 0 : -ENOMEM;
}

/* An x86 guest whose physical address space ends above some member's IOMMU
 * input width gets its 64-bit PCI window (at the top, where the firmware
 * puts it) where that IOMMU cannot map: the most bits every member's IOMMU
 * and CPU allow, when the guest's map needs no more; 0 when nothing to fix. */
static int fitting_phys_bits(const MmDomain *d, const MmHostMap *const *hosts, size_t n,
			     unsigned *ret, bool *ret_hpb)
{
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError ignored = { 0 };
	unsigned fit = 0;
	bool above = false;
	*ret = 0;
	*ret_hpb = false;
	if (!streq_ptr(d->arch, "x86_64"))
		return 0;
	/* a domain QEMU cannot lay out: the check below says why */
	int r = mm_layout_compute(d, &l, &ignored);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	*ret_hpb = l->host_phys_bits;
	for (size_t i = 0; i < n; i++) {
		unsigned iommu = hosts[i]->iommu_bits, cpu = hosts[i]->phys_bits;
		unsigned g = mm_check_guest_phys_bits(l, d, hosts[i]);
		if (iommu == MM_BITS_UNKNOWN)
			continue;
		above = above || g > iommu;
		unsigned most = cpu != MM_BITS_UNKNOWN && cpu < iommu ? cpu : iommu;
		if (fit == 0 || most < fit)
			fit = most;
	}
	*ret = above && fit >= l->phys_bits ? fit : 0;
	return 0;
}

static int write_phys_bits_only(const char *xml, size_t len, const char *file, MmPlan *p,
				MmError *err)
{
	_cleanup_(mm_xml_doc_freep) xmlDocPtr doc = NULL;
	int r = mm_xml_read_opts(xml, len, file, XML_PARSE_NOBLANKS, &doc, err);
	if (r < 0)
		return r;
	if ((r = write_maxphysaddr(xmlDocGetRootElement(doc), p->phys_bits, p->phys_bits_limit)) <
	    0)
		return r;
	xmlChar *out = NULL;
	int out_len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &out, &out_len, "UTF-8", 1);
	if (!out)
		return -ENOMEM;
	const char *text = (const char *)out;
	if (strncmp(text, "<?xml", 5) == 0 && strchr(text, '\n'))
		text = strchr(text, '\n') + 1;
	p->domain_xml = strdup(text);
	xmlFree(out);
	return p->domain_xml ? 0 : -ENOMEM;
}

/* ---- the plan ---- */

static int no_plan(MmError *err, const char *fmt, ...) _printf_(2, 3);
static int no_plan(MmError *err, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(err->message)];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mm_error_set(err, NULL, 0, "no valid plan: %s", msg);
	return -ENOSPC;
}

static int first_error(const MmCheckReport *r, MmError *err)
{
	for (size_t i = 0; i < r->n_conflicts; i++)
		if (r->conflicts[i].severity == MM_SEVERITY_ERROR)
			return no_plan(err, "%s", r->conflicts[i].message);
	return 0;
}

int mm_plan_domain(const char *domain_xml, size_t len, const char *filename,
		   const MmHostMap *const *hosts, size_t n, MmPlan **ret, MmError *err)
{
	return mm_plan_domain_qemu(domain_xml, len, filename, 0, hosts, n, ret, err);
}

int mm_plan_domain_qemu(const char *domain_xml, size_t len, const char *filename,
			unsigned long qemu_version, const MmHostMap *const *hosts, size_t n,
			MmPlan **ret, MmError *err)
{
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	_cleanup_(mm_poolmap_freep) MmPoolMap *pool = NULL;
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	_cleanup_(mm_layout_freep) MmGuestLayout *whole = NULL;
	_cleanup_(mm_plan_freep) MmPlan *p = NULL;
	char a[19];
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((r = mm_domain_parse_xml(domain_xml, len, filename, &d, err)) < 0 ||
	    (r = mm_pool_baseline("plan", hosts, n, &pool, err)) < 0)
		return r;
	if (qemu_version)
		d->qemu_version = qemu_version;
	if (!d->kvm_ipa_bits)
		d->kvm_ipa_bits = mm_check_kvm_ipa_bits(hosts, n);
	/* the guest's address width first: it decides where the firmware
	 * puts the 64-bit window, whatever the memory plan */
	unsigned fit_bits;
	bool hpb;
	char mpa[64];
	if ((r = fitting_phys_bits(d, hosts, n, &fit_bits, &hpb)) < 0)
		return r;
	if (fit_bits) {
		free(d->maxphysaddr_mode);
		if (!(d->maxphysaddr_mode = strdup(hpb ? "passthrough" : "emulate")))
			return -ENOMEM;
		d->maxphysaddr_bits = hpb ? 0 : fit_bits;
		d->maxphysaddr_limit = hpb ? fit_bits : 0;
	}
	if ((r = mm_check_domain(d, hosts, n, &report, err)) < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->total_memory = d->memory;
	if (report->ok && fit_bits) {
		p->changed = true;
		p->initial_memory = d->memory;
		for (size_t i = 0; i < d->n_memory_devices; i++)
			p->initial_memory -= d->memory_devices[i].size;
		p->max_memory = d->max_memory;
		p->slots = d->max_memory_slots;
		p->phys_bits = fit_bits;
		p->phys_bits_limit = hpb;
		if ((r = write_phys_bits_only(domain_xml, len, filename, p, err)) < 0)
			return r;
		if (add_note(p,
			     "set %s: the firmware puts the 64-bit PCI window at the top of the "
			     "guest's physical address space, which must stay within every "
			     "member's IOMMU input width",
			     maxphysaddr_text(hpb, fit_bits, mpa, sizeof(mpa))) < 0)
			return -ENOMEM;
		*ret = TAKE_PTR(p);
		return 0;
	}
	if (report->ok) {
		p->initial_memory = d->memory;
		for (size_t i = 0; i < d->n_memory_devices; i++)
			p->initial_memory -= d->memory_devices[i].size;
		p->max_memory = d->max_memory;
		p->slots = d->max_memory_slots;
		if (!(p->domain_xml = strndup(domain_xml, len)) ||
		    add_note(p, "the domain already fits every host of the pool") < 0)
			return -ENOMEM;
		*ret = TAKE_PTR(p);
		return 0;
	}
	p->changed = true;
	for (size_t i = 0; i < d->n_memory_devices; i++)
		if (d->memory_devices[i].model != MM_MEMDEV_DIMM)
			return no_plan(err, "the domain has a memory device other than a DIMM "
					    "(nvdimm, virtio-mem): place it by hand");
	if (d->n_numa_cells > 1)
		return no_plan(err, "the domain has %zu NUMA cells; plan handles one",
			       d->n_numa_cells);

	/* all of the memory as initial RAM: where does it first run into something? */
	Candidate all;
	candidate_init(&all, d, d->memory, d->memory, 0, 0);
	if ((r = mm_layout_compute(&all.d, &whole, err)) < 0)
		return r;
	/* RAM and DIMMs keep clear of every member's PCI host bridge windows
	 * too, where that leaves room (legacy ranges below 1 MiB aside) */
	_cleanup_(mm_rangeset_clear) MmRangeSet windows = { 0 };
	_cleanup_(mm_rangeset_clear) MmRangeSet usable = { 0 };
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < hosts[i]->pci_windows.n; k++)
			if (hosts[i]->pci_windows.spans[k].end >= MIB &&
			    mm_rangeset_add(&windows, hosts[i]->pci_windows.spans[k].start,
					    hosts[i]->pci_windows.spans[k].end, (uint32_t)i) < 0)
				return -ENOMEM;
	if (mm_rangeset_subtract(&usable, &pool->usable, &windows) < 0)
		return -ENOMEM;
	uint64_t obstacle = UINT64_MAX;
	uint64_t initial =
		ram_before_obstacle(whole, pool, &windows, &obstacle) / GRANULE * GRANULE;
	if (initial == 0) {
		obstacle = UINT64_MAX;
		initial = ram_before_obstacle(whole, pool, NULL, &obstacle) / GRANULE * GRANULE;
	}
	if (initial > d->memory)
		initial = d->memory;
	if (initial == 0)
		return no_plan(err,
			       "guest RAM starts on a forbidden range or above the limit "
			       "(%s): no initial RAM fits",
			       mm_hex(obstacle, a));

	/* where device memory starts when initial RAM is that size */
	Candidate c;
	_cleanup_(mm_layout_freep) MmGuestLayout *probe = NULL;
	candidate_init(&c, d, initial, d->memory, d->memory + GIB, 1);
	if ((r = mm_layout_compute(&c.d, &probe, err)) < 0)
		return r;
	if (probe->device_memory_size == 0)
		return no_plan(err, "machine %s has no device memory for DIMMs", probe->machine);

	uint64_t last_end = 0;
	r = place_dimms(&usable, probe->device_memory_base, d->memory - initial, &c, &last_end);
	if (r == -ENOSPC) {
		c.d.n_memory_devices = 0;
		r = place_dimms(&pool->usable, probe->device_memory_base, d->memory - initial, &c,
				&last_end);
	}
	if (r == -E2BIG)
		return no_plan(err, "the usable ranges are too scattered: more than %d DIMMs",
			       MAX_DIMMS);
	if (r < 0) {
		uint64_t placed = 0;
		for (size_t i = 0; i < c.d.n_memory_devices; i++)
			placed += c.dimms[i].size;
		return no_plan(err,
			       "%" PRIu64 " MiB of the guest's %" PRIu64 " MiB find no usable "
			       "range below the pool's %u-bit limit",
			       (d->memory - initial - placed) / MIB, d->memory / MIB,
			       pool->limit_bits ? pool->limit_bits : 64);
	}

	/* <maxMemory> large enough that device memory reaches the last DIMM;
	 * machines differ in how they size it, so grow until the layout agrees */
	uint64_t max_memory = d->memory;
	if (c.d.n_memory_devices > 0 &&
	    last_end + 1 - probe->device_memory_base > max_memory - initial)
		max_memory = initial + (last_end + 1 - probe->device_memory_base);
	if (!mm_align_up(&max_memory, GIB))
		return no_plan(err, "the memory sizes do not fit in 64 bits");
	unsigned slots = (unsigned)c.d.n_memory_devices;
	unsigned phys_bits = 0;
	for (int tries = 0;; tries++) {
		_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
		c.d.max_memory = c.d.n_memory_devices ? max_memory : 0;
		c.d.max_memory_slots = c.d.n_memory_devices ? slots : 0;
		if ((r = mm_layout_compute(&c.d, &l, err)) < 0)
			return r;
		if (dimms_inside(l, &c.d)) {
			phys_bits = l->phys_bits;
			break;
		}
		if (tries == 8)
			return no_plan(err, "machine %s: device memory does not reach the DIMMs",
				       l->machine);
		max_memory += GIB << tries;
	}

	/* QEMU gives an x86 guest with a named CPU model 40 physical address
	 * bits and refuses a map that ends above them */
	bool set_maxphysaddr = d->arch && strcmp(d->arch, "x86_64") == 0 && !hpb &&
			       !d->maxphysaddr_bits && phys_bits > X86_DEFAULT_PHYS_BITS;
	if (set_maxphysaddr) {
		if (pool->limit_bits && phys_bits > pool->limit_bits)
			return no_plan(err,
				       "the guest's map needs %u address bits; the pool has %u",
				       phys_bits, pool->limit_bits);
		c.d.maxphysaddr_bits = phys_bits;
	}

	mm_check_report_free(TAKE_PTR(report));
	if ((r = mm_check_domain(&c.d, hosts, n, &report, err)) < 0)
		return r;
	if ((r = first_error(report, err)) < 0)
		return r;

	p->initial_memory = initial;
	p->phys_bits = set_maxphysaddr ? phys_bits : fit_bits;
	p->phys_bits_limit = !set_maxphysaddr && fit_bits && hpb;
	p->max_memory = c.d.n_memory_devices ? max_memory : 0;
	p->slots = c.d.n_memory_devices ? slots : 0;
	p->n_dimms = c.d.n_memory_devices;
	p->dimms = calloc(p->n_dimms ? p->n_dimms : 1, sizeof(*p->dimms));
	if (!p->dimms)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_dimms; i++)
		p->dimms[i] = (MmPlacedDimm){ c.dimms[i].base, c.dimms[i].size, 0 };
	if (add_note(p,
		     "initial RAM %" PRIu64 " MiB ends before %s; %zu DIMM%s hold%s the other "
		     "%" PRIu64 " MiB",
		     initial / MIB, mm_hex(obstacle, a), p->n_dimms, p->n_dimms == 1 ? "" : "s",
		     p->n_dimms == 1 ? "s" : "", (d->memory - initial) / MIB) < 0)
		return -ENOMEM;
	if (d->n_numa_cells == 0 &&
	    add_note(p, "added NUMA cell 0: libvirt needs one for memory devices") < 0)
		return -ENOMEM;
	if (set_maxphysaddr &&
	    add_note(p,
		     "set <maxphysaddr mode='emulate' bits='%u'/>: the map ends above the 40 "
		     "physical address bits QEMU gives a named x86 CPU model",
		     p->phys_bits) < 0)
		return -ENOMEM;
	if (!set_maxphysaddr && fit_bits &&
	    add_note(p,
		     "set %s: the firmware puts the 64-bit PCI window at the top of the "
		     "guest's physical address space, which must stay within every member's "
		     "IOMMU input width",
		     maxphysaddr_text(hpb, fit_bits, mpa, sizeof(mpa))) < 0)
		return -ENOMEM;
	if ((r = write_domain(domain_xml, len, filename, d, p, err)) < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

int mm_plan_format_json(const MmPlan *p, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	json_object *dimms = NULL, *notes = NULL;
	if (!o || mm_json_add(o, "changed", json_object_new_boolean(p->changed)) < 0 ||
	    mm_json_add(o, "memory", mm_json_hex(p->total_memory)) < 0 ||
	    mm_json_add(o, "initialMemory", mm_json_hex(p->initial_memory)) < 0 ||
	    (p->max_memory ? mm_json_add(o, "maxMemory", mm_json_hex(p->max_memory))
			   : mm_json_add_null(o, "maxMemory")) < 0 ||
	    mm_json_add(o, "slots", json_object_new_int((int)p->slots)) < 0 ||
	    !(dimms = json_object_new_array()) || mm_json_add(o, "dimms", dimms) < 0 ||
	    !(notes = json_object_new_array()) || mm_json_add(o, "notes", notes) < 0 ||
	    mm_json_add(o, "domain", json_object_new_string(p->domain_xml)) < 0 ||
	    mm_json_add_string_or_null(o, "defined", p->defined) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_dimms; i++) {
		json_object *dimm = json_object_new_object();
		if (!dimm || mm_json_add(dimm, "base", mm_json_hex(p->dimms[i].base)) < 0 ||
		    mm_json_add(dimm, "size", mm_json_hex(p->dimms[i].size)) < 0 ||
		    mm_json_add(dimm, "node", json_object_new_int(p->dimms[i].node)) < 0 ||
		    json_object_array_add(dimms, dimm) < 0) {
			json_object_put(dimm);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < p->n_notes; i++) {
		json_object *s = json_object_new_string(p->notes[i]);
		if (!s || json_object_array_add(notes, s) < 0) {
			json_object_put(s);
			return -ENOMEM;
		}
	}
	return mm_json_to_string(o, ret);
}
