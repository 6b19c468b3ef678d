/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap-hook: what libvirt's qemu hook learns about one domain, whether
 * migmapd or the hook itself computed it. */
#pragma once

#include <stdbool.h>

#include "migmap.h"

typedef struct HookVerdict {
	char *error;     /* the first error-level conflict, as one line; NULL when none */
	char **warnings; /* warning-level conflicts and what could not be checked */
	size_t n_warnings;
	char *unknown_pool; /* the domain's pool, when this host does not know it */
} HookVerdict;

void hook_verdict_clear(HookVerdict *v);
int hook_warn(HookVerdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fold a check report in: its first error (unless v has one) and its
 * warnings; what names where it was checked ("this host", "pool p1"). */
int hook_verdict_add_report(HookVerdict *v, const MmCheckReport *r, const char *what);

/* How long the hook waits for migmapd: it sits in libvirt's start path. */
#define HOOK_BUS_TIMEOUT_USEC (3ULL * 1000 * 1000)

/* Ask migmapd on the system bus to check domain_xml against this host
 * (pool NULL) or pool. 0: answered, folded into v (v->unknown_pool set when
 * migmapd does not know pool). -ENXIO: no migmapd
 * (not on the bus, no bus, no answer in time): compute locally. */
int hook_ask_daemon(const char *domain_xml, const char *pool, HookVerdict *v);

/* The local computation: the config's state directory and sysroot. */
typedef struct HookLocal {
	MmConfig config;
	MmState *state;  /* NULL when the state directory cannot be read */
	MmHostMap *host; /* host.xml, else probed; NULL until needed */
	bool loaded;
} HookLocal;

void hook_local_clear(HookLocal *l);
/* Read the config and open the state directory once (warnings into v). */
int hook_local_load(HookLocal *l, const char *config_path, HookVerdict *v);
/* This host's name as its refusals give it: the config's, the stored map's,
 * else the kernel's. */
const char *hook_local_host_name(HookLocal *l, char *buf, size_t size);
/* Check d against this host (MM_GUARD_HOST) or its pool (MM_GUARD_POOL),
 * its QEMU version first filled from libvirt's capabilities cache below the
 * config's sysroot; a pool the state directory does not hold sets
 * v->unknown_pool. */
int hook_check_local(HookLocal *l, const char *config_path, MmDomain *d, unsigned target,
		     HookVerdict *v);
