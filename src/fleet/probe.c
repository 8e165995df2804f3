/*
 * probe: the per-cycle host script and its parsers. See probe.h.
 *
 * The script only reads: /proc, df, the container engine's list and inspect,
 * systemctl show, and the operator's configured checks. The parsers are
 * pure functions over text, unit-tested on captured output and fuzzed.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "probe.h"
#include "sanitize.h"
#include "shell.h"
#include "util.h"

void
probe_nonce(char *nonce)
{
	unsigned char raw[8];
	/* one call per cycle, no descriptor; 8 bytes never come short */
	if (getrandom(raw, sizeof raw, GRND_NONBLOCK) != (ssize_t)sizeof raw) {
		uint64_t v = (uint64_t)mono_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)wall_ms();
		memcpy(raw, &v, sizeof raw);
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(nonce + 2 * i, 3, "%02x", raw[i]);
}

static const char *
engine(const struct host_conf *h)
{
	return h->containers == CONTAINERS_PODMAN ? "podman" : "docker";
}

/* Shell code that sets E to the engine command, or leaves it empty. */
static void
engine_select(struct buf *b, const struct host_conf *h)
{
	if (h->containers == CONTAINERS_AUTO)
		buf_adds(b, "E=; for e in docker podman; do command -v $e >/dev/null 2>&1 && "
		    "{ E=$e; break; }; done\n");
	else
		buf_printf(b, "E=%s\n", engine(h));
}

/* The inspect template: one JSON object per container, with what ps lacks. */
static const char inspect_template[] =
    "{\"Id\":{{json .Id}},\"Name\":{{json .Name}},\"Image\":{{json .Config.Image}},"
    "\"State\":{{json .State}},\"RestartCount\":{{json .RestartCount}},"
    "\"Policy\":{{json .HostConfig.RestartPolicy.Name}}}";

/* The script's head: the section marker (spelled here and in the parser only), T and C. */
static void
script_head(struct buf *b, const char *nonce, int budget)
{
	buf_printf(b, "{ N=%s; S() { printf '\\n@@sitrep:%%s:%%s\\n' \"$N\" \"$1\"; }\n", nonce);
	buf_printf(b, "T=; command -v timeout >/dev/null 2>&1 && T='timeout -k 1 %d'\n", budget);
	/* C: cat with shell builtins: /proc costs no process */
	buf_adds(b, "C() { while IFS= read -r l || [ -n \"$l\" ]; do printf '%s\\n' \"$l\"; done <\"$1\"; }\n");
}

/*
 * The host's own figures. /proc is read by builtins: an idle cycle forks
 * nothing. df and getconf are processes: only in the cycles that ask.
 */
static void
script_host(struct buf *b, const struct probe_opts *o)
{
	buf_adds(b,
	    "S hostname; C /proc/sys/kernel/hostname 2>/dev/null || hostname\n"
	    "S uptime; C /proc/uptime\n"
	    "S loadavg; C /proc/loadavg\n"
	    "S meminfo; C /proc/meminfo\n");
	if (!o->no_disk)
		buf_adds(b,
		    "S nproc; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc\n"
		    "S df; df -P -k 2>/dev/null\n"
		    "S dfi; df -P -i 2>/dev/null\n");
}

/* The containers: where the engine's API listens, and the CLI's answers when the API is not used. */
static void
script_containers(struct buf *b, const struct host_conf *h, const struct probe_opts *o)
{
	engine_select(b, h);
	/* where the engine's API listens, for the next cycles (builtins only) */
	buf_adds(b, "if [ -z \"$E\" ]; then S noengine; else\n"
	    "S sock; for s in \"${DOCKER_HOST#unix://}\" \"${CONTAINER_HOST#unix://}\" "
	    "/var/run/docker.sock /run/podman/podman.sock; do "
	    "[ -n \"$s\" ] && [ -S \"$s\" ] && { echo \"$s\"; break; }; done\n");
	if (o->engine_api) {
		/* containers come from the API; only the slow stats need the CLI */
		buf_adds(b, "S api\n");
		if (o->with_stats)
			buf_adds(b, "S stats; $T $E stats --no-stream --no-trunc "
			    "--format '{{json .}}' 2>&1\n");
	} else {
		/*
		 * One docker call for the list; the ids for inspect come from its
		 * output (sed is far cheaper than a second docker CLI).
		 */
		char *tmpl = shell_quote(inspect_template);
		buf_printf(b,
		    "S ps; o=$($T $E ps -a --no-trunc --format '{{json .}}' 2>&1); r=$?; "
		    "printf '%%s\\n' \"$o\"; S ps.rc; echo $r\n"
		    "if [ $r = 0 ]; then ids=$(printf '%%s\\n' \"$o\" | "
		    "sed -n 's/.*\"I[Dd]\":\"\\([0-9a-f]\\{12,64\\}\\)\".*/\\1/p')\n"
		    "S inspect; [ -n \"$ids\" ] && $T $E inspect --format %s $ids 2>&1\n",
		    tmpl);
		free(tmpl);
		if (o->with_stats)
			buf_adds(b, "S stats; [ -n \"$ids\" ] && $T $E stats --no-stream --no-trunc "
			    "--format '{{json .}}' 2>&1\n");
		buf_adds(b, "fi\n");
	}
	buf_adds(b, "fi\n");
}

static void
script_units(struct buf *b, const struct host_conf *h)
{
	buf_adds(b, "S units; systemctl show -p Id -p LoadState -p ActiveState -p SubState "
	    "-p NRestarts -p ActiveEnterTimestamp -p InactiveEnterTimestamp");
	for (size_t i = 0; i < h->units.n; i++) {
		char *q = shell_quote(h->units.v[i]);
		buf_printf(b, " %s", q);
		free(q);
	}
	buf_adds(b, " 2>&1; S units.rc; echo $?\n");
}

