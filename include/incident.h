/*
 * incident: the lifecycle, recorded. Every operation is one transaction:
 * the change, its timeline event and its notifications (outbox) commit
 * together or not at all. The console and the command-line twins call the
 * same functions, so a scripted incident and a live one look the same.
 */
#ifndef SITREP_INCIDENT_H
#define SITREP_INCIDENT_H

#include "conf.h"
#include "store.h"

struct recorder {
	struct store *store;
	const struct conf *conf;	/* targets, notifications; may be NULL */
	const char *operator_name;
	/* set for one call: when the action happened (0: now), and its
	 * idempotency key (NULL: none), so that a replay is applied once */
	int64_t at;
	const char *key;
};

/*
 * An operator's action that needs no answer from the store (no new row
 * id to act on next): what is kept in the local outbox while a shared
 * store is away, and replayed in order when it is back.
 */
enum incident_action_kind {
	ACTION_NOTE,
	ACTION_SEVERITY,
	ACTION_MILESTONE,
	ACTION_TICK,
};

struct incident_action {
	enum incident_action_kind kind;
	int64_t incident;
	char *text;		/* the note, or the ticked item's text */
	char *list;		/* the checklist ("triage", "step 2") */
	int value;		/* the severity, the milestone, the item's index */
	int checked;
};

/* "note", "severity", ...; -1 from incident_action_kind() if unknown. */
const char *incident_action_word(enum incident_action_kind);
int incident_action_kind(const char *);
/* Applies one action with r->at and r->key as set. -1 with *cause. */
int incident_apply(struct recorder *, const struct incident_action *, char **cause);

/* A recorder on store for the configured operator (conf may be NULL). */
void recorder_init(struct recorder *, struct store *, const struct conf *);
/* The operator's name: the config's, else $USER, else "operator". */
const char *incident_operator(const struct conf *);
/* "P0".."P3" -> 0..3; -1 otherwise. */
int incident_parse_severity(const char *);
/* Response target of a severity, from the config (defaults 15m, 1h, 4h, 1d). */
int64_t incident_target_s(const struct conf *, int severity);

/* When the clock for the response target starts: detected, else started, else opened. */
int64_t incident_detected_at(const struct incident *);

/*
 * Opens an incident. in->title and in->severity are required; unset
 * milestones default to now. If backdate_to > 0 the incident starts then
 * and the fleet log since then is copied into its timeline. Sets in->id.
 */
int incident_open(struct recorder *, struct incident *in, int64_t backdate_to, char **cause);
int incident_note(struct recorder *, int64_t id, const char *text, char **cause);
int incident_set_severity(struct recorder *, int64_t id, int severity, char **cause);
/* at 0: now. Setting a milestone that was set moves it (and says so). */
int incident_milestone(struct recorder *, int64_t id, enum milestone, int64_t at, char **cause);
int incident_tick(struct recorder *, int64_t id, const char *list, int index, const char *item,
    int checked, char **cause);
int incident_set_runbook(struct recorder *, int64_t id, const char *path, const char *title,
    char **cause);
/* Starts a step (ending any step still running as skipped); returns its run id. */
int64_t incident_step_start(struct recorder *, int64_t id, const struct step_run *, char **cause);
/* outcome: done, failed or skipped. */
int incident_step_end(struct recorder *, int64_t id, int64_t step_run_id, const char *outcome,
    const char *note, char **cause);
int64_t incident_command_start(struct recorder *, int64_t id, int64_t step_run_id,
    const char *host, const char *command, char **cause);
int incident_command_end(struct recorder *, const struct command_run *, char **cause);
/* A fleet change: into the open incident's timeline, or the fleet log (id 0). */
int incident_fleet_event(struct recorder *, int64_t id, const char *host, const char *kind,
    const char *text, int64_t at, char **cause);
/*
 * Resolves: fills the form fields of in (NULL fields untouched), milestone
 * resolved at form->ms[MS_RESOLVED] (0: now). On a resolved incident only
 * the form fields and action items change (the post-mortem).
 *
 * Once an incident is resolved, every other change but notes is refused
 * until incident_reopen(), which is recorded.
 */
int incident_resolve(struct recorder *, int64_t id, const struct incident *form,
    const struct action_item *actions, size_t nactions, char **cause);

/* Reopens a resolved incident (the resolution is cleared, the reopening recorded). */
int incident_reopen(struct recorder *, int64_t id, const char *reason, char **cause);

#endif
