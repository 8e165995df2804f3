/* Snapshot diffs: transitions become timeline events, steady states do not. */
#include "config.h"

#include <string.h>

#include "diff.h"
#include "sanitize.h"
#include "tap.h"
#include "util.h"

static struct host_snapshot *
snap(enum conn_state conn, int restarts, const char *state, enum state cst, enum state hst)
{
	struct host_snapshot *s = snapshot_new("h1");
	s->conn = conn;
	struct host_data *d = host_data_new();
	d->ncontainers = 1;
	d->containers = xcalloc(1, sizeof *d->containers);
	d->containers[0].id = xstrdup("abcdefabcdef");
	d->containers[0].name = xstrdup("bot");
	d->containers[0].engine_state = xstrdup(state);
	d->containers[0].restarts = restarts;
	d->containers[0].state = cst;
	d->containers[0].reason = xstrdup(state);
	d->nhealth = 1;
	d->health = xcalloc(1, sizeof *d->health);
	d->health[0].name = xstrdup("gateway");
	d->health[0].state = hst;
	d->health[0].reason = xstrdup(hst == STATE_OK ? "HTTP 200" : "HTTP 503");
	s->data = d;
	return s;
}

static int
has(struct change *c, size_t n, const char *kind, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].kind, kind) == 0 && strstr(c[i].text, text))
			return 1;
	return 0;
}

int
main(void)
{
	sanitize_init();
	struct host_snapshot *a = snap(CONN_UP, 1, "running", STATE_OK, STATE_OK);
	struct host_snapshot *b = snap(CONN_UP, 2, "running", STATE_CRIT, STATE_CRIT);
	struct host_snapshot *c = snap(CONN_UP, 2, "running", STATE_OK, STATE_OK);
	struct host_snapshot *down = snap(CONN_DOWN, 2, "running", STATE_OK, STATE_OK);
	struct change *ch = NULL;
	size_t n = 0;
	diff_snapshots(a, a, &ch, &n);
	is_int(n, 0, "no change, no event");
	diff_snapshots(a, b, &ch, &n);
	ok(has(ch, n, "restarted", "container bot restarted (2 restarts)"), "a restart is an event");
	ok(has(ch, n, "failed", "health gateway CRIT: HTTP 503"), "a health flip is an event");
	changes_free(ch, n);
	ch = NULL;
	n = 0;
	diff_snapshots(b, c, &ch, &n);
	ok(has(ch, n, "recovered", "health gateway OK again"), "recovery is an event");
	ok(has(ch, n, "recovered", "container bot recovered"), "a container recovery too");
	changes_free(ch, n);
	ch = NULL;
	n = 0;
	diff_snapshots(c, down, &ch, &n);
	ok(has(ch, n, "lost", "host lost"), "a lost host is an event");
	ok(ch[0].bad, "and a bad one");
	changes_free(ch, n);
	ch = NULL;
	n = 0;
	diff_snapshots(down, c, &ch, &n);
	ok(has(ch, n, "back", "host back"), "and its return");
	changes_free(ch, n);
	ch = NULL;
	n = 0;
	struct host_snapshot *un = snap(CONN_UNTRUSTED, 0, "running", STATE_OK, STATE_OK);
	un->conn_reason = xstrdup("unknown host key ssh-ed25519 SHA256:abc");
	diff_snapshots(NULL, un, &ch, &n);
	ok(has(ch, n, "key", "unknown host key"), "a host key problem is an event");
	changes_free(ch, n);
	snapshot_unref(&a);
	snapshot_unref(&b);
	snapshot_unref(&c);
	snapshot_unref(&down);
	snapshot_unref(&un);
	return tap_done();
}
