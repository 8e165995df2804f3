/*
 * cmd: the command line. Global options, then a command, then (for some)
 * a subcommand. Each command is a const struct cmd_entry in its own
 * src/cmd-NAME.c file: its usage, its options as a table and the function
 * that runs it. The table is parsed once, here, for every command alike:
 * an unknown option, an option given twice, a missing or empty value and
 * an argument the command does not take are errors, never ignored.
 *
 * What a command needs (the configuration, the store, the incident it acts
 * on, the runbooks) is said by its flags and set up in one place before it
 * runs, and torn down in one place after.
 */
#ifndef SITREP_CMD_H
#define SITREP_CMD_H

#include "conf.h"
#include "incident.h"
#include "library.h"
#include "store.h"
#include "util.h"

/*
 * Exit codes. Usage and configuration errors exit 2, failures 1. Commands
 * whose exit code reports the fleet's state (status, hosts) follow the
 * monitoring-plugin convention instead: their own errors are 3 (UNKNOWN),
 * so that a monitoring system never reads sitrep's own error as CRIT.
 */
#define EXIT_FAILURE_CMD 1
#define EXIT_USAGE 2
#define EXIT_MONITOR_UNKNOWN 3

/* Values of option arguments and positional arguments are at most this long. */
#define CMD_ARG_MAX (64 * 1024)

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

enum cmd_opt_type {
	OPT_FLAG,			/* --json */
	OPT_VALUE,			/* --title TEXT, at most once */
	OPT_LIST,			/* --host H, repeatable */
};

struct cmd_opt {
	const char *name;		/* long name, without "--" */
	char short_name;		/* 0: none */
	enum cmd_opt_type type;
	const char *meta;		/* the value's name in the help: "TEXT" */
	const char *help;
};

/* What a command needs before it runs (struct cmd_entry.flags). */
#define CMD_CONF	0x001	/* the configuration (-c, -F, -H) */
#define CMD_STORE	0x002	/* the store, read-write (created if new) */
#define CMD_STORE_RO	0x004	/* the store, read-only (must exist) */
#define CMD_INCIDENT	0x008	/* one incident: -i ID, else the newest open one */
#define CMD_ID_ARG	0x010	/* ... which may also be the first argument */
#define CMD_ID_NEEDED	0x020	/* ... and must be given (no default) */
#define CMD_LIBRARY	0x040	/* the runbooks (search path and --runbook) */
#define CMD_MONITOR	0x080	/* its own errors exit 3 (status, hosts) */
#define CMD_WRITES	0x100	/* changes the incident: refused once resolved */

struct cmd_ctx;

struct cmd_entry {
	const char *name;
	const char *usage;		/* after "sitrep [PARENT] NAME " */
	const char *summary;
	const struct cmd_opt *opts;	/* ends with { NULL } */
	int args_min, args_max;		/* positional arguments; args_max -1: any */
	int flags;
	const struct cmd_entry *const *sub;	/* subcommands, NULL-terminated */
	const char *sub_default;	/* the subcommand when none is named */
	int (*run)(struct cmd_ctx *);
};

/* The parsed command line of one command. */
struct cmd_args {
	const struct cmd_opt *opts;
	size_t nopts;
	struct strv *values;		/* per option: every value given, in order */
	int *seen;			/* per option: times given */
	int argc;			/* positional arguments */
	char **argv;
};

struct cmd_ctx {
	struct globals *g;
	const struct cmd_entry *entry;
	char *name;			/* "incident open", for messages */
	struct cmd_args args;
	struct conf conf;		/* CMD_CONF */
	int conf_loaded;
	struct store *store;		/* CMD_STORE, CMD_STORE_RO */
	char *store_path;
	struct recorder rec;		/* with a read-write store */
	struct library lib;		/* CMD_LIBRARY */
	int64_t id;			/* CMD_INCIDENT: the incident acted on */
};

int sitrep_main(int argc, char **argv);

/* The command table, for help and for the tests that sweep it. */
const struct cmd_entry *const *cmd_table(void);

/*
 * Parses argv (argv[0] is the command's name) against the entry's option
 * table. Options may come anywhere before "--"; everything after "--" is
 * positional. 0, or -1 with *cause naming the option or argument.
 */
int cmd_args_parse(const struct cmd_entry *, int argc, char **argv, struct cmd_args *,
    char **cause);
void cmd_args_free(struct cmd_args *);

/* The value of an OPT_VALUE option, or NULL when not given. */
const char *cmd_opt(const struct cmd_ctx *, const char *name);
/* Nonzero if a flag (or any option) was given. */
int cmd_flag(const struct cmd_ctx *, const char *name);
/* Every value of an OPT_LIST option (never NULL). */
const struct strv *cmd_opt_list(const struct cmd_ctx *, const char *name);
/*
 * Typed values of OPT_VALUE options, each left untouched when the option is
 * not given. -1 after printing an error quoting the value (the caller
 * returns EXIT_USAGE).
 */
int cmd_opt_int(const struct cmd_ctx *, const char *name, long long min, long long max,
    long long *out);
int cmd_opt_duration(const struct cmd_ctx *, const char *name, int64_t *out_s);
/* A time in the past: "2026-11-21T03:12:00Z" (not in the future, not before 2000). */
int cmd_opt_time(const struct cmd_ctx *, const char *name, int64_t *out_ms);
/* Validates a time string (as cmd_opt_time); what names it in the message. */
int cmd_parse_time(const char *what, const char *value, int64_t *out_ms);

/*
 * Loads the configuration the globals point at (or the default), adds -H
 * hosts and -F; with no host at all, this machine. -1 with *cause.
 */
int globals_load_conf(struct globals *, struct conf *, char **cause);
/* The store path: --db, the config's db, or $XDG_DATA_HOME/sitrep/sitrep.db. */
char *globals_db_path(const struct globals *, const struct conf *);
/*
 * One look at the fleet for a subcommand: the configuration (restricted to
 * the named hosts, if any), a read-only fleet and its wake pipe, after every
 * host's first cycle. -1 with *cause (the configuration, an unknown host).
 */
struct fleet_once {
	struct fleet *fleet;
	int wake[2];
};
#define CMD_FLEET_NO_WAIT 0x10000	/* return at once, not after the first cycle */
int cmd_fleet_once(struct cmd_ctx *, char **hosts, int nhosts, int flags, struct fleet_once *,
    char **cause);
void cmd_fleet_once_end(struct fleet_once *);

/* Prints the command's usage to stderr; returns its usage exit code. */
int cmd_usage(const struct cmd_ctx *);
/* Prints "sitrep: MESSAGE" (sanitized, cut to a readable length) to stderr; returns code. */
int cmd_error(int code, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* The exit code for a usage or configuration error of this command (2, or 3). */
int cmd_usage_code(const struct cmd_ctx *);

/*
 * Writes to stdout; the caller returns cmd_output_ok() at the end, which
 * flushes and turns a write error (a full disk, a closed pipe) into exit 1
 * with a message.
 */
int cmd_output_ok(int rc);

/*
 * (Re)loads the runbooks: the search path, --runbook files and, when spec
 * names a file ("FILE" or "FILE#N"), that file. -1 after a message.
 */
int cmd_library(struct cmd_ctx *, const char *spec);
/* The console (wall 0) or the wall (1): cmd-console.c. */
int cmd_console_run(struct cmd_ctx *, int wall);
/* The incident acted on, loaded: -1 with a message printed. */
int cmd_incident_get(struct cmd_ctx *, struct incident *);

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
extern const struct cmd_entry cmd_store_entry;

#endif
