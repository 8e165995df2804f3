/*
 * transport-ssh: a host over libssh. One persistent session per host; host
 * keys checked strictly against known_hosts whatever the ssh config says;
 * authentication by agent, then keys, never a prompt; every call bounded.
 *
 * The probe runs on a shell kept open on the session: each cycle writes one
 * script and reads up to its end marker, so a warm cycle is one round trip.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "sshconf.h"
#include "transport.h"

struct ssh_priv {
	ssh_session session;
	ssh_channel shell;		/* the probe shell, or NULL */
	int64_t script_started;
	int64_t script_last;		/* when the shell last wrote */
	struct ssh_callbacks_struct callbacks;
	/*
	 * Every tunnel on the session: in use, or closed by its user while
	 * the host was still connecting it (waiting), kept until the host
	 * answers and then closed. While one waits no other tunnel to the
	 * same target is opened, so a port that never answers costs a
	 * channel, not one per cycle.
	 */
	struct tunnel *tunnels;
	/* the host's settings as `ssh -G` gave them, when have_sc */
	struct sshconf sc;
	int have_sc;
	int no_agent;			/* IdentityAgent none */
};

struct tunnel {
	struct transport *t;
	ssh_channel channel;
	char *host;
	int port;
	int opening;			/* the host has not answered the open yet */
	int waiting;			/* closed by its user while opening */
	int64_t open_sent;
	struct tunnel *next;		/* in the session's list */
	int eof_sent;
	/* read off the channel, not yet taken by the local socket */
	char pend[16384];
	size_t pend_off, pend_len;
};

static void reap_waiting(struct ssh_priv *);
static void tunnels_end_session(struct ssh_priv *);

static struct ssh_priv *
priv(struct transport *t)
{
	if (t->priv == NULL)
		t->priv = xcalloc(1, sizeof(struct ssh_priv));
	return t->priv;
}

/* Never ask for a passphrase: a locked key is simply not used. */
static int
no_passphrase(const char *prompt, char *buf, size_t len, int echo, int verify, void *userdata)
{
	return -1;
}

static const char *
ssh_error_text(ssh_session s)
{
	const char *e = ssh_get_error(s);
	return e && *e ? e : "unknown error";
}

/*
 * A session with the host's options: the ssh config first (aliases, User,
 * Port, IdentityFile, ProxyJump), then sitrep's own settings, which win.
 */
/* libssh's own messages go to the diagnostic log, never to the terminal. */
static void
log_to_diag(int priority, const char *function, const char *buffer, void *userdata)
{
	(void)userdata;
	(void)function;		/* the message starts with it */
	log_msg("libssh[%d] %s", priority, buffer ? buffer : "");
}

void
transport_ssh_log_init(void)
{
	ssh_set_log_callback(log_to_diag);
}

/* A word for a shell command line, in single quotes: NULL if it holds one. */
static char *
shell_quote(const char *w)
{
	if (strchr(w, '\'') != NULL)
		return NULL;
	return xasprintf("'%s'", w);
}

/*
 * The ProxyCommand that does what ProxyJump a,b,...,z does: OpenSSH's own
 * ssh, with the same config, reaches z through a..y (checking their keys
 * its way) and carries the connection on; the target's key is then
 * checked here. NULL (and why) when it cannot be written safely.
 */
static char *
jump_command(const char *config, const char *jump, char **cause)
{
	char *copy = xstrdup(jump), *last = strrchr(copy, ',');
	char *via = NULL, *to;
	if (last != NULL) {
		*last = '\0';
		via = shell_quote(copy);
		to = last + 1;
	} else
		to = copy;
	char *uri = xasprintf("ssh://%s", to);
	char *quri = shell_quote(uri), *qconf = config ? shell_quote(config) : NULL;
	char *cmd = NULL;
	if (quri == NULL || (last != NULL && via == NULL) || (config != NULL && qconf == NULL))
		set_cause(cause, "ssh config: ProxyJump %s: a quote in it", jump);
	else
		cmd = xasprintf("exec ssh %s%s%s%s -o BatchMode=yes -W '[%%h]:%%p' %s 2>/dev/null",
		    qconf ? "-F " : "", qconf ? qconf : "", via ? " -J " : "", via ? via : "", quri);
	free(copy);
	free(via);
	free(uri);
	free(quri);
	free(qconf);
	return cmd;
}

/*
 * Applies what `ssh -G` resolved over libssh's own reading: the host,
 * port and user ssh would use, its identity files, proxy, agent and
 * connect timeout (the smaller of it and sitrep's). 0, or -1 and why.
 */
static int
apply_resolved(ssh_session s, const struct conf *c, const struct sshconf *sc, int *no_agent,
    long *timeout, char **cause)
{
	ssh_options_set(s, SSH_OPTIONS_HOST, sc->hostname);
	if (sc->user != NULL)
		ssh_options_set(s, SSH_OPTIONS_USER, sc->user);
	if (sc->port > 0) {
		unsigned int port = (unsigned int)sc->port;
		ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	}
	for (size_t i = 0; i < sc->identityfiles.n; i++)
		if (access(sc->identityfiles.v[i], R_OK) == 0)
			ssh_options_set(s, SSH_OPTIONS_ADD_IDENTITY, sc->identityfiles.v[i]);
	if (sc->proxyjump != NULL) {
		char *cmd = jump_command(c->ssh_config, sc->proxyjump, cause);
		if (cmd == NULL)
			return -1;
		ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, cmd);
		free(cmd);
	} else if (sc->proxycommand != NULL) {
		/* its complaints would reach the terminal */
		char *cmd = xasprintf("exec 2>/dev/null; %s", sc->proxycommand);
		ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, cmd);
		free(cmd);
	} else
		ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, "none");
	*no_agent = sc->identityagent != NULL && strcasecmp(sc->identityagent, "none") == 0;
	if (sc->identityagent != NULL && !*no_agent && strcmp(sc->identityagent, "SSH_AUTH_SOCK") != 0)
		ssh_options_set(s, SSH_OPTIONS_IDENTITY_AGENT, sc->identityagent);
	if (sc->connecttimeout > 0 && sc->connecttimeout < *timeout)
		*timeout = sc->connecttimeout;
	if (sc->userknownhosts.n > 0 && c->known_hosts == NULL)
		ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, sc->userknownhosts.v[0]);
	return 0;
}

