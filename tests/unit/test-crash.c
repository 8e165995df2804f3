/*
 * Crash safety: 200 trials of a scripted incident killed with SIGKILL at a
 * random moment. After each: PRAGMA integrity_check is ok and every event
 * the writer had reported committed is in the store.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "incident.h"
#include "sanitize.h"
#include "tap.h"

#define TRIALS 200

/* The writer: incident operations, reporting each committed event id. */
static void ATTR_NORETURN
writer(const char *path, int out, unsigned seed)
{
	struct store *s;
	char *cause = NULL;
	if (store_open(path, 0, &s, &cause) == -1)
		_exit(2);
	struct recorder r = { .store = s, .operator_name = "crash" };
	struct incident in;
	int found = store_incident_open_latest(s, &in, &cause);
	if (found != 1) {
		memset(&in, 0, sizeof in);
		in.title = xstrdup("crash trial");
		in.severity = 1;
		in.data_loss_s = -1;
		if (incident_open(&r, &in, 0, &cause) == -1)
			_exit(3);
	}
	srand(seed);
	for (int i = 0; ; i++) {
		char text[64];
		snprintf(text, sizeof text, "n-%u-%d", seed, i);
		int rc;
		switch (rand() % 4) {
		case 0:
			rc = incident_note(&r, in.id, text, &cause);
			break;
		case 1:
			rc = incident_tick(&r, in.id, "triage", i % 7, text, i & 1, &cause);
			snprintf(text, sizeof text, "%s %s: n-%u-%d", i & 1 ? "[x]" : "[ ]", "triage", seed, i);
			break;
		case 2: {
			struct step_run sr = { .runbook = "rb", .number = i, .title = text, .timebox_s = 60 };
			rc = incident_step_start(&r, in.id, &sr, &cause) > 0 ? 0 : -1;
			snprintf(text, sizeof text, "step %d started: n-%u-%d", i, seed, i);
			break;
		}
		default:
			rc = incident_fleet_event(&r, in.id, "h1", "restarted", text, 0, &cause);
			break;
		}
		if (rc == 0) {
			/* reported only once committed */
			char line[96];
			int n = snprintf(line, sizeof line, "%s\n", text);
			if (write(out, line, (size_t)n) != n)
				_exit(4);
		}
	}
}

static int
event_present(struct store *s, const char *text)
{
	sqlite3_stmt *st;
	int found = 0;
	if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM event WHERE instr(text, ?) > 0 LIMIT 1", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int
main(void)
{
	sanitize_init();
	char dir[] = "/tmp/sitrep-test-crash-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char *path = xasprintf("%s/s.db", dir);
	srand((unsigned)time(NULL));
	int bad_integrity = 0, lost = 0, reported_total = 0, killed_mid = 0;
	for (int t = 0; t < TRIALS; t++) {
		int p[2];
		if (pipe(p) == -1)
			return 1;
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			writer(path, p[1], (unsigned)t * 7919u + 1);
		}
		close(p[1]);
		/*
		 * A random moment once the writer is writing: after its first
		 * committed event (however long a loaded machine takes to get
		 * there), 0 to 40 ms more of writing.
		 */
		struct buf got;
		buf_init(&got);
		char chunk[4096];
		ssize_t n;
		struct pollfd pfd = { p[0], POLLIN, 0 };
		if (poll(&pfd, 1, 30000) == 1 && (n = read(p[0], chunk, sizeof chunk)) > 0)
			buf_add(&got, chunk, (size_t)n);
		else
			printf("# trial %d: no event committed in 30 s\n", t);
		usleep((useconds_t)(rand() % 40000));
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		killed_mid += WIFSIGNALED(status);
		while ((n = read(p[0], chunk, sizeof chunk)) > 0)
			buf_add(&got, chunk, (size_t)n);
		close(p[0]);
		struct store *s;
		char *cause = NULL;
		if (store_open(path, 0, &s, &cause) == -1) {
			bad_integrity++;
			printf("# trial %d: cannot open: %s\n", t, cause);
			free(cause);
			buf_free(&got);
			continue;
		}
		sqlite3_stmt *st;
		sqlite3_prepare_v2(store_db(s), "PRAGMA integrity_check", -1, &st, NULL);
		if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
			bad_integrity++;
		sqlite3_finalize(st);
		/* every line but a torn last one was fully reported */
		char *save = NULL;
		for (char *line = got.data ? strtok_r(got.data, "\n", &save) : NULL; line;
		    line = strtok_r(NULL, "\n", &save)) {
			if (save == NULL || (*save == '\0' && got.data[got.len - 1] != '\n'))
				break;
			reported_total++;
			if (!event_present(s, line)) {
				lost++;
				printf("# trial %d: lost '%s'\n", t, line);
			}
		}
		store_close(&s);
		buf_free(&got);
	}
	is_int(bad_integrity, 0, "%d trials killed with SIGKILL: integrity_check ok after each", TRIALS);
	is_int(lost, 0, "every event reported committed is present (%d checked)", reported_total);
	ok(killed_mid >= TRIALS * 9 / 10, "the writer really was killed mid-run (%d of %d)", killed_mid, TRIALS);
	ok(reported_total >= TRIALS, "and each had committed events before dying (%d in all)", reported_total);
	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	free(path);
	return tap_done();
}
