/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-baseline HOSTS RANGES: the pool baseline of HOSTS synthetic host
 * maps of RANGES reserved ranges each (pseudo-random, fixed seed, a mix of
 * types, some shared between hosts as on real fleets). Prints
 * "seconds S maxrss_kib K forbidden F": the baseline's time (best of three),
 * the process's peak RSS with every map in memory, and the baseline's size. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "migmap.h"

static uint64_t next(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

int main(int argc, char **argv)
{
	static const char *const types[] = { "msi", "direct", "direct-relaxable", "reserved" };
	if (argc != 3) {
		fprintf(stderr, "usage: bench-baseline HOSTS RANGES\n");
		return 2;
	}
	size_t n = strtoul(argv[1], NULL, 10), ranges = strtoul(argv[2], NULL, 10);
	MmHostMap **hosts = calloc(n, sizeof(*hosts));
	uint64_t seed = 0x9e3779b97f4a7c15u;
	if (!hosts)
		return 1;
	for (size_t h = 0; h < n; h++) {
		MmHostMap *m = hosts[h] = mm_hostmap_new();
		char name[32];
		snprintf(name, sizeof(name), "host%05zu", h);
		if (!m || !(m->name = strdup(name)))
			return 1;
		m->phys_bits = 40 + (unsigned)(h % 9);
		m->n_iommu_groups = ranges;
		for (size_t i = 0; i < ranges; i++) {
			uint64_t r = next(&seed);
			/* half the ranges at one of 256 common places, half anywhere */
			uint64_t start = (i % 2 ? (r % 256) << 24 : r % (1ull << 40)) & ~0xfffull;
			uint64_t size = 0x1000ull << (r >> 60);
			uint32_t group = (uint32_t)i;
			MmIdSet groups = { &group, 1 };
			if (mm_hostmap_add_reserved(m, types[r >> 62], start, start + size - 1,
						    &groups) < 0)
				return 1;
		}
	}
	/* the best of several runs, as many as fit in about the time of three
	 * runs of the largest pool: the machine is shared, and a short run is
	 * the one a neighbour's burst distorts most */
	MmPoolMap *pool = NULL;
	double best = 1e9;
	int rounds = n >= 10000 ? 3 : (int)(30000 / n < 30 ? 30000 / n : 30);
	for (int round = 0; round < rounds; round++) {
		struct timespec t0, t1;
		MmError err = { 0 };
		mm_poolmap_free(pool);
		pool = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int r = mm_pool_baseline("bench", (const MmHostMap *const *)hosts, n, &pool, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (r < 0) {
			fprintf(stderr, "bench-baseline: %s\n",
				err.message[0] ? err.message : "failed");
			return 1;
		}
		double t =
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (t < best)
			best = t;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("seconds %.6f maxrss_kib %ld forbidden %zu\n", best, ru.ru_maxrss,
	       pool->n_forbidden);
	mm_poolmap_free(pool);
	for (size_t h = 0; h < n; h++)
		mm_hostmap_free(hosts[h]);
	free(hosts);
	return 0;
}