static ssh_session
session_new(const struct conf *c, const struct host_conf *h, struct ssh_priv *p, char **cause)
{
	/* libssh keeps its log callback per thread: set it on this one */
	transport_ssh_log_init();
	const char *target = h->address ? h->address : h->name;
	long timeout = h->timeout_s > 0 ? h->timeout_s : 5;
	sshconf_clear(&p->sc);
	p->have_sc = p->no_agent = 0;
	int r = sshconf_resolve(c->ssh_config, target, h->user, h->port, (int)timeout * 1000,
	    &p->sc, cause);
	if (r == -1)
		return NULL;
	p->have_sc = r == 0;
	if (!p->have_sc)
		log_msg("%s: no ssh client to resolve the ssh config: libssh reads it alone", h->name);
	if (p->have_sc && p->sc.certificatefiles.n > 0) {
		set_cause(cause, "ssh config: CertificateFile is not supported by sitrep (libssh 0.10)");
		return NULL;
	}
	ssh_session s = ssh_new();
	if (s == NULL) {
		set_cause(cause, "libssh: cannot create a session");
		return NULL;
	}
	int verbosity = SSH_LOG_NOLOG;
	ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	if (ssh_options_set(s, SSH_OPTIONS_HOST, target) < 0) {
		set_cause(cause, "bad host name '%s'", target);
		ssh_free(s);
		return NULL;
	}
	if (c->ssh_config != NULL) {
		if (access(c->ssh_config, R_OK) == -1) {
			set_cause(cause, "ssh config %s: %s", c->ssh_config, strerror(errno));
			ssh_free(s);
			return NULL;
		}
		ssh_options_parse_config(s, c->ssh_config);
	} else
		ssh_options_parse_config(s, NULL);
	/*
	 * The config's LogLevel set the verbosity again: only warnings, and
	 * only to the diagnostic log (the callback set at start), never to the
	 * terminal.
	 */
	verbosity = SSH_LOG_WARNING;
	ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	if (p->have_sc && apply_resolved(s, c, &p->sc, &p->no_agent, &timeout, cause) == -1) {
		ssh_free(s);
		return NULL;
	}
	if (h->user != NULL)
		ssh_options_set(s, SSH_OPTIONS_USER, h->user);
	if (h->port > 0) {
		unsigned int port = (unsigned int)h->port;
		ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	}
	if (c->known_hosts != NULL)
		ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, c->known_hosts);
	if (c->identity != NULL)
		ssh_options_set(s, SSH_OPTIONS_ADD_IDENTITY, c->identity);
	/* Whatever the config said: strict checking, no password, no prompts. */
	int yes = 1, no = 0;
	ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &yes);
	ssh_options_set(s, SSH_OPTIONS_PASSWORD_AUTH, &no);
	ssh_options_set(s, SSH_OPTIONS_KBDINT_AUTH, &no);
	ssh_options_set(s, SSH_OPTIONS_GSSAPI_AUTH, &no);
	ssh_options_set(s, SSH_OPTIONS_NODELAY, &yes);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
	memset(&p->callbacks, 0, sizeof p->callbacks);
	p->callbacks.auth_function = no_passphrase;
	ssh_callbacks_init(&p->callbacks);
	ssh_set_callbacks(s, &p->callbacks);
	return s;
}

/* Fills t->fingerprint and t->key_type from the server's key. */
static int
read_server_key(struct transport *t, ssh_session s)
{
	ssh_key key = NULL;
	if (ssh_get_server_publickey(s, &key) != SSH_OK)
		return -1;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	int rc = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen);
	if (rc == 0) {
		char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
		free(t->fingerprint);
		t->fingerprint = fp ? xstrdup(fp) : NULL;
		ssh_string_free_char(fp);
		ssh_clean_pubkey_hash(&hash);
	}
	free(t->key_type);
	t->key_type = xstrdup(ssh_key_type_to_char(ssh_key_type(key)));
	ssh_key_free(key);
	return rc == 0 ? 0 : -1;
}

#define KNOWN_REVOKED	100		/* beside libssh's enum ssh_known_hosts_e */

/*
 * The known_hosts files the host's key is looked up in: sitrep's own
 * known-hosts setting, else every UserKnownHostsFile; then every
 * GlobalKnownHostsFile. Filled into l (the strings are borrowed).
 */
static void
known_files(const struct conf *c, const struct sshconf *sc, struct strv *l)
{
	l->n = 0;
	l->v = xcalloc(sc->userknownhosts.n + sc->globalknownhosts.n + 1, sizeof *l->v);
	if (c->known_hosts != NULL)
		l->v[l->n++] = c->known_hosts;
	else
		for (size_t i = 0; i < sc->userknownhosts.n; i++)
			l->v[l->n++] = sc->userknownhosts.v[i];
	for (size_t i = 0; i < sc->globalknownhosts.n; i++)
		l->v[l->n++] = sc->globalknownhosts.v[i];
}

