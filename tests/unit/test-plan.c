/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan: every plan passes check on the same pool (the check runs on the
 * planned XML as libvirt would read it back), keeps the total memory, and
 * puts DIMMs in usable ranges; when no plan exists the reason says why. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)

/* A q35 guest with an Intel CPU model: QEMU leaves its RAM above 4 GiB in
 * place, so 1.5 TiB of it runs over an AMD host's HyperTransport hole. */
static const char x86_domain[] = "<domain type='kvm'>\n"
				 "  <name>big</name>\n"
				 "  <memory unit='GiB'>1536</memory>\n"
				 "  <vcpu>8</vcpu>\n"
				 "  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
				 "  <cpu mode='custom'><model>Skylake-Server</model></cpu>\n"
				 "</domain>\n";

typedef struct Pool {
	MmHostMap *maps[4];
	size_t n;
} Pool;

static void pool_clear(Pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		mm_hostmap_free(p->maps[i]);
}

static MmCheckReport *check_text(const char *xml, Pool *p)
{
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmCheckReport *r = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_domain_parse_xml(xml, strlen(xml), "plan.xml", &d, &err) == 0, "%s",
		      err.message);
	ck_assert_msg(mm_check_domain(d, (const MmHostMap *const *)p->maps, p->n, &r, &err) == 0,
		      "%s", err.message);
	return r;
}

static void assert_dimms_usable(const MmPlan *plan, Pool *p)
{
	_cleanup_(mm_poolmap_freep) MmPoolMap *pool = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_pool_baseline("p", (const MmHostMap *const *)p->maps, p->n, &pool,
					  &err),
			 0);
	uint64_t dimms = 0;
	for (size_t i = 0; i < plan->n_dimms; i++) {
		const MmPlacedDimm *d = &plan->dimms[i];
		dimms += d->size;
		MmRangeSet one = { 0 }, out = { 0 };
		ck_assert_int_eq(mm_rangeset_add(&one, d->base, d->base + d->size - 1,
						 MM_NO_ORIGIN),
				 0);
		ck_assert_int_eq(mm_rangeset_subtract(&out, &one, &pool->usable), 0);
		ck_assert_msg(out.n == 0, "DIMM %zu at 0x%llx leaves the usable ranges", i,
			      (unsigned long long)d->base);
		mm_rangeset_clear(&one);
		mm_rangeset_clear(&out);
	}
	ck_assert_uint_eq(plan->initial_memory + dimms, plan->total_memory);
}

START_TEST(test_arm64_plan_fits_example_pool)
{
	Pool p = { .n = 3 };
	const char *hosts[] = { "arm64-virt-smmuv3", "arm64-hwmsi", "arm64-rmr" };
	const char *names[] = { "a", "b", "c" };
	for (size_t i = 0; i < 3; i++)
		p.maps[i] = tu_probe(hosts[i], names[i]);

	_cleanup_(mm_check_report_freep) MmCheckReport *before = check_text(tu_arm64_domain, &p);
	ck_assert(!before->ok);

	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_plan_domain(tu_arm64_domain, strlen(tu_arm64_domain), "g1.xml",
				     (const MmHostMap *const *)p.maps, 3, &plan, &err) == 0,
		      "%s", err.message);
	ck_assert(plan->changed);
	/* virt RAM starts at 1 GiB; b's PCI host bridge window at 0xa8000000
	 * (its /proc/iomem), below its doorbell page at 0xc6010000, leaves
	 * 1664 MiB in 128 MiB steps below it */
	ck_assert_uint_eq(plan->initial_memory, 1664 * MIB);
	ck_assert_uint_eq(plan->total_memory, 8 * GIB);
	ck_assert_uint_ge(plan->n_dimms, 1);
	assert_dimms_usable(plan, &p);

	_cleanup_(mm_check_report_freep) MmCheckReport *after = check_text(plan->domain_xml, &p);
	ck_assert(after->ok);
	/* what an aarch64 guest needs to see DIMMs */
	ck_assert(strstr(plan->domain_xml, "<os firmware=\"efi\">"));
	ck_assert(strstr(plan->domain_xml, "<acpi/>"));
	ck_assert(strstr(plan->domain_xml, "<address type=\"dimm\" slot=\"0\" base=\"0x"));
	ck_assert(strstr(plan->domain_xml, "<cell id=\"0\" cpus=\"0-3\" memory=\"1703936\""));
	/* and nothing a different placement would avoid: no warning at all */
	ck_assert_uint_eq(after->n_conflicts, 0);
	/* the rest of the domain is kept */
	ck_assert(strstr(plan->domain_xml, "<hostdev mode=\"subsystem\""));

	/* planning the plan changes nothing */
	_cleanup_(mm_plan_freep) MmPlan *again = NULL;
	ck_assert_int_eq(mm_plan_domain(plan->domain_xml, strlen(plan->domain_xml), "p.xml",
					(const MmHostMap *const *)p.maps, 3, &again, &err),
			 0);
	ck_assert(!again->changed);
	pool_clear(&p);
}
END_TEST

