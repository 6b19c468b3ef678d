/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host capabilities fragment: every fixture's map validates against
 * xml/hostmap.rng and round-trips byte-exact; bad documents give one error
 * naming the line. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "testutil.h"
#include "xmlutil.h"

/* Every fixture that probes cleanly (hand-made bad-* hosts are probe errors
 * by design and tested in test-probe and tests/cli/host.sh). */
static char *good_hosts[64];
static size_t n_good_hosts;

static void free_hosts(void)
{
	for (size_t i = 0; i < n_good_hosts; i++)
		free(good_hosts[i]);
}

static void list_hosts(void)
{
	DIR *d = opendir(tu_data_path("hosts"));
	ck_assert_ptr_nonnull(d);
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, "bad-", 4) == 0 ||
		    de->d_type != DT_DIR)
			continue;
		ck_assert_uint_lt(n_good_hosts, ELEMENTSOF(good_hosts));
		good_hosts[n_good_hosts++] = strdup(de->d_name);
	}
	closedir(d);
	atexit(free_hosts);
	ck_assert_uint_ge(n_good_hosts, 6);
}

START_TEST(test_fixture_roundtrip)
{
	char msg[512];
	list_hosts();
	for (size_t i = 0; i < n_good_hosts; i++) {
		_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(good_hosts[i], NULL);
		_cleanup_(mm_hostmap_freep) MmHostMap *back = NULL;
		_cleanup_free_ char *xml = NULL, *again = NULL;
		MmError err = { 0 };

		ck_assert_int_eq(mm_hostmap_format_xml(m, &xml), 0);
		ck_assert_msg(tu_validate("hostmap.rng", xml, msg, sizeof(msg)), "%s: %s",
			      good_hosts[i], msg);
		ck_assert_msg(mm_hostmap_parse_xml(xml, strlen(xml), "x.xml", &back, &err) == 0,
			      "%s: %s", good_hosts[i], err.message);
		ck_assert_int_eq(mm_hostmap_format_xml(back, &again), 0);
		ck_assert_str_eq(xml, again);

		/* the parsed model matches the probed one, not just its text */
		ck_assert_uint_eq(back->n_reserved, m->n_reserved);
		for (size_t k = 0; k < m->n_reserved; k++) {
			ck_assert_str_eq(back->reserved[k].type, m->reserved[k].type);
			ck_assert_uint_eq(back->reserved[k].start, m->reserved[k].start);
			ck_assert_uint_eq(back->reserved[k].end, m->reserved[k].end);
			ck_assert_uint_eq(back->reserved[k].groups.n, m->reserved[k].groups.n);
		}
		ck_assert(mm_rangeset_equal(&back->ram, &m->ram));
		ck_assert(mm_rangeset_equal(&back->pci_windows, &m->pci_windows));
		ck_assert_uint_eq(back->phys_bits, m->phys_bits);
		ck_assert_uint_eq(back->n_iommu_groups, m->n_iommu_groups);
		ck_assert_uint_eq(back->n_warnings, m->n_warnings);
		ck_assert_uint_eq(back->n_msi_controllers, m->n_msi_controllers);
		for (size_t k = 0; k < m->n_msi_controllers; k++) {
			const MmMsiController *x = &back->msi_controllers[k];
			const MmMsiController *y = &m->msi_controllers[k];
			ck_assert(x->type == y->type && x->base == y->base && x->size == y->size &&
				  x->doorbell == y->doorbell && x->translated == y->translated &&
				  x->source == y->source);
		}
		ck_assert_uint_eq(back->n_limits, m->n_limits);
		ck_assert_uint_eq(back->iommu_bits, m->iommu_bits);
		ck_assert_uint_eq(back->kvm_ipa_bits, m->kvm_ipa_bits);
		for (size_t k = 0; k < m->n_reserved; k++)
			ck_assert_int_eq(back->reserved[k].source, m->reserved[k].source);
	}
}
END_TEST