/* Points libssh's known_hosts look-up at the name OpenSSH uses (HostKeyAlias). */
static void
known_name_set(ssh_session s, const struct sshconf *sc)
{
	if (sc->hostkeyalias != NULL) {
		/* OpenSSH looks an alias up without the port */
		unsigned int port = 22;
		ssh_options_set(s, SSH_OPTIONS_HOST, sc->hostkeyalias);
		ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	}
}

/*
 * The server's key against known_hosts as OpenSSH checks it: under the
 * HostKeyAlias when there is one, in every file of the lists, a key
 * marked @revoked refused whatever else says. Without `ssh -G`, libssh's
 * own look-up. An ssh_known_hosts_e, or KNOWN_REVOKED.
 */
static int
known_lookup(struct transport *t, ssh_session s)
{
	struct ssh_priv *p = priv(t);
	if (!p->have_sc)
		return ssh_session_is_known_server(s);
	struct strv files;
	known_files(t->conf, &p->sc, &files);
	int rc = SSH_KNOWN_HOSTS_NOT_FOUND;
	ssh_key key = NULL;
	char *b64 = NULL;
	if (ssh_get_server_publickey(s, &key) == SSH_OK &&
	    ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK &&
	    sshconf_key_revoked(&files, b64))
		rc = KNOWN_REVOKED;
	ssh_key_free(key);
	free(b64);
	known_name_set(s, &p->sc);
	for (size_t i = 0; i < files.n && rc != KNOWN_REVOKED; i++) {
		ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, files.v[i]);
		ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
		int r = ssh_session_is_known_server(s);
		if (r == SSH_KNOWN_HOSTS_OK) {
			rc = r;
			break;
		}
		if (r == SSH_KNOWN_HOSTS_CHANGED || r == SSH_KNOWN_HOSTS_OTHER || r == SSH_KNOWN_HOSTS_ERROR)
			rc = r;
	}
	free(files.v);
	return rc;
}

/* Whether the host's known_hosts files have @cert-authority lines: 1, 0. */
static int
ca_lines(struct transport *t)
{
	struct ssh_priv *p = priv(t);
	if (!p->have_sc)
		return 0;
	struct strv files;
	known_files(t->conf, &p->sc, &files);
	int rc = sshconf_has_cert_authority(&files);
	free(files.v);
	return rc;
}

/* Connects and checks the host key; no authentication yet. */
static int
connect_checked(struct transport *t, ssh_session s, char **cause)
{
	const struct host_conf *h = t->host;
	if (ssh_connect(s) != SSH_OK) {
		t->conn = CONN_DOWN;
		return set_cause(cause, "%s", ssh_error_text(s));
	}
	if (read_server_key(t, s) == -1) {
		t->conn = CONN_DOWN;
		return set_cause(cause, "could not read the host key");
	}
	switch (known_lookup(t, s)) {
	case SSH_KNOWN_HOSTS_OK:
		return 0;
	case KNOWN_REVOKED:
		t->conn = CONN_KEY_CHANGED;
		return set_cause(cause, "REVOKED host key for %s: %s %s is marked @revoked in "
		    "known_hosts; refusing to connect", h->name, t->key_type,
		    t->fingerprint ? t->fingerprint : "?");
	case SSH_KNOWN_HOSTS_CHANGED:
		t->conn = CONN_KEY_CHANGED;
		return set_cause(cause, "HOST KEY CHANGED for %s: %s %s does not match known_hosts; "
		    "refusing to connect (possible man-in-the-middle)", h->name, t->key_type,
		    t->fingerprint ? t->fingerprint : "?");
	case SSH_KNOWN_HOSTS_OTHER:
		t->conn = CONN_KEY_CHANGED;
		return set_cause(cause, "HOST KEY CHANGED for %s: known_hosts has another key type, "
		    "the host offered %s %s; refusing to connect", h->name, t->key_type,
		    t->fingerprint ? t->fingerprint : "?");
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN:
		t->conn = CONN_UNTRUSTED;
		if (ca_lines(t))
			return set_cause(cause, "unknown host key %s %s (known_hosts has @cert-authority "
			    "lines: host certificates are not supported by sitrep): check it, then "
			    "'sitrep hosts trust %s'", t->key_type, t->fingerprint ? t->fingerprint : "?",
			    h->name);
		return set_cause(cause, "unknown host key %s %s: check it, then 'sitrep hosts trust %s'",
		    t->key_type, t->fingerprint ? t->fingerprint : "?", h->name);
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		t->conn = CONN_DOWN;
		return set_cause(cause, "known_hosts: %s", ssh_error_text(s));
	}
}

/*
 * IdentitiesOnly yes or IdentityAgent none: only the identity files, no
 * agent (libssh 0.10's automatic way always asks the agent). An
 * ssh_auth_e.
 */
static int
auth_files_only(const struct sshconf *sc, ssh_session s)
{
	int rc = SSH_AUTH_DENIED;
	for (size_t i = 0; i < sc->identityfiles.n && rc != SSH_AUTH_SUCCESS; i++) {
		ssh_key key = NULL;
		if (access(sc->identityfiles.v[i], R_OK) == -1 ||
		    ssh_pki_import_privkey_file(sc->identityfiles.v[i], NULL, no_passphrase, NULL,
		    &key) != SSH_OK)
			continue;
		rc = ssh_userauth_publickey(s, NULL, key);
		ssh_key_free(key);
		if (rc == SSH_AUTH_ERROR)
			break;
	}
	return rc;
}

