/*
 * sitrep stats [--since DATE] [--json]: figures across incidents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "report.h"

static int
cmd_stats(struct cmd_ctx *x)
{
	struct stats_opts o = { 0, cmd_flag(x, "json") };
	if (cmd_opt_time(x, "since", &o.since) == -1)
		return EXIT_USAGE;
	char *text = NULL, *cause = NULL;
	int rc = 0;
	if (stats_compute(x->store, &x->conf, &o, &text, &cause) == -1)
		rc = cmd_error(1, "%s", cause);
	else
		fputs(text, stdout);
	free(text);
	free(cause);
	return rc;
}

static const struct cmd_opt stats_opts[] = {
	{ "since", 's', OPT_VALUE, "DATE", "only incidents opened since DATE (2026-11-01)" },
	{ "json", 'j', OPT_FLAG, NULL, "as JSON" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_stats_entry = {
	.name = "stats",
	.usage = "[--since DATE] [--json]",
	.summary = "figures across incidents: triage, restore, RTO, MTBF, step overruns",
	.opts = stats_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE_RO,
	.run = cmd_stats,
};
