/*
 * snapshot: immutable, reference-counted host state. See snapshot.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "util.h"

const char *
conn_word(enum conn_state c)
{
	switch (c) {
	case CONN_NEW: return "connecting";
	case CONN_UP: return "connected";
	case CONN_DOWN: return "unreachable";
	case CONN_UNTRUSTED: return "untrusted host key";
	case CONN_KEY_CHANGED: return "host key CHANGED";
	case CONN_AUTH_FAILED: return "authentication failed";
	case CONN_LOCAL_ERROR: return "sitrep error";
	}
	return "?";
}

struct host_data *
host_data_new(void)
{
	struct host_data *d = xcalloc(1, sizeof *d);
	d->refs = 1;
	d->ncpu = 1;
	d->load_state = d->mem_state = STATE_UNKNOWN;
	d->containers_state = STATE_OK;
	return d;
}

struct host_data *
host_data_ref(struct host_data *d)
{
	if (d != NULL)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
	return d;
}

void
container_clear(struct container *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->status);
	free(c->engine_state);
	free(c->health);
	free(c->restart_policy);
	free(c->reason);
	memset(c, 0, sizeof *c);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
container_copy(struct container *dst, const struct container *src)
{
	*dst = *src;
	dst->id = dup_or_null(src->id);
	dst->name = dup_or_null(src->name);
	dst->image = dup_or_null(src->image);
	dst->status = dup_or_null(src->status);
	dst->engine_state = dup_or_null(src->engine_state);
	dst->health = dup_or_null(src->health);
	dst->restart_policy = dup_or_null(src->restart_policy);
	dst->reason = dup_or_null(src->reason);
}

void
unit_status_clear(struct unit_status *u)
{
	free(u->name);
	free(u->load);
	free(u->active);
	free(u->sub);
	free(u->reason);
	memset(u, 0, sizeof *u);
}

void
check_result_clear(struct check_result *c)
{
	free(c->name);
	free(c->command_shown);
	free(c->output);
	free(c->reason);
	memset(c, 0, sizeof *c);
}

void
health_result_clear(struct health_result *h)
{
	free(h->name);
	free(h->url_shown);
	free(h->body);
	free(h->reason);
	memset(h, 0, sizeof *h);
}

void
disk_clear(struct disk *d)
{
	free(d->fs);
	free(d->mount);
	free(d->reason);
	memset(d, 0, sizeof *d);
}

void
host_data_unref(struct host_data **dp)
{
	struct host_data *d = *dp;
	*dp = NULL;
	if (d == NULL || __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(d->hostname);
	free(d->load_reason);
	free(d->mem_reason);
	free(d->containers_error);
	for (size_t i = 0; i < d->ncontainers; i++)
		container_clear(&d->containers[i]);
	free(d->containers);
	for (size_t i = 0; i < d->nunits; i++)
		unit_status_clear(&d->units[i]);
	free(d->units);
	for (size_t i = 0; i < d->nchecks; i++)
		check_result_clear(&d->checks[i]);
	free(d->checks);
	for (size_t i = 0; i < d->nhealth; i++)
		health_result_clear(&d->health[i]);
	free(d->health);
	for (size_t i = 0; i < d->ndisks; i++)
		disk_clear(&d->disks[i]);
	free(d->disks);
	free(d);
}

struct host_snapshot *
snapshot_new(const char *host)
{
	struct host_snapshot *s = xcalloc(1, sizeof *s);
	s->refs = 1;
	s->host = xstrdup(host);
	s->conn = CONN_NEW;
	s->state = STATE_UNKNOWN;
	s->wall_ms = wall_ms();
	s->mono_ms = mono_ms();
	return s;
}

struct host_snapshot *
snapshot_ref(struct host_snapshot *s)
{
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void
snapshot_unref(struct host_snapshot **sp)
{
	struct host_snapshot *s = *sp;
	*sp = NULL;
	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(s->host);
	free(s->conn_reason);
	free(s->fingerprint);
	free(s->key_type);
	free(s->reason);
	host_data_unref(&s->data);
	free(s);
}

int64_t
snapshot_age_ms(const struct host_snapshot *s, int64_t now_mono)
{
	if (s == NULL || s->data == NULL)
		return -1;
	return now_mono - s->data->mono_ms;
}

int
snapshot_is_stale(const struct host_snapshot *s, int64_t now_mono)
{
	int64_t age = snapshot_age_ms(s, now_mono);
	if (age < 0)
		return 0;
	int interval = s->interval_s > 0 ? s->interval_s : 5;
	return age > 2 * (int64_t)interval * 1000;
}
