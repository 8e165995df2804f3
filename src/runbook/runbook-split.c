/*
 * Shell text split into whole commands: if ... fi, loops, case,
 * groups, quotes and heredocs stay one command.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Shell text split into whole commands. */

enum shell_group {
	GROUP_IF,		/* if ... fi */
	GROUP_LOOP,		/* for / while / until ... done */
	GROUP_CASE,		/* case ... esac */
	GROUP_BRACE,		/* { ... } */
	GROUP_PAREN,		/* ( ... ), $( ... ) */
};

#define SHELL_DEPTH 64
#define SHELL_HEREDOCS 8

struct shell_lexer {
	const char *s;
	size_t i;
	struct buf cur;		/* the command so far, as the shell reads it */
	size_t start;		/* where it starts in s */
	int in_cmd;
	int cmdpos;		/* the next word is a command name */
	int cont;		/* after |, && or ||: the next line goes on */
	int open;		/* an unterminated quote */
	enum shell_group stack[SHELL_DEPTH];
	int depth;
	char *heredoc[SHELL_HEREDOCS];
	int strip_tabs[SHELL_HEREDOCS];
	int nheredocs;
};

static void
lexer_push(struct shell_lexer *l, enum shell_group g)
{
	if (l->depth < SHELL_DEPTH)
		l->stack[l->depth] = g;
	l->depth++;
}

static void
lexer_pop(struct shell_lexer *l, enum shell_group g)
{
	if (l->depth > 0 && (l->depth > SHELL_DEPTH || l->stack[l->depth - 1] == g))
		l->depth--;
}

static enum shell_group
lexer_top(const struct shell_lexer *l)
{
	if (l->depth == 0 || l->depth > SHELL_DEPTH)
		return GROUP_PAREN;
	return l->stack[l->depth - 1];
}

/* Starts the command at the current position if none is open. */
static void
lexer_mark(struct shell_lexer *l)
{
	if (!l->in_cmd) {
		l->in_cmd = 1;
		l->start = l->i;
		buf_reset(&l->cur);
	}
	l->cont = 0;
}

static void
lexer_end(struct shell_lexer *l, struct strv *out, struct buf *spans)
{
	if (!l->in_cmd)
		return;
	char *t = trim_dup(l->cur.data ? l->cur.data : "", l->cur.len);
	if (*t != '\0') {
		size_t end = l->i;
		while (end > l->start && is_space(l->s[end - 1]))
			end--;
		strv_add(out, t);
		buf_add(spans, &l->start, sizeof l->start);
		buf_add(spans, &end, sizeof end);
	}
	free(t);
	buf_reset(&l->cur);
	l->in_cmd = 0;
}

/* Copies heredoc bodies that start after the newline at l->i. */
static void
lexer_heredocs(struct shell_lexer *l)
{
	for (int h = 0; h < l->nheredocs; h++) {
		const char *delim = l->heredoc[h];
		size_t dl = strlen(delim);
		while (l->s[l->i] != '\0') {
			size_t b = l->i, e = b;
			while (l->s[e] != '\0' && l->s[e] != '\n')
				e++;
			buf_add(&l->cur, l->s + b, e - b);
			l->i = e;
			const char *t = skip_blank(l->s + b);
			size_t tl = (size_t)(l->s + e - t);
			while (tl > 0 && is_blank(t[tl - 1]))
				tl--;
			int last = tl == dl && strncmp(t, delim, dl) == 0;
			if (l->s[e] == '\0')
				break;
			if (last)
				break;
			buf_addc(&l->cur, '\n');
			l->i = e + 1;
		}
		free(l->heredoc[h]);
		l->heredoc[h] = NULL;
	}
	l->nheredocs = 0;
}

/* "<<EOF", "<<-'EOF'": records the terminator; l->i is at the first '<'. */
static void
lexer_heredoc_op(struct shell_lexer *l)
{
	const char *p = l->s + l->i + 2;
	int tabs = 0;
	if (*p == '-') {
		p++;
		tabs = 1;
	}
	p = skip_blank(p);
	char q = 0;
	if (*p == '\'' || *p == '"')
		q = *p++;
	const char *w = p;
	while (is_alnum(*p) || *p == '_' || *p == '.' || *p == '-')
		p++;
	if (p == w) {
		buf_add(&l->cur, "<<", 2);
		l->i += 2;
		return;
	}
	if (q && *p == q)
		p++;
	if (l->nheredocs < SHELL_HEREDOCS) {
		l->heredoc[l->nheredocs] = xstrndup(w, (size_t)(p - w - (q && p[-1] == q ? 1 : 0)));
		l->strip_tabs[l->nheredocs] = tabs;
		l->nheredocs++;
	}
	buf_add(&l->cur, l->s + l->i, (size_t)(p - (l->s + l->i)));
	l->i = (size_t)(p - l->s);
}

