/*
 * fleet: the per-host workers and the operator's jobs. See fleet.h.
 *
 * Locking: one mutex guards every worker's published snapshot, request
 * queue and flags, the message queue and the job list. It is never held
 * across network I/O: a worker takes what it needs, unlocks, works, then
 * locks again to publish.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "fleet.h"
#include "health.h"
#include "probe.h"
#include "state.h"
#include "util.h"

#define MAX_JOBS 8
/* df and getconf are processes on the host: every this often, or when asked */
#define DISK_EVERY_MS 30000

struct request {
	int trust;		/* trust the key with fingerprint name */
	char *name;
	int is_unit;
	int lines;
	struct request *next;
};

struct worker {
	struct fleet *fleet;
	size_t index;
	const struct host_conf *host;
	pthread_t thread;
	pthread_cond_t cond;
	struct transport *t;		/* worker-private */
	struct health_runner *health;	/* worker-private */
	struct engine *engine;		/* worker-private */
	struct host_data *prev;		/* worker-private: the last good data */
	struct host_snapshot *current;	/* published: guarded by the lock */
	struct request *requests;	/* guarded */
	int refresh;			/* guarded */
	int reported;			/* guarded */
	uint64_t seq;
	int cycles;
	int sessions;			/* connections made */
	int64_t disk_at;		/* when df last ran (mono ms) */
	int disk_session;		/* and on which connection */
	int watching;			/* the engine's events were watched last cycle */
	int wake_fd;			/* an eventfd: wakes a worker waiting on its session */
};

struct job {
	struct fleet *fleet;
	int64_t id;
	size_t host;
	char *command;
	pthread_t thread;
	int cancel;			/* atomic */
	int done;			/* guarded */
	struct job *next;
};

struct fleet {
	const struct conf *conf;
	int flags;
	int wake_fd;
	pthread_mutex_t lock;
	int stop;			/* guarded */
	uint64_t generation;		/* guarded */
	struct worker *workers;
	size_t nworkers;
	struct fleet_msg *msg_head, *msg_tail;
	struct job *jobs;
	int64_t next_job_id;
	int poll;			/* SITREP_POLL=1: every cycle lists and runs df, as before events */
};

static void
wake(struct fleet *f)
{
	char c = 1;
	if (f->wake_fd >= 0) {
		ssize_t n = write(f->wake_fd, &c, 1);
		(void)n;	/* a full pipe already means "wake up" */
	}
}

static void
post(struct fleet *f, struct fleet_msg *m)
{
	pthread_mutex_lock(&f->lock);
	m->next = NULL;
	if (f->msg_tail)
		f->msg_tail->next = m;
	else
		f->msg_head = m;
	f->msg_tail = m;
	pthread_mutex_unlock(&f->lock);
	wake(f);
}

static void
publish(struct worker *w, struct host_snapshot *s)
{
	struct fleet *f = w->fleet;
	s->seq = ++w->seq;
	s->interval_s = w->host->interval_s;
	state_eval_snapshot(s);
	pthread_mutex_lock(&f->lock);
	struct host_snapshot *old = w->current;
	w->current = s;
	w->reported = 1;
	f->generation++;
	pthread_mutex_unlock(&f->lock);
	snapshot_unref(&old);
	wake(f);
}

/* Publishes the connection state, keeping the last good data. */
static void
publish_conn(struct worker *w, enum conn_state conn, const char *reason)
{
	struct host_snapshot *s = snapshot_new(w->host->name);
	s->conn = conn;
	s->conn_reason = reason ? xstrdup(reason) : NULL;
	if (w->t->fingerprint)
		s->fingerprint = xstrdup(w->t->fingerprint);
	if (w->t->key_type)
		s->key_type = xstrdup(w->t->key_type);
	s->data = host_data_ref(w->prev);
	publish(w, s);
}

