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

#include "draw.h"
#include "pane.h"
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
	if (c->panes == NULL)
		c->panes = xcalloc(PANE_COUNT, sizeof *c->panes);
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
}

/* The main area shows the model's view; what the model marked dirty is drawn. */
static void
follow_model(struct console *c)
{
	struct pane *p = c->panes;
	p[PANE_HOST].visible = c->view == VIEW_HOST && p[PANE_HOST].win != NULL;
	p[PANE_LOGS].visible = c->view == VIEW_LOGS && p[PANE_LOGS].win != NULL;
	p[PANE_INCIDENT].visible = c->view == VIEW_INCIDENT && p[PANE_INCIDENT].win != NULL;
	for (int i = 0; i < PANE_COUNT; i++)
		if (c->dirty & (1u << i))
			p[i].dirty = 1;
	c->dirty = 0;
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
	follow_model(c);
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
	dialog_draw(c);
}

/* --- wakes ------------------------------------------------------------------------------- */

/* Lets the model take its news, then draws what changed. */
static void
wake(struct console *c)
{
	/* new logs: the logs pane follows its end by itself (list.c) */
	console_pump(c);
	ui_paint(c);
	doupdate();
}

/* Sleeps until a key, a worker's wake, a signal or the next second. */
static void
wait_events(struct console *c)
{
	int wait = 1000 - (int)(wall_ms() % 1000) + 2;
	/* a shared store's connection: another sitrep's commit wakes us */
	struct pollfd pfd[4] = {
		{ STDIN_FILENO, POLLIN, 0 },
		{ c->wake_rd, POLLIN, 0 },
		{ signal_pipe[0], POLLIN, 0 },
		{ c->store != NULL ? store_wait_fd(c->store) : -1, POLLIN, 0 },
	};
	if (poll(pfd, 4, wait) > 0) {
		if (pfd[1].revents & POLLIN)
			wake_drain(c->wake_rd);
		if (pfd[2].revents & POLLIN)
			wake_drain(signal_pipe[0]);
	}
}

/* --- keys ------------------------------------------------------------------------------- */

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
}

static void
focus_next(struct console *c)
{
	cycle_focus(c, 1);
}

static void
focus_previous(struct console *c)
{
	cycle_focus(c, -1);
}

static void
quit_done(struct console *c, struct dialog *d, int ok)
{
	(void)d;
	if (ok)
		c->quit_asked = 1;
}

/* q: quits, after asking while an incident is open. */
static void
key_quit(struct console *c)
{
	if (c->inc.id <= 0 || c->wall) {
		c->quit_asked = 1;
		return;
	}
	if (c->job.job_id != 0) {
		/* the whole command: the operator must know what quitting stops */
		char *q = xasprintf("A command is running on %s: %s\n\nQuitting stops it on the "
		    "host and records it as cancelled. The incident stays open. Quit now?",
		    c->conf->hosts[c->job.host].name, c->job.command);
		console_confirm(c, "Quit", q, NULL, quit_done, NULL, NULL);
		free(q);
		return;
	}
	console_confirm(c, "Quit", "An incident is open. It stays open and recorded; "
	    "sitrep resumes it when started again. Quit now?", NULL, quit_done, NULL, NULL);
}

static void
key_help(struct console *c)
{
	c->help = 1;
	console_dirty_all(c);
}

/* Esc: back to the host view and the fleet list. */
static void
key_back(struct console *c)
{
	console_set_view(c, VIEW_HOST);
	c->focus = PANE_FLEET;
}

static void
key_refresh(struct console *c)
{
	fleet_refresh(c->fleet, -1);
	console_message(c, 0, "refreshing every host");
}

static void
filter_done(struct console *c, struct dialog *d, int ok)
{
	if (!ok)
		return;
	const char *value = dialog_text(d);
	free(c->filter);
	c->filter = *value ? xstrdup(value) : NULL;
	size_t vis[1];
	if (console_visible_hosts(c, vis, 1) > 0)
		c->selected = vis[0];
}

static void
key_filter(struct console *c)
{
	console_prompt(c, "Filter", "hosts and items containing", c->filter ? xstrdup(c->filter) :
	    NULL, filter_done, NULL, NULL);
}

static void
key_logs(struct console *c)
{
	console_request_logs(c);
	console_set_view(c, VIEW_LOGS);
}

/* i: the open incident, or the form that opens one (which shows it once opened). */
static void
key_incident(struct console *c)
{
	if (c->inc.id <= 0) {
		console_open_incident_form(c);
		return;
	}
	console_set_view(c, VIEW_INCIDENT);
	c->focus = PANE_INCIDENT;
}

