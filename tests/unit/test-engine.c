/*
 * The engine API client against a host with thousands of containers, and
 * against one whose containers mostly stand still (inspected once, then
 * again only when the list shows they moved).
 *
 * The engine here is a stand-in (a thread serving the Docker API's list and
 * inspect on a unix socket): no real engine on a test host can be given
 * 3000 containers on demand. It serves as Go's net/http does on a kept
 * connection: one request at a time, writing each answer in full before it
 * reads the next request. A client that writes every inspect request before
 * it reads an answer then deadlocks against it once the requests outgrow
 * the socket buffers; the alarm turns that into a failure. It also serves
 * GET /events on a connection of its own, as the engines do: the head,
 * then one chunk per event the test sends.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "engine.h"
#include "sanitize.h"
#include "tap.h"

#define NCONTAINERS 3000

/* a container of the stand-in engine */
struct fc {
	char name[16];
	char state[16];		/* the list's State, the inspect's State.Status */
	char status[48];	/* the list's Status */
	unsigned restarts;
	int exit_code;
	int health;		/* has a health check (healthy) */
	int gone;		/* removed */
	int fail;		/* the next inspect answers 500 */
};

struct fake {
	int listen_fd;
	pthread_mutex_t mu;	/* the test changes the containers between cycles */
	struct fc *c;
	unsigned n;
	size_t requests;	/* answered */
	size_t inspects;	/* of them */
	int bad_requests;
	size_t pings;		/* GET /_ping answered */
	int events;		/* serve GET /events (else leave it unanswered) */
	int ev_fd;		/* the events connection, once asked */
	pthread_t conns[4];
	int nconns;
};

static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
answer(int fd, const char *body)
{
	char *head = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n", strlen(body));
	send_all(fd, head, strlen(head));
	send_all(fd, body, strlen(body));
	free(head);
}

struct conn {
	struct fake *f;
	int fd;
};

static void *serve(void *);

/* Accepts the engine's connections (a request stream and an event stream) until closed. */
static void *
fake_engine(void *arg)
{
	struct fake *f = arg;
	while (f->nconns < 4) {
		int fd = accept(f->listen_fd, NULL, NULL);
		if (fd < 0)
			break;
		struct conn *c = xcalloc(1, sizeof *c);
		c->f = f;
		c->fd = fd;
		pthread_create(&f->conns[f->nconns++], NULL, serve, c);
		/* the request stream alone, one at a time, as before events */
		if (!f->events)
			break;
	}
	for (int i = 0; i < f->nconns; i++)
		pthread_join(f->conns[i], NULL);
	return NULL;
}