/* Copies a quoted string starting at l->i (', " or `). */
static void
lexer_quoted(struct shell_lexer *l)
{
	char q = l->s[l->i];
	size_t j = l->i + 1;
	while (l->s[j] != '\0' && l->s[j] != q) {
		if (l->s[j] == '\\' && q != '\'' && l->s[j + 1] != '\0')
			j++;
		j++;
	}
	if (l->s[j] == '\0')
		l->open = 1;
	else
		j++;
	buf_add(&l->cur, l->s + l->i, j - l->i);
	l->i = j;
}

/* A reserved word at a command's start opens or closes a group. */
static void
lexer_word(struct shell_lexer *l, const char *w, size_t n)
{
#define IS(x) (n == sizeof(x) - 1 && memcmp(w, x, n) == 0)
	int cmdpos = l->cmdpos;
	l->cmdpos = 0;
	if (!cmdpos)
		return;
	if (IS("if")) {
		lexer_push(l, GROUP_IF);
		l->cmdpos = 1;
	} else if (IS("then") || IS("else") || IS("elif") || IS("do") || IS("!") ||
	    IS("time") || IS("sudo") || IS("exec")) {
		l->cmdpos = IS("sudo") ? 0 : 1;
	} else if (IS("fi")) {
		lexer_pop(l, GROUP_IF);
	} else if (IS("for") || IS("select")) {
		lexer_push(l, GROUP_LOOP);
	} else if (IS("while") || IS("until")) {
		lexer_push(l, GROUP_LOOP);
		l->cmdpos = 1;
	} else if (IS("done")) {
		lexer_pop(l, GROUP_LOOP);
	} else if (IS("case")) {
		lexer_push(l, GROUP_CASE);
	} else if (IS("esac")) {
		lexer_pop(l, GROUP_CASE);
	} else if (IS("{")) {
		lexer_push(l, GROUP_BRACE);
		l->cmdpos = 1;
	} else if (IS("}")) {
		lexer_pop(l, GROUP_BRACE);
	}
#undef IS
}

/*
 * Splits the lines of a shell block into whole commands the way sh reads
 * them: a newline ends a command only outside quotes, if/fi, for/done,
 * case/esac, { }, ( ), $( ) and heredoc bodies, and not after |, && or ||;
 * a backslash-newline joins two lines with a space; comments are dropped.
 * Each command goes to out, its byte span in text (start, end) to spans as
 * two size_t. Returns 1 when text ends inside an unfinished command.
 */
/*
 * A newline: ends the command unless something keeps it open, after the
 * bodies of the heredocs it started. Returns -1 at the end of the text.
 */
static int
lexer_newline(struct shell_lexer *l, struct strv *out, struct buf *spans)
{
	while (l->cur.len > 0 && is_blank(l->cur.data[l->cur.len - 1]))
		l->cur.len--;
	if (l->in_cmd)
		buf_addc(&l->cur, '\n');
	if (l->nheredocs > 0) {
		l->i++;
		lexer_heredocs(l);
		if (l->s[l->i] == '\0')
			return -1;
	}
	if (l->depth == 0 && !l->cont && !l->open)
		lexer_end(l, out, spans);
	l->cmdpos = 1;
	l->i++;
	return 0;
}

/* A backslash: a continuation (one space, as the shell reads it) or a quoted character. */
static void
lexer_backslash(struct shell_lexer *l)
{
	const char *text = l->s;
	if (text[l->i + 1] == '\n') {
		while (l->cur.len > 0 && is_blank(l->cur.data[l->cur.len - 1]))
			l->cur.len--;
		if (l->in_cmd)
			buf_addc(&l->cur, ' ');
		l->i += 2;
		while (is_blank(text[l->i]))
			l->i++;
		return;
	}
	lexer_mark(l);
	buf_add(&l->cur, text + l->i, text[l->i + 1] != '\0' ? 2 : 1);
	l->i += text[l->i + 1] != '\0' ? 2 : 1;
	l->cmdpos = 0;
}

/* "(" opens a group; ")" closes one, or ends a case pattern. */
static void
lexer_paren(struct shell_lexer *l)
{
	char c = l->s[l->i];
	if (c == '(') {
		lexer_push(l, GROUP_PAREN);
		l->cmdpos = 1;
	} else {
		int empty = l->i > 0 && l->s[l->i - 1] == '(';
		if (l->depth > 0 && lexer_top(l) == GROUP_PAREN) {
			lexer_pop(l, GROUP_PAREN);
			l->cmdpos = empty;
		} else
			l->cmdpos = 1;	/* a case pattern */
	}
	buf_addc(&l->cur, c);
	l->i++;
}

