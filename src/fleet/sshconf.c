/*
 * sshconf: a host's ssh settings as OpenSSH itself resolves them, by
 * `ssh -G`. Reimplementing OpenSSH's config language (Include, Match with
 * exec, canonicalisation, tokens) would drift from it; libssh 0.10 ignores
 * HostKeyAlias, reads one UserKnownHostsFile and skips @revoked lines. Asking
 * ssh gives the very values `ssh HOST` would use; sitrep then applies them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sshconf.h"
#include "util.h"

void
sshconf_clear(struct sshconf *c)
{
	free(c->hostname);
	free(c->user);
	free(c->hostkeyalias);
	free(c->proxyjump);
	free(c->proxycommand);
	free(c->identityagent);
	strv_free(&c->userknownhosts);
	strv_free(&c->globalknownhosts);
	strv_free(&c->identityfiles);
	strv_free(&c->certificatefiles);
	memset(c, 0, sizeof *c);
}

/* A path as ssh prints it, with ~ for the home directory: newly allocated. */
static char *
expand_tilde(const char *p)
{
	const char *home = getenv("HOME");
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && home != NULL)
		return xasprintf("%s%s", home, p + 1);
	return xstrdup(p);
}

/* Adds each space-separated path of value to l. */
static void
add_paths(struct strv *l, char *value)
{
	char *save = NULL;
	for (char *w = strtok_r(value, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		char *p = expand_tilde(w);
		strv_add(l, p);
		free(p);
	}
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strcasecmp(v, "none") == 0 ? NULL : xstrdup(v);
}

/* One line of ssh -G's output: "keyword value". */
static void
take_line(struct sshconf *c, char *line)
{
	char *sp = strchr(line, ' ');
	if (sp == NULL)
		return;
	*sp = '\0';
	char *k = line, *v = sp + 1;
	if (strcmp(k, "hostname") == 0)
		set_str(&c->hostname, v);
	else if (strcmp(k, "user") == 0)
		set_str(&c->user, v);
	else if (strcmp(k, "port") == 0)
		c->port = atoi(v);
	else if (strcmp(k, "hostkeyalias") == 0)
		set_str(&c->hostkeyalias, v);
	else if (strcmp(k, "proxyjump") == 0)
		set_str(&c->proxyjump, v);
	else if (strcmp(k, "proxycommand") == 0)
		set_str(&c->proxycommand, v);
	else if (strcmp(k, "identityagent") == 0) {
		free(c->identityagent);
		c->identityagent = expand_tilde(v);
	}
	else if (strcmp(k, "identitiesonly") == 0)
		c->identitiesonly = strcmp(v, "yes") == 0;
	else if (strcmp(k, "hashknownhosts") == 0)
		c->hashknownhosts = strcmp(v, "yes") == 0;
	else if (strcmp(k, "connecttimeout") == 0)
		c->connecttimeout = strcmp(v, "none") == 0 ? 0 : atoi(v);
	else if (strcmp(k, "serveraliveinterval") == 0)
		c->serveraliveinterval = atoi(v);
	else if (strcmp(k, "userknownhostsfile") == 0)
		add_paths(&c->userknownhosts, v);
	else if (strcmp(k, "globalknownhostsfile") == 0)
		add_paths(&c->globalknownhosts, v);
	else if (strcmp(k, "identityfile") == 0)
		add_paths(&c->identityfiles, v);
	else if (strcmp(k, "certificatefile") == 0)
		add_paths(&c->certificatefiles, v);
}

/* Reads what fd has into b, without waiting: 0 at its end, 1 while open. */
static int
drain(int fd, struct buf *b)
{
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n > 0) {
			if (b->len < 1024 * 1024)
				buf_add(b, chunk, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 1;
		return 0;
	}
}

/* The words of `ssh -G` for host; portbuf holds the port's digits. */
static void
ssh_g_argv(const char **argv, char *portbuf, size_t portlen, const char *config,
    const char *host, const char *user, int port)
{
	int n = 0;
	argv[n++] = "ssh";
	argv[n++] = "-G";
	if (config != NULL) {
		argv[n++] = "-F";
		argv[n++] = config;
	}
	if (user != NULL) {
		argv[n++] = "-l";
		argv[n++] = user;
	}
	if (port > 0) {
		snprintf(portbuf, portlen, "%d", port);
		argv[n++] = "-p";
		argv[n++] = portbuf;
	}
	argv[n++] = "--";
	argv[n++] = host;
	argv[n] = NULL;
}

/* In the child: stdin from /dev/null, stdout and stderr to the pipes, then ssh. */
static void ATTR_NORETURN
ssh_g_exec(const char **argv, int out, int err)
{
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp("ssh", (char *const *)argv);
	_exit(errno == ENOENT ? 126 : 127);
}

static void
close_pair(int fd[2])
{
	close(fd[0]);
	close(fd[1]);
}

/*
 * Starts argv with its output and errors into non-blocking pipes, whose
 * read ends are left in out[0] and err[0]. The pid, or -1 with *cause.
 */
static pid_t
ssh_g_spawn(const char **argv, int out[2], int err[2], char **cause)
{
	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) == -1)
		return set_cause(cause, "ssh -G: pipe: %s", strerror(errno));
	if (pipe2(err, O_CLOEXEC | O_NONBLOCK) == -1) {
		int e = errno;
		close_pair(out);
		return set_cause(cause, "ssh -G: pipe: %s", strerror(e));
	}
	pid_t pid = fork();
	if (pid == -1) {
		int e = errno;
		close_pair(out);
		close_pair(err);
		return set_cause(cause, "ssh -G: fork: %s", strerror(e));
	}
	if (pid == 0)
		ssh_g_exec(argv, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	return pid;
}

