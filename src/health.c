/*
 * health: HTTP health checks. See health.h.
 *
 * Through SSH, libcurl connects to a unix socket in a private directory
 * (mode 0700) that this thread accepts and pumps through a direct-tcpip
 * channel of the host's session: the request still names the URL's host,
 * so names only the host knows work. (A socketpair handed to curl as
 * "already connected" would avoid the socket file, but libcurl 7.88 ignores
 * CURL_SOCKOPT_ALREADY_CONNECTED and connect()s anyway.)
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "health.h"
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
	for (char *part = strtok(path, "."); part && v; part = strtok(NULL, ".")) {
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
	r->body = xstrndup(body ? body : "", len > HEALTH_BODY_KEEP ? HEALTH_BODY_KEEP : len);
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

/* A listening unix socket in a fresh private directory: -1 with errno. */
static int
tunnel_listen(char **dir, char **path, int *fd)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/sitrep-health-XXXXXX", base && *base ? base : "/tmp");
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
	if (bind(*fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(*fd, 1) == -1)
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

void
health_run(const struct health_conf *hc, struct transport *t, int default_timeout_s,
    struct health_result *r)
{
	memset(r, 0, sizeof *r);
	r->name = xstrdup(hc->name);
	r->url_shown = xstrdup(hc->url_shown);
	if (hc->missing_env != NULL) {
		set_result(r, STATE_UNKNOWN, xasprintf("${%s} is not set", hc->missing_env));
		return;
	}
	int timeout_s = hc->timeout_s > 0 ? hc->timeout_s : default_timeout_s;
	int use_tunnel = hc->via_ssh && t != NULL && t->ops->tunnel_open != NULL;
	struct body body;
	buf_init(&body.b);
	body.total = 0;
	char errbuf[CURL_ERROR_SIZE] = "";
	int64_t start = mono_ms();
	CURL *easy = curl_easy_init();
	if (easy == NULL) {
		set_result(r, STATE_UNKNOWN, xstrdup("libcurl: cannot start"));
		return;
	}
	struct tunnel *tu = NULL;
	int listen_fd = -1, conn_fd = -1;
	char *dir = NULL, *sock_path = NULL;
	struct curl_slist *headers = NULL;
	char *host = NULL;
	int port = 0;
	curl_easy_setopt(easy, CURLOPT_URL, hc->url);
	if (getenv("SITREP_CURL_DEBUG"))
		curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)timeout_s * 1000);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_s * 1000);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "sitrep/" PACKAGE_VERSION);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	headers = curl_slist_append(headers, "Accept: application/json, */*");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	if (strcmp(hc->method, "POST") == 0) {
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(hc->method, "HEAD") == 0)
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);

	if (use_tunnel) {
		char *cause = NULL;
		if (url_target(hc->url, &host, &port) == -1) {
			health_judge(hc, 0, NULL, 0, 0, "cannot read the URL", r);
			goto out;
		}
		tu = t->ops->tunnel_open(t, host, port, &cause);
		if (tu == NULL) {
			health_judge(hc, 0, NULL, 0, mono_ms() - start, cause, r);
			free(cause);
			goto out;
		}
		if (tunnel_listen(&dir, &sock_path, &listen_fd) == -1) {
			health_judge(hc, 0, NULL, 0, 0, strerror(errno), r);
			goto out;
		}
		curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, sock_path);
		curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(easy, CURLOPT_PROXY, "");
	}

	CURLcode rc;
	if (!use_tunnel)
		rc = curl_easy_perform(easy);
	else {
		CURLM *multi = curl_multi_init();
		curl_multi_add_handle(multi, easy);
		int running = 1, tunnel_open = 1;
		int64_t deadline = start + (int64_t)timeout_s * 1000;
		rc = CURLE_OK;
		while (running) {
			curl_multi_perform(multi, &running);
			int moved = 0;
			if (conn_fd < 0) {
				/* only curl can know the path: the directory is ours alone */
				conn_fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (conn_fd >= 0) {
					close(listen_fd);
					listen_fd = -1;
					unlink(sock_path);
				}
			}
			if (tunnel_open && conn_fd >= 0) {
				moved = t->ops->tunnel_pump(tu, conn_fd);
				if (moved < 0) {
					tunnel_open = 0;
					shutdown(conn_fd, SHUT_WR);
				}
			}
			if (!running)
				break;
			if (mono_ms() > deadline) {
				rc = CURLE_OPERATION_TIMEDOUT;
				snprintf(errbuf, sizeof errbuf, "timed out after %d s", timeout_s);
				break;
			}
			curl_multi_poll(multi, NULL, 0, moved > 0 ? 0 : 5, NULL);
		}
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				rc = msg->data.result;
		curl_multi_remove_handle(multi, easy);
		curl_multi_cleanup(multi);
	}
	long status = 0;
	int64_t latency = mono_ms() - start;
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && body.total > 0))
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	health_judge(hc, (int)status, body.b.data, body.b.len, latency,
	    errbuf[0] ? errbuf : curl_easy_strerror(rc), r);
out:
	if (tu != NULL)
		t->ops->tunnel_close(&tu);
	curl_easy_cleanup(easy);
	if (conn_fd >= 0)
		close(conn_fd);
	if (listen_fd >= 0)
		close(listen_fd);
	if (sock_path != NULL)
		unlink(sock_path);
	if (dir != NULL)
		rmdir(dir);
	free(sock_path);
	free(dir);
	curl_slist_free_all(headers);
	buf_free(&body.b);
	free(host);
}
