/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's event loop on sd-event: libvirt's handle watches become sd-event
 * I/O sources and its timeouts time sources, so libvirt's connections and
 * domain events are served by migmapd's one loop, in its one thread.
 * libvirt may remove a watch from inside its own callback and requires the
 * free callback to run later, never from within the remove call: removal
 * drops the source at once and frees the rest from a deferred source. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "libvirt-dl.h"
#include "macros.h"
#include "virt-event.h"

typedef struct Entry {
	int id;
	int fd;        /* watches; -1 for timeouts */
	int own_fd;    /* a dup of fd when fd was already watched, else -1 */
	int frequency; /* timeouts: ms, 0 every iteration, -1 disabled */
	virEventHandleCallback handle_cb;
	virEventTimeoutCallback timeout_cb;
	void *opaque;
	virFreeCallback ff;
	sd_event_source *source;
} Entry;

static sd_event *loop;
static Entry **entries;
static size_t n_entries, alloc_entries;
static int next_id = 1;

static Entry *find(int id, bool watch)
{
	for (size_t i = 0; i < n_entries; i++)
		if (entries[i]->id == id && (entries[i]->fd >= 0) == watch)
			return entries[i];
	return NULL;
}

static Entry *add_entry(void)
{
	Entry *e = calloc(1, sizeof(*e));
	if (!e || MM_GROW(entries, alloc_entries, n_entries + 1) < 0) {
		free(e);
		return NULL;
	}
	e->id = next_id++;
	e->fd = e->own_fd = -1;
	entries[n_entries++] = e;
	return e;
}

static int deferred_free(sd_event_source *s, void *userdata)
{
	Entry *e = userdata;
	if (e->ff)
		e->ff(e->opaque);
	free(e);
	return 0;
}

static int remove_entry(int id, bool watch)
{
	Entry *e = find(id, watch);
	if (!e)
		return -1;
	for (size_t i = 0; i < n_entries; i++)
		if (entries[i] == e) {
			entries[i] = entries[--n_entries];
			break;
		}
	e->source = sd_event_source_disable_unref(e->source);
	if (e->own_fd >= 0)
		close(e->own_fd);
	if (sd_event_add_defer(loop, NULL, deferred_free, e) < 0)
		free(e); /* out of memory: leak libvirt's opaque rather than free it now */
	return 0;
}

/* ---- handles ------------------------------------------------------------ */

static uint32_t to_epoll(int events)
{
	uint32_t r = 0;
	if (events & VIR_EVENT_HANDLE_READABLE)
		r |= EPOLLIN;
	if (events & VIR_EVENT_HANDLE_WRITABLE)
		r |= EPOLLOUT;
	return r;
}

static int from_epoll(uint32_t revents)
{
	int r = 0;
	if (revents & EPOLLIN)
		r |= VIR_EVENT_HANDLE_READABLE;
	if (revents & EPOLLOUT)
		r |= VIR_EVENT_HANDLE_WRITABLE;
	if (revents & EPOLLERR)
		r |= VIR_EVENT_HANDLE_ERROR;
	if (revents & EPOLLHUP)
		r |= VIR_EVENT_HANDLE_HANGUP;
	return r;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Entry *e = userdata;
	e->handle_cb(e->id, e->fd, from_epoll(revents), e->opaque);
	return 0;
}

static void set_handle_events(Entry *e, int events)
{
	uint32_t ev = to_epoll(events);
	/* epoll reports errors and hang-ups even without events: off is off. */
	if (ev) {
		(void)sd_event_source_set_io_events(e->source, ev);
		(void)sd_event_source_set_enabled(e->source, SD_EVENT_ON);
	} else
		(void)sd_event_source_set_enabled(e->source, SD_EVENT_OFF);
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
		      virFreeCallback ff)
{
	Entry *e = add_entry();
	if (!e)
		return -1;
	e->fd = fd;
	e->handle_cb = cb;
	e->opaque = opaque;
	int r = sd_event_add_io(loop, &e->source, fd, EPOLLIN, on_io, e);
	if (r == -EEXIST) {
		/* Watched twice: epoll keys on the descriptor, so watch a copy. */
		e->own_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		r = e->own_fd < 0 ? -errno
				  : sd_event_add_io(loop, &e->source, e->own_fd, EPOLLIN, on_io, e);
	}
	if (r < 0) {
		remove_entry(e->id, true);
		return -1;
	}
	e->ff = ff; /* only once the watch exists: a failed add frees nothing of libvirt's */
	set_handle_events(e, events);
	return e->id;
}

static void update_handle(int watch, int events)
{
	Entry *e = find(watch, true);
	if (e)
		set_handle_events(e, events);
}

static int remove_handle(int watch)
{
	return remove_entry(watch, true);
}

/* ---- timeouts ----------------------------------------------------------- */

static void arm(Entry *e)
{
	uint64_t now = 0;
	if (e->frequency < 0) {
		(void)sd_event_source_set_enabled(e->source, SD_EVENT_OFF);
		return;
	}
	(void)sd_event_now(loop, CLOCK_MONOTONIC, &now);
	(void)sd_event_source_set_time(e->source, now + (uint64_t)e->frequency * 1000);
	(void)sd_event_source_set_enabled(e->source, SD_EVENT_ONESHOT);
}

static int on_time(sd_event_source *s, uint64_t usec, void *userdata)
{
	Entry *e = userdata;
	arm(e); /* before the callback, which may change or remove it */
	e->timeout_cb(e->id, e->opaque);
	return 0;
}

static int add_timeout(int frequency, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
	Entry *e = add_entry();
	if (!e)
		return -1;
	e->frequency = frequency;
	e->timeout_cb = cb;
	e->opaque = opaque;
	if (sd_event_add_time(loop, &e->source, CLOCK_MONOTONIC, 0, 1000, on_time, e) < 0) {
		remove_entry(e->id, false);
		return -1;
	}
	e->ff = ff;
	arm(e);
	return e->id;
}

static void update_timeout(int timer, int frequency)
{
	Entry *e = find(timer, false);
	if (e) {
		e->frequency = frequency;
		arm(e);
	}
}

static int remove_timeout(int timer)
{
	return remove_entry(timer, false);
}

int virt_event_register(sd_event *event)
{
	if (loop)
		return loop == event ? 0 : -EBUSY;
	loop = sd_event_ref(event);
	sym_virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout,
				 update_timeout, remove_timeout);
	return 0;
}
