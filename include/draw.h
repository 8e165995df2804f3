/*
 * draw: the only way text reaches a curses window. It takes text only as a
 * struct safe_str, which only sanitize.c makes (or a literal of this
 * program), so what came from a host or a file cannot reach the terminal
 * unsanitized; text is measured in columns and cut at column boundaries;
 * colours come from the theme by role. No other file calls curses' text
 * output (tests/integration/draw-grep.sh checks).
 */
#ifndef SITREP_DRAW_H
#define SITREP_DRAW_H

#include <curses.h>

#include "sanitize.h"
#include "snapshot.h"
#include "theme.h"

/* Sets up colour pairs for the theme (after initscr/newterm). */
void draw_init(const struct theme *);
attr_t draw_attr(enum role);
enum role draw_state_role(enum state);

/*
 * Text at (y, x), at most cols columns, cut at a column boundary; returns
 * the columns used. Text is a struct safe_str (sanitize.h): nothing else
 * reaches the window. The text's own memory is freed here.
 */
int draw_text(WINDOW *, int y, int x, int cols, struct safe_str, attr_t);
/* Text right-aligned so that it ends at column x_end (exclusive). */
int draw_right(WINDOW *, int y, int x_end, int cols, struct safe_str, attr_t);
/* Columns the text takes; the text stays the caller's. */
int draw_width(const struct safe_str *);
/* Fills cols columns from x with spaces in attr. */
void draw_fill(WINDOW *, int y, int x, int cols, attr_t);
/* A section rule with a title: "── Containers ─────". */
void draw_rule(WINDOW *, int y, int x, int cols, struct safe_str title, attr_t);
/* A line-drawn box of h rows and w columns at (y, x). */
void draw_box(WINDOW *, int y, int x, int h, int w, attr_t);
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
