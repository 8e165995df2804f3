/*
 * shell: a POSIX shell lexer and a flat parser of command lines (see
 * shell.h). One lexer reads tokens for both the splitter and the parser,
 * so a block is cut where the parser would end a command.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "shell.h"

#define SHELL_MAX_DEPTH 64	/* nested $( ), ` `, compound commands */
#define SHELL_MAX_HEREDOCS 64

static int
is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int
is_blank_char(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Ends a word outside quotes. */
static int
is_meta(int c)
{
	return c == '\0' || is_blank_char(c) || c == '\n' || strchr(";&|()<>", c) != NULL;
}

/* Quoting. */

char *
shell_quote(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_addc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addc(&b, *p);
	}
	buf_addc(&b, '\'');
	return buf_take(&b);
}

char *
shell_word(const char *s)
{
	if (*s == '\0')
		return xstrdup("''");
	for (const char *p = s; *p; p++)
		if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_./=:,+@%", *p) != NULL))
			return shell_quote(s);
	return xstrdup(s);
}

char *
shell_quote_in(const char *s, enum shell_context context)
{
	struct buf b;
	buf_init(&b);
	switch (context) {
	case SHELL_CONTEXT_DOUBLE:
		for (const char *p = s; *p; p++) {
			if (strchr("\\$`\"", *p) != NULL)
				buf_addc(&b, '\\');
			buf_addc(&b, *p);
		}
		break;
	case SHELL_CONTEXT_SINGLE:
		for (const char *p = s; *p; p++) {
			if (*p == '\'')
				buf_adds(&b, "'\\''");
			else
				buf_addc(&b, *p);
		}
		break;
	case SHELL_CONTEXT_BACKQUOTE: {
		/* inside `...` a backslash before \ $ ` is removed first */
		char *q = shell_quote(s);
		for (const char *p = q; *p; p++) {
			if (strchr("\\$`", *p) != NULL)
				buf_addc(&b, '\\');
			buf_addc(&b, *p);
		}
		free(q);
		break;
	}
	case SHELL_CONTEXT_PLAIN:
	default: {
		char *q = shell_quote(s);
		buf_adds(&b, q);
		free(q);
		break;
	}
	}
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_take(&b);
}

enum shell_context
shell_context_at(const char *text, size_t offset)
{
	/* a stack of contexts: $( opens a plain one inside double quotes */
	enum shell_context stack[SHELL_MAX_DEPTH];
	int parens[SHELL_MAX_DEPTH];
	int top = 0;
	stack[0] = SHELL_CONTEXT_PLAIN;
	parens[0] = 0;
	size_t len = strlen(text);
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		char c = text[i];
		enum shell_context cur = stack[top];
		if (cur == SHELL_CONTEXT_SINGLE) {
			if (c == '\'')
				top--;
			continue;
		}
		if (c == '\\' && i + 1 < offset) {
			i++;
			continue;
		}
		if (cur == SHELL_CONTEXT_DOUBLE) {
			if (c == '"')
				top--;
			else if (c == '`' && top + 1 < SHELL_MAX_DEPTH)
				stack[++top] = SHELL_CONTEXT_BACKQUOTE, parens[top] = 0;
			else if (c == '$' && text[i + 1] == '(' && top + 1 < SHELL_MAX_DEPTH) {
				stack[++top] = SHELL_CONTEXT_PLAIN;
				parens[top] = 1;
				i++;
			}
			continue;
		}
		/* plain or backquote */
		if (c == '\'' && top + 1 < SHELL_MAX_DEPTH)
			stack[++top] = SHELL_CONTEXT_SINGLE, parens[top] = 0;
		else if (c == '"' && top + 1 < SHELL_MAX_DEPTH)
			stack[++top] = SHELL_CONTEXT_DOUBLE, parens[top] = 0;
		else if (c == '`') {
			if (cur == SHELL_CONTEXT_BACKQUOTE && top > 0)
				top--;
			else if (top + 1 < SHELL_MAX_DEPTH)
				stack[++top] = SHELL_CONTEXT_BACKQUOTE, parens[top] = 0;
		} else if (c == '(')
			parens[top]++;
		else if (c == ')' && parens[top] > 0) {
			if (--parens[top] == 0 && top > 0)
				top--;
		}
		if (top < 0)
			top = 0;
	}
	if (top < 0)
		return SHELL_CONTEXT_PLAIN;
	return stack[top];
}

/* The lexer. */

