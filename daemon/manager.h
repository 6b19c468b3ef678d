/* migmapd's one context: settings, the state store, this host's map and
 * the bus it serves them on. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "migmap.h"

typedef struct Manager {
	sd_event *event;
	sd_bus *bus;
	MmConfig config; /* the config file's settings, overridden by the options */
	gid_t admin_gid; /* valid when has_admin_group */
	bool has_admin_group;
	MmState *state;
	MmHostMap *host;
	uint64_t generation; /* bumped when the host map changes */
	struct Libvirt *libvirt; /* libvirt.c: the libvirt followed; NULL when none */
	struct sd_device_monitor *hotplug; /* hotplug.c: udev's pci and iommu events */
	sd_event_source *hotplug_timer;    /* a probe due once events settle */
} Manager;

Manager *manager_new(void);
Manager *manager_free(Manager *m);
void manager_freep(Manager **m);
/* Open the state (creating and locking it), resolve admin_group, probe. */
int manager_start(Manager *m);
/* Probe again; 1 when the map changed (generation bumped, host.xml
 * written), 0 when not, < 0 with err filled. */
int manager_refresh(Manager *m, MmError *err);
/* Export the object, take the name, then run until SIGTERM/SIGINT. */
int manager_run(Manager *m);

/* bus.c */
int bus_setup(Manager *m);
int bus_emit_host_map_changed(Manager *m);

/* access.c: 1 when the caller of msg is root, 0 when it is a member of
 * admin_group (both may change state); else fills error with AccessDenied
 * and returns < 0. Root alone may use what runs a program of the caller's
 * choosing (a raw unixexec: member address). */
int access_check_write(Manager *m, sd_bus_message *msg, sd_bus_error *error);
int access_resolve_group(Manager *m);

/* hotplug.c: on a live system (no sysroot), probe again when PCI devices
 * or IOMMU groups come or go; a missing udev is a warning, not an error. */
int hotplug_start(Manager *m);
void hotplug_stop(Manager *m);

/* libvirt.c: follow the libvirt at config.libvirt_uri (default
 * qemu:///system, "none" for none), reconnecting with back-off: its host
 * UUID goes into the host map, its PCI node devices into GetLibvirt, and
 * every domain defined or started is checked (DomainConflict signal). */
int libvirt_start(Manager *m);
void libvirt_stop(Manager *m);
/* A freshly probed map takes libvirt's host UUID. */
int libvirt_apply_identity(Manager *m, MmHostMap *map);
int libvirt_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error);
