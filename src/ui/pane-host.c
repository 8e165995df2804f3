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

/* Lines are laid out first, then drawn from the scroll offset. */
struct line_out {
	WINDOW *w;
	int y;		/* next line in content coordinates */
	int top;	/* first visible content line */
	int rows;	/* visible rows */
	int x0;
	int width;
};

static int
visible(struct line_out *o)
{
	return o->y >= o->top && o->y - o->top < o->rows;
}

static int
wy(struct line_out *o)
{
	return o->y - o->top + 1;
}

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

static void
draw_containers(struct console *c, struct pane *p, struct line_out *o, const struct host_data *d,
    int *cursor_line)
{
	WINDOW *w = o->w;
	if (!d->containers_enabled && d->containers_error == NULL)
		return;
	if (visible(o))
		draw_rule(w, wy(o), 0, o->width, SAFE_LITERAL("Containers"),
		    draw_attr(ROLE_HEADER));
	o->y++;
	if (d->containers_error != NULL) {
		if (visible(o))
			draw_text(w, wy(o), 1, o->width - 1, safe_untrusted(d->containers_error),
			    draw_attr(d->containers_enabled ? ROLE_UNKNOWN : ROLE_MUTED));
		o->y++;
	}
	if (d->ncontainers == 0)
		return;
	int wide = o->width >= 90;
	if (visible(o)) {
		char hdr[160];
		if (wide)
			snprintf(hdr, sizeof hdr, " %-13s %-18s %-9s %8s %8s %6s %8s  %s", "STATE", "NAME",
			    "HEALTH", "RESTARTS", "UPTIME", "CPU", "MEM", "REASON");
		else
			snprintf(hdr, sizeof hdr, " %-13s %-14s %4s %7s  %s", "STATE", "NAME", "RST", "UP",
			    "REASON");
		draw_text(w, wy(o), 0, o->width, safe_untrusted(hdr), draw_attr(ROLE_MUTED));
	}
	o->y++;
	for (size_t i = 0; i < d->ncontainers; i++) {
		const struct container *k = &d->containers[i];
		if (!item_visible(c, k->name))
			continue;
		int selected = p->focused && c->host_item == (int)i;
		if (c->host_item == (int)i)
			*cursor_line = o->y;
		if (visible(o)) {
			int y = wy(o);
			attr_t base = selected ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
			if (selected)
				draw_fill(w, y, 0, o->width, base);
			char st[32];
			snprintf(st, sizeof st, "%s %s", state_symbol(k->state),
			    k->crashloop ? "RESTARTING" : state_word(k->state));
			int x = 1;
			draw_text(w, y, x, 13, safe_untrusted(st),
			    selected ? base : draw_attr(draw_state_role(k->state)));
			x += 14;
			int nw = wide ? 18 : 14;
			draw_text(w, y, x, nw, safe_untrusted(k->name), base | A_BOLD);
			x += nw + 1;
			char up[24];
			int running = k->engine_state && strcmp(k->engine_state, "running") == 0;
			uptime_text(up, sizeof up, running ? k->started_ms : 0);
			char rest[160];
			if (wide) {
				char cpu[16] = "-", mem[16] = "-";
				if (k->have_stats) {
					snprintf(cpu, sizeof cpu, "%.1f%%", k->cpu_pct);
					fmt_bytes(mem, sizeof mem, k->mem_bytes);
				}
				/* the host's word in its own 9 columns: it cannot move the rest */
				draw_text(w, y, x, 9, safe_untrusted(k->health ? k->health : "-"), base);
				x += 10;
				snprintf(rest, sizeof rest, "%8d %8s %6s %8s  ", k->restarts, up, cpu, mem);
			} else
				snprintf(rest, sizeof rest, "%4d %7s  ", k->restarts, up);
			x += draw_text(w, y, x, o->width - x, safe_untrusted(rest), base);
			draw_text(w, y, x, o->width - x, safe_untrusted(k->reason), base);
		}
		o->y++;
	}
}

