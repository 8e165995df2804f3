/*
 * ui: the main loop, layout, keys and signals. See ui.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "draw.h"
#include "sanitize.h"
#include "ui.h"

static volatile sig_atomic_t quit_signal;
static int signal_pipe[2] = { -1, -1 };
static WINDOW *keywin;
static struct sigaction old_fatal[32];

const struct ui_key_help ui_keys_console[] = {
	{ "Up/Down, k/j", "move in the focused pane" },
	{ "Left/Right, h", "previous / next pane" },
	{ "l", "open: host details from the fleet, logs from the host pane" },
	{ "Tab, Shift-Tab", "next / previous pane" },
	{ "Enter", "open: host details, logs of a container, run a command, tick an item" },
	{ "Esc", "back to the host view; close a dialog" },
	{ "/", "filter hosts and items (empty: no filter)" },
	{ "r", "refresh now (and retry unreachable hosts)" },
	{ "L", "logs of the selected container or unit" },
	{ "i", "incident: open one, or show the open one" },
	{ "n", "add a note to the timeline" },
	{ "Space", "tick / untick a checklist item" },
	{ "s", "start the selected step (its timer starts)" },
	{ "d  f  x", "step done / failed / skipped" },
	{ "R", "choose the runbook (suggestions first)" },
	{ "p", "change the severity" },
	{ "m", "record a milestone (mitigated, restored, ...)" },
	{ "Ctrl-C", "cancel the running command (it is stopped on the host)" },
	{ "z", "resolve the incident" },
	{ "e", "export the incident report (markdown)" },
	{ "T", "trust the selected host's new key" },
	{ "?", "this help" },
	{ "q", "quit (asks while an incident is open)" },
	{ NULL, NULL },
};

const struct ui_key_help ui_keys_wall[] = {
	{ "p, Space", "pause / resume the rotation through hosts" },
	{ "q", "quit" },
	{ NULL, NULL },
};

static void
on_quit_signal(int sig)
{
	quit_signal = sig;
	if (signal_pipe[1] >= 0) {
		char c = 1;
		ssize_t n = write(signal_pipe[1], &c, 1);
		(void)n;
	}
}

/* Restores the terminal before dying, then lets the previous handler run. */
static void
on_fatal_signal(int sig)
{
	endwin();
	static const char msg[] = "sitrep: fatal signal; the terminal was restored\n";
	ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)n;
	sigaction(sig, &old_fatal[sig], NULL);
	raise(sig);
}

int
ui_should_quit(void)
{
	return quit_signal != 0;
}

static void
install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < nitems(fatal); i++)
		sigaction(fatal[i], &sa, &old_fatal[fatal[i]]);
}

/* --- layout ---------------------------------------------------------------------------- */

static const struct pane_ops *const pane_table[PANE_COUNT] = {
	[PANE_STATUS] = &pane_status_ops,
	[PANE_FLEET] = &pane_fleet_ops,
	[PANE_HOST] = &pane_host_ops,
	[PANE_LOGS] = &pane_logs_ops,
	[PANE_INCIDENT] = &pane_incident_ops,
	[PANE_TIMELINE] = &pane_timeline_ops,
	[PANE_HINTS] = &pane_hints_ops,
};

static void
place(struct pane *p, int y, int x, int h, int w)
{
	if (p->win != NULL)
		delwin(p->win);
	p->win = NULL;
	p->y = y;
	p->x = x;
	p->h = h;
	p->w = w;
	p->visible = h > 0 && w > 0;
	if (p->visible)
		p->win = newwin(h, w, y, x);
	p->dirty = 1;
}

