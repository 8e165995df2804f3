/*
 * runbook: reads the markdown procedures teams already keep into runbooks
 * -> steps -> commands, time boxes, expected results and checklists. See
 * runbook.h.
 *
 * The parser is a line-oriented scanner with a small state machine:
 *
 *   document -> runbook -> step -> code block
 *
 * Lines are split on LF, CRLF or a lone CR, cut at 64 KiB, and NUL bytes
 * become spaces, so everything after that works on C strings. Each line is
 * classified once (fence, heading, numbered item, checklist item, label
 * line such as "**Expected time:** 5 min", or text) and handed to the
 * current level. Inside a fence, lines are assembled into logical commands
 * (backslash continuations, heredocs).
 *
 * There is always a current runbook: the implicit one (the whole document)
 * until a heading such as "## Runbook 2: Gateway down" opens an explicit
 * one. A numbered heading ("### 4. Redis failure") is a runbook only if it
 * turns out to hold real steps; otherwise the section becomes a step of the
 * implicit runbook, which is kept when the document has no other runbook
 * (or holds real steps of its own). Nothing recurses on the input, every scan of a line is linear,
 * and lists that could grow with hostile input are capped, so the cost
 * stays proportional to the size of the input.
 *
 * The files of src/runbook/ and what each holds: internal.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Finishing. */

/* The step as the caller sees it; the build's strings move into it. */
static void
step_finish(struct step_build *st, struct runbook_step *out, const char *fallback_title)
{
	*out = st->pub;
	if (out->title == NULL)
		out->title = xstrdup(fallback_title);
	if (out->timebox_max_s < out->timebox_s)
		out->timebox_max_s = out->timebox_s;
	char *text = trim_dup(st->text.data ? st->text.data : "", st->text.len);
	if (*text == '\0') {
		free(text);
		text = NULL;
	}
	out->text = text;
	buf_free(&st->text);
}

static const char *const attached_words[] = {
	"rollback", "roll back", "roll-back", "troubleshooting", "troubleshoot",
	"откат", "диагностика", "устранение неполадок", "решение проблем", NULL
};

/* Whether a step is in fact a part of the runbook such as "Rollback". */
static int
attached_part(const struct step_build *st)
{
	char f[48];
	if (st->kind != STEP_ORPHAN || st->pub.title == NULL)
		return 0;
	const char *t = st->pub.title;
	while (*t == '*' || *t == '_')
		t++;
	fold(t, strnlen(t, sizeof f - 1), f);
	return table_prefix(attached_words, f) > 0;
}

/* Moves a built runbook into out and lints it. */
static void
runbook_finish(struct parser *p, struct runbook_build *b, struct runbook *out)
{
	*out = b->pub;
	if (out->total_max_s < out->total_s)
		out->total_max_s = out->total_s;
	out->symptoms = b->symptoms.len > 0 ? trim_dup(b->symptoms.data, b->symptoms.len) :
	    NULL;
	/* unnumbered "Rollback" or "Troubleshooting" parts go last, apart */
	size_t nreal = 0, k = 0;
	struct step_build *order = xcalloc(b->nsteps + 1, sizeof *order);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < b->nsteps; i++)
			if (attached_part(&b->steps[i]) == pass)
				order[k++] = b->steps[i];
	for (size_t i = 0; i < b->nsteps; i++)
		nreal += !attached_part(&b->steps[i]);
	if (b->nsteps > 0)
		memcpy(b->steps, order, b->nsteps * sizeof *order);
	free(order);
	out->nsteps = nreal;
	out->steps = xcalloc(nreal + 1, sizeof *out->steps);
	for (size_t i = 0; i < nreal; i++)
		step_finish(&b->steps[i], &out->steps[i], out->title);
	out->nattached = b->nsteps - nreal;
	out->attached = out->nattached ? xcalloc(out->nattached, sizeof *out->attached) : NULL;
	for (size_t i = nreal; i < b->nsteps; i++)
		step_finish(&b->steps[i], &out->attached[i - nreal], out->title);
	b->nsteps = nreal;
	if (b->nsteps == 0) {
		char *t = clip(out->title, 60);
		lint(p, out->line, LINT_WARNING, "runbook \"%s\" has no steps", t);
		free(t);
	}
	lint_steps(p, out, b->steps);
	free(b->steps);
	buf_free(&b->symptoms);
	buf_free(&b->text);
	runbook_build_init(b, RB_IMPLICIT);
}

