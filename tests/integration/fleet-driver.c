/*
 * fleet-driver: the fleet's workers against real hosts, for
 * tests/integration/fleet-events.sh, which changes the hosts and judges
 * what this prints.
 *
 *   fleet-driver CONFIG SECONDS HOST CONTAINER...
 *	Starts every host's worker as the console does (fleet_start) and,
 *	for SECONDS, prints one line per snapshot HOST publishes:
 *	"pub MS SEQ STATE...", MS the wall clock (ms since the epoch, as the
 *	test's `date +%s%N` reads it), a STATE per CONTAINER, its
 *	engine state ("-" when it is not listed). The log goes to $SITREP_LOG.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf.h"
#include "fleet.h"
#include "sanitize.h"
#include "util.h"

static const char *
container_state(const struct host_snapshot *s, const char *name)
{
	if (s->data == NULL)
		return "-";
	for (size_t i = 0; i < s->data->ncontainers; i++) {
		const struct container *c = &s->data->containers[i];
		if (c->name != NULL && strcmp(c->name, name) == 0)
			return c->engine_state ? c->engine_state : "?";
	}
	return "-";
}

int
main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: fleet-driver CONFIG SECONDS HOST CONTAINER...\n");
		return 2;
	}
	sanitize_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char *cause = NULL;
	if (getenv("SITREP_LOG") != NULL && log_open(getenv("SITREP_LOG"), &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return 2;
	}
	struct conf cf;
	conf_init(&cf);
	if (conf_load(&cf, argv[1], &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return 2;
	}
	size_t host = cf.nhosts;
	for (size_t i = 0; i < cf.nhosts; i++)
		if (strcmp(cf.hosts[i].name, argv[3]) == 0)
			host = i;
	if (host == cf.nhosts) {
		fprintf(stderr, "%s: no such host\n", argv[3]);
		return 2;
	}
	int wake[2];
	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) == -1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct fleet *f = fleet_start(&cf, wake[1], 0);
	int64_t start = mono_ms(), end = start + atoll(argv[2]) * 1000;
	uint64_t seen = 0;
	while (mono_ms() < end) {
		if (wait_readable(wake[0], 100))
			wake_drain(wake[0]);
		struct host_snapshot *s = fleet_snapshot(f, host);
		if (s->seq != seen && s->data != NULL) {
			seen = s->seq;
			printf("pub %lld %llu", (long long)wall_ms(),
			    (unsigned long long)s->seq);
			for (int i = 4; i < argc; i++)
				printf(" %s", container_state(s, argv[i]));
			printf("\n");
		}
		snapshot_unref(&s);
	}
	fleet_stop(&f);
	conf_free(&cf);
	curl_global_cleanup();
	return 0;
}
