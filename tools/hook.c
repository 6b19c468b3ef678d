/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap-hook: libvirt's qemu hook (installed as
 * <sysconfdir>/libvirt/hooks/qemu.d/migmap). libvirt runs it as
 * "migmap DOMAIN OPERATION SUB-OPERATION EXTRA" with the domain XML on
 * stdin. On "prepare begin" (a start) and "migrate begin" (the destination
 * of an incoming migration) it checks the domain against this host when it
 * has PCI <hostdev>s and against its pool when its metadata names one; an
 * error-level conflict, a pool this host does not know, XML it cannot read
 * or malformed migmap metadata refuses the start or the migration with one
 * line on stderr, which libvirt shows the user (docs/design.md §12).
 * Everything else exits 0 at once. Nothing is ever printed on stdout: on
 * "migrate begin" libvirt would take it as the domain's new XML. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "cli.h"
#include "hook.h"
#include "macros.h"

enum {
	HOOK_ALLOW = 0,
	HOOK_REFUSE = 1,
	HOOK_USAGE = 2,
};

static void help(FILE *f)
{
	fprintf(f,
		"Usage: migmap-hook [--config FILE] DOMAIN OPERATION SUB-OPERATION EXTRA "
		"< DOMAIN.xml\n"
		"\n"
		"libvirt's qemu hook. On 'prepare begin' and 'migrate begin' it checks the\n"
		"domain on stdin against this host (when it has PCI <hostdev>s) and its pool\n"
		"(when its metadata names one), through migmapd when it runs, else from\n"
		"the settings file and the state directory. Exits 1 with one line on\n"
		"stderr on a conflict, a pool this host does not know (unless unknown_pool =\n"
		"allow), unreadable XML or malformed migmap metadata; 0 otherwise.\n"
		"\n"
		"  --config FILE  the settings file (default: $MIGMAP_CONFIG, else\n"
		"                 %s)\n"
		"  -h, --help     show this help\n"
		"  --version      print the version\n"
		"\n"
		"Run by libvirt with exactly four arguments, it takes them all as such,\n"
		"never as options (a domain's name may start with '-').\n",
		MM_CONFIG_FILE);
}

/* The options, unless libvirt runs the hook: it always passes exactly
 * DOMAIN OPERATION SUB-OPERATION EXTRA, and a domain may be named "-x".
 * Returns -1 to go on, else the exit status; *config is --config's FILE. */
static int parse_options(int argc, char **argv, const char **config)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'C' },
		CLI_COMMON_OPTIONS,
		{},
	};
	int c;

	if (argc == 5)
		return -1;
	opterr = 0; /* every error is the hook's own, "migmap-hook: ..." */
	/* '+': the first argument that is no option is the domain */
	while ((c = getopt_long(argc, argv, "+" CLI_OPTSTRING, options, NULL)) != -1) {
		switch (c) {
		case 'C':
			*config = optarg;
			break;
		case 'h':
			help(stdout);
			return fflush(stdout) == 0 ? HOOK_ALLOW : HOOK_USAGE;
		case 'V':
			puts("migmap-hook " PACKAGE_VERSION);
			return fflush(stdout) == 0 ? HOOK_ALLOW : HOOK_USAGE;
		default:
			(void)cli_option_error(NULL, c, argv);
			return HOOK_USAGE;
		}
	}
	if (argc - optind < 3) {
		cli_fail("expected DOMAIN OPERATION SUB-OPERATION [EXTRA], as libvirt runs "
			 "the hook (see 'migmap-hook --help')");
		return HOOK_USAGE;
	}
	return -1;
}

/* On stderr too unless the start is refused: libvirt shows the user all of
 * stderr, and then only the one line that says why counts. */
static void warn(const char *domain, const char *message, bool to_stderr)
{
	if (to_stderr)
		fprintf(stderr, "migmap: warning: %s\n", message);
	(void)sd_journal_print(LOG_WARNING, "migmap-hook: domain %s: %s", domain, message);
}

/* The domain names a pool this host does not know: whatever the other
 * members hold, this host cannot tell whether the guest fits them, so the
 * domain is refused (docs/design.md §12) unless migmap.conf says
 * "unknown_pool = allow". An error found already says more: it stays. */
static int unknown_pool(HookLocal *local, const char *config, const char *name, HookVerdict *v)
{
	char host[256];
	int r = hook_local_load(local, config, v);
	if (r < 0)
		return r;
	const char *h = hook_local_host_name(local, host, sizeof(host));
	if (mm_config_unknown_pool_allowed(&local->config))
		return hook_warn(
			v, "pool %s: not checked: host %s does not know it (unknown_pool = allow)",
			v->unknown_pool, h);
	if (v->error)
		return 0;
	if (asprintf(&v->error,
		     "domain %s: pool %s is not known on host %s: make it known here "
		     "('migmap pool sync %s' on a member that has it, or a pool_dir on storage "
		     "all members share), or set 'unknown_pool = allow' in migmap.conf",
		     name, v->unknown_pool, h, v->unknown_pool) < 0) {
		v->error = NULL;
		return -ENOMEM;
	}
	return 0;
}

