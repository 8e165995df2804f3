/* The store: schema, transactions, every table, read-only handles. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident.h"
#include "sanitize.h"
#include "store.h"
#include "tap.h"

int
main(void)
{
	sanitize_init();
	char dir[] = "/tmp/sitrep-test-store-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char *path = xasprintf("%s/sub/sitrep.db", dir);
	struct store *s = NULL, *ro = NULL;
	char *cause = NULL;
	is_int(store_open(path, 1, &ro, &cause), -1, "read-only open of a missing store fails");
	free(cause);
	cause = NULL;
	is_int(store_open(path, 0, &s, &cause), 0, "creates the store and its directory");
	sqlite3_stmt *st;
	sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &st, NULL);
	sqlite3_step(st);
	is_str((const char *)sqlite3_column_text(st, 0), "wal", "WAL journal");
	sqlite3_finalize(st);
	sqlite3_prepare_v2(store_db(s), "PRAGMA synchronous", -1, &st, NULL);
	sqlite3_step(st);
	is_int(sqlite3_column_int(st, 0), 2, "synchronous=FULL");
	sqlite3_finalize(st);
	sqlite3_prepare_v2(store_db(s), "PRAGMA user_version", -1, &st, NULL);
	sqlite3_step(st);
	is_int(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION, "schema version in user_version");
	sqlite3_finalize(st);

	sanitize_add_secret("tok-9f8e7d6c");
	struct recorder r = { .store = s, .operator_name = "alice" };
	struct incident in;
	memset(&in, 0, sizeof in);
	in.title = xstrdup("Gateway down");
	in.severity = 1;
	in.users_impacted = 1;
	in.data_loss_s = -1;
	is_int(incident_open(&r, &in, 0, &cause), 0, "open an incident");
	ok(in.id > 0, "it has an id");
	is_int(incident_note(&r, in.id, "curl with tok-9f8e7d6c failed", &cause), 0, "a note");
	is_int(incident_set_severity(&r, in.id, 0, &cause), 0, "severity change");
	is_int(incident_tick(&r, in.id, "triage", 0, "Reach the host", 1, &cause), 0, "a tick");
	struct step_run sr = { .runbook = "Crash loop", .step_index = 0, .number = 1,
		.title = "Read the logs", .timebox_s = 300, .timebox_max_s = 300 };
	int64_t run = incident_step_start(&r, in.id, &sr, &cause);
	ok(run > 0, "a step starts");
	int64_t cmd = incident_command_start(&r, in.id, run, "h1", "docker logs bot", &cause);
	ok(cmd > 0, "a command starts");
	struct command_run cr = { .id = cmd, .incident_id = in.id, .host = "h1",
		.command = "docker logs bot", .ended_at = wall_ms(), .exit_status = 0,
		.duration_ms = 120, .output = "line\n", .output_len = 5, .output_total = 5,
		.status = "done" };
	is_int(incident_command_end(&r, &cr, &cause), 0, "the command ends");
	is_int(incident_step_end(&r, in.id, run, "done", "ok", &cause), 0, "the step ends");
	is_int(incident_step_end(&r, in.id, run, "done", NULL, &cause), -1, "it cannot end twice");
	free(cause);
	cause = NULL;

	struct incident got;
	is_int(store_incident_get(s, in.id, &got, &cause), 0, "read it back");
	is_int(got.severity, 0, "severity changed");
	ok(got.ms[MS_TRIAGE_STARTED] > 0, "the first triage tick started triage");
	ok(got.ms[MS_TRIAGE_DONE] > 0, "the first step ended triage");
	incident_clear(&got);
	struct event *ev;
	size_t n;
	store_events(s, in.id, 0, &ev, &n, &cause);
	ok(n >= 8, "every change is an event (%zu)", n);
	int leaked = 0;
	for (size_t i = 0; i < n; i++)
		if (strstr(ev[i].text, "tok-9f8e7d6c"))
			leaked = 1;
	ok(!leaked, "a secret in a note is not stored");
	events_free(ev, n);
	store_events(s, in.id, 3, &ev, &n, &cause);
	is_int(n, 3, "the newest three");
	events_free(ev, n);

	/* a read-only handle sees the commits and cannot write */
	is_int(store_open(path, 1, &ro, &cause), 0, "a read-only handle");
	int64_t v1 = store_data_version(ro);
	ok(store_begin(ro, &cause) == -1, "a read-only handle refuses to write");
	free(cause);
	cause = NULL;
	incident_note(&r, in.id, "another", &cause);
	int64_t v2 = store_data_version(ro);
	ok(v1 != v2, "data_version tells the reader a commit happened");
	struct incident open;
	is_int(store_incident_open_latest(ro, &open, &cause), 1, "the reader finds the open incident");
	incident_clear(&open);
	store_close(&ro);

	struct incident form;
	memset(&form, 0, sizeof form);
	form.summary = "restarted";
	form.data_loss_s = 0;
	struct action_item ai = { 0, "alert on restarts", "bob", "detection" };
	is_int(incident_resolve(&r, in.id, &form, &ai, 1, &cause), 0, "resolve");
	is_int(incident_resolve(&r, in.id, &form, NULL, 0, &cause), -1, "resolve twice is refused");
	free(cause);
	cause = NULL;
	is_int(store_incident_open_latest(s, &open, &cause), 0, "no open incident after that");

	/* the fleet log before an incident, and backdating */
	incident_fleet_event(&r, 0, "h1", "restarted", "h1: container bot restarted", wall_ms() - 60000, &cause);
	struct incident in2;
	memset(&in2, 0, sizeof in2);
	in2.title = xstrdup("Bot down");
	in2.severity = 2;
	in2.data_loss_s = -1;
	is_int(incident_open(&r, &in2, wall_ms() - 120000, &cause), 0, "a backdated incident");
	store_events(s, in2.id, 0, &ev, &n, &cause);
	ok(n >= 2 && strcmp(ev[0].source, "fleet") == 0, "starts with the fleet's first bad event");
	events_free(ev, n);
	incident_clear(&in2);

	/* forward migration: an old-version store is refused by version, not corrupted */
	sqlite3_exec(store_db(s), "PRAGMA user_version = 99", NULL, NULL, NULL);
	store_close(&s);
	ok(store_open(path, 0, &s, &cause) == -1 && strstr(cause, "newer than this sitrep"),
	    "a store from a newer sitrep is refused");
	free(cause);
	incident_clear(&in);
	char *cmdline = xasprintf("rm -rf %s", dir);
	if (system(cmdline) != 0)
		printf("# could not clean %s\n", dir);
	free(cmdline);
	free(path);
	return tap_done();
}
