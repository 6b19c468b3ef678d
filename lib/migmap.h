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

/* One merged reserved range of one type; origin ids are IOMMU group ids. */
typedef struct MmReserved {
	char *type; /* as the kernel printed it */
	uint64_t start;
	uint64_t end;
	MmIdSet groups;
} MmReserved;

#define MM_BITS_UNKNOWN 0

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
int mm_hostmap_format_json(const MmHostMap *m, char **ret);

/* Format address as lower-case hex, "0x8000000", into buf (>= 19 bytes). */
const char *mm_hex(uint64_t addr, char buf[static 19]);
/* A host or pool name: 1-253 of letters, digits, '-', '.', '_'. */
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
	unsigned maxphysaddr_bits; /* <cpu><maxphysaddr bits=…>, 0 when absent */
	char *maxphysaddr_mode;    /* "emulate" | "passthrough" | NULL */
	unsigned gic_version;      /* <features><gic version=…>, 0 when absent */
	size_t n_pci_hostdevs;     /* <hostdev mode='subsystem' type='pci'> */
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
	const char *guest_kind; /* the region's kind, static */
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

#ifdef __cplusplus
}
#endif
