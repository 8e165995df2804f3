/* Themes: every shipped one loads, the default is dark.theme, errors have lines. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "tap.h"
#include "theme.h"
#include "util.h"

int
main(void)
{
	sanitize_init();
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm-256color", 1);
	size_t len;
	char *dark = tap_fixture("themes/dark.theme", &len);
	is_str(theme_dark_text, dark, "the built-in default is themes/dark.theme, byte for byte");
	free(dark);
	static const char *names[] = { "dark", "light", "high-contrast", "mono" };
	for (size_t i = 0; i < nitems(names); i++) {
		char *path = xasprintf("%s/themes/%s.theme", getenv("srcdir") ? getenv("srcdir") : ".",
		    names[i]);
		struct theme t;
		char *cause = NULL;
		int rc = theme_load(&t, path, &cause);
		is_int(rc, 0, "shipped theme %s loads", names[i]);
		if (rc)
			printf("#   %s\n", cause);
		free(cause);
		theme_free(&t);
		free(path);
	}
	struct theme t;
	char *cause = NULL;
	theme_default(&t);
	is_int(t.style[ROLE_CRIT].fg, 1, "dark: crit is red");
	ok(t.style[ROLE_CRIT].attrs & THEME_ATTR_BOLD, "dark: crit is bold");
	is_int(t.style[ROLE_SELECTION].bg, 6, "dark: selection on cyan");
	ok(theme_parse(&t, "ok bright-green default bold,underline\n", 39, "x.theme", &cause) == 0,
	    "bright colours and attribute lists");
	is_int(t.style[ROLE_OK].fg, 10, "bright-green is 10");
	ok(theme_parse(&t, "warn 208 236\n", 13, "x.theme", &cause) == 0, "256-colour numbers");
	is_int(t.style[ROLE_WARN].bg, 236, "background 236");
	ok(theme_parse(&t, "\n\nwarn purple default\n", 21, "x.theme", &cause) == -1 &&
	    strstr(cause, "x.theme:3: colour 'purple'") != NULL, "bad colour: file:line");
	free(cause);
	cause = NULL;
	ok(theme_parse(&t, "sparkle red default\n", 20, "x.theme", &cause) == -1 &&
	    strstr(cause, "x.theme:1: unknown role 'sparkle'") != NULL, "bad role: file:line");
	free(cause);
	cause = NULL;
	ok(theme_parse(&t, "ok red default blinky\n", 22, "x.theme", &cause) == -1 &&
	    strstr(cause, "x.theme:1: attributes 'blinky'") != NULL, "bad attribute: file:line");
	free(cause);
	cause = NULL;
	ok(theme_parse(&t, "ok red\n", 7, "x.theme", &cause) == -1 &&
	    strstr(cause, "expected 'ROLE FOREGROUND BACKGROUND") != NULL, "too few words");
	free(cause);
	cause = NULL;
	theme_free(&t);
	ok(theme_load(&t, "no-such-theme", &cause) == -1 && strstr(cause, "no theme called"),
	    "an unknown theme name is an error");
	free(cause);
	cause = NULL;
	theme_free(&t);

	setenv("NO_COLOR", "1", 1);
	theme_load(&t, NULL, &cause);
	ok(t.mono, "NO_COLOR gives mono");
	theme_free(&t);
	setenv("NO_COLOR", "", 1);
	setenv("TERM", "dumb", 1);
	theme_load(&t, "dark", &cause);
	ok(t.mono, "TERM=dumb gives mono");
	theme_free(&t);
	setenv("TERM", "xterm", 1);
	theme_load(&t, NULL, &cause);
	ok(!t.mono, "an empty NO_COLOR is no request");
	theme_free(&t);
	return tap_done();
}
