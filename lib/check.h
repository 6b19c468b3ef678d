/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: a guest layout or domain against a host or a pool (docs/design.md §7),
 * its report, and what a guarded domain is checked against (docs/design.md §12)
 * (lib/check.c, lib/check-json.c). The build puts lib/ on the quote
 * include path only (-iquote), so the unit test framework's <check.h>
 * stays reachable beside this one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "error.h"
#include "freep.h"
#include "hostmap.h"
#include "layout.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum MmSeverity {
	MM_SEVERITY_WARNING,
	MM_SEVERITY_ERROR,
} MmSeverity;

const char *mm_severity_to_string(MmSeverity s); /* "warning", "error" */
int mm_severity_from_string(const char *s, MmSeverity *ret);

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
MM_DEFINE_FREEP(MmCheckReport, mm_check_report_free)
/* Check a computed layout against the pool of hosts[0..n) (one host: that
 * host); d gives what the layout does not hold (its vIOMMU). */
int mm_check_layout(const MmGuestLayout *l, const MmDomain *d, const MmHostMap *const *hosts,
		    size_t n, MmCheckReport **ret, MmError *err);
/* mm_layout_compute() then mm_check_layout(). */
int mm_check_domain(const MmDomain *d, const MmHostMap *const *hosts, size_t n, MmCheckReport **ret,
		    MmError *err);
/* {"ok", "machine", "conflicts": [{"severity", "guest": {"kind","start","end"},
 * "reserved": {"type","start","end"}, "hosts", "devices": [{"host","group","bdf"}],
 * "message"}], "warnings"} */
int mm_check_report_format_json(const MmCheckReport *r, char **ret);
/* The same JSON read back (what a CheckDomain reply carries): -EINVAL with
 * err for a document that is not such a report. */
int mm_check_report_parse_json(const char *json, size_t len, const char *file, MmCheckReport **ret,
			       MmError *err);

/* The physical address bits x86 guest d with layout l sees on host h
 * (maxphysaddr, host-passthrough, a named model's 40); 0 when unknown. */
unsigned mm_check_guest_phys_bits(const MmGuestLayout *l, const MmDomain *d, const MmHostMap *h);
/* The smallest KVM IPA limit the hosts know (MmDomain.kvm_ipa_bits); 0
 * when none knows one. */
unsigned mm_check_kvm_ipa_bits(const MmHostMap *const *hosts, size_t n);

/* Guarding domains, in migmap-hook and migmapd (docs/design.md §12). */
#define MM_GUARD_HOST (1u << 0) /* check against this host: it has PCI <hostdev>s */
#define MM_GUARD_POOL (1u << 1) /* check against its pool: its metadata names one */
/* What d is checked against when libvirt starts or defines it; 0: nothing. */
unsigned mm_guard_targets(const MmDomain *d);
/* The first error-level conflict of r (errors come first), NULL when none. */
const MmConflict *mm_check_report_first_error(const MmCheckReport *r);

#ifdef __cplusplus
}
#endif
