/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map as a table for people (`migmap host --table`): reserved
 * ranges, MSI controllers, address limits, RAM, PCI windows, ECAM and
 * warnings. Formatted into a string; not a stable interface. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmap-format.h"
#include "hostmap.h"
#include "macros.h"
#include "rangeset.h"
#include "util.h"

static void print_groups(FILE *f, const MmHostMap *m, const MmReserved *res)
{
	if (res->groups.n == 0) {
		fputs("-", f);
		return;
	}
	for (size_t i = 0; i < res->groups.n; i++) {
		const MmGroup *g = mm_hostmap_find_group(m, res->groups.ids[i]);
		fprintf(f, "%s%u", i ? " " : "", res->groups.ids[i]);
		if (!g || g->n_devices == 0)
			continue;
		fputs("(", f);
		for (size_t k = 0; k < g->n_devices; k++)
			fprintf(f, "%s%s", k ? "," : "", g->devices[k].bdf);
		fputs(")", f);
	}
}

static void print_ranges(FILE *f, const char *title, const MmRangeSet *s)
{
	char a[19], b[19];
	fprintf(f, "%-12s", title);
	if (s->n == 0)
		fputs(" -", f);
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s %s-%s", i && i % 3 == 0 ? "\n            " : "",
			mm_hex(s->spans[i].start, a), mm_hex(s->spans[i].end, b));
	fputc('\n', f);
}

static void print_bits(FILE *f, const char *title, unsigned bits)
{
	if (bits == MM_BITS_UNKNOWN)
		fprintf(f, "%-12s unknown\n", title);
	else
		fprintf(f, "%-12s %u bits\n", title, bits);
}

int mm_hostmap_format_table(const MmHostMap *m, char **ret)
{
	char *buf = NULL;
	size_t size = 0;
	char a[19], b[19], c[19];
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;

	fprintf(f, "%-12s %s\n", "host", m->name ? m->name : "-");
	fprintf(f, "%-12s %s\n", "arch", m->arch ? m->arch : "unknown");
	fprintf(f, "%-12s %s\n", "kernel", m->kernel ? m->kernel : "unknown");
	fprintf(f, "%-12s %zu%s\n", "iommu groups", m->n_iommu_groups,
		m->n_iommu_groups ? "" : " (cannot assign devices)");
	print_bits(f, "cpu phys", m->phys_bits);
	print_bits(f, "iommu input", m->iommu_bits);
	if (m->kvm_ipa_bits != MM_BITS_UNKNOWN || streq_ptr(m->arch, "aarch64"))
		print_bits(f, "kvm ipa", m->kvm_ipa_bits); /* an arm64 notion */

	fputs("\nLIMIT     BITS  SOURCE\n", f);
	if (m->n_limits == 0)
		fputs("-\n", f);
	for (size_t i = 0; i < m->n_limits; i++)
		fprintf(f, "%-9s %4u  %s\n", mm_limit_kind_to_string(m->limits[i].kind),
			m->limits[i].bits, m->limits[i].source);

	fputs("\nRESERVED          START               END                 SOURCE  "
	      "GROUPS(DEVICES)\n",
	      f);
	if (m->n_reserved == 0)
		fputs("-\n", f);
	for (size_t i = 0; i < m->n_reserved; i++) {
		const MmReserved *res = &m->reserved[i];
		fprintf(f, "%-17s %-19s %-19s %-7s ", res->type, mm_hex(res->start, a),
			mm_hex(res->end, b), mm_reserved_source_to_string(res->source));
		print_groups(f, m, res);
		fputc('\n', f);
	}

	fputs("\nMSI CONTROLLER  BASE                SIZE        DOORBELL            "
	      "TRANSLATED  SOURCE\n",
	      f);
	if (m->n_msi_controllers == 0)
		fputs("-\n", f);
	for (size_t i = 0; i < m->n_msi_controllers; i++) {
		const MmMsiController *x = &m->msi_controllers[i];
		fprintf(f, "%-15s %-19s %-11s %-19s %-11s %s\n", mm_msi_type_to_string(x->type),
			mm_hex(x->base, a), mm_hex(x->size, b), mm_hex(x->doorbell, c),
			x->translated == MM_TRANSLATED_UNKNOWN ? "unknown"
			: x->translated                        ? "yes"
							       : "no",
			mm_firmware_to_string(x->source));
	}

	fputc('\n', f);
	print_ranges(f, "ram", &m->ram);
	print_ranges(f, "pci windows", &m->pci_windows);
	print_ranges(f, "ecam", &m->ecam);

	if (m->n_warnings) {
		fputs("\nWARNINGS\n", f);
		for (size_t i = 0; i < m->n_warnings; i++)
			fprintf(f, "- %s\n", m->warnings[i]);
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -ENOMEM;
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
