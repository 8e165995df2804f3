/* The sanitizer: what can reach the terminal, and how wide it is. */
#include "config.h"

#include <string.h>

#include "sanitize.h"
#include "tap.h"
#include "util.h"

static int
has_byte_below_space(const char *s, int allow_newline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(allow_newline && *p == '\n')) || *p == 0x7f)
			return 1;
	return 0;
}

/* No C1 control as a code point (C2 80..C2 9F) survives. */
static int
has_c1(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			return 1;
	return 0;
}

static void
check(const char *name, const char *in, size_t len, const char *want)
{
	char *got = sanitize_text(in, len, 0);
	is_str(got, want, "%s", name);
	ok(!has_byte_below_space(got, 0) && !has_c1(got), "%s: nothing unprintable left", name);
	free(got);
}

int
main(void)
{
	sanitize_init();
	check("plain ASCII", "hello world", 11, "hello world");
	check("ESC of an OSC title", "\x1b]0;pwned\x07", 10, "\xe2\x90\x9b]0;pwned\xe2\x90\x87");
	check("CSI cursor move", "\x1b[2J\x1b[H", 7, "\xe2\x90\x9b[2J\xe2\x90\x9b[H");
	check("CR overwrite", "ok\rFAIL", 7, "ok\xe2\x90\x8d" "FAIL");
	check("backspace overwrite", "ab\b\bXY", 6, "ab\xe2\x90\x88\xe2\x90\x88XY");
	check("DEL", "a\x7f" "b", 3, "a\xe2\x90\xa1" "b");
	check("C1 CSI as a code point", "a\xc2\x9b" "2J", 5, "a\xef\xbf\xbd" "2J");
	check("C1 CSI as a raw byte", "a\x9b" "2J", 4, "a\xef\xbf\xbd" "2J");
	check("valid U-umlaut whose second byte is 0x9C", "\xc3\x9c" "ber", 5, "\xc3\x9c" "ber");
	check("overlong slash", "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	check("surrogate", "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check("truncated sequence", "x\xe2\x82", 3, "x\xef\xbf\xbd\xef\xbf\xbd");
	check("bidi override", "\xe2\x80\xae" "evil", 7, "\xef\xbf\xbd" "evil");
	check("bidi isolate", "\xe2\x81\xa6" "x", 4, "\xef\xbf\xbd" "x");
	check("zero-width space", "a\xe2\x80\x8b" "b", 5, "a\xef\xbf\xbd" "b");
	check("line separator", "a\xe2\x80\xa8" "b", 5, "a\xef\xbf\xbd" "b");
	check("newline on one line", "a\nb", 3, "a\xe2\x90\xa4" "b");
	check("tab on one line", "a\tb", 3, "a b");
	check("NUL inside", "a\0b", 3, "a\xe2\x90\x80" "b");
	check("Cyrillic kept", "\xd0\xbf\xd1\x80\xd0\xb8", 6, "\xd0\xbf\xd1\x80\xd0\xb8");
	check("CJK kept", "\xe6\x97\xa5\xe6\x9c\xac", 6, "\xe6\x97\xa5\xe6\x9c\xac");
	check("leading combining mark", "\xcc\x81" "a", 3, "\xef\xbf\xbd" "a");

	char *m = sanitize_text("one\r\ntwo\nthree\x1b[1m", 18, SAN_MULTILINE);
	is_str(m, "one\ntwo\nthree\xe2\x90\x9b[1m", "multi-line keeps newlines, drops CR of CRLF");
	ok(!has_byte_below_space(m, 1), "multi-line: only newlines below space");
	free(m);
	m = sanitize_text("a\tb", 3, SAN_MULTILINE);
	is_str(m, "a       b", "multi-line expands tabs to the next 8 columns");
	free(m);

	is_int(text_width("abc"), 3, "ASCII width");
	is_int(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4, "CJK is two columns each");
	is_int(text_width("e\xcc\x81"), 1, "a combining mark takes no column");
	is_int(text_width("\xf0\x9f\x94\xa5"), 2, "emoji is two columns");
	is_int(text_width("\xd0\xbf\xd1\x80"), 2, "Cyrillic is one column each");
	int w;
	size_t n = text_fit("\xe6\x97\xa5\xe6\x9c\xac", 3, &w);
	is_int(n, 3, "a wide character that does not fit is left out whole");
	is_int(w, 2, "the cut is at a column boundary");
	n = text_fit("e\xcc\x81x", 1, &w);
	is_int(n, 3, "a combining mark stays with its base");
	char *e = text_ellipsize("abcdef", 4);
	is_str(e, "abc\xe2\x80\xa6", "ellipsized with a horizontal ellipsis");
	is_int(text_width(e), 4, "and still fits");
	free(e);

	sanitize_add_secret("s3cr3t-token");
	sanitize_add_secret("abc");	/* too short to be a secret */
	char *r = sanitize_str("url https://x/bots3cr3t-token/getMe abc");
	is_str(r, "url https://x/bot[secret]/getMe abc", "secrets are redacted, short words are not");
	free(r);
	ok(sanitize_has_secret("xx s3cr3t-token"), "has_secret finds it");
	r = sanitize_text("before\0after s3cr3t-token", 25, 0);
	is_str(r, "before\xe2\x90\x80" "after [secret]", "with a secret registered, a NUL hides nothing after it");
	free(r);
	sanitize_clear_secrets();

	/* every single byte value, alone: nothing unprintable survives */
	int clean = 1;
	for (int b = 0; b < 256; b++) {
		char in[2] = { (char)b, 0 };
		char *o = sanitize_text(in, 1, 0);
		if (has_byte_below_space(o, 0) || has_c1(o))
			clean = 0;
		free(o);
	}
	ok(clean, "all 256 single bytes come out printable");
	return tap_done();
}
