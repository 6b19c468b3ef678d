/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migmap-hook's verdict: the one error line libvirt shows, and warnings. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook.h"
#include "macros.h"

void hook_verdict_clear(HookVerdict *v)
{
	free(v->error);
	for (size_t i = 0; i < v->n_warnings; i++)
		free(v->warnings[i]);
	free(v->warnings);
	free(v->unknown_pool);
	memset(v, 0, sizeof(*v));
}

int hook_warn(HookVerdict *v, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	char **w = realloc(v->warnings, (v->n_warnings + 1) * sizeof(*w));
	if (!w) {
		free(s);
		return -ENOMEM;
	}
	w[v->n_warnings++] = s;
	v->warnings = w;
	return 0;
}

int hook_verdict_add_report(HookVerdict *v, const MmCheckReport *r, const char *what)
{
	const MmConflict *first = mm_check_report_first_error(r);
	if (first && !v->error && !(v->error = strdup(first->message)))
		return -ENOMEM;
	for (size_t i = 0; i < r->n_conflicts; i++)
		if (r->conflicts[i].severity == MM_SEVERITY_WARNING &&
		    hook_warn(v, "%s", r->conflicts[i].message) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < r->n_warnings; i++)
		if (hook_warn(v, "%s: %s", what, r->warnings[i]) < 0)
			return -ENOMEM;
	return 0;
}
