/*
 * pane-incident: the walk-through. Milestones, the triage checklist, then
 * the runbook step by step, each with its time box and running timer
 * (WARN past the box, CRIT past twice, in words as well as colour), the
 * step's commands and checklist, and the output of the running command.
 *
 * recalc() lays the incident out as rows (one per line, the items the
 * cursor may stand on among them) with every word and clock worked out;
 * draw() paints the rows in view.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "list.h"
#include "pane.h"
#include "runbook.h"
#include "sanitize.h"

enum line_kind {
	LINE_RULE,		/* a section rule: text is its title */
	LINE_NOTE,		/* muted text */
	LINE_TRIAGE,		/* [x] text */
	LINE_STEP,		/* mark, number, title, time box; the timer on the right */
	LINE_COMMAND,		/* $ text; its tags on the right */
	LINE_CHECK,		/* [x] text, indented */
	LINE_EXPECTED,		/* expected: text */
};

struct line {
	enum line_kind kind;
	struct incident_row item;	/* the item, for the lines the cursor may stand on */
	int on;			/* ticked */
	const char *text;	/* borrowed from the model until the next recalc */
	char *own;		/* or formatted here */
	const char *mark;	/* a step's ▶ ✓ ✗ */
	enum role mark_role;
	char num[16];
	char box[48];		/* a step's time box */
	char right[160];	/* a step's timer, a command's tags */
	enum role right_role;
};

struct incident_pane {
	int open;			/* an incident is open */
	char ms[MS_COUNT][48];		/* the milestones' line */
	int ms_set[MS_COUNT];
	struct line *lines;
	size_t cap;
	struct list list;
	/* the running command's output at the bottom */
	int out_rows;
	char out_head[256];
	enum role out_role;
	struct strv out;
	/* a step's elapsed time: monotonic while this process has seen it run */
	int64_t anchor_id;
	int64_t anchor_mono;
};

static struct line *
add_line(struct incident_pane *st, enum line_kind kind, int pick)
{
	int i = list_add(&st->list, pick);
	if ((size_t)i >= st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->lines = xreallocarray(st->lines, st->cap, sizeof *st->lines);
	}
	struct line *l = &st->lines[i];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	return l;
}

static void
clear_lines(struct incident_pane *st)
{
	for (int i = 0; i < st->list.n; i++)
		free(st->lines[i].own);
	list_reset(&st->list);
}

static int64_t
step_elapsed(struct incident_pane *st, const struct step_run *sr)
{
	if (sr->ended_at)
		return sr->ended_at - sr->started_at;
	int64_t now_mono = mono_ms();
	if (st->anchor_id != sr->id) {
		st->anchor_id = sr->id;
		st->anchor_mono = now_mono - (wall_ms() - sr->started_at);
	}
	return now_mono - st->anchor_mono;
}

/* The latest run of step index i, or NULL. */
static const struct step_run *
run_of(struct console *c, int i)
{
	for (size_t k = c->nsteps; k > 0; k--)
		if (c->steps[k - 1].step_index == i && c->runbook.rb &&
		    strcmp(c->steps[k - 1].runbook ? c->steps[k - 1].runbook : "", c->runbook.rb->title) == 0)
			return &c->steps[k - 1];
	return NULL;
}

/* "OK", "WARN over" or "CRIT 2x over" for a running step, with its role. */
static const char *
timer_word(int64_t elapsed, int64_t box_s, enum role *role)
{
	if (box_s <= 0) {
		*role = ROLE_TIMER;
		return "";
	}
	if (elapsed > 2 * box_s * 1000) {
		*role = ROLE_CRIT;
		return "CRIT 2x over";
	}
	if (elapsed > box_s * 1000) {
		*role = ROLE_WARN;
		return "WARN over";
	}
	*role = ROLE_OK;
	return "OK";
}

static void
timebox_text(char *buf, size_t n, const struct runbook_step *st)
{
	char a[16], b[16];
	if (st->timebox_s <= 0) {
		buf[0] = '\0';
		return;
	}
	fmt_duration(a, sizeof a, st->timebox_s * 1000);
	if (st->timebox_max_s > st->timebox_s) {
		fmt_duration(b, sizeof b, st->timebox_max_s * 1000);
		snprintf(buf, n, " (%s-%s)", a, b);
	} else
		snprintf(buf, n, " (%s)", a);
}

/* The step's mark: running, done, failed or otherwise ended. */
static void
step_mark(struct line *l, const struct step_run *sr)
{
	l->mark = "  ";
	l->mark_role = ROLE_MUTED;
	if (sr && !sr->ended_at) {
		l->mark = "\xe2\x96\xb6 ";	/* ▶ */
		l->mark_role = ROLE_ACCENT;
	} else if (sr && strcmp(sr->outcome, "done") == 0) {
		l->mark = "\xe2\x9c\x93 ";	/* ✓ */
		l->mark_role = ROLE_OK;
	} else if (sr && strcmp(sr->outcome, "failed") == 0) {
		l->mark = "\xe2\x9c\x97 ";	/* ✗ */
		l->mark_role = ROLE_CRIT;
	} else if (sr)
		l->mark = "- ";
}