/* Sleeps until deadline (monotonic ms) or a request; returns 1 when stopping. */
static int
worker_wait(struct worker *w, int64_t deadline)
{
	struct fleet *f = w->fleet;
	pthread_mutex_lock(&f->lock);
	while (!f->stop && !w->refresh && w->requests == NULL) {
		int64_t now = mono_ms();
		if (now >= deadline)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t ns = ts.tv_nsec + (deadline - now) % 1000 * 1000000;
		ts.tv_sec += (deadline - now) / 1000 + ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		pthread_cond_timedwait(&w->cond, &f->lock, &ts);
	}
	int stop = f->stop;
	pthread_mutex_unlock(&f->lock);
	return stop;
}

static int
stopping(struct fleet *f)
{
	pthread_mutex_lock(&f->lock);
	int stop = f->stop;
	pthread_mutex_unlock(&f->lock);
	return stop;
}

/* Wakes a worker, on its condition and on its session (it waits on one of the two); locked. */
static void
worker_signal(struct worker *w)
{
	pthread_cond_signal(&w->cond);
	if (w->wake_fd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(w->wake_fd, &one, sizeof one);
		(void)n;	/* a full counter already wakes it */
	}
}

/* Whether the worker was asked for something (stop, refresh, a request). */
static int
worker_asked(struct worker *w)
{
	pthread_mutex_lock(&w->fleet->lock);
	int asked = w->fleet->stop || w->refresh || w->requests != NULL;
	pthread_mutex_unlock(&w->fleet->lock);
	return asked;
}

/* How long events are gathered after the first, so that one cycle shows them all. */
#define EVENT_SETTLE_MS 50

/*
 * Between cycles. While the engine's events are watched, sleeps on the
 * session (and on wake_fd) instead, so that an event that names a
 * container starts the next cycle at once: a state change is shown within
 * a round trip or two, not an interval. Returns 1 when stopping.
 */
static int
worker_idle(struct worker *w, int64_t deadline)
{
	int sfd = w->t->ops->pollfd != NULL ? w->t->ops->pollfd(w->t) : -1;
	if (sfd < 0 || w->wake_fd < 0 || !engine_watching(w->engine))
		return worker_wait(w, deadline);
	for (;;) {
		uint64_t n;
		while (read(w->wake_fd, &n, sizeof n) > 0)
			;
		if (worker_asked(w))
			break;
		if (engine_take_events(w->engine, w->t)) {
			/* a restart is several events: gather them, then one cycle */
			int64_t settle = mono_ms() + EVENT_SETTLE_MS;
			while (mono_ms() < settle && !worker_asked(w)) {
				struct pollfd p = { sfd, POLLIN, 0 };
				poll(&p, 1, (int)(settle - mono_ms()));
				engine_take_events(w->engine, w->t);
			}
			break;
		}
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			break;
		/* the watch ended (and its stream with it): the session is no clock now */
		if (!engine_watching(w->engine))
			return worker_wait(w, deadline);
		/* what libssh has read off the socket already is not in it */
		if (engine_pending_events(w->engine, w->t))
			continue;
		struct pollfd p[2] = { { sfd, POLLIN, 0 }, { w->wake_fd, POLLIN, 0 } };
		poll(p, 2, left > 60000 ? 60000 : (int)left);
	}
	return stopping(w->fleet);
}

