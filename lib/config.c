/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap.conf: "key = value" lines, '#' starts a comment line, blank lines
 * are skipped. One file for migmapd, the CLI and the hook. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
};

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
				     "libvirt_uri)",
				     key);
			r = -EINVAL;
			goto fail;
		}
		if (!*value) {
			mm_error_set(err, path, line, "'%s' needs a value", key);
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