enum token_kind {
	TOKEN_END,
	TOKEN_WORD,
	TOKEN_OP,		/* ; & && || | |& ;; ( ) */
	TOKEN_NEWLINE,
	TOKEN_REDIRECT,
};

struct heredoc_wait {
	char *delim;
	int strip;		/* <<- strips leading tabs */
	size_t command;		/* where the body goes (parser only) */
	size_t redirect;
};

struct lexer {
	const char *text;
	const char *p;
	int flags;
	char *error;		/* set once; the lexer then returns TOKEN_END */
	struct heredoc_wait waits[SHELL_MAX_HEREDOCS];
	size_t nwaits;
	char *bodies[SHELL_MAX_HEREDOCS];	/* read at the last newline */
	size_t nbodies;
};

struct token {
	enum token_kind kind;
	char op[4];
	int fd;
	struct buf word;
	int word_flags;
	const char *start, *end;	/* in the text */
};

static void
lex_fail(struct lexer *lx, const char *what)
{
	if (lx->error == NULL)
		lx->error = xstrdup(what);
}

static const char *skip_subst(struct lexer *lx, const char *p, int depth);

/* After "${": past the matching "}". */
static const char *
skip_braces(struct lexer *lx, const char *p, int depth)
{
	int level = 1;
	while (*p != '\0') {
		char c = *p;
		if (c == '\\' && p[1] != '\0') {
			p += 2;
		} else if (c == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (q == NULL)
				break;
			p = q + 1;
		} else if (c == '"') {
			for (p++; *p != '\0' && *p != '"'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '\0')
				break;
			p++;
		} else if (c == '$' && p[1] == '(') {
			p = skip_subst(lx, p + 2, depth + 1);
			if (p == NULL)
				return NULL;
		} else if (c == '{') {
			level++;
			p++;
		} else if (c == '}') {
			if (--level == 0)
				return p + 1;
			p++;
		} else {
			p++;
		}
	}
	lex_fail(lx, "unterminated ${");
	return NULL;
}

/*
 * After "$(" (or "<(", "$(("): past the matching ")", skipping quotes,
 * nested substitutions and comments. NULL (with the error set) when none.
 */
static const char *
skip_subst(struct lexer *lx, const char *p, int depth)
{
	if (depth > SHELL_MAX_DEPTH) {
		lex_fail(lx, "substitutions nested too deep");
		return NULL;
	}
	int level = 1;
	const char *start = p;
	while (*p != '\0') {
		char c = *p;
		if (c == '\\' && p[1] != '\0') {
			p += 2;
		} else if (c == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (q == NULL)
				break;
			p = q + 1;
		} else if (c == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '$' && p[1] == '(') {
					p = skip_subst(lx, p + 2, depth + 1);
					if (p == NULL)
						return NULL;
					p--;
				}
			}
			if (*p == '\0')
				break;
			p++;
		} else if (c == '`') {
			for (p++; *p != '\0' && *p != '`'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '\0')
				break;
			p++;
		} else if (c == '#' && (p == start || is_meta(p[-1]))) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (c == '(') {
			level++;
			p++;
		} else if (c == ')') {
			if (--level == 0)
				return p + 1;
			p++;
		} else {
			p++;
		}
	}
	lex_fail(lx, "unterminated $(");
	return NULL;
}

/* ANSI-C quoting $'...' into w; p is after the opening quote. */
static const char *
lex_ansi(struct lexer *lx, const char *p, struct buf *w)
{
	static const char from[] = "abefnrtv\\'\"?", to[] = "\a\b\033\f\n\r\t\v\\'\"?";
	for (; *p != '\0' && *p != '\''; p++) {
		if (*p != '\\' || p[1] == '\0') {
			buf_addc(w, *p);
			continue;
		}
		p++;
		const char *f = strchr(from, *p);
		if (f != NULL) {
			buf_addc(w, to[f - from]);
		} else if (*p == 'x') {
			int v = 0, n = 0;
			while (n < 2 && strchr("0123456789abcdefABCDEF", p[1]) != NULL && p[1]) {
				char h = *++p;
				v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
				n++;
			}
			buf_addc(w, (char)v);
		} else if (*p >= '0' && *p <= '7') {
			int v = *p - '0', n = 1;
			while (n < 3 && p[1] >= '0' && p[1] <= '7') {
				v = v * 8 + (*++p - '0');
				n++;
			}
			buf_addc(w, (char)v);
		} else {
			buf_addc(w, '\\');
			buf_addc(w, *p);
		}
	}
	if (*p != '\'') {
		lex_fail(lx, "unterminated $'");
		return p;
	}
	return p + 1;
}

