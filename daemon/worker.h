/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Work that would hold the event loop too long, done on a thread
 * (daemon/worker.c, docs/design.md §8). */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* Runs on a worker thread: pure work on data (parsing, layout), touching
 * nothing the loop owns. msg is the job's call, which the loop leaves alone
 * until done runs: fn may read its arguments (sd-bus checks a string
 * argument whole, UTF-8 and all, as it reads it: tens of ms for a 15 MB
 * domain) but must not answer it or touch its bus. Returns 0 or -errno. */
typedef int (*WorkerFn)(sd_bus_message *msg, void *data);
/* Runs on the loop once fn returned r: answers msg. */
typedef int (*WorkerDoneFn)(Manager *m, sd_bus_message *msg, void *data, int r);

/* Run fn(data) off the loop, then done(m, msg, data, r) on it, then
 * free_data(data). The call is answered later (as sd-bus's asynchronous
 * method handlers are): returns 1 once queued, < 0 when it cannot be (then
 * data is freed and the caller answers). */
int worker_submit(Manager *m, sd_bus_message *msg, WorkerFn fn, WorkerDoneFn done, void *data,
		  void (*free_data)(void *data));
/* Wait for the threads under way and drop queued work (at exit). */
void worker_shutdown(Manager *m);
