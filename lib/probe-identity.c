/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who the host is: its name (etc/hostname, else the kernel's), its machine
 * id as a UUID (etc/machine-id), and the kernel release. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "sysroot.h"
#include "util.h"

static int probe_name(int rootfd, const char *name, MmHostMap *m, MmError *err)
{
	static const char *const sources[] = { "etc/hostname", "proc/sys/kernel/hostname" };
	char *s = NULL;

	if (name) {
		if (!mm_name_valid(name)) {
			mm_error_set(err, NULL, 0,
				     "invalid host name '%.64s' (letters, digits, '-', '.', '_')",
				     name);
			return -EINVAL;
		}
		s = strdup(name);
		if (!s)
			return -ENOMEM;
		m->name = s;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
		int r = mm_read_line_at(rootfd, sources[i], &s, NULL);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		if (mm_name_valid(s)) {
			m->name = s;
			return 0;
		}
		free(s);
		if (mm_hostmap_add_warning(m, "%s: not a valid host name", sources[i]) < 0)
			return -ENOMEM;
	}
	m->name = strdup("localhost");
	if (!m->name)
		return -ENOMEM;
	return mm_hostmap_add_warning(
		m, "etc/hostname, proc/sys/kernel/hostname: missing: host named 'localhost'");
}

static int probe_machine_id(int rootfd, MmHostMap *m)
{
	_cleanup_free_ char *s = NULL;
	int r = mm_read_line_at(rootfd, "etc/machine-id", &s, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (strlen(s) != 32 || s[strspn(s, "0123456789abcdef")] != '\0')
		return mm_hostmap_add_warning(m, "etc/machine-id: not 32 hex digits, ignored");
	char uuid[37];
	snprintf(uuid, sizeof(uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", s, s + 8, s + 12, s + 16, s + 20);
	m->uuid = strdup(uuid);
	return m->uuid ? 0 : -ENOMEM;
}

static int probe_kernel(int rootfd, MmHostMap *m)
{
	char *s = NULL;
	int r = mm_read_line_at(rootfd, "proc/sys/kernel/osrelease", &s, NULL);
	if (r == 0) {
		m->kernel = s;
		return 0;
	}
	if (r == -ENOMEM)
		return r;
	/* "Linux version 6.1.0-56-arm64 (builder) ..." */
	_cleanup_free_ char *version = NULL;
	char release[128];
	r = mm_read_line_at(rootfd, "proc/version", &version, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (sscanf(version, "Linux version %127s", release) != 1)
		return 0;
	m->kernel = strdup(release);
	return m->kernel ? 0 : -ENOMEM;
}

int mm_probe_identity(int rootfd, const char *name, MmHostMap *m, MmError *err)
{
	int r = probe_name(rootfd, name, m, err);
	if (r >= 0)
		r = probe_machine_id(rootfd, m);
	if (r >= 0)
		r = probe_kernel(rootfd, m);
	return r;
}
