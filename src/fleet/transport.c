/*
 * transport: the factory and what both implementations share.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sanitize.h"
#include "transport.h"

struct transport *
transport_new(const struct conf *c, const struct host_conf *h)
{
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = h->transport == TRANSPORT_LOCAL ? &transport_local_ops : &transport_ssh_ops;
	t->host = h;
	t->conf = c;
	t->conn = CONN_NEW;
	return t;
}

void
transport_free(struct transport **tp)
{
	struct transport *t = *tp;
	*tp = NULL;
	if (t == NULL)
		return;
	t->ops->disconnect(t);
	t->ops->free(t);
	free(t->fingerprint);
	free(t->key_type);
	free(t);
}

void
exec_result_clear(struct exec_result *r)
{
	free(r->output);
	memset(r, 0, sizeof *r);
	r->exit_status = -1;
}

void
exec_output_init(struct exec_output *eo)
{
	memset(eo, 0, sizeof *eo);
	buf_init(&eo->kept);
	buf_init(&eo->piece);
	redactor_init(&eo->red);
}

/* Counts, keeps and hands on eo->piece (redacted): nonzero when asked to cancel. */
static int
exec_pass_on(struct exec_result *r, struct exec_output *eo, const struct exec_opts *o)
{
	const char *data = eo->piece.data;
	size_t n = eo->piece.len;
	if (n == 0)
		return 0;
	r->output_total += (uint64_t)n;
	if (!eo->full) {
		size_t room = o->max_output - eo->kept.len;
		if (n <= room)
			buf_add(&eo->kept, data, n);
		else {
			/* the cut is in redacted text: never inside a marker */
			buf_add(&eo->kept, data, redact_cut(data, n, room));
			eo->full = 1;
		}
	}
	int cancel = o->on_output != NULL && o->on_output(data, n, o->arg);
	buf_reset(&eo->piece);
	return cancel;
}

int
exec_take_output(struct exec_result *r, struct exec_output *eo, const struct exec_opts *o,
    const char *data, size_t n)
{
	redactor_feed(&eo->red, data, n, &eo->piece);
	return exec_pass_on(r, eo, o);
}

void
exec_output_end(struct exec_result *r, struct exec_output *eo, const struct exec_opts *o)
{
	redactor_finish(&eo->red, &eo->piece);
	exec_pass_on(r, eo, o);
	redactor_clear(&eo->red);
	buf_free(&eo->piece);
	r->output_len = eo->kept.len;
	r->output = buf_take(&eo->kept);
}

long
transport_find_marker(const struct buf *out, size_t from, const char *marker)
{
	size_t mlen = strlen(marker);
	/* the marker may have begun before from: back off by its length */
	size_t i = from > mlen + 1 ? from - mlen - 1 : 0;
	while (out->data != NULL && i + mlen < out->len) {
		const char *m = memmem(out->data + i, out->len - i, marker, mlen);
		if (m == NULL)
			return -1;
		size_t at = (size_t)(m - out->data);
		if ((at == 0 || out->data[at - 1] == '\n') && at + mlen < out->len &&
		    out->data[at + mlen] == '\n')
			return (long)at;
		i = at + 1;
	}
	return -1;
}

int
transport_script(struct transport *t, const char *script, const char *end_marker, int idle_ms,
    int total_ms, struct buf *out, char **cause)
{
	if (t->ops->script_start(t, script, cause) == -1)
		return -1;
	return t->ops->script_finish(t, end_marker, idle_ms, total_ms, out, cause);
}

int
transport_fd_error(struct transport *t, int err, char **cause)
{
	if (t != NULL)
		t->conn = CONN_LOCAL_ERROR;
	if (err == ENFILE)
		return set_cause(cause, "sitrep: out of file descriptors (the system's table is full)");
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return set_cause(cause, "sitrep: out of file descriptors (limit %llu)",
		    (unsigned long long)rl.rlim_cur);
	return set_cause(cause, "sitrep: out of file descriptors");
}

int
transport_fd_short(int need)
{
	int fds[16], n = 0, err = 0;
	if (need > 16)
		need = 16;
	while (n < need) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd == -1) {
			err = errno;
			break;
		}
		fds[n++] = fd;
	}
	while (n > 0)
		close(fds[--n]);
	return err == EMFILE || err == ENFILE ? err : 0;
}
