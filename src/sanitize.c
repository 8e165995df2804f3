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

static struct strv secrets;

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

void
sanitize_add_secret(const char *s)
{
	/* Very short values would redact ordinary words; they are not secrets. */
	if (s != NULL && strlen(s) >= 4 && strv_find(&secrets, s) == -1)
		strv_add(&secrets, s);
}

void
sanitize_clear_secrets(void)
{
	strv_free(&secrets);
}

int
sanitize_has_secret(const char *s)
{
	for (size_t i = 0; i < secrets.n; i++)
		if (strstr(s, secrets.v[i]) != NULL)
			return 1;
	return 0;
}

/* The redacted bytes in b (binary: NUL bytes are kept). */
static void
redact_into(struct buf *b, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t matched = 0;
		for (size_t k = 0; k < secrets.n; k++) {
			size_t n = strlen(secrets.v[k]);
			if (n <= len - i && memcmp(s + i, secrets.v[k], n) == 0) {
				matched = n;
				break;
			}
		}
		if (matched) {
			buf_adds(b, "[secret]");
			i += matched;
		} else {
			buf_addc(b, s[i]);
			i++;
		}
	}
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
