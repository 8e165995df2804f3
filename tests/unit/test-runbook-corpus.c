/*
 * Scores the runbook parser against hand labels: every document in
 * tests/data/runbooks/corpus/NAME.md has NAME.md.labels saying what a
 * careful reader finds in it. Prints a table per document and in total,
 * and fails below the thresholds at the top of this file.
 *
 * Labels, one per line ("#" starts a comment):
 *   P title            a procedure
 *   A title            another name a reader would accept for it (the
 *                      document's title when it holds just this one)
 *   T lo[-hi] | -      its total time in seconds (optional)
 *   S title            a step of the last procedure
 *   D lo[-hi] | -      the step's time box in seconds, "-" for none
 *   C command          a whole command of the last step ("C@HOST command"
 *                      when it runs on HOST through ssh)
 *   | more             the command goes on on the next line (text is what the
 *                      shell reads: a backslash-newline is one space)
 *   L line +|- text    a lint finding expected at line whose message holds
 *                      text: "+" one the author would act on, "-" one not
 * Titles compare by their letters and digits only, case-folded, after
 * leading numbering ("3.", "Step 2:", "Шаг 1.") is dropped.
 *
 * Lint that helps: every finding the parser gives on the corpus (notes,
 * warnings and errors alike) counts; it is actionable when its label says
 * "+", and a finding no label names counts as noise. A finding was judged
 * actionable when it names, at its line, a fault in the document that the
 * author can fix there and that changes what a reader or sitrep gets from
 * it: a fence that closes the wrong block, numbering that merges two
 * procedures, a command that cannot run as split, template placeholders
 * left unfilled, text saved in the wrong encoding. A note that a document
 * holds no procedure (a catalogue, a contact list) is true but asks nothing
 * of its author: "-".
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbook.h"
#include "util.h"

#include "tap.h"

/*
 * Percentages the parser must reach (right) and must not exceed (false).
 * The target: 95% right and at most 2% false.
 */
#define MIN_PROCEDURES	95
#define MIN_STEPS	95
#define MIN_DURATIONS	95
#define MIN_COMMANDS	95
#define MAX_FALSE_STEPS	2
#define MAX_FALSE_COMMANDS 2
#define MIN_ACTIONABLE_LINT 80

#define CORPUS "tests/data/runbooks/corpus"

struct label_cmd {
	char *text;
	char *host;
};

struct label_step {
	char *title;
	int has_d;
	int64_t lo, hi;
	struct label_cmd *cmds;
	size_t ncmds;
};

struct label_proc {
	char *title;
	char *alt;
	int has_t;
	int64_t lo, hi;
	struct label_step *steps;
	size_t nsteps;
};

struct label_lint {
	int line;
	int actionable;
	char *text;
};

struct labels {
	struct label_proc *procs;
	size_t nprocs;
	struct label_lint *lint;
	size_t nlint;
};

struct score {
	int procs, procs_right;
	int steps, steps_right;
	int durs, durs_right;
	int cmds, cmds_right;
	int got_steps, false_steps;
	int got_cmds, false_cmds;
	int lint, lint_actionable, lint_missed;
};

static void *
grow(void *v, size_t n, size_t size)
{
	void *p = realloc(v, (n + 1) * size);
	if (p == NULL)
		abort();
	memset((char *)p + n * size, 0, size);
	return p;
}

static void
parse_range(const char *s, int *has, int64_t *lo, int64_t *hi)
{
	*has = 0;
	*lo = *hi = 0;
	if (*s == '-')
		return;
	char *end;
	*lo = strtoll(s, &end, 10);
	*hi = *lo;
	if (*end == '-')
		*hi = strtoll(end + 1, NULL, 10);
	*has = 1;
}

