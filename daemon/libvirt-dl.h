/* libvirt, loaded when migmapd is told to follow it. Linking libvirt would
 * map its dozens of shared libraries into every migmapd, idle or not; with
 * libvirt_uri = none the daemon never loads it. Files that call libvirt
 * include this header after <libvirt/libvirt.h>: the macros below route
 * each call through the table libvirt_dl_open() fills. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define LIBVIRT_DL_FUNCTIONS(X)                                                                    \
	X(virConnectClose)                                                                         \
	X(virConnectDomainEventDeregisterAny)                                                      \
	X(virConnectDomainEventRegisterAny)                                                        \
	X(virConnectGetCapabilities)                                                               \
	X(virConnectListAllDomains)                                                                \
	X(virConnectListAllNodeDevices)                                                            \
	X(virConnectOpen)                                                                          \
	X(virConnectRegisterCloseCallback)                                                         \
	X(virConnectSetKeepAlive)                                                                  \
	X(virDomainFree)                                                                           \
	X(virDomainGetName)                                                                        \
	X(virDomainGetXMLDesc)                                                                     \
	X(virEventRegisterImpl)                                                                    \
	X(virGetLastErrorMessage)                                                                  \
	X(virNodeDeviceFree)                                                                       \
	X(virNodeDeviceGetName)                                                                    \
	X(virNodeDeviceGetXMLDesc)                                                                 \
	X(virSetErrorFunc)

typedef struct LibvirtDl {
#define LIBVIRT_DL_FIELD(f) __typeof__(f) *f;
	LIBVIRT_DL_FUNCTIONS(LIBVIRT_DL_FIELD)
#undef LIBVIRT_DL_FIELD
} LibvirtDl;

extern LibvirtDl libvirt_dl;

/* Load libvirt.so.0 and every function above once; 0, or -ENOENT with the
 * loader's message in *why (static). */
int libvirt_dl_open(const char **why);

#ifndef LIBVIRT_DL_IMPLEMENTATION
#define virConnectClose (libvirt_dl.virConnectClose)
#define virConnectDomainEventDeregisterAny (libvirt_dl.virConnectDomainEventDeregisterAny)
#define virConnectDomainEventRegisterAny (libvirt_dl.virConnectDomainEventRegisterAny)
#define virConnectGetCapabilities (libvirt_dl.virConnectGetCapabilities)
#define virConnectListAllDomains (libvirt_dl.virConnectListAllDomains)
#define virConnectListAllNodeDevices (libvirt_dl.virConnectListAllNodeDevices)
#define virConnectOpen (libvirt_dl.virConnectOpen)
#define virConnectRegisterCloseCallback (libvirt_dl.virConnectRegisterCloseCallback)
#define virConnectSetKeepAlive (libvirt_dl.virConnectSetKeepAlive)
#define virDomainFree (libvirt_dl.virDomainFree)
#define virDomainGetName (libvirt_dl.virDomainGetName)
#define virDomainGetXMLDesc (libvirt_dl.virDomainGetXMLDesc)
#define virEventRegisterImpl (libvirt_dl.virEventRegisterImpl)
#define virGetLastErrorMessage (libvirt_dl.virGetLastErrorMessage)
#define virNodeDeviceFree (libvirt_dl.virNodeDeviceFree)
#define virNodeDeviceGetName (libvirt_dl.virNodeDeviceGetName)
#define virNodeDeviceGetXMLDesc (libvirt_dl.virNodeDeviceGetXMLDesc)
#define virSetErrorFunc (libvirt_dl.virSetErrorFunc)
#endif
