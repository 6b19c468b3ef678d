/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap plan: a layout of a domain valid on every host of a pool. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

void cmd_plan_help(FILE *f)
{
	fputs("Usage: migmap plan --domain D.xml|NAME [-c URI] [--define] [--json] HOST.xml...\n"
	      "\n"
	      "Propose the domain's memory as libvirt XML that fits every host: initial RAM\n"
	      "that ends before the first forbidden range, the rest as DIMMs at explicit bases\n"
	      "in usable ranges, with <maxMemory slots=…> and, where needed, a NUMA cell and\n"
	      "(aarch64) UEFI with ACPI. The planned domain goes to stdout, notes to stderr.\n"
	      "\n"
	      "  --domain FILE  the domain XML (- for stdin), or the name of a libvirt domain\n"
	      "                 when no such file exists (its persistent XML)\n"
	      "  -c, --connect URI  the libvirt to use (default " CLI_DEFAULT_URI ")\n"
	      "  --define       define the planned domain in libvirt (virsh define); a domain\n"
	      "                 that already fits is left as it is\n"
	      "  --json         print JSON (initial memory, DIMMs, notes, the domain XML)\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n"
	      "\n"
	      "Exit status: 0 a plan (or the domain already fits), 1 no plan exists (the reason\n"
	      "on stderr), 2 bad usage or input.\n",
	      f);
}

int cmd_plan(int argc, char **argv)
{
	static const struct option options[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "connect", required_argument, NULL, 'c' },
		{ "define", no_argument, NULL, 'D' },
		CLI_COMMON_OPTIONS,
		{},
	};
	CliDomainArgs a = { 0 };
	bool define = false;
	int c;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING "c:", options, NULL)) != -1) {
		if (cli_domain_option(c, &a))
			continue;
		switch (c) {
		case 'D':
			define = true;
			break;
		default:
			return cli_common_option("plan", c, argv, cmd_plan_help);
		}
	}
	_cleanup_(cli_hostmaps_freep) CliHostMaps hosts = { 0 };
	int r = cli_domain_args_check("plan", &a, argv + optind, argc - optind, &hosts);
	if (r != EXIT_OK)
		return r;
	_cleanup_free_ char *xml = NULL;
	size_t len;
	r = cli_read_domain_xml(a.domain, a.uri, true, &xml, &len);
	if (r != EXIT_OK)
		return r;

	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	r = mm_plan_domain(xml, len, a.domain, (const MmHostMap *const *)hosts.maps, hosts.n, &plan,
			   &err);
	if (r < 0) {
		char buf[1024];
		cli_fail("%s", mm_error_format(&err, buf, sizeof(buf)));
		return r == -ENOSPC ? EXIT_VERDICT : EXIT_USAGE;
	}
	_cleanup_free_ char *text = NULL;
	if (define && plan->changed) {
		_cleanup_free_ char *defined = NULL;
		if ((r = cli_virt_define(a.uri ? a.uri : CLI_DEFAULT_URI, plan->domain_xml,
					 &defined)) != EXIT_OK)
			return r;
		fprintf(stderr, "migmap: defined domain '%s' with the planned layout\n", defined);
	} else if (define)
		fputs("migmap: the domain already fits: not redefined\n", stderr);
	if (a.json) {
		if (mm_plan_format_json(plan, &text) < 0)
			return cli_fail("plan: out of memory");
		return cli_print(text);
	}
	for (size_t i = 0; i < plan->n_notes; i++)
		fprintf(stderr, "migmap: note: %s\n", plan->notes[i]);
	return cli_print(plan->domain_xml);
}
