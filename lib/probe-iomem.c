/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/iomem: the host's physical map as a tree of "START-END : NAME"
 * lines indented two spaces per level. migmap keeps System RAM, the PCI
 * host bridge windows and the ECAM/MMCONFIG areas. Without root the kernel
 * prints every address as zero: then nothing is kept and the map says why. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "rangeset.h"
#include "sysroot.h"
#include "util.h"

#define IOMEM_MAX_DEPTH 32

typedef struct IomemLine {
	unsigned depth;
	uint64_t start, end;
	const char *name; /* points into a line buffer */
} IomemLine;

static int parse_line(char *line, unsigned lineno, const char *file, IomemLine *ret, MmError *err)
{
	size_t indent = strspn(line, " ");
	char *p = line + indent, *dash, *colon;

	if (indent % 2 || indent / 2 >= IOMEM_MAX_DEPTH) {
		mm_error_set(err, file, lineno, "bad indentation");
		return -EINVAL;
	}
	dash = strchr(p, '-');
	colon = strstr(p, " : ");
	/* an empty name: "X-Y : ", or "X-Y :" once a copy lost the trailing
	 * blank (as in an Ampere eMAG dump) */
	const char *name = colon ? colon + 3 : NULL;
	size_t plen = strlen(p);
	if (!colon && plen >= 2 && strcmp(p + plen - 2, " :") == 0) {
		colon = p + plen - 2;
		name = "";
	}
	if (!dash || !colon || dash > colon) {
		mm_error_set(err, file, lineno, "expected 'START-END : NAME'");
		return -EINVAL;
	}
	*dash = '\0';
	*colon = '\0';
	char hs[24], he[24];
	if (strlen(p) > 16 || strlen(dash + 1) > 16 || !*p || !dash[1] ||
	    p[strspn(p, "0123456789abcdef")] || dash[1 + strspn(dash + 1, "0123456789abcdef")]) {
		mm_error_set(err, file, lineno, "bad address range '%.40s-%.40s'", p, dash + 1);
		return -EINVAL;
	}
	snprintf(hs, sizeof(hs), "0x%s", p);
	snprintf(he, sizeof(he), "0x%s", dash + 1);
	if (mm_parse_u64(hs, &ret->start) < 0 || mm_parse_u64(he, &ret->end) < 0) {
		mm_error_set(err, file, lineno, "bad address range");
		return -EINVAL;
	}
	if (ret->end < ret->start) {
		mm_error_set(err, file, lineno, "end %s before start %s", he, hs);
		return -EINVAL;
	}
	ret->depth = (unsigned)(indent / 2);
	ret->name = name;
	return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A host bridge window: the root bus's resource ("PCI Bus 0000:00" with
 * ACPI or on x86) or a device-tree host bridge node ("pcie@10000000"). */
static bool is_bridge_window(const char *name)
{
	return starts_with(name, "PCI Bus ") || starts_with(name, "pcie@") ||
	       starts_with(name, "pci@");
}

int mm_iomem_parse(const char *text, size_t len, const char *file, MmHostMap *m, MmError *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	bool all_zero = true, any = false;
	MmRangeSet ram = { 0 }, windows = { 0 }, ecam = { 0 };
	int r = 0;

	if (memchr(text, '\0', len)) {
		mm_error_set(err, file, 0, "binary data (NUL byte)");
		return -EINVAL;
	}
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512];
		IomemLine l;

		lineno++;
		if (!nl) {
			mm_error_set(err, file, lineno,
				     "truncated line (no newline at end of file)");
			r = -EINVAL;
			break;
		}
		if (n >= sizeof(line)) {
			mm_error_set(err, file, lineno, "line too long");
			r = -EINVAL;
			break;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		r = parse_line(line, lineno, file, &l, err);
		if (r < 0)
			break;
		any = true;
		if (l.start || l.end)
			all_zero = false;
		if (l.depth == 0 && strcmp(l.name, "System RAM") == 0)
			r = mm_rangeset_add(&ram, l.start, l.end, MM_NO_ORIGIN);
		else if (l.depth == 0 && is_bridge_window(l.name))
			r = mm_rangeset_add(&windows, l.start, l.end, MM_NO_ORIGIN);
		else if (starts_with(l.name, "PCI ECAM") || starts_with(l.name, "PCI MMCONFIG"))
			r = mm_rangeset_add(&ecam, l.start, l.end, MM_NO_ORIGIN);
		if (r == -ENOMEM)
			mm_error_set(err, file, lineno, "out of memory");
	}
	if (r == 0 && any && all_zero) {
		/* Do not invent addresses the kernel hid. */
		mm_rangeset_clear(&ram);
		mm_rangeset_clear(&windows);
		mm_rangeset_clear(&ecam);
		r = mm_hostmap_add_warning(m, "%s: addresses hidden (not root)", file);
	}
	if (r < 0) {
		mm_rangeset_clear(&ram);
		mm_rangeset_clear(&windows);
		mm_rangeset_clear(&ecam);
		return r;
	}
	mm_rangeset_clear(&m->ram);
	mm_rangeset_clear(&m->pci_windows);
	mm_rangeset_clear(&m->ecam);
	m->ram = ram;
	m->pci_windows = windows;
	m->ecam = ecam;
	return 0;
}

int mm_probe_iomem(int rootfd, MmHostMap *m, MmError *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = mm_read_file_at(rootfd, "proc/iomem", MM_FILE_MAX, &text, &len, err);
	if (r == -ENOENT)
		return mm_hostmap_add_warning(m,
					      "proc/iomem: missing: no RAM or PCI windows known");
	if (r < 0)
		return r;
	return mm_iomem_parse(text, len, "proc/iomem", m, err);
}
