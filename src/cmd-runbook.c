/*
 * sitrep runbook list | show NAME|FILE | lint FILE...: what sitrep read in
 * the team's runbooks, and what looks wrong in them, with file:line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
show_runbook(const struct runbook_doc *doc, const struct runbook *rb)
{
	char tb[64];
	char *t = sanitize_str(rb->title);
	timebox(tb, sizeof tb, rb->total_s, rb->total_max_s);
	printf("Runbook: %s\n  from %s:%d\n  total: %s\n", t, doc->path, rb->line,
	    rb->total_s > 0 ? tb : "not stated");
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
		for (size_t k = 0; k < st->ncommands; k++) {
			const struct runbook_command *c = &st->commands[k];
			char *text = sanitize_str(c->text);
			printf("     $ %s%s", text, c->destructive ? "   [destructive]" : "");
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
		for (size_t k = 0; k < st->expected.n; k++)
			print_safe("     expected: ", st->expected.v[k]);
		for (size_t k = 0; k < st->checklist.n; k++)
			print_safe("     [ ] ", st->checklist.v[k]);
	}
}

static int
runbook_list(void)
{
	struct library lib;
	char *cause = NULL;
	if (library_load(&lib, NULL, &cause) == -1)
		return cmd_error(1, "%s", cause);
	size_t k = 0;
	for (size_t i = 0; i < lib.ndocs; i++)
		for (size_t r = 0; r < lib.docs[i].nrunbooks; r++) {
			const struct runbook *rb = &lib.docs[i].runbooks[r];
			char *t = sanitize_str(rb->title);
			const char *base = strrchr(lib.docs[i].path, '/');
			printf("%3zu  %-44s %2zu steps  %s#%zu\n", ++k, t, rb->nsteps,
			    base ? base + 1 : lib.docs[i].path, r + 1);
			free(t);
		}
	if (k == 0) {
		struct strv dirs;
		memset(&dirs, 0, sizeof dirs);
		library_dirs(&dirs);
		char *joined = strv_join(&dirs, ", ");
		printf("no runbooks found in %s\n", joined);
		free(joined);
		strv_free(&dirs);
	}
	library_free(&lib);
	return 0;
}

static int
runbook_show(const char *spec)
{
	struct library lib;
	struct strv extra;
	memset(&extra, 0, sizeof extra);
	char *cause = NULL;
	int is_file = access(spec, R_OK) == 0;
	if (is_file)
		strv_add(&extra, spec);
	if (library_load(&lib, &extra, &cause) == -1) {
		strv_free(&extra);
		return cmd_error(1, "%s", cause);
	}
	int rc = 0;
	if (is_file) {
		const struct runbook_doc *doc = &lib.docs[0];
		if (doc->nrunbooks == 0)
			rc = cmd_error(1, "%s: no runbook found (try 'sitrep runbook lint %s')", spec, spec);
		for (size_t i = 0; i < doc->nrunbooks; i++) {
			if (i)
				printf("\n");
			show_runbook(doc, &doc->runbooks[i]);
		}
	} else {
		struct runbook_ref ref;
		if (library_find(&lib, spec, &ref, &cause) == -1)
			rc = cmd_error(1, "%s", cause);
		else
			show_runbook(ref.doc, ref.rb);
	}
	free(cause);
	strv_free(&extra);
	library_free(&lib);
	return rc;
}

static int
runbook_lint(int argc, char **argv)
{
	int errors = 0, warnings = 0;
	for (int i = 0; i < argc; i++) {
		size_t len;
		char *cause = NULL;
		char *text = file_read(argv[i], RUNBOOK_MAX_SIZE, &len, &cause);
		if (text == NULL) {
			cmd_error(1, "%s", cause);
			free(cause);
			errors++;
			continue;
		}
		struct runbook_doc doc;
		runbook_parse(text, len, argv[i], &doc);
		free(text);
		for (size_t k = 0; k < doc.nlint; k++) {
			char *msg = sanitize_str(doc.lint[k].text);
			printf("%s:%d: %s: %s\n", argv[i], doc.lint[k].line,
			    doc.lint[k].level == LINT_ERROR ? "error" : "warning", msg);
			free(msg);
			if (doc.lint[k].level == LINT_ERROR)
				errors++;
			else
				warnings++;
		}
		size_t steps = 0;
		for (size_t k = 0; k < doc.nrunbooks; k++)
			steps += doc.runbooks[k].nsteps;
		fprintf(stderr, "%s: %zu runbook%s, %zu steps\n", argv[i], doc.nrunbooks,
		    doc.nrunbooks == 1 ? "" : "s", steps);
		runbook_doc_free(&doc);
	}
	if (errors || warnings)
		fprintf(stderr, "%d error%s, %d warning%s\n", errors, errors == 1 ? "" : "s", warnings,
		    warnings == 1 ? "" : "s");
	return errors ? 1 : 0;
}

static int
cmd_runbook(struct globals *g, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "list") == 0)
		return runbook_list();
	if (strcmp(argv[1], "show") == 0 && argc == 3)
		return runbook_show(argv[2]);
	if (strcmp(argv[1], "lint") == 0 && argc >= 3)
		return runbook_lint(argc - 2, argv + 2);
	return cmd_usage(&cmd_runbook_entry);
}

const struct cmd_entry cmd_runbook_entry = {
	.name = "runbook",
	.usage = "list | show NAME|N|FILE | lint FILE...",
	.summary = "what sitrep understood in the runbooks; lint them",
	.run = cmd_runbook,
};
