/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every subcommand shares: one-line errors and output. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "macros.h"

const char *cli_program = "migmap";

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_option_error(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[64];

	/* getopt leaves optind past a long option, but inside a cluster of
	 * short ones ("-xj"): name a short option by optopt */
	if (strncmp(arg, "--", 2) == 0)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	else if (optopt > 0 && optopt < 128)
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%s", arg);
	return cli_fail("%s%s%s '%s' (see '%s%s%s --help')", cmd ? cmd : "", cmd ? ": " : "",
			c == ':' ? "option needs an argument:" : "unrecognized option", name,
			cli_program, cmd ? " " : "", cmd ? cmd : "");
}

int cli_common_option(const char *cmd, int c, char **argv, void (*help)(FILE *f))
{
	switch (c) {
	case 'h':
		help(stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
	case 'V':
		puts(PACKAGE_STRING);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
	default:
		return cli_option_error(cmd, c, argv);
	}
}

int cli_fail_error(const MmError *err)
{
	char buf[1024];
	return cli_fail("%s", mm_error_format(err, buf, sizeof(buf)));
}

bool cli_colour(FILE *f)
{
	const char *no_colour = getenv("NO_COLOR");
	return isatty(fileno(f)) && !(no_colour && *no_colour);
}

int cli_print(const char *text)
{
	if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
		return cli_fail("cannot write output: %s", strerror(errno));
	return EXIT_OK;
}

int cli_report_action(bool json, const char *action, const char *pool, char *const *hosts,
		      size_t n_hosts, const char *domain)
{
	_cleanup_free_ char *text = NULL;

	if (json) {
		if (mm_pool_action_format_json(action, pool, hosts, n_hosts, domain, &text) < 0)
			return cli_fail("out of memory");
		return cli_print(text);
	}
	/* as virsh says it ("Pool 'p' created"): the object, then the verb */
	if (domain && pool)
		printf("Domain '%s' %s with pool '%s'\n", domain, action, pool);
	else if (domain)
		printf("Domain '%s' %s\n", domain, action);
	else if (n_hosts) {
		printf("Host%s ", n_hosts == 1 ? "" : "s");
		for (size_t i = 0; i < n_hosts; i++)
			printf("%s'%s'", i ? ", " : "", hosts[i]);
		printf(" %s %s pool '%s'\n", action, strcmp(action, "removed") == 0 ? "from" : "to",
		       pool);
	} else
		printf("Pool '%s' %s\n", pool, action);
	return cli_print("");
}

int cli_write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		text += n;
		len -= (size_t)n;
	}
	return close(TAKE_FD(fd)) < 0 ? -errno : 0;
}

int cli_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (MM_GROW(buf, alloc, len + 65536 + 1) < 0)
			return -ENOMEM;
		ssize_t n = read(fd, buf + len, alloc - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* The most one input file may hold: the XML reader's own limit. */
#define CLI_FILE_MAX (16u << 20)

void cli_hostmaps_freep(CliHostMaps *h)
{
	for (size_t i = 0; i < h->n; i++)
		mm_hostmap_free(h->maps[i]);
	free(h->maps);
	h->maps = NULL;
	h->n = 0;
}

int cli_load_hostmaps(char **paths, size_t n, CliHostMaps *ret)
{
	ret->maps = calloc(n, sizeof(*ret->maps));
	if (!ret->maps)
		return cli_fail("out of memory");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;
		size_t len;
		int r = cli_read_file(paths[i], CLI_FILE_MAX, &text, &len);
		if (r == -EFBIG)
			return cli_fail("%s: larger than %u bytes", paths[i], CLI_FILE_MAX);
		if (r < 0)
			return cli_fail("%s: %s", paths[i], strerror(-r));
		MmError err = { 0 };
		if (mm_hostmap_parse_xml(text, len, paths[i], &ret->maps[i], &err) < 0)
			return cli_fail_error(&err);
		ret->n = i + 1;
	}
	return EXIT_OK;
}

bool cli_domain_option(int c, CliDomainArgs *a)
{
	switch (c) {
	case 'd':
		a->domain = optarg;
		return true;
	case 'n':
		a->name = optarg;
		return true;
	case 'c':
		a->uri = optarg;
		return true;
	case 'j':
		a->json = true;
		return true;
	default:
		return false;
	}
}

int cli_domain_args_check(const char *cmd, const CliDomainArgs *a)
{
	if (!a->domain == !a->name)
		return cli_fail("%s: %s (see 'migmap %s --help')", cmd,
				a->domain ? "--domain and --name exclude each other"
					  : "--domain FILE or --name NAME is required",
				cmd);
	return EXIT_OK;
}
