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
 *
 * Better still, the engine says when something moves: a second stream
 * holds GET /events (containers only). Once its answer has begun, the next
 * cycle lists in full, and from then on a cycle asks nothing unless an
 * event named a container: then only that one is inspected (a 404: it is
 * gone). An engine that hangs sends no event either: when it has not
 * answered for ENGINE_PING_MS, a cycle asks GET /_ping, its cheapest answer. The list the engine would give is kept here meanwhile, its Status
 * worked out from the inspect ("Up 3 minutes"). The worker waits on the
 * session between cycles, so an event starts a cycle at once. A full list
 * again every ENGINE_RESYNC_MS and on every new session; an engine without
 * events (or a stream that breaks three times) is polled as above.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
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
/* while events are watched and nothing moves, the engine is pinged this often */
#define ENGINE_PING_MS	5000
/* a full list this often while events are watched */
#define ENGINE_RESYNC_MS	300000
/* an event line longer than this breaks the stream */
#define ENGINE_EVENT_MAX	(1024 * 1024)
/* the event stream's request: containers only */
#define ENGINE_EVENTS_PATH	"/" ENGINE_API_VERSION "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D"

enum engine_phase {
	PHASE_IDLE,
	PHASE_LIST,		/* the list request is out */
	PHASE_INSPECT,		/* the inspects are out */
	PHASE_PING,		/* watching, nothing named: is the engine there? */
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
	/* events */
	struct stream *events;		/* GET /events, held open */
	struct buf ev_in;		/* what arrived on it, not yet taken */
	int ev_state;			/* EV_* */
	int ev_chunked;
	size_t ev_chunk;		/* bytes left in the chunk being read */
	struct buf ev_line;		/* an event being put together */
	int ev_failures;		/* broken streams this session */
	int no_events;			/* polled every cycle (engine_set_events) */
	int watching;			/* a full list taken since the stream began: events stand */
	int full;			/* this cycle lists in full */
	int full_watch;			/* and the events stream was up before it */
	int socket_moved;		/* the events stream is on the old socket */
	int64_t start;			/* this cycle's (mono ms) */
	int64_t synced_at;		/* that list (mono ms) */
	int64_t resync_ms;
	int64_t ping_ms;
	int64_t answered_at;		/* the engine's last answer (mono ms) */
	char **dirty;			/* containers events named, to inspect */
	size_t ndirty;
	int named;			/* events named one since the last cycle began */
	unsigned char *gone;		/* per container: its inspect said 404 */
	size_t nlist, ninspect;		/* requests this cycle */
};

enum {
	EV_NONE,		/* no stream */
	EV_HEAD,		/* the request is out, the answer's head not in */
	EV_BODY,		/* events arrive */
};

struct engine *
engine_new(void)
{
	struct engine *e = xcalloc(1, sizeof *e);
	buf_init(&e->in);
	buf_init(&e->ev_in);
	buf_init(&e->ev_line);
	e->reuse_ms = ENGINE_REUSE_MS;
	e->resync_ms = ENGINE_RESYNC_MS;
	e->ping_ms = ENGINE_PING_MS;
	return e;
}

void
engine_set_ping(struct engine *e, int64_t ms)
{
	e->ping_ms = ms;
}

void
engine_set_events(struct engine *e, int on)
{
	e->no_events = !on;
}

