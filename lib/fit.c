/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pool fit and pool whatif (docs/design.md §7): the check of check.c run
 * against each member alone, or against the pool with one member more or
 * less. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fit.h"
#include "jsonutil.h"
#include "macros.h"

void mm_fit_free(MmFit *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->hosts[i].host);
		mm_check_report_free(f->hosts[i].report);
	}
	free(f->hosts);
	free(f);
}

int mm_fit_add(MmFit *f, const char *host, MmCheckReport *report)
{
	MmFitHost *v = realloc(f->hosts, (f->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->hosts = v;
	if (!(v[f->n].host = strdup(host ? host : "")))
		return -ENOMEM;
	v[f->n++].report = report;
	return 0;
}

int mm_fit_domain(const MmDomain *d, const MmHostMap *const *hosts, size_t n, MmFit **ret,
		  MmError *err)
{
	_cleanup_(mm_fit_freep) MmFit *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		MmCheckReport *report = NULL;
		int r = mm_check_domain(d, &hosts[i], 1, &report, err);
		if (r < 0)
			return r;
		if (mm_fit_add(f, hosts[i]->name, report) < 0) {
			mm_check_report_free(report);
			return -ENOMEM;
		}
	}
	*ret = TAKE_PTR(f);
	return 0;
}

int mm_fit_format_json(const MmFit *f, char **ret)
{
	_cleanup_(mm_json_putp) json_object *root = json_object_new_object();
	json_object *hosts = json_object_new_array();
	if (!root || !hosts || mm_json_add(root, "hosts", hosts) < 0) {
		if (!root)
			json_object_put(hosts);
		return -ENOMEM;
	}
	for (size_t i = 0; i < f->n; i++) {
		_cleanup_free_ char *text = NULL;
		json_object *report = NULL;
		MmError err = { 0 };
		/* the check's own JSON, with the host's name beside */
		if (mm_check_report_format_json(f->hosts[i].report, &text) < 0 ||
		    mm_json_parse(text, strlen(text), "report", &report, &err) < 0)
			return -ENOMEM;
		if (json_object_array_add(hosts, report) < 0) {
			json_object_put(report);
			return -ENOMEM;
		}
		if (mm_json_add(report, "host", json_object_new_string(f->hosts[i].host)) < 0)
			return -ENOMEM;
	}
	return mm_json_to_string(root, ret);
}

static const char *const change_strings[] = {
	[MM_WHATIF_STAYS_VALID] = "stays-valid",
	[MM_WHATIF_STAYS_INVALID] = "stays-invalid",
	[MM_WHATIF_BECOMES_INVALID] = "becomes-invalid",
	[MM_WHATIF_BECOMES_VALID] = "becomes-valid",
};

const char *mm_whatif_change_to_string(MmWhatifChange c)
{
	return (size_t)c < ELEMENTSOF(change_strings) ? change_strings[c] : NULL;
}

void mm_whatif_free(MmWhatif *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->domains[i].name);
		free(w->domains[i].reason);
	}
	free(w->domains);
	free(w);
}

/* ok and, when not, the first error's message (or why it was not checked). */
static int verdict(const MmDomain *d, const MmHostMap *const *hosts, size_t n, bool *ok, char **why,
		   MmError *err)
{
	_cleanup_(mm_check_report_freep) MmCheckReport *report = NULL;
	*why = NULL;
	if (n == 0) {
		*ok = false;
		*why = strdup("the pool has no hosts");
		return *why ? 0 : -ENOMEM;
	}
	int r = mm_check_domain(d, hosts, n, &report, err);
	if (r < 0)
		return r;
	*ok = report->ok;
	const MmConflict *c = mm_check_report_first_error(report);
	if (c && !(*why = strdup(c->message)))
		return -ENOMEM;
	return 0;
}

int mm_whatif(const MmDomain *const *domains, size_t nd, const MmHostMap *const *before, size_t nb,
	      const MmHostMap *const *after, size_t na, MmWhatif **ret, MmError *err)
{
	_cleanup_(mm_whatif_freep) MmWhatif *w = calloc(1, sizeof(*w));
	if (!w || !(w->domains = calloc(nd + 1, sizeof(*w->domains))))
		return -ENOMEM;
	for (size_t i = 0; i < nd; i++) {
		_cleanup_free_ char *why_before = NULL, *why_after = NULL;
		bool ok_before, ok_after;
		int r = verdict(domains[i], before, nb, &ok_before, &why_before, err);
		if (r >= 0)
			r = verdict(domains[i], after, na, &ok_after, &why_after, err);
		if (r < 0)
			return r;
		MmWhatifDomain *e = &w->domains[w->n++];
		if (!(e->name = strdup(domains[i]->name ? domains[i]->name : "")))
			return -ENOMEM;
		e->change =
			ok_before ? (ok_after ? MM_WHATIF_STAYS_VALID : MM_WHATIF_BECOMES_INVALID)
				  : (ok_after ? MM_WHATIF_BECOMES_VALID : MM_WHATIF_STAYS_INVALID);
		e->reason = !ok_after    ? TAKE_PTR(why_after)
			    : !ok_before ? TAKE_PTR(why_before)
					 : NULL;
	}
	*ret = TAKE_PTR(w);
	return 0;
}

int mm_whatif_format_json(const MmWhatif *w, char **ret)
{
	_cleanup_(mm_json_putp) json_object *root = json_object_new_object();
	json_object *domains = json_object_new_array();
	if (!root || !domains || mm_json_add(root, "domains", domains) < 0) {
		if (!root)
			json_object_put(domains);
		return -ENOMEM;
	}
	for (size_t i = 0; i < w->n; i++) {
		json_object *o = json_object_new_object();
		if (!o || json_object_array_add(domains, o) < 0) {
			json_object_put(o);
			return -ENOMEM;
		}
		if (mm_json_add(o, "name", json_object_new_string(w->domains[i].name)) < 0 ||
		    mm_json_add(o, "change",
				json_object_new_string(
					mm_whatif_change_to_string(w->domains[i].change))) < 0 ||
		    mm_json_add_string_or_null(o, "reason", w->domains[i].reason) < 0)
			return -ENOMEM;
	}
	return mm_json_to_string(root, ret);
}