static void
layout(struct console *c)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	c->rows_total = H;
	c->cols_total = W;
	c->too_small = H < 12 || W < 40;
	for (int i = 0; i < PANE_COUNT; i++)
		pane_attach(&c->panes[i], pane_table[i]);
	if (c->too_small || c->wall) {
		for (int i = 0; i < PANE_COUNT; i++)
			place(&c->panes[i], 0, 0, 0, 0);
		return;
	}
	int body = H - 2;
	int tl = body >= 24 ? body / 4 : body >= 14 ? 4 : 3;
	int top = body - tl;
	int fw = W >= 160 ? 52 : W >= 120 ? 44 : W >= 80 ? W * 2 / 5 : W / 2;
	place(&c->panes[PANE_STATUS], 0, 0, 1, W);
	place(&c->panes[PANE_FLEET], 1, 0, top, fw);
	place(&c->panes[PANE_HOST], 1, fw, top, W - fw);
	place(&c->panes[PANE_LOGS], 1, fw, top, W - fw);
	place(&c->panes[PANE_INCIDENT], 1, fw, top, W - fw);
	place(&c->panes[PANE_TIMELINE], 1 + top, 0, tl, W);
	place(&c->panes[PANE_HINTS], H - 1, 0, 1, W);
	c->panes[PANE_HOST].visible = c->view == VIEW_HOST;
	c->panes[PANE_LOGS].visible = c->view == VIEW_LOGS;
	c->panes[PANE_INCIDENT].visible = c->view == VIEW_INCIDENT;
}

void
console_dirty(struct console *c, enum pane_id p)
{
	c->panes[p].dirty = 1;
}

void
console_dirty_all(struct console *c)
{
	for (int i = 0; i < PANE_COUNT; i++)
		c->panes[i].dirty = 1;
}

static void
set_view(struct console *c, enum view v)
{
	c->view = v;
	c->panes[PANE_HOST].visible = v == VIEW_HOST && c->panes[PANE_HOST].win;
	c->panes[PANE_LOGS].visible = v == VIEW_LOGS && c->panes[PANE_LOGS].win;
	c->panes[PANE_INCIDENT].visible = v == VIEW_INCIDENT && c->panes[PANE_INCIDENT].win;
	if (c->focus == PANE_HOST || c->focus == PANE_LOGS || c->focus == PANE_INCIDENT)
		c->focus = v == VIEW_HOST ? PANE_HOST : v == VIEW_LOGS ? PANE_LOGS : PANE_INCIDENT;
	console_dirty_all(c);
}

static void
draw_help(struct console *c)
{
	const struct ui_key_help *keys = c->wall ? ui_keys_wall : ui_keys_console;
	int n = 0;
	while (keys[n].keys)
		n++;
	int h = n + 4, w = 84;
	if (h > c->rows_total)
		h = c->rows_total;
	if (w > c->cols_total)
		w = c->cols_total;
	WINDOW *win = newwin(h, w, (c->rows_total - h) / 2, (c->cols_total - w) / 2);
	if (win == NULL)
		return;
	wbkgdset(win, ' ' | draw_attr(ROLE_NORMAL));
	werase(win);
	wattrset(win, draw_attr(ROLE_BORDER));
	box(win, 0, 0);
	draw_text(win, 0, 2, w - 4, SAFE_LITERAL(" Keys (? or Esc closes) "),
	    draw_attr(ROLE_TITLE));
	for (int i = 0; i < n && i + 2 < h - 1; i++) {
		draw_text(win, i + 2, 2, 18, safe_untrusted(keys[i].keys), draw_attr(ROLE_ACCENT));
		draw_text(win, i + 2, 21, w - 23, safe_untrusted(keys[i].what),
		    draw_attr(ROLE_NORMAL));
	}
	wnoutrefresh(win);
	delwin(win);
}

void
ui_paint(struct console *c)
{
	if (c->wall) {
		wall_draw(c);
		return;
	}
	if (c->too_small) {
		erase();
		draw_text(stdscr, 0, 0, c->cols_total, SAFE_LITERAL("sitrep needs at least 40x12"),
		    A_NORMAL);
		wnoutrefresh(stdscr);
		return;
	}
	int any = 0;
	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &c->panes[i];
		p->focused = c->focus == (enum pane_id)i;
		if (!p->visible || !p->dirty || p->win == NULL)
			continue;
		p->ops->recalc(c, p);
		werase(p->win);
		p->ops->draw(c, p);
		wnoutrefresh(p->win);
		p->dirty = 0;
		any = 1;
	}
	if (c->help && any)
		draw_help(c);
	if (c->overlay != NULL)
		c->overlay(c, c->overlay_arg);
}

/* --- the fleet's news -------------------------------------------------------------------- */

