/*
 * sitrep incident open|note|tick|step|run|milestone|severity|runbook|
 * resolve|list|show: what the console does, from a script. Every change is
 * the same recorder call the console makes.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "fleet.h"
#include "incident.h"
#include "library.h"
#include "notify.h"
#include "probe.h"
#include "runbook.h"
#include "sanitize.h"

struct ctx {
	struct globals *g;
	struct conf conf;
	struct store *store;
	struct recorder rec;
	int64_t id;		/* -i, or the open incident */
};

static int
ctx_open(struct ctx *x, struct globals *g, int need_incident, int64_t id, char **cause)
{
	memset(x, 0, sizeof *x);
	x->g = g;
	if (globals_load_conf(g, &x->conf, cause) == -1)
		return -1;
	char *path = globals_db_path(g, &x->conf);
	int rc = store_open(path, 0, &x->store, cause);
	free(path);
	if (rc == -1)
		return -1;
	x->rec.store = x->store;
	x->rec.conf = &x->conf;
	x->rec.operator_name = incident_operator(&x->conf);
	x->id = id;
	if (need_incident && id <= 0) {
		struct incident in;
		int found = store_incident_open_latest(x->store, &in, cause);
		if (found == -1)
			return -1;
		if (found == 0)
			return set_cause(cause, "no open incident (open one with 'sitrep incident open')");
		x->id = in.id;
		incident_clear(&in);
	}
	return 0;
}

static void
ctx_close(struct ctx *x)
{
	/* deliver what this change queued, briefly; the console retries the rest */
	if (x->store != NULL && x->conf.nnotify > 0) {
		int failed;
		char *cause = NULL;
		notify_flush(x->store, &x->conf, 5000, 0, &failed, &cause);
		free(cause);
	}
	store_close(&x->store);
	conf_free(&x->conf);
}

static int
fail(struct ctx *x, char *cause)
{
	cmd_error(1, "%s", cause ? cause : "failed");
	free(cause);
	ctx_close(x);
	return 1;
}

static int64_t
parse_id(const char *s)
{
	long long v;
	if (parse_int(s, 1, (long long)1 << 50, &v) == -1)
		return -1;
	return v;
}

/* A runbook named as FILE or FILE#N: the file joins the library. */
static void
runbook_spec_file(const char *spec, struct strv *extra)
{
	const char *hash = strchr(spec, '#');
	char *file = hash ? xstrndup(spec, (size_t)(hash - spec)) : xstrdup(spec);
	if (access(file, R_OK) == 0)
		strv_add(extra, file);
	free(file);
}

/* --- open ---------------------------------------------------------------------------- */

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