START_TEST(test_design_example_parses)
{
	/* docs/design.md §4's example, as a person would write it */
	static const char xml[] = "<capabilities>\n"
				  "  <host>\n"
				  "    <uuid>4c4c4544-0051-3010-8057-b4c04f4e4a32</uuid>\n"
				  "    <cpu><arch>aarch64</arch></cpu>\n"
				  "    <memoryMap name='b' physBits='44' iommuGroups='1' "
				  "generated='2026-11-24T12:00:00Z'>\n"
				  "      <reserved type='msi' start='0x8000000' end='0x80fffff'>\n"
				  "        <group id='0' type='DMA'><device bdf='0000:00:02.0' "
				  "id='1b36:000c'/></group>\n"
				  "      </reserved>\n"
				  "      <ram start='0x40000000' end='0xbfffffff'/>\n"
				  "      <pciWindow start='0x10000000' end='0x3efeffff'/>\n"
				  "    </memoryMap>\n"
				  "  </host>\n"
				  "</capabilities>\n";
	_cleanup_(mm_hostmap_freep) MmHostMap *m = NULL;
	MmError err = { 0 };
	char msg[512];
	ck_assert_int_eq(mm_hostmap_parse_xml(xml, strlen(xml), "d.xml", &m, &err), 0);
	ck_assert_str_eq(m->name, "b");
	ck_assert_uint_eq(m->phys_bits, 44);
	ck_assert_uint_eq(m->n_reserved, 1);
	ck_assert_uint_eq(m->reserved[0].start, 0x8000000);
	const MmGroup *g = mm_hostmap_find_group(m, 0);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->devices[0].vendor, 0x1b36);
	ck_assert_uint_eq(g->devices[0].device, 0x000c);
	ck_assert(!g->devices[0].has_class);
	ck_assert(tu_validate("hostmap.rng", xml, msg, sizeof(msg)));
}
END_TEST

#define HEAD "<capabilities><host>\n<memoryMap name='h' iommuGroups='0'>\n"
#define TAIL "</memoryMap></host></capabilities>\n"

static const TuBadXml bad_cases[] = {
	{ "<capabilities><host>", 1, "malformed XML" },
	{ "", 1, "malformed XML" },
	{ "<domain/>", 1, "expected <capabilities>" },
	{ "<capabilities/>", 1, "no <host>" },
	{ "<capabilities><host/></capabilities>", 1, "no <memoryMap>" },
	{ HEAD "<ram start='0x20' end='0x10'/>\n" TAIL, 3, "end 0x10 before start 0x20" },
	{ HEAD "<ram start='0xzz' end='0x10'/>\n" TAIL, 3, "start '0xzz' on <ram>: not a number" },
	{ HEAD "<ram start='0x1' end='0x10000000000000000'/>\n" TAIL, 3, "out of range" },
	{ HEAD "<ram start='0x1'/>\n" TAIL, 3, "lacks attribute 'end'" },
	{ HEAD "<ram start='0x1' end='0x2' size='1'/>\n" TAIL, 3, "unknown attribute 'size'" },
	{ HEAD "<flash start='0x1' end='0x2'/>\n" TAIL, 3, "unexpected element <flash>" },
	{ HEAD "<reserved type='msi' start='0x1' end='0x2'>\n<group id='x'/></reserved>\n" TAIL, 4,
	  "id 'x'" },
	{ HEAD "<reserved type='msi' start='0x1' end='0x2'><group id='1'>\n"
	       "<device bdf='0000:00:01.0' id='zz'/></group></reserved>\n" TAIL,
	  4, "device id 'zz'" },
	{ "<capabilities><host>\n<memoryMap name='h' iommuGroups='0' physBits='99'/>"
	  "</host></capabilities>",
	  2, "physBits 99" },
	/* no DTD: the parser stops at the DOCTYPE, before any declaration */
	{ "<!DOCTYPE capabilities [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
	  "<capabilities><host><memoryMap name='&x;' iommuGroups='0'/></host></capabilities>",
	  1, "document type declarations are not accepted" },
	{ "<!DOCTYPE capabilities [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>\n"
	  "<capabilities><host><memoryMap name='h' iommuGroups='0'><warning>&b;</warning>"
	  "</memoryMap></host></capabilities>",
	  1, "document type declarations are not accepted" },
	{ HEAD
	  "<msiController type='gicv4' base='0x1' size='0x1' doorbell='0x1' source='fdt'/>\n" TAIL,
	  3, "unknown MSI controller type 'gicv4'" },
	{ HEAD
	  "<msiController type='gicv2m' base='0x1' size='0x1' doorbell='0x1' translated='maybe' "
	  "source='fdt'/>\n" TAIL,
	  3, "translated='maybe' is not 'yes' or 'no'" },
	{ HEAD "<msiController type='gicv2m' base='0x1' size='0x1' doorbell='0x1'/>\n" TAIL, 3,
	  "lacks attribute 'source'" },
	{ HEAD "<msiController type='gicv2m' base='0x1' size='0x1' doorbell='0x1' "
	       "source='uefi'/>\n" TAIL,
	  3, "unknown MSI controller source 'uefi'" },
	{ HEAD "<msiController type='gicv2m' base='0xffffffffffffffff' size='0x2' doorbell='0x1' "
	       "source='fdt'/>\n" TAIL,
	  3, "past the top" },
	{ HEAD "<limit kind='iommu' bits='99' source='x'/>\n" TAIL, 3, "limit of 99 bits" },
	{ HEAD "<limit kind='dram' bits='40' source='x'/>\n" TAIL, 3, "unknown limit kind 'dram'" },
	{ HEAD "<reserved type='direct' start='0x1' end='0x2' source='dmar'/>\n" TAIL, 3,
	  "unknown reserved source 'dmar'" },
};

