/*
 * pane-status: the top line. With an incident: its title, severity, the
 * T+ clock, the response target and the RTO clock. Without: the fleet
 * summary and the time. A store that cannot record says so here, loudly.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "pane.h"
#include "sanitize.h"

#define STATUS_SEGS 12

struct seg {
	char text[160];
	const char *title;	/* or the incident's title, borrowed until the next recalc */
	int width;		/* at most this many columns; 0: the rest of the line */
	int underline;
};

struct status_pane {
	enum role role;			/* the whole line's */
	struct seg segs[STATUS_SEGS];
	int nsegs;
	char clock[40];			/* right-aligned when it fits */
	char *problem;			/* the store's, right-aligned over the rest */
};

static struct seg *
add_seg(struct status_pane *st, int width, const char *fmt, ...) ATTR_PRINTF(3, 4);

static struct seg *
add_seg(struct status_pane *st, int width, const char *fmt, ...)
{
	struct seg *s = &st->segs[st->nsegs < STATUS_SEGS - 1 ? st->nsegs++ : st->nsegs];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof s->text, fmt, ap);
	va_end(ap);
	s->width = width;
	s->underline = 0;
	s->title = NULL;
	return s;
}

/* "#4 P1 title  T+00:12:03  response 15m: 00:02:57 left  RTO 1h: 00:47:57 left" */
static void
incident_segs(struct console *c, struct status_pane *st, int cols, int64_t now)
{
	st->role = ROLE_INCIDENT;
	add_seg(st, 0, " #%lld P%d%s ", (long long)c->inc.id, c->inc.severity,
	    c->inc.drill ? " DRILL" : "");
	add_seg(st, cols / 3, "%s", "")->title = c->inc.title ? c->inc.title : "";
	char clock[32], tgt[32], left_s[32];
	int64_t start = c->inc.ms[MS_STARTED] ? c->inc.ms[MS_STARTED] : c->inc.opened_at;
	fmt_clock(clock, sizeof clock, now - start);
	add_seg(st, 0, "  T+%s", clock);
	int64_t left = console_target_left(c, now);
	fmt_duration(tgt, sizeof tgt, incident_target_s(c->conf, c->inc.severity) * 1000);
	fmt_clock(left_s, sizeof left_s, left < 0 ? -left : left);
	struct seg *s;
	if (c->inc.ms[MS_TRIAGE_DONE])
		s = add_seg(st, 0, "  response %s: %s", tgt, left >= 0 ? "met" : "MISSED");
	else
		s = add_seg(st, 0, "  response %s: %s %s", tgt, left_s, left >= 0 ? "left" : "OVER");
	s->underline = left < 0;
	int64_t rto = console_rto_left(c, now);
	if (rto != INT64_MIN) {
		char r[32], rl[32];
		fmt_duration(r, sizeof r, c->inc.rto_s * 1000);
		fmt_clock(rl, sizeof rl, rto < 0 ? -rto : rto);
		add_seg(st, 0, "  RTO %s: %s %s", r, rl, c->inc.ms[MS_RESTORED] ?
		    (rto >= 0 ? "met" : "missed") : rto >= 0 ? "left" : "OVER");
	}
}

/* " sitrep  ● 3 OK  ▲ 1 WARN ..." and the time. */
static void
fleet_segs(struct console *c, struct status_pane *st, int64_t now)
{
	st->role = ROLE_STATUS;
	add_seg(st, 0, "%s", c->wall ? " sitrep wall " : " sitrep ");
	int count[STATE_COUNT] = { 0 };
	int stale = 0;
	for (size_t i = 0; i < c->nhosts; i++) {
		if (c->snaps[i] == NULL)
			continue;
		count[c->snaps[i]->state]++;
		stale += snapshot_is_stale(c->snaps[i], mono_ms());
	}
	static const enum state order[] = { STATE_OK, STATE_WARN, STATE_CRIT, STATE_DOWN };
	for (size_t k = 0; k < nitems(order); k++)
		add_seg(st, 0, " %s %d %s ", state_symbol(order[k]), count[order[k]],
		    state_word(order[k]));
	if (count[STATE_UNTRUSTED])
		add_seg(st, 0, " ! %d UNTRUSTED ", count[STATE_UNTRUSTED]);
	if (count[STATE_UNKNOWN])
		add_seg(st, 0, " ? %d UNKNOWN ", count[STATE_UNKNOWN]);
	if (stale)
		add_seg(st, 0, " %d STALE ", stale);
	char ts[32];
	fmt_utc(ts, sizeof ts, now);
	ts[10] = ' ';
	ts[19] = '\0';
	snprintf(st->clock, sizeof st->clock, "%s UTC ", ts);
}

static void
status_recalc(struct console *c, struct pane *p)
{
	struct status_pane *st = p->state;
	int64_t now = wall_ms();
	st->nsegs = 0;
	st->clock[0] = '\0';
	if (c->inc.id > 0)
		incident_segs(c, st, p->w, now);
	else
		fleet_segs(c, st, now);
	free(st->problem);
	st->problem = NULL;
	if (c->store_problem != NULL || c->npending > 0) {
		/* nothing may look recorded, or shared, when it is not */
		char *shared = c->npending > 0 ?
		    xasprintf(" NOT SHARED: %lld action%s waiting ", (long long)c->npending,
		    c->npending == 1 ? "" : "s") : xstrdup("");
		/* the operator's kept actions first: they are what will still be recorded */
		char *msg = c->store_problem != NULL ?
		    xasprintf("%s NOT RECORDING: %s ", shared, c->store_problem) : xstrdup(shared);
		free(shared);
		st->problem = text_ellipsize(msg, p->w / 2);
		free(msg);
	}
}

static void
status_draw(struct console *c, struct pane *p)
{
	struct status_pane *st = p->state;
	WINDOW *w = p->win;
	attr_t a = draw_attr(st->role);
	int x = 0;
	(void)c;
	draw_fill(w, 0, 0, p->w, a);
	for (int i = 0; i < st->nsegs; i++) {
		const struct seg *s = &st->segs[i];
		x += draw_text(w, 0, x, s->width > 0 ? s->width : p->w - x, safe_untrusted(s->title ? s->title : s->text),
		    a | (s->underline ? A_UNDERLINE : 0));
	}
	if (st->clock[0] && x + (int)strlen(st->clock) < p->w)
		draw_right(w, 0, p->w, p->w - x, safe_untrusted(st->clock), a);
	if (st->problem != NULL)
		draw_right(w, 0, p->w, p->w / 2, safe_untrusted(st->problem), draw_attr(ROLE_DOWN));
}

static void
status_free(void *state)
{
	struct status_pane *st = state;
	free(st->problem);
}

const struct pane_ops pane_status_ops = {
	.name = "status",
	.state_size = sizeof(struct status_pane),
	.recalc = status_recalc,
	.draw = status_draw,
	.free = status_free,
};
