/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt, loaded when migmapd is told to follow it. Linking libvirt would
 * map its dozens of shared libraries into every migmapd, idle or not; with
 * libvirt_uri = none the daemon never loads it. Files that call libvirt
 * include this header and call sym_virX() for libvirt's virX(): pointers
 * libvirt_dl_open() fills. Types and constants come from libvirt's own
 * headers as usual. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define LIBVIRT_DL_FUNCTIONS(X)               \
	X(virConnectClose)                    \
	X(virConnectDomainEventDeregisterAny) \
	X(virConnectDomainEventRegisterAny)   \
	X(virConnectGetCapabilities)          \
	X(virConnectListAllDomains)           \
	X(virConnectListAllNodeDevices)       \
	X(virConnectOpen)                     \
	X(virConnectRegisterCloseCallback)    \
	X(virConnectSetKeepAlive)             \
	X(virDomainFree)                      \
	X(virDomainGetName)                   \
	X(virDomainGetXMLDesc)                \
	X(virEventRegisterImpl)               \
	X(virGetLastErrorMessage)             \
	X(virNodeDeviceFree)                  \
	X(virNodeDeviceGetName)               \
	X(virNodeDeviceGetXMLDesc)            \
	X(virSetErrorFunc)

/* sym_virX: libvirt's virX, valid once libvirt_dl_open() succeeded. */
#define LIBVIRT_DL_DECLARE(f) extern __typeof__(f) *sym_##f;
LIBVIRT_DL_FUNCTIONS(LIBVIRT_DL_DECLARE)
#undef LIBVIRT_DL_DECLARE

/* Load libvirt.so.0 and every function above once; 0, or -ENOENT with the
 * loader's message in *why (static). */
int libvirt_dl_open(const char **why);
