/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Address limits and where each was read (docs/design.md §3):
 * - the CPU's physical address bits (proc/cpuinfo, read by probe-cpuinfo);
 * - each IOMMU's input address width, since VFIO cannot map an IOVA above
 *   it: Intel VT-d's MGAW from sys/class/iommu/dmar*\/intel-iommu/cap,
 *   AMD-Vi's HATS from sys/class/iommu/ivhd*\/amd-iommu/features, an SMMUv3's
 *   from the kernel's "ias NN-bit" log line (the capture's dmesg.txt, or the
 *   live kernel log when readable), raised to its stage-1 input width when
 *   the kernel config's VA_BITS is at hand (proc/config.gz, else
 *   boot/config-RELEASE);
 * - KVM's IPA limit on arm64: KVM_CHECK_EXTENSION(KVM_CAP_ARM_VM_IPA_SIZE)
 *   on /dev/kvm for this host, the kernel's "IPA Size Limit" line for a
 *   capture.
 * What the files do not say stays unknown. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <zlib.h>

#include "error.h"
#include "hostmap.h"
#include "macros.h"
#include "probe-internal.h"
#include "strv.h"
#include "sysroot.h"
#include "util.h"

#define IOMMU_CLASS "sys/class/iommu"
#define KLOG_MAX    (16u << 20)

/* The register as the kernel prints it: "%llx" without 0x. */
static int parse_register(const char *text, uint64_t *ret)
{
	char buf[24];
	size_t n = strcspn(text, "\n");
	if (n == 0 || n > 16 || strspn(text, "0123456789abcdefABCDEF") != n)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "0x%.*s", (int)n, text);
	return mm_parse_u64(buf, ret);
}

int mm_intel_cap_address_bits(const char *text, unsigned *ret)
{
	uint64_t cap;
	if (parse_register(text, &cap) < 0)
		return -EINVAL;
	/* VT-d spec 11.4.2: MGAW, bits 21:16, is the width minus one. */
	unsigned bits = (unsigned)((cap >> 16) & 0x3f) + 1;
	if (bits < 12)
		return -EINVAL;
	*ret = bits;
	return 0;
}

bool mm_amd_features_efr_first(const char *release)
{
	unsigned major = 0, minor = 0;
	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return true; /* unknown: the newer kernels' order */
	return major > 6 || (major == 6 && minor >= 7);
}

int mm_amd_features_address_bits(const char *text, bool efr_first, unsigned *ret)
{
	/* "features" alone before Linux 5.17; then "features2:features"
	 * (iommu->features2, iommu->features: Linux 6.1's capture
	 * x86-q35-amdvi reads "0:29d3"); later "EFR:EFR2" (amd_iommu_efr,
	 * amd_iommu_efr2: Linux 6.12's x86-q35-amdvi-612 reads "29d3:0" on
	 * the same QEMU device), taken to be from the check_feature() rework
	 * of Linux 6.7 on (mm_amd_features_efr_first). */
	const char *colon = strchr(text, ':');
	uint64_t efr;
	char first[32];
	const char *at = text;
	if (colon && !efr_first)
		at = colon + 1;
	else if (colon) {
		size_t n = (size_t)(colon - text);
		if (n == 0 || n >= sizeof(first))
			return -EINVAL;
		memcpy(first, text, n);
		first[n] = '\0';
		at = first;
	}
	if (parse_register(at, &efr) < 0)
		return -EINVAL;
	/* EFR HATS, bits 11:10: host page table levels beyond 4; 3 is
	 * reserved (the kernel then disables host translation). A level
	 * adds 9 bits to a 4 KiB page's 12. */
	unsigned hats = (unsigned)((efr >> 10) & 3);
	if (hats == 3)
		return -EINVAL;
	unsigned bits = 12 + 9 * (4 + hats);
	*ret = bits > 64 ? 64 : bits;
	return 0;
}

unsigned mm_kvm_ipa_bits_from_cap(int cap)
{
	return cap > 0 ? (unsigned)cap : 40;
}

