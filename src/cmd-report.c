/*
 * sitrep report ID [-o FILE]: the incident report, in markdown.
 * sitrep stats [--since DATE] [--json]: figures across incidents.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

static int
open_store(struct globals *g, struct conf *c, struct store **s)
{
	char *cause = NULL;
	if (globals_load_conf(g, c, &cause) == -1) {
		cmd_error(EXIT_USAGE, "%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	char *path = globals_db_path(g, c);
	int rc = store_open(path, 1, s, &cause);
	free(path);
	if (rc == -1) {
		cmd_error(1, "%s", cause);
		free(cause);
		return 1;
	}
	return 0;
}

static int
cmd_report(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (ch == 'o')
			path = optarg;
		else
			return cmd_usage(&cmd_report_entry);
	}
	long long id;
	if (argc - optind != 1 || parse_int(argv[optind], 1, (long long)1 << 50, &id) == -1)
		return cmd_usage(&cmd_report_entry);
	struct conf c;
	struct store *s = NULL;
	int orc = open_store(g, &c, &s);
	if (orc != 0) {
		conf_free(&c);
		return orc;
	}
	char *text = NULL, *cause = NULL;
	int rc = 0;
	if (report_markdown(s, &c, id, &text, &cause) == -1)
		rc = cmd_error(1, "%s", cause);
	else if (path != NULL) {
		if (file_write_atomic(path, text, strlen(text), &cause) == -1)
			rc = cmd_error(1, "%s", cause);
	} else
		fputs(text, stdout);
	free(text);
	free(cause);
	store_close(&s);
	conf_free(&c);
	return rc;
}

static int
cmd_stats(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_opts o = { 0, 0 };
	int ch;
	while ((ch = getopt_long(argc, argv, "s:j", longopts, NULL)) != -1) {
		if (ch == 's') {
			if (parse_utc(optarg, &o.since) == -1)
				return cmd_error(EXIT_USAGE, "--since %s: expected a date (2026-11-01)", optarg);
		} else if (ch == 'j')
			o.json = 1;
		else
			return cmd_usage(&cmd_stats_entry);
	}
	if (optind != argc)
		return cmd_usage(&cmd_stats_entry);
	struct conf c;
	struct store *s = NULL;
	int orc = open_store(g, &c, &s);
	if (orc != 0) {
		conf_free(&c);
		return orc;
	}
	char *text = NULL, *cause = NULL;
	int rc = 0;
	if (stats_compute(s, &c, &o, &text, &cause) == -1)
		rc = cmd_error(1, "%s", cause);
	else
		fputs(text, stdout);
	free(text);
	free(cause);
	store_close(&s);
	conf_free(&c);
	return rc;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "ID [-o FILE]",
	.summary = "the incident report, in markdown",
	.run = cmd_report,
};

const struct cmd_entry cmd_stats_entry = {
	.name = "stats",
	.usage = "[--since DATE] [--json]",
	.summary = "figures across incidents: triage, restore, RTO, MTBF, step overruns",
	.run = cmd_stats,
};