static int
authenticate(struct transport *t, ssh_session s, char **cause)
{
	struct ssh_priv *p = priv(t);
	/* publickey_auto tries the agent first, then the configured and default keys */
	int rc = p->have_sc && (p->sc.identitiesonly || p->no_agent) ? auth_files_only(&p->sc, s) :
	    ssh_userauth_publickey_auto(s, NULL, NULL);
	if (rc == SSH_AUTH_SUCCESS)
		return 0;
	t->conn = rc == SSH_AUTH_ERROR ? CONN_DOWN : CONN_AUTH_FAILED;
	if (rc == SSH_AUTH_ERROR)
		return set_cause(cause, "%s", ssh_error_text(s));
	return set_cause(cause, "authentication failed: no key was accepted");
}

/*
 * Whether a failed connect ran out of file descriptors: errno as the
 * failure left it, libssh's text ("Socket create failed: Too many open
 * files"), or none to spare now. EMFILE, ENFILE or 0.
 */
static int
fd_starved(ssh_session s, int err)
{
	if (err == EMFILE || err == ENFILE)
		return err;
	const char *e = ssh_get_error(s);
	if (e != NULL && strstr(e, strerror(EMFILE)) != NULL)
		return EMFILE;
	if (e != NULL && strstr(e, strerror(ENFILE)) != NULL)
		return ENFILE;
	return transport_fd_short(1);
}

static int
ssh_connect_transport(struct transport *t, char **cause)
{
	struct ssh_priv *p = priv(t);
	if (p->session != NULL && t->conn == CONN_UP)
		return 0;
	t->ops->disconnect(t);
	/*
	 * libssh reads the ssh config, known_hosts and keys with fopen() and
	 * takes a file it cannot open for one that is not there: with no
	 * descriptor to spare it would connect with other settings or call
	 * the host untrusted. Refuse first, as sitrep's own error.
	 */
	int err = transport_fd_short(5);
	if (err != 0)
		return transport_fd_error(t, err, cause);
	p->session = session_new(t->conf, t->host, p, cause);
	if (p->session == NULL) {
		/* nothing was sent to the host: the config or this machine failed */
		t->conn = CONN_LOCAL_ERROR;
		if ((err = transport_fd_short(1)) != 0)
			return transport_fd_error(t, err, cause);
		return -1;
	}
	if (connect_checked(t, p->session, cause) == -1 || authenticate(t, p->session, cause) == -1) {
		err = errno;
		enum conn_state keep = t->conn;
		if (keep != CONN_KEY_CHANGED && (err = fd_starved(p->session, err)) != 0) {
			log_msg("%s: %s", t->host->name, cause && *cause ? *cause : "connect failed");
			transport_fd_error(t, err, cause);
			keep = t->conn;
		}
		t->ops->disconnect(t);
		t->conn = keep;
		return -1;
	}
	t->conn = CONN_UP;
	return 0;
}

static void
ssh_disconnect_transport(struct transport *t)
{
	struct ssh_priv *p = t->priv;
	if (p == NULL)
		return;
	/* never wait on a peer that may be gone */
	if (p->session != NULL)
		ssh_set_blocking(p->session, 0);
	if (p->shell != NULL) {
		ssh_channel_free(p->shell);
		p->shell = NULL;
	}
	tunnels_end_session(p);
	if (p->session != NULL) {
		ssh_disconnect(p->session);
		ssh_free(p->session);
		p->session = NULL;
	}
	if (t->conn == CONN_UP)
		t->conn = CONN_NEW;
}

static void
ssh_free_transport(struct transport *t)
{
	if (t->priv != NULL)
		sshconf_clear(&((struct ssh_priv *)t->priv)->sc);
	free(t->priv);
	t->priv = NULL;
}

static ssh_channel
open_session_channel(ssh_session s, char **cause)
{
	ssh_channel ch = ssh_channel_new(s);
	if (ch == NULL) {
		set_cause(cause, "%s", ssh_error_text(s));
		return NULL;
	}
	if (ssh_channel_open_session(ch) != SSH_OK) {
		set_cause(cause, "%s", ssh_error_text(s));
		ssh_channel_free(ch);
		return NULL;
	}
	return ch;
}

/* Throws away what the shell wrote to stderr so its window never fills. */
static void
drain_stderr(ssh_channel ch)
{
	char junk[4096];
	while (ssh_channel_poll(ch, 1) > 0)
		if (ssh_channel_read_nonblocking(ch, junk, sizeof junk, 1) <= 0)
			break;
}

static int
ssh_script_start(struct transport *t, const char *script, char **cause)
{
	struct ssh_priv *p = priv(t);
	if (p->session == NULL || t->conn != CONN_UP)
		return set_cause(cause, "not connected");
	reap_waiting(p);
	if (p->shell == NULL || !ssh_channel_is_open(p->shell) || ssh_channel_is_eof(p->shell)) {
		if (p->shell != NULL)
			ssh_channel_free(p->shell);
		p->shell = open_session_channel(p->session, cause);
		if (p->shell == NULL)
			return -1;
		if (ssh_channel_request_exec(p->shell, "exec /bin/sh") != SSH_OK) {
			set_cause(cause, "%s", ssh_error_text(p->session));
			ssh_channel_free(p->shell);
			p->shell = NULL;
			return -1;
		}
	}
	size_t len = strlen(script);
	p->script_started = p->script_last = mono_ms();
	if (ssh_channel_write(p->shell, script, (uint32_t)len) != (int)len) {
		/*
		 * A shell that exits at once (nologin) may be gone before the
		 * script: libssh refuses the write ("Remote channel is closed",
		 * even while what the shell printed is still unread).
		 */
		if (ssh_is_connected(p->session) && (ssh_channel_is_eof(p->shell) ||
		    !ssh_channel_is_open(p->shell) || ssh_get_error_code(p->session) == SSH_REQUEST_DENIED))
			return set_cause(cause, "the probe shell exited");
		return set_cause(cause, "write: %s", ssh_error_text(p->session));
	}
	return 0;
}