/*
 * An expansion at p ("$..."), copied as written into w; a command
 * substitution's inside goes to subs (may be NULL).
 */
static const char *
lex_dollar(struct lexer *lx, const char *p, struct buf *w, int *flags, struct strv *subs)
{
	const char *q;
	if (p[1] == '(') {
		int arith = p[2] == '(';
		q = skip_subst(lx, p + 2, 0);
		if (q == NULL)
			return p + strlen(p);
		*flags |= SHELL_EXPANSION;
		if (!arith) {
			*flags |= SHELL_SUBST;
			if (subs != NULL)
				strv_addn(subs, p + 2, (size_t)(q - 1 - (p + 2)));
		}
		buf_add(w, p, (size_t)(q - p));
		return q;
	}
	if (p[1] == '{') {
		q = skip_braces(lx, p + 2, 0);
		if (q == NULL)
			return p + strlen(p);
		*flags |= SHELL_EXPANSION;
		buf_add(w, p, (size_t)(q - p));
		return q;
	}
	if (is_name_start(p[1])) {
		for (q = p + 1; is_name_char(*q); q++)
			;
		*flags |= SHELL_EXPANSION;
		buf_add(w, p, (size_t)(q - p));
		return q;
	}
	if (p[1] != '\0' && strchr("0123456789@*#?$!-", p[1]) != NULL) {
		*flags |= SHELL_EXPANSION;
		buf_add(w, p, 2);
		return p + 2;
	}
	buf_addc(w, '$');
	return p + 1;
}

/* A backquoted substitution at p, copied into w, its inside unescaped into subs. */
static const char *
lex_backquote(struct lexer *lx, const char *p, struct buf *w, int *flags, struct strv *subs)
{
	struct buf in;
	buf_init(&in);
	const char *q = p + 1;
	for (; *q != '\0' && *q != '`'; q++) {
		if (*q == '\\' && q[1] != '\0' && strchr("\\`$", q[1]) != NULL)
			q++;
		buf_addc(&in, *q);
	}
	if (*q != '`') {
		lex_fail(lx, "unterminated `");
		buf_free(&in);
		return q;
	}
	*flags |= SHELL_EXPANSION | SHELL_SUBST;
	if (subs != NULL)
		strv_addn(subs, in.data ? in.data : "", in.len);
	buf_free(&in);
	buf_add(w, p, (size_t)(q + 1 - p));
	return q + 1;
}

/* Length of a "<placeholder>" at p, or 0. */
static size_t
angle_word_at(const char *p)
{
	if (p[0] != '<' || !is_name_start(p[1]))
		return 0;
	size_t i = 1;
	while (i <= 64 && p[i] != '\0' && p[i] != '>') {
		char c = p[i];
		if (!(is_name_char(c) || (unsigned char)c >= 0x80 || strchr("-.:/ ", c) != NULL))
			return 0;
		i++;
	}
	if (p[i] != '>' || p[i - 1] == ' ')
		return 0;
	return i + 1;
}

