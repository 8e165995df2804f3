/*
 * sitrep runbook list | show NAME|FILE | lint FILE...: what sitrep read in
 * the team's runbooks, and what looks wrong in them, with file:line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "library.h"
#include "sanitize.h"

static void
print_safe(const char *prefix, const char *text)
{
	char *s = sanitize_str(text);
	printf("%s%s\n", prefix, s);
	free(s);
}

static void
timebox(char *out, size_t n, int64_t a, int64_t b)
{
	char x[16], y[16];
	if (a <= 0) {
		snprintf(out, n, "no time box");
		return;
	}
	fmt_duration(x, sizeof x, a * 1000);
	if (b > a) {
		fmt_duration(y, sizeof y, b * 1000);
		snprintf(out, n, "%s-%s", x, y);
	} else
		snprintf(out, n, "%s", x);
}

static void
show_commands(const struct runbook_step *st)
{
	for (size_t k = 0; k < st->ncommands; k++) {
		const struct runbook_command *c = &st->commands[k];
		/* a command of several lines is shown whole, one line under the other */
		const char *nl = strrchr(c->text, '\n');
		for (const char *l = c->text; nl != NULL && l <= nl;) {
			const char *e = strchr(l, '\n');
			char *part = xstrndup(l, (size_t)(e - l));
			char *safe = sanitize_str(part);
			printf("     %s %s\n", l == c->text ? "$" : " ", safe);
			free(safe);
			free(part);
			l = e + 1;
		}
		char *text = sanitize_str(nl != NULL ? nl + 1 : c->text);
		printf("     %s %s%s", nl != NULL ? " " : "$", text,
		    c->destructive ? "   [destructive]" : "");
		if (c->host) {
			char *h = sanitize_str(c->host);
			printf("   [on %s]", h);
			free(h);
		}
		for (size_t p = 0; p < c->placeholders.n; p++) {
			char *ph = sanitize_str(c->placeholders.v[p]);
			printf("%s%s", p ? ", " : "   [asks for ", ph);
			free(ph);
		}
		if (c->placeholders.n)
			printf("]");
		printf("\n");
		free(text);
	}
}

static void
show_runbook(const struct runbook_doc *doc, const struct runbook *rb)
{
	char tb[64];
	char *t = sanitize_str(rb->title);
	timebox(tb, sizeof tb, rb->total_s, rb->total_max_s);
	char *path = sanitize_str(doc->path);
	printf("Runbook: %s\n  from %s:%d\n  total: %s\n", t, path, rb->line,
	    rb->total_s > 0 ? tb : "not stated");
	free(path);
	free(t);
	if (rb->symptoms && *rb->symptoms)
		print_safe("  when: ", rb->symptoms);
	for (size_t i = 0; i < rb->checklist.n; i++)
		print_safe("  [ ] ", rb->checklist.v[i]);
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct runbook_step *st = &rb->steps[i];
		timebox(tb, sizeof tb, st->timebox_s, st->timebox_max_s);
		char *title = sanitize_str(st->title);
		printf("  %d. %s (%s) [line %d]\n", st->number ? st->number : (int)i + 1, title, tb, st->line);
		free(title);
		show_commands(st);
		for (size_t k = 0; k < st->expected.n; k++)
			print_safe("     expected: ", st->expected.v[k]);
		for (size_t k = 0; k < st->checklist.n; k++)
			print_safe("     [ ] ", st->checklist.v[k]);
	}
	for (size_t i = 0; i < rb->nattached; i++) {
		const struct runbook_step *st = &rb->attached[i];
		char *title = sanitize_str(st->title);
		printf("  %s [line %d]\n", title, st->line);
		free(title);
		show_commands(st);
	}
}

static int
runbook_list(struct cmd_ctx *x)
{
	const struct library *lib = &x->lib;
	size_t k = 0;
	for (size_t i = 0; i < lib->ndocs; i++)
		for (size_t r = 0; r < lib->docs[i].nrunbooks; r++) {
			const struct runbook *rb = &lib->docs[i].runbooks[r];
			char *t = sanitize_str(rb->title);
			const char *base = strrchr(lib->docs[i].path, '/');
			char *b = sanitize_str(base ? base + 1 : lib->docs[i].path);
			printf("%3zu  %-44s %2zu steps  %s#%zu\n", ++k, t, rb->nsteps, b, r + 1);
			free(b);
			free(t);
		}
	if (k == 0) {
		struct strv dirs;
		memset(&dirs, 0, sizeof dirs);
		library_dirs(&dirs);
		char *joined = strv_join(&dirs, ", ");
		char *safe = sanitize_str(joined);
		printf("no runbooks found in %s\n", safe);
		free(safe);
		free(joined);
		strv_free(&dirs);
	}
	return 0;
}