static void
script_checks(struct buf *b, const struct host_conf *h)
{
	for (size_t i = 0; i < h->nchecks; i++) {
		if (h->checks[i].missing_env != NULL)
			continue;
		char *q = shell_quote(h->checks[i].command);
		/*
		 * The output is capped without killing the check (the rest is
		 * drained), and its exit status travels on fd 3.
		 */
		buf_printf(b, "S check.%zu; t0=$(date +%%s%%N 2>/dev/null)\n"
		    "r=$( { { $T sh -c %s </dev/null 2>&1 3>&-; echo $? >&3; } | "
		    "{ head -c %d; cat >/dev/null; } >&4; } 3>&1 ); "
		    "t1=$(date +%%s%%N 2>/dev/null)\n"
		    "S check.%zu.rc; echo \"$r $t0 $t1\"\n",
		    i, q, PROBE_CHECK_OUTPUT, i);
		free(q);
	}
}

char *
probe_script(const struct host_conf *h, const char *nonce, const struct probe_opts *o)
{
	struct buf b;
	buf_init(&b);
	/*
	 * One compound command with stdin from /dev/null: the shell reads it
	 * whole before running it, so nothing in it can eat the next cycle's
	 * script when the session's shell is kept open.
	 */
	script_head(&b, nonce, o->budget_s > 0 ? o->budget_s : 3);
	script_host(&b, o);
	if (h->containers != CONTAINERS_NONE)
		script_containers(&b, h, o);
	if (h->units.n > 0)
		script_units(&b, h);
	script_checks(&b, h);
	buf_adds(&b, "S end; } </dev/null 4>&1\n");
	return buf_take(&b);
}

char *
probe_logs_command(const struct host_conf *h, const char *name, int is_unit, int lines)
{
	char *q = shell_quote(name);
	char *cmd;
	if (is_unit)
		cmd = xasprintf("journalctl --no-pager -o short-iso -n %d -u %s 2>&1", lines, q);
	else
		cmd = xasprintf("%s%s logs --tail %d --timestamps %s 2>&1",
		    h->containers == CONTAINERS_AUTO ?
		    "E=docker; command -v docker >/dev/null 2>&1 || E=podman; " : "",
		    h->containers == CONTAINERS_AUTO ? "$E" : engine(h), lines, q);
	free(q);
	return cmd;
}

/* --- sections ------------------------------------------------------------ */

struct section {
	const char *name;
	size_t name_len;
	const char *body;
	size_t len;
};

/* Finds every marker; returns the number of sections (at most max). */
static size_t
split_sections(const char *out, size_t len, const char *nonce, struct section *secs, size_t max)
{
	char marker[64];
	int mlen = snprintf(marker, sizeof marker, "@@sitrep:%s:", nonce);
	size_t n = 0;
	const char *p = out, *end = out + len;
	struct section *cur = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		if ((size_t)(line_end - p) >= (size_t)mlen && memcmp(p, marker, (size_t)mlen) == 0) {
			if (cur != NULL) {
				/* the body ends before the newline that precedes the marker */
				size_t blen = (size_t)(p - cur->body);
				if (blen > 0 && cur->body[blen - 1] == '\n')
					blen--;
				cur->len = blen;
			}
			if (n == max)
				return n;
			cur = &secs[n++];
			cur->name = p + mlen;
			cur->name_len = (size_t)(line_end - cur->name);
			if (cur->name_len && cur->name[cur->name_len - 1] == '\r')
				cur->name_len--;
			cur->body = nl ? nl + 1 : end;
			cur->len = 0;
		}
		p = nl ? nl + 1 : end;
	}
	if (cur != NULL)
		cur->len = (size_t)(end - cur->body);
	return n;
}

static const struct section *
find_section(const struct section *secs, size_t n, const char *name)
{
	size_t nlen = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (secs[i].name_len == nlen && memcmp(secs[i].name, name, nlen) == 0)
			return &secs[i];
	return NULL;
}

/* Iterates lines of a section: returns 0 at the end. */
static int
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (*p >= end)
		return 0;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	*p = nl ? nl + 1 : end;
	return 1;
}

static char *
first_line(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);
	size_t n = nl ? (size_t)(nl - s) : len;
	if (n > 200)
		n = 200;
	return xstrndup(s, n);
}

/* --- JSON helpers ---------------------------------------------------------- */

static cJSON *
parse_json(const char *line, size_t len, char **cause)
{
	if (len > PROBE_MAX_LINE)
		return set_cause(cause, "line of %zu bytes is too long", len), NULL;
	cJSON *j = cJSON_ParseWithLength(line, len);
	if (j == NULL)
		set_cause(cause, "not JSON");
	else if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
		set_cause(cause, "not a JSON object");
	}
	return j;
}

static char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsString(v) && v->valuestring != NULL)
		return xstrdup(v->valuestring);
	if (cJSON_IsArray(v)) {
		/* podman: "Names": ["web"] */
		const cJSON *first = cJSON_GetArrayItem(v, 0);
		if (cJSON_IsString(first) && first->valuestring != NULL)
			return xstrdup(first->valuestring);
	}
	return NULL;
}

static int
json_int(const cJSON *obj, const char *key, int min, int max, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsNumber(v) && v->valuedouble >= min && v->valuedouble <= max)
		return (int)v->valuedouble;
	return def;
}

