/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a host's files below a root directory: every path is relative to
 * a directory fd and every read is bounded. Internal to libmigmap. */
#pragma once

#include <stddef.h>

#include "error.h"

/* Largest file the probes read: sysfs attributes are a page, /proc/iomem of
 * a big server a few hundred KiB. */
#define MM_FILE_MAX (4u << 20)

/* Read relpath (relative to dirfd) whole, NUL-terminated, into *ret. Fails
 * with -EFBIG past max bytes, -ENOENT when absent; fills err naming relpath
 * (err may be NULL). */
int mm_read_file_at(int dirfd, const char *relpath, size_t max, char **ret, size_t *ret_len,
		    MmError *err);

/* Read a one-line file and strip the trailing newline; -ENODATA when empty. */
int mm_read_line_at(int dirfd, const char *relpath, char **ret, MmError *err);

/* Sorted names of the entries of directory relpath (without . and ..). */
int mm_list_dir_at(int dirfd, const char *relpath, char ***ret, size_t *ret_n, MmError *err);
