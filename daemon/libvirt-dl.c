/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading libvirt at run time (see libvirt-dl.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "libvirt-dl.h"

#define LIBVIRT_DL_DEFINE(f) __typeof__(f) *sym_##f;
LIBVIRT_DL_FUNCTIONS(LIBVIRT_DL_DEFINE)
#undef LIBVIRT_DL_DEFINE

#ifdef MM_LIBVIRT_LINKED
/* Sanitizer builds link libvirt: ASan binds its interceptors (libtirpc's
 * XDR functions among them) when the program starts, so a libvirt loaded
 * later would call through their still empty pointers. */
int libvirt_dl_open(const char **why)
{
	(void)why;
#define LIBVIRT_DL_LINK(f) sym_##f = f;
	LIBVIRT_DL_FUNCTIONS(LIBVIRT_DL_LINK)
#undef LIBVIRT_DL_LINK
	return 0;
}
#else
int libvirt_dl_open(const char **why)
{
	static bool loaded;
	if (loaded)
		return 0;
	/* RTLD_NODELETE: libvirt's threads and atexit handlers outlive any
	 * thought of unloading it */
	void *lib = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!lib) {
		*why = dlerror();
		return -ENOENT;
	}
#define LIBVIRT_DL_LOAD(f)                            \
	if (!(*(void **)&sym_##f = dlsym(lib, #f))) { \
		*why = "libvirt.so.0 lacks " #f;      \
		return -ENOENT;                       \
	}
	LIBVIRT_DL_FUNCTIONS(LIBVIRT_DL_LOAD)
#undef LIBVIRT_DL_LOAD
	loaded = true;
	return 0;
}
#endif
