/*
 * util: memory, growable buffers, string vectors, clocks and the log file.
 *
 * Allocation failure is fatal (there is nothing sensible an incident console
 * can do without memory), so callers never check x*() results.
 */
#ifndef SITREP_UTIL_H
#define SITREP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ATTR_NORETURN __attribute__((noreturn))

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) ATTR_PRINTF(1, 2);
char *xvasprintf(const char *, va_list) ATTR_PRINTF(1, 0);
/* Frees *p and sets it to NULL. */
void freep(void *p);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *);
void buf_add(struct buf *, const void *, size_t);
void buf_addc(struct buf *, char);
void buf_adds(struct buf *, const char *);
void buf_printf(struct buf *, const char *, ...) ATTR_PRINTF(2, 3);
void buf_reset(struct buf *);
/* Hands the data over to the caller (never NULL) and empties the buffer. */
char *buf_take(struct buf *);
void buf_free(struct buf *);

/* A vector of owned strings. */
struct strv {
	char **v;
	size_t n;
};
void strv_add(struct strv *, const char *);
void strv_addn(struct strv *, const char *, size_t);
int strv_find(const struct strv *, const char *);
void strv_free(struct strv *);
void strv_copy(struct strv *, const struct strv *);
char *strv_join(const struct strv *, const char *);

/*
 * Percent-encodes s for a part of a URL: unreserved characters (letters,
 * digits, - . _ ~) and those in keep stay, every other byte becomes %XX.
 */
char *url_escape(const char *s, const char *keep);
/* What a path keeps (RFC 3986 pchar and /), and one segment of it. */
#define URL_KEEP_PATH "!$&'()*+,;=:@/"
#define URL_KEEP_SEGMENT "!$&'()*+,;=:@"

/* Sets *cause (when cause is non-NULL) to a formatted message; returns -1. */
int set_cause(char **cause, const char *, ...) ATTR_PRINTF(2, 3);

/* Milliseconds on CLOCK_MONOTONIC: for elapsed times and deadlines. */
int64_t mono_ms(void);
/* Milliseconds since the epoch, UTC: for timestamps that are stored. */
int64_t wall_ms(void);
/* "2026-11-21T23:59:07Z" (size >= 21). */
void fmt_utc(char *, size_t, int64_t ms);
/* "23:59:07" in UTC (size >= 9). */
void fmt_utc_hms(char *, size_t, int64_t ms);
/* Milliseconds since the epoch of a UTC calendar time (fields as written). */
int64_t utc_ms(int year, int month, int day, int hour, int min, int sec);
/* Parses "2026-11-21", "2026-11-21T23:59:07Z", "2026-11-21 23:59": -1 on error. */
int parse_utc(const char *, int64_t *ms);
/* "1h02m", "45s", "3d04h": a compact duration. */
void fmt_duration(char *, size_t, int64_t ms);
/* "01:02:03" (or "1d 01:02:03"); negative durations get a '-' sign. */
void fmt_clock(char *, size_t, int64_t ms);
/* "12 KiB", "3.4 GiB". */
void fmt_bytes(char *, size_t, uint64_t);

/* 0 if path is a regular file; else -1 and why (a FIFO, a device, missing). */
int file_check_regular(const char *path, char **cause);
/* Reads a whole file (up to max bytes; larger is an error): NULL on error. */
char *file_read(const char *path, size_t max, size_t *len, char **cause);
/* Writes atomically (temp file then rename): -1 on error. */
int file_write_atomic(const char *path, const char *data, size_t len, char **cause);
/* mkdir -p with mode 0700 for new directories: -1 on error. */
int mkdir_p(const char *path, char **cause);
/* $XDG_CONFIG_HOME/sitrep or ~/.config/sitrep (and the data twin). */
char *xdg_dir(const char *kind);

/* The log file: quiet unless opened (SITREP_LOG or --log). Never the terminal. */
/* Opens (appends to) the log file: -1 with *cause if it cannot be written. */
int log_open(const char *path, char **cause);
void log_msg(const char *, ...) ATTR_PRINTF(1, 2);
void log_close(void);

int str_has_prefix(const char *, const char *);
/*
 * A value as a message quotes it: at most STR_QUOTE_MAX bytes, cut at a
 * character boundary, with "… (N bytes)" when cut. The result lives in a
 * thread-local buffer that the fourth next call reuses.
 */
#define STR_QUOTE_MAX 200
const char *str_quote_short(const char *);
char *str_trim(char *);
/* Parses a decimal integer fully; -1 on junk or out of [min,max]. */
int parse_int(const char *, long long min, long long max, long long *out);



/* A non-blocking, close-on-exec pipe for waking a poll() loop. */
int wake_pipe(int fds[2]);
/* Reads everything pending on a wake pipe. */
void wake_drain(int fd);
/* poll()s fd for input up to ms; 1 ready, 0 timeout. */
int wait_readable(int fd, int ms);

#endif
