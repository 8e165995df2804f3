/*
 * sitrep status [--json] [-v] [HOST...]: the fleet once, as a table or as
 * JSON; the exit code follows the monitoring-plugin convention.
 */
#include "config.h"

#include <getopt.h>
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
cmd_status(struct globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, verbose = 0, ch;
	while ((ch = getopt_long(argc, argv, "jv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		default:
			cmd_usage(&cmd_status_entry);
			return 3;	/* monitoring: UNKNOWN, never CRIT for our own errors */
		}
	}
	struct conf c;
	char *cause = NULL;
	if (globals_load_conf(g, &c, &cause) == -1 ||
	    conf_keep_hosts(&c, argv + optind, argc - optind, &cause) == -1) {
		/* a monitoring system reads 2 as CRIT: our own error is UNKNOWN */
		cmd_error(3, "%s", cause);
		free(cause);
		conf_free(&c);
		return 3;
	}
	int wake[2];
	if (wake_pipe(wake) == -1) {
		conf_free(&c);
		return cmd_error(3, "pipe failed");
	}
	struct fleet *f = fleet_start(&c, wake[1], FLEET_ONESHOT | FLEET_READONLY);
	fleet_wait_all(f, wake[0], fleet_first_cycle_bound(&c));
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
	for (size_t i = 0; i < n; i++) {
		struct host_snapshot *s = fleet_snapshot(f, i);
		states[i] = s->state;
		if (json)
			cJSON_AddItemToArray(hosts, render_host_json(s, now));
		else
			render_host_text(stdout, s, now, verbose);
		snapshot_unref(&s);
	}
	int rc = state_exit_code(states, n);
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
	fleet_stop(&f);
	close(wake[0]);
	close(wake[1]);
	conf_free(&c);
	return rc;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json] [-v] [HOST...]",
	.summary = "the fleet once, as a table or JSON (exit 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN)",
	.run = cmd_status,
};
