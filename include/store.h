/*
 * store: the incident timeline in SQLite. WAL, synchronous=FULL, a busy
 * timeout, every write in BEGIN IMMEDIATE; the schema carries its version
 * in user_version and migrates forward. A read-only handle (the wall)
 * follows the same file while the console writes.
 *
 * Times are milliseconds since the epoch, UTC.
 */
#ifndef SITREP_STORE_H
#define SITREP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util.h"

#define STORE_SCHEMA_VERSION 3
/* PRAGMA application_id of a sitrep store: "STRP" */
#define STORE_APPLICATION_ID 0x53545250
#define STORE_OUTPUT_KEEP (64 * 1024)	/* command output kept per run */

struct store;

enum milestone {
	MS_STARTED,
	MS_DETECTED,
	MS_TRIAGE_STARTED,
	MS_TRIAGE_DONE,
	MS_MITIGATED,
	MS_RESTORED,
	MS_RESOLVED,
	MS_COUNT
};

const char *milestone_name(enum milestone);	/* "triage done" */
const char *milestone_key(enum milestone);	/* "triage_done" */
int milestone_from_key(const char *);		/* -1 if unknown */

struct incident {
	int64_t id;
	char *title;
	int severity;			/* 0..3 for P0..P3 */
	int drill;
	int users_impacted;		/* -1 unknown, 0 no, 1 yes */
	char *business_impact;		/* critical, high, low, none, or NULL */
	char *hosts;			/* comma-separated */
	char *services;
	char *reporter;
	int64_t rto_s, rpo_s;		/* 0: none */
	char *runbook_path;
	char *runbook_title;
	char *status;			/* open, resolved */
	int64_t opened_at;
	int64_t ms[MS_COUNT];		/* 0: not reached */
	int64_t data_loss_s;		/* -1: not entered */
	/* the resolve form */
	char *summary, *impact, *root_cause, *resolution, *prevention;
	char *went_well, *needs_improvement;
};

struct event {
	int64_t id;
	int64_t incident_id;		/* 0: the rolling fleet log */
	int64_t at;
	char *source;			/* fleet, operator, command, checklist, runbook, system */
	char *kind;
	char *host;
	char *text;
	char *operator_name;		/* who did it; NULL for the fleet and the system */
};

struct step_run {
	int64_t id;
	int64_t incident_id;
	char *runbook;
	int step_index;
	int number;
	char *title;
	int64_t timebox_s, timebox_max_s;
	int64_t started_at, ended_at;	/* ended 0: running */
	char *outcome;			/* running, done, failed, skipped */
	char *note;
	char *operator_name;		/* who started it */
};

struct command_run {
	int64_t id;
	int64_t incident_id;
	int64_t step_run_id;		/* 0: none */
	char *host;
	char *command;
	int64_t started_at, ended_at;
	int exit_status;		/* -1: none (running, cancelled, failed) */
	int64_t duration_ms;
	char *output;			/* capped at STORE_OUTPUT_KEEP */
	size_t output_len;
	int64_t output_total;
	char *status;			/* running, done, cancelled, failed */
	char *error;
};

struct tick {
	int64_t incident_id;
	char *list;
	int item_index;
	char *item;
	int checked;
	int64_t at;
	char *operator_name;
};

struct action_item {
	int64_t id;
	char *text;
	char *owner;
	char *kind;
};

struct outbox_msg {
	int64_t id;
	int64_t event_id;
	char *target;
	char *payload;
	int attempts;
	int64_t next_at;
};

/*
 * Opens a SQLite file, or a PostgreSQL database named by a postgresql://
 * URI (libpq's rules: PGSERVICE, .pgpass, sslmode), creating and
 * migrating the schema unless read-only. -1 with *cause.
 */
int store_open(const char *path, int readonly, struct store **, char **cause);
void store_close(struct store **);
sqlite3 *store_db(struct store *);
int store_is_readonly(const struct store *);
/*
 * A shared store's lost connection is then made again a step at a time
 * from store_data_version() (the loop polls store_wait_fd()), never
 * blocking the caller; writes fail meanwhile (store_is_connected() is 0).
 */
void store_set_nonblocking(struct store *);
/* 1 for a PostgreSQL store that other sitreps share, 0 for a SQLite file. */
int store_is_shared(const struct store *);
/*
 * A descriptor that becomes readable when another sitrep commits to a
 * shared store (then store_data_version() has moved on), for poll();
 * -1 for a SQLite file, whose version is polled. It may change after a
 * lost connection is made again: ask before each poll.
 */
int store_wait_fd(struct store *);
/* The last error, for the screen. */
const char *store_error(const struct store *);

/* BEGIN IMMEDIATE (SQLite) or BEGIN / COMMIT / ROLLBACK: -1 with *cause. */
int store_begin(struct store *, char **cause);
int store_commit(struct store *, char **cause);
void store_rollback(struct store *);
/* Changes when another connection committed (PRAGMA data_version; PostgreSQL's NOTIFY). */
int64_t store_data_version(struct store *);

