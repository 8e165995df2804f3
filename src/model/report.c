/*
 * report: the incident report in markdown. See report.h.
 *
 * It covers the fields of the usual templates (on-call incident report,
 * postmortem, lessons learned) and the figures only sitrep measured: time
 * to triage against the response target, time to restore against the RTO,
 * each step against its time box, each command with its exit status.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "report.h"
#include "sanitize.h"

char *
md_inline(const char *s)
{
	char *safe = sanitize_str(s ? s : "");
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (const char *p = safe; *p; p++) {
		switch (*p) {
		case '<': buf_adds(&b, "&lt;"); break;
		case '>': buf_adds(&b, "&gt;"); break;
		case '&': buf_adds(&b, "&amp;"); break;
		case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~':
			buf_addc(&b, '\\');
			buf_addc(&b, *p);
			break;
		default:
			buf_addc(&b, *p);
		}
	}
	free(safe);
	return buf_take(&b);
}

void
md_code_block(struct buf *b, const char *text, size_t len, const char *info)
{
	char *safe = sanitize_text(text, len, SAN_MULTILINE);
	/* a fence longer than any run of backticks inside */
	int longest = 0, run = 0;
	for (const char *p = safe; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	int fence = longest >= 3 ? longest + 1 : 3;
	for (int i = 0; i < fence; i++)
		buf_addc(b, '`');
	buf_adds(b, info ? info : "");
	buf_addc(b, '\n');
	size_t n = strlen(safe);
	buf_add(b, safe, n);
	if (n > 0 && safe[n - 1] != '\n')
		buf_addc(b, '\n');
	for (int i = 0; i < fence; i++)
		buf_addc(b, '`');
	buf_adds(b, "\n\n");
	free(safe);
}

static void
utc(char *out, size_t n, int64_t ms)
{
	if (ms <= 0) {
		snprintf(out, n, "-");
		return;
	}
	fmt_utc(out, n, ms);
	out[10] = ' ';
	out[19] = '\0';
	strncat(out, " UTC", n - strlen(out) - 1);
}

static void
dur(char *out, size_t n, int64_t ms)
{
	fmt_duration(out, n, ms);
}

static void
row2(struct buf *b, const char *k, const char *v)
{
	char *ek = md_inline(k), *ev = md_inline(v && *v ? v : "-");
	buf_printf(b, "| %s | %s |\n", ek, ev);
	free(ek);
	free(ev);
}

static void
section_text(struct buf *b, const char *title, const char *text)
{
	buf_printf(b, "## %s\n\n", title);
	if (text == NULL || *text == '\0') {
		buf_adds(b, "_To be written._\n\n");
		return;
	}
	/* operator text: each line escaped, paragraphs kept */
	char *safe = sanitize_text(text, strlen(text), SAN_MULTILINE);
	char *save = NULL;
	for (char *line = strtok_r(safe, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e = md_inline(line);
		/* a line must not turn into a heading, a quote, a list or a rule */
		const char *p = e;
		while (*p == ' ')
			p++;
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*p == '#' || *p == '>' || *p == '-' || *p == '+' || *p == '=') {
			buf_addc(b, '\\');
			buf_printf(b, "%s\n", p);
		} else if (q > p && (*q == '.' || *q == ')')) {
			/* "1." starts a list: escape its punctuation */
			buf_add(b, p, (size_t)(q - p));
			buf_addc(b, '\\');
			buf_printf(b, "%s\n", q);
		} else
			buf_printf(b, "%s\n", p);
		free(e);
	}
	buf_adds(b, "\n");
	free(safe);
}

/* "met (12m left)" / "missed by 5m" */
static void
against(char *out, size_t n, int64_t took_ms, int64_t target_s)
{
	char d[32];
	int64_t diff = target_s * 1000 - took_ms;
	dur(d, sizeof d, diff < 0 ? -diff : diff);
	if (diff >= 0)
		snprintf(out, n, "met, %s to spare", d);
	else
		snprintf(out, n, "MISSED by %s", d);
}

static const char *const severity_names[4] = { "P0", "P1", "P2", "P3" };

static void
report_title(struct buf *b, const struct incident *in)
{
	char *title = md_inline(in->title);
	buf_printf(b, "# Incident %lld: %s%s\n\n", (long long)in->id, title, in->drill ? " (drill)" : "");
	free(title);
	if (in->drill)
		buf_adds(b, "> This was a **drill**: figures are measured as for a real incident.\n\n");
}

