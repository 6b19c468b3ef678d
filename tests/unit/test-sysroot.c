/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sysroot reads: every path resolves inside the root (absolute symlinks,
 * "..", symlinked directories), with openat2 and with the resolver that
 * replaces it on kernels without openat2 (each test runs with both: _i 0 and
 * 1); only regular files are read, so a FIFO is an error, not a hang. The
 * expected behaviour is the kernel's own RESOLVE_IN_ROOT (openat2(2)). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "strv.h"
#include "sysroot.h"
#include "testutil.h"

static char top[256];
static char root[300];
static char outside[300];
static int rootfd = -1;

static void put(const char *rel, const char *text)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void link_at(const char *target, const char *rel)
{
	ck_assert_int_eq(symlinkat(target, rootfd, rel), 0);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(tu_mkdtemp(top, sizeof(top), "test-sysroot"));
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	FILE *f = fopen(outside, "w");
	ck_assert_ptr_nonnull(f);
	fputs("outside\n", f);
	fclose(f);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
	ck_assert_int_eq(mkdirat(rootfd, "etc", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "sub", 0755), 0);
	put("etc/file", "inside\n");
	put("sub/f", "sub\n");
}

static void teardown(void)
{
	char cmd[300];
	close(rootfd);
	mm_sysroot_force_fallback(false);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* Read rel below the root; the text or NULL with *r the error. */
static char *read_rel(const char *rel, int *r)
{
	char *text = NULL;
	MmError err = { 0 };
	*r = mm_read_file_at(rootfd, rel, 4096, &text, NULL, &err);
	return text;
}

START_TEST(absolute_links_stay_inside)
{
	mm_sysroot_force_fallback(_i);
	int r;
	link_at("/etc/file", "abs");
	_cleanup_free_ char *a = read_rel("abs", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(a, "inside\n");
	/* the outside file's own absolute path is looked up inside the root */
	link_at(outside, "out");
	_cleanup_free_ char *o = read_rel("out", &r);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(o);
}
END_TEST

START_TEST(dotdot_stops_at_the_root)
{
	mm_sysroot_force_fallback(_i);
	int r;
	link_at("../../../../../../../../etc/file", "up");
	_cleanup_free_ char *a = read_rel("up", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(a, "inside\n");
	_cleanup_free_ char *b = read_rel("../../../../sub/../etc/file", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(b, "inside\n");
	char rel[700];
	snprintf(rel, sizeof(rel), "../../../../../..%s", outside);
	_cleanup_free_ char *c = read_rel(rel, &r);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(linked_directories)
{
	mm_sysroot_force_fallback(_i);
	int r;
	link_at("/sub", "d");
	link_at("../sub/f", "etc/rel");
	_cleanup_free_ char *a = read_rel("d/f", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(a, "sub\n");
	_cleanup_free_ char *b = read_rel("etc/rel", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(b, "sub\n");
	/* a directory listing through a link, too */
	char **names = NULL;
	size_t n = 0;
	MmError err = { 0 };
	ck_assert_int_eq(mm_list_dir_at(rootfd, "d", &names, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "f");
	free(names[0]);
	free(names);
	/* a file is no directory */
	_cleanup_free_ char *c = read_rel("etc/file/x", &r);
	ck_assert_int_eq(r, -ENOTDIR);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(link_loops_end)
{
	mm_sysroot_force_fallback(_i);
	int r;
	link_at("b", "a");
	link_at("/a", "b");
	_cleanup_free_ char *a = read_rel("a", &r);
	ck_assert_int_eq(r, -ELOOP);
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(regular_files_only)
{
	mm_sysroot_force_fallback(_i);
	int r;
	MmError err = { 0 };
	char *text = NULL;
	ck_assert_int_eq(mkfifoat(rootfd, "fifo", 0600), 0);
	/* without O_NONBLOCK this open would wait for a writer forever */
	r = mm_read_file_at(rootfd, "fifo", 4096, &text, NULL, &err);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_str_eq(err.message, "not a regular file");
	ck_assert_str_eq(err.file, "fifo");
	link_at("/fifo", "to-fifo");
	r = mm_read_file_at(rootfd, "to-fifo", 4096, &text, NULL, &err);
	ck_assert_int_eq(r, -EINVAL);
	r = mm_read_file_at(rootfd, "sub", 4096, &text, NULL, &err);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_null(text);
}
END_TEST

START_TEST(dots_and_slashes)
{
	mm_sysroot_force_fallback(_i);
	int r;
	_cleanup_free_ char *a = read_rel("./etc/./file", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(a, "inside\n");
	_cleanup_free_ char *b = read_rel("etc//file", &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(b, "inside\n");
	/* "." and a final ".." name directories: opened, then refused */
	MmError err = { 0 };
	char *text = NULL;
	ck_assert_int_eq(mm_read_file_at(rootfd, ".", 4096, &text, NULL, &err), -EINVAL);
	ck_assert_str_eq(err.message, "not a regular file");
	ck_assert_int_eq(mm_read_file_at(rootfd, "etc/.", 4096, &text, NULL, &err), -EINVAL);
	ck_assert_int_eq(mm_read_file_at(rootfd, "sub/..", 4096, &text, NULL, &err), -EINVAL);
	ck_assert_int_eq(mm_read_file_at(rootfd, "..", 4096, &text, NULL, &err), -EINVAL);
	ck_assert_ptr_null(text);
	/* a listing of "sub/.." is the root's */
	char **names = NULL;
	size_t n = 0;
	ck_assert_int_eq(mm_list_dir_at(rootfd, "sub/..", &names, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "etc");
	ck_assert_str_eq(names[1], "sub");
	mm_strv_free(names, n);
}
END_TEST

START_TEST(bad_names)
{
	mm_sysroot_force_fallback(_i);
	int r;
	/* NAME_MAX is 255: a 256-byte name is too long, for openat2 too */
	char rel[300] = "etc/";
	memset(rel + 4, 'x', 256);
	rel[260] = '\0';
	_cleanup_free_ char *a = read_rel(rel, &r);
	ck_assert_int_eq(r, -ENAMETOOLONG);
	ck_assert_ptr_null(a);
	/* a dangling link, absolute and relative */
	link_at("/etc/none", "dangling");
	link_at("none", "etc/dangling");
	_cleanup_free_ char *b = read_rel("dangling", &r);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(b);
	_cleanup_free_ char *c = read_rel("etc/dangling", &r);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(c);
	_cleanup_free_ char *d = read_rel("none/file", &r);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(d);
}
END_TEST

/* The resolver holds one fd per directory: past 256 levels it stops
 * (openat2 has no such limit, only PATH_MAX). */
START_TEST(fallback_depth)
{
	mm_sysroot_force_fallback(true);
	char rel[1200] = "";
	int fd = dup(rootfd);
	/* d/d/.../d (257 levels), a file f in the 256th and the 257th */
	for (int i = 0; i < 257; i++) {
		ck_assert_int_eq(mkdirat(fd, "d", 0755), 0);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(next, 0);
		close(fd);
		fd = next;
		strcat(rel, "d/");
		if (i >= 255) {
			FILE *f =
				fdopen(openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644), "w");
			ck_assert_ptr_nonnull(f);
			fputs("deep\n", f);
			ck_assert_int_eq(fclose(f), 0);
		}
	}
	close(fd);
	int r;
	strcat(rel, "f");
	_cleanup_free_ char *a = read_rel(rel, &r);
	ck_assert_int_eq(r, -ENAMETOOLONG);
	ck_assert_ptr_null(a);
	/* 256 levels are fine */
	_cleanup_free_ char *b = read_rel(rel + 2, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(b, "deep\n");
}
END_TEST

START_TEST(sizes_and_lines)
{
	mm_sysroot_force_fallback(_i);
	MmError err = { 0 };
	char *text = NULL;
	size_t len = 1;
	put("empty", "");
	ck_assert_int_eq(mm_read_file_at(rootfd, "empty", 4096, &text, &len, &err), 0);
	ck_assert_str_eq(text, "");
	ck_assert_uint_eq(len, 0);
	free(text);
	text = NULL;
	/* one byte over the limit */
	put("big", "0123456789\n");
	ck_assert_int_eq(mm_read_file_at(rootfd, "big", 10, &text, &len, &err), -EFBIG);
	ck_assert_str_eq(err.file, "big");
	ck_assert_str_eq(err.message, "file larger than 10 bytes");
	ck_assert_ptr_null(text);
	ck_assert_int_eq(mm_read_file_at(rootfd, "big", 11, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 11);
	free(text);
	text = NULL;
	/* a line: the first one, without its newline; an empty one is -ENODATA */
	put("lines", "first\nsecond\n");
	ck_assert_int_eq(mm_read_line_at(rootfd, "lines", &text, &err), 0);
	ck_assert_str_eq(text, "first");
	free(text);
	text = NULL;
	put("blank", "\nsecond\n");
	ck_assert_int_eq(mm_read_line_at(rootfd, "blank", &text, &err), -ENODATA);
	ck_assert_str_eq(err.message, "empty");
	ck_assert_int_eq(mm_read_line_at(rootfd, "empty", &text, &err), -ENODATA);
	ck_assert_int_eq(mm_read_line_at(rootfd, "missing", &text, &err), -ENOENT);
	ck_assert_str_eq(err.file, "missing");
	ck_assert_str_eq(err.message, "cannot open: No such file or directory");
	ck_assert_ptr_null(text);
}
END_TEST

START_TEST(listing_errors)
{
	mm_sysroot_force_fallback(_i);
	MmError err = { 0 };
	char **names = NULL;
	size_t n = 0;
	ck_assert_int_eq(mm_list_dir_at(rootfd, "etc/file", &names, &n, &err), -ENOTDIR);
	ck_assert_str_eq(err.file, "etc/file");
	ck_assert_str_eq(err.message, "cannot open directory: Not a directory");
	ck_assert_int_eq(mm_list_dir_at(rootfd, "nothing", &names, &n, &err), -ENOENT);
	ck_assert_ptr_null(names);
	ck_assert_uint_eq(n, 0);
	/* an empty directory lists as nothing */
	ck_assert_int_eq(mkdirat(rootfd, "void", 0755), 0);
	ck_assert_int_eq(mm_list_dir_at(rootfd, "void", &names, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(names);
}
END_TEST

/* AT_FDCWD: no root, the path as it is (the CLI's files). */
START_TEST(no_root)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/etc/file", root);
	int fd = mm_open_in_root(AT_FDCWD, p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	char buf[16] = { 0 };
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 7);
	ck_assert_str_eq(buf, "inside\n");
	close(fd);
	snprintf(p, sizeof(p), "%s/etc/none", root);
	ck_assert_int_eq(mm_open_in_root(AT_FDCWD, p, O_RDONLY), -ENOENT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sysroot");
	TCase *tc = tcase_create("sysroot");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* _i 0: openat2 (where the kernel has it); 1: the fallback resolver */
	tcase_add_loop_test(tc, absolute_links_stay_inside, 0, 2);
	tcase_add_loop_test(tc, dotdot_stops_at_the_root, 0, 2);
	tcase_add_loop_test(tc, linked_directories, 0, 2);
	tcase_add_loop_test(tc, link_loops_end, 0, 2);
	tcase_add_loop_test(tc, regular_files_only, 0, 2);
	tcase_add_loop_test(tc, dots_and_slashes, 0, 2);
	tcase_add_loop_test(tc, bad_names, 0, 2);
	tcase_add_test(tc, fallback_depth);
	tcase_add_loop_test(tc, sizes_and_lines, 0, 2);
	tcase_add_loop_test(tc, listing_errors, 0, 2);
	tcase_add_test(tc, no_root);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