/* The console's own keys, after the focused pane had its turn. */
static const struct {
	int key;
	void (*action)(struct console *);
} console_keys[] = {
	{ 'q', key_quit },
	{ '?', key_help },
	{ '\t', focus_next },
	{ KEY_RIGHT, focus_next },
	{ KEY_BTAB, focus_previous },
	{ KEY_LEFT, focus_previous },
	{ 'h', focus_previous },
	{ 27, key_back },		/* Esc */
	{ 'r', key_refresh },
	{ '/', key_filter },
	{ 'L', key_logs },
	{ 'i', key_incident },
	{ 'n', console_note },
	{ 'p', console_severity },
	{ 'm', console_milestone },
	{ 'R', console_choose_runbook },
	{ 'z', console_resolve },
	{ 'e', console_export_report },
	{ 'T', console_trust_host },
	{ 3, console_cancel_job },	/* Ctrl-C */
};

/* The wall's only keys; everything else does nothing at all. */
static void
wall_key(struct console *c, int key)
{
	if (key == 'q')
		c->quit_asked = 1;
	if (key == 'p' || key == ' ') {
		c->paused = !c->paused;
		c->rotate_at = mono_ms() + 8000;
	}
}

/* Routes a key: the open dialog, the wall, the help, the focused pane, the console. */
static void
handle_key(struct console *c, int type, wint_t wch)
{
	int key = type == KEY_CODE_YES ? (int)wch : wch < 128 ? (int)wch : 0;
	if (key == KEY_RESIZE) {
		ui_relayout(c);
		return;
	}
	if (c->dialog != NULL) {
		dialog_key(c, type, wch);
		return;
	}
	if (c->wall) {
		wall_key(c, key);
		return;
	}
	if (c->help) {
		c->help = 0;
		console_dirty_all(c);
		if (key == '?' || key == 27 || key == 'q')
			return;
	}
	if (c->too_small) {
		c->quit_asked = key == 'q';
		return;
	}
	struct pane *fp = &c->panes[c->focus];
	/*
	 * Keys that came together (Enter then j) act on the rows as the model
	 * has them after the first, not as last drawn: the pane is worked out
	 * again when something changed it, before the next key reaches it.
	 */
	follow_model(c);
	if (fp->dirty && fp->visible && fp->win != NULL)
		fp->ops->recalc(c, fp);
	if (fp->ops->key != NULL && fp->ops->key(c, fp, key))
		return;
	for (size_t i = 0; i < nitems(console_keys); i++)
		if (console_keys[i].key == key) {
			console_keys[i].action(c);
			break;
		}
	console_dirty(c, PANE_HINTS);
}

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
	console_set_view(c, v);
}

void
ui_free(struct console *c)
{
	dialog_release();
	for (int i = 0; c->panes != NULL && i < PANE_COUNT; i++)
		pane_detach(&c->panes[i]);
	free(c->panes);
	c->panes = NULL;
}

/* Sets the terminal up for the loop; -1 (said on stderr) if it cannot be driven. */
static int
ui_start(SCREEN **scr)
{
	const char *term = getenv("TERM");
	/*
	 * Line drawing as Unicode in a UTF-8 locale: terminals (and tmux)
	 * disagree on VT100 graphics in UTF-8 mode, Unicode they all draw.
	 */
	setenv("NCURSES_NO_UTF8_ACS", "1", 0);
	*scr = newterm(NULL, stdout, stdin);
	if (*scr == NULL) {
		fprintf(stderr, "sitrep: cannot drive the terminal '%s'; try TERM=xterm-256color, or "
		    "'sitrep status' for a plain report\n", term ? term : "(unset)");
		return -1;
	}
	set_term(*scr);
	if (wake_pipe(signal_pipe) == -1) {
		endwin();
		delscreen(*scr);
		fprintf(stderr, "sitrep: cannot create a pipe\n");
		return -1;
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
	return 0;
}

int
ui_run(struct console *c)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sitrep: the console needs a terminal; for scripts and cron use "
		    "'sitrep status' (or 'sitrep status --json')\n");
		return 2;
	}
	SCREEN *scr;
	if (ui_start(&scr) == -1)
		return 2;
	draw_init(c->theme);
	layout(c);
	c->focus = PANE_FLEET;
	console_dirty_all(c);
	/* the one loop: keys first (a dialog is a mode of it), then the news and a redraw */
	while (!quit_signal && !c->quit_asked) {
		wint_t wch;
		int type = wget_wch(keywin, &wch);
		if (type != ERR) {
			handle_key(c, type, wch);
			continue;
		}
		wake(c);
		wait_events(c);
	}
	ui_free(c);
	delwin(keywin);
	endwin();
	delscreen(scr);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
	return quit_signal == SIGINT ? 130 : 0;
}