/* "00:01:02 / 00:05:00 OK" while running, "done in 00:04:00" after. */
static void
step_timer(struct incident_pane *st, struct line *l, const struct runbook_step *rs,
    const struct step_run *sr)
{
	int64_t el = step_elapsed(st, sr);
	char clock[32], box[48] = "";
	fmt_clock(clock, sizeof clock, el);
	int64_t limit = rs->timebox_max_s > 0 ? rs->timebox_max_s : rs->timebox_s;
	if (limit > 0) {
		char bx[32];
		fmt_clock(bx, sizeof bx, limit * 1000);
		snprintf(box, sizeof box, " / %s", bx);
	}
	if (!sr->ended_at) {
		const char *word = timer_word(el, limit, &l->right_role);
		snprintf(l->right, sizeof l->right, "%s%s %s", clock, box, word);
		return;
	}
	l->right_role = strcmp(sr->outcome, "done") == 0 ? ROLE_OK :
	    strcmp(sr->outcome, "failed") == 0 ? ROLE_CRIT : ROLE_MUTED;
	snprintf(l->right, sizeof l->right, "%s in %s%s", sr->outcome, clock,
	    limit > 0 && el > limit * 1000 ? " (over)" : "");
}

static void
build_triage(struct console *c, struct incident_pane *st)
{
	int done = 0;
	for (size_t i = 0; i < c->triage.n; i++)
		done += c->triage_checked[i];
	add_line(st, LINE_RULE, 0)->own = xasprintf("Triage %d/%zu%s", done, c->triage.n,
	    c->inc.ms[MS_TRIAGE_DONE] ? " (done)" : "");
	if (c->triage.n == 0)
		add_line(st, LINE_NOTE, 0)->text = "no triage checklist (triage.md) found";
	for (size_t i = 0; i < c->triage.n; i++) {
		struct line *l = add_line(st, LINE_TRIAGE, 1);
		l->item = (struct incident_row){ ROW_TRIAGE, (int)i, 0 };
		l->on = c->triage_checked[i];
		l->text = c->triage.v[i];
	}
}

/* A step's line, its commands, its checklist, and what to expect while it runs. */
static void
build_step(struct console *c, struct incident_pane *st, int i)
{
	const struct runbook_step *rs = &c->runbook.rb->steps[i];
	const struct step_run *sr = run_of(c, i);
	struct line *l = add_line(st, LINE_STEP, 1);
	l->item = (struct incident_row){ ROW_STEP, i, 0 };
	step_mark(l, sr);
	snprintf(l->num, sizeof l->num, "%d. ", rs->number ? rs->number : i + 1);
	timebox_text(l->box, sizeof l->box, rs);
	l->text = rs->title;
	if (sr != NULL)
		step_timer(st, l, rs, sr);
	for (size_t k = 0; k < rs->ncommands; k++) {
		const struct runbook_command *rc = &rs->commands[k];
		l = add_line(st, LINE_COMMAND, 1);
		l->item = (struct incident_row){ ROW_COMMAND, i, (int)k };
		l->text = rc->text;
		snprintf(l->right, sizeof l->right, "%s%s%s", rc->destructive ? "DESTRUCTIVE" : "",
		    rc->destructive && rc->host ? " " : "", rc->host ? "@host" : "");
		l->right_role = rc->destructive ? ROLE_CRIT : ROLE_MUTED;
	}
	for (size_t k = 0; k < rs->checklist.n; k++) {
		l = add_line(st, LINE_CHECK, 1);
		l->item = (struct incident_row){ ROW_CHECK, i, (int)k };
		l->on = console_step_check_ticked(c, i, (int)k);
		l->text = rs->checklist.v[k];
	}
	if (sr && !sr->ended_at)
		for (size_t k = 0; k < rs->expected.n; k++)
			add_line(st, LINE_EXPECTED, 0)->text = rs->expected.v[k];
}

static void
build_runbook(struct console *c, struct incident_pane *st)
{
	const struct runbook *rb = c->runbook.rb;
	if (rb == NULL) {
		add_line(st, LINE_RULE, 0)->text = "Runbook";
		add_line(st, LINE_NOTE, 0)->text = c->suggestion ? c->suggestion :
		    "no runbook chosen: R chooses one (sitrep suggests from the fleet)";
		return;
	}
	char total[48] = "";
	if (rb->total_s > 0) {
		char a[16];
		fmt_duration(a, sizeof a, rb->total_max_s * 1000);
		snprintf(total, sizeof total, ", total %s", a);
	}
	add_line(st, LINE_RULE, 0)->own = xasprintf("Runbook: %s (%zu steps%s)", rb->title,
	    rb->nsteps, total);
	for (size_t i = 0; i < rb->nsteps; i++)
		build_step(c, st, (int)i);
}

