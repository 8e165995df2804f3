/*
 * notify: outbox-backed webhooks. See notify.h.
 *
 * The outbox row holds the body only; the URL (and a Telegram token in it)
 * is rebuilt from the configuration at send time, so no secret is stored.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "http-trace.h"
#include "notify.h"
#include "sanitize.h"
#include "util.h"

static const char *
event_word(int evmask)
{
	if (evmask & NOTIFY_EV_OPEN)
		return "open";
	if (evmask & NOTIFY_EV_SEVERITY)
		return "severity";
	if (evmask & NOTIFY_EV_MILESTONE)
		return "milestone";
	if (evmask & NOTIFY_EV_RESOLVE)
		return "resolve";
	if (evmask & NOTIFY_EV_NOTE)
		return "note";
	return "test";
}

const struct notify_conf *
notify_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nnotify; i++)
		if (strcmp(c->notify[i].name, name) == 0)
			return &c->notify[i];
	return NULL;
}

char *
notify_payload(const struct notify_conf *n, const struct incident *in, int evmask,
    const char *text, int64_t at)
{
	char ts[32];
	fmt_utc(ts, sizeof ts, at);
	/* plain text: one sanitized line, secrets redacted */
	char *safe = sanitize_str(text);
	char *line;
	if (in != NULL)
		line = xasprintf("[sitrep] #%lld P%d%s %s: %s", (long long)in->id, in->severity,
		    in->drill ? " DRILL" : "", in->title ? in->title : "", safe);
	else
		line = xasprintf("[sitrep] %s", safe);
	char *safe_line = sanitize_str(line);
	free(line);
	free(safe);
	cJSON *o = cJSON_CreateObject();
	switch (n->kind) {
	case NOTIFY_SLACK:
		cJSON_AddStringToObject(o, "text", safe_line);
		break;
	case NOTIFY_TELEGRAM:
		cJSON_AddStringToObject(o, "chat_id", n->chat_id ? n->chat_id : "");
		cJSON_AddStringToObject(o, "text", safe_line);
		cJSON_AddBoolToObject(o, "disable_web_page_preview", 1);
		break;
	case NOTIFY_JSON: {
		cJSON_AddStringToObject(o, "event", event_word(evmask));
		cJSON_AddStringToObject(o, "at", ts);
		cJSON_AddStringToObject(o, "text", safe_line);
		if (in != NULL) {
			cJSON *i = cJSON_AddObjectToObject(o, "incident");
			cJSON_AddNumberToObject(i, "id", (double)in->id);
			char *title = sanitize_str(in->title);
			cJSON_AddStringToObject(i, "title", title);
			free(title);
			char sev[4];
			snprintf(sev, sizeof sev, "P%d", in->severity);
			cJSON_AddStringToObject(i, "severity", sev);
			cJSON_AddStringToObject(i, "status", in->status ? in->status : "open");
			cJSON_AddBoolToObject(i, "drill", in->drill);
		}
		break;
	}
	}
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(safe_line);
	return body;
}