static int probe_iommu_class(int rootfd, MmHostMap *m)
{
	char **names = NULL;
	size_t n = 0;
	int r = mm_list_dir_at(rootfd, IOMMU_CLASS, &names, &n, NULL);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return mm_hostmap_add_warning(m, IOMMU_CLASS ": cannot list: %s", strerror(-r));
	for (size_t i = 0; r >= 0 && i < n; i++) {
		bool intel = strncmp(names[i], "dmar", 4) == 0;
		bool amd = strncmp(names[i], "ivhd", 4) == 0;
		if (!intel && !amd)
			continue; /* an SMMU: its width is in the kernel log */
		char path[512];
		_cleanup_free_ char *text = NULL;
		unsigned bits;
		snprintf(path, sizeof(path), IOMMU_CLASS "/%s/%s", names[i],
			 intel ? "intel-iommu/cap" : "amd-iommu/features");
		r = mm_read_line_at(rootfd, path, &text, NULL);
		if (r == -ENOMEM)
			break;
		if (r < 0)
			r = mm_hostmap_add_warning(m, "%s: unreadable: its address width unknown",
						   path);
		else if ((intel ? mm_intel_cap_address_bits(text, &bits)
				: mm_amd_features_address_bits(text,
							       mm_amd_features_efr_first(m->kernel),
							       &bits)) < 0)
			r = mm_hostmap_add_warning(m,
						   "%s: cannot read an address width from '%.40s'",
						   path, text);
		else
			r = mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, bits, path);
	}
	mm_strv_free(names, n);
	return r;
}

/* The device in "arm-smmu-v3 9050000.smmuv3: ias 44-bit, ...": the word
 * before ": ias". */
static void smmu_name(const char *line, const char *ias, char *buf, size_t size)
{
	const char *end = ias, *start = ias;
	while (start > line && start[-1] != ' ' && start[-1] != ']')
		start--;
	snprintf(buf, size, "%.*s", (int)(end - start), start);
}

int mm_kernel_log_parse(const char *text, size_t len, const char *source, MmHostMap *m)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512];
		const char *at;
		unsigned bits;
		int r = 0;

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 p);
		p = nl ? nl + 1 : end;
		if (strstr(line, "arm-smmu-v3") && (at = strstr(line, ": ias ")) &&
		    sscanf(at, ": ias %u-bit", &bits) == 1) {
			/* The SMMU's input (IPA) size: its stage-1 IOVA space is
			 * at least this wide, so it is a safe limit. */
			char name[128], where[256];
			smmu_name(line, at, name, sizeof(name));
			snprintf(where, sizeof(where), "%s: %s", source, name);
			r = bits >= 12 && bits <= 64
				    ? mm_hostmap_add_limit(m, MM_LIMIT_IOMMU, bits, where)
				    : mm_hostmap_add_warning(m, "%s: SMMU ias %u-bit out of range",
							     source, bits);
		} else if ((at = strstr(line, "kvm [")) && (at = strstr(at, "IPA Size Limit: ")) &&
			   sscanf(at, "IPA Size Limit: %u bits", &bits) == 1) {
			r = bits >= 12 && bits <= 64
				    ? mm_hostmap_add_limit(m, MM_LIMIT_KVM_IPA, bits, source)
				    : mm_hostmap_add_warning(m, "%s: KVM IPA limit %u out of range",
							     source, bits);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int probe_kernel_log(int rootfd, bool live, MmHostMap *m)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (!live) {
		int r = mm_read_file_at(rootfd, "dmesg.txt", KLOG_MAX, &text, &len, NULL);
		if (r == -ENOMEM)
			return r;
		return r < 0 ? 0 : mm_kernel_log_parse(text, len, "dmesg.txt", m);
	}
	/* SYSLOG_ACTION_SIZE_BUFFER, then SYSLOG_ACTION_READ_ALL. */
	int size = klogctl(10, NULL, 0);
	if (size > 0 && (unsigned)size <= KLOG_MAX && (text = malloc((size_t)size + 1))) {
		int n = klogctl(3, text, size);
		if (n >= 0)
			return mm_kernel_log_parse(text, (size_t)n, "kernel log", m);
	}
	if (size > 0 && !text)
		return -ENOMEM;
	bool smmu = m->arch && strcmp(m->arch, "aarch64") == 0 && m->n_iommu_groups > 0;
	return smmu ? mm_hostmap_add_warning(m,
					     "kernel log: not readable (%s): SMMU input "
					     "address width unknown",
					     strerror(errno))
		    : 0;
}

static int probe_kvm(MmHostMap *m)
{
	_cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return mm_hostmap_add_warning(m,
					      "/dev/kvm: cannot open (%s): KVM IPA limit unknown",
					      strerror(errno));
	int cap = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	if (cap < 0)
		return mm_hostmap_add_warning(m,
					      "/dev/kvm: KVM_CHECK_EXTENSION failed (%s): KVM "
					      "IPA limit unknown",
					      strerror(errno));
	return mm_hostmap_add_limit(m, MM_LIMIT_KVM_IPA, mm_kvm_ipa_bits_from_cap(cap), "/dev/kvm");
}

/* A kernel config is a few hundred KiB; this bounds a damaged or hostile
 * config.gz's expansion. */
#define CONFIG_MAX (8u << 20)

/* path (gzip) in the sysroot, inflated into *ret (NUL-terminated); -errno
 * when absent or unreadable, -EINVAL when not a regular file, -EBADMSG
 * when not gzip or cut short. */
