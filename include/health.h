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

/* Runs one check; t is used for via-ssh checks (may be NULL otherwise). */
void health_run(const struct health_conf *, struct transport *t, int default_timeout_s,
    struct health_result *);
/*
 * Judges a response: sets r->state and r->reason from status and body. Pure:
 * used by health_run() and by the tests.
 */
void health_judge(const struct health_conf *, int http_status, const char *body, size_t len,
    int64_t latency_ms, const char *error, struct health_result *r);
/* Finds a dotted key in a JSON text and renders its value; NULL if absent. */
char *health_json_value(const char *body, size_t len, const char *key, int *not_json);

#endif
