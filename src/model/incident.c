/*
 * incident: lifecycle operations over the store. See incident.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "notify.h"
#include "sanitize.h"

const char *
incident_operator(const struct conf *c)
{
	if (c != NULL && c->operator_name != NULL)
		return c->operator_name;
	const char *u = getenv("USER");
	if (u == NULL || *u == '\0')
		u = getenv("LOGNAME");
	return u && *u ? u : "operator";
}

int
incident_parse_severity(const char *s)
{
	if (s == NULL)
		return -1;
	if ((s[0] == 'P' || s[0] == 'p') && s[1] >= '0' && s[1] <= '3' && s[2] == '\0')
		return s[1] - '0';
	if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

int64_t
incident_target_s(const struct conf *c, int sev)
{
	static const int64_t defaults[4] = { 15 * 60, 60 * 60, 4 * 60 * 60, 24 * 60 * 60 };
	if (sev < 0 || sev > 3)
		return 0;
	if (c != NULL && c->target_s[sev] > 0)
		return c->target_s[sev];
	return defaults[sev];
}

int64_t
incident_detected_at(const struct incident *in)
{
	if (in->ms[MS_DETECTED])
		return in->ms[MS_DETECTED];
	if (in->ms[MS_STARTED])
		return in->ms[MS_STARTED];
	return in->opened_at;
}

void
recorder_init(struct recorder *r, struct store *s, const struct conf *c)
{
	memset(r, 0, sizeof *r);
	r->store = s;
	r->conf = c;
	r->operator_name = incident_operator(c);
}

/* When the action happened: now, or the time it was first tried (a replay). */
static int64_t
rec_now(const struct recorder *r)
{
	return r->at > 0 ? r->at : wall_ms();
}

/* Inserts an event and queues its notifications; inside a transaction. */
static int64_t
record(struct recorder *r, const struct incident *in, const char *source, const char *kind,
    const char *host, const char *text, int64_t at, int evmask, char **cause)
{
	struct event e = {
		.incident_id = in ? in->id : 0,
		.at = at,
		.source = (char *)source,
		.kind = (char *)kind,
		.host = (char *)host,
		.text = (char *)text,
		/* what the fleet and sitrep itself record has no operator */
		.operator_name = strcmp(source, "fleet") != 0 && strcmp(source, "system") != 0 ?
		    (char *)r->operator_name : NULL,
	};
	int64_t id = store_event_insert(r->store, &e, cause);
	if (id < 0)
		return -1;
	if (evmask && in != NULL && r->conf != NULL &&
	    notify_enqueue(r->store, r->conf, in, id, evmask, text, at, cause) == -1)
		return -1;
	return id;
}

static int
load(struct recorder *r, int64_t id, struct incident *in, char **cause)
{
	if (store_incident_get(r->store, id, in, cause) == -1)
		return -1;
	return 0;
}

/*
 * Loads an incident that may still change: once resolved, only notes and
 * the post-mortem fields do, until it is reopened (which is recorded).
 */
static int
load_open(struct recorder *r, int64_t id, struct incident *in, const char *what, char **cause)
{
	if (load(r, id, in, cause) == -1)
		return -1;
	if (strcmp(in->status, "resolved") == 0) {
		incident_clear(in);
		return set_cause(cause, "incident %lld is resolved: reopen it first ('sitrep incident "
		    "reopen -i %lld') to %s", (long long)id, (long long)id, what);
	}
	return 0;
}

/*
 * Runs body() inside BEGIN IMMEDIATE ... COMMIT, rolling back on failure;
 * with r->key, only if that key was never applied.
 */
#define TRANSACTION(r, cause, body) do {				\
	if (store_begin((r)->store, (cause)) == -1)			\
		return -1;						\
	/* an action with a key is applied once: a replay of it is a no-op */ \
	int claim_ = (r)->key == NULL ? 1 :				\
	    store_claim((r)->store, (r)->key, rec_now(r), (cause));	\
	int tx_ok_ = claim_ == 0 || (claim_ == 1 && (body) == 0);	\
	if (!tx_ok_) {							\
		store_rollback((r)->store);				\
		return -1;						\
	}								\
	if (store_commit((r)->store, (cause)) == -1)			\
		return -1;						\
} while (0)

