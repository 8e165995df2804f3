/*
 * theme: role -> colours and attributes. See theme.h for the syntax.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sanitize.h"
#include "theme.h"
#include "util.h"

#ifndef SITREP_DATADIR
#define SITREP_DATADIR "/usr/local/share/sitrep"
#endif

static const char *const role_names[ROLE_COUNT] = {
	"normal", "ok", "warn", "crit", "down", "untrusted", "unknown", "stale", "muted",
	"accent", "title", "border", "selection", "status", "header", "timer", "incident",
};


const char *
theme_role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

static int
parse_colour(const char *s, short *out)
{
	static const char *const names[8] = {
		"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
	};
	if (strcmp(s, "default") == 0) {
		*out = -1;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (short)i;
			return 0;
		}
		if (str_has_prefix(s, "bright-") && strcmp(s + 7, names[i]) == 0) {
			*out = (short)(8 + i);
			return 0;
		}
	}
	long long v;
	if (parse_int(s, 0, 255, &v) == 0) {
		*out = (short)v;
		return 0;
	}
	return -1;
}

static int
parse_attrs(const char *s, int *out)
{
	*out = 0;
	char *copy = xstrdup(s);
	int rc = 0;
	char *save = NULL;
	for (char *p = strtok_r(copy, ",", &save); p;
	    p = strtok_r(NULL, ",", &save)) {
		if (strcmp(p, "bold") == 0)
			*out |= THEME_ATTR_BOLD;
		else if (strcmp(p, "dim") == 0)
			*out |= THEME_ATTR_DIM;
		else if (strcmp(p, "underline") == 0)
			*out |= THEME_ATTR_UNDERLINE;
		else if (strcmp(p, "reverse") == 0)
			*out |= THEME_ATTR_REVERSE;
		else if (strcmp(p, "italic") == 0)
			*out |= THEME_ATTR_ITALIC;
		else if (strcmp(p, "standout") == 0)
			*out |= THEME_ATTR_STANDOUT;
		else if (strcmp(p, "none") != 0)
			rc = -1;
	}
	free(copy);
	return rc;
}

int
theme_parse(struct theme *t, const char *text, size_t len, const char *path, char **cause)
{
	int number = 0;
	size_t off = 0;
	/* a UTF-8 byte order mark, as some editors write, is not part of the first key */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	if (memchr(text, '\0', len) != NULL)
		return set_cause(cause, "%s: NUL byte (expected a text file)", path);
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char *line = xstrndup(text + off, n);
		off += n + (nl != NULL);
		number++;
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *words[5];
		int nw = 0;
		char *save = NULL;
		for (char *p = strtok_r(line, " \t\r", &save); p && nw < 5;
		    p = strtok_r(NULL, " \t\r", &save))
			words[nw++] = p;
		if (nw == 0) {
			free(line);
			continue;
		}
		int role = -1;
		for (int r = 0; r < ROLE_COUNT; r++)
			if (strcmp(words[0], role_names[r]) == 0)
				role = r;
		char *safe = sanitize_str(words[0]);
		int rc = 0;
		struct theme_style st = { -1, -1, 0 };
		if (role < 0)
			rc = set_cause(cause, "%s:%d: unknown role '%s' (expected normal, ok, warn, crit, "
			    "down, untrusted, unknown, stale, muted, accent, title, border, selection, "
			    "status, header, timer, incident)", path, number, safe);
		else if (nw < 3 || nw > 4)
			rc = set_cause(cause, "%s:%d: expected 'ROLE FOREGROUND BACKGROUND [ATTRIBUTES]'",
			    path, number);
		else if (parse_colour(words[1], &st.fg) == -1 || parse_colour(words[2], &st.bg) == -1) {
			char *w = sanitize_str(parse_colour(words[1], &st.fg) == -1 ? words[1] : words[2]);
			rc = set_cause(cause, "%s:%d: colour '%s': expected default, black, red, green, "
			    "yellow, blue, magenta, cyan, white, bright-NAME or 0-255", path, number, w);
			free(w);
		} else if (nw == 4 && parse_attrs(words[3], &st.attrs) == -1) {
			char *w = sanitize_str(words[3]);
			rc = set_cause(cause, "%s:%d: attributes '%s': expected bold, dim, underline, "
			    "reverse, italic, standout or none, separated by commas", path, number, w);
			free(w);
		}
		free(safe);
		free(line);
		if (rc == -1)
			return -1;
		t->style[role] = st;
	}
	return 0;
}

void
theme_default(struct theme *t)
{
	memset(t, 0, sizeof *t);
	for (int r = 0; r < ROLE_COUNT; r++)
		t->style[r].fg = t->style[r].bg = -1;
	t->name = xstrdup("dark");
	/* cannot fail: the text is ours, and the tests parse it too */
	theme_parse(t, theme_dark_text, strlen(theme_dark_text), "built-in", NULL);
}

int
theme_env_mono(void)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return (nc != NULL && *nc != '\0') || (term != NULL && strcmp(term, "dumb") == 0);
}

int
theme_load(struct theme *t, const char *name, char **cause)
{
	theme_default(t);
	if (name == NULL || strcmp(name, "default") == 0)
		name = "dark";
	char *path = NULL;
	if (strchr(name, '/') != NULL)
		path = xstrdup(name);
	else {
		for (int k = 0; k < 4 && path == NULL; k++) {
			char *dir = NULL;
			if (k == 0) {
				char *cfg = xdg_dir("config");
				dir = xasprintf("%s/themes", cfg);
				free(cfg);
			} else if (k == 1 && getenv("SITREP_DATADIR") != NULL)
				dir = xasprintf("%s/themes", getenv("SITREP_DATADIR"));
			else if (k == 2)
				dir = xstrdup(SITREP_DATADIR "/themes");
			else if (k == 3) {
				char exe[4096];
				ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
				if (n > 0) {
					exe[n] = '\0';
					char *slash = strrchr(exe, '/');
					if (slash)
						*slash = '\0';
					dir = xasprintf("%s/themes", exe);
				}
			}
			if (dir == NULL)
				continue;
			char *p = xasprintf("%s/%s.theme", dir, name);
			free(dir);
			if (access(p, R_OK) == 0)
				path = p;
			else
				free(p);
		}
		if (path == NULL && strcmp(name, "dark") == 0) {
			/* the built-in copy of the shipped dark.theme */
			t->mono = theme_env_mono();
			return 0;
		}
		if (path == NULL) {
			char *safe = sanitize_str(name);
			set_cause(cause, "no theme called '%s' (shipped: dark, light, high-contrast, mono)", safe);
			free(safe);
			return -1;
		}
	}
	size_t len;
	char *text = file_read(path, 64 * 1024, &len, cause);
	if (text == NULL) {
		free(path);
		return -1;
	}
	int rc = theme_parse(t, text, len, path, cause);
	free(text);
	free(path);
	if (rc == -1)
		return -1;
	free(t->name);
	t->name = xstrdup(name);
	t->mono = theme_env_mono() || strcmp(name, "mono") == 0;
	return 0;
}

void
theme_free(struct theme *t)
{
	free(t->name);
	t->name = NULL;
}