static void
serve_requests(struct worker *w)
{
	struct fleet *f = w->fleet;
	for (;;) {
		pthread_mutex_lock(&f->lock);
		struct request *r = w->requests;
		if (r != NULL)
			w->requests = r->next;
		pthread_mutex_unlock(&f->lock);
		if (r == NULL)
			return;
		struct fleet_msg *m = xcalloc(1, sizeof *m);
		m->kind = r->trust ? FLEET_MSG_TRUST : FLEET_MSG_LOGS;
		m->host = w->index;
		m->name = xstrdup(r->name);
		exec_result_clear(&m->result);
		char *cause = NULL;
		if (r->trust) {
			char *got = NULL;
			if (transport_ssh_trust(f->conf, w->host, r->name, &got, NULL, &cause) < 0)
				m->error = cause ? cause : xstrdup("not trusted");
			else {
				m->data = got ? got : xstrdup(r->name);
				m->len = strlen(m->data);
				pthread_mutex_lock(&f->lock);
				w->refresh = 1;
				pthread_mutex_unlock(&f->lock);
			}
		} else if (w->t->conn != CONN_UP)
			m->error = xasprintf("%s is not connected", w->host->name);
		else {
			char *cmd = probe_logs_command(w->host, r->name, r->is_unit, r->lines);
			struct exec_opts o = {
				.timeout_ms = w->host->timeout_s * 2000,
				.idle_ms = w->host->timeout_s * 1000,
				.max_output = 1024 * 1024,
			};
			if (w->t->ops->exec(w->t, cmd, &o, &m->result, &cause) == -1)
				m->error = cause ? cause : xstrdup("failed");
			else if (m->result.timed_out)
				m->error = xstrdup("timed out");
			else {
				m->data = m->result.output;
				m->len = m->result.output_len;
				m->result.output = NULL;
			}
			free(cmd);
		}
		post(f, m);
		free(r->name);
		free(r);
	}
}

/* One cycle's script and what waits on it. */
struct cycle {
	struct probe_opts po;
	char nonce[17];
	struct buf out;		/* the script's output */
	struct probe_found found;	/* what the output says for the worker alone */
	int64_t start;		/* monotonic */
};

/* Stage 1: what this cycle asks for; asked: the operator asked for it (refresh). */
static void
cycle_plan(struct worker *w, struct cycle *cy, int asked)
{
	const struct host_conf *h = w->host;
	memset(cy, 0, sizeof *cy);
	probe_nonce(cy->nonce);
	cy->po.with_stats = w->fleet->conf->stats_every > 0 &&
	    w->cycles % w->fleet->conf->stats_every == 0;
	cy->po.budget_s = h->timeout_s / 2 > 0 ? h->timeout_s / 2 : 1;
	cy->po.engine_api = h->containers != CONTAINERS_NONE && engine_usable(w->engine);
	buf_init(&cy->out);
	cy->start = mono_ms();
	/* df is two processes on the host: every DISK_EVERY_MS, or when asked */
	cy->po.no_disk = !asked && !w->fleet->poll && w->prev != NULL &&
	    w->disk_session == w->sessions && cy->start - w->disk_at < DISK_EVERY_MS;
	if (!cy->po.no_disk) {
		w->disk_at = cy->start;
		w->disk_session = w->sessions;
	}
}

/* Stage 2: the script goes out; 0, or -1 with *cause. */
static int
cycle_send(struct worker *w, struct cycle *cy, char **cause)
{
	char *script = probe_script(w->host, cy->nonce, &cy->po);
	int rc = w->t->ops->script_start(w->t, script, cause);
	free(script);
	return rc;
}

/* The longest a health check of this host may take, in seconds. */
static int
cycle_health_limit_s(const struct host_conf *h)
{
	int limit = 1;
	for (size_t i = 0; i < h->nhealth; i++) {
		int tmo = h->health[i].timeout_s > 0 ? h->health[i].timeout_s : h->timeout_s;
		if (tmo > limit)
			limit = tmo;
	}
	return limit;
}

/*
 * Stage 3: the engine's API and the health checks run while the script is
 * in flight (their answers and the script's arrive together), then the
 * script's output is read to its end. A warm cycle costs the slowest of the
 * three, not their sum. 0, or -1 with *cause when the script failed.
 */
