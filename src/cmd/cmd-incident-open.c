/*
 * sitrep incident open: a new incident, its clock started (or backdated).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd-incident.h"

static int
yes_no(const char *s)
{
	if (strcasecmp(s, "yes") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
		return 1;
	if (strcasecmp(s, "no") == 0 || strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0)
		return 0;
	return -1;
}

static int
valid_impact(const char *s)
{
	return strcmp(s, "critical") == 0 || strcmp(s, "high") == 0 || strcmp(s, "low") == 0 ||
	    strcmp(s, "none") == 0;
}

/* The form from the options: 0, or EXIT_USAGE after a message. */
static int
open_form(struct cmd_ctx *x, struct incident *in, int64_t *rto, int64_t *rpo, int64_t *started)
{
	const char *title = cmd_opt(x, "title"), *v;
	if (title != NULL && x->args.argc > 0)
		return cmd_error(EXIT_USAGE, "the title given twice: --title and '%s'",
		    str_quote_short(x->args.argv[0]));
	if (title == NULL && x->args.argc > 0)
		title = x->args.argv[0];
	if (title == NULL || cmd_opt(x, "severity") == NULL)
		return cmd_error(EXIT_USAGE, "incident open needs --title TEXT and --severity P0..P3");
	in->title = xstrdup(title);
	v = cmd_opt(x, "severity");
	if ((in->severity = incident_parse_severity(v)) < 0)
		return cmd_error(EXIT_USAGE, "--severity '%s': expected P0, P1, P2 or P3",
		    str_quote_short(v));
	if ((v = cmd_opt(x, "users-impacted")) != NULL && (in->users_impacted = yes_no(v)) < 0)
		return cmd_error(EXIT_USAGE, "--users-impacted '%s': expected yes or no",
		    str_quote_short(v));
	if ((v = cmd_opt(x, "impact")) != NULL) {
		if (!valid_impact(v))
			return cmd_error(EXIT_USAGE, "--impact '%s': expected critical, high, low or none",
			    str_quote_short(v));
		in->business_impact = xstrdup(v);
	}
	in->drill = cmd_flag(x, "drill");
	if (cmd_opt_duration(x, "rto", rto) == -1 || cmd_opt_duration(x, "rpo", rpo) == -1 ||
	    cmd_opt_time(x, "started", started) == -1)
		return EXIT_USAGE;
	if (*started > 0 && cmd_flag(x, "since-first"))
		return cmd_error(EXIT_USAGE, "--started and --since-first both say when it started: "
		    "give one");
	const struct strv *hosts = cmd_opt_list(x, "host"), *services = cmd_opt_list(x, "service");
	in->hosts = hosts->n ? strv_join(hosts, ",") : NULL;
	in->services = services->n ? strv_join(services, ",") : NULL;
	return 0;
}

/* The first fleet alarm of the last 24 hours, or 0. */
static int64_t
first_alarm(struct store *s)
{
	struct event *ev;
	size_t n;
	int64_t started = 0;
	char *cause = NULL;
	if (store_fleet_events_since(s, wall_ms() - 24 * 3600 * 1000LL, &ev, &n, &cause) == 0) {
		for (size_t i = 0; i < n && started == 0; i++)
			if (strcmp(ev[i].kind, "recovered") != 0 && strcmp(ev[i].kind, "back") != 0)
				started = ev[i].at;
		events_free(ev, n);
	}
	free(cause);
	return started;
}

static int
inc_open(struct cmd_ctx *x)
{
	struct incident in;
	memset(&in, 0, sizeof in);
	in.severity = -1;
	in.users_impacted = -1;
	in.data_loss_s = -1;
	int64_t started = 0, rto = -1, rpo = -1;
	int rc = open_form(x, &in, &rto, &rpo, &started);
	if (rc != 0) {
		incident_clear(&in);
		return rc;
	}
	const struct strv *hosts = cmd_opt_list(x, "host"), *services = cmd_opt_list(x, "service");
	const char *h0 = hosts->n ? hosts->v[0] : NULL, *s0 = services->n ? services->v[0] : NULL;
	in.rto_s = rto >= 0 ? rto : conf_rto(&x->conf, h0, s0);
	in.rpo_s = rpo >= 0 ? rpo : conf_rpo(&x->conf, h0, s0);
	const char *runbook = cmd_opt(x, "runbook");
	char *cause = NULL;
	if (runbook != NULL) {
		struct runbook_ref ref;
		if (cmd_library(x, runbook) == -1 || library_find(&x->lib, runbook, &ref, &cause) == -1) {
			incident_clear(&in);
			return cause ? incident_cmd_failed(cause) : 1;
		}
		in.runbook_path = xstrdup(ref.doc->path);
		in.runbook_title = xstrdup(ref.rb->title);
		if (rto < 0 && ref.rb->total_s > 0 && in.rto_s == 0)
			in.rto_s = ref.rb->total_max_s;
	}
	if (cmd_flag(x, "since-first"))
		started = first_alarm(x->store);
	if (incident_open(&x->rec, &in, started, &cause) == -1) {
		incident_clear(&in);
		return incident_cmd_failed(cause);
	}
	printf("%lld\n", (long long)in.id);
	incident_clear(&in);
	return 0;
}

static const struct cmd_opt open_opts[] = {
	{ "title", 't', OPT_VALUE, "TEXT", "what is wrong (or give it as the argument)" },
	{ "severity", 's', OPT_VALUE, "P0-P3", "P0 < 15 min, P1 < 1 h, P2 < 4 h, P3 < 1 day" },
	{ "host", 'H', OPT_LIST, "HOST", "a host involved" },
	{ "service", 'S', OPT_LIST, "NAME", "a service involved (its RTO/RPO apply)" },
	{ "users-impacted", 'u', OPT_VALUE, "yes|no", "whether users notice" },
	{ "impact", 'b', OPT_VALUE, "LEVEL", "business impact: critical, high, low or none" },
	{ "drill", 'd', OPT_FLAG, NULL, "a drill, not a real incident" },
	{ "rto", 'r', OPT_VALUE, "DURATION", "recovery time objective (15m, 1h)" },
	{ "rpo", 'p', OPT_VALUE, "DURATION", "recovery point objective" },
	{ "started", 'a', OPT_VALUE, "TIME", "when it started (UTC), if before now" },
	{ "since-first", 'f', OPT_FLAG, NULL, "started at the fleet's first alarm of the last day" },
	{ "runbook", 'R', OPT_VALUE, "NAME", "the runbook to follow (NAME, N or FILE#N)" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_open_entry = {
	.name = "open",
	.usage = "--title T --severity P0-P3 [--host H]... [--service S]...\n"
	    "         [--users-impacted yes|no] [--impact critical|high|low|none] [--drill]\n"
	    "         [--rto D] [--rpo D] [--started TIME | --since-first] [--runbook NAME]",
	.summary = "open an incident and start its clock; prints its id",
	.opts = open_opts,
	.args_min = 0,
	.args_max = 1,
	.flags = CMD_STORE,
	.run = inc_open,
};