/* Reads one word at lx->p into t (quotes removed); subs gets substitutions. */
static void
lex_word(struct lexer *lx, struct token *t, struct strv *subs)
{
	const char *p = lx->p;
	size_t angle;
	for (;;) {
		char c = *p;
		if ((lx->flags & SHELL_ANGLE_WORDS) && c == '<' && (angle = angle_word_at(p)) > 0) {
			buf_add(&t->word, p, angle);
			p += angle;
			continue;
		}
		if ((c == '<' || c == '>') && p[1] == '(' && p == lx->p) {
			const char *q = skip_subst(lx, p + 2, 0);
			if (q == NULL) {
				p += strlen(p);
				break;
			}
			t->word_flags |= SHELL_EXPANSION | SHELL_SUBST;
			if (subs != NULL)
				strv_addn(subs, p + 2, (size_t)(q - 1 - (p + 2)));
			buf_add(&t->word, p, (size_t)(q - p));
			p = q;
			continue;
		}
		if (is_meta(c))
			break;
		if (c == '\\') {
			if (p[1] == '\n') {
				p += 2;
				continue;
			}
			t->word_flags |= SHELL_QUOTED;
			if (p[1] != '\0')
				buf_addc(&t->word, p[1]);
			p += p[1] != '\0' ? 2 : 1;
		} else if (c == '\'') {
			const char *q = strchr(p + 1, '\'');
			t->word_flags |= SHELL_QUOTED;
			if (q == NULL) {
				lex_fail(lx, "unterminated '");
				p += strlen(p);
				break;
			}
			buf_add(&t->word, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (c == '"') {
			t->word_flags |= SHELL_QUOTED;
			for (p++; *p != '\0' && *p != '"' && lx->error == NULL;) {
				if (*p == '\\' && p[1] == '\n') {
					p += 2;
				} else if (*p == '\\' && p[1] != '\0' && strchr("\"\\$`", p[1]) != NULL) {
					buf_addc(&t->word, p[1]);
					p += 2;
				} else if (*p == '$') {
					p = lex_dollar(lx, p, &t->word, &t->word_flags, subs);
				} else if (*p == '`') {
					p = lex_backquote(lx, p, &t->word, &t->word_flags, subs);
				} else {
					buf_addc(&t->word, *p++);
				}
			}
			if (*p != '"') {
				lex_fail(lx, "unterminated \"");
				p += strlen(p);
				break;
			}
			p++;
		} else if (c == '$' && p[1] == '\'') {
			t->word_flags |= SHELL_QUOTED;
			p = lex_ansi(lx, p + 2, &t->word);
		} else if (c == '$' && p[1] == '"') {
			p++;	/* $"..." is "..." */
		} else if (c == '$') {
			p = lex_dollar(lx, p, &t->word, &t->word_flags, subs);
		} else if (c == '`') {
			p = lex_backquote(lx, p, &t->word, &t->word_flags, subs);
		} else {
			if (c == '*' || c == '?' || c == '[')
				t->word_flags |= SHELL_GLOB;
			buf_addc(&t->word, c);
			p++;
		}
		if (lx->error != NULL)
			break;
	}
	lx->p = p;
}

/* Reads the bodies of the heredocs waiting for this newline (lx->p is after it). */
static void
lex_heredocs(struct lexer *lx)
{
	for (size_t i = 0; i < lx->nwaits; i++) {
		struct heredoc_wait *hw = &lx->waits[i];
		struct buf body;
		buf_init(&body);
		buf_adds(&body, "");
		size_t dn = strlen(hw->delim);
		for (;;) {
			const char *line = lx->p;
			if (*line == '\0')
				break;	/* sh reads to the end, with a warning */
			const char *eol = strchr(line, '\n');
			size_t n = eol ? (size_t)(eol - line) : strlen(line);
			const char *l = line;
			size_t ln = n;
			if (hw->strip)
				while (ln > 0 && *l == '\t')
					l++, ln--;
			while (ln > 0 && l[ln - 1] == '\r')
				ln--;
			lx->p = eol ? eol + 1 : line + n;
			if (ln == dn && memcmp(l, hw->delim, dn) == 0)
				break;
			buf_add(&body, l, ln);
			buf_addc(&body, '\n');
		}
		if (lx->nbodies < SHELL_MAX_HEREDOCS)
			lx->bodies[lx->nbodies++] = buf_take(&body);
		else
			buf_free(&body);
	}
}

static void
lexer_clear_heredocs(struct lexer *lx)
{
	for (size_t i = 0; i < lx->nwaits; i++)
		free(lx->waits[i].delim);
	lx->nwaits = 0;
	for (size_t i = 0; i < lx->nbodies; i++)
		free(lx->bodies[i]);
	lx->nbodies = 0;
}

static const char *const operators[] = {
	"&&", "||", ";;", "|&", ";&", "&", "|", ";", "(", ")", NULL
};
static const char *const redirects[] = {
	"<<<", "<<-", "&>>", "<<", ">>", "<>", "<&", ">&", ">|", "&>", "<", ">", NULL
};

/*
 * Reads the next token into t (its word buffer reset first); substitutions
 * in words go to subs. A newline token first reads the waiting heredocs.
 */
static void
lex_next(struct lexer *lx, struct token *t, struct strv *subs)
{
	buf_reset(&t->word);
	t->word_flags = 0;
	t->fd = -1;
	t->op[0] = '\0';
	for (;;) {
		while (is_blank_char(*lx->p))
			lx->p++;
		if (lx->p[0] == '\\' && lx->p[1] == '\n') {
			lx->p += 2;
			continue;
		}
		if (*lx->p == '#') {
			while (*lx->p != '\0' && *lx->p != '\n')
				lx->p++;
		}
		break;
	}
	t->start = lx->p;
	if (lx->error != NULL || *lx->p == '\0') {
		t->kind = TOKEN_END;
		t->end = lx->p;
		return;
	}
	if (*lx->p == '\n') {
		lx->p++;
		lex_heredocs(lx);
		t->kind = TOKEN_NEWLINE;
		t->end = lx->p;
		return;
	}
	const char *p = lx->p;
	const char *digits = p;
	while (*digits >= '0' && *digits <= '9')
		digits++;
	int fd = -1;
	if (digits > p && digits - p < 6 && (*digits == '<' || *digits == '>')) {
		fd = atoi(p);
		p = digits;
	}
	int angle = (lx->flags & SHELL_ANGLE_WORDS) && angle_word_at(p) > 0;
	int procsub = (*p == '<' || *p == '>') && p[1] == '(';
	if (!angle && !procsub) {
		for (int i = 0; redirects[i] != NULL; i++) {
			size_t n = strlen(redirects[i]);
			if (strncmp(p, redirects[i], n) != 0)
				continue;
			t->kind = TOKEN_REDIRECT;
			memcpy(t->op, redirects[i], n + 1);
			t->fd = fd;
			lx->p = p + n;
			while (is_blank_char(*lx->p))
				lx->p++;
			lex_word(lx, t, subs);
			if (t->word.len == 0 && !(t->word_flags & SHELL_QUOTED))
				lex_fail(lx, "a redirection without a target");
			buf_adds(&t->word, "");
			t->end = lx->p;
			return;
		}
		for (int i = 0; fd < 0 && operators[i] != NULL; i++) {
			size_t n = strlen(operators[i]);
			if (strncmp(p, operators[i], n) != 0)
				continue;
			t->kind = TOKEN_OP;
			memcpy(t->op, operators[i], n + 1);
			lx->p = p + n;
			t->end = lx->p;
			return;
		}
	}
	t->kind = TOKEN_WORD;
	lex_word(lx, t, subs);
	buf_adds(&t->word, "");
	t->end = lx->p;
}

/* Notes a heredoc operator's delimiter; its body comes after the next newline. */
static void
lex_wait_heredoc(struct lexer *lx, const struct token *t, size_t command, size_t redirect)
{
	if (lx->nwaits >= SHELL_MAX_HEREDOCS) {
		lex_fail(lx, "too many heredocs");
		return;
	}
	struct heredoc_wait *hw = &lx->waits[lx->nwaits++];
	hw->delim = xstrdup(t->word.data ? t->word.data : "");
	hw->strip = strcmp(t->op, "<<-") == 0;
	hw->command = command;
	hw->redirect = redirect;
}

static int
is_heredoc(const char *op)
{
	return strcmp(op, "<<") == 0 || strcmp(op, "<<-") == 0;
}

/* Reserved words. */

static int
word_is(const struct token *t, const char *s)
{
	return t->kind == TOKEN_WORD && !(t->word_flags & SHELL_QUOTED) &&
	    t->word.data != NULL && strcmp(t->word.data, s) == 0;
}

static const char *const openers[] = { "if", "case", "for", "while", "until", "select", "{", NULL };
static const char *const closers[] = { "fi", "esac", "done", "}", NULL };
static const char *const keeps_position[] = {
	"then", "do", "else", "elif", "!", "time", NULL
};

static int
word_in(const struct token *t, const char *const *table)
{
	for (int i = 0; table[i] != NULL; i++)
		if (word_is(t, table[i]))
			return 1;
	return 0;
}

/* Splitting. */

/* Adds s[0..n) trimmed to out unless empty. */
static void
add_trimmed(struct strv *out, const char *s, size_t n)
{
	while (n > 0 && (is_blank_char(*s) || *s == '\n'))
		s++, n--;
	while (n > 0 && (is_blank_char(s[n - 1]) || s[n - 1] == '\n' || s[n - 1] == ';'))
		n--;
	if (n > 0)
		strv_addn(out, s, n);
}

int
shell_split_commands(const char *text, struct strv *out, char **cause)
{
	struct lexer lx;
	struct token t;
	memset(&lx, 0, sizeof lx);
	memset(&t, 0, sizeof t);
	lx.text = lx.p = text != NULL ? text : "";
	buf_init(&t.word);
	/* what each open compound command is: 'c' case (patterns next), 'C' in a case arm */
	char stack[SHELL_MAX_DEPTH];
	int depth = 0, command_pos = 1, continued = 0, after_case = 0, for_words = 0;
	const char *start = NULL;
	for (;;) {
		lex_next(&lx, &t, NULL);
		if (t.kind == TOKEN_END)
			break;
		if (t.kind != TOKEN_NEWLINE && start == NULL)
			start = t.start;
		if (t.kind == TOKEN_NEWLINE) {
			lexer_clear_heredocs(&lx);
			if (start != NULL && depth == 0 && !continued) {
				add_trimmed(out, start, (size_t)(t.end - start));
				start = NULL;
			}
			if (for_words)
				for_words = 0, command_pos = 1;
			if (depth > 0 && stack[depth - 1] == 'c' && !after_case)
				command_pos = 0;
			else
				command_pos = !after_case;
			continue;
		}
		continued = 0;
		if (t.kind == TOKEN_REDIRECT) {
			if (is_heredoc(t.op))
				lex_wait_heredoc(&lx, &t, 0, 0);
			continue;
		}
		if (t.kind == TOKEN_OP) {
			if (strcmp(t.op, "(") == 0 && depth < SHELL_MAX_DEPTH) {
				stack[depth++] = '(';
			} else if (strcmp(t.op, ")") == 0) {
				if (depth > 0 && stack[depth - 1] == 'c') {
					stack[depth - 1] = 'C';	/* a pattern ends, its commands follow */
				} else if (depth > 0 && stack[depth - 1] == '(') {
					depth--;
				}
			} else if ((strcmp(t.op, ";;") == 0 || strcmp(t.op, ";&") == 0) &&
			    depth > 0 && stack[depth - 1] == 'C') {
				stack[depth - 1] = 'c';
				command_pos = 0;
				continue;
			}
			continued = strcmp(t.op, "|") == 0 || strcmp(t.op, "&&") == 0 ||
			    strcmp(t.op, "||") == 0 || strcmp(t.op, "|&") == 0;
			command_pos = 1;
			for_words = 0;
			continue;
		}
		/* a word */
		if (after_case) {
			if (word_is(&t, "in")) {
				after_case = 0;
				if (depth < SHELL_MAX_DEPTH)
					stack[depth++] = 'c';
			}
			continue;
		}
		if (depth > 0 && stack[depth - 1] == 'c') {
			if (word_is(&t, "esac"))
				depth--, command_pos = 0;
			continue;	/* a pattern */
		}
		if (!command_pos || for_words)
			continue;
		if (word_is(&t, "case")) {
			after_case = 1;
			command_pos = 0;
		} else if (word_in(&t, openers)) {
			if (depth < SHELL_MAX_DEPTH)
				stack[depth++] = 'k';
			if (word_is(&t, "for") || word_is(&t, "select"))
				for_words = 1;
		} else if (word_in(&t, closers)) {
			if (word_is(&t, "esac") && depth > 0 && stack[depth - 1] == 'C')
				depth--;
			else if (depth > 0 && stack[depth - 1] == 'k')
				depth--;
			command_pos = 0;
		} else if (!word_in(&t, keeps_position) &&
		    !(is_name_start(t.word.data[0]) && strchr(t.word.data, '=') != NULL &&
		    !(t.word_flags & SHELL_QUOTED))) {
			command_pos = 0;
		}
	}
	if (start != NULL)
		add_trimmed(out, start, strlen(start));
	int rc = 0;
	if (lx.error != NULL) {
		*cause = xstrdup(lx.error);
		rc = -1;
	} else if (depth > 0 || after_case) {
		*cause = xstrdup("the text ends inside a compound command");
		rc = -1;
	} else if (continued) {
		*cause = xstrdup("the text ends after an operator");
		rc = -1;
	}
	lexer_clear_heredocs(&lx);
	free(lx.error);
	buf_free(&t.word);
	return rc;
}

/* Parsing. */

/* Room for one more item in an array of n: the capacity doubles at each power of two. */
static void *
grow(void *v, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return v;
	return xreallocarray(v, n == 0 ? 1 : 2 * n, size);
}

static struct shell_command *
list_add(struct shell_list *l)
{
	l->commands = grow(l->commands, l->n, sizeof *l->commands);
	struct shell_command *c = &l->commands[l->n++];
	memset(c, 0, sizeof *c);
	return c;
}

static void
words_add(struct shell_word **v, size_t *n, const struct token *t)
{
	*v = grow(*v, *n, sizeof **v);
	(*v)[*n].text = xstrdup(t->word.data ? t->word.data : "");
	(*v)[*n].flags = t->word_flags;
	(*n)++;
}

static int
command_empty(const struct shell_command *c)
{
	return c->nwords == 0 && c->nassigns == 0 && c->nredirs == 0 &&
	    c->substitutions.n == 0;
}

static void
command_clear(struct shell_command *c)
{
	for (size_t i = 0; i < c->nassigns; i++)
		free(c->assigns[i].text);
	free(c->assigns);
	for (size_t i = 0; i < c->nwords; i++)
		free(c->words[i].text);
	free(c->words);
	for (size_t i = 0; i < c->nredirs; i++) {
		free(c->redirs[i].target.text);
		free(c->redirs[i].heredoc);
	}
	free(c->redirs);
	strv_free(&c->substitutions);
	memset(c, 0, sizeof *c);
}

void
shell_list_free(struct shell_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		command_clear(&l->commands[i]);
	free(l->commands);
	l->commands = NULL;
	l->n = 0;
}

static int
is_assignment_word(const struct token *t)
{
	const char *s = t->word.data;
	if (s == NULL || !is_name_start(*s))
		return 0;
	for (; *s != '\0' && *s != '='; s++)
		if (!is_name_char(*s))
			return 0;
	return *s == '=';
}

/* Closes the command being built: sep follows it; the next one is piped after a pipe. */
static void
command_end(struct shell_list *l, int *open, enum shell_sep sep, int *piped)
{
	if (*open) {
		struct shell_command *c = &l->commands[l->n - 1];
		if (command_empty(c)) {
			command_clear(c);
			l->n--;
			if (l->n > 0 && sep != SHELL_SEP_SEMI)
				l->commands[l->n - 1].sep = sep;
		} else {
			c->sep = sep;
		}
	} else if (l->n > 0 && sep != SHELL_SEP_SEMI) {
		l->commands[l->n - 1].sep = sep;	/* "done | sh" */
	}
	*open = 0;
	*piped = sep == SHELL_SEP_PIPE && l->n > 0;	/* "| cmd" pipes nothing */
}

int
shell_parse(const char *text, int flags, struct shell_list *out, char **cause)
{
	struct lexer lx;
	struct token t;
	memset(&lx, 0, sizeof lx);
	memset(&t, 0, sizeof t);
	memset(out, 0, sizeof *out);
	lx.text = lx.p = text != NULL ? text : "";
	lx.flags = flags;
	buf_init(&t.word);
	char stack[SHELL_MAX_DEPTH];
	int depth = 0, open = 0, piped = 0, skip_to_sep = 0, after_case = 0, skip_name = 0;
	struct strv subs = { NULL, 0 };
	struct shell_command *c = NULL;
	for (;;) {
		strv_free(&subs);
		lex_next(&lx, &t, &subs);
		if (t.kind == TOKEN_END)
			break;
		if (t.kind == TOKEN_NEWLINE) {
			for (size_t i = 0; i < lx.nwaits && i < lx.nbodies; i++) {
				struct heredoc_wait *hw = &lx.waits[i];
				if (hw->command < out->n &&
				    hw->redirect < out->commands[hw->command].nredirs) {
					struct shell_redirect *r =
					    &out->commands[hw->command].redirs[hw->redirect];
					free(r->heredoc);
					r->heredoc = lx.bodies[i];
					lx.bodies[i] = NULL;
				}
			}
			lexer_clear_heredocs(&lx);
			skip_to_sep = 0;
			int last_pipe = out->n > 0 && !open && out->commands[out->n - 1].sep ==
			    SHELL_SEP_PIPE;
			if (open || !last_pipe)
				command_end(out, &open, SHELL_SEP_SEMI, &piped);
			continue;
		}
		if (t.kind == TOKEN_OP) {
			enum shell_sep sep = SHELL_SEP_SEMI;
			if (strcmp(t.op, "|") == 0 || strcmp(t.op, "|&") == 0)
				sep = SHELL_SEP_PIPE;
			else if (strcmp(t.op, "&&") == 0)
				sep = SHELL_SEP_AND;
			else if (strcmp(t.op, "||") == 0)
				sep = SHELL_SEP_OR;
			else if (strcmp(t.op, "&") == 0)
				sep = SHELL_SEP_BACKGROUND;
			if (strcmp(t.op, "(") == 0) {
				/* "name() { ...; }" defines a function: the name runs nothing */
				const char *q = lx.p;
				while (is_blank_char(*q))
					q++;
				if (open && *q == ')' && c->nwords == 1 && c->nredirs == 0) {
					lx.p = q + 1;
					free(c->words[0].text);
					c->nwords = 0;
					command_end(out, &open, SHELL_SEP_SEMI, &piped);
					continue;
				}
				if (depth < SHELL_MAX_DEPTH)
					stack[depth++] = '(';
			} else if (strcmp(t.op, ")") == 0) {
				if (depth > 0 && stack[depth - 1] == 'c') {
					stack[depth - 1] = 'C';
					skip_to_sep = 0;
					command_end(out, &open, SHELL_SEP_SEMI, &piped);
					continue;
				}
				if (depth > 0 && stack[depth - 1] == '(')
					depth--;
			} else if ((strcmp(t.op, ";;") == 0 || strcmp(t.op, ";&") == 0) &&
			    depth > 0 && stack[depth - 1] == 'C') {
				stack[depth - 1] = 'c';
			}
			skip_to_sep = 0;
			command_end(out, &open, sep, &piped);
			continue;
		}
		/* substitutions run wherever they are: "case $(x) in", "for f in $(ls)" */
		if (!open) {
			c = list_add(out);
			c->piped = piped;
			open = 1;
		}
		c = &out->commands[out->n - 1];
		for (size_t i = 0; i < subs.n; i++)
			strv_add(&c->substitutions, subs.v[i]);
		if (depth > 0 && stack[depth - 1] == 'c' && t.kind == TOKEN_WORD) {
			if (word_is(&t, "esac"))
				depth--;
			continue;	/* a case pattern */
		}
		if (after_case) {
			if (word_is(&t, "in")) {
				after_case = 0;
				if (depth < SHELL_MAX_DEPTH)
					stack[depth++] = 'c';
			}
			continue;
		}
		if (skip_to_sep)
			continue;
		if (skip_name) {
			skip_name = 0;
			continue;
		}
		if (t.kind == TOKEN_REDIRECT) {
			c->redirs = grow(c->redirs, c->nredirs, sizeof *c->redirs);
			struct shell_redirect *r = &c->redirs[c->nredirs++];
			memset(r, 0, sizeof *r);
			r->fd = t.fd;
			memcpy(r->op, t.op, sizeof r->op);
			r->target.text = xstrdup(t.word.data ? t.word.data : "");
			r->target.flags = t.word_flags;
			if (is_heredoc(t.op))
				lex_wait_heredoc(&lx, &t, out->n - 1, c->nredirs - 1);
			continue;
		}
		if (c->nwords == 0) {
			if (word_is(&t, "case")) {
				after_case = 1;
				continue;
			}
			if (word_is(&t, "for") || word_is(&t, "select")) {
				if (depth < SHELL_MAX_DEPTH)
					stack[depth++] = 'k';
				skip_to_sep = 1;
				continue;
			}
			if (word_is(&t, "function")) {
				skip_name = 1;
				continue;
			}
			if (word_in(&t, openers) && !word_is(&t, "case")) {
				if (depth < SHELL_MAX_DEPTH)
					stack[depth++] = 'k';
				continue;
			}
			if (word_in(&t, closers)) {
				if (depth > 0)
					depth--;
				continue;
			}
			if (word_in(&t, keeps_position) && !word_is(&t, "time"))
				continue;
			if (is_assignment_word(&t) && !(t.word_flags & SHELL_SUBST &&
			    strchr(t.word.data, '=') > strchr(t.word.data, '$') &&
			    strchr(t.word.data, '$') != NULL)) {
				words_add(&c->assigns, &c->nassigns, &t);
				continue;
			}
		}
		words_add(&c->words, &c->nwords, &t);
	}
	strv_free(&subs);
	command_end(out, &open, SHELL_SEP_END, &piped);
	if (out->n > 0 && out->commands[out->n - 1].sep == SHELL_SEP_SEMI)
		out->commands[out->n - 1].sep = SHELL_SEP_END;
	int rc = 0;
	if (lx.error != NULL) {
		*cause = xstrdup(lx.error);
		rc = -1;
	}
	lexer_clear_heredocs(&lx);
	free(lx.error);
	buf_free(&t.word);
	return rc;
}
