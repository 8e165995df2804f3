/*
 * pane-logs: the tail of a container's or unit's log, sanitized, scrollable.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "console.h"
#include "draw.h"
#include "pane.h"

static void
logs_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	char title[64];
	snprintf(title, sizeof title, "LOGS %zu lines  ", c->logs_lines.n);
	attr_t ta = p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_TITLE);
	int x = draw_text(w, 0, 1, p->w - 2, safe_untrusted(title), ta);
	if (c->logs_title)
		draw_text(w, 0, 1 + x, p->w - 2 - x, safe_untrusted(c->logs_title), ta);
	int rows = p->h - 1;
	if (c->logs_pending) {
		draw_text(w, 1, 1, p->w - 2, SAFE_LITERAL("asking the host..."),
		    draw_attr(ROLE_MUTED));
		return;
	}
	int n = (int)c->logs_lines.n;
	/* scroll is the index one past the last line shown (the newest at the bottom) */
	if (p->scroll > n)
		p->scroll = n;
	if (p->scroll < rows && n >= rows)
		p->scroll = rows;
	int first = p->scroll - rows;
	if (first < 0)
		first = 0;
	for (int i = first, y = 1; i < p->scroll && y <= rows; i++, y++) {
		const char *line = c->logs_lines.v[i];
		attr_t a = draw_attr(ROLE_NORMAL);
		if (c->filter && strcasestr(line, c->filter))
			a = draw_attr(ROLE_ACCENT);
		/* already sanitized when it arrived */
		draw_text(w, y, 1, p->w - 2, safe_untrusted(line), a);
	}
	if (n == 0)
		draw_text(w, 1, 1, p->w - 2, SAFE_LITERAL("(empty)"), draw_attr(ROLE_MUTED));
}

static int
logs_key(struct console *c, struct pane *p, int key)
{
	int n = (int)c->logs_lines.n, rows = p->h - 1;
	switch (key) {
	case KEY_UP:
	case 'k':
		if (p->scroll > rows)
			p->scroll--;
		break;
	case KEY_DOWN:
	case 'j':
		if (p->scroll < n)
			p->scroll++;
		break;
	case KEY_PPAGE:
		p->scroll = p->scroll - rows > rows ? p->scroll - rows : rows;
		break;
	case KEY_NPAGE:
	case ' ':
		p->scroll = p->scroll + rows < n ? p->scroll + rows : n;
		break;
	case 'g':
	case KEY_HOME:
		p->scroll = rows;
		break;
	case 'G':
	case KEY_END:
		p->scroll = n;
		break;
	case 'r':
		console_request_logs(c);
		break;
	default:
		return 0;
	}
	console_dirty(c, PANE_LOGS);
	return 1;
}

const struct pane_ops pane_logs_ops = {
	.name = "logs",
	.draw = logs_draw,
	.key = logs_key,
};