/* The severity and each change of it, with its time. */
static void
report_severity_row(struct buf *b, const struct incident_record *d)
{
	struct buf sev;
	buf_init(&sev);
	buf_adds(&sev, severity_names[d->in.severity & 3]);
	for (size_t i = 0; i < d->nev; i++)
		if (strcmp(d->ev[i].kind, "severity") == 0) {
			char hms[16];
			fmt_utc_hms(hms, sizeof hms, d->ev[i].at);
			buf_printf(&sev, "; %s at %s", d->ev[i].text, hms);
		}
	row2(b, "Severity", sev.data);
	buf_free(&sev);
}

static void
report_metadata(struct buf *b, const struct incident_record *d)
{
	const struct incident *in = &d->in;
	char t[96];
	buf_adds(b, "| Field | Value |\n|---|---|\n");
	snprintf(t, sizeof t, "%lld", (long long)in->id);
	row2(b, "Incident", t);
	row2(b, "Status", in->status);
	report_severity_row(b, d);
	row2(b, "Type", in->drill ? "drill" : "real");
	utc(t, sizeof t, in->opened_at);
	row2(b, "Opened", t);
	utc(t, sizeof t, in->ms[MS_STARTED]);
	row2(b, "Started", t);
	utc(t, sizeof t, in->ms[MS_RESOLVED]);
	row2(b, "Resolved", t);
	if (in->ms[MS_RESOLVED]) {
		dur(t, sizeof t, in->ms[MS_RESOLVED] - in->ms[MS_STARTED]);
		row2(b, "Duration", t);
	}
	row2(b, "Reporter", in->reporter);
	row2(b, "Hosts affected", in->hosts);
	row2(b, "Services affected", in->services);
	row2(b, "Users impacted", in->users_impacted < 0 ? "unknown" : in->users_impacted ? "yes" : "no");
	row2(b, "Business impact", in->business_impact ? in->business_impact : "unknown");
	if (in->runbook_title) {
		const char *base = in->runbook_path ? strrchr(in->runbook_path, '/') : NULL;
		char *rb = xasprintf("%s (%s)", in->runbook_title, base ? base + 1 :
		    in->runbook_path ? in->runbook_path : "?");
		row2(b, "Runbook", rb);
		free(rb);
	} else
		row2(b, "Runbook", "none");
	buf_adds(b, "\n");
}

static void
report_milestones(struct buf *b, const struct incident *in)
{
	char t[96];
	buf_adds(b, "## Milestones and figures\n\n| Milestone | Time (UTC) | Since start |\n|---|---|---|\n");
	for (int m = 0; m < MS_COUNT; m++) {
		char since[48] = "-";
		if (in->ms[m] && in->ms[MS_STARTED]) {
			char clk[32];
			fmt_clock(clk, sizeof clk, in->ms[m] - in->ms[MS_STARTED]);
			snprintf(since, sizeof since, "T+%s", clk);
		}
		utc(t, sizeof t, in->ms[m]);
		buf_printf(b, "| %s | %s | %s |\n", milestone_name(m), t, since);
	}
}

/* A figure measured against a target: "| NAME | took | TARGET | met/missed |". */
static void
figure_against(struct buf *b, const char *name, int64_t took_ms, const char *target, int64_t target_s)
{
	char t1[96], t3[128];
	dur(t1, sizeof t1, took_ms);
	against(t3, sizeof t3, took_ms, target_s);
	buf_printf(b, "| %s | %s | %s | %s |\n", name, t1, target, t3);
}

static void
report_figures(struct buf *b, const struct conf *c, const struct incident *in)
{
	char t1[96], t2[96], tgt[128];
	buf_adds(b, "\n| Figure | Value | Target | Result |\n|---|---|---|---|\n");
	int64_t start = in->ms[MS_STARTED], det = incident_detected_at(in);
	if (in->ms[MS_DETECTED] && start) {
		dur(t1, sizeof t1, det - start);
		buf_printf(b, "| Time to detect | %s | - | - |\n", t1);
	} else
		buf_adds(b, "| Time to detect | not recorded | - | - |\n");
	int64_t target = incident_target_s(c, in->severity);
	dur(t2, sizeof t2, target * 1000);
	snprintf(tgt, sizeof tgt, "%s (%s)", t2, severity_names[in->severity & 3]);
	if (in->ms[MS_TRIAGE_DONE] && det)
		figure_against(b, "Time to triage", in->ms[MS_TRIAGE_DONE] - det, tgt, target);
	else
		buf_printf(b, "| Time to triage | not reached | %s | - |\n", tgt);
	if (in->ms[MS_MITIGATED] && start) {
		dur(t1, sizeof t1, in->ms[MS_MITIGATED] - start);
		buf_printf(b, "| Time to mitigate | %s | - | - |\n", t1);
	} else
		buf_adds(b, "| Time to mitigate | not reached | - | - |\n");
	if (in->rto_s > 0) {
		dur(t2, sizeof t2, in->rto_s * 1000);
		snprintf(tgt, sizeof tgt, "RTO %s", t2);
	} else
		snprintf(tgt, sizeof tgt, "no RTO set");
	if (in->ms[MS_RESTORED] && start) {
		if (in->rto_s > 0)
			figure_against(b, "Time to restore", in->ms[MS_RESTORED] - start, tgt, in->rto_s);
		else {
			dur(t1, sizeof t1, in->ms[MS_RESTORED] - start);
			buf_printf(b, "| Time to restore | %s | no RTO set | - |\n", t1);
		}
	} else
		buf_printf(b, "| Time to restore | not reached | %s | - |\n", tgt);
	if (in->data_loss_s >= 0) {
		if (in->rpo_s > 0) {
			dur(t2, sizeof t2, in->rpo_s * 1000);
			snprintf(tgt, sizeof tgt, "RPO %s", t2);
			figure_against(b, "Data-loss window", in->data_loss_s * 1000, tgt, in->rpo_s);
		} else {
			dur(t1, sizeof t1, in->data_loss_s * 1000);
			buf_printf(b, "| Data-loss window | %s | no RPO set | - |\n", t1);
		}
	} else
		buf_adds(b, "| Data-loss window | not entered | - | - |\n");
	if (in->drill)
		buf_adds(b, "\nFigures of a drill: they measure the procedure, not an outage.\n");
	buf_adds(b, "\n");
}

