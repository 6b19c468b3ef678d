/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check on fixture pools with guest layouts written out by hand: the
 * verdicts follow from the hosts' reserved_regions (see the fixtures'
 * READMEs) and docs/design.md §7's rules, region by region. */
#include <errno.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

#define GIB (1ULL << 30)

typedef struct Pool {
	MmHostMap *maps[4];
	size_t n;
} Pool;

static Pool pool_of(const char *const *hosts, const char *const *names, size_t n)
{
	Pool p = { .n = n };
	for (size_t i = 0; i < n; i++)
		p.maps[i] = tu_probe(hosts[i], names[i]);
	return p;
}

static void pool_clear(Pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		mm_hostmap_free(p->maps[i]);
}

static MmCheckReport *check(const char *arch, MmGuestRegion *regions, size_t n_regions,
			    const MmDomain *d, Pool *p)
{
	MmGuestLayout l = { .machine = (char *)"test",
			    .arch = (char *)arch,
			    .regions = regions,
			    .n_regions = n_regions };
	MmCheckReport *r = NULL;
	MmError err = { 0 };
	int ret = mm_check_layout(&l, d, (const MmHostMap *const *)p->maps, p->n, &r, &err);
	ck_assert_msg(ret == 0, "check: %s", err.message);
	return r;
}

static const MmConflict *find(const MmCheckReport *r, const char *type, uint64_t start)
{
	for (size_t i = 0; i < r->n_conflicts; i++)
		if (strcmp(r->conflicts[i].type, type) == 0 && r->conflicts[i].start == start)
			return &r->conflicts[i];
	return NULL;
}

static const char *arm_hosts[] = { "arm64-virt-smmuv3", "arm64-hwmsi", "arm64-rmr" };
static const char *arm_names[] = { "a", "b", "c" };

START_TEST(test_arm64_ram_meets_doorbell_and_rmr)
{
	Pool p = pool_of(arm_hosts, arm_names, 3);
	/* virt: RAM from 1 GiB; 4 GiB of it runs over b's ITS doorbell page and
	 * c's RMR; the 32-bit PCIe window sits below at 256 MiB */
	MmGuestRegion regions[] = {
		{ "pcie-mmio", MM_REGION_PCI_WINDOW, 0x10000000, 0x3efeffff, -1 },
		{ "ram", MM_REGION_DMA, 1 * GIB, 5 * GIB - 1, 0 },
	};
	_cleanup_(mm_check_report_freep) MmCheckReport *r = check("aarch64", regions, 2, NULL, &p);
	ck_assert(!r->ok);

	const MmConflict *msi = find(r, "msi", 0xc6010000);
	ck_assert_ptr_nonnull(msi);
	ck_assert_int_eq(msi->severity, MM_SEVERITY_ERROR);
	ck_assert_str_eq(msi->guest_kind, "ram");
	ck_assert_uint_eq(msi->n_hosts, 1);
	ck_assert_str_eq(msi->hosts[0], "b");
	/* arm64-hwmsi: only group 0 holds the first doorbell page */
	ck_assert_uint_ge(msi->n_devices, 1);
	ck_assert_uint_eq(msi->devices[0].group, 0);
	ck_assert_msg(strstr(msi->message, "guest RAM 0x40000000-0x13fffffff meets msi "
					   "0xc6010000-0xc601ffff on host b (group 0, "),
		      "%s", msi->message);

	const MmConflict *rmr = find(r, "direct", 0xfbe00000);
	ck_assert_ptr_nonnull(rmr);
	ck_assert_int_eq(rmr->severity, MM_SEVERITY_ERROR);
	ck_assert_str_eq(rmr->hosts[0], "c");
	/* the shared software window 0x8000000 lies below RAM: no conflict */
	ck_assert_ptr_null(find(r, "msi", 0x8000000));
	/* errors come first */
	ck_assert_int_eq(r->conflicts[0].severity, MM_SEVERITY_ERROR);
	pool_clear(&p);
}
END_TEST

