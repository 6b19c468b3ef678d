/* The refresh_interval timer: each pool's remote members fetched again. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "macros.h"
#include "manager.h"
#include "refresh.h"

int refresh_start(Manager *m)
{
	return 0;
}

void refresh_stop(Manager *m)
{
	m->refresh_timer = sd_event_source_disable_unref(m->refresh_timer);
}
