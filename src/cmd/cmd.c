/*
 * cmd: global options, the command table, the one parser of every
 * command's options and the one place that opens what a command needs.
 * See cmd.h.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libssh/libssh.h>

#include "cmd.h"
#include "fleet.h"
#include "notify.h"
#include "sanitize.h"
#include "transport.h"

static const struct cmd_entry *const commands[] = {
	&cmd_console_entry,
	&cmd_wall_entry,
	&cmd_status_entry,
	&cmd_hosts_entry,
	&cmd_logs_entry,
	&cmd_incident_entry,
	&cmd_runbook_entry,
	&cmd_report_entry,
	&cmd_stats_entry,
	&cmd_notify_entry,
	&cmd_store_entry,
	NULL,
};

const struct cmd_entry *const *
cmd_table(void)
{
	return commands;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: sitrep [-c FILE] [-F SSH_CONFIG] [-H [USER@]HOST[:PORT]]... [--db FILE]\n"
	    "              [--theme NAME] [--log FILE] [--runbook FILE]... [COMMAND [ARGS]]\n"
	    "\n"
	    "A terminal incident console. With no command, the console.\n"
	    "\n"
	    "commands:\n");
	for (size_t i = 0; commands[i] != NULL; i++)
		fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
	    "\n"
	    "options:\n"
	    "  -c FILE        configuration (default $XDG_CONFIG_HOME/sitrep/sitrep.conf)\n"
	    "  -F FILE        ssh config to read instead of ~/.ssh/config\n"
	    "  -H HOST        watch this host (repeatable; adds to the configuration)\n"
	    "  --db FILE      incident store (default $XDG_DATA_HOME/sitrep/sitrep.db)\n"
	    "  --theme NAME   colour theme (dark, light, high-contrast, mono)\n"
	    "  --log FILE     write a diagnostic log\n"
	    "  --runbook FILE a runbook file besides the runbook directories (repeatable)\n"
	    "  -h, --help     this help\n"
	    "  -V, --version  the version\n"
	    "\n"
	    "'sitrep COMMAND --help' shows a command's options. See sitrep(1) and sitrep.conf(5).\n");
}

int
cmd_usage_code(const struct cmd_ctx *x)
{
	return x != NULL && x->entry != NULL && (x->entry->flags & CMD_MONITOR) ?
	    EXIT_MONITOR_UNKNOWN : EXIT_USAGE;
}

static void
print_usage(FILE *out, const char *name, const struct cmd_entry *e)
{
	fprintf(out, "usage: sitrep %s %s\n", name, e->usage);
}

/* The help of one command: usage, summary, its subcommands and options. */
static void
print_help(const char *name, const struct cmd_entry *e)
{
	print_usage(stdout, name, e);
	printf("\n%s\n", e->summary);
	if (e->sub != NULL) {
		printf("\nsubcommands:\n");
		for (size_t i = 0; e->sub[i] != NULL; i++)
			printf("  %-10s %s\n", e->sub[i]->name, e->sub[i]->summary);
	}
	if (e->opts != NULL && e->opts[0].name != NULL) {
		printf("\noptions:\n");
		for (const struct cmd_opt *o = e->opts; o->name != NULL; o++) {
			char left[64];
			if (o->short_name)
				snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
				    o->type == OPT_FLAG ? "" : " ", o->type == OPT_FLAG ? "" : o->meta);
			else
				snprintf(left, sizeof left, "--%s%s%s", o->name,
				    o->type == OPT_FLAG ? "" : " ", o->type == OPT_FLAG ? "" : o->meta);
			printf("  %-26s %s%s\n", left, o->help,
			    o->type == OPT_LIST ? " (repeatable)" : "");
		}
	}
}

int
cmd_usage(const struct cmd_ctx *x)
{
	print_usage(stderr, x->name, x->entry);
	fprintf(stderr, "'sitrep %s --help' for more\n", x->name);
	return cmd_usage_code(x);
}

/* Longer messages are cut: a 1 MB argument must not become a 1 MB message. */
#define CMD_ERROR_MAX 1000

