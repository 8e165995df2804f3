/*
 * sitrep incident list [--since DATE] [--json], sitrep incident show [ID]
 * [--json]: what the store holds, for people and for scripts (JSON strings
 * are valid UTF-8, secrets redacted).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd-incident.h"
#include "render.h"
#include "sanitize.h"

static int
inc_list(struct cmd_ctx *x)
{
	int json = cmd_flag(x, "json");
	int64_t since = 0;
	if (cmd_opt_time(x, "since", &since) == -1)
		return EXIT_USAGE;
	struct incident *list;
	size_t n;
	char *cause = NULL;
	if (store_incident_list(x->store, since, &list, &n, &cause) == -1)
		return incident_cmd_failed(cause);
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
			render_json_str(o, "severity", sev);
			render_json_str(o, "status", list[i].status);
			cJSON_AddBoolToObject(o, "drill", list[i].drill);
			render_json_str(o, "opened_at", ts);
			render_json_str(o, "title", list[i].title);
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
	return 0;
}

static int
inc_show(struct cmd_ctx *x)
{
	int json = cmd_flag(x, "json");
	char *cause = NULL;
	struct incident in;
	struct event *ev;
	size_t n;
	struct step_run *steps;
	size_t nsteps;
	struct command_run *cmds;
	size_t ncmds;
	if (store_incident_get(x->store, x->id, &in, &cause) == -1)
		return incident_cmd_failed(cause);
	if (store_events(x->store, x->id, 0, &ev, &n, &cause) == -1 ||
	    store_steps(x->store, x->id, &steps, &nsteps, &cause) == -1 ||
	    store_commands(x->store, x->id, &cmds, &ncmds, &cause) == -1) {
		incident_clear(&in);
		return incident_cmd_failed(cause);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)in.id);
		render_json_str(o, "title", in.title);
		char sev[4];
		snprintf(sev, sizeof sev, "P%d", in.severity);
		render_json_str(o, "severity", sev);
		render_json_str(o, "status", in.status);
		cJSON_AddBoolToObject(o, "drill", in.drill);
		cJSON *ms = cJSON_AddObjectToObject(o, "milestones");
		for (int m = 0; m < MS_COUNT; m++) {
			if (in.ms[m] == 0) {
				cJSON_AddNullToObject(ms, milestone_key(m));
				continue;
			}
			char ts[32];
			fmt_utc(ts, sizeof ts, in.ms[m]);
			render_json_str(ms, milestone_key(m), ts);
		}
		cJSON_AddNumberToObject(o, "events", (double)n);
		cJSON *arr = cJSON_AddArrayToObject(o, "timeline");
		for (size_t i = 0; i < n; i++) {
			cJSON *e = cJSON_CreateObject();
			char ts[32];
			fmt_utc(ts, sizeof ts, ev[i].at);
			cJSON_AddNumberToObject(e, "id", (double)ev[i].id);
			render_json_str(e, "at", ts);
			render_json_str(e, "source", ev[i].source);
			render_json_str(e, "kind", ev[i].kind);
			if (ev[i].host)
				render_json_str(e, "host", ev[i].host);
			render_json_str(e, "text", ev[i].text);
			cJSON_AddItemToArray(arr, e);
		}
		cJSON *sarr = cJSON_AddArrayToObject(o, "steps");
		for (size_t i = 0; i < nsteps; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "number", steps[i].number);
			render_json_str(e, "title", steps[i].title);
			render_json_str(e, "outcome", steps[i].outcome);
			cJSON_AddNumberToObject(e, "timebox_s", (double)steps[i].timebox_s);
			if (steps[i].ended_at)
				cJSON_AddNumberToObject(e, "duration_ms", (double)(steps[i].ended_at - steps[i].started_at));
			cJSON_AddItemToArray(sarr, e);
		}
		cJSON *carr = cJSON_AddArrayToObject(o, "commands");
		for (size_t i = 0; i < ncmds; i++) {
			cJSON *e = cJSON_CreateObject();
			render_json_str(e, "host", cmds[i].host);
			render_json_str(e, "command", cmds[i].command);
			render_json_str(e, "status", cmds[i].status);
			cJSON_AddNumberToObject(e, "exit_status", cmds[i].exit_status);
			cJSON_AddNumberToObject(e, "output_total", (double)cmds[i].output_total);
			render_json_str(e, "output", cmds[i].output ? cmds[i].output : "");
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
	return 0;
}

static const struct cmd_opt list_opts[] = {
	{ "since", 's', OPT_VALUE, "DATE", "only incidents opened since DATE" },
	{ "json", 'j', OPT_FLAG, NULL, "as JSON" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_list_entry = {
	.name = "list",
	.usage = "[--since DATE] [--json]",
	.summary = "every incident, newest first",
	.opts = list_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE_RO,
	.run = inc_list,
};

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
