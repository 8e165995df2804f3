/*
 * ui: the main loop. One thread owns curses and the model; it waits in
 * poll() on the terminal, the workers' wake pipe and a self-pipe for
 * signals, with a timeout to the next shown second. Dialogs run the same
 * pump so the fleet, the clocks and running commands never stop.
 */
#ifndef SITREP_UI_H
#define SITREP_UI_H

#include <wchar.h>

#include "console.h"

/* Runs the console (or the wall); returns the exit code. */
int ui_run(struct console *);

/*
 * Waits up to timeout_ms for a key while serving everything else;
 * returns KEY_CODE_YES / OK with *wch set, or ERR on timeout.
 */
int ui_get_key(struct console *, wint_t *wch, int timeout_ms);
/* Redraws what is dirty (wnoutrefresh), without doupdate(). */
void ui_paint(struct console *);
/* Lays the panes out again (after a resize). */
void ui_relayout(struct console *);
/* Set by signal handlers: the loop ends cleanly. */
int ui_should_quit(void);
/* Key names for the help overlay and the man page. */
struct ui_key_help {
	const char *keys;
	const char *what;
};
extern const struct ui_key_help ui_keys_console[];
extern const struct ui_key_help ui_keys_wall[];

/* Dialogs (dialog.c). Each returns 1 when the operator confirmed, 0 when cancelled. */
enum field_kind {
	FIELD_TEXT,
	FIELD_CHOICE,
	FIELD_TOGGLE,
};

struct field {
	const char *label;
	enum field_kind kind;
	char *value;			/* FIELD_TEXT: owned, UTF-8 */
	const char *const *choices;	/* FIELD_CHOICE */
	int nchoices;
	int choice;
	int toggle;			/* FIELD_TOGGLE */
	int required;
};

int dialog_form(struct console *, const char *title, struct field *, int n);
int dialog_prompt(struct console *, const char *title, const char *label, char **value);
/* items are untrusted text; *choice in/out. */
int dialog_menu(struct console *, const char *title, char **items, int n, int *choice);
/*
 * Shows body (untrusted) and asks for Enter, or, when require is set, for
 * that exact text to be typed (the host name before a destructive command).
 */
int dialog_confirm(struct console *, const char *title, const char *body, const char *require);
void dialog_fields_free(struct field *, int n);

/* The wall display (wall.c). */
void wall_draw(struct console *);

#endif
