/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CheckDomainConflicts: the check report as D-Bus types, for clients that
 * read the answer without a JSON parser (busctl, sd-bus, GDBus). */
#include "bus-check.h"
#include "macros.h"

int bus_reply_check_typed(sd_bus_message *msg, const MmCheckReport *report)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "b", report->ok);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ssttsttas)");
	for (size_t i = 0; r >= 0 && i < report->n_conflicts; i++) {
		const MmConflict *c = &report->conflicts[i];
		r = sd_bus_message_open_container(reply, 'r', "ssttsttas");
		if (r >= 0)
			r = sd_bus_message_append(reply, "ssttstt",
						  mm_severity_to_string(c->severity), c->guest_kind,
						  c->guest_start, c->guest_end, c->type, c->start,
						  c->end);
		if (r >= 0)
			r = sd_bus_message_open_container(reply, 'a', "s");
		for (size_t h = 0; r >= 0 && h < c->n_hosts; h++)
			r = sd_bus_message_append(reply, "s", c->hosts[h]);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}
