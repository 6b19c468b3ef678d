/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest layouts: from a domain to the machine family that builds its map
 * (layout-virt.c, layout-x86.c), machine aliases, the memory sizes QEMU is
 * given, and the layout's JSON form. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "error.h"
#include "jsonutil.h"
#include "layout-internal.h"
#include "layout.h"
#include "macros.h"
#include "strv.h"

void mm_layout_free(MmGuestLayout *l)
{
	if (!l)
		return;
	free(l->machine);
	free(l->arch);
	free(l->regions);
	mm_strv_free(l->warnings, l->n_warnings);
	free(l);
}

int mm_layout_add(MmGuestLayout *l, const char *kind, MmRegionClass cls, uint64_t start,
		  uint64_t size, int node)
{
	/* the capacity mm_grow gave the array (4, 8, 16, …): derived, not
	 * stored. Taking n_regions for it reallocated on every call, and a
	 * guest of 100,000 NUMA cells copied its regions 100,000 times */
	size_t alloc = 0;
	if (l->n_regions)
		for (alloc = 4; alloc < l->n_regions; alloc *= 2)
			;
	uint64_t end;
	if (size == 0)
		return 0;
	if (__builtin_add_overflow(start, size - 1, &end))
		return -ERANGE;
	if (MM_GROW(l->regions, alloc, l->n_regions + 1) < 0)
		return -ENOMEM;
	l->regions[l->n_regions++] = (MmGuestRegion){ kind, cls, start, end, node };
	return 0;
}

