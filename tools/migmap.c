/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap: the command-line client. Parses the command word and hands the
 * rest to the subcommand's file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

const char *cli_state_dir;
const char *cli_config_file;

static const Command commands[] = {
	{ "host", "print this host's memory map", cmd_host, cmd_host_help },
	{ "baseline", "print the pool map of a set of host maps", cmd_baseline, cmd_baseline_help },
	{ "check", "check a domain against a host or a pool", cmd_check, cmd_check_help },
	{ "plan", "propose a domain memory layout valid on every host", cmd_plan, cmd_plan_help },
	{ "show", "draw the address space of hosts and a guest", cmd_show, cmd_show_help },
	{ "pool", "manage migration pools (through migmapd when it runs)", cmd_pool,
	  cmd_pool_help },
	{ "layout", "print where QEMU puts a domain's guest regions", cmd_layout, cmd_layout_help },
};

static void usage(FILE *f)
{
	fputs("Usage: migmap [--help] [--version] [--config FILE] [--state-dir DIR] COMMAND "
	      "[OPTIONS]\n"
	      "\n"
	      "Memory maps of VFIO hosts and the guest maps valid on a whole migration pool.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n  --config FILE    the settings file (default: $MIGMAP_CONFIG, "
	      "else " MM_CONFIG_FILE ")\n"
	      "  --state-dir DIR  the pools' state directory, not through migmapd\n"
	      "\nRun 'migmap COMMAND --help' for a command's options.\n"
	      "Exit status: 0 success, 1 a negative answer (conflicts), 2 bad usage or input.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'C' },
		{},
	};
	int c;

	/* every option error is printed by migmap, "migmap: ..." (cli.h) */
	opterr = 0;
	/* '+': stop at the command word; its options are its own. */
	while ((c = getopt_long(argc, argv, "+:hV", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			puts(PACKAGE_STRING);
			return EXIT_OK;
		case 'S':
			cli_state_dir = optarg;
			break;
		case 'C':
			cli_config_file = optarg;
			break;
		default:
			return cli_option_error(NULL, c, argv);
		}
	}
	/* as for migmap-hook and migmapd: the environment names the file too */
	if (!cli_config_file) {
		const char *env = getenv("MIGMAP_CONFIG");
		if (env && *env)
			cli_config_file = env;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	int first = optind;
	const char *name = argv[first];
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (strcmp(name, commands[i].name) == 0) {
			optind = 0; /* a full reset: the command parses its own argv */
			return commands[i].run(argc - first, argv + first);
		}
	return cli_fail("unknown command '%s' (see 'migmap --help')", name);
}
