/*
 * pane-host: the selected host. Containers and units (state, health,
 * restarts, uptime, CPU, memory), checks and health endpoints (status,
 * latency), disks (use with a bar, inodes), load and memory. The cursor
 * walks containers and units; Enter or L opens a log.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "console.h"
#include "draw.h"
#include "pane.h"
#include "render.h"

#include "list.h"

enum line_kind {
	LINE_RULE,		/* a section rule: text is its title */
	LINE_NOTE,		/* text in the word's role (a container engine's error) */
	LINE_HEAD,		/* the containers' column heads, muted */
	LINE_CONTAINER,
	LINE_UNIT,
	LINE_CHECK,		/* a check or health endpoint: word, name, columns, reason */
	LINE_DETAIL,		/* a failing check's output: name is the label */
	LINE_DISK,		/* word, mount, bar, columns */
	LINE_LOAD,		/* word, columns */
	LINE_MEMORY,		/* word, "memory", bar, columns */
};

struct line {
	enum line_kind kind;
	int item;		/* containers, then units: the item the cursor stands on */
	char word[32];		/* "● CRIT" */
	enum role role;		/* the word's, the bar's */
	const char *name;	/* borrowed from the snapshot until the next recalc */
	const char *health;
	const char *text;	/* the reason, the error, the output */
	int pct;		/* the bar */
	char mid[160];		/* the columns, formatted */
};

struct host_pane {
	/* the title line: name, transport, state, the data's age */
	const char *name;
	const char *transport;
	int have_state;
	enum state state;
	int stale;
	char age[64];
	/* lines above the list: why the host is not OK, its new key, how old the data is */
	char *above[3];
	enum role above_role[3];
	int nabove;
	int wide;		/* the containers' wide columns */
	struct line *lines;
	size_t cap;
	struct list list;
};

static int
item_visible(struct console *c, const char *name)
{
	return c->filter == NULL || strcasestr(name ? name : "", c->filter) != NULL ||
	    strcasestr(c->conf->hosts[c->selected].name, c->filter) != NULL;
}

static void
uptime_text(char *buf, size_t n, int64_t since_ms)
{
	if (since_ms <= 0) {
		snprintf(buf, n, "-");
		return;
	}
	fmt_duration(buf, n, wall_ms() - since_ms);
}

static struct line *
add_line(struct host_pane *st, enum line_kind kind, int item)
{
	int i = list_add(&st->list, item >= 0);
	if ((size_t)i >= st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->lines = xreallocarray(st->lines, st->cap, sizeof *st->lines);
	}
	struct line *l = &st->lines[i];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->item = item;
	return l;
}

/* A line with a state word first. */
static struct line *
add_state_line(struct host_pane *st, enum line_kind kind, int item, enum state s, const char *word)
{
	struct line *l = add_line(st, kind, item);
	snprintf(l->word, sizeof l->word, "%s %s", state_symbol(s), word ? word : state_word(s));
	l->role = draw_state_role(s);
	return l;
}

static void
add_containers(struct console *c, struct host_pane *st, const struct host_data *d)
{
	if (!d->containers_enabled && d->containers_error == NULL)
		return;
	add_line(st, LINE_RULE, -1)->text = "Containers";
	if (d->containers_error != NULL) {
		struct line *l = add_line(st, LINE_NOTE, -1);
		l->text = d->containers_error;
		l->role = d->containers_enabled ? ROLE_UNKNOWN : ROLE_MUTED;
	}
	if (d->ncontainers == 0)
		return;
	struct line *l = add_line(st, LINE_HEAD, -1);
	if (st->wide)
		snprintf(l->mid, sizeof l->mid, " %-13s %-18s %-9s %8s %8s %6s %8s  %s", "STATE",
		    "NAME", "HEALTH", "RESTARTS", "UPTIME", "CPU", "MEM", "REASON");
	else
		snprintf(l->mid, sizeof l->mid, " %-13s %-14s %4s %7s  %s", "STATE", "NAME", "RST",
		    "UP", "REASON");
	for (size_t i = 0; i < d->ncontainers; i++) {
		const struct container *k = &d->containers[i];
		if (!item_visible(c, k->name))
			continue;
		l = add_state_line(st, LINE_CONTAINER, (int)i, k->state,
		    k->crashloop ? "RESTARTING" : NULL);
		l->name = k->name;
		l->health = k->health ? k->health : "-";
		l->text = k->reason;
		char up[24];
		int running = k->engine_state && strcmp(k->engine_state, "running") == 0;
		uptime_text(up, sizeof up, running ? k->started_ms : 0);
		if (st->wide) {
			char cpu[16] = "-", mem[16] = "-";
			if (k->have_stats) {
				snprintf(cpu, sizeof cpu, "%.1f%%", k->cpu_pct);
				fmt_bytes(mem, sizeof mem, k->mem_bytes);
			}
			snprintf(l->mid, sizeof l->mid, "%8d %8s %6s %8s  ", k->restarts, up, cpu, mem);
		} else
			snprintf(l->mid, sizeof l->mid, "%4d %7s  ", k->restarts, up);
	}
}

