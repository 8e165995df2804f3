/*
 * health: HTTP health checks. See health.h.
 *
 * A host's checks run together in one curl multi handle, driven by the
 * host's worker while its probe script is in flight, so they cost no round
 * trip of their own. Through SSH, libcurl connects to a unix socket in a
 * private directory (mode 0700) made once per check, which the worker
 * accepts and pumps through a direct-tcpip channel of the host's session:
 * the request still names the URL's host, so names only the host knows
 * work, and a keep-alive connection (and its channel) lasts from one cycle
 * to the next. (A socketpair handed to curl as "already connected" would
 * avoid the socket file, but libcurl 7.88 ignores
 * CURL_SOCKOPT_ALREADY_CONNECTED and connect()s anyway.)
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "health.h"
#include "http-trace.h"
#include "sanitize.h"
#include "util.h"

struct body {
	struct buf b;
	size_t total;
};

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct body *body = arg;
	size_t len = size * n;
	body->total += len;
	if (body->b.len < HEALTH_BODY_MAX) {
		size_t keep = HEALTH_BODY_MAX - body->b.len;
		buf_add(&body->b, data, len < keep ? len : keep);
	}
	if (body->total > 4 * HEALTH_BODY_MAX)
		return 0;	/* enough: abort the transfer */
	return len;
}

static void
render_json(const cJSON *v, struct buf *out)
{
	if (cJSON_IsString(v))
		buf_adds(out, v->valuestring ? v->valuestring : "");
	else if (cJSON_IsBool(v))
		buf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNull(v))
		buf_adds(out, "null");
	else if (cJSON_IsNumber(v))
		buf_printf(out, "%g", v->valuedouble);
	else {
		char *s = cJSON_PrintUnformatted(v);
		buf_adds(out, s ? s : "?");
		free(s);
	}
}

char *
health_json_value(const char *body, size_t len, const char *key, int *not_json)
{
	*not_json = 0;
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (root == NULL) {
		*not_json = 1;
		return NULL;
	}
	const cJSON *v = root;
	char *path = xstrdup(key);
	char *save = NULL;
	for (char *part = strtok_r(path, ".", &save); part && v;
	    part = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(v)) {
			long long idx;
			v = parse_int(part, 0, 100000, &idx) == 0 ? cJSON_GetArrayItem(v, (int)idx) : NULL;
		} else
			v = cJSON_GetObjectItemCaseSensitive(v, part);
	}
	free(path);
	char *out = NULL;
	if (v != NULL) {
		struct buf b;
		buf_init(&b);
		render_json(v, &b);
		out = buf_take(&b);
	}
	cJSON_Delete(root);
	return out;
}

static void
set_result(struct health_result *r, enum state s, char *reason)
{
	r->state = s;
	free(r->reason);
	r->reason = reason;
}

void
health_judge(const struct health_conf *hc, int status, const char *body, size_t len,
    int64_t latency_ms, const char *error, struct health_result *r)
{
	r->http_status = status;
	r->latency_ms = latency_ms;
	free(r->body);
	/* redacted before the cut: a secret across the cut leaves nothing of itself */
	r->body = sanitize_redact_max(body ? body : "", body ? len : 0, HEALTH_BODY_KEEP, NULL);
	if (status == 0) {
		set_result(r, STATE_CRIT, xasprintf("no answer: %s", error ? error : "failed"));
		return;
	}
	if (hc->expect_status ? status != hc->expect_status : (status < 200 || status > 299)) {
		if (hc->expect_status)
			set_result(r, STATE_CRIT, xasprintf("HTTP %d (expected %d)", status, hc->expect_status));
		else
			set_result(r, STATE_CRIT, xasprintf("HTTP %d", status));
		return;
	}
	if (hc->json_key != NULL) {
		int not_json;
		char *got = health_json_value(body ? body : "", len, hc->json_key, &not_json);
		if (not_json) {
			set_result(r, STATE_CRIT, xasprintf("HTTP %d, body is not JSON", status));
			return;
		}
		if (got == NULL) {
			set_result(r, STATE_CRIT, xasprintf("HTTP %d, no \"%s\" in the body", status,
			    hc->json_key));
			return;
		}
		if (strcmp(got, hc->json_value) != 0) {
			set_result(r, STATE_CRIT, xasprintf("%s is \"%s\" (expected %s)", hc->json_key,
			    got, hc->json_value));
			free(got);
			return;
		}
		free(got);
	}
	if (hc->slow_ms > 0 && latency_ms > hc->slow_ms) {
		set_result(r, STATE_WARN, xasprintf("slow: %lld ms (limit %d ms)", (long long)latency_ms,
		    hc->slow_ms));
		return;
	}
	set_result(r, STATE_OK, xasprintf("HTTP %d in %lld ms", status, (long long)latency_ms));
}

