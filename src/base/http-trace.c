/*
 * http-trace: SITREP_CURL_DEBUG without secrets. See http-trace.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http-trace.h"
#include "sanitize.h"
#include "util.h"

enum trace_kind { TRACE_TEXT, TRACE_HEADER_IN, TRACE_HEADER_OUT, TRACE_DATA_IN, TRACE_DATA_OUT,
	TRACE_KINDS };

static const char *const trace_tag[TRACE_KINDS] = { "*", "<", ">", "<=", "=>" };

struct http_trace {
	CURL *easy;
	struct redactor red[TRACE_KINDS];
};

/* Writes redacted text of one kind to stderr, sanitized, each line tagged. */
static void
trace_write(enum trace_kind k, const char *s, size_t len)
{
	if (len == 0)
		return;
	char *safe = sanitize_text(s, len, SAN_MULTILINE);
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (char *line = safe; *line != '\0'; ) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		buf_printf(&b, "%s %.*s\n", trace_tag[k], (int)n, line);
		line += n + (nl != NULL);
	}
	fputs(b.data, stderr);
	buf_free(&b);
	free(safe);
}

/* Request headers with the value of every Authorization header replaced. */
static void
hide_authorization(struct buf *out, const char *s, size_t len)
{
	static const char *const names[] = { "authorization:", "proxy-authorization:" };
	const char *end = s + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl + 1 : end;
		int hidden = 0;
		for (size_t i = 0; i < nitems(names) && !hidden; i++) {
			size_t n = strlen(names[i]);
			if ((size_t)(eol - s) >= n && strncasecmp(s, names[i], n) == 0) {
				buf_add(out, s, n);
				buf_adds(out, " " SECRET_MARK "\r\n");
				hidden = 1;
			}
		}
		if (!hidden)
			buf_add(out, s, (size_t)(eol - s));
		s = eol;
	}
}

static int
trace_cb(CURL *e, curl_infotype type, char *data, size_t size, void *arg)
{
	(void)e;
	struct http_trace *t = arg;
	enum trace_kind k;
	switch (type) {
	case CURLINFO_TEXT:
		k = TRACE_TEXT;
		break;
	case CURLINFO_HEADER_IN:
		k = TRACE_HEADER_IN;
		break;
	case CURLINFO_HEADER_OUT:
		k = TRACE_HEADER_OUT;
		break;
	case CURLINFO_DATA_IN:
		k = TRACE_DATA_IN;
		break;
	case CURLINFO_DATA_OUT:
		k = TRACE_DATA_OUT;
		break;
	default:
		return 0;	/* TLS records: ciphertext */
	}
	struct buf in, out;
	buf_init(&in);
	buf_init(&out);
	if (k == TRACE_HEADER_OUT) {
		hide_authorization(&in, data, size);
		redactor_feed(&t->red[k], in.data, in.len, &out);
	} else
		redactor_feed(&t->red[k], data, size, &out);
	/* curl's own lines quote URLs and names: each is whole, nothing to wait for */
	if (k == TRACE_TEXT || k == TRACE_HEADER_IN || k == TRACE_HEADER_OUT)
		redactor_finish(&t->red[k], &out);
	trace_write(k, out.data, out.len);
	buf_free(&in);
	buf_free(&out);
	return 0;
}

struct http_trace *
http_trace_start(CURL *e)
{
	const char *v = getenv("SITREP_CURL_DEBUG");
	if (v == NULL || *v == '\0')
		return NULL;
	struct http_trace *t = xcalloc(1, sizeof *t);
	t->easy = e;
	for (int k = 0; k < TRACE_KINDS; k++)
		redactor_init(&t->red[k]);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, trace_cb);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, t);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	return t;
}

void
http_trace_flush(struct http_trace *t)
{
	if (t == NULL)
		return;
	for (int k = 0; k < TRACE_KINDS; k++) {
		struct buf out;
		buf_init(&out);
		redactor_finish(&t->red[k], &out);
		trace_write((enum trace_kind)k, out.data, out.len);
		buf_free(&out);
	}
}

void
http_trace_end(struct http_trace **tp)
{
	struct http_trace *t = *tp;
	*tp = NULL;
	if (t == NULL)
		return;
	http_trace_flush(t);
	curl_easy_setopt(t->easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(t->easy, CURLOPT_DEBUGFUNCTION, NULL);
	for (int k = 0; k < TRACE_KINDS; k++)
		redactor_clear(&t->red[k]);
	free(t);
}
