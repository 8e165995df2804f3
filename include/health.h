/*
 * health: HTTP checks with libcurl, direct or through the host's SSH
 * session (to reach the host's own localhost). Status, latency, an expected
 * JSON field; bodies capped, redirects never followed.
 */
#ifndef SITREP_HEALTH_H
#define SITREP_HEALTH_H

#include "conf.h"
#include "snapshot.h"
#include "transport.h"

#define HEALTH_BODY_KEEP 1024
#define HEALTH_BODY_MAX (256 * 1024)

/*
 * A host's checks, run together while its probe script is in flight. One
 * runner per worker: curl handles, keep-alive connections and the private
 * sockets for tunnelled checks last from one cycle to the next.
 */
struct health_runner;
struct health_runner *health_runner_new(const struct host_conf *);
/* Starts every check (nothing waits here). */
void health_runner_start(struct health_runner *, struct transport *);
/* Drives the checks without waiting: 1 once every check has its result. */
int health_runner_step(struct health_runner *, struct transport *);
/* Waits up to wait_ms for curl, the host's session or a tunnel to have something. */
void health_runner_wait(struct health_runner *, struct transport *, int wait_ms);
/* Moves the results (one per check, in order) into out. */
void health_runner_collect(struct health_runner *, struct health_result *out);
/* Drops the tunnels (the session is gone). */
void health_runner_reset(struct health_runner *, struct transport *);
void health_runner_free(struct health_runner **, struct transport *);
/*
 * Judges a response: sets r->state and r->reason from status and body. Pure:
 * used by health_run() and by the tests.
 */
void health_judge(const struct health_conf *, int http_status, const char *body, size_t len,
    int64_t latency_ms, const char *error, struct health_result *r);
/* Finds a dotted key in a JSON text and renders its value; NULL if absent. */
char *health_json_value(const char *body, size_t len, const char *key, int *not_json);

#endif
