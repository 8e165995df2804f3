/*
 * pane-timeline: the latest events, as committed to the store (the newest
 * at the bottom): fleet changes, and during an incident every step, tick,
 * command and note.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "console.h"
#include "draw.h"
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

static void
timeline_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	draw_rule(w, 0, 0, p->w, safe_untrusted(c->inc.id > 0 ? "Timeline (incident, recorded)" :
	    "Timeline (fleet changes, recorded)"), p->focused ? draw_attr(ROLE_ACCENT) :
	    draw_attr(ROLE_HEADER));
	int rows = p->h - 1;
	int n = (int)c->nevents;
	if (p->scroll < 0)
		p->scroll = 0;
	if (p->scroll > n - rows)
		p->scroll = n - rows > 0 ? n - rows : 0;
	int last = n - p->scroll;
	int first = last - rows;
	if (first < 0)
		first = 0;
	for (int i = first, y = 1; i < last; i++, y++) {
		const struct event *e = &c->events[i];
		char ts[16], src[16];
		fmt_utc_hms(ts, sizeof ts, e->at);
		snprintf(src, sizeof src, "%-9.9s", e->source);
		int x = draw_text(w, y, 1, 9, safe_untrusted(ts), draw_attr(ROLE_MUTED));
		x += 2;
		x += draw_text(w, y, x, 10, safe_untrusted(src), draw_attr(ROLE_MUTED));
		x++;
		draw_text(w, y, x, p->w - x - 1, safe_untrusted(e->text), draw_attr(event_role(e)));
	}
	if (n == 0)
		draw_text(w, 1, 1, p->w - 2,
		    safe_untrusted(c->store ? "nothing yet" : "no store: nothing is recorded"),
		    draw_attr(ROLE_MUTED));
}

static int
timeline_key(struct console *c, struct pane *p, int key)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		p->scroll++;
		break;
	case KEY_DOWN:
	case 'j':
		if (p->scroll > 0)
			p->scroll--;
		break;
	case KEY_PPAGE:
		p->scroll += p->h - 1;
		break;
	case KEY_NPAGE:
		p->scroll = p->scroll > p->h - 1 ? p->scroll - (p->h - 1) : 0;
		break;
	case 'G':
	case KEY_END:
		p->scroll = 0;
		break;
	default:
		return 0;
	}
	console_dirty(c, PANE_TIMELINE);
	return 1;
}

const struct pane_ops pane_timeline_ops = {
	.name = "timeline",
	.draw = timeline_draw,
	.key = timeline_key,
};
