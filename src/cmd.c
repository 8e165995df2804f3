/*
 * cmd: global options and the subcommand table. See cmd.h.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libssh/libssh.h>

#include "cmd.h"
#include "fleet.h"
#include "sanitize.h"

static const struct cmd_entry *const cmd_table[] = {
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
};

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
	for (size_t i = 0; i < nitems(cmd_table); i++)
		fprintf(out, "  %-9s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
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
	    "See sitrep(1) and sitrep.conf(5).\n");
}

int
cmd_usage(const struct cmd_entry *e)
{
	fprintf(stderr, "usage: sitrep %s %s\n", e->name, e->usage);
	return EXIT_USAGE;
}

int
cmd_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *safe = sanitize_str(msg);
	fprintf(stderr, "sitrep: %s\n", safe);
	free(safe);
	free(msg);
	return code;
}

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
conf_keep_hosts(struct conf *c, char **names, int n, char **cause)
{
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (conf_find_host(c, names[i]) == -1)
			return set_cause(cause, "no host called '%s' in the configuration", names[i]);
	struct conf keep;
	conf_init(&keep);
	/* move the kept hosts, in the order given */
	struct host_conf *hosts = xcalloc((size_t)n, sizeof *hosts);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		int idx = conf_find_host(c, names[i]);
		if (idx < 0 || c->hosts[idx].name == NULL)
			continue;	/* named twice */
		hosts[k++] = c->hosts[idx];
		memset(&c->hosts[idx], 0, sizeof c->hosts[idx]);
		c->hosts[idx].name = NULL;
	}
	/* free the rest */
	struct conf rest = *c;
	rest.nnotify = 0;
	rest.notify = NULL;
	rest.path = NULL;
	rest.ssh_config = rest.known_hosts = rest.identity = rest.theme = NULL;
	rest.operator_name = rest.db = NULL;
	size_t j = 0;
	for (size_t i = 0; i < c->nhosts; i++)
		if (c->hosts[i].name != NULL)
			rest.hosts[j++] = c->hosts[i];
	rest.nhosts = j;
	conf_free(&rest);
	c->hosts = hosts;
	c->nhosts = k;
	return 0;
}

int
cmd_fleet_once(struct globals *g, char **hosts, int nhosts, struct fleet_once *o, char **cause)
{
	memset(o, 0, sizeof *o);
	o->wake[0] = o->wake[1] = -1;
	if (globals_load_conf(g, &o->conf, cause) == -1 ||
	    conf_keep_hosts(&o->conf, hosts, nhosts, cause) == -1)
		return -1;
	if (wake_pipe(o->wake) == -1)
		return set_cause(cause, "cannot create a pipe");
	o->fleet = fleet_start(&o->conf, o->wake[1], FLEET_ONESHOT | FLEET_READONLY);
	fleet_wait_all(o->fleet, o->wake[0], fleet_first_cycle_bound(&o->conf));
	return 0;
}

void
cmd_fleet_once_end(struct fleet_once *o)
{
	fleet_stop(&o->fleet);
	for (int i = 0; i < 2; i++)
		if (o->wake[i] >= 0)
			close(o->wake[i]);
	conf_free(&o->conf);
}

int
sitrep_main(int argc, char **argv)
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
	struct globals g;
	memset(&g, 0, sizeof g);
	g.program = argv[0];
	sanitize_init();
	signal(SIGPIPE, SIG_IGN);

	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:F:H:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': g.conf_path = optarg; break;
		case 'F': g.ssh_config = optarg; break;
		case 'H': strv_add(&g.hosts, optarg); break;
		case 'd': g.db = optarg; break;
		case 't': g.theme = optarg; break;
		case 'l': g.log = optarg; break;
		case 'R': strv_add(&g.runbooks, optarg); break;
		case 'h':
			usage(stdout);
			strv_free(&g.hosts);
	strv_free(&g.runbooks);
			return 0;
		case 'V':
			printf("sitrep %s\n", PACKAGE_VERSION);
			strv_free(&g.hosts);
	strv_free(&g.runbooks);
			return 0;
		default:
			if (optopt == 'd' || optopt == 't' || optopt == 'l' || optopt == 'R')
				fprintf(stderr, "sitrep: option %s needs an argument\n", argv[optind - 1]);
			else if (optopt && strchr("cFH", optopt))
				fprintf(stderr, "sitrep: option -%c needs an argument\n", optopt);
			else if (optopt)
				fprintf(stderr, "sitrep: unknown option -%c\n", optopt);
			else
				fprintf(stderr, "sitrep: unknown option %s\n", argv[optind - 1]);
			usage(stderr);
			strv_free(&g.hosts);
	strv_free(&g.runbooks);
			return EXIT_USAGE;
		}
	}
	const char *logpath = g.log ? g.log : getenv("SITREP_LOG");
	if (logpath != NULL && *logpath != '\0')
		log_open(logpath);

	const struct cmd_entry *e = &cmd_console_entry;
	if (optind < argc) {
		e = NULL;
		for (size_t i = 0; i < nitems(cmd_table); i++)
			if (strcmp(argv[optind], cmd_table[i]->name) == 0)
				e = cmd_table[i];
		if (e == NULL) {
			fprintf(stderr, "sitrep: unknown command '%s'\n", argv[optind]);
			usage(stderr);
			strv_free(&g.hosts);
	strv_free(&g.runbooks);
			return EXIT_USAGE;
		}
		argc -= optind;
		argv += optind;
	} else {
		static char *console_argv[] = { "console", NULL };
		argc = 1;
		argv = console_argv;
	}
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: sitrep %s %s\n\n%s\n", e->name, e->usage, e->summary);
		strv_free(&g.hosts);
	strv_free(&g.runbooks);
		return 0;
	}
	ssh_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	optind = 0;	/* glibc: a full re-initialisation for the subcommand */
	opterr = 0;
	int rc = e->run(&g, argc, argv);
	curl_global_cleanup();
	ssh_finalize();
	strv_free(&g.hosts);
	strv_free(&g.runbooks);
	sanitize_clear_secrets();
	log_close();
	return rc;
}
