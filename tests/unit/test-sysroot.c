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
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
