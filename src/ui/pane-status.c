/*
 * pane-status: the top line. With an incident: its title, severity, the
 * T+ clock, the response target and the RTO clock. Without: the fleet
 * summary and the time. A store that cannot record says so here, loudly.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "pane.h"
#include "sanitize.h"

static void
status_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	int64_t now = wall_ms();
	int x = 0;
	char buf[256];
	if (c->inc.id > 0) {
		attr_t a = draw_attr(ROLE_INCIDENT);
		draw_fill(w, 0, 0, p->w, a);
		snprintf(buf, sizeof buf, " #%lld P%d%s ", (long long)c->inc.id, c->inc.severity,
		    c->inc.drill ? " DRILL" : "");
		x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		int title_w = p->w / 3;
		x += draw_text(w, 0, x, title_w, safe_untrusted(c->inc.title), a);
		char clock[32];
		int64_t start = c->inc.ms[MS_STARTED] ? c->inc.ms[MS_STARTED] : c->inc.opened_at;
		fmt_clock(clock, sizeof clock, now - start);
		snprintf(buf, sizeof buf, "  T+%s", clock);
		x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		int64_t left = console_target_left(c, now);
		char tgt[32], lbuf[32];
		fmt_duration(tgt, sizeof tgt, incident_target_s(c->conf, c->inc.severity) * 1000);
		fmt_clock(lbuf, sizeof lbuf, left < 0 ? -left : left);
		if (c->inc.ms[MS_TRIAGE_DONE])
			snprintf(buf, sizeof buf, "  response %s: %s", tgt, left >= 0 ? "met" : "MISSED");
		else
			snprintf(buf, sizeof buf, "  response %s: %s %s", tgt, lbuf, left >= 0 ? "left" : "OVER");
		x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf),
		    a | (left < 0 ? A_UNDERLINE : 0));
		int64_t rto = console_rto_left(c, now);
		if (rto != INT64_MIN) {
			char r[32], rl[32];
			fmt_duration(r, sizeof r, c->inc.rto_s * 1000);
			fmt_clock(rl, sizeof rl, rto < 0 ? -rto : rto);
			snprintf(buf, sizeof buf, "  RTO %s: %s %s", r, rl, c->inc.ms[MS_RESTORED] ?
			    (rto >= 0 ? "met" : "missed") : rto >= 0 ? "left" : "OVER");
			x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		}
	} else {
		attr_t a = draw_attr(ROLE_STATUS);
		draw_fill(w, 0, 0, p->w, a);
		x += draw_text(w, 0, x, p->w,
		    safe_untrusted(c->wall ? " sitrep wall " : " sitrep "), a);
		int count[STATE_COUNT] = { 0 };
		int stale = 0;
		for (size_t i = 0; i < c->nhosts; i++) {
			if (c->snaps[i] == NULL)
				continue;
			count[c->snaps[i]->state]++;
			stale += snapshot_is_stale(c->snaps[i], mono_ms());
		}
		static const enum state order[] = { STATE_OK, STATE_WARN, STATE_CRIT, STATE_DOWN };
		for (size_t k = 0; k < nitems(order); k++) {
			snprintf(buf, sizeof buf, " %s %d %s ", state_symbol(order[k]), count[order[k]],
			    state_word(order[k]));
			x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		}
		if (count[STATE_UNTRUSTED]) {
			snprintf(buf, sizeof buf, " ! %d UNTRUSTED ", count[STATE_UNTRUSTED]);
			x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		}
		if (count[STATE_UNKNOWN]) {
			snprintf(buf, sizeof buf, " ? %d UNKNOWN ", count[STATE_UNKNOWN]);
			x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		}
		if (stale) {
			snprintf(buf, sizeof buf, " %d STALE ", stale);
			x += draw_text(w, 0, x, p->w - x, safe_untrusted(buf), a);
		}
		char ts[32];
		fmt_utc(ts, sizeof ts, now);
		ts[10] = ' ';
		ts[19] = '\0';
		snprintf(buf, sizeof buf, "%s UTC ", ts);
		if (x + (int)strlen(buf) < p->w)
			draw_right(w, 0, p->w, p->w - x, safe_untrusted(buf), a);
	}
	if (c->store_problem != NULL) {
		/* nothing may look recorded when it is not */
		char *msg = xasprintf(" NOT RECORDING: %s ", c->store_problem);
		char *safe = text_ellipsize(msg, p->w / 2);
		draw_right(w, 0, p->w, p->w / 2, safe_untrusted(safe), draw_attr(ROLE_DOWN));
		free(safe);
		free(msg);
	}
}

const struct pane_ops pane_status_ops = {
	.name = "status",
	.draw = status_draw,
};