int
probe_parse_time(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	if (y < 1971 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;	/* Docker's zero time "0001-01-01T00:00:00Z" is "unknown" */
	const char *p = s + n;
	int64_t frac_ms = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; isdigit((unsigned char)*p); p++)
			if (digits++ < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
		while (digits > 0 && digits < 3) {
			frac_ms *= 10;
			digits++;
		}
	}
	int offset_min = 0;
	while (*p == ' ')
		p++;
	if (*p == '+' || *p == '-') {
		int oh = 0, om = 0;
		if (sscanf(p + 1, "%2d%*[:]%2d", &oh, &om) < 1 && sscanf(p + 1, "%2d%2d", &oh, &om) < 1)
			return -1;
		offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
	}
	*ms = utc_ms(y, mo, d, h, mi, sec) - (int64_t)offset_min * 60000 + frac_ms;
	return 0;
}

/* --- containers ------------------------------------------------------------ */

int
probe_parse_docker_ps_line(const char *line, size_t len, struct container *c, char **cause)
{
	cJSON *j = parse_json(line, len, cause);
	if (j == NULL)
		return -1;
	memset(c, 0, sizeof *c);
	c->id = json_str(j, "ID");
	if (c->id == NULL)
		c->id = json_str(j, "Id");
	c->name = json_str(j, "Names");
	if (c->id == NULL || c->name == NULL || c->id[0] == '\0') {
		cJSON_Delete(j);
		container_clear(c);
		return set_cause(cause, "container without ID or Names");
	}
	c->image = json_str(j, "Image");
	c->status = json_str(j, "Status");
	c->engine_state = json_str(j, "State");
	c->restarts = json_int(j, "Restarts", 0, INT_MAX, 0);
	c->exit_code = json_int(j, "ExitCode", 0, INT_MAX, -1);
	if (c->engine_state != NULL)
		for (char *p = c->engine_state; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	/* Docker's ps has no exit code field; its status does: "Exited (7) 3 s ago". */
	if (c->exit_code < 0 && c->status != NULL && str_has_prefix(c->status, "Exited (")) {
		long long v;
		char *num = xstrndup(c->status + 8, strcspn(c->status + 8, ")"));
		if (parse_int(num, 0, INT_MAX, &v) == 0)
			c->exit_code = (int)v;
		free(num);
	}
	if (c->status != NULL) {
		if (strstr(c->status, "(unhealthy)"))
			c->health = xstrdup("unhealthy");
		else if (strstr(c->status, "(healthy)"))
			c->health = xstrdup("healthy");
		else if (strstr(c->status, "(health: starting)"))
			c->health = xstrdup("starting");
	}
	cJSON_Delete(j);
	return 0;
}

static struct container *
match_container(struct container *cs, size_t n, const char *id)
{
	if (id == NULL || *id == '\0')
		return NULL;
	size_t idlen = strlen(id);
	for (size_t i = 0; i < n; i++) {
		size_t clen = strlen(cs[i].id);
		size_t k = clen < idlen ? clen : idlen;
		/* ids may be short (12) on one side and full (64) on the other */
		if (k >= 12 && strncmp(cs[i].id, id, k) == 0)
			return &cs[i];
		if (clen == idlen && strcmp(cs[i].id, id) == 0)
			return &cs[i];
	}
	return NULL;
}

int
probe_parse_docker_inspect_line(const char *line, size_t len, struct container *cs, size_t n,
    char **cause)
{
	cJSON *j = parse_json(line, len, cause);
	if (j == NULL)
		return -1;
	char *id = json_str(j, "Id");
	struct container *c = match_container(cs, n, id);
	free(id);
	if (c == NULL) {
		cJSON_Delete(j);
		return set_cause(cause, "inspect for an unknown container");
	}
	if (c->name == NULL) {
		/* a container an event named, not yet listed: the API names it "/web" */
		char *name = json_str(j, "Name");
		if (name != NULL && name[0] != '\0')
			c->name = xstrdup(name[0] == '/' ? name + 1 : name);
		free(name);
	}
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "State");
	if (cJSON_IsObject(st)) {
		char *status = json_str(st, "Status");
		if (status != NULL) {
			free(c->engine_state);
			c->engine_state = status;
		}
		int ec = json_int(st, "ExitCode", 0, INT_MAX, -1);
		if (ec >= 0)
			c->exit_code = ec;
		c->oom_killed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "OOMKilled"));
		char *ts = json_str(st, "StartedAt");
		if (ts != NULL && probe_parse_time(ts, &c->started_ms) == -1)
			c->started_ms = 0;
		free(ts);
		ts = json_str(st, "FinishedAt");
		if (ts != NULL && probe_parse_time(ts, &c->finished_ms) == -1)
			c->finished_ms = 0;
		free(ts);
		const cJSON *health = cJSON_GetObjectItemCaseSensitive(st, "Health");
		if (!cJSON_IsObject(health))
			health = cJSON_GetObjectItemCaseSensitive(st, "Healthcheck");
		if (cJSON_IsObject(health)) {
			char *hs = json_str(health, "Status");
			if (hs != NULL && hs[0] != '\0') {
				free(c->health);
				c->health = hs;
			} else
				free(hs);
		}
	}
	int restarts = json_int(j, "RestartCount", 0, INT_MAX, -1);
	if (restarts >= 0)
		c->restarts = restarts;
	/* the probe's template flattens these; the API's inspect nests them */
	char *policy = json_str(j, "Policy");
	const cJSON *hostcfg = cJSON_GetObjectItemCaseSensitive(j, "HostConfig");
	const cJSON *rp = cJSON_IsObject(hostcfg) ?
	    cJSON_GetObjectItemCaseSensitive(hostcfg, "RestartPolicy") : NULL;
	if (policy == NULL && cJSON_IsObject(rp))
		policy = json_str(rp, "Name");
	if (policy != NULL) {
		free(c->restart_policy);
		c->restart_policy = policy;
	}
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(j, "Config");
	char *image = cJSON_IsObject(cfg) ? json_str(cfg, "Image") : NULL;
	if (image == NULL)
		image = json_str(j, "Image");
	if (image != NULL && image[0] != '\0') {
		free(c->image);
		c->image = image;
	} else
		free(image);
	cJSON_Delete(j);
	return 0;
}

