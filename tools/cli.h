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

/* Print "migmap: <message>" on stderr; returns EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_error(const MmError *err);
/* Write text to stdout in full; EXIT_USAGE with a message when it fails. */
int cli_print(const char *text);
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
