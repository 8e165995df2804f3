/*
 * pane-incident: the walk-through. Milestones, the triage checklist, then
 * the runbook step by step, each with its time box and running timer
 * (WARN past the box, CRIT past twice, in words as well as colour), the
 * step's commands and checklist, and the output of the running command.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "pane.h"
#include "runbook.h"
#include "sanitize.h"

/* A step's elapsed time: monotonic while this process has seen it run. */
static int64_t step_anchor_id;
static int64_t step_anchor_mono;

static int64_t
step_elapsed(const struct step_run *sr)
{
	if (sr->ended_at)
		return sr->ended_at - sr->started_at;
	int64_t now_mono = mono_ms();
	if (step_anchor_id != sr->id) {
		step_anchor_id = sr->id;
		step_anchor_mono = now_mono - (wall_ms() - sr->started_at);
	}
	return now_mono - step_anchor_mono;
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

struct out {
	WINDOW *w;
	int line;	/* content line */
	int top;
	int rows;
	int width;
};

static int
shown(struct out *o)
{
	return o->line >= o->top && o->line < o->top + o->rows;
}

static int
oy(struct out *o)
{
	return o->line - o->top;
}

static void
draw_row_marker(struct out *o, int selected, attr_t *base)
{
	*base = selected ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
	if (selected)
		draw_fill(o->w, oy(o), 0, o->width, *base);
}

static int
row_index(struct console *c, enum row_kind kind, int index, int sub)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].kind == kind && c->rows[i].index == index && c->rows[i].sub == sub)
			return (int)i;
	return -1;
}

