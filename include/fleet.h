/*
 * fleet: one worker thread per host. A worker connects, probes on its
 * interval, runs health checks, and publishes an immutable snapshot; it
 * also serves on-demand requests (logs) on its session. Operator commands
 * (jobs) run on their own thread and session so a long command never
 * delays the host's probe, and so cancelling one can drop its channel.
 *
 * Workers never touch curses or the store: they publish, then write one
 * byte to the wake pipe. The main loop takes snapshots and messages.
 *
 * Read-only mode (the wall) is enforced here: fleet_job_start() refuses.
 */
#ifndef SITREP_FLEET_H
#define SITREP_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "snapshot.h"
#include "transport.h"

#define FLEET_READONLY	0x1
#define FLEET_ONESHOT	0x2	/* one cycle per host, then idle (status) */

#define JOB_OUTPUT_KEEP (256 * 1024)

enum fleet_msg_kind {
	FLEET_MSG_LOGS,		/* a log tail arrived (or failed) */
	FLEET_MSG_JOB_OUTPUT,	/* a chunk of a running command's output */
	FLEET_MSG_JOB_DONE,	/* a command ended: result set */
	FLEET_MSG_TRUST,	/* a host key was trusted (or not: error set) */
};

struct fleet_msg {
	enum fleet_msg_kind kind;
	size_t host;
	int64_t job_id;
	char *name;		/* logs: the container or unit */
	char *data;		/* logs: the text; job output: the chunk */
	size_t len;
	char *error;		/* NULL unless it failed */
	struct exec_result result;
	struct fleet_msg *next;
};

struct fleet;

struct fleet *fleet_start(const struct conf *, int wake_fd, int flags);
void fleet_stop(struct fleet **);
size_t fleet_size(const struct fleet *);
const struct host_conf *fleet_host(const struct fleet *, size_t);
/* The latest snapshot of a host, referenced: snapshot_unref() it. */
struct host_snapshot *fleet_snapshot(struct fleet *, size_t);
/* Bumped by every publish; cheap to poll. */
uint64_t fleet_generation(struct fleet *);
/* Probes now (and retries a connection now); host -1 is every host. */
void fleet_refresh(struct fleet *, int host);
/* Asks a host for the tail of a log; the answer comes as FLEET_MSG_LOGS. */
void fleet_request_logs(struct fleet *, size_t host, const char *name, int is_unit, int lines);
/*
 * Trusts the key a host offers if its fingerprint is the one the operator
 * saw; done by the host's worker (it is network I/O). Answer: FLEET_MSG_TRUST.
 */
void fleet_request_trust(struct fleet *, size_t host, const char *fingerprint);
/* Every host has published at least one cycle's result (or given up). */
int fleet_all_reported(struct fleet *);

/*
 * Starts an operator command on a host: returns a job id, or -1 with *cause
 * (read-only mode, too many jobs). Output and the end come as messages.
 */
int64_t fleet_job_start(struct fleet *, size_t host, const char *command, char **cause);
void fleet_job_cancel(struct fleet *, int64_t job_id);
int fleet_jobs_running(struct fleet *);
int fleet_is_readonly(const struct fleet *);

/* Takes every pending message, oldest first. */
struct fleet_msg *fleet_take_messages(struct fleet *);
void fleet_msg_free(struct fleet_msg *);



/* Waits (draining wake_rd) until every host reported or timeout_ms passed. */
int fleet_wait_all(struct fleet *, int wake_rd, int64_t timeout_ms);
/* A generous bound on one first cycle for the whole fleet, in ms. */
int64_t fleet_first_cycle_bound(const struct conf *);
#endif
