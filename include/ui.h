/*
 * ui: the main loop. One thread owns the terminal and the model; it waits
 * in poll() on the terminal, the workers' wake pipe and a self-pipe for
 * signals, with a timeout to the next shown second. It routes keys (to
 * the open dialog, the focused pane or the console's keys), lets the
 * model take its news (console_pump) and redraws what is dirty. A dialog
 * is a mode of this loop, not a loop of its own.
 */
#ifndef SITREP_UI_H
#define SITREP_UI_H

#include <wchar.h>

#include "console.h"

/* Runs the console (or the wall); returns the exit code. */
int ui_run(struct console *);

/* Redraws what is dirty (wnoutrefresh), without doupdate(). */
void ui_paint(struct console *);
/* Lays the panes out again (after a resize). */
void ui_relayout(struct console *);
/* Frees the panes' windows. */
void ui_free(struct console *);
/* Set by signal handlers: the loop ends cleanly. */
int ui_should_quit(void);
/* Key names for the help overlay and the man page. */
struct ui_key_help {
	const char *keys;
	const char *what;
};
extern const struct ui_key_help ui_keys_console[];
extern const struct ui_key_help ui_keys_wall[];

/* The open dialog (dialog.c): drawn over the panes; a key (wget_wch's type and wch). */
void dialog_draw(struct console *);
void dialog_key(struct console *, int type, wint_t wch);
/* Frees the dialog's window (when it ends, and when the loop does). */
void dialog_release(void);

/* The wall display (wall.c). */
void wall_draw(struct console *);

#endif