static int read_gzip_at(int rootfd, const char *path, char **ret)
{
	/* O_NONBLOCK and a regular file only, as mm_read_file_at: a FIFO
	 * there would block the probe forever */
	int fd = mm_open_in_root(rootfd, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	_cleanup_free_ char *buf = malloc(CONFIG_MAX + 1);
	int n = buf ? gzread(gz, buf, CONFIG_MAX) : -1;
	int errnum = Z_OK;
	if (n >= 0)
		(void)gzerror(gz, &errnum);
	/* gzread passes a file that is not gzip through as it is: only a
	 * real gzip stream, read to its end, counts */
	bool direct = gzdirect(gz) != 0;
	gzclose(gz); /* closes fd */
	if (!buf)
		return -ENOMEM;
	if (n < 0 || errnum != Z_OK || direct)
		return -EBADMSG;
	buf[n] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

/* CONFIG_ARM64_VA_BITS from the kernel's config: proc/config.gz (the
 * running kernel's, CONFIG_IKCONFIG_PROC) or boot/config-RELEASE (a
 * sysroot or /boot), where names the file read; 0 when not found, -ENOMEM. */
static int config_va_bits(int rootfd, const char *release, char *where, size_t size)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	snprintf(where, size, "proc/config.gz");
	int r = read_gzip_at(rootfd, where, &text);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (!release || strchr(release, '/'))
			return 0;
		snprintf(where, size, "boot/config-%s", release);
		r = mm_read_file_at(rootfd, where, KLOG_MAX, &text, &len, NULL);
		if (r < 0)
			return r == -ENOMEM ? r : 0;
	}
	const char *at = strstr(text, "\nCONFIG_ARM64_VA_BITS=");
	unsigned bits;
	if (!at || sscanf(at, "\nCONFIG_ARM64_VA_BITS=%u", &bits) != 1 || bits < 36 || bits > 52)
		return 0;
	return (int)bits;
}

/* An SMMUv3's stage-1 input range, what VFIO's domains use, is
 * min(48, or 52 with VAX, VA_BITS) (drivers/iommu/arm/arm-smmu-v3/
 * arm-smmu-v3.c arm_smmu_domain_finalise()); the log's "ias" (the stage-2
 * input size) is only a lower bound. With VA_BITS known, each SMMU's limit
 * becomes min(48, VA_BITS) (VAX is not known: 48 is the safe side), its
 * source naming both. */
static int smmu_stage1(int rootfd, MmHostMap *m)
{
	char where[300];
	int r = config_va_bits(rootfd, m->kernel, where, sizeof(where));
	if (r <= 0)
		return r;
	unsigned va = (unsigned)r;
	unsigned s1 = va < 48 ? va : 48;
	bool changed = false;
	for (size_t i = 0; i < m->n_limits; i++) {
		MmLimit *l = &m->limits[i];
		if (l->kind != MM_LIMIT_IOMMU ||
		    strncmp(l->source, IOMMU_CLASS, strlen(IOMMU_CLASS)) == 0)
			continue;
		char *src = NULL;
		if (asprintf(&src, "%s (ias %u-bit, a lower bound); %s: VA_BITS %u", l->source,
			     l->bits, where, va) < 0)
			return -ENOMEM;
		free(l->source);
		l->source = src;
		l->bits = s1;
		changed = true;
	}
	if (changed) {
		m->iommu_bits = MM_BITS_UNKNOWN;
		for (size_t i = 0; i < m->n_limits; i++)
			if (m->limits[i].kind == MM_LIMIT_IOMMU &&
			    (m->iommu_bits == MM_BITS_UNKNOWN || m->limits[i].bits < m->iommu_bits))
				m->iommu_bits = m->limits[i].bits;
	}
	return 0;
}

int mm_probe_limits(int rootfd, bool live, bool ask_iommufd, MmHostMap *m, MmError *err)
{
	int r = 0;
	if (m->phys_bits != MM_BITS_UNKNOWN)
		r = mm_hostmap_add_limit(m, MM_LIMIT_CPU_PHYS, m->phys_bits, "proc/cpuinfo");
	if (r >= 0)
		r = probe_iommu_class(rootfd, m);
	if (r >= 0)
		r = probe_kernel_log(rootfd, live, m);
	if (r >= 0 && m->arch && strcmp(m->arch, "aarch64") == 0)
		r = smmu_stage1(rootfd, m);
	if (r >= 0)
		r = mm_probe_iommufd(rootfd, live, ask_iommufd, m);
	if (r >= 0 && live && m->arch && strcmp(m->arch, "aarch64") == 0)
		r = probe_kvm(m);
	if (r == -ENOMEM)
		mm_error_set(err, NULL, 0, "out of memory");
	return r;
}
