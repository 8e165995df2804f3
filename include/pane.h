/*
 * pane: the screen's panes, one file each (src/ui/pane-*.c), each
 * exporting a const struct pane_ops; recalc() reads the model into the
 * pane's rows, draw() paints those rows with draw.c and reads nothing
 * else. A key or an event marks panes dirty (console_dirty); the loop
 * recalculates and repaints those and calls doupdate() once per pass.
 * Only the screen layer includes this header (it holds curses types).
 */
#ifndef SITREP_PANE_H
#define SITREP_PANE_H

#include <curses.h>

#include "console.h"

struct pane_ops {
	const char *name;
	/* the size of the pane's own state (p->state), zeroed at first */
	size_t state_size;
	/* builds the pane's rows from the model, just before every draw */
	void (*recalc)(struct console *, struct pane *);
	/* paints the rows recalc built into p->win with draw.c; reads no model */
	void (*draw)(struct console *, struct pane *);
	/* 1 if the key was used; may be NULL */
	int (*key)(struct console *, struct pane *, int key);
	/* frees what the state holds (not the state); may be NULL */
	void (*free)(void *state);
};

struct pane {
	const struct pane_ops *ops;
	void *state;		/* the pane's own: its rows, list and scroll */
	WINDOW *win;
	int y, x, h, w;
	int dirty;
	int focused;
	int visible;
};

/* Gives a pane its ops and its state (once); frees its window and state (pane.c). */
void pane_attach(struct pane *, const struct pane_ops *);
void pane_detach(struct pane *);

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