int
notify_enqueue(struct store *s, const struct conf *c, const struct incident *in, int64_t event_id,
    int evmask, const char *text, int64_t at, char **cause)
{
	for (size_t i = 0; i < c->nnotify; i++) {
		const struct notify_conf *n = &c->notify[i];
		if (!(n->events & evmask) || n->missing_env != NULL)
			continue;
		char *payload = notify_payload(n, in, evmask, text, at);
		int64_t rc = store_outbox_insert(s, event_id, n->name, payload, at, cause);
		free(payload);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	if (b->len < 512)
		buf_add(b, p, size * n < 512 ? size * n : 512);
	return size * n;
}

int
notify_send(const struct notify_conf *n, const char *payload, char **cause)
{
	if (n->missing_env != NULL)
		return set_cause(cause, "%s: off, %s is empty or not set", n->name, n->missing_env);
	char *url;
	if (n->kind == NOTIFY_TELEGRAM) {
		/* one path segment: the token cannot reach past it (conf registers this form) */
		char *token = url_escape(n->token ? n->token : "", URL_KEEP_SEGMENT);
		url = xasprintf("%s/bot%s/sendMessage", n->url, token);
		free(token);
	} else
		url = xstrdup(n->url);
	CURL *easy = curl_easy_init();
	if (easy == NULL) {
		free(url);
		return set_cause(cause, "libcurl: cannot start");
	}
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	struct buf answer;
	buf_init(&answer);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(n->timeout_s > 0 ? n->timeout_s : 10) * 1000);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "sitrep/" PACKAGE_VERSION);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	struct http_trace *trace = http_trace_start(easy);
	CURLcode rc = curl_easy_perform(easy);
	long status = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	http_trace_end(&trace);
	curl_easy_cleanup(easy);
	curl_slist_free_all(headers);
	int ret = 0;
	if (rc != CURLE_OK) {
		/* curl's messages may quote the URL: keep the token out */
		char *msg = sanitize_redact(errbuf[0] ? errbuf : curl_easy_strerror(rc), 
		    strlen(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
		ret = set_cause(cause, "%s: %s", n->name, msg);
		free(msg);
	} else if (status < 200 || status > 299)
		ret = set_cause(cause, "%s: HTTP %ld", n->name, status);
	buf_free(&answer);
	free(url);
	return ret;
}

int64_t
notify_backoff_ms(int attempts)
{
	int64_t ms = 2000;
	for (int i = 1; i < attempts && ms < 300000; i++)
		ms *= 2;
	return ms > 300000 ? 300000 : ms;
}

/* Records one delivery result (main thread or a CLI process). */
static void
record_result(struct store *s, const struct outbox_msg *m, int ok, const char *error)
{
	char *cause = NULL;
	int64_t now = wall_ms();
	if (store_begin(s, &cause) == 0) {
		int rc = ok ? store_outbox_done(s, m->id, now, &cause) :
		    store_outbox_retry(s, m->id, m->attempts + 1, now + notify_backoff_ms(m->attempts + 1),
		    error, &cause);
		if (rc == 0)
			store_commit(s, &cause);
		else
			store_rollback(s);
	}
	if (cause != NULL)
		log_msg("outbox: %s", cause);
	free(cause);
}

void
notifier_serve(struct notifier *nt, struct store *s)
{
	size_t n;
	struct notifier_result *r = notifier_results(nt, &n);
	for (size_t i = 0; i < n; i++) {
		char *cause = NULL;
		struct outbox_msg m;
		memset(&m, 0, sizeof m);
		m.id = r[i].id;
		/* attempts are counted in the row itself */
		if (store_outbox_attempts(s, m.id, &m.attempts, &cause) == -1) {
			log_msg("outbox: %s", cause);
			free(cause);
		}
		record_result(s, &m, r[i].ok, r[i].error);
		if (!r[i].ok)
			log_msg("notify: %s", r[i].error ? r[i].error : "failed");
	}
	notifier_results_free(r, n);
	if (notifier_busy(nt))
		return;
	struct outbox_msg *msgs = NULL;
	char *cause = NULL;
	if (store_outbox_due(s, wall_ms(), 50, &msgs, &n, &cause) == 0 && n > 0) {
		if (!notifier_submit(nt, msgs, n))
			outbox_msgs_free(msgs, n);
	} else if (cause == NULL)
		free(msgs);
	free(cause);
}

int
notify_flush(struct store *s, const struct conf *c, int64_t budget_ms, int force, int *failed,
    char **cause)
{
	int64_t deadline = mono_ms() + budget_ms;
	int sent = 0;
	*failed = 0;
	struct outbox_msg *msgs;
	size_t n;
	if (store_outbox_due(s, force ? INT64_MAX / 2 : wall_ms(), 100, &msgs, &n, cause) == -1)
		return -1;
	struct strv blocked;	/* a target that failed keeps its later messages */
	memset(&blocked, 0, sizeof blocked);
	for (size_t i = 0; i < n && mono_ms() < deadline; i++) {
		if (strv_find(&blocked, msgs[i].target) >= 0)
			continue;
		const struct notify_conf *nc = notify_find(c, msgs[i].target);
		char *err = NULL;
		int ok = nc != NULL && notify_send(nc, msgs[i].payload, &err) == 0;
		if (nc == NULL)
			err = xasprintf("no notify target '%s' in the configuration", msgs[i].target);
		record_result(s, &msgs[i], ok, err);
		if (ok)
			sent++;
		else {
			(*failed)++;
			strv_add(&blocked, msgs[i].target);
		}
		free(err);
	}
	strv_free(&blocked);
	outbox_msgs_free(msgs, n);
	return sent;
}

/* --- the console's sender thread ----------------------------------------------------- */

struct notifier {
	const struct conf *conf;
	int wake_fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	struct outbox_msg *work;
	size_t nwork;
	int busy;
	struct notifier_result *results;
	size_t nresults;
};

static void *
notifier_main(void *arg)
{
	struct notifier *nt = arg;
	pthread_mutex_lock(&nt->lock);
	for (;;) {
		while (!nt->stop && nt->work == NULL)
			pthread_cond_wait(&nt->cond, &nt->lock);
		if (nt->stop)
			break;
		struct outbox_msg *work = nt->work;
		size_t n = nt->nwork;
		nt->work = NULL;
		nt->nwork = 0;
		pthread_mutex_unlock(&nt->lock);

		struct strv blocked;
		memset(&blocked, 0, sizeof blocked);
		for (size_t i = 0; i < n; i++) {
			struct notifier_result r = { work[i].id, 0, NULL };
			if (strv_find(&blocked, work[i].target) >= 0)
				continue;	/* keep order: retried after the earlier one */
			const struct notify_conf *nc = notify_find(nt->conf, work[i].target);
			if (nc == NULL)
				r.error = xasprintf("no notify target '%s'", work[i].target);
			else
				r.ok = notify_send(nc, work[i].payload, &r.error) == 0;
			if (!r.ok)
				strv_add(&blocked, work[i].target);
			pthread_mutex_lock(&nt->lock);
			nt->results = xreallocarray(nt->results, nt->nresults + 1, sizeof *nt->results);
			nt->results[nt->nresults++] = r;
			int stop = nt->stop;
			pthread_mutex_unlock(&nt->lock);
			char c = 1;
			ssize_t w = write(nt->wake_fd, &c, 1);
			(void)w;
			if (stop)
				break;
		}
		strv_free(&blocked);
		outbox_msgs_free(work, n);
		pthread_mutex_lock(&nt->lock);
		nt->busy = 0;
	}
	pthread_mutex_unlock(&nt->lock);
	return NULL;
}

struct notifier *
notifier_start(const struct conf *c, int wake_fd)
{
	struct notifier *nt = xcalloc(1, sizeof *nt);
	nt->conf = c;
	nt->wake_fd = wake_fd;
	pthread_mutex_init(&nt->lock, NULL);
	pthread_cond_init(&nt->cond, NULL);
	if (pthread_create(&nt->thread, NULL, notifier_main, nt) != 0) {
		pthread_mutex_destroy(&nt->lock);
		pthread_cond_destroy(&nt->cond);
		free(nt);
		return NULL;
	}
	return nt;
}

int
notifier_submit(struct notifier *nt, struct outbox_msg *msgs, size_t n)
{
	pthread_mutex_lock(&nt->lock);
	if (nt->busy) {
		pthread_mutex_unlock(&nt->lock);
		return 0;
	}
	nt->busy = 1;
	nt->work = msgs;
	nt->nwork = n;
	pthread_cond_signal(&nt->cond);
	pthread_mutex_unlock(&nt->lock);
	return 1;
}

int
notifier_busy(struct notifier *nt)
{
	pthread_mutex_lock(&nt->lock);
	int busy = nt->busy;
	pthread_mutex_unlock(&nt->lock);
	return busy;
}

struct notifier_result *
notifier_results(struct notifier *nt, size_t *n)
{
	pthread_mutex_lock(&nt->lock);
	struct notifier_result *r = nt->results;
	*n = nt->nresults;
	nt->results = NULL;
	nt->nresults = 0;
	pthread_mutex_unlock(&nt->lock);
	return r;
}

void
notifier_results_free(struct notifier_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].error);
	free(r);
}

void
notifier_stop(struct notifier **ntp)
{
	struct notifier *nt = *ntp;
	*ntp = NULL;
	if (nt == NULL)
		return;
	pthread_mutex_lock(&nt->lock);
	nt->stop = 1;
	pthread_cond_signal(&nt->cond);
	pthread_mutex_unlock(&nt->lock);
	pthread_join(nt->thread, NULL);
	if (nt->work != NULL)
		outbox_msgs_free(nt->work, nt->nwork);
	notifier_results_free(nt->results, nt->nresults);
	pthread_mutex_destroy(&nt->lock);
	pthread_cond_destroy(&nt->cond);
	free(nt);
}
