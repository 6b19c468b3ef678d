/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/cpuinfo: the architecture (from the fields each one prints) and, on
 * x86, the CPU's physical address bits ("address sizes : 46 bits physical,
 * 48 bits virtual"). Only the first processor's block is read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "sysroot.h"

/* Split "key<tabs> : value" and trim; returns false for other lines. */
static bool split_field(char *line, char **key, char **value)
{
	char *colon = strchr(line, ':');
	if (!colon)
		return false;
	char *k_end = colon;
	while (k_end > line && (k_end[-1] == ' ' || k_end[-1] == '\t'))
		k_end--;
	*k_end = '\0';
	char *v = colon + 1;
	v += strspn(v, " \t");
	*key = line;
	*value = v;
	return true;
}

int mm_cpuinfo_parse(const char *text, size_t len, const char *file, MmHostMap *m, MmError *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0, phys = MM_BITS_UNKNOWN;
	const char *arch = NULL;
	bool long_mode = false, x86 = false;

	if (memchr(text, '\0', len)) {
		mm_error_set(err, file, 0, "binary data (NUL byte)");
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *start = p;
		char line[8192], *key, *value;

		lineno++;
		p = nl ? nl + 1 : end;
		if (n == 0) {
			if (arch || x86)
				break; /* end of the first processor's block */
			continue;
		}
		if (n >= sizeof(line))
			continue; /* a "flags" line of some future CPU: not needed */
		memcpy(line, start, n);
		line[n] = '\0';
		if (!split_field(line, &key, &value))
			continue;
		if (strcmp(key, "vendor_id") == 0)
			x86 = true;
		else if (strcmp(key, "flags") == 0) {
			x86 = true;
			char *sp = NULL;
			for (char *w = strtok_r(value, " ", &sp); w; w = strtok_r(NULL, " ", &sp))
				if (strcmp(w, "lm") == 0)
					long_mode = true;
		} else if (strcmp(key, "CPU architecture") == 0) {
			/* arm: "8" is ARMv8; a 64-bit kernel also prints "Features". */
			if (strcmp(value, "8") == 0 || strncmp(value, "AArch64", 7) == 0)
				arch = "aarch64";
		} else if (strcmp(key, "address sizes") == 0) {
			unsigned bits;
			if (sscanf(value, "%u bits physical", &bits) != 1 || bits < 12 ||
			    bits > 64) {
				mm_error_set(err, file, lineno, "bad address sizes '%s'", value);
				return -EINVAL;
			}
			phys = bits;
		}
	}
	if (x86)
		arch = long_mode ? "x86_64" : "i686";
	if (arch) {
		char *a = strdup(arch);
		if (!a)
			return -ENOMEM;
		free(m->arch);
		m->arch = a;
	} else if (mm_hostmap_add_warning(m, "%s: architecture not recognised", file) < 0)
		return -ENOMEM;
	m->phys_bits = phys;
	return 0;
}

int mm_probe_cpuinfo(int rootfd, MmHostMap *m, MmError *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mm_read_file_at(rootfd, "proc/cpuinfo", MM_FILE_MAX, &text, &len, err);
	if (r == -ENOENT)
		return mm_hostmap_add_warning(m, "proc/cpuinfo: missing: architecture unknown");
	if (r < 0)
		return r;
	return mm_cpuinfo_parse(text, len, "proc/cpuinfo", m, err);
}