static void
record_changes(struct console *c, const struct host_snapshot *old, const struct host_snapshot *new)
{
	struct change *ch = NULL;
	size_t n = 0;
	diff_snapshots(old, new, &ch, &n);
	if (n > 0 && c->store != NULL && !c->wall) {
		for (size_t i = 0; i < n; i++) {
			char *cause = NULL;
			if (incident_fleet_event(&c->rec, c->inc.id, new->host, ch[i].kind, ch[i].text, 0,
			    &cause) == -1) {
				console_message(c, 1, "NOT RECORDED: %s (%s)", ch[i].text, cause ? cause : "?");
				free(c->store_problem);
				c->store_problem = xasprintf("store: %s", cause ? cause : "write failed");
			}
			free(cause);
		}
		console_reload_timeline(c);
	}
	changes_free(ch, n);
}

static void
take_snapshots(struct console *c)
{
	uint64_t gen = fleet_generation(c->fleet);
	if (gen == c->generation)
		return;
	c->generation = gen;
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host_snapshot *s = fleet_snapshot(c->fleet, i);
		if (c->snaps[i] != NULL && s->seq == c->snaps[i]->seq) {
			snapshot_unref(&s);
			continue;
		}
		record_changes(c, c->snaps[i], s);
		/*
		 * The wall redraws every second for its clock and data ages:
		 * a snapshot that leaves its host's state as it was waits for
		 * that redraw instead of redrawing the screen once more per
		 * host and cycle; a new state is drawn at once.
		 */
		int show_now = !c->wall || c->snaps[i] == NULL || c->snaps[i]->state != s->state;
		snapshot_unref(&c->snaps[i]);
		c->snaps[i] = s;
		if (!show_now)
			continue;
		console_dirty(c, PANE_FLEET);
		console_dirty(c, PANE_STATUS);
		if (i == c->selected)
			console_dirty(c, PANE_HOST);
	}
	console_dirty(c, PANE_INCIDENT);
}

static void job_message(struct console *, struct fleet_msg *);

static void
take_messages(struct console *c)
{
	struct fleet_msg *m = fleet_take_messages(c->fleet);
	for (struct fleet_msg *p = m; p; p = p->next) {
		if (p->kind == FLEET_MSG_LOGS) {
			c->logs_pending = 0;
			strv_free(&c->logs_lines);
			if (p->error != NULL)
				console_message(c, 1, "logs: %s", p->error);
			else {
				char *text = sanitize_text(p->data, p->len, SAN_MULTILINE);
				char *save = NULL;
				for (char *line = strtok_r(text, "\n", &save); line;
				    line = strtok_r(NULL, "\n", &save))
					strv_add(&c->logs_lines, line);
				free(text);
			}
			console_dirty(c, PANE_LOGS);
		} else if (p->kind == FLEET_MSG_TRUST) {
			if (p->error != NULL)
				console_message(c, 1, "not trusted: %s", p->error);
			else
				console_message(c, 0, "%s trusted: %s", c->conf->hosts[p->host].name, p->data);
		} else
			job_message(c, p);
	}
	fleet_msg_free(m);
}

static void
job_message(struct console *c, struct fleet_msg *p)
{
	struct job_view *j = &c->job;
	if (p->job_id != j->job_id)
		return;
	if (p->kind == FLEET_MSG_JOB_OUTPUT) {
		j->total += p->len;
		if (j->output.len < JOB_OUTPUT_KEEP)
			buf_add(&j->output, p->data, p->len);
		console_dirty(c, PANE_INCIDENT);
		return;
	}
	if (p->kind == FLEET_MSG_JOB_DONE)
		console_job_done(c, p);
}

/* Hands due outbox messages to the sender and records its results. */
static void
serve_outbox(struct console *c)
{
	if (c->notifier == NULL || c->store == NULL)
		return;
	notifier_serve(c->notifier, c->store);
}