static double
parse_percent(const char *s)
{
	if (s == NULL)
		return -1;
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0 || v > 100000)
		return -1;
	return v;
}

/* "1.5MiB / 23.4GiB" -> bytes of the first figure. */
static uint64_t
parse_mem_usage(const char *s)
{
	if (s == NULL)
		return 0;
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0 || v > 1e18)
		return 0;
	while (*end == ' ')
		end++;
	static const struct { const char *unit; double mult; } units[] = {
		{ "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
		{ "TiB", 1099511627776.0 }, { "kB", 1e3 }, { "KB", 1e3 }, { "MB", 1e6 },
		{ "GB", 1e9 }, { "TB", 1e12 }, { "B", 1.0 },
	};
	double bytes = v;
	for (size_t i = 0; i < nitems(units); i++)
		if (str_has_prefix(end, units[i].unit)) {
			bytes = v * units[i].mult;
			break;
		}
	/* a figure no machine has (or NaN) is no figure */
	if (!(bytes >= 0 && bytes < 1.8e19))
		return 0;
	return (uint64_t)bytes;
}

int
probe_parse_docker_stats_line(const char *line, size_t len, struct container *cs, size_t n,
    char **cause)
{
	cJSON *j = parse_json(line, len, cause);
	if (j == NULL)
		return -1;
	/* match by ID: podman's stats mangle names */
	char *id = json_str(j, "ID");
	if (id == NULL)
		id = json_str(j, "Container");
	struct container *c = match_container(cs, n, id);
	free(id);
	if (c == NULL) {
		cJSON_Delete(j);
		return set_cause(cause, "stats for an unknown container");
	}
	char *cpu = json_str(j, "CPUPerc"), *mem = json_str(j, "MemPerc"), *usage = json_str(j, "MemUsage");
	double cpu_pct = parse_percent(cpu), mem_pct = parse_percent(mem);
	if (cpu_pct >= 0) {
		c->have_stats = 1;
		c->cpu_pct = cpu_pct;
		c->mem_pct = mem_pct >= 0 ? mem_pct : 0;
		c->mem_bytes = parse_mem_usage(usage);
	}
	free(cpu);
	free(mem);
	free(usage);
	cJSON_Delete(j);
	return 0;
}

/* 12 to 64 lowercase hex digits, as Docker and podman make container ids. */
static int
is_engine_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return s[n] == '\0' && n >= 12 && n <= 64;
}

int
probe_parse_docker_api_list(const char *json, size_t len, struct container **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	cJSON *arr = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return set_cause(cause, "engine API: the container list is not a JSON array");
	}
	const cJSON *o;
	cJSON_ArrayForEach(o, arr) {
		if (!cJSON_IsObject(o) || *n >= PROBE_MAX_ITEMS)
			continue;
		struct container c;
		memset(&c, 0, sizeof c);
		c.id = json_str(o, "Id");
		char *name = json_str(o, "Names");
		/* the id goes into a request line: hex, as engines make them, or skipped */
		if (c.id == NULL || !is_engine_id(c.id) || name == NULL) {
			free(name);
			container_clear(&c);
			continue;
		}
		/* the API names containers "/web" */
		c.name = xstrdup(name[0] == '/' ? name + 1 : name);
		free(name);
		c.image = json_str(o, "Image");
		c.status = json_str(o, "Status");
		c.engine_state = json_str(o, "State");
		c.exit_code = -1;
		if (c.engine_state != NULL)
			for (char *p = c.engine_state; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		if (c.status != NULL) {
			if (strstr(c.status, "(unhealthy)"))
				c.health = xstrdup("unhealthy");
			else if (strstr(c.status, "(healthy)"))
				c.health = xstrdup("healthy");
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = c;
	}
	cJSON_Delete(arr);
	return 0;
}

int
probe_parse_engine_event(const char *line, size_t len, char **id, char **cause)
{
	/* actions that leave the container's state as it was */
	static const char *const still[] = { "attach", "detach", "resize", "top",
		"archive-path", "extract-to-dir", "copy", "export", "commit", "mount", "unmount",
		"sync" };
	*id = NULL;
	cJSON *j = parse_json(line, len, cause);
	if (j == NULL)
		return -1;
	char *type = json_str(j, "Type"), *action = json_str(j, "Action");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(j, "Actor");
	char *cid = cJSON_IsObject(actor) ? json_str(actor, "ID") : NULL;
	if (cid == NULL)
		cid = json_str(j, "id");
	int rc = 1;
	/* exec_create, exec_start, exec_die (Docker), exec, exec_died (podman) */
	if (type == NULL || strcmp(type, "container") != 0 || action == NULL ||
	    str_has_prefix(action, "exec"))
		rc = 0;
	for (size_t i = 0; rc == 1 && i < nitems(still); i++)
		/* "exec_start: sh -c ..." carries the command after the action */
		if (str_has_prefix(action, still[i]) && (action[strlen(still[i])] == '\0' ||
		    action[strlen(still[i])] == ':'))
			rc = 0;
	/* the id goes into a request line: hex, as engines make them */
	if (rc == 1 && (cid == NULL || !is_engine_id(cid)))
		rc = set_cause(cause, "engine event without a container id");
	if (rc == 1) {
		*id = cid;
		cid = NULL;
	}
	free(type);
	free(action);
	free(cid);
	cJSON_Delete(j);
	return rc;
}

void
probe_apply_stats(const char *stats, struct host_data *d)
{
	if (stats == NULL)
		return;
	const char *p = stats, *end = p + strlen(p), *line;
	size_t llen;
	while (next_line(&p, end, &line, &llen))
		if (llen > 0)
			probe_parse_docker_stats_line(line, llen, d->containers, d->ncontainers, NULL);
}

/* --- df ------------------------------------------------------------------- */

/* Splits whitespace-separated fields; the last takes the rest of the line. */
static int
split_fields(const char *line, size_t len, int want, char **fields)
{
	size_t i = 0;
	int n = 0;
	while (n < want) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		if (n == want - 1)
			i = len;
		else
			while (i < len && line[i] != ' ' && line[i] != '\t')
				i++;
		fields[n++] = xstrndup(line + start, i - start);
	}
	if (n < want) {
		for (int k = 0; k < n; k++)
			free(fields[k]);
		return -1;
	}
	return 0;
}

