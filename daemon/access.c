/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may change migmapd's state: root, or a member of the configured
 * admin_group. Reading is open to every local user. The installed D-Bus
 * policy says the same; this is the daemon's own check behind it. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "bus-names.h"
#include "log.h"
#include "macros.h"
#include "manager.h"

int access_resolve_group(Manager *m)
{
	const char *name = m->config.admin_group;
	uint64_t gid;

	m->has_admin_group = false;
	if (!name)
		return 0;
	if (mm_parse_u64(name, &gid) == 0 && gid < (gid_t)-1) {
		m->admin_gid = (gid_t)gid;
	} else {
		struct group *g = getgrnam(name);
		if (!g) {
			log_warning("admin_group '%s' does not exist: only root may "
				    "change the state",
				    name);
			return 0;
		}
		m->admin_gid = g->gr_gid;
	}
	m->has_admin_group = true;
	return 0;
}

/* Whether uid is in the admin group: its primary group, a supplementary
 * group the bus vouches for, or the group's member list. */
static bool in_admin_group(Manager *m, uid_t uid, sd_bus_creds *creds)
{
	const gid_t *gids = NULL;
	int n = creds ? sd_bus_creds_get_supplementary_gids(creds, &gids) : -ENODATA;
	for (int i = 0; i < n; i++)
		if (gids[i] == m->admin_gid)
			return true;

	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return false;
	if (pw->pw_gid == m->admin_gid)
		return true;
	struct group *g = getgrgid(m->admin_gid);
	for (char **mem = g ? g->gr_mem : NULL; mem && *mem; mem++)
		if (strcmp(*mem, pw->pw_name) == 0)
			return true;
	return false;
}

int access_check_write(Manager *m, sd_bus_message *msg, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	uid_t uid;
	int r;

	r = sd_bus_query_sender_creds(msg,
				      SD_BUS_CREDS_EUID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
					      SD_BUS_CREDS_AUGMENT,
				      &creds);
	if (r >= 0)
		r = sd_bus_creds_get_euid(creds, &uid);
	if (r < 0)
		return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
					 "%s: cannot tell who the caller is: %s",
					 sd_bus_message_get_member(msg), strerror(-r));
	if (uid == 0)
		return 1;
	if (m->has_admin_group && in_admin_group(m, uid, creds))
		return 0;
	if (m->has_admin_group)
		return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
					 "%s changes migmapd's state: only root or group '%s' may "
					 "(caller uid %u)",
					 sd_bus_message_get_member(msg), m->config.admin_group,
					 (unsigned)uid);
	return sd_bus_error_setf(error, MM_BUS_ERROR_ACCESS_DENIED,
				 "%s changes migmapd's state: only root may (caller uid %u)",
				 sd_bus_message_get_member(msg), (unsigned)uid);
}
