/*
 * runbook: reads the markdown procedures teams already keep into runbooks
 * -> steps -> commands, time boxes, expected results and checklists. See
 * runbook.h.
 *
 * The parser is a line-oriented scanner with a small state machine:
 *
 *   document -> runbook -> step -> code block
 *
 * Lines are split on LF, CRLF or a lone CR, cut at 64 KiB, and NUL bytes
 * become spaces, so everything after that works on C strings. Each line is
 * classified once (fence, heading, numbered item, checklist item, label
 * line such as "**Expected time:** 5 min", or text) and handed to the
 * current level. Inside a fence, lines are assembled into logical commands
 * (backslash continuations, heredocs).
 *
 * There is always a current runbook: the implicit one (the whole document)
 * until a heading such as "## Runbook 2: Gateway down" opens an explicit
 * one. A numbered heading ("### 4. Redis failure") is a runbook only if it
 * turns out to hold real steps; otherwise the section becomes a step of the
 * implicit runbook, which is kept when the document has no other runbook
 * (or holds real steps of its own). Nothing recurses on the input, every scan of a line is linear,
 * and lists that could grow with hostile input are capped, so the cost
 * stays proportional to the size of the input.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "runbook.h"
#include "shell.h"
#include "util.h"

#define LINE_MAX_BYTES (64 * 1024)
#define MAX_LINT 1000		/* messages kept per document */
#define MAX_ITEMS 1024		/* checklist items, expected results per owner */
#define MAX_PLACEHOLDERS 64	/* per command */
#define MAX_ASSIGNED 256	/* shell variables remembered per code block */
#define MAX_SSH_WORDS 256
#define FRONT_MATTER_LINES 200

enum step_kind {
	STEP_ITEM,		/* 1. **Bold title** */
	STEP_PLAIN,		/* 1. Plain item */
	STEP_HEADING,		/* ### Step 2: ..., **Step 2: ...** */
	STEP_COMMENT,		/* # 3. ... inside a code block */
	STEP_ORPHAN,		/* commands outside any step */
	STEP_SECTION,		/* a numbered section that held no steps */
};

enum runbook_kind {
	RB_IMPLICIT,
	RB_KEYWORD,		/* Runbook / Procedure / Scenario / Сценарий ... */
	RB_NUMBERED,		/* ### 4. Redis failure */
	RB_SECTION,		/* ### Redis failure: a runbook if it holds ordered steps */
};

enum section {
	SEC_NONE,
	SEC_SYMPTOMS,
	SEC_EXPECTED,
};

struct step_build {
	struct runbook_step pub;
	size_t command_cap;
	struct buf text;
	int blank;		/* a blank line waits before the next text */
	enum step_kind kind;
	int level;		/* heading steps: the heading level (7: bold line) */
	int indent;		/* list steps: the marker's indentation */
	int content_indent;	/* list steps: where the item's text starts */
};

struct runbook_build {
	struct runbook pub;	/* steps are filled in at the end */
	struct step_build *steps;
	size_t nsteps, cap;
	struct buf symptoms;
	struct buf text;	/* prose outside steps (numbered sections only) */
	int text_blank;
	enum runbook_kind kind;
	int number;
	int has_bold;		/* holds a bold-titled item: plain items are text */
	int container;		/* closed by a deeper runbook heading */
	long orphan;		/* the unnumbered step of this section, or -1 */
};

struct fence {
	int open;
	char ch;
	size_t len;
	int indent;
	int line;
	char lang[32];
	int runnable;
	int console;		/* only "$ " lines are commands */
	int expected;		/* the block is an expected result */
	long step_before;	/* the current step when the block opened */
	long block_orphan;	/* orphan step created by this block, or -1 */
	int comment_steps;	/* "# N." comments made steps in this block */
	struct buf body;	/* blocks that are not commands */
	struct buf text, raw;	/* the logical command being assembled */
	int command_line;
	int cont;		/* the last line ended with a backslash */
	char *heredoc;		/* terminator of an open heredoc */
	struct strv assigned;	/* variables assigned earlier in the block */
	struct buf chunk;	/* shell lines not yet split into commands */
	int seen_line;		/* a non-blank line was read */
	int as_text;		/* a block without a language that holds no shell */
	int chunk_line;		/* the line of its first line */
	char *session_host;	/* after an "ssh HOST" line alone, until "exit" */
	char *session_user;
	char *ssh_pending;	/* an "ssh HOST" line alone, not yet given */
	char *ssh_pending_raw;
	int ssh_pending_line;
	char *ssh_pending_host, *ssh_pending_user;
};

struct parser {
	struct runbook_doc *doc;
	struct runbook_build implicit, open;
	int have_open;
	struct runbook_build *cur;
	struct runbook_build *done;
	size_t ndone, done_cap;
	long step;		/* index in cur->steps, or -1 */
	enum section section;
	int section_heading;	/* the section came from a heading */
	int section_value;	/* its label had a value on the same line */
	int section_blank;	/* a blank line was seen in the section */
	char *section_title;	/* the last heading inside the runbook */
	struct fence fence;
	int lineno;
	int in_comment;		/* inside <!-- ... --> */
	int skip_lines;		/* front matter */
	int mojibake_line;	/* the first line repaired from mis-encoded text */
	int mojibake_lines;
	int mojibake_table;
	char *first_heading;
	int first_heading_line, first_heading_level;
	char *lead;		/* the last paragraph line outside lists ("Purging a queue:") */
	int placeholder_boxes;	/* lines with a template's time box ("[X] min") */
	int placeholder_first, placeholder_last;
	char *placeholder_box;
	struct buf placeholder_lines;
	size_t lint_cap;
	int errors;
};

/* Character classes. */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Bytes taken by the letter at p (an ASCII or a Cyrillic one), or 0. */
static size_t
letter_len(const char *p)
{
	unsigned char c = (unsigned char)p[0];
	if (is_alpha(c))
		return 1;
	if ((c == 0xD0 || c == 0xD1) && ((unsigned char)p[1] & 0xC0) == 0x80)
		return 2;
	return 0;
}

/* Bytes of the word (letters) at p, reading at most max + 2 bytes. */
static size_t
word_len(const char *p, size_t max)
{
	size_t n = 0, l;
	while (n <= max && (l = letter_len(p + n)) > 0)
		n += l;
	return n;
}

/*
 * Lower-cases ASCII and Cyrillic letters of s[0..n) into out (n + 1 bytes);
 * the length never changes.
 */
static void
fold(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = u[i];
		if (c >= 'A' && c <= 'Z') {
			out[i++] = (char)(c + 32);
			continue;
		}
		if (c == 0xD0 && i + 1 < n) {
			unsigned char d = u[i + 1];
			if (d >= 0x90 && d <= 0x9F) {	/* А..П */
				out[i] = (char)0xD0;
				out[i + 1] = (char)(d + 0x20);
				i += 2;
				continue;
			}
			if (d >= 0xA0 && d <= 0xAF) {	/* Р..Я */
				out[i] = (char)0xD1;
				out[i + 1] = (char)(d - 0x20);
				i += 2;
				continue;
			}
			if (d == 0x81) {	/* Ё */
				out[i] = (char)0xD1;
				out[i + 1] = (char)0x91;
				i += 2;
				continue;
			}
		}
		out[i++] = (char)c;
	}
	out[n] = '\0';
}

/* Index of word in a NULL-terminated table, or -1. */
static int
table_find(const char *const *table, const char *word)
{
	for (int i = 0; table[i] != NULL; i++)
		if (strcmp(table[i], word) == 0)
			return i;
	return -1;
}

/*
 * Length of the table word that folded text starts with, followed by
 * something other than a letter; 0 if none.
 */
static size_t
table_prefix(const char *const *table, const char *folded)
{
	for (int i = 0; table[i] != NULL; i++) {
		size_t n = strlen(table[i]);
		if (strncmp(folded, table[i], n) == 0 && letter_len(folded + n) == 0)
			return n;
	}
	return 0;
}

