/*
 * engine: containers through the engine's HTTP API. See engine.h.
 *
 * One stream per host, kept from cycle to cycle (HTTP/1.1 keep-alive).
 * A cycle writes the list request; when the list is in, the inspect
 * requests follow, pipelined (the engine answers them in order on the same
 * connection) with at most ENGINE_WINDOW of them unanswered, so a cycle
 * costs two round trips for any usual host, runs alongside the probe
 * script, and never blocks on a write the engine is not reading.
 *
 * An inspect is the engine's dearest answer (podman: about 1.7 ms of its
 * CPU each, the list 3 ms for all), so a container whose list entry has not
 * moved is not inspected again: its last inspect is reused. What an inspect
 * says that the list does not (restart count, exit code, OOM, start time)
 * changes only when the container starts or stops, and that changes the
 * list's State or its Status ("Up 3 minutes", "Exited (7) 2 hours ago").
 * The Status counts in buckets of a minute or more once it no longer says
 * "seconds", so a restart that lands in the bucket seen before takes at
 * least a minute: reusing an inspect for less than ENGINE_REUSE_MS (one
 * minute) and never when the Status says seconds misses none. A container
 * with a health check is inspected every cycle (podman's list does not say
 * its health), and so is one restarting, paused or on its way.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "http.h"
#include "probe.h"
#include "util.h"

/* inspect requests in flight at most (a few KB: the socket always takes them) */
#define ENGINE_WINDOW	64
/* what a cycle may read from the engine, at most */
#define ENGINE_MAX_IN	(2 * HTTP_MAX_BODY + HTTP_MAX_HEADER)
/* how long an inspect stands for a container whose list entry is unchanged */
#define ENGINE_REUSE_MS	60000

enum engine_phase {
	PHASE_IDLE,
	PHASE_LIST,		/* the list request is out */
	PHASE_INSPECT,		/* the inspects are out */
	PHASE_DONE,
	PHASE_FAILED,
};

/* A container as its last inspect left it. */
struct inspected {
	struct container c;	/* c.status: the list's Status then */
	char *list_state;	/* the list's State then */
	int64_t at;		/* when it was inspected (mono ms) */
};

struct engine {
	char *socket;
	struct stream *stream;
	enum engine_phase phase;
	int64_t deadline;
	struct buf in;			/* what arrived, not yet parsed */
	struct container *containers;
	size_t ncontainers;
	char **list_state;		/* per container: the list's State */
	int64_t *at;			/* per container: when inspected */
	size_t *todo;			/* the containers to inspect this cycle */
	size_t ntodo;
	size_t requested;		/* inspect requests written */
	size_t inspected;		/* and answered */
	struct inspected *cache;	/* the last cycle's containers */
	size_t ncache;
	int64_t reuse_ms;
	char *error;			/* why this cycle failed */
	char *failure;			/* why the API is not used any more */
	int failures;
};

struct engine *
engine_new(void)
{
	struct engine *e = xcalloc(1, sizeof *e);
	buf_init(&e->in);
	e->reuse_ms = ENGINE_REUSE_MS;
	return e;
}

void
engine_set_reuse(struct engine *e, int64_t ms)
{
	e->reuse_ms = ms;
}

static void
drop_containers(struct engine *e)
{
	for (size_t i = 0; i < e->ncontainers; i++) {
		container_clear(&e->containers[i]);
		if (e->list_state != NULL)
			free(e->list_state[i]);
	}
	free(e->containers);
	free(e->list_state);
	free(e->at);
	free(e->todo);
	e->containers = NULL;
	e->list_state = NULL;
	e->at = NULL;
	e->todo = NULL;
	e->ncontainers = e->ntodo = 0;
	e->requested = e->inspected = 0;
}

static void
drop_cache(struct engine *e)
{
	for (size_t i = 0; i < e->ncache; i++) {
		container_clear(&e->cache[i].c);
		free(e->cache[i].list_state);
	}
	free(e->cache);
	e->cache = NULL;
	e->ncache = 0;
}

/* Whether k, the last inspect of c, still stands for c as the list shows it now. */
static int
reusable(const struct engine *e, const struct inspected *k, const struct container *c,
    int64_t now)
{
	const char *st = c->engine_state, *status = c->status;
	if (st == NULL || status == NULL || k->list_state == NULL || k->c.status == NULL)
		return 0;
	if (strcmp(st, "running") != 0 && strcmp(st, "exited") != 0 && strcmp(st, "created") != 0)
		return 0;
	return now - k->at < e->reuse_ms && k->c.health == NULL &&
	    strstr(status, "second") == NULL && strcmp(st, k->list_state) == 0 &&
	    strcmp(status, k->c.status) == 0;
}

/*
 * The list is in: notes each container's State, takes the last inspect of
 * those unchanged since, and lists the others to inspect.
 */
