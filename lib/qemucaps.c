/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU version of a guest's emulator from libvirt's QEMU capabilities
 * cache (docs/design.md §6). libvirt's QEMU driver probes every emulator
 * once and writes what it learnt to MM_QEMU_CAPS_DIR/<sha256 of the
 * path>.xml: <qemuCaps> with <emulator>, <qemuctime>, <version> and <arch>
 * among hundreds of flags. It probes again, and rewrites the file, when
 * the binary's ctime no longer matches <qemuctime> (virQEMUCapsIsValid),
 * which it checks on every lookup, a domain's start included: by the time
 * the hook runs for a start, the entry for the domain's emulator is
 * current. Where it is not (QEMU upgraded, libvirt not asked since), the
 * entry is stale and said so: its version is not the binary's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "macros.h"
#include "qemucaps.h"
#include "strv.h"
#include "sysroot.h"
#include "util.h"
#include "xmlutil.h"

typedef struct CapsEntry {
	char *emulator;
	char *arch;
	unsigned long version;
	long long ctime; /* <qemuctime>, -1 when absent */
} CapsEntry;

static void caps_entry_clear(CapsEntry *e)
{
	free(e->emulator);
	free(e->arch);
	*e = (CapsEntry){ .ctime = -1 };
}

static int child_text(xmlNodePtr root, const char *name, char **ret)
{
	xmlNodePtr n = mm_xml_child(root, name, MM_XML_NO_NS);
	return n ? mm_xml_text(n, ret) : 0;
}

static int child_u64(xmlNodePtr root, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = child_text(root, name, &s);
	if (r < 0)
		return r;
	if (!s)
		return -ENOENT;
	return mm_parse_u64(s, ret);
}

/* One cache file; -EINVAL for anything that is not a <qemuCaps> naming an
 * emulator and a version. */
static int read_entry(int rootfd, const char *path, CapsEntry *e)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_(mm_xml_doc_freep) xmlDoc *doc = NULL;
	size_t len;
	uint64_t v;
	int r;

	r = mm_read_file_at(rootfd, path, MM_FILE_MAX, &text, &len, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	r = mm_xml_read(text, len, path, &doc, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!mm_xml_is_element(root, "qemuCaps", MM_XML_NO_NS))
		return -EINVAL;
	if ((r = child_text(root, "emulator", &e->emulator)) < 0 ||
	    (r = child_text(root, "arch", &e->arch)) < 0)
		return r;
	if (!e->emulator)
		return -EINVAL;
	r = child_u64(root, "version", &v);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || v == 0 || v > ULONG_MAX)
		return -EINVAL;
	e->version = (unsigned long)v;
	r = child_u64(root, "qemuctime", &v);
	if (r == -ENOMEM)
		return r;
	e->ctime = r == 0 && v <= (uint64_t)LLONG_MAX ? (long long)v : -1;
	return 0;
}

/* Whether the entry still describes the binary at its path. A binary the
 * sysroot lacks (a capture, a test) cannot say otherwise: the entry holds. */
static bool entry_current(int rootfd, const CapsEntry *e)
{
	/* read-only, not O_PATH: openat2 takes no O_NOCTTY with O_PATH */
	_cleanup_close_ int fd = mm_open_in_root(rootfd, e->emulator, O_RDONLY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return true;
	return e->ctime >= 0 && (long long)st.st_ctime == e->ctime;
}

int mm_qemu_caps_version(const char *sysroot, const char *emulator, const char *arch,
			 unsigned long *ret, MmError *err)
{
	_cleanup_close_ int rootfd = -1;
	char **names = NULL;
	size_t n = 0;
	int r;

	if (!emulator && !arch) {
		mm_error_set(err, NULL, 0, "no emulator and no architecture to look up");
		return -EINVAL;
	}
	rootfd = open(sysroot ? sysroot : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		r = -errno;
		mm_error_set(err, sysroot, 0, "cannot open sysroot: %s", strerror(-r));
		return r;
	}
	r = mm_list_dir_at(rootfd, &MM_QEMU_CAPS_DIR[1], &names, &n, NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		mm_error_set(err, MM_QEMU_CAPS_DIR, 0, "libvirt's QEMU capabilities: %s",
			     strerror(-r));
		return -ENOENT;
	}

	CapsEntry found = { .ctime = -1 };
	bool stale = false;
	unsigned matches = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		_cleanup_free_ char *path = NULL;
		CapsEntry e = { .ctime = -1 };
		size_t l = strlen(names[i]);
		if (l < 5 || strcmp(names[i] + l - 4, ".xml") != 0)
			continue;
		if (asprintf(&path, "%s/%s", &MM_QEMU_CAPS_DIR[1], names[i]) < 0) {
			path = NULL;
			r = -ENOMEM;
			break;
		}
		/* an unreadable or foreign file hides no other entry */
		int q = read_entry(rootfd, path, &e);
		if (q == -ENOMEM)
			r = q;
		bool match = q >= 0 && (emulator ? strcmp(e.emulator, emulator) == 0
						 : streq_ptr(e.arch, arch));
		if (match && !entry_current(rootfd, &e)) {
			stale = true;
			match = false;
		}
		if (match && matches++ == 0) {
			found = e;
			e = (CapsEntry){ .ctime = -1 };
		}
		caps_entry_clear(&e);
	}
	mm_strv_free(names, n);
	if (r < 0) {
		caps_entry_clear(&found);
		return r;
	}
	const char *what = emulator ? emulator : arch;
	if (matches == 1) {
		*ret = found.version;
		caps_entry_clear(&found);
		return 0;
	}
	caps_entry_clear(&found);
	if (matches > 1) {
		mm_error_set(err, MM_QEMU_CAPS_DIR, 0,
			     "%u emulators for %s and the domain names none (<emulator>)", matches,
			     arch);
		return -ENOTUNIQ;
	}
	if (stale) {
		mm_error_set(err, MM_QEMU_CAPS_DIR, 0,
			     "%s changed since libvirt probed it: its version is not known yet",
			     what);
		return -ESTALE;
	}
	mm_error_set(err, MM_QEMU_CAPS_DIR, 0, "libvirt has not probed %s", what);
	return -ENOENT;
}

int mm_qemu_caps_fill_domain(MmDomain *d, const char *sysroot, MmError *err)
{
	if (d->qemu_version)
		return 0;
	if (!d->emulator && !d->arch) {
		mm_error_set(err, NULL, 0, "the domain names no emulator and no architecture");
		return -ENOENT;
	}
	return mm_qemu_caps_version(sysroot, d->emulator, d->arch, &d->qemu_version, err);
}
