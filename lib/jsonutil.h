/* json-c helpers shared by the JSON formats. Internal to libmigmap. */
#pragma once

#include <json-c/json.h>

#include "hostmap.h"
#include "pool.h"
#include "rangeset.h"

void mm_json_putp(json_object **o);
/* Add key to obj; value NULL stores JSON null. Takes value even on failure. */
int mm_json_add(json_object *obj, const char *key, json_object *value);
json_object *mm_json_hex(uint64_t v);
json_object *mm_json_string_or_null(const char *s);
/* [{"start": "0x…", "end": "0x…"}, …] */
json_object *mm_json_ranges(const MmRangeSet *s);
/* Serialize pretty, two-space indent, newline-terminated. */
int mm_json_to_string(json_object *o, char **ret);

/* {"host": {…}}: the host map as a json-c object (new reference). */
int mm_hostmap_to_json(const MmHostMap *m, json_object **ret);

/* {"pool": {…}}: the pool map as a json-c object (new reference). */
int mm_poolmap_to_json(const MmPoolMap *p, json_object **ret);
