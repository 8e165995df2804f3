/*
 * console: the model behind the screen and the operator's actions. Every
 * action goes through the recorder (incident.c) and is shown only once it
 * is committed: the timeline is read back from the store.
 */
#include "config.h"

#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "console.h"
#include "diff.h"
#include "report.h"
#include "runbook.h"
#include "sanitize.h"

void
console_message(struct console *c, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(c->message);
	c->message = sanitize_str(msg);
	free(msg);
	c->message_error = error;
	c->message_until = mono_ms() + (error ? 15000 : 6000);
	console_dirty(c, PANE_HINTS);
	log_msg("%s", c->message);
}

void
console_dirty(struct console *c, enum pane_id p)
{
	c->dirty |= 1u << p;
}

void
console_dirty_all(struct console *c)
{
	c->dirty = (1u << PANE_COUNT) - 1;
}

void
console_set_view(struct console *c, enum view v)
{
	c->view = v;
	if (c->focus == PANE_HOST || c->focus == PANE_LOGS || c->focus == PANE_INCIDENT)
		c->focus = v == VIEW_HOST ? PANE_HOST : v == VIEW_LOGS ? PANE_LOGS : PANE_INCIDENT;
	console_dirty_all(c);
}

static int
host_matches(struct console *c, size_t i)
{
	if (c->filter == NULL)
		return 1;
	const struct host_snapshot *s = c->snaps[i];
	if (strcasestr(c->conf->hosts[i].name, c->filter))
		return 1;
	if (s != NULL && s->reason && strcasestr(s->reason, c->filter))
		return 1;
	const struct host_data *d = s ? s->data : NULL;
	for (size_t k = 0; d && k < d->ncontainers; k++)
		if (strcasestr(d->containers[k].name, c->filter))
			return 1;
	for (size_t k = 0; d && k < d->nchecks; k++)
		if (strcasestr(d->checks[k].name, c->filter))
			return 1;
	for (size_t k = 0; d && k < d->nhealth; k++)
		if (strcasestr(d->health[k].name, c->filter))
			return 1;
	for (size_t k = 0; k < c->conf->hosts[i].tags.n; k++)
		if (strcasestr(c->conf->hosts[i].tags.v[k], c->filter))
			return 1;
	return 0;
}

size_t
console_visible_hosts(struct console *c, size_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nhosts && n < max; i++)
		if (host_matches(c, i))
			out[n++] = i;
	return n;
}

struct host_snapshot *
console_selected_snapshot(struct console *c)
{
	return c->selected < c->nhosts ? c->snaps[c->selected] : NULL;
}

void
console_reload_timeline(struct console *c)
{
	if (c->store == NULL)
		return;
	events_free(c->events, c->nevents);
	c->events = NULL;
	c->nevents = 0;
	char *cause = NULL;
	if (store_events(c->store, c->inc.id, 500, &c->events, &c->nevents, &cause) == -1) {
		console_message(c, 1, "timeline: %s", cause);
		free(cause);
	}
	console_dirty(c, PANE_TIMELINE);
}

const struct step_run *
console_running_step(struct console *c)
{
	for (size_t i = c->nsteps; i > 0; i--)
		if (c->steps[i - 1].ended_at == 0)
			return &c->steps[i - 1];
	return NULL;
}

static void
load_runbook(struct console *c)
{
	c->runbook.rb = NULL;
	if (c->inc.runbook_path == NULL || c->inc.runbook_title == NULL)
		return;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->lib.ndocs; i++)
			for (size_t k = 0; k < c->lib.docs[i].nrunbooks; k++)
				if (strcmp(c->lib.docs[i].path, c->inc.runbook_path) == 0 &&
				    strcmp(c->lib.docs[i].runbooks[k].title, c->inc.runbook_title) == 0) {
					c->runbook.doc = &c->lib.docs[i];
					c->runbook.rb = &c->lib.docs[i].runbooks[k];
					c->runbook.doc_index = i;
					c->runbook.rb_index = k;
					return;
				}
		if (pass == 0) {
			/* a runbook given by path that the library did not hold */
			struct strv extra;
			memset(&extra, 0, sizeof extra);
			strv_add(&extra, c->inc.runbook_path);
			struct library lib;
			char *cause = NULL;
			if (library_load(&lib, &extra, &cause) == 0) {
				library_free(&c->lib);
				c->lib = lib;
			}
			free(cause);
			strv_free(&extra);
		}
	}
}

void
console_reload(struct console *c)
{
	if (c->store == NULL)
		return;
	int64_t before = c->inc.id;
	struct incident fresh;
	memset(&fresh, 0, sizeof fresh);
	char *cause = NULL;
	int found = store_incident_open_latest(c->store, &fresh, &cause);
	free(cause);
	cause = NULL;
	if (found == -1) {
		/* the store did not answer (a shared one may be away): what is shown stays */
		incident_clear(&fresh);
		return;
	}
	incident_clear(&c->inc);
	c->inc = fresh;
	if (found != 1) {
		incident_clear(&c->inc);
		c->inc.id = 0;
	}
	step_runs_free(c->steps, c->nsteps);
	c->steps = NULL;
	c->nsteps = 0;
	free(c->triage_checked);
	c->triage_checked = xcalloc(c->triage.n + 1, sizeof *c->triage_checked);
	ticks_free(c->ticks, c->nticks);
	c->ticks = NULL;
	c->nticks = 0;
	if (c->inc.id > 0) {
		store_steps(c->store, c->inc.id, &c->steps, &c->nsteps, &cause);
		free(cause);
		cause = NULL;
		if (store_ticks(c->store, c->inc.id, &c->ticks, &c->nticks, &cause) == 0) {
			for (size_t i = 0; i < c->nticks; i++)
				if (strcmp(c->ticks[i].list, "triage") == 0 && c->ticks[i].item_index >= 0 &&
				    (size_t)c->ticks[i].item_index < c->triage.n)
					c->triage_checked[c->ticks[i].item_index] = c->ticks[i].checked;
		}
		free(cause);
		load_runbook(c);
	} else
		c->runbook.rb = NULL;
	if (before != c->inc.id && c->inc.id > 0 && !c->wall && c->view != VIEW_INCIDENT) {
		console_set_view(c, VIEW_INCIDENT);
	}
	if (before != c->inc.id && c->inc.id == 0 && c->view == VIEW_INCIDENT)
		console_set_view(c, VIEW_HOST);
	console_reload_timeline(c);
	console_dirty_all(c);
}

int64_t
console_target_left(struct console *c, int64_t now)
{
	/* the response target runs from detection to triage done (acknowledged and assessed) */
	int64_t start = incident_detected_at(&c->inc);
	int64_t end = c->inc.ms[MS_TRIAGE_DONE] ? c->inc.ms[MS_TRIAGE_DONE] : now;
	return incident_target_s(c->conf, c->inc.severity) * 1000 - (end - start);
}

