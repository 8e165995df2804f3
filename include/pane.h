/*
 * pane: the screen's panes, one file each (src/ui/pane-*.c), each
 * exporting a const struct pane_ops; recalc() reads the model, draw()
 * only calls curses. A key or an event marks panes dirty (console_dirty);
 * the loop repaints those and calls doupdate() once per pass. Only the
 * screen layer includes this header (it holds curses types).
 */
#ifndef SITREP_PANE_H
#define SITREP_PANE_H

#include <curses.h>

#include "console.h"

struct pane_ops {
	const char *name;
	/* reads the model into the pane's own state; may be NULL */
	void (*recalc)(struct console *, struct pane *);
	/* draws into p->win; only curses calls */
	void (*draw)(struct console *, struct pane *);
	/* 1 if the key was used */
	int (*key)(struct console *, struct pane *, int key);
};

struct pane {
	const struct pane_ops *ops;
	WINDOW *win;
	int y, x, h, w;
	int dirty;
	int focused;
	int visible;
	int cursor;
	int scroll;
};

extern const struct pane_ops pane_status_ops;
extern const struct pane_ops pane_fleet_ops;
extern const struct pane_ops pane_host_ops;
extern const struct pane_ops pane_logs_ops;
extern const struct pane_ops pane_incident_ops;
extern const struct pane_ops pane_timeline_ops;
extern const struct pane_ops pane_hints_ops;

/* Shows a view in the main area (ui.c): console_set_view, for the panes. */
void ui_set_view(struct console *, enum view);

#endif
