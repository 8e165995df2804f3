/*
 * sitrep incident note TEXT...: a note in the timeline, with the operator's
 * name. Notes are taken after resolve too (the post-mortem goes on).
 */
#include "config.h"

#include <stdlib.h>

#include "cmd-incident.h"

static int
inc_note(struct cmd_ctx *x)
{
	struct strv words = { x->args.argv, (size_t)x->args.argc };
	char *text = strv_join(&words, " ");
	char *cause = NULL;
	int rc = incident_note(&x->rec, x->id, text, &cause);
	free(text);
	return rc == -1 ? incident_cmd_failed(cause) : 0;
}

static const struct cmd_opt note_opts[] = {
	INCIDENT_OPT_ID,
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_note_entry = {
	.name = "note",
	.usage = "[-i ID] TEXT...",
	.summary = "a note in the timeline (words are joined; '--' before text that starts with -)",
	.opts = note_opts,
	.args_min = 1,
	.args_max = -1,
	.flags = CMD_STORE | CMD_INCIDENT,
	.run = inc_note,
};
