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
/* Print "migmap: <message>" on stderr; returns EXIT_USAGE. */
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
/* virt.c: domains through libvirt. A --domain argument that is not a file
 * (nor "-", nor a path with '/') is a domain name looked up at uri
 * (CLI_DEFAULT_URI when NULL); inactive: its persistent XML, secrets
 * included, to define it back. Errors are printed; EXIT_* returned. */
#define CLI_DEFAULT_URI "qemu:///system"
int cli_read_domain_xml(const char *arg, const char *uri, bool inactive, char **ret, size_t *len);
int cli_load_domain_from(const char *arg, const char *uri, MmDomain **ret);
int cli_virt_domain_xml(const char *uri, const char *name, bool inactive, char **ret);
/* The XML of every domain libvirt at uri knows, running or not, in *ret
 * (n strings, each and the array to free). */
int cli_virt_all_domains_xml(const char *uri, char ***ret, size_t *n);
/* Define xml at uri; *ret_name (when not NULL) is the domain's name. */
int cli_virt_define(const char *uri, const char *xml, char **ret_name);
/* Set the migmap metadata element of domain name at uri (NULL: remove
 * it), in its definition and, when it runs, in the running guest. */
int cli_virt_tag(const char *uri, const char *name, const char *metadata);
/* What check and plan both take: --domain FILE|NAME, -c URI, --json, then
 * host map files. */
typedef struct CliDomainArgs {
	const char *domain;
	const char *uri;
	bool json;
} CliDomainArgs;
/* true when getopt's c is one of those ('d', 'c', 'j'), stored in a. */
bool cli_domain_option(int c, CliDomainArgs *a);
/* After the options: the usage error of cmd when --domain or the host maps
 * are missing, else the host map files read into hosts (errors printed). */
int cli_domain_args_check(const char *cmd, const CliDomainArgs *a, char **paths, int n_hosts,
			  CliHostMaps *hosts);
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