static int
inc_open(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "severity", required_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'H' },
		{ "service", required_argument, NULL, 'S' },
		{ "users-impacted", required_argument, NULL, 'u' },
		{ "impact", required_argument, NULL, 'b' },
		{ "drill", no_argument, NULL, 'd' },
		{ "rto", required_argument, NULL, 'r' },
		{ "rpo", required_argument, NULL, 'p' },
		{ "started", required_argument, NULL, 'a' },
		{ "since-first", no_argument, NULL, 'f' },
		{ "runbook", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct incident in;
	memset(&in, 0, sizeof in);
	in.severity = -1;
	in.users_impacted = -1;
	in.data_loss_s = -1;
	int64_t started = 0, rto = -1, rpo = -1;
	int since_first = 0, ch;
	const char *runbook = NULL;
	struct strv hosts, services;
	memset(&hosts, 0, sizeof hosts);
	memset(&services, 0, sizeof services);
	int rc = EXIT_USAGE;
	while ((ch = getopt_long(argc, argv, "t:s:H:S:u:b:dr:p:a:fR:", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': free(in.title); in.title = xstrdup(optarg); break;
		case 's':
			if ((in.severity = incident_parse_severity(optarg)) < 0) {
				cmd_error(EXIT_USAGE, "--severity %s: expected P0, P1, P2 or P3", optarg);
				goto out;
			}
			break;
		case 'H': strv_add(&hosts, optarg); break;
		case 'S': strv_add(&services, optarg); break;
		case 'u':
			if ((in.users_impacted = yes_no(optarg)) < 0) {
				cmd_error(EXIT_USAGE, "--users-impacted %s: expected yes or no", optarg);
				goto out;
			}
			break;
		case 'b':
			if (!valid_impact(optarg)) {
				cmd_error(EXIT_USAGE, "--impact %s: expected critical, high, low or none", optarg);
				goto out;
			}
			free(in.business_impact);
			in.business_impact = xstrdup(optarg);
			break;
		case 'd': in.drill = 1; break;
		case 'r':
		case 'p': {
			int64_t v = conf_parse_duration(optarg);
			if (v < 0) {
				cmd_error(EXIT_USAGE, "--%s %s: expected a duration (15m, 1h)", ch == 'r' ?
				    "rto" : "rpo", optarg);
				goto out;
			}
			*(ch == 'r' ? &rto : &rpo) = v;
			break;
		}
		case 'a':
			if (parse_utc(optarg, &started) == -1) {
				cmd_error(EXIT_USAGE, "--started %s: expected 2026-11-21T03:12:00Z", optarg);
				goto out;
			}
			break;
		case 'f': since_first = 1; break;
		case 'R': runbook = optarg; break;
		default:
			cmd_usage(&cmd_incident_entry);
			goto out;
		}
	}
	if (in.title == NULL && optind < argc)
		in.title = xstrdup(argv[optind]);
	if (in.title == NULL || in.severity < 0) {
		cmd_error(EXIT_USAGE, "incident open needs --title TEXT and --severity P0..P3");
		goto out;
	}
	in.hosts = hosts.n ? strv_join(&hosts, ",") : NULL;
	in.services = services.n ? strv_join(&services, ",") : NULL;
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 0, 0, &cause) == -1) {
		rc = fail(&x, cause);
		goto out;
	}
	const char *h0 = hosts.n ? hosts.v[0] : NULL, *s0 = services.n ? services.v[0] : NULL;
	in.rto_s = rto >= 0 ? rto : conf_rto(&x.conf, h0, s0);
	in.rpo_s = rpo >= 0 ? rpo : conf_rpo(&x.conf, h0, s0);
	struct library lib;
	memset(&lib, 0, sizeof lib);
	struct runbook_ref ref;
	memset(&ref, 0, sizeof ref);
	if (runbook != NULL) {
		struct strv extra;
		memset(&extra, 0, sizeof extra);
		runbook_spec_file(runbook, &extra);
		int lrc = library_load(&lib, &extra, &cause);
		strv_free(&extra);
		if (lrc == -1 || library_find(&lib, runbook, &ref, &cause) == -1) {
			library_free(&lib);
			rc = fail(&x, cause);
			goto out;
		}
		in.runbook_path = xstrdup(ref.doc->path);
		in.runbook_title = xstrdup(ref.rb->title);
		if (rto < 0 && ref.rb->total_s > 0 && in.rto_s == 0)
			in.rto_s = ref.rb->total_max_s;
	}
	if (since_first) {
		/* the first fleet alarm of the last 24 hours */
		struct event *ev;
		size_t n;
		if (store_fleet_events_since(x.store, wall_ms() - 24 * 3600 * 1000LL, &ev, &n, &cause) == 0) {
			for (size_t i = 0; i < n && started == 0; i++)
				if (strcmp(ev[i].kind, "recovered") != 0 && strcmp(ev[i].kind, "back") != 0)
					started = ev[i].at;
			events_free(ev, n);
		}
		free(cause);
		cause = NULL;
	}
	if (incident_open(&x.rec, &in, started, &cause) == -1) {
		library_free(&lib);
		rc = fail(&x, cause);
		goto out;
	}
	printf("%lld\n", (long long)in.id);
	library_free(&lib);
	ctx_close(&x);
	rc = 0;
out:
	incident_clear(&in);
	strv_free(&hosts);
	strv_free(&services);
	return rc;
}

/* -i ID parsing shared by the subcommands that act on one incident. */
static int
take_id(int *argc, char ***argv, int64_t *id)
{
	*id = 0;
	if (*argc >= 3 && (strcmp((*argv)[1], "-i") == 0 || strcmp((*argv)[1], "--id") == 0)) {
		if ((*id = parse_id((*argv)[2])) < 0)
			return -1;
		(*argv)[2] = (*argv)[0];
		*argv += 2;
		*argc -= 2;
	}
	return 0;
}

static int
inc_note(struct globals *g, int argc, char **argv, int64_t id)
{
	if (argc < 2)
		return cmd_usage(&cmd_incident_entry);
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1)
		return fail(&x, cause);
	struct strv words;
	memset(&words, 0, sizeof words);
	for (int i = 1; i < argc; i++)
		strv_add(&words, argv[i]);
	char *text = strv_join(&words, " ");
	strv_free(&words);
	int rc = incident_note(&x.rec, x.id, text, &cause);
	free(text);
	if (rc == -1)
		return fail(&x, cause);
	ctx_close(&x);
	return 0;
}

static int
inc_severity(struct globals *g, int argc, char **argv, int64_t id)
{
	int sev = argc == 2 ? incident_parse_severity(argv[1]) : -1;
	if (sev < 0)
		return cmd_error(EXIT_USAGE, "usage: sitrep incident severity [-i ID] P0|P1|P2|P3");
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1 || incident_set_severity(&x.rec, x.id, sev, &cause) == -1)
		return fail(&x, cause);
	ctx_close(&x);
	return 0;
}

