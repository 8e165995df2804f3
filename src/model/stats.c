/*
 * stats: reliability figures across the incidents in the store, drills
 * apart from real ones. See report.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "report.h"
#include "sanitize.h"

struct figure {
	int n;
	int64_t sum_ms;
	int64_t worst_ms;
};

static void
add_figure(struct figure *f, int64_t ms)
{
	f->n++;
	f->sum_ms += ms;
	if (ms > f->worst_ms)
		f->worst_ms = ms;
}

struct group {
	int count;
	int by_severity[4];
	struct figure triage, restore;
	int with_rto, within_rto;
};

struct mtbf {
	char *name;
	int64_t *starts;
	size_t n;
};

struct overrun {
	char *runbook, *title;
	int runs, over;
	int64_t sum_over_ms, worst_over_ms;
	int64_t box_s;
};

static void
mtbf_add(struct mtbf **list, size_t *n, const char *name, int64_t start)
{
	struct mtbf *m = NULL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].name, name) == 0)
			m = &(*list)[i];
	if (m == NULL) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		m = &(*list)[(*n)++];
		memset(m, 0, sizeof *m);
		m->name = xstrdup(name);
	}
	m->starts = xreallocarray(m->starts, m->n + 1, sizeof *m->starts);
	m->starts[m->n++] = start;
}

static void
mtbf_add_list(struct mtbf **list, size_t *n, const char *csv, int64_t start)
{
	if (csv == NULL || *csv == '\0')
		return;
	char *s = xstrdup(csv);
	char *save = NULL;
	for (char *p = strtok_r(s, ",", &save); p;
	    p = strtok_r(NULL, ",", &save))
		if (*p)
			mtbf_add(list, n, str_trim(p), start);
	free(s);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Mean time between failures: the mean gap between consecutive starts; -1 with < 2. */
static int64_t
mtbf_ms(struct mtbf *m)
{
	if (m->n < 2)
		return -1;
	qsort(m->starts, m->n, sizeof *m->starts, cmp_i64);
	return (m->starts[m->n - 1] - m->starts[0]) / (int64_t)(m->n - 1);
}

static int
cmp_overrun(const void *a, const void *b)
{
	const struct overrun *x = a, *y = b;
	int64_t mx = x->runs ? x->sum_over_ms / x->runs : 0, my = y->runs ? y->sum_over_ms / y->runs : 0;
	return mx < my ? 1 : mx > my ? -1 : strcmp(x->title, y->title);
}

static int
cmp_mtbf(const void *a, const void *b)
{
	return strcmp(((const struct mtbf *)a)->name, ((const struct mtbf *)b)->name);
}

static void
fig_text(struct buf *b, const char *name, const struct figure *f)
{
	char mean[32], worst[32];
	if (f->n == 0) {
		buf_printf(b, "  %-18s -\n", name);
		return;
	}
	fmt_duration(mean, sizeof mean, f->sum_ms / f->n);
	fmt_duration(worst, sizeof worst, f->worst_ms);
	buf_printf(b, "  %-18s mean %-8s worst %-8s (%d incident%s)\n", name, mean, worst, f->n,
	    f->n == 1 ? "" : "s");
}

static cJSON *
fig_json(const struct figure *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "count", f->n);
	if (f->n > 0) {
		cJSON_AddNumberToObject(o, "mean_s", (double)(f->sum_ms / f->n) / 1000.0);
		cJSON_AddNumberToObject(o, "worst_s", (double)f->worst_ms / 1000.0);
	} else {
		cJSON_AddNullToObject(o, "mean_s");
		cJSON_AddNullToObject(o, "worst_s");
	}
	return o;
}

static cJSON *
group_json(const struct group *g)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "incidents", g->count);
	cJSON *sev = cJSON_AddObjectToObject(o, "by_severity");
	for (int i = 0; i < 4; i++) {
		char k[4];
		snprintf(k, sizeof k, "P%d", i);
		cJSON_AddNumberToObject(sev, k, g->by_severity[i]);
	}
	cJSON_AddItemToObject(o, "time_to_triage", fig_json(&g->triage));
	cJSON_AddItemToObject(o, "time_to_restore", fig_json(&g->restore));
	cJSON_AddNumberToObject(o, "with_rto", g->with_rto);
	cJSON_AddNumberToObject(o, "within_rto", g->within_rto);
	if (g->with_rto > 0)
		cJSON_AddNumberToObject(o, "within_rto_share", (double)g->within_rto / g->with_rto);
	else
		cJSON_AddNullToObject(o, "within_rto_share");
	return o;
}