START_TEST(test_x86_plan_around_hypertransport)
{
	/* an EPYC host (hand-set to the 48 physical bits such a CPU has; the
	 * capture's QEMU CPU shows 40) with its HT hole, and a 46-bit Xeon */
	Pool p = { .n = 2 };
	p.maps[0] = tu_probe("x86-q35-amdvi", "epyc");
	p.maps[0]->phys_bits = 48;
	p.maps[1] = tu_probe("x86-rmrr", "xeon");

	_cleanup_(mm_check_report_freep) MmCheckReport *before = check_text(x86_domain, &p);
	ck_assert(!before->ok);

	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_plan_domain(x86_domain, strlen(x86_domain), "big.xml",
				     (const MmHostMap *const *)p.maps, 2, &plan, &err) == 0,
		      "%s", err.message);
	/* q35 keeps 2 GiB below 4 GiB; above it the EPYC capture's 64-bit PCI
	 * host bridge window 0x100000000-0x8ffffffff (its /proc/iomem) starts
	 * right at 4 GiB: the rest are DIMMs, clear of it and of the HT hole */
	ck_assert_uint_eq(plan->initial_memory, 2 * GIB);
	for (size_t i = 0; i < plan->n_dimms; i++)
		ck_assert((plan->dimms[i].base + plan->dimms[i].size <= 0xfd00000000ULL ||
			   plan->dimms[i].base > 0xffffffffffULL) &&
			  plan->dimms[i].base > 0x8ffffffffULL);
	assert_dimms_usable(plan, &p);
	_cleanup_(mm_check_report_freep) MmCheckReport *after = check_text(plan->domain_xml, &p);
	ck_assert(after->ok);
	/* the DIMM above 1 TiB needs more than the 40 bits QEMU gives a named
	 * CPU model: 1.5 TiB of memory from 1 TiB on ends below 2^41 */
	ck_assert_uint_eq(plan->phys_bits, 41);
	ck_assert(strstr(plan->domain_xml, "<maxphysaddr mode=\"emulate\" bits=\"41\"/>"));
	pool_clear(&p);
}
END_TEST

START_TEST(test_no_plan_says_why)
{
	/* the same 1.5 TiB guest, but the capture's own 40-bit limit: 1 TiB */
	Pool p = { .n = 1 };
	p.maps[0] = tu_probe("x86-q35-amdvi", "amd");
	MmPlan *plan = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_plan_domain(x86_domain, strlen(x86_domain), "big.xml",
					(const MmHostMap *const *)p.maps, 1, &plan, &err),
			 -ENOSPC);
	ck_assert_ptr_null(plan);
	ck_assert_msg(strstr(err.message, "no valid plan: ") &&
			      strstr(err.message, "below the pool's 40-bit limit"),
		      "%s", err.message);
	pool_clear(&p);
}
END_TEST

