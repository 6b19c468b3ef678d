/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups: sys/kernel/iommu_groups/N/{reserved_regions,type,devices/}
 * and the PCI identity of their devices from sys/bus/pci/devices/BDF/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "rangeset.h"
#include "strv.h"
#include "sysroot.h"
#include "util.h"

#define GROUPS_DIR "sys/kernel/iommu_groups"

static bool is_type_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

/* Only the kernel's own form: "0x" and hex digits. */
static int parse_addr(const char *tok, uint64_t *ret)
{
	if (strncmp(tok, "0x", 2) != 0)
		return -EINVAL;
	return mm_parse_u64(tok, ret);
}

int mm_reserved_regions_parse(const char *text, size_t len, const char *file, uint32_t group_id,
			      MmHostMap *m, MmError *err)
{
	unsigned lineno = 0;
	const char *p = text, *end = text + len;

	if (memchr(text, '\0', len)) {
		mm_error_set(err, file, 0, "binary data (NUL byte)");
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (!nl) {
			mm_error_set(err, file, lineno,
				     "truncated line (no newline at end of file)");
			return -EINVAL;
		}
		size_t n = (size_t)(nl - p);
		if (n > 200) {
			mm_error_set(err, file, lineno, "line too long");
			return -EINVAL;
		}
		char line[256], a[201], b[201], type[201], extra[2];
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;

		int k = sscanf(line, "%200s %200s %200s %1s", a, b, type, extra);
		if (k != 3) {
			mm_error_set(err, file, lineno, "expected 'START END TYPE', got '%s'",
				     line);
			return -EINVAL;
		}
		uint64_t start, last;
		if (parse_addr(a, &start) < 0) {
			mm_error_set(err, file, lineno, "bad address '%s'", a);
			return -EINVAL;
		}
		if (parse_addr(b, &last) < 0) {
			mm_error_set(err, file, lineno, "bad address '%s'", b);
			return -EINVAL;
		}
		if (last < start) {
			mm_error_set(err, file, lineno, "end %s before start %s", b, a);
			return -EINVAL;
		}
		if (!is_type_word(type)) {
			mm_error_set(err, file, lineno, "bad type '%s'", type);
			return -EINVAL;
		}
		if (mm_reserved_kind_of(type) == MM_RESERVED_OTHER &&
		    mm_hostmap_add_warning(m, "%s:%u: unknown type '%s' (kept as read)", file,
					   lineno, type) < 0)
			return -ENOMEM;
		uint32_t id = group_id;
		MmIdSet groups = { &id, 1 };
		if (mm_hostmap_add_reserved(m, type, start, last, &groups) < 0) {
			mm_error_set(err, file, lineno, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

static int parse_hex_file(int rootfd, const char *path, uint64_t max, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = mm_read_line_at(rootfd, path, &s, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	uint64_t v;
	if (strncmp(s, "0x", 2) != 0 || mm_parse_u64(s, &v) < 0 || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A PCI device name: DDDD:BB:DD.F in lower-case hex. */
static bool is_bdf(const char *s)
{
	static const char shape[] = "hhhh:hh:hh.h";
	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
		if (shape[i] == 'h' ? !hex : s[i] != shape[i])
			return false;
	}
	return true;
}

static int probe_device(int rootfd, const char *name, MmDevice *dev, MmHostMap *m)
{
	char path[512];
	uint64_t v, d;

	dev->bdf = strdup(name);
	if (!dev->bdf)
		return -ENOMEM;
	if (!is_bdf(name))
		return 0; /* a platform device: no PCI identity */

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/vendor", name);
	int r1 = parse_hex_file(rootfd, path, 0xffff, &v);
	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/device", name);
	int r2 = parse_hex_file(rootfd, path, 0xffff, &d);
	if (r1 == -ENOMEM || r2 == -ENOMEM)
		return -ENOMEM;
	if (r1 == 0 && r2 == 0) {
		dev->vendor = (uint16_t)v;
		dev->device = (uint16_t)d;
		dev->has_ids = true;
	} else if (r1 == -EINVAL || r2 == -EINVAL) {
		if (mm_hostmap_add_warning(m, "sys/bus/pci/devices/%s: bad vendor or device id",
					   name) < 0)
			return -ENOMEM;
	}
	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/class", name);
	int r = parse_hex_file(rootfd, path, 0xffffff, &v);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		dev->class = (uint32_t)v;
		dev->has_class = true;
	} else if (r == -EINVAL &&
		   mm_hostmap_add_warning(m, "sys/bus/pci/devices/%s/class: bad class", name) < 0)
		return -ENOMEM;
	return 0;
}

static int probe_group(int rootfd, uint32_t id, MmHostMap *m, MmError *err)
{
	char path[256];
	_cleanup_free_ char *text = NULL;
	size_t len;
	char **names = NULL;
	size_t n_names = 0;
	int r;

	MmGroup *g = mm_hostmap_ensure_group(m, id);
	if (!g)
		return -ENOMEM;

	snprintf(path, sizeof(path), GROUPS_DIR "/%u/type", id);
	r = mm_read_line_at(rootfd, path, &g->type, NULL);
	if (r == -ENOMEM ||
	    (r < 0 && r != -ENOENT && mm_hostmap_add_warning(m, "%s: unreadable", path) < 0))
		return -ENOMEM;

	snprintf(path, sizeof(path), GROUPS_DIR "/%u/devices", id);
	r = mm_list_dir_at(rootfd, path, &names, &n_names, NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (mm_hostmap_add_warning(m, "%s: cannot list: %s", path, strerror(-r)) < 0)
			return -ENOMEM;
	} else {
		g->devices = calloc(n_names ? n_names : 1, sizeof(MmDevice));
		r = g->devices ? 0 : -ENOMEM;
		for (size_t i = 0; r == 0 && i < n_names; i++) {
			r = probe_device(rootfd, names[i], &g->devices[i], m);
			g->n_devices = i + 1;
		}
		mm_strv_free(names, n_names);
		if (r < 0)
			return r;
	}

	snprintf(path, sizeof(path), GROUPS_DIR "/%u/reserved_regions", id);
	r = mm_read_file_at(rootfd, path, MM_FILE_MAX, &text, &len, err);
	if (r == -ENOENT)
		return mm_hostmap_add_warning(m, "%s: missing", path);
	if (r < 0)
		return r;
	return mm_reserved_regions_parse(text, len, path, id, m, err);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int mm_probe_iommu_groups(int rootfd, MmHostMap *m, MmError *err)
{
	char **names = NULL;
	size_t n = 0;
	_cleanup_free_ uint32_t *ids = NULL;
	size_t n_ids = 0;

	int r = mm_list_dir_at(rootfd, GROUPS_DIR, &names, &n, err);
	if (r == -ENOENT) {
		m->n_iommu_groups = 0;
		return mm_hostmap_add_warning(
			m,
			GROUPS_DIR ": missing: no IOMMU groups, this host cannot assign devices");
	}
	if (r < 0)
		return r;

	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		mm_strv_free(names, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		bool decimal = names[i][strspn(names[i], "0123456789")] == '\0';
		if (!decimal || mm_parse_u64(names[i], &v) < 0 || v >= UINT32_MAX ||
		    (names[i][0] == '0' && names[i][1])) {
			r = mm_hostmap_add_warning(m, GROUPS_DIR "/%s: not a group number, skipped",
						   names[i]);
			if (r < 0)
				break;
			continue;
		}
		ids[n_ids++] = (uint32_t)v;
	}
	mm_strv_free(names, n);
	if (r < 0)
		return r;
	qsort(ids, n_ids, sizeof(*ids), cmp_u32);

	m->n_iommu_groups = n_ids;
	if (n_ids == 0)
		return mm_hostmap_add_warning(
			m, GROUPS_DIR ": empty: no IOMMU groups, this host cannot assign devices");
	for (size_t i = 0; i < n_ids; i++) {
		r = probe_group(rootfd, ids[i], m, err);
		if (r < 0)
			return r;
	}
	return 0;
}
