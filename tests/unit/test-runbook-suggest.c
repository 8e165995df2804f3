/*
 * Runbook suggestions from the fleet's state, over the shipped runbooks:
 * the runbook about the symptom comes first, and none about something the
 * fleet does not show.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "library.h"
#include "snapshot.h"
#include "util.h"

#include "tap.h"

static struct host_snapshot *
host_with_container(const char *name, int crashloop, int oom)
{
	struct host_snapshot *s = snapshot_new("h1");
	s->conn = CONN_UP;
	struct host_data *d = host_data_new();
	d->ncontainers = 1;
	d->containers = xcalloc(1, sizeof *d->containers);
	d->containers[0].id = xstrdup("abcdefabcdef");
	d->containers[0].name = xstrdup(name);
	d->containers[0].engine_state = xstrdup("restarting");
	d->containers[0].restarts = 7;
	d->containers[0].crashloop = crashloop;
	d->containers[0].oom_killed = oom;
	d->containers[0].state = STATE_CRIT;
	d->containers[0].reason = xstrdup("restarting");
	s->data = d;
	return s;
}

/* The titles suggested, best first, joined by " | ". */
static char *
suggest(const struct library *lib, struct host_snapshot *s)
{
	size_t idx[3];
	char *why[3];
	size_t n = library_suggest(lib, &s, 1, idx, why, 3);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		struct runbook_ref ref;
		if (library_nth(lib, idx[i], &ref) == 0)
			buf_printf(&b, "%s%s", i ? " | " : "", ref.rb->title);
		free(why[i]);
	}
	buf_addc(&b, '\0');
	return buf_take(&b);
}

int
main(void)
{
	const char *srcdir = getenv("srcdir");
	char tmp[] = "/tmp/sitrep-suggest-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	setenv("XDG_CONFIG_HOME", tmp, 1);	/* no runbooks of the user's own */
	unsetenv("SITREP_DATADIR");
	struct strv files;
	memset(&files, 0, sizeof files);
	const char *names[] = { "containers.md", "data.md", "host.md" };
	for (size_t i = 0; i < 3; i++) {
		char *f = xasprintf("%s/runbooks/%s", srcdir ? srcdir : ".", names[i]);
		strv_add(&files, f);
		free(f);
	}
	struct library lib;
	char *cause = NULL;
	ok(library_load(&lib, &files, &cause) == 0, "the shipped runbooks load");

	struct host_snapshot *s = host_with_container("telegram-bot", 1, 0);
	char *got = suggest(&lib, s);
	printf("# restarting bot: %s\n", got);
	ok(strncmp(got, "Crash loop", 10) == 0, "a restarting container: crash loop first");
	ok(strstr(got, "SQLite") == NULL, "a restarting bot does not suggest SQLite corruption");
	ok(strstr(got, "Disk full") == NULL && strstr(got, "Redis") == NULL &&
	    strstr(got, "Memory") == NULL, "nor disk, Redis or memory runbooks");
	free(got);
	snapshot_unref(&s);

	s = host_with_container("worker", 0, 1);
	got = suggest(&lib, s);
	printf("# OOM-killed worker: %s\n", got);
	ok(strncmp(got, "Memory exhaustion", 17) == 0, "a container killed for memory: memory first");
	free(got);
	snapshot_unref(&s);

	library_free(&lib);
	strv_free(&files);
	rmdir(tmp);
	tap_done();
	return 0;
}