int mm_layout_warn(MmGuestLayout *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mm_strv_appendv(&l->warnings, &l->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

static int region_cmp(const void *a, const void *b)
{
	const MmGuestRegion *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* ---- machines ---- */

typedef enum Family { FAMILY_VIRT, FAMILY_Q35, FAMILY_I440FX } Family;

static const struct {
	Family family;
	const char *arch;
	const char *prefix; /* of versioned names */
	const char *alias;
	const MmMachineVersion *versions;
	const size_t *n_versions;
} families[] = {
	{ FAMILY_VIRT, "aarch64", "virt-", "virt", mm_virt_versions, &mm_n_virt_versions },
	{ FAMILY_Q35, "x86_64", "pc-q35-", "q35", mm_q35_versions, &mm_n_q35_versions },
	{ FAMILY_I440FX, "x86_64", "pc-i440fx-", "pc", mm_i440fx_versions, &mm_n_i440fx_versions },
};

/* "7.2" or "4.0.1": digits only, no leading junk, nothing after. */
static bool parse_version(const char *s, MmMachineVersion *v)
{
	unsigned parts[3] = { 0, 0, 0 };
	size_t n = 0;
	for (;;) {
		if (*s < '0' || *s > '9' || n == 3)
			return false;
		unsigned x = 0;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (unsigned)(*s++ - '0');
			if (x > 1000)
				return false;
		}
		parts[n++] = x;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return false;
	}
	if (n < 2)
		return false;
	*v = (MmMachineVersion){ parts[0], parts[1], parts[2] };
	return true;
}

static const char *alias_target(size_t f, char *buf, size_t size)
{
	const MmMachineVersion *last = &families[f].versions[*families[f].n_versions - 1];
	snprintf(buf, size, "%s%u.%u", families[f].prefix, last->major, last->minor);
	return buf;
}

static int version_cmp(MmMachineVersion a, MmMachineVersion b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return a.micro < b.micro ? -1 : a.micro > b.micro;
}

/* The newest modelled version of family f not newer than v; the oldest
 * when v is older than all. */
static MmMachineVersion closest_version(size_t f, MmMachineVersion v)
{
	const MmMachineVersion *vs = families[f].versions;
	MmMachineVersion best = vs[0];
	for (size_t k = 0; k < *families[f].n_versions; k++)
		if (version_cmp(vs[k], v) <= 0)
			best = vs[k];
	return best;
}

/* ---- distribution machine types ----
 *
 * Distributions register machine types of their own whose guest memory map
 * is that of the upstream machine of the QEMU they shipped: the rows say
 * which and where that comes from. */

typedef struct DistroBase {
	const char *release; /* "9.6" (RHEL X.Y) or a codename (Ubuntu) */
	unsigned major, minor;
	const char *source;
	/* Ubuntu only, where a variant's base differs from the row's: the
	 * i440fx type's, and the -hpb types' (q35, i440fx); 0.0 when not */
	unsigned i440fx_major, i440fx_minor;
	unsigned hpb_q35_major, hpb_q35_minor, hpb_i440fx_major, hpb_i440fx_minor;
	/* RHEL 7 types only: x86 settings where the type differs from its base */
	unsigned x86_quirks;
} DistroBase;

enum {
	QUIRK_GIGABYTE_ALIGN = 1 << 0, /* gigabyte_align on below 2.1 */
	QUIRK_HOLE64_FIX = 1 << 1,     /* x-pci-hole64-fix on below 2.12 */
};
#define DISTRO(rel, maj, min, src) .release = (rel), .major = (maj), .minor = (min), .source = (src)

/* RHEL X.Y (and CentOS Stream, Rocky, Alma built from it): pc-q35-rhelX.Y.Z,
 * pc-i440fx-rhelX.Y.Z, virt-rhelX.Y.Z, defined in qemu-kvm's downstream
 * hw/i386/pc_q35.c / hw/arm/virt.c on top of the newest upstream options
 * plus, per RHEL machine, the compat properties that pin it to the upstream
 * machine of the qemu-kvm that minor release shipped.
 *
 * Checked (rows marked "checked") in OpenELA's rebuild of RHEL's dist-git,
 * github.com/openela-main/qemu-kvm: SOURCES/0011-Add-downstream-x86_64-
 * versioned-pc-q35-machine-types.patch and SOURCES/0008-Add-downstream-
 * aarch64-versioned-virt-machine-types.patch (commit 061f0ea7, the el9
 * qemu-kvm of RHEL 9.7/9.8) name each RHEL machine's upstream compat level:
 * pc-q35-rhel8.0.0 adds pc_rhel_8_0_compat "from pc_compat_3_1", 8.1.0 the
 * (empty) 4.1 one, 8.2.0 "from pc_compat_4_2", 8.3.0 "from pc_compat_5_1"
 * and pc_q35_5_1's kvmclock/pci_root_uid settings, 8.4.0 "from
 * pc_compat_5_2", 8.5.0 "from pc_compat_6_0", 9.0.0 "from pc_compat_6_2"
 * with enforce_amd_1tb_hole off (upstream 7.0 and older), 9.2.0 "from
 * pc_compat_7_2" with broken_32bit_mem_addr_check (8.0 and older), 9.4.0
 * the 9.0 compat and pc_q35_machine_9_0's isa-bios setting; virt-rhel9.0.0
 * sets no_highmem_compact (upstream 7.1 and older), virt-rhel9.4.0 takes
 * virt_machine_9_0's settings. The x86 types that exist there are
 * rhel7.6.0, 8.0.0 to 8.6.0, 9.0.0, 9.2.0, 9.4.0 and 9.6.0 (pc-i440fx only
 * rhel7.6.0); virt-rhel 9.0.0 to 9.6.0. Its tags give the qemu-kvm of RHEL
 * 8.8/8.9 (6.2.0), 9.2 (7.2.0) and 9.3 (8.0.0).
 *
 * From 9.5 on, checked in the spec files' changelogs: el9's qemu-kvm.spec
 * (10.1.0-17.el9, same repository) rebased to 9.0.0 for 9.5, to 9.1.0 "for
 * RHEL 9.6" and kept it through 9.7 (9.1.0-29, September 2025), then 10.1.0
 * for 9.8, whose kvm-x86-create-new-pc-q35-machine-type-for-rhel-9.8.patch
 * adds pc-q35-rhel9.8.0 without compat properties and pins rhel9.6.0 and
 * older with pc_rhel_9_8_compat "from pc_compat_9_1" (intel-iommu aw-bits
 * 39 included); CentOS Stream 10's qemu-kvm.spec (10.1.0-16.el10) rebased
 * to 9.1.0 "for RHEL 10.0", to 10.0.0 (its fixes tagged rhel-10.1) and to
 * 10.1.0 (tagged RHEL 10.2, adding the rhel10.2.0 types).
 *
 * Every RHEL x86 type also turns host-phys-bits on, limited to 48 bits
 * (pc_rhel_compat, added to each pc-q35/pc-i440fx RHEL machine's options):
 * the guest sees the host's physical address bits whatever its CPU model.
 * RHEL 7's types: RHEL 8's qemu-kvm (6.2.0-40.el8_9, same repository,
 * SOURCES/0011-Add-x86_64-machine-types.patch) still registers
 * pc-i440fx-rhel7.0.0 to 7.6.0 and pc-q35-rhel7.3.0 to 7.6.0; RHEL 9's
 * keeps 7.6.0. Their settings are their base's but for three. Two are
 * quirks of their rows: rhel7.0.0 keeps gigabyte_align on (only
 * has_reserved_memory and enforce_aligned_dimm are off, with
 * broken_reserved_end on); x-pci-hole64-fix is off only up to rhel7.4.0
 * (pc_rhel_7_4_compat: "backported to 7.5"). The third, rhel7.2.0 without
 * broken_reserved_end ("was already in 7.2"), moves only the 64-bit hole
 * of a machine without the hole64 fix, which lists no hole: nothing
 * migmap lays out changes. */
static const DistroBase rhel_bases[] = {
	{ DISTRO("7.0", 1, 5, "RHEL 7.0 qemu-kvm 1.5.3, checked: with gigabyte-aligned low RAM"),
	  .x86_quirks = QUIRK_GIGABYTE_ALIGN },
	{ DISTRO("7.1", 2, 1, "RHEL 7.1 qemu-kvm-rhev 2.1.2, checked") },
	{ DISTRO("7.2", 2, 3, "RHEL 7.2 qemu-kvm-rhev 2.3.0, checked") },
	{ DISTRO("7.3", 2, 6, "RHEL 7.3 qemu-kvm-rhev 2.6.0, checked") },
	{ DISTRO("7.4", 2, 9, "RHEL 7.4 qemu-kvm-rhev 2.9.0, checked") },
	{ DISTRO("7.5", 2, 10,
		 "RHEL 7.5 qemu-kvm-rhev 2.10.0, checked: with the 2.12 fix of the 64-bit hole"),
	  .x86_quirks = QUIRK_HOLE64_FIX },
	{ DISTRO("7.6", 2, 12, "RHEL 7.6 qemu-kvm-rhev 2.12.0, checked") },
	{ DISTRO("8.0", 3, 1, "RHEL 8.0, checked: pc_compat_3_1") },
	{ DISTRO("8.1", 4, 1, "RHEL 8.1, checked: the 4.1 compat") },
	{ DISTRO("8.2", 4, 2, "RHEL 8.2, checked: pc_compat_4_2") },
	{ DISTRO("8.3", 5, 1, "RHEL 8.3, checked: pc_compat_5_1") },
	{ DISTRO("8.4", 5, 2, "RHEL 8.4, checked: pc_compat_5_2") },
	{ DISTRO("8.5", 6, 0, "RHEL 8.5, checked: pc_compat_6_0") },
	{ DISTRO("8.6", 6, 2,
		 "RHEL 8.6 qemu-kvm 6.2.0 (kept through 8.10, checked for 8.8 and 8.9)") },
	{ DISTRO("9.0", 6, 2, "RHEL 9.0, checked: pc_compat_6_2") },
	{ DISTRO("9.1", 7, 0, "RHEL 9.1 qemu-kvm 7.0.0") },
	{ DISTRO("9.2", 7, 2, "RHEL 9.2, checked: pc_compat_7_2, qemu-kvm 7.2.0") },
	{ DISTRO("9.3", 8, 0, "RHEL 9.3, checked: qemu-kvm 8.0.0") },
	{ DISTRO("9.4", 8, 2, "RHEL 9.4 qemu-kvm 8.2.0 (checked: 9.0 compat or older)") },
	{ DISTRO("9.5", 9, 0, "RHEL 9.5 qemu-kvm 9.0.0, checked") },
	{ DISTRO("9.6", 9, 1, "RHEL 9.6 qemu-kvm 9.1.0, checked: pc_compat_9_1") },
	{ DISTRO("9.7", 9, 1, "RHEL 9.7 qemu-kvm 9.1.0, checked") },
	{ DISTRO("9.8", 10, 1, "RHEL 9.8 qemu-kvm 10.1.0, checked") },
	{ DISTRO("10.0", 9, 1, "RHEL 10.0 qemu-kvm 9.1.0, checked") },
	{ DISTRO("10.1", 10, 0, "RHEL 10.1 qemu-kvm 10.0.0, checked") },
	{ DISTRO("10.2", 10, 1, "RHEL 10.2 qemu-kvm 10.1.0, checked") },
};

/* Ubuntu: pc-q35-CODENAME and pc-i440fx-CODENAME (with the -hpb, -maxcpus,
 * -hpb-maxcpus and -v2 variants, and the aliases ubuntu / ubuntu-q35),
 * from the qemu source package's debian/patches/ubuntu/
 * define-ubuntu-machine-types.patch: each codename's options call the
 * upstream options of the QEMU that release shipped.
 *
 * Checked, trusty to noble, in that patch as Ubuntu 24.04's QEMU 8.2
 * carries it (a copy in github.com/NVIDIA/QEMU, commit 670c1fd9), with its
 * quirks: pc-q35-cosmic calls pc_q35_2_11 ("wrong" but kept) while
 * pc-q35-cosmic-hpb and pc-i440fx-cosmic call 2.12; pc-i440fx-focal calls
 * 4.0 where pc-q35-focal calls 4.2; pc-i440fx-hirsute-hpb calls 5.1;
 * pc-i440fx-wily is pc_i440fx_2_5 with pc_compat_2_4, hw_version 2.4.0 and
 * broken_reserved_end (laid out as 2.4); trusty and wily exist only as
 * pc-i440fx; utopic and vivid are gone. That patch has no -hpb type from
 * noble on, and no -maxcpus or -v2 variant at all: those, and oracular to
 * resolute, were not checked. */
static const DistroBase ubuntu_bases[] = {
	{ DISTRO("trusty", 2, 0, "Ubuntu 14.04 QEMU 2.0") },
	{ DISTRO("wily", 2, 4, "Ubuntu 15.10: pc_i440fx_2_5 with 2.4 compat") },
	{ DISTRO("xenial", 2, 5, "Ubuntu 16.04 QEMU 2.5") },
	{ DISTRO("yakkety", 2, 6, "Ubuntu 16.10 QEMU 2.6") },
	{ DISTRO("zesty", 2, 8, "Ubuntu 17.04 QEMU 2.8") },
	{ DISTRO("artful", 2, 10, "Ubuntu 17.10 QEMU 2.10") },
	{ DISTRO("bionic", 2, 11, "Ubuntu 18.04 QEMU 2.11") },
	{ DISTRO("cosmic", 2, 11, "Ubuntu 18.10 QEMU 2.12 (pc-q35-cosmic: 2.11)"),
	  .i440fx_major = 2, .i440fx_minor = 12, .hpb_q35_major = 2, .hpb_q35_minor = 12 },
	{ DISTRO("disco", 3, 1, "Ubuntu 19.04 QEMU 3.1") },
	{ DISTRO("eoan", 4, 0, "Ubuntu 19.10 QEMU 4.0") },
	{ DISTRO("focal", 4, 2, "Ubuntu 20.04 QEMU 4.2 (pc-i440fx-focal: 4.0)"),
	  .i440fx_major = 4 },
	{ DISTRO("groovy", 5, 0, "Ubuntu 20.10 QEMU 5.0") },
	{ DISTRO("hirsute", 5, 2, "Ubuntu 21.04 QEMU 5.2 (pc-i440fx-hirsute-hpb: 5.1)"),
	  .hpb_i440fx_major = 5, .hpb_i440fx_minor = 1 },
	{ DISTRO("impish", 6, 0, "Ubuntu 21.10 QEMU 6.0") },
	{ DISTRO("jammy", 6, 2, "Ubuntu 22.04 QEMU 6.2") },
	{ DISTRO("kinetic", 7, 0, "Ubuntu 22.10 QEMU 7.0") },
	{ DISTRO("lunar", 7, 2, "Ubuntu 23.04 QEMU 7.2") },
	{ DISTRO("mantic", 8, 0, "Ubuntu 23.10 QEMU 8.0") },
	{ DISTRO("noble", 8, 2, "Ubuntu 24.04 QEMU 8.2") },
	{ DISTRO("oracular", 9, 0, "Ubuntu 24.10 QEMU 9.0 (not checked)") },
	{ DISTRO("plucky", 9, 2, "Ubuntu 25.04 QEMU 9.2 (not checked)") },
	{ DISTRO("questing", 10, 1, "Ubuntu 25.10 QEMU 10.1 (not checked)") },
	{ DISTRO("resolute", 10, 2, "Ubuntu 26.04 QEMU 10.2 (not checked)") },
};

/* "9.6.0" → the row of RHEL 9.6. A minor release the table lacks takes
 * the row before it of the same major (*newer when that is the major's
 * last row: a release newer than modelled); a major newer than the
 * table's takes its last row. */
static const DistroBase *rhel_base(const char *s, bool *newer)
{
	MmMachineVersion v, r;
	const DistroBase *best = NULL;
	size_t at = 0;
	*newer = false;
	if (!parse_version(s, &v) || v.major < 7)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(rhel_bases); i++) {
		if (!parse_version(rhel_bases[i].release, &r))
			continue;
		if (r.major == v.major && r.minor == v.minor)
			return &rhel_bases[i];
		if (r.major < v.major || (r.major == v.major && r.minor < v.minor)) {
			best = &rhel_bases[i];
			at = i;
		}
	}
	if (!best)
		return NULL;
	bool last_of_major =
		at + 1 == ELEMENTSOF(rhel_bases) ||
		(parse_version(rhel_bases[at + 1].release, &r) && r.major != best->major);
	parse_version(best->release, &r);
	if (r.major != v.major && at + 1 != ELEMENTSOF(rhel_bases))
		return NULL; /* a major release the table skips */
	*newer = last_of_major;
	return best;
}

/* "noble", "noble-hpb", "jammy-hpb-maxcpus", "noble-v2"; *hpb for the
 * host-phys-bits variants. */
static const DistroBase *ubuntu_base(const char *s, bool *hpb)
{
	static const char *const suffixes[] = { "", "-hpb", "-maxcpus", "-hpb-maxcpus", "-v2" };
	for (size_t i = 0; i < ELEMENTSOF(ubuntu_bases); i++) {
		size_t n = strlen(ubuntu_bases[i].release);
		if (strncmp(s, ubuntu_bases[i].release, n) != 0)
			continue;
		for (size_t k = 0; k < ELEMENTSOF(suffixes); k++)
			if (strcmp(s + n, suffixes[k]) == 0) {
				*hpb = strstr(suffixes[k], "hpb") != NULL;
				return &ubuntu_bases[i];
			}
	}
	return NULL;
}

/* The upstream version a distribution row gives family's type (with
 * hpb, its -hpb variant), where Ubuntu's families differ. */
static MmMachineVersion distro_version(const DistroBase *b, Family family, bool hpb)
{
	MmMachineVersion v = { b->major, b->minor, 0 };
	bool i440fx = family == FAMILY_I440FX;
	if (i440fx && b->i440fx_major)
		v = (MmMachineVersion){ b->i440fx_major, b->i440fx_minor, 0 };
	if (hpb && !i440fx && b->hpb_q35_major)
		v = (MmMachineVersion){ b->hpb_q35_major, b->hpb_q35_minor, 0 };
	if (hpb && i440fx && b->hpb_i440fx_major)
		v = (MmMachineVersion){ b->hpb_i440fx_major, b->hpb_i440fx_minor, 0 };
	return v;
}

/* From a machine name to a family and a modelled version, with the
 * warnings that say what was assumed; false when not modelled. */
static bool resolve_machine(const char *name, size_t *fam, MmMachineVersion *ver, unsigned *quirks,
			    MmGuestLayout *l, int *r)
{
	char buf[64];
	*r = 0;
	/* Ubuntu's own aliases: the newest Ubuntu type of its family */
	if (strcmp(name, "ubuntu") == 0 || strcmp(name, "ubuntu-q35") == 0) {
		const DistroBase *b = &ubuntu_bases[ELEMENTSOF(ubuntu_bases) - 1];
		*fam = name[6] ? 1 : 2;
		*ver = closest_version(*fam, (MmMachineVersion){ b->major, b->minor, 0 });
		*r = mm_layout_warn(l,
				    "machine '%s' is an alias of Ubuntu's newest %s machine: laid "
				    "out as %s%u.%u (%s); name a versioned machine type",
				    name, families[*fam].alias, families[*fam].prefix, ver->major,
				    ver->minor, b->source);
		return true;
	}
	for (size_t f = 0; f < ELEMENTSOF(families); f++) {
		*fam = f;
		const MmMachineVersion newest = families[f].versions[*families[f].n_versions - 1];
		if (strcmp(name, families[f].alias) == 0) {
			*ver = newest;
			*r = mm_layout_warn(l,
					    "machine '%s' is an alias: laid out as %s, the newest "
					    "modelled; the host's QEMU may resolve it differently, "
					    "so name a versioned machine type",
					    name, alias_target(f, buf, sizeof(buf)));
			return true;
		}
		size_t plen = strlen(families[f].prefix);
		if (strncmp(name, families[f].prefix, plen) != 0)
			continue;
		const char *rest = name + plen;
		if (parse_version(rest, ver)) {
			for (size_t k = 0; k < *families[f].n_versions; k++)
				if (version_cmp(families[f].versions[k], *ver) == 0)
					return true;
			if (version_cmp(*ver, newest) <= 0)
				return false; /* a version QEMU never had */
			*r = mm_layout_warn(l,
					    "machine '%s' is newer than %s, the newest modelled: "
					    "laid out as %s",
					    name, alias_target(f, buf, sizeof(buf)), buf);
			*ver = newest;
			return true;
		}
		const DistroBase *b = NULL;
		bool newer = false, hpb = false;
		if (strncmp(rest, "rhel", 4) == 0)
			b = rhel_base(rest + 4, &newer);
		else if (families[f].family != FAMILY_VIRT) /* Ubuntu has no virt-CODENAME */
			b = ubuntu_base(rest, &hpb);
		if (!b)
			return false;
		*ver = closest_version(f, distro_version(b, families[f].family, hpb));
		*quirks = b->x86_quirks;
		l->host_phys_bits = hpb;
		if (b >= rhel_bases && b < rhel_bases + ELEMENTSOF(rhel_bases) &&
		    families[f].family != FAMILY_VIRT) {
			/* pc_rhel_compat: host-phys-bits=on, host-phys-bits-limit=48 */
			l->host_phys_bits = true;
			l->host_phys_bits_limit = 48;
		}
		*r = mm_layout_warn(l,
				    "machine '%s' is laid out as %s%u.%u, its upstream base (%s)%s",
				    name, families[f].prefix, ver->major, ver->minor, b->source,
				    newer ? ": newer than the newest release modelled, assumed "
					    "to keep its base"
					  : "");
		return true;
	}
	return false;
}

/* The vIOMMU's input address width: <driver aw_bits> or QEMU's default for
 * the model, machine version and QEMU version.
 * - intel-iommu: 39 bits, 48 for pc-q35-9.2 and later run by QEMU 10.0 or
 *   later (QEMU commit 81ab964f "intel_iommu: Set default aw_bits to 48
 *   starting from QEMU 9.2", merged for 10.0, with aw-bits=39 in hw/i386/pc.c
 *   pc_compat_9_1): only pc-q35-9.2 depends on the QEMU version;
 * - virtio-iommu: 64 bits for machines before 9.0 (hw_compat_8_2 aw-bits=64),
 *   then 48 on virt and 39 on q35/pc (the machine's pre-plug fills in 0);
 * - smmuv3 and amd: the 48 bits of 4-level page tables, not settable. */
static int viommu_width(const MmDomain *d, size_t f, MmMachineVersion v, MmGuestLayout *l,
			MmError *err)
{
	const char *model = d->iommu_model;
	l->viommu_bits = 0;
	if (!model || d->iommu_no_dma)
		return 0;
	if (d->iommu_aw_bits) {
		/* what QEMU accepts: intel-iommu 39 or 48 (hw/i386/intel_iommu.c
		 * vtd_decide_config), virtio-iommu 32 to 64 (hw/virtio/virtio-iommu.c
		 * realize) */
		unsigned aw = d->iommu_aw_bits;
		bool ok = strcmp(model, "intel") == 0    ? aw == 39 || aw == 48
			  : strcmp(model, "virtio") == 0 ? aw >= 32 && aw <= 64
							 : true;
		if (!ok) {
			mm_error_set(err, NULL, 0,
				     "<iommu model='%s'> aw_bits %u: QEMU refuses the device",
				     model, aw);
			return -EINVAL;
		}
		l->viommu_bits = aw;
		return 0;
	}
	if (strcmp(model, "intel") == 0) {
		l->viommu_bits = mm_version_before(v, 9, 2) ? 39 : 48;
		if (v.major == 9 && v.minor == 2) {
			if (d->qemu_version && d->qemu_version < 10000000)
				l->viommu_bits = 39;
			else if (!d->qemu_version)
				return mm_layout_warn(l,
						      "QEMU version unknown: intel-iommu's default "
						      "address width on pc-q35-9.2 assumed 48 bits "
						      "(QEMU 10.0 and later; 39 with QEMU 9.2)");
		}
	} else if (strcmp(model, "virtio") == 0)
		l->viommu_bits = mm_version_before(v, 9, 0)          ? 64
				 : families[f].family == FAMILY_VIRT ? 48
								     : 39;
	else if (strcmp(model, "smmuv3") == 0 || strcmp(model, "amd") == 0)
		l->viommu_bits = 48;
	return 0;
}

/* The memory sizes libvirt puts on QEMU's command line: initial RAM is the
 * sum of the NUMA cells or <memory> less the memory devices; sizes are
 * rounded up to 1 MiB (qemuDomainAlignMemorySizes, x86 and aarch64). */
static int guest_memory(const MmDomain *d, MmGuestMemory *mem, uint64_t **cells, MmError *err)
{
	*mem = (MmGuestMemory){ 0 };
	if (d->n_numa_cells > 0) {
		*cells = calloc(d->n_numa_cells, sizeof(uint64_t));
		if (!*cells)
			return -ENOMEM;
		for (size_t i = 0; i < d->n_numa_cells; i++) {
			uint64_t c = d->numa_cells[i];
			if (!mm_align_up(&c, MM_MIB) ||
			    __builtin_add_overflow(mem->ram, c, &mem->ram))
				goto too_big;
			(*cells)[i] = c;
		}
		mem->cells = *cells;
		mem->n_cells = d->n_numa_cells;
	} else {
		uint64_t devices = 0;
		for (size_t i = 0; i < d->n_memory_devices; i++)
			if (__builtin_add_overflow(devices, d->memory_devices[i].size, &devices))
				goto too_big;
		if (devices >= d->memory) {
			mm_error_set(err, NULL, 0,
				     "no initial memory left after the memory devices");
			return -EINVAL;
		}
		mem->ram = d->memory - devices;
		if (!mm_align_up(&mem->ram, MM_MIB))
			goto too_big;
	}
	mem->maxram = mem->ram;
	if (d->max_memory) {
		uint64_t max = d->max_memory;
		if (!mm_align_up(&max, MM_MIB))
			goto too_big;
		if (max > mem->ram)
			mem->maxram = max;
		mem->slots = d->max_memory_slots;
	}
	return 0;
too_big:
	mm_error_set(err, NULL, 0, "memory sizes do not fit in 64 bits");
	return -ERANGE;
}

int mm_layout_compute(const MmDomain *d, MmGuestLayout **ret, MmError *err)
{
	_cleanup_(mm_layout_freep) MmGuestLayout *l = calloc(1, sizeof(*l));
	_cleanup_free_ uint64_t *cells = NULL;
	char buf[64];
	int r;

	if (!l)
		return -ENOMEM;
	if (!d->machine) {
		mm_error_set(err, NULL, 0, "the domain names no machine type");
		return -ENOTSUP;
	}
	size_t f;
	MmMachineVersion v = { 0 };
	unsigned quirks = 0;
	const char *name = d->machine;
	if (!resolve_machine(name, &f, &v, &quirks, l, &r)) {
		mm_error_set(err, NULL, 0, "machine type '%s' is not modelled", name);
		return -ENOTSUP;
	}
	if (r < 0)
		return r;
	if (!d->arch || strcmp(d->arch, families[f].arch) != 0) {
		mm_error_set(err, NULL, 0, "machine type '%s' is for %s, not %s", name,
			     families[f].arch, d->arch ? d->arch : "an unknown arch");
		return -ENOTSUP;
	}
	if (v.micro)
		snprintf(buf, sizeof(buf), "%s%u.%u.%u", families[f].prefix, v.major, v.minor,
			 v.micro);
	else
		snprintf(buf, sizeof(buf), "%s%u.%u", families[f].prefix, v.major, v.minor);
	if (!(l->machine = strdup(buf)) || !(l->arch = strdup(families[f].arch)))
		return -ENOMEM;

	if ((r = viommu_width(d, f, v, l, err)) < 0)
		return r;
	MmGuestMemory mem;
	if ((r = guest_memory(d, &mem, &cells, err)) < 0)
		return r;
	MmError local = { 0 };
	switch (families[f].family) {
	case FAMILY_VIRT:
		r = mm_layout_virt(d, v, &mem, l, &local);
		break;
	case FAMILY_Q35:
	case FAMILY_I440FX: {
		MmX86Compat c = mm_x86_compat(v);
		if (quirks & QUIRK_GIGABYTE_ALIGN)
			c.gigabyte_align = true;
		if (quirks & QUIRK_HOLE64_FIX)
			c.hole64_fix = true;
		r = mm_layout_x86(d, families[f].family == FAMILY_Q35, &c, &mem, l, &local);
		break;
	}
	}
	if (r < 0) {
		if (local.message[0] && err)
			*err = local;
		else if (r == -ERANGE)
			mm_error_set(err, NULL, 0, "%s: the memory map does not fit in 64 bits",
				     l->machine);
		return r;
	}
	qsort(l->regions, l->n_regions, sizeof(*l->regions), region_cmp);

	/* memory devices placed by hand must sit inside device memory */
	for (size_t i = 0; i < d->n_memory_devices; i++) {
		const MmMemoryDevice *m = &d->memory_devices[i];
		uint64_t end;
		if (!m->has_base)
			continue;
		if (l->device_memory_size == 0 || m->base < l->device_memory_base ||
		    __builtin_add_overflow(m->base, m->size, &end) ||
		    end > l->device_memory_base + l->device_memory_size) {
			r = mm_layout_warn(l,
					   "memory device %zu at base 0x%" PRIx64
					   " is outside device memory: QEMU refuses it",
					   i, m->base);
			if (r < 0)
				return r;
		}
	}
	*ret = TAKE_PTR(l);
	return 0;
}

/* ---- JSON ---- */

int mm_layout_format_json(const MmGuestLayout *l, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	json_object *regions = NULL;
	json_object *warnings = json_object_new_array();
	if (!o || mm_json_add(o, "machine", json_object_new_string(l->machine)) < 0 ||
	    mm_json_add(o, "arch", json_object_new_string(l->arch)) < 0 ||
	    mm_json_add(o, "physBits", json_object_new_int((int32_t)l->phys_bits)) < 0 ||
	    (l->viommu_bits &&
	     mm_json_add(o, "viommuBits", json_object_new_int((int32_t)l->viommu_bits)) < 0) ||
	    !(regions = json_object_new_array()) || mm_json_add(o, "regions", regions) < 0) {
		json_object_put(warnings);
		return -ENOMEM;
	}
	if (mm_json_add(o, "warnings", warnings) < 0)
		return -ENOMEM;
	static const char *const classes[] = {
		[MM_REGION_DMA] = "dma",
		[MM_REGION_PCI_WINDOW] = "pci-window",
		[MM_REGION_MMIO] = "mmio",
	};
	for (size_t i = 0; i < l->n_regions; i++) {
		const MmGuestRegion *g = &l->regions[i];
		/* RAM is kind "ram" on every arch; "block" names QEMU's RAM block
		 * (hw/i386/pc.c ram-below-4g / ram-above-4g aliases, hw/arm/virt.c
		 * mach-virt.ram) */
		bool ram = strncmp(g->kind, "ram", 3) == 0;
		const char *block = !ram                          ? NULL
				    : strcmp(g->kind, "ram") != 0 ? g->kind
								  : "mach-virt.ram";
		json_object *r = json_object_new_object();
		if (!r ||
		    mm_json_add(r, "kind", json_object_new_string(ram ? "ram" : g->kind)) < 0 ||
		    (block && mm_json_add(r, "block", json_object_new_string(block)) < 0) ||
		    mm_json_add(r, "class", json_object_new_string(classes[g->cls])) < 0 ||
		    mm_json_add(r, "start", mm_json_hex(g->start)) < 0 ||
		    mm_json_add(r, "end", mm_json_hex(g->end)) < 0 ||
		    (g->node >= 0 && mm_json_add(r, "node", json_object_new_int(g->node)) < 0) ||
		    json_object_array_add(regions, r) < 0) {
			json_object_put(r);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < l->n_warnings; i++) {
		json_object *s = json_object_new_string(l->warnings[i]);
		if (!s || json_object_array_add(warnings, s) < 0) {
			json_object_put(s);
			return -ENOMEM;
		}
	}
	return mm_json_to_string(o, ret);
}
