/*
 * healthd: a tiny single-threaded HTTP/1.1 server for the sitrep test fleet.
 *
 *   healthd --listen ADDR:PORT --dir DIR [--record FILE] [--pidfile FILE]
 *   healthd --listen ADDR:PORT --blackhole [--pidfile FILE]
 *
 * Every request to /health (GET, HEAD or POST) is answered with the status
 * code in DIR/status (default 200) and the exact bytes of DIR/body (default
 * {"status":"healthy"}), Content-Type: application/json, Content-Length,
 * Connection: close.  Other paths get 404.  The files are re-read on every
 * request, so a fault switch takes effect at once.  DIR/delay_ms (optional)
 * delays every answer by that many milliseconds (for timeout tests).
 *
 * With --record FILE every request (any path) is appended to FILE as one JSON
 * object per line (method, path, headers, body; the body is read per
 * Content-Length) and answered with {"ok":true}; DIR/status still applies, so
 * a test can make the receiver answer 500 or 503.
 *
 * With --blackhole (no --dir needed) it answers nothing at all: the listening
 * socket's accept queue is filled by connections to itself and never
 * accepted, so the kernel drops every later SYN and a client's connect()
 * hangs until its own timeout, as behind a firewall that drops packets.
 *
 * ADDR may be an IPv4 address, a bracketed IPv6 address ([::1]:PORT) or
 * "localhost".  PORT 0 picks a free port; the port is printed on stdout
 * ("listening on ADDR:PORT") once the socket is bound, before the pidfile is
 * written.
 *
 * One poll loop, non-blocking sockets, bounded buffers and per-connection
 * deadlines: slow or hostile clients cannot stall or crash it.
 */
#define _POSIX_C_SOURCE 200809L
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define MAX_CONNS 256
#define MAX_HEADER_BYTES (32 * 1024)
#define MAX_BODY_BYTES (8 * 1024 * 1024)
#define MAX_RESPONSE_BODY (16 * 1024 * 1024)
#define IO_TIMEOUT_MS 15000
#define DEFAULT_BODY "{\"status\":\"healthy\"}"
#define RECORD_BODY "{\"ok\":true}"

enum conn_state { ST_READ_HEAD, ST_READ_BODY, ST_WAIT, ST_WRITE, ST_DRAIN };

struct conn {
    int fd;
    enum conn_state state;
    char *in;          /* request bytes read so far */
    size_t in_len, in_cap;
    size_t head_len;   /* bytes of the header block including CRLFCRLF */
    size_t body_len;   /* Content-Length */
    int sent_continue;
    int rd_eof;        /* client half-closed its side */
    char *out;         /* response */
    size_t out_len, out_off;
    int64_t deadline;  /* ms: idle/total timeout */
    int64_t send_at;   /* ms: when ST_WAIT ends */
};

static volatile sig_atomic_t stop_flag;
static const char *opt_dir;
static const char *opt_record;
static struct conn conns[MAX_CONNS];
static int nconns;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(void)
{
    fputs("usage: healthd --listen ADDR:PORT --dir DIR [--record FILE] [--pidfile FILE]\n"
          "       healthd --listen ADDR:PORT --blackhole [--pidfile FILE]\n",
          stderr);
    exit(2);
}

/* Reads a whole small file; returns malloc'd buffer or NULL. */
static char *read_file(const char *path, size_t max, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= max)
                break;
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb)
                break;
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    *len_out = len;
    return buf;
}

static long read_number_file(const char *name, long def, long lo, long hi)
{
    char path[4096];
    size_t len = 0;
    if (snprintf(path, sizeof path, "%s/%s", opt_dir, name) >= (int)sizeof path)
        return def;
    char *s = read_file(path, 64, &len);
    if (!s)
        return def;
    char tmp[65];
    memcpy(tmp, s, len > 64 ? 64 : len);
    tmp[len > 64 ? 64 : len] = '\0';
    free(s);
    char *end = NULL;
    errno = 0;
    long v = strtol(tmp, &end, 10);
    if (errno || end == tmp || v < lo || v > hi)
        return def;
    return v;
}

