/*
 * library: finding, loading and choosing runbooks. See library.h.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "library.h"
#include "util.h"

#ifndef SITREP_DATADIR
#define SITREP_DATADIR "/usr/local/share/sitrep"
#endif

/* Shipped files next to the binary: running from the source tree. */
static char *
exe_dir_sub(const char *sub)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	/* libtool-less build: the binary sits at the top of the build tree */
	return xasprintf("%s/%s", path, sub);
}

void
library_dirs(struct strv *out)
{
	char *cfg = xdg_dir("config");
	char *user = xasprintf("%s/runbooks", cfg);
	strv_add(out, user);
	free(user);
	free(cfg);
	const char *env = getenv("SITREP_DATADIR");
	if (env != NULL && *env) {
		char *d = xasprintf("%s/runbooks", env);
		strv_add(out, d);
		free(d);
	}
	strv_add(out, SITREP_DATADIR "/runbooks");
	char *local = exe_dir_sub("runbooks");
	if (local != NULL) {
		if (strv_find(out, local) == -1 && access(local, R_OK) == 0)
			strv_add(out, local);
		free(local);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses text (taking it) as the document at path. */
static void
add_doc(struct library *l, const char *path, char *text, size_t len)
{
	l->docs = xreallocarray(l->docs, l->ndocs + 1, sizeof *l->docs);
	struct runbook_doc *d = &l->docs[l->ndocs++];
	memset(d, 0, sizeof *d);
	runbook_parse(text, len, path, d);
	free(text);
}

/* A file of a runbook directory: what cannot be read is a lint error of its own. */
static void
load_file(struct library *l, const char *path)
{
	size_t len;
	char *cause = NULL;
	char *text = file_read(path, RUNBOOK_MAX_SIZE, &len, &cause);
	if (text != NULL) {
		add_doc(l, path, text, len);
		return;
	}
	l->docs = xreallocarray(l->docs, l->ndocs + 1, sizeof *l->docs);
	struct runbook_doc *d = &l->docs[l->ndocs++];
	memset(d, 0, sizeof *d);
	d->path = xstrdup(path);
	d->lint = xcalloc(1, sizeof *d->lint);
	d->lint[0].line = 0;
	d->lint[0].level = LINT_ERROR;
	d->lint[0].text = cause ? cause : xstrdup("cannot read");
	d->nlint = 1;
}

/* Same base name already loaded from an earlier (user) directory: skip. */
static int
shadowed(const struct library *l, const char *name)
{
	for (size_t i = 0; i < l->ndocs; i++) {
		const char *slash = strrchr(l->docs[i].path, '/');
		if (strcmp(slash ? slash + 1 : l->docs[i].path, name) == 0)
			return 1;
	}
	return 0;
}

int
library_load(struct library *l, const struct strv *extra, char **cause)
{
	memset(l, 0, sizeof *l);
	for (size_t i = 0; extra && i < extra->n; i++) {
		/* a file named on the command line must be readable: not a lint, an error */
		size_t len;
		char *text = file_read(extra->v[i], RUNBOOK_MAX_SIZE, &len, cause);
		if (text == NULL)
			return -1;
		add_doc(l, extra->v[i], text, len);
	}
	struct strv dirs;
	memset(&dirs, 0, sizeof dirs);
	library_dirs(&dirs);
	size_t first_shipped = l->ndocs;
	for (size_t k = 0; k < dirs.n; k++) {
		DIR *dir = opendir(dirs.v[k]);
		if (dir == NULL)
			continue;
		struct strv names;
		memset(&names, 0, sizeof names);
		struct dirent *de;
		while ((de = readdir(dir)) != NULL) {
			size_t n = strlen(de->d_name);
			if (n > 3 && strcmp(de->d_name + n - 3, ".md") == 0 &&
			    strcasecmp(de->d_name, "README.md") != 0)
				strv_add(&names, de->d_name);
		}
		closedir(dir);
		if (names.n > 1)
			qsort(names.v, names.n, sizeof *names.v, cmp_str);
		for (size_t i = 0; i < names.n; i++) {
			if (shadowed(l, names.v[i]))
				continue;
			char *path = xasprintf("%s/%s", dirs.v[k], names.v[i]);
			load_file(l, path);
			free(path);
		}
		strv_free(&names);
	}
	(void)first_shipped;
	strv_free(&dirs);
	return 0;
}

void
library_free(struct library *l)
{
	for (size_t i = 0; i < l->ndocs; i++)
		runbook_doc_free(&l->docs[i]);
	free(l->docs);
	memset(l, 0, sizeof *l);
}

size_t
library_count(const struct library *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->ndocs; i++)
		n += l->docs[i].nrunbooks;
	return n;
}

int
library_nth(const struct library *l, size_t k, struct runbook_ref *ref)
{
	for (size_t i = 0; i < l->ndocs; i++) {
		if (k < l->docs[i].nrunbooks) {
			ref->doc = &l->docs[i];
			ref->rb = &l->docs[i].runbooks[k];
			ref->doc_index = i;
			ref->rb_index = k;
			return 0;
		}
		k -= l->docs[i].nrunbooks;
	}
	return -1;
}

static int
contains_ci(const char *hay, const char *needle)
{
	if (hay == NULL || needle == NULL)
		return 0;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int
library_find(const struct library *l, const char *spec, struct runbook_ref *ref, char **cause)
{
	long long n;
	if (parse_int(spec, 1, 100000, &n) == 0) {
		if (library_nth(l, (size_t)n - 1, ref) == 0)
			return 0;
		return set_cause(cause, "no runbook number %lld ('sitrep runbook list')", n);
	}
	/* a file: its first runbook */
	for (size_t i = 0; i < l->ndocs; i++)
		if (strcmp(l->docs[i].path, spec) == 0 && l->docs[i].nrunbooks > 0) {
			ref->doc = &l->docs[i];
			ref->rb = &l->docs[i].runbooks[0];
			ref->doc_index = i;
			ref->rb_index = 0;
			return 0;
		}
	const char *hash = strchr(spec, '#');
	if (hash != NULL) {
		char *file = xstrndup(spec, (size_t)(hash - spec));
		int found = -1;
		for (size_t i = 0; i < l->ndocs && found < 0; i++) {
			if (strcmp(l->docs[i].path, file) != 0 && strcmp(base_name(l->docs[i].path), file) != 0)
				continue;
			long long k;
			if (parse_int(hash + 1, 1, 100000, &k) == 0 && (size_t)k <= l->docs[i].nrunbooks) {
				ref->doc = &l->docs[i];
				ref->rb = &l->docs[i].runbooks[k - 1];
				ref->doc_index = i;
				ref->rb_index = (size_t)k - 1;
				found = 0;
			}
		}
		free(file);
		if (found == 0)
			return 0;
		return set_cause(cause, "no runbook '%s'", spec);
	}
	int matches = 0;
	for (size_t i = 0; i < l->ndocs; i++)
		for (size_t k = 0; k < l->docs[i].nrunbooks; k++)
			if (contains_ci(l->docs[i].runbooks[k].title, spec)) {
				if (matches++ == 0) {
					ref->doc = &l->docs[i];
					ref->rb = &l->docs[i].runbooks[k];
					ref->doc_index = i;
					ref->rb_index = k;
				}
			}
	if (matches == 1)
		return 0;
	if (matches > 1) {
		/* an exact title wins over partial ones */
		for (size_t i = 0; i < l->ndocs; i++)
			for (size_t k = 0; k < l->docs[i].nrunbooks; k++)
				if (strcasecmp(l->docs[i].runbooks[k].title, spec) == 0) {
					ref->doc = &l->docs[i];
					ref->rb = &l->docs[i].runbooks[k];
					ref->doc_index = i;
					ref->rb_index = k;
					return 0;
				}
		return set_cause(cause, "'%s' matches %d runbooks: be more precise", spec, matches);
	}
	return set_cause(cause, "no runbook matches '%s' ('sitrep runbook list')", spec);
}

int
library_triage(const struct library *l, struct runbook_ref *ref)
{
	for (size_t i = 0; i < l->ndocs; i++)
		if (strcmp(base_name(l->docs[i].path), "triage.md") == 0 && l->docs[i].nrunbooks > 0) {
			ref->doc = &l->docs[i];
			ref->rb = &l->docs[i].runbooks[0];
			ref->doc_index = i;
			ref->rb_index = 0;
			return 0;
		}
	return -1;
}

void
library_checklist(const struct runbook *rb, struct strv *items)
{
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct runbook_step *s = &rb->steps[i];
		if (s->checklist.n == 0)
			strv_add(items, s->title ? s->title : "(untitled step)");
		else
			strv_copy(items, &s->checklist);
	}
	strv_copy(items, &rb->checklist);
}

struct clue {
	const char *words[4];
	int weight;
	char *why;
};

static void
add_clue(struct clue *clues, size_t *n, size_t max, int weight, char *why, const char *w0,
    const char *w1, const char *w2, const char *w3)
{
	if (*n >= max) {
		free(why);
		return;
	}
	struct clue *c = &clues[(*n)++];
	c->words[0] = w0;
	c->words[1] = w1;
	c->words[2] = w2;
	c->words[3] = w3;
	c->weight = weight;
	c->why = why;
}

/*
 * What a runbook's title may be about. A runbook about one of them is
 * suggested only when a clue names it too: a restarting bot is no sign of
 * SQLite corruption, even if that runbook lists "restarting" among its
 * symptoms.
 */
static const char *const subjects[] = {
	"sqlite", "redis", "postgres", "disk", "memory", "gateway", "model", "security",
	"volume", "rebuild", "unreachable", "data loss", "bot", NULL
};

/* Whether a clue speaks of subject (in its words or its reason). */
static int
clue_names(const struct clue *c, const char *subject)
{
	for (int w = 0; w < 4 && c->words[w]; w++)
		if (contains_ci(c->words[w], subject))
			return 1;
	return contains_ci(c->why, subject);
}

/* Whether no clue speaks of a subject the runbook's title names. */
static int
subject_seen(const char *title, const struct clue *clues, size_t nclues)
{
	for (size_t i = 0; subjects[i] != NULL; i++) {
		if (!contains_ci(title, subjects[i]))
			continue;
		int seen = 0;
		for (size_t c = 0; c < nclues && !seen; c++)
			seen = clue_names(&clues[c], subjects[i]);
		if (!seen)
			return 0;
	}
	return 1;
}

/* The clues one host's state gives: what is wrong, in the words runbooks use for it. */
static void
host_clues(const struct host_snapshot *s, struct clue *clues, size_t *nclues, size_t cap)
{
	if (s->state == STATE_DOWN)
		add_clue(clues, nclues, cap, 5, xasprintf("%s is unreachable", s->host),
		    "unreachable", "down", NULL, NULL);
	const struct host_data *d = s->data;
	if (d == NULL || s->conn != CONN_UP)
		return;
	for (size_t i = 0; i < d->ncontainers; i++) {
		const struct container *c = &d->containers[i];
		if (c->oom_killed)
			add_clue(clues, nclues, cap, 5, xasprintf("%s was killed: out of memory",
			    c->name), "memory", "oom", NULL, NULL);
		if (c->crashloop)
			add_clue(clues, nclues, cap, 5, xasprintf("%s is restarting", c->name),
			    "restarting", "crash loop", "crash-loop", NULL);
		else if (c->state == STATE_CRIT && c->health && strcmp(c->health, "unhealthy") == 0)
			add_clue(clues, nclues, cap, 3, xasprintf("%s is unhealthy", c->name),
			    "unhealthy", "not responding", NULL, NULL);
		else if (c->state >= STATE_WARN)
			add_clue(clues, nclues, cap, 2, xasprintf("%s: %s", c->name,
			    c->reason ? c->reason : "not running"), "container", "stopped", "exited", NULL);
	}
	for (size_t i = 0; i < d->ndisks; i++)
		if (d->disks[i].state >= STATE_WARN)
			add_clue(clues, nclues, cap, 5, xasprintf("%s", d->disks[i].reason),
			    "disk full", "disk usage", "disk space", NULL);
	if (d->mem_state >= STATE_WARN)
		add_clue(clues, nclues, cap, 4, xasprintf("%s", d->mem_reason),
		    "memory", "oom", NULL, NULL);
	for (size_t i = 0; i < d->nhealth; i++)
		if (d->health[i].state >= STATE_WARN)
			add_clue(clues, nclues, cap, 4, xasprintf("health %s: %s",
			    d->health[i].name, d->health[i].reason), "not responding", "unhealthy", "503",
			    "health");
	for (size_t i = 0; i < d->nchecks; i++) {
		const char *n = d->checks[i].name;
		if (d->checks[i].state < STATE_WARN)
			continue;
		const char *store = contains_ci(n, "redis") ? "redis" : contains_ci(n, "pg") ||
		    contains_ci(n, "postgres") ? "postgres" : contains_ci(n, "sqlite") ||
		    contains_ci(n, "integrity") ? "sqlite" : NULL;
		add_clue(clues, nclues, cap, store ? 5 : 2, xasprintf("check %s: %s", n,
		    d->checks[i].reason), store ? store : "failed", store ? "corrupt" : NULL, NULL, NULL);
	}
}

size_t
library_suggest(const struct library *l, struct host_snapshot **snaps, size_t nsnaps, size_t *out,
    char **reasons, size_t max)
{
	struct clue clues[64];
	size_t nclues = 0;
	for (size_t h = 0; h < nsnaps; h++)
		if (snaps[h] != NULL)
			host_clues(snaps[h], clues, &nclues, nitems(clues));
	size_t total = library_count(l), nout = 0;
	int *score = xcalloc(total + 1, sizeof *score);
	int *best_clue = xcalloc(total + 1, sizeof *best_clue);
	for (size_t k = 0; k < total; k++) {
		struct runbook_ref ref;
		if (library_nth(l, k, &ref) == -1)
			continue;
		if (strcmp(base_name(ref.doc->path), "triage.md") == 0)
			continue;
		if (!subject_seen(ref.rb->title, clues, nclues))
			continue;
		int best = -1, best_w = 0;
		for (size_t c = 0; c < nclues; c++) {
			int hit = 0;
			for (int w = 0; w < 4 && clues[c].words[w]; w++) {
				if (contains_ci(ref.rb->title, clues[c].words[w]))
					hit = 3;	/* the title names it: the runbook is about it */
				else if (hit == 0 && contains_ci(ref.rb->symptoms, clues[c].words[w]))
					hit = 1;
			}
			if (hit) {
				score[k] += clues[c].weight * hit;
				if (clues[c].weight > best_w) {
					best_w = clues[c].weight;
					best = (int)c;
				}
			}
		}
		best_clue[k] = best;
	}
	while (nout < max) {
		size_t pick = total;
		for (size_t k = 0; k < total; k++)
			if (score[k] > 0 && (pick == total || score[k] > score[pick]))
				pick = k;
		if (pick == total)
			break;
		out[nout] = pick;
		reasons[nout] = xstrdup(best_clue[pick] >= 0 ? clues[best_clue[pick]].why : "");
		nout++;
		score[pick] = 0;
	}
	for (size_t c = 0; c < nclues; c++)
		free(clues[c].why);
	free(score);
	free(best_clue);
	return nout;
}