static const char *const severity_names[4] = { "P0", "P1", "P2", "P3" };

static int
do_open(struct recorder *r, struct incident *in, int64_t backdate, char **cause)
{
	int64_t now = rec_now(r);
	in->opened_at = now;
	if (in->status == NULL)
		in->status = xstrdup("open");
	if (backdate > 0 && backdate < now) {
		if (in->ms[MS_STARTED] == 0)
			in->ms[MS_STARTED] = backdate;
		if (in->ms[MS_DETECTED] == 0)
			in->ms[MS_DETECTED] = backdate;
	}
	if (in->ms[MS_STARTED] == 0)
		in->ms[MS_STARTED] = now;
	if (in->ms[MS_DETECTED] == 0)
		in->ms[MS_DETECTED] = now;
	if (in->reporter == NULL)
		in->reporter = xstrdup(r->operator_name);
	if (in->data_loss_s == 0)
		in->data_loss_s = -1;
	int64_t id = store_incident_insert(r->store, in, cause);
	if (id < 0)
		return -1;
	in->id = id;
	if (backdate > 0) {
		/* the fleet log since the start becomes the incident's first events */
		struct event *ev;
		size_t n;
		if (store_fleet_events_since(r->store, backdate, &ev, &n, cause) == -1)
			return -1;
		for (size_t i = 0; i < n; i++) {
			ev[i].incident_id = id;
			if (store_event_insert(r->store, &ev[i], cause) < 0) {
				events_free(ev, n);
				return -1;
			}
		}
		events_free(ev, n);
	}
	int64_t t = incident_target_s(r->conf, in->severity);
	char tbuf[32];
	fmt_duration(tbuf, sizeof tbuf, t * 1000);
	char *text = xasprintf("incident opened: %s %s%s (response target %s)",
	    severity_names[in->severity], in->title, in->drill ? " [DRILL]" : "", tbuf);
	int64_t rc = record(r, in, "operator", "open", NULL, text, now, NOTIFY_EV_OPEN, cause);
	free(text);
	return rc < 0 ? -1 : 0;
}

int
incident_open(struct recorder *r, struct incident *in, int64_t backdate_to, char **cause)
{
	if (in->title == NULL || *in->title == '\0')
		return set_cause(cause, "an incident needs a title");
	if (in->severity < 0 || in->severity > 3)
		return set_cause(cause, "severity must be P0, P1, P2 or P3");
	TRANSACTION(r, cause, do_open(r, in, backdate_to, cause));
	return 0;
}

static int
do_note(struct recorder *r, int64_t id, const char *text, char **cause)
{
	struct incident in;
	if (load(r, id, &in, cause) == -1)
		return -1;
	char *t = xasprintf("%s: %s", r->operator_name, text);
	int64_t rc = record(r, &in, "operator", "note", NULL, t, rec_now(r), NOTIFY_EV_NOTE, cause);
	free(t);
	incident_clear(&in);
	return rc < 0 ? -1 : 0;
}

int
incident_note(struct recorder *r, int64_t id, const char *text, char **cause)
{
	if (text == NULL || *text == '\0')
		return set_cause(cause, "an empty note");
	TRANSACTION(r, cause, do_note(r, id, text, cause));
	return 0;
}

