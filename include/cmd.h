/*
 * cmd: the command line. Global options, then a subcommand; each
 * subcommand lives in its own cmd-*.c file with its usage and its function,
 * collected in cmd_table[].
 */
#ifndef SITREP_CMD_H
#define SITREP_CMD_H

#include "conf.h"
#include "util.h"

/* Exit codes shared by every subcommand. */
#define EXIT_USAGE 2		/* bad options, bad configuration */

struct globals {
	const char *conf_path;		/* -c */
	const char *ssh_config;		/* -F */
	struct strv hosts;		/* -H, repeatable */
	const char *db;			/* --db */
	const char *theme;		/* --theme */
	const char *log;		/* --log */
	struct strv runbooks;		/* --runbook, repeatable */
	const char *program;
};

struct cmd_entry {
	const char *name;
	const char *usage;		/* after "sitrep NAME " */
	const char *summary;
	int (*run)(struct globals *, int argc, char **argv);
};

int sitrep_main(int argc, char **argv);
/*
 * Loads the configuration the globals point at (or the default), adds -H
 * hosts and -F; with no host at all, this machine. -1 with *cause.
 */
int globals_load_conf(struct globals *, struct conf *, char **cause);
/* The store path: --db, the config's db, or $XDG_DATA_HOME/sitrep/sitrep.db. */
char *globals_db_path(const struct globals *, const struct conf *);
/* Keeps only the named hosts; -1 with *cause if one is unknown. */
int conf_keep_hosts(struct conf *, char **names, int n, char **cause);
/*
 * One look at the fleet for a subcommand: the configuration (restricted to
 * the named hosts, if any), a read-only fleet and its wake pipe, after every
 * host's first cycle. -1 with *cause (the configuration, an unknown host).
 */
struct fleet_once {
	struct conf conf;
	struct fleet *fleet;
	int wake[2];
};
int cmd_fleet_once(struct globals *, char **hosts, int nhosts, struct fleet_once *, char **cause);
void cmd_fleet_once_end(struct fleet_once *);

/* Prints "sitrep NAME USAGE" to stderr and returns EXIT_USAGE. */
int cmd_usage(const struct cmd_entry *);
/* Prints an error (sanitized) to stderr; returns code. */
int cmd_error(int code, const char *fmt, ...) ATTR_PRINTF(2, 3);

extern const struct cmd_entry cmd_console_entry;
extern const struct cmd_entry cmd_wall_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_hosts_entry;
extern const struct cmd_entry cmd_logs_entry;
extern const struct cmd_entry cmd_incident_entry;
extern const struct cmd_entry cmd_runbook_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_stats_entry;
extern const struct cmd_entry cmd_notify_entry;

#endif
