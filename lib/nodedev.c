/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's PCI node devices: the <device> documents virsh nodedev-dumpxml
 * prints, read with the one hardened reader (xmlutil), and the GetLibvirt
 * answer built from them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "macros.h"
#include "nodedev.h"
#include "strv.h"
#include "util.h"
#include "xmlutil.h"

void mm_nodedev_clear(MmNodeDevice *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->bdf);
	free(d->driver);
	mm_strv_free(d->domains, d->n_domains);
	memset(d, 0, sizeof(*d));
	d->iommu_group = -1;
}

void mm_nodedev_free(MmNodeDevice *d)
{
	mm_nodedev_clear(d);
	free(d);
}

int mm_nodedev_add_domain(MmNodeDevice *d, const char *domain)
{
	return mm_strv_appendf(&d->domains, &d->n_domains, "%s", domain);
}

/* The decimal (or 0x) number in the text of element name under cap. */
static int text_number(xmlNodePtr cap, const char *name, const char *file, uint64_t max,
		       uint64_t *ret, MmError *err)
{
	xmlNodePtr n = mm_xml_child(cap, name, MM_XML_NO_NS);
	_cleanup_free_ char *text = NULL;
	if (!n) {
		mm_error_set(err, file, mm_xml_line(cap), "PCI device without <%s>", name);
		return -EINVAL;
	}
	if (mm_xml_text(n, &text) < 0)
		return -ENOMEM;
	if (mm_parse_u64(text, ret) < 0 || *ret > max) {
		mm_error_set(err, file, mm_xml_line(n), "bad <%s> '%.32s'", name, text);
		return -EINVAL;
	}
	return 0;
}

static xmlNodePtr pci_capability(xmlNodePtr device)
{
	for (xmlNodePtr c = device->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "capability"))
			continue;
		_cleanup_free_ char *type = (char *)xmlGetProp(c, BAD_CAST "type");
		if (type && strcmp(type, "pci") == 0)
			return c;
	}
	return NULL;
}

int mm_nodedev_parse_xml(const char *xml, size_t len, const char *file, MmNodeDevice **ret,
			 MmError *err)
{
	_cleanup_(mm_xml_doc_freep) xmlDocPtr doc = NULL;
	_cleanup_(mm_nodedev_freep) MmNodeDevice *d = NULL;
	static const struct {
		const char *name;
		uint64_t max;
	} parts[] = { { "domain", 0xffff }, { "bus", 0xff }, { "slot", 0x1f }, { "function", 7 } };
	uint64_t v[4];
	int r;

	if ((r = mm_xml_read(xml, len, file, &doc, err)) < 0)
		return r;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root || !xmlStrEqual(root->name, BAD_CAST "device")) {
		mm_error_set(err, file, root ? mm_xml_line(root) : 0,
			     "not a libvirt node device: the root element is not <device>");
		return -EINVAL;
	}
	xmlNodePtr cap = pci_capability(root);
	if (!cap) {
		mm_error_set(err, file, mm_xml_line(root), "not a PCI device");
		return -ENODEV;
	}
	for (size_t i = 0; i < ELEMENTSOF(parts); i++)
		if ((r = text_number(cap, parts[i].name, file, parts[i].max, &v[i], err)) < 0)
			return r;
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	d->iommu_group = -1;
	if (asprintf(&d->bdf, "%04x:%02x:%02x.%x", (unsigned)v[0], (unsigned)v[1], (unsigned)v[2],
		     (unsigned)v[3]) < 0) {
		d->bdf = NULL;
		return -ENOMEM;
	}
	xmlNodePtr name = mm_xml_child(root, "name", MM_XML_NO_NS);
	if (!name) {
		mm_error_set(err, file, mm_xml_line(root), "node device without <name>");
		return -EINVAL;
	}
	if (mm_xml_text(name, &d->name) < 0)
		return -ENOMEM;
	xmlNodePtr driver =
		mm_xml_child(mm_xml_child(root, "driver", MM_XML_NO_NS), "name", MM_XML_NO_NS);
	if (driver && mm_xml_text(driver, &d->driver) < 0)
		return -ENOMEM;
	xmlNodePtr group = mm_xml_child(cap, "iommuGroup", MM_XML_NO_NS);
	if (group) {
		uint64_t number;
		if ((r = mm_xml_get_u64(group, "number", true, file, &number, err)) < 0)
			return r;
		if (number > INT32_MAX) {
			mm_error_set(err, file, mm_xml_line(group), "IOMMU group %llu out of range",
				     (unsigned long long)number);
			return -EINVAL;
		}
		d->iommu_group = (long)number;
	}
	*ret = TAKE_PTR(d);
	return 0;
}

static json_object *device_json(const MmNodeDevice *d)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	/* referenced from o once added; ours dropped on return */
	_cleanup_(mm_json_putp) json_object *domains = json_object_new_array();
	if (!o || !domains || mm_json_add(o, "bdf", json_object_new_string(d->bdf)) < 0 ||
	    mm_json_add(o, "name", json_object_new_string(d->name)) < 0 ||
	    mm_json_add_string_or_null(o, "driver", d->driver) < 0 ||
	    (d->iommu_group >= 0
		     ? mm_json_add(o, "iommu_group", json_object_new_int64(d->iommu_group))
		     : mm_json_add_null(o, "iommu_group")) < 0 ||
	    mm_json_add(o, "vfio", json_object_new_boolean(streq_ptr(d->driver, "vfio-pci"))) < 0 ||
	    mm_json_add(o, "domains", json_object_get(domains)) < 0)
		return NULL;
	for (size_t i = 0; i < d->n_domains; i++)
		if (mm_json_append(domains, json_object_new_string(d->domains[i])) < 0)
			return NULL;
	return TAKE_PTR(o);
}

int mm_libvirt_status_format_json(const MmLibvirtStatus *s, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	_cleanup_(mm_json_putp) json_object *devices = json_object_new_array();
	if (!o || !devices ||
	    mm_json_add(o, "uri", json_object_new_string(s->uri ? s->uri : "none")) < 0 ||
	    mm_json_add(o, "connected", json_object_new_boolean(s->connected)) < 0 ||
	    mm_json_add_string_or_null(o, "host_uuid", s->host_uuid) < 0 ||
	    mm_json_add(o, "conflicts", json_object_new_int64(s->conflicts)) < 0 ||
	    mm_json_add(o, "devices", json_object_get(devices)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_devices; i++) {
		json_object *d = device_json(&s->devices[i]);
		if (!d || json_object_array_add(devices, d) < 0) {
			json_object_put(d);
			return -ENOMEM;
		}
	}
	return mm_json_to_string(o, ret);
}
