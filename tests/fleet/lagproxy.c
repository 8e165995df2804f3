/*
 * lagproxy: a userspace TCP proxy that adds latency, for the sitrep test fleet
 * (the test kernel has no netem).
 *
 *   lagproxy --listen ADDR:PORT --to ADDR:PORT --delay-ms D
 *            [--delay-file F] [--pidfile F]
 *
 * Every chunk read in either direction is forwarded D ms after it was read
 * (one-way delay: the round trip grows by 2*D), in order.  Half-closes are
 * forwarded after the same delay.  One poll loop, no threads, many concurrent
 * connections; a direction stops reading while 4 MiB are queued in it.
 *
 * With --delay-file F, SIGHUP re-reads the delay (a decimal number of ms) from
 * F: existing connections keep going with the new delay.  The pidfile is
 * written once the listening socket is bound.
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
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define CHUNK_MAX 65536
#define QUEUE_MAX (4u * 1024 * 1024)
#define MAX_PAIRS 2048

struct chunk {
    struct chunk *next;
    int64_t due;
    size_t len, off;
    char data[];
};

struct dir {
    struct chunk *head, *tail;
    size_t queued;
    int eof_read;     /* source sent FIN */
    int64_t eof_due;  /* when to forward it */
    int eof_sent;     /* shutdown(dst, SHUT_WR) done */
};

struct pair {
    int fd[2];        /* 0: client side, 1: upstream side */
    int connecting;   /* upstream connect in progress */
    struct dir d[2];  /* d[0]: client -> upstream, d[1]: upstream -> client */
    int dead;
};

static volatile sig_atomic_t stop_flag, reload_flag;
static long delay_ms;
static const char *delay_file;
static struct pair *pairs[MAX_PAIRS];
static int npairs;

static void on_term(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    reload_flag = 1;
}

static void usage(void)
{
    fputs("usage: lagproxy --listen ADDR:PORT --to ADDR:PORT --delay-ms D "
          "[--delay-file F] [--pidfile F]\n",
          stderr);
    exit(2);
}

static long parse_delay(const char *s, long def)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
        end++;
    if (errno || end == s || *end || v < 0 || v > 3600L * 1000)
        return def;
    return v;
}

static void reload_delay(void)
{
    if (!delay_file)
        return;
    FILE *f = fopen(delay_file, "r");
    if (!f)
        return;
    char buf[64];
    if (fgets(buf, sizeof buf, f))
        delay_ms = parse_delay(buf, delay_ms);
    fclose(f);
}

