/*
 * Time boxes: "(5 min)", "2-4 hours", "полчаса", in titles and labels.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
int
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
int
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

int
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
