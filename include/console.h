/*
 * console: the interactive model shared by the main loop and the panes.
 *
 * One thread owns all of it: the store handle, the snapshots taken from the
 * fleet, the open dialog. The model says which panes need drawing
 * (console_dirty) and which view the main area shows (console_set_view);
 * the screen layer (ui.c, pane.h) reads that and draws. Nothing here is
 * curses: the panes and their windows are in pane.h.
 */
#ifndef SITREP_CONSOLE_H
#define SITREP_CONSOLE_H

#include <stdint.h>

#include "conf.h"
#include "fleet.h"
#include "incident.h"
#include "library.h"
#include "notify.h"
#include "store.h"

struct console;
struct dialog;
struct pane;
struct globals;
struct theme;

enum pane_id {
	PANE_STATUS,
	PANE_FLEET,
	PANE_HOST,
	PANE_LOGS,
	PANE_INCIDENT,
	PANE_TIMELINE,
	PANE_HINTS,
	PANE_COUNT
};

/* The main area shows one of these to the right of the fleet list. */
enum view {
	VIEW_HOST,
	VIEW_LOGS,
	VIEW_INCIDENT,
};

/* The incident's items the cursor can stand on. */
enum row_kind {
	ROW_TRIAGE,		/* a triage checklist item */
	ROW_STEP,		/* a runbook step */
	ROW_COMMAND,		/* a command of a step */
	ROW_CHECK,		/* a checklist item of a step */
};

struct incident_row {
	enum row_kind kind;
	int index;		/* triage item, or step index */
	int sub;		/* command or checklist index within the step */
};

struct job_view {
	int64_t job_id;		/* 0: none */
	int64_t run_id;		/* command_run row */
	int64_t step_run_id;
	size_t host;
	char *command;
	int64_t started_mono;
	struct buf output;	/* raw; sanitized when drawn */
	uint64_t total;
	int exit_status;	/* after the end */
	int finished;
	char *status;
};

struct console {
	struct conf *conf;
	struct globals *globals;
	int wall;			/* read-only wall display */
	int paused;			/* wall: rotation paused */
	struct fleet *fleet;
	int wake_rd, wake_wr;
	struct store *store;		/* NULL when the store cannot be opened */
	char *store_path;
	char *store_problem;		/* shown while set */
	struct store *pending;		/* the local outbox of a shared store's actions */
	int64_t npending;		/* actions waiting in it for the shared store */
	int64_t store_version;
	struct recorder rec;
	struct library lib;
	struct theme *theme;
	struct notifier *notifier;

	/* snapshots: the latest taken, and the one before for diffs */
	size_t nhosts;
	struct host_snapshot **snaps;
	uint64_t generation;

	/* navigation */
	size_t selected;		/* host index */
	enum view view;
	enum pane_id focus;
	char *filter;			/* '/' filter, or NULL */
	int help;			/* the help overlay is up */
	int quit_asked;

	/* the selected container or unit (containers first, then units) */
	int host_item;

	/* logs */
	char *logs_title;
	struct strv logs_lines;		/* sanitized */
	int logs_pending;

	/* the incident, when one is open (inc.id > 0) */
	struct incident inc;
	struct strv triage;		/* triage checklist items */
	int *triage_checked;
	struct tick *ticks;		/* every tick of the incident, as stored */
	size_t nticks;
	struct runbook_ref runbook;	/* rb NULL: none chosen */
	struct step_run *steps;		/* step runs of the incident */
	size_t nsteps;
	struct incident_row at;		/* the item the incident pane's cursor is on */
	struct job_view job;
	char *suggestion;		/* suggested runbook, in words */

	/* the timeline: events as committed */
	struct event *events;
	size_t nevents;

	/* the message line */
	char *message;
	int message_error;
	int64_t message_until;

	/* clocks */
	int64_t shown_second;
	int rows_total, cols_total;
	int too_small;
	int rotate_index;		/* wall */
	int64_t rotate_at;

	/* the dialog the loop routes keys to, drawn over the panes; or NULL */
	struct dialog *dialog;

	unsigned dirty;			/* 1 << pane_id: to be drawn again */
	struct pane *panes;		/* PANE_COUNT of them: the screen's (pane.h) */
};

/*
 * Dialogs: a dialog is a mode of the console's one loop, not a loop of its
 * own. An action opens one with what to do with the answer (done, and its
 * ctx); the loop routes keys to it (dialog.c) and, once the operator
 * confirms or cancels, calls done, which owns ctx from then on. A dialog
 * still open when the console ends is freed with its ctx_free.
 */
enum dialog_kind {
	DIALOG_FORM,
	DIALOG_MENU,
	DIALOG_CONFIRM,
};

enum field_kind {
	FIELD_TEXT,
	FIELD_CHOICE,
	FIELD_TOGGLE,
};