int64_t
console_rto_left(struct console *c, int64_t now)
{
	if (c->inc.rto_s <= 0)
		return INT64_MIN;
	int64_t start = c->inc.ms[MS_STARTED] ? c->inc.ms[MS_STARTED] : c->inc.opened_at;
	int64_t end = c->inc.ms[MS_RESTORED] ? c->inc.ms[MS_RESTORED] : now;
	return c->inc.rto_s * 1000 - (end - start);
}

/* --- actions ------------------------------------------------------------------------------ */

static int
need_store(struct console *c)
{
	if (c->store == NULL) {
		console_message(c, 1, "NOT RECORDED: no incident store: %s",
		    c->store_problem ? c->store_problem : "?");
		return 0;
	}
	return 1;
}

static int
need_incident(struct console *c)
{
	if (!need_store(c))
		return 0;
	if (c->inc.id <= 0) {
		console_message(c, 1, "no open incident: press i to open one");
		return 0;
	}
	return 1;
}

static void
report_failure(struct console *c, const char *what, char *cause)
{
	console_message(c, 1, "%s NOT RECORDED: %s", what, cause ? cause : "store error");
	free(c->store_problem);
	c->store_problem = xasprintf("store: %s", cause ? cause : "write failed");
	free(cause);
	console_dirty(c, PANE_STATUS);
}

static void
recorded(struct console *c)
{
	free(c->store_problem);
	c->store_problem = NULL;
	console_reload(c);
}

/* --- the local outbox of a shared store ----------------------------------------------- */

/* A fresh idempotency key: 128 random bits in hex. */
static void
action_key(char *key, size_t size)
{
	unsigned char r[16];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		/* no entropy to be had: the time, the pid and a counter are unique enough */
		static unsigned n;
		snprintf(key, size, "%llx-%x-%x", (unsigned long long)wall_ms(),
		    (unsigned)getpid(), ++n);
		return;
	}
	for (size_t i = 0; i < sizeof r && 2 * i + 2 < size; i++)
		snprintf(key + 2 * i, 3, "%02x", r[i]);
}

/* Opens the local outbox beside the default store; -1 with *cause. */
static int
pending_open(struct console *c, char **cause)
{
	if (c->pending != NULL)
		return 0;
	char *dir = xdg_dir("data");
	char *path = xasprintf("%s/pending.db", dir);
	free(dir);
	int rc = store_open(path, 0, &c->pending, cause);
	free(path);
	return rc;
}

/* How many actions wait for the shared store (after a restart too). */
static void
pending_count(struct console *c)
{
	struct pending_action *v;
	size_t n;
	c->npending = 0;
	if (c->pending == NULL || store_pending(c->pending, store_name(c->store), &v, &n, NULL) == -1)
		return;
	c->npending = (int64_t)n;
	pending_actions_free(v, n);
	console_dirty(c, PANE_STATUS);
}

/* Keeps an action the shared store could not take; 0 once it is kept durably. */
static int
pending_keep(struct console *c, const struct incident_action *a, const char *key, int64_t at,
    char **cause)
{
	if (pending_open(c, cause) == -1)
		return -1;
	struct pending_action p = {
		.key = (char *)key,
		.incident = a->incident,
		.kind = (char *)incident_action_word(a->kind),
		.at = at,
		.operator_name = (char *)c->rec.operator_name,
		.list = a->list,
		.value = a->value,
		.checked = a->checked,
		.text = a->text,
	};
	if (store_begin(c->pending, cause) == -1 ||
	    store_pending_add(c->pending, store_name(c->store), &p, cause) == -1 ||
	    store_commit(c->pending, cause) == -1) {
		store_rollback(c->pending);
		return -1;
	}
	pending_count(c);
	return 0;
}

/*
 * Records an operator's action. On a shared store that is away, the action
 * is kept in the local outbox with its time and key, and replayed when the
 * store is back (pending_replay): nothing is lost, nothing is applied twice.
 */
static void
console_act(struct console *c, const struct incident_action *a, const char *what)
{
	char key[40];
	action_key(key, sizeof key);
	c->rec.key = key;
	c->rec.at = wall_ms();
	int64_t at = c->rec.at;
	char *cause = NULL;
	/* behind actions already waiting, a new one waits too: they keep their order */
	int rc = c->npending > 0 ? -1 : incident_apply(&c->rec, a, &cause);
	c->rec.key = NULL;
	c->rec.at = 0;
	if (rc == 0) {
		recorded(c);
		return;
	}
	if (c->store != NULL && store_is_shared(c->store) && !c->wall &&
	    (c->npending > 0 || !store_is_connected(c->store))) {
		char *why = NULL;
		if (pending_keep(c, a, key, at, &why) == 0) {
			console_message(c, 1, "%s kept here: the shared store is away (%lld waiting)",
			    what, (long long)c->npending);
			free(cause);
			return;
		}
		free(cause);
		cause = why;
	}
	report_failure(c, what, cause);
}

/* One waiting action, applied with its own key, time and operator: 0, or -1 to stop. */
static int
pending_apply(struct console *c, const struct pending_action *p)
{
	struct incident_action a = {
		.kind = (enum incident_action_kind)incident_action_kind(p->kind),
		.incident = p->incident,
		.text = p->text,
		.list = p->list,
		.value = p->value,
		.checked = p->checked,
	};
	struct recorder r = c->rec;
	r.key = p->key;
	r.at = p->at;
	if (p->operator_name != NULL)
		r.operator_name = p->operator_name;
	char *cause = NULL;
	if (incident_action_kind(p->kind) >= 0 && incident_apply(&r, &a, &cause) == 0)
		return 0;
	if (!store_is_connected(c->store)) {
		free(cause);
		return -1;	/* still away: try again later, in the same order */
	}
	/* refused for a reason of its own (another operator was first): said, and dropped */
	console_message(c, 1, "a %s kept while the store was away was not applied: %s", p->kind,
	    cause ? cause : "refused");
	free(cause);
	return 0;
}

/* Replays the local outbox in order once the shared store answers again. */
static void
pending_replay(struct console *c)
{
	if (c->npending == 0 || c->store == NULL || c->pending == NULL || c->wall)
		return;
	store_data_version(c->store);	/* tries a lost connection again */
	if (!store_is_connected(c->store))
		return;
	struct pending_action *v;
	size_t n;
	if (store_pending(c->pending, store_name(c->store), &v, &n, NULL) == -1)
		return;
	for (size_t i = 0; i < n; i++)
		if (pending_apply(c, &v[i]) == -1 || store_pending_done(c->pending, v[i].seq, NULL) == -1)
			break;
	pending_actions_free(v, n);
	pending_count(c);
	if (c->npending == 0)
		console_message(c, 0, "the shared store is back: every kept action is recorded");
	console_reload(c);
}


static const char *const severities[] = { "P0 (respond < 15 min)", "P1 (< 1 h)", "P2 (< 4 h)",
	"P3 (< 1 day)" };
