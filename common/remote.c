/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fetching a host map from a remote migmapd: one short-lived sd-bus client
 * connection per fetch, to an address migmap builds itself from what the
 * member was named by (see remote_address_resolve()). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "macros.h"
#include "remote.h"
#include "strv.h"

/* USER of ssh:USER@HOST: a login name as useradd(8) accepts one. */
static bool ssh_user_valid(const char *s, size_t n)
{
	if (n == 0 || n > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* HOST of ssh:HOST: a DNS name or an IPv4 address (letters, digits, dots,
 * hyphens, not starting with either), or an IPv6 address in brackets. */
static bool ssh_host_valid(const char *s, size_t n, bool bracketed)
{
	if (n == 0 || n > 253)
		return false;
	if (bracketed) {
		for (size_t i = 0; i < n; i++)
			if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
				return false;
		return true;
	}
	if (s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* Appends ",argvN=VALUE" with VALUE escaped as sd-bus address values are:
 * every byte outside [A-Za-z0-9_./-] as %XX. */
static int append_argv(char **buf, size_t *len, unsigned n, const char *value)
{
	size_t need = *len + 16 + 3 * strlen(value) + 1;
	char *p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*len += (size_t)sprintf(p + *len, ",argv%u=", n);
	for (const char *c = value; *c; c++) {
		if (isalnum((unsigned char)*c) || strchr("_./-", *c))
			p[(*len)++] = *c;
		else
			*len += (size_t)sprintf(p + *len, "%%%02x", (unsigned char)*c);
	}
	p[*len] = '\0';
	return 0;
}

/* The fixed command line migmapd runs for ssh:[USER@]HOST[:PORT]. */
static int ssh_address(const char *spec, const char *log_path, char **ret, MmError *err)
{
	_cleanup_free_ char *user = NULL, *hostname = NULL, *buf = NULL;
	const char *at = strchr(spec, '@'), *host = at ? at + 1 : spec, *port = NULL;
	size_t host_len;
	bool bracketed = host[0] == '[';
	char port_buf[8] = "";

	if (bracketed) {
		const char *close = strchr(host, ']');
		if (!close)
			goto bad;
		host++;
		host_len = (size_t)(close - host);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			goto bad;
	} else {
		const char *colon = strchr(host, ':');
		host_len = colon ? (size_t)(colon - host) : strlen(host);
		port = colon ? colon + 1 : NULL;
	}
	if ((at && !ssh_user_valid(spec, (size_t)(at - spec))) ||
	    !ssh_host_valid(host, host_len, bracketed))
		goto bad;
	if (port) {
		uint64_t v;
		if (mm_parse_u64(port, &v) < 0 || v == 0 || v > 65535 || port[0] == '0' ||
		    port[0] == '+')
			goto bad;
		snprintf(port_buf, sizeof(port_buf), "%u", (unsigned)v);
	}

	user = at ? strndup(spec, (size_t)(at - spec)) : NULL;
	hostname = strndup(host, host_len);
	buf = strdup("unixexec:path=ssh");
	if (!hostname || !buf || (at && !user))
		return -ENOMEM;
	size_t len = strlen(buf);
	const char *argv[16];
	unsigned n = 0;
	argv[n++] = "-xT";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (port) {
		argv[n++] = "-p";
		argv[n++] = port_buf;
	}
	if (user) {
		argv[n++] = "-l";
		argv[n++] = user;
	}
	if (log_path) {
		/* ssh's own messages ("Could not resolve hostname …") to a file
		 * the caller reads back, not to migmapd's stderr only */
		argv[n++] = "-E";
		argv[n++] = log_path;
	}
	argv[n++] = "--";
	argv[n++] = hostname;
	argv[n++] = "systemd-stdio-bridge";
	for (unsigned i = 0; i < n; i++)
		if (append_argv(&buf, &len, i + 1, argv[i]) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
bad:
	mm_error_set(err, NULL, 0,
		     "bad member 'ssh:%.80s': expected ssh:[USER@]HOST[:PORT] with a host name, an "
		     "IPv4 address or an [IPv6] address",
		     spec);
	return -EINVAL;
}

int remote_address_resolve(const char *spec, bool privileged, char **ret, MmError *err)
{
	return remote_address_resolve_logged(spec, privileged, NULL, ret, err);
}

int remote_address_resolve_logged(const char *spec, bool privileged, const char *log_path,
				  char **ret, MmError *err)
{
	if (!spec || !*spec) {
		mm_error_set(err, NULL, 0, "empty member address");
		return -EINVAL;
	}
	if (strncmp(spec, "ssh:", 4) == 0)
		return ssh_address(spec + 4, log_path, ret, err);
	/* One local socket: no transport that runs a program, no list of
	 * alternatives (';'), no further keys (','). */
	if (strncmp(spec, "unix:path=/", 11) == 0 && !strpbrk(spec, ",;")) {
		*ret = strdup(spec);
		return *ret ? 0 : -ENOMEM;
	}
	/* Any other sd-bus address (unixexec: runs a program as migmapd's user)
	 * only for root, who could run that program anyway. */
	if (!privileged) {
		mm_error_set(err, NULL, 0,
			     "member address '%.80s' may be used by root only: name the member "
			     "ssh:[USER@]HOST[:PORT] or unix:path=/SOCKET",
			     spec);
		return -EPERM;
	}
	*ret = strdup(spec);
	return *ret ? 0 : -ENOMEM;
}

int remote_open(const char *spec, bool privileged, sd_event *event, const char *log_path,
		sd_bus **ret, MmError *err)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_free_ char *address = NULL;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	r = remote_address_resolve_logged(spec, privileged, log_path, &address, err);
	if (r < 0)
		return r;
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, true);
	if (r < 0) {
		mm_error_set(err, spec, 0, "bad bus address: %s", strerror(-r));
		return r;
	}
	/* Attached first: the handshake then runs on the loop, and a member
	 * that never answers costs nothing but its timeout. Below the
	 * daemon's own bus in priority: when many members answer at once
	 * (each answer a state write), a client's call still goes first. */
	r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL + 10);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		mm_error_set(err, spec, 0, "cannot connect: %s", strerror(-r));
		return r;
	}
	*ret = TAKE_PTR(bus);
	return 0;
}

int remote_import_pool(const char *spec, bool privileged, uint64_t timeout_usec, const char *pool,
		       uint64_t generation, const char *document, MmError *err)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_event_unrefp) sd_event *event = NULL;
	int r = sd_event_new(&event);
	if (r < 0) {
		mm_error_set(err, spec, 0, "cannot allocate an event loop: %s", strerror(-r));
		return r;
	}
	r = remote_open(spec, privileged, event, NULL, &bus, err);
	if (r < 0)
		return r;
	(void)sd_bus_set_method_call_timeout(bus, timeout_usec);
	r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE, "ImportPool",
			       &error, NULL, "sts", pool, generation, document);
	if (r < 0)
		mm_error_set(err, spec, 0, "ImportPool failed: %s",
			     error.message ? error.message : strerror(-r));
	return r;
}

