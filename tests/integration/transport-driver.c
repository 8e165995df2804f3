/*
 * transport-driver: one transport call against a real host, for
 * tests/integration/transport.sh, which brings up the host and judges
 * what this prints ("key value" lines).
 *
 *   transport-driver CONFIG HOST tunnel PORT OUTFILE
 *	A tunnel to the host's localhost:PORT, pumped into a socketpair whose
 *	other end is not read at first (as curl's is not while the worker
 *	pumps): "full 1" once the pump reports the local end full, then
 *	everything is read into OUTFILE: "bytes N".
 *   transport-driver CONFIG HOST late IDLE_MS
 *	A script that answers at once, read only after twice IDLE_MS (the
 *	worker runs health checks meanwhile): "rc 0" or "rc -1 CAUSE".
 *   transport-driver CONFIG HOST script 'SHELL TEXT'
 *	The text as a probe script: "rc", "len" and the output in hex.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "conf.h"
#include "sanitize.h"
#include "transport.h"

#define MARKER "@@driver:end"

static int
tunnel(struct transport *t, int port, const char *path)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return 2;
	/* a small buffer, as it fills first */
	int small = 4096;
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	char *cause = NULL;
	struct tunnel *tu = t->ops->tunnel_open(t, "localhost", port, &cause);
	if (tu == NULL) {
		printf("tunnel %s\n", cause);
		return 1;
	}
	static const char req[] = "GET /health HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n";
	if (write(sv[1], req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
		return 2;
	/* the reader is busy: the pump must return, and say the local end is full */
	int full = 0;
	int64_t end = mono_ms() + 10000;
	while (!full && mono_ms() < end) {
		int rc = t->ops->tunnel_pump(tu, sv[0], NULL);
		if (rc < 0)
			break;
		full = (rc & TUNNEL_FULL) != 0;
		if (!full)
			wait_readable(t->ops->pollfd(t), 20);
	}
	printf("full %d\n", full);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return 2;
	/* now read: everything the host sent arrives, in order */
	size_t total = 0;
	char chunk[8192];
	end = mono_ms() + 20000;
	int open = 1;
	while (mono_ms() < end) {
		if (open && t->ops->tunnel_pump(tu, sv[0], NULL) < 0) {
			t->ops->tunnel_close(&tu);
			shutdown(sv[0], SHUT_WR);
			open = 0;
		}
		ssize_t n = recv(sv[1], chunk, sizeof chunk, MSG_DONTWAIT);
		if (n > 0) {
			fwrite(chunk, 1, (size_t)n, f);
			total += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (open)
			wait_readable(t->ops->pollfd(t), 20);
	}
	fclose(f);
	if (tu != NULL)
		t->ops->tunnel_close(&tu);
	printf("bytes %zu\n", total);
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static void
print_script(int rc, const struct buf *out, const char *cause)
{
	printf("rc %d%s%s\n", rc, cause ? " " : "", cause ? cause : "");
	printf("len %zu\n", out->len);
	printf("hex ");
	for (size_t i = 0; i < out->len && i < 64; i++)
		printf("%02x", (unsigned char)out->data[i]);
	printf("\n");
}

int
main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: transport-driver CONFIG HOST tunnel|late|script ARG...\n");
		return 2;
	}
	sanitize_init();
	ssh_init();
	struct conf c;
	char *cause = NULL;
	if (conf_load(&c, argv[1], &cause) == -1) {
		fprintf(stderr, "transport-driver: %s\n", cause);
		return 2;
	}
	const struct host_conf *h = NULL;
	for (size_t i = 0; i < c.nhosts; i++)
		if (strcmp(c.hosts[i].name, argv[2]) == 0)
			h = &c.hosts[i];
	if (h == NULL) {
		fprintf(stderr, "transport-driver: no host %s\n", argv[2]);
		return 2;
	}
	struct transport *t = transport_new(&c, h);
	if (t->ops->connect(t, &cause) == -1) {
		printf("connect %s\n", cause);
		return 1;
	}
	int rc = 2;
	struct buf out;
	buf_init(&out);
	const char *mode = argv[3];
	if (strcmp(mode, "tunnel") == 0 && argc == 6) {
		rc = tunnel(t, atoi(argv[4]), argv[5]);
	} else if (strcmp(mode, "late") == 0) {
		int idle = atoi(argv[4]);
		if (t->ops->script_start(t, "echo early; printf '\\n" MARKER "\\n'\n", &cause) == 0) {
			usleep((useconds_t)idle * 2000);
			rc = t->ops->script_finish(t, MARKER, idle, idle * 4, &out, &cause);
		} else
			rc = -1;
		print_script(rc, &out, cause);
		rc = 0;
	} else if (strcmp(mode, "script") == 0) {
		char *script = xasprintf("%s\nprintf '\\n" MARKER "\\n'\n", argv[4]);
		rc = transport_script(t, script, MARKER, 10000, 60000, &out, &cause);
		free(script);
		print_script(rc, &out, cause);
		rc = 0;
	} else
		fprintf(stderr, "transport-driver: unknown mode %s\n", mode);
	free(cause);
	buf_free(&out);
	transport_free(&t);
	conf_free(&c);
	ssh_finalize();
	return rc;
}
