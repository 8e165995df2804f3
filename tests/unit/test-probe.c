/* Probe parsers over captured output, hostile input, and a live local cycle. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "probe.h"
#include "sanitize.h"
#include "conf.h"
#include "snapshot.h"
#include "state.h"
#include "tap.h"
#include "transport.h"

static struct container *
find(struct container *cs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cs[i].name, name) == 0)
			return &cs[i];
	return NULL;
}

static void
parse_ps_fixture(struct container **out, size_t *n)
{
	size_t len;
	char *text = tap_fixture("tests/data/probe/docker-ps.jsonl", &len);
	*out = NULL;
	*n = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		if (probe_parse_docker_ps_line(line, strlen(line), &(*out)[*n], NULL) == 0)
			(*n)++;
	}
	free(text);
}

/*
 * An idle cycle (containers from the engine's API, no df this time) starts
 * no process on the host: every fork is counted by strace, when there is one.
 */
static void
test_idle_script(struct host_conf *h)
{
	h->containers = CONTAINERS_DOCKER;
	struct probe_opts po = { .budget_s = 2, .engine_api = 1, .no_disk = 1 };
	char *script = probe_script(h, "1111111111111111", &po);
	ok(strstr(script, "df -P") == NULL && strstr(script, "getconf") == NULL,
	    "an idle cycle's script leaves df and getconf out");
	char dir[] = "/tmp/sitrep-probe.XXXXXX";
	if (mkdtemp(dir) == NULL)
		return;
	char *path = xasprintf("%s/idle.sh", dir);
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs(script, f);
		fclose(f);
	}
	char *have = tap_run_sh(dir, "command -v strace");
	if (*have == '\0')
		ok(1, "# SKIP strace is not installed: forks not counted");
	else {
		/* the count of forks, or "failed" when the script did not run to its end */
		char *got = tap_run_sh(dir, "strace -f -e trace=clone,clone3,fork,vfork -o trace "
		    "sh idle.sh >out 2>&1 && grep -q ':end$' out && { grep -c -E 'clone|fork' trace || true; } || "
		    "echo failed");
		is_str(str_trim(got), "0", "and it starts no process on the host (forks counted by strace)");
		free(got);
	}
	free(have);
	free(tap_run_sh(dir, "rm -f idle.sh out trace"));
	rmdir(dir);
	free(path);
	free(script);
}

/* The engine's events: what names a container that may have moved, and what does not. */
static void
test_events(void)
{
	static const char id[] = "e751ed1a0f007c927c878af08c0dfb180c598cdab6799ded2b3e1e79c1f8028e";
	char *got = NULL, *cause = NULL;
	char *ev = xasprintf("{\"status\":\"die\",\"id\":\"%s\",\"Type\":\"container\","
	    "\"Action\":\"die\",\"Actor\":{\"ID\":\"%s\",\"Attributes\":{\"name\":\"job\"}}}", id, id);
	is_int(probe_parse_engine_event(ev, strlen(ev), &got, NULL), 1, "a container died: it moved");
	is_str(got, id, "the container's id");
	free(got);
	free(ev);
	ev = xasprintf("{\"Type\":\"container\",\"Action\":\"exec_died\",\"Actor\":{\"ID\":\"%s\"}}", id);
	is_int(probe_parse_engine_event(ev, strlen(ev), &got, NULL), 0, "podman's exec_died: no move");
	ok(got == NULL, "and no id");
	free(ev);
	ev = xasprintf("{\"Type\":\"container\",\"Action\":\"exec_start: sh -c true\",\"id\":\"%s\"}", id);
	is_int(probe_parse_engine_event(ev, strlen(ev), &got, NULL), 0, "Docker's exec_start: no move");
	free(ev);
	ev = xasprintf("{\"Type\":\"container\",\"Action\":\"health_status\",\"id\":\"%s\"}", id);
	is_int(probe_parse_engine_event(ev, strlen(ev), &got, NULL), 1, "a health status: it moved");
	free(got);
	free(ev);
	ev = xstrdup("{\"Type\":\"image\",\"Action\":\"pull\",\"id\":\"busybox\"}");
	is_int(probe_parse_engine_event(ev, strlen(ev), &got, NULL), 0, "an image event: no container");
	free(ev);
	ev = xstrdup("{\"Type\":\"container\",\"Action\":\"start\",\"id\":\"web/../../x\"}");
	is_int(probe_parse_engine_event(ev, strlen(ev), &got, &cause), -1,
	    "an id that is not hex never reaches a request line");
	ok(got == NULL && cause != NULL, "and says why: %s", cause ? cause : "");
	free(cause);
	free(ev);
	is_int(probe_parse_engine_event("{\"Type\"", 8, &got, NULL), -1, "a torn line");
}