static void set_sock_opts(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void pair_free(int idx)
{
    struct pair *p = pairs[idx];
    for (int k = 0; k < 2; k++) {
        if (p->fd[k] >= 0)
            close(p->fd[k]);
        struct chunk *c = p->d[k].head;
        while (c) {
            struct chunk *n = c->next;
            free(c);
            c = n;
        }
    }
    free(p);
    pairs[idx] = pairs[npairs - 1];
    pairs[npairs - 1] = NULL;
    npairs--;
}

/* Reads from the source of direction k (k=0: client, k=1: upstream). */
static void pair_read(struct pair *p, int k, int64_t t)
{
    struct dir *d = &p->d[k];
    int src = p->fd[k];
    while (!d->eof_read && d->queued < QUEUE_MAX) {
        struct chunk *c = malloc(sizeof *c + CHUNK_MAX);
        if (!c) {
            p->dead = 1;
            return;
        }
        ssize_t n = recv(src, c->data, CHUNK_MAX, 0);
        if (n > 0) {
            struct chunk *small = realloc(c, sizeof *c + (size_t)n);
            if (small)
                c = small;
            c->next = NULL;
            c->due = t + delay_ms;
            c->len = (size_t)n;
            c->off = 0;
            if (d->tail)
                d->tail->next = c;
            else
                d->head = c;
            d->tail = c;
            d->queued += (size_t)n;
            if (n < CHUNK_MAX)
                return;
            continue;
        }
        free(c);
        if (n == 0) {
            d->eof_read = 1;
            d->eof_due = t + delay_ms;
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        p->dead = 1; /* reset or other error: drop the whole connection */
        return;
    }
}

/* Writes the due chunks of direction k to its destination. */
static void pair_write(struct pair *p, int k, int64_t t)
{
    struct dir *d = &p->d[k];
    int dst = p->fd[1 - k];
    if (k == 0 && p->connecting)
        return;
    while (d->head && d->head->due <= t) {
        struct chunk *c = d->head;
        ssize_t n = send(dst, c->data + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            p->dead = 1;
            return;
        }
        c->off += (size_t)n;
        d->queued -= (size_t)n;
        if (c->off < c->len)
            return;
        d->head = c->next;
        if (!d->head)
            d->tail = NULL;
        free(c);
    }
    if (!d->head && d->eof_read && !d->eof_sent && d->eof_due <= t) {
        shutdown(dst, SHUT_WR);
        d->eof_sent = 1;
    }
}

int main(int argc, char **argv)
{
    tool_name = "lagproxy";
    const char *listen_spec = NULL, *to_spec = NULL, *pidfile = NULL;
    const char *delay_arg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--listen") == 0 && i + 1 < argc)
            listen_spec = argv[++i];
        else if (strcmp(a, "--to") == 0 && i + 1 < argc)
            to_spec = argv[++i];
        else if (strcmp(a, "--delay-ms") == 0 && i + 1 < argc)
            delay_arg = argv[++i];
        else if (strcmp(a, "--delay-file") == 0 && i + 1 < argc)
            delay_file = argv[++i];
        else if (strcmp(a, "--pidfile") == 0 && i + 1 < argc)
            pidfile = argv[++i];
        else
            usage();
    }
    if (!listen_spec || !to_spec || (!delay_arg && !delay_file))
        usage();
    if (delay_arg) {
        delay_ms = parse_delay(delay_arg, -1);
        if (delay_ms < 0)
            die("bad --delay-ms: %s", delay_arg);
    }
    if (delay_file)
        reload_delay();

    struct sockaddr_storage tss;
    socklen_t tsl = 0;
    if (parse_hostport(to_spec, &tss, &tsl) != 0)
        die("bad --to address: %s", to_spec);

    catch_stop_signals(on_term);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);

    int lfd = listen_on(listen_spec);
    set_sock_opts(lfd);
    if (pidfile)
        write_pidfile(pidfile);

    static struct pollfd pfds[1 + 2 * MAX_PAIRS];
    while (!stop_flag) {
        if (reload_flag) {
            reload_flag = 0;
            reload_delay();
        }
        int64_t t = now_ms();
        int timeout = -1;
        int np = 0;
        pfds[np].fd = lfd;
        pfds[np].events = npairs < MAX_PAIRS ? POLLIN : 0;
        pfds[np].revents = 0;
        np++;
        for (int i = 0; i < npairs; i++) {
            struct pair *p = pairs[i];
            for (int s = 0; s < 2; s++) {
                /* socket s is the source of direction s and the
                 * destination of direction 1-s */
                struct dir *in = &p->d[s], *out = &p->d[1 - s];
                short ev = 0;
                if (s == 1 && p->connecting) {
                    ev = POLLOUT;
                } else {
                    if (!in->eof_read && in->queued < QUEUE_MAX)
                        ev |= POLLIN;
                    if (out->head && out->head->due <= t)
                        ev |= POLLOUT;
                }
                /* nothing wanted: leave it out, or a hung-up socket would
                 * make poll return at once until the next chunk is due */
                pfds[np].fd = ev ? p->fd[s] : -1;
                pfds[np].events = ev;
                pfds[np].revents = 0;
                np++;
            }
            for (int k = 0; k < 2; k++) {
                struct dir *d = &p->d[k];
                int64_t due = -1;
                if (d->head && d->head->due > t)
                    due = d->head->due;
                else if (!d->head && d->eof_read && !d->eof_sent)
                    due = d->eof_due;
                if (due >= 0) {
                    int64_t w = due - t;
                    if (w < 0)
                        w = 0;
                    if (timeout < 0 || w < timeout)
                        timeout = (int)w;
                }
            }
        }
        int r = poll(pfds, (nfds_t)np, timeout);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        t = now_ms();
        /* pairs[] is not reordered until the cleanup pass below */
        int n_polled = (np - 1) / 2;
        for (int i = 0; i < n_polled; i++) {
            struct pair *p = pairs[i];
            for (int s = 0; s < 2; s++) {
                short re = pfds[1 + 2 * i + s].revents;
                if (!re)
                    continue;
                if (s == 1 && p->connecting) {
                    int err = 0;
                    socklen_t el = sizeof err;
                    if (getsockopt(p->fd[1], SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
                        p->dead = 1;
                        continue;
                    }
                    if (re & (POLLOUT | POLLHUP | POLLERR))
                        p->connecting = 0;
                    continue;
                }
                if (re & POLLNVAL) {
                    p->dead = 1;
                    continue;
                }
                if (re & (POLLIN | POLLHUP | POLLERR))
                    pair_read(p, s, t);
            }
        }
        /* forward everything that is due */
        for (int i = 0; i < npairs; i++) {
            struct pair *p = pairs[i];
            if (!p->dead)
                pair_write(p, 0, t);
            if (!p->dead)
                pair_write(p, 1, t);
        }
        for (int i = 0; i < npairs;) {
            struct pair *p = pairs[i];
            if (p->dead || (p->d[0].eof_sent && p->d[1].eof_sent)) {
                pair_free(i);
                continue;
            }
            i++;
        }
        if (pfds[0].revents & POLLIN) {
            for (int n = 0; n < 64 && npairs < MAX_PAIRS; n++) {
                int cfd = accept(lfd, NULL, NULL);
                if (cfd < 0)
                    break;
                set_sock_opts(cfd);
                int ufd = socket(tss.ss_family, SOCK_STREAM, 0);
                if (ufd < 0) {
                    close(cfd);
                    continue;
                }
                set_sock_opts(ufd);
                int cr = connect(ufd, (struct sockaddr *)&tss, tsl);
                if (cr != 0 && errno != EINPROGRESS) {
                    close(cfd);
                    close(ufd);
                    continue;
                }
                struct pair *p = calloc(1, sizeof *p);
                if (!p) {
                    close(cfd);
                    close(ufd);
                    continue;
                }
                p->fd[0] = cfd;
                p->fd[1] = ufd;
                p->connecting = cr != 0;
                pairs[npairs++] = p;
            }
        }
    }
    while (npairs > 0)
        pair_free(npairs - 1);
    close(lfd);
    if (pidfile)
        unlink(pidfile);
    return 0;
}
