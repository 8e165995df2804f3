/*
 * terminal: whether the terminal sitrep was started on can draw a screen.
 * Kept apart because <term.h> defines macros (lines, columns, ...) that
 * clash with ordinary names elsewhere.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "terminal.h"
#include "util.h"

/*
 * A terminal the screen can be drawn on: one that moves the cursor. On
 * TERM=dumb (an editor's shell, some CI consoles) curses would draw only
 * the bottom line; better to say so than to show a screen that lies.
 */
int
terminal_usable(char **why)
{
	const char *term = getenv("TERM");
	if (term == NULL || *term == '\0') {
		*why = xstrdup("TERM is not set (set it to your terminal, such as xterm-256color)");
		return -1;
	}
	int err = 0;
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*why = xasprintf("TERM=%s is not in the terminfo database", str_quote_short(term));
		return -1;
	}
	const char *cup = tigetstr("cup");
	int usable = cup != NULL && cup != (char *)-1;
	del_curterm(cur_term);
	if (!usable) {
		*why = xasprintf("TERM=%s cannot move the cursor (use a terminal such as "
		    "xterm-256color, or 'sitrep status' for text)", str_quote_short(term));
		return -1;
	}
	return 0;
}