static void
draw_units(struct console *c, struct pane *p, struct line_out *o, const struct host_data *d,
    int *cursor_line)
{
	if (d->nunits == 0)
		return;
	WINDOW *w = o->w;
	if (visible(o))
		draw_rule(w, wy(o), 0, o->width, SAFE_LITERAL("Services"), draw_attr(ROLE_HEADER));
	o->y++;
	for (size_t i = 0; i < d->nunits; i++) {
		const struct unit_status *u = &d->units[i];
		int item = (int)(d->ncontainers + i);
		if (!item_visible(c, u->name))
			continue;
		if (c->host_item == item)
			*cursor_line = o->y;
		if (visible(o)) {
			int y = wy(o);
			int selected = p->focused && c->host_item == item;
			attr_t base = selected ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
			if (selected)
				draw_fill(w, y, 0, o->width, base);
			char st[32];
			snprintf(st, sizeof st, "%s %s", state_symbol(u->state), state_word(u->state));
			draw_text(w, y, 1, 11, safe_untrusted(st),
			    selected ? base : draw_attr(draw_state_role(u->state)));
			draw_text(w, y, 13, 18, safe_untrusted(u->name), base | A_BOLD);
			char up[24], rest[64];
			uptime_text(up, sizeof up, u->since_ms);
			snprintf(rest, sizeof rest, " %3d restarts  up %-7s ", u->restarts, up);
			int x = 32 + draw_text(w, y, 32, o->width - 32, safe_untrusted(rest), base);
			draw_text(w, y, x, o->width - x, safe_untrusted(u->reason), base);
		}
		o->y++;
	}
}

static void
draw_checks(struct console *c, struct line_out *o, const struct host_data *d)
{
	if (d->nchecks == 0 && d->nhealth == 0)
		return;
	WINDOW *w = o->w;
	if (visible(o))
		draw_rule(w, wy(o), 0, o->width, SAFE_LITERAL("Checks and health"),
		    draw_attr(ROLE_HEADER));
	o->y++;
	for (size_t i = 0; i < d->nhealth; i++) {
		const struct health_result *h = &d->health[i];
		if (!item_visible(c, h->name))
			continue;
		if (visible(o)) {
			int y = wy(o);
			char st[32], lat[32] = "-";
			snprintf(st, sizeof st, "%s %s", state_symbol(h->state), state_word(h->state));
			draw_text(w, y, 1, 11, safe_untrusted(st),
			    draw_attr(draw_state_role(h->state)));
			draw_text(w, y, 13, 16, safe_untrusted(h->name),
			    draw_attr(ROLE_NORMAL) | A_BOLD);
			if (h->latency_ms >= 0 && h->http_status)
				snprintf(lat, sizeof lat, "%lld ms", (long long)h->latency_ms);
			char mid[48];
			snprintf(mid, sizeof mid, " http %3d %8s  ", h->http_status, lat);
			int x = 30 + draw_text(w, y, 30, o->width - 30, safe_untrusted(mid),
			    draw_attr(ROLE_NORMAL));
			draw_text(w, y, x, o->width - x, safe_untrusted(h->reason),
			    draw_attr(ROLE_NORMAL));
		}
		o->y++;
		if (h->state >= STATE_WARN && h->body && *h->body) {
			if (visible(o)) {
				draw_text(w, wy(o), 3, 6, SAFE_LITERAL("body:"),
				    draw_attr(ROLE_MUTED));
				draw_text(w, wy(o), 9, o->width - 9, safe_untrusted(h->body),
				    draw_attr(ROLE_MUTED));
			}
			o->y++;
		}
	}
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct check_result *k = &d->checks[i];
		if (!item_visible(c, k->name))
			continue;
		if (visible(o)) {
			int y = wy(o);
			char st[32], lat[32] = "-";
			snprintf(st, sizeof st, "%s %s", state_symbol(k->state), state_word(k->state));
			draw_text(w, y, 1, 11, safe_untrusted(st),
			    draw_attr(draw_state_role(k->state)));
			draw_text(w, y, 13, 16, safe_untrusted(k->name),
			    draw_attr(ROLE_NORMAL) | A_BOLD);
			if (k->latency_ms >= 0)
				snprintf(lat, sizeof lat, "%lld ms", (long long)k->latency_ms);
			char mid[48];
			snprintf(mid, sizeof mid, " exit %3d %8s  ", k->exit_code, lat);
			int x = 30 + draw_text(w, y, 30, o->width - 30, safe_untrusted(mid),
			    draw_attr(ROLE_NORMAL));
			draw_text(w, y, x, o->width - x, safe_untrusted(k->reason),
			    draw_attr(ROLE_NORMAL));
		}
		o->y++;
		if (k->state >= STATE_WARN && k->output && *k->output) {
			if (visible(o)) {
				draw_text(w, wy(o), 3, 8, SAFE_LITERAL("output:"),
				    draw_attr(ROLE_MUTED));
				draw_text(w, wy(o), 11, o->width - 11, safe_untrusted(k->output),
				    draw_attr(ROLE_MUTED));
			}
			o->y++;
		}
	}
}