/* The document a spec names as a file, or NULL (the spec names a runbook). */
static const struct runbook_doc *
spec_doc(const struct library *lib, const char *spec)
{
	for (size_t i = 0; i < lib->ndocs; i++)
		if (strcmp(lib->docs[i].path, spec) == 0)
			return &lib->docs[i];
	return NULL;
}

static int
runbook_show(struct cmd_ctx *x)
{
	const char *spec = x->args.argv[0];
	if (cmd_library(x, spec) == -1)
		return 1;
	const struct runbook_doc *doc = spec_doc(&x->lib, spec);
	if (doc != NULL) {
		for (size_t k = 0; k < doc->nlint; k++)
			if (doc->lint[k].level == LINT_ERROR && doc->lint[k].line == 0)
				return cmd_error(1, "%s", doc->lint[k].text);
		if (doc->nrunbooks == 0)
			return cmd_error(1, "%s: no runbook found (try 'sitrep runbook lint %s')",
			    spec, spec);
		for (size_t i = 0; i < doc->nrunbooks; i++) {
			if (i)
				printf("\n");
			show_runbook(doc, &doc->runbooks[i]);
		}
		return 0;
	}
	struct runbook_ref ref;
	char *cause = NULL;
	if (library_find(&x->lib, spec, &ref, &cause) == -1) {
		cmd_error(1, "%s", cause);
		free(cause);
		return 1;
	}
	show_runbook(ref.doc, ref.rb);
	return 0;
}

static int
runbook_lint(struct cmd_ctx *x)
{
	int errors = 0, warnings = 0;
	for (int i = 0; i < x->args.argc; i++) {
		const char *path = x->args.argv[i];
		size_t len;
		char *cause = NULL;
		char *text = file_read(path, RUNBOOK_MAX_SIZE, &len, &cause);
		if (text == NULL) {
			cmd_error(1, "%s", cause);
			free(cause);
			errors++;
			continue;
		}
		struct runbook_doc doc;
		runbook_parse(text, len, path, &doc);
		free(text);
		char *spath = sanitize_str(path);
		for (size_t k = 0; k < doc.nlint; k++) {
			char *msg = sanitize_str(doc.lint[k].text);
			enum lint_level lv = doc.lint[k].level;
			printf("%s:%d: %s: %s\n", spath, doc.lint[k].line,
			    lv == LINT_ERROR ? "error" : lv == LINT_NOTE ? "note" : "warning", msg);
			free(msg);
			if (lv == LINT_ERROR)
				errors++;
			else if (lv == LINT_WARNING)
				warnings++;
		}
		size_t steps = 0;
		for (size_t k = 0; k < doc.nrunbooks; k++)
			steps += doc.runbooks[k].nsteps;
		fprintf(stderr, "%s: %zu runbook%s, %zu steps\n", spath, doc.nrunbooks,
		    doc.nrunbooks == 1 ? "" : "s", steps);
		free(spath);
		runbook_doc_free(&doc);
	}
	if (errors || warnings)
		fprintf(stderr, "%d error%s, %d warning%s\n", errors, errors == 1 ? "" : "s", warnings,
		    warnings == 1 ? "" : "s");
	return errors ? 1 : 0;
}

static const struct cmd_opt no_opts[] = {
	{ NULL, 0, 0, NULL, NULL },
};

static const struct cmd_entry runbook_list_entry = {
	.name = "list",
	.usage = "",
	.summary = "every runbook sitrep found, numbered",
	.opts = no_opts,
	.args_min = 0,
	.args_max = 0,
	.flags = CMD_LIBRARY,
	.run = runbook_list,
};

static const struct cmd_entry runbook_show_entry = {
	.name = "show",
	.usage = "NAME|N|FILE|FILE#N",
	.summary = "what sitrep understood in a runbook: steps, time boxes, commands",
	.opts = no_opts,
	.args_min = 1,
	.args_max = 1,
	.run = runbook_show,
};

static const struct cmd_entry runbook_lint_entry = {
	.name = "lint",
	.usage = "FILE...",
	.summary = "what looks wrong in runbook files, with file:line",
	.opts = no_opts,
	.args_min = 1,
	.args_max = -1,
	.run = runbook_lint,
};

static const struct cmd_entry *const runbook_sub[] = {
	&runbook_list_entry,
	&runbook_show_entry,
	&runbook_lint_entry,
	NULL,
};

const struct cmd_entry cmd_runbook_entry = {
	.name = "runbook",
	.usage = "list | show NAME|N|FILE | lint FILE...",
	.summary = "what sitrep understood in the runbooks; lint them",
	.sub = runbook_sub,
	.sub_default = "list",
};