static const char *
tmp_base(void)
{
	const char *base = getenv("TMPDIR");
	return base && *base ? base : "/tmp";
}

/*
 * Removes the socket directories of sitrep processes that died without
 * cleaning up (kill -9): sitrep-health-PID-XXXXXX with PID gone. Only ours
 * (same owner); once per process.
 */
static void
remove_stale_dirs(void)
{
	static int done;
	if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
		return;
	DIR *d = opendir(tmp_base());
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		long pid;
		char rest[32];
		if (sscanf(de->d_name, "sitrep-health-%ld-%31s", &pid, rest) != 2 || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *dir = xasprintf("%s/%s", tmp_base(), de->d_name);
		struct stat st;
		if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
			char *sock = xasprintf("%s/s", dir);
			unlink(sock);
			rmdir(dir);
			free(sock);
		}
		free(dir);
	}
	closedir(d);
}

/* A listening unix socket in a fresh private directory: -1 with errno. */
static int
tunnel_listen(char **dir, char **path, int *fd)
{
	remove_stale_dirs();
	char *tmpl = xasprintf("%s/sitrep-health-%ld-XXXXXX", tmp_base(), (long)getpid());
	if (mkdtemp(tmpl) == NULL) {
		free(tmpl);
		return -1;
	}
	*dir = tmpl;
	*path = xasprintf("%s/s", tmpl);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(*path) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, *path);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -1;
	if (bind(*fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(*fd, 4) == -1)
		return -1;
	return 0;
}

/* Host and port of a URL, for the tunnel; -1 if it cannot be read. */
static int
url_target(const char *url, char **host, int *port)
{
	CURLU *u = curl_url();
	char *h = NULL, *p = NULL;
	int rc = -1;
	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		long long v;
		if (parse_int(p, 1, 65535, &v) == 0) {
			/* IPv6 literals come bracketed */
			size_t n = strlen(h);
			if (n > 2 && h[0] == '[' && h[n - 1] == ']')
				*host = xstrndup(h + 1, n - 2);
			else
				*host = xstrdup(h);
			*port = (int)v;
			rc = 0;
		}
	}
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

struct check_state {
	const struct health_conf *hc;
	CURL *easy;
	struct curl_slist *headers;
	struct http_trace *trace;	/* SITREP_CURL_DEBUG */
	struct body body;
	char errbuf[CURL_ERROR_SIZE];
	int timeout_s;
	int running;
	int64_t start;
	struct health_result result;
	/* through the host's session */
	int tunneled;
	char *host;
	int port;
	char *dir, *sock_path;
	int listen_fd;
	int conn_fd;
	struct tunnel *tu;
	int opening;			/* the host is still connecting the tunnel */
	int interrupted;		/* given up on mid-request: its tunnel is stale */
	int full;			/* conn_fd would not take all the tunnel had */
	char *tunnel_error;
};

struct health_runner {
	CURLM *multi;
	struct check_state *checks;
	size_t n;
	struct curl_waitfd *waits;	/* the session and one per check */
};

static void
check_close_tunnel(struct check_state *c, struct transport *t)
{
	if (c->tu != NULL && t != NULL)
		t->ops->tunnel_close(&c->tu);
	c->tu = NULL;
	if (c->conn_fd >= 0)
		close(c->conn_fd);
	c->conn_fd = -1;
	c->full = c->opening = 0;
}