static void
free_fields(char **fields, int n)
{
	for (int i = 0; i < n; i++)
		free(fields[i]);
}

/* Pseudo and container-internal filesystems are not disks an operator watches. */
static int
df_skip(const char *fs, const char *mount)
{
	static const char *const fs_skip[] = {
		"proc", "sysfs", "devpts", "cgroup", "cgroup2", "overlay", "shm", "udev",
		"devtmpfs", "squashfs", "none", "nsfs", "mqueue", "efivarfs", "fusectl",
		"debugfs", "tracefs", "securityfs", "pstore", "bpf", "configfs", "hugetlbfs",
	};
	static const char *const mount_skip[] = { "/proc", "/sys", "/dev", "/run", "/snap",
		"/var/snap" };
	/* a disk for the engine's data is watched; what the engine mounts inside it is not */
	if (str_has_prefix(mount, "/var/lib/docker/") || str_has_prefix(mount, "/var/lib/containers/"))
		return 1;
	for (size_t i = 0; i < nitems(fs_skip); i++)
		if (strcmp(fs, fs_skip[i]) == 0)
			return 1;
	for (size_t i = 0; i < nitems(mount_skip); i++) {
		size_t n = strlen(mount_skip[i]);
		if (strncmp(mount, mount_skip[i], n) == 0 && (mount[n] == '\0' || mount[n] == '/'))
			return 1;
	}
	if (strstr(mount, "/containers/storage/") || strstr(mount, "/overlay"))
		return 1;
	return 0;
}

int
probe_parse_df(const char *text, size_t len, struct disk **disksp, size_t *np, char **cause)
{
	const char *p = text, *end = text + len, *line;
	size_t llen, n = 0;
	struct disk *disks = NULL;
	int header = 1, bad = 0;
	while (next_line(&p, end, &line, &llen)) {
		if (header) {
			header = 0;
			if (llen >= 10 && memcmp(line, "Filesystem", 10) == 0)
				continue;
		}
		if (llen == 0 || llen > 8192)
			continue;
		char *f[6];
		if (split_fields(line, llen, 6, f) == -1) {
			bad++;
			continue;
		}
		long long size, used, avail;
		size_t plen = strlen(f[4]);
		if (parse_int(f[1], 0, (long long)1 << 52, &size) == -1 ||
		    parse_int(f[2], 0, (long long)1 << 52, &used) == -1 ||
		    parse_int(f[3], 0, (long long)1 << 52, &avail) == -1 ||
		    plen < 2 || f[4][plen - 1] != '%' || f[5][0] != '/') {
			free_fields(f, 6);
			bad++;
			continue;
		}
		int dup = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(disks[i].mount, f[5]) == 0 ||
			    (f[0][0] == '/' && strcmp(disks[i].fs, f[0]) == 0))
				dup = 1;	/* bind mounts of a disk already listed */
		if (size == 0 || dup || df_skip(f[0], f[5]) || n >= PROBE_MAX_ITEMS) {
			free_fields(f, 6);
			continue;
		}
		disks = xreallocarray(disks, n + 1, sizeof *disks);
		struct disk *d = &disks[n++];
		memset(d, 0, sizeof *d);
		d->fs = f[0];
		d->mount = f[5];
		d->size_kb = (uint64_t)size;
		d->used_kb = (uint64_t)used;
		d->avail_kb = (uint64_t)avail;
		/* as df computes it: used / (used + avail), rounded up */
		uint64_t denom = (uint64_t)used + (uint64_t)avail;
		d->pct = denom ? (int)(((uint64_t)used * 100 + denom - 1) / denom) : 0;
		d->ipct = -1;
		free(f[1]);
		free(f[2]);
		free(f[3]);
		free(f[4]);
	}
	*disksp = disks;
	*np = n;
	if (n == 0 && bad > 0)
		return set_cause(cause, "df: no line could be read");
	return 0;
}

