/* libmigmap: the public API used by migmapd, the migmap CLI and the hook.
 *
 * Conventions: functions return 0 or a negative errno; parsers also fill an
 * MmError with where and what went wrong, which the caller prints once. The
 * library never prints and never exits. Every type has mm_<type>_free()
 * (NULL is a no-op) and mm_<type>_freep() for __attribute__((cleanup)). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

typedef struct MmError {
	char file[256]; /* relative to the sysroot or as given; "" if none */
	unsigned line;  /* 1-based; 0 when the error is not about one line */
	char message[512];
} MmError;

void mm_error_set(MmError *err, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "file:line: message", "file: message" or "message" into buf. */
const char *mm_error_format(const MmError *err, char *buf, size_t size);

/* ---- address ranges and range sets -------------------------------------- */

/* An inclusive range [start, end], as the kernel prints them. */
typedef struct MmRange {
	uint64_t start;
	uint64_t end;
} MmRange;

/* A sorted set of small integer ids: where a range came from (IOMMU groups,
 * pool members, ...). */
typedef struct MmIdSet {
	uint32_t *ids;
	size_t n;
} MmIdSet;

int mm_idset_add(MmIdSet *s, uint32_t id);
int mm_idset_union(MmIdSet *dst, const MmIdSet *src);
bool mm_idset_contains(const MmIdSet *s, uint32_t id);
int mm_idset_copy(MmIdSet *dst, const MmIdSet *src);
void mm_idset_clear(MmIdSet *s);

/* One member of a range set: a range and its provenance. */
typedef struct MmSpan {
	uint64_t start;
	uint64_t end;
	MmIdSet origin;
} MmSpan;

/* Disjoint, sorted, non-adjacent spans: overlapping or touching ranges are
 * merged and their origins united. The empty set is { NULL, 0 }. */
typedef struct MmRangeSet {
	MmSpan *spans;
	size_t n;
	size_t alloc;
} MmRangeSet;

MmRangeSet *mm_rangeset_new(void);
void mm_rangeset_free(MmRangeSet *s);
void mm_rangeset_freep(MmRangeSet **s);
void mm_rangeset_clear(MmRangeSet *s); /* frees the contents, keeps s */

/* Add [start, end] (start <= end, else -EINVAL) carrying origin id; pass
 * MM_NO_ORIGIN for none. */
#define MM_NO_ORIGIN UINT32_MAX
int mm_rangeset_add(MmRangeSet *s, uint64_t start, uint64_t end, uint32_t origin);
int mm_rangeset_add_span(MmRangeSet *s, const MmSpan *span);
int mm_rangeset_copy(MmRangeSet *dst, const MmRangeSet *src);
/* dst = a ∪ b; a ∩ b (origins of both sides); a − b (origins of a). dst
 * must be empty and distinct from a and b. */
int mm_rangeset_union(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b);
int mm_rangeset_intersect(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b);
int mm_rangeset_subtract(MmRangeSet *dst, const MmRangeSet *a, const MmRangeSet *b);
bool mm_rangeset_contains(const MmRangeSet *s, uint64_t addr);
bool mm_rangeset_overlaps(const MmRangeSet *s, uint64_t start, uint64_t end);
bool mm_rangeset_equal(const MmRangeSet *a, const MmRangeSet *b); /* ranges only */

/* ---- the host map (DESIGN §3) ------------------------------------------- */

typedef struct MmDevice {
	char *bdf;      /* "0000:00:01.0" */
	uint16_t vendor; /* valid when has_ids */
	uint16_t device;
	uint32_t class; /* valid when has_class */
	bool has_ids;
	bool has_class;
} MmDevice;

typedef struct MmGroup {
	uint32_t id;
	char *type; /* "DMA", "DMA-FQ", "identity", "blocked", "unmanaged"; NULL unknown */
	MmDevice *devices;
	size_t n_devices;
} MmGroup;

typedef enum MmReservedKind {
	MM_RESERVED_DIRECT,
	MM_RESERVED_DIRECT_RELAXABLE,
	MM_RESERVED_RESERVED,
	MM_RESERVED_MSI,
	MM_RESERVED_OTHER, /* a type this version does not know: kept as read */
} MmReservedKind;

MmReservedKind mm_reserved_kind_from_string(const char *type);

/* Where a reserved range was read: the kernel's reserved_regions, or the
 * firmware when the kernel did not report it (an IORT RMR on a kernel
 * before 6.0). Ranges of different sources are never merged. */
typedef enum MmReservedSource {
	MM_RESERVED_FROM_KERNEL,
	MM_RESERVED_FROM_IORT,
} MmReservedSource;

const char *mm_reserved_source_to_string(MmReservedSource s); /* "kernel", "iort" */
int mm_reserved_source_from_string(const char *s, MmReservedSource *ret);

/* One merged reserved range of one type; origin ids are IOMMU group ids. */
typedef struct MmReserved {
	char *type; /* as the kernel printed it */
	uint64_t start;
	uint64_t end;
	MmIdSet groups;
	MmReservedSource source;
} MmReserved;

#define MM_BITS_UNKNOWN 0

/* An MSI controller from the firmware (DESIGN §3). */
typedef enum MmMsiType {
	MM_MSI_GICV3_ITS, /* doorbell GITS_TRANSLATER, base + 0x10040 */
	MM_MSI_GICV2M,    /* doorbell MSI_SETSPI_NS, base + 0x40 */
	MM_MSI_X86_LAPIC, /* the 0xfeexxxxx interrupt window */
} MmMsiType;

typedef enum MmFirmware {
	MM_FIRMWARE_FDT,
	MM_FIRMWARE_ACPI,
} MmFirmware;

#define MM_TRANSLATED_UNKNOWN (-1)

typedef struct MmMsiController {
	MmMsiType type;
	uint64_t base; /* the controller's frame [base, base + size - 1] */
	uint64_t size;
	uint64_t doorbell; /* the address devices write their MSIs to */
	/* 1: devices reach it through an IOMMU (the kernel maps it in its
	 * software MSI window); 0: not (a hardware MSI region, or no IOMMU on
	 * the way); MM_TRANSLATED_UNKNOWN: the firmware does not say. */
	int translated;
	MmFirmware source;
} MmMsiController;

const char *mm_msi_type_to_string(MmMsiType t); /* "gicv3-its", "gicv2m", "x86-lapic" */
int mm_msi_type_from_string(const char *s, MmMsiType *ret);
const char *mm_firmware_to_string(MmFirmware f); /* "fdt", "acpi" */
int mm_firmware_from_string(const char *s, MmFirmware *ret);

/* One address limit and where it was read. */
typedef enum MmLimitKind {
	MM_LIMIT_CPU_PHYS, /* CPU physical address bits */
	MM_LIMIT_KVM_IPA,  /* KVM's guest physical (IPA) limit, arm64 */
	MM_LIMIT_IOMMU,    /* an IOMMU's input address width: no IOVA above it */
} MmLimitKind;

typedef struct MmLimit {
	MmLimitKind kind;
	unsigned bits;
	char *source; /* "proc/cpuinfo", "/dev/kvm", "sys/class/iommu/dmar0/intel-iommu/cap", … */
} MmLimit;

const char *mm_limit_kind_to_string(MmLimitKind k); /* "cpu-phys", "kvm-ipa", "iommu" */
int mm_limit_kind_from_string(const char *s, MmLimitKind *ret);

typedef struct MmHostMap {
	char *name;
	char *uuid; /* NULL when unknown */
	char *arch; /* "aarch64", "x86_64", ...; NULL when unknown */
	char *kernel; /* release, NULL when unknown */
	char *generated; /* RFC 3339 UTC time of the probe */
	unsigned phys_bits; /* CPU physical address bits; MM_BITS_UNKNOWN */
	size_t n_iommu_groups; /* how many groups the host has; 0: cannot assign devices */

	MmGroup *groups; /* sorted by id */
	size_t n_groups;

	MmReserved *reserved; /* sorted by (start, type) */
	size_t n_reserved;

	MmRangeSet ram;         /* System RAM */
	MmRangeSet pci_windows; /* PCI host bridge windows (MMIO) */
	MmRangeSet ecam;        /* PCI ECAM / MMCONFIG */

	MmMsiController *msi_controllers; /* sorted by (base, type, source) */
	size_t n_msi_controllers;

	unsigned iommu_bits;   /* smallest IOMMU input address width; MM_BITS_UNKNOWN */
	unsigned kvm_ipa_bits; /* KVM's IPA limit; MM_BITS_UNKNOWN */
	MmLimit *limits;       /* every limit read and where, sorted by (kind, source) */
	size_t n_limits;

	char **warnings;
	size_t n_warnings;
} MmHostMap;

MmHostMap *mm_hostmap_new(void);
void mm_hostmap_free(MmHostMap *m);
void mm_hostmap_freep(MmHostMap **m);
const MmGroup *mm_hostmap_find_group(const MmHostMap *m, uint32_t id);
int mm_hostmap_add_warning(MmHostMap *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add a reserved range of one type; ranges of the same type that overlap or
 * touch are merged with the union of their groups. */
int mm_hostmap_add_reserved(MmHostMap *m, const char *type, uint64_t start, uint64_t end,
			    const MmIdSet *groups);
/* The same for a range of a given source: merged only with its own source. */
int mm_hostmap_add_reserved_from(MmHostMap *m, const char *type, MmReservedSource source,
				 uint64_t start, uint64_t end, const MmIdSet *groups);
/* Add an MSI controller (an identical one is kept once). */
int mm_hostmap_add_msi_controller(MmHostMap *m, const MmMsiController *c);
/* Record a limit read from source; phys_bits, kvm_ipa_bits or iommu_bits
 * become the smallest recorded of their kind. bits outside 12..64: -EINVAL. */
int mm_hostmap_add_limit(MmHostMap *m, MmLimitKind kind, unsigned bits, const char *source);
/* Find or add group id; the returned pointer is valid until the next call. */
MmGroup *mm_hostmap_ensure_group(MmHostMap *m, uint32_t id);

/* ---- probing (DESIGN §3) ------------------------------------------------ */

typedef struct MmProbeOptions {
	const char *sysroot; /* NULL or "/" for this host */
	const char *name;    /* overrides the host name when set */
} MmProbeOptions;

/* Probe the host below opts->sysroot. Returns 0 and a new map in *ret, or a
 * negative errno with err filled (file relative to the sysroot). Problems
 * that leave the map still right (a missing optional file, an unknown type)
 * become warnings in the map instead. */
int mm_hostmap_probe(const MmProbeOptions *opts, MmHostMap **ret, MmError *err);

/* ---- formats (DESIGN §4) ------------------------------------------------ */

/* The host capabilities fragment. Formatting is deterministic, and parsing
 * then formatting gives back the same bytes. */
int mm_hostmap_format_xml(const MmHostMap *m, char **ret);
int mm_hostmap_parse_xml(const char *xml, size_t len, const char *filename, MmHostMap **ret,
			 MmError *err);
/* <capabilities><host><uuid> of libvirt's whole capabilities document
 * (virsh capabilities): 0 and the UUID in *ret, NULL when it has none;
 * -EINVAL with err for a document that is not capabilities. */
int mm_capabilities_host_uuid(const char *xml, size_t len, const char *filename, char **ret,
			      MmError *err);
int mm_hostmap_format_json(const MmHostMap *m, char **ret);
/* A table for people: reserved ranges, MSI controllers, limits, RAM, PCI
 * windows, warnings. Not a stable interface. */
int mm_hostmap_format_table(const MmHostMap *m, char **ret);

/* Format address as lower-case hex, "0x8000000", into buf (>= 19 bytes). */
const char *mm_hex(uint64_t addr, char buf[static 19]);
/* A host or pool name: 1-253 of letters, digits, '-', '.', '_', not
 * starting with '.'. */
bool mm_name_valid(const char *s);
/* Parse "0x..." hex (or decimal) fully; -EINVAL on junk, -ERANGE on overflow. */
int mm_parse_u64(const char *s, uint64_t *ret);

/* ---- pools: the baseline of several host maps (DESIGN §5) --------------- */

/* A forbidden range of one type; origin ids index MmPoolMap.members. */
typedef struct MmForbidden {
	char *type;
	uint64_t start;
	uint64_t end;
	MmIdSet hosts;
} MmForbidden;

typedef struct MmPoolMember {
	char *name;
	char *uuid; /* NULL when unknown */
	char *arch;
	unsigned limit_bits; /* the member's own address limit; 0 unknown */
	size_t n_iommu_groups;
} MmPoolMember;

typedef struct MmPoolMap {
	char *name;
	char *generated;
	MmPoolMember *members; /* sorted by name: the map does not depend on order */
	size_t n_members;
	MmForbidden *forbidden; /* merged per type, sorted by (start, type) */
	size_t n_forbidden;
	unsigned limit_bits; /* smallest member limit; 0 when no member knows one */
	MmIdSet limit_hosts; /* the members that set it */
	MmRangeSet usable;   /* [0, 2^limit_bits - 1] minus every forbidden range */
	char **warnings;
	size_t n_warnings;
} MmPoolMap;

void mm_poolmap_free(MmPoolMap *p);
void mm_poolmap_freep(MmPoolMap **p);
/* The address limit of one host: the smallest of what it knows (CPU
 * physical bits, KVM IPA size, IOMMU input width); 0 when unknown. */
unsigned mm_hostmap_limit_bits(const MmHostMap *m);
/* forbidden, limit and usable of hosts[0..n): a pure function of the maps,
 * independent of their order. Fails on duplicate host names or mixed
 * architectures. */
int mm_pool_baseline(const char *name, const MmHostMap *const *hosts, size_t n, MmPoolMap **ret,
		     MmError *err);
int mm_poolmap_format_xml(const MmPoolMap *p, char **ret);
int mm_poolmap_format_json(const MmPoolMap *p, char **ret);

/* ---- guest domains (libvirt domain XML) --------------------------------- */

typedef enum MmMemoryDeviceModel {
	MM_MEMDEV_DIMM,
	MM_MEMDEV_NVDIMM,
	MM_MEMDEV_VIRTIO_MEM,
	MM_MEMDEV_OTHER,
} MmMemoryDeviceModel;

/* A <memory model='dimm|nvdimm|virtio-mem'> device. */
typedef struct MmMemoryDevice {
	MmMemoryDeviceModel model;
	uint64_t size;     /* bytes (virtio-mem: <size>, the most it can plug) */
	uint64_t base;     /* <address type='dimm' base=…/>, valid when has_base */
	bool has_base;
	int node;          /* <target><node>, -1 when absent */
} MmMemoryDevice;

typedef struct MmDomain {
	char *name;
	char *arch;     /* <os><type arch=…>, e.g. "aarch64", "x86_64" */
	char *machine;  /* <os><type machine=…> as written, e.g. "virt-7.2", "q35" */
	uint64_t memory;         /* <memory>, bytes: total incl. memory devices */
	uint64_t current_memory; /* <currentMemory>, bytes; 0 when absent */
	uint64_t max_memory;     /* <maxMemory>, bytes; 0 when absent */
	unsigned max_memory_slots;
	uint64_t *numa_cells; /* memory of each <numa><cell>, bytes, in id order */
	size_t n_numa_cells;
	MmMemoryDevice *memory_devices;
	size_t n_memory_devices;
	char *cpu_model;  /* <cpu><model>, NULL when absent (host-passthrough…) */
	char *cpu_vendor; /* <cpu><vendor> or derived from the model: "AMD", "Intel", NULL */
	char *cpu_mode;   /* <cpu mode=…> */
	unsigned vcpus;   /* <vcpu>: the most vCPUs (QEMU's maxcpus); 1 when absent */
	unsigned maxphysaddr_bits; /* <cpu><maxphysaddr bits=…>, 0 when absent */
	char *maxphysaddr_mode;    /* "emulate" | "passthrough" | NULL */
	unsigned gic_version;      /* <features><gic version=…>, 0 when absent */
	size_t n_pci_hostdevs;     /* <hostdev mode='subsystem' type='pci'> */
	char **pci_hostdev_bdfs;   /* their <source><address>es, "0000:03:00.0" */
	size_t n_pci_hostdev_bdfs; /* fewer than n_pci_hostdevs when some have none */
	char *iommu_model;         /* <iommu model=…>, NULL when absent */
	bool firmware_efi;         /* <os firmware='efi'> or a UEFI <loader> */
	bool acpi;                 /* <features><acpi/> */
	char *pool;                /* <metadata><migmap:pool name=…/>, NULL when absent */
} MmDomain;

#define MM_DOMAIN_NS "http://migmap.org/xmlns/domain/1.0"

void mm_domain_free(MmDomain *d);
void mm_domain_freep(MmDomain **d);
int mm_domain_parse_xml(const char *xml, size_t len, const char *filename, MmDomain **ret,
			MmError *err);

/* ---- guest layouts: where QEMU puts the guest's regions (DESIGN §5) ----- */

/* What a region means for DMA: RAM and device memory must be DMA-able
 * (a conflict is an error); PCI windows matter for peer-to-peer (a
 * conflict is a warning); the rest is emulated MMIO devices never DMA to. */
typedef enum MmRegionClass {
	MM_REGION_DMA,
	MM_REGION_PCI_WINDOW,
	MM_REGION_MMIO,
} MmRegionClass;

typedef struct MmGuestRegion {
	const char *kind; /* static string: "ram", "device-memory", "pcie-ecam",
			   * "pcie-mmio", "pcie-mmio-high", "pcie-pio", "gic-dist",
			   * "gic-redist", "gic-its", "ram-below-4g", … */
	MmRegionClass cls;
	uint64_t start;
	uint64_t end;
	int node; /* NUMA node of a RAM block, -1 otherwise */
} MmGuestRegion;

typedef struct MmGuestLayout {
	char *machine;      /* the resolved versioned machine, "virt-7.2" */
	char *arch;
	unsigned phys_bits; /* address bits the guest needs (highest end + 1) */
	MmGuestRegion *regions; /* sorted by start */
	size_t n_regions;
	uint64_t device_memory_base; /* hotplug area for DIMMs; 0 size when none */
	uint64_t device_memory_size;
	char **warnings;
	size_t n_warnings;
} MmGuestLayout;

void mm_layout_free(MmGuestLayout *l);
void mm_layout_freep(MmGuestLayout **l);
/* Compute the guest's layout as QEMU builds it for d's machine; -ENOTSUP
 * with err for a machine or arch not modelled. */
int mm_layout_compute(const MmDomain *d, MmGuestLayout **ret, MmError *err);
int mm_layout_format_json(const MmGuestLayout *l, char **ret);

/* ---- check and plan (DESIGN §5) ---------------------------------------- */

typedef enum MmSeverity {
	MM_SEVERITY_WARNING,
	MM_SEVERITY_ERROR,
} MmSeverity;

typedef struct MmConflictDevice {
	char *host;
	uint32_t group;
	char *bdf;
} MmConflictDevice;

/* One guest region meeting one forbidden range (or the address limit). */
typedef struct MmConflict {
	MmSeverity severity;
	char *guest_kind; /* the region's kind ("ram", "pcie-mmio", …) */
	uint64_t guest_start;
	uint64_t guest_end;
	char *type; /* reserved type, or "limit" for a region above the limit */
	uint64_t start;
	uint64_t end;
	char **hosts; /* names of the hosts behind it */
	size_t n_hosts;
	MmConflictDevice *devices; /* the devices whose groups reserve it */
	size_t n_devices;
	char *message; /* one line for people, as the hook prints it */
} MmConflict;

typedef struct MmCheckReport {
	bool ok; /* no error-level conflict */
	char *machine;
	MmConflict *conflicts; /* errors first, then by guest address */
	size_t n_conflicts;
	char **warnings; /* layout and pool warnings (alias resolved, no limit known…) */
	size_t n_warnings;
} MmCheckReport;

void mm_check_report_free(MmCheckReport *r);
void mm_check_report_freep(MmCheckReport **r);
/* Check a computed layout against the pool of hosts[0..n) (one host: that
 * host); d gives what the layout does not hold (its vIOMMU). */
int mm_check_layout(const MmGuestLayout *l, const MmDomain *d, const MmHostMap *const *hosts,
		    size_t n, MmCheckReport **ret, MmError *err);
/* mm_layout_compute() then mm_check_layout(). */
int mm_check_domain(const MmDomain *d, const MmHostMap *const *hosts, size_t n,
		    MmCheckReport **ret, MmError *err);
/* {"ok", "machine", "conflicts": [{"severity", "guest": {"kind","start","end"},
 * "reserved": {"type","start","end"}, "hosts", "devices": [{"host","group","bdf"}],
 * "message"}], "warnings"} */
int mm_check_report_format_json(const MmCheckReport *r, char **ret);
/* The same JSON read back (what a CheckDomain reply carries): -EINVAL with
 * err for a document that is not such a report. */
int mm_check_report_parse_json(const char *json, size_t len, const char *file,
			       MmCheckReport **ret, MmError *err);

/* ---- guarding domains: migmap-hook and migmapd (DESIGN §6) -------------- */

#define MM_GUARD_HOST (1u << 0) /* check against this host: it has PCI <hostdev>s */
#define MM_GUARD_POOL (1u << 1) /* check against its pool: its metadata names one */
/* What d is checked against when libvirt starts or defines it; 0: nothing. */
unsigned mm_guard_targets(const MmDomain *d);
/* The first error-level conflict of r (errors come first), NULL when none. */
const MmConflict *mm_check_report_first_error(const MmCheckReport *r);

/* ---- the state directory (DESIGN §6) ------------------------------------ */

/* <dir>/host.xml, <dir>/pools/<pool>/<host>.xml and
 * <dir>/pools/<pool>/remote.json (remote members: bus address, last fetch,
 * stale). Writes are atomic (temporary file, fsync, rename, fsync of the
 * directory) and change memory only once the disk has the new state; on
 * failure nothing changes. */
typedef struct MmStateMember {
	char *name;
	MmHostMap *map;
	char *address; /* the member's migmapd bus address; NULL when imported */
	char *fetched; /* RFC 3339 time of the last successful fetch; NULL when imported */
	bool stale;    /* the last fetch failed: map is the one fetched at `fetched` */
} MmStateMember;

typedef struct MmStatePool {
	char *name;
	MmStateMember *members; /* sorted by name */
	size_t n_members;
} MmStatePool;

typedef struct MmState {
	int dirfd;
	int lockfd;         /* -1 unless opened with MM_STATE_LOCK */
	MmHostMap *host;    /* host.xml; NULL when absent or damaged */
	MmStatePool *pools; /* sorted by name */
	size_t n_pools;
	char **warnings; /* damaged files, skipped: "pools/a/b.xml:3: message" */
	size_t n_warnings;
} MmState;

enum {
	MM_STATE_CREATE = 1 << 0, /* create the directory (not its parents) when missing */
	MM_STATE_LOCK = 1 << 1,   /* be the one writer (flock of <dir>/.lock): -EBUSY if taken */
};

/* Open and load the state at path. Damaged files do not fail the open: they
 * are skipped and listed in warnings. */
int mm_state_open(const char *path, unsigned flags, MmState **ret, MmError *err);
void mm_state_free(MmState *s);
void mm_state_freep(MmState **s);
/* mm_name_valid(), not starting with '.' (hidden names are the store's
 * own), and short enough for "<name>.xml" to be a file name. */
bool mm_state_name_valid(const char *name);
const MmStatePool *mm_state_find_pool(const MmState *s, const char *pool);
const MmStateMember *mm_state_find_member(const MmStatePool *p, const char *name);
/* The members' maps of pool, in member order, as an array the caller frees
 * (not the maps) and their number: what a domain is checked against.
 * -EINVAL for an invalid name, -ENOENT when there is no such pool (also
 * when s is NULL), -ENODATA when it has no members; err says which. */
int mm_state_pool_hosts(const MmState *s, const char *pool, const MmHostMap ***ret, size_t *n,
			MmError *err);
int mm_state_save_host(MmState *s, const MmHostMap *m, MmError *err);
/* -EINVAL bad name, -EEXIST / -ENOENT for the pool. */
int mm_state_create_pool(MmState *s, const char *pool, MmError *err);
int mm_state_delete_pool(MmState *s, const char *pool, MmError *err);
/* Store m as member m->name of pool; address is the member's migmapd bus
 * address (fetched now) or NULL for an imported map. -EEXIST when the pool
 * has that member unless replace; -EDOM (err says why) when the pool could
 * not take it (another architecture). */
int mm_state_add_member(MmState *s, const char *pool, const MmHostMap *m, const char *address,
			bool replace, MmError *err);
int mm_state_remove_member(MmState *s, const char *pool, const char *name, MmError *err);
/* A remote member did not answer: keep its map, mark it stale. */
int mm_state_mark_stale(MmState *s, const char *pool, const char *name, MmError *err);
/* The pool map of pool's members, with a warning per stale member;
 * -ENODATA for a pool without members. */
int mm_state_pool_baseline(const MmState *s, const char *pool, MmPoolMap **ret, MmError *err);

/* ---- configuration (<sysconfdir>/migmap/migmap.conf) -------------------- */

/* "key = value" lines, '#' comments; shared by migmapd, the CLI and the hook. */
typedef struct MmConfig {
	char *sysroot;
	char *state_dir;
	char *name;
	char *admin_group; /* may call migmapd's mutating methods besides root */
	char *libvirt_uri; /* migmapd follows this libvirt; "none": it does not */
} MmConfig;

/* Read path into c (keys it sets replace c's). -ENOENT when missing; an
 * unknown key or a line without '=' is -EINVAL with err at file:line. */
int mm_config_load(const char *path, MmConfig *c, MmError *err);
void mm_config_clear(MmConfig *c);

typedef struct MmPlacedDimm {
	uint64_t base;
	uint64_t size;
	int node;
} MmPlacedDimm;

typedef struct MmPlan {
	bool changed;            /* false: the domain already fits */
	uint64_t initial_memory; /* bytes of RAM QEMU maps from the machine's RAM base */
	uint64_t total_memory;   /* <memory>: kept as the domain had it */
	uint64_t max_memory;     /* <maxMemory>, 0 when not needed */
	unsigned slots;
	unsigned phys_bits; /* <maxphysaddr bits> the plan set, 0 when it set none */
	MmPlacedDimm *dimms;
	size_t n_dimms;
	char **notes; /* what the plan changed besides memory, and why */
	size_t n_notes;
	char *domain_xml; /* the planned domain, libvirt's own XML */
} MmPlan;

void mm_plan_free(MmPlan *p);
void mm_plan_freep(MmPlan **p);
/* Propose a layout of domain_xml valid on every host: initial RAM that ends
 * before the first forbidden range, the rest as DIMMs at explicit bases in
 * usable gaps of device memory. -ENOSPC with a one-line reason in err when
 * no plan exists; other errors for bad input. */
int mm_plan_domain(const char *domain_xml, size_t len, const char *filename,
		   const MmHostMap *const *hosts, size_t n, MmPlan **ret, MmError *err);
int mm_plan_format_json(const MmPlan *p, char **ret);

/* ---- the address-space picture (migmap show) ----------------------------- */

typedef struct MmPictureItem {
	const char *kind; /* a reserved type or a guest region kind; borrowed */
	uint64_t start;
	uint64_t end;
	bool conflict;
	size_t first_band, last_band;
} MmPictureItem;

typedef struct MmPictureLane {
	char *name;
	MmPictureItem *items;
	size_t n_items;
} MmPictureLane;

/* A stretch of address space between two range boundaries, and where it is
 * drawn: x and w are fractions of the picture's width. */
typedef struct MmPictureBand {
	uint64_t start, end;
	double weight, x, w;
	bool empty; /* no lane has anything there: drawn as a break */
} MmPictureBand;

typedef struct MmPicture {
	MmPictureLane *lanes; /* hosts by name, then "pool", then "guest" */
	size_t n_lanes;
	MmPictureBand *bands;
	size_t n_bands;
	MmPoolMap *pool; /* owns the pool lane's kind strings */
} MmPicture;

void mm_picture_free(MmPicture *p);
void mm_picture_freep(MmPicture **p);
/* The picture of hosts[0..n) and, when given, a guest layout with the
 * error-level conflicts of report marked. The picture borrows the kind
 * strings of hosts and layout: free it first. */
int mm_picture_build(const MmHostMap *const *hosts, size_t n, const MmGuestLayout *layout,
		     const MmCheckReport *report, MmPicture **ret, MmError *err);
int mm_picture_format_svg(const MmPicture *p, char **ret);
int mm_picture_format_text(const MmPicture *p, unsigned columns, bool colour, char **ret);
int mm_picture_format_json(const MmPicture *p, char **ret);

#ifdef __cplusplus
}
#endif