static int
cycle_collect(struct worker *w, struct cycle *cy, char **cause)
{
	const struct host_conf *h = w->host;
	int64_t deadline = cy->start + (int64_t)cycle_health_limit_s(h) * 1000 + 1000;
	if (cy->po.engine_api)
		engine_start(w->engine, w->t, cy->start + (int64_t)cy->po.budget_s * 1000 + 1000);
	health_runner_start(w->health, w->t);
	while (!stopping(w->fleet) && mono_ms() < deadline) {
		/*
		 * The script's output first: taking it reads the socket,
		 * which may leave the engine's and the tunnels' data in
		 * libssh's buffers for the two steps after it.
		 */
		if (w->t->ops->script_poll != NULL && w->t->ops->script_poll(w->t, &cy->out) == -1)
			break;	/* script_finish() says why */
		int edone = engine_step(w->engine, w->t);
		int hdone = health_runner_step(w->health, w->t);
		if (hdone && edone)
			break;
		/* an answer the health pumps read off the socket is not in it */
		if (!edone && engine_pending(w->engine, w->t))
			continue;
		/*
		 * Sleep until the session, curl or a tunnel has something.
		 * Any libssh call may have read a channel's data off the
		 * socket where poll() cannot see it: the sleep is short.
		 */
		health_runner_wait(w->health, w->t, 20);
	}
	int idle = h->timeout_s * 1000;
	int total = h->timeout_s * 1000 * 2 + (int)h->nchecks * cy->po.budget_s * 1000 + 5000;
	char *marker = probe_end_marker(cy->nonce);
	int rc = w->t->ops->script_finish(w->t, marker, idle, total, &cy->out, cause);
	free(marker);
	return rc;
}

/* What the engine was asked this cycle, in the log: the cost of watching shows there. */
static void
cycle_log_engine(struct worker *w)
{
	size_t list, inspect;
	int full;
	engine_requests(w->engine, &list, &inspect, &full);
	int watching = engine_watching(w->engine);
	if (list + inspect > 0 && (watching || !full))
		log_msg("%s: engine: %zu list, %zu inspect (%s)", w->host->name, list, inspect,
		    full ? "full list, events watched" : "events");
	if (watching != w->watching)
		log_msg("%s: engine: %s", w->host->name, watching ? "watching events" :
		    "not watching events: polled every cycle");
	w->watching = watching;
}

/* Stage 4: the script's sections, then the engine's containers, then their stats, into d. */
static void
cycle_parse(struct worker *w, struct cycle *cy, struct host_data *d)
{
	const struct host_conf *h = w->host;
	d->wall_ms = wall_ms();
	probe_parse_finished(cy->out.data, cy->out.len, cy->nonce, h, d, &cy->found);
	if (cy->po.no_disk)
		probe_carry(d, w->prev);
	if (cy->po.engine_api) {
		engine_collect(w->engine, w->t, d);
		probe_apply_stats(cy->found.stats, d);
		cycle_log_engine(w);
		if (engine_failure(w->engine) != NULL)
			log_msg("%s: engine API off for this session: %s", h->name, engine_failure(w->engine));
	}
	/* the socket the probe found serves the next cycles */
	engine_set_socket(w->engine, cy->found.engine_socket);
}

/* Stage 5: states against the thresholds and the previous cycle. */
static void
cycle_evaluate(struct worker *w, struct cycle *cy, struct host_data *d)
{
	state_eval(w->host, d, w->prev, d->wall_ms);
	d->mono_ms = mono_ms();
	d->cycle_ms = d->mono_ms - cy->start;
	host_data_unref(&w->prev);
	w->prev = host_data_ref(d);
	w->cycles++;
}

/* Stage 6: d becomes the host's snapshot (d's reference moves into it). */
static void
cycle_publish(struct worker *w, struct host_data *d)
{
	struct host_snapshot *s = snapshot_new(w->host->name);
	s->conn = CONN_UP;
	if (w->t->fingerprint)
		s->fingerprint = xstrdup(w->t->fingerprint);
	if (w->t->key_type)
		s->key_type = xstrdup(w->t->key_type);
	s->data = d;
	publish(w, s);
}