static const char *reason(int code)
{
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void conn_close(int i)
{
    struct conn *c = &conns[i];
    close(c->fd);
    free(c->in);
    free(c->out);
    conns[i] = conns[nconns - 1];
    memset(&conns[nconns - 1], 0, sizeof conns[0]);
    nconns--;
}

/* Builds the response into c->out; body may be NULL with blen 0. */
static void conn_respond(struct conn *c, int code, const char *body, size_t blen,
                         int head_only)
{
    char hdr[512];
    int h = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n"
                     "Server: sitrep-fleet-healthd\r\n"
                     "\r\n",
                     code, reason(code), blen);
    if (h < 0)
        h = 0;
    size_t total = (size_t)h + (head_only ? 0 : blen);
    free(c->out);
    c->out = malloc(total ? total : 1);
    if (!c->out) {
        c->out_len = 0;
        c->out_off = 0;
        c->state = ST_WRITE;
        return;
    }
    memcpy(c->out, hdr, (size_t)h);
    if (!head_only && blen)
        memcpy(c->out + h, body, blen);
    c->out_len = total;
    c->out_off = 0;
    int64_t delay = read_number_file("delay_ms", 0, 0, 24L * 3600 * 1000);
    int64_t t = now_ms();
    if (delay > 0) {
        c->state = ST_WAIT;
        c->send_at = t + delay;
        c->deadline = c->send_at + IO_TIMEOUT_MS;
    } else {
        c->state = ST_WRITE;
        c->deadline = t + IO_TIMEOUT_MS;
    }
}

static void respond_error(struct conn *c, int code)
{
    char body[128];
    int n = snprintf(body, sizeof body, "{\"error\":\"%s\"}", reason(code));
    free(c->out);
    c->out = NULL;
    /* Errors are answered at once, without DIR/delay_ms. */
    char hdr[512];
    int h = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                     code, reason(code), n, body);
    c->out = malloc((size_t)h + 1);
    if (c->out) {
        memcpy(c->out, hdr, (size_t)h);
        c->out_len = (size_t)h;
    } else {
        c->out_len = 0;
    }
    c->out_off = 0;
    c->state = ST_WRITE;
    c->deadline = now_ms() + IO_TIMEOUT_MS;
}

/* Case-insensitive search for a header; returns pointer to its value (after
 * spaces) and its length, or NULL. */
static const char *find_header(const char *head, size_t head_len, const char *name,
                               size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = memchr(head, '\n', head_len);
    const char *end = head + head_len;
    while (p && p + 1 < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            break;
        size_t llen = (size_t)(eol - line);
        if (llen > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            const char *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = eol;
    }
    return NULL;
}

/* ---- JSON output for --record ---- */

struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int is_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq((const unsigned char *)s + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

/* JSON string; invalid UTF-8 bytes become U+FFFD. */
static void sb_json(struct sbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sb_put(b, esc, 2);
            i++;
        } else if (c == '\n') {
            sb_put(b, "\\n", 2);
            i++;
        } else if (c == '\r') {
            sb_put(b, "\\r", 2);
            i++;
        } else if (c == '\t') {
            sb_put(b, "\\t", 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_put(b, esc, 6);
            i++;
        } else if (c < 0x80) {
            sb_put(b, s + i, 1);
            i++;
        } else {
            size_t l = utf8_seq((const unsigned char *)s + i, n - i);
            if (l) {
                sb_put(b, s + i, l);
                i += l;
            } else {
                sb_put(b, "\\ufffd", 6);
                i++;
            }
        }
    }
    sb_put(b, "\"", 1);
}

static void sb_base64(struct sbuf *b, const unsigned char *s, size_t n)
{
    static const char tbl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char o[4];
        o[0] = tbl[(v >> 18) & 63];
        o[1] = tbl[(v >> 12) & 63];
        o[2] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        o[3] = i + 2 < n ? tbl[v & 63] : '=';
        sb_put(b, o, 4);
    }
    sb_put(b, "\"", 1);
}

