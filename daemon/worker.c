/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Off-loop work (docs/design.md §10): a method whose input can be large
 * (a 15 MB domain with 400,000 NUMA cells takes seconds to parse) hands
 * the pure part of its work to a thread and is answered when it is done,
 * so every other client's call is served meanwhile. At most WORKER_THREADS
 * jobs run at once and WORKER_QUEUE_MAX wait; beyond that the call is
 * refused as busy. Threads never touch sd-bus or the Manager: the message
 * is referenced and answered on the loop, woken through an eventfd. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "worker.h"

#define WORKER_THREADS   2
#define WORKER_QUEUE_MAX 64

typedef struct Job {
	struct Job *next;
	Manager *manager;
	sd_bus_message *msg;
	WorkerFn fn;
	WorkerDoneFn done;
	void *data;
	void (*free_data)(void *data);
	int r;
	int fd; /* eventfd the thread signals */
	pthread_t thread;
	sd_event_source *source;
} Job;

typedef struct Worker {
	Job *running; /* list */
	size_t n_running;
	Job *queue_head, *queue_tail;
	size_t n_queued;
} Worker;

static void job_free(Job *j)
{
	if (!j)
		return;
	sd_event_source_disable_unref(j->source);
	if (j->fd >= 0)
		close(j->fd);
	if (j->free_data)
		j->free_data(j->data);
	sd_bus_message_unref(j->msg);
	free(j);
}

static void *job_thread(void *userdata)
{
	Job *j = userdata;
	j->r = j->fn(j->msg, j->data);
	/* the loop reads it; a failed write leaves the job hanging, which
	 * only exhaustion of the counter could cause (it is written once) */
	(void)eventfd_write(j->fd, 1);
	return NULL;
}

static int job_start(Job *j);

static void running_remove(Worker *w, Job *j)
{
	for (Job **p = &w->running; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			w->n_running--;
			return;
		}
}

/* Start queued jobs while threads are free. */
static void start_queued(Worker *w)
{
	while (w->queue_head && w->n_running < WORKER_THREADS) {
		Job *j = w->queue_head;
		w->queue_head = j->next;
		if (!w->queue_head)
			w->queue_tail = NULL;
		w->n_queued--;
		int r = job_start(j);
		if (r < 0) {
			log_warning("worker: cannot start a thread: %s", strerror(-r));
			(void)sd_bus_reply_method_errorf(j->msg, SD_BUS_ERROR_NO_MEMORY,
							 "cannot start a worker thread: %s",
							 strerror(-r));
			job_free(j);
		}
	}
}

static int on_job_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Job *j = userdata;
	Manager *m = j->manager;
	Worker *w = m->worker;
	eventfd_t v;
	(void)s;
	(void)fd;
	(void)revents;

	if (eventfd_read(j->fd, &v) < 0 && errno == EAGAIN)
		return 0;
	pthread_join(j->thread, NULL);
	running_remove(w, j);
	int r = j->done(m, j->msg, j->data, j->r);
	if (r < 0) {
		/* as sd-bus answers a failing synchronous handler */
		_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus_error_set_errno(&error, r);
		(void)sd_bus_reply_method_error(j->msg, &error);
	}
	job_free(j);
	start_queued(w);
	return 0;
}

static int job_start(Job *j)
{
	Manager *m = j->manager;
	Worker *w = m->worker;
	int r;

	j->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (j->fd < 0)
		return -errno;
	r = sd_event_add_io(m->event, &j->source, j->fd, EPOLLIN, on_job_done, j);
	if (r < 0)
		return r;
	r = pthread_create(&j->thread, NULL, job_thread, j);
	if (r != 0)
		return -r;
	j->next = w->running;
	w->running = j;
	w->n_running++;
	return 0;
}

int worker_submit(Manager *m, sd_bus_message *msg, WorkerFn fn, WorkerDoneFn done, void *data,
		  void (*free_data)(void *data))
{
	Job *j = calloc(1, sizeof(*j));
	if (!j) {
		if (free_data)
			free_data(data);
		return -ENOMEM;
	}
	*j = (Job){ .manager = m,
		    .msg = sd_bus_message_ref(msg),
		    .fn = fn,
		    .done = done,
		    .data = data,
		    .free_data = free_data,
		    .fd = -1 };
	if (!m->worker && !(m->worker = calloc(1, sizeof(*m->worker)))) {
		job_free(j);
		return -ENOMEM;
	}
	Worker *w = m->worker;
	if (w->n_queued >= WORKER_QUEUE_MAX) {
		job_free(j);
		return sd_bus_reply_method_errorf(
			msg, SD_BUS_ERROR_LIMITS_EXCEEDED,
			"%zu requests are waiting already; try again later", w->n_queued);
	}
	if (w->queue_tail)
		w->queue_tail->next = j;
	else
		w->queue_head = j;
	w->queue_tail = j;
	w->n_queued++;
	start_queued(w);
	return 1;
}

void worker_shutdown(Manager *m)
{
	Worker *w = m->worker;
	if (!w)
		return;
	while (w->running) {
		Job *j = w->running;
		w->running = j->next;
		pthread_join(j->thread, NULL);
		job_free(j);
	}
	while (w->queue_head) {
		Job *j = w->queue_head;
		w->queue_head = j->next;
		job_free(j);
	}
	free(w);
	m->worker = NULL;
}