START_TEST(test_arm64_small_guest_fits)
{
	Pool p = pool_of(arm_hosts, arm_names, 3);
	/* 2 GiB from 1 GiB ends at 0xbfffffff, below every doorbell and RMR */
	MmGuestRegion regions[] = { { "ram", MM_REGION_DMA, 1 * GIB, 3 * GIB - 1, 0 } };
	_cleanup_(mm_check_report_freep) MmCheckReport *r = check("aarch64", regions, 1, NULL, &p);
	for (size_t i = 0; i < r->n_conflicts; i++)
		ck_assert_msg(r->conflicts[i].severity == MM_SEVERITY_WARNING, "%s",
			      r->conflicts[i].message);
	ck_assert(r->ok);
	pool_clear(&p);
}
END_TEST

static MmDomain *kvm_virt(uint64_t memory)
{
	MmDomain *d = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(d);
	d->arch = strdup("aarch64");
	d->machine = strdup("virt-7.2");
	d->memory = memory;
	d->vcpus = 1;
	d->gic_version = 3;
	d->kvm = true;
	return d;
}

static const MmGuestRegion *region_of(const MmGuestLayout *l, const char *kind)
{
	for (size_t i = 0; i < l->n_regions; i++)
		if (strcmp(l->regions[i].kind, kind) == 0)
			return &l->regions[i];
	return NULL;
}

/* Under KVM QEMU lays virt out for the host's KVM IPA limit
 * (hw/arm/virt.c virt_kvm_type() -> virt_set_memmap(pa_bits)): the pool's
 * smallest. Expected maps from QEMU itself with a 40-bit CPU (TCG,
 * cortex-a53: the same virt_set_memmap with pa_bits 40), virt-7.2 and
 * 600 GiB: RAM 0x40000000 + 0x9600000000, ECAM at 0x9650000000, no
 * 64-bit PCIe window; with 1100 GiB QEMU exits ("Addressing limited to
 * 40 bits"). */
START_TEST(test_arm64_kvm_ipa_limit_of_the_pool)
{
	const char *hosts[] = { "arm64-virt-smmuv3", "arm64-virt-smmuv3" };
	Pool p = pool_of(hosts, arm_names, 2);
	const MmHostMap *const *maps = (const MmHostMap *const *)p.maps;
	ck_assert_uint_eq(mm_check_kvm_ipa_bits(maps, 2), 0);
	ck_assert_int_eq(mm_hostmap_add_limit(p.maps[0], MM_LIMIT_KVM_IPA, 44, "test"), 0);
	ck_assert_int_eq(mm_hostmap_add_limit(p.maps[1], MM_LIMIT_KVM_IPA, 40, "test"), 0);
	ck_assert_uint_eq(mm_check_kvm_ipa_bits(maps, 2), 40);

	_cleanup_(mm_domain_freep) MmDomain *d = kvm_virt(600 * GIB);
	MmError err = { 0 };
	/* no limit known: the 64-bit window at 1 TiB, and a warning */
	_cleanup_(mm_layout_freep) MmGuestLayout *free_l = NULL;
	ck_assert_int_eq(mm_layout_compute(d, &free_l, &err), 0);
	const MmGuestRegion *high = region_of(free_l, "pcie-mmio-high");
	ck_assert_ptr_nonnull(high);
	ck_assert_uint_eq(high->start, 1024 * GIB);
	ck_assert_uint_eq(free_l->n_warnings, 1);
	ck_assert(strstr(free_l->warnings[0], "KVM IPA limit is unknown"));

	/* the pool's 40 bits: no 64-bit window, the high ECAM where QEMU puts it */
	d->kvm_ipa_bits = mm_check_kvm_ipa_bits(maps, 2);
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	ck_assert_int_eq(mm_layout_compute(d, &l, &err), 0);
	ck_assert_ptr_null(region_of(l, "pcie-mmio-high"));
	const MmGuestRegion *ecam = region_of(l, "pcie-ecam");
	ck_assert_ptr_nonnull(ecam);
	ck_assert_uint_eq(ecam->start, UINT64_C(0x9650000000));
	ck_assert_uint_eq(ecam->end, UINT64_C(0x965fffffff));
	ck_assert_uint_eq(l->phys_bits, 40);

	/* mm_check_domain does the same from the maps: RAM beyond 40 bits is
	 * refused, naming the limit */
	_cleanup_(mm_domain_freep) MmDomain *big = kvm_virt(1100 * GIB);
	MmCheckReport *r = NULL;
	ck_assert_int_lt(mm_check_domain(big, maps, 2, &r, &err), 0);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err.message, "above the 40-bit IPA limit (the hosts' KVM IPA limit)"),
		      "%s", err.message);
	/* <maxphysaddr> is x86's: it neither limits nor lifts virt's map */
	big->maxphysaddr_bits = 48;
	ck_assert_int_lt(mm_check_domain(big, maps, 2, &r, &err), 0);
	d->kvm_ipa_bits = 0;
	d->maxphysaddr_bits = 40;
	_cleanup_(mm_layout_freep) MmGuestLayout *l2 = NULL;
	ck_assert_int_eq(mm_layout_compute(d, &l2, &err), 0);
	ck_assert_ptr_nonnull(region_of(l2, "pcie-mmio-high"));
	ck_assert(strstr(l2->warnings[0], "<maxphysaddr> is an x86 setting"));
	pool_clear(&p);
}
END_TEST