static int inc_resolve(struct globals *, int, char **, int64_t);

static int
inc_milestone(struct globals *g, int argc, char **argv, int64_t id)
{
	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--at") == 0))
		return cmd_error(EXIT_USAGE, "usage: sitrep incident milestone [-i ID] "
		    "started|detected|triage_started|triage_done|mitigated|restored|resolved [--at TIME]");
	int m = milestone_from_key(argv[1]);
	if (m < 0)
		return cmd_error(EXIT_USAGE, "milestone '%s': expected started, detected, triage_started, "
		    "triage_done, mitigated, restored or resolved", argv[1]);
	int64_t at = 0;
	if (argc == 4 && parse_utc(argv[3], &at) == -1)
		return cmd_error(EXIT_USAGE, "--at %s: expected 2026-11-21T03:12:00Z", argv[3]);
	if (m == MS_RESOLVED) {
		/* resolving has its own command: it ends a running step and takes the form */
		char *rargv[] = { "resolve", NULL };
		return inc_resolve(g, 1, rargv, id);
	}
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1 ||
	    incident_milestone(&x.rec, x.id, (enum milestone)m, at, &cause) == -1)
		return fail(&x, cause);
	ctx_close(&x);
	return 0;
}

/* Loads the incident's runbook from the library. */
static int
incident_runbook(const struct incident *in, struct library *lib, struct runbook_ref *ref,
    char **cause)
{
	struct strv extra;
	memset(&extra, 0, sizeof extra);
	if (in->runbook_path == NULL)
		return set_cause(cause, "no runbook chosen ('sitrep incident runbook NAME')");
	if (access(in->runbook_path, R_OK) == 0)
		strv_add(&extra, in->runbook_path);
	int rc = library_load(lib, &extra, cause);
	strv_free(&extra);
	if (rc == -1)
		return -1;
	for (size_t i = 0; i < lib->ndocs; i++)
		for (size_t k = 0; k < lib->docs[i].nrunbooks; k++)
			if (strcmp(lib->docs[i].path, in->runbook_path) == 0 &&
			    strcmp(lib->docs[i].runbooks[k].title, in->runbook_title) == 0) {
				ref->doc = &lib->docs[i];
				ref->rb = &lib->docs[i].runbooks[k];
				ref->doc_index = i;
				ref->rb_index = k;
				return 0;
			}
	return set_cause(cause, "runbook '%s' is no longer in %s", in->runbook_title, in->runbook_path);
}

static int
inc_runbook(struct globals *g, int argc, char **argv, int64_t id)
{
	if (argc != 2)
		return cmd_error(EXIT_USAGE, "usage: sitrep incident runbook [-i ID] NAME|N|FILE#N");
	struct ctx x;
	char *cause = NULL;
	struct library lib;
	struct runbook_ref ref;
	memset(&lib, 0, sizeof lib);
	struct strv extra;
	memset(&extra, 0, sizeof extra);
	runbook_spec_file(argv[1], &extra);
	if (ctx_open(&x, g, 1, id, &cause) == -1 || library_load(&lib, &extra, &cause) == -1 ||
	    library_find(&lib, argv[1], &ref, &cause) == -1 ||
	    incident_set_runbook(&x.rec, x.id, ref.doc->path, ref.rb->title, &cause) == -1) {
		library_free(&lib);
		strv_free(&extra);
		return fail(&x, cause);
	}
	char *t = sanitize_str(ref.rb->title);
	printf("runbook: %s (%zu steps)\n", t, ref.rb->nsteps);
	free(t);
	library_free(&lib);
	strv_free(&extra);
	ctx_close(&x);
	return 0;
}

static int
inc_tick(struct globals *g, int argc, char **argv, int64_t id)
{
	int undo = 0;
	const char *which = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--undo") == 0)
			undo = 1;
		else if (which == NULL)
			which = argv[i];
		else
			which = NULL;
	}
	if (which == NULL)
		return cmd_error(EXIT_USAGE, "usage: sitrep incident tick [-i ID] N|TEXT [--undo]");
	struct ctx x;
	char *cause = NULL;
	struct library lib;
	struct runbook_ref ref;
	memset(&lib, 0, sizeof lib);
	if (ctx_open(&x, g, 1, id, &cause) == -1 || library_load(&lib, NULL, &cause) == -1)
		return fail(&x, cause);
	if (library_triage(&lib, &ref) == -1) {
		library_free(&lib);
		return fail(&x, xstrdup("no triage checklist (triage.md) in the runbook directories"));
	}
	struct strv items;
	memset(&items, 0, sizeof items);
	library_checklist(ref.rb, &items);
	long long n;
	int index = -1;
	if (parse_int(which, 1, (long long)items.n, &n) == 0)
		index = (int)n - 1;
	else
		for (size_t i = 0; i < items.n && index < 0; i++)
			if (strcasestr(items.v[i], which) != NULL)
				index = (int)i;
	int rc = 0;
	if (index < 0) {
		cause = xasprintf("no triage item '%s' (1-%zu)", which, items.n);
		rc = -1;
	} else
		rc = incident_tick(&x.rec, x.id, "triage", index, items.v[index], !undo, &cause);
	strv_free(&items);
	library_free(&lib);
	if (rc == -1)
		return fail(&x, cause);
	ctx_close(&x);
	return 0;
}

