/*
 * list: the rows, selection and scroll of a list pane (as htop's Panel).
 * Every list pane (fleet, host, logs, incident, timeline) keeps one. The
 * list knows how many rows there are, which of them the cursor may stand
 * on, and how many fit; the pane keeps what its rows say and paints rows
 * top .. list_end() - 1. Rows the cursor may not stand on (section rules,
 * notes) are stepped over; where no row to stand on is left, a move
 * scrolls instead. A list without such rows (logs, timeline) only scrolls.
 * It calls no curses function but takes curses' key codes.
 */
#ifndef SITREP_LIST_H
#define SITREP_LIST_H

struct list {
	int n;			/* rows */
	int cap;
	unsigned char *pick;	/* per row: 1 when the cursor may stand on it */
	int sel;		/* the selected row; -1: none */
	int top;		/* the first row shown */
	int height;		/* rows shown */
	int follow;		/* read from the bottom: at its end, the list stays at its end */
	int back;		/* follow: the reader scrolled back from the end */
};

/* Empties the rows for a new fill; selection and scroll stay for list_fit(). */
void list_reset(struct list *);
/* Appends a row; returns its index. */
int list_add(struct list *, int pick);
/*
 * After a fill or a resize: height rows shown; the selection on a row the
 * cursor may stand on (the nearest), the scroll within the rows, and the
 * selection in view.
 */
void list_fit(struct list *, int height);
/* Selects row i (the nearest row the cursor may stand on) and brings it into view. */
void list_select(struct list *, int i);
/* Up/Down, k/j, PageUp/PageDown, Home/End, g/G; 1 if the key was used. */
int list_key(struct list *, int key);
/* The selected row, or -1 (also before the first fill). */
int list_selected(const struct list *);
/* One past the last row shown. */
int list_end(const struct list *);
void list_free(struct list *);

#endif
