/* Fetching a host map from a remote migmapd: one short-lived sd-bus client
 * connection per fetch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "macros.h"
#include "remote.h"
#include "strv.h"

int remote_fetch_hostmap(const char *address, uint64_t timeout_usec, sd_bus *self,
			 MmHostMap **ret, MmError *err)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *xml;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!address || !*address) {
		mm_error_set(err, NULL, 0, "empty bus address");
		return -EINVAL;
	}
	r = sd_bus_new(&bus);
	if (r < 0) {
		mm_error_set(err, address, 0, "cannot allocate a bus: %s", strerror(-r));
		return r;
	}
	r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, true);
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(bus, timeout_usec);
	if (r < 0) {
		mm_error_set(err, address, 0, "bad bus address: %s", strerror(-r));
		return r;
	}
	r = sd_bus_start(bus);
	if (r < 0) {
		mm_error_set(err, address, 0, "cannot connect: %s", strerror(-r));
		return r;
	}
	sd_id128_t ours, theirs;
	if (self && sd_bus_get_bus_id(self, &ours) >= 0 && sd_bus_get_bus_id(bus, &theirs) >= 0 &&
	    sd_id128_equal(ours, theirs)) {
		mm_error_set(err, address, 0,
			     "this is this migmapd's own bus: add this host with its map instead");
		return -ELOOP;
	}
	r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE, "GetHostMap",
			       &error, &reply, "s", "xml");
	if (r < 0) {
		mm_error_set(err, address, 0, "GetHostMap failed: %s",
			     error.message ? error.message : strerror(-r));
		return r;
	}
	r = sd_bus_message_read(reply, "s", &xml);
	if (r < 0) {
		mm_error_set(err, address, 0, "bad answer to GetHostMap: %s", strerror(-r));
		return r;
	}
	return mm_hostmap_parse_xml(xml, strlen(xml), address, ret, err);
}

int remote_refresh_pool(MmState *s, const char *pool, sd_bus *self, const char *prog,
			RemoteProgress progress, void *userdata, MmError *err)
{
	const MmStatePool *p = mm_state_find_pool(s, pool);
	char **names = NULL, **addresses = NULL;
	size_t n = 0;
	int r = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!mm_state_name_valid(pool)) {
		mm_error_set(err, NULL, 0, "invalid pool name '%.64s'", pool);
		return -EINVAL;
	}
	if (!p) {
		mm_error_set(err, NULL, 0, "no pool '%s'", pool);
		return -ENOENT;
	}
	/* Copy the remote members out: storing a member reallocates them. */
	names = calloc(p->n_members + 1, sizeof(char *));
	addresses = calloc(p->n_members + 1, sizeof(char *));
	if (!names || !addresses) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p->n_members; i++) {
		if (!p->members[i].address)
			continue;
		n++;
		if (!(names[n - 1] = strdup(p->members[i].name)) ||
		    !(addresses[n - 1] = strdup(p->members[i].address))) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_(mm_hostmap_freep) MmHostMap *map = NULL;
		MmError fetch_err = {0};
		char buf[1024];
		if (progress)
			progress(i, n, names[i], userdata);
		r = remote_fetch_hostmap(addresses[i], REMOTE_TIMEOUT_USEC, self, &map, &fetch_err);
		if (r >= 0) {
			/* The member keeps its name even if the host renamed itself. */
			free(map->name);
			if (!(map->name = strdup(names[i]))) {
				r = -ENOMEM;
				goto out;
			}
			r = mm_state_add_member(s, pool, map, addresses[i], true, &fetch_err);
		}
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			fprintf(stderr, "%s: pool %s: host %s is stale: %s\n", prog, pool, names[i],
				mm_error_format(&fetch_err, buf, sizeof(buf)));
			r = mm_state_mark_stale(s, pool, names[i], err);
			if (r < 0)
				goto out;
		}
	}
	if (progress)
		progress(n, n, NULL, userdata);
	r = (int)n;
out:
	if (r == -ENOMEM)
		mm_error_set(err, NULL, 0, "out of memory");
	mm_strv_free(names, n);
	mm_strv_free(addresses, n);
	return r;
}
