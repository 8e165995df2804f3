/*
 * http: the response side of HTTP/1.1, enough to talk to a container
 * engine's API over a forwarded unix socket with pipelined requests: a
 * status line, headers, a body by Content-Length or chunked. Pure.
 */
#ifndef SITREP_HTTP_H
#define SITREP_HTTP_H

#include <stddef.h>

#include "util.h"

#define HTTP_MAX_HEADER (64 * 1024)
#define HTTP_MAX_BODY (16 * 1024 * 1024)

/*
 * Parses the response at the start of data. Returns 1 when complete (with
 * *status, the body (de-chunked) in body and *used the bytes it took), 0
 * when more data is needed, -1 when malformed or too large (*cause set).
 */
int http_parse_response(const char *data, size_t len, int *status, struct buf *body, size_t *used,
    char **cause);

#endif
