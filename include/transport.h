/*
 * transport: runs commands on a host. One interface, two implementations:
 * ssh (libssh, one persistent session per host) and local (this machine,
 * /bin/sh). A transport is used by one thread at a time.
 *
 * Three ways to run something:
 *   script  the probe cycle, written to a long-lived shell on the session
 *           and read back up to its end marker: one round trip when warm;
 *   exec    one command on its own channel (logs, operator commands), with
 *           an optional pty so that closing it stops the remote command;
 *   tunnel  a TCP connection from the host (direct-tcpip), for health
 *           checks of the host's own localhost.
 */
#ifndef SITREP_TRANSPORT_H
#define SITREP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "sanitize.h"
#include "snapshot.h"
#include "util.h"

struct transport;

/* Called with output as it arrives; returns nonzero to cancel the command. */
typedef int (*transport_output_fn)(const char *data, size_t len, void *arg);
/* Polled while a command runs; returns nonzero to cancel it. */
typedef int (*transport_cancel_fn)(void *arg);

struct exec_opts {
	int timeout_ms;			/* whole command; 0: none */
	int idle_ms;			/* no output for this long; 0: none */
	int pty;			/* a pty: closing it hangs up the command */
	size_t max_output;		/* kept in the result; the rest is counted */
	transport_output_fn on_output;
	transport_cancel_fn cancelled;
	void *arg;
};

struct exec_result {
	int exit_status;		/* -1: unknown (killed, dropped) */
	int timed_out;
	int cancelled;
	char *output;			/* stdout and stderr, redacted, capped */
	size_t output_len;
	uint64_t output_total;		/* every byte (redacted), kept or not */
	int64_t duration_ms;
};

struct tunnel;
struct stream;

/* a probe script's output, at most */
#define TRANSPORT_SCRIPT_MAX	(16 * 1024 * 1024)

#define TUNNEL_MOVED	1
#define TUNNEL_FULL	2
#define TUNNEL_OPENING	4

struct transport_ops {
	const char *name;
	/* 0 when usable; -1 with t->conn and *cause set. */
	int (*connect)(struct transport *, char **cause);
	/*
	 * Starts a probe script without waiting for it, so that other work
	 * (health checks) overlaps its round trip; script_finish() then reads
	 * into out until a line equal to end_marker (which is not kept): idle_ms
	 * counted from the script's last output (or its start), total_ms from
	 * its start; what has arrived counts even when a limit has passed. -1
	 * with *cause on timeout, output over TRANSPORT_SCRIPT_MAX or a dropped
	 * session: the caller then disconnects.
	 */
	int (*script_start)(struct transport *, const char *script, char **cause);
	/*
	 * Appends what the script has written so far to out, without waiting,
	 * so that the session's socket does not stay readable while other work
	 * waits on it: 0, or -1 when the session failed. NULL when the output
	 * waits in the kernel (a pipe) without harm.
	 */
	int (*script_poll)(struct transport *, struct buf *out);
	int (*script_finish)(struct transport *, const char *end_marker, int idle_ms, int total_ms,
	    struct buf *out, char **cause);
	int (*exec)(struct transport *, const char *command, const struct exec_opts *,
	    struct exec_result *, char **cause);
	/*
	 * Starts a tunnel to host:port as the host sees it, without waiting
	 * for the host to connect it. NULL (and why) when it cannot start, or
	 * while an earlier tunnel to the same target is still connecting.
	 * NULL when the host's localhost is this machine's.
	 */
	struct tunnel *(*tunnel_open)(struct transport *, const char *host, int port,
	    char **cause);
	/*
	 * Moves bytes between the tunnel and fd without blocking: -1 (and why,
	 * when the host refused it) once the tunnel is closed; TUNNEL_OPENING
	 * while the host is still connecting it (fd is not read: wait on the
	 * session); else TUNNEL_MOVED and TUNNEL_FULL (fd would not take all
	 * that came: wait for it to be writable).
	 */
	int (*tunnel_pump)(struct tunnel *, int fd, char **cause);
	/* A tunnel the host is still connecting is closed once it answers. */
	void (*tunnel_close)(struct tunnel **);
	/*
	 * A byte stream to a unix socket on the host (the container engine's
	 * API): over ssh a direct-streamlocal channel, locally a connect().
	 * stream_read() appends what is there without waiting: the bytes
	 * read, or -1 once the stream is closed or broken.
	 */
	struct stream *(*stream_open)(struct transport *, const char *path, char **cause);
	int (*stream_write)(struct stream *, const char *, size_t);
	int (*stream_read)(struct stream *, struct buf *out);
	void (*stream_close)(struct stream **);
	/* Data already read off the session for this stream (not in the socket). */
	int (*stream_pending)(struct stream *);
	/* The session's socket, to wait on with poll(); -1 if none. */
	int (*pollfd)(struct transport *);
	void (*disconnect)(struct transport *);
	void (*free)(struct transport *);
};