static int
do_severity(struct recorder *r, int64_t id, int sev, char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "change its severity", cause) == -1)
		return -1;
	if (in.severity == sev) {
		incident_clear(&in);
		return 0;
	}
	int old = in.severity;
	in.severity = sev;
	int rc = store_incident_update(r->store, &in, cause);
	if (rc == 0) {
		char *t = xasprintf("severity %s from %s to %s (by %s)", sev < old ? "raised" : "lowered",
		    severity_names[old], severity_names[sev], r->operator_name);
		rc = record(r, &in, "operator", "severity", NULL, t, rec_now(r), NOTIFY_EV_SEVERITY,
		    cause) < 0 ? -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int
incident_set_severity(struct recorder *r, int64_t id, int sev, char **cause)
{
	if (sev < 0 || sev > 3)
		return set_cause(cause, "severity must be P0, P1, P2 or P3");
	TRANSACTION(r, cause, do_severity(r, id, sev, cause));
	return 0;
}

/* A milestone's time must keep the timeline in order: nothing before the start. */
static int
milestone_in_order(const struct incident *in, enum milestone m, int64_t at, char **cause)
{
	char ts[32], other[32];
	fmt_utc(ts, sizeof ts, at);
	if (m != MS_STARTED && in->ms[MS_STARTED] > 0 && at < in->ms[MS_STARTED]) {
		fmt_utc(other, sizeof other, in->ms[MS_STARTED]);
		return set_cause(cause, "%s at %s would be before the incident started (%s)",
		    milestone_name(m), ts, other);
	}
	if (m == MS_STARTED)
		for (int k = MS_DETECTED; k < MS_COUNT; k++)
			if (in->ms[k] > 0 && in->ms[k] < at) {
				fmt_utc(other, sizeof other, in->ms[k]);
				return set_cause(cause, "started at %s would be after %s (%s)", ts,
				    milestone_name((enum milestone)k), other);
			}
	return 0;
}

static int
do_milestone(struct recorder *r, int64_t id, enum milestone m, int64_t at, char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "move a milestone", cause) == -1)
		return -1;
	int64_t now = rec_now(r);
	if (at <= 0)
		at = now;
	if (milestone_in_order(&in, m, at, cause) == -1) {
		incident_clear(&in);
		return -1;
	}
	int64_t old = in.ms[m];
	in.ms[m] = at;
	if (m == MS_RESOLVED) {
		free(in.status);
		in.status = xstrdup("resolved");
	}
	int rc = store_incident_update(r->store, &in, cause);
	if (rc == 0) {
		char ts[32];
		fmt_utc(ts, sizeof ts, at);
		char *t = old ? xasprintf("milestone %s moved to %s", milestone_name(m), ts) :
		    at < now - 1000 ? xasprintf("milestone: %s (at %s)", milestone_name(m), ts) :
		    xasprintf("milestone: %s", milestone_name(m));
		rc = record(r, &in, "operator", "milestone", NULL, t, now,
		    m == MS_RESOLVED ? NOTIFY_EV_RESOLVE : NOTIFY_EV_MILESTONE, cause) < 0 ? -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int
incident_milestone(struct recorder *r, int64_t id, enum milestone m, int64_t at, char **cause)
{
	if ((unsigned)m >= MS_COUNT)
		return set_cause(cause, "no such milestone");
	if (at > wall_ms() + 60000)
		return set_cause(cause, "a milestone cannot be in the future");
	TRANSACTION(r, cause, do_milestone(r, id, m, at, cause));
	return 0;
}

/*
 * Two operators ticking one item: the first wins, the second is told who
 * did it and when (the incident is locked, so the check sees every commit).
 */
static int
tick_taken(struct recorder *r, int64_t id, const char *list, int index, int checked,
    char **cause)
{
	struct tick *t;
	size_t n;
	if (store_ticks(r->store, id, &t, &n, cause) == -1)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].list, list) != 0 || t[i].item_index != index ||
		    t[i].checked != checked || t[i].operator_name == NULL ||
		    r->operator_name == NULL || strcmp(t[i].operator_name, r->operator_name) == 0)
			continue;
		char when[32];
		fmt_utc(when, sizeof when, t[i].at);
		rc = set_cause(cause, "%s item %d was already %s by %s at %s", list, index + 1,
		    checked ? "ticked" : "unticked", t[i].operator_name, when);
	}
	ticks_free(t, n);
	return rc;
}

