/*
 * A minimal TAP producer for the unit tests (automake's tap-driver.sh reads
 * it). Each test binary prints "1..N" at the end (tap_done) so cases may be
 * added without counting them.
 */
#ifndef SITREP_TAP_H
#define SITREP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_n, tap_failed;
#define TAP_UNUSED __attribute__((unused))

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static void TAP_UNUSED __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
}

static void TAP_UNUSED __attribute__((format(printf, 5, 6)))
tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tap_ok(got == want, file, line, "%s", msg);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
}

static void TAP_UNUSED __attribute__((format(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	tap_ok(pass, file, line, "%s", msg);
	if (!pass)
		printf("#   got  '%s'\n#   want '%s'\n", got ? got : "(null)", want ? want : "(null)");
}

static int TAP_UNUSED
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Reads a fixture relative to $srcdir (automake sets it) or the cwd. */
static TAP_UNUSED char *
tap_fixture(const char *rel, size_t *len)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", srcdir ? srcdir : ".", rel);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		printf("Bail out! cannot open fixture %s\n", path);
		exit(1);
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* s on one line (newlines as \n), for a test's name; four may be used at once. */
static TAP_UNUSED const char *
tap_one_line(const char *s)
{
	static char lines[4][300];
	static int next;
	char *line = lines[next++ % 4];
	size_t n = 0;
	for (; *s != '\0' && n + 3 < sizeof lines[0]; s++) {
		if (*s == '\n') {
			line[n++] = '\\';
			line[n++] = 'n';
		} else
			line[n++] = *s;
	}
	line[n] = '\0';
	return line;
}

/* Runs command with /bin/sh in dir; returns its standard output (freed by the caller). */
static TAP_UNUSED char *
tap_run_sh(const char *dir, const char *command)
{
	char path[4096], cmd[4200];
	snprintf(path, sizeof path, "%s/sitrep-test-sh-XXXXXX", dir);
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	size_t cap = 512, n = 0, got;
	char *out = malloc(cap + 1);
	out[0] = '\0';
	if (f == NULL)
		return out;
	fprintf(f, "%s\n", command);
	fclose(f);
	snprintf(cmd, sizeof cmd, "cd '%s' && /bin/sh '%s' 2>/dev/null", dir, path);
	FILE *p = popen(cmd, "r");
	while (p != NULL && (got = fread(out + n, 1, cap - n, p)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			out = realloc(out, cap + 1);
		}
	}
	if (p != NULL)
		pclose(p);
	out[n] = '\0';
	unlink(path);
	return out;
}

#endif