START_TEST(test_already_fits)
{
	Pool p = { .n = 1 };
	p.maps[0] = tu_probe("arm64-virt-smmuv3", "a");
	MmPlan *plan = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_plan_domain(tu_arm64_domain, strlen(tu_arm64_domain), "g1.xml",
					(const MmHostMap *const *)p.maps, 1, &plan, &err),
			 0);
	ck_assert(!plan->changed);
	ck_assert_str_eq(plan->domain_xml, tu_arm64_domain);
	ck_assert_uint_eq(plan->n_dimms, 0);
	mm_plan_free(plan);
	pool_clear(&p);
}
END_TEST

/* tu_arm64_domain with extra XML after <vcpu>, and devices added */
static char *arm64_with(const char *after_vcpu, const char *devices)
{
	char *xml = NULL;
	ck_assert_int_ge(asprintf(&xml,
				  "<domain type='kvm'>\n"
				  "  <name>g1</name>\n"
				  "  <memory unit='GiB'>8</memory>\n"
				  "  %s\n"
				  "  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>\n"
				  "  <features><gic version='3'/></features>\n"
				  "  <devices>\n"
				  "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
				  "      <source><address domain='0x0000' bus='0x01' slot='0x00' "
				  "function='0x0'/></source>\n"
				  "    </hostdev>\n"
				  "    %s\n"
				  "  </devices>\n"
				  "</domain>\n",
				  after_vcpu, devices),
			 0);
	return xml;
}

static Pool arm64_pool(void)
{
	Pool p = { .n = 3 };
	const char *hosts[] = { "arm64-virt-smmuv3", "arm64-hwmsi", "arm64-rmr" };
	const char *names[] = { "a", "b", "c" };
	for (size_t i = 0; i < 3; i++)
		p.maps[i] = tu_probe(hosts[i], names[i]);
	return p;
}

/* What plan leaves to people: memory devices it does not move (libvirt's
 * formatdomain "Memory devices": nvdimm, virtio-mem) and guests with more
 * than one NUMA cell ("NUMA Node Tuning" / <cpu><numa>). */
START_TEST(test_refusals)
{
	static const struct {
		const char *head, *devices, *why;
	} rows[] = {
		{ "<maxMemory slots='4' unit='GiB'>16</maxMemory><vcpu>4</vcpu>"
		  "<cpu><numa><cell id='0' cpus='0-3' memory='7' unit='GiB'/></numa></cpu>",
		  "<memory model='nvdimm'><source><path>/var/lib/nv0</path></source>"
		  "<target><size unit='GiB'>1</size><node>0</node></target></memory>",
		  "a memory device other than a DIMM" },
		{ "<vcpu>4</vcpu><cpu><numa><cell id='0' cpus='0-1' memory='4' unit='GiB'/>"
		  "<cell id='1' cpus='2-3' memory='4' unit='GiB'/></numa></cpu>",
		  "", "the domain has 2 NUMA cells; plan handles one" },
	};
	Pool p = arm64_pool();
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		_cleanup_free_ char *xml = arm64_with(rows[i].head, rows[i].devices);
		MmPlan *plan = NULL;
		MmError err = { 0 };
		ck_assert_int_eq(mm_plan_domain(xml, strlen(xml), "g1.xml",
						(const MmHostMap *const *)p.maps, p.n, &plan, &err),
				 -ENOSPC);
		ck_assert_ptr_null(plan);
		ck_assert_msg(strstr(err.message, "no valid plan: ") &&
				      strstr(err.message, rows[i].why),
			      "row %zu: %s", i, err.message);
	}
	pool_clear(&p);
}
END_TEST

/* A guest of one vCPU gets a NUMA cell of that vCPU alone (cpus='0'), and
 * the DIMMs it had are replaced by the plan's. */