static int
has_strong_steps(const struct runbook_build *rb)
{
	for (size_t i = 0; i < rb->nsteps; i++)
		if (rb->steps[i].kind == STEP_ITEM || rb->steps[i].kind == STEP_HEADING ||
		    rb->steps[i].kind == STEP_COMMENT)
			return 1;
	return 0;
}

/* "docs/db-restore.md" -> "db-restore" */
static char *
file_title(const char *path)
{
	if (path == NULL || *path == '\0')
		return xstrdup("runbook");
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	size_t n = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot != NULL && dot > base)
		n = (size_t)(dot - base);
	return n > 0 ? xstrndup(base, n) : xstrdup("runbook");
}

static void
parse_end(struct parser *p)
{
	struct runbook_doc *doc = p->doc;
	struct runbook_build *im = &p->implicit;
	if (p->fence.open) {
		lint(p, p->fence.line, LINT_ERROR, "code fence opened here is never closed");
		fence_close(p);
	}
	step_close(p);
	runbook_close(p);

	doc->title = p->first_heading != NULL ? xstrdup(p->first_heading) : NULL;
	im->pub.title = p->first_heading != NULL ? xstrdup(p->first_heading) :
	    file_title(doc->path);
	im->pub.heading = p->first_heading != NULL ? xstrdup(p->first_heading) : NULL;
	im->pub.line = p->first_heading != NULL ? p->first_heading_line : 1;
	im->pub.level = p->first_heading != NULL ? p->first_heading_level : 0;
	int keep = im->nsteps > 0 && (has_strong_steps(im) || p->ndone == 0);

	doc->nrunbooks = (size_t)keep + p->ndone;
	doc->runbooks = xcalloc(doc->nrunbooks ? doc->nrunbooks : 1, sizeof *doc->runbooks);
	size_t k = 0;
	if (keep)
		runbook_finish(p, im, &doc->runbooks[k++]);
	for (size_t i = 0; i < p->ndone; i++)
		runbook_finish(p, &p->done[i], &doc->runbooks[k++]);
	if (doc->nrunbooks == 0)
		lint(p, 1, LINT_NOTE, "no procedure here (no numbered steps, step headings or "
		    "commands): read as a reference, nothing to walk through");
	lint_sort(doc);
	lint_group(doc);
}

/* Lines to skip for a YAML front matter block ("---" ... "---"), or 0. */
static int
front_matter_lines(const char *text, size_t len)
{
	if (len < 4 || strncmp(text, "---", 3) != 0 || (text[3] != '\n' && text[3] != '\r'))
		return 0;
	size_t i = 3;
	int line = 1;
	while (i < len && line < FRONT_MATTER_LINES) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			i++;
		i++;
		line++;
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		size_t n = i - start;
		if ((n == 3 && (strncmp(text + start, "---", 3) == 0 ||
		    strncmp(text + start, "...", 3) == 0)))
			return line;
	}
	return 0;
}

/* What is said once for the whole document: template time boxes, mis-encoded text. */
static void
lint_document(struct parser *p)
{
	if (p->placeholder_boxes > 0) {
		buf_addc(&p->placeholder_lines, '\0');
		if (p->placeholder_boxes == 1)
			lint(p, p->placeholder_first, LINT_WARNING,
			    "time box \"%s\" is a template placeholder: fill it in", p->placeholder_box);
		else
			lint(p, p->placeholder_first, LINT_WARNING,
			    "time boxes such as \"%s\" are template placeholders on %d lines "
			    "(%s): fill them in", p->placeholder_box, p->placeholder_boxes,
			    p->placeholder_lines.data);
	}
	free(p->placeholder_box);
	p->placeholder_box = NULL;
	buf_free(&p->placeholder_lines);
	if (p->mojibake_lines > 0)
		lint(p, p->mojibake_line, LINT_WARNING,
		    "UTF-8 text read as %s and saved again: repaired on %d line%s",
		    mojibake_names[p->mojibake_table], p->mojibake_lines,
		    p->mojibake_lines == 1 ? "" : "s");
}

