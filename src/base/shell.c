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

/* After an opening '"': its text into t, up to and past the closing quote. */
static const char *
lex_double(struct lexer *lx, const char *p, struct token *t, struct strv *subs)
{
	while (*p != '\0' && *p != '"' && lx->error == NULL) {
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
		return p + strlen(p);
	}
	return p + 1;
}

/* A process substitution at p ("<(" or ">("), kept as written into t. */
static const char *
lex_procsub(struct lexer *lx, const char *p, struct token *t, struct strv *subs)
{
	const char *q = skip_subst(lx, p + 2, 0);
	if (q == NULL)
		return p + strlen(p);
	t->word_flags |= SHELL_EXPANSION | SHELL_SUBST;
	if (subs != NULL)
		strv_addn(subs, p + 2, (size_t)(q - 1 - (p + 2)));
	buf_add(&t->word, p, (size_t)(q - p));
	return q;
}

/*
 * One piece of a word at p (not a metacharacter): an escaped character, a
 * quoted string, an expansion or a plain character, into t. Returns what
 * follows it (the end of the text, with the error set, when unterminated).
 */
static const char *
lex_piece(struct lexer *lx, const char *p, struct token *t, struct strv *subs)
{
	char c = *p;
	if (c == '\\') {
		if (p[1] == '\n')
			return p + 2;
		t->word_flags |= SHELL_QUOTED;
		if (p[1] == '\0')
			return p + 1;
		buf_addc(&t->word, p[1]);
		return p + 2;
	}
	if (c == '\'') {
		const char *q = strchr(p + 1, '\'');
		t->word_flags |= SHELL_QUOTED;
		if (q == NULL) {
			lex_fail(lx, "unterminated '");
			return p + strlen(p);
		}
		buf_add(&t->word, p + 1, (size_t)(q - p - 1));
		return q + 1;
	}
	if (c == '"') {
		t->word_flags |= SHELL_QUOTED;
		return lex_double(lx, p + 1, t, subs);
	}
	if (c == '$' && p[1] == '\'') {
		t->word_flags |= SHELL_QUOTED;
		return lex_ansi(lx, p + 2, &t->word);
	}
	if (c == '$' && p[1] == '"')
		return p + 1;	/* $"..." is "..." */
	if (c == '$')
		return lex_dollar(lx, p, &t->word, &t->word_flags, subs);
	if (c == '`')
		return lex_backquote(lx, p, &t->word, &t->word_flags, subs);
	if (c == '*' || c == '?' || c == '[')
		t->word_flags |= SHELL_GLOB;
	buf_addc(&t->word, c);
	return p + 1;
}

