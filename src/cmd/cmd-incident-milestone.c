/*
 * sitrep incident milestone NAME [--at TIME]: records (or moves) a
 * milestone; "resolved" resolves the incident as 'resolve' does.
 */
#include "config.h"

#include <stdlib.h>

#include "cmd-incident.h"

static int
inc_milestone(struct cmd_ctx *x)
{
	int m = milestone_from_key(x->args.argv[0]);
	if (m < 0)
		return cmd_error(EXIT_USAGE, "milestone '%s': expected started, detected, "
		    "triage_started, triage_done, mitigated, restored or resolved",
		    str_quote_short(x->args.argv[0]));
	int64_t at = 0;
	if (cmd_opt_time(x, "at", &at) == -1)
		return EXIT_USAGE;
	if (m == MS_RESOLVED)
		return incident_cmd_resolve(x, at);	/* it ends a running step too */
	char *cause = NULL;
	if (incident_milestone(&x->rec, x->id, (enum milestone)m, at, &cause) == -1)
		return incident_cmd_failed(cause);
	return 0;
}

static const struct cmd_opt milestone_opts[] = {
	INCIDENT_OPT_ID,
	{ "at", 'a', OPT_VALUE, "TIME", "when it happened (UTC; default now)" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_milestone_entry = {
	.name = "milestone",
	.usage = "[-i ID] started|detected|triage_started|triage_done|mitigated|restored|resolved\n"
	    "         [--at TIME]",
	.summary = "record when a milestone was reached (now, or --at)",
	.opts = milestone_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_STORE | CMD_INCIDENT,
	.run = inc_milestone,
};