static const char *const impacts[] = { "critical", "high", "low", "none" };
static const char *const unknown_yes_no[] = { "unknown", "yes", "no" };

/* The incident form's "Started" choices: the first problem seen, or now. */
struct open_ctx {
	int64_t first_bad;
	char when[64];
	const char *starts[2];
};

/* The first problem after the last time all was well (6 h back at most); 0 if none. */
static int64_t
first_problem(struct console *c)
{
	struct event *ev;
	size_t nev;
	char *cause = NULL;
	int64_t first_bad = 0;
	if (store_fleet_events_since(c->store, wall_ms() - 6 * 3600 * 1000LL, &ev, &nev, &cause) == 0) {
		for (size_t i = nev; i > 0; i--) {
			if (strcmp(ev[i - 1].kind, "recovered") == 0 || strcmp(ev[i - 1].kind, "back") == 0)
				break;
			first_bad = ev[i - 1].at;
		}
		events_free(ev, nev);
	}
	free(cause);
	return first_bad;
}

static void
open_incident_done(struct console *c, struct dialog *d, int ok)
{
	struct open_ctx *o = d->ctx;
	struct field *f = d->fields;
	int64_t backdate = o->first_bad && f[7].choice == 0 ? o->first_bad : 0;
	free(o);
	if (!ok || !need_store(c))
		return;
	struct incident in;
	memset(&in, 0, sizeof in);
	in.title = xstrdup(f[0].value);
	in.severity = f[1].choice;
	in.hosts = f[2].value && *f[2].value ? xstrdup(f[2].value) : NULL;
	in.services = f[3].value && *f[3].value ? xstrdup(f[3].value) : NULL;
	in.users_impacted = f[4].choice == 0 ? -1 : f[4].choice == 1 ? 1 : 0;
	in.business_impact = xstrdup(impacts[f[5].choice]);
	in.drill = f[6].toggle;
	in.data_loss_s = -1;
	char *h0 = in.hosts ? xstrndup(in.hosts, strcspn(in.hosts, ",")) : NULL;
	char *s0 = in.services ? xstrndup(in.services, strcspn(in.services, ",")) : NULL;
	in.rto_s = conf_rto(c->conf, h0, s0);
	in.rpo_s = conf_rpo(c->conf, h0, s0);
	free(h0);
	free(s0);
	char *cause = NULL;
	if (incident_open(&c->rec, &in, backdate, &cause) == -1)
		report_failure(c, "incident", cause);
	else {
		console_message(c, 0, "incident #%lld opened: triage first (Space ticks an item)",
		    (long long)in.id);
		recorded(c);
		console_set_view(c, VIEW_INCIDENT);
		c->focus = PANE_INCIDENT;
		c->at = (struct incident_row){ ROW_TRIAGE, 0, 0 };
	}
	incident_clear(&in);
}

void
console_open_incident_form(struct console *c)
{
	if (!need_store(c))
		return;
	/* hosts not OK are the affected ones by default */
	struct strv bad;
	memset(&bad, 0, sizeof bad);
	for (size_t i = 0; i < c->nhosts; i++)
		if (c->snaps[i] && c->snaps[i]->state >= STATE_WARN)
			strv_add(&bad, c->snaps[i]->host);
	struct open_ctx *o = xcalloc(1, sizeof *o);
	o->first_bad = first_problem(c);
	snprintf(o->when, sizeof o->when, "now");
	if (o->first_bad > 0) {
		char ts[16];
		fmt_utc_hms(ts, sizeof ts, o->first_bad);
		snprintf(o->when, sizeof o->when, "first problem seen (%s UTC)", ts);
	}
	o->starts[0] = o->when;
	o->starts[1] = "now";
	struct field f[] = {
		{ .label = "Title", .kind = FIELD_TEXT, .required = 1 },
		{ .label = "Severity", .kind = FIELD_CHOICE, .choices = severities, .nchoices = 4, .choice = 1 },
		{ .label = "Hosts", .kind = FIELD_TEXT, .value = strv_join(&bad, ",") },
		{ .label = "Services", .kind = FIELD_TEXT },
		{ .label = "Users impacted", .kind = FIELD_CHOICE, .choices = unknown_yes_no, .nchoices = 3 },
		{ .label = "Business impact", .kind = FIELD_CHOICE, .choices = impacts, .nchoices = 4, .choice = 1 },
		{ .label = "Drill", .kind = FIELD_TOGGLE },
		{ .label = "Started", .kind = FIELD_CHOICE, .choices = o->starts,
		    .nchoices = o->first_bad ? 2 : 1 },
	};
	strv_free(&bad);
	console_form(c, "Open an incident", f, (int)nitems(f), open_incident_done, o, free);
}

static void
note_done(struct console *c, struct dialog *d, int ok)
{
	const char *text = dialog_text(d);
	if (!ok || *text == '\0' || !need_incident(c))
		return;
	struct incident_action a = { .kind = ACTION_NOTE, .incident = c->inc.id, .text = (char *)text };
	console_act(c, &a, "note");
}

void
console_note(struct console *c)
{
	if (!need_incident(c))
		return;
	console_prompt(c, "Note", "note", NULL, note_done, NULL, NULL);
}

static void
severity_done(struct console *c, struct dialog *d, int ok)
{
	if (!ok || d->choice == c->inc.severity || !need_incident(c))
		return;
	struct incident_action a = { .kind = ACTION_SEVERITY, .incident = c->inc.id,
	    .value = d->choice };
	console_act(c, &a, "severity");
}

void
console_severity(struct console *c)
{
	if (!need_incident(c))
		return;
	console_menu(c, "Severity", (char *const *)severities, 4, c->inc.severity, severity_done,
	    NULL, NULL);
}

static void
milestone_done(struct console *c, struct dialog *d, int ok)
{
	if (!ok || !need_incident(c))
		return;
	struct incident_action a = { .kind = ACTION_MILESTONE, .incident = c->inc.id,
	    .value = d->choice };
	console_act(c, &a, "milestone");
}

void
console_milestone(struct console *c)
{
	if (!need_incident(c))
		return;
	char *items[MS_COUNT];
	for (int m = 0; m < MS_COUNT; m++) {
		char ts[16] = "";
		if (c->inc.ms[m])
			fmt_utc_hms(ts, sizeof ts, c->inc.ms[m]);
		items[m] = xasprintf("%-15s %s", milestone_name(m), c->inc.ms[m] ? ts : "-");
	}
	console_menu(c, "Milestone reached now", items, MS_COUNT - 1, MS_MITIGATED, milestone_done,
	    NULL, NULL);
	for (int m = 0; m < MS_COUNT; m++)
		free(items[m]);
}

