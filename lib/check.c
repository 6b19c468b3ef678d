/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: a guest layout against a host or a pool (docs/design.md §7). Every guest
 * region a device may DMA to (RAM, device memory) must stay clear of every
 * forbidden range and below the pool's address limit: meeting one is an
 * error, except direct-relaxable ranges, which VFIO leaves out of its IOVA
 * exclusions (a warning). Guest PCI windows meeting a forbidden range break
 * peer-to-peer DMA only: a warning. A guest with a virtio-iommu learns the
 * reserved ranges of the host it boots on alone: every range not on every
 * member is a warning. Guest RAM over a host's PCI host bridge window (from
 * /proc/iomem: current kernels do not list those as reserved) is a warning
 * too, since DMA there may be routed peer-to-peer before the IOMMU. Also
 * what a guarded domain is checked against, and its first error. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "domain.h"
#include "error.h"
#include "hostmap.h"
#include "layout.h"
#include "macros.h"
#include "pool.h"
#include "rangeset.h"
#include "strv.h"
#include "util.h"

static const char *const severities[] = {
	[MM_SEVERITY_WARNING] = "warning",
	[MM_SEVERITY_ERROR] = "error",
};

MM_ENUM_STRINGS(mm_severity, MmSeverity, severities)

static void conflict_clear(MmConflict *c)
{
	free(c->guest_kind);
	free(c->type);
	mm_strv_free(c->hosts, c->n_hosts);
	for (size_t i = 0; i < c->n_devices; i++) {
		free(c->devices[i].host);
		free(c->devices[i].bdf);
	}
	free(c->devices);
	free(c->message);
}

void mm_check_report_free(MmCheckReport *r)
{
	if (!r)
		return;
	free(r->machine);
	for (size_t i = 0; i < r->n_conflicts; i++)
		conflict_clear(&r->conflicts[i]);
	free(r->conflicts);
	mm_strv_free(r->warnings, r->n_warnings);
	free(r);
}

static int add_warning(MmCheckReport *r, const char *w)
{
	return mm_strv_appendf(&r->warnings, &r->n_warnings, "%s", w);
}

/* How people call a guest region in one line. */
static const char *region_label(const char *kind)
{
	static const struct {
		const char *kind, *label;
	} labels[] = {
		{ "ram", "RAM" },
		{ "ram-below-4g", "RAM" },
		{ "ram-above-4g", "RAM" },
		{ "device-memory", "device memory" },
		{ "pvtime", "KVM stolen-time RAM" },
		{ "pcie-mmio", "PCI MMIO window" },
		{ "pcie-mmio-high", "64-bit PCI MMIO window" },
		{ "pcie-ecam", "PCI ECAM" },
		{ "pcie-pio", "PCI I/O window" },
		{ "virtio-iommu", "virtio-iommu" },
		{ "dimm", "DIMM" },
	};
	for (size_t i = 0; i < ELEMENTSOF(labels); i++)
		if (strcmp(kind, labels[i].kind) == 0)
			return labels[i].label;
	return kind;
}

/* The devices on pool member `host` whose groups hold a reserved range of
 * `type` meeting [start, end]. */
