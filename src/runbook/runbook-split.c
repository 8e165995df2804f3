/*
 * Shell text split into whole commands. Where one command ends is the
 * shared POSIX lexer's to say (shell_split_commands in shell.c): if ... fi,
 * loops, case, groups, quotes, $(...) and heredocs stay one command, and
 * commands joined by ";" on one line stay one line, as sh reads them.
 * Here: where each command sits in the block, the text the shell reads of
 * it (comments dropped, a backslash-newline one space, heredoc bodies as
 * written), and what an unfinished one leaves open.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "shell.h"

#define SPLIT_HEREDOCS 8
#define SPLIT_DEPTH 64

/*
 * A copy of text where each "<name>" placeholder is "_name_": the lexer
 * would read it as redirections; offsets stay the same.
 */
static char *
mask_placeholders(const char *text)
{
	char *m = xstrdup(text);
	for (size_t i = 0; m[i] != '\0'; i++) {
		if (m[i] != '<')
			continue;
		size_t n = angle_at(m + i, m);
		if (n == 0)
			continue;
		m[i] = '_';
		m[i + n - 1] = '_';
		i += n - 1;
	}
	return m;
}

/* Where the piece of text the lexer gave starts at or after at: past blanks and comments. */
static size_t
piece_start(const char *text, size_t at, const char *piece)
{
	size_t p = at, n = strlen(piece);
	for (;;) {
		while (text[p] == ' ' || text[p] == '\t' || text[p] == '\n')
			p++;
		if (text[p] != '#')
			break;
		while (text[p] != '\0' && text[p] != '\n')
			p++;
	}
	if (strncmp(text + p, piece, n) == 0)
		return p;
	const char *hit = strstr(text + at, piece);
	return hit != NULL ? (size_t)(hit - text) : at;
}

/* The reading of one command's text: heredocs named on the current line. */
struct reading {
	struct buf out;
	char *delim[SPLIT_HEREDOCS];
	int strip[SPLIT_HEREDOCS];
	int ndelims;
	int heredoc_open;	/* the text ended inside a heredoc body */
	char *open_delim;
};

/* "<<EOF", "<<-'EOF'" at s: notes the terminator; returns the bytes of the operator and word. */
static size_t
heredoc_op(struct reading *r, const char *s)
{
	const char *p = s + 2;
	int strip = 0;
	if (*p == '-') {
		p++;
		strip = 1;
	}
	p = skip_blank(p);
	char q = (*p == '\'' || *p == '"') ? *p++ : 0;
	const char *w = p;
	while (is_alnum(*p) || *p == '_' || *p == '.' || *p == '-')
		p++;
	if (p == w)
		return 2;
	if (r->ndelims < SPLIT_HEREDOCS) {
		r->delim[r->ndelims] = xstrndup(w, (size_t)(p - w));
		r->strip[r->ndelims++] = strip;
	}
	if (q && *p == q)
		p++;
	return (size_t)(p - s);
}

/* Copies the heredoc bodies after a newline, terminators included; returns where they end. */
static const char *
heredoc_bodies(struct reading *r, const char *p)
{
	for (int h = 0; h < r->ndelims; h++) {
		size_t dl = strlen(r->delim[h]);
		int found = 0;
		while (*p != '\0' && !found) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			const char *t = p;
			size_t tn = n;
			while (r->strip[h] && tn > 0 && *t == '\t')
				t++, tn--;
			found = tn == dl && strncmp(t, r->delim[h], dl) == 0;
			buf_add(&r->out, p, n);
			p += n;
			if (*p == '\n' && !found)
				buf_addc(&r->out, *p++);
		}
		if (!found && r->open_delim == NULL) {
			r->heredoc_open = 1;
			r->open_delim = xstrdup(r->delim[h]);
		}
		free(r->delim[h]);
		r->delim[h] = NULL;
	}
	r->ndelims = 0;
	return p;
}

/* A quoted string at p (', " or `) copied whole; returns where it ends. */
static const char *
copy_quoted(struct buf *b, const char *p)
{
	const char *s = p++;
	while (*p != '\0' && *p != *s) {
		if (*p == '\\' && *s != '\'' && p[1] != '\0')
			p++;
		p++;
	}
	if (*p != '\0')
		p++;
	buf_add(b, s, (size_t)(p - s));
	return p;
}

static void
trim_blanks(struct buf *b)
{
	while (b->len > 0 && is_blank(b->data[b->len - 1]))
		b->len--;
}

/*
 * What the shell reads of raw, one command as written: comments dropped,
 * a backslash-newline one space, blanks at the ends of lines gone,
 * quotes and heredoc bodies as they are.
 */