struct health_runner *
health_runner_new(const struct host_conf *h)
{
	struct health_runner *r = xcalloc(1, sizeof *r);
	r->multi = curl_multi_init();
	r->n = h->nhealth;
	r->checks = xcalloc(h->nhealth + 1, sizeof *r->checks);
	r->waits = xcalloc(h->nhealth + 1, sizeof *r->waits);
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		const struct health_conf *hc = &h->health[i];
		c->hc = hc;
		c->listen_fd = c->conn_fd = -1;
		c->timeout_s = hc->timeout_s > 0 ? hc->timeout_s : h->timeout_s;
		buf_init(&c->body.b);
		c->easy = curl_easy_init();
		if (c->easy == NULL)
			continue;
		CURL *e = c->easy;
		curl_easy_setopt(e, CURLOPT_URL, hc->url);
		c->trace = http_trace_start(e);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_s * 1000);
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_s * 1000);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &c->body);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "sitrep/" PACKAGE_VERSION);
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		c->headers = curl_slist_append(NULL, "Accept: application/json, */*");
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
		curl_easy_setopt(e, CURLOPT_PRIVATE, c);
		if (strcmp(hc->method, "POST") == 0) {
			curl_easy_setopt(e, CURLOPT_POST, 1L);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
		} else if (strcmp(hc->method, "HEAD") == 0)
			curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		if (hc->via_ssh && h->transport == TRANSPORT_SSH &&
		    url_target(hc->url, &c->host, &c->port) == 0 &&
		    tunnel_listen(&c->dir, &c->sock_path, &c->listen_fd) == 0) {
			c->tunneled = 1;
			curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, c->sock_path);
			curl_easy_setopt(e, CURLOPT_PROXY, "");
		} else if (hc->via_ssh && h->transport == TRANSPORT_SSH) {
			if (errno == EMFILE || errno == ENFILE)
				transport_fd_error(NULL, errno, &c->tunnel_error);
			else
				c->tunnel_error = xstrdup("cannot prepare the tunnel");
		}
	}
	return r;
}

void
health_runner_start(struct health_runner *r, struct transport *t)
{
	int64_t now = mono_ms();
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		if (c->interrupted) {
			/* the request it carried is gone with curl's handle */
			check_close_tunnel(c, t);
			c->interrupted = 0;
		}
		health_result_clear(&c->result);
		c->result.name = xstrdup(c->hc->name);
		c->result.url_shown = xstrdup(c->hc->url_shown);
		c->running = 0;
		if (c->hc->missing_env != NULL) {
			set_result(&c->result, STATE_UNKNOWN, xasprintf("${%s} is not set", c->hc->missing_env));
			continue;
		}
		if (c->easy == NULL || (c->hc->via_ssh && !c->tunneled && t->ops->tunnel_open != NULL)) {
			health_judge(c->hc, 0, NULL, 0, 0, c->tunnel_error ? c->tunnel_error :
			    "libcurl: cannot start", &c->result);
			continue;
		}
		buf_reset(&c->body.b);
		c->body.total = 0;
		c->errbuf[0] = '\0';
		free(c->tunnel_error);
		c->tunnel_error = NULL;
		c->start = now;
		c->running = 1;
		curl_multi_add_handle(r->multi, c->easy);
	}
}

/* Accepts curl's connection and opens its channel; pumps both ways. */
static int
check_pump(struct check_state *c, struct transport *t)
{
	if (c->conn_fd < 0) {
		c->conn_fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c->conn_fd < 0) {
			/* curl's connection waits in the queue: the reason is ours */
			if (errno == EMFILE || errno == ENFILE)
				transport_fd_error(NULL, errno, &c->tunnel_error);
			return 0;
		}
		char *cause = NULL;
		c->tu = t->ops->tunnel_open(t, c->host, c->port, &cause);
		if (c->tu == NULL) {
			/* curl sees the connection close; the reason is ours */
			free(c->tunnel_error);
			c->tunnel_error = cause ? cause : xstrdup("tunnel failed");
			check_close_tunnel(c, t);
			return 1;
		}
	}
	char *cause = NULL;
	int rc = t->ops->tunnel_pump(c->tu, c->conn_fd, &cause);
	if (rc < 0) {
		if (cause != NULL) {
			free(c->tunnel_error);
			c->tunnel_error = cause;
		}
		check_close_tunnel(c, t);
		return 1;
	}
	c->opening = (rc & TUNNEL_OPENING) != 0;
	c->full = (rc & TUNNEL_FULL) != 0;
	return rc & TUNNEL_MOVED;
}

