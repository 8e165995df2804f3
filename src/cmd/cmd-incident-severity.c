/*
 * sitrep incident severity P0-P3: raises or lowers the severity (recorded).
 */
#include "config.h"

#include "cmd-incident.h"

static int
inc_severity(struct cmd_ctx *x)
{
	int sev = incident_parse_severity(x->args.argv[0]);
	if (sev < 0)
		return cmd_error(EXIT_USAGE, "severity '%s': expected P0, P1, P2 or P3",
		    str_quote_short(x->args.argv[0]));
	char *cause = NULL;
	if (incident_set_severity(&x->rec, x->id, sev, &cause) == -1)
		return incident_cmd_failed(cause);
	return 0;
}

static const struct cmd_opt severity_opts[] = {
	INCIDENT_OPT_ID,
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_severity_entry = {
	.name = "severity",
	.usage = "[-i ID] P0|P1|P2|P3",
	.summary = "change the severity (the response target follows)",
	.opts = severity_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_STORE | CMD_INCIDENT,
	.run = inc_severity,
};