static void record_request(const struct conn *c, const char *method, size_t mlen,
                           const char *path, size_t plen)
{
    struct sbuf b = {0};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char tbuf[64];
    snprintf(tbuf, sizeof tbuf, "{\"ts\":%lld.%03ld,\"method\":", (long long)ts.tv_sec,
             ts.tv_nsec / 1000000);
    sb_str(&b, tbuf);
    sb_json(&b, method, mlen);
    sb_str(&b, ",\"path\":");
    sb_json(&b, path, plen);
    sb_str(&b, ",\"headers\":{");
    /* Header names are lower-cased; repeated headers are joined with ", ". */
    const char *head = c->in;
    const char *end = c->in + c->head_len;
    const char *p = memchr(head, '\n', c->head_len);
    int first = 1;
    int nlines = 0;
    while (p && p + 1 < end && nlines++ < 200) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            break;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon && colon > line) {
            size_t nlen = (size_t)(colon - line);
            /* skip if this name already appeared earlier (it was joined) */
            int seen = 0;
            const char *q = memchr(head, '\n', c->head_len);
            while (q && q + 1 < line) {
                const char *l2 = q + 1;
                const char *e2 = memchr(l2, '\n', (size_t)(end - l2));
                if (!e2 || l2 >= line)
                    break;
                if ((size_t)(e2 - l2) > nlen && l2[nlen] == ':' &&
                    strncasecmp(l2, line, nlen) == 0) {
                    seen = 1;
                    break;
                }
                q = e2;
            }
            if (!seen) {
                char lname[256];
                size_t ln = nlen < sizeof lname ? nlen : sizeof lname - 1;
                for (size_t k = 0; k < ln; k++) {
                    char ch = line[k];
                    lname[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
                }
                if (!first)
                    sb_put(&b, ",", 1);
                first = 0;
                sb_json(&b, lname, ln);
                sb_put(&b, ":", 1);
                /* join all values of this header */
                struct sbuf v = {0};
                const char *r = memchr(head, '\n', c->head_len);
                int nv = 0;
                while (r && r + 1 < end) {
                    const char *l3 = r + 1;
                    const char *e3 = memchr(l3, '\n', (size_t)(end - l3));
                    if (!e3)
                        break;
                    if ((size_t)(e3 - l3) > nlen && l3[nlen] == ':' &&
                        strncasecmp(l3, line, nlen) == 0) {
                        const char *vs = l3 + nlen + 1;
                        const char *ve = e3;
                        while (vs < ve && (*vs == ' ' || *vs == '\t'))
                            vs++;
                        while (ve > vs && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                            ve--;
                        if (nv++)
                            sb_put(&v, ", ", 2);
                        sb_put(&v, vs, (size_t)(ve - vs));
                    }
                    r = e3;
                }
                sb_json(&b, v.p ? v.p : "", v.len);
                free(v.p);
            }
        }
        p = eol;
    }
    sb_str(&b, "},\"body\":");
    const char *body = c->in + c->head_len;
    sb_json(&b, body, c->body_len);
    char lbuf[64];
    snprintf(lbuf, sizeof lbuf, ",\"body_len\":%zu", c->body_len);
    sb_str(&b, lbuf);
    if (!is_utf8(body, c->body_len)) {
        sb_str(&b, ",\"body_base64\":");
        sb_base64(&b, (const unsigned char *)body, c->body_len);
    }
    sb_str(&b, "}\n");
    if (!b.oom && b.p) {
        int fd = open(opt_record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            size_t off = 0;
            while (off < b.len) {
                ssize_t n = write(fd, b.p + off, b.len - off);
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    break;
                }
                off += (size_t)n;
            }
            close(fd);
        }
    }
    free(b.p);
}