/* The step run still open, if any. */
static int64_t
running_step(struct store *s, int64_t id, struct step_run *out)
{
	struct step_run *steps;
	size_t n;
	int64_t found = 0;
	if (store_steps(s, id, &steps, &n, NULL) == -1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (steps[i].ended_at == 0) {
			found = steps[i].id;
			if (out != NULL) {
				step_run_clear(out);
				*out = steps[i];
				memset(&steps[i], 0, sizeof steps[i]);
			}
		}
	step_runs_free(steps, n);
	return found;
}

static int
inc_step(struct globals *g, int argc, char **argv, int64_t id)
{
	if (argc < 2)
		return cmd_error(EXIT_USAGE, "usage: sitrep incident step [-i ID] start N | "
		    "done|failed|skipped [--note TEXT]");
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1)
		return fail(&x, cause);
	if (strcmp(argv[1], "start") == 0) {
		long long n;
		struct incident in;
		struct library lib;
		struct runbook_ref ref;
		memset(&lib, 0, sizeof lib);
		if (argc != 3 || parse_int(argv[2], 1, 100000, &n) == -1) {
			ctx_close(&x);
			return cmd_error(EXIT_USAGE, "usage: sitrep incident step start N");
		}
		if (store_incident_get(x.store, x.id, &in, &cause) == -1)
			return fail(&x, cause);
		int rc = incident_runbook(&in, &lib, &ref, &cause);
		incident_clear(&in);
		if (rc == -1) {
			library_free(&lib);
			return fail(&x, cause);
		}
		if ((size_t)n > ref.rb->nsteps) {
			library_free(&lib);
			cause = xasprintf("the runbook has %zu steps", ref.rb->nsteps);
			return fail(&x, cause);
		}
		const struct runbook_step *st = &ref.rb->steps[n - 1];
		struct step_run sr = {
			.runbook = ref.rb->title,
			.step_index = (int)n - 1,
			.number = st->number ? st->number : (int)n,
			.title = st->title,
			.timebox_s = st->timebox_s,
			.timebox_max_s = st->timebox_max_s,
		};
		int64_t run = incident_step_start(&x.rec, x.id, &sr, &cause);
		library_free(&lib);
		if (run < 0)
			return fail(&x, cause);
		printf("%lld\n", (long long)run);
		ctx_close(&x);
		return 0;
	}
	const char *outcome = argv[1];
	const char *note = NULL;
	if (argc == 4 && strcmp(argv[2], "--note") == 0)
		note = argv[3];
	else if (argc != 2) {
		ctx_close(&x);
		return cmd_error(EXIT_USAGE, "usage: sitrep incident step done|failed|skipped [--note TEXT]");
	}
	int64_t run = running_step(x.store, x.id, NULL);
	if (run == 0)
		return fail(&x, xstrdup("no step is running"));
	if (incident_step_end(&x.rec, x.id, run, outcome, note, &cause) == -1)
		return fail(&x, cause);
	ctx_close(&x);
	return 0;
}

/* --- run ----------------------------------------------------------------------------- */

static volatile sig_atomic_t run_interrupted;

static void
on_interrupt(int sig)
{
	run_interrupted = 1;
}

