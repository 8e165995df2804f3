/*
 * sitrep incident list [--since DATE] [--json]: every incident, for people
 * and for scripts (JSON strings are valid UTF-8, secrets redacted).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

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