/* ctx: the library index of each item */
static void
runbook_done(struct console *c, struct dialog *d, int ok)
{
	size_t *map = d->ctx;
	size_t chosen = ok ? map[d->choice] : 0;
	free(map);
	if (!ok || !need_incident(c) || chosen >= library_count(&c->lib))
		return;
	struct runbook_ref ref;
	library_nth(&c->lib, chosen, &ref);
	char *cause = NULL;
	if (incident_set_runbook(&c->rec, c->inc.id, ref.doc->path, ref.rb->title, &cause) == -1) {
		report_failure(c, "runbook", cause);
		return;
	}
	recorded(c);
	/* the cursor on the first step */
	c->at = (struct incident_row){ ROW_STEP, 0, 0 };
}

void
console_choose_runbook(struct console *c)
{
	if (!need_incident(c))
		return;
	size_t total = library_count(&c->lib);
	if (total == 0) {
		console_message(c, 1, "no runbooks found (see 'sitrep runbook list')");
		return;
	}
	size_t sugg[3];
	char *why[3];
	size_t ns = library_suggest(&c->lib, c->snaps, c->nhosts, sugg, why, 3);
	int n = (int)(ns + total);
	char **items = xcalloc((size_t)n, sizeof *items);
	size_t *map = xcalloc((size_t)n, sizeof *map);
	for (size_t i = 0; i < ns; i++) {
		struct runbook_ref ref;
		library_nth(&c->lib, sugg[i], &ref);
		items[i] = xasprintf("suggested: %s  (%s)", ref.rb->title, why[i]);
		map[i] = sugg[i];
		free(why[i]);
	}
	for (size_t k = 0; k < total; k++) {
		struct runbook_ref ref;
		library_nth(&c->lib, k, &ref);
		const char *base = strrchr(ref.doc->path, '/');
		items[ns + k] = xasprintf("%s  [%s, %zu steps]", ref.rb->title, base ? base + 1 :
		    ref.doc->path, ref.rb->nsteps);
		map[ns + k] = k;
	}
	console_menu(c, "Runbook", items, n, 0, runbook_done, map, free);
	for (int i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

void
console_toggle_tick(struct console *c, int index)
{
	if (!need_incident(c) || index < 0 || (size_t)index >= c->triage.n)
		return;
	struct incident_action a = { .kind = ACTION_TICK, .incident = c->inc.id,
	    .list = "triage", .value = index, .text = c->triage.v[index],
	    .checked = !c->triage_checked[index] };
	console_act(c, &a, "tick");
}

int
console_step_check_ticked(struct console *c, int step, int item)
{
	char list[32];
	snprintf(list, sizeof list, "step %d", step + 1);
	for (size_t i = 0; i < c->nticks; i++)
		if (c->ticks[i].item_index == item && strcmp(c->ticks[i].list, list) == 0)
			return c->ticks[i].checked;
	return 0;
}

void
console_toggle_step_check(struct console *c, int step, int item)
{
	if (!need_incident(c) || c->runbook.rb == NULL || step < 0 ||
	    (size_t)step >= c->runbook.rb->nsteps ||
	    item < 0 || (size_t)item >= c->runbook.rb->steps[step].checklist.n)
		return;
	char list[32];
	snprintf(list, sizeof list, "step %d", step + 1);
	struct incident_action a = { .kind = ACTION_TICK, .incident = c->inc.id, .list = list,
	    .value = item, .text = c->runbook.rb->steps[step].checklist.v[item],
	    .checked = !console_step_check_ticked(c, step, item) };
	console_act(c, &a, "tick");
}

void
console_step_start(struct console *c, int step)
{
	if (!need_incident(c) || c->runbook.rb == NULL || step < 0 ||
	    (size_t)step >= c->runbook.rb->nsteps)
		return;
	const struct runbook_step *st = &c->runbook.rb->steps[step];
	struct step_run sr = {
		.runbook = c->runbook.rb->title,
		.step_index = step,
		.number = st->number ? st->number : step + 1,
		.title = st->title,
		.timebox_s = st->timebox_s,
		.timebox_max_s = st->timebox_max_s,
	};
	char *cause = NULL;
	if (incident_step_start(&c->rec, c->inc.id, &sr, &cause) < 0)
		report_failure(c, "step", cause);
	else
		recorded(c);
}


/* ctx: the step run's id and the outcome */
struct step_end_ctx {
	int64_t id;
	char outcome[16];
};

static void
step_end_done(struct console *c, struct dialog *d, int ok)
{
	struct step_end_ctx *s = d->ctx;
	const char *note = dialog_text(d);
	char *cause = NULL;
	if (ok && need_incident(c)) {
		if (incident_step_end(&c->rec, c->inc.id, s->id, s->outcome, *note ? note : NULL,
		    &cause) == -1)
			report_failure(c, "step", cause);
		else
			recorded(c);
	}
	free(s);
}

void
console_step_end(struct console *c, const char *outcome)
{
	if (!need_incident(c))
		return;
	const struct step_run *sr = console_running_step(c);
	if (sr == NULL) {
		console_message(c, 1, "no step is running (s starts the selected one)");
		return;
	}
	struct step_end_ctx *s = xcalloc(1, sizeof *s);
	s->id = sr->id;
	snprintf(s->outcome, sizeof s->outcome, "%s", outcome);
	char *title = xasprintf("Step %d %s", sr->number, outcome);
	console_prompt(c, title, "note (optional)", NULL, step_end_done, s, free);
	free(title);
}


/*
 * The names a placeholder of this kind may take on the host, as it last
 * reported them: its containers for <container>; its units, then its
 * containers (a compose service is a container) for <unit> or <service>.
 */
static void
console_known_names(struct console *c, size_t host, enum placeholder_kind kind, struct strv *out)
{
	const struct host_snapshot *s = c->snaps != NULL && host < c->nhosts ? c->snaps[host] : NULL;
	const struct host_data *d = s != NULL ? s->data : NULL;
	if (d == NULL || kind == PLACEHOLDER_TEXT)
		return;
	if (kind == PLACEHOLDER_UNIT)
		for (size_t i = 0; i < d->nunits && out->n < 100; i++)
			if (d->units[i].name != NULL && strv_find(out, d->units[i].name) == -1)
				strv_add(out, d->units[i].name);
	for (size_t i = 0; i < d->ncontainers && out->n < 100; i++)
		if (d->containers[i].name != NULL && strv_find(out, d->containers[i].name) == -1)
			strv_add(out, d->containers[i].name);
}
/* The running command's row, as its end will record it. */
static void
job_row(const struct console *c, struct command_run *cr)
{
	const struct job_view *j = &c->job;
	memset(cr, 0, sizeof *cr);
	cr->id = j->run_id;
	cr->incident_id = c->inc.id;
	cr->step_run_id = j->step_run_id;
	cr->host = (char *)c->conf->hosts[j->host].name;
	cr->command = j->command;
	cr->ended_at = wall_ms();
}

/* A command's end (its JOB_DONE message): recorded, then shown as recorded. */
void
console_job_done(struct console *c, struct fleet_msg *p)
{
	struct job_view *j = &c->job;
	if (p->job_id != j->job_id || p->kind != FLEET_MSG_JOB_DONE)
		return;
	struct command_run cr;
	job_row(c, &cr);
	cr.exit_status = p->result.exit_status;
	cr.duration_ms = p->result.duration_ms;
	cr.output = p->result.output;
	cr.output_len = p->result.output_len;
	cr.output_total = (int64_t)p->result.output_total;
	cr.error = p->error;
	cr.status = p->error ? "failed" : p->result.cancelled ? "cancelled" : "done";
	char *cause = NULL;
	if (c->store != NULL && incident_command_end(&c->rec, &cr, &cause) == -1)
		console_message(c, 1, "command result NOT RECORDED: %s", cause ? cause : "?");
	else if (p->error != NULL)
		console_message(c, 1, "could not run: %s", p->error);
	else if (p->result.cancelled)
		console_message(c, 0, "cancelled: the command was stopped on the host");
	else
		console_message(c, p->result.exit_status != 0, "exit %d", p->result.exit_status);
	free(cause);
	j->finished = 1;
	j->exit_status = p->result.exit_status;
	free(j->status);
	j->status = xstrdup(cr.status);
	j->job_id = 0;
	console_reload_timeline(c);
	console_dirty(c, PANE_INCIDENT);
}

/*
 * Every way out of the console (q, a signal, a lost terminal) ends the
 * running command on the host and records it as cancelled: no record is
 * left "running" for ever. The host gets CONSOLE_QUIT_WAIT_MS to confirm.
 */
#define CONSOLE_QUIT_WAIT_MS 10000

void
console_job_quit(struct console *c)
{
	if (c->job.job_id == 0 || c->fleet == NULL)
		return;
	int64_t job = c->job.job_id;
	fleet_job_cancel(c->fleet, job);
	int64_t deadline = mono_ms() + CONSOLE_QUIT_WAIT_MS;
	while (c->job.job_id == job && mono_ms() < deadline) {
		if (c->wake_rd < 0)
			poll(NULL, 0, 100);
		else if (wait_readable(c->wake_rd, 100))
			wake_drain(c->wake_rd);
		struct fleet_msg *m = fleet_take_messages(c->fleet);
		for (struct fleet_msg *p = m; p != NULL; p = p->next)
			if (p->job_id == job && p->kind == FLEET_MSG_JOB_DONE)
				console_job_done(c, p);
		fleet_msg_free(m);
	}
	if (c->job.job_id != job || c->store == NULL)
		return;
	struct command_run cr;
	job_row(c, &cr);
	cr.exit_status = -1;
	cr.duration_ms = mono_ms() - c->job.started_mono;
	cr.output = (char *)c->job.output.data;
	cr.output_len = c->job.output.len;
	cr.output_total = (int64_t)c->job.total;
	cr.status = "cancelled";
	cr.error = (char *)"the console quit; the host did not confirm the cancel";
	char *cause = NULL;
	if (incident_command_end(&c->rec, &cr, &cause) == -1)
		fprintf(stderr, "sitrep: the cancelled command was NOT RECORDED: %s\n",
		    cause ? cause : "?");
	free(cause);
	c->job.job_id = 0;
}

void
console_cancel_job(struct console *c)
{
	if (c->job.job_id == 0) {
		console_message(c, 0, "nothing is running");
		return;
	}
	fleet_job_cancel(c->fleet, c->job.job_id);
	console_message(c, 0, "cancelling...");
}

/*
 * A command on its way to running: its placeholders are asked for one by
 * one (a menu of the host's names, or typed), then the operator confirms
 * exactly what runs. Each dialog's continuation takes the next step.
 */
struct run_ctx {
	size_t host;
	char *text;			/* the runbook's command */
	struct strv placeholders;
	struct strv values;		/* one per placeholder asked so far */
	struct strv known;		/* the names offered for the one asked now */
	char *command;			/* filled in, once every value is known */
};

static void
run_ctx_free(void *arg)
{
	struct run_ctx *r = arg;
	free(r->text);
	strv_free(&r->placeholders);
	strv_free(&r->values);
	strv_free(&r->known);
	free(r->command);
	free(r);
}

static void run_next(struct console *, struct run_ctx *);

static void
value_typed(struct console *c, struct dialog *d, int ok)
{
	struct run_ctx *r = d->ctx;
	if (!ok || *dialog_text(d) == '\0') {
		run_ctx_free(r);
		return;
	}
	strv_add(&r->values, dialog_text(d));
	run_next(c, r);
}

/* Asks for the value as typed text: one literal word, unless the runbook made it raw. */
static void
ask_typed(struct console *c, struct run_ctx *r)
{
	const char *placeholder = r->placeholders.v[r->values.n];
	char *name = sanitize_str(placeholder);
	char *label = runbook_placeholder_is_raw(placeholder) ?
	    xasprintf("%s (raw: shell code, inserted as typed)", name) : xstrdup(name);
	free(name);
	console_prompt(c, "Value needed", label, NULL, value_typed, r, run_ctx_free);
	free(label);
}

static void
value_chosen(struct console *c, struct dialog *d, int ok)
{
	struct run_ctx *r = d->ctx;
	if (!ok) {
		run_ctx_free(r);
		return;
	}
	if (d->choice >= 0 && (size_t)d->choice < r->known.n) {
		strv_add(&r->values, r->known.v[d->choice]);
		run_next(c, r);
	} else
		ask_typed(c, r);
}

/*
 * A placeholder's value: one of the names the host has, when it names a
 * container or a unit, or typed.
 */
static void
ask_value(struct console *c, struct run_ctx *r)
{
	const char *placeholder = r->placeholders.v[r->values.n];
	strv_free(&r->known);
	if (!runbook_placeholder_is_raw(placeholder))
		console_known_names(c, r->host, runbook_placeholder_kind(placeholder), &r->known);
	if (r->known.n == 0) {
		ask_typed(c, r);
		return;
	}
	char **items = xcalloc(r->known.n + 1, sizeof *items);
	for (size_t i = 0; i < r->known.n; i++)
		items[i] = r->known.v[i];
	items[r->known.n] = "another value (type it)";
	char *name = sanitize_str(placeholder);
	char *title = xasprintf("Value needed: %s", name);
	console_menu(c, title, items, (int)r->known.n + 1, 0, value_chosen, r, run_ctx_free);
	free(title);
	free(name);
	free(items);
}

/* Records the command's start, then starts it; nothing runs off the record. */
static void
job_start(struct console *c, size_t host, char *command)
{
	char *cause = NULL;
	const char *hname = c->conf->hosts[host].name;
	const struct step_run *sr = console_running_step(c);
	int64_t step_run = sr ? sr->id : 0;
	int64_t run = incident_command_start(&c->rec, c->inc.id, step_run, hname, command, &cause);
	if (run < 0) {
		report_failure(c, "command", cause);
		free(command);
		return;
	}
	int64_t job = fleet_job_start(c->fleet, host, command, &cause);
	struct job_view *j = &c->job;
	free(j->command);
	free(j->status);
	buf_free(&j->output);
	memset(j, 0, sizeof *j);
	j->command = command;
	j->host = host;
	j->run_id = run;
	j->step_run_id = step_run;
	j->started_mono = mono_ms();
	j->exit_status = -1;
	if (job < 0) {
		/* refused before it started: its end is recorded at once */
		struct command_run cr;
		job_row(c, &cr);
		cr.exit_status = -1;
		cr.status = "failed";
		cr.error = cause;
		char *c2 = NULL;
		incident_command_end(&c->rec, &cr, &c2);
		free(c2);
		console_message(c, 1, "refused: %s", cause ? cause : "?");
		free(cause);
		j->finished = 1;
		j->status = xstrdup("failed");
		recorded(c);
		return;
	}
	j->job_id = job;
	j->status = xstrdup("running");
	console_message(c, 0, "running on %s (Ctrl-C cancels)", hname);
	recorded(c);
}

static void
run_confirmed(struct console *c, struct dialog *d, int ok)
{
	struct run_ctx *r = d->ctx;
	if (!ok)
		console_message(c, 0, "not run");
	else if (c->job.job_id != 0)
		console_message(c, 1, "a command is running: wait, or Ctrl-C cancels it");
	else if (need_incident(c)) {
		job_start(c, r->host, r->command);
		r->command = NULL;
	}
	run_ctx_free(r);
}

/* The next placeholder, or, once all are known, the confirmation. */
static void
run_next(struct console *c, struct run_ctx *r)
{
	if (r->values.n < r->placeholders.n) {
		ask_value(c, r);
		return;
	}
	r->command = runbook_fill_placeholders(r->text, &r->placeholders, &r->values);
	const char *hname = c->conf->hosts[r->host].name;
	const char *why = runbook_destructive_reason(r->command);
	char *warn = why != NULL ? xasprintf("This command is DESTRUCTIVE (%s). Type the host "
	    "name to run it.", why) : xstrdup("Enter runs it, Esc cancels.");
	char *body = xasprintf("Run on %s:\n\n  %s\n\n%s", hname, r->command, warn);
	free(warn);
	console_confirm(c, why != NULL ? "Run a destructive command" : "Run a command", body,
	    why != NULL ? hname : NULL, run_confirmed, r, run_ctx_free);
	free(body);
}

void
console_run_command(struct console *c, int step, int cmd)
{
	if (!need_incident(c) || c->runbook.rb == NULL)
		return;
	if (c->job.job_id != 0) {
		console_message(c, 1, "a command is running: wait, or Ctrl-C cancels it");
		return;
	}
	const struct runbook_command *rc = &c->runbook.rb->steps[step].commands[cmd];
	int hi = runbook_command_host(c->conf, rc->host, (int)c->selected);
	if (hi < 0) {
		console_message(c, 1, "not run: the runbook runs it on %s, which is not in the fleet",
		    rc->host);
		return;
	}
	/* the dialogs outlive the runbook's memory (a reload): the command is copied */
	struct run_ctx *r = xcalloc(1, sizeof *r);
	r->host = (size_t)hi;
	r->text = xstrdup(rc->text);
	strv_copy(&r->placeholders, &rc->placeholders);
	run_next(c, r);
}


/* The running command's output or end (a worker's message). */
static void
job_message(struct console *c, struct fleet_msg *p)
{
	struct job_view *j = &c->job;
	if (p->job_id != j->job_id)
		return;
	if (p->kind == FLEET_MSG_JOB_OUTPUT) {
		j->total += p->len;
		if (j->output.len < JOB_OUTPUT_KEEP)
			buf_add(&j->output, p->data, p->len);
		console_dirty(c, PANE_INCIDENT);
	} else if (p->kind == FLEET_MSG_JOB_DONE)
		console_job_done(c, p);
}

static void
resolve_done(struct console *c, struct dialog *d, int ok)
{
	struct field *f = d->fields;
	if (!ok || !need_incident(c))
		return;
	struct incident form;
	memset(&form, 0, sizeof form);
	char **dst[] = { &form.summary, &form.impact, &form.root_cause, &form.resolution,
		&form.prevention, &form.went_well, &form.needs_improvement };
	for (size_t i = 0; i < nitems(dst); i++)
		if (f[i].value && *f[i].value)
			*dst[i] = xstrdup(f[i].value);
	form.data_loss_s = f[7].value && *f[7].value ? conf_parse_duration(f[7].value) : -1;
	struct action_item action;
	memset(&action, 0, sizeof action);
	size_t nactions = 0;
	if (f[8].value && *f[8].value) {
		char *s = xstrdup(f[8].value);
		char *owner = strchr(s, ';'), *kind = NULL;
		if (owner) {
			*owner++ = '\0';
			kind = strchr(owner, ';');
			if (kind)
				*kind++ = '\0';
		}
		action.text = xstrdup(s);
		action.owner = owner && *owner ? xstrdup(owner) : NULL;
		action.kind = kind && *kind ? xstrdup(kind) : NULL;
		nactions = 1;
		free(s);
	}
	char *cause = NULL;
	const struct step_run *sr = console_running_step(c);
	if (sr != NULL && incident_step_end(&c->rec, c->inc.id, sr->id, "skipped", "incident resolved",
	    &cause) == -1)
		report_failure(c, "step", cause);
	else if (incident_resolve(&c->rec, c->inc.id, &form, &action, nactions, &cause) == -1)
		report_failure(c, "resolve", cause);
	else {
		console_message(c, 0, "resolved: 'sitrep report %lld' writes the report",
		    (long long)c->inc.id);
		recorded(c);
	}
	incident_clear(&form);
	action_item_clear(&action);
}

void
console_resolve(struct console *c)
{
	if (!need_incident(c))
		return;
	struct field f[] = {
		{ .label = "Summary", .kind = FIELD_TEXT },
		{ .label = "Impact", .kind = FIELD_TEXT },
		{ .label = "Root cause", .kind = FIELD_TEXT },
		{ .label = "Resolution", .kind = FIELD_TEXT },
		{ .label = "Prevention", .kind = FIELD_TEXT },
		{ .label = "What went well", .kind = FIELD_TEXT },
		{ .label = "Needs improvement", .kind = FIELD_TEXT },
		{ .label = "Data loss (e.g. 0s, 5m)", .kind = FIELD_TEXT },
		{ .label = "Action item (text;owner;kind)", .kind = FIELD_TEXT },
	};
	console_form(c, "Resolve the incident (empty fields: to be written)", f, (int)nitems(f),
	    resolve_done, NULL, NULL);
}

/* ctx: the incident to report */
static void
export_done(struct console *c, struct dialog *d, int ok)
{
	int64_t id = *(int64_t *)d->ctx;
	free(d->ctx);
	const char *path = dialog_text(d);
	if (!ok || *path == '\0' || !need_store(c))
		return;
	char *text = NULL, *cause = NULL;
	if (report_markdown(c->store, c->conf, id, &text, &cause) == -1 ||
	    file_write_atomic(path, text, strlen(text), &cause) == -1)
		console_message(c, 1, "report: %s", cause ? cause : "failed");
	else
		console_message(c, 0, "report written to %s", path);
	free(cause);
	free(text);
}

void
console_export_report(struct console *c)
{
	if (!need_store(c))
		return;
	int64_t id = c->inc.id;
	if (id <= 0) {
		/* the latest incident, open or not */
		struct incident *list;
		size_t n;
		char *cause = NULL;
		if (store_incident_list(c->store, 0, &list, &n, &cause) == 0 && n > 0)
			id = list[n - 1].id;
		incidents_free(list, n);
		free(cause);
	}
	if (id <= 0) {
		console_message(c, 1, "no incident to report");
		return;
	}
	int64_t *ctx = xcalloc(1, sizeof *ctx);
	*ctx = id;
	console_prompt(c, "Export the report", "file",
	    xasprintf("sitrep-incident-%lld.md", (long long)id), export_done, ctx, free);
}


void
console_request_logs(struct console *c)
{
	struct host_snapshot *s = console_selected_snapshot(c);
	const struct host_data *d = s ? s->data : NULL;
	int item = c->host_item;
	const char *name = NULL;
	int unit = 0;
	if (d != NULL && item >= 0 && (size_t)item < d->ncontainers)
		name = d->containers[item].name;
	else if (d != NULL && item >= 0 && (size_t)item < d->ncontainers + d->nunits) {
		name = d->units[item - d->ncontainers].name;
		unit = 1;
	}
	if (name == NULL) {
		console_message(c, 1, "select a container or unit in the host pane first");
		return;
	}
	free(c->logs_title);
	c->logs_title = xasprintf("%s: %s", c->conf->hosts[c->selected].name, name);
	strv_free(&c->logs_lines);
	c->logs_pending = 1;
	fleet_request_logs(c->fleet, c->selected, name, unit, c->conf->log_lines);
	console_dirty(c, PANE_LOGS);
}


/* ctx: the host and the fingerprint it offered */
struct trust_ctx {
	size_t host;
	char fingerprint[];
};

static void
trust_done(struct console *c, struct dialog *d, int ok)
{
	struct trust_ctx *t = d->ctx;
	if (ok) {
		/* the host's worker checks the key again and writes known_hosts */
		fleet_request_trust(c->fleet, t->host, t->fingerprint);
		console_message(c, 0, "trusting %s...", c->conf->hosts[t->host].name);
	}
	free(t);
}

void
console_trust_host(struct console *c)
{
	struct host_snapshot *s = console_selected_snapshot(c);
	if (s == NULL || s->conn != CONN_UNTRUSTED || s->fingerprint == NULL) {
		console_message(c, 1, "the selected host has no new key to trust");
		return;
	}
	const struct host_conf *h = &c->conf->hosts[c->selected];
	char *body = xasprintf("%s offers the host key\n\n  %s %s\n\nCompare it with the key on the "
	    "host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub). Type the host name to trust it.",
	    h->name, s->key_type ? s->key_type : "", s->fingerprint);
	size_t len = strlen(s->fingerprint);
	struct trust_ctx *t = xcalloc(1, sizeof *t + len + 1);
	t->host = c->selected;
	memcpy(t->fingerprint, s->fingerprint, len + 1);
	console_confirm(c, "Trust a host key", body, h->name, trust_done, t, free);
	free(body);
}

/* --- dialogs: what to ask, and what to do with the answer --------------------------------- */

static void
dialog_free(struct dialog **dp)
{
	struct dialog *d = *dp;
	if (d == NULL)
		return;
	*dp = NULL;
	if (d->ctx != NULL && d->ctx_free != NULL)
		d->ctx_free(d->ctx);
	for (int i = 0; i < d->nfields; i++)
		free(d->fields[i].value);
	free(d->fields);
	free(d->title);
	free(d->label);
	strv_free(&d->items);
	free(d->body);
	free(d->require);
	free(d->typed);
	free(d);
}

static struct dialog *
dialog_new(struct console *c, enum dialog_kind kind, const char *title, dialog_done_fn *done,
    void *ctx, void (*ctx_free)(void *))
{
	if (c->dialog != NULL) {
		/* one at a time; a continuation opens its next only after its own ended */
		log_msg("dialog '%s' replaces '%s'", title, c->dialog->title);
		dialog_free(&c->dialog);
	}
	struct dialog *d = xcalloc(1, sizeof *d);
	d->kind = kind;
	d->title = xstrdup(title);
	d->done = done;
	d->ctx = ctx;
	d->ctx_free = ctx_free;
	c->dialog = d;
	console_dirty_all(c);
	return d;
}

void
console_form(struct console *c, const char *title, struct field *f, int n, dialog_done_fn *done,
    void *ctx, void (*ctx_free)(void *))
{
	struct dialog *d = dialog_new(c, DIALOG_FORM, title, done, ctx, ctx_free);
	d->fields = xcalloc((size_t)n + 1, sizeof *d->fields);
	memcpy(d->fields, f, (size_t)n * sizeof *f);
	d->nfields = n;
}

void
console_prompt(struct console *c, const char *title, const char *label, char *value,
    dialog_done_fn *done, void *ctx, void (*ctx_free)(void *))
{
	struct dialog *d = dialog_new(c, DIALOG_FORM, title, done, ctx, ctx_free);
	d->label = xstrdup(label);
	d->fields = xcalloc(1, sizeof *d->fields);
	d->fields[0] = (struct field){ .label = d->label, .kind = FIELD_TEXT, .value = value };
	d->nfields = 1;
}

void
console_menu(struct console *c, const char *title, char *const *items, int n, int choice,
    dialog_done_fn *done, void *ctx, void (*ctx_free)(void *))
{
	struct dialog *d = dialog_new(c, DIALOG_MENU, title, done, ctx, ctx_free);
	for (int i = 0; i < n; i++)
		strv_add(&d->items, items[i]);
	d->choice = choice >= 0 && choice < n ? choice : 0;
	if (n <= 0)
		console_dialog_end(c, 0);	/* nothing to choose from */
}

void
console_confirm(struct console *c, const char *title, const char *body, const char *require,
    dialog_done_fn *done, void *ctx, void (*ctx_free)(void *))
{
	struct dialog *d = dialog_new(c, DIALOG_CONFIRM, title, done, ctx, ctx_free);
	d->body = xstrdup(body);
	d->require = require ? xstrdup(require) : NULL;
}

void
console_dialog_end(struct console *c, int ok)
{
	struct dialog *d = c->dialog;
	if (d == NULL)
		return;
	c->dialog = NULL;
	console_dirty_all(c);
	/* the continuation owns ctx, and may open the next dialog */
	if (d->done != NULL)
		d->done(c, d, ok);
	else if (d->ctx_free != NULL)
		d->ctx_free(d->ctx);
	d->ctx = NULL;
	dialog_free(&d);
}

const char *
dialog_text(const struct dialog *d)
{
	return d->nfields > 0 && d->fields[0].value != NULL ? d->fields[0].value : "";
}

/* --- the fleet's news, the clocks and the store -------------------------------------------- */

static void
record_changes(struct console *c, const struct host_snapshot *old, const struct host_snapshot *new)
{
	struct change *ch = NULL;
	size_t n = 0;
	diff_snapshots(old, new, &ch, &n);
	if (n > 0 && c->store != NULL && !c->wall) {
		for (size_t i = 0; i < n; i++) {
			char *cause = NULL;
			if (incident_fleet_event(&c->rec, c->inc.id, new->host, ch[i].kind, ch[i].text, 0,
			    &cause) == -1) {
				console_message(c, 1, "NOT RECORDED: %s (%s)", ch[i].text, cause ? cause : "?");
				free(c->store_problem);
				c->store_problem = xasprintf("store: %s", cause ? cause : "write failed");
			}
			free(cause);
		}
		console_reload_timeline(c);
	}
	changes_free(ch, n);
}

static void
take_snapshots(struct console *c)
{
	uint64_t gen = fleet_generation(c->fleet);
	if (gen == c->generation)
		return;
	c->generation = gen;
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host_snapshot *s = fleet_snapshot(c->fleet, i);
		if (c->snaps[i] != NULL && s->seq == c->snaps[i]->seq) {
			snapshot_unref(&s);
			continue;
		}
		record_changes(c, c->snaps[i], s);
		/*
		 * The wall redraws every second for its clock and data ages:
		 * a snapshot that leaves its host's state as it was waits for
		 * that redraw instead of redrawing the screen once more per
		 * host and cycle; a new state is drawn at once.
		 */
		int show_now = !c->wall || c->snaps[i] == NULL || c->snaps[i]->state != s->state;
		snapshot_unref(&c->snaps[i]);
		c->snaps[i] = s;
		if (!show_now)
			continue;
		console_dirty(c, PANE_FLEET);
		console_dirty(c, PANE_STATUS);
		if (i == c->selected)
			console_dirty(c, PANE_HOST);
	}
	console_dirty(c, PANE_INCIDENT);
}

/* A log's lines, sanitized, or why there are none. */
static void
logs_arrived(struct console *c, struct fleet_msg *p)
{
	c->logs_pending = 0;
	strv_free(&c->logs_lines);
	if (p->error != NULL)
		console_message(c, 1, "logs: %s", p->error);
	else {
		char *text = sanitize_text(p->data, p->len, SAN_MULTILINE);
		char *save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			strv_add(&c->logs_lines, line);
		free(text);
	}
	console_dirty(c, PANE_LOGS);
}

/* The workers' messages; returns CONSOLE_NEWS_* bits. */
static int
take_messages(struct console *c)
{
	int news = 0;
	struct fleet_msg *m = fleet_take_messages(c->fleet);
	for (struct fleet_msg *p = m; p; p = p->next) {
		if (p->kind == FLEET_MSG_LOGS) {
			logs_arrived(c, p);
			news |= p->error == NULL ? CONSOLE_NEWS_LOGS : 0;
		} else if (p->kind == FLEET_MSG_TRUST) {
			if (p->error != NULL)
				console_message(c, 1, "not trusted: %s", p->error);
			else
				console_message(c, 0, "%s trusted: %s", c->conf->hosts[p->host].name, p->data);
		} else
			job_message(c, p);
	}
	fleet_msg_free(m);
	return news;
}

int
console_store_open(struct console *c, char **cause)
{
	if (store_open(c->store_path, c->wall, &c->store, cause) == -1)
		return -1;
	recorder_init(&c->rec, c->store, c->conf);
	/* the loop never waits for a shared store's server to come back */
	store_set_nonblocking(c->store);
	c->store_version = store_data_version(c->store);
	/* actions kept while a shared store was away, by this or an earlier run */
	if (store_is_shared(c->store) && !c->wall && pending_open(c, NULL) == 0)
		pending_count(c);
	return 0;
}

/*
 * No store yet: the wall waits for the console to create it; the console
 * retries (a disk that filled up may have been freed).
 */
static void
store_retry(struct console *c)
{
	char *cause = NULL;
	if (console_store_open(c, &cause) == 0) {
		free(c->store_problem);
		c->store_problem = NULL;
		c->store_version = -1;	/* read it all again */
		if (!c->wall)
			console_message(c, 0, "the incident store is back: recording again");
	} else if (!c->wall && cause != NULL &&
	    (c->store_problem == NULL || strcmp(c->store_problem, cause) != 0)) {
		free(c->store_problem);
		c->store_problem = cause;
		cause = NULL;
	}
	free(cause);
}

/* Reads the incident again when another sitrep (or process) has committed. */
static void
store_follow(struct console *c)
{
	if (c->store == NULL)
		return;
	int64_t v = store_data_version(c->store);
	/* -1: a shared store is away; it is read again once it answers */
	if (v >= 0 && v != c->store_version) {
		c->store_version = v;
		console_reload(c);
	}
}

/* Once a second: the clocks, the store, the outbox, the message line's time. */
static void
console_second(struct console *c, int64_t second)
{
	/* clocks: only what shows a clock */
	console_dirty(c, PANE_STATUS);
	console_dirty(c, PANE_FLEET);	/* data ages */
	if (c->inc.id > 0 || c->job.job_id)
		console_dirty(c, PANE_INCIDENT);
	if (c->store == NULL && second % 2 == 0)
		store_retry(c);
	/* a SQLite file has no announcements: its version is read once a second */
	if (c->store != NULL && !store_is_shared(c->store))
		store_follow(c);
	pending_replay(c);
	if (c->notifier != NULL && c->store != NULL)
		notifier_serve(c->notifier, c->store);
	if (c->message != NULL && c->message_until > 0 && mono_ms() > c->message_until) {
		free(c->message);
		c->message = NULL;
		console_dirty(c, PANE_HINTS);
	}
}

int
console_pump(struct console *c)
{
	take_snapshots(c);
	int news = take_messages(c);
	/* a shared store announces its commits (its descriptor woke the loop) */
	if (c->store != NULL && store_is_shared(c->store))
		store_follow(c);
	int64_t second = wall_ms() / 1000;
	if (second != c->shown_second) {
		c->shown_second = second;
		console_second(c, second);
	}
	return news;
}

void
console_free(struct console *c)
{
	dialog_free(&c->dialog);
	notifier_stop(&c->notifier);
	fleet_stop(&c->fleet);
	for (size_t i = 0; i < c->nhosts; i++)
		snapshot_unref(&c->snaps[i]);
	free(c->snaps);
	store_close(&c->store);
	store_close(&c->pending);
	library_free(&c->lib);
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