static const char *
skip_blank(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Columns of leading white space, tabs to the next multiple of 4. */
static int
indent_of(const char *s)
{
	int col = 0;
	for (; is_blank(*s); s++)
		col = *s == '\t' ? (col + 4) & ~3 : col + 1;
	return col;
}

/* s without up to cols columns of leading white space. */
static const char *
strip_indent(const char *s, int cols)
{
	int col = 0;
	while (is_blank(*s)) {
		int next = *s == '\t' ? (col + 4) & ~3 : col + 1;
		if (next > cols)
			break;
		col = next;
		s++;
	}
	return s;
}

/* A copy of s[0..n) without surrounding white space. */
static char *
trim_dup(const char *s, size_t n)
{
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Removes trailing white space from b. */
static void
buf_rtrim(struct buf *b)
{
	while (b->len > 0 && is_space(b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

/* Length of s without trailing white space. */
static size_t
rtrim_len(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return n;
}

/* Appends to a strv with geometric growth, ignoring items beyond max. */
static void
items_add(struct strv *sv, const char *s, size_t n, size_t max)
{
	if (sv->n >= max)
		return;
	if (sv->v == NULL || ((sv->n + 1) & sv->n) == 0) {
		size_t cap = 2;
		while (cap < sv->n + 2)
			cap *= 2;
		sv->v = xreallocarray(sv->v, cap, sizeof *sv->v);
	}
	sv->v[sv->n++] = xstrndup(s, n);
	sv->v[sv->n] = NULL;
}

/* Adds a trimmed, non-empty item. */
static void
items_add_trimmed(struct strv *sv, const char *s)
{
	char *t = trim_dup(s, strlen(s));
	if (*t != '\0')
		items_add(sv, t, strlen(t), MAX_ITEMS);
	free(t);
}

/* Appends a line of prose; a pending blank line becomes a paragraph break. */
static void
text_add(struct buf *b, int *blank, const char *s)
{
	size_t n = rtrim_len(s);
	if (n == 0)
		return;
	if (b->len > 0)
		buf_adds(b, *blank ? "\n\n" : "\n");
	buf_add(b, s, n);
	*blank = 0;
}

/* Replaces what is between backticks with spaces, keeping offsets. */
static void
blank_code_spans(char *s)
{
	int in = 0;
	for (; *s; s++) {
		if (*s == '`')
			in = !in;
		else if (in)
			*s = ' ';
	}
}

/* Reads 1 to 9 digits into *n; returns the bytes read, 0 if none or too many. */
static size_t
read_number(const char *s, int *n)
{
	size_t i = 0;
	int v = 0;
	while (is_digit(s[i])) {
		if (i == 9)
			return 0;
		v = v * 10 + (s[i] - '0');
		i++;
	}
	*n = v;
	return i;
}

/* After a title separator (":", ".", "-", "—", ")") and the blanks around it. */
static const char *
skip_title_sep(const char *p)
{
	p = skip_blank(p);
	if (*p == ':' || *p == '.' || *p == '-' || *p == ')' || *p == '|')
		p++;
	else if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0x93 || (unsigned char)p[2] == 0x94))
		p += 3;
	return skip_blank(p);
}

/* Time boxes. */

struct time_unit {
	const char *word;
	int seconds;
	int is_long;		/* unambiguous enough to flag "(five min)" */
};

static const struct time_unit time_units[] = {
	{ "d", 86400, 0 }, { "day", 86400, 1 }, { "days", 86400, 1 },
	{ "h", 3600, 0 }, { "hr", 3600, 1 }, { "hrs", 3600, 1 },
	{ "hour", 3600, 1 }, { "hours", 3600, 1 },
	{ "m", 60, 0 }, { "min", 60, 1 }, { "mins", 60, 1 },
	{ "minute", 60, 1 }, { "minutes", 60, 1 },
	{ "s", 1, 0 }, { "sec", 1, 1 }, { "secs", 1, 1 },
	{ "second", 1, 1 }, { "seconds", 1, 1 },
	{ "день", 86400, 1 }, { "дня", 86400, 1 }, { "дней", 86400, 1 },
	{ "ч", 3600, 0 }, { "час", 3600, 1 }, { "часа", 3600, 1 },
	{ "часов", 3600, 1 },
	{ "мин", 60, 1 }, { "минут", 60, 1 }, { "минута", 60, 1 },
	{ "минуты", 60, 1 }, { "минуту", 60, 1 },
	{ "сек", 1, 1 }, { "секунд", 1, 1 }, { "секунда", 1, 1 },
	{ "секунды", 1, 1 }, { "секунду", 1, 1 },
};

/* The unit named by the n-byte word at p, or NULL. */
static const struct time_unit *
unit_lookup(const char *p, size_t n)
{
	char w[32];
	if (n == 0 || n >= sizeof w)
		return NULL;
	fold(p, n, w);
	for (size_t i = 0; i < nitems(time_units); i++)
		if (strcmp(w, time_units[i].word) == 0)
			return &time_units[i];
	return NULL;
}

/* Reads "12", "1.5" or "1,5" in thousandths; returns the bytes read or 0. */
static size_t
number_at(const char *p, int64_t *milli)
{
	size_t i = 0;
	int64_t v = 0;
	while (is_digit(p[i])) {
		if (i == 6)
			return 0;
		v = v * 10 + (p[i] - '0');
		i++;
	}
	if (i == 0)
		return 0;
	v *= 1000;
	if ((p[i] == '.' || p[i] == ',') && is_digit(p[i + 1])) {
		int64_t scale = 100;
		size_t j = i + 1;
		for (; is_digit(p[j]); j++) {
			if (j - i > 3)
				return 0;
			v += (p[j] - '0') * scale;
			scale /= 10;
		}
		i = j;
	}
	*milli = v;
	return i;
}

/* Skips up to three blanks (including no-break spaces) between a number and its unit. */
static const char *
skip_gap(const char *p)
{
	for (int k = 0; k < 3; k++) {
		if (is_blank(*p))
			p++;
		else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
			p += 2;
		else
			break;
	}
	return p;
}

struct duration {
	int64_t seconds;
	int64_t bare_milli;	/* the number alone, for "2-4 hours" */
	int first_unit;
	int has_unit;
	const char *end;
};

/* Reads "10 min", "1h30m", "1 hour 30 minutes" or a bare number at p: 0 or -1. */
static int
duration_at(const char *p, struct duration *d)
{
	int64_t milli;
	size_t n = number_at(p, &milli);
	if (n == 0)
		return -1;
	memset(d, 0, sizeof *d);
	d->bare_milli = milli;
	d->end = p + n;
	int last = INT_MAX;
	const char *q = p;
	for (int k = 0; k < 4; k++) {
		n = number_at(q, &milli);
		if (n == 0)
			break;
		const char *u = skip_gap(q + n);
		size_t wl = word_len(u, 24);
		const struct time_unit *unit = unit_lookup(u, wl);
		if (unit == NULL || unit->seconds >= last)
			break;
		if (k == 0)
			d->first_unit = unit->seconds;
		d->seconds += milli * unit->seconds / 1000;
		d->has_unit = 1;
		last = unit->seconds;
		d->end = u + wl;
		q = skip_gap(d->end);
		if (!is_digit(*q))
			break;
	}
	return 0;
}

/* After a range separator ("-", "–", "—", "to", "до"), or NULL. */
static const char *
range_sep(const char *p)
{
	const unsigned char *u;
	p = skip_gap(p);
	u = (const unsigned char *)p;
	if (*p == '-')
		p++;
	else if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x93 || u[2] == 0x94))
		p += 3;
	else if ((u[0] | 0x20) == 't' && (u[1] | 0x20) == 'o' && letter_len(p + 2) == 0)
		p += 2;
	else if (u[0] == 0xD0 && u[1] == 0xB4 && u[2] == 0xD0 && u[3] == 0xBE &&
	    letter_len(p + 4) == 0)
		p += 4;
	else
		return NULL;
	return skip_gap(p);
}

/* Reads a time box or a range of them starting at the digit p: 0 or -1. */
static int
timebox_at(const char *p, int64_t *min_s, int64_t *max_s, const char **end)
{
	struct duration a, b;
	if (duration_at(p, &a) < 0)
		return -1;
	const char *q = range_sep(a.end);
	if (q != NULL && is_digit(*q) && duration_at(q, &b) == 0 && b.has_unit) {
		int64_t lo = a.has_unit ? a.seconds : a.bare_milli * b.first_unit / 1000;
		int64_t hi = b.seconds;
		if (lo > hi) {
			int64_t t = lo;
			lo = hi;
			hi = t;
		}
		if (lo <= 0)
			return -1;
		*min_s = lo;
		*max_s = hi;
		*end = b.end;
		return 0;
	}
	if (!a.has_unit || a.seconds <= 0)
		return -1;
	*min_s = *max_s = a.seconds;
	*end = a.end;
	return 0;
}

/* Whether the number at p follows "every" ("every 4 hours" is a schedule, not a time box). */
static int
after_every(const char *s, const char *p)
{
	static const char *const every_words[] = {
		"every", "each", "than", "каждые", "каждый", "каждую", "каждое", "чем", NULL
	};
	const char *e = p;
	while (e > s && is_blank(e[-1]))
		e--;
	if (e == p)
		return 0;
	const char *b = e;
	while (b > s && (is_alpha(b[-1]) || ((unsigned char)b[-1] & 0xC0) == 0x80 ||
	    (unsigned char)b[-1] == 0xD0 || (unsigned char)b[-1] == 0xD1))
		b--;
	char w[24];
	if (e - b == 0 || (size_t)(e - b) >= sizeof w)
		return 0;
	fold(b, (size_t)(e - b), w);
	return table_find(every_words, w) >= 0;
}

/* Durations in words: "ten minutes", "пять минут", "полчаса", "(час)". */
struct number_word {
	const char *word;
	int milli;		/* thousandths */
};

static const struct number_word number_words[] = {
	{ "one", 1000 }, { "two", 2000 }, { "three", 3000 }, { "four", 4000 },
	{ "five", 5000 }, { "six", 6000 }, { "ten", 10000 }, { "fifteen", 15000 },
	{ "twenty", 20000 }, { "thirty", 30000 }, { "forty", 40000 }, { "sixty", 60000 },
	{ "a", 1000 }, { "an", 1000 }, { "half", 500 },
	{ "один", 1000 }, { "одна", 1000 }, { "одну", 1000 }, { "два", 2000 },
	{ "две", 2000 }, { "три", 3000 }, { "четыре", 4000 }, { "пять", 5000 },
	{ "десять", 10000 }, { "пятнадцать", 15000 }, { "двадцать", 20000 },
	{ "тридцать", 30000 }, { "сорок", 40000 }, { "полтора", 1500 }, { "полторы", 1500 },
};

/* A duration in words at the word w (len n) of s; returns its end, or NULL. */
static const char *
word_duration_at(const char *s, const char *w, size_t n, int64_t *seconds)
{
	char f[40];
	if (n >= sizeof f)
		return NULL;
	fold(w, n, f);
	if (strcmp(f, "полчаса") == 0) {
		*seconds = 1800;
		return w + n;
	}
	const struct time_unit *u = unit_lookup(w, n);
	if (u != NULL && u->is_long && u->seconds == 3600 &&
	    ((w > s && w[-1] == '(' && w[n] == ')') || (w == s && *skip_blank(w + n) == '\0'))) {
		*seconds = 3600;	/* "(час)", "(hour)" */
		return w + n;
	}
	for (size_t i = 0; i < nitems(number_words); i++) {
		if (strcmp(f, number_words[i].word) != 0)
			continue;
		const char *q = w + n;
		if (!is_blank(*q))
			return NULL;
		q = skip_gap(q);
		size_t m = word_len(q, 24);
		char g[8];
		if (number_words[i].milli == 500 && m == 2 && (fold(q, 2, g), strcmp(g, "an") == 0)) {
			q = skip_gap(q + m);	/* "half an hour" */
			m = word_len(q, 24);
		}
		u = unit_lookup(q, m);
		if (u == NULL || !u->is_long)
			return NULL;
		*seconds = (int64_t)number_words[i].milli * u->seconds / 1000;
		return q + m;
	}
	return NULL;
}

/* The first duration in words in s: 0 and its span, or -1. */
static int
timebox_words(const char *s, int64_t *seconds, size_t *start, size_t *end)
{
	const char *p = s;
	while (*p != '\0') {
		size_t n = word_len(p, 36);
		if (n == 0) {
			p++;
			continue;
		}
		const char *e = (p == s || letter_len(p - 1) == 0) && !after_every(s, p) ?
		    word_duration_at(s, p, n, seconds) : NULL;
		if (e != NULL) {
			*start = (size_t)(p - s);
			*end = (size_t)(e - s);
			return 0;
		}
		p += n;
	}
	return -1;
}

/* Finds the first time box in s; sets its span as offsets. Returns 0 or -1. */
static int
timebox_find(const char *s, int64_t *min_s, int64_t *max_s, size_t *start, size_t *end)
{
	const char *p = s, *e;
	while (*p != '\0') {
		if (!is_digit(*p)) {
			p++;
			continue;
		}
		int glued = p > s && (is_alnum(p[-1]) ||
		    ((p[-1] == '.' || p[-1] == ',') && p - 1 > s && is_digit(p[-2])));
		if (!glued && !after_every(s, p) && timebox_at(p, min_s, max_s, &e) == 0) {
			*start = (size_t)(p - s);
			*end = (size_t)(e - s);
			return 0;
		}
		while (is_digit(*p))
			p++;
	}
	int64_t sec;
	if (timebox_words(s, &sec, start, end) == 0) {
		*min_s = *max_s = sec;
		return 0;
	}
	return -1;
}

int
runbook_parse_timebox(const char *s, int64_t *min_s, int64_t *max_s)
{
	size_t start, end;
	int64_t lo, hi;
	if (s == NULL || timebox_find(s, &lo, &hi, &start, &end) < 0)
		return -1;
	if (min_s != NULL)
		*min_s = lo;
	if (max_s != NULL)
		*max_s = hi;
	return 0;
}

/* Nonzero when s holds a word that names a time unit ("min", "hours", "часа"). */
static int
mentions_time_unit(const char *s)
{
	const char *p = s;
	while (*p != '\0') {
		size_t n = word_len(p, SIZE_MAX - 2);
		if (n == 0) {
			p++;
			continue;
		}
		const struct time_unit *u = unit_lookup(p, n);
		if (u != NULL && u->is_long)
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Finds a time box in title (outside `code`) and cuts it out when it sits
 * in parentheses or ends the title after a separator. Returns 0 if found.
 */
static int placeholder_timebox(const char *s);

/* Cuts a template's "([X] min)" out of a title; it is no time box. */
static void
title_cut_placeholder(char *title)
{
	char *open = strchr(title, '(');
	while (open != NULL) {
		char *close = strchr(open + 1, ')');
		if (close == NULL)
			return;
		char *group = xstrndup(open + 1, (size_t)(close - open - 1));
		int ph = placeholder_timebox(group);
		free(group);
		if (ph) {
			memmove(open, close + 1, strlen(close + 1) + 1);
			char *t = trim_dup(title, strlen(title));
			strcpy(title, t);
			free(t);
			return;
		}
		open = strchr(close + 1, '(');
	}
}

static int
title_take_timebox(char *title, int64_t *min_s, int64_t *max_s)
{
	char *scan = xstrdup(title);
	size_t a, b, len = strlen(title);
	blank_code_spans(scan);
	int rc = timebox_find(scan, min_s, max_s, &a, &b);
	free(scan);
	if (rc < 0) {
		title_cut_placeholder(title);
		return -1;
	}

	/* the enclosing "(...)" or "[...]", if short */
	size_t l = a, r = b;
	while (l > 0 && a - l < 40 && title[l - 1] != '(' && title[l - 1] != '[' &&
	    title[l - 1] != ')' && title[l - 1] != ']')
		l--;
	while (r < len && r - b < 40 && title[r] != ')' && title[r] != ']' &&
	    title[r] != '(' && title[r] != '[')
		r++;
	if (l > 0 && r < len && ((title[l - 1] == '(' && title[r] == ')') ||
	    (title[l - 1] == '[' && title[r] == ']'))) {
		memmove(title + l - 1, title + r + 1, len - r);
		char *t = trim_dup(title, strlen(title));
		strcpy(title, t);
		free(t);
		return 0;
	}

	/* "Decide severity - 5 min": a box that ends the title */
	r = b;
	while (title[r] != '\0' && (is_space(title[r]) || title[r] == '.' || title[r] == '*'))
		r++;
	if (title[r] != '\0')
		return 0;
	l = a;
	while (l > 0 && (is_blank(title[l - 1]) || title[l - 1] == '~'))
		l--;
	int sep = 0;
	if (l > 0 && strchr("-:,|", title[l - 1]) != NULL) {
		l--;
		sep = 1;
	} else if (l >= 3 && (unsigned char)title[l - 3] == 0xE2 &&
	    (unsigned char)title[l - 2] == 0x80 &&
	    ((unsigned char)title[l - 1] == 0x93 || (unsigned char)title[l - 1] == 0x94)) {
		l -= 3;
		sep = 1;
	}
	if (sep || l == 0) {
		title[l] = '\0';
		char *t = trim_dup(title, strlen(title));
		strcpy(title, t);
		free(t);
	}
	return 0;
}

/* Lint. */

static void ATTR_PRINTF(4, 5)
lint(struct parser *p, int line, enum lint_level level, const char *fmt, ...)
{
	struct runbook_doc *doc = p->doc;
	if (level == LINT_ERROR)
		p->errors++;
	if (doc->nlint > MAX_LINT)
		return;
	if (doc->nlint == p->lint_cap) {
		p->lint_cap = p->lint_cap ? p->lint_cap * 2 : 16;
		doc->lint = xreallocarray(doc->lint, p->lint_cap, sizeof *doc->lint);
	}
	struct lint_msg *m = &doc->lint[doc->nlint++];
	m->line = line;
	m->level = level;
	if (doc->nlint > MAX_LINT) {
		m->text = xstrdup("too many messages; the rest are not shown");
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	m->text = xvasprintf(fmt, ap);
	va_end(ap);
}

/* A copy of s cut to at most max bytes at a character boundary, "..." when cut. */
static char *
clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return xasprintf("%.*s...", (int)max, s);
}

/* Nonzero for a template's time box: "[X] min", "<N> minutes", "TBD min", "?? h". */
static int
placeholder_timebox(const char *s)
{
	s = skip_blank(s);
	if (*s == '[' || *s == '<' || *s == '{' || *s == '?' || *s == '_')
		return mentions_time_unit(s);
	size_t n = word_len(s, 8);
	if ((n == 1 && (*s == 'X' || *s == 'N' || *s == 'x')) ||
	    (n == 3 && strncasecmp(s, "tbd", 3) == 0))
		return mentions_time_unit(s + n);
	return 0;
}

/* Notes a template's time box; they are said once for the document, with their lines. */
static void
lint_placeholder_timebox(struct parser *p, int line, const char *box)
{
	if (p->placeholder_boxes == 0) {
		p->placeholder_first = line;
		free(p->placeholder_box);
		p->placeholder_box = clip(box, 40);
		buf_printf(&p->placeholder_lines, "%d", line);
	} else if (line != p->placeholder_last)
		buf_printf(&p->placeholder_lines, ", %d", line);
	if (line != p->placeholder_last)
		p->placeholder_boxes++;
	p->placeholder_last = line;
}

/*
 * Checks "(...)" groups that look like time boxes but cannot be read
 * ("(about an age min)"): a warning, since prose may say such things.
 */
static void
lint_paren_timeboxes(struct parser *p, const char *s, int line)
{
	const char *open;
	while ((open = strchr(s, '(')) != NULL) {
		const char *close = strchr(open + 1, ')');
		if (close == NULL)
			return;
		char *group = xstrndup(open + 1, (size_t)(close - open - 1));
		if (placeholder_timebox(group))
			lint_placeholder_timebox(p, line, group);
		else if (mentions_time_unit(group) && runbook_parse_timebox(group, NULL, NULL) < 0) {
			char *c = clip(group, 60);
			lint(p, line, LINT_WARNING, "\"(%s)\" names a time unit but no duration: "
			    "no time box taken", c);
			free(c);
		}
		free(group);
		s = close + 1;
	}
}

/* Labels: "**Expected time:** 5 min" and the like. */

enum label_kind {
	LABEL_OTHER,
	LABEL_TIME,
	LABEL_TOTAL,
	LABEL_EXPECTED,
	LABEL_SYMPTOMS,
};

static const char *const time_labels[] = {
	"expected time", "time", "time box", "timebox", "duration",
	"estimated time", "expected duration", "eta", "time estimate", "time to recovery",
	"время", "ожидаемое время", "длительность", "оценка времени",
	"время выполнения", "продолжительность", NULL
};

static const char *const total_labels[] = {
	"estimated recovery time", "total time", "total", "total duration",
	"mttr", "rto", "recovery time", "target rto", "recovery time objective",
	"estimated time to recover", "time to recover",
	"общее время", "время восстановления", "ожидаемое время восстановления",
	NULL
};

static const char *const expected_labels[] = {
	"expected", "expected result", "expected results", "expected output",
	"expected outcome", "result", "ожидается", "ожидаемый результат",
	"ожидаемый вывод", "результат", NULL
};

static const char *const symptom_labels[] = {
	"symptoms", "symptom", "detection", "when to use", "triggers", "trigger",
	"indicators", "signs", "симптомы", "признаки", "триггеры", "триггер",
	"когда использовать", "обнаружение", NULL
};

static enum label_kind
label_kind(const char *folded)
{
	if (table_find(time_labels, folded) >= 0)
		return LABEL_TIME;
	if (table_find(total_labels, folded) >= 0)
		return LABEL_TOTAL;
	if (table_find(expected_labels, folded) >= 0)
		return LABEL_EXPECTED;
	if (table_find(symptom_labels, folded) >= 0)
		return LABEL_SYMPTOMS;
	return LABEL_OTHER;
}

/*
 * Splits a label line ("**Expected time:** 5 min", "- **Time**: 5 min",
 * "Время: 5 минут") into its folded label and its value. Returns 0 when t
 * is no label line, 1 for a plain label, 2 for an emphasized one.
 */
static int
label_split(const char *t, char *label, size_t cap, const char **value)
{
	const char *p = t;
	char mark = 0;
	if ((*p == '-' || *p == '+' || *p == '*') && is_blank(p[1]))
		p = skip_blank(p + 1);
	if (*p == '*' || *p == '_') {
		mark = *p;
		for (int k = 0; k < 3 && *p == mark; k++)
			p++;
	}
	const char *start = p;
	if (letter_len(start) == 0)
		return 0;
	while (*p != '\0' && *p != ':' && *p != mark && (size_t)(p - start) < cap - 1) {
		if (*p == '`')
			return 0;
		p++;
	}
	size_t n = (size_t)(p - start);
	if (n >= cap - 1)
		return 0;
	if (*p == ':') {
		p++;
		while (mark && *p == mark)
			p++;
	} else if (mark && *p == mark) {
		while (*p == mark)
			p++;
		p = skip_blank(p);
		if (*p != ':')
			return 0;
		p++;
	} else {
		return 0;
	}
	while (n > 0 && is_blank(start[n - 1]))
		n--;
	fold(start, n, label);
	*value = skip_blank(p);
	return mark ? 2 : 1;
}

/* A copy of a label's value without trailing blanks and emphasis marks. */
static char *
label_value(const char *v)
{
	size_t n = strlen(v);
	while (n > 0 && (is_space(v[n - 1]) || v[n - 1] == '*' || v[n - 1] == '_'))
		n--;
	return trim_dup(v, n);
}

/* Headings. */

static const char *const runbook_words[] = {
	"runbook", "playbook", "procedure", "scenario",
	"ранбук", "плейбук", "процедура", "сценарий", NULL
};
/* Those that open a runbook even without a number: "## Runbook". */
static const char *const runbook_alone_words[] = {
	"runbook", "playbook", "ранбук", "плейбук", NULL
};
static const char *const step_words[] = { "step", "шаг", "этап", NULL };

/*
 * If a heading opens a runbook ("Runbook 2: Gateway down", "Сценарий 3:
 * ...", "Runbook: X"), returns 1 and points *title at the title.
 */
static int
runbook_heading(const char *text, const char **title)
{
	char f[48];
	fold(text, strnlen(text, sizeof f - 1), f);
	size_t kl = table_prefix(runbook_words, f);
	if (kl == 0)
		return 0;
	int alone = table_prefix(runbook_alone_words, f) == kl;
	const char *p = skip_blank(text + kl);
	int id = 0, sep = 0;
	if (*p == '#')
		p++;
	if (is_digit(*p)) {
		while (is_digit(*p))
			p++;
		if (is_alpha(*p) && letter_len(p + 1) == 0)
			p++;
		id = 1;
	} else if (*p >= 'A' && *p <= 'Z' && letter_len(p + 1) == 0) {
		const char *q = skip_title_sep(p + 1);
		if (q != skip_blank(p + 1)) {
			p++;
			id = 1;
		}
	}
	const char *q = skip_title_sep(p);
	sep = q != skip_blank(p);
	if (!id && !sep && !alone)
		return 0;
	*title = (id || sep) && *q != '\0' ? q : text;
	return 1;
}

/* "Step 2: Decide severity (5 min)", "Шаг 3 — ...": returns 1, the number and the title. */
static int
step_heading(const char *text, int *number, const char **title)
{
	char f[24];
	fold(text, strnlen(text, sizeof f - 1), f);
	size_t kl = table_prefix(step_words, f);
	if (kl == 0)
		return 0;
	const char *p = skip_blank(text + kl);
	size_t n = read_number(p, number);
	if (n == 0 || is_alnum(p[n]) || (p[n] == '.' && is_digit(p[n + 1])))
		return 0;
	*title = skip_title_sep(p + n);
	return 1;
}

/* "4. Redis failure", "2) Restart": returns 1, the number and the title. */
static int
numbered_heading(const char *text, int *number, const char **title)
{
	size_t n = read_number(text, number);
	if (n == 0 || (text[n] != '.' && text[n] != ')') || !is_blank(text[n + 1]))
		return 0;
	*title = skip_blank(text + n + 1);
	return **title != '\0';
}

/* "1.2 Verify the switch", "2.1. Start": a sub-step number and its title; 0 if none. */
static int
sub_numbered(const char *s, int *number, const char **title)
{
	int major;
	size_t n = read_number(s, &major);
	if (n == 0 || s[n] != '.')
		return 0;
	size_t m = read_number(s + n + 1, number);
	if (m == 0)
		return 0;
	const char *p = s + n + 1 + m;
	if (*p == '.')
		p++;
	if (!is_blank(*p))
		return 0;
	*title = skip_blank(p);
	return **title != '\0';
}

/* Nonzero for a heading that starts a "Symptoms" section. */
static int
symptoms_heading(const char *text)
{
	char f[48];
	fold(text, strnlen(text, sizeof f - 1), f);
	return table_prefix(symptom_labels, f) > 0;
}

/* Nonzero for a heading such as "Expected result". */
static int
expected_heading(const char *text)
{
	char f[48];
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == ':' || is_blank(text[n - 1])))
		n--;
	if (n >= sizeof f)
		return 0;
	fold(text, n, f);
	return table_find(expected_labels, f) >= 0;
}

/* Parser state helpers. */

static void
section_end(struct parser *p)
{
	p->section = SEC_NONE;
	p->section_heading = p->section_value = p->section_blank = 0;
}

static void
section_start(struct parser *p, enum section s, int from_heading, int has_value)
{
	p->section = s;
	p->section_heading = from_heading;
	p->section_value = has_value;
	p->section_blank = 0;
}

static struct step_build *
cur_step(struct parser *p)
{
	return p->step >= 0 ? &p->cur->steps[p->step] : NULL;
}

/* The step that takes expected results and block content: current, else the section's orphan. */
static struct step_build *
target_step(struct parser *p)
{
	if (p->step >= 0)
		return &p->cur->steps[p->step];
	if (p->cur->orphan >= 0)
		return &p->cur->steps[p->cur->orphan];
	return NULL;
}

/* Appends a new step to rb; the pointer is valid until the next one. */
static struct step_build *
step_new(struct runbook_build *rb, enum step_kind kind, int number, const char *title, int line)
{
	if (rb->nsteps == rb->cap) {
		rb->cap = rb->cap ? rb->cap * 2 : 8;
		rb->steps = xreallocarray(rb->steps, rb->cap, sizeof *rb->steps);
	}
	struct step_build *st = &rb->steps[rb->nsteps++];
	memset(st, 0, sizeof *st);
	st->kind = kind;
	st->pub.number = number;
	st->pub.title = title != NULL ? xstrdup(title) : NULL;
	st->pub.line = line;
	buf_init(&st->text);
	if (kind != STEP_ORPHAN)
		rb->orphan = -1;
	return st;
}

static void
command_free(struct runbook_command *c)
{
	free(c->text);
	free(c->raw);
	free(c->host);
	free(c->user);
	strv_free(&c->placeholders);
}

static void
step_build_free(struct step_build *st)
{
	free(st->pub.title);
	free(st->pub.text);
	for (size_t i = 0; i < st->pub.ncommands; i++)
		command_free(&st->pub.commands[i]);
	free(st->pub.commands);
	strv_free(&st->pub.expected);
	strv_free(&st->pub.checklist);
	buf_free(&st->text);
}

/* Moves a command into a step. */
static void
step_add_command(struct step_build *st, struct runbook_command *c)
{
	if (st->pub.ncommands == st->command_cap) {
		st->command_cap = st->command_cap ? st->command_cap * 2 : 4;
		st->pub.commands = xreallocarray(st->pub.commands, st->command_cap,
		    sizeof *st->pub.commands);
	}
	st->pub.commands[st->pub.ncommands++] = *c;
	memset(c, 0, sizeof *c);
}

static void
set_timebox(struct step_build *st, int64_t lo, int64_t hi)
{
	st->pub.timebox_s = lo;
	st->pub.timebox_max_s = hi;
}

static void
runbook_build_init(struct runbook_build *rb, enum runbook_kind kind)
{
	memset(rb, 0, sizeof *rb);
	rb->kind = kind;
	rb->orphan = -1;
	buf_init(&rb->symptoms);
	buf_init(&rb->text);
}

static void
runbook_build_free(struct runbook_build *rb)
{
	free(rb->pub.title);
	free(rb->pub.heading);
	free(rb->pub.symptoms);
	strv_free(&rb->pub.checklist);
	for (size_t i = 0; i < rb->nsteps; i++)
		step_build_free(&rb->steps[i]);
	free(rb->steps);
	buf_free(&rb->symptoms);
	buf_free(&rb->text);
	runbook_build_init(rb, RB_IMPLICIT);
}

static void
symptoms_add(struct parser *p, const char *s)
{
	struct buf *b = &p->cur->symptoms;
	char *t = trim_dup(s, strlen(s));
	if (*t != '\0') {
		if (b->len > 0)
			buf_addc(b, '\n');
		buf_adds(b, t);
	}
	free(t);
}

/* Prose outside steps, kept only where a numbered section may become a step. */
static void
runbook_text_add(struct parser *p, const char *s)
{
	if (p->cur->kind == RB_NUMBERED)
		text_add(&p->cur->text, &p->cur->text_blank, s);
}

static void
expected_add(struct parser *p, const char *s)
{
	struct step_build *st = target_step(p);
	if (st != NULL)
		items_add_trimmed(&st->pub.expected, s);
}

/* Commands in code blocks. */

static const char *const runnable_langs[] = {
	"", "bash", "sh", "shell", "zsh", "ksh", "fish", "shellscript",
	"console", "shell-session", "sh-session", "terminal", NULL
};
static const char *const console_langs[] = {
	"console", "shell-session", "sh-session", "terminal", NULL
};

/* The step that owns commands of the open block, creating the section's orphan step. */
static struct step_build *
block_step(struct parser *p)
{
	if (p->step >= 0)
		return &p->cur->steps[p->step];
	if (p->cur->orphan < 0) {
		step_new(p->cur, STEP_ORPHAN, 0, p->section_title, p->fence.line);
		p->cur->orphan = (long)p->cur->nsteps - 1;
		if (p->fence.block_orphan < 0)
			p->fence.block_orphan = p->cur->orphan;
	}
	return &p->cur->steps[p->cur->orphan];
}

/* Adds the names a command assigns (NAME=, read NAME, for NAME in) to out. */
static void
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
static size_t
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
static void
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

/* ssh commands. */

int
runbook_command_host(const struct conf *c, const char *host, int fallback)
{
	if (host == NULL)
		return fallback;
	int i = conf_find_host(c, host);
	if (i >= 0)
		return i;
	for (size_t k = 0; k < c->nhosts; k++)
		if (c->hosts[k].address != NULL && strcmp(c->hosts[k].address, host) == 0)
			return (int)k;
	return -1;
}

/*
 * Splits a shell line into words with one level of quoting removed.
 * Returns -1 unless it is one simple command: an operator, a redirection,
 * a substitution, a newline, an unterminated quote or too many words.
 */
static int
shell_words(const char *s, struct strv *words)
{
	struct shell_list l;
	char *cause = NULL;
	int rc = shell_parse(s, SHELL_ANGLE_WORDS, &l, &cause);
	free(cause);
	const struct shell_command *c = l.n == 1 ? &l.commands[0] : NULL;
	if (rc == 0 && (c == NULL || c->nredirs > 0 || c->nassigns > 0 ||
	    c->substitutions.n > 0 || c->sep != SHELL_SEP_END || c->nwords > MAX_SSH_WORDS))
		rc = -1;
	for (size_t i = 0; rc == 0 && i < c->nwords; i++)
		strv_add(words, c->words[i].text);
	shell_list_free(&l);
	return rc;
}

/*
 * For "ssh [options] [user@]HOST cmd ...", sets host, user (or NULL) and the
 * remote command; returns 0. Returns -1 for anything else, including
 * interactive ssh and lines with local pipes or redirections.
 */
static int
ssh_split(const char *s, char **host, char **user, char **command, int bare)
{
	const char *p = skip_blank(s);
	const char *w = p;
	while (*p != '\0' && !is_blank(*p))
		p++;
	if (!((p - w == 3 && strncmp(w, "ssh", 3) == 0) ||
	    (p - w > 4 && strncmp(p - 4, "/ssh", 4) == 0)))
		return -1;

	struct strv words = { NULL, 0 };
	const char *login = NULL;
	int rc = -1;
	if (shell_words(s, &words) < 0)
		goto out;
	size_t i = 1;
	while (i < words.n && words.v[i][0] == '-') {
		const char *o = words.v[i++];
		if (strcmp(o, "--") == 0)
			break;
		for (size_t j = 1; o[j] != '\0'; j++) {
			if (strchr("NWO", o[j]) != NULL)
				goto out;
			if (strchr("BbcDEeFIiJLlmopQRSw", o[j]) != NULL) {
				const char *arg = o[j + 1] != '\0' ? o + j + 1 :
				    i < words.n ? words.v[i++] : NULL;
				if (arg == NULL)
					goto out;
				if (o[j] == 'l')
					login = arg;
				break;
			}
		}
	}
	if (i >= words.n || (i + 1 == words.n && !bare) || words.v[i][0] == '\0')
		goto out;
	const char *target = words.v[i++];
	const char *at = strrchr(target, '@');
	if (at != NULL && at[1] == '\0')
		goto out;
	*host = xstrdup(at != NULL ? at + 1 : target);
	*user = at != NULL && at > target ? xstrndup(target, (size_t)(at - target)) :
	    login != NULL ? xstrdup(login) : NULL;
	struct buf cmd;
	buf_init(&cmd);
	for (; i < words.n; i++) {
		if (cmd.len > 0)
			buf_addc(&cmd, ' ');
		buf_adds(&cmd, words.v[i]);
	}
	*command = buf_take(&cmd);
	rc = 0;
out:
	strv_free(&words);
	return rc;
}

/* Destructive commands. */

#define GUARD_DEPTH 4		/* nested command strings looked into */
#define GUARD_WRAPPERS 32	/* sudo env nice ... unwrapped in one command */

struct argv {
	const struct shell_word *v;
	size_t n;
};

static int
w_is(const struct shell_word *w, const char *s)
{
	return strcmp(w->text, s) == 0;
}

static int
w_ieq(const struct shell_word *w, const char *s)
{
	return strcasecmp(w->text, s) == 0;
}

static int
w_in(const struct shell_word *w, const char *const *table)
{
	return table_find(table, w->text) >= 0;
}

/* The last path component of a word. */
static const char *
w_base(const struct shell_word *w)
{
	const char *s = strrchr(w->text, '/');
	return s != NULL && s[1] != '\0' ? s + 1 : w->text;
}

static int
base_is(const struct shell_word *w, const char *s)
{
	return strcmp(w_base(w), s) == 0;
}

static int
base_in(const struct shell_word *w, const char *const *table)
{
	return table_find(table, w_base(w)) >= 0;
}

static int
w_option(const struct shell_word *w)
{
	return w->text[0] == '-' && w->text[1] != '\0';
}

/* A short-option cluster ("-fdx") holding letter c. */
static int
w_short_has(const struct shell_word *w, char c)
{
	return w->text[0] == '-' && w->text[1] != '-' && strchr(w->text + 1, c) != NULL;
}

static int
any_word(struct argv a, size_t from, const char *s)
{
	for (size_t i = from; i < a.n; i++)
		if (w_is(&a.v[i], s))
			return 1;
	return 0;
}

static int
any_prefix(struct argv a, size_t from, const char *s)
{
	for (size_t i = from; i < a.n; i++)
		if (str_has_prefix(a.v[i].text, s))
			return 1;
	return 0;
}

/*
 * Skips options from i: "--" ends them; a short option whose letter is in
 * short_arg, or a long one in long_arg, takes the next word unless its
 * value is attached ("-n5", "--namespace=x").
 */
static size_t
skip_opts(struct argv a, size_t i, const char *short_arg, const char *const *long_arg)
{
	while (i < a.n && w_option(&a.v[i])) {
		const char *o = a.v[i].text;
		i++;
		if (strcmp(o, "--") == 0)
			break;
		if (o[1] == '-') {
			if (long_arg != NULL && strchr(o, '=') == NULL && table_find(long_arg, o) >= 0)
				i++;
			continue;
		}
		for (const char *p = o + 1; *p != '\0'; p++)
			if (short_arg != NULL && strchr(short_arg, *p) != NULL) {
				if (p[1] == '\0')
					i++;
				break;
			}
	}
	return i;
}

static const char *guard_text(const char *text, int depth);
static const char *guard_argv(struct argv a, const struct shell_command *c, int depth);

/* The words from i joined with spaces, as sh -c, ssh and watch run them. */
static char *
join_words(struct argv a, size_t i)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (; i < a.n; i++) {
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, a.v[i].text);
	}
	return buf_take(&b);
}