START_TEST(test_one_vcpu_dimms_replaced)
{
	Pool p = arm64_pool();
	_cleanup_free_ char *xml =
		arm64_with("<maxMemory slots='2' unit='GiB'>16</maxMemory><vcpu>1</vcpu>",
			   "<memory model='dimm'><target><size unit='GiB'>1</size>"
			   "<node>0</node></target></memory>");
	/* libvirt needs a NUMA cell for a DIMM: without it the domain is
	 * still read, and the plan adds the cell */
	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	int r = mm_plan_domain(xml, strlen(xml), "g1.xml", (const MmHostMap *const *)p.maps, p.n,
			       &plan, &err);
	ck_assert_msg(r == 0, "%s", err.message);
	ck_assert(plan->changed);
	ck_assert(strstr(plan->domain_xml, "<cell id=\"0\" cpus=\"0\" memory=\""));
	/* the old DIMM (no base) is gone: every DIMM left has the plan's base */
	size_t n = 0;
	for (const char *s = plan->domain_xml; (s = strstr(s, "<memory model=\"dimm\"")); s++)
		n++;
	ck_assert_uint_eq(n, plan->n_dimms);
	ck_assert_uint_eq(plan->total_memory, 8 * GIB);
	assert_dimms_usable(plan, &p);
	pool_clear(&p);
}
END_TEST

/* pool whatif and pool fit (docs/design.md §7): the arm64 guest fits host a
 * alone (test_already_fits) and not the pool of a, b, c (b's doorbell) */
START_TEST(test_whatif_and_fit)
{
	Pool p = arm64_pool();
	const MmHostMap *const *all = (const MmHostMap *const *)p.maps;
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_domain_parse_xml(tu_arm64_domain, strlen(tu_arm64_domain), "g1.xml", &d,
					     &err),
			 0);
	const MmDomain *const domains[] = { d };
	static const struct {
		size_t nb, na; /* members before, after: the first nb, na of a, b, c */
		MmWhatifChange change;
		const char *reason; /* part of it; NULL: none */
	} rows[] = {
		{ 1, 3, MM_WHATIF_BECOMES_INVALID, "0x" },
		{ 3, 1, MM_WHATIF_BECOMES_VALID, "0x" },
		{ 0, 1, MM_WHATIF_BECOMES_VALID, "the pool has no hosts" },
		{ 1, 0, MM_WHATIF_BECOMES_INVALID, "the pool has no hosts" },
		{ 3, 0, MM_WHATIF_STAYS_INVALID, "the pool has no hosts" },
		{ 1, 1, MM_WHATIF_STAYS_VALID, NULL },
	};
	static const char *const names[] = { "stays-valid", "stays-invalid", "becomes-invalid",
					     "becomes-valid" };
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		_cleanup_(mm_whatif_freep) MmWhatif *w = NULL;
		ck_assert_int_eq(mm_whatif(domains, 1, all, rows[i].nb, all, rows[i].na, &w, &err),
				 0);
		ck_assert_uint_eq(w->n, 1);
		ck_assert_str_eq(w->domains[0].name, "g1");
		ck_assert_int_eq(w->domains[0].change, rows[i].change);
		if (rows[i].reason)
			ck_assert_msg(w->domains[0].reason &&
					      strstr(w->domains[0].reason, rows[i].reason),
				      "row %zu: %s", i, w->domains[0].reason);
		else
			ck_assert_ptr_null(w->domains[0].reason);
		_cleanup_free_ char *json = NULL;
		ck_assert_int_eq(mm_whatif_format_json(w, &json), 0);
		char want[64];
		snprintf(want, sizeof(want), "\"change\": \"%s\"", names[rows[i].change]);
		ck_assert_msg(strstr(json, want), "%s", json);
		ck_assert(!!strstr(json, "\"reason\": null") == !rows[i].reason);
	}
	ck_assert_ptr_null(mm_whatif_change_to_string((MmWhatifChange)4));

	_cleanup_(mm_fit_freep) MmFit *fit = NULL;
	ck_assert_int_eq(mm_fit_domain(d, all, p.n, &fit, &err), 0);
	ck_assert_uint_eq(fit->n, 3);
	ck_assert_str_eq(fit->hosts[0].host, "a");
	ck_assert(fit->hosts[0].report->ok);
	ck_assert_str_eq(fit->hosts[1].host, "b");
	ck_assert(!fit->hosts[1].report->ok);
	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(mm_fit_format_json(fit, &json), 0);
	ck_assert(strstr(json, "\"host\": \"b\""));
	pool_clear(&p);
}
END_TEST