/* Reads one word at lx->p into t (quotes removed); subs gets substitutions. */
static void
lex_word(struct lexer *lx, struct token *t, struct strv *subs)
{
	const char *p = lx->p;
	size_t angle;
	while (lx->error == NULL) {
		if ((lx->flags & SHELL_ANGLE_WORDS) && *p == '<' && (angle = angle_word_at(p)) > 0) {
			buf_add(&t->word, p, angle);
			p += angle;
		} else if ((*p == '<' || *p == '>') && p[1] == '(' && p == lx->p) {
			p = lex_procsub(lx, p, t, subs);
		} else if (is_meta(*p)) {
			break;
		} else {
			p = lex_piece(lx, p, t, subs);
		}
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

/* Starts reading text: the lexer and the token it fills. */
static void
lexer_start(struct lexer *lx, struct token *t, const char *text, int flags)
{
	memset(lx, 0, sizeof *lx);
	memset(t, 0, sizeof *t);
	lx->text = lx->p = text != NULL ? text : "";
	lx->flags = flags;
	buf_init(&t->word);
}

/* Frees what lexer_start and reading took. */
static void
lexer_end(struct lexer *lx, struct token *t)
{
	lexer_clear_heredocs(lx);
	free(lx->error);
	lx->error = NULL;
	buf_free(&t->word);
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

/* Compound commands. */

/*
 * The compound commands open around a token, innermost last: '(' a
 * subshell, 'k' one opened by a reserved word, 'c' a case whose next word
 * is a pattern, 'C' a case arm's commands.
 */
struct nesting {
	char kind[SHELL_MAX_DEPTH];
	int depth;
};

static void
nest_push(struct nesting *n, char kind)
{
	if (n->depth < SHELL_MAX_DEPTH)
		n->kind[n->depth++] = kind;
}

static void
nest_pop(struct nesting *n)
{
	if (n->depth > 0)
		n->depth--;
}

/* The innermost kind, or 0 outside any. */
static char
nest_top(const struct nesting *n)
{
	return n->depth > 0 ? n->kind[n->depth - 1] : 0;
}

static void
nest_set_top(struct nesting *n, char kind)
{
	if (n->depth > 0)
		n->kind[n->depth - 1] = kind;
}

static int
op_is(const struct token *t, const char *op)
{
	return strcmp(t->op, op) == 0;
}

/* ";;" or ";&": the end of a case arm. */
static int
op_ends_arm(const struct token *t)
{
	return op_is(t, ";;") || op_is(t, ";&");
}

/* Splitting. */

/* Where the splitter is, between tokens. */
struct splitter {
	struct nesting nest;
	int command_pos;	/* the next word is a command word */
	int continued;		/* the last token was | || && |&: the command goes on */
	int after_case;		/* between "case" and "in" */
	int for_words;		/* in the word list of a for or select */
};

/* Adds s[0..n) trimmed to out unless empty. */
static void
add_trimmed(struct strv *out, const char *s, size_t n)
{
	while (n > 0 && (is_blank_char(*s) || *s == '\n'))
		s++, n--;
	/* a separating ; goes, an escaped one (find's -exec ... \;) is a word */
	while (n > 0 && (is_blank_char(s[n - 1]) || s[n - 1] == '\n' ||
	    (s[n - 1] == ';' && (n < 2 || s[n - 2] != '\\'))))
		n--;
	if (n > 0)
		strv_addn(out, s, n);
}

/* After a newline: a command word comes next, unless a case pattern or "in" does. */
static void
split_newline(struct splitter *sp)
{
	sp->for_words = 0;
	sp->command_pos = !sp->after_case && nest_top(&sp->nest) != 'c';
}

/* An operator: ( ) and ;; open and close subshells and case arms. */
static void
split_operator(struct splitter *sp, const struct token *t)
{
	struct nesting *n = &sp->nest;
	if (op_is(t, "(")) {
		nest_push(n, '(');
	} else if (op_is(t, ")")) {
		if (nest_top(n) == 'c')
			nest_set_top(n, 'C');	/* a pattern ends, its commands follow */
		else if (nest_top(n) == '(')
			nest_pop(n);
	} else if (op_ends_arm(t) && nest_top(n) == 'C') {
		nest_set_top(n, 'c');
		sp->command_pos = 0;
		return;
	}
	sp->continued = op_is(t, "|") || op_is(t, "&&") || op_is(t, "||") || op_is(t, "|&");
	sp->command_pos = 1;
	sp->for_words = 0;
}

/* A word: at a command's start, a reserved word opens or closes a compound command. */
static void
split_word(struct splitter *sp, const struct token *t)
{
	struct nesting *n = &sp->nest;
	if (sp->after_case) {
		if (word_is(t, "in")) {
			sp->after_case = 0;
			nest_push(n, 'c');
		}
		return;
	}
	if (nest_top(n) == 'c') {
		if (word_is(t, "esac"))
			nest_pop(n), sp->command_pos = 0;
		return;	/* a pattern */
	}
	if (!sp->command_pos || sp->for_words)
		return;
	if (word_is(t, "case")) {
		sp->after_case = 1;
		sp->command_pos = 0;
	} else if (word_in(t, openers)) {
		nest_push(n, 'k');
		if (word_is(t, "for") || word_is(t, "select"))
			sp->for_words = 1;
	} else if (word_in(t, closers)) {
		if (word_is(t, "esac") && nest_top(n) == 'C')
			nest_pop(n);
		else if (nest_top(n) == 'k')
			nest_pop(n);
		sp->command_pos = 0;
	} else if (!word_in(t, keeps_position) &&
	    !(is_name_start(t->word.data[0]) && strchr(t->word.data, '=') != NULL &&
	    !(t->word_flags & SHELL_QUOTED))) {
		sp->command_pos = 0;
	}
}

/* Why the text cannot be split into whole commands, or NULL. */
static const char *
split_failure(const struct lexer *lx, const struct splitter *sp)
{
	if (lx->error != NULL)
		return lx->error;
	if (sp->nest.depth > 0 || sp->after_case)
		return "the text ends inside a compound command";
	if (sp->continued)
		return "the text ends after an operator";
	return NULL;
}

int
shell_split_commands(const char *text, struct strv *out, char **cause)
{
	struct lexer lx;
	struct token t;
	struct splitter sp;
	lexer_start(&lx, &t, text, 0);
	memset(&sp, 0, sizeof sp);
	sp.command_pos = 1;
	const char *start = NULL;	/* where the command being read starts */
	for (;;) {
		lex_next(&lx, &t, NULL);
		if (t.kind == TOKEN_END)
			break;
		if (t.kind == TOKEN_NEWLINE) {
			lexer_clear_heredocs(&lx);
			if (start != NULL && sp.nest.depth == 0 && !sp.continued) {
				add_trimmed(out, start, (size_t)(t.end - start));
				start = NULL;
			}
			split_newline(&sp);
			continue;
		}
		if (start == NULL)
			start = t.start;
		sp.continued = 0;
		if (t.kind == TOKEN_REDIRECT) {
			if (is_heredoc(t.op))
				lex_wait_heredoc(&lx, &t, 0, 0);
		} else if (t.kind == TOKEN_OP) {
			split_operator(&sp, &t);
		} else {
			split_word(&sp, &t);
		}
	}
	if (start != NULL)
		add_trimmed(out, start, strlen(start));
	const char *why = split_failure(&lx, &sp);
	if (why != NULL)
		*cause = xstrdup(why);
	lexer_end(&lx, &t);
	return why != NULL ? -1 : 0;
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

/* Where the parser is, between tokens. */
struct parser {
	struct lexer lx;
	struct token t;
	struct strv subs;	/* the substitutions in the token */
	struct shell_list *out;
	struct nesting nest;
	int open;		/* the last command in out is still being read */
	int piped;		/* the next command's input is a pipe */
	int skip_to_sep;	/* in the words of a for or select */
	int after_case;		/* between "case" and "in" */
	int skip_name;		/* after "function": its name */
};

/* The command being read, or NULL. */
static struct shell_command *
parser_command(struct parser *ps)
{
	return ps->open ? &ps->out->commands[ps->out->n - 1] : NULL;
}

/* Ends the command being read; sep follows it. */
static void
parser_end_command(struct parser *ps, enum shell_sep sep)
{
	command_end(ps->out, &ps->open, sep, &ps->piped);
}

/* Gives each heredoc read at this newline to the redirection that named it. */
static void
parse_heredoc_bodies(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct shell_list *out = ps->out;
	for (size_t i = 0; i < lx->nwaits && i < lx->nbodies; i++) {
		struct heredoc_wait *hw = &lx->waits[i];
		if (hw->command >= out->n || hw->redirect >= out->commands[hw->command].nredirs)
			continue;
		struct shell_redirect *r = &out->commands[hw->command].redirs[hw->redirect];
		free(r->heredoc);
		r->heredoc = lx->bodies[i];
		lx->bodies[i] = NULL;
	}
	lexer_clear_heredocs(lx);
}

/* A newline ends the command, unless it follows a pipe ("a |\n b"). */
static void
parse_newline(struct parser *ps)
{
	const struct shell_list *out = ps->out;
	parse_heredoc_bodies(ps);
	ps->skip_to_sep = 0;
	int last_pipe = out->n > 0 && !ps->open && out->commands[out->n - 1].sep == SHELL_SEP_PIPE;
	if (ps->open || !last_pipe)
		parser_end_command(ps, SHELL_SEP_SEMI);
}

/* What an operator says about the command before it. */
static enum shell_sep
op_sep(const struct token *t)
{
	if (op_is(t, "|") || op_is(t, "|&"))
		return SHELL_SEP_PIPE;
	if (op_is(t, "&&"))
		return SHELL_SEP_AND;
	if (op_is(t, "||"))
		return SHELL_SEP_OR;
	if (op_is(t, "&"))
		return SHELL_SEP_BACKGROUND;
	return SHELL_SEP_SEMI;
}

/* After "name(": "name() { ...; }" defines a function, and the name runs nothing. 1 if so. */
static int
parse_function_name(struct parser *ps)
{
	struct shell_command *c = parser_command(ps);
	const char *q = ps->lx.p;
	while (is_blank_char(*q))
		q++;
	if (c == NULL || *q != ')' || c->nwords != 1 || c->nredirs != 0)
		return 0;
	ps->lx.p = q + 1;
	free(c->words[0].text);
	c->nwords = 0;
	parser_end_command(ps, SHELL_SEP_SEMI);
	return 1;
}

/* An operator ends the command; ( ) and ;; open and close subshells and case arms. */
static void
parse_operator(struct parser *ps)
{
	const struct token *t = &ps->t;
	struct nesting *n = &ps->nest;
	if (op_is(t, "(")) {
		if (parse_function_name(ps))
			return;
		nest_push(n, '(');
	} else if (op_is(t, ")")) {
		if (nest_top(n) == 'c') {
			nest_set_top(n, 'C');	/* a pattern ends, its commands follow */
			ps->skip_to_sep = 0;
			parser_end_command(ps, SHELL_SEP_SEMI);
			return;
		}
		if (nest_top(n) == '(')
			nest_pop(n);
	} else if (op_ends_arm(t) && nest_top(n) == 'C') {
		nest_set_top(n, 'c');
	}
	ps->skip_to_sep = 0;
	parser_end_command(ps, op_sep(t));
}

/* 1 if the token runs nothing: a case pattern, case's word, a for's words, a function's name. */
static int
parse_skipped(struct parser *ps)
{
	const struct token *t = &ps->t;
	if (nest_top(&ps->nest) == 'c' && t->kind == TOKEN_WORD) {
		if (word_is(t, "esac"))
			nest_pop(&ps->nest);
		return 1;	/* a case pattern */
	}
	if (ps->after_case) {
		if (word_is(t, "in")) {
			ps->after_case = 0;
			nest_push(&ps->nest, 'c');
		}
		return 1;
	}
	if (ps->skip_to_sep)
		return 1;
	if (ps->skip_name) {
		ps->skip_name = 0;
		return 1;
	}
	return 0;
}

/* A redirection into c; a heredoc's body is awaited at the next newline. */
static void
parse_redirect(struct parser *ps, struct shell_command *c)
{
	const struct token *t = &ps->t;
	c->redirs = grow(c->redirs, c->nredirs, sizeof *c->redirs);
	struct shell_redirect *r = &c->redirs[c->nredirs++];
	memset(r, 0, sizeof *r);
	r->fd = t->fd;
	memcpy(r->op, t->op, sizeof r->op);
	r->target.text = xstrdup(t->word.data ? t->word.data : "");
	r->target.flags = t->word_flags;
	if (is_heredoc(t->op))
		lex_wait_heredoc(&ps->lx, t, ps->out->n - 1, c->nredirs - 1);
}

/*
 * Where a command word would be: reserved words open and close compound
 * commands and run nothing; NAME=value is an assignment. 1 if the token
 * was taken so.
 */
static int
parse_command_start(struct parser *ps, struct shell_command *c)
{
	const struct token *t = &ps->t;
	if (word_is(t, "case")) {
		ps->after_case = 1;
	} else if (word_is(t, "for") || word_is(t, "select")) {
		nest_push(&ps->nest, 'k');
		ps->skip_to_sep = 1;
	} else if (word_is(t, "function")) {
		ps->skip_name = 1;
	} else if (word_in(t, openers)) {
		nest_push(&ps->nest, 'k');
	} else if (word_in(t, closers)) {
		nest_pop(&ps->nest);
	} else if (word_in(t, keeps_position) && !word_is(t, "time")) {
		/* then, do, else, elif, ! */
	} else if (is_assignment_word(t)) {
		words_add(&c->assigns, &c->nassigns, t);
	} else {
		return 0;
	}
	return 1;
}

/* A word or a redirection, into the command being read (opened if none is). */
static void
parse_word(struct parser *ps)
{
	if (!ps->open) {
		struct shell_command *nc = list_add(ps->out);
		nc->piped = ps->piped;
		ps->open = 1;
	}
	struct shell_command *c = parser_command(ps);
	/* substitutions run wherever they are: "case $(x) in", "for f in $(ls)" */
	for (size_t i = 0; i < ps->subs.n; i++)
		strv_add(&c->substitutions, ps->subs.v[i]);
	if (parse_skipped(ps))
		return;
	if (ps->t.kind == TOKEN_REDIRECT)
		parse_redirect(ps, c);
	else if (c->nwords > 0 || !parse_command_start(ps, c))
		words_add(&c->words, &c->nwords, &ps->t);
}

int
shell_parse(const char *text, int flags, struct shell_list *out, char **cause)
{
	struct parser ps;
	memset(&ps, 0, sizeof ps);
	memset(out, 0, sizeof *out);
	lexer_start(&ps.lx, &ps.t, text, flags);
	ps.out = out;
	for (;;) {
		strv_free(&ps.subs);
		lex_next(&ps.lx, &ps.t, &ps.subs);
		if (ps.t.kind == TOKEN_END)
			break;
		if (ps.t.kind == TOKEN_NEWLINE)
			parse_newline(&ps);
		else if (ps.t.kind == TOKEN_OP)
			parse_operator(&ps);
		else
			parse_word(&ps);
	}
	strv_free(&ps.subs);
	parser_end_command(&ps, SHELL_SEP_END);
	if (out->n > 0 && out->commands[out->n - 1].sep == SHELL_SEP_SEMI)
		out->commands[out->n - 1].sep = SHELL_SEP_END;
	int rc = 0;
	if (ps.lx.error != NULL) {
		*cause = xstrdup(ps.lx.error);
		rc = -1;
	}
	lexer_end(&ps.lx, &ps.t);
	return rc;
}
