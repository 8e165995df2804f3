/*
 * http: parses HTTP/1.1 responses. See http.h. Bounded: headers up to
 * 64 KiB, bodies up to 16 MiB, chunk sizes checked before use.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* The end of the header block ("\r\n\r\n", or "\n\n"), or NULL. */
static const char *
header_end(const char *data, size_t len, size_t *skip)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (data[i] == '\n' && data[i + 1] == '\n') {
			*skip = 2;
			return data + i;
		}
		if (i + 3 < len && data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' &&
		    data[i + 3] == '\n') {
			*skip = 4;
			return data + i;
		}
	}
	return NULL;
}

/* A header's value (trimmed) in the header block, or NULL. */
static char *
header_value(const char *head, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = head, *end = head + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = le;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			return xstrndup(v, (size_t)(ve - v));
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

/* Reads one CRLF-terminated line at data[*off]: its length, or -1 if incomplete. */
static long
line_at(const char *data, size_t len, size_t off, size_t *next)
{
	const char *nl = memchr(data + off, '\n', len - off);
	if (nl == NULL)
		return -1;
	size_t l = (size_t)(nl - (data + off));
	*next = off + l + 1;
	if (l > 0 && data[off + l - 1] == '\r')
		l--;
	return (long)l;
}

static int
parse_chunked(const char *data, size_t len, size_t off, struct buf *body, size_t *used,
    char **cause)
{
	for (;;) {
		size_t next;
		long l = line_at(data, len, off, &next);
		if (l < 0)
			return len - off > 1024 ? set_cause(cause, "HTTP: chunk size line too long") : 0;
		if (l == 0 || l > 16)
			return set_cause(cause, "HTTP: bad chunk size");
		size_t size = 0;
		for (long i = 0; i < l; i++) {
			char c = data[off + (size_t)i];
			if (c == ';')
				break;	/* chunk extensions */
			if (!isxdigit((unsigned char)c))
				return set_cause(cause, "HTTP: bad chunk size");
			size = size * 16 + (size_t)(isdigit((unsigned char)c) ? c - '0' :
			    tolower((unsigned char)c) - 'a' + 10);
			if (size > HTTP_MAX_BODY)
				return set_cause(cause, "HTTP: chunk too large");
		}
		off = next;
		if (size == 0) {
			/* trailers, up to the empty line */
			size_t trailers = off;
			for (;;) {
				long t = line_at(data, len, off, &next);
				if ((t < 0 ? len : next) - trailers > HTTP_MAX_HEADER)
					return set_cause(cause, "HTTP: trailers too large");
				if (t < 0)
					return 0;
				off = next;
				if (t == 0)
					break;
			}
			*used = off;
			return 1;
		}
		if (body->len + size > HTTP_MAX_BODY)
			return set_cause(cause, "HTTP: body larger than %d bytes", HTTP_MAX_BODY);
		if (len - off < size + 1)
			return 0;
		buf_add(body, data + off, size);
		off += size;
		/* the CRLF after the data */
		if (data[off] == '\r') {
			if (len - off < 2)
				return 0;
			off++;
		}
		if (data[off] != '\n')
			return set_cause(cause, "HTTP: chunk without its line end");
		off++;
	}
}

int
http_parse_response(const char *data, size_t len, int *status, struct buf *body, size_t *used,
    char **cause)
{
	size_t skip;
	buf_reset(body);
	const char *he = header_end(data, len > HTTP_MAX_HEADER + 4 ? HTTP_MAX_HEADER + 4 : len, &skip);
	if (he == NULL)
		return len > HTTP_MAX_HEADER ? set_cause(cause, "HTTP: headers too large") : 0;
	size_t hlen = (size_t)(he - data);
	if (hlen < 12 || strncmp(data, "HTTP/1.", 7) != 0 || data[8] != ' ' ||
	    !isdigit((unsigned char)data[9]) || !isdigit((unsigned char)data[10]) ||
	    !isdigit((unsigned char)data[11]))
		return set_cause(cause, "HTTP: not a response");
	*status = (data[9] - '0') * 100 + (data[10] - '0') * 10 + (data[11] - '0');
	size_t off = hlen + skip;
	char *te = header_value(data, hlen, "Transfer-Encoding");
	int chunked = te != NULL && strcasestr(te, "chunked") != NULL;
	free(te);
	if (chunked)
		return parse_chunked(data, len, off, body, used, cause);
	char *cl = header_value(data, hlen, "Content-Length");
	int has_length = cl != NULL;
	long long n = 0;
	if (cl != NULL && parse_int(cl, 0, HTTP_MAX_BODY, &n) == -1) {
		free(cl);
		return set_cause(cause, "HTTP: bad Content-Length");
	}
	free(cl);
	int no_body = !has_length && (*status == 204 || *status == 304 || *status / 100 == 1);
	if (!has_length && !no_body)
		return set_cause(cause, "HTTP: a body without a length cannot be pipelined");
	if (len - off < (size_t)n)
		return 0;
	buf_add(body, data + off, (size_t)n);
	*used = off + (size_t)n;
	return 1;
}