static void
add_units(struct console *c, struct host_pane *st, const struct host_data *d)
{
	if (d->nunits == 0)
		return;
	add_line(st, LINE_RULE, -1)->text = "Services";
	for (size_t i = 0; i < d->nunits; i++) {
		const struct unit_status *u = &d->units[i];
		if (!item_visible(c, u->name))
			continue;
		struct line *l = add_state_line(st, LINE_UNIT, (int)(d->ncontainers + i), u->state, NULL);
		l->name = u->name;
		l->text = u->reason;
		char up[24];
		uptime_text(up, sizeof up, u->since_ms);
		snprintf(l->mid, sizeof l->mid, " %3d restarts  up %-7s ", u->restarts, up);
	}
}

/* A check's or endpoint's line, and below it what it answered when it failed. */
static void
add_check(struct host_pane *st, enum state s, const char *name, const char *mid, const char *reason,
    const char *label, const char *detail)
{
	struct line *l = add_state_line(st, LINE_CHECK, -1, s, NULL);
	l->name = name;
	l->text = reason;
	snprintf(l->mid, sizeof l->mid, "%s", mid);
	if (s >= STATE_WARN && detail && *detail) {
		l = add_line(st, LINE_DETAIL, -1);
		l->name = label;
		l->text = detail;
	}
}

static void
add_checks(struct console *c, struct host_pane *st, const struct host_data *d)
{
	if (d->nchecks == 0 && d->nhealth == 0)
		return;
	add_line(st, LINE_RULE, -1)->text = "Checks and health";
	char lat[32], mid[64];
	for (size_t i = 0; i < d->nhealth; i++) {
		const struct health_result *h = &d->health[i];
		if (!item_visible(c, h->name))
			continue;
		snprintf(lat, sizeof lat, "-");
		if (h->latency_ms >= 0 && h->http_status)
			snprintf(lat, sizeof lat, "%lld ms", (long long)h->latency_ms);
		snprintf(mid, sizeof mid, " http %3d %8s  ", h->http_status, lat);
		add_check(st, h->state, h->name, mid, h->reason, "body:", h->body);
	}
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct check_result *k = &d->checks[i];
		if (!item_visible(c, k->name))
			continue;
		snprintf(lat, sizeof lat, "-");
		if (k->latency_ms >= 0)
			snprintf(lat, sizeof lat, "%lld ms", (long long)k->latency_ms);
		snprintf(mid, sizeof mid, " exit %3d %8s  ", k->exit_code, lat);
		add_check(st, k->state, k->name, mid, k->reason, "output:", k->output);
	}
}

static void
add_disks(struct host_pane *st, const struct host_data *d)
{
	add_line(st, LINE_RULE, -1)->text = "Disk";
	struct line *l;
	for (size_t i = 0; i < d->ndisks; i++) {
		const struct disk *k = &d->disks[i];
		l = add_state_line(st, LINE_DISK, -1, k->state, NULL);
		l->name = k->mount;
		l->pct = k->pct;
		char size[16];
		fmt_bytes(size, sizeof size, k->size_kb * 1024);
		if (k->ipct >= 0)
			snprintf(l->mid, sizeof l->mid, " %3d%% of %-9s inodes %d%%", k->pct, size, k->ipct);
		else
			snprintf(l->mid, sizeof l->mid, " %3d%% of %s", k->pct, size);
	}
	l = add_state_line(st, LINE_LOAD, -1, d->load_state, NULL);
	snprintf(l->mid, sizeof l->mid, "load %.2f %.2f %.2f on %d core%s", d->load1, d->load5,
	    d->load15, d->ncpu, d->ncpu == 1 ? "" : "s");
	if (d->mem_total_kb > 0) {
		char tot[16];
		l = add_state_line(st, LINE_MEMORY, -1, d->mem_state, NULL);
		l->name = "memory";
		l->pct = d->mem_pct;
		fmt_bytes(tot, sizeof tot, d->mem_total_kb * 1024);
		snprintf(l->mid, sizeof l->mid, " %3d%% of %s", d->mem_pct, tot);
	}
}