static int
do_tick(struct recorder *r, int64_t id, const char *list, int index, const char *item,
    int checked, char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "tick its checklist", cause) == -1)
		return -1;
	if (tick_taken(r, id, list, index, checked, cause) == -1) {
		incident_clear(&in);
		return -1;
	}
	int64_t now = rec_now(r);
	struct tick t = {
		.incident_id = id,
		.list = (char *)list,
		.item_index = index,
		.item = (char *)item,
		.checked = checked,
		.at = now,
		.operator_name = (char *)r->operator_name,
	};
	int rc = store_tick_set(r->store, &t, cause);
	/* the first tick of the triage list starts triage */
	if (rc == 0 && checked && strcmp(list, "triage") == 0 && in.ms[MS_TRIAGE_STARTED] == 0) {
		in.ms[MS_TRIAGE_STARTED] = now;
		rc = store_incident_update(r->store, &in, cause);
		if (rc == 0)
			rc = record(r, &in, "operator", "milestone", NULL, "milestone: triage started",
			    now, NOTIFY_EV_MILESTONE, cause) < 0 ? -1 : 0;
	}
	if (rc == 0) {
		char *text = xasprintf("%s %s: %s", checked ? "[x]" : "[ ]", list, item);
		rc = record(r, &in, "checklist", checked ? "tick" : "untick", NULL, text, now, 0,
		    cause) < 0 ? -1 : 0;
		free(text);
	}
	incident_clear(&in);
	return rc;
}

int
incident_tick(struct recorder *r, int64_t id, const char *list, int index, const char *item,
    int checked, char **cause)
{
	TRANSACTION(r, cause, do_tick(r, id, list, index, item, checked, cause));
	return 0;
}

static int
do_set_runbook(struct recorder *r, int64_t id, const char *path, const char *title, char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "choose a runbook", cause) == -1)
		return -1;
	free(in.runbook_path);
	free(in.runbook_title);
	in.runbook_path = path ? xstrdup(path) : NULL;
	in.runbook_title = title ? xstrdup(title) : NULL;
	int rc = store_incident_update(r->store, &in, cause);
	if (rc == 0) {
		char *t = xasprintf("runbook chosen: %s", title ? title : "(none)");
		rc = record(r, &in, "runbook", "runbook", NULL, t, rec_now(r), 0, cause) < 0 ? -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int
incident_set_runbook(struct recorder *r, int64_t id, const char *path, const char *title,
    char **cause)
{
	TRANSACTION(r, cause, do_set_runbook(r, id, path, title, cause));
	return 0;
}

static int
end_running_steps(struct recorder *r, const struct incident *in, int64_t now, char **cause)
{
	struct step_run *steps;
	size_t n;
	if (store_steps(r->store, in->id, &steps, &n, cause) == -1)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (steps[i].ended_at != 0)
			continue;
		rc = store_step_end(r->store, steps[i].id, now, "skipped", "left for another step", cause);
		if (rc == 0) {
			char *t = xasprintf("step %d skipped: %s", steps[i].number, steps[i].title);
			rc = record(r, in, "runbook", "step", NULL, t, now, 0, cause) < 0 ? -1 : 0;
			free(t);
		}
	}
	step_runs_free(steps, n);
	return rc;
}

/*
 * Two operators starting one step: the first wins; the second is told it
 * runs already and since when, instead of restarting its clock.
 */
static int
step_taken(struct recorder *r, int64_t id, const struct step_run *sr, char **cause)
{
	struct step_run *steps;
	size_t n;
	if (store_steps(r->store, id, &steps, &n, cause) == -1)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		/* the same operator starting it again restarts it, as before */
		if (steps[i].ended_at != 0 || steps[i].step_index != sr->step_index ||
		    steps[i].operator_name == NULL || r->operator_name == NULL ||
		    strcmp(steps[i].operator_name, r->operator_name) == 0 ||
		    (steps[i].runbook == NULL) != (sr->runbook == NULL) ||
		    (sr->runbook != NULL && strcmp(steps[i].runbook, sr->runbook) != 0))
			continue;
		char when[32];
		fmt_utc(when, sizeof when, steps[i].started_at);
		rc = set_cause(cause, "step %d is already running (started by %s at %s)",
		    sr->number, steps[i].operator_name, when);
	}
	step_runs_free(steps, n);
	return rc;
}

