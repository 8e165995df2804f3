/* The rules from measurements to states and reasons. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "sanitize.h"
#include "conf.h"
#include "snapshot.h"
#include "state.h"
#include "tap.h"

static struct container
mk(const char *id, const char *name, const char *state, int restarts, int exit_code,
    const char *health, const char *policy)
{
	struct container c;
	memset(&c, 0, sizeof c);
	c.id = xstrdup(id);
	c.name = xstrdup(name);
	c.engine_state = xstrdup(state);
	c.restarts = restarts;
	c.exit_code = exit_code;
	c.health = health ? xstrdup(health) : NULL;
	c.restart_policy = policy ? xstrdup(policy) : NULL;
	return c;
}

int
main(void)
{
	sanitize_init();
	struct conf cf;
	conf_init(&cf);
	conf_default_fleet(&cf);
	const struct host_conf *h = &cf.hosts[0];
	int64_t now = 1800000000000LL;

	struct host_data *prev = host_data_new();
	prev->ncontainers = 4;
	prev->containers = xcalloc(4, sizeof *prev->containers);
	prev->containers[0] = mk("aaaaaaaaaaaa1", "web", "running", 0, 0, "healthy", "no");
	prev->containers[1] = mk("bbbbbbbbbbbb2", "bot", "running", 3, 3, NULL, "always");
	prev->containers[2] = mk("cccccccccccc3", "job", "exited", 0, 7, NULL, "no");
	prev->containers[3] = mk("dddddddddddd4", "api", "running", 0, 0, "healthy", "no");
	prev->mem_total_kb = 1000;
	prev->mem_avail_kb = 500;
	state_eval(h, prev, NULL, now - 5000);

	struct host_data *d = host_data_new();
	d->ncontainers = 4;
	d->containers = xcalloc(4, sizeof *d->containers);
	d->containers[0] = mk("aaaaaaaaaaaa1", "web", "running", 0, 0, "healthy", "no");
	d->containers[1] = mk("bbbbbbbbbbbb2", "bot", "exited", 4, 3, NULL, "always");
	d->containers[2] = mk("cccccccccccc3", "job", "exited", 0, 7, NULL, "no");
	d->containers[3] = mk("dddddddddddd4", "api", "running", 0, 0, "unhealthy", "no");
	d->load1 = 9.0;
	d->ncpu = 2;
	d->mem_total_kb = 1000;
	d->mem_avail_kb = 30;
	d->ndisks = 2;
	d->disks = xcalloc(2, sizeof *d->disks);
	d->disks[0].mount = xstrdup("/");
	d->disks[0].fs = xstrdup("/dev/vda");
	d->disks[0].pct = 85;
	d->disks[0].ipct = 3;
	d->disks[1].mount = xstrdup("/srv");
	d->disks[1].fs = xstrdup("tmpfs");
	d->disks[1].pct = 10;
	d->disks[1].ipct = 95;
	state_eval(h, d, prev, now);

	is_int(d->containers[0].state, STATE_OK, "running and healthy is OK");
	is_str(d->containers[0].reason, "running, healthy", "and says so");
	ok(d->containers[1].crashloop, "a growing restart count is a crash loop");
	is_int(d->containers[1].state, STATE_CRIT, "a crash loop is CRIT");
	is_str(d->containers[1].reason, "restarting: exited (3), 4 restarts", "with the exit code and count");
	is_int(d->containers[2].state, STATE_WARN, "exited non-zero is WARN");
	is_str(d->containers[2].reason, "exited (7)", "with its exit code");
	is_int(d->containers[3].state, STATE_CRIT, "unhealthy is CRIT");
	is_int(d->disks[0].state, STATE_WARN, "85%% is past disk-warn 80");
	is_int(d->disks[1].state, STATE_CRIT, "inodes count too: 95%% is CRIT");
	ok(strstr(d->disks[1].reason, "inodes") != NULL, "and the reason says inodes");
	is_int(d->load_state, STATE_CRIT, "load 9 on 2 cores is past 4 per core");
	is_int(d->mem_state, STATE_CRIT, "97%% memory used is CRIT");

	/* the crash loop stays a crash loop for a while without new restarts */
	struct host_data *d2 = host_data_new();
	d2->ncontainers = 1;
	d2->containers = xcalloc(1, sizeof *d2->containers);
	d2->containers[0] = mk("bbbbbbbbbbbb2", "bot", "running", 4, 3, NULL, "always");
	state_eval(h, d2, d, now + 60000);
	ok(d2->containers[0].crashloop, "still restarting a minute later");
	struct host_data *d3 = host_data_new();
	d3->ncontainers = 1;
	d3->containers = xcalloc(1, sizeof *d3->containers);
	d3->containers[0] = mk("bbbbbbbbbbbb2", "bot", "running", 4, 3, NULL, "always");
	state_eval(h, d3, d2, now + CRASHLOOP_WINDOW_MS + 1000);
	ok(!d3->containers[0].crashloop, "and calm once the window passed");
	is_int(d3->containers[0].state, STATE_OK, "then OK");

	struct host_snapshot *s = snapshot_new("h1");
	s->conn = CONN_UP;
	s->data = host_data_ref(d);
	state_eval_snapshot(s);
	is_int(s->state, STATE_CRIT, "the host takes its worst item's state");
	is_str(s->reason, "bot: restarting: exited (3), 4 restarts", "and its reason (first worst)");
	s->conn = CONN_DOWN;
	free(s->conn_reason);
	s->conn_reason = xstrdup("no answer for 5000 ms");
	state_eval_snapshot(s);
	is_int(s->state, STATE_DOWN, "a lost host is DOWN whatever its old data");
	is_str(s->reason, "no answer for 5000 ms", "with why");
	s->conn = CONN_UNTRUSTED;
	state_eval_snapshot(s);
	is_int(s->state, STATE_UNTRUSTED, "an unknown key is UNTRUSTED");
	s->conn = CONN_LOCAL_ERROR;
	free(s->conn_reason);
	s->conn_reason = xstrdup("sitrep: out of file descriptors (limit 16)");
	state_eval_snapshot(s);
	is_int(s->state, STATE_UNKNOWN, "sitrep's own failure leaves the host UNKNOWN, not DOWN");
	is_str(s->reason, "sitrep: out of file descriptors (limit 16)", "with sitrep's reason");
	snapshot_unref(&s);

	enum state all_ok[] = { STATE_OK, STATE_OK };
	enum state warn[] = { STATE_OK, STATE_WARN };
	enum state crit_down[] = { STATE_DOWN, STATE_CRIT };
	enum state down[] = { STATE_OK, STATE_DOWN };
	is_int(state_exit_code(all_ok, 2), 0, "exit 0 when all OK");
	is_int(state_exit_code(warn, 2), 1, "exit 1 on WARN");
	is_int(state_exit_code(crit_down, 2), 2, "exit 2 on CRIT, even with a DOWN host");
	is_int(state_exit_code(down, 2), 3, "exit 3 when a host is unreachable");

	host_data_unref(&prev);
	host_data_unref(&d);
	host_data_unref(&d2);
	host_data_unref(&d3);
	conf_free(&cf);
	return tap_done();
}