int remote_fetch_hostmap(const char *spec, bool privileged, uint64_t timeout_usec, MmHostMap **ret,
			 MmError *err)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *address = NULL;
	const char *xml;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	r = remote_address_resolve(spec, privileged, &address, err);
	if (r < 0)
		return r;
	r = sd_bus_new(&bus);
	if (r < 0) {
		mm_error_set(err, spec, 0, "cannot allocate a bus: %s", strerror(-r));
		return r;
	}
	r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, true);
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(bus, timeout_usec);
	if (r < 0) {
		mm_error_set(err, spec, 0, "bad bus address: %s", strerror(-r));
		return r;
	}
	r = sd_bus_start(bus);
	if (r < 0) {
		mm_error_set(err, spec, 0, "cannot connect: %s", strerror(-r));
		return r;
	}
	r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE, "GetHostMap",
			       &error, &reply, "s", "xml");
	if (r < 0) {
		mm_error_set(err, spec, 0, "GetHostMap failed: %s",
			     error.message ? error.message : strerror(-r));
		return r;
	}
	r = sd_bus_message_read(reply, "s", &xml);
	if (r < 0) {
		mm_error_set(err, spec, 0, "bad answer to GetHostMap: %s", strerror(-r));
		return r;
	}
	return mm_hostmap_parse_xml(xml, strlen(xml), spec, ret, err);
}

int remote_refresh_pool(MmState *s, const char *pool, bool privileged, uint64_t timeout_usec,
			const RemoteRefreshOps *ops, void *userdata, MmError *err)
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
		MmError fetch_err = { 0 };
		if (ops && ops->progress)
			ops->progress(i, n, names[i], userdata);
		r = remote_fetch_hostmap(addresses[i], privileged, timeout_usec, &map, &fetch_err);
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
		if (r >= 0 && ops && ops->fresh)
			ops->fresh(names[i], userdata);
		if (r < 0) {
			if (ops && ops->stale)
				ops->stale(names[i], &fetch_err, userdata);
			r = mm_state_mark_stale(s, pool, names[i], err);
			if (r < 0)
				goto out;
		}
	}
	if (ops && ops->progress)
		ops->progress(n, n, NULL, userdata);
	r = (int)n;
out:
	if (r == -ENOMEM)
		mm_error_set(err, NULL, 0, "out of memory");
	mm_strv_free(names, n);
	mm_strv_free(addresses, n);
	return r;
}
