/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking polkitd whether a bus caller may do an action (polkit.c). */
#pragma once

#include <systemd/sd-bus.h>

typedef enum PolkitAnswer {
	POLKIT_YES,
	POLKIT_NO,
	/* yes after authentication, which the caller did not allow */
	POLKIT_CHALLENGE,
	/* no polkitd on the bus: the caller falls back to its own rule */
	POLKIT_ABSENT,
} PolkitAnswer;

/* Send polkitd's CheckAuthorization for the sender of msg and action,
 * with details (key, value, ..., NULL; may be NULL), allowing interaction
 * when msg does. callback gets polkitd's answer for polkit_answer(); *slot
 * cancels the question when unreferenced. Never waits. */
int polkit_check_async(sd_bus *bus, sd_bus_message *msg, const char *action,
		       const char *const *details, sd_bus_slot **slot,
		       sd_bus_message_handler_t callback, void *userdata);
/* What polkitd's reply says, or < 0 with error filled when polkitd failed
 * (or the reply is malformed). */
int polkit_answer(sd_bus_message *reply, sd_bus_error *error);