static bool checked_operation(const char *op, const char *sub)
{
	return strcmp(sub, "begin") == 0 &&
	       (strcmp(op, "prepare") == 0 || strcmp(op, "migrate") == 0);
}

int main(int argc, char **argv)
{
	_cleanup_(mm_domain_freep) MmDomain *domain = NULL;
	_cleanup_free_ char *xml = NULL;
	HookVerdict verdict = { 0 };
	HookLocal local = { 0 };
	MmError err = { 0 };
	char buf[1024];
	size_t len;
	int r;

	cli_program = "migmap-hook";
	const char *config = NULL;
	optind = 1;
	if ((r = parse_options(argc, argv, &config)) >= 0)
		return r;
	char **args = argv + optind;
	const char *name = args[0];
	if (!checked_operation(args[1], args[2]))
		return HOOK_ALLOW;

	/* Every domain libvirt can hand over is read whole and judged; what
	 * is larger (or not a domain at all) never came from libvirt. */
	r = cli_read_file("-", MM_DOMAIN_XML_MAX, &xml, &len);
	if (r == -EFBIG) {
		fprintf(stderr,
			"migmap: domain %s: cannot read its XML: larger than %u bytes, "
			"libvirt's own limit\n",
			name, MM_DOMAIN_XML_MAX);
		return HOOK_REFUSE;
	}
	if (r < 0) {
		fprintf(stderr, "migmap: domain %s: cannot read its XML: %s\n", name, strerror(-r));
		return HOOK_REFUSE;
	}
	MmDomainFault fault;
	r = mm_domain_parse_xml_full(xml, len, "domain XML", MM_DOMAIN_PARSE_LIBVIRT, &domain,
				     &fault, &err);
	if (r == -ENOMEM) {
		fprintf(stderr, "migmap: domain %s: %s\n", name, strerror(-r));
		return HOOK_REFUSE;
	}
	/* libvirt's XML is well-formed and migmap's metadata is migmap's own:
	 * either failing is refused, never waved through unchecked. Only a
	 * domain migmap does not model starts with a warning. */
	if (r < 0 && fault != MM_DOMAIN_FAULT_MODEL) {
		fprintf(stderr, "migmap: domain %s: %s: %s\n", name,
			fault == MM_DOMAIN_FAULT_METADATA ? "invalid migmap metadata"
							  : "cannot read its XML",
			mm_error_format(&err, buf, sizeof(buf)));
		return HOOK_REFUSE;
	}
	if (r < 0) {
		char line[1200];
		snprintf(line, sizeof(line), "domain %s not checked: %s", name,
			 mm_error_format(&err, buf, sizeof(buf)));
		warn(name, line, true);
		return HOOK_ALLOW;
	}
	unsigned targets = mm_guard_targets(domain);
	if (!config)
		config = getenv("MIGMAP_CONFIG");
	bool daemon = true;
	for (unsigned target = MM_GUARD_HOST; target <= MM_GUARD_POOL && r >= 0; target <<= 1) {
		if (!(targets & target))
			continue;
		r = -ENXIO;
		if (daemon)
			r = hook_ask_daemon(xml, target == MM_GUARD_POOL ? domain->pool : NULL,
					    &verdict);
		if (r == -ENXIO) {
			daemon = false;
			r = hook_check_local(&local, config ? config : MM_CONFIG_FILE, domain,
					     target, &verdict);
		}
	}
	if (r >= 0 && verdict.unknown_pool)
		r = unknown_pool(&local, config ? config : MM_CONFIG_FILE, name, &verdict);
	hook_local_clear(&local);
	if (r < 0) {
		fprintf(stderr, "migmap: domain %s: %s\n", name, strerror(-r));
		hook_verdict_clear(&verdict);
		return HOOK_REFUSE;
	}
	for (size_t i = 0; i < verdict.n_warnings; i++)
		warn(name, verdict.warnings[i], !verdict.error);
	int status = HOOK_ALLOW;
	if (verdict.error) {
		fprintf(stderr, "migmap: %s\n", verdict.error);
		(void)sd_journal_print(LOG_ERR, "migmap-hook: domain %s refused: %s", name,
				       verdict.error);
		status = HOOK_REFUSE;
	}
	hook_verdict_clear(&verdict);
	return status;
}
