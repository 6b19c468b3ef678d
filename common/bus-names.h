/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of migmapd's D-Bus API, shared by the daemon and its clients. */
#pragma once

#define MM_BUS_NAME      "org.migmap.Migmap1"
#define MM_BUS_PATH      "/org/migmap/Migmap1"
#define MM_BUS_INTERFACE "org.migmap.Migmap1"
/* one object per pool (daemon/bus-pool.c), its name escaped with
 * sd_bus_path_encode() below the prefix */
#define MM_BUS_POOL_PREFIX    "/org/migmap/Migmap1/pool"
#define MM_BUS_POOL_INTERFACE "org.migmap.Migmap1.Pool"

#define MM_BUS_ERROR(name)             "org.migmap.Migmap1.Error." name
#define MM_BUS_ERROR_NO_SUCH_POOL      MM_BUS_ERROR("NoSuchPool")
#define MM_BUS_ERROR_POOL_EXISTS       MM_BUS_ERROR("PoolExists")
#define MM_BUS_ERROR_NO_SUCH_HOST      MM_BUS_ERROR("NoSuchHost")
#define MM_BUS_ERROR_HOST_EXISTS       MM_BUS_ERROR("HostExists")
#define MM_BUS_ERROR_INVALID_NAME      MM_BUS_ERROR("InvalidName")
#define MM_BUS_ERROR_INVALID_HOST_MAP  MM_BUS_ERROR("InvalidHostMap")
#define MM_BUS_ERROR_INCOMPATIBLE_HOST MM_BUS_ERROR("IncompatibleHost")
#define MM_BUS_ERROR_INVALID_DOMAIN    MM_BUS_ERROR("InvalidDomain")
#define MM_BUS_ERROR_INVALID_ARGUMENT  MM_BUS_ERROR("InvalidArgument")
#define MM_BUS_ERROR_EMPTY_POOL        MM_BUS_ERROR("EmptyPool")
#define MM_BUS_ERROR_REMOTE_FAILED     MM_BUS_ERROR("RemoteFailed")
#define MM_BUS_ERROR_NOT_SUPPORTED     MM_BUS_ERROR("NotSupported")
#define MM_BUS_ERROR_PROBE_FAILED      MM_BUS_ERROR("ProbeFailed")
#define MM_BUS_ERROR_STATE_FAILED      MM_BUS_ERROR("StateFailed")
#define MM_BUS_ERROR_NO_PLAN           MM_BUS_ERROR("NoPlan")
#define MM_BUS_ERROR_OLD_GENERATION    MM_BUS_ERROR("OldGeneration")

/* the standard name (SD_BUS_ERROR_ACCESS_DENIED), as systemd's services
 * refuse: clients need not know migmap to recognise a refusal */
#define MM_BUS_ERROR_ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