void
engine_set_resync(struct engine *e, int64_t ms)
{
	e->resync_ms = ms;
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
	free(e->gone);
	e->containers = NULL;
	e->list_state = NULL;
	e->at = NULL;
	e->todo = NULL;
	e->gone = NULL;
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

/* --- events ----------------------------------------------------------------- */

static void
dirty_clear(struct engine *e)
{
	for (size_t i = 0; i < e->ndirty; i++)
		free(e->dirty[i]);
	free(e->dirty);
	e->dirty = NULL;
	e->ndirty = 0;
}

/* An event named the container id (taken): inspect it next cycle. */
static void
dirty_add(struct engine *e, char *id)
{
	for (size_t i = 0; i < e->ndirty; i++)
		if (strcmp(e->dirty[i], id) == 0) {
			free(id);
			return;
		}
	if (e->ndirty >= PROBE_MAX_ITEMS) {
		/* a storm: a full list says it all */
		free(id);
		e->watching = 0;
		return;
	}
	e->dirty = xreallocarray(e->dirty, e->ndirty + 1, sizeof *e->dirty);
	e->dirty[e->ndirty++] = id;
}

/* Closes the event stream; broken: it counts against the session (three: poll). */
static void
events_drop(struct engine *e, struct transport *t, int broken)
{
	if (e->events != NULL && t != NULL)
		t->ops->stream_close(&e->events);
	e->events = NULL;
	buf_reset(&e->ev_in);
	buf_reset(&e->ev_line);
	e->ev_state = EV_NONE;
	e->ev_chunk = 0;
	e->watching = 0;
	if (broken)
		e->ev_failures++;
}

/* Subscribes to the engine's container events, unless subscribed (or given up). */
static void
events_open(struct engine *e, struct transport *t)
{
	static const char req[] = "GET " ENGINE_EVENTS_PATH " HTTP/1.1\r\n"
	    "Host: engine\r\nUser-Agent: sitrep/" PACKAGE_VERSION "\r\n\r\n";
	if (e->ev_state != EV_NONE || e->ev_failures >= 3 || e->socket == NULL || e->no_events)
		return;
	char *cause = NULL;
	e->events = t->ops->stream_open(t, e->socket, &cause);
	free(cause);
	if (e->events == NULL || t->ops->stream_write(e->events, req, sizeof req - 1) == -1) {
		events_drop(e, t, 1);
		return;
	}
	e->ev_state = EV_HEAD;
}

static void
ev_consume(struct engine *e, size_t n)
{
	memmove(e->ev_in.data, e->ev_in.data + n, e->ev_in.len - n);
	e->ev_in.len -= n;
	e->ev_in.data[e->ev_in.len] = '\0';
}

/* The answer's head: 1 once in (a 200), 0 while more is needed, -1 when refused. */
static int
events_head(struct engine *e)
{
	const char *end = memmem(e->ev_in.data, e->ev_in.len, "\r\n\r\n", 4);
	if (end == NULL)
		return e->ev_in.len > HTTP_MAX_HEADER ? -1 : 0;
	size_t hlen = (size_t)(end + 4 - e->ev_in.data);
	int status = 0;
	if (sscanf(e->ev_in.data, "HTTP/1.%*d %d", &status) != 1 || status != 200)
		return -1;
	char *head = xstrndup(e->ev_in.data, hlen);
	for (char *p = head; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *te = strstr(head, "\ntransfer-encoding:");
	e->ev_chunked = te != NULL && strstr(te, "chunked") != NULL &&
	    strstr(te, "chunked") < strchr(te + 1, '\n');
	free(head);
	ev_consume(e, hlen);
	e->ev_state = EV_BODY;
	e->ev_chunk = 0;
	return 1;
}

/* Text of the stream, de-chunked: each line an event. -1 when a line is too long. */
static int
events_text(struct engine *e, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		buf_add(&e->ev_line, p, k);
		if (e->ev_line.len > ENGINE_EVENT_MAX)
			return -1;
		if (nl == NULL)
			break;
		char *id = NULL;
		if (e->ev_line.len > 0 &&
		    probe_parse_engine_event(e->ev_line.data, e->ev_line.len, &id, NULL) == 1) {
			dirty_add(e, id);
			e->named = 1;
		}
		buf_reset(&e->ev_line);
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

/* The body as it arrived (chunked or not): -1 when the stream ended or is malformed. */
static int
events_body(struct engine *e)
{
	size_t off = 0;
	int rc = 0;
	while (off < e->ev_in.len && rc == 0) {
		const char *p = e->ev_in.data + off;
		size_t avail = e->ev_in.len - off;
		if (e->ev_chunked && e->ev_chunk == 0) {
			/* a chunk's size line, or the CRLF after a chunk's data */
			const char *nl = memchr(p, '\n', avail);
			if (nl == NULL) {
				rc = avail > 256 ? -1 : 0;
				break;
			}
			off += (size_t)(nl - p) + 1;
			if (p[0] == '\r' || p[0] == '\n')
				continue;
			char *end;
			unsigned long long size = strtoull(p, &end, 16);
			if (end == p || size > ENGINE_EVENT_MAX)
				rc = -1;	/* garbage, or a chunk no event needs */
			else if (size == 0)
				rc = -1;	/* the last chunk: the engine ended the stream */
			e->ev_chunk = (size_t)size;
			continue;
		}
		size_t take = e->ev_chunked && e->ev_chunk < avail ? e->ev_chunk : avail;
		if (events_text(e, p, take) == -1)
			rc = -1;
		off += take;
		if (e->ev_chunked)
			e->ev_chunk -= take;
	}
	ev_consume(e, off);
	return rc;
}

int
engine_take_events(struct engine *e, struct transport *t)
{
	if (e->events == NULL)
		return 0;
	int rc = t->ops->stream_read(e->events, &e->ev_in);
	if (e->ev_state == EV_HEAD && e->ev_in.len > 0) {
		int h = events_head(e);
		if (h == -1) {
			/* the engine does not serve events: it is polled */
			events_drop(e, t, 1);
			e->ev_failures = 3;
			return 0;
		}
	}
	if (e->ev_state == EV_BODY && e->ev_in.len > 0 && events_body(e) == -1)
		rc = -1;
	if (rc == -1) {
		/* a watch that broke: list in full now */
		int was = e->watching;
		events_drop(e, t, 1);
		return was;
	}
	/* named while the last cycle ran (engine_step read them) counts too */
	return e->named && e->watching;
}

int
engine_watching(const struct engine *e)
{
	return e->watching && e->events != NULL;
}

int
engine_pending_events(struct engine *e, struct transport *t)
{
	return e->events != NULL && t->ops->stream_pending(e->events);
}

void
engine_requests(const struct engine *e, size_t *list, size_t *inspect, int *full)
{
	*list = e->nlist;
	*inspect = e->ninspect;
	*full = e->full;
}

/*
 * Watching: the containers stand as the last cycle left them, but for
 * those the events named, which are inspected (new ones added).
 */
static void
plan_watch(struct engine *e)
{
	size_t n = e->ncache, cap = e->ncache + e->ndirty + 1;
	int64_t now = mono_ms();
	e->containers = xcalloc(cap, sizeof *e->containers);
	e->list_state = xcalloc(cap, sizeof *e->list_state);
	e->at = xcalloc(cap, sizeof *e->at);
	e->todo = xcalloc(cap, sizeof *e->todo);
	e->gone = xcalloc(cap, 1);
	for (size_t i = 0; i < n; i++) {
		container_copy(&e->containers[i], &e->cache[i].c);
		if (e->cache[i].list_state != NULL)
			e->list_state[i] = xstrdup(e->cache[i].list_state);
		e->at[i] = e->cache[i].at;
	}
	e->ncontainers = n;
	for (size_t k = 0; k < e->ndirty; k++) {
		size_t i = 0;
		while (i < e->ncontainers && strcmp(e->containers[i].id, e->dirty[k]) != 0)
			i++;
		if (i == e->ncontainers) {
			/* new: the inspect names it */
			e->containers[i].id = e->dirty[k];
			e->containers[i].exit_code = -1;
			e->dirty[k] = NULL;
			e->ncontainers++;
		}
		e->at[i] = now;
		e->todo[e->ntodo++] = i;
	}
	dirty_clear(e);
}

/* Watching: drops the containers whose inspect said 404, and any left unnamed. */
static void
drop_gone(struct engine *e)
{
	size_t k = 0;
	for (size_t i = 0; i < e->ncontainers; i++) {
		if ((e->gone != NULL && e->gone[i]) || e->containers[i].name == NULL) {
			container_clear(&e->containers[i]);
			free(e->list_state[i]);
			continue;
		}
		e->containers[k] = e->containers[i];
		e->list_state[k] = e->list_state[i];
		e->at[k] = e->at[i];
		k++;
	}
	e->ncontainers = k;
}

/* "3 minutes", as the engines word the time in a Status. */
static void
human_duration(char *out, size_t n, int64_t ms)
{
	long long s = ms > 0 ? ms / 1000 : 0, h = s / 3600;
	if (s < 1)
		snprintf(out, n, "Less than a second");
	else if (s < 60)
		snprintf(out, n, "%lld seconds", s);
	else if (s < 120)
		snprintf(out, n, "About a minute");
	else if (s < 3600)
		snprintf(out, n, "%lld minutes", s / 60);
	else if (h < 2)
		snprintf(out, n, "About an hour");
	else if (h < 48)
		snprintf(out, n, "%lld hours", h);
	else if (h < 24 * 7 * 2)
		snprintf(out, n, "%lld days", h / 24);
	else if (h < 24 * 30 * 3)
		snprintf(out, n, "%lld weeks", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(out, n, "%lld months", h / 24 / 30);
	else
		snprintf(out, n, "%lld years", h / 24 / 365);
}

/* The Status the engine's list would show now, from what the inspect said. */
static char *
status_text(const struct container *c, int64_t now)
{
	const char *st = c->engine_state ? c->engine_state : "";
	char d[64];
	if (strcmp(st, "running") == 0 || strcmp(st, "paused") == 0) {
		human_duration(d, sizeof d, c->started_ms > 0 ? now - c->started_ms : 0);
		const char *h = c->health;
		return xasprintf("Up %s%s%s%s%s", d, strcmp(st, "paused") == 0 ? " (Paused)" : "",
		    h ? " (" : "", h ? (strcmp(h, "starting") == 0 ? "health: starting" : h) : "",
		    h ? ")" : "");
	}
	human_duration(d, sizeof d, c->finished_ms > 0 ? now - c->finished_ms : 0);
	if (strcmp(st, "exited") == 0 || strcmp(st, "stopped") == 0 || strcmp(st, "dead") == 0)
		return c->finished_ms > 0 ? xasprintf("Exited (%d) %s ago", c->exit_code, d) :
		    xasprintf("Exited (%d)", c->exit_code);
	if (strcmp(st, "restarting") == 0)
		return xasprintf("Restarting (%d) %s ago", c->exit_code, d);
	if (strcmp(st, "created") == 0 || strcmp(st, "configured") == 0 || strcmp(st, "initialized") == 0)
		return xstrdup("Created");
	char *w = xstrdup(*st ? st : "unknown");
	w[0] = (char)toupper((unsigned char)w[0]);
	return w;
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
	events_drop(e, t, 0);
	e->ev_failures = 0;
	dirty_clear(e);
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
	buf_free(&e->ev_in);
	buf_free(&e->ev_line);
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
	e->socket_moved = 1;
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
	/* what this cycle was to inspect is not known now: the next one lists in full */
	e->watching = 0;
	return 1;
}

/* The kept request stream, opened as needed: 0, or -1 (failed). */
static int
open_stream(struct engine *e, struct transport *t)
{
	char *cause = NULL;
	if (e->stream == NULL && (e->stream = t->ops->stream_open(t, e->socket, &cause)) == NULL) {
		fail(e, t, xasprintf("engine API: %s", cause ? cause : "cannot connect"));
		free(cause);
		return -1;
	}
	return 0;
}

/* Writes req on the kept request stream: 0, or -1 (failed). */
static int
request(struct engine *e, struct transport *t, const char *req, size_t len)
{
	if (open_stream(e, t) == -1)
		return -1;
	if (t->ops->stream_write(e->stream, req, len) == -1) {
		/* a kept connection the engine closed meanwhile: once more, fresh */
		t->ops->stream_close(&e->stream);
		if (open_stream(e, t) == -1)
			return -1;
		if (t->ops->stream_write(e->stream, req, len) == -1) {
			fail(e, t, xstrdup("engine API: cannot write"));
			return -1;
		}
	}
	return 0;
}

static int send_inspects(struct engine *, struct transport *);

/* Watching: only what the events named is inspected (often nothing). 0, or -1. */
static int
start_watch(struct engine *e, struct transport *t)
{
	static const char ping[] = "GET /_ping HTTP/1.1\r\nHost: engine\r\n\r\n";
	plan_watch(e);
	if (e->ntodo == 0 && mono_ms() - e->answered_at < e->ping_ms) {
		e->phase = PHASE_DONE;
		return 0;
	}
	if (e->ntodo == 0) {
		/*
		 * Nothing moved, or the engine hangs and says nothing: its
		 * cheapest answer tells the two apart within the cycle.
		 */
		if (request(e, t, ping, sizeof ping - 1) == -1)
			return -1;
		e->phase = PHASE_PING;
		return 0;
	}
	if (open_stream(e, t) == -1)
		return -1;
	if (send_inspects(e, t) == -1) {
		/* the kept connection closed while idle: once more, fresh */
		t->ops->stream_close(&e->stream);
		e->requested = 0;
		if (open_stream(e, t) == -1)
			return -1;
		if (send_inspects(e, t) == -1) {
			fail(e, t, xstrdup("engine API: cannot write"));
			return -1;
		}
	}
	e->phase = PHASE_INSPECT;
	return 0;
}

int
engine_start(struct engine *e, struct transport *t, int64_t deadline)
{
	static const char req[] = "GET /" ENGINE_API_VERSION "/containers/json?all=1 HTTP/1.1\r\n"
	    "Host: engine\r\nUser-Agent: sitrep/" PACKAGE_VERSION "\r\n\r\n";
	drop_containers(e);
	free(e->error);
	e->error = NULL;
	buf_reset(&e->in);
	e->deadline = deadline;
	e->phase = PHASE_IDLE;
	e->nlist = e->ninspect = 0;
	if (t->ops->stream_open == NULL || !engine_usable(e))
		return -1;
	if (e->socket_moved)
		events_drop(e, t, 0);
	e->socket_moved = 0;
	engine_take_events(e, t);
	e->start = mono_ms();
	e->named = 0;
	e->full = !engine_watching(e) || e->start - e->synced_at >= e->resync_ms;
	if (!e->full)
		return start_watch(e, t);
	/* whatever events said before this list, the list says too */
	e->full_watch = e->ev_state == EV_BODY;
	dirty_clear(e);
	if (request(e, t, req, sizeof req - 1) == -1)
		return -1;
	e->nlist = 1;
	e->phase = PHASE_LIST;
	/* after the list's request: an engine serving one connection at a time answers it first */
	events_open(e, t);
	return 0;
}

/* The cycle's answers are all in. Returns 1. */
static int
finish(struct engine *e)
{
	e->phase = PHASE_DONE;
	e->failures = 0;
	e->answered_at = mono_ms();
	if (e->full) {
		e->synced_at = e->start;
		e->watching = e->full_watch && e->ev_state == EV_BODY;
	} else
		drop_gone(e);
	return 1;
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

/*
 * An inspect, answered in the order asked. A container removed meanwhile
 * answers 404: skipped, or gone when watching. One not read is asked again
 * next cycle, whatever the list says then.
 */
static void
take_inspect(struct engine *e, int status, const struct buf *body)
{
	size_t i = e->todo[e->inspected];
	e->ninspect++;
	if (status == 404 && !e->full)
		e->gone[i] = 1;
	else if (status != 200 || probe_parse_docker_inspect_line(body->data ? body->data : "",
	    body->len, e->containers, e->ncontainers, NULL) == -1) {
		e->at[i] = INT64_MIN / 2;
		if (!e->full)
			dirty_add(e, xstrdup(e->containers[i].id));
	}
}

int
engine_step(struct engine *e, struct transport *t)
{
	/* events that came meanwhile: read, so that they wait in no buffer */
	engine_take_events(e, t);
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
		if (e->phase == PHASE_PING) {
			buf_free(&body);
			if (status != 200)
				return fail(e, t, xasprintf("engine API: HTTP %d for _ping", status));
			return finish(e);
		}
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
			if (e->ntodo == 0)
				return finish(e);
			if (send_inspects(e, t) == -1)
				return fail(e, t, xstrdup("engine API: cannot write"));
			e->phase = PHASE_INSPECT;
			continue;
		}
		take_inspect(e, status, &body);
		buf_free(&body);
		if (++e->inspected == e->ntodo)
			return finish(e);
		/* refill the window once half of it is answered */
		if (e->requested - e->inspected <= ENGINE_WINDOW / 2 && send_inspects(e, t) == -1)
			return fail(e, t, xstrdup("engine API: cannot write"));
	}
}

int
engine_pending(struct engine *e, struct transport *t)
{
	return e->stream != NULL && (e->phase == PHASE_LIST || e->phase == PHASE_INSPECT ||
	    e->phase == PHASE_PING) && t->ops->stream_pending(e->stream);
}

void
engine_collect(struct engine *e, struct transport *t, struct host_data *d)
{
	d->containers_enabled = 1;
	if (e->phase == PHASE_DONE) {
		if (!e->full) {
			/* no list this cycle: its Status as the list would word it now */
			int64_t now = wall_ms();
			for (size_t i = 0; i < e->ncontainers; i++) {
				free(e->containers[i].status);
				e->containers[i].status = status_text(&e->containers[i], now);
			}
		}
		keep_inspects(e);
		d->containers = e->containers;
		d->ncontainers = e->ncontainers;
		d->containers_state = STATE_OK;
		e->containers = NULL;
		e->ncontainers = 0;
		drop_containers(e);
	} else {
		if (e->phase == PHASE_LIST || e->phase == PHASE_INSPECT || e->phase == PHASE_PING)
			fail(e, t, xstrdup("the container engine did not answer in time"));
		d->containers_state = STATE_UNKNOWN;
		free(d->containers_error);
		d->containers_error = xstrdup(e->error ? e->error : "the container engine did not answer");
		drop_containers(e);
	}
	e->phase = PHASE_IDLE;
}