int
probe_parse_df_inodes(const char *text, size_t len, struct disk *disks, size_t n, char **cause)
{
	const char *p = text, *end = text + len, *line;
	size_t llen;
	while (next_line(&p, end, &line, &llen)) {
		if (llen == 0 || llen > 8192 || (llen >= 10 && memcmp(line, "Filesystem", 10) == 0))
			continue;
		char *f[6];
		if (split_fields(line, llen, 6, f) == -1)
			continue;
		long long inodes, iused;
		if (parse_int(f[1], 0, (long long)1 << 52, &inodes) == 0 &&
		    parse_int(f[2], 0, (long long)1 << 52, &iused) == 0) {
			for (size_t i = 0; i < n; i++) {
				if (strcmp(disks[i].mount, f[5]) != 0)
					continue;
				disks[i].inodes = (uint64_t)inodes;
				disks[i].iused = (uint64_t)iused;
				/* a host claiming more inodes used than exist is full, not 0% */
				long long used = iused > inodes ? inodes : iused;
				disks[i].ipct = inodes > 0 ? (int)((used * 100 + inodes - 1) / inodes) : -1;
			}
		}
		free_fields(f, 6);
	}
	(void)cause;
	return 0;
}

/* --- /proc ------------------------------------------------------------------ */

static int
parse_doubles(const char *text, size_t len, double *out, int want)
{
	char *s = xstrndup(text, len > 256 ? 256 : len);
	char *p = s;
	int n = 0;
	for (; n < want; n++) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0 || v > 1e12 || v != v)
			break;
		out[n] = v;
		p = end;
	}
	free(s);
	return n == want ? 0 : -1;
}

int
probe_parse_loadavg(const char *text, size_t len, double load[3], char **cause)
{
	if (parse_doubles(text, len, load, 3) == -1)
		return set_cause(cause, "loadavg: expected three numbers");
	return 0;
}

int
probe_parse_uptime(const char *text, size_t len, double *uptime_s, char **cause)
{
	if (parse_doubles(text, len, uptime_s, 1) == -1)
		return set_cause(cause, "uptime: expected a number");
	return 0;
}

int
probe_parse_meminfo(const char *text, size_t len, uint64_t *total, uint64_t *avail,
    uint64_t *swap_total, uint64_t *swap_free, char **cause)
{
	const char *p = text, *end = text + len, *line;
	size_t llen;
	long long mt = -1, ma = -1, mf = -1, buffers = 0, cached = 0, st = 0, sf = 0;
	while (next_line(&p, end, &line, &llen)) {
		const char *colon = memchr(line, ':', llen);
		if (colon == NULL || llen > 256)
			continue;
		char *key = xstrndup(line, (size_t)(colon - line));
		char *val = xstrndup(colon + 1, llen - (size_t)(colon + 1 - line));
		char *v = str_trim(val);
		size_t vl = strlen(v);
		if (vl > 3 && strcmp(v + vl - 3, " kB") == 0)
			v[vl - 3] = '\0';
		long long x;
		if (parse_int(v, 0, (long long)1 << 52, &x) == 0) {
			if (strcmp(key, "MemTotal") == 0)
				mt = x;
			else if (strcmp(key, "MemAvailable") == 0)
				ma = x;
			else if (strcmp(key, "MemFree") == 0)
				mf = x;
			else if (strcmp(key, "Buffers") == 0)
				buffers = x;
			else if (strcmp(key, "Cached") == 0)
				cached = x;
			else if (strcmp(key, "SwapTotal") == 0)
				st = x;
			else if (strcmp(key, "SwapFree") == 0)
				sf = x;
		}
		free(key);
		free(val);
	}
	if (mt <= 0)
		return set_cause(cause, "meminfo: no MemTotal");
	if (ma < 0)
		ma = mf >= 0 ? mf + buffers + cached : 0;	/* kernels before 3.14 */
	if (ma > mt)
		ma = mt;
	*total = (uint64_t)mt;
	*avail = (uint64_t)ma;
	*swap_total = (uint64_t)st;
	*swap_free = (uint64_t)(sf > st ? st : sf);
	return 0;
}

/* "Sat 2026-11-21 10:00:00 UTC" */
static int64_t
parse_systemd_time(const char *s)
{
	const char *sp = strchr(s, ' ');
	int64_t ms;
	if (sp == NULL || strlen(sp + 1) < 19)
		return 0;
	char date[32];
	snprintf(date, sizeof date, "%.19s", sp + 1);
	if (date[10] == ' ')
		date[10] = 'T';
	if (parse_utc(date, &ms) == -1)
		return 0;
	return ms;
}

int
probe_parse_systemd(const char *text, size_t len, struct unit_status **unitsp, size_t *np,
    char **cause)
{
	const char *p = text, *end = text + len, *line;
	size_t llen, n = 0;
	struct unit_status *units = NULL, *cur = NULL;
	while (next_line(&p, end, &line, &llen)) {
		if (llen == 0 || llen > 4096) {
			cur = NULL;
			continue;
		}
		const char *eq = memchr(line, '=', llen);
		if (eq == NULL)
			continue;
		char *key = xstrndup(line, (size_t)(eq - line));
		char *val = xstrndup(eq + 1, llen - (size_t)(eq + 1 - line));
		if (cur == NULL && n < PROBE_MAX_ITEMS) {
			units = xreallocarray(units, n + 1, sizeof *units);
			cur = &units[n++];
			memset(cur, 0, sizeof *cur);
		}
		if (cur == NULL) {
			free(key);
			free(val);
			continue;
		}
		char **dst = NULL;
		if (strcmp(key, "Id") == 0)
			dst = &cur->name;
		else if (strcmp(key, "LoadState") == 0)
			dst = &cur->load;
		else if (strcmp(key, "ActiveState") == 0)
			dst = &cur->active;
		else if (strcmp(key, "SubState") == 0)
			dst = &cur->sub;
		else if (strcmp(key, "NRestarts") == 0) {
			long long v;
			if (parse_int(val, 0, 1 << 30, &v) == 0)
				cur->restarts = (int)v;
		} else if (strcmp(key, "ActiveEnterTimestamp") == 0 && val[0] != '\0')
			cur->since_ms = parse_systemd_time(val);
		if (dst != NULL) {
			free(*dst);
			*dst = val;
			val = NULL;
		}
		free(key);
		free(val);
	}
	/* drop blocks without a name */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (units[i].name == NULL) {
			unit_status_clear(&units[i]);
			continue;
		}
		units[k++] = units[i];
	}
	*unitsp = units;
	*np = k;
	if (k == 0 && len > 0)
		return set_cause(cause, "systemctl: %s", "no unit in its output");
	return 0;
}

