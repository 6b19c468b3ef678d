/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap show: a picture of the address space of hosts (and a guest). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "macros.h"

void cmd_show_help(FILE *f)
{
	fputs("Usage: migmap show [--svg FILE] [--domain D.xml] [--json] HOST.xml...\n"
	      "\n"
	      "Draw the address space: one lane per host with its reserved ranges by type,\n"
	      "the pool's forbidden ranges, and the guest's regions with conflicts marked.\n"
	      "Small ranges stay visible: widths grow with the logarithm of a stretch's size\n"
	      "and empty stretches are drawn as breaks. Text lanes on the terminal (coloured\n"
	      "unless NO_COLOR is set or the output is not a terminal).\n"
	      "\n"
	      "  --svg FILE     also write a standalone SVG picture to FILE (-: only\n"
	      "                 the picture, on stdout)\n"
	      "  --domain FILE  a libvirt domain whose guest regions to draw\n"
	      "  --json         print the lanes and ranges as JSON instead of text\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n",
	      f);
}

int cmd_show(int argc, char **argv)
{
	static const struct option options[] = {
		{ "svg", required_argument, NULL, 's' },
		{ "domain", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTIONS,
		{},
	};
	const char *svg = NULL, *domain_path = NULL;
	bool json = false;
	int c, r;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING, options, NULL)) != -1) {
		switch (c) {
		case 's':
			svg = optarg;
			break;
		case 'd':
			domain_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_common_option("show", c, argv, cmd_show_help);
		}
	}
	if (optind >= argc)
		return cli_fail("show: no host maps given (see 'migmap show --help')");
	if (svg && json && strcmp(svg, "-") == 0)
		return cli_fail("show: --svg - and --json both want stdout");

	_cleanup_(cli_hostmaps_freep) CliHostMaps hosts = { 0 };
	if ((r = cli_load_hostmaps(argv + optind, (size_t)(argc - optind), &hosts)) != EXIT_OK)
		return r;
	_cleanup_(mm_domain_freep) MmDomain *domain = NULL;
	_cleanup_(mm_layout_freep) MmGuestLayout *layout = NULL;
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	MmError err = { 0 };
	char buf[1024];
	const MmHostMap *const *maps = (const MmHostMap *const *)hosts.maps;
	if (domain_path) {
		if ((r = cli_load_domain(domain_path, &domain)) != EXIT_OK)
			return r;
		if (!domain->kvm_ipa_bits)
			domain->kvm_ipa_bits = mm_check_kvm_ipa_bits(maps, hosts.n);
		if (mm_layout_compute(domain, &layout, &err) < 0 ||
		    mm_check_layout(layout, domain, maps, hosts.n, &report, &err) < 0)
			return cli_fail("show: %s", mm_error_format(&err, buf, sizeof(buf)));
	}
	_cleanup_(mm_picture_freep) MmPicture *pic = NULL;
	if (mm_picture_build(maps, hosts.n, layout, report, &pic, &err) < 0)
		return cli_fail("show: %s", mm_error_format(&err, buf, sizeof(buf)));
	if (domain && mm_picture_set_names(pic, NULL, domain->name) < 0)
		return cli_fail("show: out of memory");

	_cleanup_free_ char *text = NULL;
	if (svg) {
		if (mm_picture_format_svg(pic, &text) < 0)
			return cli_fail("show: out of memory");
		/* "-": the picture alone on stdout, as every file argument takes */
		if (strcmp(svg, "-") == 0)
			return cli_print(text);
		if ((r = cli_write_file(svg, text)) < 0)
			return cli_fail("show: %s: %s", svg, strerror(-r));
		free(TAKE_PTR(text));
	}
	if (json)
		r = mm_picture_format_json(pic, &text);
	else {
		struct winsize ws;
		unsigned columns = 100;
		bool tty = isatty(STDOUT_FILENO);
		if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
			columns = ws.ws_col;
		r = mm_picture_format_text(pic, columns, cli_colour(stdout), &text);
	}
	if (r < 0)
		return cli_fail("show: out of memory");
	return cli_print(text);
}