static void
cycle_free(struct cycle *cy)
{
	buf_free(&cy->out);
	probe_found_clear(&cy->found);
}

/* One observation of the host, in stages; 0, or -1 with *cause. */
static int
worker_cycle(struct worker *w, int asked, char **cause)
{
	const struct host_conf *h = w->host;
	struct cycle cy;
	cycle_plan(w, &cy, asked);
	int rc = cycle_send(w, &cy, cause);
	if (rc == 0)
		rc = cycle_collect(w, &cy, cause);
	struct host_data *d = host_data_new();
	d->health = xcalloc(h->nhealth + 1, sizeof *d->health);
	d->nhealth = h->nhealth;
	health_runner_collect(w->health, d->health);
	if (rc == -1) {
		host_data_unref(&d);
		cycle_free(&cy);
		return -1;
	}
	cycle_parse(w, &cy, d);
	cycle_free(&cy);
	cycle_evaluate(w, &cy, d);
	cycle_publish(w, d);
	return 0;
}

/* How long a worker waits before trying a host again. */
struct pace {
	int64_t backoff;
	int64_t cap;
	int failed_cycles;
};

static void
pace_reset(struct pace *p, const struct host_conf *h)
{
	p->backoff = 1000;
	p->failed_cycles = 0;
	p->cap = (int64_t)h->interval_s * 4000;
	if (p->cap < 10000)
		p->cap = 10000;
	if (p->cap > 60000)
		p->cap = 60000;
}

/* Waits the backoff, then doubles it; 1 when stopping. */
static int
pace_wait(struct worker *w, struct pace *p)
{
	if (worker_wait(w, mono_ms() + p->backoff))
		return 1;
	p->backoff = p->backoff * 2 > p->cap ? p->cap : p->backoff * 2;
	return 0;
}

/* Whether the operator asked for this cycle; the ask is taken. */
static int
take_refresh(struct worker *w)
{
	pthread_mutex_lock(&w->fleet->lock);
	int asked = w->refresh;
	w->refresh = 0;
	pthread_mutex_unlock(&w->fleet->lock);
	return asked;
}

/* Connects unless connected: 1 when up, 0 when not (published, waited), -1 to stop. */
static int
worker_connect(struct worker *w, struct pace *p)
{
	if (w->t->conn == CONN_UP)
		return 1;
	/* tunnels and streams belong to the session that connect() replaces */
	health_runner_reset(w->health, w->t);
	engine_reset(w->engine, w->t);
	char *cause = NULL;
	if (w->t->ops->connect(w->t, &cause) == -1) {
		log_msg("%s: %s", w->host->name, cause ? cause : "connection failed");
		publish_conn(w, w->t->conn, cause);
		free(cause);
		serve_requests(w);
		if (w->fleet->flags & FLEET_ONESHOT)
			return -1;
		return pace_wait(w, p) ? -1 : 0;
	}
	w->sessions++;
	log_msg("%s: connected (%s)", w->host->name, w->t->ops->name);
	return 1;
}

