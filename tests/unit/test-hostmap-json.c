/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map's JSON: the stable keys of docs/design.md §4, values equal to the model
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
	static const char *const keys[] = { "name",     "uuid",        "arch",     "kernel",
					    "physBits", "iommuGroups", "reserved", "msiControllers",
					    "ram",      "pciWindows",  "warnings" };
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

START_TEST(test_firmware_keys)
{
	/* the firmware fields' shape: msiControllers entries, iommuAddressBits, kvmIpaBits,
	 * limits with their sources, reserved ranges' source */
	_cleanup_free_ char *text = NULL;
	json_object *root = host_json("arm64-virt-smmuv3", &text);
	json_object *h = get(root, "host");
	json_object *msi = get(h, "msiControllers");
	ck_assert_uint_eq(json_object_array_length(msi), 1);
	json_object *its = json_object_array_get_idx(msi, 0);
	ck_assert_str_eq(json_object_get_string(get(its, "type")), "gicv3-its");
	ck_assert_str_eq(json_object_get_string(get(its, "base")), "0x8080000");
	ck_assert_str_eq(json_object_get_string(get(its, "size")), "0x20000");
	ck_assert_str_eq(json_object_get_string(get(its, "doorbell")), "0x8090040");
	ck_assert(json_object_is_type(get(its, "translated"), json_type_boolean));
	ck_assert(json_object_get_boolean(get(its, "translated")));
	ck_assert_str_eq(json_object_get_string(get(its, "source")), "fdt");
	ck_assert_int_eq(json_object_get_int(get(h, "iommuAddressBits")), 44);
	ck_assert(json_object_is_type(get(h, "kvmIpaBits"), json_type_null));
	json_object *limits = get(h, "limits");
	ck_assert_uint_eq(json_object_array_length(limits), 1);
	json_object *l = json_object_array_get_idx(limits, 0);
	ck_assert_str_eq(json_object_get_string(get(l, "kind")), "iommu");
	ck_assert_int_eq(json_object_get_int(get(l, "bits")), 44);
	ck_assert_str_eq(json_object_get_string(get(l, "source")), "dmesg.txt: 9050000.smmuv3");
	json_object *r0 = json_object_array_get_idx(get(h, "reserved"), 0);
	ck_assert_str_eq(json_object_get_string(get(r0, "source")), "kernel");
	json_object_put(root);

	/* unknown translation is null; an IORT range says so */
	free(text);
	root = host_json("arm64-hwmsi", &text);
	its = json_object_array_get_idx(get(get(root, "host"), "msiControllers"), 0);
	ck_assert(json_object_is_type(get(its, "translated"), json_type_null));
	json_object_put(root);
	free(text);
	root = host_json("fw-rmr-oldkernel", &text);
	r0 = json_object_array_get_idx(get(get(root, "host"), "reserved"), 1);
	ck_assert_str_eq(json_object_get_string(get(r0, "source")), "iort");
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
	tcase_add_test(tc, test_firmware_keys);
	tcase_add_test(tc, test_output_is_deterministic);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