static int
inc_run(struct globals *g, int argc, char **argv, int64_t id)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "step", required_argument, NULL, 's' },
		{ "command", required_argument, NULL, 'c' },
		{ "confirm", required_argument, NULL, 'y' },
		{ "set", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = NULL, *confirm = NULL;
	long long step_no = 0, cmd_no = 0;
	struct strv set_names, set_values;
	memset(&set_names, 0, sizeof set_names);
	memset(&set_values, 0, sizeof set_values);
	int ch;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+H:s:c:y:v:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': host = optarg; break;
		case 's':
			if (parse_int(optarg, 1, 100000, &step_no) == -1)
				return cmd_error(EXIT_USAGE, "--step %s: expected a step number", optarg);
			break;
		case 'c':
			if (parse_int(optarg, 1, 100000, &cmd_no) == -1)
				return cmd_error(EXIT_USAGE, "--command %s: expected a command number", optarg);
			break;
		case 'y': confirm = optarg; break;
		case 'v': {
			const char *eq = strchr(optarg, '=');
			if (eq == NULL)
				return cmd_error(EXIT_USAGE, "--set %s: expected PLACEHOLDER=VALUE", optarg);
			strv_addn(&set_names, optarg, (size_t)(eq - optarg));
			strv_add(&set_values, eq + 1);
			break;
		}
		default:
			return cmd_usage(&cmd_incident_entry);
		}
	}
	struct ctx x;
	char *cause = NULL;
	char *command = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1)
		return fail(&x, cause);
	int64_t step_run = 0;
	if (step_no > 0) {
		struct incident in;
		struct library lib;
		struct runbook_ref ref;
		memset(&lib, 0, sizeof lib);
		if (store_incident_get(x.store, x.id, &in, &cause) == -1)
			return fail(&x, cause);
		int rc = incident_runbook(&in, &lib, &ref, &cause);
		incident_clear(&in);
		if (rc == -1 || (size_t)step_no > ref.rb->nsteps ||
		    (size_t)(cmd_no ? cmd_no : 1) > ref.rb->steps[step_no - 1].ncommands) {
			if (rc == 0)
				cause = xasprintf("step %lld has no command %lld", step_no, cmd_no ? cmd_no : 1);
			library_free(&lib);
			return fail(&x, cause);
		}
		const struct runbook_command *rc_cmd = &ref.rb->steps[step_no - 1].commands[cmd_no ? cmd_no - 1 : 0];
		if (host == NULL && rc_cmd->host != NULL)
			host = NULL;	/* resolved below against the fleet */
		command = runbook_fill_placeholders(rc_cmd->text, &set_names, &set_values);
		struct strv left;
		memset(&left, 0, sizeof left);
		runbook_find_placeholders(command, &left);
		if (left.n > 0) {
			cause = xasprintf("the command needs values: --set %s=...", left.v[0]);
			strv_free(&left);
			library_free(&lib);
			free(command);
			return fail(&x, cause);
		}
		strv_free(&left);
		if (host == NULL && rc_cmd->host != NULL) {
			static char hostbuf[256];
			snprintf(hostbuf, sizeof hostbuf, "%s", rc_cmd->host);
			host = hostbuf;
		}
		library_free(&lib);
		step_run = running_step(x.store, x.id, NULL);
	} else {
		if (optind >= argc) {
			ctx_close(&x);
			return cmd_error(EXIT_USAGE, "usage: sitrep incident run [-i ID] --host HOST "
			    "(--step N [--command K] [--set NAME=VALUE] | -- COMMAND...) [--confirm HOST]");
		}
		if (argc - optind == 1)
			command = xstrdup(argv[optind]);	/* one string: a shell command line */
		else {
			/* several words: each quoted, so the host runs exactly these */
			struct strv words;
			memset(&words, 0, sizeof words);
			for (int i = optind; i < argc; i++) {
				char *q = shell_word(argv[i]);
				strv_add(&words, q);
				free(q);
			}
			command = strv_join(&words, " ");
			strv_free(&words);
		}
		step_run = running_step(x.store, x.id, NULL);
	}
	strv_free(&set_names);
	strv_free(&set_values);
	if (host == NULL && x.conf.nhosts == 1)
		host = x.conf.hosts[0].name;
	if (host == NULL || conf_keep_hosts(&x.conf, (char **)&host, 1, &cause) == -1) {
		free(command);
		if (cause == NULL)
			cause = xstrdup("which host? --host NAME");
		return fail(&x, cause);
	}
	if (runbook_is_destructive(command) && (confirm == NULL || strcmp(confirm, host) != 0)) {
		char *safe = sanitize_str(command);
		cause = xasprintf("'%s' is destructive: confirm with --confirm %s", safe, host);
		free(safe);
		free(command);
		return fail(&x, cause);
	}
	int64_t run = incident_command_start(&x.rec, x.id, step_run, host, command, &cause);
	if (run < 0) {
		free(command);
		return fail(&x, cause);
	}
	int wake[2];
	if (wake_pipe(wake) == -1) {
		free(command);
		return fail(&x, xstrdup("pipe failed"));
	}
	struct fleet *f = fleet_start(&x.conf, wake[1], FLEET_ONESHOT);
	struct command_run cr;
	memset(&cr, 0, sizeof cr);
	cr.id = run;
	cr.incident_id = x.id;
	cr.host = (char *)host;
	cr.command = command;
	cr.exit_status = -1;
	int64_t job = fleet_job_start(f, 0, command, &cause);
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int done = job < 0;
	if (done) {
		cr.status = "failed";
		cr.error = cause;
	}
	int cancel_sent = 0;
	while (!done) {
		if (run_interrupted && !cancel_sent) {
			fleet_job_cancel(f, job);
			cancel_sent = 1;
		}
		if (wait_readable(wake[0], 100))
			wake_drain(wake[0]);
		struct fleet_msg *m = fleet_take_messages(f);
		for (struct fleet_msg *p = m; p; p = p->next) {
			if (p->job_id != job)
				continue;
			if (p->kind == FLEET_MSG_JOB_OUTPUT) {
				char *safe = sanitize_text(p->data, p->len, SAN_MULTILINE);
				fputs(safe, stdout);
				fflush(stdout);
				free(safe);
			} else if (p->kind == FLEET_MSG_JOB_DONE) {
				done = 1;
				cr.exit_status = p->result.exit_status;
				cr.duration_ms = p->result.duration_ms;
				cr.output = p->result.output;
				cr.output_len = p->result.output_len;
				cr.output_total = (int64_t)p->result.output_total;
				p->result.output = NULL;
				if (p->error != NULL) {
					cr.status = "failed";
					cr.error = p->error;
					p->error = NULL;
				} else
					cr.status = p->result.cancelled ? "cancelled" : "done";
			}
		}
		fleet_msg_free(m);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	cr.ended_at = wall_ms();
	int rc = incident_command_end(&x.rec, &cr, &cause);
	fleet_stop(&f);
	close(wake[0]);
	close(wake[1]);
	int exit_code = cr.exit_status;
	if (cr.error != NULL)
		cmd_error(1, "%s: %s", host, cr.error);
	free(cr.output);
	free(cr.error);
	free(command);
	if (rc == -1)
		return fail(&x, cause);
	ctx_close(&x);
	if (strcmp(cr.status, "done") != 0)
		return 1;
	return exit_code < 0 ? 1 : exit_code > 125 ? 125 : exit_code;
}

