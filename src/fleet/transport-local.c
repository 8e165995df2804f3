/*
 * transport-local: this machine, through /bin/sh. The embedded default
 * when no host is configured, and the same shape of data as ssh.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport.h"

/* A pipe that could not be made: out of descriptors is sitrep's own error. -1. */
static int
pipe_failed(struct transport *t, char **cause)
{
	if (errno == EMFILE || errno == ENFILE)
		return transport_fd_error(t, errno, cause);
	return set_cause(cause, "pipe: %s", strerror(errno));
}

/* Starts /bin/sh (with -c command, or reading stdin) in its own process group. */
static pid_t
spawn_shell(struct transport *t, const char *command, int *in_fd, int *out_fd, char **cause)
{
	int in[2] = { -1, -1 }, out[2];
	if (in_fd != NULL && pipe2(in, O_CLOEXEC) == -1)
		return pipe_failed(t, cause);
	if (pipe2(out, O_CLOEXEC) == -1) {
		int err = errno;
		if (in_fd != NULL) {
			close(in[0]);
			close(in[1]);
		}
		errno = err;
		return pipe_failed(t, cause);
	}
	pid_t pid = fork();
	if (pid == -1) {
		set_cause(cause, "fork: %s", strerror(errno));
		if (in_fd != NULL) {
			close(in[0]);
			close(in[1]);
		}
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0) {
		setsid();
		int devnull = open("/dev/null", O_RDONLY);
		dup2(in_fd != NULL ? in[0] : devnull, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (command != NULL)
			execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		else
			execl("/bin/sh", "sh", "-s", (char *)NULL);
		_exit(127);
	}
	if (in_fd != NULL) {
		close(in[0]);
		*in_fd = in[1];
	}
	close(out[1]);
	*out_fd = out[0];
	return pid;
}

/* Stops a process group: TERM, then KILL if it lingers; reaps the leader. */
static int
stop_group(pid_t pid)
{
	int status;
	kill(-pid, SIGTERM);
	for (int i = 0; i < 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			kill(-pid, SIGKILL);
			return status;
		}
		usleep(50 * 1000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static int
local_connect(struct transport *t, char **cause)
{
	t->conn = CONN_UP;
	return 0;
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A probe shell started by script_start(), read by script_finish(). */
struct local_priv {
	pid_t pid;
	int out_fd;
	int64_t started;
};

static struct local_priv *
lpriv(struct transport *t)
{
	if (t->priv == NULL) {
		struct local_priv *p = xcalloc(1, sizeof *p);
		p->pid = -1;
		p->out_fd = -1;
		t->priv = p;
	}
	return t->priv;
}

static void
local_script_abort(struct local_priv *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->pid > 0)
		stop_group(p->pid);
	p->out_fd = -1;
	p->pid = -1;
}

static int
local_script_start(struct transport *t, const char *script, char **cause)
{
	struct local_priv *p = lpriv(t);
	local_script_abort(p);
	int in_fd;
	p->pid = spawn_shell(t, NULL, &in_fd, &p->out_fd, cause);
	if (p->pid == -1)
		return -1;
	p->started = mono_ms();
	/* the script fits the pipe buffer; a huge one would only block here */
	int rc = write_all(in_fd, script, strlen(script));
	close(in_fd);
	if (rc == -1) {
		local_script_abort(p);
		return set_cause(cause, "could not start the probe shell");
	}
	return 0;
}

static int
local_script_finish(struct transport *t, const char *end_marker, int idle_ms, int total_ms,
    struct buf *out, char **cause)
{
	struct local_priv *p = lpriv(t);
	if (p->pid <= 0)
		return set_cause(cause, "no probe running");
	int64_t start = p->started, last = start;
	char chunk[16384];
	int timed_out = 0;
	for (;;) {
		int64_t now = mono_ms();
		int wait = 1000;
		if (idle_ms > 0 && last + idle_ms - now < wait)
			wait = (int)(last + idle_ms - now);
		if (total_ms > 0 && start + total_ms - now < wait)
			wait = (int)(start + total_ms - now);
		/* what has arrived counts, even past a limit */
		struct pollfd pfd = { p->out_fd, POLLIN, 0 };
		int n = poll(&pfd, 1, wait > 0 ? wait : 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (wait <= 0) {
				timed_out = 1;
				break;
			}
			continue;
		}
		ssize_t r = read(p->out_fd, chunk, sizeof chunk);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out->len + (size_t)r > TRANSPORT_SCRIPT_MAX) {
			local_script_abort(p);
			return set_cause(cause, "the probe's output passed %d MiB",
			    TRANSPORT_SCRIPT_MAX >> 20);
		}
		buf_add(out, chunk, (size_t)r);
		last = mono_ms();
	}
	if (timed_out) {
		local_script_abort(p);
		return set_cause(cause, "probe timed out after %d ms", (int)(mono_ms() - start));
	}
	close(p->out_fd);
	p->out_fd = -1;
	int status;
	waitpid(p->pid, &status, 0);
	p->pid = -1;
	/* strip the end marker line, as the ssh transport does */
	long at = transport_find_marker(out, 0, end_marker);
	if (at < 0)
		return set_cause(cause, "probe ended early");
	out->len = (size_t)at;
	out->data[at] = '\0';
	return 0;
}

static int
local_exec(struct transport *t, const char *command, const struct exec_opts *o,
    struct exec_result *r, char **cause)
{
	int out_fd;
	exec_result_clear(r);
	int64_t start = mono_ms(), last = start;
	pid_t pid = spawn_shell(t, command, NULL, &out_fd, cause);
	if (pid == -1)
		return -1;
	struct exec_output eo;
	exec_output_init(&eo);
	char chunk[16384];
	int stop = 0;
	for (;;) {
		if (o->cancelled != NULL && o->cancelled(o->arg)) {
			r->cancelled = stop = 1;
			break;
		}
		int64_t now = mono_ms();
		if ((o->timeout_ms > 0 && now - start >= o->timeout_ms) ||
		    (o->idle_ms > 0 && now - last >= o->idle_ms)) {
			r->timed_out = stop = 1;
			break;
		}
		struct pollfd pfd = { out_fd, POLLIN, 0 };
		int n = poll(&pfd, 1, 100);
		if (n <= 0)
			continue;
		ssize_t got = read(out_fd, chunk, sizeof chunk);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		last = mono_ms();
		if (exec_take_output(r, &eo, o, chunk, (size_t)got)) {
			r->cancelled = stop = 1;
			break;
		}
	}
	close(out_fd);
	int status;
	if (stop)
		status = stop_group(pid);
	else
		waitpid(pid, &status, 0);
	r->exit_status = stop ? -1 : exit_code(status);
	exec_output_end(r, &eo, o);
	r->duration_ms = mono_ms() - start;
	return 0;
}

static void
local_disconnect(struct transport *t)
{
	if (t->priv != NULL)
		local_script_abort(t->priv);
	if (t->conn == CONN_UP)
		t->conn = CONN_NEW;
}

static void
local_free(struct transport *t)
{
	free(t->priv);
	t->priv = NULL;
}

struct stream {
	int fd;
};

static struct stream *
local_stream_open(struct transport *t, const char *path, char **cause)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		set_cause(cause, "%s: path too long", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		transport_fd_error(NULL, errno, cause);
		return NULL;
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct stream *st = xcalloc(1, sizeof *st);
	st->fd = fd;
	return st;
}

static int
local_stream_write(struct stream *st, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(st->fd, data, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
local_stream_read(struct stream *st, struct buf *out)
{
	char chunk[16384];
	int total = 0;
	for (;;) {
		ssize_t n = recv(st->fd, chunk, sizeof chunk, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return total > 0 ? total : -1;
		buf_add(out, chunk, (size_t)n);
		total += (int)n;
	}
	return total;
}

static int
local_stream_pending(struct stream *st)
{
	return 0;	/* the kernel holds it: poll() sees it */
}

static void
local_stream_close(struct stream **sp)
{
	struct stream *st = *sp;
	*sp = NULL;
	if (st == NULL)
		return;
	close(st->fd);
	free(st);
}

static int
local_pollfd(struct transport *t)
{
	return -1;
}

const struct transport_ops transport_local_ops = {
	.name = "local",
	.connect = local_connect,
	.script_start = local_script_start,
	.script_finish = local_script_finish,
	.exec = local_exec,
	.tunnel_open = NULL,
	.tunnel_pump = NULL,
	.tunnel_close = NULL,
	.stream_open = local_stream_open,
	.stream_write = local_stream_write,
	.stream_read = local_stream_read,
	.stream_close = local_stream_close,
	.stream_pending = local_stream_pending,
	.pollfd = local_pollfd,
	.disconnect = local_disconnect,
	.free = local_free,
};
