/*
 * sanitize: untrusted text in, printable UTF-8 out. See sanitize.h for the
 * mapping. Everything that reaches the screen, the log or a report passes
 * through sanitize_text(); the width helpers assume its output.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"
#include "util.h"

#define REPLACEMENT 0xFFFD
#define NEWLINE_SYMBOL 0x2424

void
sanitize_init(void)
{
	const char *set = setlocale(LC_CTYPE, "");
	const char *codeset = nl_langinfo(CODESET);
	if (set == NULL || codeset == NULL || strcmp(codeset, "UTF-8") != 0) {
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			setlocale(LC_CTYPE, "en_US.UTF-8");
	}
}

/*
 * The registered secrets, longest first: the first that matches at a
 * position is the longest, so a secret that begins with another (a bot's
 * id and its token) is replaced whole. Most bytes are passed over with one
 * look-up: pair_map has a bit for each first two bytes of a secret. Those
 * that begin with byte c are by_first[c] .. by_first[c + 1] - 1 in order[],
 * still longest first.
 */
static struct strv secrets;
static size_t *secret_len;
static size_t secret_max;
static size_t *order;
static size_t by_first[257];
static unsigned char pair_map[65536 / 8];

/* Sorts the secrets by first byte, keeping them longest first within each. */
static void
index_secrets(void)
{
	memset(by_first, 0, sizeof by_first);
	for (size_t k = 0; k < secrets.n; k++)
		by_first[(unsigned char)secrets.v[k][0] + 1]++;
	for (int c = 0; c < 256; c++)
		by_first[c + 1] += by_first[c];
	size_t fill[256];
	memcpy(fill, by_first, sizeof fill);
	order = xreallocarray(order, secrets.n, sizeof *order);
	for (size_t k = 0; k < secrets.n; k++)
		order[fill[(unsigned char)secrets.v[k][0]]++] = k;
}

void
sanitize_add_secret(const char *s)
{
	/* Very short values would redact ordinary words; they are not secrets. */
	if (s == NULL || strlen(s) < SECRET_MIN || strv_find(&secrets, s) != -1)
		return;
	size_t n = strlen(s), at;
	strv_add(&secrets, s);
	char *added = secrets.v[secrets.n - 1];
	secret_len = xreallocarray(secret_len, secrets.n, sizeof *secret_len);
	/* keep the order longest first: move the new one up to its place */
	for (at = secrets.n - 1; at > 0 && secret_len[at - 1] < n; at--) {
		secrets.v[at] = secrets.v[at - 1];
		secret_len[at] = secret_len[at - 1];
	}
	secrets.v[at] = added;
	secret_len[at] = n;
	if (n > secret_max)
		secret_max = n;
	unsigned pair = (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
	pair_map[pair >> 3] |= (unsigned char)(1u << (pair & 7));
	index_secrets();
}

void
sanitize_clear_secrets(void)
{
	strv_free(&secrets);
	free(secret_len);
	secret_len = NULL;
	free(order);
	order = NULL;
	secret_max = 0;
	memset(by_first, 0, sizeof by_first);
	memset(pair_map, 0, sizeof pair_map);
}

size_t
sanitize_secret_max(void)
{
	return secret_max;
}

int
sanitize_has_secret(const char *s)
{
	for (size_t i = 0; i < secrets.n; i++)
		if (strstr(s, secrets.v[i]) != NULL)
			return 1;
	return 0;
}

/* Whether a secret may begin at s (avail bytes there): its first two bytes, or the last one. */
static inline int
may_begin(const char *s, size_t avail)
{
	const unsigned char *u = (const unsigned char *)s;
	if (avail < 2)
		return by_first[u[0] + 1] > by_first[u[0]];
	unsigned pair = (unsigned)u[0] << 8 | u[1];
	return (pair_map[pair >> 3] >> (pair & 7)) & 1;
}

/*
 * The length of the longest secret at s (avail bytes there), or 0. When
 * partial is non-NULL, *partial is set if the avail bytes begin a secret
 * longer than any that matches: more input could make a longer match.
 */
static size_t
match_at(const char *s, size_t avail, int *partial)
{
	unsigned char c = (unsigned char)s[0];
	for (size_t o = by_first[c]; o < by_first[c + 1]; o++) {
		size_t k = order[o];
		const char *v = secrets.v[k];
		size_t n = secret_len[k];
		if (n <= avail) {
			if (memcmp(s, v, n) == 0)
				return n;
		} else if (partial != NULL && memcmp(s, v, avail) == 0) {
			*partial = 1;
			return 0;
		}
	}
	return 0;
}

/*
 * Redacts s into out, up to where a secret may begin that the bytes after
 * len would decide (unless final): returns how many bytes of s were taken.
 * At each position the longest secret wins, and secrets that overlap it
 * (one begins inside another and runs past its end) are hidden with it
 * under one marker: no byte of any occurrence is left.
 */
static size_t
redact_some(const char *s, size_t len, int final, struct buf *out)
{
	size_t i = 0, from = 0;
	int partial = 0;
	while (i < len) {
		if (!may_begin(s + i, len - i)) {
			i++;
			continue;
		}
		size_t n = match_at(s + i, len - i, final ? NULL : &partial);
		if (partial)
			break;
		if (n == 0) {
			i++;
			continue;
		}
		size_t end = i + n;
		for (size_t j = i + 1; j < end && !partial; j++) {
			if (!may_begin(s + j, len - j))
				continue;
			size_t m = match_at(s + j, len - j, final ? NULL : &partial);
			if (j + m > end)
				end = j + m;
		}
		if (partial)
			break;	/* the overlap may go on past len: decide it later */
		buf_add(out, s + from, i - from);
		buf_add(out, SECRET_MARK, sizeof SECRET_MARK - 1);
		i = end;
		from = i;
	}
	buf_add(out, s + from, i - from);
	return i;
}

/* The redacted bytes in b (binary: NUL bytes are kept). */
static void
redact_into(struct buf *b, const char *s, size_t len)
{
	if (secrets.n == 0)
		buf_add(b, s, len);
	else
		redact_some(s, len, 1, b);
}

char *
sanitize_redact(const char *s, size_t len)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	redact_into(&b, s, len);
	return buf_take(&b);
}

