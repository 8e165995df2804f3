/*
 * wall: the read-only big-screen view. A tile per host sized to the
 * terminal with its state in large letters; the open incident with a large
 * T+ clock and the current step's timer; a slow rotation through host
 * details. It runs no command: the fleet was started read-only, the store
 * opened read-only, and its only keys are q and pause.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "pane.h"
#include "render.h"
#include "ui.h"

#define ROTATE_MS 10000

/* A 5-row block font for the letters and digits the wall writes large. */
struct glyph {
	char c;
	const char *rows[5];
};

static const struct glyph font[] = {
	{ 'A', { " ## ", "#  #", "####", "#  #", "#  #" } },
	{ 'C', { " ###", "#   ", "#   ", "#   ", " ###" } },
	{ 'D', { "### ", "#  #", "#  #", "#  #", "### " } },
	{ 'E', { "####", "#   ", "### ", "#   ", "####" } },
	{ 'I', { "###", " # ", " # ", " # ", "###" } },
	{ 'K', { "#  #", "# # ", "##  ", "# # ", "#  #" } },
	{ 'L', { "#   ", "#   ", "#   ", "#   ", "####" } },
	{ 'N', { "#   #", "##  #", "# # #", "#  ##", "#   #" } },
	{ 'O', { " ## ", "#  #", "#  #", "#  #", " ## " } },
	{ 'R', { "### ", "#  #", "### ", "# # ", "#  #" } },
	{ 'S', { " ###", "#   ", " ## ", "   #", "### " } },
	{ 'T', { "###", " # ", " # ", " # ", " # " } },
	{ 'U', { "#  #", "#  #", "#  #", "#  #", " ## " } },
	{ 'W', { "#   #", "#   #", "# # #", "## ##", "#   #" } },
	{ '?', { "### ", "   #", " ## ", "    ", " #  " } },
	{ '+', { "   ", " # ", "###", " # ", "   " } },
	{ '-', { "   ", "   ", "###", "   ", "   " } },
	{ ':', { " ", "#", " ", "#", " " } },
	{ '0', { "###", "# #", "# #", "# #", "###" } },
	{ '1', { " # ", "## ", " # ", " # ", "###" } },
	{ '2', { "###", "  #", "###", "#  ", "###" } },
	{ '3', { "###", "  #", "###", "  #", "###" } },
	{ '4', { "# #", "# #", "###", "  #", "  #" } },
	{ '5', { "###", "#  ", "###", "  #", "###" } },
	{ '6', { "###", "#  ", "###", "# #", "###" } },
	{ '7', { "###", "  #", "  #", "  #", "  #" } },
	{ '8', { "###", "# #", "###", "# #", "###" } },
	{ '9', { "###", "# #", "###", "  #", "###" } },
	{ ' ', { "  ", "  ", "  ", "  ", "  " } },
};

static const struct glyph *
glyph_of(char c)
{
	for (size_t i = 0; i < nitems(font); i++)
		if (font[i].c == c)
			return &font[i];
	return &font[nitems(font) - 1];
}

/* Columns needed to write s large (a blank column between letters). */
static int
big_width(const char *s)
{
	int w = 0;
	for (const char *p = s; *p; p++)
		w += (int)strlen(glyph_of(*p)->rows[0]) + 1;
	return w > 0 ? w - 1 : 0;
}

/* Writes s (ours: ASCII) in the block font; returns 0 if it did not fit. */
static int
big_text(int y, int x, int maxw, const char *s, attr_t a)
{
	if (big_width(s) > maxw)
		return 0;
	for (int r = 0; r < 5; r++) {
		int cx = x;
		for (const char *p = s; *p; p++) {
			const struct glyph *g = glyph_of(*p);
			for (const char *q = g->rows[r]; *q; q++, cx++)
				draw_text(stdscr, y + r, cx, 1,
				    *q == '#' ? SAFE_LITERAL("\xe2\x96\x88") :
				    SAFE_LITERAL(" "), a);
			cx++;
		}
	}
	return 1;
}

static void
draw_big(int y, int x, int w, const char *s, attr_t a)
{
	attrset(a);
	if (!big_text(y, x + (w - big_width(s)) / 2, w, s, a))
		draw_text(stdscr, y + 2, x + (w - (int)strlen(s)) / 2, w, safe_untrusted(s),
		    a | A_BOLD);
	attrset(A_NORMAL);
}