static void
incident_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	if (c->inc.id <= 0) {
		draw_text(w, 0, 1, p->w - 2, SAFE_LITERAL("No open incident."),
		    draw_attr(ROLE_TITLE));
		draw_text(w, 2, 1, p->w - 2,
		    SAFE_LITERAL("i opens one: title, severity, hosts, impact."),
		    draw_attr(ROLE_MUTED));
		return;
	}
	/* header: milestones */
	char line[512];
	int x = 1;
	for (int m = 0; m < MS_COUNT && x < p->w - 2; m++) {
		char ts[16] = "-";
		if (c->inc.ms[m])
			fmt_utc_hms(ts, sizeof ts, c->inc.ms[m]);
		snprintf(line, sizeof line, "%s %s  ", milestone_name(m), ts);
		x += draw_text(w, 0, x, p->w - x - 1, safe_untrusted(line),
		    draw_attr(c->inc.ms[m] ? ROLE_NORMAL :
		    ROLE_MUTED));
	}
	int output_rows = 0;
	if (c->job.command != NULL)
		output_rows = p->h >= 20 ? 8 : p->h >= 14 ? 5 : 3;
	struct out o = { w, 0, 0, p->h - 1 - output_rows, p->w };
	WINDOW *sub = derwin(w, o.rows > 0 ? o.rows : 1, p->w, 1, 0);
	if (sub == NULL)
		return;
	o.w = sub;
	/* first pass measures where the cursor is, to scroll to it */
	int cursor_line = 0;
	for (int pass = 0; pass < 2; pass++) {
		o.line = 0;
		if (pass == 1) {
			/* out of view: bring the cursor to a third of the height */
			if (cursor_line < p->scroll || cursor_line >= p->scroll + o.rows)
				p->scroll = cursor_line - o.rows / 3 > 0 ? cursor_line - o.rows / 3 : 0;
			o.top = p->scroll;
			werase(sub);
		}
		int done = 0;
		for (size_t i = 0; i < c->triage.n; i++)
			done += c->triage_checked[i];
		snprintf(line, sizeof line, "Triage %d/%zu%s", done, c->triage.n,
		    c->inc.ms[MS_TRIAGE_DONE] ? " (done)" : "");
		if (pass && shown(&o))
			draw_rule(sub, oy(&o), 0, o.width, safe_untrusted(line),
			    draw_attr(ROLE_HEADER));
		o.line++;
		if (c->triage.n == 0) {
			if (pass && shown(&o))
				draw_text(sub, oy(&o), 1, o.width - 2,
				    SAFE_LITERAL("no triage checklist (triage.md) found"),
				    draw_attr(ROLE_MUTED));
			o.line++;
		}
		for (size_t i = 0; i < c->triage.n; i++) {
			int r = row_index(c, ROW_TRIAGE, (int)i, 0);
			int sel = p->focused && r == c->row;
			if (r == c->row)
				cursor_line = o.line;
			if (pass && shown(&o)) {
				attr_t base;
				draw_row_marker(&o, sel, &base);
				int xx = draw_text(sub, oy(&o), 1, 5,
				    safe_untrusted(c->triage_checked[i] ? "[x] " : "[ ] "),
				    sel ? base : draw_attr(c->triage_checked[i] ? ROLE_OK : ROLE_NORMAL));
				draw_text(sub, oy(&o), 1 + xx, o.width - 2 - xx,
				    safe_untrusted(c->triage.v[i]), base);
			}
			o.line++;
		}
		const struct runbook *rb = c->runbook.rb;
		if (rb == NULL) {
			if (pass && shown(&o))
				draw_rule(sub, oy(&o), 0, o.width, SAFE_LITERAL("Runbook"),
				    draw_attr(ROLE_HEADER));
			o.line++;
			if (pass && shown(&o))
				draw_text(sub, oy(&o), 1, o.width - 2,
				    safe_untrusted(c->suggestion ? c->suggestion :
				    "no runbook chosen: R chooses one (sitrep suggests from the fleet)"),
				    draw_attr(ROLE_MUTED));
			o.line++;
			continue;
		}
		char total[48] = "";
		if (rb->total_s > 0) {
			char a[16];
			fmt_duration(a, sizeof a, rb->total_max_s * 1000);
			snprintf(total, sizeof total, ", total %s", a);
		}
		snprintf(line, sizeof line, "Runbook: %s (%zu steps%s)", rb->title, rb->nsteps, total);
		if (pass && shown(&o))
			draw_rule(sub, oy(&o), 0, o.width, safe_untrusted(line),
			    draw_attr(ROLE_HEADER));
		o.line++;
		for (size_t i = 0; i < rb->nsteps; i++) {
			const struct runbook_step *st = &rb->steps[i];
			const struct step_run *sr = run_of(c, (int)i);
			int r = row_index(c, ROW_STEP, (int)i, 0);
			int sel = p->focused && r == c->row;
			if (r == c->row)
				cursor_line = o.line;
			if (pass && shown(&o)) {
				attr_t base;
				draw_row_marker(&o, sel, &base);
				const char *mark = "  ";
				enum role mr = ROLE_MUTED;
				if (sr && !sr->ended_at) {
					mark = "\xe2\x96\xb6 ";	/* ▶ */
					mr = ROLE_ACCENT;
				} else if (sr && strcmp(sr->outcome, "done") == 0) {
					mark = "\xe2\x9c\x93 ";	/* ✓ */
					mr = ROLE_OK;
				} else if (sr && strcmp(sr->outcome, "failed") == 0) {
					mark = "\xe2\x9c\x97 ";	/* ✗ */
					mr = ROLE_CRIT;
				} else if (sr)
					mark = "- ";
				int xx = 1 + draw_text(sub, oy(&o), 1, 2, safe_untrusted(mark),
				    sel ? base : draw_attr(mr));
				char num[16], tb[48];
				snprintf(num, sizeof num, "%d. ", st->number ? st->number : (int)i + 1);
				xx += draw_text(sub, oy(&o), xx, 5, safe_untrusted(num), base);
				timebox_text(tb, sizeof tb, st);
				int right = o.width >= 60 ? 34 : 0;
				int tw = draw_text(sub, oy(&o), xx, o.width - xx - right - 1,
				    safe_untrusted(st->title), base | A_BOLD);
				draw_text(sub, oy(&o), xx + tw, o.width - xx - tw - right - 1,
				    safe_untrusted(tb), base);
				if (sr != NULL) {
					int64_t el = step_elapsed(sr);
					char clock[32], box[48] = "", txt[160];
					fmt_clock(clock, sizeof clock, el);
					int64_t limit = st->timebox_max_s > 0 ? st->timebox_max_s : st->timebox_s;
					if (limit > 0) {
						char bx[32];
						fmt_clock(bx, sizeof bx, limit * 1000);
						snprintf(box, sizeof box, " / %s", bx);
					}
					enum role tr;
					if (!sr->ended_at) {
						const char *word = timer_word(el, limit, &tr);
						snprintf(txt, sizeof txt, "%s%s %s", clock, box, word);
					} else {
						tr = strcmp(sr->outcome, "done") == 0 ? ROLE_OK : strcmp(sr->outcome,
						    "failed") == 0 ? ROLE_CRIT : ROLE_MUTED;
						snprintf(txt, sizeof txt, "%s in %s%s", sr->outcome, clock,
						    limit > 0 && el > limit * 1000 ? " (over)" : "");
					}
					if (right > 0)
						draw_right(sub, oy(&o), o.width - 1, right,
						    safe_untrusted(txt), sel ? base : draw_attr(tr));
				}
			}
			o.line++;
			/* the running step's timer on its own line when narrow */
			for (size_t k = 0; k < st->ncommands; k++) {
				const struct runbook_command *rc = &st->commands[k];
				int rr = row_index(c, ROW_COMMAND, (int)i, (int)k);
				int csel = p->focused && rr == c->row;
				if (rr == c->row)
					cursor_line = o.line;
				if (pass && shown(&o)) {
					attr_t base;
					draw_row_marker(&o, csel, &base);
					int xx = draw_text(sub, oy(&o), 6, 2, SAFE_LITERAL("$ "),
					    sel ? base : draw_attr(ROLE_MUTED));
					int cw = o.width - 6 - xx - 14;
					draw_text(sub, oy(&o), 6 + xx, cw,
					    safe_untrusted(rc->text), base);
					char tag[32] = "";
					if (rc->destructive)
						snprintf(tag, sizeof tag, "DESTRUCTIVE");
					if (rc->host)
						snprintf(tag + strlen(tag), sizeof tag - strlen(tag), "%s@host",
						    tag[0] ? " " : "");
					draw_right(sub, oy(&o), o.width - 1, 13,
					    safe_untrusted(tag), csel ? base :
					    draw_attr(rc->destructive ? ROLE_CRIT : ROLE_MUTED));
				}
				o.line++;
			}
			for (size_t k = 0; k < st->checklist.n; k++) {
				int rr = row_index(c, ROW_CHECK, (int)i, (int)k);
				int csel = p->focused && rr == c->row;
				if (rr == c->row)
					cursor_line = o.line;
				if (pass && shown(&o)) {
					attr_t base;
					draw_row_marker(&o, csel, &base);
					int ticked = console_step_check_ticked(c, (int)i, (int)k);
					draw_text(sub, oy(&o), 6, 4,
					    safe_untrusted(ticked ? "[x] " : "[ ] "),
					    csel ? base : draw_attr(ticked ? ROLE_OK : ROLE_NORMAL));
					draw_text(sub, oy(&o), 10, o.width - 11,
					    safe_untrusted(st->checklist.v[k]), base);
				}
				o.line++;
			}
			if (sr && !sr->ended_at && st->expected.n > 0) {
				for (size_t k = 0; k < st->expected.n; k++) {
					if (pass && shown(&o)) {
						int xx = draw_text(sub, oy(&o), 6, 10,
						    SAFE_LITERAL("expected: "), draw_attr(ROLE_MUTED));
						draw_text(sub, oy(&o), 6 + xx, o.width - 7 - xx,
						    safe_untrusted(st->expected.v[k]),
						    draw_attr(ROLE_MUTED));
					}
					o.line++;
				}
			}
		}
	}
	delwin(sub);
	if (output_rows > 0) {
		int y0 = p->h - output_rows;
		struct job_view *j = &c->job;
		char head[256], clock[32];
		fmt_clock(clock, sizeof clock, j->finished ? 0 : mono_ms() - j->started_mono);
		if (!j->finished)
			snprintf(head, sizeof head, "Output on %s: running %s (Ctrl-C cancels)",
			    c->conf->hosts[j->host].name, clock);
		else
			snprintf(head, sizeof head, "Output on %s: %s%s", c->conf->hosts[j->host].name,
			    j->status ? j->status : "", j->status && strcmp(j->status, "done") == 0 ? "" : "");
		if (j->finished && j->status && strcmp(j->status, "done") == 0) {
			size_t n = strlen(head);
			snprintf(head + n, sizeof head - n, ", exit %d", j->exit_status);
		}
		draw_rule(w, y0, 0, p->w, safe_untrusted(head),
		    draw_attr(j->finished && j->exit_status != 0 ?
		    ROLE_WARN : ROLE_HEADER));
		/* the last lines of output, sanitized */
		char *text = sanitize_text(j->output.data ? j->output.data : "", j->output.len,
		    SAN_MULTILINE);
		int lines = output_rows - 1;
		const char *end = text + strlen(text);
		while (end > text && end[-1] == '\n')
			end--;
		const char *start = end;
		int count = 0;
		while (start > text && count < lines) {
			start--;
			if (*start == '\n')
				count++;
		}
		if (*start == '\n')
			start++;
		int y = y0 + 1;
		while (start < end && y < p->h) {
			const char *nl = memchr(start, '\n', (size_t)(end - start));
			size_t len = nl ? (size_t)(nl - start) : (size_t)(end - start);
			char *one = xstrndup(start, len);
			draw_text(w, y++, 1, p->w - 2, safe_untrusted(one), draw_attr(ROLE_NORMAL));
			free(one);
			start += len + (nl != NULL);
		}
		free(text);
	}
}

