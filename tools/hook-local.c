/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap-hook without migmapd: the configuration, the state directory
 * (this host's stored map and the pools' member maps), the QEMU version
 * from libvirt's capabilities cache below the sysroot and, only when no
 * host map is stored, a probe of the sysroot. Reads, never writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hook.h"
#include "macros.h"

void hook_local_clear(HookLocal *l)
{
	mm_config_clear(&l->config);
	mm_state_free(l->state);
	mm_hostmap_free(l->host);
	memset(l, 0, sizeof(*l));
}

int hook_local_load(HookLocal *l, const char *config_path, HookVerdict *v)
{
	MmError err = { 0 };
	char buf[1024];
	int r;

	if (l->loaded)
		return 0;
	l->loaded = true;
	r = mm_config_load(config_path, &l->config, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && r != -ENOENT)
		/* Defaults are still better than not checking at all. */
		(void)hook_warn(v, "%s", mm_error_format(&err, buf, sizeof(buf)));
	const char *dir = l->config.state_dir ? l->config.state_dir : MM_STATE_DIR;
	r = mm_state_open_pools(dir, l->config.pool_dir, 0, &l->state, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && r != -ENOENT)
		(void)hook_warn(v, "%s", mm_error_format(&err, buf, sizeof(buf)));
	return 0;
}

/* This host's map: the one migmapd stored, else a fresh probe. */
static int host_map(HookLocal *l, const MmHostMap **ret, HookVerdict *v)
{
	if (l->state && l->state->host) {
		*ret = l->state->host;
		return 0;
	}
	if (!l->host) {
		MmProbeOptions opts = { .sysroot = l->config.sysroot, .name = l->config.name };
		MmError err = { 0 };
		char buf[1024];
		int r = mm_hostmap_probe(&opts, &l->host, &err);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			(void)hook_warn(v, "this host: not checked: cannot probe it: %s",
					mm_error_format(&err, buf, sizeof(buf)));
			return -ENODATA;
		}
	}
	*ret = l->host;
	return 0;
}

const char *hook_local_host_name(HookLocal *l, char *buf, size_t size)
{
	if (l->config.name)
		return l->config.name;
	if (l->state && l->state->host && l->state->host->name)
		return l->state->host->name;
	if (gethostname(buf, size) < 0 || !*buf)
		return "this host";
	buf[size - 1] = '\0';
	return buf;
}

int hook_check_local(HookLocal *l, const char *config_path, MmDomain *d, unsigned target,
		     HookVerdict *v)
{
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	_cleanup_free_ const MmHostMap **maps = NULL;
	const MmHostMap *const *hosts;
	const MmHostMap *host;
	char what[300];
	size_t n;
	MmError err = { 0 };
	int r;

	if ((r = hook_local_load(l, config_path, v)) < 0)
		return r;
	/* The QEMU that will run the guest decides some defaults: libvirt's
	 * own record of it, never libvirt asked (the hook runs inside
	 * libvirtd, which waits for it). Unknown: the layout assumes the
	 * newest and says so where it matters. */
	if (mm_qemu_caps_fill_domain(d, l->config.sysroot, NULL) == -ENOMEM)
		return -ENOMEM;
	if (target == MM_GUARD_HOST) {
		snprintf(what, sizeof(what), "this host");
		r = host_map(l, &host, v);
		if (r < 0)
			return r == -ENODATA ? 0 : r;
		hosts = &host;
		n = 1;
	} else {
		snprintf(what, sizeof(what), "pool %s", d->pool);
		r = mm_state_pool_hosts(l->state, d->pool, &maps, &n, &err);
		hosts = maps;
		if (r == -ENOENT && mm_state_name_valid(d->pool))
			return (v->unknown_pool || (v->unknown_pool = strdup(d->pool))) ? 0
											: -ENOMEM;
	}
	if (r >= 0)
		r = mm_check_domain(d, hosts, n, &report, &err);
	if (r >= 0 && target != MM_GUARD_HOST)
		r = mm_state_add_stale_warnings(l->state, d->pool, report);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		char buf[1024];
		return hook_warn(v, "%s: not checked: %s", what,
				 mm_error_format(&err, buf, sizeof(buf)));
	}
	return hook_verdict_add_report(v, report, what);
}