/* --- the whole cycle -------------------------------------------------------- */

#define MAX_SECTIONS 256

static int
parse_containers(const struct section *secs, size_t nsec, struct host_data *d, int auto_engine)
{
	const struct section *ps = find_section(secs, nsec, "ps");
	const struct section *rc = find_section(secs, nsec, "ps.rc");
	if (find_section(secs, nsec, "noengine") != NULL) {
		d->containers_enabled = 0;
		d->containers_error = xstrdup("no container engine on this host");
		return 0;
	}
	d->containers_enabled = 1;
	if (ps == NULL || rc == NULL) {
		d->containers_state = STATE_UNKNOWN;
		d->containers_error = xstrdup("the container engine did not answer");
		return -1;
	}
	char *rcs = xstrndup(rc->body, rc->len);
	long long code = -1;
	parse_int(str_trim(rcs), 0, 255, &code);
	free(rcs);
	if (code != 0) {
		d->containers_state = STATE_UNKNOWN;
		char *first = first_line(ps->body, ps->len);
		if (code == 124 || code == 137)
			d->containers_error = xstrdup("the container engine did not answer in time");
		else if (code == 127)
			d->containers_error = xstrdup("no container engine command on this host");
		else
			d->containers_error = xasprintf("container engine: %s", first[0] ? first : "failed");
		free(first);
		/* auto: an engine that is installed but not running is not an alarm */
		if (auto_engine) {
			d->containers_state = STATE_OK;
			d->containers_enabled = 0;
		}
		return -1;
	}
	const char *p = ps->body, *end = ps->body + ps->len, *line;
	size_t llen;
	while (next_line(&p, end, &line, &llen)) {
		if (llen == 0)
			continue;
		struct container c;
		if (probe_parse_docker_ps_line(line, llen, &c, NULL) == -1)
			continue;
		if (d->ncontainers >= PROBE_MAX_ITEMS) {
			container_clear(&c);
			break;
		}
		d->containers = xreallocarray(d->containers, d->ncontainers + 1, sizeof *d->containers);
		d->containers[d->ncontainers++] = c;
	}
	const struct section *in = find_section(secs, nsec, "inspect");
	if (in != NULL) {
		p = in->body;
		end = in->body + in->len;
		while (next_line(&p, end, &line, &llen))
			if (llen > 0)
				probe_parse_docker_inspect_line(line, llen, d->containers, d->ncontainers, NULL);
	}
	const struct section *st = find_section(secs, nsec, "stats");
	if (st != NULL) {
		p = st->body;
		end = st->body + st->len;
		while (next_line(&p, end, &line, &llen))
			if (llen > 0)
				probe_parse_docker_stats_line(line, llen, d->containers, d->ncontainers, NULL);
	}
	return 0;
}

static void
parse_units(const struct section *secs, size_t nsec, const struct host_conf *h, struct host_data *d)
{
	const struct section *u = find_section(secs, nsec, "units");
	struct unit_status *units = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (u != NULL)
		probe_parse_systemd(u->body, u->len, &units, &n, &cause);
	/* one row per configured unit, in the configured order */
	d->units = xcalloc(h->units.n, sizeof *d->units);
	d->nunits = h->units.n;
	for (size_t i = 0; i < h->units.n; i++) {
		struct unit_status *dst = &d->units[i];
		const char *want = h->units.v[i];
		for (size_t k = 0; k < n; k++) {
			const char *got = units[k].name;
			size_t wl = strlen(want);
			if (got != NULL && (strcmp(got, want) == 0 ||
			    (strncmp(got, want, wl) == 0 && strcmp(got + wl, ".service") == 0))) {
				*dst = units[k];
				memset(&units[k], 0, sizeof units[k]);
				break;
			}
		}
		if (dst->name == NULL) {
			dst->name = xstrdup(want);
			dst->state = STATE_UNKNOWN;
			if (u == NULL)
				dst->reason = xstrdup("not reported");
			else
				dst->reason = cause ? xstrdup(cause) : xstrdup("not reported by systemctl");
		} else {
			free(dst->name);
			dst->name = xstrdup(want);
		}
	}
	for (size_t k = 0; k < n; k++)
		unit_status_clear(&units[k]);
	free(units);
	free(cause);
}

