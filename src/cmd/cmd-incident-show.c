/*
 * sitrep incident show [ID] [--json]: one incident as the store holds it,
 * for people and for scripts (JSON strings are valid UTF-8, secrets
 * redacted).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd-incident.h"
#include "render.h"
#include "sanitize.h"

static cJSON *
show_json_milestones(const struct incident *in)
{
	cJSON *ms = cJSON_CreateObject();
	for (int m = 0; m < MS_COUNT; m++) {
		if (in->ms[m] == 0) {
			cJSON_AddNullToObject(ms, milestone_key(m));
			continue;
		}
		char ts[32];
		fmt_utc(ts, sizeof ts, in->ms[m]);
		render_json_str(ms, milestone_key(m), ts);
	}
	return ms;
}

static cJSON *
show_json_event(const struct event *ev)
{
	cJSON *e = cJSON_CreateObject();
	char ts[32];
	fmt_utc(ts, sizeof ts, ev->at);
	cJSON_AddNumberToObject(e, "id", (double)ev->id);
	render_json_str(e, "at", ts);
	render_json_str(e, "source", ev->source);
	render_json_str(e, "kind", ev->kind);
	if (ev->host)
		render_json_str(e, "host", ev->host);
	render_json_str(e, "text", ev->text);
	if (ev->operator_name)
		render_json_str(e, "operator", ev->operator_name);
	return e;
}

static cJSON *
show_json_step(const struct step_run *r)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "number", r->number);
	render_json_str(e, "title", r->title);
	render_json_str(e, "outcome", r->outcome);
	cJSON_AddNumberToObject(e, "timebox_s", (double)r->timebox_s);
	if (r->ended_at)
		cJSON_AddNumberToObject(e, "duration_ms", (double)(r->ended_at - r->started_at));
	return e;
}

static cJSON *
show_json_command(const struct command_run *r)
{
	cJSON *e = cJSON_CreateObject();
	render_json_str(e, "host", r->host);
	render_json_str(e, "command", r->command);
	render_json_str(e, "status", r->status);
	cJSON_AddNumberToObject(e, "exit_status", r->exit_status);
	cJSON_AddNumberToObject(e, "output_total", (double)r->output_total);
	render_json_str(e, "output", r->output ? r->output : "");
	return e;
}

static void
show_json(const struct incident_record *d)
{
	const struct incident *in = &d->in;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)in->id);
	render_json_str(o, "title", in->title);
	char sev[4];
	snprintf(sev, sizeof sev, "P%d", in->severity);
	render_json_str(o, "severity", sev);
	render_json_str(o, "status", in->status);
	cJSON_AddBoolToObject(o, "drill", in->drill);
	cJSON_AddItemToObject(o, "milestones", show_json_milestones(in));
	cJSON_AddNumberToObject(o, "events", (double)d->nev);
	cJSON *arr = cJSON_AddArrayToObject(o, "timeline");
	for (size_t i = 0; i < d->nev; i++)
		cJSON_AddItemToArray(arr, show_json_event(&d->ev[i]));
	arr = cJSON_AddArrayToObject(o, "steps");
	for (size_t i = 0; i < d->nsteps; i++)
		cJSON_AddItemToArray(arr, show_json_step(&d->steps[i]));
	arr = cJSON_AddArrayToObject(o, "commands");
	for (size_t i = 0; i < d->ncmds; i++)
		cJSON_AddItemToArray(arr, show_json_command(&d->cmds[i]));
	char *s = cJSON_Print(o);
	printf("%s\n", s);
	free(s);
	cJSON_Delete(o);
}

static void
show_text(const struct incident_record *d)
{
	const struct incident *in = &d->in;
	char *t = sanitize_str(in->title);
	printf("#%lld P%d %s%s: %s\n", (long long)in->id, in->severity, in->status,
	    in->drill ? " (drill)" : "", t);
	free(t);
	for (int m = 0; m < MS_COUNT; m++)
		if (in->ms[m]) {
			char ts[32];
			fmt_utc(ts, sizeof ts, in->ms[m]);
			printf("  %-15s %s\n", milestone_name(m), ts);
		}
	for (size_t i = 0; i < d->nev; i++) {
		const struct event *ev = &d->ev[i];
		char ts[16];
		fmt_utc_hms(ts, sizeof ts, ev->at);
		char *text = sanitize_str(ev->text), *host = sanitize_str(ev->host);
		printf("%s %-9s %-10s %s\n", ts, ev->source, host, text);
		free(text);
		free(host);
	}
}

static int
inc_show(struct cmd_ctx *x)
{
	char *cause = NULL;
	struct incident_record d;
	if (store_incident_record(x->store, x->id, &d, &cause) == -1)
		return incident_cmd_failed(cause);
	if (cmd_flag(x, "json"))
		show_json(&d);
	else
		show_text(&d);
	incident_record_clear(&d);
	return 0;
}

static const struct cmd_opt show_opts[] = {
	INCIDENT_OPT_ID,
	{ "json", 'j', OPT_FLAG, NULL, "as JSON" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_show_entry = {
	.name = "show",
	.usage = "[-i] [ID] [--json]",
	.summary = "one incident: milestones and its timeline",
	.opts = show_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE_RO | CMD_INCIDENT | CMD_ID_ARG,
	.run = inc_show,
};
