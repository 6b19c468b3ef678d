/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host map as JSON (json-c), with the same content as the XML form:
 * {"host": {"name", "uuid", "arch", "kernel", "physBits", "iommuAddressBits",
 * "kvmIpaBits", "limits", "iommuGroups", "reserved", "msiControllers", "ram",
 * "pciWindows", "ecam", "warnings", "generated"}}. The key names are a
 * stable interface. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostmap-format.h"
#include "hostmap.h"
#include "jsonutil.h"
#include "macros.h"

static int cmp_json_strings(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

static json_object *reserved_json(const MmHostMap *m, const MmReserved *res)
{
	_cleanup_(mm_json_putp) json_object *o = json_object_new_object();
	/* referenced from o once added; ours dropped on return */
	_cleanup_(mm_json_putp) json_object *groups = json_object_new_array();
	_cleanup_(mm_json_putp) json_object *devices = json_object_new_array();

	if (!o || !groups || !devices ||
	    mm_json_add(o, "type", json_object_new_string(res->type)) < 0 ||
	    mm_json_add(o, "start", mm_json_hex(res->start)) < 0 ||
	    mm_json_add(o, "end", mm_json_hex(res->end)) < 0 ||
	    mm_json_add(o, "source",
			json_object_new_string(mm_reserved_source_to_string(res->source))) < 0 ||
	    mm_json_add(o, "groups", json_object_get(groups)) < 0 ||
	    mm_json_add(o, "devices", json_object_get(devices)) < 0)
		return NULL;
	for (size_t i = 0; i < res->groups.n; i++) {
		uint32_t id = res->groups.ids[i];
		if (mm_json_append(groups, json_object_new_int64(id)) < 0)
			return NULL;
		const MmGroup *g = mm_hostmap_find_group(m, id);
		for (size_t j = 0; g && j < g->n_devices; j++)
			if (mm_json_append(devices, json_object_new_string(g->devices[j].bdf)) < 0)
				return NULL;
	}
	/* One sorted list however the devices spread over groups. */
	json_object_array_sort(devices, cmp_json_strings);
	return TAKE_PTR(o);
}

static json_object *msi_controllers_json(const MmHostMap *m)
{
	_cleanup_(mm_json_putp) json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < m->n_msi_controllers; i++) {
		const MmMsiController *c = &m->msi_controllers[i];
		json_object *o = json_object_new_object();
		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			return NULL;
		}
		if (mm_json_add(o, "type", json_object_new_string(mm_msi_type_to_string(c->type))) <
			    0 ||
		    mm_json_add(o, "base", mm_json_hex(c->base)) < 0 ||
		    mm_json_add(o, "size", mm_json_hex(c->size)) < 0 ||
		    mm_json_add(o, "doorbell", mm_json_hex(c->doorbell)) < 0 ||
		    (c->translated == MM_TRANSLATED_UNKNOWN
			     ? mm_json_add_null(o, "translated")
			     : mm_json_add(o, "translated",
					   json_object_new_boolean(c->translated != 0))) < 0 ||
		    mm_json_add(o, "source",
				json_object_new_string(mm_firmware_to_string(c->source))) < 0)
			return NULL;
	}
	return TAKE_PTR(a);
}

static json_object *limits_json(const MmHostMap *m)
{
	_cleanup_(mm_json_putp) json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < m->n_limits; i++) {
		const MmLimit *l = &m->limits[i];
		json_object *o = json_object_new_object();
		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			return NULL;
		}
		if (mm_json_add(o, "kind",
				json_object_new_string(mm_limit_kind_to_string(l->kind))) < 0 ||
		    mm_json_add(o, "bits", json_object_new_int((int)l->bits)) < 0 ||
		    mm_json_add(o, "source", json_object_new_string(l->source)) < 0)
			return NULL;
	}
	return TAKE_PTR(a);
}

/* bits, or null when not known */
static int add_bits(json_object *o, const char *key, unsigned bits)
{
	return bits != MM_BITS_UNKNOWN ? mm_json_add(o, key, json_object_new_int((int)bits))
				       : mm_json_add_null(o, key);
}

int mm_hostmap_to_json(const MmHostMap *m, json_object **ret)
{
	_cleanup_(mm_json_putp) json_object *host = json_object_new_object();
	/* referenced from host once added; ours dropped on return */
	_cleanup_(mm_json_putp) json_object *reserved = json_object_new_array();
	_cleanup_(mm_json_putp) json_object *warnings = json_object_new_array();
	_cleanup_(mm_json_putp) json_object *msis = msi_controllers_json(m);
	_cleanup_(mm_json_putp) json_object *limits = limits_json(m);

	if (!host || !msis || !limits ||
	    mm_json_add(host, "name", json_object_new_string(m->name ? m->name : "")) < 0 ||
	    mm_json_add_string_or_null(host, "uuid", m->uuid) < 0 ||
	    mm_json_add_string_or_null(host, "arch", m->arch) < 0 ||
	    mm_json_add_string_or_null(host, "kernel", m->kernel) < 0 ||
	    add_bits(host, "physBits", m->phys_bits) < 0 ||
	    add_bits(host, "iommuAddressBits", m->iommu_bits) < 0 ||
	    add_bits(host, "kvmIpaBits", m->kvm_ipa_bits) < 0 ||
	    mm_json_add(host, "iommuGroups", json_object_new_int64((int64_t)m->n_iommu_groups)) <
		    0 ||
	    !reserved || mm_json_add(host, "reserved", json_object_get(reserved)) < 0 ||
	    mm_json_add(host, "msiControllers", TAKE_PTR(msis)) < 0 ||
	    mm_json_add(host, "limits", TAKE_PTR(limits)) < 0 ||
	    mm_json_add(host, "ram", mm_json_ranges(&m->ram)) < 0 ||
	    mm_json_add(host, "pciWindows", mm_json_ranges(&m->pci_windows)) < 0 ||
	    mm_json_add(host, "ecam", mm_json_ranges(&m->ecam)) < 0 || !warnings ||
	    mm_json_add(host, "warnings", json_object_get(warnings)) < 0 ||
	    mm_json_add_string_or_null(host, "generated", m->generated) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_reserved; i++) {
		json_object *r = reserved_json(m, &m->reserved[i]);
		if (!r || json_object_array_add(reserved, r) < 0) {
			json_object_put(r);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < m->n_warnings; i++)
		if (mm_json_append(warnings, json_object_new_string(m->warnings[i])) < 0)
			return -ENOMEM;

	json_object *root = json_object_new_object();
	if (!root || mm_json_add(root, "host", TAKE_PTR(host)) < 0) {
		json_object_put(root);
		return -ENOMEM;
	}
	*ret = root;
	return 0;
}

int mm_hostmap_format_json(const MmHostMap *m, char **ret)
{
	_cleanup_(mm_json_putp) json_object *o = NULL;
	int r = mm_hostmap_to_json(m, &o);
	if (r < 0)
		return r;
	return mm_json_to_string(o, ret);
}
