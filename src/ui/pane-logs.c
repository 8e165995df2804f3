/*
 * pane-logs: the tail of a container's or unit's log, sanitized, scrollable.
 * The newest line is at the bottom; a new log opens at its end.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "console.h"
#include "draw.h"
#include "list.h"
#include "pane.h"

struct log_row {
	const char *text;	/* sanitized when it arrived; borrowed until the next recalc */
	int hit;		/* matches the filter */
};

struct logs_pane {
	char title[64];
	const char *what;	/* the container or unit */
	int pending;
	struct log_row *rows;
	size_t cap;
	struct list list;
};

static void
logs_recalc(struct console *c, struct pane *p)
{
	struct logs_pane *st = p->state;
	st->list.follow = 1;
	snprintf(st->title, sizeof st->title, "LOGS %zu lines  ", c->logs_lines.n);
	st->what = c->logs_title;
	st->pending = c->logs_pending;
	if (st->pending)
		st->list.back = 0;	/* the new log opens at its end */
	if (st->cap < c->logs_lines.n) {
		st->cap = c->logs_lines.n;
		st->rows = xreallocarray(st->rows, st->cap, sizeof *st->rows);
	}
	list_reset(&st->list);
	for (size_t i = 0; i < c->logs_lines.n; i++) {
		struct log_row *r = &st->rows[list_add(&st->list, 0)];
		r->text = c->logs_lines.v[i];
		r->hit = c->filter && strcasestr(r->text, c->filter);
	}
	list_fit(&st->list, p->h - 1);
}

static void
logs_draw(struct console *c, struct pane *p)
{
	struct logs_pane *st = p->state;
	WINDOW *w = p->win;
	(void)c;
	attr_t ta = p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_TITLE);
	int x = draw_text(w, 0, 1, p->w - 2, safe_untrusted(st->title), ta);
	if (st->what)
		draw_text(w, 0, 1 + x, p->w - 2 - x, safe_untrusted(st->what), ta);
	if (st->pending) {
		draw_text(w, 1, 1, p->w - 2, SAFE_LITERAL("asking the host..."),
		    draw_attr(ROLE_MUTED));
		return;
	}
	const struct list *l = &st->list;
	for (int i = l->top; i < list_end(l); i++)
		draw_text(w, 1 + i - l->top, 1, p->w - 2, safe_untrusted(st->rows[i].text),
		    draw_attr(st->rows[i].hit ? ROLE_ACCENT : ROLE_NORMAL));
	if (l->n == 0)
		draw_text(w, 1, 1, p->w - 2, SAFE_LITERAL("(empty)"), draw_attr(ROLE_MUTED));
}

static int
logs_key(struct console *c, struct pane *p, int key)
{
	struct logs_pane *st = p->state;
	if (key == 'r')
		console_request_logs(c);
	else if (!list_key(&st->list, key == ' ' ? KEY_NPAGE : key))
		return 0;
	console_dirty(c, PANE_LOGS);
	return 1;
}

static void
logs_free(void *state)
{
	struct logs_pane *st = state;
	free(st->rows);
	list_free(&st->list);
}

const struct pane_ops pane_logs_ops = {
	.name = "logs",
	.state_size = sizeof(struct logs_pane),
	.recalc = logs_recalc,
	.draw = logs_draw,
	.key = logs_key,
	.free = logs_free,
};
