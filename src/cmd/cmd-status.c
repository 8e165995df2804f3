/*
 * sitrep status [--json] [-v] [HOST...]: the fleet once, as a table or as
 * JSON; the exit code follows the monitoring-plugin convention.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "fleet.h"
#include "render.h"
#include "state.h"

static int
cmd_status(struct cmd_ctx *x)
{
	int json = cmd_flag(x, "json"), verbose = cmd_flag(x, "verbose");
	struct fleet_once o;
	char *cause = NULL;
	if (cmd_fleet_once(x, x->args.argv, x->args.argc, 0, &o, &cause) == -1) {
		/* a monitoring system reads 2 as CRIT: our own error is UNKNOWN */
		cmd_error(EXIT_MONITOR_UNKNOWN, "%s", cause);
		free(cause);
		cmd_fleet_once_end(&o);
		return EXIT_MONITOR_UNKNOWN;
	}
	struct fleet *f = o.fleet;
	size_t n = fleet_size(f);
	enum state *states = xcalloc(n ? n : 1, sizeof *states);
	int64_t now = mono_ms();
	cJSON *root = NULL, *hosts = NULL;
	if (json) {
		root = cJSON_CreateObject();
		char ts[32];
		fmt_utc(ts, sizeof ts, wall_ms());
		cJSON_AddStringToObject(root, "generated_at", ts);
		cJSON_AddStringToObject(root, "version", PACKAGE_VERSION);
		hosts = cJSON_AddArrayToObject(root, "hosts");
	}
	int own_error = 0;
	for (size_t i = 0; i < n; i++) {
		struct host_snapshot *s = fleet_snapshot(f, i);
		states[i] = s->state;
		if (s->conn == CONN_LOCAL_ERROR && !own_error++) {
			cmd_error(0, "%s, reaching %s", s->conn_reason ? s->conn_reason :
			    conn_word(s->conn), s->host);
		}
		if (json)
			cJSON_AddItemToArray(hosts, render_host_json(s, now));
		else
			render_host_text(stdout, s, now, verbose);
		snapshot_unref(&s);
	}
	/* sitrep's own failure makes the check broken, not the fleet CRIT */
	int rc = own_error ? EXIT_MONITOR_UNKNOWN : state_exit_code(states, n);
	if (json) {
		/* the fleet's state is the exit code's, in words */
		static const char *const words[] = { "OK", "WARN", "CRIT", "UNKNOWN" };
		cJSON_AddStringToObject(root, "state", words[rc & 3]);
		cJSON_AddNumberToObject(root, "exit_code", rc);
		char *text = cJSON_Print(root);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(root);
	}
	fflush(stdout);
	free(states);
	cmd_fleet_once_end(&o);
	return rc;
}

static const struct cmd_opt status_opts[] = {
	{ "json", 'j', OPT_FLAG, NULL, "as JSON" },
	{ "verbose", 'v', OPT_FLAG, NULL, "every container, check and disk" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json] [-v] [HOST...]",
	.summary = "the fleet once, as a table or JSON (exit 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN)",
	.opts = status_opts,
	.args_min = 0,
	.args_max = -1,
	.flags = CMD_CONF | CMD_MONITOR,
	.run = cmd_status,
};