/* A cycle failed: the session is dropped and why is published. 0, or -1 to stop. */
static int
worker_failed(struct worker *w, struct pace *p, char *cause)
{
	log_msg("%s: %s", w->host->name, cause ? cause : "probe failed");
	health_runner_reset(w->health, w->t);
	engine_reset(w->engine, w->t);
	/* out of descriptors is sitrep's failure, not the host's */
	enum conn_state why = w->t->conn == CONN_LOCAL_ERROR ? CONN_LOCAL_ERROR : CONN_DOWN;
	w->t->ops->disconnect(w->t);
	w->t->conn = why;
	publish_conn(w, why, cause);
	free(cause);
	if (w->fleet->flags & FLEET_ONESHOT)
		return -1;
	/*
	 * A dropped session reconnects at once; a host that lets us in but
	 * fails every cycle (a shell that exits, a forced command) is not
	 * logged into again and again.
	 */
	if (p->failed_cycles++ > 0 && pace_wait(w, p))
		return -1;
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct fleet *f = w->fleet;
	transport_ssh_log_init();
	struct pace pace;
	pace_reset(&pace, w->host);
	while (!stopping(f)) {
		int asked = take_refresh(w);
		int64_t cycle_start = mono_ms();
		int up = worker_connect(w, &pace);
		if (up == -1)
			break;
		if (up == 0)
			continue;
		char *cause = NULL;
		if (worker_cycle(w, asked, &cause) == -1) {
			if (worker_failed(w, &pace, cause) == -1)
				break;
			continue;
		}
		pace_reset(&pace, w->host);
		serve_requests(w);
		if (f->flags & FLEET_ONESHOT)
			break;
		if (worker_idle(w, cycle_start + (int64_t)w->host->interval_s * 1000))
			break;
		serve_requests(w);
	}
	/* a one-shot worker stays to serve log requests until stopped */
	while ((f->flags & FLEET_ONESHOT) && !worker_wait(w, mono_ms() + 60000))
		serve_requests(w);
	health_runner_reset(w->health, w->t);
	engine_reset(w->engine, w->t);
	w->t->ops->disconnect(w->t);
	return NULL;
}

struct fleet *
fleet_start(const struct conf *c, int wake_fd, int flags)
{
	struct fleet *f = xcalloc(1, sizeof *f);
	f->conf = c;
	f->flags = flags;
	f->wake_fd = wake_fd;
	f->next_job_id = 1;
	pthread_mutex_init(&f->lock, NULL);
	/* the benchmark's baseline: what an idle cycle cost before events and no_disk */
	f->poll = getenv("SITREP_POLL") != NULL && strcmp(getenv("SITREP_POLL"), "1") == 0;
	f->nworkers = c->nhosts;
	f->workers = xcalloc(c->nhosts ? c->nhosts : 1, sizeof *f->workers);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (size_t i = 0; i < f->nworkers; i++) {
		struct worker *w = &f->workers[i];
		w->fleet = f;
		w->index = i;
		w->host = &c->hosts[i];
		w->t = transport_new(c, w->host);
		w->health = health_runner_new(w->host);
		w->engine = engine_new();
		engine_set_events(w->engine, !f->poll);
		w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		w->current = snapshot_new(w->host->name);
		w->current->interval_s = w->host->interval_s;
		state_eval_snapshot(w->current);
		pthread_cond_init(&w->cond, &ca);
	}
	pthread_condattr_destroy(&ca);
	/* small stacks: 30 hosts must not cost 240 MB of address space */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (size_t i = 0; i < f->nworkers; i++)
		if (pthread_create(&f->workers[i].thread, &attr, worker_main, &f->workers[i]) != 0) {
			log_msg("cannot start the worker for %s", f->workers[i].host->name);
			f->workers[i].thread = 0;
		}
	pthread_attr_destroy(&attr);
	return f;
}

void
fleet_msg_free(struct fleet_msg *m)
{
	while (m != NULL) {
		struct fleet_msg *next = m->next;
		free(m->name);
		free(m->data);
		free(m->error);
		exec_result_clear(&m->result);
		free(m);
		m = next;
	}
}

static void
reap_jobs(struct fleet *f, int all)
{
	for (;;) {
		struct job *found = NULL;
		pthread_mutex_lock(&f->lock);
		for (struct job **jp = &f->jobs; *jp; jp = &(*jp)->next)
			if ((*jp)->done || all) {
				found = *jp;
				*jp = found->next;
				break;
			}
		pthread_mutex_unlock(&f->lock);
		if (found == NULL)
			return;
		__atomic_store_n(&found->cancel, 1, __ATOMIC_RELAXED);
		pthread_join(found->thread, NULL);
		free(found->command);
		free(found);
	}
}

