/*
 * The engine API client against a host with thousands of containers.
 *
 * The engine here is a stand-in (a thread serving the Docker API's list and
 * inspect on a unix socket): no real engine on a test host can be given
 * 3000 containers on demand. It serves as Go's net/http does on a kept
 * connection: one request at a time, writing each answer in full before it
 * reads the next request. A client that writes every inspect request before
 * it reads an answer then deadlocks against it once the requests outgrow
 * the socket buffers; the alarm turns that into a failure.
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

struct fake {
	int listen_fd;
	size_t requests;	/* answered */
	int bad_requests;
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

static void *
fake_engine(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
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
		if (strcmp(path, "/" ENGINE_API_VERSION "/containers/json?all=1") == 0) {
			struct buf list;
			buf_init(&list);
			buf_adds(&list, "[");
			for (unsigned i = 0; i < NCONTAINERS; i++)
				buf_printf(&list, "%s{\"Id\":\"%064x\",\"Names\":[\"/c%u\"],"
				    "\"Image\":\"busybox\",\"State\":\"running\",\"Status\":\"Up 1 hour\"}",
				    i ? "," : "", i, i);
			buf_adds(&list, "]");
			answer(fd, list.data);
			buf_free(&list);
		} else if (sscanf(path, "/" ENGINE_API_VERSION "/containers/%64x/json", &idx) == 1) {
			char *body = xasprintf("{\"Id\":\"%064x\",\"Name\":\"/c%u\",\"RestartCount\":%u,"
			    "\"State\":{\"Status\":\"running\",\"ExitCode\":0,"
			    "\"StartedAt\":\"2026-11-21T23:16:54.1Z\"},\"HostConfig\":{\"RestartPolicy\":"
			    "{\"Name\":\"always\"}},\"Config\":{\"Image\":\"busybox:latest\"}}",
			    idx, idx, idx % 7);
			answer(fd, body);
			free(body);
		} else
			f->bad_requests++;
		f->requests++;
		memmove(in.data, in.data + used, in.len - used + 1);
		in.len -= used;
	}
	buf_free(&in);
	close(fd);
	return NULL;
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
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	struct fake f = { .listen_fd = socket(AF_UNIX, SOCK_STREAM, 0) };
	if (bind(f.listen_fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(f.listen_fd, 1) == -1)
		return 99;
	pthread_t th;
	pthread_create(&th, NULL, fake_engine, &f);

	struct conf cf;
	conf_init(&cf);
	char *cause = NULL;
	const char *text = "host here\n    transport local\n";
	if (conf_parse(&cf, text, strlen(text), "test", &cause) == -1)
		return 99;
	struct transport *t = transport_new(&cf, &cf.hosts[0]);
	ok(t->ops->connect(t, &cause) == 0, "local transport");
	struct engine *e = engine_new();
	engine_set_socket(e, sock);
	int64_t start = mono_ms();
	is_int(engine_start(e, t, start + 50000), 0, "the list request goes out");
	int done = 0;
	while (!done && mono_ms() < start + 50000) {
		done = engine_step(e, t);
		if (!done)
			usleep(1000);
	}
	ok(done, "the cycle ends (%lld ms)", (long long)(mono_ms() - start));
	struct host_data *d = host_data_new();
	engine_collect(e, t, d);
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
	is_int(f.requests, NCONTAINERS + 1, "one list and one inspect per container, no more");
	is_int(f.bad_requests, 0, "every request well formed");
	host_data_unref(&d);
	engine_free(&e, t);
	transport_free(&t);
	pthread_join(th, NULL);
	close(f.listen_fd);
	unlink(sock);
	rmdir(dir);
	free(sock);
	conf_free(&cf);
	return tap_done();
}