START_TEST(test_pci_window_is_warning)
{
	Pool p = pool_of(arm_hosts, arm_names, 3);
	/* a guest PCI window over the software MSI window: peer-to-peer only */
	MmGuestRegion regions[] = { { "pcie-mmio", MM_REGION_PCI_WINDOW, 0x8000000, 0xfffffff,
				      -1 } };
	_cleanup_(mm_check_report_freep) MmCheckReport *r = check("aarch64", regions, 1, NULL, &p);
	ck_assert(r->ok);
	const MmConflict *c = find(r, "msi", 0x8000000);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->severity, MM_SEVERITY_WARNING);
	ck_assert_uint_eq(c->n_hosts, 3);
	ck_assert(strstr(c->message, "peer-to-peer"));
	pool_clear(&p);
}
END_TEST

START_TEST(test_viommu_warns_of_ranges_not_everywhere)
{
	Pool p = pool_of(arm_hosts, arm_names, 3);
	MmDomain d = { .iommu_model = (char *)"virtio" };
	MmGuestRegion regions[] = { { "ram", MM_REGION_DMA, 1 * GIB, 2 * GIB - 1, 0 } };
	_cleanup_(mm_check_report_freep) MmCheckReport *r = check("aarch64", regions, 1, &d, &p);
	ck_assert(r->ok);
	/* b's two doorbell pages and c's RMR: on some hosts only */
	size_t viommu = 0;
	for (size_t i = 0; i < r->n_conflicts; i++)
		if (strcmp(r->conflicts[i].guest_kind, "virtio-iommu") == 0) {
			viommu++;
			ck_assert_int_eq(r->conflicts[i].severity, MM_SEVERITY_WARNING);
			ck_assert_uint_eq(r->conflicts[i].n_hosts, 1);
		}
	ck_assert_uint_eq(viommu, 3);
	pool_clear(&p);
}
END_TEST

