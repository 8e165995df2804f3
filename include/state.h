/*
 * state: from measurements to OK / WARN / CRIT / DOWN / UNTRUSTED / UNKNOWN,
 * each with its reason in words. Pure functions over host_data.
 */
#ifndef SITREP_STATE_H
#define SITREP_STATE_H

#include <stddef.h>
#include <stdint.h>

/* Ordered from best to worst: state_worst() relies on it. */
enum state {
	STATE_OK,
	STATE_UNKNOWN,
	STATE_WARN,
	STATE_CRIT,
	STATE_DOWN,
	STATE_UNTRUSTED,
	STATE_COUNT
};

const char *state_word(enum state);
/* A symbol that differs per state, so colour is never the only signal. */
const char *state_symbol(enum state);
enum state state_worst(enum state, enum state);
/* "OK" -> STATE_OK ...; -1 if unknown. */
int state_from_word(const char *);

struct host_conf;
struct host_data;
struct host_snapshot;

/* How long a restart-count increase keeps a container in "crash loop". */
#define CRASHLOOP_WINDOW_MS (10 * 60 * 1000)

/*
 * Sets the state and reason of every item of d. prev (may be NULL) is the
 * previous cycle's data, for restart-count growth.
 */
void state_eval(const struct host_conf *, struct host_data *d, const struct host_data *prev,
    int64_t now_wall);
/* Sets s->state and s->reason from its connection and data. */
void state_eval_snapshot(struct host_snapshot *s);
/* Monitoring-plugin exit code for a set of host states: 0, 1, 2 or 3. */
int state_exit_code(const enum state *, size_t n);

#endif
