/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's node devices (lib/nodedev.c), the GetLibvirt answer and the
 * host UUID of libvirt's capabilities: real virsh nodedev-dumpxml output
 * and a hand-made vfio-pci device (tests/data/nodedev/README.md), then
 * damaged documents, each refused with what and where. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "nodedev.h"
#include "testutil.h"

static MmNodeDevice *parse_file(const char *rel, int *ret, MmError *err)
{
	size_t len;
	_cleanup_free_ char *xml = tu_read(tu_data_path(rel), &len);
	MmNodeDevice *d = NULL;
	ck_assert_ptr_nonnull(xml);
	*ret = mm_nodedev_parse_xml(xml, len, rel, &d, err);
	return d;
}

static const struct {
	const char *file;
	const char *name, *bdf, *driver;
	long group;
} devices[] = {
	{ "nodedev/pci_0000_00_00_0.xml", "pci_0000_00_00_0", "0000:00:00.0", NULL, -1 },
	{ "nodedev/pci_0000_00_02_0.xml", "pci_0000_00_02_0", "0000:00:02.0", "virtio-pci", -1 },
	{ "nodedev/pci_0000_03_00_0.xml", "pci_0000_03_00_0", "0000:03:00.0", "vfio-pci", 12 },
};

START_TEST(test_nodedev_parse)
{
	MmError err = { 0 };
	int r;
	_cleanup_(mm_nodedev_freep) MmNodeDevice *d = parse_file(devices[_i].file, &r, &err);
	ck_assert_msg(r == 0, "%s: %s", devices[_i].file, err.message);
	ck_assert_str_eq(d->name, devices[_i].name);
	ck_assert_str_eq(d->bdf, devices[_i].bdf);
	if (devices[_i].driver)
		ck_assert_str_eq(d->driver, devices[_i].driver);
	else
		ck_assert_ptr_null(d->driver);
	ck_assert_int_eq(d->iommu_group, devices[_i].group);
	ck_assert_uint_eq(d->n_domains, 0);
}
END_TEST

/* Damaged documents: the error, and a message naming what (and the line). */
static const struct {
	const char *xml;
	int error;
	const char *message;
	unsigned line;
} bad[] = {
	{ "<device><name>x</name>", -EINVAL, "", 0 },
	{ "<capabilities/>", -EINVAL, "root element is not <device>", 1 },
	{ "<device>\n<name>net_eth0</name>\n<capability type='net'><interface>eth0</interface>"
	  "</capability></device>",
	  -ENODEV, "not a PCI device", 1 },
	{ "<device><name>p</name>\n<capability type='pci'><domain>0</domain>\n<bus>256</bus>"
	  "<slot>0</slot><function>0</function></capability></device>",
	  -EINVAL, "bad <bus> '256'", 3 },
	{ "<device><name>p</name>\n<capability type='pci'><domain>0</domain><bus>1</bus>"
	  "<function>0</function></capability></device>",
	  -EINVAL, "PCI device without <slot>", 2 },
	{ "<device><name>p</name><capability type='pci'><domain>0</domain><bus>1</bus>"
	  "<slot>0x1f</slot><function>8</function></capability></device>",
	  -EINVAL, "bad <function> '8'", 1 },
	{ "<device><capability type='pci'><domain>0</domain><bus>1</bus><slot>2</slot>"
	  "<function>0</function></capability></device>",
	  -EINVAL, "node device without <name>", 1 },
	{ "<device><name>p</name><capability type='pci'><domain>0</domain><bus>1</bus>"
	  "<slot>2</slot><function>0</function>\n<iommuGroup number='x'/></capability></device>",
	  -EINVAL, "number", 2 },
	/* group numbers are an int in the kernel (iommu_group_alloc's ida) */
	{ "<device><name>p</name><capability type='pci'><domain>0</domain><bus>1</bus>"
	  "<slot>2</slot><function>0</function>\n<iommuGroup number='2147483648'/>"
	  "</capability></device>",
	  -EINVAL, "IOMMU group 2147483648 out of range", 2 },
	/* capabilities without a type, or of another one, and a comment */
	{ "<device><name>p</name><!-- c --><capability/><capability type='usb'/></device>", -ENODEV,
	  "not a PCI device", 1 },
};

START_TEST(test_nodedev_bad)
{
	MmNodeDevice *d = NULL;
	MmError err = { 0 };
	int r = mm_nodedev_parse_xml(bad[_i].xml, strlen(bad[_i].xml), "dev.xml", &d, &err);
	ck_assert_int_eq(r, bad[_i].error);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(err.file, "dev.xml");
	ck_assert_msg(strstr(err.message, bad[_i].message), "message '%s' lacks '%s'", err.message,
		      bad[_i].message);
	if (bad[_i].line)
		ck_assert_uint_eq(err.line, bad[_i].line);
}
END_TEST

/* GetLibvirt's answer, read back with json-c: every device, its vfio flag,
 * a null group when it has none, the domains that assign it. */