START_TEST(test_x86_relaxable_warning_and_limit)
{
	const char *hosts[] = { "x86-q35-vtd", "x86-rmrr" };
	const char *names[] = { "vtd", "dl388p" };
	Pool p = pool_of(hosts, names, 2);
	/* q35 with 3 GiB: 2 GiB below 4 GiB, 1 GiB above */
	MmGuestRegion regions[] = {
		{ "ram-below-4g", MM_REGION_DMA, 0, 2 * GIB - 1, -1 },
		{ "pcie-mmio", MM_REGION_PCI_WINDOW, 0x80000000, 0xfebfffff, -1 },
		{ "ram-above-4g", MM_REGION_DMA, 4 * GIB, 5 * GIB - 1, -1 },
	};
	_cleanup_(mm_check_report_freep) MmCheckReport *r = check("x86_64", regions, 3, NULL, &p);
	/* dl388p's RMRRs at 0xbd… lie in the guest PCI hole, not in its RAM */
	ck_assert(r->ok);
	const MmConflict *isa = find(r, "direct-relaxable", 0);
	ck_assert_ptr_nonnull(isa);
	ck_assert_int_eq(isa->severity, MM_SEVERITY_WARNING);
	ck_assert_uint_eq(isa->n_hosts, 2);
	ck_assert_ptr_nonnull(find(r, "direct", 0xbddde000)); /* PCI window: warning */

	/* 1 TiB of RAM above 4 GiB crosses the 39-bit IOVA limit of the vtd
	 * host's VT-d (MGAW in its cap register) */
	MmGuestRegion big[] = {
		{ "ram-below-4g", MM_REGION_DMA, 0, 2 * GIB - 1, -1 },
		{ "ram-above-4g", MM_REGION_DMA, 4 * GIB, 4 * GIB + 1024 * GIB - 1, -1 },
	};
	_cleanup_(mm_check_report_freep) MmCheckReport *r2 = check("x86_64", big, 2, NULL, &p);
	ck_assert(!r2->ok);
	const MmConflict *lim = find(r2, "limit", 0x8000000000);
	ck_assert_ptr_nonnull(lim);
	ck_assert_str_eq(lim->hosts[0], "vtd");
	ck_assert(strstr(lim->message, "ends above the 39-bit address limit (0x7fffffffff)"));
	pool_clear(&p);
}
END_TEST

START_TEST(test_x86_amd_hypertransport)
{
	const char *hosts[] = { "x86-q35-amdvi" };
	const char *names[] = { "amd" };
	Pool p = pool_of(hosts, names, 1);
	/* above-4G RAM up to 1010 GiB runs into the HT hole at 1012 GiB */
	MmGuestRegion regions[] = {
		{ "ram-below-4g", MM_REGION_DMA, 0, 2 * GIB - 1, -1 },
		{ "ram-above-4g", MM_REGION_DMA, 4 * GIB, 1014 * GIB - 1, -1 },
	};
	_cleanup_(mm_check_report_freep) MmCheckReport *r = check("x86_64", regions, 2, NULL, &p);
	ck_assert(!r->ok);
	const MmConflict *ht = find(r, "reserved", 0xfd00000000);
	ck_assert_ptr_nonnull(ht);
	ck_assert_int_eq(ht->severity, MM_SEVERITY_ERROR);
	ck_assert_uint_eq(ht->n_devices, 7); /* every group of that host */

	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(mm_check_report_format_json(r, &json), 0);
	ck_assert(strstr(json, "\"ok\": false"));
	ck_assert(strstr(json, "\"type\": \"reserved\""));

	/* what a CheckDomain reply carries, read back: the same report */
	_cleanup_(mm_check_report_freep) MmCheckReport *back = NULL;
	_cleanup_free_ char *again = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_check_report_parse_json(json, strlen(json), "reply", &back, &err), 0);
	ck_assert_int_eq(back->ok, r->ok);
	ck_assert_uint_eq(back->n_conflicts, r->n_conflicts);
	const MmConflict *b = &back->conflicts[ht - r->conflicts];
	ck_assert_str_eq(b->guest_kind, "ram-above-4g");
	ck_assert_uint_eq(b->guest_start, 4 * GIB);
	ck_assert_uint_eq(b->start, 0xfd00000000);
	ck_assert_uint_eq(b->n_devices, 7);
	ck_assert_str_eq(b->devices[6].host, "amd");
	ck_assert_str_eq(b->message, ht->message);
	ck_assert_int_eq(mm_check_report_format_json(back, &again), 0);
	ck_assert_str_eq(again, json);
	pool_clear(&p);
}
END_TEST

