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

int
sshconf_resolve(const char *config, const char *host, const char *user, int port,
    int timeout_ms, struct sshconf *out, char **cause)
{
	memset(out, 0, sizeof *out);
	int o[2], e[2];
	if (pipe2(o, O_CLOEXEC | O_NONBLOCK) == -1)
		return set_cause(cause, "ssh -G: pipe: %s", strerror(errno));
	if (pipe2(e, O_CLOEXEC | O_NONBLOCK) == -1) {
		int err = errno;
		close(o[0]);
		close(o[1]);
		return set_cause(cause, "ssh -G: pipe: %s", strerror(err));
	}
	char portbuf[16];
	snprintf(portbuf, sizeof portbuf, "%d", port);
	const char *argv[12];
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
		argv[n++] = "-p";
		argv[n++] = portbuf;
	}
	argv[n++] = "--";
	argv[n++] = host;
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == -1) {
		int err = errno;
		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		return set_cause(cause, "ssh -G: fork: %s", strerror(err));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(o[1], STDOUT_FILENO);
		dup2(e[1], STDERR_FILENO);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp("ssh", (char *const *)argv);
		_exit(errno == ENOENT ? 126 : 127);
	}
	close(o[1]);
	close(e[1]);
	struct buf ob, eb;
	buf_init(&ob);
	buf_init(&eb);
	int64_t end = mono_ms() + timeout_ms;
	int open_o = 1, open_e = 1, timed_out = 0;
	while (open_o || open_e) {
		struct pollfd p[2] = { { o[0], POLLIN, 0 }, { e[0], POLLIN, 0 } };
		int64_t left = end - mono_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(p, 2, (int)left) == -1 && errno != EINTR)
			break;
		if (open_o)
			open_o = drain(o[0], &ob);
		if (open_e)
			open_e = drain(e[0], &eb);
	}
	close(o[0]);
	close(e[0]);
	int status = 0;
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	int rc = 0;
	if (timed_out)
		rc = set_cause(cause, "ssh -G %s: no answer in %d ms", host, timeout_ms);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		rc = 1;
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_add(&eb, "", 1);
		char *nl;
		while (eb.len > 1 && (nl = strrchr(eb.data, '\n')) != NULL && nl[1] == '\0')
			*nl = '\0';
		/* ssh's first complaint: the one that names the file and line */
		if ((nl = strchr(eb.data, '\n')) != NULL)
			*nl = '\0';
		rc = set_cause(cause, "ssh config: %s", *eb.data ? eb.data : "ssh -G failed");
	} else {
		buf_add(&ob, "", 1);
		char *save = NULL;
		for (char *l = strtok_r(ob.data, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save))
			take_line(out, l);
		if (out->hostname == NULL)
			rc = set_cause(cause, "ssh -G %s: no hostname in its answer", host);
	}
	buf_free(&ob);
	buf_free(&eb);
	if (rc != 0 && rc != 1)
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
