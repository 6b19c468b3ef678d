/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a host's files below a root directory: every path is relative to
 * a directory fd, resolves inside it, and every read is bounded. Internal to
 * libmigmap. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Largest file the probes read: sysfs attributes are a page, /proc/iomem of
 * a big server a few hundred KiB. */
#define MM_FILE_MAX (4u << 20)

/* Open path below rootfd as if rootfd were "/": absolute symlinks and ".."
 * stay inside it (openat2 RESOLVE_IN_ROOT, else a resolver of our own).
 * rootfd AT_FDCWD opens path as it is. O_CLOEXEC | O_NOCTTY are added.
 * Returns the fd or -errno. */
int mm_open_in_root(int rootfd, const char *path, int flags);
/* Tests: use the resolver that replaces openat2 on older kernels. */
void mm_sysroot_force_fallback(bool on);

/* Read relpath (relative to dirfd, resolved inside it) whole, NUL-terminated,
 * into *ret. Opens with O_NONBLOCK and reads a regular file only (-EINVAL
 * otherwise: a FIFO never blocks it). Fails with -EFBIG past max bytes,
 * -ENOENT when absent; fills err naming relpath (err may be NULL). */
int mm_read_file_at(int dirfd, const char *relpath, size_t max, char **ret, size_t *ret_len,
		    MmError *err);

/* Read a one-line file and strip the trailing newline; -ENODATA when empty. */
int mm_read_line_at(int dirfd, const char *relpath, char **ret, MmError *err);

/* Sorted names of the entries of directory relpath (without . and ..). */
int mm_list_dir_at(int dirfd, const char *relpath, char ***ret, size_t *ret_n, MmError *err);
