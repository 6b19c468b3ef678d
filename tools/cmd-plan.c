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
	fputs("Usage: migmap plan --domain FILE | --name NAME [-c URI] [--define] [--json]\n"
	      "                   [HOST.xml...]\n"
	      "\n"
	      "Propose the domain's memory as libvirt XML that fits every host: initial RAM\n"
	      "that ends before the first forbidden range, the rest as DIMMs at explicit bases\n"
	      "in usable ranges, with <maxMemory slots=…> and, where needed, a NUMA cell and\n"
	      "(aarch64) UEFI with ACPI. The planned domain goes to stdout, notes to stderr.\n"
	      "Without HOST.xml files: for this host (its stored map, else a probe) and the\n"
	      "pool the domain's migmap metadata names, as the hook checks a start.\n"
	      "\n"
	      "  --domain FILE  the domain XML (- for stdin); with -c, the name of a libvirt\n"
	      "                 domain when no such file exists (its persistent XML)\n"
	      "  --name NAME    the libvirt domain NAME (its persistent XML)\n"
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
		CLI_DOMAIN_OPTIONS,
		{ "define", no_argument, NULL, 'D' },
		CLI_COMMON_OPTIONS,
		{},
	};
	_cleanup_(cli_hostmaps_freep) CliHostMaps hosts = { 0 };
	_cleanup_(cli_local_clear) CliLocal local = { 0 };
	_cleanup_free_ char *xml = NULL;
	CliDomainArgs a = { 0 };
	const MmHostMap *const *maps;
	bool define = false;
	size_t len, n;
	int c, r;

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
	if ((r = cli_domain_args_check("plan", &a)) != EXIT_OK)
		return r;
	if (optind < argc &&
	    (r = cli_load_hostmaps(argv + optind, (size_t)(argc - optind), &hosts)) != EXIT_OK)
		return r;
	const char *file = a.domain ? a.domain : a.name;
	if ((r = cli_read_domain_xml(a.domain, a.name, a.uri, true, &xml, &len)) != EXIT_OK)
		return r;
	/* the QEMU that runs it, as check finds it (docs/design.md §6): the
	 * libvirt connection's, else libvirt's cache below the sysroot when
	 * judging against this host, else unknown (the newest, said) */
	unsigned long qemu = cli_virt_qemu_version();
	if (optind < argc) {
		maps = (const MmHostMap *const *)hosts.maps;
		n = hosts.n;
	} else {
		/* no HOST.xml: this host and the domain's pool, as the hook */
		_cleanup_(mm_domain_freep) MmDomain *d = NULL;
		MmError err = { 0 };
		if (mm_domain_parse_xml(xml, len, file, &d, &err) < 0)
			return cli_fail_error(&err);
		if ((r = cli_local_maps("plan", d, &local)) != EXIT_OK)
			return r;
		maps = local.maps;
		n = local.n;
		d->qemu_version = qemu;
		if (mm_qemu_caps_fill_domain(d, local.config.sysroot, NULL) == -ENOMEM)
			return cli_fail("plan: out of memory");
		qemu = d->qemu_version;
	}

	_cleanup_(mm_plan_freep) MmPlan *plan = NULL;
	MmError err = { 0 };
	r = mm_plan_domain_qemu(xml, len, file, qemu, maps, n, &plan, &err);
	if (r < 0) {
		char buf[1024];
		cli_fail("%s", mm_error_format(&err, buf, sizeof(buf)));
		return r == -ENOSPC ? EXIT_VERDICT : EXIT_USAGE;
	}
	_cleanup_free_ char *text = NULL;
	if (define && plan->changed) {
		if ((r = cli_virt_define(a.uri ? a.uri : CLI_DEFAULT_URI, plan->domain_xml,
					 &plan->defined)) != EXIT_OK)
			return r;
		fprintf(stderr, "migmap: defined domain '%s' with the planned layout\n",
			plan->defined);
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