/* Everything but keys: the fleet, commands, the store's changes, clocks. */
static void
pump(struct console *c)
{
	take_snapshots(c);
	take_messages(c);
	int64_t now = wall_ms();
	int64_t second = now / 1000;
	if (second != c->shown_second) {
		c->shown_second = second;
		/* clocks: only what shows a clock */
		console_dirty(c, PANE_STATUS);
		console_dirty(c, PANE_FLEET);	/* data ages */
		if (c->inc.id > 0 || c->job.job_id)
			console_dirty(c, PANE_INCIDENT);
		if (c->store == NULL && second % 2 == 0) {
			/*
			 * No store yet: the wall waits for the console to create
			 * it; the console retries (a disk that filled up may have
			 * been freed).
			 */
			char *cause = NULL;
			if (store_open(c->store_path, c->wall, &c->store, &cause) == 0) {
				free(c->store_problem);
				c->store_problem = NULL;
				c->store_version = -1;
				c->rec.store = c->store;
				c->rec.conf = c->conf;
				c->rec.operator_name = incident_operator(c->conf);
				if (!c->wall)
					console_message(c, 0, "the incident store is back: recording again");
			} else if (!c->wall && cause != NULL &&
			    (c->store_problem == NULL || strcmp(c->store_problem, cause) != 0)) {
				free(c->store_problem);
				c->store_problem = cause;
				cause = NULL;
			}
			free(cause);
		}
		if (c->store != NULL) {
			int64_t v = store_data_version(c->store);
			if (v != c->store_version) {
				c->store_version = v;
				console_reload(c);
			}
		}
		serve_outbox(c);
		if (c->message != NULL && c->message_until > 0 && mono_ms() > c->message_until) {
			free(c->message);
			c->message = NULL;
			console_dirty(c, PANE_HINTS);
		}
	}
}

int
ui_get_key(struct console *c, wint_t *wch, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		int rc = wget_wch(keywin, wch);
		if (rc != ERR)
			return rc;
		if (quit_signal)
			return ERR;
		pump(c);
		ui_paint(c);
		doupdate();
		int64_t now = mono_ms();
		if (timeout_ms >= 0 && now >= deadline)
			return ERR;
		int wait = 1000 - (int)(wall_ms() % 1000) + 2;
		if (timeout_ms >= 0 && deadline - now < wait)
			wait = (int)(deadline - now);
		struct pollfd pfd[3] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ c->wake_rd, POLLIN, 0 },
			{ signal_pipe[0], POLLIN, 0 },
		};
		int n = poll(pfd, 3, wait);
		if (n > 0) {
			if (pfd[1].revents & POLLIN)
				wake_drain(c->wake_rd);
			if (pfd[2].revents & POLLIN)
				wake_drain(signal_pipe[0]);
		}
	}
}

/* --- keys ------------------------------------------------------------------------------- */

static const enum pane_id focus_order[] = { PANE_FLEET, PANE_HOST, PANE_TIMELINE };

static void
cycle_focus(struct console *c, int dir)
{
	enum pane_id order[3] = { PANE_FLEET, PANE_HOST, PANE_TIMELINE };
	order[1] = c->view == VIEW_HOST ? PANE_HOST : c->view == VIEW_LOGS ? PANE_LOGS : PANE_INCIDENT;
	int at = 0;
	for (int i = 0; i < 3; i++)
		if (order[i] == c->focus)
			at = i;
	at = (at + dir + 3) % 3;
	enum pane_id old = c->focus;
	c->focus = order[at];
	console_dirty(c, old);
	console_dirty(c, c->focus);
	console_dirty(c, PANE_HINTS);
	(void)focus_order;
}

static int
confirm_quit(struct console *c)
{
	if (c->inc.id <= 0 || c->wall)
		return 1;
	if (c->job.job_id != 0) {
		/* the whole command: the operator must know what quitting stops */
		char *q = xasprintf("A command is running on %s: %s\n\nQuitting stops it on the "
		    "host and records it as cancelled. The incident stays open. Quit now?",
		    c->conf->hosts[c->job.host].name, c->job.command);
		int yes = dialog_confirm(c, "Quit", q, NULL);
		free(q);
		return yes;
	}
	return dialog_confirm(c, "Quit", "An incident is open. It stays open and recorded; "
	    "sitrep resumes it when started again. Quit now?", NULL);
}

