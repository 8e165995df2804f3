/*
 * Placeholders: found in commands ("<name>", "$VAR", "YYYY-MM-DD") and filled.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "shell.h"

/* Adds the names a command assigns (NAME=, read NAME, for NAME in) to out. */
void
collect_assignments(const char *s, struct strv *out)
{
	int after_read = 0, after_for = 0;
	for (const char *p = s; *p != '\0';) {
		if (!(is_alpha(*p) || *p == '_') ||
		    (p > s && strchr(" \t\n;&|(", p[-1]) == NULL)) {
			if (strchr(";&|\n", *p) != NULL)
				after_read = after_for = 0;
			p++;
			continue;
		}
		const char *q = p;
		while (is_alnum(*q) || *q == '_')
			q++;
		size_t n = (size_t)(q - p);
		int assign = *q == '=' || after_for ||
		    (after_read && (*q == '\0' || is_space(*q) || *q == ';'));
		if (assign && out->n < MAX_ASSIGNED) {
			char *name = xstrndup(p, n);
			if (strv_find(out, name) < 0)
				strv_add(out, name);
			free(name);
		}
		after_for = n == 3 && strncmp(p, "for", 3) == 0;
		if (n == 4 && strncmp(p, "read", 4) == 0)
			after_read = 1;
		p = q;
	}
}

static const char *const env_names[] = {
	"HOME", "PATH", "USER", "PWD", "OLDPWD", "SHELL", "HOSTNAME", "HOST",
	"LANG", "LANGUAGE", "TERM", "TMPDIR", "TMP", "TEMP", "UID", "EUID",
	"PPID", "RANDOM", "SECONDS", "LINENO", "IFS", "PS1", "PS2", "PS4",
	"EDITOR", "VISUAL", "PAGER", "LOGNAME", "DISPLAY", "MAIL", "COLUMNS",
	"LINES", "HOSTTYPE", "OSTYPE", "MACHTYPE", "GROUPS", "PIPESTATUS",
	"FUNCNAME", "OPTARG", "OPTIND", "REPLY", "BASH", "BASHPID", "SHLVL",
	"TZ", "DOCKER_HOST", "KUBECONFIG", "HISTFILE", "PROMPT_COMMAND",
	"CDPATH", "EPOCHSECONDS", "EPOCHREALTIME", NULL
};
static const char *const env_prefixes[] = {
	"LC_", "XDG_", "SSH_", "BASH_", "DBUS_", "SUDO_", NULL
};

