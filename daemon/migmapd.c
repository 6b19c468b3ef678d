/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmapd: serves this host's memory map and the pools' maps on the system
 * bus (org.migmap.Migmap1), keeping them in its state directory. Runs under
 * systemd (Type=notify) or in the foreground for tests. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macros.h"
#include "manager.h"

static void help(void)
{
	printf("Usage: migmapd [OPTIONS]\n"
	       "\n"
	       "Serve this host's memory map and the pool maps on the system bus as\n"
	       "org.migmap.Migmap1, keeping them in the state directory.\n"
	       "\n"
	       "  --sysroot DIR    read /proc and /sys below DIR (default /)\n"
	       "  --state-dir DIR  where host and pool maps are kept (default %s)\n"
	       "  --name NAME      this host's name in its map (default: its hostname)\n"
	       "  --config FILE    settings file (default %s)\n"
	       "  --libvirt-uri URI  the libvirt to follow (default qemu:///system; none)\n"
	       "  -h, --help       show this help\n"
	       "  -V, --version    show the version\n",
	       MM_STATE_DIR, MM_CONFIG_FILE);
}

static int replace(char **slot, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sysroot", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "libvirt-uri", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	const char *sysroot = NULL, *state_dir = NULL, *name = NULL, *config = NULL;
	const char *libvirt_uri = NULL;
	_cleanup_(manager_freep) Manager *m = NULL;
	MmError err = { 0 };
	char buf[1024];
	int c, r;

	log_setup();
	while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
		switch (c) {
		case 's':
			sysroot = optarg;
			break;
		case 'd':
			state_dir = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'L':
			libvirt_uri = optarg;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		case 'V':
			puts("migmapd " PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			fputs("Try 'migmapd --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (name && !mm_name_valid(name)) {
		log_error("--name '%s' is not a valid host name", name);
		return 2;
	}

	m = manager_new();
	if (!m)
		return EXIT_FAILURE;
	/* The default file may be absent; one given explicitly may not. */
	r = mm_config_load(config ? config : MM_CONFIG_FILE, &m->config, &err);
	if (r < 0 && (config || r != -ENOENT)) {
		log_warning("%s", mm_error_format(&err, buf, sizeof(buf)));
		return 2;
	}
	if ((sysroot && replace(&m->config.sysroot, sysroot) < 0) ||
	    (state_dir && replace(&m->config.state_dir, state_dir) < 0) ||
	    (name && replace(&m->config.name, name) < 0) ||
	    (libvirt_uri && replace(&m->config.libvirt_uri, libvirt_uri) < 0) ||
	    (!m->config.state_dir && replace(&m->config.state_dir, MM_STATE_DIR) < 0))
		return EXIT_FAILURE;

	r = manager_start(m);
	if (r < 0)
		return EXIT_FAILURE;
	/* manager_run() says what failed, in one line */
	r = manager_run(m);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