int
cmd_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* a cause that already names sitrep (its own failure) is not named twice */
	char *safe = sanitize_str(strncmp(msg, "sitrep: ", 8) == 0 ? msg + 8 : msg);
	size_t len = strlen(safe);
	if (len > CMD_ERROR_MAX) {
		size_t cut = CMD_ERROR_MAX;
		while (cut > 0 && ((unsigned char)safe[cut] & 0xc0) == 0x80)
			cut--;
		fprintf(stderr, "sitrep: %.*s\xe2\x80\xa6\n", (int)cut, safe);
	} else
		fprintf(stderr, "sitrep: %s\n", safe);
	free(safe);
	free(msg);
	return code;
}

int
cmd_output_ok(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	int e = errno ? errno : EIO;
	clearerr(stdout);
	cmd_error(1, "cannot write the output: %s", strerror(e));
	return 1;
}

/* --- the option parser ------------------------------------------------------------- */

static size_t
opts_count(const struct cmd_opt *o)
{
	size_t n = 0;
	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

static const struct cmd_opt *
opt_long(const struct cmd_args *a, const char *name, size_t len, size_t *index)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (strlen(a->opts[i].name) == len && strncmp(a->opts[i].name, name, len) == 0) {
			*index = i;
			return &a->opts[i];
		}
	return NULL;
}

static const struct cmd_opt *
opt_short(const struct cmd_args *a, char c, size_t *index)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (a->opts[i].short_name != 0 && a->opts[i].short_name == c) {
			*index = i;
			return &a->opts[i];
		}
	return NULL;
}

/* How an option is named in messages: "--title" (and "-t" when so written). */
static void
opt_label(char *out, size_t n, const struct cmd_opt *o)
{
	snprintf(out, n, "--%s", o->name);
}

/* An argument's value is refused if empty or too long; -1 with *cause. */
static int
value_check(const char *what, const char *v, char **cause)
{
	if (*v == '\0')
		return set_cause(cause, "%s: the value is empty", what);
	size_t len = strlen(v);
	if (len > CMD_ARG_MAX)
		return set_cause(cause, "%s: %zu bytes, at most %d", what, len, CMD_ARG_MAX);
	return 0;
}

static int
opt_take(struct cmd_args *a, size_t i, const char *value, char **cause)
{
	const struct cmd_opt *o = &a->opts[i];
	char label[64];
	opt_label(label, sizeof label, o);
	if (a->seen[i] > 0 && o->type != OPT_LIST)
		return set_cause(cause, "%s given twice", label);
	a->seen[i]++;
	if (o->type == OPT_FLAG)
		return 0;
	if (value == NULL)
		return set_cause(cause, "%s needs a value (%s)", label, o->meta);
	if (value_check(label, value, cause) == -1)
		return -1;
	strv_add(&a->values[i], value);
	return 0;
}

/* "--name" or "--name=value"; *used is set when the next argument was taken. */
static int
parse_long(struct cmd_args *a, const char *arg, const char *next, int *used, char **cause)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	size_t i;
	const struct cmd_opt *o = opt_long(a, name, len, &i);
	if (o == NULL)
		return set_cause(cause, "unknown option '--%.*s'", (int)(len > 64 ? 64 : len), name);
	if (o->type == OPT_FLAG) {
		if (eq != NULL)
			return set_cause(cause, "--%s takes no value", o->name);
		return opt_take(a, i, NULL, cause);
	}
	if (eq != NULL)
		return opt_take(a, i, eq + 1, cause);
	*used = next != NULL;
	return opt_take(a, i, next, cause);
}

/* "-x", "-xVALUE", "-x VALUE", or flags together ("-jv"). */
static int
parse_short(struct cmd_args *a, const char *arg, const char *next, int *used, char **cause)
{
	for (const char *p = arg + 1; *p != '\0'; p++) {
		size_t i;
		const struct cmd_opt *o = opt_short(a, *p, &i);
		if (o == NULL) {
			if ((unsigned char)*p < 0x80 && *p > ' ')
				return set_cause(cause, "unknown option '-%c'", *p);
			return set_cause(cause, "unknown option '%s'", str_quote_short(arg));
		}
		if (o->type == OPT_FLAG) {
			if (opt_take(a, i, NULL, cause) == -1)
				return -1;
			continue;
		}
		if (p[1] != '\0')
			return opt_take(a, i, p + 1, cause);
		*used = next != NULL;
		return opt_take(a, i, next, cause);
	}
	return 0;
}