static void
labels_read(const char *rel, struct labels *l)
{
	char *text = tap_fixture(rel, NULL);
	struct label_proc *p = NULL;
	struct label_step *st = NULL;
	struct label_cmd *c = NULL;
	memset(l, 0, sizeof *l);
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		const char *v = line[1] == ' ' ? line + 2 : line + 1;
		switch (line[0]) {
		case 'P':
			l->procs = grow(l->procs, l->nprocs, sizeof *l->procs);
			p = &l->procs[l->nprocs++];
			p->title = xstrdup(v);
			st = NULL;
			c = NULL;
			break;
		case 'A':
			if (p && p->alt == NULL)
				p->alt = xstrdup(v);
			break;
		case 'T':
			if (p)
				parse_range(v, &p->has_t, &p->lo, &p->hi);
			break;
		case 'S':
			if (p == NULL)
				break;
			p->steps = grow(p->steps, p->nsteps, sizeof *p->steps);
			st = &p->steps[p->nsteps++];
			st->title = xstrdup(v);
			c = NULL;
			break;
		case 'D':
			if (st)
				parse_range(v, &st->has_d, &st->lo, &st->hi);
			break;
		case 'C':
			if (st == NULL)
				break;
			st->cmds = grow(st->cmds, st->ncmds, sizeof *st->cmds);
			c = &st->cmds[st->ncmds++];
			if (line[1] == '@') {
				const char *sp = strchr(line, ' ');
				c->host = xstrndup(line + 2, sp ? (size_t)(sp - line - 2) : strlen(line + 2));
				v = sp ? sp + 1 : "";
			}
			c->text = xstrdup(v);
			break;
		case 'L':
			l->lint = grow(l->lint, l->nlint, sizeof *l->lint);
			l->lint[l->nlint].line = atoi(v);
			v = strchr(v, ' ');
			l->lint[l->nlint].actionable = v != NULL && v[1] == '+';
			l->lint[l->nlint++].text = xstrdup(v != NULL && v[1] != '\0' && v[2] != '\0' ?
			    v + 3 : "");
			break;
		case '|':
			if (c) {
				char *t = xasprintf("%s\n%s", c->text, v);
				free(c->text);
				c->text = t;
			}
			break;
		}
	}
	free(text);
}

static void
labels_free(struct labels *l)
{
	for (size_t i = 0; i < l->nprocs; i++) {
		struct label_proc *p = &l->procs[i];
		for (size_t j = 0; j < p->nsteps; j++) {
			for (size_t k = 0; k < p->steps[j].ncmds; k++) {
				free(p->steps[j].cmds[k].text);
				free(p->steps[j].cmds[k].host);
			}
			free(p->steps[j].cmds);
			free(p->steps[j].title);
		}
		free(p->steps);
		free(p->title);
		free(p->alt);
	}
	free(l->procs);
	for (size_t i = 0; i < l->nlint; i++)
		free(l->lint[i].text);
	free(l->lint);
}

/* Lint findings against their labels: counted, actionable, and labelled ones missing. */
static void
score_lint(const char *name, const struct runbook_doc *doc, const struct labels *l,
    struct score *s, int verbose)
{
	char *seen = calloc(l->nlint + 1, 1);
	for (size_t i = 0; i < doc->nlint; i++) {
		const struct lint_msg *m = &doc->lint[i];
		const struct label_lint *ll = NULL;
		for (size_t k = 0; k < l->nlint && ll == NULL; k++)
			if (l->lint[k].line == m->line && strstr(m->text, l->lint[k].text) != NULL) {
				ll = &l->lint[k];
				seen[k] = 1;
			}
		s->lint++;
		s->lint_actionable += ll != NULL && ll->actionable;
		if (verbose && ll == NULL)
			printf("#   %s: unlabelled finding (noise) at %d: %s\n", name, m->line, m->text);
	}
	for (size_t k = 0; k < l->nlint; k++)
		if (!seen[k]) {
			s->lint_missed++;
			if (verbose)
				printf("#   %s: finding missed at %d: %s\n", name, l->lint[k].line,
				    l->lint[k].text);
		}
	free(seen);
}