/* Documents that are not check reports: refused, naming the source. */
static const struct {
	const char *json, *message;
} bad_reports[] = {
	{ "{\"ok\": true", "not JSON" },
	{ "{\"ok\": true, \"conflicts\": [], \"warnings\": []} x", "data after the document" },
	{ "[]", "no \"ok\", \"conflicts\" or \"warnings\"" },
	{ "{\"ok\": 1, \"conflicts\": [], \"warnings\": []}", "no \"ok\"" },
	{ "{\"ok\": true, \"conflicts\": [{}], \"warnings\": []}", "conflict 1: severity" },
	{ "{\"ok\": false, \"conflicts\": [{\"severity\": \"error\", \"guest\": {\"kind\": "
	  "\"ram\", "
	  "\"start\": \"0x0\", \"end\": \"12\"}}], \"warnings\": []}",
	  "conflict 1: no guest kind, start and end" },
	{ "{\"ok\": true, \"conflicts\": [], \"warnings\": [3]}", "a warning is not a string" },
};

START_TEST(test_report_json_bad)
{
	MmCheckReport *r = NULL;
	MmError err = { 0 };
	const char *j = bad_reports[_i].json;
	ck_assert_int_eq(mm_check_report_parse_json(j, strlen(j), "reply", &r, &err), -EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err.file, "reply");
	ck_assert_msg(strstr(err.message, bad_reports[_i].message), "'%s' lacks '%s'", err.message,
		      bad_reports[_i].message);
}
END_TEST

START_TEST(test_arch_mismatch)
{
	Pool p = pool_of(arm_hosts, arm_names, 1);
	MmGuestRegion regions[] = { { "ram-below-4g", MM_REGION_DMA, 0, GIB - 1, -1 } };
	MmGuestLayout l = { .arch = (char *)"x86_64", .regions = regions, .n_regions = 1 };
	MmCheckReport *r = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_check_layout(&l, NULL, (const MmHostMap *const *)p.maps, 1, &r, &err),
			 -EINVAL);
	ck_assert_str_eq(err.message, "the guest is x86_64 but host a is aarch64");
	ck_assert_ptr_null(r);
	pool_clear(&p);
}
END_TEST

/* A device whose IOMMU group has a `direct` RMRR cannot be handed to VFIO:
 * every IOMMU driver refuses it from Linux 6.6 on (commit "iommu: Prevent
 * RESV_DIRECT devices from blocking domains"), intel-iommu since 3.17
 * ("iommu/vt-d: Exclude devices using RMRRs from IOMMU API domains"); an
 * unknown kernel counts as recent. x86-rmrr's group 9 is 0000:02:00.0 with
 * the RMRR 0xbdf6f000-0xbdf7efff (its sysfs reserved_regions), which the
 * host map holds merged with the adjacent RMRRs of groups 8 and 10:
 * 0xbdf6e000-0xbdf84fff. */
START_TEST(test_direct_region_device_not_assignable)
{
	static const char xml[] = "<domain type='kvm'><name>rmrr</name>"
				  "<memory unit='GiB'>1</memory>"
				  "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
				  "<cpu mode='custom'><model>Skylake-Client</model></cpu>"
				  "<devices><hostdev mode='subsystem' type='pci' managed='yes'>"
				  "<source><address domain='0x0000' bus='0x02' slot='0x00' "
				  "function='0x0'/></source></hostdev></devices></domain>";
	static const struct {
		const char *kernel, *why;
	} rows[] = {
		{ NULL, "its kernel version is unknown" },
		{ "6.12.9-amd64", "Linux 6.6 and later refuse such devices" },
		{ "6.1.0-27-amd64", "intel-iommu refuses such devices" },
	};
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(xml, strlen(xml), "rmrr.xml", &d, &err), 0);
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		Pool p = { .n = 1 };
		p.maps[0] = tu_probe("x86-rmrr", "r");
		free(p.maps[0]->kernel);
		p.maps[0]->kernel = rows[i].kernel ? strdup(rows[i].kernel) : NULL;
		_cleanup_(mm_check_report_freep) MmCheckReport *r = NULL;
		ck_assert_int_eq(mm_check_domain(d, (const MmHostMap *const *)p.maps, 1, &r, &err),
				 0);
		const MmConflict *c = find(r, "direct", 0xbdf6e000);
		ck_assert_msg(c, "row %zu: no conflict", i);
		ck_assert(!r->ok);
		ck_assert_int_eq(c->severity, MM_SEVERITY_ERROR);
		ck_assert_uint_eq(c->end, 0xbdf84fff);
		ck_assert_uint_eq(c->n_devices, 1);
		ck_assert_str_eq(c->devices[0].bdf, "0000:02:00.0");
		ck_assert_str_eq(c->devices[0].host, "r");
		ck_assert_uint_eq(c->devices[0].group, 9);
		ck_assert_msg(strstr(c->message,
				     "0000:02:00.0 cannot be assigned on host r: "
				     "firmware direct-maps 0xbdf6e000-0xbdf84fff in its "
				     "IOMMU group 9") &&
				      strstr(c->message, rows[i].why),
			      "row %zu: %s", i, c->message);
		/* and the JSON names the device */
		_cleanup_free_ char *json = NULL;
		ck_assert_int_eq(mm_check_report_format_json(r, &json), 0);
		ck_assert_msg(strstr(json, "\"bdf\": \"0000:02:00.0\""), "%s", json);
		ck_assert(strstr(json, "\"group\": 9"));
		pool_clear(&p);
	}
}
END_TEST

