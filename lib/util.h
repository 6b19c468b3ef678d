/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers of the formats and of names: hex addresses, name checks,
 * number parsing (lib/util.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Format address as lower-case hex, "0x8000000", into buf (>= 19 bytes). */
const char *mm_hex(uint64_t addr, char buf[static 19]);
/* A host or pool name: 1-253 of letters, digits, '-', '.', '_', not
 * starting with '.'. */
bool mm_name_valid(const char *s);
/* Parse "0x..." hex (or decimal) fully; -EINVAL on junk, -ERANGE on overflow. */
int mm_parse_u64(const char *s, uint64_t *ret);

#ifdef __cplusplus
}
#endif
