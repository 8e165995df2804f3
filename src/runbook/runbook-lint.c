/*
 * Lint: messages about a document, with their lines.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Lint. */

void ATTR_PRINTF(4, 5)
lint(struct parser *p, int line, enum lint_level level, const char *fmt, ...)
{
	struct runbook_doc *doc = p->doc;
	if (level == LINT_ERROR)
		p->errors++;
	if (doc->nlint > MAX_LINT)
		return;
	if (doc->nlint == p->lint_cap) {
		p->lint_cap = p->lint_cap ? p->lint_cap * 2 : 16;
		doc->lint = xreallocarray(doc->lint, p->lint_cap, sizeof *doc->lint);
	}
	struct lint_msg *m = &doc->lint[doc->nlint++];
	m->line = line;
	m->level = level;
	if (doc->nlint > MAX_LINT) {
		m->text = xstrdup("too many messages; the rest are not shown");
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	m->text = xvasprintf(fmt, ap);
	va_end(ap);
}

/* A copy of s cut to at most max bytes at a character boundary, "..." when cut. */
char *
clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return xasprintf("%.*s...", (int)max, s);
}

/* Nonzero for a template's time box: "[X] min", "<N> minutes", "TBD min", "?? h". */
int
placeholder_timebox(const char *s)
{
	s = skip_blank(s);
	if (*s == '[' || *s == '<' || *s == '{' || *s == '?' || *s == '_')
		return mentions_time_unit(s);
	size_t n = word_len(s, 8);
	if ((n == 1 && (*s == 'X' || *s == 'N' || *s == 'x')) ||
	    (n == 3 && strncasecmp(s, "tbd", 3) == 0))
		return mentions_time_unit(s + n);
	return 0;
}

/* Notes a template's time box; they are said once for the document, with their lines. */
void
lint_placeholder_timebox(struct parser *p, int line, const char *box)
{
	if (p->placeholder_boxes == 0) {
		p->placeholder_first = line;
		free(p->placeholder_box);
		p->placeholder_box = clip(box, 40);
		buf_printf(&p->placeholder_lines, "%d", line);
	} else if (line != p->placeholder_last)
		buf_printf(&p->placeholder_lines, ", %d", line);
	if (line != p->placeholder_last)
		p->placeholder_boxes++;
	p->placeholder_last = line;
}

/*
 * Checks "(...)" groups that look like time boxes but cannot be read
 * ("(about an age min)"): a warning, since prose may say such things.
 */
void
lint_paren_timeboxes(struct parser *p, const char *s, int line)
{
	const char *open;
	while ((open = strchr(s, '(')) != NULL) {
		const char *close = strchr(open + 1, ')');
		if (close == NULL)
			return;
		char *group = xstrndup(open + 1, (size_t)(close - open - 1));
		if (placeholder_timebox(group))
			lint_placeholder_timebox(p, line, group);
		else if (mentions_time_unit(group) && runbook_parse_timebox(group, NULL, NULL) < 0) {
			char *c = clip(group, 60);
			lint(p, line, LINT_WARNING, "\"(%s)\" names a time unit but no duration: "
			    "no time box taken", c);
			free(c);
		}
		free(group);
		s = close + 1;
	}
}

/*
 * Numbering that restarts at 1 inside one section: two procedures ran
 * together (a missing heading, or a list split by a block). A restart
 * after a heading of its own is a new part and says nothing.
 */
static void
lint_merged(struct parser *p, const struct runbook *rb, const struct runbook_step *st, int prev)
{
	char *t = clip(rb->title, 60);
	lint(p, st->line, LINT_WARNING, "numbering restarts at 1 here after step %d inside "
	    "\"%s\": two procedures run together; give this one its own heading", prev, t);
	free(t);
}