static int
do_step_start(struct recorder *r, int64_t id, const struct step_run *sr, int64_t *out,
    char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "start a step", cause) == -1)
		return -1;
	int64_t now = rec_now(r);
	int rc = step_taken(r, id, sr, cause);
	if (rc == 0)
		rc = end_running_steps(r, &in, now, cause);
	struct step_run copy = *sr;
	copy.incident_id = id;
	copy.started_at = now;
	copy.operator_name = (char *)r->operator_name;
	if (rc == 0 && (*out = store_step_insert(r->store, &copy, cause)) < 0)
		rc = -1;
	/* the first runbook step ends triage */
	if (rc == 0 && in.ms[MS_TRIAGE_DONE] == 0) {
		if (in.ms[MS_TRIAGE_STARTED] == 0)
			in.ms[MS_TRIAGE_STARTED] = now;
		in.ms[MS_TRIAGE_DONE] = now;
		rc = store_incident_update(r->store, &in, cause);
		if (rc == 0)
			rc = record(r, &in, "operator", "milestone", NULL, "milestone: triage done", now,
			    NOTIFY_EV_MILESTONE, cause) < 0 ? -1 : 0;
	}
	if (rc == 0) {
		char tb[32] = "";
		if (sr->timebox_s > 0) {
			char a[16];
			fmt_duration(a, sizeof a, sr->timebox_s * 1000);
			snprintf(tb, sizeof tb, " (time box %s)", a);
		}
		char *t = xasprintf("step %d started: %s%s", sr->number, sr->title, tb);
		rc = record(r, &in, "runbook", "step", NULL, t, now, 0, cause) < 0 ? -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int64_t
incident_step_start(struct recorder *r, int64_t id, const struct step_run *sr, char **cause)
{
	int64_t run = -1;
	TRANSACTION(r, cause, do_step_start(r, id, sr, &run, cause));
	return run;
}

static int
do_step_end(struct recorder *r, int64_t id, int64_t run, const char *outcome, const char *note,
    char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "end a step", cause) == -1)
		return -1;
	struct step_run *steps;
	size_t n;
	if (store_steps(r->store, id, &steps, &n, cause) == -1) {
		incident_clear(&in);
		return -1;
	}
	const struct step_run *sr = NULL;
	for (size_t i = 0; i < n; i++)
		if (steps[i].id == run)
			sr = &steps[i];
	int rc = -1;
	if (sr == NULL)
		set_cause(cause, "no step run %lld in incident %lld", (long long)run, (long long)id);
	else if (sr->ended_at != 0)
		set_cause(cause, "step %d already ended (%s)", sr->number, sr->outcome);
	else {
		int64_t now = rec_now(r);
		rc = store_step_end(r->store, run, now, outcome, note, cause);
		if (rc == 0) {
			char took[32];
			fmt_duration(took, sizeof took, now - sr->started_at);
			char *t = xasprintf("step %d %s after %s: %s%s%s", sr->number, outcome, took,
			    sr->title, note && *note ? " - " : "", note && *note ? note : "");
			rc = record(r, &in, "runbook", "step", NULL, t, now, 0, cause) < 0 ? -1 : 0;
			free(t);
		}
	}
	step_runs_free(steps, n);
	incident_clear(&in);
	return rc;
}

int
incident_step_end(struct recorder *r, int64_t id, int64_t run, const char *outcome,
    const char *note, char **cause)
{
	if (strcmp(outcome, "done") && strcmp(outcome, "failed") && strcmp(outcome, "skipped"))
		return set_cause(cause, "a step ends done, failed or skipped");
	TRANSACTION(r, cause, do_step_end(r, id, run, outcome, note, cause));
	return 0;
}

