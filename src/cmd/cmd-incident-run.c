/*
 * sitrep incident run --host H (--step N [--command K] [--set P=V]... |
 * -- COMMAND...) [--confirm HOST]: runs a command on a host as the console
 * does, recorded with its output and exit status. Whatever ends this
 * process (Ctrl-C, SIGTERM, SIGHUP, a closed terminal) ends the command on
 * the host first and records it as cancelled.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-incident.h"
#include "fleet.h"
#include "runbook.h"
#include "sanitize.h"
#include "shell.h"

/* After a cancel, how long the host gets to say the command is gone. */
#define RUN_CANCEL_WAIT_MS 10000

struct run_plan {
	char *command;		/* what runs, exactly */
	const char *host;	/* the configured host it runs on */
	char *runbook_host;	/* the runbook's "ssh HOST" for it, or NULL */
	int64_t step_run;	/* the running step it belongs to, or 0 */
};

static void
run_plan_clear(struct run_plan *p)
{
	free(p->command);
	free(p->runbook_host);
	memset(p, 0, sizeof *p);
}

/* --set NAME=VALUE pairs: 0, or EXIT_USAGE after a message. */
static int
run_sets(struct cmd_ctx *x, struct strv *names, struct strv *values)
{
	const struct strv *sets = cmd_opt_list(x, "set");
	for (size_t i = 0; i < sets->n; i++) {
		const char *eq = strchr(sets->v[i], '=');
		if (eq == NULL || eq == sets->v[i])
			return cmd_error(EXIT_USAGE, "--set '%s': expected PLACEHOLDER=VALUE",
			    str_quote_short(sets->v[i]));
		strv_addn(names, sets->v[i], (size_t)(eq - sets->v[i]));
		strv_add(values, eq + 1);
	}
	return 0;
}

/* The runbook command --step N [--command K] names, placeholders filled. */
static int
run_from_step(struct cmd_ctx *x, long long step_no, long long cmd_no, struct run_plan *p)
{
	struct strv names, values;
	memset(&names, 0, sizeof names);
	memset(&values, 0, sizeof values);
	struct incident in;
	struct runbook_ref ref;
	int rc = run_sets(x, &names, &values);
	if (rc != 0)
		goto out;
	rc = 1;
	if (cmd_incident_get(x, &in) == -1)
		goto out;
	int found = incident_cmd_runbook(x, &in, &ref);
	incident_clear(&in);
	if (found == -1)
		goto out;
	if ((size_t)step_no > ref.rb->nsteps) {
		cmd_error(1, "no step %lld: the runbook has steps 1-%zu", step_no, ref.rb->nsteps);
		goto out;
	}
	const struct runbook_step *st = &ref.rb->steps[step_no - 1];
	if (st->ncommands == 0 || (size_t)cmd_no > st->ncommands) {
		cmd_error(1, st->ncommands == 0 ? "step %lld has no command" :
		    "step %lld has commands 1-%zu, not %lld", step_no, st->ncommands, cmd_no);
		goto out;
	}
	const struct runbook_command *rcmd = &st->commands[cmd_no - 1];
	for (size_t i = 0; i < names.n; i++)
		if (strv_find(&rcmd->placeholders, names.v[i]) == -1) {
			cmd_error(EXIT_USAGE, "--set %s: the command has no such placeholder",
			    str_quote_short(names.v[i]));
			rc = EXIT_USAGE;
			goto out;
		}
	p->command = runbook_fill_placeholders(rcmd->text, &names, &values);
	struct strv left;
	memset(&left, 0, sizeof left);
	runbook_find_placeholders(p->command, &left);
	if (left.n > 0)
		cmd_error(1, "the command needs a value: --set '%s=...'", str_quote_short(left.v[0]));
	else
		rc = 0;
	strv_free(&left);
	if (rcmd->host != NULL)
		p->runbook_host = xstrdup(rcmd->host);
	p->step_run = incident_cmd_running_step(x->store, x->id, NULL);
out:
	strv_free(&names);
	strv_free(&values);
	return rc;
}

