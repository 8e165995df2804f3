/*
 * follow: how soon a second sitrep sees what one records in a shared
 * store. A writer records N notes (incident_note: one transaction and
 * its NOTIFY); a follower on its own connection waits in poll() on the
 * store's descriptor, then reads the newest event, as the console does.
 * Prints one latency per line in microseconds: from just before the
 * writer's call to the follower holding the note's text.
 *
 * usage: follow STORE N
 */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incident.h"
#include "store.h"
#include "util.h"

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
die(const char *what, char *cause)
{
	fprintf(stderr, "follow: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

/* Waits until the newest event's text is want; polls the descriptor (or every ms). */
static void
wait_for(struct store *s, int64_t id, const char *want)
{
	for (;;) {
		struct event *ev;
		size_t n;
		char *cause = NULL;
		if (store_events(s, id, 1, &ev, &n, &cause) == -1)
			die("reading", cause);
		int seen = n == 1 && strstr(ev[0].text, want) != NULL;
		events_free(ev, n);
		if (seen)
			return;
		int64_t v = store_data_version(s);
		struct pollfd p = { store_wait_fd(s), POLLIN, 0 };
		while (store_data_version(s) == v)
			poll(&p, p.fd >= 0 ? 1 : 0, p.fd >= 0 ? 1000 : 1);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: follow STORE N\n"), 2;
	int n = atoi(argv[2]);
	char *cause = NULL;
	struct store *w, *f;
	if (store_open(argv[1], 0, &w, &cause) == -1 || store_open(argv[1], 1, &f, &cause) == -1)
		die(argv[1], cause);
	struct recorder r = { .store = w, .operator_name = "bench" };
	struct incident in = { .title = xstrdup("follow"), .severity = 1 };
	if (incident_open(&r, &in, 0, &cause) == -1)
		die("open", cause);
	for (int i = 0; i < n; i++) {
		char text[64];
		snprintf(text, sizeof text, "note %d of %d", i + 1, n);
		int64_t t0 = now_us();
		if (incident_note(&r, in.id, text, &cause) == -1)
			die("note", cause);
		wait_for(f, in.id, text);
		printf("%lld\n", (long long)(now_us() - t0));
	}
	incident_clear(&in);
	store_close(&f);
	store_close(&w);
	return 0;
}
