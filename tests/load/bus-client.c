/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A migmapd client for the load test and the benchmark, with sd-bus:
 *
 *   bus-client ADDRESS load CLIENTS CALLS POOL DOMAIN.xml
 *     CLIENTS processes, each on a connection of its own, make CALLS mixed
 *     calls (host and pool maps in XML and JSON, ListPools, a property,
 *     CheckDomain, Ping, and now and then a pool created and deleted);
 *     prints "calls N errors E" and exits 1 on any error.
 *   bus-client ADDRESS bench N
 *     N GetHostMap("xml") round trips, then N org.freedesktop.DBus.Peer.Ping,
 *     one connection, one after the other; prints "gethostmap SECONDS" and
 *     "ping SECONDS" (best of 5 rounds of N).
 *   bus-client ADDRESS latency SECONDS
 *     GetHostMap("xml") round trips one after the other for SECONDS;
 *     prints "calls N p50 MS p99 MS max MS".
 *   bus-client ADDRESS big METHOD POOL FILE [DEST]
 *     one big CheckDomain, PlanDomain or AddHost (to DEST instead of
 *     migmapd: the bus's own share); prints "METHOD SECONDS OUTCOME".
 *   bus-client ADDRESS beside METHOD POOL FILE
 *     the big call and, right behind it, a GetHostMap; prints the answers
 *     in the order they came.
 *   bus-client ADDRESS flood N POOL DOMAIN.xml [SLOW.xml]
 *     N CheckDomain calls on one connection, all sent before any answer is
 *     read, the first two of SLOW.xml when given; prints "sent N" once they are on the bus, then
 * "ok N limits L other O" (L: LimitsExceeded answers), and each other error's name on stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "bus-names.h"

static sd_bus *connect_to(const char *address)
{
	sd_bus *bus = NULL;
	int r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, 1);
	/* big inputs on a loaded machine, under sanitizers: no tight timeout */
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(bus, UINT64_C(300) * 1000000);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		fprintf(stderr, "bus-client: %s: %s\n", address, strerror(-r));
		sd_bus_unref(bus);
		return NULL;
	}
	return bus;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *text = calloc(1, 1 << 20);
	if (text)
		text[fread(text, 1, (1 << 20) - 1, f)] = '\0';
	fclose(f);
	return text;
}

/* Call i of a client: its own pool created at 0 and deleted at 25 (mod 50),
 * else a read chosen by i + client (so clients differ); returns 0 or a
 * negative errno. */
static int mixed_call(sd_bus *bus, unsigned client, unsigned i, const char *pool,
		      const char *domain)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char own[64];
	int r;

	snprintf(own, sizeof(own), "load-%u", client);
	switch (i % 50) {
	case 0:
		r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
				       "CreatePool", &error, &reply, "s", own);
		break;
	case 25:
		r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
				       "DeletePool", &error, &reply, "s", own);
		break;
	default:
		switch ((i + client) % 7) {
		case 0:
			r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					       "GetHostMap", &error, &reply, "s", "xml");
			break;
		case 1:
			r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					       "GetHostMap", &error, &reply, "s", "json");
			break;
		case 2:
			r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					       "ListPools", &error, &reply, "");
			break;
		case 3:
			r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					       "GetPoolMap", &error, &reply, "ss", pool,
					       i % 2 ? "xml" : "json");
			break;
		case 4:
			r = sd_bus_get_property(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
						"Generation", &error, &reply, "t");
			break;
		case 5:
			r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					       "CheckDomain", &error, &reply, "ss", domain, pool);
			break;
		default:
			r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH,
					       "org.freedesktop.DBus.Peer", "Ping", &error, &reply,
					       "");
			break;
		}
	}
	if (r < 0)
		fprintf(stderr, "bus-client %u: call %u: %s: %s\n", client, i,
			error.name ? error.name : "-",
			error.message ? error.message : strerror(-r));
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

