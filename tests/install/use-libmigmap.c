/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a management tool does with the installed libmigmap (make
 * installcheck builds this against the installed migmap.pc and runs it):
 * probe a fixture sysroot, then check a domain against the map.
 *
 * use-libmigmap SYSROOT DOMAIN.xml PHYS_BITS: the expected values come from
 * the fixture's own files (PHYS_BITS from its proc/cpuinfo, the MSI window
 * is the kernel's x86 interrupt range in its reserved_regions) and from the
 * domain (2 TiB of RAM cannot fit below 2^PHYS_BITS = 1 TiB). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <migmap/migmap.h>

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t alloc = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 > alloc) {
			char *p = realloc(buf, alloc = n + 65536);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, alloc - n - 1, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	MmProbeOptions opts = { .sysroot = argc > 1 ? argv[1] : NULL, .name = "installed" };
	MmHostMap *map = NULL;
	MmDomain *domain = NULL;
	MmCheckReport *report = NULL;
	MmError err = { 0 };
	char *xml;
	size_t len = 0;
	int found_msi = 0, found_limit = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: use-libmigmap SYSROOT DOMAIN.xml PHYS_BITS\n");
		return 2;
	}
	if (mm_hostmap_probe(&opts, &map, &err) < 0) {
		fprintf(stderr, "use-libmigmap: probe: %s\n", err.message);
		return 1;
	}
	if (map->phys_bits != (unsigned)atoi(argv[3])) {
		fprintf(stderr, "use-libmigmap: phys_bits %u, wanted %s\n", map->phys_bits,
			argv[3]);
		return 1;
	}
	for (size_t i = 0; i < map->n_reserved; i++)
		if (strcmp(map->reserved[i].type, "msi") == 0 &&
		    map->reserved[i].start == 0xfee00000 && map->reserved[i].end == 0xfeefffff)
			found_msi = 1;
	if (!found_msi) {
		fprintf(stderr, "use-libmigmap: no msi range 0xfee00000-0xfeefffff\n");
		return 1;
	}

	xml = read_file(argv[2], &len);
	if (!xml) {
		fprintf(stderr, "use-libmigmap: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (mm_domain_parse_xml(xml, len, argv[2], &domain, &err) < 0 ||
	    mm_check_domain(domain, (const MmHostMap *const *)&map, 1, &report, &err) < 0) {
		fprintf(stderr, "use-libmigmap: %s: %s\n", argv[2], err.message);
		return 1;
	}
	for (size_t i = 0; i < report->n_conflicts; i++)
		if (report->conflicts[i].severity == MM_SEVERITY_ERROR &&
		    report->conflicts[i].guest_end >= (UINT64_C(1) << map->phys_bits))
			found_limit = 1;
	printf("use-libmigmap: %s on %s: %s, %zu conflicts\n", argv[2], map->name,
	       report->ok ? "ok" : "conflict", report->n_conflicts);
	free(xml);
	mm_check_report_free(report);
	mm_domain_free(domain);
	mm_hostmap_free(map);
	return found_limit ? 0 : 1;
}