static void
check_done(struct check_state *c, CURLcode rc)
{
	if (c->opening && c->tunnel_error == NULL)
		c->tunnel_error = xasprintf("tunnel to %s:%d: not connected after %d s", c->host,
		    c->port, c->timeout_s);
	long status = 0;
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && c->body.total > 0))
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	const char *why = c->tunnel_error ? c->tunnel_error : c->errbuf[0] ? c->errbuf :
	    curl_easy_strerror(rc);
	health_judge(c->hc, (int)status, c->body.b.data, c->body.b.len, mono_ms() - c->start, why,
	    &c->result);
	http_trace_flush(c->trace);
	c->running = 0;
}

int
health_runner_step(struct health_runner *r, struct transport *t)
{
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		if (c->tunneled && (c->running || c->conn_fd >= 0))
			check_pump(c, t);
	}
	int still;
	curl_multi_perform(r->multi, &still);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct check_state *c = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		CURLcode rc = msg->data.result;
		curl_multi_remove_handle(r->multi, msg->easy_handle);
		if (c != NULL) {
			check_done(c, rc);
			/* given up on: the transport closes it once the host answers */
			if (c->opening)
				check_close_tunnel(c, t);
		}
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->checks[i].running)
			return 0;
	return 1;
}

void
health_runner_wait(struct health_runner *r, struct transport *t, int wait_ms)
{
	/*
	 * Sleeps until curl, the session or a tunnel's local end has
	 * something: a request curl wrote, room in a local end that was full,
	 * a new connection. What libssh has already read off the socket does
	 * not wake it: the caller keeps wait_ms short.
	 */
	unsigned n = 0;
	int sfd = t->ops->pollfd ? t->ops->pollfd(t) : -1;
	if (sfd >= 0)
		r->waits[n++] = (struct curl_waitfd){ sfd, CURL_WAIT_POLLIN, 0 };
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		if (!c->running || !c->tunneled)
			continue;
		if (c->conn_fd < 0)
			r->waits[n++] = (struct curl_waitfd){ c->listen_fd, CURL_WAIT_POLLIN, 0 };
		else if (c->opening)
			continue;	/* the host's answer comes on the session */
		else
			r->waits[n++] = (struct curl_waitfd){ c->conn_fd,
			    (short)(CURL_WAIT_POLLIN | (c->full ? CURL_WAIT_POLLOUT : 0)), 0 };
	}
	/* the local transport has no session to wait on: keep its waits short */
	if (sfd < 0 && wait_ms > 5)
		wait_ms = 5;
	curl_multi_poll(r->multi, r->waits, n, wait_ms, NULL);
}

void
health_runner_collect(struct health_runner *r, struct health_result *out)
{
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		if (c->running) {
			/* the caller gave up (stopping): no answer */
			curl_multi_remove_handle(r->multi, c->easy);
			health_judge(c->hc, 0, NULL, 0, mono_ms() - c->start, "interrupted", &c->result);
			c->running = 0;
			c->interrupted = 1;
		}
		out[i] = c->result;
		memset(&c->result, 0, sizeof c->result);
	}
}

void
health_runner_reset(struct health_runner *r, struct transport *t)
{
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		if (c->running) {
			curl_multi_remove_handle(r->multi, c->easy);
			c->running = 0;
		}
		check_close_tunnel(c, t);
	}
}

void
health_runner_free(struct health_runner **rp, struct transport *t)
{
	struct health_runner *r = *rp;
	*rp = NULL;
	if (r == NULL)
		return;
	health_runner_reset(r, t);
	for (size_t i = 0; i < r->n; i++) {
		struct check_state *c = &r->checks[i];
		http_trace_end(&c->trace);
		if (c->easy != NULL)
			curl_easy_cleanup(c->easy);
		curl_slist_free_all(c->headers);
		buf_free(&c->body.b);
		health_result_clear(&c->result);
		if (c->listen_fd >= 0)
			close(c->listen_fd);
		if (c->sock_path != NULL)
			unlink(c->sock_path);
		if (c->dir != NULL)
			rmdir(c->dir);
		free(c->sock_path);
		free(c->dir);
		free(c->host);
		free(c->tunnel_error);
	}
	free(r->checks);
	free(r->waits);
	curl_multi_cleanup(r->multi);
	free(r);
}
