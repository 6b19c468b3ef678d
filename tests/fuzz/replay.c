/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main() for a fuzz target built without libFuzzer: run each file given
 * once through LLVMFuzzerTestOneInput. A crash is the failure; a clean run
 * of every file exits 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef MM_FUZZING
static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t size = 0, alloc = 4096;
	uint8_t *data = malloc(alloc);
	for (size_t n; data && (n = fread(data + size, 1, alloc - size, f)) > 0;) {
		size += n;
		if (size == alloc) {
			uint8_t *bigger = realloc(data, alloc *= 2);
			if (!bigger)
				free(data);
			data = bigger;
		}
	}
	int failed = ferror(f);
	fclose(f);
	if (!data || failed) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(data);
		return -1;
	}
	/* libFuzzer hands over a buffer of exactly size bytes: copy into one
	 * so an overread shows under valgrind and ASan here too. */
	uint8_t *exact = malloc(size ? size : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	memcpy(exact, data, size);
	free(data);
	LLVMFuzzerTestOneInput(exact, size);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++)
		if (replay(argv[i]) < 0)
			status = 1;
	return status;
}
#endif
