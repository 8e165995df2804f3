/*
 * sitrep incident step start N | step done|failed|skipped [--note TEXT]:
 * the runbook walk-through, one step at a time, with its time box.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-incident.h"

static int
step_start(struct cmd_ctx *x, const char *number)
{
	if (cmd_opt(x, "note") != NULL)
		return cmd_error(EXIT_USAGE, "--note goes with done, failed or skipped, not start");
	struct incident in;
	struct runbook_ref ref;
	if (cmd_incident_get(x, &in) == -1)
		return 1;
	int rc = incident_cmd_runbook(x, &in, &ref);
	incident_clear(&in);
	if (rc == -1)
		return 1;
	long long n;
	if (parse_int(number, 1, (long long)ref.rb->nsteps, &n) == -1)
		return cmd_error(1, "no step %s: the runbook has steps 1-%zu", str_quote_short(number),
		    ref.rb->nsteps);
	const struct runbook_step *st = &ref.rb->steps[n - 1];
	struct step_run sr = {
		.runbook = ref.rb->title,
		.step_index = (int)n - 1,
		.number = st->number ? st->number : (int)n,
		.title = st->title,
		.timebox_s = st->timebox_s,
		.timebox_max_s = st->timebox_max_s,
	};
	char *cause = NULL;
	int64_t run = incident_step_start(&x->rec, x->id, &sr, &cause);
	if (run < 0)
		return incident_cmd_failed(cause);
	printf("%lld\n", (long long)run);
	return 0;
}

static int
step_end(struct cmd_ctx *x, const char *outcome)
{
	int64_t run = incident_cmd_running_step(x->store, x->id, NULL);
	if (run == 0)
		return cmd_error(1, "no step is running");
	char *cause = NULL;
	if (incident_step_end(&x->rec, x->id, run, outcome, cmd_opt(x, "note"), &cause) == -1)
		return incident_cmd_failed(cause);
	return 0;
}

static int
inc_step(struct cmd_ctx *x)
{
	const char *what = x->args.argv[0];
	if (strcmp(what, "start") == 0) {
		if (x->args.argc != 2)
			return cmd_error(EXIT_USAGE, "step start needs the step's number: step start N");
		return step_start(x, x->args.argv[1]);
	}
	if (strcmp(what, "done") != 0 && strcmp(what, "failed") != 0 && strcmp(what, "skipped") != 0)
		return cmd_error(EXIT_USAGE, "step '%s': expected start N, done, failed or skipped",
		    str_quote_short(what));
	if (x->args.argc != 1)
		return cmd_error(EXIT_USAGE, "step %s: unexpected argument '%s' (a note is --note TEXT)",
		    what, str_quote_short(x->args.argv[1]));
	return step_end(x, what);
}

static const struct cmd_opt step_opts[] = {
	INCIDENT_OPT_ID,
	{ "note", 'n', OPT_VALUE, "TEXT", "why, with done, failed or skipped" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_step_entry = {
	.name = "step",
	.usage = "[-i ID] start N | done|failed|skipped [--note TEXT]",
	.summary = "start a runbook step (its timer runs), or end the running one",
	.opts = step_opts,
	.args_min = 1,
	.args_max = 2,
	.flags = CMD_STORE | CMD_INCIDENT,
	.run = inc_step,
};
