/*
 * sitrep incident reopen [-i] ID [--reason TEXT]: undoes a resolve, recorded.
 */
#include "config.h"

#include "cmd-incident.h"

static int
inc_reopen(struct cmd_ctx *x)
{
	char *cause = NULL;
	if (incident_reopen(&x->rec, x->id, cmd_opt(x, "reason"), &cause) == -1)
		return incident_cmd_failed(cause);
	return 0;
}

static const struct cmd_opt reopen_opts[] = {
	INCIDENT_OPT_ID,
	{ "reason", 'r', OPT_VALUE, "TEXT", "why it is reopened" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_reopen_entry = {
	.name = "reopen",
	.usage = "[-i] ID [--reason TEXT]",
	.summary = "reopen a resolved incident (recorded)",
	.opts = reopen_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE | CMD_INCIDENT | CMD_ID_ARG | CMD_ID_NEEDED,
	.run = inc_reopen,
};