/* The words after "--": one string is a shell command line, several are quoted. */
static void
run_from_words(struct cmd_ctx *x, struct run_plan *p)
{
	if (x->args.argc == 1) {
		p->command = xstrdup(x->args.argv[0]);
	} else {
		struct strv words;
		memset(&words, 0, sizeof words);
		for (int i = 0; i < x->args.argc; i++) {
			char *q = shell_word(x->args.argv[i]);
			strv_add(&words, q);
			free(q);
		}
		p->command = strv_join(&words, " ");
		strv_free(&words);
	}
	p->step_run = incident_cmd_running_step(x->store, x->id, NULL);
}

/*
 * Which configured host: the runbook's ssh HOST (as the console decides),
 * else --host, else the only one. --host naming another host than the
 * runbook's is refused.
 */
static int
run_host(struct cmd_ctx *x, struct run_plan *p)
{
	const char *opt = cmd_opt(x, "host");
	int fallback = opt != NULL ? conf_find_host(&x->conf, opt) :
	    x->conf.nhosts == 1 ? 0 : -1;
	int i = runbook_command_host(&x->conf, p->runbook_host, fallback);
	if (p->runbook_host != NULL) {
		if (i < 0)
			return cmd_error(1, "the runbook runs it on %s, which is not in the fleet",
			    str_quote_short(p->runbook_host));
		if (opt != NULL && conf_find_host(&x->conf, opt) != i)
			return cmd_error(EXIT_USAGE, "--host %s: the runbook runs it on %s",
			    str_quote_short(opt), x->conf.hosts[i].name);
	}
	if (i < 0 && opt == NULL)
		return cmd_error(EXIT_USAGE, "which host? --host NAME");
	char *want = xstrdup(i >= 0 ? x->conf.hosts[i].name : opt);
	char *cause = NULL;
	int rc = conf_keep_hosts(&x->conf, &want, 1, &cause);
	free(want);
	if (rc == -1)
		return incident_cmd_failed(cause);
	p->host = x->conf.hosts[0].name;
	return 0;
}

/* The plan from the options: 0, or an exit code after a message. */
static int
run_plan(struct cmd_ctx *x, struct run_plan *p)
{
	long long step_no = 0, cmd_no = 1;
	if (cmd_opt_int(x, "step", 1, 100000, &step_no) == -1 ||
	    cmd_opt_int(x, "command", 1, 100000, &cmd_no) == -1)
		return EXIT_USAGE;
	int rc;
	if (step_no > 0) {
		if (x->args.argc > 0)
			return cmd_error(EXIT_USAGE, "--step runs the runbook's command: give --step N "
			    "or a command after --, not both");
		rc = run_from_step(x, step_no, cmd_no, p);
	} else {
		if (cmd_opt(x, "command") != NULL || cmd_opt_list(x, "set")->n > 0)
			return cmd_error(EXIT_USAGE, "--command and --set go with --step N");
		if (x->args.argc == 0)
			return cmd_error(EXIT_USAGE, "what to run? --step N, or -- COMMAND...");
		run_from_words(x, p);
		rc = 0;
	}
	if (rc == 0)
		rc = run_host(x, p);
	if (rc != 0)
		return rc;
	const char *confirm = cmd_opt(x, "confirm");
	const char *why = runbook_destructive_reason(p->command);
	if (why != NULL && (confirm == NULL || strcmp(confirm, p->host) != 0))
		return cmd_error(1, "'%s' is destructive (%s): confirm with --confirm %s",
		    str_quote_short(p->command), why, p->host);
	return 0;
}

static volatile sig_atomic_t run_interrupted;

static void
on_interrupt(int sig)
{
	(void)sig;
	run_interrupted = 1;
}

static const int run_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
run_catch(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	for (size_t i = 0; i < nitems(run_signals); i++)
		sigaction(run_signals[i], &sa, &old[i]);
}

static void
run_uncatch(const struct sigaction *old)
{
	for (size_t i = 0; i < nitems(run_signals); i++)
		sigaction(run_signals[i], &old[i], NULL);
}

/* Takes a job's end into cr. */
static void
run_take_end(struct fleet_msg *m, struct command_run *cr)
{
	cr->exit_status = m->result.exit_status;
	cr->duration_ms = m->result.duration_ms;
	cr->output = m->result.output;
	cr->output_len = m->result.output_len;
	cr->output_total = (int64_t)m->result.output_total;
	m->result.output = NULL;
	if (m->error != NULL) {
		cr->status = "failed";
		cr->error = m->error;
		m->error = NULL;
	} else
		cr->status = m->result.cancelled ? "cancelled" : "done";
}