static const char *
guard_joined(struct argv a, size_t i, int depth)
{
	char *s = join_words(a, i);
	const char *why = guard_text(s, depth + 1);
	free(s);
	return why;
}

/* FLUSHALL, FLUSHDB, TRUNCATE, DROP TABLE|DATABASE|SCHEMA, DELETE FROM, in any case. */
static const char *
keywords_destructive(const char *s)
{
	char prev[32] = "";
	size_t i = 0, n = strlen(s);
	while (i < n) {
		if (!is_alpha(s[i])) {
			i++;
			continue;
		}
		size_t st = i;
		while (i < n && (is_alnum(s[i]) || s[i] == '_' || s[i] == '.'))
			i++;
		char w[32];
		size_t wn = i - st < sizeof w - 1 ? i - st : sizeof w - 1;
		memcpy(w, s + st, wn);
		w[wn] = '\0';
		if (strcasecmp(w, "flushall") == 0 || strcasecmp(w, "flushdb") == 0)
			return "FLUSHALL/FLUSHDB";
		if (strcasecmp(w, "truncate") == 0)
			return "SQL TRUNCATE";
		if (strcasestr(w, "dropdatabase") != NULL)
			return "drops a database";
		if (strcasecmp(prev, "drop") == 0 && (strcasecmp(w, "table") == 0 ||
		    strcasecmp(w, "database") == 0 || strcasecmp(w, "schema") == 0))
			return "SQL DROP";
		if (strcasecmp(prev, "delete") == 0 && strcasecmp(w, "from") == 0)
			return "SQL DELETE";
		snprintf(prev, sizeof prev, "%s", w);
	}
	return NULL;
}

static const char *
words_keywords(struct argv a, size_t from)
{
	char *s = join_words(a, from);
	const char *why = keywords_destructive(s);
	free(s);
	return why;
}

/* mv of data: anything under /var/lib, /data, /srv, or naming data, db or backup. */
static int
data_path(const char *s)
{
	return str_has_prefix(s, "/var/lib") || str_has_prefix(s, "/data") ||
	    str_has_prefix(s, "/srv") || strcasestr(s, "data") != NULL ||
	    strcasestr(s, "db") != NULL || strcasestr(s, "backup") != NULL;
}

static const char *const system_dirs[] = {
	"/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/var", "/opt",
	"/root", "/home", "/srv", "/", NULL
};

/* "/", "/etc", "/usr/lib": a system directory or a path in one of a few. */
static int
system_path(const char *s)
{
	if (table_find(system_dirs, s) >= 0)
		return 1;
	return str_has_prefix(s, "/etc/") || str_has_prefix(s, "/usr/") ||
	    str_has_prefix(s, "/boot/") || str_has_prefix(s, "/bin/") ||
	    str_has_prefix(s, "/sbin/") || str_has_prefix(s, "/lib");
}

/*
 * A file whose name is fixed under /var, /etc, /boot, /usr or a disk:
 * "> /var/log/app.log" truncates it, "> /var/backups/db-$TS.dump" makes a
 * new one.
 */
static int
existing_system_path(const struct shell_word *w)
{
	const char *s = w->text;
	if (!str_has_prefix(s, "/var/") && !str_has_prefix(s, "/etc/") &&
	    !str_has_prefix(s, "/boot/") && !str_has_prefix(s, "/usr/") &&
	    !str_has_prefix(s, "/dev/sd") && !str_has_prefix(s, "/dev/nvme") &&
	    !str_has_prefix(s, "/dev/vd") && !str_has_prefix(s, "/dev/xvd") &&
	    !str_has_prefix(s, "/dev/mapper/"))
		return 0;
	return (w->flags & (SHELL_EXPANSION | SHELL_GLOB)) == 0 && strchr(s, '<') == NULL;
}

static const char *
kill_reason(struct argv a)
{
	for (size_t i = 1; i < a.n; i++) {
		const struct shell_word *w = &a.v[i];
		if (w_is(w, "-9") || w_ieq(w, "-KILL") || w_ieq(w, "-SIGKILL"))
			return "kill -9";
		if ((w_is(w, "-s") || w_is(w, "--signal") || w_is(w, "-n")) && i + 1 < a.n &&
		    (w_is(&a.v[i + 1], "9") || w_ieq(&a.v[i + 1], "KILL") ||
		    w_ieq(&a.v[i + 1], "SIGKILL")))
			return "kill -9";
	}
	for (size_t i = 1; i < a.n; i++)
		if (w_is(&a.v[i], "1") || w_is(&a.v[i], "-1"))
			return "kill of init or of every process";
	return NULL;
}

static const char *const git_long_args[] = {
	"--git-dir", "--work-tree", "--namespace", "--exec-path", NULL
};

static const char *
git_reason(struct argv a)
{
	size_t i = skip_opts(a, 1, "Cc", git_long_args);
	if (i >= a.n)
		return NULL;
	const struct shell_word *sub = &a.v[i];
	if (w_is(sub, "reset") && any_word(a, i + 1, "--hard"))
		return "git reset --hard";
	if (w_is(sub, "clean"))
		for (size_t j = i + 1; j < a.n; j++)
			if (w_is(&a.v[j], "--force") || w_short_has(&a.v[j], 'f'))
				return "git clean -f";
	if (w_is(sub, "push"))
		for (size_t j = i + 1; j < a.n; j++)
			if (w_is(&a.v[j], "-f") || str_has_prefix(a.v[j].text, "--force") ||
			    w_is(&a.v[j], "--delete") || w_is(&a.v[j], "--mirror") ||
			    a.v[j].text[0] == '+' || (a.v[j].text[0] == ':' && a.v[j].text[1]))
				return "git push --force";
	if (w_is(sub, "branch") && (any_word(a, i + 1, "-D") ||
	    (any_word(a, i + 1, "-d") && any_word(a, i + 1, "--force"))))
		return "git branch -D";
	if ((w_is(sub, "checkout") && any_word(a, i + 1, "--") ) || w_is(sub, "restore"))
		return "git discards changes";
	if (w_is(sub, "stash") && i + 1 < a.n && (w_is(&a.v[i + 1], "drop") ||
	    w_is(&a.v[i + 1], "clear")))
		return "git stash drop";
	return NULL;
}

static int
recursive_option(struct argv a)
{
	for (size_t i = 1; i < a.n; i++)
		if (w_is(&a.v[i], "--recursive") || w_short_has(&a.v[i], 'R'))
			return 1;
	return 0;
}

static const char *const docker_global_args[] = {
	"-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
	"--tlscacert", "--tlscert", "--tlskey", "--url", "--connection", "--identity",
	"--root", "--runroot", "--storage-driver", NULL
};
static const char *const compose_args[] = {
	"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
	"--project-directory", "--ansi", "--parallel", NULL
};
static const char *const docker_exec_args[] = {
	"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file",
	"--detach-keys", NULL
};
static const char *const docker_run_args[] = {
	"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--name",
	"-v", "--volume", "--mount", "-p", "--publish", "--network", "--net",
	"--entrypoint", "-h", "--hostname", "-l", "--label", "--restart", "-m",
	"--memory", "--cpus", "--pid", "--ipc", "--uts", "--cap-add", "--cap-drop",
	"--device", "--platform", "--pull", "--log-driver", "--log-opt", "--add-host",
	"--dns", "--tmpfs", "--ulimit", "--security-opt", "--userns", "--gpus", NULL
};

static const char *
compose_reason(struct argv a, size_t i, const struct shell_command *c, int depth)
{
	static const char *const subs[] = { "down", "stop", "kill", "rm", NULL };
	i = skip_opts(a, i, "fp", compose_args);
	if (i >= a.n)
		return NULL;
	if (w_in(&a.v[i], subs))
		return "stops or removes compose services";
	if (w_is(&a.v[i], "exec") || w_is(&a.v[i], "run")) {
		size_t j = skip_opts(a, i + 1, "euw", docker_exec_args) + 1;
		if (j < a.n)
			return guard_argv((struct argv){ a.v + j, a.n - j }, c, depth + 1);
	}
	return NULL;
}

/* "-v /:/host", "--volume=/:/x", "--mount type=bind,source=/,...". */
static int
mounts_root(const char *v)
{
	if (str_has_prefix(v, "--volume="))
		v += strlen("--volume=");
	else if (str_has_prefix(v, "-v") && v[2] != '\0')
		v += 2;
	return str_has_prefix(v, "/:") || strstr(v, "source=/,") != NULL ||
	    strstr(v, "src=/,") != NULL || str_has_prefix(v, "/etc:") ||
	    str_has_prefix(v, "/var/run/docker.sock");
}

