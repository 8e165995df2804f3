/*
 * sitrep incident SUBCOMMAND: what the console does, from a script. Every
 * change is the same recorder call the console makes. The subcommands
 * live in cmd-incident-*.c; this file holds their table and what they
 * share: the incident's runbook and the step that is running.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd-incident.h"

int
incident_cmd_runbook(struct cmd_ctx *x, const struct incident *in, struct runbook_ref *ref)
{
	if (in->runbook_path == NULL)
		return cmd_error(1, "no runbook chosen ('sitrep incident runbook NAME')"), -1;
	if (cmd_library(x, in->runbook_path) == -1)
		return -1;
	const struct library *lib = &x->lib;
	for (size_t i = 0; i < lib->ndocs; i++)
		for (size_t k = 0; k < lib->docs[i].nrunbooks; k++)
			if (strcmp(lib->docs[i].path, in->runbook_path) == 0 &&
			    strcmp(lib->docs[i].runbooks[k].title, in->runbook_title) == 0) {
				ref->doc = &lib->docs[i];
				ref->rb = &lib->docs[i].runbooks[k];
				ref->doc_index = i;
				ref->rb_index = k;
				return 0;
			}
	return cmd_error(1, "runbook '%s' is no longer in %s", in->runbook_title,
	    in->runbook_path), -1;
}

int64_t
incident_cmd_running_step(struct store *s, int64_t id, struct step_run *out)
{
	struct step_run *steps;
	size_t n;
	int64_t found = 0;
	if (store_steps(s, id, &steps, &n, NULL) == -1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (steps[i].ended_at == 0) {
			found = steps[i].id;
			if (out != NULL) {
				step_run_clear(out);
				*out = steps[i];
				memset(&steps[i], 0, sizeof steps[i]);
			}
		}
	step_runs_free(steps, n);
	return found;
}

int
incident_cmd_failed(char *cause)
{
	cmd_error(1, "%s", cause ? cause : "failed");
	free(cause);
	return 1;
}

static const struct cmd_entry *const incident_sub[] = {
	&incident_open_entry,
	&incident_note_entry,
	&incident_severity_entry,
	&incident_milestone_entry,
	&incident_runbook_entry,
	&incident_tick_entry,
	&incident_step_entry,
	&incident_run_entry,
	&incident_resolve_entry,
	&incident_reopen_entry,
	&incident_list_entry,
	&incident_show_entry,
	NULL,
};

static const struct cmd_opt incident_opts[] = {
	INCIDENT_OPT_ID,
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_incident_entry = {
	.name = "incident",
	.usage = "[-i ID] SUBCOMMAND [ARGS]",
	.summary = "open, record and resolve incidents from a script",
	.opts = incident_opts,
	.sub = incident_sub,
};
