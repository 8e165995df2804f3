/*
 * sanitize: the one gate between untrusted text (hosts, runbooks, notes,
 * command output) and the terminal or a report.
 *
 * Output is valid UTF-8 in which every code point is printable:
 *   C0 controls and DEL       -> control pictures (U+2400..U+241F, U+2421): ␛ ␍ ␈
 *   C1 controls, invalid or overlong UTF-8, surrogates, unprintable code
 *   points, bidi controls, zero-width and line-separator characters -> U+FFFD
 *   tabs                      -> spaces
 *   newlines                  -> kept with SAN_MULTILINE, else ␤ (U+2424)
 * Registered secrets are replaced by "[secret]" before anything else.
 *
 * Width helpers measure sanitized text in terminal columns (wcwidth) and cut
 * it at column boundaries, keeping combining marks with their base.
 */
#ifndef SITREP_SANITIZE_H
#define SITREP_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SAN_MULTILINE 0x1

/* Makes sure LC_CTYPE is a UTF-8 locale (wcwidth depends on it). */
void sanitize_init(void);
char *sanitize_text(const char *, size_t, int flags);
/* sanitize_text() without SAN_MULTILINE. */
char *sanitize_line(const char *, size_t);
/* Convenience for NUL-terminated strings; NULL gives "". */
char *sanitize_str(const char *);

/*
 * Valid UTF-8 for a machine reader (JSON): invalid or overlong sequences
 * and NUL become U+FFFD; everything else, controls included, is kept.
 */
char *sanitize_utf8(const char *, size_t);

/*
 * Secrets are registered at start-up, before any thread starts. Every
 * occurrence of every secret is replaced by SECRET_MARK; where secrets
 * overlap (one begins another), the longest that matches wins. Values
 * shorter than SECRET_MIN bytes are not secrets (they would redact words).
 */
#define SECRET_MARK "[secret]"
#define SECRET_MIN 4
void sanitize_add_secret(const char *);
void sanitize_clear_secrets(void);
/* The longest secret's length in bytes (0: none). */
size_t sanitize_secret_max(void);
/* A copy of the input with every registered secret replaced. */
char *sanitize_redact(const char *, size_t);
int sanitize_has_secret(const char *);
/*
 * Redacts s, then cuts it to at most max bytes: the text redacted whole is
 * cut, so a cut never leaves the start of a secret, nor half a marker.
 * NUL-terminated; *outlen (if non-NULL) gets its length (NULs inside kept).
 */
char *sanitize_redact_max(const char *s, size_t len, size_t max, size_t *outlen);
/*
 * Where to cut redacted text s of len bytes to keep at most at bytes: at,
 * or less so as not to cut a SECRET_MARK in two.
 */
size_t redact_cut(const char *s, size_t len, size_t at);

/*
 * Redacts text that arrives in pieces (command output, a response body):
 * a secret split across pieces is replaced all the same. Bytes that may
 * begin a secret are held back (the longest secret's length - 1 at most,
 * unless overlapping secrets chain on) until the next piece decides, or
 * redactor_finish() at the end. What comes
 * out is what sanitize_redact() would make of the whole text.
 */
struct redactor {
	struct buf held;
};
void redactor_init(struct redactor *);
/* Appends to out the redacted bytes that no later piece can change. */
void redactor_feed(struct redactor *, const char *, size_t, struct buf *out);
/* Appends what was held back; the redactor may then be fed anew. */
void redactor_finish(struct redactor *, struct buf *out);
void redactor_clear(struct redactor *);

/*
 * Decodes one UTF-8 sequence strictly. Returns its length (1-4) and sets *cp,
 * or returns -1 (invalid, overlong, surrogate, out of range or truncated);
 * the caller then skips one byte.
 */
int utf8_decode(const unsigned char *, size_t, uint32_t *cp);
/* Encodes cp into out (>= 4 bytes); returns the length. */
int utf8_encode(uint32_t cp, char *out);

/* Columns taken by sanitized text. */
int text_width(const char *);
/* Bytes of the longest prefix of s that fits in cols; *width gets its width. */
size_t text_fit(const char *s, int cols, int *width);
/* A new string cut to at most cols columns, with "…" when cut. */
char *text_ellipsize(const char *s, int cols);

/*
 * Text that may reach the terminal. It is made only by safe_untrusted(),
 * safe_printf() (both sanitize what they are given) and SAFE_LITERAL() (a
 * string literal written in this program: anything else does not compile).
 * draw.c's functions take nothing else for text, and free what it owns.
 */
struct safe_str {
	const char *s;
	char *owned;
};
#define SAFE_LITERAL(lit) ((struct safe_str){ "" lit "", NULL })
/* Sanitized single-line copy of untrusted text; NULL gives "". */
struct safe_str safe_untrusted(const char *);
struct safe_str safe_untrusted_n(const char *, size_t);
/* Formats, then sanitizes the result as a single line. */
struct safe_str safe_printf(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Frees what the text owns (draw.c does it for the text it is given). */
void safe_str_free(struct safe_str *);

#endif
