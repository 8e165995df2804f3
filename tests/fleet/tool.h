/*
 * tool.h: what the fleet's small daemons (healthd, lagproxy) share.
 * Each sets tool_name before anything can fail.
 */
#ifndef FLEET_TOOL_H
#define FLEET_TOOL_H

#include <stdint.h>
#include <sys/socket.h>

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

extern const char *tool_name;

/* "NAME: message" on stderr, exit 2. */
void die(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;
/* Milliseconds on the monotonic clock. */
int64_t now_ms(void);
/*
 * ADDR:PORT, [IPV6]:PORT or localhost:PORT; an empty ADDR is the wildcard.
 * 0, or -1 when spec is none of those.
 */
int parse_hostport(const char *spec, struct sockaddr_storage *ss, socklen_t *sl);
/* A non-blocking listening socket on spec (close-on-exec); dies on failure. */
int listen_on(const char *spec);
/* Ignores SIGPIPE; SIGTERM and SIGINT call on_stop. */
void catch_stop_signals(void (*on_stop)(int));
/* Writes this process's PID to path (through a rename); dies on failure. */
void write_pidfile(const char *path);

#endif
