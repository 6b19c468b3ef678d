/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap host: probe this host (or a sysroot) and print its map. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

void cmd_host_help(FILE *f)
{
	fputs("Usage: migmap host [--sysroot DIR] [--name NAME] [--json | --table]\n"
	      "                   [--iommufd] [--save-iommufd FILE]\n"
	      "\n"
	      "Print this host's memory map: reserved IOVA ranges per type with their IOMMU\n"
	      "groups and devices, MSI controllers and their doorbells from the device tree or\n"
	      "ACPI, address limits (CPU, IOMMU, KVM) and where each was read, RAM, PCI\n"
	      "windows, and warnings; as a libvirt host capabilities fragment (XML), JSON,\n"
	      "or a table.\n"
	      "\n"
	      "  --sysroot DIR  read /proc and /sys below DIR instead of / (default: the\n"
	      "                 settings file's sysroot, else /)\n"
	      "  --name NAME    the host's name in the map (default: the settings file's\n"
	      "                 name, else the hostname), as migmapd and the hook name it\n"
	      "  --json         print JSON instead of XML\n"
	      "  --table        print a table for people instead of XML\n"
	      "  --iommufd      also ask this host's iommufd about devices bound to vfio-pci\n"
	      "                 (binding one resets it): the map takes its answers\n"
	      "  --save-iommufd FILE\n"
	      "                 also write what this host's iommufd says about devices\n"
	      "                 bound to vfio-pci to FILE, as a capture's iommufd.txt\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n",
	      f);
}

int cmd_host(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sysroot", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "table", no_argument, NULL, 't' },
		{ "save-iommufd", required_argument, NULL, 'S' },
		{ "iommufd", no_argument, NULL, 'I' },
		CLI_COMMON_OPTIONS,
		{},
	};
	MmProbeOptions opts = { 0 };
	bool json = false, table = false;
	const char *save_iommufd = NULL;
	int c;

	while ((c = getopt_long(argc, argv, CLI_OPTSTRING, options, NULL)) != -1) {
		switch (c) {
		case 's':
			opts.sysroot = optarg;
			break;
		case 'n':
			if (!*optarg)
				return cli_fail("host: --name must not be empty");
			opts.name = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			table = true;
			break;
		case 'S':
			save_iommufd = optarg;
			break;
		case 'I':
			opts.ask_iommufd = true;
			break;
		default:
			return cli_common_option("host", c, argv, cmd_host_help);
		}
	}
	if (optind < argc)
		return cli_fail("host: unexpected argument '%s'", argv[optind]);
	if (json && table)
		return cli_fail("host: --json and --table exclude each other");

	/* what migmapd and the hook probe, with the same name: the settings
	 * file's sysroot and name, unless given here (--config FILE or
	 * $MIGMAP_CONFIG must exist; the installed file may be absent) */
	_cleanup_(mm_config_clear) MmConfig config = { 0 };
	MmError err = { 0 };
	int k = mm_config_load(cli_config_file ? cli_config_file : MM_CONFIG_FILE, &config, &err);
	if (k < 0 && !(k == -ENOENT && !cli_config_file))
		return cli_fail_error(&err);
	if (!opts.sysroot)
		opts.sysroot = config.sysroot;
	if (!opts.name)
		opts.name = config.name;
	/* iommufd answers for this host only: a sysroot is a capture */
	if (opts.ask_iommufd && opts.sysroot && strcmp(opts.sysroot, "/") != 0)
		return cli_fail("host: --iommufd asks this host's iommufd: it cannot be used "
				"with --sysroot");
	if (save_iommufd) {
		if (opts.sysroot && strcmp(opts.sysroot, "/") != 0)
			return cli_fail("host: --save-iommufd asks this host's iommufd: it "
					"cannot be used with --sysroot");
		_cleanup_free_ char *lines = NULL;
		if (mm_hostmap_query_iommufd(&lines, &err) < 0)
			return cli_fail_error(&err);
		int r = cli_write_file(save_iommufd, lines);
		if (r < 0)
			return cli_fail("host: %s: cannot write: %s", save_iommufd, strerror(-r));
	}

	_cleanup_(mm_hostmap_freep) MmHostMap *map = NULL;
	if (mm_hostmap_probe(&opts, &map, &err) < 0)
		return cli_fail_error(&err);

	_cleanup_free_ char *text = NULL;
	int r = json    ? mm_hostmap_format_json(map, &text)
		: table ? mm_hostmap_format_table(map, &text)
			: mm_hostmap_format_xml(map, &text);
	if (r < 0)
		return cli_fail("host: cannot format the map: out of memory");
	/* the map says so in a <warning>, which people piping XML do not read */
	if (map->n_iommu_groups == 0)
		fprintf(stderr,
			"migmap: host: warning: %s has no IOMMU groups: it cannot assign devices\n",
			map->name ? map->name : "this host");
	return cli_print(text);
}