void
fleet_stop(struct fleet **fp)
{
	struct fleet *f = *fp;
	*fp = NULL;
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	for (size_t i = 0; i < f->nworkers; i++)
		worker_signal(&f->workers[i]);
	pthread_mutex_unlock(&f->lock);
	for (struct job *j = f->jobs; j; j = j->next)
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
	reap_jobs(f, 1);
	for (size_t i = 0; i < f->nworkers; i++) {
		struct worker *w = &f->workers[i];
		if (w->thread)
			pthread_join(w->thread, NULL);
		health_runner_free(&w->health, w->t);
		engine_free(&w->engine, w->t);
		transport_free(&w->t);
		host_data_unref(&w->prev);
		snapshot_unref(&w->current);
		while (w->requests) {
			struct request *r = w->requests;
			w->requests = r->next;
			free(r->name);
			free(r);
		}
		pthread_cond_destroy(&w->cond);
		if (w->wake_fd >= 0)
			close(w->wake_fd);
	}
	fleet_msg_free(f->msg_head);
	free(f->workers);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

size_t
fleet_size(const struct fleet *f)
{
	return f->nworkers;
}

const struct host_conf *
fleet_host(const struct fleet *f, size_t i)
{
	return f->workers[i].host;
}

struct host_snapshot *
fleet_snapshot(struct fleet *f, size_t i)
{
	pthread_mutex_lock(&f->lock);
	struct host_snapshot *s = snapshot_ref(f->workers[i].current);
	pthread_mutex_unlock(&f->lock);
	return s;
}

uint64_t
fleet_generation(struct fleet *f)
{
	pthread_mutex_lock(&f->lock);
	uint64_t g = f->generation;
	pthread_mutex_unlock(&f->lock);
	return g;
}

int
fleet_all_reported(struct fleet *f)
{
	int all = 1;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->nworkers; i++)
		if (!f->workers[i].reported)
			all = 0;
	pthread_mutex_unlock(&f->lock);
	return all;
}

void
fleet_refresh(struct fleet *f, int host)
{
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->nworkers; i++)
		if (host < 0 || (size_t)host == i) {
			f->workers[i].refresh = 1;
			worker_signal(&f->workers[i]);
		}
	pthread_mutex_unlock(&f->lock);
}

static void
enqueue(struct fleet *f, size_t host, struct request *r)
{
	pthread_mutex_lock(&f->lock);
	struct request **rp = &f->workers[host].requests;
	while (*rp)
		rp = &(*rp)->next;
	*rp = r;
	worker_signal(&f->workers[host]);
	pthread_mutex_unlock(&f->lock);
}

void
fleet_request_logs(struct fleet *f, size_t host, const char *name, int is_unit, int lines)
{
	if (host >= f->nworkers)
		return;
	struct request *r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	r->is_unit = is_unit;
	r->lines = lines;
	enqueue(f, host, r);
}

void
fleet_request_trust(struct fleet *f, size_t host, const char *fingerprint)
{
	if (host >= f->nworkers || f->workers[host].host->transport != TRANSPORT_SSH)
		return;
	struct request *r = xcalloc(1, sizeof *r);
	r->trust = 1;
	r->name = xstrdup(fingerprint);
	enqueue(f, host, r);
}

struct fleet_msg *
fleet_take_messages(struct fleet *f)
{
	pthread_mutex_lock(&f->lock);
	struct fleet_msg *m = f->msg_head;
	f->msg_head = f->msg_tail = NULL;
	pthread_mutex_unlock(&f->lock);
	reap_jobs(f, 0);
	return m;
}

int
fleet_is_readonly(const struct fleet *f)
{
	return (f->flags & FLEET_READONLY) != 0;
}

/* --- jobs --------------------------------------------------------------------- */

static int
job_cancelled(void *arg)
{
	struct job *j = arg;
	return __atomic_load_n(&j->cancel, __ATOMIC_RELAXED);
}