size_t
redact_cut(const char *s, size_t len, size_t at)
{
	const size_t mark = sizeof SECRET_MARK - 1;
	if (at >= len)
		return len;
	/* a marker that began up to mark - 1 bytes before the cut is cut in two */
	for (size_t back = 1; back < mark && back <= at; back++) {
		size_t p = at - back;
		if (p + mark <= len && memcmp(s + p, SECRET_MARK, mark) == 0)
			return p;
	}
	return at;
}

char *
sanitize_redact_max(const char *s, size_t len, size_t max, size_t *outlen)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	if (secrets.n == 0)
		buf_add(&b, s, len < max ? len : max);
	else {
		/* a secret can make the text longer or shorter: redact by pieces until past max */
		struct redactor r;
		redactor_init(&r);
		size_t done = 0;
		while (done < len && b.len <= max) {
			size_t piece = len - done < 65536 ? len - done : 65536;
			redactor_feed(&r, s + done, piece, &b);
			done += piece;
		}
		if (done == len)
			redactor_finish(&r, &b);
		redactor_clear(&r);
		b.len = redact_cut(b.data, b.len, max);
		b.data[b.len] = '\0';
	}
	if (outlen != NULL)
		*outlen = b.len;
	return buf_take(&b);
}

void
redactor_init(struct redactor *r)
{
	buf_init(&r->held);
}

void
redactor_feed(struct redactor *r, const char *s, size_t len, struct buf *out)
{
	if (secrets.n == 0) {
		redactor_finish(r, out);
		buf_add(out, s, len);
		return;
	}
	if (r->held.len == 0) {
		size_t took = redact_some(s, len, 0, out);
		buf_add(&r->held, s + took, len - took);
		return;
	}
	/* what was held back comes first: the secret it may begin goes on in s */
	buf_add(&r->held, s, len);
	size_t took = redact_some(r->held.data, r->held.len, 0, out);
	memmove(r->held.data, r->held.data + took, r->held.len - took);
	r->held.len -= took;
	r->held.data[r->held.len] = '\0';
}

void
redactor_finish(struct redactor *r, struct buf *out)
{
	if (r->held.len > 0)
		redact_some(r->held.data, r->held.len, 1, out);
	buf_reset(&r->held);
}

void
redactor_clear(struct redactor *r)
{
	buf_free(&r->held);
}

int
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (len == 0)
		return -1;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int n;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else
		return -1;
	if ((size_t)n > len)
		return -1;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*cp = v;
	return n;
}

int
utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Format characters that can reorder, hide or split text on screen. */
static int
is_hidden_format(uint32_t cp)
{
	return cp == 0x00AD ||			/* soft hyphen */
	    cp == 0x061C ||			/* Arabic letter mark */
	    cp == 0x180E ||			/* Mongolian vowel separator */
	    (cp >= 0x200B && cp <= 0x200F) ||	/* zero-width, LRM, RLM */
	    (cp >= 0x2028 && cp <= 0x202E) ||	/* separators, embeddings, overrides */
	    (cp >= 0x2060 && cp <= 0x206F) ||	/* word joiner, isolates, deprecated */
	    cp == 0xFEFF ||			/* BOM / zero-width no-break space */
	    (cp >= 0xFFF9 && cp <= 0xFFFB) ||	/* interlinear annotation */
	    (cp >= 0xE0000 && cp <= 0xE007F);	/* tags */
}