int
runbook_parse(const char *text, size_t len, const char *path, struct runbook_doc *doc)
{
	struct parser p;
	struct buf line;
	memset(doc, 0, sizeof *doc);
	memset(&p, 0, sizeof p);
	doc->path = path != NULL ? xstrdup(path) : NULL;
	p.doc = doc;
	p.step = -1;
	runbook_build_init(&p.implicit, RB_IMPLICIT);
	runbook_build_init(&p.open, RB_IMPLICIT);
	p.cur = &p.implicit;
	buf_init(&p.fence.body);
	buf_init(&p.fence.text);
	buf_init(&p.fence.raw);
	buf_init(&p.fence.chunk);
	buf_init(&p.placeholder_lines);
	buf_init(&line);
	if (text == NULL)
		len = 0;
	if (len > RUNBOOK_MAX_SIZE) {
		lint(&p, 1, LINT_ERROR, "document larger than %d MiB: the rest is ignored",
		    RUNBOOK_MAX_SIZE / (1024 * 1024));
		len = RUNBOOK_MAX_SIZE;
	}
	p.skip_lines = front_matter_lines(text, len);

	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		size_t n = i - start;
		if (i < len)
			i += text[i] == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
		if (++p.lineno <= p.skip_lines)
			continue;
		if (n > LINE_MAX_BYTES) {
			lint(&p, p.lineno, LINT_WARNING,
			    "line longer than 64 KiB: only its start is read");
			n = LINE_MAX_BYTES;
		}
		buf_reset(&line);
		buf_add(&line, text + start, n);
		for (size_t k = 0; k < n; k++)
			if (line.data[k] == '\0')
				line.data[k] = ' ';
		int t = mojibake_repair(&line);
		if (t >= 0) {
			if (p.mojibake_lines++ == 0) {
				p.mojibake_line = p.lineno;
				p.mojibake_table = t;
			}
		}
		parse_line(&p, line.data);
	}
	lint_document(&p);
	parse_end(&p);

	buf_free(&line);
	fence_reset(&p.fence);
	buf_free(&p.fence.body);
	buf_free(&p.fence.text);
	buf_free(&p.fence.raw);
	buf_free(&p.fence.chunk);
	runbook_build_free(&p.implicit);
	runbook_build_free(&p.open);
	free(p.done);
	free(p.section_title);
	free(p.lead);
	free(p.first_heading);
	return p.errors;
}

/* Frees n steps and the array that holds them. */
static void
steps_free(struct runbook_step *steps, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct runbook_step *st = &steps[k];
		free(st->title);
		free(st->text);
		for (size_t c = 0; c < st->ncommands; c++)
			command_free(&st->commands[c]);
		free(st->commands);
		strv_free(&st->expected);
		strv_free(&st->checklist);
	}
	free(steps);
}

void
runbook_doc_free(struct runbook_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->nrunbooks; i++) {
		struct runbook *rb = &doc->runbooks[i];
		steps_free(rb->steps, rb->nsteps);
		steps_free(rb->attached, rb->nattached);
		free(rb->title);
		free(rb->heading);
		free(rb->symptoms);
		strv_free(&rb->checklist);
	}
	free(doc->runbooks);
	for (size_t i = 0; i < doc->nlint; i++)
		free(doc->lint[i].text);
	free(doc->lint);
	free(doc->path);
	free(doc->title);
	memset(doc, 0, sizeof *doc);
}
