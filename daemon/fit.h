/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FitDomain (fit.c): on which members of a pool would a domain run. */
#pragma once

#include <systemd/sd-bus.h>

/* FitDomain(s domain_xml, s pool) -> a(sbs): per member its name, whether
 * the domain fits it alone, and that check's report (JSON). */
int fit_method_fit_domain(sd_bus_message *msg, void *userdata, sd_bus_error *error);