static int
draw_incident(struct console *c, int W)
{
	int64_t now = wall_ms();
	attr_t a = draw_attr(ROLE_INCIDENT);
	for (int y = 0; y < 8; y++)
		draw_fill(stdscr, y, 0, W, a);
	char head[256];
	snprintf(head, sizeof head, " INCIDENT #%lld  P%d%s ", (long long)c->inc.id, c->inc.severity,
	    c->inc.drill ? "  DRILL" : "");
	int x = draw_text(stdscr, 0, 1, W - 2, safe_untrusted(head), a);
	draw_text(stdscr, 0, 1 + x, W - 3 - x, safe_untrusted(c->inc.title), a);
	int64_t start = c->inc.ms[MS_STARTED] ? c->inc.ms[MS_STARTED] : c->inc.opened_at;
	char clock[32], big[40];
	fmt_clock(clock, sizeof clock, now - start);
	snprintf(big, sizeof big, "T+%s", clock);
	draw_big(1, 0, W / 2, big, a);
	/* the current step and its timer */
	const struct step_run *sr = console_running_step(c);
	int rx = W / 2 + 1, rw = W - rx - 1;
	if (sr != NULL) {
		char line[256], el[32], box[48] = "";
		int64_t elapsed = now - sr->started_at;
		fmt_clock(el, sizeof el, elapsed);
		int64_t limit = sr->timebox_max_s > 0 ? sr->timebox_max_s : sr->timebox_s;
		const char *word = "";
		enum role r = ROLE_INCIDENT;
		if (limit > 0) {
			char b[32];
			fmt_clock(b, sizeof b, limit * 1000);
			snprintf(box, sizeof box, " / %s", b);
			if (elapsed > 2 * limit * 1000) {
				word = "  CRIT 2x over";
				r = ROLE_CRIT;
			} else if (elapsed > limit * 1000) {
				word = "  WARN over";
				r = ROLE_WARN;
			} else
				word = "  OK";
		}
		snprintf(line, sizeof line, "step %d:", sr->number);
		int used = draw_text(stdscr, 2, rx, rw, safe_untrusted(line), a);
		draw_text(stdscr, 2, rx + used + 1, rw - used - 1, safe_untrusted(sr->title), a);
		snprintf(line, sizeof line, "%s%s", el, box);
		int uw = draw_text(stdscr, 4, rx, rw, safe_untrusted(line), a | A_BOLD);
		draw_text(stdscr, 4, rx + uw, rw - uw, safe_untrusted(word),
		    r == ROLE_INCIDENT ? a : draw_attr(r));
	} else
		draw_text(stdscr, 3, rx, rw,
		    safe_untrusted(c->inc.ms[MS_TRIAGE_DONE] ? "no step running" : "triage"),
		    a);
	int64_t left = console_target_left(c, now);
	char lb[32], line[128];
	fmt_clock(lb, sizeof lb, left < 0 ? -left : left);
	snprintf(line, sizeof line, "response target: %s", c->inc.ms[MS_TRIAGE_DONE] ?
	    (left >= 0 ? "met" : "missed") : "");
	if (!c->inc.ms[MS_TRIAGE_DONE])
		snprintf(line, sizeof line, "response target: %s %s", lb, left >= 0 ? "left" : "OVER");
	draw_text(stdscr, 6, rx, rw, safe_untrusted(line), a);
	return 8;
}

static void
draw_tile(struct console *c, size_t i, int y, int x, int h, int w)
{
	const struct host_snapshot *s = c->snaps[i];
	enum state st = s ? s->state : STATE_UNKNOWN;
	int stale = s && snapshot_is_stale(s, mono_ms());
	attr_t a = draw_attr(draw_host_role(st, stale));
	draw_box(stdscr, y, x, h, w, draw_attr(ROLE_BORDER));
	draw_text(stdscr, y, x + 2, w - 4, safe_untrusted(c->conf->hosts[i].name),
	    draw_attr(ROLE_TITLE));
	const char *word = draw_host_word(st, stale);
	char small[32];
	snprintf(small, sizeof small, "%s %s", state_symbol(st), word);
	int inner = w - 2;
	if (h >= 9 && big_width(word) <= inner - 2) {
		draw_big(y + 1, x + 1, inner, word, a);
		draw_text(stdscr, y + 6, x + 2, inner - 2, safe_untrusted(small), a);
	} else
		draw_text(stdscr, y + 1, x + 2, inner - 2, safe_untrusted(small), a | A_BOLD);
	int ry = h >= 9 ? y + 7 : y + 2;
	if (s != NULL && ry < y + h - 1) {
		char age[32];
		render_age(age, sizeof age, s, mono_ms());
		int used = draw_text(stdscr, ry, x + 2, inner - 12, safe_untrusted(s->reason),
		    draw_attr(ROLE_NORMAL));
		(void)used;
		draw_right(stdscr, ry, x + w - 2, 9, safe_untrusted(age), draw_attr(ROLE_MUTED));
	}
}

