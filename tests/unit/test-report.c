/* The report's escaping, and stats over a store with known figures. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "report.h"
#include "sanitize.h"
#include "tap.h"

#define MIN (60 * 1000LL)
#define T0 1790000000000LL	/* a fixed start: figures are exact */

static int64_t
add_incident(struct store *s, const char *title, int sev, int drill, const char *hosts,
    int64_t start, int64_t triage_min, int64_t restore_min, int64_t rto_min)
{
	struct incident in;
	memset(&in, 0, sizeof in);
	in.title = (char *)title;
	in.severity = sev;
	in.drill = drill;
	in.hosts = (char *)hosts;
	in.status = "resolved";
	in.opened_at = start;
	in.ms[MS_STARTED] = start;
	in.ms[MS_DETECTED] = start;
	in.ms[MS_TRIAGE_STARTED] = start;
	in.ms[MS_TRIAGE_DONE] = start + triage_min * MIN;
	in.ms[MS_RESTORED] = start + restore_min * MIN;
	in.ms[MS_RESOLVED] = start + restore_min * MIN;
	in.rto_s = rto_min * 60;
	in.data_loss_s = -1;
	in.users_impacted = -1;
	return store_incident_insert(s, &in, NULL);
}

static void
add_step(struct store *s, int64_t id, const char *rb, const char *title, int64_t box_min,
    int64_t start, int64_t took_min)
{
	struct step_run r = { .incident_id = id, .runbook = (char *)rb, .title = (char *)title,
		.number = 1, .timebox_s = box_min * 60, .timebox_max_s = box_min * 60,
		.started_at = start };
	int64_t run = store_step_insert(s, &r, NULL);
	store_step_end(s, run, start + took_min * MIN, "done", NULL, NULL);
}

