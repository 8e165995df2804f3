/*
 * stress: drives the fleet the way the console does, from one thread, for
 * a while: snapshots taken on every wake, messages drained, refreshes, log
 * requests, jobs started and cancelled. Built with ThreadSanitizer it shows
 * data races between the workers, the job threads and the main thread.
 *
 *   stress CONFIG SECONDS
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libssh/libssh.h>

#include "fleet.h"
#include "sanitize.h"

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: stress CONFIG SECONDS\n");
		return 2;
	}
	sanitize_init();
	ssh_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct conf c;
	char *cause = NULL;
	if (conf_load(&c, argv[1], &cause) == -1) {
		fprintf(stderr, "stress: %s\n", cause);
		return 2;
	}
	int wake[2];
	wake_pipe(wake);
	struct fleet *f = fleet_start(&c, wake[1], 0);
	size_t n = fleet_size(f);
	int64_t end = mono_ms() + atoi(argv[2]) * 1000LL;
	int64_t next_refresh = 0, next_logs = 0, next_job = 0;
	int64_t job = 0;
	unsigned long snaps = 0, msgs = 0, jobs = 0, seed = 1;
	while (mono_ms() < end) {
		if (wait_readable(wake[0], 100))
			wake_drain(wake[0]);
		for (size_t i = 0; i < n; i++) {
			struct host_snapshot *s = fleet_snapshot(f, i);
			/* read what the console reads */
			if (s->data != NULL)
				for (size_t k = 0; k < s->data->ncontainers; k++)
					snaps += strlen(s->data->containers[k].name);
			snaps += s->reason ? strlen(s->reason) : 0;
			snapshot_unref(&s);
		}
		struct fleet_msg *m = fleet_take_messages(f);
		for (struct fleet_msg *p = m; p; p = p->next)
			msgs += p->len + 1;
		fleet_msg_free(m);
		int64_t now = mono_ms();
		seed = seed * 1103515245 + 12345;
		if (now >= next_refresh) {
			fleet_refresh(f, (int)(seed % (n + 1)) - 1);
			next_refresh = now + 700;
		}
		if (now >= next_logs) {
			fleet_request_logs(f, seed % n, "bot", 0, 20);
			next_logs = now + 900;
		}
		if (now >= next_job) {
			if (job > 0)
				fleet_job_cancel(f, job);
			job = fleet_job_start(f, seed % n, "echo start; sleep 2; echo end", &cause);
			free(cause);
			cause = NULL;
			jobs++;
			next_job = now + 1500;
		}
	}
	fleet_stop(&f);
	close(wake[0]);
	close(wake[1]);
	printf("stress: %zu hosts, %lu snapshot bytes read, %lu message bytes, %lu jobs\n", n, snaps,
	    msgs, jobs);
	conf_free(&c);
	curl_global_cleanup();
	ssh_finalize();
	return 0;
}
