/*
 * draw: width-aware, sanitizing text output for curses. See draw.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "sanitize.h"
#include "util.h"

static attr_t role_attr[ROLE_COUNT];

static attr_t
to_attrs(int a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_ATTR_BOLD)
		r |= A_BOLD;
	if (a & THEME_ATTR_DIM)
		r |= A_DIM;
	if (a & THEME_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ATTR_STANDOUT)
		r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & THEME_ATTR_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

void
draw_init(const struct theme *t)
{
	int colour = !t->mono && has_colors();
	if (colour) {
		start_color();
		use_default_colors();
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct theme_style *st = &t->style[r];
		role_attr[r] = to_attrs(st->attrs);
		if (!colour)
			continue;
		short fg = st->fg, bg = st->bg;
		/* bright colours on 8-colour terminals: the base colour, bold */
		if (fg >= COLORS) {
			if (fg >= 8 && fg < 16) {
				fg -= 8;
				role_attr[r] |= A_BOLD;
			} else
				fg = -1;
		}
		if (bg >= COLORS)
			bg = bg >= 8 && bg < 16 ? bg - 8 : -1;
		if (init_pair((short)(r + 1), fg, bg) == OK)
			role_attr[r] |= COLOR_PAIR(r + 1);
	}
}

attr_t
draw_attr(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_attr[r] : A_NORMAL;
}

enum role
draw_state_role(enum state s)
{
	switch (s) {
	case STATE_OK: return ROLE_OK;
	case STATE_WARN: return ROLE_WARN;
	case STATE_CRIT: return ROLE_CRIT;
	case STATE_DOWN: return ROLE_DOWN;
	case STATE_UNTRUSTED: return ROLE_UNTRUSTED;
	default: return ROLE_UNKNOWN;
	}
}

/* Writes text already known safe; returns the columns used. */
static int
put_text(WINDOW *w, int y, int x, int cols, const char *safe, attr_t attr)
{
	if (cols <= 0 || y < 0 || x < 0 || y >= getmaxy(w) || x >= getmaxx(w))
		return 0;
	if (x + cols > getmaxx(w))
		cols = getmaxx(w) - x;
	int width;
	size_t n = text_fit(safe, cols, &width);
	wattrset(w, attr);
	mvwaddnstr(w, y, x, safe, (int)n);
	wattrset(w, A_NORMAL);
	return width;
}

int
draw_text(WINDOW *w, int y, int x, int cols, struct safe_str t, attr_t attr)
{
	int used = put_text(w, y, x, cols, t.s ? t.s : "", attr);
	safe_str_free(&t);
	return used;
}

int
draw_width(const struct safe_str *t)
{
	return text_width(t->s ? t->s : "");
}

int
draw_right(WINDOW *w, int y, int x_end, int cols, struct safe_str t, attr_t attr)
{
	int width = draw_width(&t);
	if (width > cols)
		width = cols;
	return draw_text(w, y, x_end - width, width, t, attr);
}

void
draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr)
{
	if (y < 0 || y >= getmaxy(w) || x < 0)
		return;
	if (x + cols > getmaxx(w))
		cols = getmaxx(w) - x;
	if (cols <= 0)
		return;
	wattrset(w, attr);
	mvwhline(w, y, x, ' ', cols);
	wattrset(w, A_NORMAL);
}

void
draw_rule(WINDOW *w, int y, int x, int cols, struct safe_str title, attr_t attr)
{
	draw_fill(w, y, x, cols, A_NORMAL);
	wattrset(w, draw_attr(ROLE_BORDER));
	mvwhline(w, y, x, ACS_HLINE, cols);
	wattrset(w, A_NORMAL);
	if (title.s != NULL && *title.s && cols > 6) {
		int used = put_text(w, y, x + 2, cols - 4, " ", attr);
		used += put_text(w, y, x + 2 + used, cols - 5 - used, title.s, attr);
		put_text(w, y, x + 2 + used, 1, " ", attr);
	}
	safe_str_free(&title);
}

void
draw_box(WINDOW *w, int y, int x, int h, int wd, attr_t attr)
{
	if (h < 2 || wd < 2)
		return;
	wattrset(w, attr);
	mvwhline(w, y, x, ACS_HLINE, wd);
	mvwhline(w, y + h - 1, x, ACS_HLINE, wd);
	mvwvline(w, y, x, ACS_VLINE, h);
	mvwvline(w, y, x + wd - 1, ACS_VLINE, h);
	mvwaddch(w, y, x, ACS_ULCORNER);
	mvwaddch(w, y, x + wd - 1, ACS_URCORNER);
	mvwaddch(w, y + h - 1, x, ACS_LLCORNER);
	mvwaddch(w, y + h - 1, x + wd - 1, ACS_LRCORNER);
	wattrset(w, A_NORMAL);
}

void
draw_bar(WINDOW *w, int y, int x, int cols, int pct, attr_t attr)
{
	if (cols < 3)
		return;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	int filled = (cols * pct + 50) / 100;
	char *s = xmalloc((size_t)cols * 3 + 1);
	size_t o = 0;
	for (int i = 0; i < cols; i++) {
		/* full block for used, light shade for free: both visible in mono */
		const char *ch = i < filled ? "\xe2\x96\x88" : "\xe2\x96\x91";
		memcpy(s + o, ch, 3);
		o += 3;
	}
	s[o] = '\0';
	put_text(w, y, x, cols, s, attr);
	free(s);
}

const char *
draw_host_word(enum state s, int stale)
{
	return stale && s == STATE_OK ? "STALE" : state_word(s);
}

enum role
draw_host_role(enum state s, int stale)
{
	return stale && s != STATE_DOWN ? ROLE_STALE : draw_state_role(s);
}

int
draw_state(WINDOW *w, int y, int x, enum state s, int stale)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%s %s", state_symbol(s), state_word(s));
	int used = put_text(w, y, x, 12, buf, draw_attr(draw_state_role(s)));
	if (stale)
		used += put_text(w, y, x + used, 7, " STALE", draw_attr(ROLE_STALE));
	return used;
}
