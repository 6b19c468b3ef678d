/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reads of files and directories below a sysroot directory fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "macros.h"
#include "strv.h"
#include "sysroot.h"

int mm_read_file_at(int dirfd, const char *relpath, size_t max, char **ret, size_t *ret_len,
		    MmError *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;

	fd = openat(dirfd, relpath, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		mm_error_set(err, relpath, 0, "cannot open: %s", strerror(e));
		return -e;
	}
	for (;;) {
		if (MM_GROW(buf, alloc, len + 4096 + 1) < 0) {
			mm_error_set(err, relpath, 0, "out of memory");
			return -ENOMEM;
		}
		ssize_t n = read(fd, buf + len, alloc - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			mm_error_set(err, relpath, 0, "cannot read: %s", strerror(e));
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			mm_error_set(err, relpath, 0, "file larger than %zu bytes", max);
			return -EFBIG;
		}
	}
	if (!buf && MM_GROW(buf, alloc, 1) < 0)
		return -ENOMEM;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int mm_read_line_at(int dirfd, const char *relpath, char **ret, MmError *err)
{
	char *s = NULL;
	size_t len;
	int r = mm_read_file_at(dirfd, relpath, 4096, &s, &len, err);
	if (r < 0)
		return r;
	char *nl = memchr(s, '\n', len);
	if (nl)
		*nl = '\0';
	if (!*s) {
		free(s);
		mm_error_set(err, relpath, 0, "empty");
		return -ENODATA;
	}
	*ret = s;
	return 0;
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mm_list_dir_at(int dirfd, const char *relpath, char ***ret, size_t *ret_n, MmError *err)
{
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int r = 0;

	int fd = openat(dirfd, relpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		mm_error_set(err, relpath, 0, "cannot open directory: %s", strerror(e));
		return -e;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		mm_error_set(err, relpath, 0, "cannot open directory: %s", strerror(e));
		return -e;
	}
	for (struct dirent *de; (errno = 0, de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (MM_GROW(names, alloc, n + 1) < 0 || !(names[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(d);
	if (r < 0) {
		mm_strv_free(names, n);
		mm_error_set(err, relpath, 0, "cannot list: %s", strerror(-r));
		return r;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), strcmp_ptr);
	*ret = names;
	*ret_n = n;
	return 0;
}
