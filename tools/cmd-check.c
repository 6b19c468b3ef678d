/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap check: a domain against one host map or a pool of them. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

void cmd_check_help(FILE *f)
{
	fputs("Usage: migmap check --domain FILE | --name NAME [-c URI] [--json] [HOST.xml...]\n"
	      "\n"
	      "Check a libvirt domain's guest memory map, as QEMU lays it out for its machine\n"
	      "type, against one host map or a pool of them. Guest RAM or device memory that\n"
	      "meets a reserved range (msi, reserved, direct) or runs above the address limit\n"
	      "is an error; direct-relaxable ranges and PCI windows (peer-to-peer) are warnings.\n"
	      "Without HOST.xml files: against this host (its stored map, else a probe) and\n"
	      "the pool the domain's migmap metadata names, as the hook checks a start.\n"
	      "\n"
	      "  --domain FILE  the domain XML (as 'virsh dumpxml' prints it; - for stdin);\n"
	      "                 with -c, the name of a libvirt domain when no such file exists\n"
	      "  --name NAME    the libvirt domain NAME\n"
	      "  -c, --connect URI  the libvirt to look NAME up in (default " CLI_DEFAULT_URI ")\n"
	      "  --json         print JSON instead of one line per conflict\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n"
	      "\n"
	      "Exit status: 0 no errors, 1 errors found, 2 bad usage or input.\n",
	      f);
}

int cli_load_domain(const char *path, MmDomain **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	MmError err = { 0 };
	int r = cli_read_file(path, 16u << 20, &text, &len);
	if (r == -EFBIG)
		return cli_fail("%s: larger than 16 MiB", path);
	if (r < 0)
		return cli_fail("%s: %s", path, strerror(-r));
	if (mm_domain_parse_xml(text, len, path, ret, &err) < 0)
		return cli_fail_error(&err);
	return EXIT_OK;
}

static int print_report(const MmCheckReport *r, size_t n_hosts)
{
	bool colour = cli_colour(stdout);
	for (size_t i = 0; i < r->n_warnings; i++)
		printf("warning: %s\n", r->warnings[i]);
	for (size_t i = 0; i < r->n_conflicts; i++) {
		bool error = r->conflicts[i].severity == MM_SEVERITY_ERROR;
		printf("%s%s:%s %s\n", colour ? (error ? "\033[1;31m" : "\033[33m") : "",
		       error ? "error" : "warning", colour ? "\033[0m" : "",
		       r->conflicts[i].message);
	}
	size_t errors = 0;
	for (size_t i = 0; i < r->n_conflicts; i++)
		errors += r->conflicts[i].severity == MM_SEVERITY_ERROR;
	printf("%s: %zu error%s, %zu warning%s on %zu host%s (%s)\n", r->ok ? "ok" : "conflict",
	       errors, errors == 1 ? "" : "s", r->n_conflicts - errors,
	       r->n_conflicts - errors == 1 ? "" : "s", n_hosts, n_hosts == 1 ? "" : "s",
	       r->machine ? r->machine : "?");
	return fflush(stdout) == 0 ? EXIT_OK : cli_fail("cannot write output: %s", strerror(errno));
}

int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		CLI_DOMAIN_OPTIONS,
		CLI_COMMON_OPTIONS,
		{},
	};
	_cleanup_(cli_hostmaps_freep) CliHostMaps hosts = { 0 };
	_cleanup_(cli_local_clear) CliLocal local = { 0 };
	_cleanup_(mm_domain_freep) MmDomain *domain = NULL;
	CliDomainArgs a = { 0 };
	const MmHostMap *const *maps;
	size_t n;
	int c, r;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING "c:", options, NULL)) != -1) {
		if (cli_domain_option(c, &a))
			continue;
		switch (c) {
		default:
			return cli_common_option("check", c, argv, cmd_check_help);
		}
	}
	if ((r = cli_domain_args_check("check", &a)) != EXIT_OK)
		return r;
	if (optind < argc &&
	    (r = cli_load_hostmaps(argv + optind, (size_t)(argc - optind), &hosts)) != EXIT_OK)
		return r;
	if ((r = cli_load_domain_from(a.domain, a.name, a.uri, &domain)) != EXIT_OK)
		return r;
	if (optind < argc) {
		maps = (const MmHostMap *const *)hosts.maps;
		n = hosts.n;
	} else {
		/* no HOST.xml: this host and the domain's pool, as the hook */
		if ((r = cli_local_maps("check", domain, &local)) != EXIT_OK)
			return r;
		maps = local.maps;
		n = local.n;
		/* and, as the hook, the QEMU version libvirt recorded below the
		 * configured sysroot (docs/design.md §6) */
		if (mm_qemu_caps_fill_domain(domain, local.config.sysroot, NULL) == -ENOMEM)
			return cli_fail("check: out of memory");
	}

	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	MmError err = { 0 };
	if (mm_check_domain(domain, maps, n, &report, &err) < 0) {
		char buf[1024];
		return cli_fail("check: %s", mm_error_format(&err, buf, sizeof(buf)));
	}
	if (local.pool && mm_state_add_stale_warnings(local.state, local.pool, report) < 0)
		return cli_fail("check: out of memory");
	if (a.json) {
		_cleanup_free_ char *text = NULL;
		if (mm_check_report_format_json(report, &text) < 0)
			return cli_fail("check: out of memory");
		r = cli_print(text);
	} else
		r = print_report(report, n);
	if (r != EXIT_OK)
		return r;
	return report->ok ? EXIT_OK : EXIT_VERDICT;
}
