/*
 * sitrep incident runbook NAME|N|FILE#N: the runbook the incident follows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd-incident.h"
#include "sanitize.h"

static int
inc_runbook(struct cmd_ctx *x)
{
	const char *spec = x->args.argv[0];
	struct runbook_ref ref;
	char *cause = NULL;
	if (cmd_library(x, spec) == -1)
		return 1;
	if (library_find(&x->lib, spec, &ref, &cause) == -1 ||
	    incident_set_runbook(&x->rec, x->id, ref.doc->path, ref.rb->title, &cause) == -1)
		return incident_cmd_failed(cause);
	char *t = sanitize_str(ref.rb->title);
	printf("runbook: %s (%zu steps)\n", t, ref.rb->nsteps);
	free(t);
	return 0;
}

static const struct cmd_opt runbook_opts[] = {
	INCIDENT_OPT_ID,
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_runbook_entry = {
	.name = "runbook",
	.usage = "[-i ID] NAME|N|FILE#N",
	.summary = "choose the runbook to follow",
	.opts = runbook_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_STORE | CMD_INCIDENT,
	.run = inc_runbook,
};