static int load(const char *address, unsigned clients, unsigned calls, const char *pool,
		const char *domain_file)
{
	char *domain = read_file(domain_file);
	if (!domain) {
		fprintf(stderr, "bus-client: %s: %s\n", domain_file, strerror(errno));
		return 2;
	}
	for (unsigned c = 0; c < clients; c++) {
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			sd_bus *bus = connect_to(address);
			unsigned errors = bus ? 0 : calls;
			for (unsigned i = 0; bus && i < calls; i++)
				if (mixed_call(bus, c, i, pool, domain) < 0)
					errors++;
			sd_bus_flush_close_unref(bus);
			_exit(errors > 255 ? 255 : (int)errors);
		}
	}
	unsigned errors = 0;
	for (unsigned c = 0; c < clients; c++) {
		int status;
		if (wait(&status) < 0)
			return 2;
		errors += WIFEXITED(status) ? (unsigned)WEXITSTATUS(status) : calls;
	}
	free(domain);
	printf("calls %u errors %u\n", clients * calls, errors);
	return errors ? 1 : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(const char *address, unsigned n)
{
	sd_bus *bus = connect_to(address);
	double best[2] = { 1e9, 1e9 };
	if (!bus)
		return 2;
	for (int round = 0; round < 5; round++) {
		for (int kind = 0; kind < 2; kind++) {
			double t0 = now();
			for (unsigned i = 0; i < n; i++) {
				sd_bus_error error = SD_BUS_ERROR_NULL;
				sd_bus_message *reply = NULL;
				int r = kind == 0
						? sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH,
								     MM_BUS_INTERFACE, "GetHostMap",
								     &error, &reply, "s", "xml")
						: sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH,
								     "org.freedesktop.DBus.Peer",
								     "Ping", &error, &reply, "");
				sd_bus_error_free(&error);
				sd_bus_message_unref(reply);
				if (r < 0) {
					fprintf(stderr, "bus-client: %s\n", strerror(-r));
					return 1;
				}
			}
			double t = now() - t0;
			if (t < best[kind])
				best[kind] = t;
		}
	}
	printf("gethostmap %.6f\nping %.6f\n", best[0], best[1]);
	sd_bus_flush_close_unref(bus);
	return 0;
}

/* FILE's whole text, NUL-terminated; NULL when it cannot be read. */
static char *read_text(const char *file)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
		free(text);
		text = NULL;
	}
	fclose(f);
	if (text)
		text[size] = '\0';
	return text;
}

/* big ADDRESS METHOD POOL FILE [DEST]: one CheckDomain or PlanDomain (FILE's
 * domain, pool) or AddHost (pool, FILE's map) with a document too large for
 * a command line, to migmapd or to DEST (a name nobody owns: the bus alone
 * reads the call, and refuses it); prints its wall time in seconds. */
static int big(const char *address, const char *method, const char *pool, const char *file,
	       const char *dest)
{
	char *text = read_text(file);
	if (!text)
		return 2;
	sd_bus *bus = connect_to(address);
	if (!bus) {
		free(text);
		return 2;
	}
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	double t0 = now();
	int r;
	if (strcmp(method, "CheckDomain") == 0 || strcmp(method, "PlanDomain") == 0)
		r = sd_bus_call_method(bus, dest, MM_BUS_PATH, MM_BUS_INTERFACE, method, &error,
				       &reply, "ss", text, pool);
	else
		r = sd_bus_call_method(bus, dest, MM_BUS_PATH, MM_BUS_INTERFACE, method, &error,
				       &reply, "ss", pool, text);
	double t = now() - t0;
	int verdict = -1; /* CheckDomain's "b ok", printed after the outcome */
	if (r >= 0 && strcmp(method, "CheckDomain") == 0 &&
	    sd_bus_message_read(reply, "b", &verdict) < 0)
		verdict = -1;
	printf("%s %.6f %s%s\n", method, t, r < 0 ? (error.name ? error.name : strerror(-r)) : "ok",
	       verdict < 0 ? ""
	       : verdict   ? " true"
			   : " false");
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	free(text);
	return 0;
}

/* beside ADDRESS METHOD POOL FILE: a big call as in big and, right behind
 * it on the same connection, a GetHostMap; prints one line per answer in
 * the order they came: "METHOD OUTCOME". A daemon that does the big call's
 * work on its loop cannot answer the GetHostMap first, whatever the
 * machine's speed. */
typedef struct Pending {
	const char *method;
	int *left;
} Pending;

static int pending_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	(void)ret_error;
	Pending *p = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	printf("%s %s\n", p->method, e ? e->name : "ok");
	fflush(stdout);
	(*p->left)--;
	return 0;
}