static void
plan_inspects(struct engine *e)
{
	size_t n = e->ncontainers;
	int64_t now = mono_ms();
	e->list_state = xcalloc(n, sizeof *e->list_state);
	e->at = xcalloc(n, sizeof *e->at);
	e->todo = xcalloc(n, sizeof *e->todo);
	for (size_t i = 0; i < n; i++) {
		struct container *c = &e->containers[i];
		if (c->engine_state != NULL)
			e->list_state[i] = xstrdup(c->engine_state);
		/* engines list in a steady order: the same place first */
		const struct inspected *k = NULL;
		if (i < e->ncache && strcmp(e->cache[i].c.id, c->id) == 0)
			k = &e->cache[i];
		for (size_t j = 0; j < e->ncache && k == NULL; j++)
			if (strcmp(e->cache[j].c.id, c->id) == 0)
				k = &e->cache[j];
		if (k != NULL && reusable(e, k, c, now)) {
			/* the name is the list's: a rename moves no State */
			char *name = c->name;
			c->name = NULL;
			container_clear(c);
			container_copy(c, &k->c);
			free(c->name);
			c->name = name;
			e->at[i] = k->at;
		} else {
			e->at[i] = now;
			e->todo[e->ntodo++] = i;
		}
	}
}

/* The cycle is done: its containers are what the next one compares with. */
static void
keep_inspects(struct engine *e)
{
	drop_cache(e);
	e->cache = xcalloc(e->ncontainers ? e->ncontainers : 1, sizeof *e->cache);
	for (size_t i = 0; i < e->ncontainers; i++) {
		container_copy(&e->cache[i].c, &e->containers[i]);
		e->cache[i].list_state = e->list_state[i];
		e->list_state[i] = NULL;
		e->cache[i].at = e->at[i];
	}
	e->ncache = e->ncontainers;
}

void
engine_reset(struct engine *e, struct transport *t)
{
	if (e->stream != NULL && t != NULL)
		t->ops->stream_close(&e->stream);
	e->stream = NULL;
	buf_reset(&e->in);
	if (e->phase != PHASE_DONE && e->phase != PHASE_FAILED)
		e->phase = PHASE_IDLE;
	/* another session may be another boot of the host: inspect afresh */
	drop_cache(e);
}

void
engine_free(struct engine **ep, struct transport *t)
{
	struct engine *e = *ep;
	*ep = NULL;
	if (e == NULL)
		return;
	engine_reset(e, t);
	drop_containers(e);
	drop_cache(e);
	buf_free(&e->in);
	free(e->socket);
	free(e->error);
	free(e->failure);
	free(e);
}

void
engine_set_socket(struct engine *e, const char *path)
{
	if (path == NULL || *path != '/') {
		free(e->socket);
		e->socket = NULL;
		return;
	}
	if (e->socket != NULL && strcmp(e->socket, path) == 0)
		return;
	free(e->socket);
	e->socket = xstrdup(path);
	drop_cache(e);
	free(e->failure);
	e->failure = NULL;
	e->failures = 0;
}

int
engine_usable(const struct engine *e)
{
	return e->socket != NULL && e->failure == NULL;
}

const char *
engine_failure(const struct engine *e)
{
	return e->failure;
}

/* This cycle failed; after three in a row the CLI takes over for the session. */
static int
fail(struct engine *e, struct transport *t, char *why)
{
	free(e->error);
	e->error = why;
	e->phase = PHASE_FAILED;
	if (e->stream != NULL)
		t->ops->stream_close(&e->stream);
	buf_reset(&e->in);
	if (++e->failures >= 3 && e->failure == NULL)
		e->failure = xstrdup(why);
	return 1;
}

int
engine_start(struct engine *e, struct transport *t, int64_t deadline)
{
	drop_containers(e);
	free(e->error);
	e->error = NULL;
	buf_reset(&e->in);
	e->deadline = deadline;
	e->phase = PHASE_IDLE;
	if (t->ops->stream_open == NULL || !engine_usable(e))
		return -1;
	char *cause = NULL;
	if (e->stream == NULL && (e->stream = t->ops->stream_open(t, e->socket, &cause)) == NULL) {
		fail(e, t, xasprintf("engine API: %s", cause ? cause : "cannot connect"));
		free(cause);
		return -1;
	}
	static const char req[] = "GET /" ENGINE_API_VERSION "/containers/json?all=1 HTTP/1.1\r\n"
	    "Host: engine\r\nUser-Agent: sitrep/" PACKAGE_VERSION "\r\n\r\n";
	if (t->ops->stream_write(e->stream, req, sizeof req - 1) == -1) {
		/* a kept connection the engine closed meanwhile: once more, fresh */
		t->ops->stream_close(&e->stream);
		if ((e->stream = t->ops->stream_open(t, e->socket, &cause)) == NULL ||
		    t->ops->stream_write(e->stream, req, sizeof req - 1) == -1) {
			fail(e, t, xasprintf("engine API: %s", cause ? cause : "cannot write"));
			free(cause);
			return -1;
		}
	}
	e->phase = PHASE_LIST;
	return 0;
}

