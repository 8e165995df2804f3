/*
 * cmd-incident: what the "sitrep incident" subcommands share. Only the
 * cmd-incident*.c files include this.
 */
#ifndef SITREP_CMD_INCIDENT_H
#define SITREP_CMD_INCIDENT_H

#include "cmd.h"

/* The incident option every subcommand that acts on one incident takes. */
#define INCIDENT_OPT_ID \
	{ "id", 'i', OPT_VALUE, "ID", "the incident (default: the newest open one)" }

/* The incident's runbook, from the library (loaded into x->lib): -1 after a message. */
int incident_cmd_runbook(struct cmd_ctx *, const struct incident *, struct runbook_ref *);
/* The step run still open, if any (0: none); out, if given, gets it. */
int64_t incident_cmd_running_step(struct store *, int64_t id, struct step_run *out);
/* Resolves with the form in x's options, at a time (0: now); an exit code. */
int incident_cmd_resolve(struct cmd_ctx *, int64_t at);
/* Prints cause (taking it) and returns 1. */
int incident_cmd_failed(char *cause);

extern const struct cmd_entry incident_open_entry;
extern const struct cmd_entry incident_note_entry;
extern const struct cmd_entry incident_severity_entry;
extern const struct cmd_entry incident_milestone_entry;
extern const struct cmd_entry incident_runbook_entry;
extern const struct cmd_entry incident_tick_entry;
extern const struct cmd_entry incident_step_entry;
extern const struct cmd_entry incident_run_entry;
extern const struct cmd_entry incident_resolve_entry;
extern const struct cmd_entry incident_reopen_entry;
extern const struct cmd_entry incident_list_entry;
extern const struct cmd_entry incident_show_entry;

#endif
