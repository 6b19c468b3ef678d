/* Loading libvirt at run time (see libvirt-dl.h). */
#define LIBVIRT_DL_IMPLEMENTATION
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "libvirt-dl.h"

LibvirtDl libvirt_dl;

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
#define LIBVIRT_DL_LOAD(f)                                                                         \
	if (!(*(void **)&libvirt_dl.f = dlsym(lib, #f))) {                                        \
		*why = "libvirt.so.0 lacks " #f;                                                   \
		return -ENOENT;                                                                    \
	}
	LIBVIRT_DL_FUNCTIONS(LIBVIRT_DL_LOAD)
#undef LIBVIRT_DL_LOAD
	loaded = true;
	return 0;
}
