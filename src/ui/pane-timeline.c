/*
 * pane-timeline: the latest events, as committed to the store (the newest
 * at the bottom): fleet changes, and during an incident every step, tick,
 * command and note.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "list.h"
#include "pane.h"

static enum role
event_role(const struct event *e)
{
	if (strcmp(e->source, "fleet") == 0) {
		if (strcmp(e->kind, "recovered") == 0 || strcmp(e->kind, "back") == 0 ||
		    strcmp(e->kind, "better") == 0)
			return ROLE_OK;
		if (strcmp(e->kind, "lost") == 0 || strcmp(e->kind, "key") == 0)
			return ROLE_CRIT;
		return ROLE_WARN;
	}
	if (strcmp(e->source, "operator") == 0)
		return ROLE_ACCENT;
	if (strcmp(e->source, "command") == 0)
		return ROLE_NORMAL;
	return ROLE_NORMAL;
}

struct event_row {
	char ts[16];
	char src[16];
	const char *text;	/* borrowed from the model until the next recalc */
	enum role role;
};

struct timeline_pane {
	const char *title;
	const char *empty;
	struct event_row *rows;
	size_t cap;
	struct list list;
};

static void
timeline_recalc(struct console *c, struct pane *p)
{
	struct timeline_pane *st = p->state;
	st->list.follow = 1;
	st->title = c->inc.id > 0 ? "Timeline (incident, recorded)" :
	    "Timeline (fleet changes, recorded)";
	st->empty = c->store ? "nothing yet" : "no store: nothing is recorded";
	if (st->cap < c->nevents) {
		st->cap = c->nevents;
		st->rows = xreallocarray(st->rows, st->cap, sizeof *st->rows);
	}
	list_reset(&st->list);
	for (size_t i = 0; i < c->nevents; i++) {
		const struct event *e = &c->events[i];
		struct event_row *r = &st->rows[list_add(&st->list, 0)];
		fmt_utc_hms(r->ts, sizeof r->ts, e->at);
		snprintf(r->src, sizeof r->src, "%-9.9s", e->source);
		r->text = e->text;
		r->role = event_role(e);
	}
	list_fit(&st->list, p->h - 1);
}

static void
timeline_draw(struct console *c, struct pane *p)
{
	struct timeline_pane *st = p->state;
	WINDOW *w = p->win;
	(void)c;
	draw_rule(w, 0, 0, p->w, safe_untrusted(st->title),
	    p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_HEADER));
	const struct list *l = &st->list;
	for (int i = l->top; i < list_end(l); i++) {
		const struct event_row *r = &st->rows[i];
		int y = 1 + i - l->top;
		int x = 2 + draw_text(w, y, 1, 9, safe_untrusted(r->ts), draw_attr(ROLE_MUTED));
		x += 1 + draw_text(w, y, x, 10, safe_untrusted(r->src), draw_attr(ROLE_MUTED));
		draw_text(w, y, x, p->w - x - 1, safe_untrusted(r->text), draw_attr(r->role));
	}
	if (l->n == 0)
		draw_text(w, 1, 1, p->w - 2, safe_untrusted(st->empty), draw_attr(ROLE_MUTED));
}

static int
timeline_key(struct console *c, struct pane *p, int key)
{
	struct timeline_pane *st = p->state;
	if (!list_key(&st->list, key))
		return 0;
	console_dirty(c, PANE_TIMELINE);
	return 1;
}

static void
timeline_free(void *state)
{
	struct timeline_pane *st = state;
	free(st->rows);
	list_free(&st->list);
}

const struct pane_ops pane_timeline_ops = {
	.name = "timeline",
	.state_size = sizeof(struct timeline_pane),
	.recalc = timeline_recalc,
	.draw = timeline_draw,
	.key = timeline_key,
	.free = timeline_free,
};
