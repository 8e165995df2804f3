/*
 * util: the small pieces every module uses. See util.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sanitize.h"
#include "util.h"

static void ATTR_NORETURN
out_of_memory(void)
{
	static const char msg[] = "sitrep: out of memory\n";
	ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)n;
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		out_of_memory();
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
freep(void *p)
{
	void **pp = p;
	free(*pp);
	*pp = NULL;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

static void
buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			out_of_memory();
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		out_of_memory();
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *
buf_take(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	buf_init(b);
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
strv_addn(struct strv *sv, const char *s, size_t n)
{
	sv->v = xreallocarray(sv->v, sv->n + 2, sizeof *sv->v);
	sv->v[sv->n++] = xstrndup(s, n);
	sv->v[sv->n] = NULL;
}

void
strv_add(struct strv *sv, const char *s)
{
	strv_addn(sv, s, strlen(s));
}

int
strv_find(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return (int)i;
	return -1;
}

void
strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

void
strv_copy(struct strv *dst, const struct strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		strv_add(dst, src->v[i]);
}

char *
strv_join(const struct strv *sv, const char *sep)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			buf_adds(&b, sep);
		buf_adds(&b, sv->v[i]);
	}
	return buf_take(&b);
}

int
set_cause(char **cause, const char *fmt, ...)
{
	if (cause != NULL) {
		va_list ap;
		va_start(ap, fmt);
		free(*cause);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

int64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
to_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000);
	if (ms < 0 && ms % 1000)
		t--;
	gmtime_r(&t, tm);
}

void
fmt_utc(char *out, size_t size, int64_t ms)
{
	struct tm tm;
	to_tm(ms, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
fmt_utc_hms(char *out, size_t size, int64_t ms)
{
	struct tm tm;
	to_tm(ms, &tm);
	strftime(out, size, "%H:%M:%S", &tm);
}

/* Exactly n decimal digits at *p (no sign, no space), advancing *p; -1 if not. */
static int
fixed_digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

int
parse_utc(const char *s, int64_t *ms)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if ((y = fixed_digits(&p, 4)) < 0 || *p++ != '-' || (mo = fixed_digits(&p, 2)) < 0 ||
	    *p++ != '-' || (d = fixed_digits(&p, 2)) < 0)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if ((h = fixed_digits(&p, 2)) < 0 || *p++ != ':' || (mi = fixed_digits(&p, 2)) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if ((sec = fixed_digits(&p, 2)) < 0)
				return -1;
		}
		if (*p == 'Z')
			p++;
	}
	if (*p != '\0')
		return -1;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	*ms = utc_ms(y, mo, d, h, mi, sec);
	return 0;
}

int64_t
utc_ms(int year, int month, int day, int hour, int min, int sec)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm) * 1000;
}

