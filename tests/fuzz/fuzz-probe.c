/*
 * Fuzzes a whole probe cycle: probe_parse() of the input with a fixed
 * nonce, for hosts with checks and units (containers auto and docker),
 * then the state rules (state_eval, with the first result as the previous
 * cycle of the second) and the host's overall state (state_eval_snapshot)
 * for each connection state. That covers the section splitter, every
 * section parser and the rules over what they return.
 */
#include "config.h"

#include "conf.h"
#include "fuzz.h"
#include "probe.h"
#include "sanitize.h"
#include "conf.h"
#include "snapshot.h"
#include "state.h"

/* The hosts of the seeds in corpus/probe (captured with this configuration). */
static const char conf_text[] =
    "host auto\n"
    "    address local\n"
    "    containers auto\n"
    "    unit nginx.service redis-server nope.service ssh\n"
    "    check uname uname -s expect ^Linux\n"
    "    check load cat /proc/loadavg expect \"^[0-9.]+ \"\n"
    "    check token curl -fsS \"https://example.invalid/${SITREP_FUZZ_UNSET_VARIABLE}\"\n"
    "    check true true\n"
    "host docker\n"
    "    address local\n"
    "    containers docker\n"
    "    unit nginx.service redis-server nope.service ssh\n"
    "    check uname uname -s expect ^Linux\n"
    "    check load cat /proc/loadavg expect \"^[0-9.]+ \"\n"
    "    check token curl -fsS \"https://example.invalid/${SITREP_FUZZ_UNSET_VARIABLE}\"\n"
    "    check true true\n";

static struct conf conf;
static int64_t now;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;
	sanitize_init();
	unsetenv("SITREP_FUZZ_UNSET_VARIABLE");
	conf_init(&conf);
	if (conf_parse(&conf, conf_text, strlen(conf_text), "fuzz-probe", &cause) == -1 ||
	    conf.nhosts != 2) {
		fprintf(stderr, "fuzz-probe: %s\n", cause ? cause : "two hosts expected");
		abort();
	}
	if (probe_parse_time("2026-11-22T00:00:00Z", &now) == -1)
		abort();
	return 0;
}

static void
check_data(const struct host_conf *h, const struct host_data *d)
{
	FUZZ_ASSERT(d->nunits == h->units.n && d->nchecks == h->nchecks);
	for (size_t i = 0; i < d->nunits; i++) {
		FUZZ_ASSERT(strcmp(d->units[i].name, h->units.v[i]) == 0);
		FUZZ_ASSERT(d->units[i].reason != NULL);
		FUZZ_ASSERT((unsigned)d->units[i].state < STATE_COUNT);
	}
	for (size_t i = 0; i < d->nchecks; i++) {
		FUZZ_ASSERT(d->checks[i].reason != NULL);
		FUZZ_ASSERT(d->checks[i].output == NULL ||
		    strlen(d->checks[i].output) <= PROBE_CHECK_OUTPUT);
		FUZZ_ASSERT(d->checks[i].exit_code >= -1 && d->checks[i].exit_code <= 255);
	}
	FUZZ_ASSERT(d->ncontainers <= PROBE_MAX_ITEMS);
	for (size_t i = 0; i < d->ncontainers; i++)
		FUZZ_ASSERT(d->containers[i].reason != NULL &&
		    (unsigned)d->containers[i].state < STATE_COUNT);
	for (size_t i = 0; i < d->ndisks; i++)
		FUZZ_ASSERT(d->disks[i].reason != NULL);
	FUZZ_ASSERT(d->load_reason != NULL && d->mem_reason != NULL);
	FUZZ_ASSERT(d->hostname == NULL || strlen(d->hostname) <= 200);
	if (d->mem_total_kb > 0)
		FUZZ_ASSERT(d->mem_pct >= 0 && d->mem_pct <= 100);
	FUZZ_ASSERT(!(h->containers == CONTAINERS_DOCKER && d->containers_state == STATE_UNKNOWN) ||
	    d->containers_error != NULL);
}

static void
check_snapshot(struct host_data *d)
{
	static const enum conn_state conns[] = {
		CONN_UP, CONN_NEW, CONN_DOWN, CONN_UNTRUSTED, CONN_KEY_CHANGED, CONN_AUTH_FAILED,
		CONN_LOCAL_ERROR,
	};
	struct host_snapshot *s = snapshot_new("fuzz");
	s->data = host_data_ref(d);
	for (size_t i = 0; i < nitems(conns); i++) {
		s->conn = conns[i];
		state_eval_snapshot(s);
		FUZZ_ASSERT(s->reason != NULL && (unsigned)s->state < STATE_COUNT);
		if (s->conn == CONN_UP)
			FUZZ_ASSERT(s->state != STATE_DOWN && s->state != STATE_UNTRUSTED);
	}
	/* up, but no data yet */
	host_data_unref(&s->data);
	s->conn = CONN_UP;
	state_eval_snapshot(s);
	FUZZ_ASSERT(s->state == STATE_UNKNOWN);
	snapshot_unref(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *out = (const char *)data;
	struct host_data *prev = host_data_new();
	const struct host_conf *h = &conf.hosts[0];
	int rc = probe_parse(out, size, FUZZ_NONCE, h, prev);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	state_eval(h, prev, NULL, now);
	check_data(h, prev);
	check_snapshot(prev);

	/* the same output for a docker host, with the first as its previous cycle */
	struct host_data *d = host_data_new();
	h = &conf.hosts[1];
	FUZZ_ASSERT(probe_parse(out, size, FUZZ_NONCE, h, d) == rc);
	state_eval(h, d, prev, now + 5000);
	check_data(h, d);
	check_snapshot(d);

	host_data_unref(&d);
	host_data_unref(&prev);
	return 0;
}
