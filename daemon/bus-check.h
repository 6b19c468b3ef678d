/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The typed answer of a check on the bus (daemon/bus-check.c), beside the
 * JSON document CheckDomain returns. */
#pragma once

#include <systemd/sd-bus.h>

#include "migmap.h"

/* Reply to msg with (b ok, a(ssttsttas) conflicts): each conflict's
 * severity, guest region kind, start, end, reserved type ("limit" above the
 * address limit), start, end and the hosts behind it. */
int bus_reply_check_typed(sd_bus_message *msg, const MmCheckReport *report);