static void handle_request(struct conn *c)
{
    const char *head = c->in;
    const char *sp1 = memchr(head, ' ', c->head_len);
    const char *eol = memchr(head, '\n', c->head_len);
    if (!sp1 || !eol || sp1 > eol || sp1 == head) {
        respond_error(c, 400);
        return;
    }
    const char *path = sp1 + 1;
    const char *sp2 = memchr(path, ' ', (size_t)(eol - path));
    if (!sp2) {
        respond_error(c, 400);
        return;
    }
    size_t mlen = (size_t)(sp1 - head);
    size_t plen = (size_t)(sp2 - path);
    int code = (int)read_number_file("status", 200, 100, 599);
    int head_only = mlen == 4 && memcmp(head, "HEAD", 4) == 0;

    if (opt_record) {
        record_request(c, head, mlen, path, plen);
        conn_respond(c, code, RECORD_BODY, strlen(RECORD_BODY), head_only);
        return;
    }

    /* path without query string */
    size_t bare = plen;
    const char *q = memchr(path, '?', plen);
    if (q)
        bare = (size_t)(q - path);
    if (!(bare == 7 && memcmp(path, "/health", 7) == 0)) {
        const char *nf = "{\"error\":\"not found\"}";
        conn_respond(c, 404, nf, strlen(nf), head_only);
        return;
    }
    char bpath[4096];
    size_t blen = 0;
    char *body = NULL;
    if (snprintf(bpath, sizeof bpath, "%s/body", opt_dir) < (int)sizeof bpath)
        body = read_file(bpath, MAX_RESPONSE_BODY, &blen);
    if (body) {
        conn_respond(c, code, body, blen, head_only);
        free(body);
    } else {
        conn_respond(c, code, DEFAULT_BODY, strlen(DEFAULT_BODY), head_only);
    }
}

/* Called after new bytes arrived; advances the parser. */
static void conn_parse(struct conn *c)
{
    if (c->state == ST_READ_HEAD) {
        /* look for end of headers; accept bare LF LF too */
        size_t i;
        size_t found = 0;
        for (i = 0; i + 1 < c->in_len; i++) {
            if (c->in[i] == '\n') {
                if (c->in[i + 1] == '\n') {
                    found = i + 2;
                    break;
                }
                if (i + 2 < c->in_len && c->in[i + 1] == '\r' && c->in[i + 2] == '\n') {
                    found = i + 3;
                    break;
                }
            }
        }
        if (!found) {
            if (c->in_len >= MAX_HEADER_BYTES)
                respond_error(c, 431);
            return;
        }
        c->head_len = found;
        size_t vlen = 0;
        const char *te = find_header(c->in, c->head_len, "Transfer-Encoding", &vlen);
        if (te && !(vlen == 8 && strncasecmp(te, "identity", 8) == 0)) {
            respond_error(c, 411);
            return;
        }
        const char *cl = find_header(c->in, c->head_len, "Content-Length", &vlen);
        c->body_len = 0;
        if (cl) {
            char tmp[32];
            if (vlen == 0 || vlen >= sizeof tmp) {
                respond_error(c, 400);
                return;
            }
            memcpy(tmp, cl, vlen);
            tmp[vlen] = '\0';
            for (size_t k = 0; k < vlen; k++) {
                if (tmp[k] < '0' || tmp[k] > '9') {
                    respond_error(c, 400);
                    return;
                }
            }
            unsigned long long v = strtoull(tmp, NULL, 10);
            if (v > MAX_BODY_BYTES) {
                respond_error(c, 413);
                return;
            }
            c->body_len = (size_t)v;
        }
        c->state = ST_READ_BODY;
        const char *ex = find_header(c->in, c->head_len, "Expect", &vlen);
        if (ex && vlen == 12 && strncasecmp(ex, "100-continue", 12) == 0 &&
            c->in_len < c->head_len + c->body_len && !c->sent_continue) {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            /* best effort; the client falls back to sending after a timeout */
            ssize_t n = send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL);
            (void)n;
            c->sent_continue = 1;
        }
    }
    if (c->state == ST_READ_BODY) {
        if (c->in_len >= c->head_len + c->body_len)
            handle_request(c);
    }
}

