/*
 * pane-hints: the bottom line: the last message, else the keys that matter
 * in the focused pane.
 */
#include "config.h"

#include "console.h"
#include "draw.h"
#include "pane.h"

struct hints_pane {
	const char *text;	/* the message (borrowed until the next recalc), or the keys */
	int message;
	int error;
};

static void
hints_recalc(struct console *c, struct pane *p)
{
	struct hints_pane *st = p->state;
	st->message = c->message != NULL;
	st->error = c->message_error;
	if (st->message) {
		st->text = c->message;
		return;
	}
	switch (c->focus) {
	case PANE_INCIDENT:
		st->text = "Space tick  s start  d done  f failed  x skip  Enter run  R runbook  "
		    "n note  m milestone  p severity  z resolve  ? help";
		break;
	case PANE_HOST:
		st->text = "j/k move  Enter/L logs  Tab pane  / filter  r refresh  i incident  "
		    "? help  q quit";
		break;
	case PANE_LOGS:
		st->text = "j/k scroll  g/G top/bottom  r reload  Esc back  ? help";
		break;
	default:
		st->text = c->inc.id > 0 ?
		    "j/k host  Enter details  i incident  n note  / filter  r refresh  ? help  q quit" :
		    "j/k host  Enter details  L logs  i open incident  / filter  r refresh  ? help  q quit";
		break;
	}
}

static void
hints_draw(struct console *c, struct pane *p)
{
	struct hints_pane *st = p->state;
	WINDOW *w = p->win;
	(void)c;
	if (!st->message) {
		draw_text(w, 0, 1, p->w - 2, safe_untrusted(st->text), draw_attr(ROLE_MUTED));
		return;
	}
	draw_fill(w, 0, 0, p->w, st->error ? draw_attr(ROLE_CRIT) : draw_attr(ROLE_NORMAL));
	draw_text(w, 0, 1, p->w - 2, safe_untrusted(st->text),
	    st->error ? draw_attr(ROLE_CRIT) : draw_attr(ROLE_ACCENT));
}

const struct pane_ops pane_hints_ops = {
	.name = "hints",
	.state_size = sizeof(struct hints_pane),
	.recalc = hints_recalc,
	.draw = hints_draw,
};
