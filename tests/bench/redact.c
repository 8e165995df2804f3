/*
 * redact: what redaction costs on a command's output. 64 MiB of log-like
 * text with 10 registered secrets (16 to 61 bytes, one occurrence per
 * 64 KiB), redacted whole (sanitize_redact) and in 16 KiB reads through a
 * redactor (as exec output is), against copying the same bytes. Then the
 * same with secrets that all begin with 'e', the commonest letter of the
 * text, so that nearly every tenth byte must be compared.
 *
 * Times are CPU time of the thread (the machine may be shared).
 *
 * usage: redact [MiB]    prints one line per measurement, best of 3
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sanitize.h"
#include "util.h"

#define NSECRETS 10
#define CHUNK 16384

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
make_secrets(char secrets[NSECRETS][64], char first)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	sanitize_clear_secrets();
	for (int i = 0; i < NSECRETS; i++) {
		int n = 16 + i * 5;
		for (int k = 0; k < n; k++)
			secrets[i][k] = alnum[rand() % 62];
		if (first)
			secrets[i][0] = first;
		secrets[i][n] = '\0';
		sanitize_add_secret(secrets[i]);
	}
}

static char *
make_text(size_t len, char secrets[NSECRETS][64])
{
	static const char *const words[] = { "the", "service", "restarted", "error", "connection",
	    "reset", "by", "peer", "request", "took", "ms", "GET", "/api/health", "200", "user",
	    "session", "expired", "retrying", "in", "seconds", "worker", "queue", "depth" };
	char *t = xmalloc(len + 1);
	size_t at = 0, next_secret = 65536;
	int line = 0;
	while (at < len) {
		char piece[128];
		int n;
		if (at >= next_secret) {
			n = snprintf(piece, sizeof piece, " token=%s", secrets[(next_secret >> 16) %
			    NSECRETS]);
			next_secret += 65536;
		} else if (line++ % 12 == 11)
			n = snprintf(piece, sizeof piece, "\n2026-12-07T12:00:%02d ", line % 60);
		else
			n = snprintf(piece, sizeof piece, " %s", words[rand() % nitems(words)]);
		size_t take = (size_t)n < len - at ? (size_t)n : len - at;
		memcpy(t + at, piece, take);
		at += take;
	}
	t[len] = '\0';
	return t;
}

static void
measure(const char *what, const char *text, size_t len)
{
	double best_whole = 1e9, best_pieces = 1e9, best_copy = 1e9;
	size_t out_len = 0;
	for (int run = 0; run < 3; run++) {
		double t0 = now_s();
		char *r = sanitize_redact(text, len);
		double t1 = now_s();
		out_len = strlen(r);
		free(r);
		struct redactor rd;
		struct buf out;
		redactor_init(&rd);
		buf_init(&out);
		double t2 = now_s();
		for (size_t at = 0; at < len; at += CHUNK) {
			redactor_feed(&rd, text + at, len - at < CHUNK ? len - at : CHUNK, &out);
			out.len = 0;	/* handed on: as exec does, nothing grows */
		}
		redactor_finish(&rd, &out);
		double t3 = now_s();
		redactor_clear(&rd);
		buf_free(&out);
		buf_init(&out);
		double t4 = now_s();
		for (size_t at = 0; at < len; at += CHUNK) {
			buf_add(&out, text + at, len - at < CHUNK ? len - at : CHUNK);
			out.len = 0;
		}
		double t5 = now_s();
		buf_free(&out);
		if (t1 - t0 < best_whole)
			best_whole = t1 - t0;
		if (t3 - t2 < best_pieces)
			best_pieces = t3 - t2;
		if (t5 - t4 < best_copy)
			best_copy = t5 - t4;
	}
	double mib = (double)len / (1024 * 1024);
	printf("%s: %.0f MiB, %d secrets (%zu bytes out): whole %.1f ms (%.0f MiB/s), "
	    "16 KiB reads %.1f ms (%.0f MiB/s), copy only %.1f ms\n", what, mib, NSECRETS, out_len,
	    best_whole * 1e3, mib / best_whole, best_pieces * 1e3, mib / best_pieces,
	    best_copy * 1e3);
}

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	size_t len = mib * 1024 * 1024;
	char secrets[NSECRETS][64];
	srand(1);
	make_secrets(secrets, 0);
	char *text = make_text(len, secrets);
	measure("random first bytes", text, len);
	free(text);
	make_secrets(secrets, 'e');
	text = make_text(len, secrets);
	measure("all begin with 'e'", text, len);
	free(text);
	sanitize_clear_secrets();
	return 0;
}