static const char *
docker_reason(struct argv a, const struct shell_command *c, int depth)
{
	static const char *const subs[] = { "stop", "kill", "rm", "rmi", NULL };
	static const char *const groups[] = {
		"container", "volume", "image", "network", "system", "builder",
		"buildx", "plugin", "service", "stack", "secret", "config", "node",
		"pod", NULL
	};
	static const char *const group_subs[] = {
		"rm", "remove", "prune", "stop", "kill", NULL
	};
	size_t i = skip_opts(a, 1, "Hcl", docker_global_args);
	if (i >= a.n)
		return NULL;
	const struct shell_word *sub = &a.v[i];
	if (w_in(sub, subs))
		return "stops or removes containers or images";
	if (any_word(a, i, "prune"))
		return "prunes";
	if (w_is(sub, "compose"))
		return compose_reason(a, i + 1, c, depth);
	if (w_in(sub, groups) && i + 1 < a.n) {
		size_t j = skip_opts(a, i + 1, "Hcl", docker_global_args);
		if (j < a.n && w_in(&a.v[j], group_subs))
			return "stops or removes containers, volumes or images";
		if (w_is(sub, "container"))
			sub = &a.v[i + 1], i++;
	}
	if (w_is(sub, "exec")) {
		size_t j = skip_opts(a, i + 1, "euw", docker_exec_args) + 1;
		if (j < a.n)
			return guard_argv((struct argv){ a.v + j, a.n - j }, c, depth + 1);
		return NULL;
	}
	if (w_is(sub, "run") || w_is(sub, "create")) {
		for (size_t j = i + 1; j < a.n; j++) {
			const char *v = a.v[j].text;
			if (w_is(&a.v[j], "--privileged"))
				return "docker run --privileged";
			if ((w_is(&a.v[j], "-v") || w_is(&a.v[j], "--volume")) && j + 1 < a.n &&
			    mounts_root(a.v[j + 1].text))
				return "docker run with a host system path mounted";
			if (w_is(&a.v[j], "--mount") && j + 1 < a.n && mounts_root(a.v[j + 1].text))
				return "docker run with a host system path mounted";
			if (mounts_root(v) && v[0] == '-')
				return "docker run with a host system path mounted";
			if (strcmp(v, "--pid=host") == 0 || (w_is(&a.v[j], "--pid") && j + 1 < a.n &&
			    w_is(&a.v[j + 1], "host")))
				return "docker run --pid=host";
		}
		size_t j = skip_opts(a, i + 1, "euwvphlm", docker_run_args) + 1;
		if (j < a.n)
			return guard_argv((struct argv){ a.v + j, a.n - j }, c, depth + 1);
	}
	return NULL;
}

static const char *const kubectl_args[] = {
	"-n", "--namespace", "--context", "--cluster", "--user", "-s", "--server",
	"--kubeconfig", "--as", "--as-group", "--token", "--request-timeout",
	"--certificate-authority", "--client-certificate", "--client-key",
	"--tls-server-name", "-v", "--v", NULL
};

static const char *
kubectl_reason(struct argv a, const struct shell_command *c, int depth)
{
	size_t i = skip_opts(a, 1, "nsv", kubectl_args);
	if (i >= a.n)
		return NULL;
	const struct shell_word *sub = &a.v[i];
	if (w_is(sub, "delete"))
		return "kubectl delete";
	if (w_is(sub, "drain"))
		return "kubectl drain";
	if (w_is(sub, "scale") && (any_word(a, i, "--replicas=0") ||
	    (any_word(a, i, "--replicas") && any_word(a, i, "0"))))
		return "kubectl scale to zero";
	if (w_is(sub, "replace") && any_word(a, i, "--force"))
		return "kubectl replace --force";
	if (w_is(sub, "exec")) {
		for (size_t j = i + 1; j < a.n; j++)
			if (w_is(&a.v[j], "--"))
				return guard_argv((struct argv){ a.v + j + 1, a.n - j - 1 }, c,
				    depth + 1);
	}
	return NULL;
}

static const char *const helm_args[] = {
	"-n", "--namespace", "--kube-context", "--kubeconfig", "--registry-config",
	"--repository-cache", "--repository-config", NULL
};
static const char *const systemctl_args[] = {
	"-H", "--host", "-M", "--machine", "-p", "--property", "-t", "--type",
	"-s", "--signal", "-n", "--lines", "-o", "--output", "--root", "--state",
	"--kill-whom", "--job-mode", NULL
};
static const char *const no_args[] = { NULL };

/* Tools whose subcommand (first word after options) destroys or stops: "helm uninstall". */
struct verb_subs {
	const char *verb;
	const char *short_arg;
	const char *const *long_arg;
	const char *subs[10];
};

static const struct verb_subs subcommand_verbs[] = {
	{ "systemctl", "HMptsno", systemctl_args, { "stop", "disable", "mask", "kill",
	    "isolate", "poweroff", "reboot", "halt", "kexec", NULL } },
	{ "helm", "n", helm_args, { "uninstall", "delete", "rollback", "del", "un", NULL } },
	{ "terraform", "", no_args, { "destroy", NULL } },
	{ "tofu", "", no_args, { "destroy", NULL } },
	{ "zfs", "", no_args, { "destroy", "rollback", NULL } },
	{ "zpool", "", no_args, { "destroy", "labelclear", NULL } },
	{ "supervisorctl", "cs", no_args, { "stop", "remove", NULL } },
	{ "pm2", "", no_args, { "stop", "delete", "kill", NULL } },
	{ "nft", "", no_args, { "flush", "delete", NULL } },
	{ "docker-compose", "fp", compose_args, { "down", "stop", "kill", "rm", NULL } },
	{ "podman-compose", "fp", compose_args, { "down", "stop", "kill", "rm", NULL } },
	{ "apt", "", no_args, { "remove", "purge", "autoremove", NULL } },
	{ "apt-get", "", no_args, { "remove", "purge", "autoremove", NULL } },
	{ "yum", "", no_args, { "remove", "erase", NULL } },
	{ "dnf", "", no_args, { "remove", "erase", NULL } },
	{ "borg", "", no_args, { "delete", "prune", NULL } },
	{ "ufw", "", no_args, { "disable", "reset", "delete", NULL } },
	{ "lxc", "", no_args, { "delete", "stop", NULL } },
	{ "virsh", "c", no_args, { "destroy", "undefine", "shutdown", "reboot", NULL } },
};

static const char *const always_destructive[] = {
	"rm", "shred", "unlink", "mkswap", "shutdown", "reboot", "halt",
	"poweroff", "pkill", "killall", "dropdb", "dropuser", "lvremove", "vgremove",
	"pvremove", "ifdown", "truncate", "blkdiscard", "mke2fs", "userdel",
	"groupdel", "deluser", "delgroup", "pg_dropcluster", "kexec", "srm",
	"dropdb.exe", NULL
};
static const char *const viewer_verbs[] = {
	"grep", "egrep", "fgrep", "zgrep", "rg", "ag", "ack", "less", "more",
	"man", "echo", "printf", "cat", "head", "tail", "journalctl", "wc",
	"sort", "uniq", "jq", "yq", "ls", "stat", "file", "which", "type",
	"whatis", "apropos", "test", "[", "[[", "printenv", "history", "diff", "tr",
	"cut", "column", "tldr", "zcat", "bat", "true", "false", ":", "df", "du",
	"free", "uptime", "ps", "top", "id", "whoami", "hostname", "date", "pwd",
	"readlink", "realpath", "basename", "dirname", "sleep", "read", "md5sum",
	"sha256sum", "xxd", "od", "hexdump", "strings", "lsblk", "blkid", "findmnt",
	"mount", "ss", "netstat", "dig", "host", "nslookup", "ping", "awk", "sed",
	NULL
};
static const char *const shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish", NULL
};
static const char *const interpreters[] = {
	"python", "python2", "python3", "perl", "ruby", "node", "php", "lua", NULL
};
static const char *const sql_clients[] = {
	"psql", "mysql", "mariadb", "sqlite3", "redis-cli", "mongo", "mongosh",
	"clickhouse-client", "cqlsh", "valkey-cli", NULL
};

/* A shell: -c runs its string, a heredoc its body, a pipe whatever comes. */
static const char *
shell_reason(struct argv a, const struct shell_command *c, int depth)
{
	for (size_t i = 1; i < a.n; i++) {
		const struct shell_word *w = &a.v[i];
		if (w_is(w, "--"))
			break;
		if (!w_option(w)) {
			/* a script: judged by its name, like any program */
			const char *b = w_base(w);
			return strstr(b, "restore") != NULL ? "runs a restore script" : NULL;
		}
		if (w_short_has(w, 'c') || w_is(w, "--command")) {
			if (i + 1 >= a.n)
				return NULL;
			if (a.v[i + 1].flags & SHELL_EXPANSION && strchr(a.v[i + 1].text, ' ') == NULL)
				return "runs a command string it cannot read";
			return guard_text(a.v[i + 1].text, depth + 1);
		}
		if (w_is(w, "-o") || w_is(w, "+o"))
			i++;
	}
	for (size_t i = 0; i < c->nredirs; i++) {
		const struct shell_redirect *r = &c->redirs[i];
		if (r->heredoc != NULL)
			return (r->target.flags & SHELL_QUOTED) ? guard_text(r->heredoc, depth + 1) :
			    strchr(r->heredoc, '$') || strchr(r->heredoc, '`') ?
			    "a shell heredoc with expansions" : guard_text(r->heredoc, depth + 1);
		if (strcmp(r->op, "<<<") == 0)
			return guard_text(r->target.text, depth + 1);
		if (strcmp(r->op, "<") == 0)
			return "runs a shell on a file";
	}
	if (c->piped)
		return "pipes into a shell";
	return NULL;
}

static int
rm_recursive(struct argv a)
{
	for (size_t i = 1; i < a.n; i++) {
		if (w_is(&a.v[i], "--"))
			break;
		if (w_is(&a.v[i], "--recursive") || w_short_has(&a.v[i], 'r') ||
		    w_short_has(&a.v[i], 'R'))
			return 1;
	}
	return 0;
}

/* parted, fdisk, sfdisk, sgdisk, wipefs: only listing is read-only. */
static const char *
disk_tool_reason(struct argv a, const char *b)
{
	if (strcmp(b, "wipefs") == 0) {
		for (size_t i = 1; i < a.n; i++)
			if (w_is(&a.v[i], "--all") || w_short_has(&a.v[i], 'a') ||
			    w_short_has(&a.v[i], 'o') || str_has_prefix(a.v[i].text, "--offset"))
				return "wipefs erases signatures";
		return NULL;
	}
	if (any_word(a, 1, "-l") || any_word(a, 1, "--list") || any_word(a, 1, "-p") ||
	    any_word(a, 1, "--print") || any_word(a, 1, "-d") || any_word(a, 1, "--dump"))
		return NULL;
	if (strcmp(b, "parted") == 0 && a.n >= 2 && w_is(&a.v[a.n - 1], "print"))
		return NULL;
	return "edits a partition table";
}

/* The verb (a.v[0]) after wrappers: why it destroys or stops something, or NULL. */
static const char *
verb_reason(struct argv a, const struct shell_command *c, int depth)
{
	const struct shell_word *v = &a.v[0];
	const char *b = w_base(v);
	if (strcmp(b, "rm") == 0)
		return rm_recursive(a) ? "rm with -r" : "rm deletes files";
	int known = table_find(always_destructive, b);
	if (known >= 0)
		return always_destructive[known];	/* static: the words are freed */
	if (str_has_prefix(b, "mkfs"))
		return "mkfs makes a file system";
	if (strcmp(b, "fdisk") == 0 || strcmp(b, "sfdisk") == 0 || strcmp(b, "sgdisk") == 0 ||
	    strcmp(b, "gdisk") == 0 || strcmp(b, "parted") == 0 || strcmp(b, "wipefs") == 0)
		return disk_tool_reason(a, b);
	if (strcmp(b, "pg_restore") == 0 && (any_word(a, 1, "-l") || any_word(a, 1, "--list")))
		return NULL;
	if (strstr(b, "restore") != NULL && !str_has_prefix(b, "restorecon"))
		return "restores data";
	for (size_t i = 0; i < nitems(subcommand_verbs); i++) {
		const struct verb_subs *vs = &subcommand_verbs[i];
		if (strcmp(b, vs->verb) != 0)
			continue;
		size_t j = skip_opts(a, 1, vs->short_arg, vs->long_arg);
		if (j < a.n && w_in(&a.v[j], vs->subs))
			return vs->verb;
		if (strcmp(b, "terraform") == 0 && any_word(a, j, "-destroy"))
			return "terraform destroy";
		return NULL;
	}
	if (strcmp(b, "docker") == 0 || strcmp(b, "podman") == 0 || strcmp(b, "nerdctl") == 0)
		return docker_reason(a, c, depth);
	if (strcmp(b, "kubectl") == 0 || strcmp(b, "oc") == 0 || strcmp(b, "k3s") == 0)
		return kubectl_reason(a, c, depth);
	if (strcmp(b, "kill") == 0)
		return kill_reason(a);
	if (strcmp(b, "git") == 0)
		return git_reason(a);
	if (strcmp(b, "chmod") == 0 || strcmp(b, "chown") == 0 || strcmp(b, "chgrp") == 0 ||
	    strcmp(b, "setfacl") == 0)
		return recursive_option(a) ? "recursive chmod or chown" : NULL;
	if (strcmp(b, "service") == 0)
		return a.n > 2 && w_is(&a.v[2], "stop") ? "service stop" : NULL;
	if (strcmp(b, "init") == 0 || strcmp(b, "telinit") == 0)
		return a.n > 1 && (w_is(&a.v[1], "0") || w_is(&a.v[1], "6")) ?
		    "init 0 or 6" : NULL;
	if (strcmp(b, "crontab") == 0)
		return any_word(a, 1, "-r") ? "crontab -r" : NULL;
	if (strcmp(b, "restic") == 0) {
		if (any_word(a, 1, "forget") || any_word(a, 1, "prune"))
			return "restic forgets snapshots";
		return any_word(a, 1, "restore") ? "restores data" : NULL;
	}
	if (strcmp(b, "redis-cli") == 0 || strcmp(b, "valkey-cli") == 0) {
		static const char *const cmds[] = {
			"flushall", "flushdb", "del", "unlink", "shutdown", "swapdb", NULL
		};
		for (size_t i = 1; i < a.n; i++)
			for (int k = 0; cmds[k] != NULL; k++)
				if (w_ieq(&a.v[i], cmds[k]))
					return "a destructive redis command";
		return NULL;
	}
	if (base_in(v, sql_clients))
		for (size_t i = 0; i < c->nredirs; i++)
			if (strcmp(c->redirs[i].op, "<") == 0)
				return "feeds a file to a database client";
	if (strcmp(b, "dd") == 0)
		return any_prefix(a, 1, "of=") ? "dd writes a file or disk" : NULL;
	if (strcmp(b, "iptables") == 0 || strcmp(b, "ip6tables") == 0)
		for (size_t i = 1; i < a.n; i++)
			if (w_is(&a.v[i], "-F") || w_is(&a.v[i], "--flush") ||
			    w_is(&a.v[i], "-X") || w_is(&a.v[i], "--delete-chain") ||
			    w_is(&a.v[i], "-P"))
				return "flushes firewall rules";
	if (strcmp(b, "mv") == 0)
		for (size_t i = 1; i < a.n; i++)
			if (!w_option(&a.v[i]) && (data_path(a.v[i].text) ||
			    system_path(a.v[i].text)))
				return "mv of data or system paths";
	if (strcmp(b, "tee") == 0 && !any_word(a, 1, "-a") && !any_word(a, 1, "--append"))
		for (size_t i = 1; i < a.n; i++)
			if (existing_system_path(&a.v[i]))
				return "tee overwrites a system file";
	if (strcmp(b, "find") == 0)
		for (size_t i = 1; i < a.n; i++) {
			if (w_is(&a.v[i], "-delete"))
				return "find -delete";
			if (w_is(&a.v[i], "-exec") || w_is(&a.v[i], "-execdir") ||
			    w_is(&a.v[i], "-ok") || w_is(&a.v[i], "-okdir")) {
				size_t j = i + 1, e = j;
				while (e < a.n && !w_is(&a.v[e], ";") && !w_is(&a.v[e], "+"))
					e++;
				if (e > j) {
					const char *why = guard_argv((struct argv){ a.v + j, e - j }, c,
					    depth + 1);
					if (why != NULL)
						return why;
				}
				i = e;
			}
		}
	if (strcmp(b, "rsync") == 0 && any_prefix(a, 1, "--delete"))
		return "rsync --delete";
	if (strcmp(b, "ip") == 0 && (any_word(a, 1, "down") || any_word(a, 1, "flush")))
		return "takes a network interface down";
	if (strcmp(b, "velero") == 0 && any_word(a, 1, "restore"))
		return "restores data";
	if (base_in(v, interpreters) && c->piped &&
	    (a.n == 1 || w_is(&a.v[1], "-") || w_is(&a.v[a.n - 1], "-")))
		return "pipes into an interpreter";
	return NULL;
}

/* Wrappers that run the rest of their words as a command. */
struct wrapper {
	const char *name;
	const char *short_arg;	/* options that take a value */
	const char *const *long_arg;
	int positional;		/* words before the command: timeout's duration */
};

static const char *const sudo_long[] = {
	"--user", "--group", "--chdir", "--host", "--prompt", "--role", "--type",
	"--close-from", "--other-user", "--chroot", "--command-timeout", NULL
};
static const char *const timeout_long[] = { "--signal", "--kill-after", NULL };
static const char *const env_long[] = { "--unset", "--chdir", NULL };
static const char *const nice_long[] = { "--adjustment", NULL };
static const char *const ionice_long[] = { "--class", "--classdata", NULL };
static const char *const xargs_long[] = {
	"--max-args", "--replace", "--delimiter", "--max-lines", "--max-procs",
	"--max-chars", "--eof", "--arg-file", "--process-slot-var", NULL
};
static const char *const nsenter_long[] = {
	"--target", "--setuid", "--setgid", "--root", "--wd", "--wdns", NULL
};
static const char *const flock_long[] = { "--timeout", "--wait", "--conflict-exit-code", NULL };
static const char *const watch_long[] = { "--interval", "--differences", NULL };
static const char *const runuser_long[] = { "--user", "--group", "--supp-group", "--shell", NULL };
static const char *const chroot_long[] = { "--userspec", "--groups", NULL };

