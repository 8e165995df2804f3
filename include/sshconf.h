/*
 * sshconf: a host's ssh settings as OpenSSH resolves them. `ssh -G` is
 * asked (once per connect, in the worker, bounded in time), so Include,
 * Match (host, user, exec, ...), HostKeyAlias and every list keyword mean
 * for sitrep what they mean for ssh; libssh's own reading of the config
 * covers only part of that.
 */
#ifndef SITREP_SSHCONF_H
#define SITREP_SSHCONF_H

#include <stddef.h>

#include "util.h"

struct sshconf {
	char *hostname;
	char *user;
	int port;
	char *hostkeyalias;		/* NULL: none */
	char *proxyjump;		/* NULL: none */
	char *proxycommand;		/* NULL: none */
	char *identityagent;		/* NULL: the default; "none": no agent */
	int identitiesonly;
	int hashknownhosts;
	int connecttimeout;		/* seconds; 0: none */
	int serveraliveinterval;
	struct strv userknownhosts;	/* ~ expanded */
	struct strv globalknownhosts;
	struct strv identityfiles;
	struct strv certificatefiles;
};

/*
 * Runs `ssh -G [-F config] [-l user] [-p port] host` with a time limit and
 * reads what it printed into *out. 0; 1 when no ssh client is installed
 * (the caller falls back on libssh's reading); -1 with *cause (ssh's own
 * complaint about the config, a timeout, out of descriptors).
 */
int sshconf_resolve(const char *config, const char *host, const char *user, int port,
    int timeout_ms, struct sshconf *out, char **cause);
void sshconf_clear(struct sshconf *);

/*
 * The name a known_hosts line has for this host, as OpenSSH looks it up:
 * the HostKeyAlias, else the host name, with [ ]:port when the port is not 22.
 */
char *sshconf_known_name(const struct sshconf *);

/*
 * Whether any known_hosts file in files marks key (base64) @revoked: 1, 0.
 * Revocation is checked whatever the host pattern of the line says.
 */
int sshconf_key_revoked(const struct strv *files, const char *key_b64);
/* Whether any of the files has a @cert-authority line: 1, 0. */
int sshconf_has_cert_authority(const struct strv *files);
/* Whether the file holds hashed (|1|) host names: 1, 0. */
int sshconf_file_hashed(const char *path);

#endif
