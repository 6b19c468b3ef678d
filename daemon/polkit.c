/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The polkit client of migmapd: one asynchronous CheckAuthorization call
 * to org.freedesktop.PolicyKit1 on the bus migmapd serves on, and the
 * reading of its answer. Who asks, and what follows, is access.c's. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "macros.h"
#include "polkit.h"

#define POLKIT_NAME      "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
/* CheckAuthorizationFlags: polkitd may ask the user through an agent */
#define POLKIT_ALLOW_USER_INTERACTION 1u

int polkit_check_async(sd_bus *bus, sd_bus_message *msg, const char *action,
		       const char *const *details, sd_bus_slot **slot,
		       sd_bus_message_handler_t callback, void *userdata)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
	const char *sender = sd_bus_message_get_sender(msg);
	uint32_t flags = 0;
	int r;

	if (!sender)
		return -EBADMSG;
	if (sd_bus_message_get_allow_interactive_authorization(msg) > 0)
		flags |= POLKIT_ALLOW_USER_INTERACTION;
	r = sd_bus_message_new_method_call(bus, &call, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
					   "CheckAuthorization");
	/* the subject: the caller's unique name, which polkitd resolves to
	 * its process and user itself */
	if (r >= 0)
		r = sd_bus_message_append(call, "(sa{sv})s", "system-bus-name", 1, "name", "s",
					  sender, action);
	if (r >= 0)
		r = sd_bus_message_open_container(call, 'a', "{ss}");
	for (size_t i = 0; r >= 0 && details && details[i] && details[i + 1]; i += 2)
		r = sd_bus_message_append(call, "{ss}", details[i], details[i + 1]);
	if (r >= 0)
		r = sd_bus_message_close_container(call);
	/* no cancellation id: a question is dropped by unreferencing *slot */
	if (r >= 0)
		r = sd_bus_message_append(call, "us", flags, "");
	if (r < 0)
		return r;
	/* the default timeout: an interactive authentication takes a human */
	return sd_bus_call_async(bus, slot, call, callback, userdata, 0);
}

/* The errors that mean nobody answers for polkit on this bus. */
static bool polkit_missing(const sd_bus_error *e)
{
	return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	       sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	       (e->name && strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.",
				   strlen("org.freedesktop.DBus.Error.Spawn.")) == 0);
}

int polkit_answer(sd_bus_message *reply, sd_bus_error *error)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized, challenge, r;

	if (e) {
		if (polkit_missing(e))
			return POLKIT_ABSENT;
		r = sd_bus_error_copy(error, e);
		return r < 0 ? r : -EACCES;
	}
	r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
	if (r >= 0)
		r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "polkitd's answer is malformed: %s", strerror(-r));
	return authorized ? POLKIT_YES : challenge ? POLKIT_CHALLENGE : POLKIT_NO;
}
