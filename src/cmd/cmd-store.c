/*
 * sitrep store migrate --from STORE --to STORE: copies every incident,
 * event, step, command, tick, action item and outbox message from one
 * store into an empty one, SQLite file or PostgreSQL database, either
 * way, with the row counts checked on both sides.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "store.h"

static int
store_migrate(struct cmd_ctx *x)
{
	const char *from = cmd_opt(x, "from"), *to = cmd_opt(x, "to");
	if (from == NULL || to == NULL)
		return cmd_error(EXIT_USAGE, "%s: --from and --to are both needed", x->name);
	struct store *src = NULL, *dst = NULL;
	struct strv counts = { NULL, 0 };
	char *cause = NULL;
	int rc = 0;
	if (store_open(from, 1, &src, &cause) == -1 ||
	    store_open(to, 0, &dst, &cause) == -1 ||
	    store_copy(src, dst, &counts, &cause) == -1)
		rc = cmd_error(1, "%s", cause);
	else
		for (size_t i = 0; i < counts.n; i++)
			printf("%s\n", counts.v[i]);
	free(cause);
	strv_free(&counts);
	store_close(&src);
	store_close(&dst);
	return rc;
}

static const struct cmd_opt migrate_opts[] = {
	{ "from", 'f', OPT_VALUE, "STORE", "the store to copy: a file or postgresql://..." },
	{ "to", 't', OPT_VALUE, "STORE", "an empty store to copy into (created if new)" },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct cmd_entry store_migrate_entry = {
	.name = "migrate",
	.usage = "--from STORE --to STORE",
	.summary = "copy a store into an empty one (SQLite file or PostgreSQL), counts checked",
	.opts = migrate_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = 0,
	.run = store_migrate,
};

static const struct cmd_entry *const store_sub[] = {
	&store_migrate_entry,
	NULL,
};

const struct cmd_entry cmd_store_entry = {
	.name = "store",
	.usage = "migrate --from STORE --to STORE",
	.summary = "copy the incident store between SQLite and PostgreSQL",
	.sub = store_sub,
	.sub_default = "migrate",
};
