/*
 * What a host sends never drives the terminal: every text field of a host
 * snapshot (containers, units, checks, health endpoints, disks, engine and
 * connection errors, the host's own name) is set in turn to each string of
 * the hostile corpus (tests/data/hostile/corpus.txt, plus a few that fake a
 * state), and the console's panes and the wall are painted into a real
 * curses screen (newterm on /dev/null, 160x50 and 80x24). The screen as
 * curses holds it (curscr, cell by cell) must then hold no control
 * character, no invisible or bidi code point, no "^[" that curses makes of
 * a control it was given, and no state that sitrep did not draw: every
 * item is CRIT, so a "● OK" not shown as data after a control picture,
 * or fewer "CRIT" words than with a harmless value, is a faked row.
 */
#include "config.h"

#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "console.h"
#include "draw.h"
#include "sanitize.h"
#include "ui.h"
#include "util.h"
#include "tap.h"

/* Strings that pretend to be a state: cursor moves, then a row's start. */
static const char *const fakes[] = {
	"\r\xe2\x97\x8f OK  ",
	"\r \xe2\x97\x8f OK          healthy",
	"x\b\b\b\b\b\b\b\b\xe2\x97\x8f OK",
	"\x1b[1G\xe2\x97\x8f OK",
	"\x1b[0;0H\xe2\x97\x8f OK \x1b[K",
	"\n\xe2\x97\x8f OK  ",
};

static struct strv corpus;

/* Decodes printf %b notation (the corpus file's); returns a new string. */
static char *
decode(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (; *s; s++) {
		char ch = *s;
		if (ch == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 'e': ch = 0x1b; break;
			case 'a': ch = 0x07; break;
			case 'b': ch = 0x08; break;
			case 'r': ch = '\r'; break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'v': ch = '\v'; break;
			case 'f': ch = '\f'; break;
			case '\\': ch = '\\'; break;
			case 'x': {
				char hex[3] = { 0 };
				for (int i = 0; i < 2 && s[1] && strchr("0123456789abcdefABCDEF", s[1]); i++)
					hex[i] = *++s;
				ch = (char)strtol(hex, NULL, 16);
				break;
			}
			default: ch = *s; break;
			}
		}
		buf_add(&b, &ch, 1);
	}
	return buf_take(&b);
}

static void
load_corpus(void)
{
	const char *dir = getenv("srcdir") ? getenv("srcdir") : ".";
	char *path = xasprintf("%s/tests/data/hostile/corpus.txt", dir);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || tab == NULL)
			continue;
		char *raw = decode(tab + 1);
		strv_add(&corpus, raw);
		free(raw);
	}
	fclose(f);
	free(path);
	for (size_t i = 0; i < nitems(fakes); i++)
		strv_add(&corpus, fakes[i]);
}