static void
draw_disks(struct line_out *o, const struct host_data *d)
{
	WINDOW *w = o->w;
	if (visible(o))
		draw_rule(w, wy(o), 0, o->width, SAFE_LITERAL("Disk"), draw_attr(ROLE_HEADER));
	o->y++;
	for (size_t i = 0; i < d->ndisks; i++) {
		const struct disk *k = &d->disks[i];
		if (visible(o)) {
			int y = wy(o);
			char st[32];
			snprintf(st, sizeof st, "%s %s", state_symbol(k->state), state_word(k->state));
			draw_text(w, y, 1, 11, safe_untrusted(st),
			    draw_attr(draw_state_role(k->state)));
			draw_text(w, y, 13, 16, safe_untrusted(k->mount),
			    draw_attr(ROLE_NORMAL) | A_BOLD);
			int barw = o->width >= 70 ? 20 : 10;
			draw_bar(w, y, 30, barw, k->pct, draw_attr(draw_state_role(k->state)));
			char size[16], rest[80];
			fmt_bytes(size, sizeof size, k->size_kb * 1024);
			if (k->ipct >= 0)
				snprintf(rest, sizeof rest, " %3d%% of %-9s inodes %d%%", k->pct, size, k->ipct);
			else
				snprintf(rest, sizeof rest, " %3d%% of %s", k->pct, size);
			draw_text(w, y, 30 + barw, o->width - 30 - barw, safe_untrusted(rest),
			    draw_attr(ROLE_NORMAL));
		}
		o->y++;
	}
	if (visible(o)) {
		int y = wy(o);
		char st[32], txt[128];
		snprintf(st, sizeof st, "%s %s", state_symbol(d->load_state), state_word(d->load_state));
		draw_text(w, y, 1, 11, safe_untrusted(st),
		    draw_attr(draw_state_role(d->load_state)));
		snprintf(txt, sizeof txt, "load %.2f %.2f %.2f on %d core%s", d->load1, d->load5, d->load15,
		    d->ncpu, d->ncpu == 1 ? "" : "s");
		draw_text(w, y, 13, o->width - 13, safe_untrusted(txt), draw_attr(ROLE_NORMAL));
	}
	o->y++;
	if (visible(o) && d->mem_total_kb > 0) {
		int y = wy(o);
		char st[32], txt[128], tot[16];
		snprintf(st, sizeof st, "%s %s", state_symbol(d->mem_state), state_word(d->mem_state));
		draw_text(w, y, 1, 11, safe_untrusted(st),
		    draw_attr(draw_state_role(d->mem_state)));
		draw_text(w, y, 13, 16, SAFE_LITERAL("memory"), draw_attr(ROLE_NORMAL) | A_BOLD);
		int barw = o->width >= 70 ? 20 : 10;
		draw_bar(w, y, 30, barw, d->mem_pct, draw_attr(draw_state_role(d->mem_state)));
		fmt_bytes(tot, sizeof tot, d->mem_total_kb * 1024);
		snprintf(txt, sizeof txt, " %3d%% of %s", d->mem_pct, tot);
		draw_text(w, y, 30 + barw, o->width - 30 - barw, safe_untrusted(txt),
		    draw_attr(ROLE_NORMAL));
	}
	o->y++;
}