static int
handle_key(struct console *c, int type, wint_t wch)
{
	int key = type == KEY_CODE_YES ? (int)wch : wch < 128 ? (int)wch : 0;
	if (key == KEY_RESIZE) {
		layout(c);
		clearok(curscr, TRUE);
		console_dirty_all(c);
		return 0;
	}
	if (c->wall) {
		/* the wall's only keys; everything else does nothing at all */
		if (key == 'q')
			return 1;
		if (key == 'p' || key == ' ') {
			c->paused = !c->paused;
			c->rotate_at = mono_ms() + 8000;
		}
		return 0;
	}
	if (c->help) {
		c->help = 0;
		console_dirty_all(c);
		if (key == '?' || key == 27 || key == 'q')
			return 0;
	}
	if (c->too_small)
		return key == 'q';
	struct pane *fp = &c->panes[c->focus];
	if (fp->ops->key != NULL && fp->ops->key(c, fp, key))
		return 0;
	switch (key) {
	case 'q':
		return confirm_quit(c);
	case '?':
		c->help = 1;
		console_dirty_all(c);
		break;
	case '\t':
		cycle_focus(c, 1);
		break;
	case KEY_BTAB:
		cycle_focus(c, -1);
		break;
	case KEY_LEFT:
	case 'h':
		cycle_focus(c, -1);
		break;
	case KEY_RIGHT:
		cycle_focus(c, 1);
		break;
	case 27:	/* Esc */
		set_view(c, VIEW_HOST);
		c->focus = PANE_FLEET;
		break;
	case 'r':
		fleet_refresh(c->fleet, -1);
		console_message(c, 0, "refreshing every host");
		break;
	case '/': {
		char *value = c->filter ? xstrdup(c->filter) : NULL;
		if (dialog_prompt(c, "Filter", "hosts and items containing", &value)) {
			free(c->filter);
			c->filter = value && *value ? value : NULL;
			if (c->filter == NULL)
				free(value);
			size_t vis[1];
			if (console_visible_hosts(c, vis, 1) > 0)
				c->selected = vis[0];
		} else
			free(value);
		console_dirty_all(c);
		break;
	}
	case 'L':
		console_request_logs(c);
		set_view(c, VIEW_LOGS);
		break;
	case 'i':
		if (c->inc.id <= 0)
			console_open_incident_form(c);
		if (c->inc.id > 0) {
			set_view(c, VIEW_INCIDENT);
			c->focus = PANE_INCIDENT;
		}
		break;
	case 'n':
		console_note(c);
		break;
	case 'p':
		console_severity(c);
		break;
	case 'm':
		console_milestone(c);
		break;
	case 'R':
		console_choose_runbook(c);
		break;
	case 'z':
		console_resolve(c);
		break;
	case 'e':
		console_export_report(c);
		break;
	case 'T':
		console_trust_host(c);
		break;
	case 3:		/* Ctrl-C */
		console_cancel_job(c);
		break;
	default:
		break;
	}
	console_dirty(c, PANE_HINTS);
	return 0;
}

void ui_relayout(struct console *);
void
ui_relayout(struct console *c)
{
	layout(c);
	clearok(curscr, TRUE);
	console_dirty_all(c);
}

void
ui_set_view(struct console *c, enum view v)
{
	set_view(c, v);
}

int
ui_run(struct console *c)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sitrep: the console needs a terminal; for scripts and cron use "
		    "'sitrep status' (or 'sitrep status --json')\n");
		return 2;
	}
	const char *term = getenv("TERM");
	/*
	 * Line drawing as Unicode in a UTF-8 locale: terminals (and tmux)
	 * disagree on VT100 graphics in UTF-8 mode, Unicode they all draw.
	 */
	setenv("NCURSES_NO_UTF8_ACS", "1", 0);
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		fprintf(stderr, "sitrep: cannot drive the terminal '%s'; try TERM=xterm-256color, or "
		    "'sitrep status' for a plain report\n", term ? term : "(unset)");
		return 2;
	}
	set_term(scr);
	if (wake_pipe(signal_pipe) == -1) {
		endwin();
		delscreen(scr);
		fprintf(stderr, "sitrep: cannot create a pipe\n");
		return 2;
	}
	install_signals();
	raw();
	noecho();
	nonl();
	curs_set(0);
	set_escdelay(25);
	keywin = newwin(1, 1, 0, 0);
	keypad(keywin, TRUE);
	nodelay(keywin, TRUE);
	draw_init(&c->theme);
	layout(c);
	c->focus = PANE_FLEET;
	console_dirty_all(c);
	int rc = 0;
	while (!quit_signal) {
		wint_t wch;
		int type = ui_get_key(c, &wch, -1);
		if (type == ERR)
			continue;
		if (handle_key(c, type, wch))
			break;
	}
	for (int i = 0; i < PANE_COUNT; i++)
		pane_detach(&c->panes[i]);
	delwin(keywin);
	endwin();
	delscreen(scr);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
	if (quit_signal)
		rc = quit_signal == SIGINT ? 130 : 0;
	return rc;
}