/* Appends n bytes of the script's output, within TRANSPORT_SCRIPT_MAX: 0 or -1. */
static int
shell_add(struct ssh_priv *p, struct buf *out, const char *data, int n, char **cause)
{
	if (out->len + (size_t)n > TRANSPORT_SCRIPT_MAX)
		return set_cause(cause, "the probe's output passed %d MiB", TRANSPORT_SCRIPT_MAX >> 20);
	buf_add(out, data, (size_t)n);
	p->script_last = mono_ms();
	return 0;
}

/* Takes what the shell has written, without waiting: 1 if anything, 0, -1. */
static int
shell_take(struct ssh_priv *p, struct buf *out, char **cause)
{
	char chunk[16384];
	int got = 0;
	while (ssh_channel_poll(p->shell, 0) > 0) {
		int n = ssh_channel_read_nonblocking(p->shell, chunk, sizeof chunk, 0);
		if (n == SSH_ERROR)
			return set_cause(cause, "%s", ssh_error_text(p->session));
		if (n <= 0)
			break;
		if (shell_add(p, out, chunk, n, cause) == -1)
			return -1;
		got = 1;
	}
	drain_stderr(p->shell);
	return got;
}

static int
ssh_script_poll(struct transport *t, struct buf *out)
{
	struct ssh_priv *p = priv(t);
	if (p->session == NULL || p->shell == NULL)
		return -1;
	return shell_take(p, out, NULL) == -1 ? -1 : 0;
}

static int
ssh_script_finish(struct transport *t, const char *end_marker, int idle_ms, int total_ms,
    struct buf *out, char **cause)
{
	struct ssh_priv *p = priv(t);
	if (p->session == NULL || p->shell == NULL)
		return set_cause(cause, "not connected");
	size_t scan_from = 0;
	char chunk[16384];
	for (;;) {
		long at = transport_find_marker(out, scan_from, end_marker);
		if (at >= 0) {
			out->len = (size_t)at;
			out->data[at] = '\0';
			drain_stderr(p->shell);
			return 0;
		}
		scan_from = out->len;
		/* what arrived while other work ran counts before any limit */
		int got = shell_take(p, out, cause);
		if (got == -1)
			return -1;
		if (got)
			continue;
		int64_t now = mono_ms(), last = p->script_last, start = p->script_started;
		int wait = 250;
		if (idle_ms > 0 && last + idle_ms - now < wait)
			wait = (int)(last + idle_ms - now);
		if (total_ms > 0 && start + total_ms - now < wait)
			wait = (int)(start + total_ms - now);
		if (wait <= 0)
			return set_cause(cause, "no answer for %d ms", (int)(now - last));
		int n = ssh_channel_read_timeout(p->shell, chunk, sizeof chunk, 0, wait);
		if (n == SSH_ERROR)
			return set_cause(cause, "%s", ssh_error_text(p->session));
		if (n == 0) {
			if (ssh_channel_is_eof(p->shell) || !ssh_channel_is_open(p->shell))
				return set_cause(cause, "the probe shell exited");
			drain_stderr(p->shell);
			continue;
		}
		if (shell_add(p, out, chunk, n, cause) == -1)
			return -1;
	}
}

static int
ssh_exec(struct transport *t, const char *command, const struct exec_opts *o,
    struct exec_result *r, char **cause)
{
	struct ssh_priv *p = priv(t);
	exec_result_clear(r);
	if (p->session == NULL || t->conn != CONN_UP)
		return set_cause(cause, "not connected");
	int64_t start = mono_ms(), last = start;
	ssh_channel ch = open_session_channel(p->session, cause);
	if (ch == NULL)
		return -1;
	if (o->pty && ssh_channel_request_pty_size(ch, "dumb", 200, 50) != SSH_OK) {
		set_cause(cause, "pty: %s", ssh_error_text(p->session));
		ssh_channel_free(ch);
		return -1;
	}
	if (ssh_channel_request_exec(ch, command) != SSH_OK) {
		set_cause(cause, "exec: %s", ssh_error_text(p->session));
		ssh_channel_free(ch);
		return -1;
	}
	struct exec_output eo;
	exec_output_init(&eo);
	char chunk[16384];
	int stop = 0;
	while (!stop) {
		if (o->cancelled != NULL && o->cancelled(o->arg)) {
			r->cancelled = stop = 1;
			break;
		}
		int64_t now = mono_ms();
		if ((o->timeout_ms > 0 && now - start >= o->timeout_ms) ||
		    (o->idle_ms > 0 && now - last >= o->idle_ms)) {
			r->timed_out = stop = 1;
			break;
		}
		int got = 0;
		for (int is_stderr = 0; is_stderr <= 1 && !stop; is_stderr++) {
			int n = ssh_channel_read_timeout(ch, chunk, sizeof chunk, is_stderr,
			    is_stderr ? 0 : 100);
			if (n == SSH_ERROR) {
				stop = 2;
				break;
			}
			if (n <= 0)
				continue;
			got = 1;
			last = mono_ms();
			if (exec_take_output(r, &eo, o, chunk, (size_t)n))
				r->cancelled = stop = 1;
		}
		if (stop)
			break;
		if (!got && (ssh_channel_is_eof(ch) || !ssh_channel_is_open(ch)))
			break;
	}
	if (stop) {
		/*
		 * Stop the remote command for real: a signal where the server
		 * supports it, then closing the channel hangs up its pty.
		 */
		if (stop == 1) {
			ssh_channel_request_send_signal(ch, "TERM");
			ssh_channel_send_eof(ch);
		}
		ssh_channel_close(ch);
		r->exit_status = -1;
	} else {
		r->exit_status = ssh_channel_get_exit_status(ch);
		ssh_channel_close(ch);
	}
	ssh_channel_free(ch);
	exec_output_end(r, &eo, o);
	r->duration_ms = mono_ms() - start;
	if (stop == 2) {
		set_cause(cause, "%s", ssh_error_text(p->session));
		return -1;
	}
	return 0;
}

