/*
 * http-trace: libcurl's trace of a transfer, for SITREP_CURL_DEBUG, on
 * stderr without a secret in it. Headers and data go through a redactor
 * of their own per direction (a secret split across curl's pieces is
 * still hidden), Authorization headers are hidden whatever they hold, and
 * what is left is sanitized like any untrusted text.
 */
#ifndef SITREP_HTTP_TRACE_H
#define SITREP_HTTP_TRACE_H

#include <curl/curl.h>

struct http_trace;

/*
 * With SITREP_CURL_DEBUG set, traces e from now on and returns the trace;
 * NULL (nothing to do) otherwise.
 */
struct http_trace *http_trace_start(CURL *e);
/* Writes what the redactors held back (a transfer ended); NULL is fine. */
void http_trace_flush(struct http_trace *);
/* Flushes and stops tracing; before e is cleaned up. */
void http_trace_end(struct http_trace **);

#endif
