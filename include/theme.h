/*
 * theme: colours by role, read from themes/NAME.theme files; the built-in
 * default is parsed from the same text. NO_COLOR and TERM=dumb give mono.
 *
 * Syntax, one role per line ('#' starts a comment):
 *     ROLE  FOREGROUND  BACKGROUND  [ATTRIBUTE,...]
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black .. bright-white, or 0-255. Attributes: bold, dim, underline,
 * reverse, italic, standout, none. Roles not listed keep the default's.
 */
#ifndef SITREP_THEME_H
#define SITREP_THEME_H

enum role {
	ROLE_NORMAL,
	ROLE_OK,
	ROLE_WARN,
	ROLE_CRIT,
	ROLE_DOWN,
	ROLE_UNTRUSTED,
	ROLE_UNKNOWN,
	ROLE_STALE,
	ROLE_MUTED,
	ROLE_ACCENT,
	ROLE_TITLE,
	ROLE_BORDER,
	ROLE_SELECTION,
	ROLE_STATUS,
	ROLE_HEADER,
	ROLE_TIMER,
	ROLE_INCIDENT,
	ROLE_COUNT
};

#define THEME_ATTR_BOLD		0x01
#define THEME_ATTR_DIM		0x02
#define THEME_ATTR_UNDERLINE	0x04
#define THEME_ATTR_REVERSE	0x08
#define THEME_ATTR_ITALIC	0x10
#define THEME_ATTR_STANDOUT	0x20

struct theme_style {
	short fg, bg;		/* -1: the terminal's default */
	int attrs;
};

struct theme {
	char *name;
	int mono;		/* ignore colours, keep attributes */
	struct theme_style style[ROLE_COUNT];
};

const char *theme_role_name(enum role);
/* The built-in default (dark), parsed from its text. */
void theme_default(struct theme *);
/* Parses text over t (which holds defaults). -1 with *cause "path:line: ...". */
int theme_parse(struct theme *, const char *text, size_t len, const char *path, char **cause);
/*
 * Loads a theme by name (user dir, then the shipped ones) or by path; mono
 * forces monochrome (NO_COLOR, TERM=dumb). -1 with *cause.
 */
int theme_load(struct theme *, const char *name, char **cause);
/* Whether the environment asks for no colour. */
int theme_env_mono(void);
void theme_free(struct theme *);
/* themes/dark.theme, compiled in (generated at build time): the default. */
extern const char theme_dark_text[];

#endif
