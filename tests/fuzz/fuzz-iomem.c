/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: /proc/iomem as the kernel would print it
 * (or not); then the host map it filled is formatted. */
#include "fuzz.h"
#include "migmap.h"
#include "probe-internal.h"

static int parse(const char *text, size_t len, MmHostMap *m, MmError *err)
{
	return mm_iomem_parse(text, len, "proc/iomem", m, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_into_hostmap(data, size, parse);
}