struct field {
	const char *label;
	enum field_kind kind;
	char *value;			/* FIELD_TEXT: owned, UTF-8 */
	const char *const *choices;	/* FIELD_CHOICE */
	int nchoices;
	int choice;
	int toggle;			/* FIELD_TOGGLE */
	int required;
};

typedef void dialog_done_fn(struct console *, struct dialog *, int ok);

struct dialog {
	enum dialog_kind kind;
	char *title;
	char *label;			/* a prompt's label, owned */
	/* form: fields (values owned), the one with the cursor */
	struct field *fields;
	int nfields;
	int at;
	/* menu: items (untrusted text), the one chosen */
	struct strv items;
	int choice;
	int scroll;			/* menu and confirm: the first row shown */
	/* confirm: the body is wrapped into body_total rows, body_rows shown */
	char *body;
	char *require;			/* the text to type, or NULL */
	char *typed;
	int body_rows, body_total;
	int laid_out;			/* body_rows and seen_end worked out */
	int seen_end;			/* the last row has been on the screen */
	const char *error;
	int h, w;			/* the window's size, as last drawn */
	/* the continuation */
	dialog_done_fn *done;
	void *ctx;
	void (*ctx_free)(void *);
};

/* Opens a dialog (none may be open); fields are the dialog's from now on. */
void console_form(struct console *, const char *title, struct field *, int n,
    dialog_done_fn *, void *ctx, void (*ctx_free)(void *));
/* One text field; value (owned, may be NULL) is its first content. */
void console_prompt(struct console *, const char *title, const char *label, char *value,
    dialog_done_fn *, void *ctx, void (*ctx_free)(void *));
/* items are untrusted text, copied; choice is where the cursor starts. */
void console_menu(struct console *, const char *title, char *const *items, int n, int choice,
    dialog_done_fn *, void *ctx, void (*ctx_free)(void *));
/*
 * Shows body (untrusted) and asks for Enter, or, when require is set, for
 * that exact text to be typed (the host name before a destructive command).
 */
void console_confirm(struct console *, const char *title, const char *body, const char *require,
    dialog_done_fn *, void *ctx, void (*ctx_free)(void *));
/* The open dialog ends (ok: confirmed): its continuation runs, then it is freed. */
void console_dialog_end(struct console *, int ok);
/* A prompt's text ("" when empty). */
const char *dialog_text(const struct dialog *);

/* Model operations (console.c). */
void console_message(struct console *, int error, const char *, ...) ATTR_PRINTF(3, 4);
void console_dirty(struct console *, enum pane_id);
void console_dirty_all(struct console *);
/* Shows a view in the main area; the focus follows it to the main area. */
void console_set_view(struct console *, enum view);
/*
 * The loop's turn when it wakes: the fleet's snapshots (changes recorded),
 * messages from the workers (logs, trust, commands' output and end), and
 * once a second the clocks, the store (reopened, reloaded when another
 * process wrote it) and the notify outbox. Returns CONSOLE_NEWS_* bits.
 */
#define CONSOLE_NEWS_LOGS 0x1		/* a log arrived: show its end */
int console_pump(struct console *);
/* Opens the store at c->store_path and wires the recorder; -1 with *cause. */
int console_store_open(struct console *, char **cause);
/* Frees what the console holds (not the console itself). */
void console_free(struct console *);
/* Hosts passing the filter, in order; returns how many (indexes in out). */
size_t console_visible_hosts(struct console *, size_t *out, size_t max);
struct host_snapshot *console_selected_snapshot(struct console *);
/* Reloads the incident, its steps, ticks and the timeline from the store. */
void console_reload(struct console *);
void console_reload_timeline(struct console *);
/* Response-target and RTO clocks: remaining ms (negative when late). */
int64_t console_target_left(struct console *, int64_t now_wall);
int64_t console_rto_left(struct console *, int64_t now_wall);
/* The running step run, or NULL. */
const struct step_run *console_running_step(struct console *);

/* Actions (console.c): each records through the recorder and reports. */
void console_open_incident_form(struct console *);
void console_note(struct console *);
void console_severity(struct console *);
void console_milestone(struct console *);
void console_choose_runbook(struct console *);
void console_toggle_tick(struct console *, int index);
/* A checklist item of a runbook step (its list is "step N"). */
void console_toggle_step_check(struct console *, int step, int item);
int console_step_check_ticked(struct console *, int step, int item);
void console_step_start(struct console *, int step);
void console_step_end(struct console *, const char *outcome);
void console_run_command(struct console *, int step, int cmd);
void console_cancel_job(struct console *);
/* The running command's end (a JOB_DONE message): recorded, then shown. */
void console_job_done(struct console *, struct fleet_msg *);
/* On the way out: the running command ended on the host, recorded cancelled. */
void console_job_quit(struct console *);
void console_resolve(struct console *);
void console_export_report(struct console *);
void console_request_logs(struct console *);
void console_trust_host(struct console *);

#endif