static char *
command_text(const char *raw, struct reading *r)
{
	buf_init(&r->out);
	for (const char *p = raw; *p != '\0';) {
		char c = *p;
		if (c == '\n') {
			trim_blanks(&r->out);
			buf_addc(&r->out, '\n');
			p = heredoc_bodies(r, p + 1);
		} else if (c == '\\' && p[1] == '\n') {
			trim_blanks(&r->out);
			buf_addc(&r->out, ' ');
			p = skip_blank(p + 2);
		} else if (c == '\\') {
			buf_add(&r->out, p, p[1] != '\0' ? 2 : 1);
			p += p[1] != '\0' ? 2 : 1;
		} else if (c == '\'' || c == '"' || c == '`') {
			p = copy_quoted(&r->out, p);
		} else if (c == '#' && (p == raw || is_space(p[-1]) || strchr(";&|(", p[-1]) != NULL)) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (c == '<' && p[1] == '<' && p[2] != '<') {
			size_t n = heredoc_op(r, p);
			buf_add(&r->out, p, n);
			p += n;
		} else {
			buf_addc(&r->out, c);
			p++;
		}
	}
	heredoc_bodies(r, "");
	char *t = trim_dup(r->out.data ? r->out.data : "", r->out.len);
	buf_free(&r->out);
	return t;
}

/* The compound command left open in text: the innermost opener without its closer. */
static const char *
open_group(const char *text)
{
	static const char *const open[] = { "if", "case", "for", "while", "until", "select", "{", NULL };
	static const char *const close[] = { "fi", "esac", "done", "done", "done", "done", "}" };
	static const char *const says[] = {
		"if without fi", "case without esac", "a loop without done", "a loop without done",
		"a loop without done", "a loop without done", "{ without }"
	};
	int stack[SPLIT_DEPTH], depth = 0;
	for (const char *p = text; *p != '\0';) {
		if (*p == '\'' || *p == '"' || *p == '`') {
			char q = *p++;
			while (*p != '\0' && *p != q)
				p += (*p == '\\' && q != '\'' && p[1] != '\0') ? 2 : 1;
			p += *p != '\0';
			continue;
		}
		size_t n = 0;
		while (p[n] != '\0' && !is_space(p[n]) && strchr(";&|()'\"`", p[n]) == NULL)
			n++;
		if (n == 0) {
			p++;
			continue;
		}
		if (depth > 0 && strlen(close[stack[depth - 1]]) == n &&
		    strncmp(p, close[stack[depth - 1]], n) == 0)
			depth--;
		else
			for (int k = 0; open[k] != NULL; k++)
				if (strlen(open[k]) == n && strncmp(p, open[k], n) == 0 &&
				    depth < SPLIT_DEPTH)
					stack[depth++] = k;
		p += n;
	}
	return depth > 0 ? says[stack[depth - 1]] : "a compound command that never ends";
}

/* Why the last command cannot run, from the lexer's cause or the reading. */
static char *
unfinished_why(const char *cause, const char *last, const struct reading *r)
{
	if (cause != NULL && strncmp(cause, "unterminated", 12) == 0)
		return strchr(cause, '\'') || strchr(cause, '"') || strchr(cause, '`') ?
		    xstrdup("a quote that is never closed") : xasprintf("%s", cause);
	if (cause != NULL && strstr(cause, "compound") != NULL)
		return xstrdup(open_group(last));
	if (cause != NULL && strstr(cause, "operator") != NULL)
		return xstrdup("a | or && with no command after it");
	if (cause != NULL)
		return xstrdup(cause);
	return xasprintf("a heredoc whose %s line never comes", r->open_delim);
}

int
split_block_commands(const char *text, struct strv *out, struct buf *spans, char **why)
{
	char *masked = mask_placeholders(text);
	struct strv pieces = { NULL, 0 };
	char *cause = NULL;
	int rc = shell_split_commands(masked, &pieces, &cause);
	struct reading r;
	memset(&r, 0, sizeof r);
	size_t at = 0;
	char *last = NULL;
	for (size_t i = 0; i < pieces.n; i++) {
		size_t start = piece_start(masked, at, pieces.v[i]);
		size_t end = start + strlen(pieces.v[i]);
		while (masked[end] == ';')
			end++;	/* the lexer trims a separating ;: kept as written */
		free(last);
		last = xstrndup(text + start, end - start);
		char *t = command_text(last, &r);
		if (*t != '\0') {
			strv_add(out, t);
			buf_add(spans, &start, sizeof start);
			buf_add(spans, &end, sizeof end);
		}
		free(t);
		at = end;
	}
	int unfinished = rc < 0 || r.heredoc_open;
	if (why != NULL)
		*why = unfinished ? unfinished_why(rc < 0 ? cause : NULL, last ? last : "", &r) : NULL;
	free(r.open_delim);
	free(last);
	free(cause);
	strv_free(&pieces);
	free(masked);
	return unfinished;
}
