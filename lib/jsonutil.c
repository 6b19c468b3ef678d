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
	if (json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

json_object *mm_json_hex(uint64_t v)
{
	char buf[19];
	return json_object_new_string(mm_hex(v, buf));
}

json_object *mm_json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
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

int mm_json_to_string(json_object *o, char **ret)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
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