/* Letters and digits of a title, folded, without leading numbering. */
static void
title_key(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	while (*s == ' ' || *s == '*' || *s == '#')
		s++;
	if (strncasecmp(s, "step ", 5) == 0)
		s += 5;
	else if (strncmp(s, "Шаг ", strlen("Шаг ")) == 0)
		s += strlen("Шаг ");
	while ((*s >= '0' && *s <= '9') || *s == '.' || *s == ':' || *s == ' ' || *s == ')')
		s++;
	for (; *s && n + 1 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x80)
			out[n++] = (char)ch;
		else if (ch >= 'A' && ch <= 'Z')
			out[n++] = (char)(ch - 'A' + 'a');
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

static int
title_eq(const char *a, const char *b)
{
	char ka[1024], kb[1024];
	title_key(a ? a : "", ka, sizeof ka);
	title_key(b ? b : "", kb, sizeof kb);
	return *ka && strcmp(ka, kb) == 0;
}

static int
host_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The labelled steps of one procedure found in rb: titles, time boxes, commands. */
static void
score_steps(const char *name, const struct runbook *rb, const struct label_proc *lp,
    struct score *s, int verbose)
{
	size_t from = 0;
	for (size_t j = 0; j < lp->nsteps; j++) {
		const struct label_step *ls = &lp->steps[j];
		const struct runbook_step *st = NULL;
		s->steps++;
		s->durs++;
		s->cmds += (int)ls->ncmds;
		for (size_t k = from; rb && k < rb->nsteps; k++)
			if (title_eq(rb->steps[k].title, ls->title)) {
				st = &rb->steps[k];
				from = k + 1;
				break;
			}
		if (st == NULL) {
			if (verbose)
				printf("#   %s: step not found: %s / %s\n", name, lp->title, ls->title);
			continue;
		}
		s->steps_right++;
		int64_t lo = ls->has_d ? ls->lo : 0, hi = ls->has_d ? ls->hi : 0;
		if (st->timebox_s == lo && (lo == 0 || st->timebox_max_s == hi))
			s->durs_right++;
		else if (verbose)
			printf("#   %s: time of %s: want %lld-%lld got %lld-%lld\n", name, ls->title,
			    (long long)lo, (long long)hi, (long long)st->timebox_s,
			    (long long)st->timebox_max_s);
		char *used = calloc(st->ncommands + 1, 1);
		for (size_t c = 0; c < ls->ncmds; c++) {
			int found = 0;
			for (size_t k = 0; k < st->ncommands && !found; k++)
				if (!used[k] && strcmp(st->commands[k].text, ls->cmds[c].text) == 0 &&
				    host_eq(st->commands[k].host, ls->cmds[c].host))
					found = used[k] = 1;
			if (found)
				s->cmds_right++;
			else if (verbose)
				printf("#   %s: command not found in %s: %s\n", name, ls->title,
				    ls->cmds[c].text);
		}
		free(used);
	}
}

/* Steps and commands of rb that no label of its procedure accounts for. */
static void
score_false(const char *name, const struct runbook *rb, const struct label_proc *lp,
    struct score *s, int verbose)
{
	for (size_t k = 0; rb && k < rb->nsteps; k++) {
		const struct runbook_step *st = &rb->steps[k];
		const struct label_step *ls = NULL;
		for (size_t j = 0; j < lp->nsteps && ls == NULL; j++)
			if (title_eq(st->title, lp->steps[j].title))
				ls = &lp->steps[j];
		if (ls == NULL) {
			s->false_steps++;
			s->false_cmds += (int)st->ncommands;
			if (verbose)
				printf("#   %s: false step in %s: %s\n", name, lp->title, st->title);
			continue;
		}
		for (size_t c = 0; c < st->ncommands; c++) {
			int found = 0;
			for (size_t m = 0; m < ls->ncmds && !found; m++)
				found = strcmp(st->commands[c].text, ls->cmds[m].text) == 0;
			if (!found) {
				s->false_cmds++;
				if (verbose)
					printf("#   %s: false command in %s: %s\n", name, ls->title,
					    st->commands[c].text);
			}
		}
	}
}

static void
score_doc(const char *name, const struct runbook_doc *doc, const struct labels *l,
    struct score *s, int verbose)
{
	memset(s, 0, sizeof *s);
	char *used_rb = calloc(doc->nrunbooks + 1, 1);
	for (size_t r = 0; r < doc->nrunbooks; r++) {
		s->got_steps += (int)doc->runbooks[r].nsteps;
		for (size_t i = 0; i < doc->runbooks[r].nsteps; i++)
			s->got_cmds += (int)doc->runbooks[r].steps[i].ncommands;
	}
	for (size_t i = 0; i < l->nprocs; i++) {
		const struct label_proc *lp = &l->procs[i];
		const struct runbook *rb = NULL;
		s->procs++;
		for (size_t r = 0; r < doc->nrunbooks && rb == NULL; r++)
			if (!used_rb[r] && (title_eq(doc->runbooks[r].title, lp->title) ||
			    (lp->alt && title_eq(doc->runbooks[r].title, lp->alt)))) {
				used_rb[r] = 1;
				rb = &doc->runbooks[r];
			}
		if (rb)
			s->procs_right++;
		else if (verbose)
			printf("#   %s: procedure not found: %s\n", name, lp->title);
		if (lp->has_t) {
			s->durs++;
			if (rb && rb->total_s == lp->lo && rb->total_max_s == lp->hi)
				s->durs_right++;
			else if (verbose)
				printf("#   %s: total of %s: want %lld-%lld got %lld-%lld\n", name, lp->title,
				    (long long)lp->lo, (long long)lp->hi,
				    rb ? (long long)rb->total_s : -1LL, rb ? (long long)rb->total_max_s : -1LL);
		}
		score_steps(name, rb, lp, s, verbose);
		score_false(name, rb, lp, s, verbose);
	}
	for (size_t r = 0; r < doc->nrunbooks; r++) {
		if (used_rb[r])
			continue;
		const struct runbook *rb = &doc->runbooks[r];
		s->false_steps += (int)rb->nsteps;
		for (size_t i = 0; i < rb->nsteps; i++)
			s->false_cmds += (int)rb->steps[i].ncommands;
		if (verbose)
			printf("#   %s: false procedure (%zu steps): %s\n", name, rb->nsteps, rb->title);
	}
	free(used_rb);
}

static void
score_add(struct score *t, const struct score *s)
{
	t->procs += s->procs;
	t->procs_right += s->procs_right;
	t->steps += s->steps;
	t->steps_right += s->steps_right;
	t->durs += s->durs;
	t->durs_right += s->durs_right;
	t->cmds += s->cmds;
	t->cmds_right += s->cmds_right;
	t->got_steps += s->got_steps;
	t->false_steps += s->false_steps;
	t->got_cmds += s->got_cmds;
	t->false_cmds += s->false_cmds;
	t->lint += s->lint;
	t->lint_actionable += s->lint_actionable;
	t->lint_missed += s->lint_missed;
}

static void
score_row(const char *name, const struct score *s)
{
	printf("# %-32s %3d/%-3d %3d/%-3d %3d/%-3d %3d/%-3d %3d/%-3d %3d/%-3d %3d/%-3d\n", name,
	    s->procs_right, s->procs, s->steps_right, s->steps, s->durs_right, s->durs,
	    s->cmds_right, s->cmds, s->false_steps, s->got_steps, s->false_cmds, s->got_cmds,
	    s->lint_actionable, s->lint);
}

static double
pct(int a, int b)
{
	return b ? 100.0 * a / b : 100.0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const char *srcdir = getenv("srcdir");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", srcdir ? srcdir : ".", CORPUS);
	DIR *d = opendir(dir);
	if (d == NULL) {
		printf("Bail out! cannot open %s\n", dir);
		return 1;
	}
	struct strv names;
	memset(&names, 0, sizeof names);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 3 && strcmp(e->d_name + n - 3, ".md") == 0)
			strv_add(&names, e->d_name);
	}
	closedir(d);
	qsort(names.v, names.n, sizeof *names.v, by_name);
	ok(names.n >= 20, "the corpus holds %zu documents", names.n);

	int verbose = getenv("CORPUS_VERBOSE") != NULL;
	struct score total;
	memset(&total, 0, sizeof total);
	printf("# %-32s %-7s %-7s %-7s %-7s %-7s %-7s %-7s\n", "document", "procs", "steps", "times",
	    "cmds", "f.steps", "f.cmds", "lint+");
	for (size_t i = 0; i < names.n; i++) {
		char rel[512], lrel[520];
		snprintf(rel, sizeof rel, CORPUS "/%s", names.v[i]);
		snprintf(lrel, sizeof lrel, "%s.labels", rel);
		size_t len;
		char *text = tap_fixture(rel, &len);
		struct runbook_doc doc;
		runbook_parse(text, len, rel, &doc);
		free(text);
		struct labels l;
		labels_read(lrel, &l);
		struct score s;
		score_doc(names.v[i], &doc, &l, &s, verbose);
		score_lint(names.v[i], &doc, &l, &s, verbose);
		score_row(names.v[i], &s);
		score_add(&total, &s);
		labels_free(&l);
		runbook_doc_free(&doc);
	}
	score_row("TOTAL", &total);
	printf("# procedures %.1f%%, steps %.1f%%, durations %.1f%%, commands %.1f%%, "
	    "false steps %.1f%%, false commands %.1f%%\n",
	    pct(total.procs_right, total.procs), pct(total.steps_right, total.steps),
	    pct(total.durs_right, total.durs), pct(total.cmds_right, total.cmds),
	    pct(total.false_steps, total.got_steps), pct(total.false_cmds, total.got_cmds));

	ok(pct(total.procs_right, total.procs) >= MIN_PROCEDURES, "procedures right >= %d%%", MIN_PROCEDURES);
	ok(pct(total.steps_right, total.steps) >= MIN_STEPS, "steps right >= %d%%", MIN_STEPS);
	ok(pct(total.durs_right, total.durs) >= MIN_DURATIONS, "durations right >= %d%%", MIN_DURATIONS);
	ok(pct(total.cmds_right, total.cmds) >= MIN_COMMANDS, "whole commands right >= %d%%", MIN_COMMANDS);
	ok(pct(total.false_steps, total.got_steps) <= MAX_FALSE_STEPS, "false steps <= %d%%", MAX_FALSE_STEPS);
	ok(pct(total.false_cmds, total.got_cmds) <= MAX_FALSE_COMMANDS, "false commands <= %d%%",
	    MAX_FALSE_COMMANDS);
	printf("# lint: %d of %d findings actionable (%.1f%%), %d labelled findings missed\n",
	    total.lint_actionable, total.lint, pct(total.lint_actionable, total.lint),
	    total.lint_missed);
	ok(pct(total.lint_actionable, total.lint) >= MIN_ACTIONABLE_LINT,
	    "lint findings an author would act on >= %d%%", MIN_ACTIONABLE_LINT);
	is_int(total.lint_missed, 0, "every labelled lint finding is given");
	strv_free(&names);
	tap_done();
	return 0;
}
