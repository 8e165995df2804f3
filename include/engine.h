/*
 * engine: a host's containers from its engine's HTTP API (Docker, or
 * podman's Docker-compatible one), over a unix socket forwarded through the
 * host's session. No process runs on the host for it (the docker CLI costs
 * tens of milliseconds of CPU per call): one channel kept open across
 * cycles, the list, then the inspects pipelined, a window of them at a time.
 * A second channel holds the engine's event stream: while it is up, a
 * cycle asks only about the containers an event named, or GET /_ping now
 * and then (an engine that hangs sends no event either).
 */
#ifndef SITREP_ENGINE_H
#define SITREP_ENGINE_H

#include "snapshot.h"
#include "transport.h"

#define ENGINE_API_VERSION "v1.41"

struct engine;

struct engine *engine_new(void);
void engine_free(struct engine **, struct transport *);
/* The socket the probe found (NULL: none); the API is tried from the next cycle. */
void engine_set_socket(struct engine *, const char *path);
/* Whether this cycle should ask the API (a socket known, the API not failed). */
int engine_usable(const struct engine *);
/* Sends the list request; nothing waits. -1 when the API cannot be reached. */
int engine_start(struct engine *, struct transport *, int64_t deadline);
/* Takes what arrived, sends the inspects once the list is in: 1 when done. */
int engine_step(struct engine *, struct transport *);
/* Whether an answer already waits in the session's buffers (then do not sleep). */
int engine_pending(struct engine *, struct transport *);
/* Moves the containers (or why there are none) into d; a cycle left unfinished drops its stream. */
void engine_collect(struct engine *, struct transport *, struct host_data *d);
/* Forgets the channel (the session is gone); keeps the socket path. */
void engine_reset(struct engine *, struct transport *);
/* How long an inspect is reused for a container whose list entry has not moved (tests). */
void engine_set_reuse(struct engine *, int64_t ms);
/* Off: the engine is polled every cycle, events or not (for comparison). */
void engine_set_events(struct engine *, int on);
/* How often an engine that sends no event is pinged (tests). */
void engine_set_ping(struct engine *, int64_t ms);
/* How often a full list is taken while events are watched (tests). */
void engine_set_resync(struct engine *, int64_t ms);
/*
 * Reads the engine's events without waiting: 1 when they named a container
 * (or the watch broke), so a cycle should run now; else 0.
 */
int engine_take_events(struct engine *, struct transport *);
/* Whether events are watched: a cycle then asks only for what they named. */
int engine_watching(const struct engine *);
/* Whether events already wait in the session's buffers (then do not sleep). */
int engine_pending_events(struct engine *, struct transport *);
/* The requests the last cycle made: lists, inspects, and whether it listed in full. */
void engine_requests(const struct engine *, size_t *list, size_t *inspect, int *full);
/* After a failure, the next cycles use the CLI again (and say why in the log). */
const char *engine_failure(const struct engine *);

#endif
