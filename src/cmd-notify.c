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
cmd_notify(struct globals *g, int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage(&cmd_notify_entry);
	struct conf c;
	char *cause = NULL;
	if (globals_load_conf(g, &c, &cause) == -1) {
		cmd_error(EXIT_USAGE, "%s", cause);
		free(cause);
		conf_free(&c);
		return EXIT_USAGE;
	}
	int rc = 0;
	if (strcmp(argv[1], "test") == 0) {
		if (c.nnotify == 0)
			rc = cmd_error(1, "no notify target in the configuration");
		else if (argc > 2 && notify_find(&c, argv[2]) == NULL)
			rc = cmd_error(EXIT_USAGE, "no notify target called '%s'", argv[2]);
		for (size_t i = 0; i < c.nnotify; i++) {
			const struct notify_conf *n = &c.notify[i];
			if (argc > 2 && strcmp(argv[2], n->name) != 0)
				continue;
			char *payload = notify_payload(n, NULL, NOTIFY_EV_TEST,
			    "test message: notifications reach this channel", wall_ms());
			if (notify_send(n, payload, &cause) == 0)
				printf("%s: delivered\n", n->name);
			else {
				cmd_error(1, "%s", cause);
				free(cause);
				cause = NULL;
				rc = 1;
			}
			free(payload);
		}
	} else if (strcmp(argv[1], "flush") == 0 || strcmp(argv[1], "status") == 0) {
		struct store *s = NULL;
		char *path = globals_db_path(g, &c);
		if (store_open(path, 0, &s, &cause) == -1) {
			rc = cmd_error(1, "%s", cause);
		} else if (strcmp(argv[1], "flush") == 0) {
			int failed = 0;
			int sent = notify_flush(s, &c, 30000, 1, &failed, &cause);
			if (sent < 0)
				rc = cmd_error(1, "%s", cause);
			else {
				printf("%d delivered, %d failed\n", sent, failed);
				rc = failed ? 1 : 0;
			}
		} else {
			struct outbox_msg *m;
			size_t n;
			if (store_outbox_due(s, INT64_MAX / 2, 1000, &m, &n, &cause) == 0) {
				printf("%zu waiting\n", n);
				outbox_msgs_free(m, n);
			}
		}
		store_close(&s);
		free(path);
	} else
		rc = cmd_usage(&cmd_notify_entry);
	free(cause);
	conf_free(&c);
	return rc;
}

const struct cmd_entry cmd_notify_entry = {
	.name = "notify",
	.usage = "test [TARGET] | flush | status",
	.summary = "test the webhooks; deliver what the outbox holds",
	.run = cmd_notify,
};
