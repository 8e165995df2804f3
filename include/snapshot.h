/*
 * snapshot: what sitrep knows about one host at one moment.
 *
 * A worker builds a host_data from one probe cycle and wraps it in a
 * host_snapshot with the connection state. Both are immutable once
 * published and reference-counted, so the main loop reads them without
 * locks while the worker builds the next one. A DOWN snapshot keeps the last
 * good host_data, so the panes can show what was last seen, and how old it is.
 */
#ifndef SITREP_SNAPSHOT_H
#define SITREP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

enum conn_state {
	CONN_NEW,		/* not tried yet */
	CONN_UP,
	CONN_DOWN,		/* unreachable, timed out, dropped */
	CONN_UNTRUSTED,		/* host key not in known_hosts */
	CONN_KEY_CHANGED,	/* host key differs from known_hosts: refused */
	CONN_AUTH_FAILED,
	CONN_LOCAL_ERROR,	/* sitrep's own failure (out of file descriptors), not the host's */
};
const char *conn_word(enum conn_state);

struct container {
	char *id;
	char *name;
	char *image;
	char *status;		/* "Up 3 hours", "Exited (7) 2 minutes ago" */
	char *engine_state;	/* running, exited, restarting, created, paused, dead */
	char *health;		/* healthy, unhealthy, starting, or NULL */
	char *restart_policy;
	int restarts;
	int exit_code;
	int oom_killed;
	int64_t started_ms;	/* UTC, 0 if unknown */
	int64_t finished_ms;
	int crashloop;		/* restart count grew recently */
	int64_t restart_grew_ms;	/* UTC of the last growth seen, 0: never */
	int have_stats;
	double cpu_pct;
	double mem_pct;
	uint64_t mem_bytes;
	enum state state;
	char *reason;
};

struct unit_status {
	char *name;
	char *load;		/* loaded, not-found */
	char *active;		/* active, failed, inactive, activating */
	char *sub;		/* running, dead, exited, auto-restart */
	int restarts;
	int64_t since_ms;
	enum state state;
	char *reason;
};

struct check_result {
	char *name;
	char *command_shown;
	int exit_code;		/* -1: not run */
	char *output;		/* capped */
	int64_t latency_ms;
	enum state state;
	char *reason;
};

struct health_result {
	char *name;
	char *url_shown;
	int http_status;	/* 0: no answer */
	int64_t latency_ms;
	char *body;		/* capped excerpt */
	enum state state;
	char *reason;
};

struct disk {
	char *fs;
	char *mount;
	uint64_t size_kb, used_kb, avail_kb;
	int pct;
	uint64_t inodes, iused;
	int ipct;		/* -1: unknown */
	enum state state;
	char *reason;
};

struct host_data {
	int refs;
	int64_t wall_ms;	/* when collected */
	int64_t mono_ms;
	int64_t cycle_ms;	/* how long the cycle took */
	char *hostname;		/* what the host calls itself */
	double uptime_s;
	double load1, load5, load15;
	int ncpu;
	uint64_t mem_total_kb, mem_avail_kb, swap_total_kb, swap_free_kb;
	int mem_pct;
	enum state load_state, mem_state;
	char *load_reason, *mem_reason;
	int containers_enabled;
	enum state containers_state;	/* UNKNOWN when the engine did not answer */
	char *containers_error;
	struct container *containers;
	size_t ncontainers;
	struct unit_status *units;
	size_t nunits;
	struct check_result *checks;
	size_t nchecks;
	struct health_result *health;
	size_t nhealth;
	struct disk *disks;
	size_t ndisks;
};

struct host_snapshot {
	int refs;
	char *host;
	uint64_t seq;
	int64_t wall_ms;	/* when published */
	int64_t mono_ms;
	enum conn_state conn;
	char *conn_reason;	/* "connection refused", "timed out after 5 s" */
	char *fingerprint;	/* SHA256:..., once the server key is seen */
	char *key_type;
	int interval_s;
	enum state state;	/* the host's overall state */
	char *reason;		/* the worst item's reason, in words */
	struct host_data *data;	/* last good data, or NULL */
};

struct host_data *host_data_new(void);
struct host_data *host_data_ref(struct host_data *);
void host_data_unref(struct host_data **);

struct host_snapshot *snapshot_new(const char *host);
struct host_snapshot *snapshot_ref(struct host_snapshot *);
void snapshot_unref(struct host_snapshot **);

/* STALE when the data is older than two intervals. */
int snapshot_is_stale(const struct host_snapshot *, int64_t now_mono);
/* Milliseconds since the data was collected, or -1 without data. */
int64_t snapshot_age_ms(const struct host_snapshot *, int64_t now_mono);

void container_clear(struct container *);
/* A deep copy. */
void container_copy(struct container *dst, const struct container *src);
void unit_status_clear(struct unit_status *);
void check_result_clear(struct check_result *);
void health_result_clear(struct health_result *);
void disk_clear(struct disk *);

#endif