/* Runs the job to its end, echoing its output; fills cr. */
static void
run_job(struct fleet *f, int wake_rd, int64_t job, struct command_run *cr)
{
	int64_t cancel_deadline = 0;
	int64_t started = mono_ms();
	while (cr->status == NULL) {
		if (run_interrupted && cancel_deadline == 0) {
			fleet_job_cancel(f, job);
			cancel_deadline = mono_ms() + RUN_CANCEL_WAIT_MS;
		}
		if (cancel_deadline != 0 && mono_ms() > cancel_deadline) {
			cr->status = "cancelled";
			cr->error = xstrdup("the host did not confirm the cancel");
			cr->duration_ms = mono_ms() - started;
			break;
		}
		if (wait_readable(wake_rd, 100))
			wake_drain(wake_rd);
		struct fleet_msg *m = fleet_take_messages(f);
		for (struct fleet_msg *p = m; p; p = p->next) {
			if (p->job_id != job)
				continue;
			if (p->kind == FLEET_MSG_JOB_OUTPUT) {
				char *safe = sanitize_text(p->data, p->len, SAN_MULTILINE);
				fputs(safe, stdout);
				fflush(stdout);
				free(safe);
			} else if (p->kind == FLEET_MSG_JOB_DONE)
				run_take_end(p, cr);
		}
		fleet_msg_free(m);
	}
}

static int
inc_run(struct cmd_ctx *x)
{
	struct run_plan p;
	memset(&p, 0, sizeof p);
	int rc = run_plan(x, &p);
	if (rc != 0) {
		run_plan_clear(&p);
		return rc;
	}
	char *cause = NULL;
	struct sigaction old[nitems(run_signals)];
	run_interrupted = 0;
	run_catch(old);	/* from the record on, every way out records the end */
	int64_t run = incident_command_start(&x->rec, x->id, p.step_run, p.host, p.command, &cause);
	if (run < 0) {
		run_uncatch(old);
		run_plan_clear(&p);
		return incident_cmd_failed(cause);
	}
	struct fleet_once o;
	struct command_run cr;
	memset(&cr, 0, sizeof cr);
	cr.id = run;
	cr.incident_id = x->id;
	cr.host = (char *)p.host;
	cr.command = p.command;
	cr.exit_status = -1;
	int64_t job = -1;
	if (cmd_fleet_once(x, NULL, 0, CMD_FLEET_NO_WAIT, &o, &cause) == 0)
		job = fleet_job_start(o.fleet, 0, p.command, &cause);
	if (job < 0) {
		cr.status = "failed";
		cr.error = cause ? cause : xstrdup("could not start");
		cause = NULL;
	} else
		run_job(o.fleet, o.wake[0], job, &cr);
	cr.ended_at = wall_ms();
	rc = incident_command_end(&x->rec, &cr, &cause);
	cmd_fleet_once_end(&o);
	run_uncatch(old);
	int exit_code = cr.exit_status;
	if (cr.error != NULL)
		cmd_error(1, "%s: %s", p.host, cr.error);
	free(cr.output);
	free(cr.error);
	const char *status = cr.status;
	run_plan_clear(&p);
	if (rc == -1)
		return incident_cmd_failed(cause);
	if (strcmp(status, "done") != 0)
		return 1;
	return exit_code < 0 ? 1 : exit_code > 125 ? 125 : exit_code;
}

static const struct cmd_opt run_opts[] = {
	INCIDENT_OPT_ID,
	{ "host", 'H', OPT_VALUE, "HOST", "the host to run on" },
	{ "step", 's', OPT_VALUE, "N", "run the command of runbook step N" },
	{ "command", 'c', OPT_VALUE, "K", "the step's K-th command (default 1)" },
	{ "set", 'v', OPT_LIST, "NAME=VALUE", "a value for a placeholder of the command" },
	{ "confirm", 'y', OPT_VALUE, "HOST", "run a destructive command (the host's name again)" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_run_entry = {
	.name = "run",
	.usage = "[-i ID] --host H [--confirm HOST]\n"
	    "         (--step N [--command K] [--set P=V]... | -- CMD...)",
	.summary = "run a command on a host, recorded with its output",
	.opts = run_opts,
	.args_min = 0,
	.args_max = -1,
	.flags = CMD_STORE | CMD_INCIDENT,
	.run = inc_run,
};
