/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iommufd-query [ROOT]: print what this host's iommufd says about the
 * devices bound to vfio-pci, as the lines of a capture's iommufd.txt
 * (lib/iommufd-live.c). Built from that file alone, statically, so that
 * tests/iommufd/guest.sh can run it in a minimal guest with no libc; on a
 * full host `migmap host --save-iommufd FILE` writes the same lines.
 * Exit 0 with the lines on stdout; 1 when /dev/iommu is absent or out of
 * memory, with one line on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommufd-live.h"

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "";
	char *text = NULL;
	int r = mm_iommufd_live_query(root, &text);
	if (r < 0) {
		fprintf(stderr, "iommufd-query: %s/dev/iommu: %s%s\n", root, strerror(-r),
			r == -ENOENT ? " (a kernel without CONFIG_IOMMUFD, or iommufd not loaded)"
				     : "");
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return fflush(stdout) == 0 ? 0 : 1;
}
