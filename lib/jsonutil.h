/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c helpers shared by the JSON formats. Internal to libmigmap. */
#pragma once

#include <json-c/json.h>

#include "hostmap.h"
#include "pool.h"
#include "rangeset.h"

void mm_json_putp(json_object **o);
/* Add key to obj. Takes value even on failure. value NULL is the failure
 * of its constructor: -ENOMEM, nothing added (a JSON null is said with
 * mm_json_add_null, so running out of memory never writes one). */
int mm_json_add(json_object *obj, const char *key, json_object *value);
int mm_json_add_null(json_object *obj, const char *key);
/* Append value to array, as mm_json_add adds it (value NULL: -ENOMEM). */
int mm_json_append(json_object *array, json_object *value);
/* s as a string, NULL as JSON null. */
int mm_json_add_string_or_null(json_object *obj, const char *key, const char *s);
json_object *mm_json_hex(uint64_t v);
/* [{"start": "0x…", "end": "0x…"}, …] */
json_object *mm_json_ranges(const MmRangeSet *s);
/* Serialize pretty, two-space indent, newline-terminated. */
int mm_json_to_string(json_object *o, char **ret);

/* Parse one JSON document of len bytes; -EINVAL with err naming file and
 * the tokenizer's reason when it is not one (trailing data included). */
int mm_json_parse(const char *text, size_t len, const char *file, json_object **ret, MmError *err);
/* The member key of obj when it has type type, else NULL. */
json_object *mm_json_get(json_object *obj, const char *key, json_type type);
/* The string member key of obj, NULL when absent or not a string. */
const char *mm_json_get_string(json_object *obj, const char *key);
/* A "0x…" string member as a number; -EINVAL when absent or malformed. */
int mm_json_get_hex(json_object *obj, const char *key, uint64_t *ret);

/* {"host": {…}}: the host map as a json-c object (new reference). */
int mm_hostmap_to_json(const MmHostMap *m, json_object **ret);

/* {"pool": {…}}: the pool map as a json-c object (new reference). */
int mm_poolmap_to_json(const MmPoolMap *p, json_object **ret);