/* A host in trouble: every item CRIT, with every text field filled. */
static struct host_snapshot *
make_snapshot(void)
{
	struct host_snapshot *s = snapshot_new("h1");
	s->conn = CONN_UP;
	s->mono_ms = mono_ms();
	s->wall_ms = wall_ms();
	s->interval_s = 60;
	s->state = STATE_CRIT;
	s->reason = xstrdup("web exited");
	s->conn_reason = xstrdup("connection refused");
	s->fingerprint = xstrdup("SHA256:abc");
	s->key_type = xstrdup("ssh-ed25519");
	struct host_data *d = host_data_new();
	d->mono_ms = s->mono_ms;
	d->wall_ms = s->wall_ms;
	d->hostname = xstrdup("h1");
	d->ncpu = 2;
	d->load1 = 9;
	d->mem_total_kb = 1 << 20;
	d->mem_pct = 97;
	d->load_state = d->mem_state = STATE_CRIT;
	d->load_reason = xstrdup("load 9");
	d->mem_reason = xstrdup("memory 97%");
	d->containers_enabled = 1;
	d->containers_state = STATE_CRIT;
	d->containers_error = xstrdup("engine: permission denied");
	d->containers = xcalloc(1, sizeof *d->containers);
	d->ncontainers = 1;
	struct container *k = d->containers;
	k->id = xstrdup("abcdefabcdef");
	k->name = xstrdup("web");
	k->image = xstrdup("img");
	k->status = xstrdup("Exited (7) 2 minutes ago");
	k->engine_state = xstrdup("exited");
	k->health = xstrdup("unhealthy");
	k->restart_policy = xstrdup("always");
	k->restarts = 3;
	k->have_stats = 1;
	k->state = STATE_CRIT;
	k->reason = xstrdup("exited with 7");
	d->units = xcalloc(1, sizeof *d->units);
	d->nunits = 1;
	struct unit_status *u = d->units;
	u->name = xstrdup("nginx.service");
	u->load = xstrdup("loaded");
	u->active = xstrdup("failed");
	u->sub = xstrdup("dead");
	u->state = STATE_CRIT;
	u->reason = xstrdup("failed");
	d->checks = xcalloc(1, sizeof *d->checks);
	d->nchecks = 1;
	struct check_result *ck = d->checks;
	ck->name = xstrdup("queue");
	ck->command_shown = xstrdup("check-queue");
	ck->exit_code = 2;
	ck->output = xstrdup("queue stuck");
	ck->state = STATE_CRIT;
	ck->reason = xstrdup("exit 2");
	d->health = xcalloc(1, sizeof *d->health);
	d->nhealth = 1;
	struct health_result *h = d->health;
	h->name = xstrdup("api");
	h->url_shown = xstrdup("http://localhost/health");
	h->http_status = 500;
	h->body = xstrdup("{\"status\":\"down\"}");
	h->state = STATE_CRIT;
	h->reason = xstrdup("http 500");
	d->disks = xcalloc(1, sizeof *d->disks);
	d->ndisks = 1;
	struct disk *dk = d->disks;
	dk->fs = xstrdup("/dev/sda1");
	dk->mount = xstrdup("/var");
	dk->size_kb = 1 << 20;
	dk->pct = 99;
	dk->ipct = 5;
	dk->state = STATE_CRIT;
	dk->reason = xstrdup("disk 99%");
	s->data = d;
	return s;
}

/* Each text field a host or a file fills, by name. */
static char **
field(struct host_snapshot *s, struct conf *conf, int i, const char **name)
{
	struct host_data *d = s->data;
	struct {
		const char *name;
		char **p;
	} f[] = {
		{ "host name (sitrep.conf)", &conf->hosts[0].name },
		{ "snapshot reason", &s->reason },
		{ "transport error", &s->conn_reason },
		{ "host key fingerprint", &s->fingerprint },
		{ "host key type", &s->key_type },
		{ "hostname", &d->hostname },
		{ "load reason", &d->load_reason },
		{ "memory reason", &d->mem_reason },
		{ "engine error", &d->containers_error },
		{ "container id", &d->containers[0].id },
		{ "container name", &d->containers[0].name },
		{ "container image", &d->containers[0].image },
		{ "container status", &d->containers[0].status },
		{ "container state", &d->containers[0].engine_state },
		{ "container health", &d->containers[0].health },
		{ "container restart policy", &d->containers[0].restart_policy },
		{ "container reason", &d->containers[0].reason },
		{ "unit name", &d->units[0].name },
		{ "unit load", &d->units[0].load },
		{ "unit active", &d->units[0].active },
		{ "unit sub", &d->units[0].sub },
		{ "unit reason", &d->units[0].reason },
		{ "check name", &d->checks[0].name },
		{ "check command", &d->checks[0].command_shown },
		{ "check output", &d->checks[0].output },
		{ "check reason", &d->checks[0].reason },
		{ "health name", &d->health[0].name },
		{ "health url", &d->health[0].url_shown },
		{ "health body", &d->health[0].body },
		{ "health reason", &d->health[0].reason },
		{ "disk fs", &d->disks[0].fs },
		{ "disk mount", &d->disks[0].mount },
		{ "disk reason", &d->disks[0].reason },
	};
	if (i < 0 || (size_t)i >= nitems(f))
		return NULL;
	*name = f[i].name;
	return f[i].p;
}

