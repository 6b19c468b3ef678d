/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap layout: where QEMU puts a domain's guest physical regions. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

void cmd_layout_help(FILE *f)
{
	fputs("Usage: migmap layout --domain FILE | --name NAME [-c URI] [--json]\n"
	      "\n"
	      "Print the guest physical memory map QEMU builds for a libvirt domain: RAM\n"
	      "(per NUMA node on aarch64), device memory, PCI windows, ECAM, interrupt\n"
	      "controllers, for the domain's versioned machine type.\n"
	      "\n"
	      "  --domain FILE  the domain XML ('-' for standard input); with -c, the name of\n"
	      "                 a libvirt domain when no such file exists\n"
	      "  --name NAME    the libvirt domain NAME\n"
	      "  -c, --connect URI  the libvirt to look NAME up in (default " CLI_DEFAULT_URI ")\n"
	      "  --json         print JSON instead of a table\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n",
	      f);
}

static const char *class_name(MmRegionClass cls)
{
	switch (cls) {
	case MM_REGION_DMA:
		return "dma";
	case MM_REGION_PCI_WINDOW:
		return "pci";
	case MM_REGION_MMIO:
		break;
	}
	return "mmio";
}

static int print_table(const MmGuestLayout *l)
{
	char a[19], b[19];
	printf("machine %s (%s), %u physical address bits\n\n", l->machine, l->arch, l->phys_bits);
	printf("%-18s %-18s %-18s %-5s %s\n", "KIND", "START", "END", "CLASS", "NODE");
	for (size_t i = 0; i < l->n_regions; i++) {
		const MmGuestRegion *g = &l->regions[i];
		printf("%-18s %-18s %-18s ", g->kind, mm_hex(g->start, a), mm_hex(g->end, b));
		if (g->node >= 0)
			printf("%-5s %d\n", class_name(g->cls), g->node);
		else
			printf("%s\n", class_name(g->cls));
	}
	for (size_t i = 0; i < l->n_warnings; i++)
		printf("%swarning: %s\n", i == 0 ? "\n" : "", l->warnings[i]);
	return cli_print("");
}

int cmd_layout(int argc, char **argv)
{
	static const struct option options[] = {
		CLI_DOMAIN_OPTIONS,
		CLI_COMMON_OPTIONS,
		{},
	};
	CliDomainArgs a = { 0 };
	int c, r;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING "c:", options, NULL)) != -1) {
		if (cli_domain_option(c, &a))
			continue;
		switch (c) {
		default:
			return cli_common_option("layout", c, argv, cmd_layout_help);
		}
	}
	if (optind < argc)
		return cli_fail("layout: unexpected argument '%s'", argv[optind]);
	if ((r = cli_domain_args_check("layout", &a)) != EXIT_OK)
		return r;

	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	MmError err = { 0 };
	const char *file = a.domain ? a.domain : a.name;
	if ((r = cli_load_domain_from(a.domain, a.name, a.uri, &d)) != EXIT_OK)
		return r;
	if (mm_layout_compute(d, &l, &err) < 0) {
		if (!err.file[0]) {
			char message[sizeof(err.message)];
			memcpy(message, err.message, sizeof(message));
			mm_error_set(&err, file, 0, "%s", message);
		}
		return cli_fail_error(&err);
	}
	if (!a.json)
		return print_table(l);
	_cleanup_free_ char *out = NULL;
	if (mm_layout_format_json(l, &out) < 0)
		return cli_fail("layout: cannot format the layout: out of memory");
	return cli_print(out);
}