/* The running (or last) command's head line and the last lines of its output, sanitized. */
static void
build_output(struct console *c, struct incident_pane *st, int rows)
{
	struct job_view *j = &c->job;
	char clock[32];
	const char *host = c->conf->hosts[j->host].name;
	int done = j->finished && j->status && strcmp(j->status, "done") == 0;
	fmt_clock(clock, sizeof clock, j->finished ? 0 : mono_ms() - j->started_mono);
	if (!j->finished)
		snprintf(st->out_head, sizeof st->out_head,
		    "Output on %s: running %s (Ctrl-C cancels)", host, clock);
	else if (done)
		snprintf(st->out_head, sizeof st->out_head, "Output on %s: %s, exit %d", host,
		    j->status, j->exit_status);
	else
		snprintf(st->out_head, sizeof st->out_head, "Output on %s: %s", host,
		    j->status ? j->status : "");
	st->out_role = j->finished && j->exit_status != 0 ? ROLE_WARN : ROLE_HEADER;
	strv_free(&st->out);
	char *text = sanitize_text(j->output.data ? j->output.data : "", j->output.len,
	    SAN_MULTILINE);
	const char *end = text + strlen(text);
	while (end > text && end[-1] == '\n')
		end--;
	const char *start = end;
	for (int count = 0; start > text && count < rows;)
		if (*--start == '\n')
			count++;
	if (*start == '\n')
		start++;
	while (start < end) {
		const char *nl = memchr(start, '\n', (size_t)(end - start));
		size_t len = nl ? (size_t)(nl - start) : (size_t)(end - start);
		strv_addn(&st->out, start, len);
		start += len + (nl != NULL);
	}
	free(text);
}

/* The line of the item the cursor is on, or -1. */
static int
line_of(struct incident_pane *st, const struct incident_row *at)
{
	for (int i = 0; i < st->list.n; i++)
		if (st->list.pick[i] && st->lines[i].item.kind == at->kind &&
		    st->lines[i].item.index == at->index && st->lines[i].item.sub == at->sub)
			return i;
	return -1;
}

static void
incident_recalc(struct console *c, struct pane *p)
{
	struct incident_pane *st = p->state;
	clear_lines(st);
	st->open = c->inc.id > 0;
	if (!st->open)
		return;
	for (int m = 0; m < MS_COUNT; m++) {
		char ts[16] = "-";
		if (c->inc.ms[m])
			fmt_utc_hms(ts, sizeof ts, c->inc.ms[m]);
		snprintf(st->ms[m], sizeof st->ms[m], "%s %s  ", milestone_name(m), ts);
		st->ms_set[m] = c->inc.ms[m] != 0;
	}
	st->out_rows = 0;
	if (c->job.command != NULL) {
		st->out_rows = p->h >= 20 ? 8 : p->h >= 14 ? 5 : 3;
		build_output(c, st, st->out_rows - 1);
	}
	build_triage(c, st);
	build_runbook(c, st);
	int at = line_of(st, &c->at);
	st->list.sel = at >= 0 ? at : 0;
	list_fit(&st->list, p->h - 1 - st->out_rows);
	if (at < 0 && list_selected(&st->list) >= 0)
		c->at = st->lines[st->list.sel].item;
}

/* A line the cursor may stand on: the selection's colour across the line when on it. */
static attr_t
line_base(WINDOW *w, int y, int width, int selected)
{
	attr_t base = selected ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
	if (selected)
		draw_fill(w, y, 0, width, base);
	return base;
}