/* Duplicate and missing step numbers, merged procedures, steps with no action. */
void
lint_steps(struct parser *p, const struct runbook *rb, const struct step_build *steps)
{
	unsigned char seen[8192];
	int prev = 0, section = -1;
	memset(seen, 0, sizeof seen);
	struct buf idle;
	int nidle = 0, idle_line = 0;
	buf_init(&idle);
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct runbook_step *st = &rb->steps[i];
		/* a stub ("Wait", "TODO"): a sentence of a title is itself the action */
		if (st->ncommands == 0 && st->checklist.n == 0 && st->text == NULL &&
		    strchr(skip_blank(st->title ? st->title : ""), ' ') == NULL) {
			if (nidle++ == 0)
				idle_line = st->line;
			buf_printf(&idle, "%s%d", nidle > 1 ? ", " : "", st->number ? st->number : (int)i + 1);
		}
		if (st->number <= 0 || steps[i].kind == STEP_ORPHAN)
			continue;
		int n = st->number;
		if (steps[i].section != section || (n == 1 && prev > 0)) {
			if (steps[i].section == section)
				lint_merged(p, rb, st, prev);
			memset(seen, 0, sizeof seen);
			prev = 0;
			section = steps[i].section;
		}
		if (n < (int)(sizeof seen * 8) && (seen[n / 8] & (1 << (n % 8)))) {
			lint(p, st->line, LINT_WARNING, "step %d is numbered twice", n);
		} else if (prev > 0 && n > prev + 1) {
			lint(p, st->line, LINT_WARNING, "step %d follows step %d: numbering gap",
			    n, prev);
		}
		if (n < (int)(sizeof seen * 8))
			seen[n / 8] |= (unsigned char)(1 << (n % 8));
		prev = n;
	}
	if (nidle > 0) {
		char *t = clip(rb->title, 60);
		buf_addc(&idle, '\0');
		if (nidle == 1)
			lint(p, idle_line, LINT_WARNING, "\"%s\": step %s has no action "
			    "(no command, checklist or text)", t, idle.data);
		else
			lint(p, idle_line, LINT_WARNING, "\"%s\": %d steps have no action "
			    "(no command, checklist or text): %s", t, nidle, idle.data);
		free(t);
	}
	buf_free(&idle);
}

/*
 * Sorts lint messages by line, keeping the order of messages on one line:
 * an insertion sort (stable), over at most MAX_LINT + 1 nearly sorted items.
 */
void
lint_sort(struct runbook_doc *doc)
{
	for (size_t i = 1; i < doc->nlint; i++) {
		struct lint_msg m = doc->lint[i];
		size_t j = i;
		while (j > 0 && doc->lint[j - 1].line > m.line) {
			doc->lint[j] = doc->lint[j - 1];
			j--;
		}
		doc->lint[j] = m;
	}
}

/*
 * Folds the messages that say the same thing (level and text) into the
 * first: "... (3 times: lines 4, 9, 12)". Quadratic in the messages, which
 * are at most MAX_LINT + 1.
 */
void
lint_group(struct runbook_doc *doc)
{
	size_t k = 0;
	for (size_t i = 0; i < doc->nlint; i++) {
		struct lint_msg m = doc->lint[i];
		if (m.text == NULL)
			continue;	/* folded into an earlier one */
		struct buf lines;
		int count = 1;
		buf_init(&lines);
		buf_printf(&lines, "%d", m.line);
		for (size_t j = i + 1; j < doc->nlint; j++) {
			struct lint_msg *o = &doc->lint[j];
			if (o->text == NULL || o->level != m.level || strcmp(o->text, m.text) != 0)
				continue;
			if (count++ < 10)
				buf_printf(&lines, ", %d", o->line);
			else if (count == 11)
				buf_adds(&lines, ", ...");
			free(o->text);
			o->text = NULL;
		}
		if (count > 1) {
			buf_addc(&lines, '\0');
			char *t = xasprintf("%s (%d times: lines %s)", m.text, count, lines.data);
			free(m.text);
			m.text = t;
		}
		buf_free(&lines);
		doc->lint[k++] = m;
	}
	doc->nlint = k;
}