static void
parse_checks(const struct section *secs, size_t nsec, const struct host_conf *h, struct host_data *d)
{
	d->checks = xcalloc(h->nchecks, sizeof *d->checks);
	d->nchecks = h->nchecks;
	for (size_t i = 0; i < h->nchecks; i++) {
		struct check_result *r = &d->checks[i];
		r->name = xstrdup(h->checks[i].name);
		r->command_shown = xstrdup(h->checks[i].command_shown);
		r->exit_code = -1;
		r->latency_ms = -1;
		if (h->checks[i].missing_env != NULL) {
			r->state = STATE_UNKNOWN;
			r->reason = xasprintf("${%s} is not set", h->checks[i].missing_env);
			continue;
		}
		char name[32];
		snprintf(name, sizeof name, "check.%zu", i);
		const struct section *out = find_section(secs, nsec, name);
		snprintf(name, sizeof name, "check.%zu.rc", i);
		const struct section *rc = find_section(secs, nsec, name);
		if (out == NULL || rc == NULL) {
			r->state = STATE_UNKNOWN;
			r->reason = xstrdup("did not run");
			continue;
		}
		/* redacted before the cut: a secret across the cut leaves nothing of itself */
		r->output = sanitize_redact_max(out->body, out->len, PROBE_CHECK_OUTPUT, NULL);
		char *rcs = xstrndup(rc->body, rc->len > 128 ? 128 : rc->len);
		long long code, t0 = 0, t1 = 0;
		if (sscanf(rcs, "%lld %lld %lld", &code, &t0, &t1) >= 1 && code >= 0 && code <= 255) {
			r->exit_code = (int)code;
			if (t1 > t0 && t0 > 0)
				r->latency_ms = (t1 - t0) / 1000000;
		}
		free(rcs);
	}
}

static int parse_output(const char *, size_t, const char *, int, const struct host_conf *,
    struct host_data *, struct probe_found *);

void
probe_found_clear(struct probe_found *f)
{
	free(f->engine_socket);
	free(f->stats);
	memset(f, 0, sizeof *f);
}

int
probe_parse(const char *out, size_t len, const char *nonce, const struct host_conf *h,
    struct host_data *d)
{
	struct probe_found found = { 0 };
	int rc = parse_output(out, len, nonce, 0, h, d, &found);
	probe_found_clear(&found);
	return rc;
}

int
probe_parse_finished(const char *out, size_t len, const char *nonce,
    const struct host_conf *h, struct host_data *d, struct probe_found *found)
{
	return parse_output(out, len, nonce, 1, h, d, found);
}

void
probe_carry(struct host_data *d, const struct host_data *prev)
{
	if (prev == NULL || d->ndisks > 0)
		return;
	d->ncpu = prev->ncpu;
	d->disks = xcalloc(prev->ndisks ? prev->ndisks : 1, sizeof *d->disks);
	for (size_t i = 0; i < prev->ndisks; i++) {
		d->disks[i] = prev->disks[i];
		d->disks[i].fs = xstrdup(prev->disks[i].fs);
		d->disks[i].mount = xstrdup(prev->disks[i].mount);
		d->disks[i].reason = prev->disks[i].reason ? xstrdup(prev->disks[i].reason) : NULL;
	}
	d->ndisks = prev->ndisks;
}

/*
 * finished: the transport read up to the end marker and left it out; the
 * last section then ends where the output does.
 */
static int
parse_output(const char *out, size_t len, const char *nonce, int finished,
    const struct host_conf *h, struct host_data *d, struct probe_found *found)
{
	struct section *secs = xcalloc(MAX_SECTIONS, sizeof *secs);
	size_t nsec = split_sections(out, len, nonce, secs, MAX_SECTIONS);
	const struct section *s;
	int complete = finished || find_section(secs, nsec, "end") != NULL;

	if ((s = find_section(secs, nsec, "hostname")) != NULL && s->len > 0)
		d->hostname = first_line(s->body, s->len);
	if ((s = find_section(secs, nsec, "uptime")) != NULL)
		probe_parse_uptime(s->body, s->len, &d->uptime_s, NULL);
	double load[3] = { -1, -1, -1 };
	if ((s = find_section(secs, nsec, "loadavg")) != NULL &&
	    probe_parse_loadavg(s->body, s->len, load, NULL) == 0) {
		d->load1 = load[0];
		d->load5 = load[1];
		d->load15 = load[2];
	} else
		d->load1 = d->load5 = d->load15 = -1;
	if ((s = find_section(secs, nsec, "nproc")) != NULL) {
		char *t = xstrndup(s->body, s->len > 32 ? 32 : s->len);
		long long v;
		if (parse_int(str_trim(t), 1, 100000, &v) == 0)
			d->ncpu = (int)v;
		free(t);
	}
	if ((s = find_section(secs, nsec, "meminfo")) == NULL ||
	    probe_parse_meminfo(s->body, s->len, &d->mem_total_kb, &d->mem_avail_kb,
	    &d->swap_total_kb, &d->swap_free_kb, NULL) == -1)
		d->mem_total_kb = 0;
	if ((s = find_section(secs, nsec, "df")) != NULL) {
		probe_parse_df(s->body, s->len, &d->disks, &d->ndisks, NULL);
		if ((s = find_section(secs, nsec, "dfi")) != NULL)
			probe_parse_df_inodes(s->body, s->len, d->disks, d->ndisks, NULL);
	}
	if ((s = find_section(secs, nsec, "sock")) != NULL && s->len > 0)
		found->engine_socket = first_line(s->body, s->len);
	if (h->containers != CONTAINERS_NONE) {
		if (find_section(secs, nsec, "api") != NULL) {
			/* the worker fills the containers from the engine's API */
			d->containers_enabled = 1;
			if ((s = find_section(secs, nsec, "stats")) != NULL)
				found->stats = xstrndup(s->body, s->len);
		} else
			parse_containers(secs, nsec, d, h->containers == CONTAINERS_AUTO);
	}
	parse_units(secs, nsec, h, d);
	parse_checks(secs, nsec, h, d);
	free(secs);
	return complete ? 0 : -1;
}

char *
probe_end_marker(const char *nonce)
{
	return xasprintf("@@sitrep:%s:end", nonce);
}