static const struct wrapper wrappers[] = {
	{ "time", "fo", no_args, 0 },
	{ "command", "", no_args, 0 },
	{ "builtin", "", no_args, 0 },
	{ "exec", "a", no_args, 0 },
	{ "nohup", "", no_args, 0 },
	{ "setsid", "", no_args, 0 },
	{ "unbuffer", "", no_args, 0 },
	{ "stdbuf", "ioe", no_args, 0 },
	{ "nice", "n", nice_long, 0 },
	{ "ionice", "cnpPu", ionice_long, 0 },
	{ "chrt", "", no_args, 1 },
	{ "taskset", "", no_args, 1 },
	{ "timeout", "sk", timeout_long, 1 },
	{ "sudo", "ugCDhpRrTtU", sudo_long, 0 },
	{ "doas", "uC", no_args, 0 },
	{ "env", "uCS", env_long, 0 },
	{ "xargs", "nILPsdEa", xargs_long, 0 },
	{ "nsenter", "tSGrw", nsenter_long, 0 },
	{ "chroot", "", chroot_long, 1 },
	{ "flock", "wE", flock_long, 1 },
	{ "runuser", "ugGsw", runuser_long, 0 },
	{ "busybox", "", no_args, 0 },
	{ "toybox", "", no_args, 0 },
	{ "caffeinate", "", no_args, 0 },
	{ "systemd-run", "pEMuH", no_args, 0 },
	{ "firejail", "", no_args, 0 },
	{ "strace", "eopsE", no_args, 0 },
	{ "ltrace", "eopsE", no_args, 0 },
	{ "catchsegv", "", no_args, 0 },
	{ "fakeroot", "", no_args, 0 },
	{ "proxychains", "f", no_args, 0 },
	{ "torsocks", "", no_args, 0 },
	{ "pv", "", no_args, -1 },
};

static const struct wrapper *
wrapper_find(const char *b)
{
	for (size_t i = 0; i < nitems(wrappers); i++)
		if (strcmp(wrappers[i].name, b) == 0 && wrappers[i].positional >= 0)
			return &wrappers[i];
	return NULL;
}

static const char *const ssh_short_args = "BbcDEeFIiJLlmOopQRSWw";

/*
 * A simple command's words from the command word on: unwraps sudo, env,
 * timeout, xargs, ... and judges what runs in the end.
 */
static const char *
guard_argv(struct argv a, const struct shell_command *c, int depth)
{
	if (depth > GUARD_DEPTH)
		return "nested too deep to tell";
	for (int wraps = 0; a.n > 0; wraps++) {
		if (wraps > GUARD_WRAPPERS)
			return "wrapped too deep to tell";
		const struct shell_word *v = &a.v[0];
		if (v->flags & SHELL_EXPANSION)
			return "the command word is an expansion";
		const char *b = w_base(v);
		if (strcmp(b, "eval") == 0) {
			for (size_t i = 1; i < a.n; i++)
				if (a.v[i].flags & SHELL_EXPANSION)
					return "eval of an expansion";
			char *s = join_words(a, 1);
			struct shell_list l;
			char *cause = NULL;
			int rc = shell_parse(s, SHELL_ANGLE_WORDS, &l, &cause);
			shell_list_free(&l);
			free(cause);
			const char *why = rc < 0 ? "eval of text that cannot be parsed" :
			    guard_text(s, depth + 1);
			free(s);
			return why;
		}
		if (strcmp(b, "command") == 0 && a.n > 1 && (w_is(&a.v[1], "-v") ||
		    w_is(&a.v[1], "-V")))
			return NULL;
		if ((strcmp(b, "sudo") == 0 || strcmp(b, "doas") == 0) && a.n > 1 &&
		    (w_short_has(&a.v[1], 'l') || w_short_has(&a.v[1], 'v') ||
		    w_short_has(&a.v[1], 'k')) && a.n == 2)
			return NULL;
		if (strcmp(b, "su") == 0) {
			for (size_t i = 1; i < a.n; i++) {
				if (w_is(&a.v[i], "-c") || w_is(&a.v[i], "--command"))
					return i + 1 < a.n ? guard_text(a.v[i + 1].text, depth + 1) :
					    NULL;
				if (str_has_prefix(a.v[i].text, "--command="))
					return guard_text(a.v[i].text + 10, depth + 1);
			}
			return NULL;	/* an interactive shell */
		}
		if (strcmp(b, "ssh") == 0) {
			size_t i = skip_opts(a, 1, ssh_short_args, no_args);
			if (i + 1 >= a.n)
				return NULL;	/* an interactive login */
			return guard_joined(a, i + 1, depth);
		}
		if (strcmp(b, "watch") == 0) {
			size_t i = skip_opts(a, 1, "nqg", watch_long);
			if (any_word(a, 1, "-x") || any_word(a, 1, "--exec")) {
				a.v += i;
				a.n -= i;
				continue;
			}
			return i < a.n ? guard_joined(a, i, depth) : NULL;
		}
		if (base_in(v, shells))
			return shell_reason(a, c, depth);
		if (strcmp(b, "env") == 0)
			for (size_t i = 1; i < a.n; i++) {
				if (w_is(&a.v[i], "-S") && i + 1 < a.n)
					return guard_text(a.v[i + 1].text, depth + 1);
				if (str_has_prefix(a.v[i].text, "--split-string="))
					return guard_text(a.v[i].text + 15, depth + 1);
			}
		if (strcmp(b, "flock") == 0)
			for (size_t i = 1; i < a.n; i++)
				if (w_is(&a.v[i], "-c") || w_is(&a.v[i], "--command"))
					return i + 1 < a.n ? guard_text(a.v[i + 1].text, depth + 1) :
					    NULL;
		if (strcmp(b, "runuser") == 0)
			for (size_t i = 1; i < a.n; i++)
				if (w_is(&a.v[i], "-c") || w_is(&a.v[i], "--command"))
					return i + 1 < a.n ? guard_text(a.v[i + 1].text, depth + 1) :
					    NULL;
		const struct wrapper *wr = wrapper_find(b);
		if (wr == NULL)
			return verb_reason(a, c, depth);
		size_t i = skip_opts(a, 1, wr->short_arg, wr->long_arg);
		if (strcmp(b, "nice") == 0 && i == 1 && a.n > 1 && a.v[1].text[0] == '-')
			i = 2;
		if (strcmp(b, "nsenter") == 0)
			for (size_t j = 1; j < a.n; j++)
				if (w_is(&a.v[j], "--")) {
					i = j + 1;
					break;
				}
		if (strcmp(b, "env") == 0 || strcmp(b, "sudo") == 0)
			while (i < a.n && strchr(a.v[i].text, '=') != NULL &&
			    is_alpha(a.v[i].text[0]))
				i++;
		i += (size_t)wr->positional;
		if (i >= a.n)
			return NULL;
		a.v += i;
		a.n -= i;
	}
	return NULL;
}

/* One simple command: its substitutions, redirections, then its words. */
static const char *
guard_command(const struct shell_command *c, int depth)
{
	const char *why;
	for (size_t i = 0; i < c->substitutions.n; i++)
		if ((why = guard_text(c->substitutions.v[i], depth + 1)) != NULL)
			return why;
	for (size_t i = 0; i < c->nredirs; i++) {
		const struct shell_redirect *r = &c->redirs[i];
		if ((strcmp(r->op, ">") == 0 || strcmp(r->op, ">|") == 0 ||
		    strcmp(r->op, "&>") == 0 || strcmp(r->op, "<>") == 0) &&
		    existing_system_path(&r->target))
			return "> truncates a system file";
	}
	if (c->nwords == 0)
		return NULL;
	struct argv a = { c->words, c->nwords };
	if ((why = guard_argv(a, c, depth)) != NULL)
		return why;
	/* SQL and redis words anywhere but in a viewer: psql -c, mongo --eval */
	const struct shell_word *v = &a.v[0];
	if (base_in(v, viewer_verbs)) {
		if ((base_is(v, "echo") || base_is(v, "printf") || base_is(v, "cat")) &&
		    c->sep == SHELL_SEP_PIPE)
			return words_keywords(a, 1);
		return NULL;
	}
	if ((why = words_keywords(a, 1)) != NULL)
		return why;
	for (size_t i = 0; i < c->nredirs; i++)
		if (c->redirs[i].heredoc != NULL &&
		    (why = keywords_destructive(c->redirs[i].heredoc)) != NULL)
			return why;
	return NULL;
}

/* Why text (one or more command lines) is destructive, or NULL. */
static const char *
guard_text(const char *text, int depth)
{
	if (depth > GUARD_DEPTH)
		return "nested too deep to tell";
	struct shell_list l;
	char *cause = NULL;
	const char *why = NULL;
	if (shell_parse(text, SHELL_ANGLE_WORDS, &l, &cause) == -1)
		why = "cannot be parsed";
	for (size_t i = 0; why == NULL && i < l.n; i++)
		why = guard_command(&l.commands[i], depth);
	free(cause);
	shell_list_free(&l);
	return why;
}

const char *
runbook_destructive_reason(const char *command)
{
	return command != NULL ? guard_text(command, 0) : NULL;
}

int
runbook_is_destructive(const char *command)
{
	return runbook_destructive_reason(command) != NULL;
}

/* Code blocks. */

static void
fence_reset(struct fence *f)
{
	f->open = 0;
	f->cont = 0;
	free(f->heredoc);
	f->heredoc = NULL;
	buf_reset(&f->body);
	buf_reset(&f->text);
	buf_reset(&f->raw);
	buf_reset(&f->chunk);
	f->seen_line = 0;
	f->as_text = 0;
	strv_free(&f->assigned);
	free(f->session_host);
	f->session_host = NULL;
	free(f->session_user);
	f->session_user = NULL;
	free(f->ssh_pending);
	free(f->ssh_pending_raw);
	free(f->ssh_pending_host);
	free(f->ssh_pending_user);
	f->ssh_pending = f->ssh_pending_raw = f->ssh_pending_host = f->ssh_pending_user = NULL;
}