START_TEST(test_libvirt_status_json)
{
	MmNodeDevice devs[ELEMENTSOF(devices)] = { 0 };
	for (size_t i = 0; i < ELEMENTSOF(devices); i++) {
		MmError err = { 0 };
		int r;
		MmNodeDevice *d = parse_file(devices[i].file, &r, &err);
		ck_assert_int_eq(r, 0);
		devs[i] = *d;
		free(d);
	}
	ck_assert_int_eq(mm_nodedev_add_domain(&devs[2], "guest-a"), 0);
	ck_assert_int_eq(mm_nodedev_add_domain(&devs[2], "guest-b"), 0);
	MmLibvirtStatus s = { .uri = "qemu:///system",
			      .connected = true,
			      .host_uuid = "40a41807-2606-426a-9306-4556c9317bdc",
			      .conflicts = 3,
			      .devices = devs,
			      .n_devices = ELEMENTSOF(devs) };
	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(mm_libvirt_status_format_json(&s, &json), 0);
	json_object *o = json_tokener_parse(json), *v, *list;
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "uri", &v));
	ck_assert_str_eq(json_object_get_string(v), "qemu:///system");
	ck_assert(json_object_object_get_ex(o, "connected", &v) && json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "conflicts", &v) && json_object_get_int(v) == 3);
	ck_assert(json_object_object_get_ex(o, "devices", &list));
	ck_assert_uint_eq(json_object_array_length(list), 3);
	for (size_t i = 0; i < 3; i++) {
		json_object *d = json_object_array_get_idx(list, i), *doms;
		ck_assert(json_object_object_get_ex(d, "bdf", &v));
		ck_assert_str_eq(json_object_get_string(v), devices[i].bdf);
		ck_assert(json_object_object_get_ex(d, "vfio", &v));
		ck_assert_int_eq(json_object_get_boolean(v), i == 2);
		ck_assert(json_object_object_get_ex(d, "iommu_group", &v));
		if (devices[i].group < 0)
			ck_assert_ptr_null(v);
		else
			ck_assert_int_eq(json_object_get_int(v), devices[i].group);
		ck_assert(json_object_object_get_ex(d, "domains", &doms));
		ck_assert_uint_eq(json_object_array_length(doms), i == 2 ? 2 : 0);
	}
	json_object_object_get_ex(json_object_array_get_idx(list, 2), "domains", &list);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(list, 1)), "guest-b");
	json_object_put(o);
	for (size_t i = 0; i < ELEMENTSOF(devs); i++)
		mm_nodedev_clear(&devs[i]);
}
END_TEST

/* Not following libvirt: uri "none", nothing else. */
START_TEST(test_libvirt_status_none)
{
	MmLibvirtStatus s = { .uri = NULL };
	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(mm_libvirt_status_format_json(&s, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"uri\": \"none\""));
	ck_assert_ptr_nonnull(strstr(json, "\"host_uuid\": null"));
	json_object *o = json_tokener_parse(json), *devs;
	ck_assert(json_object_object_get_ex(o, "devices", &devs));
	ck_assert_uint_eq(json_object_array_length(devs), 0);
	json_object_put(o);
}
END_TEST

static const struct {
	const char *xml;
	int error;
	const char *uuid;
} caps[] = {
	{ "<capabilities>\n  <host>\n    <uuid>40a41807-2606-426a-9306-4556c9317bdc</uuid>\n"
	  "    <cpu><arch>x86_64</arch></cpu>\n  </host>\n  <guest/>\n</capabilities>\n",
	  0, "40a41807-2606-426a-9306-4556c9317bdc" },
	{ "<capabilities><host><cpu><arch>aarch64</arch></cpu></host></capabilities>", 0, NULL },
	{ "<capabilities><host><uuid></uuid></host></capabilities>", 0, NULL },
	{ "<device/>", -EINVAL, NULL },
	{ "<capabilities><host>", -EINVAL, NULL },
};

START_TEST(test_capabilities_uuid)
{
	_cleanup_free_ char *uuid = NULL;
	MmError err = { 0 };
	int r = mm_capabilities_host_uuid(caps[_i].xml, strlen(caps[_i].xml), "caps", &uuid, &err);
	ck_assert_int_eq(r, caps[_i].error);
	if (r < 0) {
		ck_assert_str_eq(err.file, "caps");
		return;
	}
	if (caps[_i].uuid)
		ck_assert_str_eq(uuid, caps[_i].uuid);
	else
		ck_assert_ptr_null(uuid);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nodedev");
	TCase *tc = tcase_create("nodedev");
	tcase_add_loop_test(tc, test_nodedev_parse, 0, ELEMENTSOF(devices));
	tcase_add_loop_test(tc, test_nodedev_bad, 0, ELEMENTSOF(bad));
	tcase_add_test(tc, test_libvirt_status_json);
	tcase_add_test(tc, test_libvirt_status_none);
	tcase_add_loop_test(tc, test_capabilities_uuid, 0, ELEMENTSOF(caps));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
