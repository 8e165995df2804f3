/*
 * pane-hints: the bottom line: the last message, else the keys that matter
 * in the focused pane.
 */
#include "config.h"

#include "console.h"
#include "draw.h"
#include "pane.h"

static void
hints_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	if (c->message != NULL) {
		draw_fill(w, 0, 0, p->w, c->message_error ? draw_attr(ROLE_CRIT) : draw_attr(ROLE_NORMAL));
		draw_text(w, 0, 1, p->w - 2, safe_untrusted(c->message),
		    c->message_error ? draw_attr(ROLE_CRIT) :
		    draw_attr(ROLE_ACCENT));
		return;
	}
	const char *hint;
	switch (c->focus) {
	case PANE_INCIDENT:
		hint = "Space tick  s start  d done  f failed  x skip  Enter run  R runbook  n note  "
		    "m milestone  p severity  z resolve  ? help";
		break;
	case PANE_HOST:
		hint = "j/k move  Enter/L logs  Tab pane  / filter  r refresh  i incident  ? help  q quit";
		break;
	case PANE_LOGS:
		hint = "j/k scroll  g/G top/bottom  r reload  Esc back  ? help";
		break;
	default:
		hint = c->inc.id > 0 ?
		    "j/k host  Enter details  i incident  n note  / filter  r refresh  ? help  q quit" :
		    "j/k host  Enter details  L logs  i open incident  / filter  r refresh  ? help  q quit";
		break;
	}
	draw_text(w, 0, 1, p->w - 2, safe_untrusted(hint), draw_attr(ROLE_MUTED));
}

const struct pane_ops pane_hints_ops = {
	.name = "hints",
	.draw = hints_draw,
};
