/*
 * sitrep logs HOST NAME [-n N] [--unit]: the tail of a container's (or a
 * systemd unit's) log, sanitized.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "sanitize.h"

static int
cmd_logs(struct cmd_ctx *x)
{
	long long lines = 0;
	if (cmd_opt_int(x, "lines", 1, 100000, &lines) == -1)
		return EXIT_USAGE;
	int unit = cmd_flag(x, "unit");
	const char *host = x->args.argv[0], *name = x->args.argv[1];
	struct fleet_once o;
	char *cause = NULL;
	if (cmd_fleet_once(x, (char **)&host, 1, 0, &o, &cause) == -1) {
		cmd_error(EXIT_USAGE, "%s", cause);
		free(cause);
		cmd_fleet_once_end(&o);
		return EXIT_USAGE;
	}
	struct fleet *f = o.fleet;
	struct conf *c = &x->conf;
	if (lines == 0)
		lines = c->log_lines;
	/* a name the host lists as a unit is a unit */
	if (!unit && strv_find(&c->hosts[0].units, name) >= 0)
		unit = 1;
	fleet_request_logs(f, 0, name, unit, (int)lines);
	int rc = 1;
	int64_t deadline = mono_ms() + (int64_t)c->hosts[0].timeout_s * 3000;
	struct fleet_msg *got = NULL;
	while (got == NULL && mono_ms() < deadline) {
		if (wait_readable(o.wake[0], 100))
			wake_drain(o.wake[0]);
		struct fleet_msg *m = fleet_take_messages(f);
		for (struct fleet_msg *p = m; p; p = p->next)
			if (p->kind == FLEET_MSG_LOGS && got == NULL) {
				got = p;
				break;
			}
		if (got != NULL) {
			if (got->error != NULL)
				cmd_error(1, "%s: %s", host, got->error);
			else {
				char *safe = sanitize_text(got->data, got->len, SAN_MULTILINE);
				fputs(safe, stdout);
				if (safe[0] && safe[strlen(safe) - 1] != '\n')
					putchar('\n');
				free(safe);
				rc = got->result.exit_status == 0 ? 0 : 1;
			}
		}
		fleet_msg_free(m);
	}
	if (got == NULL)
		cmd_error(1, "%s: no answer", host);
	cmd_fleet_once_end(&o);
	return rc;
}

static const struct cmd_opt logs_opts[] = {
	{ "lines", 'n', OPT_VALUE, "N", "the last N lines (1-100000; default: log-lines)" },
	{ "unit", 'u', OPT_FLAG, NULL, "NAME is a systemd unit, not a container" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_logs_entry = {
	.name = "logs",
	.usage = "[-n LINES] [--unit] HOST NAME",
	.summary = "the tail of a container's or unit's log",
	.opts = logs_opts,
	.args_min = 2,
	.args_max = 2,
	.flags = CMD_CONF,
	.run = cmd_logs,
};
