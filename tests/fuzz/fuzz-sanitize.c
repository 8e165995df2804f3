/*
 * Fuzzes the gate between untrusted text and the terminal: sanitize_text()
 * with and without SAN_MULTILINE (and with a registered secret), the width
 * helpers (text_width, text_fit, text_ellipsize) and utf8_decode() over the
 * raw input. It checks what sanitize.h promises:
 *   - the output is valid UTF-8 (as utf8_decode reads it);
 *   - no byte below 0x20 but '\n' in multiline mode, no DEL, no C1 code
 *     point, no bidi control, zero-width or line-separator character, and
 *     every code point has a width (wcwidth >= 0);
 *   - a registered secret never comes out;
 *   - text_fit never returns a width above its limit, and cuts sanitized
 *     text on code point boundaries; text_ellipsize fits its width;
 *   - utf8_decode accepts exactly what utf8_encode writes back.
 */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "fuzz.h"
#include "sanitize.h"

#define SECRET "Zq7-fuzz-secret-Tok"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

/* Characters that can reorder, hide or split text: never shown as such. */
static int
is_hidden(uint32_t cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
	    (cp >= 0x2028 && cp <= 0x202E) || cp == 0x2060 ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* The promises of sanitize_text()'s output; returns the number of code points. */
static size_t
check_clean(const char *s, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n = 0;
	while (i < len) {
		uint32_t cp;
		int k = utf8_decode(p + i, len - i, &cp);
		FUZZ_ASSERT(k > 0);
		FUZZ_ASSERT(cp >= 0x20 || (multiline && cp == '\n'));
		FUZZ_ASSERT(cp != 0x7F);
		FUZZ_ASSERT(cp < 0x80 || cp > 0x9F);
		FUZZ_ASSERT(!is_hidden(cp));
		FUZZ_ASSERT(cp == '\n' || wcwidth((wchar_t)cp) >= 0);
		i += (size_t)k;
		n++;
	}
	return n;
}

/* Whether s[0..n) ends on a code point boundary of s. */
static int
on_boundary(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	while (i < n) {
		uint32_t cp;
		int k = utf8_decode(p + i, len - i, &cp);
		i += k > 0 ? (size_t)k : 1;
	}
	return i == n;
}

static void
check_widths(const char *s, int sanitized)
{
	static const int cols[] = { 0, 1, 2, 3, 5, 8, 13, 40, 80, 200 };
	size_t len = strlen(s);
	int total = text_width(s);
	FUZZ_ASSERT(total >= 0);
	for (size_t i = 0; i < nitems(cols); i++) {
		int w = -1;
		size_t fit = text_fit(s, cols[i], &w);
		FUZZ_ASSERT(w >= 0 && w <= cols[i]);
		FUZZ_ASSERT(fit <= len);
		FUZZ_ASSERT(w <= total);
		FUZZ_ASSERT(text_fit(s, cols[i], NULL) == fit);
		if (sanitized) {
			FUZZ_ASSERT(on_boundary(s, fit));
			char *cut = xstrndup(s, fit);
			FUZZ_ASSERT(text_width(cut) == w);
			free(cut);
		}
		char *e = text_ellipsize(s, cols[i]);
		FUZZ_ASSERT(e != NULL && strlen(e) <= len + 3);
		if (sanitized) {
			check_clean(e, 1);
			FUZZ_ASSERT(text_width(e) <= cols[i]);
		}
		/* what fits is kept whole (no column at all gives "") */
		if (cols[i] > 0 && total <= cols[i])
			FUZZ_ASSERT(strcmp(e, s) == 0);
		free(e);
	}
	/* the whole text fits in its own width */
	int w;
	FUZZ_ASSERT(text_fit(s, total, &w) == len && w == total);
	char *e = text_ellipsize(s, -1);
	FUZZ_ASSERT(*e == '\0');
	free(e);
}

/* utf8_decode over the raw input: what it accepts re-encodes to the same bytes. */
static void
check_decode(const uint8_t *data, size_t size)
{
	size_t i = 0;
	while (i < size) {
		uint32_t cp;
		int n = utf8_decode(data + i, size - i, &cp);
		if (n < 0) {
			i++;
			continue;
		}
		FUZZ_ASSERT(n >= 1 && n <= 4 && (size_t)n <= size - i);
		FUZZ_ASSERT(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
		char enc[4];
		FUZZ_ASSERT(utf8_encode(cp, enc) == n);
		FUZZ_ASSERT(memcmp(enc, data + i, (size_t)n) == 0);
		i += (size_t)n;
	}
	uint32_t cp;
	FUZZ_ASSERT(utf8_decode(data, 0, &cp) == -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	check_decode(data, size);

	char *line = sanitize_text(in, size, 0);
	char *multi = sanitize_text(in, size, SAN_MULTILINE);
	FUZZ_ASSERT(line != NULL && multi != NULL);
	size_t ncp = check_clean(line, 0);
	check_clean(multi, 1);
	/* one line: at least one code point per input byte is not lost */
	FUZZ_ASSERT(size == 0 || ncp > 0);
	FUZZ_ASSERT(strchr(line, '\n') == NULL);
	check_widths(line, 1);
	check_widths(multi, 1);

	/* the width helpers over raw text (cut at its first NUL) must not overrun */
	char *raw = fuzz_string(data, size);
	check_widths(raw, 0);
	free(raw);

	/* with a secret registered: it never comes out; nothing else changes */
	sanitize_add_secret(SECRET);
	char *red = sanitize_text(in, size, SAN_MULTILINE);
	check_clean(red, 1);
	FUZZ_ASSERT(strstr(red, SECRET) == NULL);
	FUZZ_ASSERT(sanitize_has_secret(red) == 0);
	/* input without the secret comes out as without one, NUL bytes and all */
	if (memmem(in, size, SECRET, strlen(SECRET)) == NULL)
		FUZZ_ASSERT(strcmp(red, multi) == 0);
	free(red);
	sanitize_clear_secrets();

	/*
	 * secrets that begin one another and one that overlaps itself: in
	 * pieces of any size the redactor gives what the whole text gives,
	 * and none of them is left
	 */
	static const char *const nested[] = { "Zq7-", "Zq7-fuzz", "Zq7-fuzz-secret-Tok", "aaaa" };
	for (size_t k = 0; k < 4; k++)
		sanitize_add_secret(nested[k]);
	size_t piece = size > 0 ? 1 + (size_t)data[0] % 23 : 1;
	struct redactor rd;
	struct buf whole, out;
	redactor_init(&rd);
	buf_init(&whole);
	buf_adds(&whole, "");
	redactor_feed(&rd, in, size, &whole);
	redactor_finish(&rd, &whole);
	buf_init(&out);
	buf_adds(&out, "");
	for (size_t at = 0; at < size; at += piece)
		redactor_feed(&rd, in + at, size - at < piece ? size - at : piece, &out);
	redactor_finish(&rd, &out);
	FUZZ_ASSERT(out.len == whole.len && memcmp(out.data, whole.data, out.len) == 0);
	for (size_t k = 0; k < 4; k++)
		FUZZ_ASSERT(memmem(out.data, out.len, nested[k], strlen(nested[k])) == NULL);
	redactor_clear(&rd);
	buf_free(&out);
	buf_free(&whole);
	sanitize_clear_secrets();

	free(line);
	free(multi);
	return 0;
}
