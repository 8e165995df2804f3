/*
 * diff: snapshot to snapshot, the changes an operator wants in the
 * timeline. Only transitions are reported, never steady states, so a
 * crash-looping container gives one event per restart, not one per cycle.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "util.h"

static void ATTR_PRINTF(5, 6)
add(struct change **out, size_t *n, const char *kind, int bad, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*out = xreallocarray(*out, *n + 1, sizeof **out);
	struct change *c = &(*out)[(*n)++];
	c->kind = xstrdup(kind);
	c->text = xvasprintf(fmt, ap);
	c->bad = bad;
	va_end(ap);
}

static const struct container *
find_container(const struct host_data *d, const char *id)
{
	for (size_t i = 0; d && i < d->ncontainers; i++)
		if (strcmp(d->containers[i].id, id) == 0)
			return &d->containers[i];
	return NULL;
}

static void
diff_containers(const char *host, const struct host_data *o, const struct host_data *n,
    struct change **out, size_t *cnt)
{
	for (size_t i = 0; i < n->ncontainers; i++) {
		const struct container *c = &n->containers[i];
		const struct container *p = find_container(o, c->id);
		if (p == NULL) {
			if (o != NULL)
				add(out, cnt, "container", 0, "%s: container %s appeared (%s)", host, c->name,
				    c->reason ? c->reason : "");
			continue;
		}
		if (c->restarts > p->restarts) {
			char last[32] = "";
			if (c->exit_code > 0)
				snprintf(last, sizeof last, ", last exit %d", c->exit_code);
			add(out, cnt, "restarted", 1, "%s: container %s restarted (%d restart%s%s)", host,
			    c->name, c->restarts, c->restarts == 1 ? "" : "s", last);
		}
		else if (c->state != p->state) {
			if (c->state >= STATE_WARN && p->state < STATE_WARN) {
				const char *kind = c->health && strcmp(c->health, "unhealthy") == 0 ?
				    "unhealthy" : "stopped";
				add(out, cnt, kind, 1, "%s: container %s %s", host, c->name,
				    c->reason ? c->reason : state_word(c->state));
			} else if (c->state < STATE_WARN && p->state >= STATE_WARN)
				add(out, cnt, "recovered", 0, "%s: container %s recovered (%s)", host, c->name,
				    c->reason ? c->reason : "ok");
			else if (c->state > p->state)
				add(out, cnt, "worse", 1, "%s: container %s %s", host, c->name,
				    c->reason ? c->reason : state_word(c->state));
		}
	}
	for (size_t i = 0; o && i < o->ncontainers; i++)
		if (find_container(n, o->containers[i].id) == NULL)
			add(out, cnt, "gone", 1, "%s: container %s is gone", host, o->containers[i].name);
}

static void
flip(struct change **out, size_t *cnt, const char *host, const char *what, const char *name,
    enum state was, enum state now, const char *reason)
{
	if (was == now || now == STATE_UNKNOWN || was == STATE_UNKNOWN)
		return;
	if (now >= STATE_WARN && was < now)
		add(out, cnt, "failed", 1, "%s: %s %s %s: %s", host, what, name, state_word(now),
		    reason ? reason : "");
	else if (now < STATE_WARN && was >= STATE_WARN)
		add(out, cnt, "recovered", 0, "%s: %s %s OK again: %s", host, what, name,
		    reason ? reason : "");
	else if (now < was)
		add(out, cnt, "better", 0, "%s: %s %s %s: %s", host, what, name, state_word(now),
		    reason ? reason : "");
}

size_t
diff_snapshots(const struct host_snapshot *old, const struct host_snapshot *new,
    struct change **out, size_t *n)
{
	size_t before = *n;
	const char *h = new->host;
	enum conn_state oc = old ? old->conn : CONN_NEW;
	if (new->conn != oc) {
		switch (new->conn) {
		case CONN_DOWN:
		case CONN_AUTH_FAILED:
			if (oc == CONN_UP || oc == CONN_NEW)
				add(out, n, "lost", 1, "%s: host lost: %s", h,
				    new->conn_reason ? new->conn_reason : conn_word(new->conn));
			break;
		case CONN_UNTRUSTED:
		case CONN_KEY_CHANGED:
			add(out, n, "key", 1, "%s: %s", h,
			    new->conn_reason ? new->conn_reason : conn_word(new->conn));
			break;
		case CONN_LOCAL_ERROR:
			add(out, n, "sitrep", 1, "%s: %s", h,
			    new->conn_reason ? new->conn_reason : conn_word(new->conn));
			break;
		case CONN_UP:
			if (oc != CONN_NEW)
				add(out, n, "back", 0, "%s: host back (%s)", h, conn_word(oc));
			break;
		case CONN_NEW:
			break;
		}
	}
	if (new->conn != CONN_UP || new->data == NULL)
		return *n - before;
	const struct host_data *nd = new->data;
	const struct host_data *od = old && old->conn == CONN_UP ? old->data : NULL;
	if (od == nd)
		return *n - before;
	if (od != NULL && nd->containers_state != od->containers_state) {
		if (nd->containers_state == STATE_UNKNOWN)
			add(out, n, "engine", 1, "%s: containers: %s", h,
			    nd->containers_error ? nd->containers_error : "the engine did not answer");
		else if (od->containers_state == STATE_UNKNOWN)
			add(out, n, "recovered", 0, "%s: the container engine answers again", h);
	}
	/* the containers of an engine that did not answer are not compared */
	if (nd->containers_state != STATE_UNKNOWN && (od == NULL || od->containers_state != STATE_UNKNOWN))
		diff_containers(h, od, nd, out, n);
	if (od == NULL)
		return *n - before;
	for (size_t i = 0; i < nd->nchecks && i < od->nchecks; i++)
		flip(out, n, h, "check", nd->checks[i].name, od->checks[i].state, nd->checks[i].state,
		    nd->checks[i].reason);
	for (size_t i = 0; i < nd->nhealth && i < od->nhealth; i++)
		flip(out, n, h, "health", nd->health[i].name, od->health[i].state, nd->health[i].state,
		    nd->health[i].reason);
	for (size_t i = 0; i < nd->nunits && i < od->nunits; i++)
		flip(out, n, h, "unit", nd->units[i].name, od->units[i].state, nd->units[i].state,
		    nd->units[i].reason);
	for (size_t i = 0; i < nd->ndisks; i++)
		for (size_t k = 0; k < od->ndisks; k++)
			if (strcmp(nd->disks[i].mount, od->disks[k].mount) == 0)
				flip(out, n, h, "disk", nd->disks[i].mount, od->disks[k].state,
				    nd->disks[i].state, nd->disks[i].reason);
	flip(out, n, h, "memory", "", od->mem_state, nd->mem_state, nd->mem_reason);
	flip(out, n, h, "load", "", od->load_state, nd->load_state, nd->load_reason);
	return *n - before;
}

void
changes_free(struct change *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].kind);
		free(c[i].text);
	}
	free(c);
}
