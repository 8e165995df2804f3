/*
 * notify: webhooks for incident events (Slack-compatible, Telegram Bot
 * API sendMessage, or generic JSON). A message is queued in the outbox in
 * the same transaction as its event, and delivered off the main thread with
 * timeouts, retried with backoff while the endpoint is down, in order per
 * target. Tokens stay in the configuration: never in the store or a log.
 */
#ifndef SITREP_NOTIFY_H
#define SITREP_NOTIFY_H

#include <stdint.h>

#include "conf.h"
#include "store.h"

/* Queues a message for every target that wants evmask (inside a transaction). */
int notify_enqueue(struct store *, const struct conf *, const struct incident *,
    int64_t event_id, int evmask, const char *text, int64_t at, char **cause);
/* The JSON body a target gets for an event. */
char *notify_payload(const struct notify_conf *, const struct incident *, int evmask,
    const char *text, int64_t at);
/* Posts a payload to a target: 0 delivered, -1 with *cause (never holding the token). */
int notify_send(const struct notify_conf *, const char *payload, char **cause);
const struct notify_conf *notify_find(const struct conf *, const char *name);
/* The wait before attempt n + 1: 2 s, 4 s, ... capped at 5 min. */
int64_t notify_backoff_ms(int attempts);

/*
 * Delivers what is due now (with force, everything undelivered, whatever
 * its backoff), in order, within budget_ms: for the command-line twins and
 * 'sitrep notify flush'. Returns how many were sent.
 */
int notify_flush(struct store *, const struct conf *, int64_t budget_ms, int force, int *failed,
    char **cause);

/* The console's sender thread: the main thread reads the outbox and records results. */
struct notifier;
struct notifier_result {
	int64_t id;
	int ok;
	char *error;
};
struct notifier *notifier_start(const struct conf *, int wake_fd);
/* Hands over due messages (taken from the outbox) when idle: 1 taken, 0 busy. */
int notifier_submit(struct notifier *, struct outbox_msg *msgs, size_t n);
/* Results since the last call; the caller frees with notifier_results_free(). */
struct notifier_result *notifier_results(struct notifier *, size_t *n);
void notifier_results_free(struct notifier_result *, size_t n);
int notifier_busy(struct notifier *);
/*
 * The main thread's turn: records the results the sender has (delivered,
 * or a retry with its backoff) and hands it what is due when it is idle.
 */
void notifier_serve(struct notifier *, struct store *);
void notifier_stop(struct notifier **);

#endif
