/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap.conf: "key = value" lines, '#' starts a comment line, blank lines
 * are skipped. One file for migmapd, the CLI and the hook. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "macros.h"
#include "sysroot.h"

#define CONFIG_FILE_MAX (64u << 10)

void mm_config_clear(MmConfig *c)
{
	free(c->sysroot);
	free(c->state_dir);
	free(c->name);
	free(c->admin_group);
	free(c->libvirt_uri);
	free(c->unknown_pool);
	free(c->pool_dir);
	free(c->refresh_interval);
	free(c->remote_timeout);
	free(c->rescan_interval);
	memset(c, 0, sizeof(*c));
}

static const struct {
	const char *key;
	size_t offset;
} keys[] = {
	{ "sysroot", offsetof(MmConfig, sysroot) },
	{ "state_dir", offsetof(MmConfig, state_dir) },
	{ "name", offsetof(MmConfig, name) },
	{ "admin_group", offsetof(MmConfig, admin_group) },
	{ "libvirt_uri", offsetof(MmConfig, libvirt_uri) },
	{ "unknown_pool", offsetof(MmConfig, unknown_pool) },
	{ "pool_dir", offsetof(MmConfig, pool_dir) },
	{ "refresh_interval", offsetof(MmConfig, refresh_interval) },
	{ "remote_timeout", offsetof(MmConfig, remote_timeout) },
	{ "rescan_interval", offsetof(MmConfig, rescan_interval) },
};

/* The keys whose value is a duration, checked when read. */
static bool is_duration_key(const char *key)
{
	return strcmp(key, "refresh_interval") == 0 || strcmp(key, "remote_timeout") == 0 ||
	       strcmp(key, "rescan_interval") == 0;
}

int mm_config_duration(const char *value, unsigned def_sec, uint64_t *ret_usec)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} units[] = { { "", 1000000 }, { "s", 1000000 }, { "min", 60000000 }, { "h", 3600000000 } };
	char *end;
	if (!value) {
		*ret_usec = (uint64_t)def_sec * 1000000;
		return 0;
	}
	if (!isdigit((unsigned char)value[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long n = strtoull(value, &end, 10);
	if (errno || n == 0 || n > 1000000)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (strcmp(end, units[i].suffix) == 0) {
			*ret_usec = (uint64_t)n * units[i].usec;
			return 0;
		}
	return -EINVAL;
}

static char *strip(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int mm_config_load(const char *path, MmConfig *c, MmError *err)
{
	_cleanup_free_ char *text = NULL;
	MmConfig next = { 0 };
	unsigned line = 0;
	size_t len;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	r = mm_read_file_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text, &len, err);
	if (r < 0)
		return r;
	if (strlen(text) != len) {
		mm_error_set(err, path, 0, "holds a NUL byte");
		return -EINVAL;
	}
	for (char *s = text, *eol; s && *s; s = eol) {
		line++;
		eol = strchr(s, '\n');
		if (eol)
			*eol++ = '\0';
		s = strip(s);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			mm_error_set(err, path, line, "expected 'key = value'");
			r = -EINVAL;
			goto fail;
		}
		*eq = '\0';
		char *key = strip(s), *value = strip(eq + 1);
		size_t k;
		for (k = 0; k < ELEMENTSOF(keys); k++)
			if (strcmp(keys[k].key, key) == 0)
				break;
		if (k == ELEMENTSOF(keys)) {
			mm_error_set(err, path, line,
				     "unknown key '%.64s' (sysroot, state_dir, name, admin_group, "
				     "libvirt_uri, pool_dir, refresh_interval, remote_timeout, "
				     "rescan_interval, unknown_pool)",
				     key);
			r = -EINVAL;
			goto fail;
		}
		if (!*value) {
			mm_error_set(err, path, line, "'%s' needs a value", key);
			r = -EINVAL;
			goto fail;
		}
		if (strcmp(key, "unknown_pool") == 0 && strcmp(value, "allow") != 0 &&
		    strcmp(value, "refuse") != 0) {
			mm_error_set(err, path, line,
				     "unknown_pool is 'refuse' or 'allow', not '%.64s'", value);
			r = -EINVAL;
			goto fail;
		}
		uint64_t usec;
		if (is_duration_key(key) && mm_config_duration(value, 1, &usec) < 0) {
			mm_error_set(
				err, path, line,
				"'%s' is not a duration: seconds, or a number with s, min or h",
				key);
			r = -EINVAL;
			goto fail;
		}
		char **slot = (char **)((char *)&next + keys[k].offset);
		free(*slot);
		if (!(*slot = strdup(value))) {
			r = -ENOMEM;
			goto fail;
		}
	}
	for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
		char **from = (char **)((char *)&next + keys[k].offset);
		char **to = (char **)((char *)c + keys[k].offset);
		if (*from) {
			free(*to);
			*to = TAKE_PTR(*from);
		}
	}
	return 0;
fail:
	mm_config_clear(&next);
	return r;
}

bool mm_config_unknown_pool_allowed(const MmConfig *c)
{
	return c->unknown_pool && strcmp(c->unknown_pool, "allow") == 0;
}