/* Sets f->heredoc when the logical line opens a heredoc (<<EOF, <<-'EOF'). */
static void
heredoc_start(struct fence *f)
{
	const char *s = f->text.data ? f->text.data : "";
	int single = 0, dbl = 0;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\\' && !single && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '\'' && !dbl)
			single = !single;
		else if (*p == '"' && !single)
			dbl = !dbl;
		if (single || dbl || p[0] != '<' || p[1] != '<' || p[2] == '<' ||
		    (p > s && p[-1] == '<'))
			continue;
		const char *q = p + 2;
		if (*q == '-')
			q++;
		q = skip_blank(q);
		if (*q == '\'' || *q == '"')
			q++;
		const char *w = q;
		while (is_alnum(*q) || *q == '_' || *q == '.' || *q == '-')
			q++;
		if (q > w) {
			f->heredoc = xstrndup(w, (size_t)(q - w));
			return;
		}
	}
}

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
static int
split_block_commands(const char *text, struct strv *out, struct buf *spans)
{
	struct shell_lexer l;
	memset(&l, 0, sizeof l);
	l.s = text;
	l.cmdpos = 1;
	buf_init(&l.cur);
	while (text[l.i] != '\0') {
		char c = text[l.i];
		if (c == '\n') {
			while (l.cur.len > 0 && is_blank(l.cur.data[l.cur.len - 1]))
				l.cur.len--;
			if (l.in_cmd)
				buf_addc(&l.cur, '\n');
			if (l.nheredocs > 0) {
				l.i++;
				lexer_heredocs(&l);
				if (text[l.i] == '\0')
					break;
			}
			if (l.depth == 0 && !l.cont && !l.open)
				lexer_end(&l, out, spans);
			l.cmdpos = 1;
			l.i++;
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
			if (text[l.i + 1] == '\n') {
				while (l.cur.len > 0 && is_blank(l.cur.data[l.cur.len - 1]))
					l.cur.len--;
				if (l.in_cmd)
					buf_addc(&l.cur, ' ');
				l.i += 2;
				while (is_blank(text[l.i]))
					l.i++;
				continue;
			}
			lexer_mark(&l);
			buf_add(&l.cur, text + l.i, text[l.i + 1] != '\0' ? 2 : 1);
			l.i += text[l.i + 1] != '\0' ? 2 : 1;
			l.cmdpos = 0;
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
		if (c == '(') {
			lexer_push(&l, GROUP_PAREN);
			buf_addc(&l.cur, c);
			l.i++;
			l.cmdpos = 1;
			continue;
		}
		if (c == ')') {
			int empty = l.i > 0 && text[l.i - 1] == '(';
			if (l.depth > 0 && lexer_top(&l) == GROUP_PAREN) {
				lexer_pop(&l, GROUP_PAREN);
				l.cmdpos = empty;
			} else
				l.cmdpos = 1;	/* a case pattern */
			buf_addc(&l.cur, c);
			l.i++;
			continue;
		}
		if (c == ';' || c == '|' || c == '&') {
			int twice = text[l.i + 1] == c;
			int redirect = c == '&' && l.i > 0 && (text[l.i - 1] == '>' || text[l.i - 1] == '<');
			buf_add(&l.cur, text + l.i, twice ? 2 : 1);
			l.i += twice ? 2 : 1;
			if (redirect)
				continue;
			l.cmdpos = 1;
			if (c == '|' || (c == '&' && twice))
				l.cont = 1;
			continue;
		}
		if (c == '<' && text[l.i + 1] == '<' && text[l.i + 2] != '<') {
			lexer_heredoc_op(&l);
			l.cmdpos = 0;
			continue;
		}
		if (c == '<' || c == '>' || c == '$') {
			buf_addc(&l.cur, c);
			l.i++;
			if (c == '$' && text[l.i] == '{') {
				/* ${VAR}: not a group */
				size_t j = l.i;
				while (text[j] != '\0' && text[j] != '}' && text[j] != '\n')
					j++;
				if (text[j] == '}')
					j++;
				buf_add(&l.cur, text + l.i, j - l.i);
				l.i = j;
			}
			l.cmdpos = 0;
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
	lexer_end(&l, out, spans);
	for (int h = 0; h < l.nheredocs; h++)
		free(l.heredoc[h]);
	buf_free(&l.cur);
	return unfinished;
}

/* Gives one whole command to its step; host is a session's host, or NULL. */
static void
command_store(struct parser *p, const char *full, char *raw, int line, const char *host,
    const char *user)
{
	struct fence *f = &p->fence;
	struct runbook_command c;
	memset(&c, 0, sizeof c);
	c.raw = raw;
	c.line = line;
	if (ssh_split(full, &c.host, &c.user, &c.text, 0) < 0) {
		c.text = xstrdup(full);
		if (host != NULL) {
			c.host = xstrdup(host);
			c.user = user ? xstrdup(user) : NULL;
		}
	}
	c.destructive = runbook_is_destructive(full) || runbook_is_destructive(c.text);
	collect_assignments(full, &f->assigned);
	find_placeholders(c.text, &f->assigned, &c.placeholders);
	if (c.host != NULL && strcmp(c.text, full) != 0)
		find_placeholders(full, &f->assigned, &c.placeholders);
	step_add_command(block_step(p), &c);
}

/* An "ssh HOST" line that was not followed by commands is a command itself. */
static void
ssh_pending_flush(struct parser *p)
{
	struct fence *f = &p->fence;
	if (f->ssh_pending == NULL)
		return;
	command_store(p, f->ssh_pending, f->ssh_pending_raw, f->ssh_pending_line, NULL, NULL);
	free(f->ssh_pending);
	f->ssh_pending = NULL;
	f->ssh_pending_raw = NULL;
}

/*
 * Gives one whole command (text as the shell reads it, raw as written) to
 * its step. "ssh HOST" alone followed by other commands opens a session:
 * they run on HOST until "exit", another ssh line or the block's end.
 */
static void
command_emit(struct parser *p, const char *full, char *raw, int line)
{
	struct fence *f = &p->fence;
	char *host = NULL, *user = NULL, *cmd = NULL;
	int split = ssh_split(full, &host, &user, &cmd, 1) == 0;
	int is_ssh = split || strncmp(skip_blank(full), "ssh ", 4) == 0;
	if (f->session_host != NULL && f->ssh_pending == NULL &&
	    (strcmp(full, "exit") == 0 || strcmp(full, "logout") == 0)) {
		free(f->session_host);
		free(f->session_user);
		f->session_host = f->session_user = NULL;
		free(raw);
		return;
	}
	if (is_ssh) {
		free(f->session_host);
		free(f->session_user);
		f->session_host = f->session_user = NULL;
	}
	if (f->ssh_pending != NULL && !is_ssh) {
		/* the pending "ssh HOST" opens a session */
		f->session_host = f->ssh_pending_host;
		f->session_user = f->ssh_pending_user;
		f->ssh_pending_host = f->ssh_pending_user = NULL;
		free(f->ssh_pending);
		free(f->ssh_pending_raw);
		f->ssh_pending = f->ssh_pending_raw = NULL;
	} else
		ssh_pending_flush(p);
	if (split && *cmd == '\0') {
		free(f->ssh_pending_host);
		free(f->ssh_pending_user);
		f->ssh_pending = xstrdup(full);
		f->ssh_pending_raw = raw;
		f->ssh_pending_line = line;
		f->ssh_pending_host = host;
		f->ssh_pending_user = user;
		free(cmd);
		return;
	}
	free(host);
	free(user);
	free(cmd);
	command_store(p, full, raw, line, f->session_host, f->session_user);
}

/* Finishes the logical command being assembled and gives it to its step. */
static void
command_finish(struct parser *p)
{
	struct fence *f = &p->fence;
	f->cont = 0;
	free(f->heredoc);
	f->heredoc = NULL;
	char *full = trim_dup(f->text.data ? f->text.data : "", f->text.len);
	buf_reset(&f->text);
	if (*full == '\0') {
		free(full);
		buf_reset(&f->raw);
		return;
	}
	buf_rtrim(&f->raw);
	command_emit(p, full, buf_take(&f->raw), f->command_line);
	free(full);
}

/* "15 3 * * * /usr/local/bin/backup.sh", "@daily cmd": a crontab line, not a command. */
static int
crontab_line(const char *s)
{
	s = skip_blank(s);
	if (*s == '@') {
		static const char *const specials[] = { "@reboot", "@yearly", "@annually",
		    "@monthly", "@weekly", "@daily", "@midnight", "@hourly", NULL };
		for (int i = 0; specials[i] != NULL; i++)
			if (strncmp(s, specials[i], strlen(specials[i])) == 0 &&
			    is_blank(s[strlen(specials[i])]))
				return 1;
		return 0;
	}
	for (int field = 0; field < 5; field++) {
		size_t n = 0;
		while (s[n] != '\0' && strchr("0123456789*/,-", s[n]) != NULL)
			n++;
		if (n == 0 || !is_blank(s[n]))
			return 0;
		s = skip_blank(s + n);
	}
	return *s != '\0';
}

/* "/start", "/status@bot": a chat bot's command, not a shell's. */
static int
chat_command(const char *s)
{
	s = skip_blank(s);
	if (*s != '/' || !is_alpha(s[1]))
		return 0;
	size_t n = 1;
	while (is_alnum(s[n]) || s[n] == '_' || s[n] == '@')
		n++;
	return s[n] == '\0' || is_blank(s[n]);
}

/* "PGHOST=localhost" alone on its line: a setting for a file. */
static int
setting_line(const char *s)
{
	s = skip_blank(s);
	if (!is_alpha(*s) && *s != '_')
		return 0;
	size_t n = 0;
	while (is_alnum(s[n]) || s[n] == '_')
		n++;
	if (s[n] != '=')
		return 0;
	const char *v = s + n + 1;
	if (*v == '"' || *v == '\'')
		return strchr(v + 1, *v) != NULL && *skip_blank(strchr(v + 1, *v) + 1) == '\0';
	while (*v != '\0' && !is_blank(*v))
		v++;
	return *skip_blank(v) == '\0';
}

/* A sentence: a capital letter, three words or more ("Dear users, the bot ..."). */
static int
prose_line(const char *s)
{
	s = skip_blank(s);
	unsigned char c = (unsigned char)s[0];
	int capital = (c >= 'A' && c <= 'Z') ||
	    (c == 0xD0 && (unsigned char)s[1] >= 0x81 && (unsigned char)s[1] <= 0xAF);
	if (!capital)
		return 0;
	size_t first = 0;
	while (s[first] != '\0' && !is_blank(s[first]))
		first++;
	if (memchr(s, '=', first) != NULL)
		return 0;
	int words = 0;
	for (const char *p = s; *p != '\0';) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		words++;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	return words >= 3;
}

/*
 * Whether a block without a language holds no shell at all: settings for a
 * file, chat commands, crontab lines or sentences (a message template).
 */
static int
block_not_shell(const char *text)
{
	int lines = 0;
	for (const char *l = text; *l != '\0';) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char *line = xstrndup(l, n);
		if (*skip_blank(line) != '\0') {
			lines++;
			int other = setting_line(line) || chat_command(line) || crontab_line(line) ||
			    prose_line(line);
			if (!other) {
				free(line);
				return 0;
			}
		}
		free(line);
		l = e ? e + 1 : l + n;
	}
	return lines > 0;
}

/* Splits the shell lines gathered so far into commands and gives them to their steps. */
static void
block_flush(struct parser *p)
{
	struct fence *f = &p->fence;
	if (f->chunk.len == 0)
		return;
	if (f->lang[0] == '\0') {
		buf_addc(&f->chunk, '\0');
		int other = block_not_shell(f->chunk.data);
		f->chunk.len--;
		if (other) {
			buf_add(&f->body, f->chunk.data, f->chunk.len);
			f->as_text = 1;
			buf_reset(&f->chunk);
			return;
		}
	}
	struct strv cmds = { NULL, 0 };
	struct buf spans;
	buf_init(&spans);
	buf_addc(&f->chunk, '\0');
	const char *text = f->chunk.data;
	int unfinished = split_block_commands(text, &cmds, &spans);
	const size_t *span = (const size_t *)(void *)spans.data;
	int line = f->chunk_line;
	size_t at = 0;
	for (size_t i = 0; i < cmds.n; i++) {
		size_t start = span[2 * i], end = span[2 * i + 1];
		for (; at < start; at++)
			if (text[at] == '\n')
				line++;
		if (crontab_line(cmds.v[i]))
			continue;	/* a schedule to install, not a command */
		if (unfinished && i + 1 == cmds.n)
			lint(p, line, LINT_WARNING, "this command never ends (a quote, if, for, case, "
			    "{ or heredoc left open): the rest of the block is read as part of it");
		command_emit(p, cmds.v[i], trim_dup(text + start, end - start), line);
	}
	strv_free(&cmds);
	buf_free(&spans);
	buf_reset(&f->chunk);
}

/* Whether the gathered shell lines end inside a command (an open if, quote, ...). */
static int
block_unfinished(struct parser *p)
{
	struct fence *f = &p->fence;
	if (f->chunk.len == 0)
		return 0;
	if (f->chunk.len > 16384)
		return 1;	/* bounds the rescans of a huge open quote */
	struct strv cmds = { NULL, 0 };
	struct buf spans;
	buf_init(&spans);
	buf_addc(&f->chunk, '\0');
	int r = split_block_commands(f->chunk.data, &cmds, &spans);
	f->chunk.len--;
	strv_free(&cmds);
	buf_free(&spans);
	return r;
}

/* Adds a (continued) command line; a trailing backslash continues it. */
static void
command_add(struct parser *p, const char *t)
{
	struct fence *f = &p->fence;
	size_t n = rtrim_len(t), slashes = 0;
	while (slashes < n && t[n - 1 - slashes] == '\\')
		slashes++;
	if (slashes % 2 == 1) {
		buf_add(&f->text, t, n - 1);
		buf_rtrim(&f->text);
		f->cont = 1;
		return;
	}
	buf_add(&f->text, t, n);
	f->cont = 0;
	heredoc_start(f);
	if (f->heredoc == NULL)
		command_finish(p);
}

/* "# 3. Restart the workers" or "# Step 3: ...": a step inside a code block. */
static void
comment_step(struct parser *p, int number, const char *title_in)
{
	struct fence *f = &p->fence;
	struct runbook_build *rb = p->cur;
	char *title = xstrdup(title_in);
	int64_t lo, hi;
	int has_box = title_take_timebox(title, &lo, &hi) == 0;
	lint_paren_timeboxes(p, title_in, p->lineno);
	struct step_build *st;
	if (!f->comment_steps && f->block_orphan >= 0 &&
	    f->block_orphan == (long)rb->nsteps - 1) {
		/* commands before the first "# 1." belong to step 1 */
		st = &rb->steps[f->block_orphan];
		free(st->pub.title);
		st->pub.title = title;
		st->pub.number = number;
		st->pub.line = p->lineno;
		st->kind = STEP_COMMENT;
		rb->orphan = -1;
	} else {
		st = step_new(rb, STEP_COMMENT, number, NULL, p->lineno);
		st->pub.title = title;
	}
	if (has_box)
		set_timebox(st, lo, hi);
	f->comment_steps = 1;
	p->step = (long)(st - rb->steps);
}

/* A "#" line in a code block: an expected result, a step, or a comment. */
static void
code_comment(struct parser *p, const char *t)
{
	const char *c = t;
	char label[64];
	const char *value, *title;
	int number;
	if (c[1] == '!')
		return;
	while (*c == '#')
		c++;
	c = skip_blank(c);
	if (label_split(c, label, sizeof label, &value) &&
	    label_kind(label) == LABEL_EXPECTED) {
		char *v = label_value(value);
		struct step_build *st = p->step >= 0 || p->cur->orphan >= 0 ? target_step(p) :
		    block_step(p);
		items_add_trimmed(&st->pub.expected, v);
		free(v);
		return;
	}
	if (p->fence.step_before < 0 && (numbered_heading(c, &number, &title) ||
	    step_heading(c, &number, &title)))
		comment_step(p, number, *title != '\0' ? title : c);
}

/* A line inside a runnable code block. */
static void
code_line(struct parser *p, const char *line)
{
	struct fence *f = &p->fence;
	if (f->heredoc != NULL) {
		buf_addc(&f->text, '\n');
		buf_adds(&f->text, line);
		buf_addc(&f->raw, '\n');
		buf_adds(&f->raw, line);
		const char *t = skip_blank(line);
		if (strncmp(t, f->heredoc, strlen(f->heredoc)) == 0 &&
		    rtrim_len(t) == strlen(f->heredoc))
			command_finish(p);
		return;
	}
	if (f->cont) {
		buf_addc(&f->raw, '\n');
		buf_adds(&f->raw, line);
		const char *t = skip_blank(line);
		if (*t == '\0') {
			command_finish(p);
			return;
		}
		if (f->text.len > 0)
			buf_addc(&f->text, ' ');
		command_add(p, t);
		return;
	}
	const char *t = skip_blank(line);
	if (!f->console && !f->seen_line && t[0] == '$' && t[1] == ' ')
		f->console = 1;	/* prompts: the other lines are output */
	if (*t != '\0')
		f->seen_line = 1;
	if (!f->console) {
		if (*t == '#' && !block_unfinished(p)) {
			block_flush(p);
			code_comment(p, t);
			return;
		}
		if (f->chunk.len == 0) {
			if (*t == '\0')
				return;
			f->chunk_line = p->lineno;
		}
		buf_adds(&f->chunk, line);
		buf_addc(&f->chunk, '\n');
		return;
	}
	if (*t == '\0')
		return;
	if (*t == '#') {
		code_comment(p, t);
		return;
	}
	if (t[0] == '$' && (t[1] == ' ' || t[1] == '\0'))
		t = skip_blank(t + 1);
	else if (f->console)
		return;		/* output */
	if (*t == '\0')
		return;
	f->command_line = p->lineno;
	buf_reset(&f->raw);
	buf_adds(&f->raw, line);
	command_add(p, t);
}

static int
fence_open(struct parser *p, const char *s, int indent)
{
	struct fence *f = &p->fence;
	const char *t = skip_blank(s);
	char ch = *t;
	size_t n = 0;
	if (ch != '`' && ch != '~')
		return 0;
	while (t[n] == ch)
		n++;
	if (n < 3)
		return 0;
	const char *info = skip_blank(t + n);
	if (ch == '`' && strchr(info, '`') != NULL)
		return 0;
	fence_reset(f);
	free(p->lead);
	p->lead = NULL;
	f->open = 1;
	f->ch = ch;
	f->len = n;
	f->indent = indent;
	f->line = p->lineno;
	while (*info == '{' || *info == '.')
		info++;
	size_t l = 0;
	while (l < sizeof f->lang - 1 && info[l] != '\0' && !is_blank(info[l]) &&
	    strchr("{},", info[l]) == NULL) {
		f->lang[l] = (char)((info[l] >= 'A' && info[l] <= 'Z') ? info[l] + 32 : info[l]);
		l++;
	}
	f->lang[l] = '\0';
	f->runnable = table_find(runnable_langs, f->lang) >= 0;
	f->console = table_find(console_langs, f->lang) >= 0;
	f->expected = p->section == SEC_EXPECTED;
	f->step_before = p->step;
	f->block_orphan = -1;
	f->comment_steps = 0;
	return 1;
}

/* Where a block that is not commands goes: expected results, symptoms or step text. */
static void
block_body_finish(struct parser *p)
{
	struct fence *f = &p->fence;
	char *body = trim_dup(f->body.data ? f->body.data : "", f->body.len);
	if (*body == '\0') {
		free(body);
		return;
	}
	if (f->expected) {
		struct step_build *st = target_step(p);
		if (st != NULL)
			items_add(&st->pub.expected, body, strlen(body), MAX_ITEMS);
	} else if (p->section == SEC_SYMPTOMS) {
		symptoms_add(p, body);
	} else {
		char *block = xasprintf("%c%c%c%s\n%s\n%c%c%c", f->ch, f->ch, f->ch, f->lang,
		    body, f->ch, f->ch, f->ch);
		struct step_build *st = cur_step(p);
		if (st != NULL)
			text_add(&st->text, &st->blank, block);
		else
			runbook_text_add(p, block);
		free(block);
	}
	free(body);
}

static void
fence_close(struct parser *p)
{
	struct fence *f = &p->fence;
	block_flush(p);
	if (f->text.len > 0 || f->heredoc != NULL)
		command_finish(p);
	ssh_pending_flush(p);
	if (!f->runnable || f->expected || f->as_text)
		block_body_finish(p);
	if (f->expected && !p->section_heading)
		section_end(p);
	if (f->step_before < 0)
		p->step = -1;
	fence_reset(f);
}

/* A line while a fence is open. */
static void
fence_line(struct parser *p, const char *s)
{
	struct fence *f = &p->fence;
	const char *t = skip_blank(s);
	size_t n = 0;
	while (t[n] == f->ch)
		n++;
	if (n >= f->len && *skip_blank(t + n) == '\0') {
		fence_close(p);
		return;
	}
	const char *content = strip_indent(s, f->indent);
	if (!f->runnable || f->expected) {
		buf_add(&f->body, content, rtrim_len(content));
		buf_addc(&f->body, '\n');
		return;
	}
	code_line(p, content);
}

/* Runbooks and steps. */

static void
step_close(struct parser *p)
{
	p->step = -1;
	section_end(p);
}

/*
 * Whether a list of bold items is a catalogue ("1. **api** - public REST
 * API, port 8080"): one-word names, nothing to run, check or time.
 */
static int
catalogue_list(const struct runbook_build *rb)
{
	if (rb->nsteps == 0)
		return 0;
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct step_build *st = &rb->steps[i];
		if (st->kind != STEP_ITEM || st->pub.ncommands > 0 || st->pub.checklist.n > 0 ||
		    st->pub.expected.n > 0 || st->pub.timebox_s > 0 || st->pub.title == NULL ||
		    strchr(skip_blank(st->pub.title), ' ') != NULL)
			return 0;
	}
	return 1;
}

/* Whether a numbered section ("### 4. Redis failure") is a runbook of its own. */
static int
numbered_is_runbook(const struct runbook_build *rb)
{
	if (catalogue_list(rb))
		return 0;
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct step_build *st = &rb->steps[i];
		if (st->kind == STEP_ITEM || st->kind == STEP_COMMENT)
			return 1;
		/* headings over prose alone ("### 1. Database Failure") are a catalogue */
		if (st->kind == STEP_HEADING && (st->pub.ncommands > 0 || st->pub.checklist.n > 0 ||
		    st->pub.expected.n > 0 || st->pub.timebox_s > 0 || st->pub.number == 0))
			return 1;
		if (st->kind == STEP_PLAIN && (st->pub.ncommands > 0 || st->pub.checklist.n > 0))
			return 1;
	}
	return 0;
}

/* Turns a numbered section that holds no steps into one step of the implicit runbook. */
static void
section_to_step(struct parser *p, struct runbook_build *rb)
{
	if (rb->nsteps == 0 && rb->text.len == 0 && rb->pub.checklist.n == 0)
		return;
	struct runbook_build *doc = &p->implicit;
	struct step_build *st = step_new(doc, STEP_SECTION, rb->number, rb->pub.title,
	    rb->pub.line);
	st->pub.timebox_s = rb->pub.total_s;
	st->pub.timebox_max_s = rb->pub.total_max_s;
	text_add(&st->text, &st->blank, rb->text.data ? rb->text.data : "");
	for (size_t i = 0; i < rb->nsteps; i++) {
		struct step_build *from = &rb->steps[i];
		if (from->kind == STEP_PLAIN) {
			char *line = xasprintf("%d. %s", from->pub.number,
			    from->pub.title ? from->pub.title : "");
			text_add(&st->text, &st->blank, line);
			free(line);
		}
		text_add(&st->text, &st->blank, from->text.data ? from->text.data : "");
		for (size_t k = 0; k < from->pub.ncommands; k++)
			step_add_command(st, &from->pub.commands[k]);
		from->pub.ncommands = 0;
		for (size_t k = 0; k < from->pub.expected.n; k++)
			items_add_trimmed(&st->pub.expected, from->pub.expected.v[k]);
		for (size_t k = 0; k < from->pub.checklist.n; k++)
			items_add_trimmed(&st->pub.checklist, from->pub.checklist.v[k]);
		if (st->pub.timebox_s == 0 && from->pub.timebox_s > 0)
			set_timebox(st, from->pub.timebox_s, from->pub.timebox_max_s);
	}
	for (size_t k = 0; k < rb->pub.checklist.n; k++)
		items_add_trimmed(&st->pub.checklist, rb->pub.checklist.v[k]);
	if (rb->symptoms.len > 0) {
		if (doc->symptoms.len > 0)
			buf_addc(&doc->symptoms, '\n');
		buf_add(&doc->symptoms, rb->symptoms.data, rb->symptoms.len);
	}
}

/* Ends the open explicit runbook; the implicit one becomes current. */
static void
runbook_close(struct parser *p)
{
	struct runbook_build *rb = &p->open;
	if (!p->have_open)
		return;
	p->have_open = 0;
	p->cur = &p->implicit;
	p->step = -1;
	p->implicit.orphan = -1;
	if (rb->kind == RB_SECTION && !numbered_is_runbook(rb)) {
		/* Commands under a plain heading stay steps of the document. */
		for (size_t i = 0; i < rb->nsteps; i++) {
			struct step_build *st = &rb->steps[i];
			if (st->pub.ncommands == 0 && st->pub.checklist.n == 0)
				continue;
			struct step_build *to = step_new(&p->implicit, st->kind, 0, NULL, 0);
			*to = *st;
			if (to->pub.title == NULL)
				to->pub.title = xstrdup(rb->pub.title);
			memset(st, 0, sizeof *st);
			buf_init(&st->text);
		}
		p->step = -1;
		runbook_build_free(rb);
		return;
	}
	if ((rb->kind == RB_NUMBERED && !numbered_is_runbook(rb)) ||
	    (rb->kind == RB_KEYWORD && rb->nsteps == 0 && rb->container)) {
		if (rb->kind == RB_NUMBERED)
			section_to_step(p, rb);
		p->step = -1;
		runbook_build_free(rb);
		return;
	}
	if (p->ndone == p->done_cap) {
		p->done_cap = p->done_cap ? p->done_cap * 2 : 4;
		p->done = xreallocarray(p->done, p->done_cap, sizeof *p->done);
	}
	p->done[p->ndone++] = *rb;
	runbook_build_init(rb, RB_IMPLICIT);
}