/* --- resolve ------------------------------------------------------------------------- */

static int
inc_resolve(struct globals *g, int argc, char **argv, int64_t id)
{
	static const struct option longopts[] = {
		{ "summary", required_argument, NULL, 1 },
		{ "impact", required_argument, NULL, 2 },
		{ "root-cause", required_argument, NULL, 3 },
		{ "resolution", required_argument, NULL, 4 },
		{ "prevention", required_argument, NULL, 5 },
		{ "went-well", required_argument, NULL, 6 },
		{ "needs-improvement", required_argument, NULL, 7 },
		{ "data-loss", required_argument, NULL, 8 },
		{ "action", required_argument, NULL, 9 },
		{ NULL, 0, NULL, 0 },
	};
	struct incident form;
	memset(&form, 0, sizeof form);
	form.data_loss_s = -1;
	struct action_item *actions = NULL;
	size_t nactions = 0;
	int ch, rc = EXIT_USAGE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char **dst = NULL;
		switch (ch) {
		case 1: dst = &form.summary; break;
		case 2: dst = &form.impact; break;
		case 3: dst = &form.root_cause; break;
		case 4: dst = &form.resolution; break;
		case 5: dst = &form.prevention; break;
		case 6: dst = &form.went_well; break;
		case 7: dst = &form.needs_improvement; break;
		case 8:
			if ((form.data_loss_s = conf_parse_duration(optarg)) < 0) {
				cmd_error(EXIT_USAGE, "--data-loss %s: expected a duration (0s, 5m)", optarg);
				goto out;
			}
			break;
		case 9: {
			/* "text;owner;kind" */
			char *s = xstrdup(optarg);
			char *owner = strchr(s, ';'), *kind = NULL;
			if (owner != NULL) {
				*owner++ = '\0';
				kind = strchr(owner, ';');
				if (kind != NULL)
					*kind++ = '\0';
			}
			actions = xreallocarray(actions, nactions + 1, sizeof *actions);
			actions[nactions].id = 0;
			actions[nactions].text = xstrdup(s);
			actions[nactions].owner = owner && *owner ? xstrdup(owner) : NULL;
			actions[nactions].kind = kind && *kind ? xstrdup(kind) : NULL;
			nactions++;
			free(s);
			break;
		}
		default:
			cmd_usage(&cmd_incident_entry);
			goto out;
		}
		if (dst != NULL) {
			free(*dst);
			*dst = xstrdup(optarg);
		}
	}
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1) {
		rc = fail(&x, cause);
		goto out;
	}
	/* a step left running ends with the incident */
	int64_t run = running_step(x.store, x.id, NULL);
	if (run != 0 && incident_step_end(&x.rec, x.id, run, "skipped", "incident resolved", &cause) == -1) {
		rc = fail(&x, cause);
		goto out;
	}
	if (incident_resolve(&x.rec, x.id, &form, actions, nactions, &cause) == -1) {
		rc = fail(&x, cause);
		goto out;
	}
	ctx_close(&x);
	rc = 0;
out:
	incident_clear(&form);
	action_items_free(actions, nactions);
	return rc;
}

