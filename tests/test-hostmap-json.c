/* The host map's JSON: the stable keys of issue 2, values equal to the model
 * (which test-probe checks against the kernel's files), nulls where unknown. */
#include <string.h>

#include <json-c/json.h>

#include "macros.h"
#include "testutil.h"

static json_object *host_json(const char *host, char **text)
{
	_cleanup_(mm_hostmap_freep) MmHostMap *m = tu_probe(host, "h1");
	ck_assert_int_eq(mm_hostmap_format_json(m, text), 0);
	json_object *root = json_tokener_parse(*text);
	ck_assert_msg(root, "not JSON: %s", *text);
	return root;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key '%s'", key);
	return v;
}

START_TEST(test_keys_and_nulls_arm64)
{
	_cleanup_free_ char *text = NULL;
	json_object *root = host_json("arm64-virt-smmuv3", &text);
	json_object *h = get(root, "host");
	static const char *const keys[] = {"name",     "uuid",           "arch", "kernel",
					   "physBits", "iommuGroups",    "reserved",
					   "msiControllers", "ram", "pciWindows", "warnings"};
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		get(h, keys[i]);
	ck_assert_str_eq(json_object_get_string(get(h, "name")), "h1");
	ck_assert_str_eq(json_object_get_string(get(h, "arch")), "aarch64");
	/* a capture has no machine-id, and arm64 cpuinfo has no address sizes */
	ck_assert(json_object_is_type(get(h, "uuid"), json_type_null));
	ck_assert(json_object_is_type(get(h, "physBits"), json_type_null));
	ck_assert_int_eq(json_object_get_int(get(h, "iommuGroups")), 3);

	json_object *res = get(h, "reserved");
	ck_assert_uint_eq(json_object_array_length(res), 1);
	json_object *r0 = json_object_array_get_idx(res, 0);
	ck_assert_str_eq(json_object_get_string(get(r0, "type")), "msi");
	ck_assert_str_eq(json_object_get_string(get(r0, "start")), "0x8000000");
	ck_assert_str_eq(json_object_get_string(get(r0, "end")), "0x80fffff");
	json_object *groups = get(r0, "groups"), *devices = get(r0, "devices");
	ck_assert_uint_eq(json_object_array_length(groups), 3);
	ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(groups, 2)), 2);
	ck_assert_uint_eq(json_object_array_length(devices), 3);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(devices, 0)),
			 "0000:00:02.0");

	json_object *ram = get(h, "ram");
	ck_assert_uint_eq(json_object_array_length(ram), 1);
	ck_assert_str_eq(json_object_get_string(get(json_object_array_get_idx(ram, 0), "end")),
			 "0xbfffffff");
	json_object_put(root);
}
END_TEST

START_TEST(test_x86_phys_bits_and_types)
{
	_cleanup_free_ char *text = NULL;
	json_object *root = host_json("x86-q35-amdvi", &text);
	json_object *h = get(root, "host");
	ck_assert_int_eq(json_object_get_int(get(h, "physBits")), 40);
	json_object *res = get(h, "reserved");
	ck_assert_uint_eq(json_object_array_length(res), 2);
	json_object *ht = json_object_array_get_idx(res, 1);
	ck_assert_str_eq(json_object_get_string(get(ht, "type")), "reserved");
	ck_assert_str_eq(json_object_get_string(get(ht, "start")), "0xfd00000000");
	ck_assert_str_eq(json_object_get_string(get(ht, "end")), "0xffffffffff");
	/* group 4 holds three functions of the ICH9 */
	ck_assert_uint_eq(json_object_array_length(get(ht, "devices")), 7);
	json_object_put(root);
}
END_TEST

START_TEST(test_output_is_deterministic)
{
	_cleanup_free_ char *a = NULL, *b = NULL;
	json_object *ra = host_json("x86-q35-vtd", &a);
	json_object *rb = host_json("x86-q35-vtd", &b);
	ck_assert_str_eq(a, b);
	json_object_put(ra);
	json_object_put(rb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostmap-json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, test_keys_and_nulls_arm64);
	tcase_add_test(tc, test_x86_phys_bits_and_types);
	tcase_add_test(tc, test_output_is_deterministic);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
