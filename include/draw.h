/*
 * draw: the only way text reaches a curses window. Untrusted text is
 * sanitized here, measured in columns and cut at column boundaries; colours
 * come from the theme by role.
 */
#ifndef SITREP_DRAW_H
#define SITREP_DRAW_H

#include <curses.h>

#include "snapshot.h"
#include "theme.h"

/* Sets up colour pairs for the theme (after initscr/newterm). */
void draw_init(const struct theme *);
attr_t draw_attr(enum role);
enum role draw_state_role(enum state);

/* Untrusted text at (y, x), at most cols columns; returns the columns used. */
int draw_text(WINDOW *, int y, int x, int cols, const char *untrusted, attr_t);
/* Text that is already safe (sanitized or ours). */
int draw_safe(WINDOW *, int y, int x, int cols, const char *safe, attr_t);
/* Text right-aligned so that it ends at column x_end (exclusive). */
int draw_right(WINDOW *, int y, int x_end, int cols, const char *safe, attr_t);
/* Fills cols columns from x with spaces in attr. */
void draw_fill(WINDOW *, int y, int x, int cols, attr_t);
/* A section rule with a title: "── Containers ─────". */
void draw_rule(WINDOW *, int y, int x, int cols, const char *title, attr_t);
/* "▇▇▇▇▁▁▁ 75%" style bar, cols wide. */
void draw_bar(WINDOW *, int y, int x, int cols, int pct, attr_t);
/* "● OK" in the state's role; returns columns used. */
int draw_state(WINDOW *, int y, int x, enum state, int stale);
/*
 * A host's state as the fleet list and the wall show it: an OK whose data
 * is old reads STALE (it is not known to be OK); DOWN, CRIT and WARN keep
 * their word. Old data is drawn in the stale role, but a DOWN host (whose
 * data is always old) keeps DOWN's.
 */
const char *draw_host_word(enum state, int stale);
enum role draw_host_role(enum state, int stale);

#endif
