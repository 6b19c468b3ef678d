/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one helper the public headers need from the tree's macros: each model
 * type's mm_<type>_freep() for __attribute__((cleanup)). Public (installed
 * with the module headers); lib/macros.h, internal, includes it. */
#pragma once

/* Define name(type **p), for __attribute__((cleanup(name))), that frees *p
 * with func unless it is NULL, in the manner of systemd's
 * DEFINE_TRIVIAL_CLEANUP_FUNC. Every model type gets its mm_<type>_freep
 * from mm_<type>_free this way, in its module's header. */
#define MM_DEFINE_FREEP_NAMED(name, type, func) \
	static inline void name(type **p)       \
	{                                       \
		if (*p)                         \
			func(*p);               \
	}
#define MM_DEFINE_FREEP(type, func) MM_DEFINE_FREEP_NAMED(func##p, type, func)