static void
host_draw(struct console *c, struct pane *p)
{
	WINDOW *w = p->win;
	const struct host_snapshot *s = console_selected_snapshot(c);
	const struct host_conf *hc = &c->conf->hosts[c->selected];
	int64_t now = mono_ms();
	/* title: name, transport, state, age */
	char age[32];
	render_age(age, sizeof age, s, now);
	attr_t ta = p->focused ? draw_attr(ROLE_ACCENT) : draw_attr(ROLE_TITLE);
	int x = draw_text(w, 0, 1, p->w / 2, safe_untrusted(hc->name), ta);
	char meta[160];
	snprintf(meta, sizeof meta, "  %s  ", hc->transport == TRANSPORT_LOCAL ? "local" : "ssh");
	x += 1 + draw_text(w, 0, 1 + x, p->w - x - 1, safe_untrusted(meta), draw_attr(ROLE_MUTED));
	if (s != NULL) {
		x += draw_state(w, 0, 1 + x, s->state, snapshot_is_stale(s, now));
		snprintf(meta, sizeof meta, "  data %s old", age);
		x += draw_text(w, 0, 1 + x, p->w - x - 1, safe_untrusted(meta),
		    draw_attr(ROLE_MUTED));
	}
	if (s == NULL)
		return;
	int y = 1;
	if (s->state != STATE_OK && s->reason) {
		draw_text(w, y, 1, p->w - 2, safe_untrusted(s->reason),
		    draw_attr(draw_state_role(s->state)));
		y++;
	}
	if (s->conn == CONN_UNTRUSTED && s->fingerprint) {
		char *msg = xasprintf("key %s %s: T trusts it after you compare it", s->key_type ?
		    s->key_type : "", s->fingerprint);
		draw_text(w, y++, 1, p->w - 2, safe_untrusted(msg), draw_attr(ROLE_UNTRUSTED));
		free(msg);
	}
	const struct host_data *d = s->data;
	if (d == NULL) {
		draw_text(w, y, 1, p->w - 2, SAFE_LITERAL("no data yet"), draw_attr(ROLE_MUTED));
		return;
	}
	if (s->conn != CONN_UP) {
		char *msg = xasprintf("last seen %s ago: what follows is that old", age);
		draw_text(w, y++, 1, p->w - 2, safe_untrusted(msg), draw_attr(ROLE_STALE));
		free(msg);
	}
	struct line_out o = { w, 0, p->scroll, p->h - y, 0, p->w };
	/* shift content below the header lines */
	int header = y;
	int cursor_line = -1;
	WINDOW *sub = derwin(w, p->h - header + 1, p->w, header - 1, 0);
	if (sub == NULL)
		return;
	o.w = sub;
	draw_containers(c, p, &o, d, &cursor_line);
	draw_units(c, p, &o, d, &cursor_line);
	draw_checks(c, &o, d);
	draw_disks(&o, d);
	delwin(sub);
	int total = o.y;
	/* keep the cursor's line in view next time */
	if (cursor_line >= 0 && (cursor_line < p->scroll || cursor_line >= p->scroll + o.rows)) {
		p->scroll = cursor_line < p->scroll ? cursor_line : cursor_line - o.rows + 1;
		p->dirty = 1;
	}
	if (p->scroll > 0 && total - p->scroll < o.rows) {
		p->scroll = total > o.rows ? total - o.rows : 0;
		p->dirty = 1;
	}
}

static int
host_key(struct console *c, struct pane *p, int key)
{
	const struct host_snapshot *s = console_selected_snapshot(c);
	const struct host_data *d = s ? s->data : NULL;
	int items = d ? (int)(d->ncontainers + d->nunits) : 0;
	switch (key) {
	case KEY_UP:
	case 'k':
		if (c->host_item > 0)
			c->host_item--;
		else if (p->scroll > 0)
			p->scroll--;
		break;
	case KEY_DOWN:
	case 'j':
		if (c->host_item + 1 < items)
			c->host_item++;
		else
			p->scroll++;
		break;
	case KEY_PPAGE:
		p->scroll = p->scroll > p->h / 2 ? p->scroll - p->h / 2 : 0;
		break;
	case KEY_NPAGE:
		p->scroll += p->h / 2;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 'l':
		console_request_logs(c);
		ui_set_view(c, VIEW_LOGS);
		c->focus = PANE_LOGS;
		return 1;
	default:
		return 0;
	}
	console_dirty(c, PANE_HOST);
	return 1;
}

const struct pane_ops pane_host_ops = {
	.name = "host",
	.draw = host_draw,
	.key = host_key,
};