void
fmt_duration(char *out, size_t size, int64_t ms)
{
	const char *sign = ms < 0 ? "-" : "";
	int64_t s = (ms < 0 ? -ms : ms) / 1000;
	if (s < 60)
		snprintf(out, size, "%s%llds", sign, (long long)s);
	else if (s < 3600)
		snprintf(out, size, "%s%lldm%02llds", sign, (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(out, size, "%s%lldh%02lldm", sign, (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(out, size, "%s%lldd%02lldh", sign, (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

void
fmt_clock(char *out, size_t size, int64_t ms)
{
	const char *sign = ms < 0 ? "-" : "";
	int64_t s = (ms < 0 ? -ms : ms) / 1000;
	if (s >= 86400)
		snprintf(out, size, "%s%lldd %02lld:%02lld:%02lld", sign, (long long)(s / 86400),
		    (long long)(s % 86400 / 3600), (long long)(s % 3600 / 60), (long long)(s % 60));
	else
		snprintf(out, size, "%s%02lld:%02lld:%02lld", sign, (long long)(s / 3600),
		    (long long)(s % 3600 / 60), (long long)(s % 60));
}

void
fmt_bytes(char *out, size_t size, uint64_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1024 && u + 1 < nitems(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, size, "%llu B", (unsigned long long)n);
	else
		snprintf(out, size, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* Why a file of this mode is not read as one. */
static const char *
not_regular(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory, not a file" :
	    S_ISFIFO(mode) ? "a FIFO, not a regular file" :
	    S_ISSOCK(mode) ? "a socket, not a regular file" :
	    "a device, not a regular file";
}

int
file_check_regular(const char *path, char **cause)
{
	struct stat st;
	if (stat(path, &st) == -1)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return set_cause(cause, "%s: %s", path, not_regular(st.st_mode));
	return 0;
}

char *
file_read(const char *path, size_t max, size_t *lenp, char **cause)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		set_cause(cause, "%s: %s", path, not_regular(st.st_mode));
		close(fd);
		return NULL;
	}
	struct buf b;
	buf_init(&b);
	char chunk[8192];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			set_cause(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			set_cause(cause, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (lenp)
		*lenp = b.len;
	return buf_take(&b);
fail:
	close(fd);
	buf_free(&b);
	return NULL;
}

static int
write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* A device or a FIFO is written in place: it cannot be replaced by rename. */
static int
write_in_place(const char *path, const char *data, size_t len, char **cause)
{
	/* O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of hanging */
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return set_cause(cause, "%s: %s", path, errno == ENXIO ?
		    "a FIFO with no reader" : strerror(errno));
	int flags = fcntl(fd, F_GETFL);
	if (flags != -1)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if (write_all(fd, data, len) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	return 0;
}

int
file_write_atomic(const char *path, const char *data, size_t len, char **cause)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return set_cause(cause, "%s: a symbolic link (name the file it points to)", path);
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
			return write_in_place(path, data, len, cause);
		if (!S_ISREG(st.st_mode))
			return set_cause(cause, "%s: %s", path, S_ISDIR(st.st_mode) ?
			    "a directory" : "not a regular file");
	} else if (errno != ENOENT)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len) == -1) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
mkdir_p(const char *path, char **cause)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) == -1 && errno != EEXIST) {
				set_cause(cause, "%s: %s", p, strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

char *
xdg_dir(const char *kind)
{
	int config = strcmp(kind, "config") == 0;
	const char *env = getenv(config ? "XDG_CONFIG_HOME" : "XDG_DATA_HOME");
	if (env != NULL && env[0] == '/')
		return xasprintf("%s/sitrep", env);
	const char *home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = "/";
	return xasprintf("%s/%s/sitrep", home, config ? ".config" : ".local/share");
}

static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

int
log_open(const char *path, char **cause)
{
	/* O_NONBLOCK: a FIFO must not hold the program until something reads it */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return set_cause(cause, "%s: %s", str_quote_short(path), errno == ENXIO ?
		    "a FIFO, not a regular file" : strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == -1 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		return set_cause(cause, "%s: %s", str_quote_short(path),
		    "not a regular file (a log is a file, or a terminal or /dev/null)");
	}
	/* back to ordinary writes, as to any file */
	if (fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) == -1) {
		close(fd);
		return set_cause(cause, "%s: %s", str_quote_short(path), strerror(errno));
	}
	FILE *f = fdopen(fd, "a");
	if (f == NULL) {
		close(fd);
		return set_cause(cause, "%s: %s", str_quote_short(path), strerror(errno));
	}
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_msg(const char *fmt, ...)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL) {
		va_list ap;
		va_start(ap, fmt);
		char *msg = xvasprintf(fmt, ap);
		va_end(ap);
		char *safe = sanitize_line(msg, strlen(msg));
		char ts[32];
		fmt_utc(ts, sizeof ts, wall_ms());
		fprintf(log_file, "%s %s\n", ts, safe);
		free(safe);
		free(msg);
	}
	pthread_mutex_unlock(&log_lock);
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

const char *
str_quote_short(const char *s)
{
	static __thread char ring[4][STR_QUOTE_MAX + 40];
	static __thread unsigned next;
	if (s == NULL)
		return "";
	size_t len = strlen(s);
	if (len <= STR_QUOTE_MAX)
		return s;
	char *out = ring[next++ % 4];
	size_t cut = STR_QUOTE_MAX;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;	/* not inside a UTF-8 sequence */
	snprintf(out, sizeof ring[0], "%.*s\xe2\x80\xa6 (%zu bytes)", (int)cut, s, len);
	return out;
}

int
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *
str_trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int
parse_int(const char *s, long long min, long long max, long long *out)
{
	if (s == NULL || *s == '\0')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
wake_pipe(int fds[2])
{
	return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

void
wake_drain(int fd)
{
	char junk[256];
	while (read(fd, junk, sizeof junk) > 0)
		;
}

int
wait_readable(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int n = poll(&pfd, 1, ms);
	return n > 0;
}

char *
url_escape(const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9');
		if (alnum || strchr("-._~", *p) != NULL || strchr(keep, *p) != NULL)
			buf_addc(&b, (char)*p);
		else {
			buf_addc(&b, '%');
			buf_addc(&b, hex[*p >> 4]);
			buf_addc(&b, hex[*p & 15]);
		}
	}
	return buf_take(&b);
}
