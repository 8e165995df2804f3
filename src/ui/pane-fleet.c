/*
 * pane-fleet: one row per host: state symbol and word, name, the worst
 * item's reason and the data's age.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "list.h"
#include "pane.h"
#include "render.h"

struct host_row {
	size_t host;
	char word[40];		/* "● CRIT" */
	enum role word_role;
	const char *name;	/* borrowed from the model until the next recalc */
	const char *reason;
	char age[32];
	enum role age_role;
};

struct fleet_pane {
	char title[64];
	const char *filter;
	int name_w;
	int shown;		/* the selected host's row; -1: filtered out */
	struct host_row *rows;
	size_t cap;
	struct list list;
};

static void
fleet_recalc(struct console *c, struct pane *p)
{
	struct fleet_pane *st = p->state;
	if (st->cap < c->nhosts + 1) {
		st->cap = c->nhosts + 1;
		st->rows = xreallocarray(st->rows, st->cap, sizeof *st->rows);
	}
	size_t *vis = xcalloc(c->nhosts + 1, sizeof *vis);
	size_t n = console_visible_hosts(c, vis, c->nhosts);
	if (c->filter != NULL)
		snprintf(st->title, sizeof st->title, "HOSTS %zu/%zu /", n, c->nhosts);
	else
		snprintf(st->title, sizeof st->title, "HOSTS %zu", c->nhosts);
	st->filter = c->filter;
	int width = p->w - 1;	/* the last column is the separator */
	st->name_w = 4;
	for (size_t k = 0; k < c->nhosts; k++)
		if ((int)strlen(c->conf->hosts[k].name) > st->name_w)
			st->name_w = (int)strlen(c->conf->hosts[k].name);
	if (st->name_w > (width >= 40 ? 14 : 10))
		st->name_w = width >= 40 ? 14 : 10;
	int64_t now = mono_ms();
	int sel = -1;
	list_reset(&st->list);
	for (size_t r = 0; r < n; r++) {
		struct host_row *row = &st->rows[list_add(&st->list, 1)];
		const struct host_snapshot *s = c->snaps[vis[r]];
		enum state state = s ? s->state : STATE_UNKNOWN;
		int stale = s && snapshot_is_stale(s, now);
		row->host = vis[r];
		snprintf(row->word, sizeof row->word, "%s %-9s", state_symbol(state),
		    draw_host_word(state, stale));
		row->word_role = draw_host_role(state, stale);
		row->name = c->conf->hosts[vis[r]].name;
		row->reason = s ? s->reason : NULL;
		snprintf(row->age, sizeof row->age, "-");
		if (s != NULL)
			render_age(row->age, sizeof row->age, s, now);
		row->age_role = stale ? ROLE_STALE : ROLE_MUTED;
		if (vis[r] == c->selected)
			sel = (int)r;
	}
	free(vis);
	st->shown = sel;
	st->list.sel = sel >= 0 ? sel : 0;
	list_fit(&st->list, p->h - 1);
}

static void
draw_host_row(WINDOW *w, int y, int width, int name_w, const struct host_row *row, int selected)
{
	attr_t base = selected ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
	if (selected)
		draw_fill(w, y, 0, width, base);
	int x = 1 + draw_text(w, y, 0, width, safe_untrusted(row->word),
	    selected ? base : draw_attr(row->word_role));
	draw_text(w, y, x, name_w, safe_untrusted(row->name), base | A_BOLD);
	x += name_w + 1;
	draw_right(w, y, width, 7, safe_untrusted(row->age),
	    selected ? base : draw_attr(row->age_role));
	int reason_w = width - x - 8;
	if (reason_w > 3 && row->reason != NULL)
		draw_text(w, y, x, reason_w, safe_untrusted(row->reason),
		    selected ? base : draw_attr(ROLE_NORMAL));
}

static void
fleet_draw(struct console *c, struct pane *p)
{
	struct fleet_pane *st = p->state;
	WINDOW *w = p->win;
	int width = p->w - 1;	/* the last column is the separator */
	(void)c;
	attr_t ta = p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_HEADER);
	int used = draw_text(w, 0, 0, width, safe_untrusted(st->title), ta);
	if (st->filter != NULL)
		draw_text(w, 0, used, width - used, safe_untrusted(st->filter), draw_attr(ROLE_ACCENT));
	const struct list *l = &st->list;
	for (int i = l->top; i < list_end(l); i++)
		draw_host_row(w, 1 + i - l->top, width, st->name_w, &st->rows[i],
		    i == st->shown);
	if (l->n == 0)
		draw_text(w, 1, 0, width, SAFE_LITERAL("no host matches the filter"),
		    draw_attr(ROLE_MUTED));
	wattrset(w, draw_attr(ROLE_BORDER));
	mvwvline(w, 0, p->w - 1, ACS_VLINE, p->h);
	wattrset(w, A_NORMAL);
}

static int
fleet_key(struct console *c, struct pane *p, int key)
{
	struct fleet_pane *st = p->state;
	if (key == '\r' || key == '\n' || key == KEY_ENTER || key == 'l') {
		c->host_item = 0;
		console_dirty_all(c);
		ui_set_view(c, VIEW_HOST);
		c->focus = PANE_HOST;
		return 1;
	}
	if (!list_key(&st->list, key))
		return 0;
	console_dirty(c, PANE_FLEET);
	int sel = list_selected(&st->list);
	if (sel >= 0 && st->rows[sel].host != c->selected) {
		c->selected = st->rows[sel].host;
		c->host_item = 0;
		console_dirty(c, PANE_HOST);
	}
	return 1;
}

static void
fleet_free(void *state)
{
	struct fleet_pane *st = state;
	free(st->rows);
	list_free(&st->list);
}

const struct pane_ops pane_fleet_ops = {
	.name = "fleet",
	.state_size = sizeof(struct fleet_pane),
	.recalc = fleet_recalc,
	.draw = fleet_draw,
	.key = fleet_key,
	.free = fleet_free,
};
