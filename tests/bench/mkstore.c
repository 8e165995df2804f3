/*
 * mkstore: a big incident for the report benchmark, written with the
 * tree's own store API (incident_open, then store_* inserts in one
 * transaction).
 *
 * The incident has EVENTS timeline events spread over 30 hosts and six
 * sources, COMMANDS command runs with outputs of 200 B to 16 KiB (every
 * 50th at the 64 KiB the store keeps), 20 runbook steps and a few
 * checklist ticks, and it is resolved with the form filled in, so every
 * section of the report has content. Prints the incident id.
 *
 * usage: mkstore DB EVENTS COMMANDS
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "store.h"
#include "util.h"

static void
die(const char *what, char *cause)
{
	fprintf(stderr, "mkstore: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

/* Deterministic filler text of len bytes: log-like lines. */
static char *
filler(size_t len, unsigned seed)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;
	unsigned line = 0;
	while (n < len) {
		char l[128];
		int k = snprintf(l, sizeof l, "2026-11-21T23:%02u:%02u.%03uZ worker[%u]: processed batch "
		    "%u of %u (%u items, %u ms)\n", (seed + line) % 60, line % 60, (line * 7) % 1000,
		    seed % 8, line, line + 100, (line * 13) % 500, (line * 31) % 2000);
		for (int i = 0; i < k && n < len; i++)
			out[n++] = l[i];
		line++;
	}
	out[n] = '\0';
	return out;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mkstore DB EVENTS COMMANDS\n");
		return 2;
	}
	const char *path = argv[1];
	long nevents = atol(argv[2]), ncommands = atol(argv[3]);
	struct store *s = NULL;
	char *cause = NULL;
	if (store_open(path, 0, &s, &cause) == -1)
		die(path, cause);

	int64_t t0 = wall_ms() - 6 * 3600 * 1000LL;
	struct recorder rec = { .store = s, .conf = NULL, .operator_name = "bench" };
	struct incident in;
	memset(&in, 0, sizeof in);
	in.title = xstrdup("Gateway 502s across the edge fleet (benchmark incident)");
	in.severity = 1;
	in.users_impacted = 1;
	in.business_impact = xstrdup("high");
	in.hosts = xstrdup("h1,h2,h3");
	in.services = xstrdup("gateway");
	in.rto_s = 3600;
	in.rpo_s = 900;
	in.data_loss_s = -1;
	in.ms[MS_STARTED] = t0;
	in.ms[MS_DETECTED] = t0 + 60000;
	if (incident_open(&rec, &in, 0, &cause) == -1)
		die("incident_open", cause);
	int64_t id = in.id;

	static const char *const sources[] = { "fleet", "operator", "command", "checklist", "runbook",
		"system" };
	static const char *const kinds[] = { "restarted", "health", "disk", "down", "back", "note",
		"step", "tick" };
	if (store_begin(s, &cause) == -1)
		die("begin", cause);
	int64_t span = 5 * 3600 * 1000LL;
	for (long i = 0; i < nevents; i++) {
		char host[16], text[256];
		snprintf(host, sizeof host, "h%ld", i % 30 + 1);
		snprintf(text, sizeof text, "container bot restarted (exit 3, restart count %ld); "
		    "health gateway HTTP 200 in %ld ms; disk /srv/data at %ld%%", i / 30, i % 900, i % 100);
		struct event e = {
			.incident_id = id,
			.at = t0 + span * i / (nevents > 0 ? nevents : 1),
			.source = (char *)sources[i % 6],
			.kind = (char *)kinds[i % 8],
			.host = host,
			.text = text,
		};
		if (store_event_insert(s, &e, &cause) == -1)
			die("event", cause);
	}
	int64_t steps[20];
	for (int i = 0; i < 20; i++) {
		char title[64];
		snprintf(title, sizeof title, "Check and restart component %d", i + 1);
		struct step_run r = {
			.incident_id = id, .runbook = "runbooks/containers.md", .step_index = i,
			.number = i + 1, .title = title, .timebox_s = 300, .timebox_max_s = 600,
			.started_at = t0 + 120000 + i * 600000LL,
		};
		steps[i] = store_step_insert(s, &r, &cause);
		if (steps[i] == -1)
			die("step", cause);
		if (store_step_end(s, steps[i], r.started_at + 200000 + i * 30000LL, i % 7 == 3 ?
		    "failed" : "done", "ok", &cause) == -1)
			die("step end", cause);
	}
	for (long i = 0; i < ncommands; i++) {
		char host[16], command[128];
		snprintf(host, sizeof host, "h%ld", i % 30 + 1);
		snprintf(command, sizeof command, "docker logs --tail 200 bot-%ld && docker restart bot-%ld",
		    i, i);
		size_t len = i % 50 == 0 ? 64 * 1024 : 200 + (size_t)(i * 7919 % (16 * 1024));
		char *out = filler(len, (unsigned)i);
		struct command_run c = {
			.incident_id = id, .step_run_id = steps[i % 20], .host = host, .command = command,
			.started_at = t0 + 150000 + i * 15000LL,
		};
		c.id = store_command_insert(s, &c, &cause);
		if (c.id == -1)
			die("command", cause);
		c.ended_at = c.started_at + 1200;
		c.exit_status = i % 9 == 0 ? 1 : 0;
		c.duration_ms = 1200;
		c.output = out;
		c.output_len = len;
		c.output_total = (int64_t)len * (i % 50 == 0 ? 3 : 1);
		c.status = "done";
		if (store_command_finish(s, &c, &cause) == -1)
			die("command finish", cause);
		free(out);
	}
	for (int i = 0; i < 8; i++) {
		char item[64];
		snprintf(item, sizeof item, "triage item %d", i + 1);
		struct tick t = { .incident_id = id, .list = "triage", .item_index = i, .item = item,
			.checked = 1, .at = t0 + 90000 + i * 10000LL, .operator_name = "bench" };
		if (store_tick_set(s, &t, &cause) == -1)
			die("tick", cause);
	}
	if (store_commit(s, &cause) == -1)
		die("commit", cause);

	struct incident form;
	memset(&form, 0, sizeof form);
	form.summary = "The gateway answered 502 on three edge hosts for five hours.";
	form.impact = "About 30 % of API calls failed.";
	form.root_cause = "A crash-looping bot exhausted the gateway's upstream pool.";
	form.resolution = "Restarted the bot with a fixed queue client; drained the pool.";
	form.prevention = "Alert on restart counts; bound the pool per upstream.";
	form.went_well = "Detection within a minute.";
	form.needs_improvement = "The runbook lacked a pool-drain step.";
	form.data_loss_s = -1;
	struct action_item act[2] = {
		{ .text = "Alert on container restart counts", .owner = "ops", .kind = "prevent" },
		{ .text = "Add a pool-drain step to the runbook", .owner = "oncall", .kind = "mitigate" },
	};
	if (incident_milestone(&rec, id, MS_TRIAGE_DONE, t0 + 600000, &cause) == -1 ||
	    incident_milestone(&rec, id, MS_MITIGATED, t0 + 3 * 3600 * 1000LL, &cause) == -1 ||
	    incident_milestone(&rec, id, MS_RESTORED, t0 + 4 * 3600 * 1000LL, &cause) == -1 ||
	    incident_resolve(&rec, id, &form, act, 2, &cause) == -1)
		die("resolve", cause);
	store_close(&s);
	printf("%lld\n", (long long)id);
	return 0;
}
