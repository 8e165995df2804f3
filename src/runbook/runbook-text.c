/*
 * Character classes and the small text helpers the runbook parser shares.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Character classes. */

int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Bytes taken by the letter at p (an ASCII or a Cyrillic one), or 0. */
size_t
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
size_t
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
void
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
int
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
size_t
table_prefix(const char *const *table, const char *folded)
{
	for (int i = 0; table[i] != NULL; i++) {
		size_t n = strlen(table[i]);
		if (strncmp(folded, table[i], n) == 0 && letter_len(folded + n) == 0)
			return n;
	}
	return 0;
}

const char *
skip_blank(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Columns of leading white space, tabs to the next multiple of 4. */
int
indent_of(const char *s)
{
	int col = 0;
	for (; is_blank(*s); s++)
		col = *s == '\t' ? (col + 4) & ~3 : col + 1;
	return col;
}

/* s without up to cols columns of leading white space. */
const char *
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
char *
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
void
buf_rtrim(struct buf *b)
{
	while (b->len > 0 && is_space(b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

/* Length of s without trailing white space. */
size_t
rtrim_len(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return n;
}

/* Appends to a strv with geometric growth, ignoring items beyond max. */
void
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
void
items_add_trimmed(struct strv *sv, const char *s)
{
	char *t = trim_dup(s, strlen(s));
	if (*t != '\0')
		items_add(sv, t, strlen(t), MAX_ITEMS);
	free(t);
}

/* Appends a line of prose; a pending blank line becomes a paragraph break. */
void
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
void
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
size_t
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
const char *
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