/* 1 if arg is "-h" or "--help" (asks for the help). */
static int
is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int
cmd_args_parse(const struct cmd_entry *e, int argc, char **argv, struct cmd_args *a,
    char **cause)
{
	memset(a, 0, sizeof *a);
	a->opts = e->opts;
	a->nopts = opts_count(e->opts);
	a->values = xcalloc(a->nopts + 1, sizeof *a->values);
	a->seen = xcalloc(a->nopts + 1, sizeof *a->seen);
	a->argv = xcalloc((size_t)argc + 1, sizeof *a->argv);
	int dashdash = 0;
	for (int k = 1; k < argc; k++) {
		const char *arg = argv[k], *next = k + 1 < argc ? argv[k + 1] : NULL;
		int used = 0, rc = 0;
		if (dashdash || arg[0] != '-' || arg[1] == '\0') {
			a->argv[a->argc++] = argv[k];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (arg[1] == '-')
			rc = parse_long(a, arg, next, &used, cause);
		else
			rc = parse_short(a, arg, next, &used, cause);
		if (rc == -1)
			return -1;
		k += used;
	}
	for (int k = 0; k < a->argc; k++) {
		char what[32];
		snprintf(what, sizeof what, "argument %d", k + 1);
		if (value_check(what, a->argv[k], cause) == -1)
			return -1;
	}
	return 0;
}

void
cmd_args_free(struct cmd_args *a)
{
	for (size_t i = 0; a->values != NULL && i < a->nopts; i++)
		strv_free(&a->values[i]);
	free(a->values);
	free(a->seen);
	free(a->argv);
	memset(a, 0, sizeof *a);
}

static ssize_t
opt_index(const struct cmd_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->args.nopts; i++)
		if (strcmp(x->args.opts[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

const char *
cmd_opt(const struct cmd_ctx *x, const char *name)
{
	ssize_t i = opt_index(x, name);
	if (i < 0 || x->args.values[i].n == 0)
		return NULL;
	return x->args.values[i].v[x->args.values[i].n - 1];
}

int
cmd_flag(const struct cmd_ctx *x, const char *name)
{
	ssize_t i = opt_index(x, name);
	return i >= 0 && x->args.seen[i] > 0;
}

const struct strv *
cmd_opt_list(const struct cmd_ctx *x, const char *name)
{
	static const struct strv empty;
	ssize_t i = opt_index(x, name);
	return i < 0 ? &empty : &x->args.values[i];
}

int
cmd_opt_int(const struct cmd_ctx *x, const char *name, long long min, long long max,
    long long *out)
{
	const char *v = cmd_opt(x, name);
	if (v == NULL)
		return 0;
	if (parse_int(v, min, max, out) == -1) {
		cmd_error(EXIT_USAGE, "--%s '%s': expected a whole number from %lld to %lld", name,
		    str_quote_short(v), min, max);
		return -1;
	}
	return 0;
}

int
cmd_opt_duration(const struct cmd_ctx *x, const char *name, int64_t *out_s)
{
	const char *v = cmd_opt(x, name);
	if (v == NULL)
		return 0;
	int64_t d = conf_parse_duration(v);
	if (d < 0) {
		cmd_error(EXIT_USAGE, "--%s '%s': expected a duration (0s, 90s, 15m, 1h, 1d, 1h30m)",
		    name, str_quote_short(v));
		return -1;
	}
	*out_s = d;
	return 0;
}

/* A minute of clock skew between machines is not "the future". */
#define CMD_TIME_SKEW_MS (60 * 1000)
/* Nothing sitrep records happened before this (2000-01-01). */
#define CMD_TIME_MIN_MS 946684800000LL

int
cmd_parse_time(const char *what, const char *v, int64_t *out_ms)
{
	int64_t ms;
	if (parse_utc(v, &ms) == -1) {
		cmd_error(EXIT_USAGE, "%s '%s': expected a UTC time such as 2026-11-21T03:12:00Z "
		    "or 2026-11-21 03:12", what, str_quote_short(v));
		return -1;
	}
	if (ms > wall_ms() + CMD_TIME_SKEW_MS) {
		cmd_error(EXIT_USAGE, "%s '%s': that is in the future", what, str_quote_short(v));
		return -1;
	}
	if (ms < CMD_TIME_MIN_MS) {
		cmd_error(EXIT_USAGE, "%s '%s': that is before 2000", what, str_quote_short(v));
		return -1;
	}
	*out_ms = ms;
	return 0;
}

int
cmd_opt_time(const struct cmd_ctx *x, const char *name, int64_t *out_ms)
{
	const char *v = cmd_opt(x, name);
	if (v == NULL)
		return 0;
	char what[64];
	snprintf(what, sizeof what, "--%s", name);
	return cmd_parse_time(what, v, out_ms);
}

/* --- configuration, store, incident ------------------------------------------------ */

int
globals_load_conf(struct globals *g, struct conf *c, char **cause)
{
	char *path = NULL;
	int explicit = g->conf_path != NULL;
	if (explicit)
		path = xstrdup(g->conf_path);
	else {
		char *dir = xdg_dir("config");
		path = xasprintf("%s/sitrep.conf", dir);
		free(dir);
	}
	if (explicit || access(path, F_OK) == 0) {
		if (conf_load(c, path, cause) == -1) {
			free(path);
			return -1;
		}
	} else
		conf_init(c);
	free(path);
	if (g->ssh_config != NULL) {
		free(c->ssh_config);
		c->ssh_config = xstrdup(g->ssh_config);
	}
	/* libssh would block on a FIFO: what it reads must be a file */
	if (c->ssh_config != NULL && file_check_regular(c->ssh_config, cause) == -1)
		return -1;
	for (size_t i = 0; i < g->hosts.n; i++)
		if (conf_add_cli_host(c, g->hosts.v[i], cause) == -1)
			return -1;
	conf_default_fleet(c);
	return 0;
}

char *
globals_db_path(const struct globals *g, const struct conf *c)
{
	if (g->db != NULL)
		return xstrdup(g->db);
	if (c != NULL && c->db != NULL)
		return xstrdup(c->db);
	char *dir = xdg_dir("data");
	char *path = xasprintf("%s/sitrep.db", dir);
	free(dir);
	return path;
}

int
cmd_fleet_once(struct cmd_ctx *x, char **hosts, int nhosts, int flags, struct fleet_once *o,
    char **cause)
{
	memset(o, 0, sizeof *o);
	o->wake[0] = o->wake[1] = -1;
	if (conf_keep_hosts(&x->conf, hosts, nhosts, cause) == -1)
		return -1;
	if (wake_pipe(o->wake) == -1) {
		if (errno == EMFILE || errno == ENFILE)
			return transport_fd_error(NULL, errno, cause);
		return set_cause(cause, "cannot create a pipe: %s", strerror(errno));
	}
	o->fleet = fleet_start(&x->conf, o->wake[1], FLEET_ONESHOT | (flags & ~CMD_FLEET_NO_WAIT));
	if (!(flags & CMD_FLEET_NO_WAIT))
		fleet_wait_all(o->fleet, o->wake[0], fleet_first_cycle_bound(&x->conf));
	return 0;
}

void
cmd_fleet_once_end(struct fleet_once *o)
{
	fleet_stop(&o->fleet);
	for (int i = 0; i < 2; i++)
		if (o->wake[i] >= 0)
			close(o->wake[i]);
	o->wake[0] = o->wake[1] = -1;
}

static int64_t
parse_id(const char *s)
{
	long long v;
	if (parse_int(s, 1, (long long)1 << 50, &v) == -1)
		return -1;
	return v;
}

/* The incident the command acts on: -i ID, the first argument, or the newest open. */
static int
ctx_incident(struct cmd_ctx *x)
{
	const char *given = cmd_opt(x, "id");
	if ((x->entry->flags & CMD_ID_ARG) && x->args.argc > 0) {
		const char *arg = x->args.argv[0];
		if (given != NULL && strcmp(given, arg) != 0)
			return cmd_error(EXIT_USAGE, "two incidents named: -i %s and %s",
			    str_quote_short(given), str_quote_short(arg)), -1;
		given = arg;
		/* the array is owned: shift its contents, not the pointer */
		memmove(x->args.argv, x->args.argv + 1,
		    (size_t)x->args.argc * sizeof *x->args.argv);
		x->args.argc--;
	}
	char *cause = NULL;
	if (given != NULL) {
		if ((x->id = parse_id(given)) < 0)
			return cmd_error(EXIT_USAGE, "'%s' is not an incident id (a number from "
			    "'sitrep incident list')", str_quote_short(given)), -1;
		struct incident in;
		if (store_incident_get(x->store, x->id, &in, &cause) == -1) {
			cmd_error(1, "%s", cause);
			free(cause);
			return -1;
		}
		incident_clear(&in);
		return 0;
	}
	if (x->entry->flags & CMD_ID_NEEDED)
		return cmd_error(EXIT_USAGE, "which incident? 'sitrep %s ID' (see 'sitrep incident "
		    "list')", x->name), -1;
	struct incident in;
	int found = store_incident_open_latest(x->store, &in, &cause);
	if (found <= 0) {
		cmd_error(1, "%s", found == -1 ? cause : "no open incident (open one with "
		    "'sitrep incident open', or name one with -i ID)");
		free(cause);
		return -1;
	}
	x->id = in.id;
	incident_clear(&in);
	return 0;
}

int
cmd_incident_get(struct cmd_ctx *x, struct incident *in)
{
	char *cause = NULL;
	if (store_incident_get(x->store, x->id, in, &cause) == -1) {
		cmd_error(1, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

int
cmd_library(struct cmd_ctx *x, const char *spec)
{
	struct strv extra;
	memset(&extra, 0, sizeof extra);
	strv_copy(&extra, &x->g->runbooks);
	if (spec != NULL) {
		/* "FILE" or "FILE#N": a file that exists joins the library */
		const char *hash = strrchr(spec, '#');
		char *file = hash ? xstrndup(spec, (size_t)(hash - spec)) : xstrdup(spec);
		struct stat st;
		if (lstat(file, &st) == 0 && strv_find(&extra, file) == -1)
			strv_add(&extra, file);
		else if (hash != NULL && lstat(spec, &st) == 0 && strv_find(&extra, spec) == -1)
			strv_add(&extra, spec);	/* a file whose name has a '#' */
		free(file);
	}
	library_free(&x->lib);
	char *cause = NULL;
	int rc = library_load(&x->lib, &extra, &cause);
	strv_free(&extra);
	if (rc == -1) {
		cmd_error(1, "%s", cause);
		free(cause);
	}
	return rc;
}

/* Opens what the entry's flags ask for: 0, or an exit code after a message. */
static int
ctx_open(struct cmd_ctx *x)
{
	int f = x->entry->flags;
	char *cause = NULL;
	if (f & (CMD_CONF | CMD_STORE | CMD_STORE_RO)) {
		x->conf_loaded = 1;
		if (globals_load_conf(x->g, &x->conf, &cause) == -1)
			goto usage;
	}
	if (f & (CMD_STORE | CMD_STORE_RO)) {
		x->store_path = globals_db_path(x->g, &x->conf);
		if (store_open(x->store_path, (f & CMD_STORE) == 0, &x->store, &cause) == -1) {
			cmd_error(1, "%s", cause);
			free(cause);
			return 1;
		}
		recorder_init(&x->rec, x->store, &x->conf);
	}
	if ((f & CMD_LIBRARY) && cmd_library(x, NULL) == -1)
		return 1;
	if ((f & CMD_INCIDENT) && ctx_incident(x) == -1)
		return 1;
	if (x->args.argc < x->entry->args_min ||
	    (x->entry->args_max >= 0 && x->args.argc > x->entry->args_max)) {
		if (x->args.argc > x->entry->args_max && x->entry->args_max >= 0)
			cmd_error(cmd_usage_code(x), "%s: unexpected argument '%s'", x->name,
			    str_quote_short(x->args.argv[x->entry->args_max]));
		return cmd_usage(x);
	}
	return 0;
usage:
	cmd_error(cmd_usage_code(x), "%s", cause);
	free(cause);
	return cmd_usage_code(x);
}

static void
ctx_close(struct cmd_ctx *x)
{
	/* deliver what this change queued, briefly; the console retries the rest */
	if (x->store != NULL && !store_is_readonly(x->store) && x->conf.nnotify > 0) {
		int failed;
		char *cause = NULL;
		notify_flush(x->store, &x->conf, 5000, 0, &failed, &cause);
		free(cause);
	}
	store_close(&x->store);
	free(x->store_path);
	library_free(&x->lib);
	if (x->conf_loaded)
		conf_free(&x->conf);
	cmd_args_free(&x->args);
	free(x->name);
}

/*
 * Finds the subcommand (after the parent's own options, such as "incident
 * -i 3 note"); the parent's options move after it. NULL after a message.
 */
static const struct cmd_entry *
find_sub(const struct cmd_entry *e, int *argc, char **argv, int *code)
{
	int k = 1;
	/* the parent's options, each with a value: "-i 3", "-i3", "--id=3", "--id 3" */
	while (e->sub_default == NULL && k < *argc && argv[k][0] == '-' && argv[k][1] != '\0' &&
	    !is_help(argv[k]) && strcmp(argv[k], "--") != 0)
		k += strchr(argv[k], '=') != NULL || (argv[k][1] != '-' && argv[k][2] != '\0') ? 1 : 2;
	if (k < *argc && is_help(argv[k])) {
		*code = -1;	/* the parent's help */
		return NULL;
	}
	int named = k < *argc && argv[k][0] != '-';
	const char *want = named ? argv[k] : e->sub_default;
	if (want == NULL) {
		*code = cmd_error(EXIT_USAGE, "%s: which subcommand? (sitrep %s --help)", e->name,
		    e->name);
		return NULL;
	}
	for (size_t i = 0; e->sub[i] != NULL; i++) {
		if (strcmp(e->sub[i]->name, want) != 0)
			continue;
		if (named) {
			/* [parent, parent options..., sub, rest] -> [sub, parent options..., rest] */
			argv[0] = argv[k];
			memmove(argv + k, argv + k + 1, (size_t)(*argc - k) * sizeof *argv);
			(*argc)--;
		} else
			argv[0] = (char *)want;	/* the default: argv[0] is its name */
		return e->sub[i];
	}
	*code = cmd_error(EXIT_USAGE, "%s: unknown subcommand '%s' (sitrep %s --help)", e->name,
	    str_quote_short(want), e->name);
	return NULL;
}

/* Runs a command; argv[0] is its name. */
static int
cmd_run(struct globals *g, const struct cmd_entry *e, int argc, char **argv)
{
	char *name = xstrdup(e->name);
	if (e->sub != NULL) {
		int code = 0;
		const struct cmd_entry *sub = find_sub(e, &argc, argv, &code);
		if (sub == NULL) {
			if (code == -1) {
				print_help(name, e);
				code = cmd_output_ok(0);
			}
			free(name);
			return code;
		}
		char *full = xasprintf("%s %s", name, sub->name);
		free(name);
		name = full;
		e = sub;
	}
	for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
		if (is_help(argv[k])) {
			print_help(name, e);
			free(name);
			return cmd_output_ok(0);
		}
	struct cmd_ctx x;
	memset(&x, 0, sizeof x);
	x.g = g;
	x.entry = e;
	x.name = name;
	char *cause = NULL;
	int rc;
	if (cmd_args_parse(e, argc, argv, &x.args, &cause) == -1) {
		cmd_error(cmd_usage_code(&x), "%s: %s", name, cause);
		free(cause);
		rc = cmd_usage(&x);
	} else if ((rc = ctx_open(&x)) == 0)
		rc = e->run(&x);
	ctx_close(&x);
	return cmd_output_ok(rc);
}

/* A file descriptor per host and per tunnel: take what the hard limit allows. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Global options: the index of the command in argv (argc when none is
 * named), or -1 with *code the exit code (after --help, --version, or an
 * error printed).
 */
static int
parse_globals(struct globals *g, int argc, char **argv, int *code)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "db", required_argument, NULL, 'd' },
		{ "theme", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "runbook", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:F:H:hV", longopts, NULL)) != -1) {
		const char **dst = NULL;
		switch (ch) {
		case 'c': dst = &g->conf_path; break;
		case 'F': dst = &g->ssh_config; break;
		case 'd': dst = &g->db; break;
		case 't': dst = &g->theme; break;
		case 'l': dst = &g->log; break;
		case 'H': strv_add(&g->hosts, optarg); break;
		case 'R': strv_add(&g->runbooks, optarg); break;
		case 'h':
			usage(stdout);
			return *code = cmd_output_ok(0), -1;
		case 'V':
			printf("sitrep %s\n", PACKAGE_VERSION);
			return *code = cmd_output_ok(0), -1;
		default:
			if (optopt && strchr("cFHdtlR", optopt))
				cmd_error(EXIT_USAGE, "option %s needs a value",
				    str_quote_short(argv[optind - 1]));
			else if (optopt)
				cmd_error(EXIT_USAGE, "unknown option -%c", optopt);
			else
				cmd_error(EXIT_USAGE, "unknown option %s",
				    str_quote_short(argv[optind - 1]));
			usage(stderr);
			return *code = EXIT_USAGE, -1;
		}
		if (dst != NULL && *dst != NULL) {
			cmd_error(EXIT_USAGE, "option %s given twice", str_quote_short(argv[optind - 2]));
			return *code = EXIT_USAGE, -1;
		}
		if (dst != NULL)
			*dst = optarg;
		if (*optarg == '\0' || strlen(optarg) > CMD_ARG_MAX) {
			cmd_error(EXIT_USAGE, "option %s: %s", str_quote_short(argv[optind - 2]),
			    *optarg ? "the value is too long" : "the value is empty");
			return *code = EXIT_USAGE, -1;
		}
	}
	return optind;
}

static void
globals_free(struct globals *g)
{
	strv_free(&g->hosts);
	strv_free(&g->runbooks);
}

/* --log FILE, else $SITREP_LOG: 0, or EXIT_USAGE after a message. */
static int
open_log(const struct globals *g)
{
	const char *path = g->log ? g->log : getenv("SITREP_LOG");
	char *cause = NULL;
	if (path == NULL || *path == '\0' || log_open(path, &cause) == 0)
		return 0;
	cmd_error(EXIT_USAGE, "--log: %s", cause);
	free(cause);
	return EXIT_USAGE;
}

/* The command called name, or NULL. */
static const struct cmd_entry *
find_command(const char *name)
{
	for (size_t i = 0; commands[i] != NULL; i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	return NULL;
}

/* Runs a command with the ssh and HTTP libraries set up around it. */
static int
run_with_libraries(struct globals *g, const struct cmd_entry *e, int argc, char **argv)
{
	ssh_init();
	transport_ssh_log_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmd_run(g, e, argc, argv);
	curl_global_cleanup();
	ssh_finalize();
	return rc;
}

int
sitrep_main(int argc, char **argv)
{
	static char *console_argv[] = { "console", NULL };
	struct globals g;
	memset(&g, 0, sizeof g);
	g.program = argv[0];
	sanitize_init();
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();

	int rc = 0;
	int k = parse_globals(&g, argc, argv, &rc);
	if (k == -1 || (rc = open_log(&g)) != 0)
		goto out;
	if (k == argc) {	/* no command: the console */
		argv = console_argv;
		argc = 1;
		k = 0;
	}
	const struct cmd_entry *e = find_command(argv[k]);
	if (e == NULL) {
		rc = cmd_error(EXIT_USAGE, "unknown command '%s'", str_quote_short(argv[k]));
		usage(stderr);
		goto out;
	}
	rc = run_with_libraries(&g, e, argc - k, argv + k);
out:
	globals_free(&g);
	sanitize_clear_secrets();
	log_close();
	return rc;
}