/* Nonzero for an UPPER_CASE name that is not a well-known environment variable. */
static int
placeholder_var(const char *name, size_t n, const struct strv *assigned)
{
	char buf[64];
	int letters = 0;
	if (n == 0 || n >= sizeof buf || is_digit(name[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (name[i] >= 'A' && name[i] <= 'Z')
			letters++;
		else if (!is_digit(name[i]) && name[i] != '_')
			return 0;
	}
	if (letters == 0)
		return 0;
	memcpy(buf, name, n);
	buf[n] = '\0';
	if (table_find(env_names, buf) >= 0)
		return 0;
	for (int i = 0; env_prefixes[i] != NULL; i++)
		if (str_has_prefix(buf, env_prefixes[i]))
			return 0;
	return assigned == NULL || strv_find(assigned, buf) < 0;
}

static const char *const date_templates[] = {
	"YYYY-MM-DD", "YYYYMMDD", "HH:MM:SS", "HH:MM", NULL
};

/* Length of a date template at s ("YYYY-MM-DD"), or 0. */
static size_t
date_template_at(const char *s, const char *start)
{
	if (s > start && is_alnum(s[-1]))
		return 0;
	for (int i = 0; date_templates[i] != NULL; i++) {
		size_t n = strlen(date_templates[i]);
		if (strncmp(s, date_templates[i], n) != 0)
			continue;
		char next = s[n];
		if ((next >= 'a' && next <= 'z') || is_digit(next) ||
		    (next != '\0' && strchr("YMDHS", next) != NULL))
			return 0;
		return n;
	}
	return 0;
}

/* Length of an "<angle placeholder>" at s, or 0. */
size_t
angle_at(const char *s, const char *start)
{
	if ((s > start && s[-1] == '<') || s[1] == '<' || letter_len(s + 1) == 0)
		return 0;
	size_t i = 1;
	while (i <= 64 && s[i] != '\0' && s[i] != '>') {
		char c = s[i];
		if (!(is_alnum(c) || (unsigned char)c >= 0x80 || strchr("_-.:/ ", c) != NULL))
			return 0;
		i++;
	}
	if (s[i] != '>' || s[i - 1] == ' ')
		return 0;
	return i + 1;
}

/* Adds placeholder name s[0..n) to out unless there already. */
static void
placeholder_add(struct strv *out, const char *s, size_t n)
{
	char *name = xstrndup(s, n);
	if (strv_find(out, name) < 0 && out->n < MAX_PLACEHOLDERS)
		strv_add(out, name);
	free(name);
}

/* The placeholders of s, skipping variables in assigned (which may be NULL). */
void
find_placeholders(const char *s, const struct strv *assigned, struct strv *out)
{
	int single = 0, dbl = 0, seen = 0;
	size_t n;
	/*
	 * echo "Usage: $0 <file>": a message that shows <file>, nothing to
	 * fill. For echo that is every argument; for printf only its format
	 * (the first argument): the arguments after it are data.
	 */
	const char *w = skip_blank(s), *message_end = s;
	if (strncmp(w, "echo", 4) == 0 && (is_blank(w[4]) || w[4] == '\0'))
		message_end = s + strlen(s);
	else if (strncmp(w, "printf", 6) == 0 && (is_blank(w[6]) || w[6] == '\0')) {
		const char *f = skip_blank(w + 6);
		if (*f == '"' || *f == '\'') {
			const char *close = strchr(f + 1, *f);
			message_end = close ? close : f + strlen(f);
		} else
			while (*f != '\0' && !is_blank(*f))
				message_end = ++f;
	}
	for (const char *p = s; *p != '\0' && seen < 1024 && out->n < MAX_PLACEHOLDERS;) {
		if (*p == '<' && (dbl || single) && p < message_end) {
			p++;
			continue;
		}
		if (*p == '<' && (n = angle_at(p, s)) > 0) {
			placeholder_add(out, p, n);
			seen++;
			p += n;
			continue;
		}
		if ((*p == 'Y' || *p == 'H') && (n = date_template_at(p, s)) > 0) {
			placeholder_add(out, p, n);
			seen++;
			p += n;
			continue;
		}
		if (single) {
			if (*p == '\'')
				single = 0;
			p++;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			p += 2;
			continue;
		}
		if (*p == '\'' && !dbl) {
			single = 1;
			p++;
			continue;
		}
		if (*p == '"')
			dbl = !dbl;
		if (*p != '$') {
			p++;
			continue;
		}
		const char *name = p + 1;
		int braced = *name == '{';
		if (braced)
			name++;
		const char *q = name;
		while (is_alnum(*q) || *q == '_')
			q++;
		n = (size_t)(q - name);
		if (braced && *q != '}') {
			p = q;
			continue;
		}
		if (placeholder_var(name, n, assigned)) {
			placeholder_add(out, p, (size_t)(q - p) + (braced ? 1 : 0));
			seen++;
		}
		p = q + (braced ? 1 : 0);
		if (q == name)
			p = name;
	}
}

void
runbook_find_placeholders(const char *command, struct strv *out)
{
	struct strv assigned = { NULL, 0 };
	if (command == NULL)
		return;
	collect_assignments(command, &assigned);
	find_placeholders(command, &assigned, out);
	strv_free(&assigned);
}

int
runbook_placeholder_is_raw(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;
	return n > 5 && name[0] == '<' && strcmp(name + n - 5, ":raw>") == 0;
}

enum placeholder_kind
runbook_placeholder_kind(const char *name)
{
	char low[128];
	size_t n = 0;
	for (const char *p = name ? name : ""; *p != '\0' && n + 1 < sizeof low; p++)
		low[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	low[n] = '\0';
	if (strstr(low, "container") != NULL)
		return PLACEHOLDER_CONTAINER;
	if (strstr(low, "unit") != NULL || strstr(low, "service") != NULL)
		return PLACEHOLDER_UNIT;
	return PLACEHOLDER_TEXT;
}

/* A safe word goes in as it is; anything else is quoted for where it lands. */
static void
fill_value(struct buf *b, const char *command, size_t at, const char *name, const char *value)
{
	if (runbook_placeholder_is_raw(name)) {
		buf_adds(b, value);
		return;
	}
	char *word = shell_word(value);
	int safe = *value != '\0' && strcmp(word, value) == 0;
	free(word);
	if (safe) {
		buf_adds(b, value);
		return;
	}
	char *q = shell_quote_in(value, shell_context_at(command, at));
	buf_adds(b, q);
	free(q);
}

char *
runbook_fill_placeholders(const char *command, const struct strv *names,
    const struct strv *values)
{
	struct buf b;
	buf_init(&b);
	if (command == NULL)
		return buf_take(&b);
	for (const char *p = command; *p != '\0';) {
		size_t best = 0, which = 0;
		for (size_t i = 0; names != NULL && i < names->n; i++) {
			const char *name = names->v[i];
			size_t n = strlen(name);
			if (n == 0 || n <= best || values == NULL || i >= values->n ||
			    strncmp(p, name, n) != 0)
				continue;
			/* "$TS" must not eat the start of "$TS_OLD" */
			if (name[0] == '$' && name[1] != '{' && (is_alnum(p[n]) || p[n] == '_'))
				continue;
			best = n;
			which = i;
		}
		if (best > 0) {
			fill_value(&b, command, (size_t)(p - command), names->v[which],
			    values->v[which]);
			p += best;
		} else {
			buf_addc(&b, *p++);
		}
	}
	return buf_take(&b);
}
