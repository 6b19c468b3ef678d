/* Fetching the remote members of pools without stalling the daemon
 * (refresh.c, docs/design.md §10): every member of a refresh in parallel
 * on sd-event, each bounded by remote_timeout; the refresh_interval timer. */
#pragma once

#include "manager.h"

/* Arm the refresh_interval timer. */
int refresh_start(Manager *m);
/* Cancel the fetches under way (their callers get no answer: the daemon is
 * exiting) and the timer. */
void refresh_stop(Manager *m);
