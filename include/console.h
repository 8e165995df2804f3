/*
 * console: the interactive model shared by the main loop and the panes.
 *
 * One thread owns all of it: curses, the store handle, the snapshots taken
 * from the fleet. Panes (one file each, pane-*.c) export a const struct
 * pane_ops; recalc() reads the model into the pane's rows, draw() paints
 * those rows with draw.c and reads nothing else. A key or an event marks
 * panes dirty; the loop recalculates and repaints those and calls
 * doupdate() once per pass.
 */
#ifndef SITREP_CONSOLE_H
#define SITREP_CONSOLE_H

#include <curses.h>
#include <stdint.h>

#include "conf.h"
#include "fleet.h"
#include "incident.h"
#include "library.h"
#include "notify.h"
#include "store.h"
#include "theme.h"

struct console;
struct pane;
struct globals;

struct pane_ops {
	const char *name;
	/* the size of the pane's own state (p->state), zeroed at first */
	size_t state_size;
	/* builds the pane's rows from the model, just before every draw */
	void (*recalc)(struct console *, struct pane *);
	/* paints the rows recalc built into p->win with draw.c; reads no model */
	void (*draw)(struct console *, struct pane *);
	/* 1 if the key was used; may be NULL */
	int (*key)(struct console *, struct pane *, int key);
	/* frees what the state holds (not the state); may be NULL */
	void (*free)(void *state);
};

struct pane {
	const struct pane_ops *ops;
	void *state;		/* the pane's own: its rows, list and scroll */
	WINDOW *win;
	int y, x, h, w;
	int dirty;
	int focused;
	int visible;
};

/* Gives a pane its ops and its state (once); frees its window and state (pane.c). */
void pane_attach(struct pane *, const struct pane_ops *);
void pane_detach(struct pane *);

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
	int64_t store_version;
	struct recorder rec;
	struct library lib;
	struct theme theme;
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

	/* a dialog drawn over the panes at every paint */
	void (*overlay)(struct console *, void *);
	void *overlay_arg;

	struct pane panes[PANE_COUNT];
};

extern const struct pane_ops pane_status_ops;
extern const struct pane_ops pane_fleet_ops;
extern const struct pane_ops pane_host_ops;
extern const struct pane_ops pane_logs_ops;
extern const struct pane_ops pane_incident_ops;
extern const struct pane_ops pane_timeline_ops;
extern const struct pane_ops pane_hints_ops;

/* Shows a view in the main area (ui.c). */
void ui_set_view(struct console *, enum view);

/* Model operations (console.c). */
void console_message(struct console *, int error, const char *, ...) ATTR_PRINTF(3, 4);
void console_dirty(struct console *, enum pane_id);
void console_dirty_all(struct console *);
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
