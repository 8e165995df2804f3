/*
 * sitrep wall: the read-only big-screen view of the console's fleet and
 * store; it follows the incident the console runs and never runs a command.
 */
#include "config.h"

#include "cmd.h"

static int
cmd_wall(struct cmd_ctx *x)
{
	return cmd_console_run(x, 1);
}

static const struct cmd_opt wall_opts[] = {
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry cmd_wall_entry = {
	.name = "wall",
	.usage = "",
	.summary = "the read-only big-screen view; follows the console's incident",
	.opts = wall_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_CONF,
	.run = cmd_wall,
};