static void
draw_line(WINDOW *w, int y, int width, const struct line *l, int sel)
{
	attr_t base = line_base(w, y, width, sel && l->kind != LINE_RULE);
	const char *text = l->own ? l->own : l->text;
	int x, right = width >= 60 ? 34 : 0;
	switch (l->kind) {
	case LINE_RULE:
		draw_rule(w, y, 0, width, safe_untrusted(text), draw_attr(ROLE_HEADER));
		break;
	case LINE_NOTE:
		draw_text(w, y, 1, width - 2, safe_untrusted(text), draw_attr(ROLE_MUTED));
		break;
	case LINE_TRIAGE:
	case LINE_CHECK:
		x = l->kind == LINE_TRIAGE ? 1 : 6;
		x += draw_text(w, y, x, l->kind == LINE_TRIAGE ? 5 : 4,
		    safe_untrusted(l->on ? "[x] " : "[ ] "),
		    sel ? base : draw_attr(l->on ? ROLE_OK : ROLE_NORMAL));
		draw_text(w, y, x, width - 1 - x, safe_untrusted(text), base);
		break;
	case LINE_STEP:
		x = 1 + draw_text(w, y, 1, 2, safe_untrusted(l->mark), sel ? base : draw_attr(l->mark_role));
		x += draw_text(w, y, x, 5, safe_untrusted(l->num), base);
		x += draw_text(w, y, x, width - x - right - 1, safe_untrusted(text), base | A_BOLD);
		draw_text(w, y, x, width - x - right - 1, safe_untrusted(l->box), base);
		if (right > 0 && l->right[0])
			draw_right(w, y, width - 1, right, safe_untrusted(l->right),
			    sel ? base : draw_attr(l->right_role));
		break;
	case LINE_COMMAND:
		x = 6 + draw_text(w, y, 6, 2, SAFE_LITERAL("$ "), sel ? base : draw_attr(ROLE_MUTED));
		draw_text(w, y, x, width - x - 14, safe_untrusted(text), base);
		draw_right(w, y, width - 1, 13, safe_untrusted(l->right),
		    sel ? base : draw_attr(l->right_role));
		break;
	case LINE_EXPECTED:
		x = 6 + draw_text(w, y, 6, 10, SAFE_LITERAL("expected: "), draw_attr(ROLE_MUTED));
		draw_text(w, y, x, width - 1 - x, safe_untrusted(text), draw_attr(ROLE_MUTED));
		break;
	}
}

static void
incident_draw(struct console *c, struct pane *p)
{
	struct incident_pane *st = p->state;
	WINDOW *w = p->win;
	(void)c;
	if (!st->open) {
		draw_text(w, 0, 1, p->w - 2, SAFE_LITERAL("No open incident."), draw_attr(ROLE_TITLE));
		draw_text(w, 2, 1, p->w - 2,
		    SAFE_LITERAL("i opens one: title, severity, hosts, impact."), draw_attr(ROLE_MUTED));
		return;
	}
	for (int m = 0, x = 1; m < MS_COUNT && x < p->w - 2; m++)
		x += draw_text(w, 0, x, p->w - x - 1, safe_untrusted(st->ms[m]),
		    draw_attr(st->ms_set[m] ? ROLE_NORMAL : ROLE_MUTED));
	const struct list *l = &st->list;
	for (int i = l->top; i < list_end(l); i++)
		draw_line(w, 1 + i - l->top, p->w, &st->lines[i], p->focused && i == l->sel);
	if (st->out_rows == 0)
		return;
	int y = p->h - st->out_rows;
	draw_rule(w, y++, 0, p->w, safe_untrusted(st->out_head), draw_attr(st->out_role));
	for (size_t i = 0; i < st->out.n && y < p->h; i++)
		draw_text(w, y++, 1, p->w - 2, safe_untrusted(st->out.v[i]), draw_attr(ROLE_NORMAL));
}

static int
is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static void
act_on_item(struct console *c, const struct incident_row *r, int key)
{
	switch (r->kind) {
	case ROW_TRIAGE:
		if (key == ' ' || is_enter(key))
			console_toggle_tick(c, r->index);
		break;
	case ROW_STEP:
		if (key == 's' || is_enter(key))
			console_step_start(c, r->index);
		break;
	case ROW_COMMAND:
		if (is_enter(key))
			console_run_command(c, r->index, r->sub);
		else if (key == 's')
			console_step_start(c, r->index);
		break;
	case ROW_CHECK:
		if (key == 's')
			console_step_start(c, r->index);
		else if (key == ' ' || is_enter(key))
			console_toggle_step_check(c, r->index, r->sub);
		break;
	}
}

static int
incident_key(struct console *c, struct pane *p, int key)
{
	struct incident_pane *st = p->state;
	int sel = list_selected(&st->list);
	if (list_key(&st->list, key)) {
		if ((sel = list_selected(&st->list)) >= 0)
			c->at = st->lines[sel].item;
	} else if (key == ' ' || key == 's' || is_enter(key)) {
		if (sel >= 0) {
			struct incident_row at = st->lines[sel].item;
			act_on_item(c, &at, key);
		}
	} else if (key == 'd')
		console_step_end(c, "done");
	else if (key == 'f')
		console_step_end(c, "failed");
	else if (key == 'x')
		console_step_end(c, "skipped");
	else
		return 0;
	console_dirty(c, PANE_INCIDENT);
	return 1;
}

static void
incident_free(void *state)
{
	struct incident_pane *st = state;
	clear_lines(st);
	free(st->lines);
	list_free(&st->list);
	strv_free(&st->out);
}

const struct pane_ops pane_incident_ops = {
	.name = "incident",
	.state_size = sizeof(struct incident_pane),
	.recalc = incident_recalc,
	.draw = incident_draw,
	.key = incident_key,
	.free = incident_free,
};
