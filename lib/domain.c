/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain reader: the parts of a libvirt domain XML document that decide
 * a guest's memory map (machine, memory sizes, NUMA cells, memory devices,
 * CPU model and vendor, GIC version, assigned devices, vIOMMU) and
 * migmap's own metadata. Everything else in the document is ignored. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domain.h"
#include "error.h"
#include "macros.h"
#include "strv.h"
#include "util.h"
#include "xmlutil.h"

void mm_domain_free(MmDomain *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->arch);
	free(d->machine);
	free(d->numa_cells);
	free(d->memory_devices);
	free(d->cpu_model);
	free(d->cpu_vendor);
	free(d->cpu_mode);
	free(d->maxphysaddr_mode);
	free(d->iommu_model);
	free(d->emulator);
	for (size_t i = 0; i < d->n_shmems; i++)
		free(d->shmems[i].name);
	free(d->shmems);
	free(d->pool);
	mm_strv_free(d->pci_hostdev_bdfs, d->n_pci_hostdev_bdfs);
	free(d);
}

static const char *const memory_device_models[] = {
	[MM_MEMDEV_DIMM] = "dimm",
	[MM_MEMDEV_NVDIMM] = "nvdimm",
	[MM_MEMDEV_VIRTIO_MEM] = "virtio-mem",
};

MM_ENUM_STRINGS(mm_memory_device_model, MmMemoryDeviceModel, memory_device_models)

/* ---- element helpers ---- */

/* Text of an element, trimmed of surrounding white space. */
static int text_trimmed(xmlNodePtr node, char **ret)
{
	int r = mm_xml_text(node, ret);
	if (r < 0)
		return r;
	char *s = *ret, *e;
	size_t lead = strspn(s, " \t\r\n");
	memmove(s, s + lead, strlen(s + lead) + 1);
	for (e = s + strlen(s); e > s && strchr(" \t\r\n", e[-1]); e--)
		;
	*e = '\0';
	return 0;
}

/* libvirt's scaled integers (virScaleInteger): "b", "byte(s)"; a power
 * letter k/m/g/t/p/e alone or followed by "iB" counts in 1024s, followed by
 * "B" in 1000s; letters in either case. No unit: default_scale. */
static int unit_scale(const char *unit, uint64_t default_scale, uint64_t *ret)
{
	static const char powers[] = "kmgtpe";
	uint64_t base, scale = 1;

	if (!unit || !*unit) {
		*ret = default_scale;
		return 0;
	}
	if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 ||
	    strcasecmp(unit, "bytes") == 0) {
		*ret = 1;
		return 0;
	}
	if (!unit[1] || strcasecmp(unit + 1, "iB") == 0)
		base = 1024;
	else if ((unit[1] == 'b' || unit[1] == 'B') && !unit[2])
		base = 1000;
	else
		return -EINVAL;
	const char *p = strchr(powers, tolower((unsigned char)unit[0]));
	if (!p || !*p)
		return -EINVAL;
	for (ptrdiff_t i = 0; i <= p - powers; i++)
		scale *= base;
	*ret = scale;
	return 0;
}

/* value * unit in bytes, from text (or an attribute when attr is set). */
static int parse_scaled(xmlNodePtr node, const char *attr, const char *unit_attr, const char *file,
			uint64_t *ret, MmError *err)
{
	_cleanup_free_ char *text = NULL, *unit = NULL;
	uint64_t value, scale;
	int r;

	if (attr) {
		r = mm_xml_get_string(node, attr, true, file, &text, err);
		if (r < 0)
			return r;
	} else {
		r = text_trimmed(node, &text);
		if (r < 0)
			return r;
	}
	r = mm_xml_get_string(node, unit_attr, false, file, &unit, err);
	if (r < 0)
		return r;
	if (mm_parse_u64(text, &value) < 0 ||
	    (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))) {
		mm_error_set(err, file, mm_xml_line(node), "<%s> size '%s' is not a number",
			     node->name, text);
		return -EINVAL;
	}
	if (unit_scale(unit, 1024, &scale) < 0) {
		mm_error_set(err, file, mm_xml_line(node), "<%s> has unknown unit '%s'", node->name,
			     unit);
		return -EINVAL;
	}
	if (__builtin_mul_overflow(value, scale, ret)) {
		mm_error_set(err, file, mm_xml_line(node), "<%s> size %s %s is out of range",
			     node->name, text, unit ? unit : "KiB");
		return -ERANGE;
	}
	return 0;
}