static void conn_read(int i, short re)
{
    struct conn *c = &conns[i];
    for (;;) {
        if (c->state != ST_READ_HEAD && c->state != ST_READ_BODY) {
            /* request complete: discard anything else the client sends */
            if (c->rd_eof) {
                if (c->state == ST_DRAIN || (re & (POLLHUP | POLLERR)))
                    conn_close(i);
                return;
            }
            char junk[4096];
            ssize_t n = recv(c->fd, junk, sizeof junk, 0);
            if (n > 0)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                return;
            if (n == 0) {
                c->rd_eof = 1;
                if (c->state == ST_DRAIN)
                    conn_close(i);
                return; /* client half-closed; still send our answer */
            }
            conn_close(i);
            return;
        }
        size_t want = c->state == ST_READ_HEAD
                          ? MAX_HEADER_BYTES
                          : c->head_len + c->body_len;
        if (c->in_len >= want) {
            conn_parse(c);
            if (c->state == ST_READ_HEAD || c->state == ST_READ_BODY)
                return;
            continue;
        }
        if (c->in_cap < want) {
            size_t nc = c->in_cap ? c->in_cap : 4096;
            while (nc < want && nc < 65536)
                nc *= 2;
            if (nc < c->in_len + 4096)
                nc = c->in_len + 4096;
            if (nc > want)
                nc = want;
            char *np = realloc(c->in, nc + 1);
            if (!np) {
                conn_close(i);
                return;
            }
            c->in = np;
            c->in_cap = nc;
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            conn_parse(c);
            continue;
        }
        if (n == 0) {
            c->rd_eof = 1;
            /* EOF before a complete request: answer if we have a head, else drop */
            if (c->state == ST_READ_BODY) {
                respond_error(c, 400);
                return;
            }
            conn_close(i);
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        conn_close(i);
        return;
    }
}

static void conn_write(int i)
{
    struct conn *c = &conns[i];
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            c->deadline = now_ms() + IO_TIMEOUT_MS;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        conn_close(i);
        return;
    }
    /* all sent: half-close and wait briefly for the client to close, so the
     * answer is not destroyed by an RST caused by unread request bytes */
    shutdown(c->fd, SHUT_WR);
    c->state = ST_DRAIN;
    c->deadline = now_ms() + 2000;
}

/* The connection still reading its request that has waited longest. */
static int evict_victim(void)
{
    int best = -1;
    for (int i = 0; i < nconns; i++) {
        if (conns[i].state != ST_READ_HEAD)
            continue;
        if (best < 0 || conns[i].deadline < conns[best].deadline)
            best = i;
    }
    return best;
}

/*
 * Fills lfd's accept queue with connections to itself and never accepts:
 * with a backlog of 0 the queue holds one, and the kernel drops the SYNs of
 * every later connect().  Returns once stopped.
 */
static void blackhole(int lfd, const char *pidfile)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (listen(lfd, 0) != 0 || getsockname(lfd, (struct sockaddr *)&ss, &sl) != 0)
        die("blackhole: %s", strerror(errno));
    int fill[4];
    for (int i = 0; i < 4; i++) {
        fill[i] = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fill[i] < 0)
            die("socket: %s", strerror(errno));
        if (connect(fill[i], (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS)
            die("connect to itself: %s", strerror(errno));
    }
    if (pidfile)
        write_pidfile(pidfile);
    while (!stop_flag)
        pause();
    for (int i = 0; i < 4; i++)
        close(fill[i]);
}