/* An x86 guest with a named CPU model has 40 physical address bits, and
 * the firmware puts its 64-bit PCI window at their top, above the 39-bit
 * input width of the host's VT-d (its intel-iommu/cap 0xd2008c22260206:
 * MGAW field 38, 39 bits): the plan only narrows the guest to what
 * both the IOMMU and the CPU (46 bits) allow, and keeps its memory. */
START_TEST(test_x86_window_within_iommu)
{
	static const char xml[] = "<domain type='kvm'>\n"
				  "  <name>w</name>\n"
				  "  <memory unit='GiB'>4</memory>\n"
				  "  <vcpu>2</vcpu>\n"
				  "  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
				  "  <cpu mode='custom'><model>Skylake-Client</model></cpu>\n"
				  "  <devices>\n"
				  "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
				  "      <source><address domain='0x0000' bus='0x01' slot='0x00' "
				  "function='0x0'/></source>\n"
				  "    </hostdev>\n"
				  "  </devices>\n"
				  "</domain>\n";
	Pool p = { .n = 1 };
	p.maps[0] = tu_probe("x86-vtd39-cpu46", "vtd");
	ck_assert_uint_eq(p.maps[0]->iommu_bits, 39);
	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_plan_domain(xml, strlen(xml), "w.xml", (const MmHostMap *const *)p.maps, 1,
				     &plan, &err) == 0,
		      "%s", err.message);
	ck_assert(plan->changed);
	ck_assert_uint_eq(plan->phys_bits, 39);
	ck_assert_uint_eq(plan->initial_memory, 4 * GIB);
	ck_assert_uint_eq(plan->n_dimms, 0);
	ck_assert(strstr(plan->domain_xml, "<maxphysaddr mode=\"emulate\" bits=\"39\"/>"));
	ck_assert(!strstr(plan->domain_xml, "<?xml"));
	ck_assert_uint_eq(plan->n_notes, 1);
	ck_assert(strstr(plan->notes[0], "IOMMU input width"));
	_cleanup_(mm_check_report_freep) MmCheckReport *after = check_text(plan->domain_xml, &p);
	ck_assert(after->ok);
	pool_clear(&p);
}
END_TEST

/* A guest that boots UEFI with ACPI already (the fixture's <loader> and
 * <acpi/>) keeps them: the plan adds only the NUMA cell and the DIMM; the
 * same 1664 MiB of initial RAM as test_arm64_plan_fits_example_pool. */
START_TEST(test_arm64_uefi_guest_keeps_firmware)
{
	Pool p = arm64_pool();
	size_t len;
	_cleanup_free_ char *xml = tu_read(tu_data_path("domains/arm64-virt72-uefi.xml"), &len);
	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	ck_assert_msg(mm_plan_domain(xml, len, "uefi.xml", (const MmHostMap *const *)p.maps, p.n,
				     &plan, &err) == 0,
		      "%s", err.message);
	ck_assert_uint_eq(plan->initial_memory, 1664 * MIB);
	ck_assert_uint_eq(plan->n_dimms, 1);
	ck_assert_uint_eq(plan->n_notes, 2);
	for (size_t i = 0; i < plan->n_notes; i++)
		ck_assert_msg(!strstr(plan->notes[i], "UEFI") && !strstr(plan->notes[i], "acpi"),
			      "%s", plan->notes[i]);
	ck_assert(strstr(plan->domain_xml, "<loader"));
	assert_dimms_usable(plan, &p);
	pool_clear(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_arm64_plan_fits_example_pool);
	tcase_add_test(tc, test_x86_plan_around_hypertransport);
	tcase_add_test(tc, test_no_plan_says_why);
	tcase_add_test(tc, test_already_fits);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_arm64_uefi_guest_keeps_firmware);
	tcase_add_test(tc, test_x86_window_within_iommu);
	tcase_add_test(tc, test_whatif_and_fit);
	tcase_add_test(tc, test_one_vcpu_dimms_replaced);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
