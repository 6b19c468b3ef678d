/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mm_hostmap_probe(): run every probe source against a sysroot and build a
 * new host map; on error nothing is returned. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "probe.h"

int mm_hostmap_probe(const MmProbeOptions *opts, MmHostMap **ret, MmError *err)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *m = NULL;
	_cleanup_close_ int rootfd = -1;
	const char *root = opts && opts->sysroot ? opts->sysroot : "/";
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		int e = errno;
		mm_error_set(err, root, 0, "cannot open sysroot: %s", strerror(e));
		return -e;
	}
	m = mm_hostmap_new();
	if (!m || !(m->generated = mm_timestamp_now())) {
		mm_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
	int (*const sources[])(int, MmHostMap *, MmError *) = {
		mm_probe_cpuinfo, mm_probe_iommu_groups, mm_probe_iomem,
		mm_probe_fdt, /* after the groups: firmware is checked against them */
		mm_probe_acpi,
	};
	r = mm_probe_identity(rootfd, opts ? opts->name : NULL, m, err);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(sources); i++)
		r = sources[i](rootfd, m, err);
	if (r >= 0)
		r = mm_probe_limits(rootfd, strcmp(root, "/") == 0, opts && opts->ask_iommufd, m,
				    err);
	if (r >= 0)
		r = mm_msi_check(m);
	if (r < 0) {
		if (r == -ENOMEM && err && !err->message[0])
			mm_error_set(err, NULL, 0, "out of memory");
		return r;
	}
	*ret = TAKE_PTR(m);
	return 0;
}