static void
report_timeline(struct buf *b, const struct incident_record *d)
{
	buf_printf(b, "## Timeline\n\n%zu events, times in UTC.\n\n", d->nev);
	buf_adds(b, "| Time | Source | Host | Event |\n|---|---|---|---|\n");
	for (size_t i = 0; i < d->nev; i++) {
		const struct event *e = &d->ev[i];
		char hms[16];
		fmt_utc_hms(hms, sizeof hms, e->at);
		char *src = md_inline(e->source), *host = md_inline(e->host ? e->host : "-");
		char *text = md_inline(e->text);
		buf_printf(b, "| %s | %s | %s | %s |\n", hms, src, host, text);
		free(src);
		free(host);
		free(text);
	}
	buf_adds(b, "\n");
}

/* One step's row: its time box, what it took and how that compares. */
static void
report_step_row(struct buf *b, const struct step_run *r)
{
	char box[32] = "-", actual[32] = "running", vs[48] = "-";
	if (r->timebox_s > 0) {
		char a[16], bb[16];
		dur(a, sizeof a, r->timebox_s * 1000);
		if (r->timebox_max_s > r->timebox_s) {
			dur(bb, sizeof bb, r->timebox_max_s * 1000);
			snprintf(box, sizeof box, "%s-%s", a, bb);
		} else
			snprintf(box, sizeof box, "%s", a);
	}
	if (r->ended_at) {
		int64_t took = r->ended_at - r->started_at;
		dur(actual, sizeof actual, took);
		int64_t limit = r->timebox_max_s > 0 ? r->timebox_max_s : r->timebox_s;
		if (limit > 0) {
			char d[16];
			int64_t diff = took - limit * 1000;
			dur(d, sizeof d, diff < 0 ? -diff : diff);
			snprintf(vs, sizeof vs, diff > 0 ? "over by %s" : "within (%s left)", d);
		}
	}
	char *stitle = xasprintf("%d. %s", r->number, r->title);
	char *et = md_inline(stitle), *note = md_inline(r->note ? r->note : "");
	buf_printf(b, "| %s | %s | %s | %s | %s | %s |\n", et, box, actual, vs, r->outcome, note);
	free(stitle);
	free(et);
	free(note);
}