static void
add_above(struct host_pane *st, enum role role, char *text)
{
	st->above[st->nabove] = text;
	st->above_role[st->nabove++] = role;
}

static void
clear_above(struct host_pane *st)
{
	for (int i = 0; i < st->nabove; i++)
		free(st->above[i]);
	st->nabove = 0;
}

/* The title and the lines above the list; the host's data, or NULL. */
static const struct host_data *
host_head(struct console *c, struct host_pane *st)
{
	const struct host_snapshot *s = console_selected_snapshot(c);
	const struct host_conf *hc = &c->conf->hosts[c->selected];
	int64_t now = mono_ms();
	char age[32];
	clear_above(st);
	render_age(age, sizeof age, s, now);
	st->name = hc->name;
	st->transport = hc->transport == TRANSPORT_LOCAL ? "  local  " : "  ssh  ";
	st->have_state = s != NULL;
	if (s == NULL)
		return NULL;
	st->state = s->state;
	st->stale = snapshot_is_stale(s, now);
	snprintf(st->age, sizeof st->age, "  data %s old", age);
	if (s->state != STATE_OK && s->reason)
		add_above(st, draw_state_role(s->state), xstrdup(s->reason));
	if (s->conn == CONN_UNTRUSTED && s->fingerprint)
		add_above(st, ROLE_UNTRUSTED, xasprintf("key %s %s: T trusts it after you compare it",
		    s->key_type ? s->key_type : "", s->fingerprint));
	if (s->data == NULL)
		add_above(st, ROLE_MUTED, xstrdup("no data yet"));
	else if (s->conn != CONN_UP)
		add_above(st, ROLE_STALE, xasprintf("last seen %s ago: what follows is that old", age));
	return s->data;
}

static void
host_recalc(struct console *c, struct pane *p)
{
	struct host_pane *st = p->state;
	list_reset(&st->list);
	const struct host_data *d = host_head(c, st);
	st->wide = p->w >= 90;
	if (d != NULL) {
		add_containers(c, st, d);
		add_units(c, st, d);
		add_checks(c, st, d);
		add_disks(st, d);
	}
	int at = -1;
	for (int i = 0; i < st->list.n && at < 0; i++)
		if (st->lines[i].item == c->host_item)
			at = i;
	if (at >= 0)
		st->list.sel = at;
	list_fit(&st->list, p->h - 1 - st->nabove);
	if (list_selected(&st->list) >= 0)
		c->host_item = st->lines[st->list.sel].item;
}

/* The state word, the name and the columns, as the checks and disks line them up. */
static int
draw_state_line(WINDOW *w, int y, const struct line *l, int name_w, attr_t base, int sel)
{
	draw_text(w, y, 1, 11, safe_untrusted(l->word), sel ? base : draw_attr(l->role));
	if (l->name != NULL)
		draw_text(w, y, 13, name_w, safe_untrusted(l->name), base | A_BOLD);
	return 13 + name_w + 1;
}

static void
draw_container(WINDOW *w, int y, int width, const struct line *l, int wide, attr_t base, int sel)
{
	draw_text(w, y, 1, 13, safe_untrusted(l->word), sel ? base : draw_attr(l->role));
	int x = 15, nw = wide ? 18 : 14;
	draw_text(w, y, x, nw, safe_untrusted(l->name), base | A_BOLD);
	x += nw + 1;
	if (wide) {
		/* the host's word in its own 9 columns: it cannot move the rest */
		draw_text(w, y, x, 9, safe_untrusted(l->health), base);
		x += 10;
	}
	x += draw_text(w, y, x, width - x, safe_untrusted(l->mid), base);
	draw_text(w, y, x, width - x, safe_untrusted(l->text), base);
}