static void
runbook_start(struct parser *p, enum runbook_kind kind, int level, const char *heading,
    const char *title, int number)
{
	step_close(p);
	if (p->have_open) {
		if ((kind == RB_KEYWORD || kind == RB_SECTION) && level > p->open.pub.level &&
		    p->open.nsteps == 0)
			p->open.container = 1;
		runbook_close(p);
	}
	struct runbook_build *rb = &p->open;
	runbook_build_init(rb, kind);
	rb->pub.heading = xstrdup(heading);
	rb->pub.title = xstrdup(title);
	rb->pub.line = p->lineno;
	rb->pub.level = level;
	rb->number = number;
	int64_t lo, hi;
	if (title_take_timebox(rb->pub.title, &lo, &hi) == 0) {
		rb->pub.total_s = lo;
		rb->pub.total_max_s = hi;
	}
	lint_paren_timeboxes(p, title, p->lineno);
	if (rb->pub.title[0] == '\0') {
		free(rb->pub.title);
		rb->pub.title = xstrdup(heading);
	}
	p->have_open = 1;
	p->cur = rb;
	p->step = -1;
	free(p->section_title);
	p->section_title = NULL;
}

/* "### Step 2: Decide severity (5 min)" (level 7 for a "**Step 2: ...**" line). */
static void
heading_step(struct parser *p, int level, int number, const char *title_in,
    const char *fallback)
{
	step_close(p);
	char *title = xstrdup(*title_in != '\0' ? title_in : fallback);
	int64_t lo, hi;
	int has_box = title_take_timebox(title, &lo, &hi) == 0;
	lint_paren_timeboxes(p, title_in, p->lineno);
	if (*title == '\0') {
		free(title);
		title = xstrdup(fallback);
	}
	struct step_build *st = step_new(p->cur, STEP_HEADING, number, NULL, p->lineno);
	st->pub.title = title;
	st->level = level;
	if (has_box)
		set_timebox(st, lo, hi);
	p->step = (long)p->cur->nsteps - 1;
}

/* Any other heading: may end the runbook or the step, may open a section. */
static void
other_heading(struct parser *p, int level, const char *text, const char *line)
{
	if (p->have_open && level <= p->open.pub.level)
		runbook_close(p);
	struct step_build *st = cur_step(p);
	if (st != NULL && st->kind == STEP_HEADING && level > st->level) {
		text_add(&st->text, &st->blank, line);
	} else {
		p->step = -1;
		free(p->section_title);
		p->section_title = xstrdup(text);
		p->cur->orphan = -1;
	}
	if (symptoms_heading(text))
		section_start(p, SEC_SYMPTOMS, 1, 0);
	else if (expected_heading(text))
		section_start(p, SEC_EXPECTED, 1, 0);
}

/* "## Title ##" -> level 2, "Title"; returns 0 when s is no ATX heading. */
static int
atx_heading(const char *t, int *level, char **text)
{
	int n = 0;
	while (t[n] == '#')
		n++;
	if (n < 1 || n > 6 || (t[n] != '\0' && !is_blank(t[n])))
		return 0;
	const char *s = skip_blank(t + n);
	size_t len = rtrim_len(s);
	size_t end = len;
	while (end > 0 && s[end - 1] == '#')
		end--;
	if (end < len && (end == 0 || is_blank(s[end - 1])))
		len = end;
	*level = n;
	*text = trim_dup(s, len);
	return 1;
}

/*
 * Whether a plain heading ("### Redis failure", "#### **Database Failover**")
 * may open a runbook of its own: it does unless it lies inside a step or
 * inside a runbook that already has steps (a "Rollback" or "Notes" part of
 * it), or names a part such as "Symptoms". The runbook is kept only if its
 * section turns out to hold ordered steps.
 */
static int
section_opens_runbook(struct parser *p, int level, const char *text)
{
	struct step_build *st = cur_step(p);
	if (st != NULL && st->kind == STEP_HEADING && level > st->level)
		return 0;
	if (p->have_open && level > p->open.pub.level && p->open.nsteps > 0)
		return 0;
	if (symptoms_heading(text) || expected_heading(text))
		return 0;
	return 1;
}

/* A copy of a heading without the bold marks around it ("**Failover**"). */
static char *
unbold_dup(const char *text)
{
	size_t n = strlen(text);
	if (n > 4 && ((text[0] == '*' && text[1] == '*' && text[n - 1] == '*' && text[n - 2] == '*') ||
	    (text[0] == '_' && text[1] == '_' && text[n - 1] == '_' && text[n - 2] == '_')))
		return trim_dup(text + 2, n - 4);
	return xstrdup(text);
}

static void
heading_line(struct parser *p, int level, const char *text, const char *line)
{
	const char *title;
	int number;
	section_end(p);
	free(p->lead);
	p->lead = NULL;
	if (p->first_heading == NULL) {
		p->first_heading = xstrdup(text);
		p->first_heading_line = p->lineno;
		p->first_heading_level = level;
	}
	if (runbook_heading(text, &title)) {
		runbook_start(p, RB_KEYWORD, level, text, title, 0);
		return;
	}
	if (step_heading(text, &number, &title)) {
		heading_step(p, level, number, title, text);
		return;
	}
	if (numbered_heading(text, &number, &title)) {
		struct step_build *st = cur_step(p);
		if (st != NULL && st->kind == STEP_HEADING && level > st->level) {
			text_add(&st->text, &st->blank, line);
			return;
		}
		if (p->have_open && level > p->open.pub.level && p->open.kind != RB_SECTION) {
			heading_step(p, level, number, title, text);
			return;
		}
		runbook_start(p, RB_NUMBERED, level, text, title, number);
		return;
	}
	if (section_opens_runbook(p, level, text)) {
		char *plain = unbold_dup(text);
		runbook_start(p, RB_SECTION, level, text, plain, 0);
		free(plain);
		return;
	}
	other_heading(p, level, text, line);
}

/* Removes plain-item steps once a bold item shows they were not the steps. */
static void
demote_plain_steps(struct runbook_build *rb)
{
	size_t k = 0;
	for (size_t i = 0; i < rb->nsteps; i++) {
		struct step_build *st = &rb->steps[i];
		if (st->kind == STEP_PLAIN && st->pub.ncommands == 0 && st->pub.checklist.n == 0) {
			step_build_free(st);
			continue;
		}
		if (st->kind == STEP_PLAIN) {
			st->kind = STEP_ORPHAN;
			st->pub.number = 0;
		}
		rb->steps[k++] = *st;
	}
	rb->nsteps = k;
	rb->orphan = -1;
}

/* Whether the current runbook already holds a numbered list, so "1." starts anew. */
static int
list_restarts(const struct parser *p)
{
	const struct runbook_build *rb = p->cur;
	for (size_t i = 0; i < rb->nsteps; i++)
		if ((rb->steps[i].kind == STEP_PLAIN || rb->steps[i].kind == STEP_ITEM) &&
		    rb->steps[i].pub.number >= 1)
			return 1;
	return 0;
}

/*
 * "Purging a queue:" then a list numbered from 1 again: a procedure of its
 * own, named by that line, next to the one before it.
 */
static void
lead_runbook(struct parser *p)
{
	char *title = xstrdup(p->lead);
	size_t n = strlen(title);
	while (n > 0 && (title[n - 1] == ':' || title[n - 1] == '*' || is_blank(title[n - 1])))
		title[--n] = '\0';
	const char *t = title;
	while (*t == '*' || *t == '_')
		t++;
	if (*t != '\0' && n < 80) {
		int level = p->have_open ? p->open.pub.level : 6;
		runbook_start(p, RB_SECTION, level, t, t, 0);
	}
	free(title);
}

/* "1. **Check the backups** (10 min)" or a plain "1. Check disk space". */
static void
list_step(struct parser *p, enum step_kind kind, int number, const char *title_in,
    size_t title_len, const char *rest, int indent, int content_indent)
{
	struct runbook_build *rb = p->cur;
	int64_t lo, hi;
	int has_box;
	step_close(p);
	if (kind == STEP_ITEM && !rb->has_bold) {
		rb->has_bold = 1;
		demote_plain_steps(rb);
	}
	char *title = trim_dup(title_in, title_len);
	size_t n = strlen(title);
	while (n > 0 && (title[n - 1] == ':' || is_blank(title[n - 1])))
		title[--n] = '\0';
	lint_paren_timeboxes(p, title, p->lineno);
	has_box = title_take_timebox(title, &lo, &hi) == 0;

	char *text = xstrdup(rest);
	lint_paren_timeboxes(p, text, p->lineno);
	if (!has_box) {
		char *scan = xstrdup(text);
		size_t start, end;
		blank_code_spans(scan);
		int64_t l2, h2;
		if (timebox_find(scan, &l2, &h2, &start, &end) == 0) {
			has_box = 1;
			lo = l2;
			hi = h2;
			title_take_timebox(text, &l2, &h2);
		}
		free(scan);
	}
	struct step_build *st = step_new(rb, kind, number, NULL, p->lineno);
	st->pub.title = title;
	st->indent = indent;
	st->content_indent = content_indent;
	if (has_box)
		set_timebox(st, lo, hi);
	const char *t = skip_title_sep(text);
	if (*t != '\0')
		text_add(&st->text, &st->blank, t);
	free(text);
	p->step = (long)rb->nsteps - 1;
}

/* "**Check the backups** (10 min)": the bold title and what follows; 0 if none. */
static int
bold_split(const char *s, const char **title, size_t *title_len, const char **rest)
{
	if (!((s[0] == '*' && s[1] == '*') || (s[0] == '_' && s[1] == '_')))
		return 0;
	char mark[3] = { s[0], s[0], '\0' };
	const char *close = strstr(s + 2, mark);
	if (close == NULL)
		return 0;
	const char *t = skip_blank(s + 2);
	if (t >= close)
		return 0;
	*title = s + 2;
	*title_len = (size_t)(close - s - 2);
	*rest = close + 2;
	return 1;
}

/* "12. " or "3) ": the marker's length with the blanks after it, 0 if none. */
static size_t
numbered_marker(const char *t, int *number)
{
	size_t i = read_number(t, number);
	if (i == 0 || (t[i] != '.' && t[i] != ')'))
		return 0;
	i++;
	if (t[i] == '\0')
		return i;
	if (!is_blank(t[i]))
		return 0;
	return (size_t)(skip_blank(t + i) - t);
}

/* "- ", "* ", "+ ": the marker's length with the blanks after it, 0 if none. */
static size_t
bullet_marker(const char *t)
{
	if ((*t == '-' || *t == '*' || *t == '+') && (is_blank(t[1]) || t[1] == '\0'))
		return (size_t)(skip_blank(t + 1) - t);
	return 0;
}

static int
is_list_item(const char *t)
{
	int number;
	return bullet_marker(t) > 0 || numbered_marker(t, &number) > 0;
}

/* A numbered list item: a step, or 0 to let it be text. */
static int
numbered_item(struct parser *p, const char *t, int indent)
{
	int number;
	size_t m = numbered_marker(t, &number);
	if (m == 0)
		return 0;
	const char *content = t + m;
	struct step_build *st = cur_step(p);
	if (st != NULL && st->kind == STEP_HEADING)
		return 0;	/* lists under a step heading are its text */
	if (st != NULL && (st->kind == STEP_ITEM || st->kind == STEP_PLAIN) &&
	    indent >= st->indent + 2)
		return 0;	/* nested under the current item */
	const char *title, *rest;
	size_t title_len;
	int bold = bold_split(content, &title, &title_len, &rest);
	if (p->section != SEC_NONE) {
		if (p->section_heading || (!bold && !p->section_blank))
			return 0;	/* a symptom or an expected result */
		section_end(p);
	}
	if (number == 1 && indent < 2 && p->lead != NULL && list_restarts(p))
		lead_runbook(p);
	free(p->lead);
	p->lead = NULL;
	int digits = 0;
	while (is_digit(t[digits]))
		digits++;
	int content_indent = indent + digits + 2;
	if (bold) {
		list_step(p, STEP_ITEM, number, title, title_len, rest, indent, content_indent);
		return 1;
	}
	if (p->cur->has_bold || indent > 3 || *content == '\0')
		return 0;
	list_step(p, STEP_PLAIN, number, content, strlen(content), "", indent, content_indent);
	return 1;
}

/* "- [ ] item", "* [x] item", "1. [ ] item": adds a checklist item; 0 if not one. */
static int
checklist_item(struct parser *p, const char *t)
{
	int number;
	size_t m = bullet_marker(t);
	if (m == 0)
		m = numbered_marker(t, &number);
	if (m == 0)
		return 0;
	const char *b = t + m;
	if (b[0] != '[' || (b[1] != ' ' && b[1] != 'x' && b[1] != 'X') || b[2] != ']' ||
	    (b[3] != '\0' && !is_blank(b[3])))
		return 0;
	const char *item = skip_blank(b + 3);
	if (*item == '\0')
		return 1;
	struct step_build *st = cur_step(p);
	items_add_trimmed(st != NULL ? &st->pub.checklist : &p->cur->pub.checklist, item);
	return 1;
}

/* "**Step 2: Restart** (5 min)": a step written as a bold line; 0 if not one. */
static int
bold_step_line(struct parser *p, const char *t)
{
	const char *inner, *rest, *title;
	size_t inner_len;
	int number;
	if (!bold_split(t, &inner, &inner_len, &rest))
		return 0;
	char *in = xstrndup(inner, inner_len);
	if (!step_heading(in, &number, &title) && !sub_numbered(in, &number, &title)) {
		free(in);
		return 0;
	}
	char *whole = *title != '\0' ? xasprintf("%s %s", title, skip_blank(rest)) :
	    xstrdup(skip_blank(rest));
	char *trimmed = trim_dup(whole, strlen(whole));
	heading_step(p, 7, number, trimmed, in);
	free(trimmed);
	free(whole);
	free(in);
	return 1;
}

/* A label line; returns 0 to let the line be text. */
static int
label_line(struct parser *p, const char *t)
{
	char label[48];
	const char *raw_value;
	int64_t lo, hi;
	int kind = label_split(t, label, sizeof label, &raw_value);
	if (kind == 0)
		return 0;
	enum label_kind lk = label_kind(label);
	if (lk == LABEL_OTHER) {
		if (kind == 2)
			section_end(p);
		return 0;
	}
	section_end(p);
	char *value = label_value(raw_value);
	struct step_build *st = cur_step(p);
	switch (lk) {
	case LABEL_TIME:
	case LABEL_TOTAL:
		if (*value == '\0')
			break;
		if (placeholder_timebox(value)) {
			lint_placeholder_timebox(p, p->lineno, value);
			break;
		}
		if (runbook_parse_timebox(value, &lo, &hi) < 0) {
			char *c = clip(value, 60);
			lint(p, p->lineno, LINT_WARNING, "\"%s\" after \"%s\" is not a duration: "
			    "no time box taken", c, label);
			free(c);
			break;
		}
		if (lk == LABEL_TIME && st != NULL) {
			if (st->pub.timebox_s == 0)
				set_timebox(st, lo, hi);
		} else if (lk == LABEL_TOTAL || p->cur->pub.total_s == 0) {
			p->cur->pub.total_s = lo;
			p->cur->pub.total_max_s = hi;
		}
		break;
	case LABEL_EXPECTED:
		if (*value != '\0')
			expected_add(p, value);
		else
			section_start(p, SEC_EXPECTED, 0, 0);
		break;
	case LABEL_SYMPTOMS:
		section_start(p, SEC_SYMPTOMS, 0, *value != '\0');
		if (*value != '\0')
			symptoms_add(p, value);
		break;
	case LABEL_OTHER:
		break;
	}
	free(value);
	return 1;
}

/* Prose: a section's content, the step's text, or the runbook's. */
static void
text_line(struct parser *p, const char *s, const char *t)
{
	if (p->section != SEC_NONE) {
		int list = is_list_item(t);
		if (p->section_heading || !p->section_blank || (list && !p->section_value)) {
			int number;
			size_t m = bullet_marker(t);
			if (m == 0)
				m = numbered_marker(t, &number);
			if (p->section == SEC_SYMPTOMS)
				symptoms_add(p, t + m);
			else
				expected_add(p, t + m);
			return;
		}
		section_end(p);
	}
	struct step_build *st = cur_step(p);
	free(p->lead);
	p->lead = indent_of(s) < 2 ? xstrdup(t) : NULL;
	if (st != NULL)
		text_add(&st->text, &st->blank, strip_indent(s, st->content_indent));
	else
		runbook_text_add(p, t);
}

static void
blank_line(struct parser *p)
{
	struct step_build *st = cur_step(p);
	if (p->section != SEC_NONE)
		p->section_blank = 1;
	if (st != NULL)
		st->blank = 1;
	else
		p->cur->text_blank = 1;
}

/* "---", "***", "___" */
static int
thematic_break(const char *t)
{
	char c = *t;
	int n = 0;
	if (c != '-' && c != '*' && c != '_')
		return 0;
	for (; *t != '\0'; t++) {
		if (*t == c)
			n++;
		else if (!is_blank(*t))
			return 0;
	}
	return n >= 3;
}

static void
parse_line(struct parser *p, const char *s)
{
	if (p->fence.open) {
		fence_line(p, s);
		return;
	}
	if (p->in_comment) {
		if (strstr(s, "-->") != NULL)
			p->in_comment = 0;
		return;
	}
	const char *t = skip_blank(s);
	int indent = indent_of(s), level;
	char *text;
	if (*t == '\0') {
		blank_line(p);
		return;
	}
	if (strncmp(t, "<!--", 4) == 0) {
		p->in_comment = strstr(t + 4, "-->") == NULL;
		return;
	}
	if (fence_open(p, s, indent))
		return;
	if (indent < 4 && atx_heading(t, &level, &text)) {
		heading_line(p, level, text, t);
		free(text);
		return;
	}
	if (indent < 4 && thematic_break(t)) {
		struct step_build *st = cur_step(p);
		if (st != NULL && st->kind != STEP_HEADING)
			p->step = -1;
		section_end(p);
		return;
	}
	if (bold_step_line(p, t) || checklist_item(p, t) || numbered_item(p, t, indent) ||
	    label_line(p, t))
		return;
	text_line(p, s, t);
}

/* Finishing. */

