/*
 * render: text and JSON views of snapshots, for the scriptable twins.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "sanitize.h"
#include "util.h"

void
render_json_str(cJSON *o, const char *key, const char *s)
{
	if (s == NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char *r = sanitize_redact(s, strlen(s));
	char *u = sanitize_utf8(r, strlen(r));
	cJSON_AddStringToObject(o, key, u);
	free(u);
	free(r);
}

static void
add_str(cJSON *o, const char *key, const char *s)
{
	render_json_str(o, key, s);
}

static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	if (ms <= 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char ts[32];
	fmt_utc(ts, sizeof ts, ms);
	cJSON_AddStringToObject(o, key, ts);
}

void
render_age(char *out, size_t size, const struct host_snapshot *s, int64_t now)
{
	int64_t age = snapshot_age_ms(s, now);
	if (age < 0)
		snprintf(out, size, "-");
	else
		fmt_duration(out, size, age);
}

static void
json_code(cJSON *o, const char *key, int code)
{
	if (code >= 0)
		cJSON_AddNumberToObject(o, key, code);
	else
		cJSON_AddNullToObject(o, key);
}

static void
json_load(cJSON *h, const struct host_data *d)
{
	cJSON *load = cJSON_AddObjectToObject(h, "load");
	cJSON_AddNumberToObject(load, "load1", d->load1);
	cJSON_AddNumberToObject(load, "load5", d->load5);
	cJSON_AddNumberToObject(load, "load15", d->load15);
	cJSON_AddNumberToObject(load, "cores", d->ncpu);
	add_str(load, "state", state_word(d->load_state));
	add_str(load, "reason", d->load_reason);
}

static void
json_memory(cJSON *h, const struct host_data *d)
{
	cJSON *mem = cJSON_AddObjectToObject(h, "memory");
	cJSON_AddNumberToObject(mem, "total_kb", (double)d->mem_total_kb);
	cJSON_AddNumberToObject(mem, "available_kb", (double)d->mem_avail_kb);
	cJSON_AddNumberToObject(mem, "used_pct", d->mem_pct);
	cJSON_AddNumberToObject(mem, "swap_total_kb", (double)d->swap_total_kb);
	cJSON_AddNumberToObject(mem, "swap_free_kb", (double)d->swap_free_kb);
	add_str(mem, "state", state_word(d->mem_state));
	add_str(mem, "reason", d->mem_reason);
}

static cJSON *
json_container(const struct container *c)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "id", c->id);
	add_str(o, "name", c->name);
	add_str(o, "image", c->image);
	add_str(o, "engine_state", c->engine_state);
	add_str(o, "status", c->status);
	add_str(o, "health", c->health);
	add_str(o, "restart_policy", c->restart_policy);
	cJSON_AddNumberToObject(o, "restarts", c->restarts);
	json_code(o, "exit_code", c->exit_code);
	cJSON_AddBoolToObject(o, "oom_killed", c->oom_killed);
	cJSON_AddBoolToObject(o, "restarting", c->crashloop);
	add_time(o, "started_at", c->started_ms);
	add_time(o, "finished_at", c->finished_ms);
	if (c->have_stats) {
		cJSON_AddNumberToObject(o, "cpu_pct", c->cpu_pct);
		cJSON_AddNumberToObject(o, "mem_pct", c->mem_pct);
		cJSON_AddNumberToObject(o, "mem_bytes", (double)c->mem_bytes);
	}
	add_str(o, "state", state_word(c->state));
	add_str(o, "reason", c->reason);
	return o;
}

static void
json_containers(cJSON *h, const struct host_data *d)
{
	cJSON *cs = cJSON_AddObjectToObject(h, "containers");
	cJSON_AddBoolToObject(cs, "enabled", d->containers_enabled);
	add_str(cs, "state", state_word(d->containers_state));
	add_str(cs, "error", d->containers_error);
	cJSON *items = cJSON_AddArrayToObject(cs, "items");
	for (size_t i = 0; i < d->ncontainers; i++)
		cJSON_AddItemToArray(items, json_container(&d->containers[i]));
}

static cJSON *
json_unit(const struct unit_status *u)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "name", u->name);
	add_str(o, "active", u->active);
	add_str(o, "sub", u->sub);
	cJSON_AddNumberToObject(o, "restarts", u->restarts);
	add_time(o, "since", u->since_ms);
	add_str(o, "state", state_word(u->state));
	add_str(o, "reason", u->reason);
	return o;
}

static cJSON *
json_check(const struct check_result *c)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "name", c->name);
	add_str(o, "command", c->command_shown);
	json_code(o, "exit_code", c->exit_code);
	add_str(o, "output", c->output);
	cJSON_AddNumberToObject(o, "latency_ms", (double)c->latency_ms);
	add_str(o, "state", state_word(c->state));
	add_str(o, "reason", c->reason);
	return o;
}

static cJSON *
json_health(const struct health_result *r)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "name", r->name);
	add_str(o, "url", r->url_shown);
	cJSON_AddNumberToObject(o, "http_status", r->http_status);
	cJSON_AddNumberToObject(o, "latency_ms", (double)r->latency_ms);
	add_str(o, "body", r->body);
	add_str(o, "state", state_word(r->state));
	add_str(o, "reason", r->reason);
	return o;
}

static cJSON *
json_disk(const struct disk *k)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "mount", k->mount);
	add_str(o, "fs", k->fs);
	cJSON_AddNumberToObject(o, "size_kb", (double)k->size_kb);
	cJSON_AddNumberToObject(o, "used_kb", (double)k->used_kb);
	cJSON_AddNumberToObject(o, "avail_kb", (double)k->avail_kb);
	cJSON_AddNumberToObject(o, "used_pct", k->pct);
	if (k->ipct >= 0)
		cJSON_AddNumberToObject(o, "inodes_pct", k->ipct);
	else
		cJSON_AddNullToObject(o, "inodes_pct");
	add_str(o, "state", state_word(k->state));
	add_str(o, "reason", k->reason);
	return o;
}

cJSON *
render_host_json(const struct host_snapshot *s, int64_t now)
{
	cJSON *h = cJSON_CreateObject();
	add_str(h, "name", s->host);
	add_str(h, "state", state_word(s->state));
	add_str(h, "reason", s->reason);
	add_str(h, "connection", conn_word(s->conn));
	add_str(h, "connection_error", s->conn_reason);
	add_str(h, "fingerprint", s->fingerprint);
	add_str(h, "key_type", s->key_type);
	int64_t age = snapshot_age_ms(s, now);
	if (age >= 0)
		cJSON_AddNumberToObject(h, "age_ms", (double)age);
	else
		cJSON_AddNullToObject(h, "age_ms");
	cJSON_AddBoolToObject(h, "stale", snapshot_is_stale(s, now));
	const struct host_data *d = s->data;
	if (d == NULL)
		return h;
	add_time(h, "collected_at", d->wall_ms);
	cJSON_AddNumberToObject(h, "cycle_ms", (double)d->cycle_ms);
	add_str(h, "hostname", d->hostname);
	cJSON_AddNumberToObject(h, "uptime_s", d->uptime_s);
	json_load(h, d);
	json_memory(h, d);
	json_containers(h, d);
	cJSON *units = cJSON_AddArrayToObject(h, "units");
	for (size_t i = 0; i < d->nunits; i++)
		cJSON_AddItemToArray(units, json_unit(&d->units[i]));
	cJSON *checks = cJSON_AddArrayToObject(h, "checks");
	for (size_t i = 0; i < d->nchecks; i++)
		cJSON_AddItemToArray(checks, json_check(&d->checks[i]));
	cJSON *health = cJSON_AddArrayToObject(h, "health");
	for (size_t i = 0; i < d->nhealth; i++)
		cJSON_AddItemToArray(health, json_health(&d->health[i]));
	cJSON *disks = cJSON_AddArrayToObject(h, "disks");
	for (size_t i = 0; i < d->ndisks; i++)
		cJSON_AddItemToArray(disks, json_disk(&d->disks[i]));
	return h;
}

static void
item_line(FILE *out, const char *kind, const char *name, enum state st, const char *reason,
    int verbose)
{
	if (!verbose && st == STATE_OK)
		return;
	char *n = sanitize_str(name), *r = sanitize_str(reason);
	fprintf(out, "    %-9s %-10s %-24s %s\n", state_word(st), kind, n, r);
	free(n);
	free(r);
}

void
render_host_text(FILE *out, const struct host_snapshot *s, int64_t now, int verbose)
{
	char age[32];
	render_age(age, sizeof age, s, now);
	char *name = sanitize_str(s->host), *reason = sanitize_str(s->reason);
	fprintf(out, "%-20s %s %-9s %-7s %s%s\n", name, state_symbol(s->state), state_word(s->state),
	    age, reason, snapshot_is_stale(s, now) ? " (STALE)" : "");
	free(name);
	free(reason);
	const struct host_data *d = s->data;
	if (d == NULL || (s->conn != CONN_UP && !verbose))
		return;
	if (d->containers_enabled && d->containers_state != STATE_OK)
		item_line(out, "engine", "containers", d->containers_state, d->containers_error, verbose);
	for (size_t i = 0; i < d->ncontainers; i++)
		item_line(out, "container", d->containers[i].name, d->containers[i].state,
		    d->containers[i].reason, verbose);
	for (size_t i = 0; i < d->nunits; i++)
		item_line(out, "unit", d->units[i].name, d->units[i].state, d->units[i].reason, verbose);
	for (size_t i = 0; i < d->nchecks; i++)
		item_line(out, "check", d->checks[i].name, d->checks[i].state, d->checks[i].reason, verbose);
	for (size_t i = 0; i < d->nhealth; i++)
		item_line(out, "health", d->health[i].name, d->health[i].state, d->health[i].reason, verbose);
	for (size_t i = 0; i < d->ndisks; i++)
		item_line(out, "disk", d->disks[i].mount, d->disks[i].state, d->disks[i].reason, verbose);
	item_line(out, "memory", "memory", d->mem_state, d->mem_reason, verbose);
	item_line(out, "load", "load", d->load_state, d->load_reason, verbose);
}
