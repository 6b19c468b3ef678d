/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration file (migmap.conf): keys read with the blanks around
 * them trimmed, comments and blank lines skipped; a bad line names its
 * number and changes nothing; a missing file is -ENOENT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char dir[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(tu_mkdtemp(dir, sizeof(dir), "test-config"));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *config_path(void)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s/migmap.conf", dir);
	return buf;
}

static void write_config(const char *text)
{
	FILE *f = fopen(config_path(), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(config)
{
	MmConfig c = { 0 };
	MmError err = { 0 };
	write_config("# comment\n\n  sysroot = /srv/root  \nstate_dir=/var/x\n"
		     "name = h1\nadmin_group = wheel\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), 0);
	ck_assert_str_eq(c.sysroot, "/srv/root");
	ck_assert_str_eq(c.state_dir, "/var/x");
	ck_assert_str_eq(c.name, "h1");
	ck_assert_str_eq(c.admin_group, "wheel");

	/* a bad file changes nothing and names the line */
	write_config("name = h2\nstatedir = /x\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -EINVAL);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.message, "unknown key 'statedir'"));
	ck_assert_str_eq(c.name, "h1");
	write_config("name\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -EINVAL);
	ck_assert_uint_eq(err.line, 1);
	write_config("name =\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -EINVAL);
	/* a NUL byte: the rest of the line would be lost, so refused */
	FILE *f = fopen(config_path(), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite("name = h3\0x\n", 1, 12, f), 12);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -EINVAL);
	ck_assert_str_eq(err.message, "holds a NUL byte");
	ck_assert_str_eq(c.name, "h1");
	unlink(config_path());
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -ENOENT);
	mm_config_clear(&c);
}
END_TEST

/* The hook refuses a domain of a pool not known here unless told to allow it. */
START_TEST(unknown_pool)
{
	MmConfig c = { 0 };
	MmError err = { 0 };
	ck_assert(!mm_config_unknown_pool_allowed(&c));
	write_config("unknown_pool = allow\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), 0);
	ck_assert(mm_config_unknown_pool_allowed(&c));
	write_config("unknown_pool = refuse\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), 0);
	ck_assert(!mm_config_unknown_pool_allowed(&c));
	/* anything else is a mistake, not a quiet "refuse" */
	write_config("name = h\nunknown_pool = yes\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -EINVAL);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.message, "'refuse' or 'allow'"));
	ck_assert_str_eq(c.unknown_pool, "refuse");
	mm_config_clear(&c);
}
END_TEST

/* Durations: seconds, or a number with s, min or h; refused when read. */
START_TEST(durations)
{
	MmConfig c = { 0 };
	MmError err = { 0 };
	uint64_t usec = 0;
	write_config("refresh_interval = 10min\nremote_timeout = 5\nrescan_interval = 2h\n"
		     "pool_dir = /mnt/shared/migmap\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), 0);
	ck_assert_str_eq(c.pool_dir, "/mnt/shared/migmap");
	ck_assert_int_eq(mm_config_duration(c.refresh_interval, 1, &usec), 0);
	ck_assert_uint_eq(usec, 600ULL * 1000000);
	ck_assert_int_eq(mm_config_duration(c.remote_timeout, 1, &usec), 0);
	ck_assert_uint_eq(usec, 5ULL * 1000000);
	ck_assert_int_eq(mm_config_duration(c.rescan_interval, 1, &usec), 0);
	ck_assert_uint_eq(usec, 7200ULL * 1000000);
	ck_assert_int_eq(mm_config_duration(NULL, 10, &usec), 0);
	ck_assert_uint_eq(usec, 10ULL * 1000000);
	const char *bad[] = { "0", "-1", "10 s", "ten", "5d", "1e3", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(mm_config_duration(bad[i], 1, &usec), -EINVAL);
	write_config("name = kept\nremote_timeout = 3 days\n");
	ck_assert_int_eq(mm_config_load(config_path(), &c, &err), -EINVAL);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.message, "not a duration"));
	ck_assert_str_eq(c.remote_timeout, "5"); /* bad input changes nothing */
	mm_config_clear(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config);
	tcase_add_test(tc, unknown_pool);
	tcase_add_test(tc, durations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
