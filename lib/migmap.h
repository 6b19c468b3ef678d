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
/* Parse "0x..." hex (or decimal) fully; -EINVAL on junk, -ERANGE on overflow. */
int mm_parse_u64(const char *s, uint64_t *ret);

#ifdef __cplusplus
}
#endif