/* ";", "|", "&" and their doubles: | && || carry the command on to the next line. */
static void
lexer_operator(struct shell_lexer *l)
{
	const char *text = l->s;
	char c = text[l->i];
	int twice = text[l->i + 1] == c;
	int redirect = c == '&' && l->i > 0 && (text[l->i - 1] == '>' || text[l->i - 1] == '<');
	buf_add(&l->cur, text + l->i, twice ? 2 : 1);
	l->i += twice ? 2 : 1;
	if (redirect)
		return;
	l->cmdpos = 1;
	if (c == '|' || (c == '&' && twice))
		l->cont = 1;
}

/* "<", ">" or "$" ("${VAR}" whole: its braces are no group). */
static void
lexer_redirect_or_dollar(struct shell_lexer *l)
{
	const char *text = l->s;
	char c = text[l->i];
	buf_addc(&l->cur, c);
	l->i++;
	if (c == '$' && text[l->i] == '{') {
		size_t j = l->i;
		while (text[j] != '\0' && text[j] != '}' && text[j] != '\n')
			j++;
		if (text[j] == '}')
			j++;
		buf_add(&l->cur, text + l->i, j - l->i);
		l->i = j;
	}
	l->cmdpos = 0;
}

/* What an unfinished command leaves open: "if without fi", "a quote". */
static char *
lexer_why(const struct shell_lexer *l)
{
	static const char *const groups[] = {
		[GROUP_IF] = "if without fi",
		[GROUP_LOOP] = "a loop without done",
		[GROUP_CASE] = "case without esac",
		[GROUP_BRACE] = "{ without }",
		[GROUP_PAREN] = "( without )",
	};
	if (l->open)
		return xstrdup("a quote that is never closed");
	if (l->nheredocs > 0)
		return xasprintf("a heredoc whose %s line never comes", l->heredoc[0]);
	if (l->depth > 0)
		return xstrdup(groups[lexer_top(l)]);
	return xstrdup("a | or && with no command after it");
}

int
split_block_commands(const char *text, struct strv *out, struct buf *spans, char **why)
{
	struct shell_lexer l;
	memset(&l, 0, sizeof l);
	l.s = text;
	l.cmdpos = 1;
	buf_init(&l.cur);
	while (text[l.i] != '\0') {
		char c = text[l.i];
		if (c == '\n') {
			if (lexer_newline(&l, out, spans) == -1)
				break;
			continue;
		}
		if (is_blank(c)) {
			if (l.in_cmd)
				buf_addc(&l.cur, c);
			l.i++;
			continue;
		}
		if (c == '#' && (l.i == 0 || is_space(text[l.i - 1]) || strchr(";&|(", text[l.i - 1]))) {
			while (text[l.i] != '\0' && text[l.i] != '\n')
				l.i++;
			continue;
		}
		if (c == '\\') {
			lexer_backslash(&l);
			continue;
		}
		lexer_mark(&l);
		if (c == '\'' || c == '"' || c == '`') {
			lexer_quoted(&l);
			l.cmdpos = 0;
			if (l.open)
				break;
			continue;
		}
		if (c == '(' || c == ')') {
			lexer_paren(&l);
			continue;
		}
		if (c == ';' || c == '|' || c == '&') {
			lexer_operator(&l);
			continue;
		}
		if (c == '<' && text[l.i + 1] == '<' && text[l.i + 2] != '<') {
			lexer_heredoc_op(&l);
			l.cmdpos = 0;
			continue;
		}
		if (c == '<' || c == '>' || c == '$') {
			lexer_redirect_or_dollar(&l);
			continue;
		}
		size_t n = 0;
		while (text[l.i + n] != '\0' && !is_space(text[l.i + n]) &&
		    strchr(";&|()<>'\"`\\$", text[l.i + n]) == NULL)
			n++;
		if (n == 0)
			n = 1;
		buf_add(&l.cur, text + l.i, n);
		lexer_word(&l, text + l.i, n);
		l.i += n;
	}
	int unfinished = l.open || l.depth > 0 || l.cont || l.nheredocs > 0;
	if (why != NULL)
		*why = unfinished ? lexer_why(&l) : NULL;
	lexer_end(&l, out, spans);
	for (int h = 0; h < l.nheredocs; h++)
		free(l.heredoc[h]);
	buf_free(&l.cur);
	return unfinished;
}