/* DIMMs at explicit bases are what devices DMA to; the rest of the
 * hotplug area only matters while a slot is free (QEMU's -m slots=N): the
 * area over b's ITS doorbell 0xc6010000 is a warning with a free slot,
 * nothing once every slot holds a DIMM. A DIMM that would end past 2^64 is
 * refused. */
START_TEST(test_hotplug_area_and_slots)
{
	Pool p = pool_of(arm_hosts, arm_names, 3);
	MmGuestRegion regions[] = {
		{ "ram", MM_REGION_DMA, 1 * GIB, 2 * GIB - 1, 0 },
		{ "device-memory", MM_REGION_DMA, 2 * GIB, 8 * GIB - 1, -1 },
	};
	MmMemoryDevice dimm = { MM_MEMDEV_DIMM, GIB, 6 * GIB, true, 0 };
	MmDomain d = { .memory_devices = &dimm, .n_memory_devices = 1, .max_memory_slots = 2 };
	{
		_cleanup_(mm_check_report_freep) MmCheckReport *r =
			check("aarch64", regions, 2, &d, &p);
		const MmConflict *c = find(r, "msi", 0xc6010000);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->severity, MM_SEVERITY_WARNING);
		ck_assert_str_eq(c->guest_kind, "device-memory");
	}
	d.max_memory_slots = 1;
	{
		_cleanup_(mm_check_report_freep) MmCheckReport *r =
			check("aarch64", regions, 2, &d, &p);
		ck_assert_ptr_null(find(r, "msi", 0xc6010000));
	}
	dimm.base = UINT64_MAX - GIB + 2;
	MmGuestLayout l = { .machine = (char *)"test",
			    .arch = (char *)"aarch64",
			    .regions = regions,
			    .n_regions = 2 };
	MmCheckReport *r = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_check_layout(&l, &d, (const MmHostMap *const *)p.maps, p.n, &r, &err),
			 -ERANGE);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err.message, "a memory device at 0xffffffffc0000001 overflows");
	pool_clear(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("verdicts");
	tcase_add_test(tc, test_arm64_ram_meets_doorbell_and_rmr);
	tcase_add_test(tc, test_arm64_small_guest_fits);
	tcase_add_test(tc, test_arm64_kvm_ipa_limit_of_the_pool);
	tcase_add_test(tc, test_pci_window_is_warning);
	tcase_add_test(tc, test_viommu_warns_of_ranges_not_everywhere);
	tcase_add_test(tc, test_x86_relaxable_warning_and_limit);
	tcase_add_test(tc, test_x86_amd_hypertransport);
	tcase_add_test(tc, test_arch_mismatch);
	tcase_add_test(tc, test_direct_region_device_not_assignable);
	tcase_add_test(tc, test_hotplug_area_and_slots);
	tcase_add_loop_test(tc, test_report_json_bad, 0, ELEMENTSOF(bad_reports));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