static int beside(const char *address, const char *method, const char *pool, const char *file)
{
	char *text = read_text(file);
	sd_bus *bus = text ? connect_to(address) : NULL;
	int left = 2, r;
	if (!bus) {
		free(text);
		return 2;
	}
	Pending big_call = { method, &left }, read_call = { "GetHostMap", &left };
	bool domain = strcmp(method, "CheckDomain") == 0 || strcmp(method, "PlanDomain") == 0;
	r = sd_bus_call_method_async(bus, NULL, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE, method,
				     pending_reply, &big_call, "ss", domain ? text : pool,
				     domain ? pool : text);
	if (r >= 0)
		r = sd_bus_call_method_async(bus, NULL, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					     "GetHostMap", pending_reply, &read_call, "s", "xml");
	while (r >= 0 && left > 0) {
		r = sd_bus_process(bus, NULL);
		if (r == 0)
			r = sd_bus_wait(bus, UINT64_MAX);
	}
	if (r < 0)
		fprintf(stderr, "bus-client: %s\n", strerror(-r));
	sd_bus_flush_close_unref(bus);
	free(text);
	return r < 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int latency(const char *address, double seconds)
{
	sd_bus *bus = connect_to(address);
	size_t n = 0, alloc = 0;
	double *t = NULL, end = now() + seconds;
	if (!bus)
		return 2;
	while (now() < end) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		double t0 = now();
		int r = sd_bus_call_method(bus, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					   "GetHostMap", &error, &reply, "s", "xml");
		double dt = now() - t0;
		sd_bus_error_free(&error);
		sd_bus_message_unref(reply);
		if (r < 0) {
			fprintf(stderr, "bus-client: %s\n", strerror(-r));
			return 1;
		}
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			double *v = realloc(t, alloc * sizeof(*t));
			if (!v)
				return 1;
			t = v;
		}
		t[n++] = dt;
	}
	if (n == 0)
		return 1;
	qsort(t, n, sizeof(*t), cmp_double);
	printf("calls %zu p50 %.3f p99 %.3f max %.3f\n", n, 1e3 * t[n / 2], 1e3 * t[(n * 99) / 100],
	       1e3 * t[n - 1]);
	free(t);
	sd_bus_flush_close_unref(bus);
	return 0;
}

typedef struct FloodCounts {
	unsigned ok, limits, other, done;
} FloodCounts;

static int on_flood_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	FloodCounts *c = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	if (!e)
		c->ok++;
	else if (sd_bus_error_has_name(e, SD_BUS_ERROR_LIMITS_EXCEEDED))
		c->limits++;
	else {
		c->other++;
		fprintf(stderr, "bus-client: %s: %s\n", e->name, e->message ? e->message : "");
	}
	c->done++;
	return 0;
}

static int flood(const char *address, unsigned n, const char *pool, const char *file,
		 const char *slow_file)
{
	char *text = read_text(file), *slow = slow_file ? read_text(slow_file) : NULL;
	sd_bus *bus = text && (slow || !slow_file) ? connect_to(address) : NULL;
	if (!bus) {
		free(text);
		free(slow);
		return 2;
	}
	FloodCounts c = { 0 };
	/* the slow ones take seconds, more under a sanitizer on a busy machine:
	 * no answer is given up on before the test harness would */
	int r = sd_bus_set_method_call_timeout(bus, UINT64_C(600) * 1000 * 1000);
	for (unsigned i = 0; r >= 0 && i < n; i++)
		/* floating slots: the bus owns them until the reply */
		r = sd_bus_call_method_async(bus, NULL, MM_BUS_NAME, MM_BUS_PATH, MM_BUS_INTERFACE,
					     "CheckDomain", on_flood_reply, &c, "ss",
					     slow && i < 2 ? slow : text, pool);
	if (r >= 0)
		r = sd_bus_flush(bus);
	if (r >= 0) {
		/* the calls are on the bus: a test may now let migmapd read them */
		printf("sent %u\n", n);
		fflush(stdout);
	}
	while (r >= 0 && c.done < n) {
		r = sd_bus_process(bus, NULL);
		if (r == 0)
			r = sd_bus_wait(bus, UINT64_MAX);
	}
	free(text);
	free(slow);
	sd_bus_flush_close_unref(bus);
	if (r < 0) {
		fprintf(stderr, "bus-client: %s\n", strerror(-r));
		return 1;
	}
	printf("ok %u limits %u other %u\n", c.ok, c.limits, c.other);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 6 || argc == 7) && strcmp(argv[2], "big") == 0)
		return big(argv[1], argv[3], argv[4], argv[5], argc == 7 ? argv[6] : MM_BUS_NAME);
	if (argc == 6 && strcmp(argv[2], "beside") == 0)
		return beside(argv[1], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[2], "latency") == 0)
		return latency(argv[1], atof(argv[3]));
	if (argc == 7 && strcmp(argv[2], "load") == 0)
		return load(argv[1], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]), argv[5],
			    argv[6]);
	if (argc == 4 && strcmp(argv[2], "bench") == 0)
		return bench(argv[1], (unsigned)atoi(argv[3]));
	if ((argc == 6 || argc == 7) && strcmp(argv[2], "flood") == 0)
		return flood(argv[1], (unsigned)atoi(argv[3]), argv[4], argv[5],
			     argc == 7 ? argv[6] : NULL);
	fprintf(stderr,
		"usage: bus-client ADDRESS load CLIENTS CALLS POOL DOMAIN.xml\n"
		"       bus-client ADDRESS bench N\n"
		"       bus-client ADDRESS big CheckDomain|PlanDomain|AddHost POOL FILE\n"
		"       bus-client ADDRESS beside CheckDomain|PlanDomain|AddHost POOL FILE\n"
		"       bus-client ADDRESS latency SECONDS\n"
		"       bus-client ADDRESS flood N POOL DOMAIN.xml [SLOW.xml]\n");
	return 2;
}
