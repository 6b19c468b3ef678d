/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/virt-event.c: libvirt's event loop on sd-event, driven here as
 * libvirt drives it (virEventRegisterImpl's contract, libvirt-event.h):
 * handles report readiness, errors and hang-ups of real descriptors,
 * watches can be turned off, updated and removed, one descriptor may be
 * watched twice, timeouts fire every iteration (0), after a period, or not
 * at all (-1), and libvirt's free callbacks run once, after removal. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libvirt-dl.h"
#include "macros.h"
#include "testutil.h"
#include "virt-event.h"

/* What virt_event_register() hands libvirt, captured instead. */
static virEventAddHandleFunc add_handle;
static virEventUpdateHandleFunc update_handle;
static virEventRemoveHandleFunc remove_handle;
static virEventAddTimeoutFunc add_timeout;
static virEventUpdateTimeoutFunc update_timeout;
static virEventRemoveTimeoutFunc remove_timeout;

static void capture(virEventAddHandleFunc ah, virEventUpdateHandleFunc uh,
		    virEventRemoveHandleFunc rh, virEventAddTimeoutFunc at,
		    virEventUpdateTimeoutFunc ut, virEventRemoveTimeoutFunc rt)
{
	add_handle = ah;
	update_handle = uh;
	remove_handle = rh;
	add_timeout = at;
	update_timeout = ut;
	remove_timeout = rt;
}

/* virt-event.c calls libvirt through this pointer (libvirt-dl.h) */
__typeof__(virEventRegisterImpl) *sym_virEventRegisterImpl = capture;

typedef struct Seen {
	int calls, watch, fd, events, freed;
} Seen;

static void on_handle(int watch, int fd, int events, void *opaque)
{
	Seen *s = opaque;
	s->calls++;
	s->watch = watch;
	s->fd = fd;
	s->events |= events;
}

static void on_timeout(int timer, void *opaque)
{
	Seen *s = opaque;
	s->calls++;
	s->watch = timer;
}

static void on_free(void *opaque)
{
	((Seen *)opaque)->freed++;
}

static sd_event *loop_get(void)
{
	sd_event *e = NULL;
	ck_assert_int_ge(sd_event_default(&e), 0);
	ck_assert_int_eq(virt_event_register(e), 0);
	ck_assert_ptr_nonnull(add_handle);
	return e;
}

/* Run the loop until *calls reaches want (at most 10 s: a loaded machine). */
static void run_until(sd_event *e, const int *calls, int want)
{
	for (int i = 0; i < 1000 && *calls < want; i++)
		ck_assert_int_ge(sd_event_run(e, 10 * 1000), 0);
	ck_assert_int_ge(*calls, want);
}

/* A few turns that must not call anything. */
static void run_idle(sd_event *e)
{
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(sd_event_run(e, 0), 0);
}

START_TEST(test_register)
{
	_cleanup_(sd_event_unrefp) sd_event *e = loop_get(), *other = NULL;
	ck_assert_int_eq(virt_event_register(e), 0); /* again, the same loop: fine */
	ck_assert_int_ge(sd_event_new(&other), 0);
	ck_assert_int_eq(virt_event_register(other), -EBUSY);
}
END_TEST

START_TEST(test_handle_readable)
{
	_cleanup_(sd_event_unrefp) sd_event *e = loop_get();
	int sv[2];
	Seen s = { 0 };
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int id = add_handle(sv[0], VIR_EVENT_HANDLE_READABLE, on_handle, &s, on_free);
	ck_assert_int_gt(id, 0);
	run_idle(e);
	ck_assert_int_eq(s.calls, 0); /* nothing to read yet */
	ck_assert_int_eq(write(sv[1], "x", 1), 1);
	run_until(e, &s.calls, 1);
	ck_assert_int_eq(s.watch, id);
	ck_assert_int_eq(s.fd, sv[0]);
	ck_assert(s.events & VIR_EVENT_HANDLE_READABLE);

	/* off: readable data is not reported */
	update_handle(id, 0);
	int before = s.calls;
	run_idle(e);
	ck_assert_int_eq(s.calls, before);
	/* on again */
	update_handle(id, VIR_EVENT_HANDLE_READABLE);
	run_until(e, &s.calls, before + 1);

	ck_assert_int_eq(remove_handle(id), 0);
	ck_assert_int_eq(s.freed, 0); /* not inside the call: on a later turn */
	run_until(e, &s.freed, 1);
	ck_assert_int_eq(s.freed, 1);
	ck_assert_int_eq(remove_handle(id), -1);      /* gone */
	update_handle(id, VIR_EVENT_HANDLE_READABLE); /* ignored */
	before = s.calls;
	run_idle(e);
	ck_assert_int_eq(s.calls, before);
	ck_assert_int_eq(s.freed, 1);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_handle_writable_hangup_error)
{
	_cleanup_(sd_event_unrefp) sd_event *e = loop_get();
	int sv[2], p[2];
	Seen w = { 0 }, h = { 0 }, x = { 0 };

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int wid = add_handle(sv[0], VIR_EVENT_HANDLE_WRITABLE, on_handle, &w, NULL);
	run_until(e, &w.calls, 1);
	ck_assert(w.events & VIR_EVENT_HANDLE_WRITABLE);
	ck_assert(!(w.events & VIR_EVENT_HANDLE_READABLE));
	ck_assert_int_eq(remove_handle(wid), 0);

	/* the peer goes: a hang-up */
	int hid = add_handle(sv[0], VIR_EVENT_HANDLE_READABLE, on_handle, &h, NULL);
	close(sv[1]);
	run_until(e, &h.calls, 1);
	ck_assert(h.events & VIR_EVENT_HANDLE_HANGUP);
	ck_assert_int_eq(remove_handle(hid), 0);
	close(sv[0]);

	/* a pipe's write end whose reader is gone: an error */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	int xid = add_handle(p[1], VIR_EVENT_HANDLE_WRITABLE, on_handle, &x, NULL);
	close(p[0]);
	run_until(e, &x.calls, 1);
	ck_assert(x.events & VIR_EVENT_HANDLE_ERROR);
	ck_assert_int_eq(remove_handle(xid), 0);
	close(p[1]);
	run_idle(e);
}
END_TEST

START_TEST(test_handle_twice)
{
	_cleanup_(sd_event_unrefp) sd_event *e = loop_get();
	int sv[2];
	Seen a = { 0 }, b = { 0 };
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int ia = add_handle(sv[0], VIR_EVENT_HANDLE_READABLE, on_handle, &a, on_free);
	int ib = add_handle(sv[0], VIR_EVENT_HANDLE_READABLE, on_handle, &b, on_free);
	ck_assert_int_gt(ia, 0);
	ck_assert_int_gt(ib, 0);
	ck_assert_int_ne(ia, ib);
	ck_assert_int_eq(write(sv[1], "x", 1), 1);
	run_until(e, &a.calls, 1);
	run_until(e, &b.calls, 1);
	/* each reports the descriptor libvirt gave, not a copy */
	ck_assert_int_eq(a.fd, sv[0]);
	ck_assert_int_eq(b.fd, sv[0]);
	ck_assert_int_eq(b.watch, ib);
	/* removing one leaves the other */
	ck_assert_int_eq(remove_handle(ib), 0);
	run_until(e, &b.freed, 1);
	int before = a.calls;
	run_until(e, &a.calls, before + 1);
	ck_assert_int_eq(remove_handle(ia), 0);
	run_until(e, &a.freed, 1);
	ck_assert_int_eq(a.freed, 1);
	ck_assert_int_eq(b.freed, 1);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_timeouts)
{
	_cleanup_(sd_event_unrefp) sd_event *e = loop_get();
	Seen every = { 0 }, later = { 0 }, never = { 0 };

	/* 0: every iteration */
	int ie = add_timeout(0, on_timeout, &every, on_free);
	ck_assert_int_gt(ie, 0);
	run_until(e, &every.calls, 3);
	ck_assert_int_eq(every.watch, ie);
	/* -1: off */
	update_timeout(ie, -1);
	int before = every.calls;
	run_idle(e);
	ck_assert_int_eq(every.calls, before);

	/* a period */
	int il = add_timeout(5, on_timeout, &later, NULL);
	run_until(e, &later.calls, 2);
	ck_assert_int_eq(later.watch, il);
	ck_assert_int_eq(remove_timeout(il), 0);

	int in = add_timeout(-1, on_timeout, &never, on_free);
	run_idle(e);
	ck_assert_int_eq(never.calls, 0);

	/* a timer id is not a handle id, and the reverse */
	ck_assert_int_eq(remove_handle(in), -1);
	ck_assert_int_eq(remove_timeout(in), 0);
	ck_assert_int_eq(remove_timeout(ie), 0);
	ck_assert_int_eq(remove_timeout(ie), -1);
	update_timeout(ie, 0); /* ignored */
	run_until(e, &never.freed, 1);
	run_until(e, &every.freed, 1);
	before = every.calls;
	run_idle(e);
	ck_assert_int_eq(every.calls, before);
	ck_assert_int_eq(never.freed, 1);
	ck_assert_int_eq(every.freed, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virt-event");
	TCase *tc = tcase_create("virt-event");
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_handle_readable);
	tcase_add_test(tc, test_handle_writable_hangup_error);
	tcase_add_test(tc, test_handle_twice);
	tcase_add_test(tc, test_timeouts);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
