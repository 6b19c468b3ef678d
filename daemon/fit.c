/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FitDomain: the domain checked against each member of a pool alone
 * (mm_fit_domain), so that a scheduler can filter hosts. Open to all, as
 * CheckDomain. */
#include <errno.h>
#include <string.h>

#include "bus-names.h"
#include "fit.h"
#include "macros.h"
#include "manager.h"

int fit_method_fit_domain(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_(mm_domain_freep) MmDomain *domain = NULL;
	_cleanup_(mm_fit_freep) MmFit *fit = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ const MmHostMap **maps = NULL;
	MmError err = { 0 };
	const char *xml, *pool;
	char buf[1024];
	size_t n;
	int r;

	if ((r = sd_bus_message_read(msg, "ss", &xml, &pool)) < 0)
		return r;
	r = mm_state_pool_hosts(m->state, pool, &maps, &n, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return sd_bus_error_setf(error,
					 r == -EINVAL    ? MM_BUS_ERROR_INVALID_NAME
					 : r == -ENODATA ? MM_BUS_ERROR_EMPTY_POOL
							 : MM_BUS_ERROR_NO_SUCH_POOL,
					 "%s", mm_error_format(&err, buf, sizeof(buf)));
	r = mm_domain_parse_xml(xml, strlen(xml), "domain_xml", &domain, &err);
	if (r >= 0)
		r = mm_fit_domain(domain, maps, n, &fit, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return sd_bus_error_setf(error,
					 r == -ENOTSUP ? MM_BUS_ERROR_NOT_SUPPORTED
						       : MM_BUS_ERROR_INVALID_DOMAIN,
					 "%s", mm_error_format(&err, buf, sizeof(buf)));
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sbs)");
	for (size_t i = 0; r >= 0 && i < fit->n; i++) {
		_cleanup_free_ char *json = NULL;
		if ((r = mm_check_report_format_json(fit->hosts[i].report, &json)) >= 0)
			r = sd_bus_message_append(reply, "(sbs)", fit->hosts[i].host,
						  fit->hosts[i].report->ok, json);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	return r;
}