static void
act_on_row(struct console *c, int key)
{
	if (c->nrows == 0)
		return;
	const struct incident_row *r = &c->rows[c->row];
	switch (r->kind) {
	case ROW_TRIAGE:
		if (key == ' ' || key == '\r' || key == '\n' || key == KEY_ENTER)
			console_toggle_tick(c, r->index);
		break;
	case ROW_STEP:
		if (key == 's' || key == '\r' || key == '\n' || key == KEY_ENTER)
			console_step_start(c, r->index);
		break;
	case ROW_COMMAND:
		if (key == '\r' || key == '\n' || key == KEY_ENTER)
			console_run_command(c, r->index, r->sub);
		else if (key == 's')
			console_step_start(c, r->index);
		break;
	case ROW_CHECK:
		if (key == 's')
			console_step_start(c, r->index);
		else if (key == ' ' || key == '\r' || key == '\n' || key == KEY_ENTER)
			console_toggle_step_check(c, r->index, r->sub);
		break;
	}
}

static int
incident_key(struct console *c, struct pane *p, int key)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		if (c->row > 0)
			c->row--;
		break;
	case KEY_DOWN:
	case 'j':
		if (c->row + 1 < (int)c->nrows)
			c->row++;
		break;
	case KEY_PPAGE:
		c->row = c->row > 10 ? c->row - 10 : 0;
		break;
	case KEY_NPAGE:
		c->row = c->row + 10 < (int)c->nrows ? c->row + 10 : (int)c->nrows - 1;
		break;
	case ' ':
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 's':
		act_on_row(c, key);
		break;
	case 'd':
		console_step_end(c, "done");
		break;
	case 'f':
		console_step_end(c, "failed");
		break;
	case 'x':
		console_step_end(c, "skipped");
		break;
	default:
		return 0;
	}
	console_dirty(c, PANE_INCIDENT);
	return 1;
}

const struct pane_ops pane_incident_ops = {
	.name = "incident",
	.draw = incident_draw,
	.key = incident_key,
};
