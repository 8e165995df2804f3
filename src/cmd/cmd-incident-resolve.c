/*
 * sitrep incident resolve [ID] [--summary T] ... [--action 'TEXT;OWNER;KIND']:
 * resolves the incident with its post-mortem form; on a resolved incident,
 * fills in the post-mortem.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd-incident.h"

static const char *const form_fields[] = {
	"summary", "impact", "root-cause", "resolution", "prevention", "went-well",
	"needs-improvement",
};

static char **
form_field(struct incident *f, size_t i)
{
	char **dst[] = { &f->summary, &f->impact, &f->root_cause, &f->resolution,
	    &f->prevention, &f->went_well, &f->needs_improvement };
	return dst[i];
}

/* "text;owner;kind" */
static void
action_parse(const char *spec, struct action_item *a)
{
	char *s = xstrdup(spec);
	char *owner = strchr(s, ';'), *kind = NULL;
	if (owner != NULL) {
		*owner++ = '\0';
		kind = strchr(owner, ';');
		if (kind != NULL)
			*kind++ = '\0';
	}
	a->id = 0;
	a->text = xstrdup(s);
	a->owner = owner && *owner ? xstrdup(owner) : NULL;
	a->kind = kind && *kind ? xstrdup(kind) : NULL;
	free(s);
}

/* Resolves x->id at a time (0: now), the form from x's options. */
int
incident_cmd_resolve(struct cmd_ctx *x, int64_t at)
{
	struct incident form;
	memset(&form, 0, sizeof form);
	form.data_loss_s = -1;
	form.ms[MS_RESOLVED] = at;
	for (size_t i = 0; i < nitems(form_fields); i++) {
		const char *v = cmd_opt(x, form_fields[i]);
		if (v != NULL)
			*form_field(&form, i) = xstrdup(v);
	}
	const struct strv *specs = cmd_opt_list(x, "action");
	struct action_item *actions = xcalloc(specs->n + 1, sizeof *actions);
	for (size_t i = 0; i < specs->n; i++)
		action_parse(specs->v[i], &actions[i]);
	int rc = 0;
	char *cause = NULL;
	if (cmd_opt_duration(x, "data-loss", &form.data_loss_s) == -1)
		rc = EXIT_USAGE;
	/* a step left running ends with the incident */
	int64_t run = incident_cmd_running_step(x->store, x->id, NULL);
	if (rc == 0 && run != 0 &&
	    incident_step_end(&x->rec, x->id, run, "skipped", "incident resolved", &cause) == -1)
		rc = incident_cmd_failed(cause);
	else if (rc == 0 &&
	    incident_resolve(&x->rec, x->id, &form, actions, specs->n, &cause) == -1)
		rc = incident_cmd_failed(cause);
	incident_clear(&form);
	action_items_free(actions, specs->n);
	return rc;
}

static int
inc_resolve(struct cmd_ctx *x)
{
	int64_t at = 0;
	if (cmd_opt_time(x, "at", &at) == -1)
		return EXIT_USAGE;
	return incident_cmd_resolve(x, at);
}

static const struct cmd_opt resolve_opts[] = {
	INCIDENT_OPT_ID,
	{ "at", 'a', OPT_VALUE, "TIME", "when it was resolved (UTC; default now)" },
	{ "summary", 0, OPT_VALUE, "TEXT", "what happened" },
	{ "impact", 0, OPT_VALUE, "TEXT", "who and what it affected" },
	{ "root-cause", 0, OPT_VALUE, "TEXT", "why it happened" },
	{ "resolution", 0, OPT_VALUE, "TEXT", "what fixed it" },
	{ "prevention", 0, OPT_VALUE, "TEXT", "what keeps it from happening again" },
	{ "went-well", 0, OPT_VALUE, "TEXT", "what went well" },
	{ "needs-improvement", 0, OPT_VALUE, "TEXT", "what to do better" },
	{ "data-loss", 0, OPT_VALUE, "DURATION", "the window of data lost (0s, 5m)" },
	{ "action", 0, OPT_LIST, "'TEXT;OWNER;KIND'", "a follow-up action item" },
	{ NULL, 0, 0, NULL, NULL },
};

/* The resolve form, shared by "milestone resolved". */
const struct cmd_entry incident_resolve_entry = {
	.name = "resolve",
	.usage = "[-i] [ID] [--at TIME] [--summary T] [--impact T] [--root-cause T]\n"
	    "         [--resolution T] [--prevention T] [--went-well T] [--needs-improvement T]\n"
	    "         [--data-loss D] [--action 'TEXT;OWNER;KIND']...",
	.summary = "resolve an incident (again: fill in its post-mortem)",
	.opts = resolve_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE | CMD_INCIDENT | CMD_ID_ARG,
	.run = inc_resolve,
};
