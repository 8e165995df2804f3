/*
 * sitrep report [-i] ID [-o FILE]: the incident report, in markdown.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

static int
cmd_report(struct cmd_ctx *x)
{
	const char *path = cmd_opt(x, "output");
	char *text = NULL, *cause = NULL;
	int rc = 0;
	if (report_markdown(x->store, &x->conf, x->id, &text, &cause) == -1)
		rc = cmd_error(1, "%s", cause);
	else if (path != NULL) {
		if (file_write_atomic(path, text, strlen(text), &cause) == -1)
			rc = cmd_error(1, "%s", cause);
	} else
		fputs(text, stdout);
	free(text);
	free(cause);
	return rc;
}

static const struct cmd_opt report_opts[] = {
	{ "id", 'i', OPT_VALUE, "ID", "the incident (or give it as the argument)" },
	{ "output", 'o', OPT_VALUE, "FILE", "write the report to FILE (replaced atomically)" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "[-i] ID [-o FILE]",
	.summary = "the incident report, in markdown",
	.opts = report_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE_RO | CMD_INCIDENT | CMD_ID_ARG | CMD_ID_NEEDED,
	.run = cmd_report,
};