/* --- list / show --------------------------------------------------------------------- */

static int
inc_list(struct globals *g, int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0;
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 0, 0, &cause) == -1)
		return fail(&x, cause);
	struct incident *list;
	size_t n;
	if (store_incident_list(x.store, 0, &list, &n, &cause) == -1)
		return fail(&x, cause);
	cJSON *arr = json ? cJSON_CreateArray() : NULL;
	if (!json)
		printf("%-5s %-3s %-9s %-5s %-20s %s\n", "ID", "SEV", "STATUS", "DRILL", "OPENED", "TITLE");
	for (size_t i = 0; i < n; i++) {
		char ts[32];
		fmt_utc(ts, sizeof ts, list[i].opened_at);
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "id", (double)list[i].id);
			char sev[4];
			snprintf(sev, sizeof sev, "P%d", list[i].severity);
			cJSON_AddStringToObject(o, "severity", sev);
			cJSON_AddStringToObject(o, "status", list[i].status);
			cJSON_AddBoolToObject(o, "drill", list[i].drill);
			cJSON_AddStringToObject(o, "opened_at", ts);
			cJSON_AddStringToObject(o, "title", list[i].title);
			cJSON_AddItemToArray(arr, o);
		} else {
			char *t = sanitize_str(list[i].title);
			printf("%-5lld P%-2d %-9s %-5s %-20s %s\n", (long long)list[i].id, list[i].severity,
			    list[i].status, list[i].drill ? "yes" : "no", ts, t);
			free(t);
		}
	}
	if (json) {
		char *s = cJSON_Print(arr);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(arr);
	}
	incidents_free(list, n);
	ctx_close(&x);
	return 0;
}

static int
inc_show(struct globals *g, int argc, char **argv, int64_t id)
{
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if ((id = parse_id(argv[i])) < 0)
			return cmd_error(EXIT_USAGE, "'%s' is not an incident id", argv[i]);
	}
	struct ctx x;
	char *cause = NULL;
	if (ctx_open(&x, g, 1, id, &cause) == -1)
		return fail(&x, cause);
	struct incident in;
	struct event *ev;
	size_t n;
	struct step_run *steps;
	size_t nsteps;
	struct command_run *cmds;
	size_t ncmds;
	if (store_incident_get(x.store, x.id, &in, &cause) == -1)
		return fail(&x, cause);
	if (store_events(x.store, x.id, 0, &ev, &n, &cause) == -1 ||
	    store_steps(x.store, x.id, &steps, &nsteps, &cause) == -1 ||
	    store_commands(x.store, x.id, &cmds, &ncmds, &cause) == -1) {
		incident_clear(&in);
		return fail(&x, cause);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)in.id);
		cJSON_AddStringToObject(o, "title", in.title);
		char sev[4];
		snprintf(sev, sizeof sev, "P%d", in.severity);
		cJSON_AddStringToObject(o, "severity", sev);
		cJSON_AddStringToObject(o, "status", in.status);
		cJSON_AddBoolToObject(o, "drill", in.drill);
		cJSON *ms = cJSON_AddObjectToObject(o, "milestones");
		for (int m = 0; m < MS_COUNT; m++) {
			if (in.ms[m] == 0) {
				cJSON_AddNullToObject(ms, milestone_key(m));
				continue;
			}
			char ts[32];
			fmt_utc(ts, sizeof ts, in.ms[m]);
			cJSON_AddStringToObject(ms, milestone_key(m), ts);
		}
		cJSON_AddNumberToObject(o, "events", (double)n);
		cJSON *arr = cJSON_AddArrayToObject(o, "timeline");
		for (size_t i = 0; i < n; i++) {
			cJSON *e = cJSON_CreateObject();
			char ts[32];
			fmt_utc(ts, sizeof ts, ev[i].at);
			cJSON_AddNumberToObject(e, "id", (double)ev[i].id);
			cJSON_AddStringToObject(e, "at", ts);
			cJSON_AddStringToObject(e, "source", ev[i].source);
			cJSON_AddStringToObject(e, "kind", ev[i].kind);
			if (ev[i].host)
				cJSON_AddStringToObject(e, "host", ev[i].host);
			cJSON_AddStringToObject(e, "text", ev[i].text);
			cJSON_AddItemToArray(arr, e);
		}
		cJSON *sarr = cJSON_AddArrayToObject(o, "steps");
		for (size_t i = 0; i < nsteps; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "number", steps[i].number);
			cJSON_AddStringToObject(e, "title", steps[i].title);
			cJSON_AddStringToObject(e, "outcome", steps[i].outcome);
			cJSON_AddNumberToObject(e, "timebox_s", (double)steps[i].timebox_s);
			if (steps[i].ended_at)
				cJSON_AddNumberToObject(e, "duration_ms", (double)(steps[i].ended_at - steps[i].started_at));
			cJSON_AddItemToArray(sarr, e);
		}
		cJSON *carr = cJSON_AddArrayToObject(o, "commands");
		for (size_t i = 0; i < ncmds; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "host", cmds[i].host);
			cJSON_AddStringToObject(e, "command", cmds[i].command);
			cJSON_AddStringToObject(e, "status", cmds[i].status);
			cJSON_AddNumberToObject(e, "exit_status", cmds[i].exit_status);
			cJSON_AddNumberToObject(e, "output_total", (double)cmds[i].output_total);
			cJSON_AddStringToObject(e, "output", cmds[i].output ? cmds[i].output : "");
			cJSON_AddItemToArray(carr, e);
		}
		char *s = cJSON_Print(o);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(o);
	} else {
		char *t = sanitize_str(in.title);
		printf("#%lld P%d %s%s: %s\n", (long long)in.id, in.severity, in.status,
		    in.drill ? " (drill)" : "", t);
		free(t);
		for (int m = 0; m < MS_COUNT; m++)
			if (in.ms[m]) {
				char ts[32];
				fmt_utc(ts, sizeof ts, in.ms[m]);
				printf("  %-15s %s\n", milestone_name(m), ts);
			}
		for (size_t i = 0; i < n; i++) {
			char ts[16];
			fmt_utc_hms(ts, sizeof ts, ev[i].at);
			char *text = sanitize_str(ev[i].text), *host = sanitize_str(ev[i].host);
			printf("%s %-9s %-10s %s\n", ts, ev[i].source, host, text);
			free(text);
			free(host);
		}
	}
	events_free(ev, n);
	step_runs_free(steps, nsteps);
	command_runs_free(cmds, ncmds);
	incident_clear(&in);
	ctx_close(&x);
	return 0;
}

