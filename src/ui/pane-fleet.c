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
#include "pane.h"
#include "render.h"

static void
fleet_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	int width = p->w - 1;	/* the last column is the separator */
	size_t *vis = xcalloc(c->nhosts + 1, sizeof *vis);
	size_t n = console_visible_hosts(c, vis, c->nhosts);
	char title[64];
	if (c->filter != NULL)
		snprintf(title, sizeof title, "HOSTS %zu/%zu /", n, c->nhosts);
	else
		snprintf(title, sizeof title, "HOSTS %zu", c->nhosts);
	attr_t ta = p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_HEADER);
	int used = draw_text(w, 0, 0, width, safe_untrusted(title), ta);
	if (c->filter != NULL)
		draw_text(w, 0, used, width - used, safe_untrusted(c->filter),
		    draw_attr(ROLE_ACCENT));
	/* keep the selection visible */
	int rows = p->h - 1;
	int sel = 0;
	for (size_t i = 0; i < n; i++)
		if (vis[i] == c->selected)
			sel = (int)i;
	if (sel < p->scroll)
		p->scroll = sel;
	if (sel >= p->scroll + rows)
		p->scroll = sel - rows + 1;
	int64_t now = mono_ms();
	for (int r = 0; r < rows && p->scroll + r < (int)n; r++) {
		size_t i = vis[p->scroll + r];
		const struct host_snapshot *s = c->snaps[i];
		int y = r + 1;
		int selected = i == c->selected;
		attr_t base = selected ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
		if (selected)
			draw_fill(w, y, 0, width, base);
		int x = 0;
		enum state st = s ? s->state : STATE_UNKNOWN;
		int stale = s && snapshot_is_stale(s, now);
		char word[40];
		snprintf(word, sizeof word, "%s %-9s", state_symbol(st), draw_host_word(st, stale));
		x += draw_text(w, y, x, width, safe_untrusted(word),
		    selected ? base : draw_attr(draw_host_role(st, stale)));
		x++;
		int name_w = 4;
		for (size_t k = 0; k < c->nhosts; k++) {
			int nw = (int)strlen(c->conf->hosts[k].name);
			if (nw > name_w)
				name_w = nw;
		}
		if (name_w > (width >= 40 ? 14 : 10))
			name_w = width >= 40 ? 14 : 10;
		draw_text(w, y, x, name_w, safe_untrusted(c->conf->hosts[i].name), base | A_BOLD);
		x += name_w + 1;
		char age[32] = "-";
		if (s != NULL)
			render_age(age, sizeof age, s, now);
		draw_right(w, y, width, 7, safe_untrusted(age),
		    selected ? base : draw_attr(stale ? ROLE_STALE : ROLE_MUTED));
		int reason_w = width - x - 8;
		if (reason_w > 3 && s != NULL)
			draw_text(w, y, x, reason_w, safe_untrusted(s->reason),
			    selected ? base : draw_attr(ROLE_NORMAL));
	}
	if (n == 0)
		draw_text(w, 1, 0, width, SAFE_LITERAL("no host matches the filter"),
		    draw_attr(ROLE_MUTED));
	wattrset(w, draw_attr(ROLE_BORDER));
	mvwvline(w, 0, p->w - 1, ACS_VLINE, p->h);
	wattrset(w, A_NORMAL);
	free(vis);
}

static int
fleet_key(struct console *c, struct pane *p, int key)
{
	size_t *vis = xcalloc(c->nhosts + 1, sizeof *vis);
	size_t n = console_visible_hosts(c, vis, c->nhosts);
	int at = 0, used = 1;
	for (size_t i = 0; i < n; i++)
		if (vis[i] == c->selected)
			at = (int)i;
	switch (key) {
	case KEY_UP:
	case 'k':
		at = at > 0 ? at - 1 : 0;
		break;
	case KEY_DOWN:
	case 'j':
		at = at + 1 < (int)n ? at + 1 : at;
		break;
	case KEY_HOME:
	case 'g':
		at = 0;
		break;
	case KEY_END:
	case 'G':
		at = n ? (int)n - 1 : 0;
		break;
	case KEY_PPAGE:
		at = at > p->h - 1 ? at - (p->h - 1) : 0;
		break;
	case KEY_NPAGE:
		at = at + p->h - 1 < (int)n ? at + p->h - 1 : (n ? (int)n - 1 : 0);
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 'l':
		c->focus = PANE_HOST;
		c->host_item = 0;
		console_dirty_all(c);
		free(vis);
		ui_set_view(c, VIEW_HOST);
		c->focus = PANE_HOST;
		return 1;
	default:
		used = 0;
	}
	if (used && n > 0 && vis[at] != c->selected) {
		c->selected = vis[at];
		c->host_item = 0;
		console_dirty(c, PANE_HOST);
		console_dirty(c, PANE_FLEET);
	}
	free(vis);
	return used;
}

const struct pane_ops pane_fleet_ops = {
	.name = "fleet",
	.draw = fleet_draw,
	.key = fleet_key,
};