static void
draw_rotation(struct console *c, int y, int h, int W)
{
	if (c->nhosts == 0 || h < 3)
		return;
	int64_t now = mono_ms();
	if (!c->paused && now >= c->rotate_at) {
		c->rotate_index = (c->rotate_index + 1) % (int)c->nhosts;
		c->rotate_at = now + ROTATE_MS;
	}
	size_t i = (size_t)c->rotate_index % c->nhosts;
	const struct host_snapshot *s = c->snaps[i];
	char title[128];
	snprintf(title, sizeof title, "%s%s", c->conf->hosts[i].name, c->paused ? "  (paused)" : "");
	draw_rule(stdscr, y, 0, W, safe_untrusted(title), draw_attr(ROLE_HEADER));
	const struct host_data *d = s ? s->data : NULL;
	int row = y + 1, col = 1, colw = W / 2 - 2;
	if (d == NULL) {
		draw_text(stdscr, row, 1, W - 2, SAFE_LITERAL("no data"), draw_attr(ROLE_MUTED));
		return;
	}
	for (size_t k = 0; k < d->ncontainers && row < y + h; k++, row++) {
		const struct container *ct = &d->containers[k];
		int used = draw_state(stdscr, row, col, ct->state, 0);
		used += 1 + draw_text(stdscr, row, col + used + 1, 20, safe_untrusted(ct->name),
		    draw_attr(ROLE_NORMAL));
		draw_text(stdscr, row, col + 34, colw - 34, safe_untrusted(ct->reason),
		    draw_attr(ROLE_MUTED));
	}
	row = y + 1;
	col = W / 2;
	for (size_t k = 0; k < d->nhealth && row < y + h; k++, row++) {
		int used = draw_state(stdscr, row, col, d->health[k].state, 0);
		used += 1 + draw_text(stdscr, row, col + used + 1, 16,
		    safe_untrusted(d->health[k].name), draw_attr(ROLE_NORMAL));
		draw_text(stdscr, row, col + 30, colw - 30, safe_untrusted(d->health[k].reason),
		    draw_attr(ROLE_MUTED));
	}
	for (size_t k = 0; k < d->nchecks && row < y + h; k++, row++) {
		int used = draw_state(stdscr, row, col, d->checks[k].state, 0);
		used += 1 + draw_text(stdscr, row, col + used + 1, 16,
		    safe_untrusted(d->checks[k].name), draw_attr(ROLE_NORMAL));
		draw_text(stdscr, row, col + 30, colw - 30, safe_untrusted(d->checks[k].reason),
		    draw_attr(ROLE_MUTED));
	}
	for (size_t k = 0; k < d->ndisks && row < y + h; k++, row++) {
		int used = draw_state(stdscr, row, col, d->disks[k].state, 0);
		draw_text(stdscr, row, col + used + 1, colw - used - 1,
		    safe_untrusted(d->disks[k].reason),
		    draw_attr(ROLE_NORMAL));
	}
}

void
wall_draw(struct console *c)
{
	struct pane *flag = &c->panes[PANE_STATUS];
	if (!flag->dirty)
		return;
	flag->dirty = 0;
	for (int i = 0; i < PANE_COUNT; i++)
		c->panes[i].dirty = 0;
	int H = c->rows_total, W = c->cols_total;
	erase();
	if (c->too_small) {
		draw_text(stdscr, 0, 0, W, SAFE_LITERAL("sitrep wall needs at least 40x12"),
		    A_NORMAL);
		wnoutrefresh(stdscr);
		return;
	}
	int top = 0;
	if (c->inc.id > 0)
		top = draw_incident(c, W);
	else {
		attr_t a = draw_attr(ROLE_STATUS);
		draw_fill(stdscr, 0, 0, W, a);
		int counts[STATE_COUNT] = { 0 };
		for (size_t i = 0; i < c->nhosts; i++)
			counts[c->snaps[i] ? c->snaps[i]->state : STATE_UNKNOWN]++;
		char line[256], ts[32];
		fmt_utc(ts, sizeof ts, wall_ms());
		snprintf(line, sizeof line, " sitrep wall   %d OK  %d WARN  %d CRIT  %d DOWN   no open incident",
		    counts[STATE_OK], counts[STATE_WARN], counts[STATE_CRIT], counts[STATE_DOWN]);
		draw_text(stdscr, 0, 0, W, safe_untrusted(line), a);
		draw_right(stdscr, 0, W - 1, 24, safe_untrusted(ts), a);
		top = 1;
	}
	int hints = 1;
	int avail = H - top - hints;
	int detail = avail >= 24 ? avail / 3 : 0;
	int grid_h = avail - detail;
	size_t n = c->nhosts ? c->nhosts : 1;
	int cols = W / 26;
	if (cols < 1)
		cols = 1;
	if ((size_t)cols > n)
		cols = (int)n;
	int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
	while (rows > 1 && grid_h / rows < 3 && (cols + 1) * 20 <= W) {
		cols++;
		rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
	}
	int th = grid_h / rows, tw = W / cols;
	if (th > 12)
		th = 12;
	if (th < 3)
		th = 3;
	for (size_t i = 0; i < c->nhosts; i++) {
		int r = (int)i / cols, col = (int)i % cols;
		if (top + (r + 1) * th > top + grid_h)
			break;
		draw_tile(c, i, top + r * th, col * tw, th, tw);
	}
	int used_h = rows * th < grid_h ? rows * th : grid_h;
	if (detail > 0 || avail - used_h >= 4)
		draw_rotation(c, top + used_h, avail - used_h, W);
	draw_text(stdscr, H - 1, 1, W - 2,
	    safe_untrusted(c->paused ? "read-only wall   p resume rotation   q quit" :
	    "read-only wall   p pause rotation   q quit"), draw_attr(ROLE_MUTED));
	wnoutrefresh(stdscr);
}