int main(int argc, char **argv)
{
    tool_name = "healthd";
    const char *listen_spec = NULL, *pidfile = NULL;
    int opt_blackhole = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--listen") == 0 && i + 1 < argc)
            listen_spec = argv[++i];
        else if (strcmp(a, "--dir") == 0 && i + 1 < argc)
            opt_dir = argv[++i];
        else if (strcmp(a, "--record") == 0 && i + 1 < argc)
            opt_record = argv[++i];
        else if (strcmp(a, "--pidfile") == 0 && i + 1 < argc)
            pidfile = argv[++i];
        else if (strcmp(a, "--blackhole") == 0)
            opt_blackhole = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            usage();
        else
            usage();
    }
    if (!listen_spec || (!opt_dir && !opt_blackhole))
        usage();
    if (opt_blackhole) {
        catch_stop_signals(on_signal);
        blackhole(listen_on(listen_spec), pidfile);
        return 0;
    }

    catch_stop_signals(on_signal);
    int lfd = listen_on(listen_spec);

    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    if (getsockname(lfd, (struct sockaddr *)&bound, &bl) == 0) {
        char abuf[INET6_ADDRSTRLEN] = "?";
        int port = 0;
        if (bound.ss_family == AF_INET) {
            struct sockaddr_in *b4 = (struct sockaddr_in *)&bound;
            inet_ntop(AF_INET, &b4->sin_addr, abuf, sizeof abuf);
            port = ntohs(b4->sin_port);
        } else {
            struct sockaddr_in6 *b6 = (struct sockaddr_in6 *)&bound;
            inet_ntop(AF_INET6, &b6->sin6_addr, abuf, sizeof abuf);
            port = ntohs(b6->sin6_port);
        }
        printf("listening on %s:%d\n", abuf, port);
        fflush(stdout);
    }
    if (pidfile)
        write_pidfile(pidfile);

    struct pollfd pfds[MAX_CONNS + 1];
    while (!stop_flag) {
        int64_t t = now_ms();
        int timeout = -1;
        /* expire connections and fire delayed answers */
        for (int i = 0; i < nconns;) {
            struct conn *c = &conns[i];
            if (c->state == ST_WAIT && t >= c->send_at) {
                c->state = ST_WRITE;
                c->deadline = t + IO_TIMEOUT_MS;
            }
            if (t >= c->deadline) {
                if (c->state == ST_READ_HEAD && c->in_len > 0) {
                    respond_error(c, 408);
                    c->deadline = t + 2000;
                } else {
                    conn_close(i);
                    continue;
                }
            }
            int64_t next = c->state == ST_WAIT ? c->send_at : c->deadline;
            int64_t d = next - t;
            if (d < 0)
                d = 0;
            if (timeout < 0 || d < timeout)
                timeout = (int)d;
            i++;
        }
        int np = 0;
        pfds[np].fd = lfd;
        pfds[np].events = (nconns < MAX_CONNS || evict_victim() >= 0) ? POLLIN : 0;
        pfds[np].revents = 0;
        np++;
        for (int i = 0; i < nconns; i++) {
            short ev = conns[i].rd_eof ? 0 : POLLIN;
            if (conns[i].state == ST_WRITE)
                ev |= POLLOUT;
            pfds[np].fd = conns[i].fd;
            pfds[np].events = ev;
            pfds[np].revents = 0;
            np++;
        }
        int r = poll(pfds, (nfds_t)np, timeout);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        /* service existing connections (looked up by fd, since conn_close
         * reorders the array) */
        for (int k = 1; k < np; k++) {
            short re = pfds[k].revents;
            if (!re)
                continue;
            int fd = pfds[k].fd;
            int i;
            for (i = 0; i < nconns && conns[i].fd != fd; i++)
                ;
            if (i == nconns)
                continue;
            if (re & POLLNVAL) {
                conn_close(i);
                continue;
            }
            if (re & (POLLIN | POLLHUP | POLLERR)) {
                conn_read(i, re);
                for (i = 0; i < nconns && conns[i].fd != fd; i++)
                    ;
                if (i == nconns)
                    continue;
            }
            if (conns[i].state == ST_WRITE && (re & (POLLOUT | POLLHUP | POLLERR)))
                conn_write(i);
        }
        /* a request may have completed and be ready to write right away */
        for (int i = 0; i < nconns; i++) {
            if (conns[i].state == ST_WRITE && conns[i].out_off == 0) {
                int fd = conns[i].fd;
                conn_write(i);
                if (i < nconns && conns[i].fd != fd)
                    i--;
            }
        }
        if (pfds[0].revents & POLLIN) {
            for (int n = 0; n < 64; n++) {
                if (nconns >= MAX_CONNS) {
                    /* full: drop the oldest connection still sending its
                     * request (slowloris protection) */
                    int v = evict_victim();
                    if (v < 0)
                        break;
                    conn_close(v);
                }
                int fd = accept(lfd, NULL, NULL);
                if (fd < 0)
                    break;
                set_nonblock(fd);
                fcntl(fd, F_SETFD, FD_CLOEXEC);
                struct conn *c = &conns[nconns++];
                memset(c, 0, sizeof *c);
                c->fd = fd;
                c->state = ST_READ_HEAD;
                c->deadline = now_ms() + IO_TIMEOUT_MS;
            }
        }
    }
    for (int i = nconns - 1; i >= 0; i--)
        conn_close(i);
    close(lfd);
    if (pidfile)
        unlink(pidfile);
    return 0;
}
