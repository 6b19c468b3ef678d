/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c helpers shared by the JSON formats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "rangeset.h"
#include "util.h"

void mm_json_putp(json_object **o)
{
	json_object_put(*o);
}

int mm_json_add(json_object *obj, const char *key, json_object *value)
{
	if (!value || json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

int mm_json_append(json_object *array, json_object *value)
{
	if (!value || json_object_array_add(array, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

int mm_json_add_null(json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
}

int mm_json_add_string_or_null(json_object *obj, const char *key, const char *s)
{
	return s ? mm_json_add(obj, key, json_object_new_string(s)) : mm_json_add_null(obj, key);
}

json_object *mm_json_hex(uint64_t v)
{
	char buf[19];
	return json_object_new_string(mm_hex(v, buf));
}

json_object *mm_json_ranges(const MmRangeSet *s)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < s->n; i++) {
		json_object *r = json_object_new_object();
		if (!r || mm_json_add(r, "start", mm_json_hex(s->spans[i].start)) < 0 ||
		    mm_json_add(r, "end", mm_json_hex(s->spans[i].end)) < 0 ||
		    json_object_array_add(a, r) < 0) {
			json_object_put(r);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

int mm_json_parse(const char *text, size_t len, const char *file, json_object **ret, MmError *err)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;
	size_t used;

	if (len > INT32_MAX) {
		mm_error_set(err, file, 0, "too large to be JSON (%zu bytes)", len);
		return -EINVAL;
	}
	if (!(tok = json_tokener_new()))
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || !o) {
		json_object_put(o);
		mm_error_set(err, file, 0, "not JSON: %s",
			     jerr == json_tokener_continue ? "unexpected end"
							   : json_tokener_error_desc(jerr));
		return -EINVAL;
	}
	while (used < len && strchr(" \t\r\n", text[used]) && text[used])
		used++;
	if (used < len) {
		json_object_put(o);
		mm_error_set(err, file, 0, "not JSON: data after the document at byte %zu", used);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

json_object *mm_json_get(json_object *obj, const char *key, json_type type)
{
	json_object *v;
	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *mm_json_get_string(json_object *obj, const char *key)
{
	json_object *v = mm_json_get(obj, key, json_type_string);
	return v ? json_object_get_string(v) : NULL;
}

int mm_json_get_hex(json_object *obj, const char *key, uint64_t *ret)
{
	const char *s = mm_json_get_string(obj, key);
	if (!s || strncmp(s, "0x", 2) != 0)
		return -EINVAL;
	return mm_parse_u64(s, ret) < 0 ? -EINVAL : 0;
}

int mm_json_to_string(json_object *o, char **ret)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_SPACED |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	size_t n = strlen(s);
	char *out = malloc(n + 2);
	if (!out)
		return -ENOMEM;
	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	*ret = out;
	return 0;
}