int
main(void)
{
	sanitize_init();
	struct container *cs;
	size_t n;
	parse_ps_fixture(&cs, &n);
	is_int(n, 6, "six containers from docker ps");
	struct container *gw = find(cs, n, "gateway");
	ok(gw && strcmp(gw->engine_state, "running") == 0, "gateway running");
	is_str(gw ? gw->health : NULL, "healthy", "health from Docker's status text");
	struct container *bot = find(cs, n, "telegram-bot");
	is_str(bot ? bot->engine_state : NULL, "restarting", "Docker's restarting state");
	struct container *model = find(cs, n, "model-server");
	is_str(model ? model->health : NULL, "unhealthy", "unhealthy from the status text");
	struct container *mig = find(cs, n, "migrate");
	is_int(mig ? mig->exit_code : -2, 137, "exit code from 'Exited (137)'");
	is_int(find(cs, n, "nightly-backup")->exit_code, 0, "exit code 0");

	/* inspect lines in the probe's template, Docker and podman shapes */
	const char *ins = "{\"Id\":\"4b7e2c9d1a0f3e5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b\","
	    "\"Name\":\"/telegram-bot\",\"Image\":\"registry.example/telegram-bot:1.9.0\","
	    "\"State\":{\"Status\":\"restarting\",\"Running\":true,\"Restarting\":true,\"OOMKilled\":false,"
	    "\"Dead\":false,\"Pid\":0,\"ExitCode\":1,\"Error\":\"\",\"StartedAt\":\"2026-11-21T23:59:01.123456789Z\","
	    "\"FinishedAt\":\"2026-11-21T23:59:05.5Z\"},\"RestartCount\":17,\"Policy\":\"always\"}";
	is_int(probe_parse_docker_inspect_line(ins, strlen(ins), cs, n, NULL), 0, "inspect merges by id");
	is_int(bot->restarts, 17, "restart count from inspect");
	is_str(bot->restart_policy, "always", "restart policy");
	int64_t ms;
	probe_parse_time("2026-11-21T23:59:01.123456789Z", &ms);
	is_int(bot->started_ms, ms, "StartedAt with nanoseconds");
	is_int(ms % 1000, 123, "milliseconds kept");
	const char *pod = "{\"Id\":\"9c1f3a7be2d0\",\"Name\":\"gateway\",\"Image\":\"x\",\"State\":{\"Status\":\"running\","
	    "\"ExitCode\":0,\"StartedAt\":\"2026-11-21 23:16:54.123 +0000 UTC\",\"Health\":{\"Status\":\"starting\"}},"
	    "\"RestartCount\":0,\"Policy\":\"\"}";
	is_int(probe_parse_docker_inspect_line(pod, strlen(pod), cs, n, NULL), 0,
	    "a short id and podman's time format");
	is_str(gw->health, "starting", "health from inspect wins over ps");
	ok(probe_parse_time("2026-11-21 23:16:54.123 +0000 UTC", &ms) == 0, "podman time parses");
	ok(probe_parse_time("0001-01-01T00:00:00Z", &ms) == -1, "Docker's zero time is unknown");
	const char *stats = "{\"BlockIO\":\"0B / 0B\",\"CPUPerc\":\"12.50%\",\"Container\":\"9c1f3a7be2d0\","
	    "\"ID\":\"9c1f3a7be2d0\",\"MemPerc\":\"3.10%\",\"MemUsage\":\"1.5MiB / 23.4GiB\",\"Name\":\"ateway\"}";
	is_int(probe_parse_docker_stats_line(stats, strlen(stats), cs, n, NULL), 0,
	    "stats match by id, not by podman's cut name");
	ok(gw->have_stats && gw->cpu_pct > 12.4 && gw->cpu_pct < 12.6, "CPU 12.5%%");
	is_int(gw->mem_bytes, 1572864, "memory 1.5 MiB");

	const char *huge_mem = "{\"ID\":\"9c1f3a7be2d0\",\"CPUPerc\":\"1%\",\"MemUsage\":\"1e18TiB / 1GiB\"}";
	probe_parse_docker_stats_line(huge_mem, strlen(huge_mem), cs, n, NULL);
	is_int(gw->mem_bytes, 0, "an impossible memory figure is no figure (no overflow)");
	const char *nan_mem = "{\"ID\":\"9c1f3a7be2d0\",\"CPUPerc\":\"1%\",\"MemUsage\":\"nan MiB\"}";
	probe_parse_docker_stats_line(nan_mem, strlen(nan_mem), cs, n, NULL);
	is_int(gw->mem_bytes, 0, "NaN is no figure either");

	/* podman's own ps format */
	const char *pps = "{\"AutoRemove\":false,\"Command\":[\"sleep\",\"100000\"],\"Exited\":false,"
	    "\"ExitCode\":0,\"Id\":\"833f365a0ed01fe375a0effd68d6f5c2e9bb284bb79d86a012666be2fde96f7f\","
	    "\"Image\":\"localhost/fleet:latest\",\"Names\":[\"web\"],\"Restarts\":2,\"State\":\"running\","
	    "\"Status\":\"Up 3 minutes\"}";
	struct container pc;
	is_int(probe_parse_docker_ps_line(pps, strlen(pps), &pc, NULL), 0, "podman ps line");
	is_str(pc.name, "web", "Names as an array");
	is_int(pc.restarts, 2, "podman's Restarts");
	container_clear(&pc);

	/* numbers no engine sends read as unknown, not shown as they came */
	const char *odd = "{\"ExitCode\":-1120444822,\"Id\":\"83\",\"Names\":[\"w\"],\"Restarts\":-4,"
	    "\"State\":\"exited\",\"Status\":\"Exited (-3) 2 minutes ago\"}";
	is_int(probe_parse_docker_ps_line(odd, strlen(odd), &pc, NULL), 0, "a line with odd numbers parses");
	is_int(pc.exit_code, -1, "a negative exit code is unknown (-1)");
	is_int(pc.restarts, 0, "negative restarts are none");
	container_clear(&pc);

	/* hostile lines */
	char *cause = NULL;
	ok(probe_parse_docker_ps_line("not json", 8, &pc, &cause) == -1 && cause, "garbage: clean error");
	free(cause);
	cause = NULL;
	ok(probe_parse_docker_ps_line("[1,2]", 5, &pc, &cause) == -1, "an array is not a container");
	free(cause);
	cause = NULL;
	ok(probe_parse_docker_ps_line("{\"ID\":\"x\"}", 10, &pc, &cause) == -1, "no name: refused");
	free(cause);
	cause = NULL;
	size_t big = PROBE_MAX_LINE + 10;
	char *huge = xmalloc(big + 1);
	memset(huge, 'a', big);
	huge[0] = '{';
	huge[big] = '\0';
	ok(probe_parse_docker_ps_line(huge, big, &pc, &cause) == -1 && strstr(cause, "too long"),
	    "a line over 1 MB is refused");
	free(cause);
	cause = NULL;
	free(huge);
	char *deep = xmalloc(20002);
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = '\0';
	ok(probe_parse_docker_ps_line(deep, 20000, &pc, &cause) == -1, "JSON 10000 deep: refused");
	free(cause);
	cause = NULL;
	free(deep);
	const char *bad_utf8 = "{\"ID\":\"abcdefabcdef\",\"Names\":\"we\xff\xfe\x1b]0;x\x07\",\"State\":\"running\"}";
	ok(probe_parse_docker_ps_line(bad_utf8, strlen(bad_utf8), &pc, &cause) == 0,
	    "invalid UTF-8 in a name still parses");
	char *shown = sanitize_str(pc.name);
	ok(strchr(shown, 0x1b) == NULL, "and is harmless once sanitized");
	free(shown);
	container_clear(&pc);
	for (size_t i = 0; i < n; i++)
		container_clear(&cs[i]);
	free(cs);

	/* df */
	size_t len;
	char *df = tap_fixture("tests/data/probe/df.txt", &len);
	struct disk *disks;
	size_t nd;
	is_int(probe_parse_df(df, len, &disks, &nd, NULL), 0, "df -P");
	is_int(nd, 4, "pseudo filesystems, overlays and bind mounts left out");
	is_str(disks[0].mount, "/", "root first");
	is_int(disks[0].pct, 91, "used / (used + avail), rounded up, as df does");
	is_str(disks[2].mount, "/srv/backups with space", "a mount point with spaces");
	is_str(disks[3].mount, "/srv/data", "a small tmpfs data mount is kept");
	free(df);
	char *dfi = tap_fixture("tests/data/probe/dfi.txt", &len);
	probe_parse_df_inodes(dfi, len, disks, nd, NULL);
	is_int(disks[0].ipct, 95, "inodes 95%% on /");
	is_int(disks[1].ipct, -1, "no inode figure for /var/lib/docker: unknown");
	free(dfi);
	for (size_t i = 0; i < nd; i++)
		disk_clear(&disks[i]);
	free(disks);
	ok(probe_parse_df("Filesystem x\ngarbage\n", 21, &disks, &nd, &cause) == -1, "df garbage: error");
	free(cause);
	cause = NULL;
	free(disks);

	char *mi = tap_fixture("tests/data/probe/meminfo.txt", &len);
	uint64_t tot, avail, st, sf;
	is_int(probe_parse_meminfo(mi, len, &tot, &avail, &st, &sf, NULL), 0, "meminfo");
	is_int(tot, 24684092, "MemTotal");
	is_int(avail, 2468409, "MemAvailable");
	is_int(sf, 1048574, "SwapFree");
	free(mi);
	mi = tap_fixture("tests/data/probe/meminfo-old.txt", &len);
	probe_parse_meminfo(mi, len, &tot, &avail, &st, &sf, NULL);
	is_int(avail, 300000, "without MemAvailable: free + buffers + cached");
	free(mi);
	double load[3];
	char *la = tap_fixture("tests/data/probe/loadavg.txt", &len);
	is_int(probe_parse_loadavg(la, len, load, NULL), 0, "loadavg");
	ok(load[0] == 3.52 && load[2] == 1.05, "1 and 15 minute loads");
	free(la);
	ok(probe_parse_loadavg("x y z", 5, load, &cause) == -1, "loadavg garbage");
	free(cause);
	cause = NULL;
	char *sc = tap_fixture("tests/data/probe/systemctl.txt", &len);
	struct unit_status *units;
	size_t nu;
	is_int(probe_parse_systemd(sc, len, &units, &nu, NULL), 0, "systemctl show");
	is_int(nu, 3, "three units");
	is_str(units[1].active, "failed", "failed unit");
	is_int(units[1].restarts, 5, "NRestarts");
	is_str(units[2].load, "not-found", "a unit that does not exist");
	ok(units[0].since_ms > 0, "active since");
	for (size_t i = 0; i < nu; i++)
		unit_status_clear(&units[i]);
	free(units);
	free(sc);

	/* sections: only markers with the cycle's nonce count */
	struct conf cf;
	conf_init(&cf);
	conf_default_fleet(&cf);
	struct host_conf *h = &cf.hosts[0];
	h->containers = CONTAINERS_NONE;
	const char *forged = "@@sitrep:0000000000000000:loadavg\n"
	    "@@sitrep:1111111111111111:loadavg\n1.00 2.00 3.00 1/1 1\n"
	    "@@sitrep:0000000000000000:meminfo\nMemTotal: 1 kB\n"
	    "@@sitrep:1111111111111111:end\n";
	struct host_data *d = host_data_new();
	is_int(probe_parse(forged, strlen(forged), "1111111111111111", h, d), 0, "a complete cycle");
	ok(d->load1 == 1.0, "the real section is read");
	ok(d->mem_total_kb == 0, "a forged marker from the host is just text");
	host_data_unref(&d);
	d = host_data_new();
	is_int(probe_parse("@@sitrep:1111111111111111:loadavg\n1 2 3\n", 40, "1111111111111111", h, d),
	    -1, "no end marker: the cycle did not complete");
	host_data_unref(&d);

	/* a real cycle on this machine through the local transport */
	h->containers = CONTAINERS_AUTO;
	char nonce[17];
	probe_nonce(nonce);
	struct probe_opts po = { .with_stats = 0, .budget_s = 2, .engine_api = 0 };
	char *script = probe_script(h, nonce, &po);
	char *marker = xasprintf("@@sitrep:%s:end", nonce);
	struct transport *t = transport_new(&cf, h);
	struct buf out;
	buf_init(&out);
	ok(t->ops->connect(t, &cause) == 0, "local transport connects");
	int rc = transport_script(t, script, marker, 5000, 20000, &out, &cause);
	is_int(rc, 0, "the probe script runs here");
	buf_printf(&out, "\n%s\n", marker);
	d = host_data_new();
	is_int(probe_parse(out.data, out.len, nonce, h, d), 0, "and its output parses");
	ok(d->mem_total_kb > 0, "memory of this machine");
	ok(d->ncpu >= 1, "cores of this machine");
	ok(d->load1 >= 0, "load of this machine");
	ok(d->ndisks >= 1, "at least one disk");
	ok(d->uptime_s > 0, "uptime");
	ok(d->hostname && *d->hostname, "its hostname");
	state_eval(h, d, NULL, wall_ms());
	ok(d->mem_state != STATE_UNKNOWN, "states computed");
	host_data_unref(&d);
	buf_free(&out);
	transport_free(&t);
	free(script);
	free(marker);

	test_idle_script(h);
	test_events();
	conf_free(&cf);
	return tap_done();
}