struct transport {
	const struct transport_ops *ops;
	const struct host_conf *host;
	const struct conf *conf;
	enum conn_state conn;
	char *fingerprint;		/* "SHA256:..." of the server's key */
	char *key_type;
	void *priv;
};

/*
 * Where the line equal to marker begins in out, looking at what was added
 * from offset from on (output is bytes: NULs do not end the search); -1.
 */
long transport_find_marker(const struct buf *out, size_t from, const char *marker);

/* script_start() then script_finish(): the whole cycle, blocking. */
int transport_script(struct transport *, const char *script, const char *end_marker, int idle_ms,
    int total_ms, struct buf *out, char **cause);

/*
 * Running out of file descriptors is sitrep's own failure, never the
 * host's state: sets t->conn (when t) to CONN_LOCAL_ERROR and *cause to
 * "sitrep: out of file descriptors (limit N)" for err EMFILE or ENFILE.
 * Returns -1.
 */
int transport_fd_error(struct transport *, int err, char **cause);
/* EMFILE or ENFILE when fewer than need (at most 16) descriptors can be opened now; else 0. */
int transport_fd_short(int need);
/* A transport for host (ssh or local, by its configuration). */
struct transport *transport_new(const struct conf *, const struct host_conf *);
void transport_free(struct transport **);
void exec_result_clear(struct exec_result *);
/*
 * A running command's output as it is taken: redacted as it arrives (a
 * secret split across reads included), counted, kept up to max_output and
 * handed on redacted. Secrets never reach the result nor on_output.
 */
struct exec_output {
	struct buf kept;
	struct buf piece;		/* the redacted piece being handed on */
	struct redactor red;
	int full;			/* cut: nothing more is kept */
};
void exec_output_init(struct exec_output *);
/*
 * Takes a chunk of a running command's output: redacted, counted, kept in
 * eo up to o->max_output, handed to o->on_output. Nonzero when that asks
 * to cancel.
 */
int exec_take_output(struct exec_result *, struct exec_output *, const struct exec_opts *o,
    const char *data, size_t n);
/* At the end: hands on what redaction held back, and moves the kept output into r. */
void exec_output_end(struct exec_result *, struct exec_output *, const struct exec_opts *o);

/*
 * Adds the host's current key to known_hosts, after checking that the key
 * presented has the expected fingerprint (NULL: any). Refuses a changed key.
 * The key goes where OpenSSH would write it (sitrep's known-hosts, else the
 * first UserKnownHostsFile, under the HostKeyAlias, hashed as the file or
 * HashKnownHosts says) and counts only once the connect path finds it
 * there. 1 when added (*file: where, when file), 0 when already trusted,
 * -1 with *cause.
 */
int transport_ssh_trust(const struct conf *, const struct host_conf *,
    const char *expect_fingerprint, char **fingerprint, char **file, char **cause);

extern const struct transport_ops transport_ssh_ops;
extern const struct transport_ops transport_local_ops;

/*
 * Sends libssh's own log to the diagnostic log for the calling thread
 * (libssh keeps the callback per thread): every thread that uses libssh
 * calls it first, so nothing libssh says reaches the terminal.
 */
void transport_ssh_log_init(void);

#endif
