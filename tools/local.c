/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check and plan without host map files: the maps the hook judges a domain
 * by (docs/design.md §12), this host's (the one stored in the state
 * directory, else a probe of the configured sysroot) and those of the
 * pool its metadata names (the state directory's, read without a lock as
 * pool fit does). Unlike the hook, this host is always included: asked
 * "does it run here", the answer must not depend on <hostdev>s. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "macros.h"

void cli_local_clear(CliLocal *l)
{
	mm_config_clear(&l->config);
	mm_state_free(l->state);
	mm_hostmap_free(l->probed);
	free(l->maps);
	memset(l, 0, sizeof(*l));
}

static int load_config(CliLocal *l)
{
	MmError err = { 0 };
	const char *path = cli_config_file ? cli_config_file : MM_CONFIG_FILE;
	int r = mm_config_load(path, &l->config, &err);
	/* the installed file may be absent; one named must be there */
	if (r == -ENOENT && !cli_config_file)
		return EXIT_OK;
	return r < 0 ? cli_fail_error(&err) : EXIT_OK;
}

static int open_state(CliLocal *l)
{
	MmError err = { 0 };
	const char *dir = cli_state_dir         ? cli_state_dir
			  : l->config.state_dir ? l->config.state_dir
						: MM_STATE_DIR;
	int r = mm_state_open_pools(dir, l->config.pool_dir, 0, &l->state, &err);
	/* the default directory missing: a host that never stored anything */
	if (r == -ENOENT && !cli_state_dir && !l->config.state_dir)
		return EXIT_OK;
	/* the default one unreadable (not root): this host can still be
	 * probed, and a pool then reads as not known here, saying why */
	if (r == -EACCES && !cli_state_dir && !l->config.state_dir) {
		char buf[1024];
		fprintf(stderr, "migmap: warning: %s\n", mm_error_format(&err, buf, sizeof(buf)));
		return EXIT_OK;
	}
	if (r < 0)
		return cli_fail_error(&err);
	for (size_t i = 0; i < l->state->n_warnings; i++)
		fprintf(stderr, "migmap: warning: %s/%s\n", dir, l->state->warnings[i]);
	return EXIT_OK;
}

int cli_local_maps(const char *cmd, const MmDomain *d, CliLocal *l)
{
	const MmHostMap *host;
	_cleanup_free_ const MmHostMap **pool = NULL;
	size_t n_pool = 0;
	MmError err = { 0 };
	int r;

	if ((r = load_config(l)) != EXIT_OK || (r = open_state(l)) != EXIT_OK)
		return r;
	if (l->state && l->state->host)
		host = l->state->host;
	else {
		MmProbeOptions opts = { .sysroot = l->config.sysroot, .name = l->config.name };
		if (mm_hostmap_probe(&opts, &l->probed, &err) < 0) {
			char buf[1024];
			return cli_fail("%s: cannot probe this host: %s", cmd,
					mm_error_format(&err, buf, sizeof(buf)));
		}
		host = l->probed;
	}
	if (d->pool) {
		r = mm_state_pool_hosts(l->state, d->pool, &pool, &n_pool, &err);
		if (r == -ENOENT && mm_config_unknown_pool_allowed(&l->config)) {
			fprintf(stderr,
				"migmap: warning: %s: pool '%s' is not known here: this host only "
				"(unknown_pool = allow)\n",
				cmd, d->pool);
			r = 0;
		} else if (r == -ENOENT)
			return cli_fail("%s: the domain's pool '%s' is not known here (see 'migmap "
					"pool list'; give HOST.xml files to check elsewhere)",
					cmd, d->pool);
		else if (r < 0 && r != -ENODATA)
			return cli_fail_error(&err);
		else
			l->pool = d->pool;
	}
	if (!(l->maps = calloc(n_pool + 1, sizeof(*l->maps))))
		return cli_fail("out of memory");
	l->maps[l->n++] = host;
	/* this host as a member of its own pool: its map once, the current one */
	for (size_t i = 0; i < n_pool; i++)
		if (!streq_ptr(pool[i]->name, host->name))
			l->maps[l->n++] = pool[i];
	return EXIT_OK;
}
