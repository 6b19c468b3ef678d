/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map's formats (docs/design.md §4): the capabilities XML fragment, JSON
 * and a table for people (lib/hostmap-xml.c, lib/hostmap-json.c,
 * lib/hostmap-table.c). */
#pragma once

#include <stddef.h>

#include "error.h"
#include "hostmap.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