static void *
serve(void *arg)
{
	struct conn *cn = arg;
	struct fake *f = cn->f;
	int fd = cn->fd;
	free(cn);
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	struct buf in;
	buf_init(&in);
	char chunk[4096];
	for (;;) {
		char *end = in.data ? strstr(in.data, "\r\n\r\n") : NULL;
		if (end == NULL) {
			ssize_t n = recv(fd, chunk, sizeof chunk, 0);
			if (n <= 0)
				break;
			buf_add(&in, chunk, (size_t)n);
			continue;
		}
		size_t used = (size_t)(end + 4 - in.data);
		char path[256] = "";
		sscanf(in.data, "GET %255s ", path);
		unsigned idx;
		pthread_mutex_lock(&f->mu);
		if (strncmp(path, "/" ENGINE_API_VERSION "/events?", 13) == 0) {
			if (f->events) {
				static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				    "Transfer-Encoding: chunked\r\n\r\n";
				send_all(fd, head, sizeof head - 1);
				f->ev_fd = fd;
			} else
				f->bad_requests++;
		} else if (strcmp(path, "/_ping") == 0) {
			static const char pong[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";
			send_all(fd, pong, sizeof pong - 1);
			f->pings++;
		} else if (strcmp(path, "/" ENGINE_API_VERSION "/containers/json?all=1") == 0) {
			struct buf list;
			buf_init(&list);
			buf_adds(&list, "[");
			for (unsigned i = 0, first = 1; i < f->n; i++) {
				if (f->c[i].gone)
					continue;
				buf_printf(&list, "%s{\"Id\":\"%064x\",\"Names\":[\"/%s\"],"
				    "\"Image\":\"busybox\",\"State\":\"%s\",\"Status\":\"%s\"}",
				    first ? "" : ",", i, f->c[i].name, f->c[i].state, f->c[i].status);
				first = 0;
			}
			buf_adds(&list, "]");
			answer(fd, list.data);
			buf_free(&list);
		} else if (sscanf(path, "/" ENGINE_API_VERSION "/containers/%64x/json", &idx) == 1 &&
		    idx < f->n && f->c[idx].fail) {
			static const char err[] = "HTTP/1.1 500 Internal Server Error\r\n"
			    "Content-Length: 2\r\n\r\n{}";
			send_all(fd, err, sizeof err - 1);
			f->c[idx].fail = 0;
			f->inspects++;
		} else if (sscanf(path, "/" ENGINE_API_VERSION "/containers/%64x/json", &idx) == 1 &&
		    idx < f->n && !f->c[idx].gone) {
			const struct fc *c = &f->c[idx];
			char *body = xasprintf("{\"Id\":\"%064x\",\"Name\":\"/%s\",\"RestartCount\":%u,"
			    "\"State\":{\"Status\":\"%s\",\"ExitCode\":%d,"
			    "\"StartedAt\":\"2026-11-21T23:16:54.1Z\"%s},\"HostConfig\":{\"RestartPolicy\":"
			    "{\"Name\":\"always\"}},\"Config\":{\"Image\":\"busybox:latest\"}}",
			    idx, c->name, c->restarts, c->state, c->exit_code,
			    c->health ? ",\"Health\":{\"Status\":\"healthy\"}" : "");
			answer(fd, body);
			free(body);
			f->inspects++;
		} else if (sscanf(path, "/" ENGINE_API_VERSION "/containers/%64x/json", &idx) == 1 &&
		    idx < f->n) {
			/* removed: as the engines answer */
			static const char gone[] = "HTTP/1.1 404 Not Found\r\n"
			    "Content-Length: 2\r\n\r\n{}";
			send_all(fd, gone, sizeof gone - 1);
			f->inspects++;
		} else
			f->bad_requests++;
		if (strncmp(path, "/" ENGINE_API_VERSION "/events?", 13) != 0)
			f->requests++;
		pthread_mutex_unlock(&f->mu);
		memmove(in.data, in.data + used, in.len - used + 1);
		in.len -= used;
	}
	buf_free(&in);
	close(fd);
	return NULL;
}

/* A stand-in engine on a fresh socket in dir, serving one connection. */
static struct fake *
fake_start(const char *sock, pthread_t *th, struct fc *c, unsigned n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	struct fake *f = xcalloc(1, sizeof *f);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pthread_mutex_init(&f->mu, NULL);
	f->c = c;
	f->n = n;
	f->ev_fd = -1;
	if (bind(f->listen_fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(f->listen_fd, 1) == -1)
		exit(99);
	pthread_create(th, NULL, fake_engine, f);
	return f;
}

static void
fake_stop(struct fake *f, pthread_t th, const char *sock)
{
	shutdown(f->listen_fd, SHUT_RDWR);	/* no more connections: accept() returns */
	pthread_join(th, NULL);
	close(f->listen_fd);
	unlink(sock);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* One cycle: the host's containers, and the inspects it cost. */
static struct host_data *
cycle(struct engine *e, struct transport *t, struct fake *f, size_t *inspects, int64_t *took)
{
	pthread_mutex_lock(&f->mu);
	size_t before = f->inspects;
	pthread_mutex_unlock(&f->mu);
	int64_t start = mono_ms();
	int done = engine_start(e, t, start + 50000) == 0 ? 0 : -1;
	while (done == 0 && mono_ms() < start + 50000) {
		done = engine_step(e, t);
		if (!done)
			usleep(1000);
	}
	*took = mono_ms() - start;
	struct host_data *d = host_data_new();
	engine_collect(e, t, d);
	pthread_mutex_lock(&f->mu);
	*inspects = f->inspects - before;
	pthread_mutex_unlock(&f->mu);
	return d;
}

static const struct container *
find(const struct host_data *d, const char *name)
{
	for (size_t i = 0; i < d->ncontainers; i++)
		if (strcmp(d->containers[i].name, name) == 0)
			return &d->containers[i];
	return NULL;
}

/* What a user reads for a container: its state, restarts, exit code, health, image. */
static char *
shown(const struct host_data *d, const char *name)
{
	const struct container *c = find(d, name);
	if (c == NULL)
		return xstrdup("(absent)");
	return xasprintf("%s %s restarts=%d exit=%d health=%s image=%s started=%lld",
	    c->engine_state ? c->engine_state : "-", c->status ? c->status : "-", c->restarts,
	    c->exit_code, c->health ? c->health : "-", c->image ? c->image : "-",
	    (long long)c->started_ms);
}

static void
expect_shown(const struct host_data *d, const char *name, const char *want)
{
	char *got = shown(d, name);
	char *full = xasprintf("%s", want);
	/* started is the same for every container of the stand-in */
	char *cut = strstr(got, " started=");
	ok(cut != NULL && strtoll(cut + 9, NULL, 10) > 0, "%s: a start time", name);
	if (cut != NULL)
		*cut = '\0';
	is_str(got, full, "%s as shown", name);
	free(got);
	free(full);
}

/*
 * A host whose containers mostly stand still: they are inspected once,
 * then again only when the list shows they moved.
 */
static void
test_reuse(struct transport *t, const char *sock)
{
	struct fc c[] = {
		{ "web", "running", "Up 2 hours", 1, 0, 0, 0, 0 },
		{ "job", "exited", "Exited (7) 3 hours ago", 0, 7, 0, 0, 0 },
		{ "new", "created", "Created", 0, 0, 0, 0, 0 },
		{ "bot", "running", "Up 4 seconds", 5, 0, 0, 0, 0 },
		{ "api", "running", "Up 3 hours", 0, 0, 1, 0, 0 },
		{ "odd", "restarting", "Restarting (1) 2 minutes ago", 9, 1, 0, 0, 0 },
	};
	pthread_t th;
	struct fake *f = fake_start(sock, &th, c, 6);
	struct engine *e = engine_new();
	engine_set_socket(e, sock);
	size_t n;
	int64_t took;

	struct host_data *d = cycle(e, t, f, &n, &took);
	is_int(d->containers_state, STATE_OK, "first cycle: the engine answered");
	is_int(n, 6, "first cycle: every container inspected");
	char *first_web = shown(d, "web"), *first_job = shown(d, "job");
	host_data_unref(&d);

	d = cycle(e, t, f, &n, &took);
	is_int(d->containers_state, STATE_OK, "second cycle, nothing moved: answered");
	is_int(n, 3, "only bot (up seconds), api (health check), odd (restarting) inspected again");
	is_int(d->ncontainers, 6, "every container still listed");
	char *web = shown(d, "web"), *job = shown(d, "job");
	is_str(web, first_web, "web: the last inspect stands (restarts, image, start)");
	is_str(job, first_job, "job: the last inspect stands (exit code)");
	free(web);
	free(job);
	expect_shown(d, "new", "created Created restarts=0 exit=0 health=- image=busybox:latest");
	expect_shown(d, "api", "running Up 3 hours restarts=0 exit=0 health=healthy image=busybox:latest");
	host_data_unref(&d);

	/* web restarts, job's Status moves on, new is removed */
	pthread_mutex_lock(&f->mu);
	snprintf(c[0].status, sizeof c[0].status, "Up 1 second");
	c[0].restarts = 2;
	snprintf(c[1].status, sizeof c[1].status, "Exited (7) 4 hours ago");
	c[2].gone = 1;
	c[3].restarts = 6;
	pthread_mutex_unlock(&f->mu);
	d = cycle(e, t, f, &n, &took);
	is_int(n, 5, "third cycle: web (restarted), job (Status moved), bot, api, odd inspected");
	expect_shown(d, "web", "running Up 1 second restarts=2 exit=0 health=- image=busybox:latest");
	expect_shown(d, "job", "exited Exited (7) 4 hours ago restarts=0 exit=7 health=- image=busybox:latest");
	expect_shown(d, "bot", "running Up 4 seconds restarts=6 exit=0 health=- image=busybox:latest");
	ok(find(d, "new") == NULL, "a removed container is gone");
	is_int(d->ncontainers, 5, "five containers left");
	host_data_unref(&d);

	/* a container that stopped: State moves even if the Status read the same */
	pthread_mutex_lock(&f->mu);
	snprintf(c[0].status, sizeof c[0].status, "Up 2 hours");
	pthread_mutex_unlock(&f->mu);
	d = cycle(e, t, f, &n, &took);
	is_int(n, 4, "fourth cycle: web's Status moved again");
	host_data_unref(&d);
	pthread_mutex_lock(&f->mu);
	snprintf(c[0].state, sizeof c[0].state, "exited");
	c[0].exit_code = 137;
	pthread_mutex_unlock(&f->mu);
	d = cycle(e, t, f, &n, &took);
	is_int(n, 4, "fifth cycle: web's State moved");
	expect_shown(d, "web", "exited Up 2 hours restarts=2 exit=137 health=- image=busybox:latest");
	host_data_unref(&d);

	/* an inspect the engine did not answer is asked again, though nothing moved */
	pthread_mutex_lock(&f->mu);
	c[1].fail = 1;
	snprintf(c[1].status, sizeof c[1].status, "Exited (7) 5 hours ago");
	pthread_mutex_unlock(&f->mu);
	d = cycle(e, t, f, &n, &took);
	is_int(n, 4, "sixth cycle: job (its Status moved), bot, api, odd inspected; job's answer is a 500");
	host_data_unref(&d);
	d = cycle(e, t, f, &n, &took);
	is_int(n, 4, "seventh cycle: job asked again after its failed inspect");
	expect_shown(d, "job", "exited Exited (7) 5 hours ago restarts=0 exit=7 health=- image=busybox:latest");
	host_data_unref(&d);

	/* an inspect stands for a while only */
	engine_set_reuse(e, 0);
	d = cycle(e, t, f, &n, &took);
	is_int(n, 5, "past the reuse time: every container inspected again");
	host_data_unref(&d);

	free(first_web);
	free(first_job);
	engine_free(&e, t);
	fake_stop(f, th, sock);
}

/* A host with thousands of containers, against an engine answering one request at a time. */
static void
test_many(struct transport *t, const char *sock)
{
	struct fc *c = xcalloc(NCONTAINERS, sizeof *c);
	for (unsigned i = 0; i < NCONTAINERS; i++) {
		snprintf(c[i].name, sizeof c[i].name, "c%u", i);
		snprintf(c[i].state, sizeof c[i].state, "running");
		snprintf(c[i].status, sizeof c[i].status, "Up 1 hour");
		c[i].restarts = i % 7;
	}
	pthread_t th;
	struct fake *f = fake_start(sock, &th, c, NCONTAINERS);
	struct engine *e = engine_new();
	engine_set_socket(e, sock);
	size_t n;
	int64_t took;
	struct host_data *d = cycle(e, t, f, &n, &took);
	ok(took < 50000, "the cycle ends (%lld ms)", (long long)took);
	is_int(d->containers_state, STATE_OK, "the engine answered: %s",
	    d->containers_error ? d->containers_error : "ok");
	is_int(d->ncontainers, NCONTAINERS, "every container listed");
	int inspected = 0;
	for (size_t i = 0; i < d->ncontainers; i++) {
		unsigned idx;
		if (sscanf(d->containers[i].name, "c%u", &idx) == 1 &&
		    d->containers[i].restarts == (int)(idx % 7) &&
		    d->containers[i].image != NULL && strcmp(d->containers[i].image, "busybox:latest") == 0)
			inspected++;
	}
	is_int(inspected, NCONTAINERS, "and every one inspected (restart count, image)");
	is_int(f->requests, NCONTAINERS + 1, "one list and one inspect per container, no more");
	is_int(f->bad_requests, 0, "every request well formed");
	host_data_unref(&d);
	engine_free(&e, t);
	fake_stop(f, th, sock);
	free(c);
}

/* The stand-in engine says that container idx did action. */
static void
fake_event(struct fake *f, unsigned idx, const char *action)
{
	char *ev = xasprintf("{\"status\":\"%s\",\"id\":\"%064x\",\"Type\":\"container\","
	    "\"Action\":\"%s\",\"Actor\":{\"ID\":\"%064x\"}}\n", action, idx, action, idx);
	char *chunk = xasprintf("%zx\r\n%s\r\n", strlen(ev), ev);
	pthread_mutex_lock(&f->mu);
	send_all(f->ev_fd, chunk, strlen(chunk));
	pthread_mutex_unlock(&f->mu);
	free(chunk);
	free(ev);
}

/* Waits (at most 5 s) for the engine to read events that name a container. */
static int
named(struct engine *e, struct transport *t)
{
	for (int i = 0; i < 500; i++) {
		if (engine_take_events(e, t))
			return 1;
		usleep(10000);
	}
	return 0;
}

/*
 * Containers by the engine's events: one full list once the event stream
 * is up, then nothing asked while nothing happens, and only what an event
 * names inspected (a new container, a removed one).
 */
static void
test_events(struct transport *t, const char *sock)
{
	struct fc c[] = {
		{ "web", "running", "Up 2 hours", 1, 0, 0, 0, 0 },
		{ "job", "exited", "Exited (7) 3 hours ago", 0, 7, 0, 0, 0 },
		{ "bot", "running", "Up 4 hours", 5, 0, 0, 0, 0 },
		{ "new", "running", "Up 1 second", 0, 0, 0, 1, 0 },
	};
	pthread_t th;
	struct fake *f = fake_start(sock, &th, c, 4);
	f->events = 1;
	struct engine *e = engine_new();
	engine_set_socket(e, sock);
	size_t n, list, insp;
	int full;
	int64_t took;

	struct host_data *d = cycle(e, t, f, &n, &took);
	is_int(d->ncontainers, 3, "first cycle: listed (events asked for after the list)");
	ok(!engine_watching(e), "not watching before a list that follows the stream's start");
	host_data_unref(&d);
	usleep(100000);		/* the events' head arrives */
	d = cycle(e, t, f, &n, &took);
	engine_requests(e, &list, &insp, &full);
	ok(full && list == 1, "second cycle: the full list that begins the watch");
	ok(engine_watching(e), "events watched");
	host_data_unref(&d);

	pthread_mutex_lock(&f->mu);
	size_t before = f->requests, pings = f->pings;
	pthread_mutex_unlock(&f->mu);
	d = cycle(e, t, f, &n, &took);
	pthread_mutex_lock(&f->mu);
	is_int(f->requests - before, 0, "nothing happened: the engine is asked nothing");
	pthread_mutex_unlock(&f->mu);
	is_int(d->ncontainers, 3, "and every container still shown");
	host_data_unref(&d);
	/* an engine that has not answered for a while is pinged: a hung one says nothing */
	engine_set_ping(e, 0);
	d = cycle(e, t, f, &n, &took);
	engine_requests(e, &list, &insp, &full);
	pthread_mutex_lock(&f->mu);
	is_int(f->requests - before, 1, "past the ping time: one request of the engine");
	is_int(f->pings - pings, 1, "and it is _ping (no list, no inspect)");
	pthread_mutex_unlock(&f->mu);
	is_int(d->ncontainers, 3, "and every container still shown");
	expect_shown(d, "job", "exited Exited (7) restarts=0 exit=7 health=- "
	    "image=busybox:latest");
	host_data_unref(&d);

	/* web dies: one event, one inspect */
	pthread_mutex_lock(&f->mu);
	snprintf(c[0].state, sizeof c[0].state, "exited");
	c[0].exit_code = 137;
	pthread_mutex_unlock(&f->mu);
	fake_event(f, 0, "die");
	ok(named(e, t), "the event names a container: a cycle is due");
	d = cycle(e, t, f, &n, &took);
	engine_requests(e, &list, &insp, &full);
	ok(list == 0 && insp == 1 && n == 1, "web inspected, no list (%zu list, %zu inspect)", list, insp);
	expect_shown(d, "web", "exited Exited (137) restarts=1 exit=137 health=- "
	    "image=busybox:latest");
	host_data_unref(&d);

	/* exec events move nothing */
	fake_event(f, 2, "exec_died");
	usleep(100000);
	ok(!engine_take_events(e, t), "an exec event is no reason for a cycle");

	/* a container made after the list, and one removed */
	pthread_mutex_lock(&f->mu);
	c[3].gone = 0;
	c[1].gone = 1;
	pthread_mutex_unlock(&f->mu);
	fake_event(f, 3, "start");
	fake_event(f, 1, "remove");
	ok(named(e, t), "two events");
	d = cycle(e, t, f, &n, &took);
	engine_requests(e, &list, &insp, &full);
	ok(list == 0 && insp == 2, "both inspected, no list");
	ok(find(d, "new") != NULL, "the new container is shown, named by its inspect");
	ok(find(d, "job") == NULL, "the removed one is gone (its inspect said 404)");
	is_int(d->ncontainers, 3, "three containers");
	host_data_unref(&d);

	/* a full list again after the resync time */
	engine_set_resync(e, 0);
	d = cycle(e, t, f, &n, &took);
	engine_requests(e, &list, &insp, &full);
	ok(full && list == 1, "past the resync time: a full list");
	is_int(d->ncontainers, 3, "which agrees");
	host_data_unref(&d);
	engine_free(&e, t);
	fake_stop(f, th, sock);
}

int
main(void)
{
	sanitize_init();
	alarm(60);	/* a deadlock fails the test instead of hanging it */
	char dir[] = "/tmp/sitrep-engine.XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 99;
	char *sock = xasprintf("%s/engine.sock", dir);
	struct conf cf;
	conf_init(&cf);
	char *cause = NULL;
	const char *text = "host here\n    transport local\n";
	if (conf_parse(&cf, text, strlen(text), "test", &cause) == -1)
		return 99;
	struct transport *t = transport_new(&cf, &cf.hosts[0]);
	ok(t->ops->connect(t, &cause) == 0, "local transport");
	test_many(t, sock);
	test_reuse(t, sock);
	test_events(t, sock);
	transport_free(&t);
	rmdir(dir);
	free(sock);
	conf_free(&cf);
	return tap_done();
}