static void
group_text(struct buf *b, const char *name, const struct group *g)
{
	buf_printf(b, "%s incidents: %d (P0 %d, P1 %d, P2 %d, P3 %d)\n", name, g->count,
	    g->by_severity[0], g->by_severity[1], g->by_severity[2], g->by_severity[3]);
	fig_text(b, "time to triage", &g->triage);
	fig_text(b, "time to restore", &g->restore);
	if (g->with_rto > 0)
		buf_printf(b, "  %-18s %d of %d (%.0f%%)\n", "within RTO", g->within_rto, g->with_rto,
		    100.0 * g->within_rto / g->with_rto);
	else
		buf_printf(b, "  %-18s - (no incident with an RTO and a restore time)\n", "within RTO");
	buf_adds(b, "\n");
}

/* What the figures are computed from, accumulated incident by incident. */
struct stats_acc {
	struct group groups[2];	/* real, drill */
	struct mtbf *hosts, *services;
	size_t nhosts, nservices;
	struct overrun *over;
	size_t nover;
};

static void
stats_acc_clear(struct stats_acc *a)
{
	for (size_t i = 0; i < a->nhosts; i++) {
		free(a->hosts[i].name);
		free(a->hosts[i].starts);
	}
	for (size_t i = 0; i < a->nservices; i++) {
		free(a->services[i].name);
		free(a->services[i].starts);
	}
	for (size_t i = 0; i < a->nover; i++) {
		free(a->over[i].title);
		free(a->over[i].runbook);
	}
	free(a->hosts);
	free(a->services);
	free(a->over);
	memset(a, 0, sizeof *a);
}

static void
stats_add_incident(struct stats_acc *a, const struct incident *in)
{
	struct group *g = &a->groups[in->drill ? 1 : 0];
	g->count++;
	g->by_severity[in->severity & 3]++;
	int64_t det = incident_detected_at(in);
	if (in->ms[MS_TRIAGE_DONE] && det)
		add_figure(&g->triage, in->ms[MS_TRIAGE_DONE] - det);
	if (in->ms[MS_RESTORED] && in->ms[MS_STARTED]) {
		int64_t took = in->ms[MS_RESTORED] - in->ms[MS_STARTED];
		add_figure(&g->restore, took);
		if (in->rto_s > 0) {
			g->with_rto++;
			g->within_rto += took <= in->rto_s * 1000;
		}
	}
	if (!in->drill) {
		mtbf_add_list(&a->hosts, &a->nhosts, in->hosts, in->ms[MS_STARTED]);
		mtbf_add_list(&a->services, &a->nservices, in->services, in->ms[MS_STARTED]);
	}
}

/* The overrun entry of a runbook's step, created on first sight. */
static struct overrun *
stats_overrun(struct stats_acc *a, const struct step_run *r, int64_t limit)
{
	const char *runbook = r->runbook ? r->runbook : "";
	for (size_t q = 0; q < a->nover; q++)
		if (strcmp(a->over[q].title, r->title) == 0 && strcmp(a->over[q].runbook, runbook) == 0)
			return &a->over[q];
	a->over = xreallocarray(a->over, a->nover + 1, sizeof *a->over);
	struct overrun *ov = &a->over[a->nover++];
	memset(ov, 0, sizeof *ov);
	ov->title = xstrdup(r->title);
	ov->runbook = xstrdup(runbook);
	ov->box_s = limit;
	return ov;
}

static void
stats_add_step(struct stats_acc *a, const struct step_run *r)
{
	int64_t limit = r->timebox_max_s > 0 ? r->timebox_max_s : r->timebox_s;
	if (!r->ended_at || limit <= 0 || strcmp(r->outcome, "skipped") == 0)
		return;
	struct overrun *ov = stats_overrun(a, r, limit);
	int64_t diff = (r->ended_at - r->started_at) - limit * 1000;
	ov->runs++;
	ov->sum_over_ms += diff;
	if (diff > 0)
		ov->over++;
	if (ov->runs == 1 || diff > ov->worst_over_ms)
		ov->worst_over_ms = diff;
}

/* Accumulates every incident since o->since; -1 with *cause on a store error. */
static int
stats_collect(struct store *s, const struct stats_opts *o, struct stats_acc *a, char **cause)
{
	struct incident *list;
	size_t n;
	memset(a, 0, sizeof *a);
	if (store_incident_list(s, o->since, &list, &n, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		stats_add_incident(a, &list[i]);
		struct step_run *steps;
		size_t ns;
		if (store_steps(s, list[i].id, &steps, &ns, cause) == -1) {
			incidents_free(list, n);
			stats_acc_clear(a);
			return -1;
		}
		for (size_t k = 0; k < ns; k++)
			stats_add_step(a, &steps[k]);
		step_runs_free(steps, ns);
	}
	incidents_free(list, n);
	if (a->nover > 1)
		qsort(a->over, a->nover, sizeof *a->over, cmp_overrun);
	if (a->nhosts > 1)
		qsort(a->hosts, a->nhosts, sizeof *a->hosts, cmp_mtbf);
	if (a->nservices > 1)
		qsort(a->services, a->nservices, sizeof *a->services, cmp_mtbf);
	return 0;
}

static cJSON *
mtbf_json(struct mtbf *m, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		char *name = sanitize_str(m[i].name);
		cJSON_AddStringToObject(e, "name", name);
		free(name);
		cJSON_AddNumberToObject(e, "incidents", (double)m[i].n);
		int64_t v = mtbf_ms(&m[i]);
		if (v >= 0)
			cJSON_AddNumberToObject(e, "mtbf_s", (double)v / 1000.0);
		else
			cJSON_AddNullToObject(e, "mtbf_s");
		cJSON_AddItemToArray(arr, e);
	}
	return arr;
}

