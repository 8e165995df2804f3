/*
 * sitrep (no command): the console, and what it shares with the wall
 * (cmd-wall.c), the read-only big-screen view of the same fleet and store.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "console.h"
#include "sanitize.h"
#include "terminal.h"
#include "ui.h"

static void
console_free(struct console *c)
{
	notifier_stop(&c->notifier);
	fleet_stop(&c->fleet);
	for (size_t i = 0; i < c->nhosts; i++)
		snapshot_unref(&c->snaps[i]);
	free(c->snaps);
	store_close(&c->store);
	library_free(&c->lib);
	theme_free(&c->theme);
	incident_clear(&c->inc);
	strv_free(&c->triage);
	free(c->triage_checked);
	ticks_free(c->ticks, c->nticks);
	step_runs_free(c->steps, c->nsteps);
	events_free(c->events, c->nevents);
	strv_free(&c->logs_lines);
	free(c->logs_title);
	free(c->filter);
	free(c->message);
	free(c->store_path);
	free(c->store_problem);
	free(c->suggestion);
	free(c->job.command);
	free(c->job.status);
	buf_free(&c->job.output);
	if (c->wake_rd >= 0)
		close(c->wake_rd);
	if (c->wake_wr >= 0)
		close(c->wake_wr);
}

/* The console and the wall; the wall is the same view, read-only. */
/* The console or wall needs a terminal it can draw on; EXIT_USAGE with why. */
static int
console_check_terminal(int wall)
{
	const char *what = wall ? "wall" : "console";
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sitrep: the %s needs a terminal; for scripts and cron use "
		    "'sitrep status' (or 'sitrep status --json')\n", what);
		return EXIT_USAGE;
	}
	char *why = NULL;
	if (terminal_usable(&why) == -1) {
		cmd_error(EXIT_USAGE, "the %s cannot be drawn here: %s", what, why);
		free(why);
		return EXIT_USAGE;
	}
	return 0;
}

/* The theme and the runbooks; -1 with file:line in *cause. */
static int
console_load_files(struct console *c, struct cmd_ctx *x, char **cause)
{
	struct globals *g = x->g;
	const char *theme = g->theme ? g->theme : c->conf->theme;
	if (theme_load(&c->theme, theme, cause) == -1)
		return -1;
	struct strv extra;
	memset(&extra, 0, sizeof extra);
	strv_copy(&extra, cmd_opt_list(x, "runbook"));
	strv_copy(&extra, &g->runbooks);
	int rc = library_load(&c->lib, &extra, cause);
	strv_free(&extra);
	if (rc == -1)
		return -1;
	struct runbook_ref tri;
	if (library_triage(&c->lib, &tri) == 0)
		library_checklist(tri.rb, &c->triage);
	return 0;
}

/* The store: read-only for the wall; the console runs without one if it must. */
static void
console_open_store(struct console *c)
{
	char *cause = NULL;
	c->store_path = globals_db_path(c->globals, c->conf);
	if (store_open(c->store_path, c->wall, &c->store, &cause) == -1) {
		c->store_problem = cause ? cause : xstrdup("cannot open the store");
		return;
	}
	c->rec.store = c->store;
	c->rec.conf = c->conf;
	c->rec.operator_name = incident_operator(c->conf);
	c->store_version = store_data_version(c->store);
}

/* Trims the fleet log and records that an open incident was resumed. */
static void
console_resume(struct console *c)
{
	if (c->store == NULL || c->wall)
		return;
	char *note = NULL;
	store_fleet_log_trim(c->store, wall_ms() - 7 * 24 * 3600 * 1000LL, &note);
	free(note);
	if (c->inc.id > 0) {
		/* a restart (or a crash) is part of the record */
		incident_fleet_event(&c->rec, c->inc.id, NULL, "resumed",
		    "console started: incident resumed", 0, &note);
		free(note);
		console_reload(c);
	}
}

int
cmd_console_run(struct cmd_ctx *x, int wall)
{
	int rc = console_check_terminal(wall);
	if (rc != 0)
		return rc;
	struct conf *conf = &x->conf;
	struct console c;
	memset(&c, 0, sizeof c);
	c.wake_rd = c.wake_wr = -1;
	c.conf = conf;
	c.globals = x->g;
	c.wall = wall;
	char *cause = NULL;
	if (console_load_files(&c, x, &cause) == -1) {
		/* the configuration, the theme or a runbook: file:line in cause */
		cmd_error(EXIT_USAGE, "%s", cause);
		free(cause);
		console_free(&c);
		return EXIT_USAGE;
	}
	console_open_store(&c);
	int wake[2];
	if (wake_pipe(wake) == -1) {
		console_free(&c);
		return cmd_error(EXIT_USAGE, "cannot create a pipe");
	}
	c.wake_rd = wake[0];
	c.wake_wr = wake[1];
	c.nhosts = conf->nhosts;
	c.snaps = xcalloc(conf->nhosts + 1, sizeof *c.snaps);
	c.fleet = fleet_start(conf, c.wake_wr, wall ? FLEET_READONLY : 0);
	if (!wall && conf->nnotify > 0 && c.store != NULL)
		c.notifier = notifier_start(conf, c.wake_wr);
	console_reload(&c);
	console_resume(&c);
	rc = ui_run(&c);
	console_job_quit(&c);
	console_free(&c);
	return rc;
}

static int
cmd_console(struct cmd_ctx *x)
{
	return cmd_console_run(x, 0);
}

static const struct cmd_opt console_opts[] = {
	{ "runbook", 'R', OPT_LIST, "FILE", "a runbook file besides the runbook directories" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_console_entry = {
	.name = "console",
	.usage = "[--runbook FILE]...",
	.summary = "the console (the default)",
	.opts = console_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_CONF,
	.run = cmd_console,
};