static int collect_devices(MmConflict *c, const MmHostMap *h, const char *type, uint64_t start,
			   uint64_t end)
{
	for (size_t i = 0; i < h->n_reserved; i++) {
		const MmReserved *res = &h->reserved[i];
		if (strcmp(res->type, type) != 0 || res->end < start || res->start > end)
			continue;
		for (size_t j = 0; j < res->groups.n; j++) {
			const MmGroup *g = mm_hostmap_find_group(h, res->groups.ids[j]);
			size_t n_dev = g && g->n_devices ? g->n_devices : 1;
			for (size_t k = 0; k < n_dev; k++) {
				MmConflictDevice *v =
					realloc(c->devices, (c->n_devices + 1) * sizeof(*v));
				if (!v)
					return -ENOMEM;
				c->devices = v;
				MmConflictDevice *d = &v[c->n_devices];
				d->host = strdup(h->name);
				d->group = res->groups.ids[j];
				d->bdf = g && g->n_devices ? strdup(g->devices[k].bdf) : NULL;
				c->n_devices++;
				if (!d->host || (g && g->n_devices && !d->bdf))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/* " on host b (group 3, 0000:03:00.0)", " on hosts a, b (a group 0, …; b group 2, …)" */
static void describe_where(const MmConflict *c, char *buf, size_t size)
{
	const size_t most = 4; /* devices named before "N more" */
	size_t used = (size_t)snprintf(buf, size, " on host%s ", c->n_hosts == 1 ? "" : "s");
	for (size_t i = 0; i < c->n_hosts && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
					 c->hosts[i]);
	if (c->n_devices == 0 || used >= size)
		return;
	used += (size_t)snprintf(buf + used, size - used, " (");
	for (size_t i = 0; i < c->n_devices && i < most && used < size; i++) {
		const MmConflictDevice *d = &c->devices[i];
		bool same = i > 0 && d->group == c->devices[i - 1].group &&
			    strcmp(d->host, c->devices[i - 1].host) == 0;
		if (!same)
			used += (size_t)snprintf(buf + used, size - used, "%s%s%sgroup %" PRIu32,
						 i ? "; " : "", c->n_hosts > 1 ? d->host : "",
						 c->n_hosts > 1 ? " " : "", d->group);
		if (d->bdf && used < size)
			used += (size_t)snprintf(buf + used, size - used, ", %s", d->bdf);
	}
	if (used < size && c->n_devices > most)
		used += (size_t)snprintf(buf + used, size - used, "; %zu more",
					 c->n_devices - most);
	if (used < size)
		snprintf(buf + used, size - used, ")");
}

static int set_message(MmConflict *c, const char *fmt, ...) _printf_(2, 3);
static int set_message(MmConflict *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&c->message, fmt, ap);
	va_end(ap);
	if (r < 0) {
		c->message = NULL;
		return -ENOMEM;
	}
	return 0;
}

static MmConflict *new_conflict(MmCheckReport *r, MmSeverity sev, const MmGuestRegion *g,
				const char *type, uint64_t start, uint64_t end)
{
	MmConflict *v = realloc(r->conflicts, (r->n_conflicts + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->conflicts = v;
	MmConflict *c = &v[r->n_conflicts];
	memset(c, 0, sizeof(*c));
	c->severity = sev;
	c->guest_kind = strdup(g->kind);
	c->guest_start = g->start;
	c->guest_end = g->end;
	c->start = start;
	c->end = end;
	c->type = strdup(type);
	r->n_conflicts++;
	if (!c->type || !c->guest_kind)
		return NULL;
	if (sev == MM_SEVERITY_ERROR)
		r->ok = false;
	return c;
}

static int add_hosts(MmConflict *c, const MmPoolMap *p, const MmIdSet *ids)
{
	c->hosts = calloc(ids->n ? ids->n : 1, sizeof(char *));
	if (!c->hosts)
		return -ENOMEM;
	for (size_t i = 0; i < ids->n; i++) {
		c->hosts[i] = strdup(p->members[ids->ids[i]].name);
		if (!c->hosts[i])
			return -ENOMEM;
		c->n_hosts++;
	}
	return 0;
}

/* The host map of pool member i. The check sorts its inputs by name once
 * (by_member), the order the pool's members have, so this is an index. */
static const MmHostMap *member_map(const MmPoolMap *p, uint32_t i,
				   const MmHostMap *const *by_member, size_t n)
{
	return i < n && strcmp(by_member[i]->name, p->members[i].name) == 0 ? by_member[i] : NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const MmHostMap *const *)a)->name, (*(const MmHostMap *const *)b)->name);
}

/* Below 1 MiB lie the PC's legacy ranges (the VGA window 0xa0000-0xbffff
 * every x86 host lists as a PCI window, option ROMs): the guest's own
 * legacy area covers them on every machine, no plan can move them, and no
 * device DMAs there, so they raise no warning (errors stay). */
#define LEGACY_END (UINT64_C(1) << 20)

/* How a region meeting a forbidden range is judged. */
typedef enum Use {
	USE_DMA,     /* RAM, device memory, a placed DIMM: devices DMA there */
	USE_P2P,     /* a guest PCI window: peer-to-peer DMA only */
	USE_HOTPLUG, /* device memory around DIMMs placed by hand: only a DIMM
		      * plugged later without a base could land there */
} Use;

static int check_forbidden(MmCheckReport *r, const MmPoolMap *p, const MmGuestRegion *g, Use use,
			   const MmForbidden *f, const MmHostMap *const *hosts, size_t n)
{
	bool relaxable = mm_reserved_kind_of(f->type) == MM_RESERVED_DIRECT_RELAXABLE;
	MmSeverity sev = use == USE_DMA && !relaxable ? MM_SEVERITY_ERROR : MM_SEVERITY_WARNING;
	if (sev == MM_SEVERITY_WARNING && f->end < LEGACY_END)
		return 0;
	uint64_t lo = g->start > f->start ? g->start : f->start;
	uint64_t hi = g->end < f->end ? g->end : f->end;
	char where[512], a[19], b[19], c1[19], c2[19];

	MmConflict *c = new_conflict(r, sev, g, f->type, f->start, f->end);
	if (!c || add_hosts(c, p, &f->hosts) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < f->hosts.n; i++) {
		const MmHostMap *h = member_map(p, f->hosts.ids[i], hosts, n);
		if (h && collect_devices(c, h, f->type, lo, hi) < 0)
			return -ENOMEM;
	}
	describe_where(c, where, sizeof(where));
	const char *why = use == USE_P2P       ? " (peer-to-peer DMA to it fails)"
			  : use == USE_HOTPLUG ? " (a DIMM hotplugged there without a base would "
						 "fail DMA)"
			  : relaxable          ? " (relaxable: VFIO does not exclude it)"
					       : "";
	return set_message(c, "guest %s %s-%s meets %s %s-%s%s%s", region_label(g->kind),
			   mm_hex(g->start, a), mm_hex(g->end, b), f->type, mm_hex(f->start, c1),
			   mm_hex(f->end, c2), where, why);
}

static int check_limit(MmCheckReport *r, const MmPoolMap *p, const MmGuestRegion *g)
{
	uint64_t top = p->limit_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << p->limit_bits) - 1;
	char where[512], a[19], b[19], t[19];
	if (g->end <= top)
		return 0;
	MmConflict *c = new_conflict(r, MM_SEVERITY_ERROR, g, "limit", top + 1, UINT64_MAX);
	if (!c || add_hosts(c, p, &p->limit_hosts) < 0)
		return -ENOMEM;
	describe_where(c, where, sizeof(where));
	return set_message(c, "guest %s %s-%s ends above the %u-bit address limit (%s)%s",
			   region_label(g->kind), mm_hex(g->start, a), mm_hex(g->end, b),
			   p->limit_bits, mm_hex(top, t), where);
}

static int check_viommu(MmCheckReport *r, const MmPoolMap *p, const MmHostMap *const *hosts,
			size_t n)
{
	for (size_t i = 0; i < p->n_forbidden; i++) {
		const MmForbidden *f = &p->forbidden[i];
		if (f->hosts.n == p->n_members)
			continue; /* every boot host tells the guest about it */
		MmGuestRegion g = { "virtio-iommu", MM_REGION_MMIO, f->start, f->end, -1 };
		char where[512], a[19], b[19];
		MmConflict *c = new_conflict(r, MM_SEVERITY_WARNING, &g, f->type, f->start, f->end);
		if (!c || add_hosts(c, p, &f->hosts) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < f->hosts.n; k++) {
			const MmHostMap *h = member_map(p, f->hosts.ids[k], hosts, n);
			if (h && collect_devices(c, h, f->type, f->start, f->end) < 0)
				return -ENOMEM;
		}
		describe_where(c, where, sizeof(where));
		int ret = set_message(c,
				      "guest virtio-iommu is not told of %s %s-%s when booted on a "
				      "host without it: its devices would fault%s",
				      f->type, mm_hex(f->start, a), mm_hex(f->end, b), where);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int check_host_windows(MmCheckReport *r, const MmPoolMap *p, const MmGuestRegion *g,
			      const MmHostMap *const *hosts, size_t n)
{
	for (uint32_t i = 0; i < p->n_members; i++) {
		const MmHostMap *h = member_map(p, i, hosts, n);
		for (size_t k = 0; h && k < h->pci_windows.n; k++) {
			const MmSpan *w = &h->pci_windows.spans[k];
			char where[512], a[19], b[19], c1[19], c2[19];
			if (w->end < g->start || w->start > g->end || w->end < LEGACY_END)
				continue;
			MmConflict *c = new_conflict(r, MM_SEVERITY_WARNING, g, "pci-window",
						     w->start, w->end);
			MmIdSet one = { &i, 1 };
			if (!c || add_hosts(c, p, &one) < 0)
				return -ENOMEM;
			describe_where(c, where, sizeof(where));
			int ret = set_message(
				c,
				"guest %s %s-%s meets the PCI host bridge window %s-%s%s "
				"(DMA there may go peer-to-peer)",
				region_label(g->kind), mm_hex(g->start, a), mm_hex(g->end, b),
				mm_hex(w->start, c1), mm_hex(w->end, c2), where);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Where the smallest IOMMU input width of h was read. */
static const char *iommu_source(const MmHostMap *h)
{
	for (size_t i = 0; i < h->n_limits; i++)
		if (h->limits[i].kind == MM_LIMIT_IOMMU && h->limits[i].bits == h->iommu_bits)
			return h->limits[i].source;
	return "IOMMU";
}

/* The physical address bits an x86 guest sees on host h (docs/design.md
 * §7): <maxphysaddr mode='emulate' bits>; host-passthrough, mode=
 * 'passthrough' and Ubuntu's -hpb machine types take the host's (QEMU
 * host-phys-bits; every RHEL x86 type too, at most 48 bits), capped by
 * limit, and on those machine types emulate's bits are ignored; a named
 * model has QEMU's default 40
 * (target/i386/cpu.h TCG_PHYS_ADDR_BITS, also used under KVM without
 * host-phys-bits). 0 when unknown. */
unsigned mm_check_guest_phys_bits(const MmGuestLayout *l, const MmDomain *d, const MmHostMap *h)
{
	bool host = l->host_phys_bits || streq_ptr(d->cpu_mode, "host-passthrough") ||
		    streq_ptr(d->cpu_mode, "maximum") ||
		    streq_ptr(d->maxphysaddr_mode, "passthrough");
	bool passthrough = streq_ptr(d->maxphysaddr_mode, "passthrough");
	/* libvirt's mode='emulate' sets phys-bits=N, which QEMU ignores while
	 * the machine type keeps host-phys-bits on (host_cpu_adjust_phys_bits);
	 * without bits it sets host-phys-bits=off, leaving QEMU's 40 */
	if (d->maxphysaddr_bits && !passthrough && !l->host_phys_bits)
		return d->maxphysaddr_bits;
	if (streq_ptr(d->maxphysaddr_mode, "emulate") && !d->maxphysaddr_bits)
		return 40;
	if (!host)
		return 40;
	unsigned bits = h->phys_bits;
	if (bits && d->maxphysaddr_limit && d->maxphysaddr_limit < bits)
		bits = d->maxphysaddr_limit;
	if (bits && l->host_phys_bits_limit && l->host_phys_bits_limit < bits)
		bits = l->host_phys_bits_limit;
	return bits;
}

static int width_conflict(MmCheckReport *r, const MmPoolMap *p, uint32_t member, MmSeverity sev,
			  const char *kind, uint64_t start, uint64_t end, unsigned bits,
			  const char *fmt, ...) _printf_(9, 10);
static int width_conflict(MmCheckReport *r, const MmPoolMap *p, uint32_t member, MmSeverity sev,
			  const char *kind, uint64_t start, uint64_t end, unsigned bits,
			  const char *fmt, ...)
{
	MmGuestRegion g = { kind, MM_REGION_DMA, start, end, -1 };
	MmIdSet one = { &member, 1 };
	uint64_t top = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	MmConflict *c = new_conflict(r, sev, &g, "iommu-width", top < UINT64_MAX ? top + 1 : top,
				     UINT64_MAX);
	if (!c || add_hosts(c, p, &one) < 0)
		return -ENOMEM;
	va_list ap;
	va_start(ap, fmt);
	int ret = vasprintf(&c->message, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		c->message = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* What the firmware and the vIOMMU put above a member's IOMMU input width
 * (docs/design.md §7): a RAM-backed BAR (<shmem>) in the 64-bit PCI window
 * is an error, the window alone a warning (peer-to-peer); a vIOMMU wider
 * than the host's IOMMU makes QEMU refuse the assigned devices. */
static int check_widths(MmCheckReport *r, const MmPoolMap *p, const MmGuestLayout *l,
			const MmDomain *d, const MmHostMap *const *hosts, size_t n)
{
	const MmGuestRegion *high = NULL;
	bool x86 = streq_ptr(l->arch, "x86_64");
	int ret;
	for (size_t i = 0; i < l->n_regions; i++)
		if (strstr(l->regions[i].kind, "mmio-high"))
			high = &l->regions[i];
	for (uint32_t i = 0; i < p->n_members; i++) {
		const MmHostMap *h = member_map(p, i, hosts, n);
		if (!h || h->iommu_bits == MM_BITS_UNKNOWN)
			continue;
		unsigned iommu = h->iommu_bits;
		uint64_t iommu_top = iommu >= 64 ? UINT64_MAX : (UINT64_C(1) << iommu) - 1;
		const char *src = iommu_source(h);
		char a[19], b[19];

		/* x86: SeaBIOS (1.16.3 and later) and OVMF put the 64-bit window at
		 * the top of the guest's physical address space; aarch64 virt:
		 * QEMU fixes it (pcie-mmio-high) */
		uint64_t w_start = 0, w_end = 0;
		unsigned gbits = 0;
		if (x86) {
			gbits = mm_check_guest_phys_bits(l, d, h);
			if (gbits > 32 && gbits < 64) {
				w_end = (UINT64_C(1) << gbits) - 1;
				w_start = high ? w_end - (high->end - high->start) : w_end;
			}
		} else if (high) {
			w_start = high->start;
			w_end = high->end;
		}
		if (w_end > iommu_top) {
			char guest[96];
			if (x86)
				snprintf(guest, sizeof(guest),
					 "at the top of the guest's %u physical address bits",
					 gbits);
			else
				snprintf(guest, sizeof(guest), "%s-%s", mm_hex(w_start, a),
					 mm_hex(w_end, b));
			for (size_t k = 0; k < d->n_shmems; k++) {
				ret = width_conflict(
					r, p, i, MM_SEVERITY_ERROR, "shmem", w_start, w_end, iommu,
					"guest <shmem%s%s%s> is a RAM-backed BAR in the 64-bit PCI "
					"window %s, above the %u-bit IOMMU input width of host %s "
					"(%s): DMA to it fails",
					d->shmems[k].name ? " name='" : "",
					d->shmems[k].name ? d->shmems[k].name : "",
					d->shmems[k].name ? "'" : "", guest, iommu, h->name, src);
				if (ret < 0)
					return ret;
			}
			if (d->n_pci_hostdevs > 0 &&
			    (ret = width_conflict(
				     r, p, i, MM_SEVERITY_WARNING,
				     x86 ? "pcie-mmio-high" : high->kind, w_start, w_end, iommu,
				     "guest 64-bit PCI window %s lies above the %u-bit "
				     "IOMMU input width of host %s (%s) (peer-to-peer "
				     "DMA to it fails)",
				     guest, iommu, h->name, src)) < 0)
				return ret;
		}
		if (l->viommu_bits > iommu && d->n_pci_hostdevs > 0 &&
		    (ret = width_conflict(
			     r, p, i, MM_SEVERITY_ERROR, "viommu", 0,
			     l->viommu_bits >= 64 ? UINT64_MAX
						  : (UINT64_C(1) << l->viommu_bits) - 1,
			     iommu,
			     "guest %s vIOMMU address width %u bits exceeds the %u-bit "
			     "IOMMU input width of host %s (%s): QEMU refuses the "
			     "assigned devices",
			     d->iommu_model, l->viommu_bits, iommu, h->name, src)) < 0)
			return ret;
	}
	return 0;
}

/* "6.12.9-amd64" → 6012; 0 when unreadable. */
static unsigned kernel_version(const char *release)
{
	unsigned major = 0, minor = 0;
	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major * 1000 + minor;
}

/* Whether h's kernel refuses to hand a device whose group has a `direct`
 * (not relaxable) reserved region to VFIO/iommufd: every IOMMU driver from
 * Linux 6.6 on (commit "iommu: Prevent RESV_DIRECT devices from blocking
 * domains", lore 20230724060352.113458-2-baolu.lu@linux.intel.com), and
 * intel-iommu since 3.17 (commit "iommu/vt-d: Exclude devices using RMRRs
 * from IOMMU API domains"). An unknown kernel is assumed recent. *why says
 * which. */
static bool refuses_direct(const MmHostMap *h, const char **why)
{
	unsigned v = kernel_version(h->kernel);
	bool amd = false;
	for (size_t i = 0; i < h->n_limits; i++)
		amd = amd || strstr(h->limits[i].source, "ivhd");
	if (v == 0) {
		*why = "its kernel version is unknown: Linux 6.6 and later refuse such devices";
		return true;
	}
	if (v >= 6006) {
		*why = "Linux 6.6 and later refuse such devices";
		return true;
	}
	if (streq_ptr(h->arch, "x86_64") && !amd) {
		*why = "intel-iommu refuses such devices";
		return true;
	}
	return false;
}

/* A device the domain assigns (<hostdev> address = a BDF of member h) whose
 * IOMMU group has a `direct` reserved range, on a kernel that refuses it:
 * the device cannot be assigned at all (docs/design.md §7). */
static int check_assignable(MmCheckReport *r, const MmPoolMap *p, const MmDomain *d,
			    const MmHostMap *const *hosts, size_t n)
{
	for (uint32_t i = 0; i < p->n_members; i++) {
		const MmHostMap *h = member_map(p, i, hosts, n);
		const char *why = NULL;
		if (!h || !refuses_direct(h, &why))
			continue;
		for (size_t b = 0; b < d->n_pci_hostdev_bdfs; b++) {
			const char *bdf = d->pci_hostdev_bdfs[b];
			const MmGroup *group = NULL;
			for (size_t g = 0; g < h->n_groups && !group; g++)
				for (size_t k = 0; k < h->groups[g].n_devices; k++)
					if (strcmp(h->groups[g].devices[k].bdf, bdf) == 0)
						group = &h->groups[g];
			for (size_t k = 0; group && k < h->n_reserved; k++) {
				const MmReserved *res = &h->reserved[k];
				char a[19], e[19];
				if (mm_reserved_kind_of(res->type) != MM_RESERVED_DIRECT ||
				    !mm_idset_contains(&res->groups, group->id))
					continue;
				MmGuestRegion gr = { "hostdev", MM_REGION_DMA, res->start, res->end,
						     -1 };
				MmIdSet one = { &i, 1 };
				MmConflict *c = new_conflict(r, MM_SEVERITY_ERROR, &gr, res->type,
							     res->start, res->end);
				if (!c || add_hosts(c, p, &one) < 0)
					return -ENOMEM;
				c->devices = calloc(1, sizeof(*c->devices));
				if (!c->devices)
					return -ENOMEM;
				c->n_devices = 1;
				c->devices[0].group = group->id;
				if (!(c->devices[0].host = strdup(h->name)) ||
				    !(c->devices[0].bdf = strdup(bdf)))
					return -ENOMEM;
				int ret =
					set_message(c,
						    "%s cannot be assigned on host %s: firmware "
						    "direct-maps %s-%s in its IOMMU group %" PRIu32
						    " (%s)",
						    bdf, h->name, mm_hex(res->start, a),
						    mm_hex(res->end, e), group->id, why);
				if (ret < 0)
					return ret;
			}
		}
	}
	return 0;
}

static int conflict_cmp(const void *x, const void *y)
{
	const MmConflict *a = x, *b = y;
	if (a->severity != b->severity)
		return a->severity == MM_SEVERITY_ERROR ? -1 : 1;
	if (a->guest_start != b->guest_start)
		return a->guest_start < b->guest_start ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->type, b->type);
}

int mm_check_layout(const MmGuestLayout *l, const MmDomain *d, const MmHostMap *const *hosts,
		    size_t n, MmCheckReport **ret, MmError *err)
{
	_cleanup_(mm_poolmap_freep) MmPoolMap *pool = NULL;
	_cleanup_(mm_check_report_freep) MmCheckReport *r = NULL;
	_cleanup_free_ MmGuestRegion *regions = NULL;
	int ret_code;

	if (err)
		memset(err, 0, sizeof(*err));
	ret_code = mm_pool_baseline("check", hosts, n, &pool, err);
	if (ret_code < 0)
		return ret_code;
	/* the baseline refused unnamed and duplicate hosts: sorting by name
	 * gives the pool's member order */
	_cleanup_free_ const MmHostMap **by_member = malloc(n * sizeof(*by_member));
	if (!by_member)
		goto oom;
	memcpy(by_member, hosts, n * sizeof(*by_member));
	qsort(by_member, n, sizeof(*by_member), by_name);
	hosts = by_member;
	if (l->arch && pool->members[0].arch && strcmp(l->arch, pool->members[0].arch) != 0) {
		mm_error_set(err, NULL, 0, "the guest is %s but host %s is %s", l->arch,
			     pool->members[0].name, pool->members[0].arch);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r || (l->machine && !(r->machine = strdup(l->machine))))
		goto oom;
	r->ok = true;
	for (size_t i = 0; i < l->n_warnings; i++)
		if (add_warning(r, l->warnings[i]) < 0)
			goto oom;
	for (size_t i = 0; i < pool->n_warnings; i++)
		if (add_warning(r, pool->warnings[i]) < 0)
			goto oom;

	/* With every memory device at an explicit base, the DIMMs are what
	 * devices DMA to; the rest of the hotplug area is only a warning. */
	bool placed = d && d->n_memory_devices > 0;
	for (size_t i = 0; placed && i < d->n_memory_devices; i++)
		placed = d->memory_devices[i].has_base;
	size_t n_regions = l->n_regions + (placed ? d->n_memory_devices : 0);
	regions = calloc(n_regions ? n_regions : 1, sizeof(*regions));
	if (!regions)
		goto oom;
	memcpy(regions, l->regions, l->n_regions * sizeof(*regions));
	for (size_t i = l->n_regions; i < n_regions; i++) {
		const MmMemoryDevice *m = &d->memory_devices[i - l->n_regions];
		if (m->size == 0 || m->base > UINT64_MAX - (m->size - 1)) {
			mm_error_set(err, NULL, 0, "a memory device at 0x%" PRIx64 " overflows",
				     m->base);
			return -ERANGE;
		}
		regions[i] = (MmGuestRegion){ "dimm", MM_REGION_DMA, m->base, m->base + m->size - 1,
					      m->node };
	}

	for (size_t i = 0; i < n_regions; i++) {
		const MmGuestRegion *g = &regions[i];
		if (g->cls == MM_REGION_MMIO)
			continue;
		Use use = g->cls == MM_REGION_PCI_WINDOW ? USE_P2P : USE_DMA;
		if (placed && strcmp(g->kind, "device-memory") == 0) {
			/* every slot taken: QEMU plugs no further DIMM (-m slots) */
			if (d->max_memory_slots <= d->n_memory_devices)
				continue;
			use = USE_HOTPLUG;
		}
		for (size_t k = 0; k < pool->n_forbidden; k++) {
			const MmForbidden *f = &pool->forbidden[k];
			if (f->end < g->start || f->start > g->end)
				continue;
			if (check_forbidden(r, pool, g, use, f, hosts, n) < 0)
				goto oom;
		}
		if (use == USE_DMA && pool->limit_bits && check_limit(r, pool, g) < 0)
			goto oom;
		if (use == USE_DMA && check_host_windows(r, pool, g, hosts, n) < 0)
			goto oom;
	}
	if (d && check_widths(r, pool, l, d, hosts, n) < 0)
		goto oom;
	if (d && check_assignable(r, pool, d, hosts, n) < 0)
		goto oom;
	if (d && d->iommu_model && strcmp(d->iommu_model, "virtio") == 0 && pool->n_members > 1 &&
	    check_viommu(r, pool, hosts, n) < 0)
		goto oom;
	if (r->n_conflicts > 1)
		qsort(r->conflicts, r->n_conflicts, sizeof(MmConflict), conflict_cmp);
	*ret = TAKE_PTR(r);
	return 0;
oom:
	mm_error_set(err, NULL, 0, "out of memory");
	return -ENOMEM;
}

unsigned mm_check_kvm_ipa_bits(const MmHostMap *const *hosts, size_t n)
{
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++)
		if (hosts[i] && hosts[i]->kvm_ipa_bits != MM_BITS_UNKNOWN &&
		    (bits == 0 || hosts[i]->kvm_ipa_bits < bits))
			bits = hosts[i]->kvm_ipa_bits;
	return bits;
}

int mm_check_domain(const MmDomain *d, const MmHostMap *const *hosts, size_t n, MmCheckReport **ret,
		    MmError *err)
{
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	/* laid out as QEMU does on the member with the smallest KVM IPA limit
	 * (a shallow copy: d's pointers stay d's) */
	MmDomain with_ipa = *d;
	if (!with_ipa.kvm_ipa_bits)
		with_ipa.kvm_ipa_bits = mm_check_kvm_ipa_bits(hosts, n);
	int r = mm_layout_compute(&with_ipa, &l, err);
	if (r < 0)
		return r;
	return mm_check_layout(l, d, hosts, n, ret, err);
}

/* ---- guarding a domain as libvirt starts, migrates in or defines it
 * (docs/design.md §12), in migmap-hook and migmapd ---- */

unsigned mm_guard_targets(const MmDomain *d)
{
	unsigned targets = 0;
	/* Only a device assigned from this host makes this host's reserved
	 * ranges matter to the guest's DMA. */
	if (d->n_pci_hostdevs > 0)
		targets |= MM_GUARD_HOST;
	if (d->pool)
		targets |= MM_GUARD_POOL;
	return targets;
}

const MmConflict *mm_check_report_first_error(const MmCheckReport *r)
{
	for (size_t i = 0; r && i < r->n_conflicts; i++)
		if (r->conflicts[i].severity == MM_SEVERITY_ERROR)
			return &r->conflicts[i];
	return NULL;
}
