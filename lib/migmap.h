/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmigmap: the public API used by migmapd, the migmap CLI and the hook,
 * one header per module; this one includes them all for code that uses
 * much of it. Files of the library include the headers they use.
 *
 * Conventions: functions return 0 or a negative errno; parsers also fill an
 * MmError with where and what went wrong, which the caller prints once. The
 * library never prints and never exits. Every type has mm_<type>_free()
 * (NULL is a no-op) and mm_<type>_freep() for __attribute__((cleanup)). */
#pragma once

#include "check.h"
#include "config.h"
#include "domain.h"
#include "error.h"
#include "fit.h"
#include "hostmap-format.h"
#include "hostmap.h"
#include "layout.h"
#include "nodedev.h"
#include "picture.h"
#include "plan.h"
#include "pool.h"
#include "probe.h"
#include "qemucaps.h"
#include "rangeset.h"
#include "state.h"
#include "strv.h"
#include "util.h"
