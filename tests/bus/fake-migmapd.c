/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for migmapd that answers CheckDomain wrongly, so the hook's
 * handling of an answer it cannot use is tested (tests/bus/hook-decisions.sh),
 * or serves a host map no migmapd would, so a pool's handling of a remote
 * member's map is tested (tests/bus/remote.sh):
 *
 *   fake-migmapd ADDRESS badjson        CheckDomain returns (false, "not JSON")
 *   fake-migmapd ADDRESS badtype        CheckDomain returns a lone string
 *   fake-migmapd ADDRESS hostmap FILE   GetHostMap returns FILE's text
 *
 * It owns migmapd's name on the bus at ADDRESS and serves until killed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus-names.h"

static const char *mode;
static char hostmap[1 << 20];

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	if (strcmp(mode, "hostmap") == 0)
		return sd_bus_message_is_method_call(m, MM_BUS_INTERFACE, "GetHostMap")
			       ? sd_bus_reply_method_return(m, "s", hostmap)
			       : 0;
	if (!sd_bus_message_is_method_call(m, MM_BUS_INTERFACE, "CheckDomain"))
		return 0;
	if (strcmp(mode, "badjson") == 0)
		return sd_bus_reply_method_return(m, "bs", 0, "not JSON");
	return sd_bus_reply_method_return(m, "s", "a lone string");
}

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	sd_bus_slot *slot = NULL;
	int r;

	if (argc == 4 && strcmp(argv[2], "hostmap") == 0) {
		FILE *f = fopen(argv[3], "r");
		size_t n = f ? fread(hostmap, 1, sizeof(hostmap) - 1, f) : 0;
		if (!f || ferror(f) || !feof(f)) {
			fprintf(stderr, "fake-migmapd: %s: cannot read it whole\n", argv[3]);
			return 1;
		}
		fclose(f);
		hostmap[n] = '\0';
	} else if (argc != 3 ||
		   (strcmp(argv[2], "badjson") != 0 && strcmp(argv[2], "badtype") != 0)) {
		fprintf(stderr, "usage: fake-migmapd ADDRESS badjson|badtype|hostmap FILE\n");
		return 2;
	}
	mode = argv[2];
	if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_address(bus, argv[1])) < 0 ||
	    (r = sd_bus_set_bus_client(bus, 1)) < 0 || (r = sd_bus_start(bus)) < 0 ||
	    (r = sd_bus_add_object(bus, &slot, MM_BUS_PATH, on_call, NULL)) < 0 ||
	    (r = sd_bus_request_name(bus, MM_BUS_NAME, 0)) < 0) {
		fprintf(stderr, "fake-migmapd: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r == 0)
			r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0) {
			fprintf(stderr, "fake-migmapd: %s\n", strerror(-r));
			return 1;
		}
	}
}