static int
do_command_start(struct recorder *r, int64_t id, int64_t step, const char *host,
    const char *command, int64_t *out, char **cause)
{
	struct incident in;
	if (load_open(r, id, &in, "run a command", cause) == -1)
		return -1;
	int64_t now = rec_now(r);
	struct command_run c = {
		.incident_id = id,
		.step_run_id = step,
		.host = (char *)host,
		.command = (char *)command,
		.started_at = now,
	};
	int rc = (*out = store_command_insert(r->store, &c, cause)) < 0 ? -1 : 0;
	if (rc == 0) {
		char *t = xasprintf("$ %s", command);
		rc = record(r, &in, "command", "command", host, t, now, 0, cause) < 0 ? -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int64_t
incident_command_start(struct recorder *r, int64_t id, int64_t step, const char *host,
    const char *command, char **cause)
{
	int64_t run = -1;
	TRANSACTION(r, cause, do_command_start(r, id, step, host, command, &run, cause));
	return run;
}

static int
do_command_end(struct recorder *r, const struct command_run *c, char **cause)
{
	struct incident in;
	if (load(r, c->incident_id, &in, cause) == -1)
		return -1;
	int rc = store_command_finish(r->store, c, cause);
	if (rc == 0) {
		char took[32], size[32];
		fmt_duration(took, sizeof took, c->duration_ms);
		fmt_bytes(size, sizeof size, (uint64_t)c->output_total);
		char *t;
		if (strcmp(c->status, "cancelled") == 0)
			t = xasprintf("cancelled after %s: %s", took, c->command);
		else if (strcmp(c->status, "failed") == 0)
			t = xasprintf("could not run (%s): %s", c->error ? c->error : "error", c->command);
		else
			t = xasprintf("exit %d after %s, %s of output: %s", c->exit_status, took, size,
			    c->command);
		rc = record(r, &in, "command", "command_end", c->host, t, c->ended_at, 0, cause) < 0 ?
		    -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int
incident_command_end(struct recorder *r, const struct command_run *c, char **cause)
{
	TRANSACTION(r, cause, do_command_end(r, c, cause));
	return 0;
}

static int
do_fleet_event(struct recorder *r, int64_t id, const char *host, const char *kind,
    const char *text, int64_t at, char **cause)
{
	struct incident in;
	memset(&in, 0, sizeof in);
	if (id > 0 && load(r, id, &in, cause) == -1)
		return -1;
	int64_t rc = record(r, id > 0 ? &in : NULL, "fleet", kind, host, text, at, 0, cause);
	incident_clear(&in);
	return rc < 0 ? -1 : 0;
}

int
incident_fleet_event(struct recorder *r, int64_t id, const char *host, const char *kind,
    const char *text, int64_t at, char **cause)
{
	TRANSACTION(r, cause, do_fleet_event(r, id, host, kind, text, at ? at : wall_ms(), cause));
	return 0;
}

static void
take(char **dst, const char *src)
{
	if (src != NULL) {
		free(*dst);
		*dst = xstrdup(src);
	}
}

/* Nonzero when a post-mortem field given would change the recorded one. */
static int
differs(const char *cur, const char *given)
{
	return given != NULL && (cur == NULL || strcmp(cur, given) != 0);
}

static int
do_resolve(struct recorder *r, int64_t id, const struct incident *f,
    const struct action_item *actions, size_t nactions, char **cause)
{
	struct incident in;
	if (load(r, id, &in, cause) == -1)
		return -1;
	int already = strcmp(in.status, "resolved") == 0;
	if (already && f->ms[MS_RESOLVED] > 0) {
		incident_clear(&in);
		return set_cause(cause, "incident %lld is already resolved: reopen it first to move "
		    "its resolution", (long long)id);
	}
	int64_t now = rec_now(r), at = f->ms[MS_RESOLVED] > 0 ? f->ms[MS_RESOLVED] : now;
	if (!already && milestone_in_order(&in, MS_RESOLVED, at, cause) == -1) {
		incident_clear(&in);
		return -1;
	}
	if (already && nactions == 0 && !differs(in.summary, f->summary) &&
	    !differs(in.impact, f->impact) && !differs(in.root_cause, f->root_cause) &&
	    !differs(in.resolution, f->resolution) && !differs(in.prevention, f->prevention) &&
	    !differs(in.went_well, f->went_well) &&
	    !differs(in.needs_improvement, f->needs_improvement) &&
	    (f->data_loss_s < 0 || f->data_loss_s == in.data_loss_s)) {
		incident_clear(&in);
		return set_cause(cause, "incident %lld is already resolved: give a post-mortem "
		    "field that changes, or reopen it", (long long)id);
	}
	take(&in.summary, f->summary);
	take(&in.impact, f->impact);
	take(&in.root_cause, f->root_cause);
	take(&in.resolution, f->resolution);
	take(&in.prevention, f->prevention);
	take(&in.went_well, f->went_well);
	take(&in.needs_improvement, f->needs_improvement);
	if (f->data_loss_s >= 0)
		in.data_loss_s = f->data_loss_s;
	/*
	 * Milestones never recorded stay unrecorded: the report says so rather
	 * than inventing a time to restore.
	 */
	if (!already) {
		in.ms[MS_RESOLVED] = at;
		free(in.status);
		in.status = xstrdup("resolved");
	}
	int rc = store_incident_update(r->store, &in, cause);
	for (size_t i = 0; i < nactions && rc == 0; i++)
		rc = store_action_insert(r->store, id, &actions[i], cause) < 0 ? -1 : 0;
	if (rc == 0 && already) {
		char *t = xasprintf("post-mortem updated (by %s)", r->operator_name);
		rc = record(r, &in, "operator", "postmortem", NULL, t, now, 0, cause) < 0 ? -1 : 0;
		free(t);
	} else if (rc == 0) {
		char took[32], ts[32];
		fmt_duration(took, sizeof took, at - in.ms[MS_STARTED]);
		fmt_utc(ts, sizeof ts, at);
		char *t = at < now - 1000 ? xasprintf("incident resolved after %s (at %s)", took, ts) :
		    xasprintf("incident resolved after %s", took);
		rc = record(r, &in, "operator", "resolve", NULL, t, now, NOTIFY_EV_RESOLVE, cause) < 0 ?
		    -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int
incident_resolve(struct recorder *r, int64_t id, const struct incident *form,
    const struct action_item *actions, size_t nactions, char **cause)
{
	TRANSACTION(r, cause, do_resolve(r, id, form, actions, nactions, cause));
	return 0;
}

static int
do_reopen(struct recorder *r, int64_t id, const char *reason, char **cause)
{
	struct incident in;
	if (load(r, id, &in, cause) == -1)
		return -1;
	if (strcmp(in.status, "resolved") != 0) {
		incident_clear(&in);
		return set_cause(cause, "incident %lld is not resolved", (long long)id);
	}
	char ts[32];
	fmt_utc(ts, sizeof ts, in.ms[MS_RESOLVED]);
	in.ms[MS_RESOLVED] = 0;
	free(in.status);
	in.status = xstrdup("open");
	int rc = store_incident_update(r->store, &in, cause);
	if (rc == 0) {
		char *t = xasprintf("incident reopened by %s (it was resolved at %s)%s%s",
		    r->operator_name, ts, reason ? ": " : "", reason ? reason : "");
		rc = record(r, &in, "operator", "reopen", NULL, t, rec_now(r), NOTIFY_EV_MILESTONE,
		    cause) < 0 ? -1 : 0;
		free(t);
	}
	incident_clear(&in);
	return rc;
}

int
incident_reopen(struct recorder *r, int64_t id, const char *reason, char **cause)
{
	TRANSACTION(r, cause, do_reopen(r, id, reason, cause));
	return 0;
}

static const char *const action_words[] = { "note", "severity", "milestone", "tick" };

const char *
incident_action_word(enum incident_action_kind k)
{
	return (unsigned)k < nitems(action_words) ? action_words[k] : "?";
}

int
incident_action_kind(const char *w)
{
	for (size_t i = 0; i < nitems(action_words); i++)
		if (strcmp(w, action_words[i]) == 0)
			return (int)i;
	return -1;
}

int
incident_apply(struct recorder *r, const struct incident_action *a, char **cause)
{
	switch (a->kind) {
	case ACTION_NOTE:
		return incident_note(r, a->incident, a->text ? a->text : "", cause);
	case ACTION_SEVERITY:
		return incident_set_severity(r, a->incident, a->value, cause);
	case ACTION_MILESTONE:
		return incident_milestone(r, a->incident, (enum milestone)a->value, 0, cause);
	case ACTION_TICK:
		return incident_tick(r, a->incident, a->list ? a->list : "", a->value,
		    a->text ? a->text : "", a->checked, cause);
	}
	return set_cause(cause, "unknown action");
}