static void
add_cp(struct buf *b, uint32_t cp)
{
	char tmp[4];
	buf_add(b, tmp, (size_t)utf8_encode(cp, tmp));
}

static char *
sanitize_raw(const char *in, size_t len, int flags)
{
	const unsigned char *s = (const unsigned char *)in;
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	int col = 0;		/* for tab expansion */
	int have_base = 0;	/* a printable base precedes a combining mark */
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode(s + i, len - i, &cp);
		if (n < 0) {
			add_cp(&b, REPLACEMENT);
			col++;
			have_base = 1;
			i++;
			continue;
		}
		i += (size_t)n;
		if (cp == '\n') {
			if (flags & SAN_MULTILINE) {
				buf_addc(&b, '\n');
				col = 0;
				have_base = 0;
			} else {
				add_cp(&b, NEWLINE_SYMBOL);
				col++;
				have_base = 1;
			}
			continue;
		}
		if (cp == '\r' && (flags & SAN_MULTILINE) && i < len && s[i] == '\n')
			continue;	/* CRLF line ends */
		if (cp == '\t') {
			int spaces = (flags & SAN_MULTILINE) ? 8 - col % 8 : 1;
			for (int k = 0; k < spaces; k++)
				buf_addc(&b, ' ');
			col += spaces;
			have_base = 1;
			continue;
		}
		if (cp < 0x20) {
			add_cp(&b, 0x2400 + cp);
			col++;
			have_base = 1;
			continue;
		}
		if (cp == 0x7F) {
			add_cp(&b, 0x2421);
			col++;
			have_base = 1;
			continue;
		}
		if ((cp >= 0x80 && cp <= 0x9F) || is_hidden_format(cp)) {
			add_cp(&b, REPLACEMENT);
			col++;
			have_base = 1;
			continue;
		}
		int w = wcwidth((wchar_t)cp);
		if (w < 0 || (w == 0 && !have_base)) {
			add_cp(&b, REPLACEMENT);
			col++;
			have_base = 1;
			continue;
		}
		add_cp(&b, cp);
		col += w;
		have_base = 1;
	}
	return buf_take(&b);
}

char *
sanitize_text(const char *s, size_t len, int flags)
{
	if (s == NULL)
		return xstrdup("");
	if (secrets.n == 0)
		return sanitize_raw(s, len, flags);
	/* keep the redacted length: a NUL byte must not hide what follows it */
	struct buf b;
	buf_init(&b);
	redact_into(&b, s, len);
	char *out = sanitize_raw(b.data ? b.data : "", b.len, flags);
	buf_free(&b);
	return out;
}

char *
sanitize_line(const char *s, size_t len)
{
	return sanitize_text(s, len, 0);
}

char *
sanitize_str(const char *s)
{
	return s ? sanitize_text(s, strlen(s), 0) : xstrdup("");
}

int
text_width(const char *s)
{
	int width;
	text_fit(s, 1 << 30, &width);
	return width;
}

size_t
text_fit(const char *s, int cols, int *widthp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, fit = 0;
	int width = 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode(p + i, len - i, &cp);
		int w;
		if (n < 0) {
			n = 1;
			w = 1;
		} else {
			w = wcwidth((wchar_t)cp);
			if (w < 0)
				w = 1;
		}
		if (width + w > cols)
			break;
		width += w;
		i += (size_t)n;
		fit = i;
	}
	if (widthp)
		*widthp = width;
	return fit;
}

char *
text_ellipsize(const char *s, int cols)
{
	if (cols <= 0)
		return xstrdup("");
	int width;
	size_t all = strlen(s);
	size_t fit = text_fit(s, cols, &width);
	if (fit == all)
		return xstrdup(s);
	fit = text_fit(s, cols - 1, &width);
	char *out = xmalloc(fit + 4);
	memcpy(out, s, fit);
	memcpy(out + fit, "\xe2\x80\xa6", 4);	/* … and NUL */
	return out;
}

char *
sanitize_utf8(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode(s + i, len - i, &cp);
		if (n < 0 || cp == 0) {
			add_cp(&b, REPLACEMENT);
			i++;
			continue;
		}
		buf_add(&b, s + i, (size_t)n);
		i += (size_t)n;
	}
	return buf_take(&b);
}

struct safe_str
safe_untrusted_n(const char *s, size_t len)
{
	char *t = sanitize_text(s ? s : "", s ? len : 0, 0);
	return (struct safe_str){ t, t };
}

struct safe_str
safe_untrusted(const char *s)
{
	return safe_untrusted_n(s, s ? strlen(s) : 0);
}

struct safe_str
safe_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	struct safe_str t = safe_untrusted(raw);
	free(raw);
	return t;
}

void
safe_str_free(struct safe_str *t)
{
	free(t->owned);
	t->owned = NULL;
	t->s = "";
}
