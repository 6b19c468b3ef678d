/* A domain to a verdict: compute its layout as QEMU would, then check it. */
#include "macros.h"
#include "migmap.h"

int mm_check_domain(const MmDomain *d, const MmHostMap *const *hosts, size_t n,
		    MmCheckReport **ret, MmError *err)
{
	_cleanup_(mm_layout_freep) MmGuestLayout *l = NULL;
	int r = mm_layout_compute(d, &l, err);
	if (r < 0)
		return r;
	return mm_check_layout(l, d, hosts, n, ret, err);
}