/* Reads both pipes into ob and eb until both end: 1 if timeout_ms ran out first, else 0. */
static int
ssh_g_collect(int out, int err, int timeout_ms, struct buf *ob, struct buf *eb)
{
	int64_t end = mono_ms() + timeout_ms;
	int open_o = 1, open_e = 1;
	while (open_o || open_e) {
		struct pollfd p[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
		int64_t left = end - mono_ms();
		if (left <= 0)
			return 1;
		if (poll(p, 2, (int)left) == -1 && errno != EINTR)
			break;
		if (open_o)
			open_o = drain(out, ob);
		if (open_e)
			open_e = drain(err, eb);
	}
	return 0;
}

/* ssh's first complaint on its standard error: the one that names the file and line. */
static const char *
first_complaint(struct buf *eb)
{
	buf_add(eb, "", 1);
	char *nl;
	while (eb->len > 1 && (nl = strrchr(eb->data, '\n')) != NULL && nl[1] == '\0')
		*nl = '\0';
	if ((nl = strchr(eb->data, '\n')) != NULL)
		*nl = '\0';
	return *eb->data ? eb->data : "ssh -G failed";
}

/*
 * What ssh's exit and output say: 0 with out filled in, 1 when there is
 * no ssh, -1 with *cause.
 */
static int
ssh_g_answer(int status, struct buf *ob, struct buf *eb, const char *host,
    struct sshconf *out, char **cause)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return set_cause(cause, "ssh config: %s", first_complaint(eb));
	buf_add(ob, "", 1);
	char *save = NULL;
	for (char *l = strtok_r(ob->data, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save))
		take_line(out, l);
	if (out->hostname == NULL)
		return set_cause(cause, "ssh -G %s: no hostname in its answer", host);
	return 0;
}

int
sshconf_resolve(const char *config, const char *host, const char *user, int port,
    int timeout_ms, struct sshconf *out, char **cause)
{
	memset(out, 0, sizeof *out);
	const char *argv[12];
	char portbuf[16];
	ssh_g_argv(argv, portbuf, sizeof portbuf, config, host, user, port);
	int o[2], e[2];
	pid_t pid = ssh_g_spawn(argv, o, e, cause);
	if (pid == -1)
		return -1;
	struct buf ob, eb;
	buf_init(&ob);
	buf_init(&eb);
	int timed_out = ssh_g_collect(o[0], e[0], timeout_ms, &ob, &eb);
	close(o[0]);
	close(e[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	int rc;
	if (timed_out)
		rc = set_cause(cause, "ssh -G %s: no answer in %d ms", host, timeout_ms);
	else
		rc = ssh_g_answer(status, &ob, &eb, host, out, cause);
	buf_free(&ob);
	buf_free(&eb);
	if (rc == -1)
		sshconf_clear(out);
	return rc;
}

char *
sshconf_known_name(const struct sshconf *c)
{
	if (c->hostkeyalias != NULL)
		return xstrdup(c->hostkeyalias);
	if (c->port > 0 && c->port != 22)
		return xasprintf("[%s]:%d", c->hostname, c->port);
	return xstrdup(c->hostname);
}

/*
 * Calls fn for each marker line ("@revoked ...") of each file, with the
 * words after the marker; stops when fn returns nonzero, and returns that.
 */
static int
each_marker(const struct strv *files, const char *marker,
    int (*fn)(char **w, int nw, const void *arg), const void *arg)
{
	size_t mlen = strlen(marker);
	for (size_t i = 0; i < files->n; i++) {
		FILE *f = fopen(files->v[i], "r");
		if (f == NULL)
			continue;
		char line[8192];
		int rc = 0;
		while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
			char *p = line;
			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, marker, mlen) != 0 || (p[mlen] != ' ' && p[mlen] != '\t'))
				continue;
			char *w[4], *save = NULL;
			int nw = 0;
			for (char *t = strtok_r(p + mlen, " \t\r\n", &save); t != NULL && nw < 4;
			    t = strtok_r(NULL, " \t\r\n", &save))
				w[nw++] = t;
			rc = fn(w, nw, arg);
		}
		fclose(f);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
revoked_match(char **w, int nw, const void *arg)
{
	/* host-patterns keytype base64 */
	return nw >= 3 && strcmp(w[2], (const char *)arg) == 0;
}

int
sshconf_key_revoked(const struct strv *files, const char *key_b64)
{
	return each_marker(files, "@revoked", revoked_match, key_b64);
}

static int
any_line(char **w, int nw, const void *arg)
{
	(void)w;
	(void)arg;
	return nw >= 1;
}

int
sshconf_has_cert_authority(const struct strv *files)
{
	return each_marker(files, "@cert-authority", any_line, NULL);
}

int
sshconf_file_hashed(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char line[8192];
	int hashed = 0;
	while (!hashed && fgets(line, sizeof line, f) != NULL)
		hashed = strncmp(line, "|1|", 3) == 0;
	fclose(f);
	return hashed;
}
