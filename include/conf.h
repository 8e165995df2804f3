/*
 * conf: sitrep.conf, the command line's -H hosts and the embedded default.
 *
 * The file is ssh_config-like: global keys first, then "host NAME" and
 * "notify NAME" blocks whose keys are indented. conf_parse() is pure (text
 * in, struct out) so it can be tested and fuzzed; conf_load() reads a file.
 * Every error names file:line and what was expected.
 */
#ifndef SITREP_CONF_H
#define SITREP_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum containers_kind {
	CONTAINERS_AUTO,	/* docker, else podman, else none; a silent engine is not an alarm */
	CONTAINERS_DOCKER,
	CONTAINERS_PODMAN,
	CONTAINERS_NONE,
};

enum transport_kind {
	TRANSPORT_SSH,
	TRANSPORT_LOCAL,
};

struct check_conf {
	char *name;
	char *command;		/* expanded: what runs */
	char *command_shown;	/* as written: what is displayed */
	char *expect;		/* POSIX extended regex, or NULL */
	char *missing_env;	/* an unset ${VAR} it needs: the check is UNKNOWN */
	int line;
};

struct health_conf {
	char *name;
	char *url;		/* expanded */
	char *url_shown;	/* as written (secrets stay ${VAR}) */
	int via_ssh;
	char *method;		/* GET, POST, HEAD */
	int expect_status;	/* 0: any 2xx */
	char *json_key;		/* dotted path, or NULL */
	char *json_value;
	int timeout_s;		/* 0: the host's timeout */
	int slow_ms;		/* latency above this is WARN; 0: never */
	char *missing_env;	/* an unset ${VAR} it needs: the check is UNKNOWN */
	int line;
};

struct service_conf {
	char *name;
	int64_t rto_s;
	int64_t rpo_s;
};

struct host_conf {
	char *name;		/* what the operator calls it, and the ssh alias */
	char *address;		/* NULL: the name (resolved through ssh_config) */
	char *user;
	int port;		/* 0: from ssh_config */
	enum transport_kind transport;
	int interval_s;
	int timeout_s;
	enum containers_kind containers;
	struct strv units;
	struct check_conf *checks;
	size_t nchecks;
	struct health_conf *health;
	size_t nhealth;
	int disk_warn, disk_crit;
	int mem_warn, mem_crit;
	double load_warn, load_crit;	/* per core */
	struct strv tags;
	int64_t rto_s, rpo_s;	/* 0: the global value */
	struct service_conf *services;
	size_t nservices;
	int line;
};

#define NOTIFY_EV_OPEN		0x1
#define NOTIFY_EV_SEVERITY	0x2
#define NOTIFY_EV_MILESTONE	0x4
#define NOTIFY_EV_RESOLVE	0x8
#define NOTIFY_EV_NOTE		0x10
#define NOTIFY_EV_TEST		0x100
#define NOTIFY_EV_ALL		0x1f

enum notify_kind {
	NOTIFY_SLACK,
	NOTIFY_TELEGRAM,
	NOTIFY_JSON,
};

struct notify_conf {
	char *name;
	enum notify_kind kind;
	char *url;		/* expanded; for telegram the API base */
	char *token;		/* telegram bot token (a secret) */
	char *chat_id;
	int events;
	int timeout_s;
	char *missing_env;	/* an unset ${VAR}: the target is off */
	int line;
};

struct conf {
	char *path;		/* NULL for the embedded default */
	int interval_s;
	int timeout_s;
	char *ssh_config;	/* NULL: ~/.ssh/config */
	char *known_hosts;	/* NULL: ~/.ssh/known_hosts */
	char *identity;		/* extra key, or NULL */
	char *theme;
	char *operator_name;
	char *db;
	int64_t target_s[4];	/* response targets P0..P3 */
	int64_t rto_s, rpo_s;
	int disk_warn, disk_crit;
	int mem_warn, mem_crit;
	double load_warn, load_crit;
	int stats_every;	/* docker stats every N cycles; 0: never */
	int log_lines;
	struct host_conf *hosts;
	size_t nhosts;
	struct notify_conf *notify;
	size_t nnotify;
};

/* Sets defaults (no hosts). */
void conf_init(struct conf *);
/*
 * Parses text (from path, for messages) into conf, which conf_init() must
 * have prepared. Environment references are expanded with getenv(); each
 * expanded value is registered as a secret. Returns 0, or -1 with *cause
 * "path:line: what was expected".
 */
int conf_parse(struct conf *, const char *text, size_t len, const char *path, char **cause);
/* conf_init() then conf_parse() of the file. */
int conf_load(struct conf *, const char *path, char **cause);
/* Adds a host from "-H [user@]host[:port]". */
int conf_add_cli_host(struct conf *, const char *spec, char **cause);
/* With no host configured: this machine over the local transport. */
void conf_default_fleet(struct conf *);
/* Index of the host called name, or -1. */
int conf_find_host(const struct conf *, const char *name);
/*
 * Keeps only the named hosts, each once, in the order given (a name given
 * twice counts once). -1 with *cause if one is unknown (conf unchanged).
 */
int conf_keep_hosts(struct conf *, char **names, int n, char **cause);
/* The RTO/RPO that applies to a host or service (global as fallback). */
int64_t conf_rto(const struct conf *, const char *host, const char *service);
int64_t conf_rpo(const struct conf *, const char *host, const char *service);
void conf_free(struct conf *);

/* "90", "90s", "15m", "1h", "1d", "1h30m": seconds, or -1. */
int64_t conf_parse_duration(const char *);

enum conf_block { CONF_BLOCK_GLOBAL, CONF_BLOCK_HOST, CONF_BLOCK_NOTIFY };
/* Adds the keys a block takes to out, from the tables that read them. */
void conf_key_names(enum conf_block, struct strv *out);

#endif
