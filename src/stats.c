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

int
stats_compute(struct store *s, const struct conf *c, const struct stats_opts *o, char **out,
    char **cause)
{
	struct incident *list;
	size_t n;
	if (store_incident_list(s, o->since, &list, &n, cause) == -1)
		return -1;
	struct group groups[2];	/* real, drill */
	memset(groups, 0, sizeof groups);
	struct mtbf *hosts = NULL, *services = NULL;
	size_t nhosts = 0, nservices = 0;
	struct overrun *over = NULL;
	size_t nover = 0;
	for (size_t i = 0; i < n; i++) {
		const struct incident *in = &list[i];
		struct group *g = &groups[in->drill ? 1 : 0];
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
			mtbf_add_list(&hosts, &nhosts, in->hosts, in->ms[MS_STARTED]);
			mtbf_add_list(&services, &nservices, in->services, in->ms[MS_STARTED]);
		}
		struct step_run *steps;
		size_t ns;
		if (store_steps(s, in->id, &steps, &ns, cause) == -1) {
			incidents_free(list, n);
			return -1;
		}
		for (size_t k = 0; k < ns; k++) {
			const struct step_run *r = &steps[k];
			int64_t limit = r->timebox_max_s > 0 ? r->timebox_max_s : r->timebox_s;
			if (!r->ended_at || limit <= 0 || strcmp(r->outcome, "skipped") == 0)
				continue;
			struct overrun *ov = NULL;
			for (size_t q = 0; q < nover; q++)
				if (strcmp(over[q].title, r->title) == 0 &&
				    strcmp(over[q].runbook, r->runbook ? r->runbook : "") == 0)
					ov = &over[q];
			if (ov == NULL) {
				over = xreallocarray(over, nover + 1, sizeof *over);
				ov = &over[nover++];
				memset(ov, 0, sizeof *ov);
				ov->title = xstrdup(r->title);
				ov->runbook = xstrdup(r->runbook ? r->runbook : "");
				ov->box_s = limit;
			}
			int64_t diff = (r->ended_at - r->started_at) - limit * 1000;
			ov->runs++;
			ov->sum_over_ms += diff;
			if (diff > 0)
				ov->over++;
			if (ov->runs == 1 || diff > ov->worst_over_ms)
				ov->worst_over_ms = diff;
		}
		step_runs_free(steps, ns);
	}
	if (nover > 1)
		qsort(over, nover, sizeof *over, cmp_overrun);
	if (nhosts > 1)
		qsort(hosts, nhosts, sizeof *hosts, cmp_mtbf);
	if (nservices > 1)
		qsort(services, nservices, sizeof *services, cmp_mtbf);

	struct buf b;
	buf_init(&b);
	if (o->json) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "real", group_json(&groups[0]));
		cJSON_AddItemToObject(root, "drill", group_json(&groups[1]));
		for (int which = 0; which < 2; which++) {
			struct mtbf *m = which ? services : hosts;
			size_t mn = which ? nservices : nhosts;
			cJSON *arr = cJSON_AddArrayToObject(root, which ? "mtbf_by_service" : "mtbf_by_host");
			for (size_t i = 0; i < mn; i++) {
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
		}
		cJSON *arr = cJSON_AddArrayToObject(root, "step_overruns");
		for (size_t i = 0; i < nover && i < 20; i++) {
			cJSON *e = cJSON_CreateObject();
			char *rb = sanitize_str(over[i].runbook), *t = sanitize_str(over[i].title);
			cJSON_AddStringToObject(e, "runbook", rb);
			cJSON_AddStringToObject(e, "step", t);
			free(rb);
			free(t);
			cJSON_AddNumberToObject(e, "time_box_s", (double)over[i].box_s);
			cJSON_AddNumberToObject(e, "runs", over[i].runs);
			cJSON_AddNumberToObject(e, "over", over[i].over);
			cJSON_AddNumberToObject(e, "mean_overrun_s", (double)(over[i].sum_over_ms / over[i].runs) / 1000.0);
			cJSON_AddNumberToObject(e, "worst_overrun_s", (double)over[i].worst_over_ms / 1000.0);
			cJSON_AddItemToArray(arr, e);
		}
		char *text = cJSON_Print(root);
		buf_adds(&b, text);
		buf_addc(&b, '\n');
		free(text);
		cJSON_Delete(root);
	} else {
		group_text(&b, "Real", &groups[0]);
		group_text(&b, "Drill", &groups[1]);
		for (int which = 0; which < 2; which++) {
			struct mtbf *m = which ? services : hosts;
			size_t mn = which ? nservices : nhosts;
			buf_printf(&b, "Mean time between failures by %s (real incidents)\n",
			    which ? "service" : "host");
			if (mn == 0)
				buf_adds(&b, "  -\n");
			for (size_t i = 0; i < mn; i++) {
				char d[32] = "-";
				int64_t v = mtbf_ms(&m[i]);
				if (v >= 0)
					fmt_duration(d, sizeof d, v);
				char *name = sanitize_str(m[i].name);
				buf_printf(&b, "  %-24s %-9s (%zu incident%s)\n", name, d, m[i].n,
				    m[i].n == 1 ? "" : "s");
				free(name);
			}
			buf_adds(&b, "\n");
		}
		buf_adds(&b, "Steps whose time boxes are wrong (mean overrun, longest first)\n");
		int shown = 0;
		for (size_t i = 0; i < nover && shown < 10; i++) {
			if (over[i].sum_over_ms <= 0)
				continue;
			char mean[32], worst[32], box[32];
			fmt_duration(mean, sizeof mean, over[i].sum_over_ms / over[i].runs);
			fmt_duration(worst, sizeof worst, over[i].worst_over_ms);
			fmt_duration(box, sizeof box, over[i].box_s * 1000);
			char *rb = sanitize_str(over[i].runbook), *t = sanitize_str(over[i].title);
			buf_printf(&b, "  %s / %s: box %s, over by %s on average, worst %s (%d of %d runs over)\n",
			    rb, t, box, mean, worst, over[i].over, over[i].runs);
			free(rb);
			free(t);
			shown++;
		}
		if (shown == 0)
			buf_adds(&b, "  - (every step kept to its time box)\n");
	}
	for (size_t i = 0; i < nhosts; i++) {
		free(hosts[i].name);
		free(hosts[i].starts);
	}
	for (size_t i = 0; i < nservices; i++) {
		free(services[i].name);
		free(services[i].starts);
	}
	for (size_t i = 0; i < nover; i++) {
		free(over[i].title);
		free(over[i].runbook);
	}
	free(hosts);
	free(services);
	free(over);
	incidents_free(list, n);
	(void)c;
	*out = buf_take(&b);
	return 0;
}