static void
report_steps(struct buf *b, const struct incident_record *d)
{
	buf_adds(b, "## Runbook execution\n\n");
	if (d->nsteps == 0) {
		buf_adds(b, "No runbook step was run.\n\n");
		return;
	}
	buf_adds(b, "| Step | Time box | Actual | Against the box | Outcome | Note |\n"
	    "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < d->nsteps; i++)
		report_step_row(b, &d->steps[i]);
	buf_adds(b, "\n");
}

/* Command number n: where, when, how it ended and the start of its output. */
static void
report_command(struct buf *b, size_t n, const struct command_run *r)
{
	char *cmd = md_inline(r->command), *host = md_inline(r->host);
	char hms[16], took[32], size[32];
	fmt_utc_hms(hms, sizeof hms, r->started_at);
	dur(took, sizeof took, r->duration_ms);
	fmt_bytes(size, sizeof size, (uint64_t)r->output_total);
	buf_printf(b, "### %zu. %s\n\n", n, cmd);
	buf_printf(b, "- Host: %s\n- Started: %s UTC\n", host, hms);
	if (strcmp(r->status, "done") == 0)
		buf_printf(b, "- Exit status: %d\n", r->exit_status);
	else {
		char *err = md_inline(r->error ? r->error : "");
		buf_printf(b, "- Status: %s%s%s\n", r->status, *err ? ": " : "", err);
		free(err);
	}
	buf_printf(b, "- Duration: %s\n- Output: %s (%lld bytes)", took, size,
	    (long long)r->output_total);
	/* stored output is redacted: the cut leaves no half "[secret]" */
	size_t excerpt = redact_cut(r->output, r->output_len, REPORT_OUTPUT_EXCERPT);
	/* never cut a UTF-8 sequence in two */
	while (excerpt > 0 && excerpt < r->output_len &&
	    ((unsigned char)r->output[excerpt] & 0xC0) == 0x80)
		excerpt--;
	if ((int64_t)excerpt < r->output_total)
		buf_printf(b, ", first %zu bytes below", excerpt);
	buf_adds(b, "\n\n");
	if (excerpt > 0)
		md_code_block(b, r->output, excerpt, "text");
	free(cmd);
	free(host);
}

static void
report_commands(struct buf *b, const struct incident_record *d)
{
	buf_adds(b, "## Commands\n\n");
	if (d->ncmds == 0)
		buf_adds(b, "No command was run from sitrep.\n\n");
	for (size_t i = 0; i < d->ncmds; i++)
		report_command(b, i + 1, &d->cmds[i]);
}

static void
report_checklist(struct buf *b, const struct incident_record *d)
{
	buf_adds(b, "## Checklist\n\n");
	if (d->nticks == 0) {
		buf_adds(b, "No checklist item was ticked.\n\n");
		return;
	}
	for (size_t i = 0; i < d->nticks; i++) {
		const struct tick *t = &d->ticks[i];
		char hms[16];
		fmt_utc_hms(hms, sizeof hms, t->at);
		char *item = md_inline(t->item), *list = md_inline(t->list);
		char *who = md_inline(t->operator_name ? t->operator_name : "?");
		buf_printf(b, "- [%c] %s: %s (%s UTC, %s)\n", t->checked ? 'x' : ' ', list, item, hms, who);
		free(item);
		free(list);
		free(who);
	}
	buf_adds(b, "\n");
}

static void
report_actions(struct buf *b, const struct incident_record *d)
{
	buf_adds(b, "## Action items\n\n");
	if (d->nactions == 0) {
		buf_adds(b, "_To be written._\n\n");
		return;
	}
	buf_adds(b, "| Action | Owner | Kind |\n|---|---|---|\n");
	for (size_t i = 0; i < d->nactions; i++) {
		const struct action_item *a = &d->actions[i];
		char *text = md_inline(a->text), *owner = md_inline(a->owner ? a->owner : "unassigned");
		char *kind = md_inline(a->kind ? a->kind : "-");
		buf_printf(b, "| %s | %s | %s |\n", text, owner, kind);
		free(text);
		free(owner);
		free(kind);
	}
	buf_adds(b, "\n");
}

static void
report_post_incident(struct buf *b, const struct incident_record *d)
{
	const struct incident *in = &d->in;
	buf_adds(b, "## Post-incident checklist\n\n");
	buf_printf(b, "- [x] Document the incident (this report)\n");
	buf_printf(b, "- [%c] Compute RTO and RPO (%s)\n", in->ms[MS_RESTORED] ? 'x' : ' ',
	    in->ms[MS_RESTORED] ? "see the figures above" : "restore not recorded");
	buf_printf(b, "- [ ] Update the runbook%s\n", d->nsteps ? " (compare each step with its time box)" : "");
	buf_adds(b, "- [ ] Test the backup\n- [ ] Schedule the review\n");
}

int
report_markdown(struct store *s, const struct conf *c, int64_t id, char **out, char **cause)
{
	struct incident_record d;
	if (store_incident_record(s, id, &d, cause) == -1)
		return -1;
	struct buf b;
	buf_init(&b);
	report_title(&b, &d.in);
	report_metadata(&b, &d);
	section_text(&b, "Summary", d.in.summary);
	section_text(&b, "Impact", d.in.impact);
	report_milestones(&b, &d.in);
	report_figures(&b, c, &d.in);
	report_timeline(&b, &d);
	report_steps(&b, &d);
	report_commands(&b, &d);
	report_checklist(&b, &d);
	section_text(&b, "Root cause", d.in.root_cause);
	section_text(&b, "Resolution", d.in.resolution);
	section_text(&b, "Prevention", d.in.prevention);
	section_text(&b, "What went well", d.in.went_well);
	section_text(&b, "What needs improvement", d.in.needs_improvement);
	report_actions(&b, &d);
	report_post_incident(&b, &d);
	incident_record_clear(&d);
	*out = buf_take(&b);
	return 0;
}