static int
job_output(const char *data, size_t len, void *arg)
{
	struct job *j = arg;
	struct fleet_msg *m = xcalloc(1, sizeof *m);
	m->kind = FLEET_MSG_JOB_OUTPUT;
	m->host = j->host;
	m->job_id = j->id;
	m->data = xstrndup(data, len);
	m->len = len;
	exec_result_clear(&m->result);
	post(j->fleet, m);
	return job_cancelled(j);
}

static void *
job_main(void *arg)
{
	struct job *j = arg;
	struct fleet *f = j->fleet;
	transport_ssh_log_init();
	const struct host_conf *h = &f->conf->hosts[j->host];
	struct fleet_msg *done = xcalloc(1, sizeof *done);
	done->kind = FLEET_MSG_JOB_DONE;
	done->host = j->host;
	done->job_id = j->id;
	exec_result_clear(&done->result);
	/* its own session: a long command never holds up the host's probe */
	struct transport *t = transport_new(f->conf, h);
	char *cause = NULL;
	if (t->ops->connect(t, &cause) == -1)
		done->error = cause ? cause : xstrdup("cannot connect");
	else {
		struct exec_opts o = {
			.pty = 1,
			.max_output = JOB_OUTPUT_KEEP,
			.on_output = job_output,
			.cancelled = job_cancelled,
			.arg = j,
		};
		if (t->ops->exec(t, j->command, &o, &done->result, &cause) == -1)
			done->error = cause ? cause : xstrdup("failed");
	}
	transport_free(&t);
	pthread_mutex_lock(&f->lock);
	j->done = 1;
	pthread_mutex_unlock(&f->lock);
	post(f, done);
	return NULL;
}

int64_t
fleet_job_start(struct fleet *f, size_t host, const char *command, char **cause)
{
	/* the wall, and anything else started read-only, never runs a command */
	if (f->flags & FLEET_READONLY)
		return set_cause(cause, "read-only: this sitrep does not run commands");
	if (host >= f->nworkers)
		return set_cause(cause, "no such host");
	if (fleet_jobs_running(f) >= MAX_JOBS)
		return set_cause(cause, "%d commands are already running", MAX_JOBS);
	struct job *j = xcalloc(1, sizeof *j);
	j->fleet = f;
	j->host = host;
	j->command = xstrdup(command);
	pthread_mutex_lock(&f->lock);
	j->id = f->next_job_id++;
	j->next = f->jobs;
	f->jobs = j;
	pthread_mutex_unlock(&f->lock);
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		pthread_mutex_lock(&f->lock);
		f->jobs = j->next;
		pthread_mutex_unlock(&f->lock);
		free(j->command);
		free(j);
		return set_cause(cause, "cannot start a thread");
	}
	return j->id;
}

void
fleet_job_cancel(struct fleet *f, int64_t id)
{
	pthread_mutex_lock(&f->lock);
	for (struct job *j = f->jobs; j; j = j->next)
		if (j->id == id)
			__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&f->lock);
}

int
fleet_jobs_running(struct fleet *f)
{
	int n = 0;
	pthread_mutex_lock(&f->lock);
	for (struct job *j = f->jobs; j; j = j->next)
		if (!j->done)
			n++;
	pthread_mutex_unlock(&f->lock);
	return n;
}

int
fleet_wait_all(struct fleet *f, int wake_rd, int64_t timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	while (!fleet_all_reported(f)) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return -1;
		if (wait_readable(wake_rd, left > 200 ? 200 : (int)left))
			wake_drain(wake_rd);
	}
	return 0;
}

int64_t
fleet_first_cycle_bound(const struct conf *c)
{
	int64_t worst = 0;
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host_conf *h = &c->hosts[i];
		int64_t b = (int64_t)h->timeout_s * 1000 * 4 + (int64_t)h->nchecks * h->timeout_s * 1000 +
		    (int64_t)h->nhealth * h->timeout_s * 1000 + 2000;
		if (b > worst)
			worst = b;
	}
	return worst;
}