/* A new channel on the host's session, not yet opened; NULL (and why) when there is none. */
static ssh_channel
new_channel(struct transport *t, char **cause)
{
	struct ssh_priv *p = priv(t);
	if (p->session == NULL || t->conn != CONN_UP) {
		set_cause(cause, "not connected");
		return NULL;
	}
	ssh_channel ch = ssh_channel_new(p->session);
	if (ch == NULL)
		set_cause(cause, "%s", ssh_error_text(p->session));
	return ch;
}

/* Closes a tunnel's or a stream's channel and frees it. */
static void
end_channel(ssh_channel ch)
{
	ssh_channel_close(ch);
	ssh_channel_free(ch);
}

static void
tunnel_unlink(struct ssh_priv *p, struct tunnel *tu)
{
	for (struct tunnel **pp = &p->tunnels; *pp != NULL; pp = &(*pp)->next)
		if (*pp == tu) {
			*pp = tu->next;
			break;
		}
	tu->next = NULL;
}

/* Takes the tunnel off the session, ends its channel and frees it. */
static void
tunnel_drop(struct ssh_priv *p, struct tunnel *tu)
{
	tunnel_unlink(p, tu);
	if (tu->channel != NULL && tu->opening)
		ssh_channel_free(tu->channel);
	else if (tu->channel != NULL)
		end_channel(tu->channel);
	free(tu->host);
	free(tu);
}

/*
 * Carries a tunnel's open on without waiting: the host's sshd answers it
 * only once its own connect() to the target is done, which for a target
 * that drops packets is minutes away. 1 when open, 0 while the host is
 * still connecting, -1 (and why) when it refused or the session is gone.
 */
static int
tunnel_advance(struct tunnel *tu, char **cause)
{
	if (tu->channel == NULL)
		return set_cause(cause, "tunnel to %s:%d: not connected", tu->host, tu->port);
	if (!tu->opening)
		return 1;
	ssh_session s = priv(tu->t)->session;
	ssh_set_blocking(s, 0);
	int rc = ssh_channel_open_forward(tu->channel, tu->host, tu->port, "127.0.0.1", 0);
	ssh_set_blocking(s, 1);
	if (rc == SSH_OK) {
		tu->opening = 0;
		return 1;
	}
	if (rc == SSH_AGAIN)
		return 0;
	/*
	 * The session keeps one error text, the last one set: the reason is
	 * sshd's only if the text is its open failure ("Channel opening
	 * failure: channel 46 error (2) Connection refused").
	 */
	const char *err = ssh_error_text(s), *why = "refused or closed by the host", *e;
	if (!ssh_is_connected(s))
		why = err;
	else if (strncmp(err, "Channel opening failure", 23) == 0 &&
	    (e = strstr(err, "error (")) != NULL && (e = strstr(e, ") ")) != NULL && e[2] != '\0')
		why = e + 2;
	set_cause(cause, "tunnel to %s:%d: %s", tu->host, tu->port, why);
	return -1;
}

/* Closes the waiting tunnels the host has answered. */
static void
reap_waiting(struct ssh_priv *p)
{
	struct tunnel *tu = p->tunnels;
	while (tu != NULL) {
		struct tunnel *next = tu->next;
		if (tu->waiting && tunnel_advance(tu, NULL) != 0)
			tunnel_drop(p, tu);
		tu = next;
	}
}

/*
 * The session is going: waiting tunnels are freed, those in use lose
 * their channel (their users see them closed) and leave the session.
 */
static void
tunnels_end_session(struct ssh_priv *p)
{
	while (p->tunnels != NULL) {
		struct tunnel *tu = p->tunnels;
		if (tu->waiting) {
			tunnel_drop(p, tu);
			continue;
		}
		tunnel_unlink(p, tu);
		ssh_channel_free(tu->channel);
		tu->channel = NULL;
	}
}

static struct tunnel *
ssh_tunnel_open(struct transport *t, const char *host, int port, char **cause)
{
	struct ssh_priv *p = priv(t);
	reap_waiting(p);
	for (struct tunnel *w = p->tunnels; w != NULL; w = w->next)
		if (w->waiting && w->port == port && strcmp(w->host, host) == 0) {
			set_cause(cause, "tunnel to %s:%d: still not connected after %d s", host, port,
			    (int)((mono_ms() - w->open_sent) / 1000));
			return NULL;
		}
	ssh_channel ch = new_channel(t, cause);
	if (ch == NULL)
		return NULL;
	struct tunnel *tu = xcalloc(1, sizeof *tu);
	tu->t = t;
	tu->channel = ch;
	tu->host = xstrdup(host);
	tu->port = port;
	tu->opening = 1;
	tu->open_sent = mono_ms();
	tu->next = p->tunnels;
	p->tunnels = tu;
	if (tunnel_advance(tu, cause) == -1) {
		tunnel_drop(p, tu);
		return NULL;
	}
	return tu;
}