/* Keeps ENGINE_WINDOW inspect requests in flight, in one write: 0 or -1. */
static int
send_inspects(struct engine *e, struct transport *t)
{
	struct buf req;
	buf_init(&req);
	while (e->requested < e->ntodo && e->requested - e->inspected < ENGINE_WINDOW)
		buf_printf(&req, "GET /" ENGINE_API_VERSION "/containers/%s/json HTTP/1.1\r\n"
		    "Host: engine\r\n\r\n", e->containers[e->todo[e->requested++]].id);
	int rc = req.len > 0 ? t->ops->stream_write(e->stream, req.data, req.len) : 0;
	buf_free(&req);
	return rc;
}

int
engine_step(struct engine *e, struct transport *t)
{
	if (e->phase == PHASE_DONE || e->phase == PHASE_FAILED || e->phase == PHASE_IDLE)
		return 1;
	if (mono_ms() > e->deadline)
		return fail(e, t, xstrdup("the container engine did not answer in time"));
	if (t->ops->stream_read(e->stream, &e->in) == -1 && e->in.len == 0)
		return fail(e, t, xstrdup("engine API: the connection closed"));
	if (e->in.len > ENGINE_MAX_IN)
		return fail(e, t, xasprintf("engine API: more than %d MiB unanswered",
		    ENGINE_MAX_IN >> 20));
	for (;;) {
		int status;
		size_t used;
		struct buf body;
		buf_init(&body);
		char *cause = NULL;
		int rc = http_parse_response(e->in.data ? e->in.data : "", e->in.len, &status, &body,
		    &used, &cause);
		if (rc == 0) {
			buf_free(&body);
			return 0;
		}
		if (rc == -1) {
			buf_free(&body);
			return fail(e, t, cause);
		}
		/* consume the response */
		memmove(e->in.data, e->in.data + used, e->in.len - used);
		e->in.len -= used;
		e->in.data[e->in.len] = '\0';
		if (e->phase == PHASE_LIST) {
			if (status != 200) {
				buf_free(&body);
				return fail(e, t, xasprintf("engine API: HTTP %d for the container list", status));
			}
			rc = probe_parse_docker_api_list(body.data ? body.data : "", body.len,
			    &e->containers, &e->ncontainers, &cause);
			buf_free(&body);
			if (rc == -1)
				return fail(e, t, cause);
			plan_inspects(e);
			if (e->ntodo == 0) {
				e->phase = PHASE_DONE;
				e->failures = 0;
				return 1;
			}
			if (send_inspects(e, t) == -1)
				return fail(e, t, xstrdup("engine API: cannot write"));
			e->phase = PHASE_INSPECT;
			continue;
		}
		/*
		 * An inspect, answered in the order asked. A container removed
		 * meanwhile answers 404 and is skipped; one not read is asked
		 * again next cycle, whatever the list says then.
		 */
		if (status != 200 || probe_parse_docker_inspect_line(body.data ? body.data : "",
		    body.len, e->containers, e->ncontainers, NULL) == -1)
			e->at[e->todo[e->inspected]] = INT64_MIN / 2;
		buf_free(&body);
		if (++e->inspected == e->ntodo) {
			e->phase = PHASE_DONE;
			e->failures = 0;
			return 1;
		}
		/* refill the window once half of it is answered */
		if (e->requested - e->inspected <= ENGINE_WINDOW / 2 && send_inspects(e, t) == -1)
			return fail(e, t, xstrdup("engine API: cannot write"));
	}
}

int
engine_pending(struct engine *e, struct transport *t)
{
	return e->stream != NULL && (e->phase == PHASE_LIST || e->phase == PHASE_INSPECT) &&
	    t->ops->stream_pending(e->stream);
}

void
engine_collect(struct engine *e, struct transport *t, struct host_data *d)
{
	d->containers_enabled = 1;
	if (e->phase == PHASE_DONE) {
		keep_inspects(e);
		d->containers = e->containers;
		d->ncontainers = e->ncontainers;
		d->containers_state = STATE_OK;
		e->containers = NULL;
		e->ncontainers = 0;
		drop_containers(e);
	} else {
		if (e->phase == PHASE_LIST || e->phase == PHASE_INSPECT)
			fail(e, t, xstrdup("the container engine did not answer in time"));
		d->containers_state = STATE_UNKNOWN;
		free(d->containers_error);
		d->containers_error = xstrdup(e->error ? e->error : "the container engine did not answer");
		drop_containers(e);
	}
	e->phase = PHASE_IDLE;
}