static int
cmd_incident(struct globals *g, int argc, char **argv)
{
	int64_t id = 0;
	/* -i ID may come before the subcommand or right after it */
	if (take_id(&argc, &argv, &id) == -1)
		return cmd_error(EXIT_USAGE, "-i: expected an incident id");
	int64_t before = id;
	if (argc < 2)
		return cmd_usage(&cmd_incident_entry);
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "open") == 0)
		return inc_open(g, argc, argv);
	if (strcmp(sub, "list") == 0)
		return inc_list(g, argc, argv);
	if (take_id(&argc, &argv, &id) == -1)
		return cmd_error(EXIT_USAGE, "-i: expected an incident id");
	if (id == 0)
		id = before;
	if (strcmp(sub, "note") == 0)
		return inc_note(g, argc, argv, id);
	if (strcmp(sub, "severity") == 0)
		return inc_severity(g, argc, argv, id);
	if (strcmp(sub, "milestone") == 0)
		return inc_milestone(g, argc, argv, id);
	if (strcmp(sub, "runbook") == 0)
		return inc_runbook(g, argc, argv, id);
	if (strcmp(sub, "tick") == 0)
		return inc_tick(g, argc, argv, id);
	if (strcmp(sub, "step") == 0)
		return inc_step(g, argc, argv, id);
	if (strcmp(sub, "run") == 0)
		return inc_run(g, argc, argv, id);
	if (strcmp(sub, "resolve") == 0)
		return inc_resolve(g, argc, argv, id);
	if (strcmp(sub, "show") == 0)
		return inc_show(g, argc, argv, id);
	return cmd_usage(&cmd_incident_entry);
}

const struct cmd_entry cmd_incident_entry = {
	.name = "incident",
	.usage = "open --title T --severity P0-P3 [--host H] [--service S] [--users-impacted yes|no]\n"
	    "         [--impact critical|high|low|none] [--drill] [--rto D] [--rpo D]\n"
	    "         [--started TIME | --since-first] [--runbook NAME]\n"
	    "       sitrep incident [-i ID] note TEXT | severity P0-P3 | milestone NAME [--at TIME]\n"
	    "       sitrep incident [-i ID] runbook NAME | tick N|TEXT [--undo]\n"
	    "       sitrep incident [-i ID] step start N | step done|failed|skipped [--note TEXT]\n"
	    "       sitrep incident [-i ID] run --host H [--confirm HOST]\n"
	    "         (--step N [--command K] [--set P=V]... | -- CMD...)\n"
	    "       sitrep incident [-i ID] resolve [--summary T] [--impact T] [--root-cause T]\n"
	    "         [--resolution T] [--prevention T] [--went-well T] [--needs-improvement T]\n"
	    "         [--data-loss D] [--action 'TEXT;OWNER;KIND']...\n"
	    "       sitrep incident list [--json] | show [ID] [--json]",
	.summary = "open, record and resolve incidents from a script",
	.run = cmd_incident,
};