struct findings {
	int controls;		/* C0, DEL, C1 in a cell */
	int invisible;		/* bidi, zero-width, separators, BOM */
	int carets;		/* "^[" and the like: curses showing a control */
	int fake_ok;		/* "● OK" with no control picture just before */
	int crit;		/* "CRIT" words on the screen */
};

static int
is_control(wchar_t w)
{
	return w < 0x20 || (w >= 0x7f && w <= 0x9f);
}

static int
is_invisible(wchar_t w)
{
	return (w >= 0x200b && w <= 0x200f) || (w >= 0x2028 && w <= 0x202e) ||
	    (w >= 0x2066 && w <= 0x2069) || w == 0xfeff;
}

/* Reads the screen as the terminal shows it, cell by cell. */
static void
scan_screen(struct findings *f)
{
	memset(f, 0, sizeof *f);
	int H = getmaxy(curscr), W = getmaxx(curscr);
	wchar_t *row = xcalloc((size_t)W + 1, sizeof *row);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1] = { 0 };
			attr_t attrs;
			short pair;
			row[x] = L' ';
			if (mvwin_wch(curscr, y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
				continue;
			for (int k = 0; k < CCHARW_MAX && wch[k]; k++) {
				f->controls += is_control(wch[k]);
				f->invisible += is_invisible(wch[k]);
			}
			row[x] = wch[0] ? wch[0] : L' ';
		}
		if (getenv("SCREEN_DUMP"))
			printf("# %ls\n", row);
		for (int x = 0; x < W; x++) {
			if (row[x] == L'^' && x + 1 < W && ((row[x + 1] >= L'@' && row[x + 1] <= L'_') ||
			    row[x + 1] == L'?'))
				f->carets++;
			if (wcsncmp(row + x, L"\x25cf OK", 4) == 0) {	/* ● OK */
				int shown = 0;
				for (int k = x - 1; k >= 0 && k >= x - 12; k--)
					shown |= (row[k] >= 0x2400 && row[k] <= 0x2426) || row[k] == 0xfffd;
				f->fake_ok += !shown;
			}
			if (wcsncmp(row + x, L"CRIT", 4) == 0)
				f->crit++;
		}
	}
	free(row);
}

/* Paints the console (host or logs view) or the wall with one snapshot. */
static void
paint_view(struct console *c, struct host_snapshot *s, int wall, enum view v)
{
	c->snaps[0] = s;
	c->wall = wall;
	c->view = v;
	c->focus = v == VIEW_LOGS ? PANE_LOGS : PANE_HOST;
	ui_relayout(c);
	erase();
	wnoutrefresh(stdscr);
	ui_paint(c);
	doupdate();
}

static void
paint(struct console *c, struct host_snapshot *s, int wall)
{
	paint_view(c, s, wall, VIEW_HOST);
}

