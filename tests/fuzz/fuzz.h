/* What every fuzz target implements: libFuzzer's entry point. Built with
 * --enable-fuzzing, libFuzzer supplies main(); otherwise replay.c does, and
 * the target runs each file named on its command line once (make check
 * replays the seed corpus and the regression inputs that way). */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