/* The step as the caller sees it; the build's strings move into it. */
static void
step_finish(struct step_build *st, struct runbook_step *out, const char *fallback_title)
{
	*out = st->pub;
	if (out->title == NULL)
		out->title = xstrdup(fallback_title);
	if (out->timebox_max_s < out->timebox_s)
		out->timebox_max_s = out->timebox_s;
	char *text = trim_dup(st->text.data ? st->text.data : "", st->text.len);
	if (*text == '\0') {
		free(text);
		text = NULL;
	}
	out->text = text;
	buf_free(&st->text);
}

static void
lint_steps(struct parser *p, const struct runbook *rb, const struct step_build *steps)
{
	unsigned char seen[8192];
	int prev = 0;
	memset(seen, 0, sizeof seen);
	struct buf idle;
	int nidle = 0, idle_line = 0;
	buf_init(&idle);
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct runbook_step *st = &rb->steps[i];
		/* a stub ("Wait", "TODO"): a sentence of a title is itself the action */
		if (st->ncommands == 0 && st->checklist.n == 0 && st->text == NULL &&
		    strchr(skip_blank(st->title ? st->title : ""), ' ') == NULL) {
			if (nidle++ == 0)
				idle_line = st->line;
			buf_printf(&idle, "%s%d", nidle > 1 ? ", " : "", st->number ? st->number : (int)i + 1);
		}
		if (st->number <= 0 || steps[i].kind == STEP_ORPHAN)
			continue;
		int n = st->number;
		if (n < (int)(sizeof seen * 8) && (seen[n / 8] & (1 << (n % 8)))) {
			lint(p, st->line, LINT_WARNING, "step %d is numbered twice", n);
		} else if (prev > 0 && n > prev + 1) {
			lint(p, st->line, LINT_WARNING, "step %d follows step %d: numbering gap",
			    n, prev);
		}
		if (n < (int)(sizeof seen * 8))
			seen[n / 8] |= (unsigned char)(1 << (n % 8));
		prev = n;
	}
	if (nidle > 0) {
		char *t = clip(rb->title, 60);
		buf_addc(&idle, '\0');
		if (nidle == 1)
			lint(p, idle_line, LINT_WARNING, "\"%s\": step %s has no action "
			    "(no command, checklist or text)", t, idle.data);
		else
			lint(p, idle_line, LINT_WARNING, "\"%s\": %d steps have no action "
			    "(no command, checklist or text): %s", t, nidle, idle.data);
		free(t);
	}
	buf_free(&idle);
}

static const char *const attached_words[] = {
	"rollback", "roll back", "roll-back", "troubleshooting", "troubleshoot",
	"откат", "диагностика", "устранение неполадок", "решение проблем", NULL
};

/* Whether a step is in fact a part of the runbook such as "Rollback". */
static int
attached_part(const struct step_build *st)
{
	char f[48];
	if (st->kind != STEP_ORPHAN || st->pub.title == NULL)
		return 0;
	const char *t = st->pub.title;
	while (*t == '*' || *t == '_')
		t++;
	fold(t, strnlen(t, sizeof f - 1), f);
	return table_prefix(attached_words, f) > 0;
}

/* Moves a built runbook into out and lints it. */
static void
runbook_finish(struct parser *p, struct runbook_build *b, struct runbook *out)
{
	*out = b->pub;
	if (out->total_max_s < out->total_s)
		out->total_max_s = out->total_s;
	out->symptoms = b->symptoms.len > 0 ? trim_dup(b->symptoms.data, b->symptoms.len) :
	    NULL;
	/* unnumbered "Rollback" or "Troubleshooting" parts go last, apart */
	size_t nreal = 0, k = 0;
	struct step_build *order = xcalloc(b->nsteps + 1, sizeof *order);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < b->nsteps; i++)
			if (attached_part(&b->steps[i]) == pass)
				order[k++] = b->steps[i];
	for (size_t i = 0; i < b->nsteps; i++)
		nreal += !attached_part(&b->steps[i]);
	if (b->nsteps > 0)
		memcpy(b->steps, order, b->nsteps * sizeof *order);
	free(order);
	out->nsteps = nreal;
	out->steps = xcalloc(nreal + 1, sizeof *out->steps);
	for (size_t i = 0; i < nreal; i++)
		step_finish(&b->steps[i], &out->steps[i], out->title);
	out->nattached = b->nsteps - nreal;
	out->attached = out->nattached ? xcalloc(out->nattached, sizeof *out->attached) : NULL;
	for (size_t i = nreal; i < b->nsteps; i++)
		step_finish(&b->steps[i], &out->attached[i - nreal], out->title);
	b->nsteps = nreal;
	if (b->nsteps == 0) {
		char *t = clip(out->title, 60);
		lint(p, out->line, LINT_WARNING, "runbook \"%s\" has no steps", t);
		free(t);
	}
	lint_steps(p, out, b->steps);
	free(b->steps);
	buf_free(&b->symptoms);
	buf_free(&b->text);
	runbook_build_init(b, RB_IMPLICIT);
}

static int
has_strong_steps(const struct runbook_build *rb)
{
	for (size_t i = 0; i < rb->nsteps; i++)
		if (rb->steps[i].kind == STEP_ITEM || rb->steps[i].kind == STEP_HEADING ||
		    rb->steps[i].kind == STEP_COMMENT)
			return 1;
	return 0;
}

/* "docs/db-restore.md" -> "db-restore" */
static char *
file_title(const char *path)
{
	if (path == NULL || *path == '\0')
		return xstrdup("runbook");
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	size_t n = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot != NULL && dot > base)
		n = (size_t)(dot - base);
	return n > 0 ? xstrndup(base, n) : xstrdup("runbook");
}

/*
 * Sorts lint messages by line, keeping the order of messages on one line:
 * an insertion sort (stable), over at most MAX_LINT + 1 nearly sorted items.
 */
static void
lint_sort(struct runbook_doc *doc)
{
	for (size_t i = 1; i < doc->nlint; i++) {
		struct lint_msg m = doc->lint[i];
		size_t j = i;
		while (j > 0 && doc->lint[j - 1].line > m.line) {
			doc->lint[j] = doc->lint[j - 1];
			j--;
		}
		doc->lint[j] = m;
	}
}

static void
parse_end(struct parser *p)
{
	struct runbook_doc *doc = p->doc;
	struct runbook_build *im = &p->implicit;
	if (p->fence.open) {
		lint(p, p->fence.line, LINT_ERROR, "code fence opened here is never closed");
		fence_close(p);
	}
	step_close(p);
	runbook_close(p);

	doc->title = p->first_heading != NULL ? xstrdup(p->first_heading) : NULL;
	im->pub.title = p->first_heading != NULL ? xstrdup(p->first_heading) :
	    file_title(doc->path);
	im->pub.heading = p->first_heading != NULL ? xstrdup(p->first_heading) : NULL;
	im->pub.line = p->first_heading != NULL ? p->first_heading_line : 1;
	im->pub.level = p->first_heading != NULL ? p->first_heading_level : 0;
	int keep = im->nsteps > 0 && (has_strong_steps(im) || p->ndone == 0);

	doc->nrunbooks = (size_t)keep + p->ndone;
	doc->runbooks = xcalloc(doc->nrunbooks ? doc->nrunbooks : 1, sizeof *doc->runbooks);
	size_t k = 0;
	if (keep)
		runbook_finish(p, im, &doc->runbooks[k++]);
	for (size_t i = 0; i < p->ndone; i++)
		runbook_finish(p, &p->done[i], &doc->runbooks[k++]);
	if (doc->nrunbooks == 0)
		lint(p, 1, LINT_ERROR, "no runbook or step found");
	lint_sort(doc);
}

/*
 * Mis-encoded text: UTF-8 that was read as Mac Roman or Windows-1252 and
 * saved again as UTF-8 ("–º–∏–Ω—É—Ç" for "минут"). These tables give what
 * each byte 0x80-0xff became; a line is repaired by mapping each
 * character back to its byte, when every one maps and the bytes are UTF-8.
 * Windows-1252 leaves five bytes undefined: most tools keep them as the
 * C1 control of the same number, and so does its table.
 */
static const uint16_t mac_roman_high[128] = {
	0x00c4, 0x00c5, 0x00c7, 0x00c9, 0x00d1, 0x00d6, 0x00dc, 0x00e1,
	0x00e0, 0x00e2, 0x00e4, 0x00e3, 0x00e5, 0x00e7, 0x00e9, 0x00e8,
	0x00ea, 0x00eb, 0x00ed, 0x00ec, 0x00ee, 0x00ef, 0x00f1, 0x00f3,
	0x00f2, 0x00f4, 0x00f6, 0x00f5, 0x00fa, 0x00f9, 0x00fb, 0x00fc,
	0x2020, 0x00b0, 0x00a2, 0x00a3, 0x00a7, 0x2022, 0x00b6, 0x00df,
	0x00ae, 0x00a9, 0x2122, 0x00b4, 0x00a8, 0x2260, 0x00c6, 0x00d8,
	0x221e, 0x00b1, 0x2264, 0x2265, 0x00a5, 0x00b5, 0x2202, 0x2211,
	0x220f, 0x03c0, 0x222b, 0x00aa, 0x00ba, 0x03a9, 0x00e6, 0x00f8,
	0x00bf, 0x00a1, 0x00ac, 0x221a, 0x0192, 0x2248, 0x2206, 0x00ab,
	0x00bb, 0x2026, 0x00a0, 0x00c0, 0x00c3, 0x00d5, 0x0152, 0x0153,
	0x2013, 0x2014, 0x201c, 0x201d, 0x2018, 0x2019, 0x00f7, 0x25ca,
	0x00ff, 0x0178, 0x2044, 0x20ac, 0x2039, 0x203a, 0xfb01, 0xfb02,
	0x2021, 0x00b7, 0x201a, 0x201e, 0x2030, 0x00c2, 0x00ca, 0x00c1,
	0x00cb, 0x00c8, 0x00cd, 0x00ce, 0x00cf, 0x00cc, 0x00d3, 0x00d4,
	0xf8ff, 0x00d2, 0x00da, 0x00db, 0x00d9, 0x0131, 0x02c6, 0x02dc,
	0x00af, 0x02d8, 0x02d9, 0x02da, 0x00b8, 0x02dd, 0x02db, 0x02c7,
};
static const uint16_t cp1252_high[128] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
	0x00a0, 0x00a1, 0x00a2, 0x00a3, 0x00a4, 0x00a5, 0x00a6, 0x00a7,
	0x00a8, 0x00a9, 0x00aa, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x00af,
	0x00b0, 0x00b1, 0x00b2, 0x00b3, 0x00b4, 0x00b5, 0x00b6, 0x00b7,
	0x00b8, 0x00b9, 0x00ba, 0x00bb, 0x00bc, 0x00bd, 0x00be, 0x00bf,
	0x00c0, 0x00c1, 0x00c2, 0x00c3, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
	0x00c8, 0x00c9, 0x00ca, 0x00cb, 0x00cc, 0x00cd, 0x00ce, 0x00cf,
	0x00d0, 0x00d1, 0x00d2, 0x00d3, 0x00d4, 0x00d5, 0x00d6, 0x00d7,
	0x00d8, 0x00d9, 0x00da, 0x00db, 0x00dc, 0x00dd, 0x00de, 0x00df,
	0x00e0, 0x00e1, 0x00e2, 0x00e3, 0x00e4, 0x00e5, 0x00e6, 0x00e7,
	0x00e8, 0x00e9, 0x00ea, 0x00eb, 0x00ec, 0x00ed, 0x00ee, 0x00ef,
	0x00f0, 0x00f1, 0x00f2, 0x00f3, 0x00f4, 0x00f5, 0x00f6, 0x00f7,
	0x00f8, 0x00f9, 0x00fa, 0x00fb, 0x00fc, 0x00fd, 0x00fe, 0x00ff,
};

static const char *const mojibake_names[] = { "Mac Roman", "Windows-1252" };

/* Decodes one UTF-8 character at s (n bytes left); returns its length, or 0. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || len > n || s[0] > 0xf4)
		return 0;
	uint32_t c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Whether s (n bytes) is valid UTF-8 holding at least one character above ASCII. */
static int
utf8_multibyte(const unsigned char *s, size_t n)
{
	int multi = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		if (l == 0)
			return 0;
		multi |= l > 1;
		i += l;
	}
	return multi;
}

/*
 * Repairs a mis-encoded line in place. Returns the table that repaired it
 * (0 Mac Roman, 1 Windows-1252), or -1 when the line is left as it is.
 */
static int
mojibake_repair(struct buf *line)
{
	static const uint16_t *const tables[] = { mac_roman_high, cp1252_high };
	const unsigned char *s = (const unsigned char *)line->data;
	size_t n = line->len, high = 0;
	for (size_t i = 0; i < n; i++)
		high += s[i] >= 0x80;
	if (high < 4)
		return -1;
	unsigned char *out = xmalloc(n + 1);
	for (int t = 0; t < 2; t++) {
		size_t o = 0, i = 0;
		while (i < n) {
			uint32_t cp;
			size_t l = utf8_decode(s + i, n - i, &cp);
			if (l == 0)
				break;
			if (cp < 0x80)
				out[o++] = (unsigned char)cp;
			else {
				int b = -1;
				for (int k = 0; k < 128 && b < 0; k++)
					if (tables[t][k] == cp)
						b = 0x80 + k;
				if (b < 0)
					break;
				out[o++] = (unsigned char)b;
			}
			i += l;
		}
		if (i == n && utf8_multibyte(out, o)) {
			memcpy(line->data, out, o);
			line->len = o;
			line->data[o] = '\0';
			free(out);
			return t;
		}
	}
	free(out);
	return -1;
}

/* Lines to skip for a YAML front matter block ("---" ... "---"), or 0. */
static int
front_matter_lines(const char *text, size_t len)
{
	if (len < 4 || strncmp(text, "---", 3) != 0 || (text[3] != '\n' && text[3] != '\r'))
		return 0;
	size_t i = 3;
	int line = 1;
	while (i < len && line < FRONT_MATTER_LINES) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			i++;
		i++;
		line++;
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		size_t n = i - start;
		if ((n == 3 && (strncmp(text + start, "---", 3) == 0 ||
		    strncmp(text + start, "...", 3) == 0)))
			return line;
	}
	return 0;
}

int
runbook_parse(const char *text, size_t len, const char *path, struct runbook_doc *doc)
{
	struct parser p;
	struct buf line;
	memset(doc, 0, sizeof *doc);
	memset(&p, 0, sizeof p);
	doc->path = path != NULL ? xstrdup(path) : NULL;
	p.doc = doc;
	p.step = -1;
	runbook_build_init(&p.implicit, RB_IMPLICIT);
	runbook_build_init(&p.open, RB_IMPLICIT);
	p.cur = &p.implicit;
	buf_init(&p.fence.body);
	buf_init(&p.fence.text);
	buf_init(&p.fence.raw);
	buf_init(&p.fence.chunk);
	buf_init(&p.placeholder_lines);
	buf_init(&line);
	if (text == NULL)
		len = 0;
	if (len > RUNBOOK_MAX_SIZE) {
		lint(&p, 1, LINT_ERROR, "document larger than %d MiB: the rest is ignored",
		    RUNBOOK_MAX_SIZE / (1024 * 1024));
		len = RUNBOOK_MAX_SIZE;
	}
	p.skip_lines = front_matter_lines(text, len);

	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		size_t n = i - start;
		if (i < len)
			i += text[i] == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
		if (++p.lineno <= p.skip_lines)
			continue;
		if (n > LINE_MAX_BYTES) {
			lint(&p, p.lineno, LINT_WARNING,
			    "line longer than 64 KiB: only its start is read");
			n = LINE_MAX_BYTES;
		}
		buf_reset(&line);
		buf_add(&line, text + start, n);
		for (size_t k = 0; k < n; k++)
			if (line.data[k] == '\0')
				line.data[k] = ' ';
		int t = mojibake_repair(&line);
		if (t >= 0) {
			if (p.mojibake_lines++ == 0) {
				p.mojibake_line = p.lineno;
				p.mojibake_table = t;
			}
		}
		parse_line(&p, line.data);
	}
	if (p.placeholder_boxes > 0) {
		buf_addc(&p.placeholder_lines, '\0');
		if (p.placeholder_boxes == 1)
			lint(&p, p.placeholder_first, LINT_WARNING,
			    "time box \"%s\" is a template placeholder: fill it in", p.placeholder_box);
		else
			lint(&p, p.placeholder_first, LINT_WARNING,
			    "time boxes such as \"%s\" are template placeholders on %d lines "
			    "(%s): fill them in", p.placeholder_box, p.placeholder_boxes,
			    p.placeholder_lines.data);
	}
	free(p.placeholder_box);
	buf_free(&p.placeholder_lines);
	if (p.mojibake_lines > 0)
		lint(&p, p.mojibake_line, LINT_WARNING,
		    "UTF-8 text read as %s and saved again: repaired on %d line%s",
		    mojibake_names[p.mojibake_table], p.mojibake_lines,
		    p.mojibake_lines == 1 ? "" : "s");
	parse_end(&p);

	buf_free(&line);
	fence_reset(&p.fence);
	buf_free(&p.fence.body);
	buf_free(&p.fence.text);
	buf_free(&p.fence.raw);
	buf_free(&p.fence.chunk);
	runbook_build_free(&p.implicit);
	runbook_build_free(&p.open);
	free(p.done);
	free(p.section_title);
	free(p.lead);
	free(p.first_heading);
	return p.errors;
}

/* Frees n steps and the array that holds them. */
static void
steps_free(struct runbook_step *steps, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct runbook_step *st = &steps[k];
		free(st->title);
		free(st->text);
		for (size_t c = 0; c < st->ncommands; c++)
			command_free(&st->commands[c]);
		free(st->commands);
		strv_free(&st->expected);
		strv_free(&st->checklist);
	}
	free(steps);
}

void
runbook_doc_free(struct runbook_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->nrunbooks; i++) {
		struct runbook *rb = &doc->runbooks[i];
		steps_free(rb->steps, rb->nsteps);
		steps_free(rb->attached, rb->nattached);
		free(rb->title);
		free(rb->heading);
		free(rb->symptoms);
		strv_free(&rb->checklist);
	}
	free(doc->runbooks);
	for (size_t i = 0; i < doc->nlint; i++)
		free(doc->lint[i].text);
	free(doc->lint);
	free(doc->path);
	free(doc->title);
	memset(doc, 0, sizeof *doc);
}