START_TEST(test_bad_documents)
{
	const TuBadXml *c = &bad_cases[_i];
	MmHostMap *m = NULL;
	MmError err = { 0 };
	int r = mm_hostmap_parse_xml(c->xml, strlen(c->xml), "bad.xml", &m, &err);
	ck_assert_int_lt(r, 0);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err.file, "bad.xml");
	ck_assert_msg(strstr(err.message, c->message), "'%s' lacks '%s'", err.message, c->message);
	ck_assert_msg(err.line == c->line, "line %u, expected %u (%s)", err.line, c->line,
		      err.message);
}
END_TEST

START_TEST(test_huge_document)
{
	size_t n = MM_XML_MAX + 1;
	char *big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	big[n] = '\0';
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_parse_xml(big, n, "big.xml", &m, &err), -EFBIG);
	ck_assert(strstr(err.message, "larger than"));
	free(big);
}
END_TEST

/* Groups in descending order, some listed under two ranges: one group per
 * id, in id order, each range with its own ids, the devices from the first
 * copy (migmap-xml(5)). */
START_TEST(test_groups_any_order)
{
	const char *xml = "<capabilities><host><memoryMap name='h' iommuGroups='5'>\n"
			  "<reserved type='msi' start='0x1000' end='0x1fff'>\n"
			  "<group id='4'/><group id='3'><device bdf='0000:00:03.0'/></group>"
			  "<group id='1'/><group id='0'/>\n"
			  "</reserved>\n"
			  "<reserved type='reserved' start='0x3000' end='0x3fff'>\n"
			  "<group id='3'><device bdf='0000:00:03.0'/></group><group id='2'/>\n"
			  "</reserved>\n"
			  "</memoryMap></host></capabilities>\n";
	MmHostMap *m = NULL;
	MmError err = { 0 };
	ck_assert_int_eq(mm_hostmap_parse_xml(xml, strlen(xml), "g.xml", &m, &err), 0);
	ck_assert_uint_eq(m->n_groups, 5);
	for (uint32_t i = 0; i < 5; i++)
		ck_assert_uint_eq(m->groups[i].id, i);
	ck_assert_uint_eq(mm_hostmap_find_group(m, 3)->n_devices, 1);
	ck_assert_str_eq(mm_hostmap_find_group(m, 3)->devices[0].bdf, "0000:00:03.0");
	ck_assert_uint_eq(m->n_reserved, 2);
	ck_assert_uint_eq(m->reserved[0].groups.n, 4);
	ck_assert_uint_eq(m->reserved[0].groups.ids[0], 0);
	ck_assert_uint_eq(m->reserved[0].groups.ids[3], 4);
	ck_assert_uint_eq(m->reserved[1].groups.n, 2);
	ck_assert_uint_eq(m->reserved[1].groups.ids[0], 2);
	mm_hostmap_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostmap-xml");
	TCase *tc = tcase_create("xml");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fixture_roundtrip);
	tcase_add_test(tc, test_design_example_parses);
	tcase_add_loop_test(tc, test_bad_documents, 0, ELEMENTSOF(bad_cases));
	tcase_add_test(tc, test_huge_document);
	tcase_add_test(tc, test_groups_any_order);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
