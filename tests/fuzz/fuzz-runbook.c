/*
 * Fuzzes the markdown runbook reader: runbook_parse() of the input, then a
 * walk over every runbook, step, attached part (Rollback, Troubleshooting)
 * and command that reads each string and runs the command helpers
 * (destructive, placeholders found and filled); runbook_parse_timebox() on
 * each line of the input.
 */
#include "config.h"

#include "fuzz.h"
#include "runbook.h"
#include "sanitize.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

/* Reads a string through (AddressSanitizer checks it is whole); NULL is 0. */
static size_t
touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void
touch_strv(const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		FUZZ_ASSERT(sv->v[i] != NULL && touch(sv->v[i]) < (size_t)1 << 31);
}

static void
check_timebox(int64_t lo, int64_t hi)
{
	FUZZ_ASSERT(lo >= 0 && hi >= lo);
}

static void
walk_command(const struct runbook_command *c)
{
	FUZZ_ASSERT(c->text != NULL && c->raw != NULL);
	touch(c->host);
	touch(c->user);
	FUZZ_ASSERT(c->user == NULL || c->host != NULL);
	touch_strv(&c->placeholders);
	(void)runbook_is_destructive(c->text);
	(void)runbook_is_destructive(c->raw);

	struct strv found = { NULL, 0 }, values = { NULL, 0 };
	runbook_find_placeholders(c->text, &found);
	for (size_t i = 0; i < found.n; i++) {
		FUZZ_ASSERT(strstr(c->text, found.v[i]) != NULL);
		strv_add(&values, i % 2 ? "" : "2026-11-21");
	}
	char *filled = runbook_fill_placeholders(c->text, &found, &values);
	FUZZ_ASSERT(filled != NULL);
	/* no name: nothing to replace */
	char *same = runbook_fill_placeholders(c->text, NULL, NULL);
	FUZZ_ASSERT(strcmp(same, c->text) == 0);
	free(same);
	free(filled);
	/* with the parser's own list (it knew the block's assignments) */
	filled = runbook_fill_placeholders(c->raw, &c->placeholders, &c->placeholders);
	free(filled);
	strv_free(&found);
	strv_free(&values);
}

/* Steps, or the parts attached to a runbook: the same struct, walked alike. */
static void
walk_steps(const struct runbook_step *steps, size_t n)
{
	FUZZ_ASSERT(n == 0 || steps != NULL);
	for (size_t k = 0; k < n; k++) {
		const struct runbook_step *st = &steps[k];
		FUZZ_ASSERT(st->title != NULL);
		touch(st->title);
		touch(st->text);
		touch_strv(&st->expected);
		touch_strv(&st->checklist);
		check_timebox(st->timebox_s, st->timebox_max_s);
		for (size_t c = 0; c < st->ncommands; c++)
			walk_command(&st->commands[c]);
	}
}

static void
walk(const struct runbook_doc *doc)
{
	touch(doc->path);
	touch(doc->title);
	for (size_t i = 0; i < doc->nrunbooks; i++) {
		const struct runbook *rb = &doc->runbooks[i];
		touch(rb->title);
		touch(rb->heading);
		touch(rb->symptoms);
		touch_strv(&rb->checklist);
		FUZZ_ASSERT(rb->level >= 0 && rb->level <= 7);
		check_timebox(rb->total_s, rb->total_max_s);
		walk_steps(rb->steps, rb->nsteps);
		walk_steps(rb->attached, rb->nattached);
	}
	for (size_t i = 0; i < doc->nlint; i++) {
		FUZZ_ASSERT(doc->lint[i].text != NULL);
		touch(doc->lint[i].text);
		FUZZ_ASSERT(doc->lint[i].level == LINT_WARNING || doc->lint[i].level == LINT_ERROR ||
		    doc->lint[i].level == LINT_NOTE);
	}
}

static void
each_line(const char *line, size_t len, void *arg)
{
	if (len > 64 * 1024)
		return;
	char *s = xstrndup(line, len);
	int64_t lo = -1, hi = -1;
	if (runbook_parse_timebox(s, &lo, &hi) == 0)
		FUZZ_ASSERT(lo > 0 && hi >= lo);
	else
		FUZZ_ASSERT(lo == -1 && hi == -1);	/* untouched on failure */
	FUZZ_ASSERT(runbook_parse_timebox(s, NULL, NULL) == (lo > 0 ? 0 : -1));
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runbook_doc doc;
	int errors = runbook_parse((const char *)data, size, "fuzz.md", &doc);
	FUZZ_ASSERT(errors >= 0);
	size_t nerr = 0;
	for (size_t i = 0; i < doc.nlint; i++)
		nerr += doc.lint[i].level == LINT_ERROR;
	/* lint messages are capped, the count is not */
	FUZZ_ASSERT((size_t)errors >= nerr);
	walk(&doc);
	runbook_doc_free(&doc);
	fuzz_each_line(data, size, each_line, NULL);
	return 0;
}
