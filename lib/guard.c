/* Guarding a domain as libvirt starts, migrates in or defines it (DESIGN
 * §6): what it is checked against, shared by migmap-hook and migmapd. */
#include "migmap.h"

unsigned mm_guard_targets(const MmDomain *d)
{
	unsigned targets = 0;
	/* Only a device assigned from this host makes this host's reserved
	 * ranges matter to the guest's DMA. */
	if (d->n_pci_hostdevs > 0)
		targets |= MM_GUARD_HOST;
	if (d->pool)
		targets |= MM_GUARD_POOL;
	return targets;
}

const MmConflict *mm_check_report_first_error(const MmCheckReport *r)
{
	for (size_t i = 0; r && i < r->n_conflicts; i++)
		if (r->conflicts[i].severity == MM_SEVERITY_ERROR)
			return &r->conflicts[i];
	return NULL;
}