/* Writes: call inside store_begin()/store_commit(). Return the row id, or -1. */
int64_t store_incident_insert(struct store *, const struct incident *, char **cause);
int store_incident_update(struct store *, const struct incident *, char **cause);
int64_t store_event_insert(struct store *, const struct event *, char **cause);
int store_tick_set(struct store *, const struct tick *, char **cause);
int64_t store_step_insert(struct store *, const struct step_run *, char **cause);
int store_step_end(struct store *, int64_t id, int64_t ended_at, const char *outcome,
    const char *note, char **cause);
int64_t store_command_insert(struct store *, const struct command_run *, char **cause);
int store_command_finish(struct store *, const struct command_run *, char **cause);
int64_t store_action_insert(struct store *, int64_t incident, const struct action_item *,
    char **cause);
int64_t store_outbox_insert(struct store *, int64_t event_id, const char *target,
    const char *payload, int64_t at, char **cause);
int store_outbox_done(struct store *, int64_t id, int64_t at, char **cause);
/* How many deliveries of a message were tried (0 for none, or no such row). */
int store_outbox_attempts(struct store *, int64_t id, int *attempts, char **cause);
int store_outbox_retry(struct store *, int64_t id, int attempts, int64_t next_at,
    const char *error, char **cause);

/* Reads. Lists are arrays the caller frees with the matching *_free. */
int store_incident_get(struct store *, int64_t id, struct incident *, char **cause);
/* The newest open incident: 1 found, 0 none, -1 error. */
int store_incident_open_latest(struct store *, struct incident *, char **cause);
int store_incident_list(struct store *, int64_t since, struct incident **, size_t *n,
    char **cause);
/* Events of an incident (0: the fleet log), oldest first; limit 0 = all, else the newest limit. */
int store_events(struct store *, int64_t incident, size_t limit, struct event **, size_t *n,
    char **cause);
int store_event_count(struct store *, int64_t incident, int64_t *n, char **cause);
/* The rolling fleet log since a time (for backdating an incident). */
int store_fleet_events_since(struct store *, int64_t since, struct event **, size_t *n,
    char **cause);
int store_ticks(struct store *, int64_t incident, struct tick **, size_t *n, char **cause);
int store_steps(struct store *, int64_t incident, struct step_run **, size_t *n, char **cause);
int store_commands(struct store *, int64_t incident, struct command_run **, size_t *n,
    char **cause);
int store_actions(struct store *, int64_t incident, struct action_item **, size_t *n,
    char **cause);

/* An incident with everything recorded about it, read in one call. */
struct incident_record {
	struct incident in;
	struct event *ev;
	struct step_run *steps;
	struct command_run *cmds;
	struct tick *ticks;
	struct action_item *actions;
	size_t nev, nsteps, ncmds, nticks, nactions;
};
/* Fills r with incident id and its records; -1 with *cause (r left empty). */
int store_incident_record(struct store *, int64_t id, struct incident_record *r, char **cause);
void incident_record_clear(struct incident_record *);

int store_outbox_due(struct store *, int64_t now, size_t limit, struct outbox_msg **,
    size_t *n, char **cause);
/* Messages not yet delivered: in all, and "TARGET N" per target into targets. */
int store_outbox_waiting(struct store *, struct strv *targets, int64_t *total, char **cause);
/* Keeps the rolling fleet log bounded. */
int store_fleet_log_trim(struct store *, int64_t older_than, char **cause);

void incident_clear(struct incident *);
void event_clear(struct event *);
void step_run_clear(struct step_run *);
void command_run_clear(struct command_run *);
void tick_clear(struct tick *);
void action_item_clear(struct action_item *);
void outbox_msg_clear(struct outbox_msg *);
void events_free(struct event *, size_t);
void step_runs_free(struct step_run *, size_t);
void command_runs_free(struct command_run *, size_t);
void ticks_free(struct tick *, size_t);
void incidents_free(struct incident *, size_t);
void action_items_free(struct action_item *, size_t);
void outbox_msgs_free(struct outbox_msg *, size_t);

/*
 * Copies every row of from into to, which must be empty (a new SQLite file
 * or PostgreSQL database), in one transaction, with the rows' ids; each
 * table's count is checked on both sides and added to counts as "TABLE N".
 * -1 with *cause and nothing kept.
 */
int store_copy(struct store *from, struct store *to, struct strv *counts, char **cause);

/*
 * Claims an action's idempotency key inside the caller's transaction: 1 if
 * it is new (apply the action), 0 if it was applied before (do nothing),
 * -1 with *cause.
 */
int store_claim(struct store *, const char *key, int64_t at, char **cause);
/* 0 once a shared store's connection is lost (the server is away); else 1. */
int store_is_connected(struct store *);

/*
 * The local outbox: actions recorded while a shared store was away, in a
 * SQLite store of their own, kept per target (the shared store's URI
 * without its password) until they are applied there.
 */
struct pending_action {
	int64_t seq;
	char *key;
	int64_t incident;
	char *kind;		/* incident_action_word() */
	int64_t at;
	char *operator_name;
	char *list;
	int value, checked;
	char *text;
};
int store_pending_add(struct store *, const char *target, const struct pending_action *,
    char **cause);
int store_pending(struct store *, const char *target, struct pending_action **, size_t *n,
    char **cause);
int store_pending_done(struct store *, int64_t seq, char **cause);
void pending_actions_free(struct pending_action *, size_t n);
/* The store's name as it may be shown (a URI without its password). */
const char *store_name(const struct store *);

#endif