static void
draw_line(WINDOW *w, int y, int width, const struct line *l, int wide, int sel)
{
	attr_t base = sel ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
	int barw = width >= 70 ? 20 : 10, x;
	if (sel)
		draw_fill(w, y, 0, width, base);
	switch (l->kind) {
	case LINE_RULE:
		draw_rule(w, y, 0, width, safe_untrusted(l->text), draw_attr(ROLE_HEADER));
		break;
	case LINE_NOTE:
		draw_text(w, y, 1, width - 1, safe_untrusted(l->text), draw_attr(l->role));
		break;
	case LINE_HEAD:
		draw_text(w, y, 0, width, safe_untrusted(l->mid), draw_attr(ROLE_MUTED));
		break;
	case LINE_CONTAINER:
		draw_container(w, y, width, l, wide, base, sel);
		break;
	case LINE_UNIT:
		draw_state_line(w, y, l, 18, base, sel);
		x = 32 + draw_text(w, y, 32, width - 32, safe_untrusted(l->mid), base);
		draw_text(w, y, x, width - x, safe_untrusted(l->text), base);
		break;
	case LINE_CHECK:
		x = draw_state_line(w, y, l, 16, base, sel);
		x += draw_text(w, y, x, width - x, safe_untrusted(l->mid), base);
		draw_text(w, y, x, width - x, safe_untrusted(l->text), base);
		break;
	case LINE_DETAIL:
		x = 3 + draw_text(w, y, 3, (int)strlen(l->name) + 1, safe_untrusted(l->name),
		    draw_attr(ROLE_MUTED));
		draw_text(w, y, x + 1, width - x - 1, safe_untrusted(l->text), draw_attr(ROLE_MUTED));
		break;
	case LINE_DISK:
	case LINE_MEMORY:
		x = draw_state_line(w, y, l, 16, base, sel);
		draw_bar(w, y, x, barw, l->pct, draw_attr(l->role));
		draw_text(w, y, x + barw, width - x - barw, safe_untrusted(l->mid), base);
		break;
	case LINE_LOAD:
		draw_state_line(w, y, l, 16, base, sel);
		draw_text(w, y, 13, width - 13, safe_untrusted(l->mid), base);
		break;
	}
}

static void
host_draw(struct console *c, struct pane *p)
{
	struct host_pane *st = p->state;
	WINDOW *w = p->win;
	(void)c;
	attr_t ta = p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_TITLE);
	int x = draw_text(w, 0, 1, p->w / 2, safe_untrusted(st->name), ta);
	x += 1 + draw_text(w, 0, 1 + x, p->w - x - 1, safe_untrusted(st->transport),
	    draw_attr(ROLE_MUTED));
	if (st->have_state) {
		x += draw_state(w, 0, 1 + x, st->state, st->stale);
		draw_text(w, 0, 1 + x, p->w - x - 1, safe_untrusted(st->age), draw_attr(ROLE_MUTED));
	}
	for (int i = 0; i < st->nabove; i++)
		draw_text(w, 1 + i, 1, p->w - 2, safe_untrusted(st->above[i]),
		    draw_attr(st->above_role[i]));
	const struct list *l = &st->list;
	int y0 = 1 + st->nabove;
	for (int i = l->top; i < list_end(l); i++)
		draw_line(w, y0 + i - l->top, p->w, &st->lines[i], st->wide,
		    p->focused && i == l->sel);
}

static int
host_key(struct console *c, struct pane *p, int key)
{
	struct host_pane *st = p->state;
	if (key == '\r' || key == '\n' || key == KEY_ENTER || key == 'l') {
		console_request_logs(c);
		ui_set_view(c, VIEW_LOGS);
		c->focus = PANE_LOGS;
		return 1;
	}
	if (!list_key(&st->list, key))
		return 0;
	if (list_selected(&st->list) >= 0)
		c->host_item = st->lines[st->list.sel].item;
	console_dirty(c, PANE_HOST);
	return 1;
}

static void
host_free(void *state)
{
	struct host_pane *st = state;
	clear_above(st);
	free(st->lines);
	list_free(&st->list);
}

const struct pane_ops pane_host_ops = {
	.name = "host",
	.state_size = sizeof(struct host_pane),
	.recalc = host_recalc,
	.draw = host_draw,
	.key = host_key,
	.free = host_free,
};