int
main(void)
{
	sanitize_init();
	char dir[] = "/tmp/sitrep-test-report-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char *path = xasprintf("%s/s.db", dir);
	struct store *s;
	char *cause = NULL;
	if (store_open(path, 0, &s, &cause) == -1) {
		printf("Bail out! %s\n", cause);
		return 1;
	}
	/* known figures: real P1 triage 10m restore 40m (RTO 60m, met); real P2 triage 20m
	 * restore 90m (RTO 60m, missed); drill P0 triage 5m restore 30m (RTO 60m) */
	store_begin(s, NULL);
	int64_t a = add_incident(s, "Gateway down", 1, 0, "h1,h2", T0, 10, 40, 60);
	int64_t b = add_incident(s, "Disk full", 2, 0, "h1", T0 + 10 * 24 * 60 * MIN, 20, 90, 60);
	int64_t c = add_incident(s, "DR drill", 0, 1, "h3", T0 + 20 * 24 * 60 * MIN, 5, 30, 60);
	add_step(s, a, "Crash loop", "Read the logs", 5, T0, 12);
	add_step(s, b, "Crash loop", "Read the logs", 5, T0 + 1, 8);
	add_step(s, b, "Disk full", "Prune images", 10, T0 + 2, 9);
	store_commit(s, NULL);
	(void)c;

	struct stats_opts o = { 0, 1 };
	char *json = NULL;
	is_int(stats_compute(s, NULL, &o, &json, &cause), 0, "stats as JSON");
	cJSON *root = cJSON_Parse(json);
	ok(root != NULL, "it is valid JSON");
	cJSON *real = cJSON_GetObjectItem(root, "real");
	cJSON *drill = cJSON_GetObjectItem(root, "drill");
	is_int(cJSON_GetObjectItem(real, "incidents")->valueint, 2, "two real incidents");
	is_int(cJSON_GetObjectItem(drill, "incidents")->valueint, 1, "one drill, counted apart");
	cJSON *sev = cJSON_GetObjectItem(real, "by_severity");
	is_int(cJSON_GetObjectItem(sev, "P1")->valueint, 1, "one P1");
	is_int(cJSON_GetObjectItem(sev, "P2")->valueint, 1, "one P2");
	cJSON *tt = cJSON_GetObjectItem(real, "time_to_triage");
	is_int((int)cJSON_GetObjectItem(tt, "mean_s")->valuedouble, 15 * 60, "mean time to triage 15m");
	is_int((int)cJSON_GetObjectItem(tt, "worst_s")->valuedouble, 20 * 60, "worst time to triage 20m");
	cJSON *tr = cJSON_GetObjectItem(real, "time_to_restore");
	is_int((int)cJSON_GetObjectItem(tr, "mean_s")->valuedouble, 65 * 60, "mean time to restore 65m");
	is_int((int)cJSON_GetObjectItem(tr, "worst_s")->valuedouble, 90 * 60, "worst time to restore 90m");
	ok(cJSON_GetObjectItem(real, "within_rto_share")->valuedouble == 0.5, "half within RTO");
	cJSON *mh = cJSON_GetObjectItem(root, "mtbf_by_host");
	cJSON *h1 = cJSON_GetArrayItem(mh, 0);
	is_str(cJSON_GetObjectItem(h1, "name")->valuestring, "h1", "MTBF for h1");
	is_int((int)cJSON_GetObjectItem(h1, "mtbf_s")->valuedouble, 10 * 24 * 3600, "h1 fails every 10 days");
	ok(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(mh, 1), "mtbf_s")),
	    "h2 with one incident has no MTBF");
	cJSON *ov = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "step_overruns"), 0);
	is_str(cJSON_GetObjectItem(ov, "step")->valuestring, "Read the logs", "the most overrun step");
	is_int((int)cJSON_GetObjectItem(ov, "mean_overrun_s")->valuedouble, 5 * 60, "overruns by 5m on average");
	is_int(cJSON_GetObjectItem(ov, "over")->valueint, 2, "in both of its runs");
	cJSON_Delete(root);
	free(json);
	o.json = 0;
	char *text = NULL;
	stats_compute(s, NULL, &o, &text, &cause);
	ok(strstr(text, "within RTO         1 of 2 (50%)") != NULL, "the text form says 1 of 2");
	free(text);
	o.since = T0 + 5 * 24 * 60 * MIN;
	o.json = 1;
	stats_compute(s, NULL, &o, &json, &cause);
	root = cJSON_Parse(json);
	is_int(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "real"), "incidents")->valueint, 1,
	    "--since leaves the older incident out");
	cJSON_Delete(root);
	free(json);

	/* hostile text in the report comes out inert */
	struct recorder r = { .store = s, .operator_name = "mallory" };
	struct incident in;
	memset(&in, 0, sizeof in);
	in.title = xstrdup("T | `x` <script>alert(1)</script>");
	in.severity = 2;
	in.data_loss_s = -1;
	incident_open(&r, &in, 0, &cause);
	incident_note(&r, in.id, "\x1b]0;owned\x07 pipe | tick ` star * <b>bold</b> \x1b[2J\r\n# heading", &cause);
	int64_t cmd = incident_command_start(&r, in.id, 0, "h|1", "echo ``` | cat", &cause);
	struct command_run cr = { .id = cmd, .incident_id = in.id, .host = "h|1",
		.command = "echo ``` | cat", .ended_at = wall_ms(), .exit_status = 0,
		.output = "```\n<script>x</script>\n\x1b[31mred\x1b[0m\n", .status = "done" };
	cr.output_len = strlen(cr.output);
	cr.output_total = 100000;
	incident_command_end(&r, &cr, &cause);
	char *md = NULL;
	is_int(report_markdown(s, NULL, in.id, &md, &cause), 0, "the report");
	int ctrl = 0;
	for (const unsigned char *p = (const unsigned char *)md; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			ctrl = 1;
	ok(!ctrl, "no byte below 0x20 but newline");
	/* outside code blocks (where it is inert text) no raw HTML */
	char *prose = xstrdup(md);
	for (char *f = strstr(prose, "````"); f; f = strstr(prose, "````")) {
		char *end = strstr(f + 4, "\n````\n");
		if (end == NULL)
			break;
		memmove(f, end + 6, strlen(end + 6) + 1);
	}
	ok(strstr(prose, "<script>") == NULL, "no raw <script> outside code blocks");
	free(prose);
	ok(strstr(md, "&lt;script&gt;") != NULL, "HTML is neutralised as entities (outside code)");
	ok(strstr(md, "pipe \\| tick \\` star \\*") != NULL, "pipes, backticks and stars are escaped");
	ok(strstr(md, "````text\n```\n") != NULL, "output with a fence gets a longer fence");
	ok(strstr(md, "(100000 bytes)") != NULL, "the full output size is stated");
	ok(strstr(md, "\n# heading") == NULL, "a newline in a note cannot start a heading");
	/* every timeline row has exactly 5 unescaped pipes */
	int bad_rows = 0;
	char *save = NULL, *copy = xstrdup(md);
	int in_timeline = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "## ", 3) == 0)
			in_timeline = strcmp(line, "## Timeline") == 0;
		if (!in_timeline || line[0] != '|')
			continue;
		int pipes = 0;
		for (char *p = line; *p; p++)
			if (*p == '|' && (p == line || p[-1] != '\\'))
				pipes++;
		if (pipes != 5)
			bad_rows++;
	}
	free(copy);
	is_int(bad_rows, 0, "data cannot add a table column");
	ok(strstr(md, "## Summary\n\n_To be written._") != NULL, "unwritten sections say so");
	ok(strstr(md, "## Post-incident checklist") != NULL, "the post-incident checklist");
	char *again = NULL;
	report_markdown(s, NULL, in.id, &again, &cause);
	is_str(again, md, "the same store gives the same report");
	free(again);
	free(md);
	incident_clear(&in);
	store_close(&s);
	char *cmdline = xasprintf("rm -rf %s", dir);
	if (system(cmdline) != 0)
		printf("# could not clean %s\n", dir);
	free(cmdline);
	free(path);
	free(cause);
	return tap_done();
}