/* Sends what waits for fd without blocking: 1 when all of it went, 0 when fd is full. */
static int
tunnel_flush(struct tunnel *tu, int fd)
{
	while (tu->pend_off < tu->pend_len) {
		ssize_t w = send(fd, tu->pend + tu->pend_off, tu->pend_len - tu->pend_off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		tu->pend_off += (size_t)w;
	}
	tu->pend_off = tu->pend_len = 0;
	return 1;
}

static int
ssh_tunnel_pump(struct tunnel *tu, int fd, char **cause)
{
	char chunk[16384];
	int moved = 0;
	int open = tunnel_advance(tu, cause);
	if (open <= 0)
		return open == 0 ? TUNNEL_OPENING : -1;
	/*
	 * host -> fd. The reader of fd runs on this thread, so waiting for it
	 * here would wait forever: what fd cannot take now stays in pend, and
	 * the channel is not read meanwhile (its window holds the host back).
	 */
	for (;;) {
		int f = tunnel_flush(tu, fd);
		if (f == -1)
			return -1;
		if (f == 0) {
			moved |= TUNNEL_FULL;
			break;
		}
		int n = ssh_channel_read_nonblocking(tu->channel, tu->pend, sizeof tu->pend, 0);
		if (n == SSH_ERROR)
			return -1;
		if (n <= 0)
			break;
		tu->pend_len = (size_t)n;
		moved |= TUNNEL_MOVED;
	}
	if (tu->pend_len == 0 && ssh_channel_is_eof(tu->channel) && !tu->eof_sent) {
		shutdown(fd, SHUT_WR);
		tu->eof_sent = 1;
	}
	/* fd -> host */
	for (;;) {
		ssize_t n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;	/* the client is done */
		moved |= TUNNEL_MOVED;
		if (ssh_channel_write(tu->channel, chunk, (uint32_t)n) != n)
			return -1;
	}
	/* closed: once what came before the close has been handed on */
	if (!ssh_channel_is_open(tu->channel) && tu->pend_len == 0)
		return -1;
	return moved;
}

static void
ssh_tunnel_close(struct tunnel **tp)
{
	struct tunnel *tu = *tp;
	*tp = NULL;
	if (tu == NULL)
		return;
	if (tu->channel != NULL && tu->opening && tunnel_advance(tu, NULL) == 0) {
		tu->waiting = 1;
		return;
	}
	tunnel_drop(priv(tu->t), tu);
}

struct stream {
	ssh_channel channel;
};

static struct stream *
ssh_stream_open(struct transport *t, const char *path, char **cause)
{
	struct ssh_priv *p = priv(t);
	ssh_channel ch = new_channel(t, cause);
	if (ch == NULL)
		return NULL;
	if (ssh_channel_open_forward_unix(ch, path, "127.0.0.1", 0) != SSH_OK) {
		set_cause(cause, "%s: %s", path, ssh_error_text(p->session));
		ssh_channel_free(ch);
		return NULL;
	}
	struct stream *st = xcalloc(1, sizeof *st);
	st->channel = ch;
	return st;
}

static int
ssh_stream_write(struct stream *st, const char *data, size_t len)
{
	return ssh_channel_write(st->channel, data, (uint32_t)len) == (int)len ? 0 : -1;
}

static int
ssh_stream_read(struct stream *st, struct buf *out)
{
	char chunk[16384];
	int total = 0;
	for (;;) {
		int n = ssh_channel_read_nonblocking(st->channel, chunk, sizeof chunk, 0);
		if (n == SSH_ERROR)
			return -1;
		if (n <= 0)
			break;
		buf_add(out, chunk, (size_t)n);
		total += n;
	}
	if (total == 0 && (ssh_channel_is_eof(st->channel) || !ssh_channel_is_open(st->channel)))
		return -1;
	return total;
}

static int
ssh_stream_pending(struct stream *st)
{
	return ssh_channel_poll(st->channel, 0) > 0;
}

static void
ssh_stream_close(struct stream **sp)
{
	struct stream *st = *sp;
	*sp = NULL;
	if (st == NULL)
		return;
	end_channel(st->channel);
	free(st);
}

static int
ssh_pollfd(struct transport *t)
{
	struct ssh_priv *p = t->priv;
	if (p == NULL || p->session == NULL || t->conn != CONN_UP)
		return -1;
	return (int)ssh_get_fd(p->session);
}

/* The file a new host key goes to: where OpenSSH would write it. */
static const char *
trust_file(struct transport *t)
{
	struct ssh_priv *p = priv(t);
	if (t->conf->known_hosts != NULL)
		return t->conf->known_hosts;
	if (p->have_sc && p->sc.userknownhosts.n > 0)
		return p->sc.userknownhosts.v[0];
	return "~/.ssh/known_hosts";
}

/*
 * Hashes a known_hosts line as OpenSSH does (HashKnownHosts), by
 * ssh-keygen -H on a private copy: the hashed line, or NULL and why.
 */
static char *
hash_line(const char *line, char **cause)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/sitrep-kh-XXXXXX", tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		set_cause(cause, "hashing the known_hosts line: %s", strerror(errno));
		free(dir);
		return NULL;
	}
	char *path = xasprintf("%s/kh", dir), *old = xasprintf("%s/kh.old", dir), *out = NULL;
	FILE *f = fopen(path, "w");
	int ok = f != NULL && fputs(line, f) >= 0;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	if (ok) {
		pid_t pid = fork();
		if (pid == 0) {
			int devnull = open("/dev/null", O_RDWR);
			if (devnull >= 0) {
				dup2(devnull, STDIN_FILENO);
				dup2(devnull, STDOUT_FILENO);
				dup2(devnull, STDERR_FILENO);
			}
			execlp("ssh-keygen", "ssh-keygen", "-q", "-H", "-f", path, (char *)NULL);
			_exit(127);
		}
		int status = -1;
		while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	if (ok && (f = fopen(path, "r")) != NULL) {
		char buf[8192];
		if (fgets(buf, sizeof buf, f) != NULL && strncmp(buf, "|1|", 3) == 0)
			out = xstrdup(buf);
		fclose(f);
	}
	if (out == NULL)
		set_cause(cause, "ssh-keygen -H could not hash the known_hosts line");
	unlink(path);
	unlink(old);
	rmdir(dir);
	free(path);
	free(old);
	free(dir);
	return out;
}