static cJSON *
overrun_json(const struct overrun *ov)
{
	cJSON *e = cJSON_CreateObject();
	char *rb = sanitize_str(ov->runbook), *t = sanitize_str(ov->title);
	cJSON_AddStringToObject(e, "runbook", rb);
	cJSON_AddStringToObject(e, "step", t);
	free(rb);
	free(t);
	cJSON_AddNumberToObject(e, "time_box_s", (double)ov->box_s);
	cJSON_AddNumberToObject(e, "runs", ov->runs);
	cJSON_AddNumberToObject(e, "over", ov->over);
	cJSON_AddNumberToObject(e, "mean_overrun_s", (double)(ov->sum_over_ms / ov->runs) / 1000.0);
	cJSON_AddNumberToObject(e, "worst_overrun_s", (double)ov->worst_over_ms / 1000.0);
	return e;
}

static void
stats_json(struct buf *b, struct stats_acc *a)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "real", group_json(&a->groups[0]));
	cJSON_AddItemToObject(root, "drill", group_json(&a->groups[1]));
	cJSON_AddItemToObject(root, "mtbf_by_host", mtbf_json(a->hosts, a->nhosts));
	cJSON_AddItemToObject(root, "mtbf_by_service", mtbf_json(a->services, a->nservices));
	cJSON *arr = cJSON_AddArrayToObject(root, "step_overruns");
	for (size_t i = 0; i < a->nover && i < 20; i++)
		cJSON_AddItemToArray(arr, overrun_json(&a->over[i]));
	char *text = cJSON_Print(root);
	buf_adds(b, text);
	buf_addc(b, '\n');
	free(text);
	cJSON_Delete(root);
}

static void
mtbf_text(struct buf *b, const char *by, struct mtbf *m, size_t n)
{
	buf_printf(b, "Mean time between failures by %s (real incidents)\n", by);
	if (n == 0)
		buf_adds(b, "  -\n");
	for (size_t i = 0; i < n; i++) {
		char d[32] = "-";
		int64_t v = mtbf_ms(&m[i]);
		if (v >= 0)
			fmt_duration(d, sizeof d, v);
		char *name = sanitize_str(m[i].name);
		buf_printf(b, "  %-24s %-9s (%zu incident%s)\n", name, d, m[i].n, m[i].n == 1 ? "" : "s");
		free(name);
	}
	buf_adds(b, "\n");
}

static void
overruns_text(struct buf *b, const struct overrun *over, size_t nover)
{
	buf_adds(b, "Steps whose time boxes are wrong (mean overrun, longest first)\n");
	int shown = 0;
	for (size_t i = 0; i < nover && shown < 10; i++) {
		const struct overrun *ov = &over[i];
		if (ov->sum_over_ms <= 0)
			continue;
		char mean[32], worst[32], box[32];
		fmt_duration(mean, sizeof mean, ov->sum_over_ms / ov->runs);
		fmt_duration(worst, sizeof worst, ov->worst_over_ms);
		fmt_duration(box, sizeof box, ov->box_s * 1000);
		char *rb = sanitize_str(ov->runbook), *t = sanitize_str(ov->title);
		buf_printf(b, "  %s / %s: box %s, over by %s on average, worst %s (%d of %d runs over)\n",
		    rb, t, box, mean, worst, ov->over, ov->runs);
		free(rb);
		free(t);
		shown++;
	}
	if (shown == 0)
		buf_adds(b, "  - (every step kept to its time box)\n");
}

static void
stats_text(struct buf *b, struct stats_acc *a)
{
	group_text(b, "Real", &a->groups[0]);
	group_text(b, "Drill", &a->groups[1]);
	mtbf_text(b, "host", a->hosts, a->nhosts);
	mtbf_text(b, "service", a->services, a->nservices);
	overruns_text(b, a->over, a->nover);
}

int
stats_compute(struct store *s, const struct conf *c, const struct stats_opts *o, char **out,
    char **cause)
{
	struct stats_acc a;
	(void)c;
	if (stats_collect(s, o, &a, cause) == -1)
		return -1;
	struct buf b;
	buf_init(&b);
	if (o->json)
		stats_json(&b, &a);
	else
		stats_text(&b, &a);
	stats_acc_clear(&a);
	*out = buf_take(&b);
	return 0;
}
