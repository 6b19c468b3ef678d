/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The migmap command: a table of subcommands, one file each. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "migmap.h"

enum {
	EXIT_OK = 0,
	EXIT_VERDICT = 1, /* the answer is "no": conflicts, no plan */
	EXIT_USAGE = 2,   /* bad usage or unreadable input */
};

typedef struct Command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *f);
} Command;

/* The options of every command, besides its own: -h/--help and --version,
 * for the command's struct option table and getopt optstring (':' first:
 * a missing argument is reported as ':', with main() setting opterr = 0,
 * so that every error is migmap's own, with its prefix). */
#define CLI_COMMON_OPTIONS                        \
	{ "help", no_argument, NULL, 'h' },       \
	{                                         \
		"version", no_argument, NULL, 'V' \
	}
#define CLI_OPTSTRING ":h"
/* What a command's getopt loop does with a c it does not handle itself:
 * 'h' prints help on stdout, 'V' the version (EXIT_OK); anything else is a
 * usage error, "migmap: CMD: unrecognized option '--x'" (EXIT_USAGE). */
int cli_common_option(const char *cmd, int c, char **argv, void (*help)(FILE *f));
/* The usage error of getopt's c ('?' or ':') for cmd (NULL: migmap itself). */
int cli_option_error(const char *cmd, int c, char **argv);

/* "migmap", or "migmap-hook" in the hook: the prefix of every error. */
extern const char *cli_program;
/* Print "<cli_program>: <message>" on stderr; returns EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_error(const MmError *err);
/* Colours on f: only on a terminal, and never when NO_COLOR is set. */
bool cli_colour(FILE *f);
/* Write text to stdout in full; EXIT_USAGE with a message when it fails. */
int cli_print(const char *text);
/* What a command changed, in one line on stdout: "Pool 'p1' created",
 * "Host 'a' added to pool 'p1'", "Domain 'g1' tagged with pool 'p1'",
 * "Domain 'g1' untagged" (pool NULL); with
 * json the same as one JSON object (mm_pool_action_format_json). */
int cli_report_action(bool json, const char *action, const char *pool, char *const *hosts,
		      size_t n_hosts, const char *domain);
/* Read a whole file (or "-" for stdin) bounded by max. */
int cli_read_file(const char *path, size_t max, char **ret, size_t *ret_len);
/* Write text to path (created 0644 less the umask, or truncated); -errno. */
int cli_write_file(const char *path, const char *text);

/* Host map files given on the command line, parsed. */
typedef struct CliHostMaps {
	MmHostMap **maps;
	size_t n;
} CliHostMaps;
void cli_hostmaps_freep(CliHostMaps *h);
/* Read and parse every file; on the first bad one print its error
 * ("migmap: b.xml:12: …") and return EXIT_USAGE. */
int cli_load_hostmaps(char **paths, size_t n, CliHostMaps *ret);

int cmd_host(int argc, char **argv);
void cmd_host_help(FILE *f);
int cmd_baseline(int argc, char **argv);
void cmd_baseline_help(FILE *f);
/* Read and parse a domain XML file, printing the error on failure. */
int cli_load_domain(const char *path, MmDomain **ret);
/* virt.c: domains through libvirt. arg is --domain FILE ("-": stdin),
 * name --name NAME (one of the two is NULL). FILE is a domain name only
 * with -c URI and when no such file exists (nor is it "-" or a path with
 * '/'); NAME is looked up at uri (CLI_DEFAULT_URI when NULL). inactive:
 * the persistent XML, secrets included, to define it back. Errors are
 * printed; EXIT_* returned. */
#define CLI_DEFAULT_URI "qemu:///system"
int cli_read_domain_xml(const char *arg, const char *name, const char *uri, bool inactive,
			char **ret, size_t *len);
int cli_load_domain_from(const char *arg, const char *name, const char *uri, MmDomain **ret);
/* The QEMU version of the libvirt connection a domain was read from (the
 * QEMU driver's), 0 when none was read from libvirt or it cannot say. */
unsigned long cli_virt_qemu_version(void);
int cli_virt_domain_xml(const char *uri, const char *name, bool inactive, char **ret);
/* The XML of every domain libvirt at uri knows, running or not, in *ret
 * and their names in *ret_names (n strings each, each and the arrays to
 * free). */
int cli_virt_all_domains_xml(const char *uri, char ***ret, char ***ret_names, size_t *n);
/* Define xml at uri; *ret_name (when not NULL) is the domain's name. */
int cli_virt_define(const char *uri, const char *xml, char **ret_name);
/* Set the migmap metadata element of domain name at uri (NULL: remove
 * it), in its definition and, when it runs, in the running guest. */
int cli_virt_tag(const char *uri, const char *name, const char *metadata);
/* What check, plan and layout take: --domain FILE or --name NAME, -c URI,
 * --json, then (check, plan) host map files. */
typedef struct CliDomainArgs {
	const char *domain;
	const char *name;
	const char *uri;
	bool json;
} CliDomainArgs;
#define CLI_DOMAIN_OPTIONS                                                                    \
	{ "domain", required_argument, NULL, 'd' }, { "name", required_argument, NULL, 'n' }, \
		{ "json", no_argument, NULL, 'j' },                                           \
	{                                                                                     \
		"connect", required_argument, NULL, 'c'                                       \
	}
/* true when getopt's c is one of those ('d', 'n', 'c', 'j'), stored in a. */
bool cli_domain_option(int c, CliDomainArgs *a);
/* After the options: the usage error of cmd unless exactly one of --domain
 * and --name was given. */
int cli_domain_args_check(const char *cmd, const CliDomainArgs *a);
/* local.c: what check and plan judge a domain by without HOST.xml files. */
typedef struct CliLocal {
	MmConfig config;
	MmState *state;         /* NULL when the default state directory is absent */
	MmHostMap *probed;      /* this host probed, when no map is stored */
	const MmHostMap **maps; /* this host's, then its pool's other members' */
	size_t n;
	const char *pool; /* the domain's pool when it was included */
} CliLocal;
void cli_local_clear(CliLocal *l);
/* This host's map and those of d's pool (when its metadata names one) into
 * l; errors printed ("migmap: CMD: …"), EXIT_* returned. A pool this host
 * does not know is an error unless migmap.conf says unknown_pool = allow. */
int cli_local_maps(const char *cmd, const MmDomain *d, CliLocal *l);
int cmd_check(int argc, char **argv);
void cmd_check_help(FILE *f);
int cmd_plan(int argc, char **argv);
void cmd_plan_help(FILE *f);
int cmd_show(int argc, char **argv);
void cmd_show_help(FILE *f);
int cmd_pool(int argc, char **argv);
void cmd_pool_help(FILE *f);

/* The global --state-dir: NULL unless given (then work on it, not through migmapd). */
extern const char *cli_state_dir;
/* --config FILE, else $MIGMAP_CONFIG: NULL unless given (then it must be
 * there, and its state_dir is worked on as --state-dir is). */
extern const char *cli_config_file;
int cmd_layout(int argc, char **argv);
void cmd_layout_help(FILE *f);