int
main(void)
{
	sanitize_init();
	load_corpus();
	ok(corpus.n >= 40 + nitems(fakes), "the corpus has %zu hostile strings", corpus.n);

	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	setenv("TERM", "xterm-256color", 1);
	SCREEN *scr = newterm("xterm-256color", out, in);
	if (scr == NULL) {
		printf("1..0 # SKIP no terminfo for xterm-256color\n");
		return 0;
	}
	struct conf conf;
	conf_init(&conf);
	conf.hosts = xcalloc(1, sizeof *conf.hosts);
	conf.nhosts = 1;
	conf.hosts[0].name = xstrdup("h1");
	conf.hosts[0].interval_s = 60;
	struct console c;
	memset(&c, 0, sizeof c);
	c.conf = &conf;
	c.nhosts = 1;
	struct host_snapshot *snaps[1] = { NULL };
	c.snaps = snaps;
	theme_default(&c.theme);
	c.theme.mono = 1;
	draw_init(&c.theme);

	static const int sizes[][2] = { { 50, 160 }, { 24, 80 } };
	int nfields = 0;
	const char *name;
	struct host_snapshot *probe = make_snapshot();
	while (field(probe, &conf, nfields, &name) != NULL)
		nfields++;
	snapshot_unref(&probe);

	for (size_t z = 0; z < nitems(sizes); z++) {
		resize_term(sizes[z][0], sizes[z][1]);
		for (int wall = 0; wall <= 1; wall++) {
			/* the baseline: a harmless value in each field */
			struct host_snapshot *s = make_snapshot();
			struct findings base;
			paint(&c, s, wall);
			scan_screen(&base);
			snapshot_unref(&s);
			ok(base.controls == 0 && base.invisible == 0 && base.carets == 0 && base.fake_ok == 0 &&
			    base.crit >= 2, "%dx%d %s, harmless values: clean, %d CRIT shown",
			    sizes[z][1], sizes[z][0], wall ? "wall" : "console", base.crit);
			for (int i = 0; i < nfields; i++) {
				int bad = 0;
				char *first = NULL;
				for (size_t k = 0; k < corpus.n; k++) {
					s = make_snapshot();
					char **p = field(s, &conf, i, &name);
					char *saved = NULL;
					if (p == &conf.hosts[0].name)
						saved = *p;
					else
						free(*p);
					*p = xstrdup(corpus.v[k]);
					struct findings f;
					paint(&c, s, wall);
					scan_screen(&f);
					if (saved != NULL) {
						free(*p);
						*p = saved;
					}
					snapshot_unref(&s);
					int wrong = f.controls || f.invisible || f.carets || f.fake_ok ||
					    f.crit < base.crit;
					if (wrong && first == NULL)
						first = xasprintf("string %zu: %d controls, %d invisible, %d carets, "
						    "%d fake OK, %d CRIT of %d", k + 1, f.controls, f.invisible,
						    f.carets, f.fake_ok, f.crit, base.crit);
					bad += wrong;
				}
				ok(bad == 0, "%dx%d %s: %s, %zu hostile strings, none drives the screen",
				    sizes[z][1], sizes[z][0], wall ? "wall" : "console", name, corpus.n);
				if (first != NULL)
					printf("#   %d bad, first %s\n", bad, first);
				free(first);
			}
		}
	}
	/* a container's log: its title and lines come from the host */
	{
		struct host_snapshot *s = make_snapshot();
		struct findings base;
		c.logs_title = xstrdup("web");
		strv_add(&c.logs_lines, "started");
		paint_view(&c, s, 0, VIEW_LOGS);
		scan_screen(&base);
		int bad = 0;
		for (size_t k = 0; k < corpus.n; k++) {
			free(c.logs_title);
			c.logs_title = xstrdup(corpus.v[k]);
			strv_free(&c.logs_lines);
			strv_add(&c.logs_lines, corpus.v[k]);
			strv_add(&c.logs_lines, "next line");
			struct findings f;
			paint_view(&c, s, 0, VIEW_LOGS);
			scan_screen(&f);
			bad += f.controls || f.invisible || f.carets || f.fake_ok || f.crit < base.crit;
		}
		ok(bad == 0, "%dx%d logs view: title and lines, %zu hostile strings, none drives the screen",
		    getmaxx(curscr), getmaxy(curscr), corpus.n);
		free(c.logs_title);
		strv_free(&c.logs_lines);
		snapshot_unref(&s);
	}
	for (int i = 0; i < PANE_COUNT; i++)
		pane_detach(&c.panes[i]);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	theme_free(&c.theme);
	conf_free(&conf);
	strv_free(&corpus);
	return tap_done();
}