static int parse_unsigned(xmlNodePtr node, const char *attr, const char *file, unsigned *ret,
			  MmError *err)
{
	_cleanup_free_ char *text = NULL;
	uint64_t v;
	int r = attr ? mm_xml_get_string(node, attr, true, file, &text, err)
		     : text_trimmed(node, &text);
	if (r < 0)
		return r;
	if (mm_parse_u64(text, &v) < 0 || v > UINT32_MAX) {
		mm_error_set(err, file, mm_xml_line(node), "<%s> %s '%s' is not a valid number",
			     node->name, attr ? attr : "value", text);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

/* ---- CPU vendor ---- */

/* QEMU's x86 CPU models by vendor. qemu64 and the Opteron/EPYC families
 * report AuthenticAMD; kvm64 and the Intel families GenuineIntel. */
static const char *vendor_of_model(const char *model)
{
	static const char *const amd[] = {
		"EPYC", "Opteron", "phenom", "athlon", "qemu64", "qemu32",
	};
	static const char *const intel[] = {
		"Skylake",     "Cascadelake", "Icelake",    "Haswell",    "Broadwell", "Sapphire",
		"Granite",     "Sierra",      "Clearwater", "Cooperlake", "Snowridge", "IvyBridge",
		"SandyBridge", "Westmere",    "Nehalem",    "Penryn",     "Conroe",    "core2duo",
		"coreduo",     "kvm64",       "kvm32",      "n270",       "pentium",   "486",
		"Denverton",   "KnightsMill",
	};
	for (size_t i = 0; i < ELEMENTSOF(amd); i++)
		if (strncasecmp(model, amd[i], strlen(amd[i])) == 0)
			return "AMD";
	for (size_t i = 0; i < ELEMENTSOF(intel); i++)
		if (strncasecmp(model, intel[i], strlen(intel[i])) == 0)
			return "Intel";
	return NULL;
}

static const char *normalize_vendor(const char *vendor)
{
	if (strcasecmp(vendor, "AMD") == 0 || strcmp(vendor, "AuthenticAMD") == 0)
		return "AMD";
	if (strcasecmp(vendor, "Intel") == 0 || strcmp(vendor, "GenuineIntel") == 0)
		return "Intel";
	return vendor;
}

/* ---- sections ---- */

static int parse_os(xmlNodePtr os, const char *file, MmDomain *d, MmError *err)
{
	xmlNodePtr type = mm_xml_child(os, "type", MM_XML_NO_NS);
	_cleanup_free_ char *firmware = NULL;
	int r;

	if (!type) {
		mm_error_set(err, file, mm_xml_line(os), "<os> lacks <type>");
		return -EINVAL;
	}
	r = mm_xml_get_string(type, "arch", false, file, &d->arch, err);
	if (r >= 0)
		r = mm_xml_get_string(type, "machine", false, file, &d->machine, err);
	if (r >= 0)
		r = mm_xml_get_string(os, "firmware", false, file, &firmware, err);
	if (r < 0)
		return r;
	if (!d->arch) {
		mm_error_set(err, file, mm_xml_line(type), "<type> lacks attribute 'arch'");
		return -EINVAL;
	}
	if (firmware && strcmp(firmware, "efi") == 0)
		d->firmware_efi = true;

	xmlNodePtr loader = mm_xml_child(os, "loader", MM_XML_NO_NS);
	if (loader) {
		_cleanup_free_ char *ltype = NULL, *path = NULL;
		r = mm_xml_get_string(loader, "type", false, file, &ltype, err);
		if (r >= 0)
			r = text_trimmed(loader, &path);
		if (r < 0)
			return r;
		/* a pflash loader is UEFI on both arches; ROM loaders named
		 * after edk2 builds are too */
		if ((ltype && strcmp(ltype, "pflash") == 0) || strcasestr(path, "OVMF") ||
		    strcasestr(path, "AAVMF") || strcasestr(path, "edk2") ||
		    strcasestr(path, "QEMU_EFI"))
			d->firmware_efi = true;
	}
	return 0;
}

/* A <cell>: its id, memory, and where it is, for the error naming a
 * duplicate. */
typedef struct Cell {
	uint64_t id;
	uint64_t memory;
	size_t order; /* position among the cells */
	unsigned line;
} Cell;

static int cell_cmp(const void *a, const void *b)
{
	const Cell *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Ids are checked after one sort (O(n log n)): a duplicate is the later of
 * two equal neighbours, reported at its own line. */
static int parse_numa(xmlNodePtr numa, const char *file, MmDomain *d, MmError *err)
{
	size_t n = 0;
	for (xmlNodePtr c = numa->children; c; c = c->next)
		if (mm_xml_is_element(c, "cell", MM_XML_NO_NS))
			n++;
	if (n == 0)
		return 0;
	_cleanup_free_ Cell *cells = calloc(n, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	size_t i = 0;
	for (xmlNodePtr c = numa->children; c; c = c->next) {
		if (!mm_xml_is_element(c, "cell", MM_XML_NO_NS))
			continue;
		unsigned id = (unsigned)i;
		int r = 0;
		if (xmlHasProp(c, BAD_CAST "id"))
			r = parse_unsigned(c, "id", file, &id, err);
		if (r >= 0)
			r = parse_scaled(c, "memory", "unit", file, &cells[i].memory, err);
		if (r < 0)
			return r;
		cells[i].id = id;
		cells[i].order = i;
		cells[i].line = mm_xml_line(c);
		i++;
	}
	qsort(cells, n, sizeof(*cells), cell_cmp);
	/* the first duplicate in document order */
	const Cell *dup = NULL;
	for (i = 1; i < n; i++)
		if (cells[i].id == cells[i - 1].id && (!dup || cells[i].order < dup->order))
			dup = &cells[i];
	if (dup) {
		mm_error_set(err, file, dup->line, "NUMA cell id %" PRIu64 " used twice", dup->id);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (cells[i].id != i) {
			mm_error_set(err, file, mm_xml_line(numa),
				     "NUMA cell ids must be 0 to %zu, cell %" PRIu64 " is not",
				     n - 1, cells[i].id);
			return -EINVAL;
		}
	d->numa_cells = calloc(n, sizeof(uint64_t));
	if (!d->numa_cells)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		d->numa_cells[i] = cells[i].memory;
	d->n_numa_cells = n;
	return 0;
}

static int parse_cpu(xmlNodePtr cpu, const char *file, MmDomain *d, MmError *err)
{
	int r = mm_xml_get_string(cpu, "mode", false, file, &d->cpu_mode, err);
	if (r < 0)
		return r;
	xmlNodePtr model = mm_xml_child(cpu, "model", MM_XML_NO_NS);
	if (model) {
		r = text_trimmed(model, &d->cpu_model);
		if (r < 0)
			return r;
		if (!d->cpu_model[0]) {
			free(d->cpu_model);
			d->cpu_model = NULL;
		}
	}
	xmlNodePtr vendor = mm_xml_child(cpu, "vendor", MM_XML_NO_NS);
	_cleanup_free_ char *vtext = NULL;
	if (vendor) {
		r = text_trimmed(vendor, &vtext);
		if (r < 0)
			return r;
	}
	const char *v = vtext && vtext[0] ? normalize_vendor(vtext)
			: d->cpu_model    ? vendor_of_model(d->cpu_model)
					  : NULL;
	if (v && !(d->cpu_vendor = strdup(v)))
		return -ENOMEM;

	xmlNodePtr mpa = mm_xml_child(cpu, "maxphysaddr", MM_XML_NO_NS);
	if (mpa) {
		r = mm_xml_get_string(mpa, "mode", true, file, &d->maxphysaddr_mode, err);
		if (r >= 0 && xmlHasProp(mpa, BAD_CAST "bits"))
			r = parse_unsigned(mpa, "bits", file, &d->maxphysaddr_bits, err);
		if (r < 0)
			return r;
		if (r >= 0 && xmlHasProp(mpa, BAD_CAST "limit"))
			r = parse_unsigned(mpa, "limit", file, &d->maxphysaddr_limit, err);
		if (r < 0)
			return r;
		if (d->maxphysaddr_bits > 64 || d->maxphysaddr_limit > 64) {
			mm_error_set(err, file, mm_xml_line(mpa), "maxphysaddr bits above 64");
			return -EINVAL;
		}
	}
	xmlNodePtr numa = mm_xml_child(cpu, "numa", MM_XML_NO_NS);
	return numa ? parse_numa(numa, file, d, err) : 0;
}

static int parse_features(xmlNodePtr features, const char *file, MmDomain *d, MmError *err)
{
	xmlNodePtr gic = mm_xml_child(features, "gic", MM_XML_NO_NS);
	d->acpi = mm_xml_child(features, "acpi", MM_XML_NO_NS) != NULL;
	if (gic && xmlHasProp(gic, BAD_CAST "version")) {
		_cleanup_free_ char *v = NULL;
		int r = mm_xml_get_string(gic, "version", true, file, &v, err);
		if (r < 0)
			return r;
		if (strcmp(v, "host") == 0)
			d->gic_version = 0; /* the host's: unknown here */
		else if (strcmp(v, "2") == 0 || strcmp(v, "3") == 0 || strcmp(v, "4") == 0)
			d->gic_version = (unsigned)(v[0] - '0');
		else {
			mm_error_set(err, file, mm_xml_line(gic), "unknown GIC version '%s'", v);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_memory_device(xmlNodePtr mem, const char *file, MmDomain *d, size_t *alloc,
			       MmError *err)
{
	_cleanup_free_ char *model = NULL;
	MmMemoryDevice dev = { .node = -1 };
	int r = mm_xml_get_string(mem, "model", true, file, &model, err);
	if (r < 0)
		return r;
	if (mm_memory_device_model_from_string(model, &dev.model) < 0)
		dev.model = MM_MEMDEV_OTHER;

	xmlNodePtr target = mm_xml_child(mem, "target", MM_XML_NO_NS);
	xmlNodePtr size = target ? mm_xml_child(target, "size", MM_XML_NO_NS) : NULL;
	if (!size) {
		mm_error_set(err, file, mm_xml_line(mem),
			     "<memory model='%s'> lacks <target><size>", model);
		return -EINVAL;
	}
	r = parse_scaled(size, NULL, "unit", file, &dev.size, err);
	if (r < 0)
		return r;
	xmlNodePtr node = mm_xml_child(target, "node", MM_XML_NO_NS);
	if (node) {
		unsigned n;
		r = parse_unsigned(node, NULL, file, &n, err);
		if (r < 0)
			return r;
		if (n > INT32_MAX) {
			mm_error_set(err, file, mm_xml_line(node), "NUMA node %u out of range", n);
			return -EINVAL;
		}
		dev.node = (int)n;
	}
	/* DIMMs: <address type='dimm' slot=… base=…/>; virtio-mem (libvirt
	 * 9.4+): <target><address base=…/> */
	xmlNodePtr address = mm_xml_child(mem, "address", MM_XML_NO_NS);
	if (dev.model == MM_MEMDEV_VIRTIO_MEM)
		address = target ? mm_xml_child(target, "address", MM_XML_NO_NS) : NULL;
	if (address && xmlHasProp(address, BAD_CAST "base")) {
		r = mm_xml_get_u64(address, "base", true, file, &dev.base, err);
		if (r < 0)
			return r;
		dev.has_base = true;
	}
	r = MM_GROW(d->memory_devices, *alloc, d->n_memory_devices + 1);
	if (r < 0)
		return r;
	d->memory_devices[d->n_memory_devices++] = dev;
	return 0;
}

/* <source><address domain bus slot function> of a PCI <hostdev>, as libvirt
 * writes it (hex with 0x, domain 0 when absent). */
static int parse_hostdev_address(xmlNodePtr hostdev, const char *file, MmDomain *d, MmError *err)
{
	static const struct {
		const char *name;
		uint64_t max;
	} parts[] = { { "domain", 0xffff }, { "bus", 0xff }, { "slot", 0x1f }, { "function", 7 } };
	xmlNodePtr address = mm_xml_child(mm_xml_child(hostdev, "source", MM_XML_NO_NS), "address",
					  MM_XML_NO_NS);
	uint64_t v[4] = { 0 };
	int r;

	if (!address)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
		r = mm_xml_get_u64(address, parts[i].name, i > 0, file, &v[i], err);
		if (r < 0)
			return r;
		if (v[i] > parts[i].max) {
			mm_error_set(err, file, mm_xml_line(address),
				     "hostdev address %s='%#llx' out of range", parts[i].name,
				     (unsigned long long)v[i]);
			return -EINVAL;
		}
	}
	return mm_strv_appendf(&d->pci_hostdev_bdfs, &d->n_pci_hostdev_bdfs, "%04x:%02x:%02x.%x",
			       (unsigned)v[0], (unsigned)v[1], (unsigned)v[2], (unsigned)v[3]);
}

/* <iommu model=…><driver aw_bits=… dma_translation=…/></iommu> */
static int parse_iommu(xmlNodePtr iommu, const char *file, MmDomain *d, MmError *err)
{
	free(d->iommu_model);
	d->iommu_model = NULL;
	int r = mm_xml_get_string(iommu, "model", true, file, &d->iommu_model, err);
	xmlNodePtr driver = mm_xml_child(iommu, "driver", MM_XML_NO_NS);
	if (r < 0 || !driver)
		return r;
	if (xmlHasProp(driver, BAD_CAST "aw_bits")) {
		r = parse_unsigned(driver, "aw_bits", file, &d->iommu_aw_bits, err);
		if (r < 0)
			return r;
		if (d->iommu_aw_bits < 12 || d->iommu_aw_bits > 64) {
			mm_error_set(err, file, mm_xml_line(driver),
				     "<driver> aw_bits %u out of range", d->iommu_aw_bits);
			return -EINVAL;
		}
	}
	_cleanup_free_ char *dma = NULL;
	r = mm_xml_get_string(driver, "dma_translation", false, file, &dma, err);
	if (r < 0)
		return r;
	d->iommu_no_dma = dma && strcmp(dma, "off") == 0;
	return 0;
}

/* <shmem name=…><size unit=…>…</size></shmem>: libvirt gives QEMU 4 MiB
 * when <size> is absent (docs: formatdomain "Shared memory device"). */
static int parse_shmem(xmlNodePtr shmem, const char *file, MmDomain *d, size_t *alloc, MmError *err)
{
	MmShmem s = { NULL, 4 * 1024 * 1024 };
	int r = mm_xml_get_string(shmem, "name", false, file, &s.name, err);
	xmlNodePtr size = mm_xml_child(shmem, "size", MM_XML_NO_NS);
	if (r >= 0 && size) {
		r = parse_scaled(size, NULL, "unit", file, &s.size, err);
		if (!xmlHasProp(size, BAD_CAST "unit"))
			s.size /= 1024; /* bytes without a unit, unlike <memory> */
	}
	if (r >= 0)
		r = MM_GROW(d->shmems, *alloc, d->n_shmems + 1);
	if (r < 0) {
		free(s.name);
		return r;
	}
	d->shmems[d->n_shmems++] = s;
	return 0;
}

/* <controller type='pci' model='pcie-root|pci-root'><pcihole64 unit=…>:
 * KiB without a unit, as libvirt reads it. */
static int parse_controller(xmlNodePtr c, const char *file, MmDomain *d, MmError *err)
{
	_cleanup_free_ char *model = NULL;
	int r = mm_xml_get_string(c, "model", false, file, &model, err);
	xmlNodePtr hole = mm_xml_child(c, "pcihole64", MM_XML_NO_NS);
	if (r < 0 || !hole || !model ||
	    (strcmp(model, "pcie-root") != 0 && strcmp(model, "pci-root") != 0))
		return r;
	r = parse_scaled(hole, NULL, "unit", file, &d->pcihole64, err);
	if (r >= 0)
		d->has_pcihole64 = true;
	return r;
}

static int parse_devices(xmlNodePtr devices, const char *file, MmDomain *d, MmError *err)
{
	size_t shmem_alloc = 0;
	size_t alloc = 0;
	for (xmlNodePtr c = devices->children; c; c = c->next) {
		int r = 0;
		if (mm_xml_is_element(c, "memory", MM_XML_NO_NS))
			r = parse_memory_device(c, file, d, &alloc, err);
		else if (mm_xml_is_element(c, "hostdev", MM_XML_NO_NS)) {
			_cleanup_free_ char *mode = NULL, *type = NULL;
			r = mm_xml_get_string(c, "mode", false, file, &mode, err);
			if (r >= 0)
				r = mm_xml_get_string(c, "type", false, file, &type, err);
			if (r >= 0 && (!mode || strcmp(mode, "subsystem") == 0) && type &&
			    strcmp(type, "pci") == 0) {
				d->n_pci_hostdevs++;
				r = parse_hostdev_address(c, file, d, err);
			}
		} else if (mm_xml_is_element(c, "iommu", MM_XML_NO_NS))
			r = parse_iommu(c, file, d, err);
		else if (mm_xml_is_element(c, "shmem", MM_XML_NO_NS))
			r = parse_shmem(c, file, d, &shmem_alloc, err);
		else if (mm_xml_is_element(c, "controller", MM_XML_NO_NS))
			r = parse_controller(c, file, d, err);
		else if (mm_xml_is_element(c, "emulator", MM_XML_NO_NS))
			/* the binary whose version decides some defaults */
			r = mm_xml_text(c, &d->emulator);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_metadata(xmlNodePtr metadata, const char *file, MmDomain *d, MmError *err)
{
	for (xmlNodePtr c = metadata->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !c->ns ||
		    !xmlStrEqual(c->ns->href, BAD_CAST MM_DOMAIN_NS))
			continue;
		if (!xmlStrEqual(c->name, BAD_CAST "pool")) {
			mm_error_set(err, file, mm_xml_line(c), "unknown migmap metadata <%s>",
				     c->name);
			return -EINVAL;
		}
		free(d->pool);
		d->pool = NULL;
		int r = mm_xml_get_string(c, "name", true, file, &d->pool, err);
		if (r < 0)
			return r;
		if (!mm_name_valid(d->pool)) {
			mm_error_set(err, file, mm_xml_line(c), "invalid pool name '%s'", d->pool);
			return -EINVAL;
		}
	}
	return 0;
}

int mm_domain_parse_xml(const char *xml, size_t len, const char *filename, MmDomain **ret,
			MmError *err)
{
	return mm_domain_parse_xml_full(xml, len, filename, 0, ret, NULL, err);
}

int mm_domain_parse_xml_full(const char *xml, size_t len, const char *filename, unsigned flags,
			     MmDomain **ret, MmDomainFault *fault, MmError *err)
{
	_cleanup_(mm_xml_doc_freep) xmlDocPtr doc = NULL;
	_cleanup_(mm_domain_freep) MmDomain *d = NULL;
	MmDomainFault unused;
	if (!fault)
		fault = &unused;
	*fault = MM_DOMAIN_FAULT_XML;
	int r = mm_xml_read_opts(xml, len, filename,
				 flags & MM_DOMAIN_PARSE_LIBVIRT ? XML_PARSE_HUGE : 0, &doc, err);
	if (r < 0)
		return r;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!mm_xml_is_element(root, "domain", MM_XML_NO_NS)) {
		mm_error_set(err, filename, mm_xml_line(root),
			     "root element is <%s>, not a libvirt <domain>", root->name);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		*fault = MM_DOMAIN_FAULT_NONE;
		return -ENOMEM;
	}
	d->vcpus = 1;
	xmlChar *dtype = xmlGetProp(root, BAD_CAST "type");
	d->kvm = dtype && xmlStrEqual(dtype, BAD_CAST "kvm");
	xmlFree(dtype);

	xmlNodePtr n;
	*fault = MM_DOMAIN_FAULT_METADATA;
	if ((n = mm_xml_child(root, "metadata", MM_XML_NO_NS)) &&
	    (r = parse_metadata(n, filename, d, err)) < 0)
		return r;
	*fault = MM_DOMAIN_FAULT_MODEL;
	if ((n = mm_xml_child(root, "name", MM_XML_NO_NS)) && (r = text_trimmed(n, &d->name)) < 0)
		return r;
	if (!(n = mm_xml_child(root, "os", MM_XML_NO_NS))) {
		mm_error_set(err, filename, mm_xml_line(root), "<domain> lacks <os>");
		return -EINVAL;
	}
	if ((r = parse_os(n, filename, d, err)) < 0)
		return r;

	if (!(n = mm_xml_child(root, "memory", MM_XML_NO_NS))) {
		mm_error_set(err, filename, mm_xml_line(root), "<domain> lacks <memory>");
		return -EINVAL;
	}
	if ((r = parse_scaled(n, NULL, "unit", filename, &d->memory, err)) < 0)
		return r;
	if ((n = mm_xml_child(root, "currentMemory", MM_XML_NO_NS)) &&
	    (r = parse_scaled(n, NULL, "unit", filename, &d->current_memory, err)) < 0)
		return r;
	if ((n = mm_xml_child(root, "maxMemory", MM_XML_NO_NS))) {
		if ((r = parse_scaled(n, NULL, "unit", filename, &d->max_memory, err)) < 0)
			return r;
		if (xmlHasProp(n, BAD_CAST "slots") &&
		    (r = parse_unsigned(n, "slots", filename, &d->max_memory_slots, err)) < 0)
			return r;
	}
	if ((n = mm_xml_child(root, "vcpu", MM_XML_NO_NS))) {
		if ((r = parse_unsigned(n, NULL, filename, &d->vcpus, err)) < 0)
			return r;
		if (d->vcpus == 0) {
			mm_error_set(err, filename, mm_xml_line(n), "<vcpu> must be at least 1");
			return -EINVAL;
		}
	}
	if ((n = mm_xml_child(root, "cpu", MM_XML_NO_NS)) &&
	    (r = parse_cpu(n, filename, d, err)) < 0)
		return r;
	if ((n = mm_xml_child(root, "features", MM_XML_NO_NS)) &&
	    (r = parse_features(n, filename, d, err)) < 0)
		return r;
	if ((n = mm_xml_child(root, "devices", MM_XML_NO_NS)) &&
	    (r = parse_devices(n, filename, d, err)) < 0)
		return r;

	/* what libvirt itself refuses, so a layout is never computed from it */
	uint64_t devices = 0;
	for (size_t i = 0; i < d->n_memory_devices; i++)
		if (__builtin_add_overflow(devices, d->memory_devices[i].size, &devices))
			devices = UINT64_MAX;
	n = mm_xml_child(root, "memory", MM_XML_NO_NS);
	if (devices >= d->memory && d->n_memory_devices > 0) {
		mm_error_set(err, filename, mm_xml_line(n),
			     "<memory> %" PRIu64
			     " bytes is not more than its memory devices (%" PRIu64 " bytes)",
			     d->memory, devices);
		return -EINVAL;
	}
	if (d->memory == 0) {
		mm_error_set(err, filename, mm_xml_line(n), "<memory> is zero");
		return -EINVAL;
	}
	if (d->n_memory_devices > 0 && d->max_memory == 0) {
		mm_error_set(err, filename, mm_xml_line(n),
			     "memory devices need <maxMemory slots=…>");
		return -EINVAL;
	}
	if (d->max_memory && d->max_memory < d->memory) {
		xmlNodePtr max = mm_xml_child(root, "maxMemory", MM_XML_NO_NS);
		mm_error_set(err, filename, mm_xml_line(max),
			     "<maxMemory> is smaller than <memory>");
		return -EINVAL;
	}
	*fault = MM_DOMAIN_FAULT_NONE;
	*ret = TAKE_PTR(d);
	return 0;
}

int mm_domain_pool_metadata_xml(const char *pool, char **ret)
{
	_cleanup_(mm_xml_writer_freep) MmXmlWriter *w = NULL;
	int r;

	if (!mm_name_valid(pool))
		return -EINVAL;
	if ((r = mm_xml_writer_new(&w)) < 0)
		return r;
	/* the element alone: libvirt puts it into <metadata> in the namespace
	 * it is given, under the prefix it is given (virDomainSetMetadata) */
	if (xmlTextWriterStartElement(w->writer, BAD_CAST "pool") < 0 ||
	    xmlTextWriterWriteAttribute(w->writer, BAD_CAST "name", BAD_CAST pool) < 0)
		return -ENOMEM;
	return mm_xml_writer_finish(w, ret);
}
