/*
 * state: the rules that turn what a host reported into states and reasons.
 * Kept apart from the parsers (which only read) and from the fleet (which
 * only moves data) so the rules can be read, and tested, in one place.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "snapshot.h"
#include "state.h"
#include "util.h"

static const char *const words[STATE_COUNT] = {
	"OK", "UNKNOWN", "WARN", "CRIT", "DOWN", "UNTRUSTED"
};
/* Distinct shapes: a state is never told by colour alone. */
static const char *const symbols[STATE_COUNT] = {
	"\xe2\x97\x8f",		/* ● OK */
	"?",			/* UNKNOWN */
	"\xe2\x96\xb2",		/* ▲ WARN */
	"\xe2\x9c\x96",		/* ✖ CRIT */
	"\xe2\x96\xbc",		/* ▼ DOWN */
	"!",			/* UNTRUSTED */
};

const char *
state_word(enum state s)
{
	return (unsigned)s < STATE_COUNT ? words[s] : "?";
}

const char *
state_symbol(enum state s)
{
	return (unsigned)s < STATE_COUNT ? symbols[s] : "?";
}

enum state
state_worst(enum state a, enum state b)
{
	return a > b ? a : b;
}

int
state_from_word(const char *w)
{
	for (int i = 0; i < STATE_COUNT; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return -1;
}

static void
set(enum state *st, char **reason, enum state s, char *why)
{
	*st = s;
	free(*reason);
	*reason = why;
}

static const struct container *
find_prev(const struct host_data *prev, const struct container *c)
{
	if (prev == NULL)
		return NULL;
	for (size_t i = 0; i < prev->ncontainers; i++)
		if (strcmp(prev->containers[i].id, c->id) == 0)
			return &prev->containers[i];
	return NULL;
}

static void
eval_container(struct container *c, const struct container *p, int64_t now)
{
	const char *es = c->engine_state ? c->engine_state : "";
	int restarting = strcmp(es, "restarting") == 0;
	c->restart_grew_ms = p ? p->restart_grew_ms : 0;
	if (p != NULL && c->restarts > p->restarts)
		c->restart_grew_ms = now;
	else if (p == NULL && c->restarts > 0 && c->started_ms > 0 && now - c->started_ms < 60000)
		c->restart_grew_ms = now;	/* first sight, restarted within a minute */
	int auto_restart = c->restart_policy && c->restart_policy[0] &&
	    strcmp(c->restart_policy, "no") != 0;
	c->crashloop = restarting ||
	    (c->restart_grew_ms > 0 && now - c->restart_grew_ms < CRASHLOOP_WINDOW_MS &&
	    c->restarts > 0);
	/*
	 * An engine without a "restarting" state (podman) shows a crash loop
	 * as exited with a restart policy and a growing count.
	 */
	if (!c->crashloop && auto_restart && strcmp(es, "exited") == 0 && c->restarts > 0 &&
	    c->finished_ms > 0 && now - c->finished_ms < 60000)
		c->crashloop = 1;

	if (c->crashloop) {
		if (strcmp(es, "running") == 0 || restarting)
			set(&c->state, &c->reason, STATE_CRIT, xasprintf("restarting: %d restart%s",
			    c->restarts, c->restarts == 1 ? "" : "s"));
		else
			set(&c->state, &c->reason, STATE_CRIT, xasprintf("restarting: exited (%d), "
			    "%d restart%s", c->exit_code, c->restarts, c->restarts == 1 ? "" : "s"));
	} else if (strcmp(es, "running") == 0) {
		if (c->health && strcmp(c->health, "unhealthy") == 0)
			set(&c->state, &c->reason, STATE_CRIT, xstrdup("unhealthy"));
		else if (c->health && strcmp(c->health, "starting") == 0)
			set(&c->state, &c->reason, STATE_WARN, xstrdup("health: starting"));
		else
			set(&c->state, &c->reason, STATE_OK, xstrdup(c->health &&
			    strcmp(c->health, "healthy") == 0 ? "running, healthy" : "running"));
	} else if (strcmp(es, "exited") == 0 || strcmp(es, "stopped") == 0) {
		if (c->oom_killed)
			set(&c->state, &c->reason, STATE_CRIT, xstrdup("killed: out of memory"));
		else if (c->exit_code == 0)
			set(&c->state, &c->reason, STATE_OK, xstrdup("exited (0)"));
		else
			set(&c->state, &c->reason, STATE_WARN, xasprintf("exited (%d)", c->exit_code));
	} else if (strcmp(es, "dead") == 0 || strcmp(es, "removing") == 0)
		set(&c->state, &c->reason, STATE_CRIT, xstrdup(es));
	else if (strcmp(es, "created") == 0 || strcmp(es, "paused") == 0 ||
	    strcmp(es, "configured") == 0 || strcmp(es, "initialized") == 0)
		set(&c->state, &c->reason, STATE_WARN, xstrdup(es));
	else
		set(&c->state, &c->reason, STATE_UNKNOWN, xasprintf("state '%s'", es));
}

static void
eval_unit(struct unit_status *u, const struct unit_status *prev)
{
	if (u->active == NULL) {
		if (u->reason == NULL)
			u->reason = xstrdup("not reported");
		u->state = STATE_UNKNOWN;
		return;
	}
	if (u->load && strcmp(u->load, "not-found") == 0)
		set(&u->state, &u->reason, STATE_CRIT, xstrdup("unit not found"));
	else if (strcmp(u->active, "active") == 0) {
		if (prev && prev->active && u->restarts > prev->restarts)
			set(&u->state, &u->reason, STATE_WARN, xasprintf("restarted (%d restarts)", u->restarts));
		else
			set(&u->state, &u->reason, STATE_OK, xasprintf("active (%s)", u->sub ? u->sub : "?"));
	} else if (strcmp(u->active, "failed") == 0)
		set(&u->state, &u->reason, STATE_CRIT, xasprintf("failed (%s)", u->sub ? u->sub : "?"));
	else if (strcmp(u->active, "inactive") == 0)
		set(&u->state, &u->reason, STATE_CRIT, xstrdup("inactive (dead)"));
	else
		set(&u->state, &u->reason, STATE_WARN, xasprintf("%s (%s)", u->active, u->sub ? u->sub : "?"));
}

static void
eval_check(struct check_result *r, const struct check_conf *cc)
{
	if (r->state == STATE_UNKNOWN && r->reason != NULL)
		return;		/* not run: reason already set */
	if (r->exit_code == 124 || r->exit_code == 137) {
		set(&r->state, &r->reason, STATE_CRIT, xstrdup("timed out"));
		return;
	}
	if (r->exit_code == 127) {
		set(&r->state, &r->reason, STATE_CRIT, xstrdup("command not found"));
		return;
	}
	if (r->exit_code != 0) {
		set(&r->state, &r->reason, STATE_CRIT, xasprintf("exit %d", r->exit_code));
		return;
	}
	if (cc->expect != NULL) {
		regex_t re;
		/* as grep does: ^ and $ match at every line */
		if (regcomp(&re, cc->expect, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0) {
			set(&r->state, &r->reason, STATE_UNKNOWN, xstrdup("bad expect regex"));
			return;
		}
		int match = regexec(&re, r->output ? r->output : "", 0, NULL, 0) == 0;
		regfree(&re);
		if (!match) {
			set(&r->state, &r->reason, STATE_CRIT, xasprintf("output does not match '%s'",
			    cc->expect));
			return;
		}
	}
	set(&r->state, &r->reason, STATE_OK, xstrdup(cc->expect ? "ok, output matches" : "ok"));
}

static void
eval_disk(struct disk *d, const struct host_conf *h)
{
	int worst = d->pct > d->ipct ? d->pct : d->ipct;
	const char *what = d->ipct > d->pct ? "inodes" : "used";
	if (worst >= h->disk_crit)
		set(&d->state, &d->reason, STATE_CRIT, xasprintf("%s %d%% %s (crit %d%%)",
		    d->mount, worst, what, h->disk_crit));
	else if (worst >= h->disk_warn)
		set(&d->state, &d->reason, STATE_WARN, xasprintf("%s %d%% %s (warn %d%%)",
		    d->mount, worst, what, h->disk_warn));
	else
		set(&d->state, &d->reason, STATE_OK, xasprintf("%s %d%% used", d->mount, d->pct));
}

void
state_eval(const struct host_conf *h, struct host_data *d, const struct host_data *prev,
    int64_t now)
{
	/*
	 * An engine that did not answer says nothing about its containers:
	 * the last ones seen are kept, UNKNOWN, rather than reported gone.
	 */
	if (d->containers_enabled && d->containers_state == STATE_UNKNOWN && d->ncontainers == 0 &&
	    prev != NULL && prev->ncontainers > 0) {
		d->containers = xcalloc(prev->ncontainers, sizeof *d->containers);
		d->ncontainers = prev->ncontainers;
		for (size_t i = 0; i < prev->ncontainers; i++) {
			container_copy(&d->containers[i], &prev->containers[i]);
			set(&d->containers[i].state, &d->containers[i].reason, STATE_UNKNOWN,
			    xasprintf("engine not answering (last seen: %s)", prev->containers[i].reason ?
			    prev->containers[i].reason : "?"));
		}
	} else
		for (size_t i = 0; i < d->ncontainers; i++)
			eval_container(&d->containers[i], find_prev(prev, &d->containers[i]), now);
	for (size_t i = 0; i < d->nunits; i++) {
		const struct unit_status *p = NULL;
		if (prev != NULL && i < prev->nunits && strcmp(prev->units[i].name, d->units[i].name) == 0)
			p = &prev->units[i];
		eval_unit(&d->units[i], p);
	}
	for (size_t i = 0; i < d->nchecks && i < h->nchecks; i++)
		eval_check(&d->checks[i], &h->checks[i]);
	for (size_t i = 0; i < d->ndisks; i++)
		eval_disk(&d->disks[i], h);

	if (d->load1 < 0)
		set(&d->load_state, &d->load_reason, STATE_UNKNOWN, xstrdup("load not reported"));
	else {
		double per_core = d->load1 / (d->ncpu > 0 ? d->ncpu : 1);
		enum state s = per_core >= h->load_crit ? STATE_CRIT :
		    per_core >= h->load_warn ? STATE_WARN : STATE_OK;
		set(&d->load_state, &d->load_reason, s, xasprintf("load %.2f on %d core%s", d->load1,
		    d->ncpu, d->ncpu == 1 ? "" : "s"));
	}
	if (d->mem_total_kb == 0)
		set(&d->mem_state, &d->mem_reason, STATE_UNKNOWN, xstrdup("memory not reported"));
	else {
		d->mem_pct = (int)((d->mem_total_kb - d->mem_avail_kb) * 100 / d->mem_total_kb);
		enum state s = d->mem_pct >= h->mem_crit ? STATE_CRIT :
		    d->mem_pct >= h->mem_warn ? STATE_WARN : STATE_OK;
		set(&d->mem_state, &d->mem_reason, s, xasprintf("memory %d%% used", d->mem_pct));
	}
}

/* Keeps the first item with the worst state: the reason the host shows. */
static void
consider(enum state *worst, const char **why_name, const char **why, enum state s,
    const char *name, const char *reason)
{
	if (s > *worst && s != STATE_UNKNOWN) {
		*worst = s;
		*why_name = name;
		*why = reason;
	}
}

void
state_eval_snapshot(struct host_snapshot *s)
{
	free(s->reason);
	s->reason = NULL;
	switch (s->conn) {
	case CONN_NEW:
		s->state = STATE_UNKNOWN;
		s->reason = xstrdup("connecting");
		return;
	case CONN_DOWN:
		s->state = STATE_DOWN;
		s->reason = xstrdup(s->conn_reason ? s->conn_reason : "unreachable");
		return;
	case CONN_AUTH_FAILED:
		s->state = STATE_DOWN;
		s->reason = xstrdup(s->conn_reason ? s->conn_reason : "authentication failed");
		return;
	case CONN_LOCAL_ERROR:
		/* nothing is known of the host: it is not down */
		s->state = STATE_UNKNOWN;
		s->reason = xstrdup(s->conn_reason ? s->conn_reason : conn_word(s->conn));
		return;
	case CONN_UNTRUSTED:
	case CONN_KEY_CHANGED:
		s->state = STATE_UNTRUSTED;
		s->reason = xstrdup(s->conn_reason ? s->conn_reason : conn_word(s->conn));
		return;
	case CONN_UP:
		break;
	}
	const struct host_data *d = s->data;
	if (d == NULL) {
		s->state = STATE_UNKNOWN;
		s->reason = xstrdup("no data yet");
		return;
	}
	enum state worst = STATE_OK;
	const char *name = NULL, *why = NULL;
	for (size_t i = 0; i < d->ncontainers; i++)
		consider(&worst, &name, &why, d->containers[i].state, d->containers[i].name,
		    d->containers[i].reason);
	for (size_t i = 0; i < d->nunits; i++)
		consider(&worst, &name, &why, d->units[i].state, d->units[i].name, d->units[i].reason);
	for (size_t i = 0; i < d->nhealth; i++)
		consider(&worst, &name, &why, d->health[i].state, d->health[i].name, d->health[i].reason);
	for (size_t i = 0; i < d->nchecks; i++)
		consider(&worst, &name, &why, d->checks[i].state, d->checks[i].name, d->checks[i].reason);
	for (size_t i = 0; i < d->ndisks; i++)
		consider(&worst, &name, &why, d->disks[i].state, "disk", d->disks[i].reason);
	consider(&worst, &name, &why, d->mem_state, "memory", d->mem_reason);
	consider(&worst, &name, &why, d->load_state, "load", d->load_reason);
	int unknown = d->containers_state == STATE_UNKNOWN;
	for (size_t i = 0; i < d->nchecks && !unknown; i++)
		unknown = d->checks[i].state == STATE_UNKNOWN;
	for (size_t i = 0; i < d->nhealth && !unknown; i++)
		unknown = d->health[i].state == STATE_UNKNOWN;
	if (worst == STATE_OK && unknown) {
		s->state = STATE_UNKNOWN;
		s->reason = xstrdup(d->containers_state == STATE_UNKNOWN && d->containers_error ?
		    d->containers_error : "some checks could not run");
		return;
	}
	s->state = worst;
	if (worst == STATE_OK) {
		size_t n = d->ncontainers;
		s->reason = xasprintf("%zu container%s, %zu check%s ok", n, n == 1 ? "" : "s",
		    d->nchecks + d->nhealth + d->nunits, d->nchecks + d->nhealth + d->nunits == 1 ? "" : "s");
	} else if (strcmp(name, "disk") == 0 || strcmp(name, "memory") == 0 || strcmp(name, "load") == 0)
		s->reason = xstrdup(why);
	else
		s->reason = xasprintf("%s: %s", name, why);
}

int
state_exit_code(const enum state *states, size_t n)
{
	int crit = 0, unknown = 0, warn = 0;
	for (size_t i = 0; i < n; i++) {
		switch (states[i]) {
		case STATE_CRIT: crit = 1; break;
		case STATE_DOWN:
		case STATE_UNTRUSTED:
		case STATE_UNKNOWN: unknown = 1; break;
		case STATE_WARN: warn = 1; break;
		default: break;
		}
	}
	return crit ? 2 : unknown ? 3 : warn ? 1 : 0;
}
