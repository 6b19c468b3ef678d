/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap baseline: the pool map of a set of host map files. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

void cmd_baseline_help(FILE *f)
{
	fputs("Usage: migmap baseline [--name POOL] [--json] HOST.xml...\n"
	      "\n"
	      "Print the pool map of the given host maps: the ranges forbidden on some host\n"
	      "(with the hosts behind each), the smallest address limit, and the ranges\n"
	      "usable on every host. The order of the files does not matter.\n"
	      "\n"
	      "  --name POOL  the pool's name in the map (default: pool)\n"
	      "  --json       print JSON instead of XML\n"
	      "  -h, --help   show this help\n"
	      "  --version    print the version\n",
	      f);
}

int cmd_baseline(int argc, char **argv)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTIONS,
		{},
	};
	const char *name = "pool";
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING, options, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_common_option("baseline", c, argv, cmd_baseline_help);
		}
	}
	if (optind >= argc)
		return cli_fail("baseline: no host maps given (see 'migmap baseline --help')");

	_cleanup_(cli_hostmaps_freep) CliHostMaps hosts = { 0 };
	int r = cli_load_hostmaps(argv + optind, (size_t)(argc - optind), &hosts);
	if (r != EXIT_OK)
		return r;

	_cleanup_(mm_poolmap_freep) MmPoolMap *pool = NULL;
	MmError err = { 0 };
	if (mm_pool_baseline(name, (const MmHostMap *const *)hosts.maps, hosts.n, &pool, &err) < 0)
		return cli_fail("baseline: %s", err.message);

	_cleanup_free_ char *text = NULL;
	r = json ? mm_poolmap_format_json(pool, &text) : mm_poolmap_format_xml(pool, &text);
	if (r < 0)
		return cli_fail("baseline: cannot format the map: out of memory");
	return cli_print(text);
}