/*
 * Appends the host's key to the first known_hosts file, under the name
 * OpenSSH looks it up by, hashed when HashKnownHosts says so or the file
 * is hashed already. 0, or -1 and why (naming the file).
 */
static int
write_known(struct transport *t, ssh_session s, char **cause)
{
	struct ssh_priv *p = priv(t);
	const char *file = trust_file(t);
	known_name_set(s, &p->sc);
	char *entry = NULL;
	if (ssh_session_export_known_hosts_entry(s, &entry) != SSH_OK || entry == NULL)
		return set_cause(cause, "%s: cannot make the known_hosts line: %s", file,
		    ssh_error_text(s));
	char *line = entry[0] != '\0' && entry[strlen(entry) - 1] == '\n' ? xstrdup(entry) :
	    xasprintf("%s\n", entry);
	ssh_string_free_char(entry);
	if (p->sc.hashknownhosts || sshconf_file_hashed(file)) {
		char *h = hash_line(line, cause);
		free(line);
		if (h == NULL)
			return -1;
		line = h;
	}
	int rc = 0;
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		rc = set_cause(cause, "%s: %s", file, strerror(errno));
	else {
		size_t len = strlen(line);
		if (write(fd, line, len) != (ssize_t)len)
			rc = set_cause(cause, "%s: %s", file, strerror(errno));
		if (close(fd) == -1 && rc == 0)
			rc = set_cause(cause, "%s: %s", file, strerror(errno));
	}
	free(line);
	return rc;
}

int
transport_ssh_trust(const struct conf *c, const struct host_conf *h, const char *expect,
    char **fingerprint, char **file, char **cause)
{
	struct transport t;
	memset(&t, 0, sizeof t);
	t.host = h;
	t.conf = c;
	t.ops = &transport_ssh_ops;
	struct ssh_priv *p = priv(&t);
	int rc = -1;
	ssh_session s = session_new(c, h, p, cause);
	if (s == NULL)
		goto out;
	char *why = NULL;
	if (connect_checked(&t, s, &why) == 0) {
		if (fingerprint)
			*fingerprint = t.fingerprint ? xstrdup(t.fingerprint) : NULL;
		free(why);
		rc = 0;	/* already trusted */
		goto out;
	}
	if (t.conn != CONN_UNTRUSTED) {
		set_cause(cause, "%s", why ? why : "connection failed");
		free(why);
		goto out;
	}
	free(why);
	if (fingerprint)
		*fingerprint = t.fingerprint ? xstrdup(t.fingerprint) : NULL;
	if (expect != NULL && (t.fingerprint == NULL || strcmp(expect, t.fingerprint) != 0)) {
		set_cause(cause, "%s offered %s %s, not the expected %s: not trusted", h->name,
		    t.key_type, t.fingerprint ? t.fingerprint : "?", expect);
		goto out;
	}
	if (!p->have_sc) {
		if (ssh_session_update_known_hosts(s) != SSH_OK) {
			set_cause(cause, "could not write known_hosts: %s", ssh_error_text(s));
			goto out;
		}
	} else if (write_known(&t, s, cause) == -1)
		goto out;
	/* trusted only if the connect path now finds it */
	if (known_lookup(&t, s) != SSH_KNOWN_HOSTS_OK) {
		set_cause(cause, "wrote the key to %s, but it cannot be read back from there "
		    "(see UserKnownHostsFile): %s is still not trusted", trust_file(&t), h->name);
		goto out;
	}
	if (file != NULL)
		*file = xstrdup(trust_file(&t));
	rc = 1;	/* newly trusted */
out:
	if (s != NULL) {
		ssh_disconnect(s);
		ssh_free(s);
	}
	free(t.fingerprint);
	free(t.key_type);
	sshconf_clear(&p->sc);
	free(t.priv);
	return rc;
}

const struct transport_ops transport_ssh_ops = {
	.name = "ssh",
	.connect = ssh_connect_transport,
	.script_start = ssh_script_start,
	.script_poll = ssh_script_poll,
	.script_finish = ssh_script_finish,
	.exec = ssh_exec,
	.tunnel_open = ssh_tunnel_open,
	.tunnel_pump = ssh_tunnel_pump,
	.tunnel_close = ssh_tunnel_close,
	.stream_open = ssh_stream_open,
	.stream_write = ssh_stream_write,
	.stream_read = ssh_stream_read,
	.stream_close = ssh_stream_close,
	.stream_pending = ssh_stream_pending,
	.pollfd = ssh_pollfd,
	.disconnect = ssh_disconnect_transport,
	.free = ssh_free_transport,
};
