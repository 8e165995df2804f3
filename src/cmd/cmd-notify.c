/*
 * sitrep notify test [TARGET]: sends a test message to every (or one)
 * configured webhook, now. sitrep notify flush: delivers what the outbox
 * still holds. sitrep notify status: what is waiting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "notify.h"
#include "sanitize.h"

static int
notify_test(struct cmd_ctx *x)
{
	const struct conf *c = &x->conf;
	const char *only = x->args.argc > 0 ? x->args.argv[0] : NULL;
	if (c->nnotify == 0)
		return cmd_error(1, "no notify target in the configuration");
	if (only != NULL && notify_find(c, only) == NULL)
		return cmd_error(EXIT_USAGE, "no notify target called '%s'", str_quote_short(only));
	int rc = 0;
	for (size_t i = 0; i < c->nnotify; i++) {
		const struct notify_conf *n = &c->notify[i];
		if (only != NULL && strcmp(only, n->name) != 0)
			continue;
		char *payload = notify_payload(n, NULL, NOTIFY_EV_TEST,
		    "test message: notifications reach this channel", wall_ms());
		char *cause = NULL;
		if (notify_send(n, payload, &cause) == 0)
			printf("%s: delivered\n", n->name);
		else {
			cmd_error(1, "%s", cause);
			free(cause);
			rc = 1;
		}
		free(payload);
	}
	return rc;
}

static int
notify_flush_cmd(struct cmd_ctx *x)
{
	int failed = 0;
	char *cause = NULL;
	int sent = notify_flush(x->store, &x->conf, 30000, 1, &failed, &cause);
	if (sent < 0) {
		cmd_error(1, "%s", cause);
		free(cause);
		return 1;
	}
	printf("%d delivered, %d failed\n", sent, failed);
	return failed ? 1 : 0;
}

static int
notify_status(struct cmd_ctx *x)
{
	struct strv targets;
	memset(&targets, 0, sizeof targets);
	int64_t total;
	char *cause = NULL;
	if (store_outbox_waiting(x->store, &targets, &total, &cause) == -1) {
		cmd_error(1, "%s", cause);
		free(cause);
		return 1;
	}
	printf("%lld waiting\n", (long long)total);
	for (size_t i = 0; i < targets.n; i++) {
		char *t = sanitize_str(targets.v[i]);
		printf("  %s\n", t);
		free(t);
	}
	strv_free(&targets);
	return 0;
}

static const struct cmd_opt no_opts[] = {
	{ NULL, 0, 0, NULL, NULL },
};

static const struct cmd_entry notify_test_entry = {
	.name = "test",
	.usage = "[TARGET]",
	.summary = "send a test message to every target (or one), now",
	.opts = no_opts,
	.args_min = 0,
	.args_max = 1,
	.flags = CMD_CONF,
	.run = notify_test,
};

static const struct cmd_entry notify_flush_entry = {
	.name = "flush",
	.usage = "",
	.summary = "deliver what the outbox holds, retries included",
	.opts = no_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE,
	.run = notify_flush_cmd,
};

static const struct cmd_entry notify_status_entry = {
	.name = "status",
	.usage = "",
	.summary = "how many messages wait, per target",
	.opts = no_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_STORE_RO,
	.run = notify_status,
};

static const struct cmd_entry *const notify_sub[] = {
	&notify_test_entry,
	&notify_flush_entry,
	&notify_status_entry,
	NULL,
};

const struct cmd_entry cmd_notify_entry = {
	.name = "notify",
	.usage = "test [TARGET] | flush | status",
	.summary = "test the webhooks; deliver what the outbox holds",
	.sub = notify_sub,
};
