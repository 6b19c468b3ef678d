/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reads of files and directories below a sysroot directory fd.
 * Every path resolves inside the root it is relative to (openat2 with
 * RESOLVE_IN_ROOT, or a resolver of our own where the kernel lacks it): an
 * absolute symlink or a ".." never leaves it. Files open with O_NONBLOCK
 * and must be regular (sysfs and procfs files are), so a FIFO is an error
 * rather than a hang (docs/design.md §5). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "error.h"
#include "macros.h"
#include "strv.h"
#include "sysroot.h"

/* Set once openat2 proved missing (ENOSYS: older than Linux 5.6) or
 * filtered (EPERM from a seccomp filter); tests set it to run the
 * fallback. A benign race: every thread reaches the same value. */
static bool no_openat2;

void mm_sysroot_force_fallback(bool on)
{
	no_openat2 = on;
}

/* Symlinks followed in one resolution, as the kernel's own limit. */
#define MAX_LINKS 40
/* Directories deep one path may go. */
#define MAX_DEPTH 256

/* Append "target/rest" (rest may be empty) as the new remaining path. */
static int splice_link(char **rest, const char *target, const char *after)
{
	size_t a = strlen(target), b = strlen(after);
	char *s = malloc(a + b + 2);
	if (!s)
		return -ENOMEM;
	memcpy(s, target, a);
	s[a] = '/';
	memcpy(s + a + 1, after, b + 1);
	free(*rest);
	*rest = s;
	return 0;
}

/* The resolver where openat2 is missing: one component at a time from
 * rootfd, each directory held open (O_PATH | O_NOFOLLOW) so nothing can be
 * swapped under it; a symlink is read and spliced into the rest of the path,
 * an absolute one restarting from rootfd, ".." stopping at rootfd. */
static int open_fallback(int rootfd, const char *path, int flags)
{
	int stack[MAX_DEPTH];
	size_t depth = 0, links = 0;
	char *rest = strdup(path);
	int fd = -1, r = 0;

	if (!rest)
		return -ENOMEM;
	size_t pos = 0;
	for (;;) {
		const char *p = rest + pos;
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		const char *after = end;
		while (*after == '/')
			after++;
		bool last = *after == '\0';
		size_t n = (size_t)(end - p);
		int cur = depth ? stack[depth - 1] : rootfd;
		if (n == 0 || (n == 1 && p[0] == '.')) {
			if (last || n == 0) {
				fd = openat(cur, ".", flags);
				r = fd < 0 ? -errno : 0;
				break;
			}
			pos = (size_t)(after - rest);
			continue;
		}
		if (n >= NAME_MAX + 1) {
			r = -ENAMETOOLONG;
			break;
		}
		char comp[NAME_MAX + 1];
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (strcmp(comp, "..") == 0) {
			if (depth)
				close(stack[--depth]);
			if (last) {
				fd = openat(depth ? stack[depth - 1] : rootfd, ".", flags);
				r = fd < 0 ? -errno : 0;
				break;
			}
			pos = (size_t)(after - rest);
			continue;
		}
		if (last)
			fd = openat(cur, comp, flags | O_NOFOLLOW);
		else
			fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && !last) {
			if (depth == MAX_DEPTH) {
				close(fd);
				fd = -1;
				r = -ENAMETOOLONG;
				break;
			}
			stack[depth++] = fd;
			fd = -1;
			pos = (size_t)(after - rest);
			continue;
		}
		if (fd >= 0)
			break;
		int e = errno;
		/* A symlink fails O_NOFOLLOW (ELOOP, or ENOTDIR with O_PATH |
		 * O_DIRECTORY): read it and go on from its target. */
		char target[PATH_MAX];
		ssize_t len = readlinkat(cur, comp, target, sizeof(target) - 1);
		if (len < 0) {
			r = -e;
			break;
		}
		if (++links > MAX_LINKS) {
			r = -ELOOP;
			break;
		}
		target[len] = '\0';
		if (target[0] == '/')
			while (depth)
				close(stack[--depth]);
		_cleanup_free_ char *tail = strdup(after);
		if (!tail || splice_link(&rest, target, tail) < 0) {
			r = -ENOMEM;
			break;
		}
		pos = 0;
	}
	while (depth)
		close(stack[--depth]);
	free(rest);
	return r < 0 ? r : fd;
}

int mm_open_in_root(int rootfd, const char *path, int flags)
{
	flags |= O_CLOEXEC | O_NOCTTY;
	if (rootfd == AT_FDCWD) {
		int fd = open(path, flags);
		return fd < 0 ? -errno : fd;
	}
	if (!no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)flags,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		no_openat2 = true;
	}
	return open_fallback(rootfd, path, flags);
}

int mm_read_file_at(int dirfd, const char *relpath, size_t max, char **ret, size_t *ret_len,
		    MmError *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;

	fd = mm_open_in_root(dirfd, relpath, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		mm_error_set(err, relpath, 0, "cannot open: %s", strerror(-fd));
		return fd;
	}
	/* Only a regular file is what a probe, the state or the configuration
	 * expects; anything else is not read, let alone quoted. */
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		mm_error_set(err, relpath, 0, "cannot stat: %s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		mm_error_set(err, relpath, 0, "not a regular file");
		return -EINVAL;
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
	/* the loop's first MM_GROW made buf before any read */
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

	int fd = mm_open_in_root(dirfd, relpath, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	if (fd < 0) {
		mm_error_set(err, relpath, 0, "cannot open directory: %s", strerror(-fd));
		return fd;
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
