/*
 * Headings, labels and lists: where runbooks and steps start and end.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Labels: "**Expected time:** 5 min" and the like. */

static const char *const time_labels[] = {
	"expected time", "time", "time box", "timebox", "duration",
	"estimated time", "expected duration", "eta", "time estimate", "time to recovery",
	"время", "ожидаемое время", "длительность", "оценка времени",
	"время выполнения", "продолжительность", NULL
};

static const char *const total_labels[] = {
	"estimated recovery time", "total time", "total", "total duration",
	"mttr", "rto", "recovery time", "target rto", "recovery time objective",
	"estimated time to recover", "time to recover",
	"общее время", "время восстановления", "ожидаемое время восстановления",
	NULL
};

static const char *const expected_labels[] = {
	"expected", "expected result", "expected results", "expected output",
	"expected outcome", "result", "ожидается", "ожидаемый результат",
	"ожидаемый вывод", "результат", NULL
};

static const char *const symptom_labels[] = {
	"symptoms", "symptom", "detection", "when to use", "triggers", "trigger",
	"indicators", "signs", "симптомы", "признаки", "триггеры", "триггер",
	"когда использовать", "обнаружение", NULL
};

enum label_kind
label_kind(const char *folded)
{
	if (table_find(time_labels, folded) >= 0)
		return LABEL_TIME;
	if (table_find(total_labels, folded) >= 0)
		return LABEL_TOTAL;
	if (table_find(expected_labels, folded) >= 0)
		return LABEL_EXPECTED;
	if (table_find(symptom_labels, folded) >= 0)
		return LABEL_SYMPTOMS;
	return LABEL_OTHER;
}

/*
 * Splits a label line ("**Expected time:** 5 min", "- **Time**: 5 min",
 * "Время: 5 минут") into its folded label and its value. Returns 0 when t
 * is no label line, 1 for a plain label, 2 for an emphasized one.
 */
int
label_split(const char *t, char *label, size_t cap, const char **value)
{
	const char *p = t;
	char mark = 0;
	if ((*p == '-' || *p == '+' || *p == '*') && is_blank(p[1]))
		p = skip_blank(p + 1);
	if (*p == '*' || *p == '_') {
		mark = *p;
		for (int k = 0; k < 3 && *p == mark; k++)
			p++;
	}
	const char *start = p;
	if (letter_len(start) == 0)
		return 0;
	while (*p != '\0' && *p != ':' && *p != mark && (size_t)(p - start) < cap - 1) {
		if (*p == '`')
			return 0;
		p++;
	}
	size_t n = (size_t)(p - start);
	if (n >= cap - 1)
		return 0;
	if (*p == ':') {
		p++;
		while (mark && *p == mark)
			p++;
	} else if (mark && *p == mark) {
		while (*p == mark)
			p++;
		p = skip_blank(p);
		if (*p != ':')
			return 0;
		p++;
	} else {
		return 0;
	}
	while (n > 0 && is_blank(start[n - 1]))
		n--;
	fold(start, n, label);
	*value = skip_blank(p);
	return mark ? 2 : 1;
}

/* A copy of a label's value without trailing blanks and emphasis marks. */
char *
label_value(const char *v)
{
	size_t n = strlen(v);
	while (n > 0 && (is_space(v[n - 1]) || v[n - 1] == '*' || v[n - 1] == '_'))
		n--;
	return trim_dup(v, n);
}

/* Headings. */

static const char *const runbook_words[] = {
	"runbook", "playbook", "procedure", "scenario",
	"ранбук", "плейбук", "процедура", "сценарий", NULL
};
/* Those that open a runbook even without a number: "## Runbook". */
static const char *const runbook_alone_words[] = {
	"runbook", "playbook", "ранбук", "плейбук", NULL
};
static const char *const step_words[] = { "step", "шаг", "этап", NULL };

/*
 * If a heading opens a runbook ("Runbook 2: Gateway down", "Сценарий 3:
 * ...", "Runbook: X"), returns 1 and points *title at the title.
 */
static int
runbook_heading(const char *text, const char **title)
{
	char f[48];
	fold(text, strnlen(text, sizeof f - 1), f);
	size_t kl = table_prefix(runbook_words, f);
	if (kl == 0)
		return 0;
	int alone = table_prefix(runbook_alone_words, f) == kl;
	const char *p = skip_blank(text + kl);
	int id = 0, sep = 0;
	if (*p == '#')
		p++;
	if (is_digit(*p)) {
		while (is_digit(*p))
			p++;
		if (is_alpha(*p) && letter_len(p + 1) == 0)
			p++;
		id = 1;
	} else if (*p >= 'A' && *p <= 'Z' && letter_len(p + 1) == 0) {
		const char *q = skip_title_sep(p + 1);
		if (q != skip_blank(p + 1)) {
			p++;
			id = 1;
		}
	}
	const char *q = skip_title_sep(p);
	sep = q != skip_blank(p);
	if (!id && !sep && !alone)
		return 0;
	*title = (id || sep) && *q != '\0' ? q : text;
	return 1;
}

/* "Step 2: Decide severity (5 min)", "Шаг 3 — ...": returns 1, the number and the title. */
int
step_heading(const char *text, int *number, const char **title)
{
	char f[24];
	fold(text, strnlen(text, sizeof f - 1), f);
	size_t kl = table_prefix(step_words, f);
	if (kl == 0)
		return 0;
	const char *p = skip_blank(text + kl);
	size_t n = read_number(p, number);
	if (n == 0 || is_alnum(p[n]) || (p[n] == '.' && is_digit(p[n + 1])))
		return 0;
	*title = skip_title_sep(p + n);
	return 1;
}

/* "4. Redis failure", "2) Restart": returns 1, the number and the title. */
int
numbered_heading(const char *text, int *number, const char **title)
{
	size_t n = read_number(text, number);
	if (n == 0 || (text[n] != '.' && text[n] != ')') || !is_blank(text[n + 1]))
		return 0;
	*title = skip_blank(text + n + 1);
	return **title != '\0';
}

/* "1.2 Verify the switch", "2.1. Start": a sub-step number and its title; 0 if none. */
static int
sub_numbered(const char *s, int *number, const char **title)
{
	int major;
	size_t n = read_number(s, &major);
	if (n == 0 || s[n] != '.')
		return 0;
	size_t m = read_number(s + n + 1, number);
	if (m == 0)
		return 0;
	const char *p = s + n + 1 + m;
	if (*p == '.')
		p++;
	if (!is_blank(*p))
		return 0;
	*title = skip_blank(p);
	return **title != '\0';
}

/* Nonzero for a heading that starts a "Symptoms" section. */
static int
symptoms_heading(const char *text)
{
	char f[48];
	fold(text, strnlen(text, sizeof f - 1), f);
	return table_prefix(symptom_labels, f) > 0;
}

/* Nonzero for a heading such as "Expected result". */
static int
expected_heading(const char *text)
{
	char f[48];
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == ':' || is_blank(text[n - 1])))
		n--;
	if (n >= sizeof f)
		return 0;
	fold(text, n, f);
	return table_find(expected_labels, f) >= 0;
}

/* Parser state helpers. */

void
section_end(struct parser *p)
{
	p->section = SEC_NONE;
	p->section_heading = p->section_value = p->section_blank = 0;
}

static void
section_start(struct parser *p, enum section s, int from_heading, int has_value)
{
	p->section = s;
	p->section_heading = from_heading;
	p->section_value = has_value;
	p->section_blank = 0;
}

struct step_build *
cur_step(struct parser *p)
{
	return p->step >= 0 ? &p->cur->steps[p->step] : NULL;
}

/* The step that takes expected results and block content: current, else the section's orphan. */
struct step_build *
target_step(struct parser *p)
{
	if (p->step >= 0)
		return &p->cur->steps[p->step];
	if (p->cur->orphan >= 0)
		return &p->cur->steps[p->cur->orphan];
	return NULL;
}

/* Appends a new step to rb; the pointer is valid until the next one. */
struct step_build *
step_new(struct runbook_build *rb, enum step_kind kind, int number, const char *title, int line)
{
	if (rb->nsteps == rb->cap) {
		rb->cap = rb->cap ? rb->cap * 2 : 8;
		rb->steps = xreallocarray(rb->steps, rb->cap, sizeof *rb->steps);
	}
	struct step_build *st = &rb->steps[rb->nsteps++];
	memset(st, 0, sizeof *st);
	st->kind = kind;
	st->pub.number = number;
	st->pub.title = title != NULL ? xstrdup(title) : NULL;
	st->pub.line = line;
	st->section = rb->section;
	buf_init(&st->text);
	if (kind != STEP_ORPHAN)
		rb->orphan = -1;
	return st;
}

void
command_free(struct runbook_command *c)
{
	free(c->text);
	free(c->raw);
	free(c->host);
	free(c->user);
	strv_free(&c->placeholders);
}

static void
step_build_free(struct step_build *st)
{
	free(st->pub.title);
	free(st->pub.text);
	for (size_t i = 0; i < st->pub.ncommands; i++)
		command_free(&st->pub.commands[i]);
	free(st->pub.commands);
	strv_free(&st->pub.expected);
	strv_free(&st->pub.checklist);
	buf_free(&st->text);
}

/* Moves a command into a step. */
void
step_add_command(struct step_build *st, struct runbook_command *c)
{
	if (st->pub.ncommands == st->command_cap) {
		st->command_cap = st->command_cap ? st->command_cap * 2 : 4;
		st->pub.commands = xreallocarray(st->pub.commands, st->command_cap,
		    sizeof *st->pub.commands);
	}
	st->pub.commands[st->pub.ncommands++] = *c;
	memset(c, 0, sizeof *c);
}

void
set_timebox(struct step_build *st, int64_t lo, int64_t hi)
{
	st->pub.timebox_s = lo;
	st->pub.timebox_max_s = hi;
}

void
runbook_build_init(struct runbook_build *rb, enum runbook_kind kind)
{
	memset(rb, 0, sizeof *rb);
	rb->kind = kind;
	rb->orphan = -1;
	buf_init(&rb->symptoms);
	buf_init(&rb->text);
}

void
runbook_build_free(struct runbook_build *rb)
{
	free(rb->pub.title);
	free(rb->pub.heading);
	free(rb->pub.symptoms);
	strv_free(&rb->pub.checklist);
	for (size_t i = 0; i < rb->nsteps; i++)
		step_build_free(&rb->steps[i]);
	free(rb->steps);
	buf_free(&rb->symptoms);
	buf_free(&rb->text);
	runbook_build_init(rb, RB_IMPLICIT);
}

void
symptoms_add(struct parser *p, const char *s)
{
	struct buf *b = &p->cur->symptoms;
	char *t = trim_dup(s, strlen(s));
	if (*t != '\0') {
		if (b->len > 0)
			buf_addc(b, '\n');
		buf_adds(b, t);
	}
	free(t);
}

/* Prose outside steps, kept only where a numbered section may become a step. */
void
runbook_text_add(struct parser *p, const char *s)
{
	if (p->cur->kind == RB_NUMBERED)
		text_add(&p->cur->text, &p->cur->text_blank, s);
}

static void
expected_add(struct parser *p, const char *s)
{
	struct step_build *st = target_step(p);
	if (st != NULL)
		items_add_trimmed(&st->pub.expected, s);
}

/* Runbooks and steps. */

void
step_close(struct parser *p)
{
	p->step = -1;
	section_end(p);
}

/*
 * Whether a list of bold items is a catalogue ("1. **api** - public REST
 * API, port 8080"): one-word names, nothing to run, check or time.
 */
static int
catalogue_list(const struct runbook_build *rb)
{
	if (rb->nsteps == 0)
		return 0;
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct step_build *st = &rb->steps[i];
		if (st->kind != STEP_ITEM || st->pub.ncommands > 0 || st->pub.checklist.n > 0 ||
		    st->pub.expected.n > 0 || st->pub.timebox_s > 0 || st->pub.title == NULL ||
		    strchr(skip_blank(st->pub.title), ' ') != NULL)
			return 0;
	}
	return 1;
}

/* Whether a numbered section ("### 4. Redis failure") is a runbook of its own. */
static int
numbered_is_runbook(const struct runbook_build *rb)
{
	if (catalogue_list(rb))
		return 0;
	for (size_t i = 0; i < rb->nsteps; i++) {
		const struct step_build *st = &rb->steps[i];
		if (st->kind == STEP_ITEM || st->kind == STEP_COMMENT)
			return 1;
		/* headings over prose alone ("### 1. Database Failure") are a catalogue */
		if (st->kind == STEP_HEADING && (st->pub.ncommands > 0 || st->pub.checklist.n > 0 ||
		    st->pub.expected.n > 0 || st->pub.timebox_s > 0 || st->pub.number == 0))
			return 1;
		if (st->kind == STEP_PLAIN && (st->pub.ncommands > 0 || st->pub.checklist.n > 0))
			return 1;
	}
	return 0;
}

/* Turns a numbered section that holds no steps into one step of the implicit runbook. */
static void
section_to_step(struct parser *p, struct runbook_build *rb)
{
	if (rb->nsteps == 0 && rb->text.len == 0 && rb->pub.checklist.n == 0)
		return;
	struct runbook_build *doc = &p->implicit;
	struct step_build *st = step_new(doc, STEP_SECTION, rb->number, rb->pub.title,
	    rb->pub.line);
	st->pub.timebox_s = rb->pub.total_s;
	st->pub.timebox_max_s = rb->pub.total_max_s;
	text_add(&st->text, &st->blank, rb->text.data ? rb->text.data : "");
	for (size_t i = 0; i < rb->nsteps; i++) {
		struct step_build *from = &rb->steps[i];
		if (from->kind == STEP_PLAIN) {
			char *line = xasprintf("%d. %s", from->pub.number,
			    from->pub.title ? from->pub.title : "");
			text_add(&st->text, &st->blank, line);
			free(line);
		}
		text_add(&st->text, &st->blank, from->text.data ? from->text.data : "");
		for (size_t k = 0; k < from->pub.ncommands; k++)
			step_add_command(st, &from->pub.commands[k]);
		from->pub.ncommands = 0;
		for (size_t k = 0; k < from->pub.expected.n; k++)
			items_add_trimmed(&st->pub.expected, from->pub.expected.v[k]);
		for (size_t k = 0; k < from->pub.checklist.n; k++)
			items_add_trimmed(&st->pub.checklist, from->pub.checklist.v[k]);
		if (st->pub.timebox_s == 0 && from->pub.timebox_s > 0)
			set_timebox(st, from->pub.timebox_s, from->pub.timebox_max_s);
	}
	for (size_t k = 0; k < rb->pub.checklist.n; k++)
		items_add_trimmed(&st->pub.checklist, rb->pub.checklist.v[k]);
	if (rb->symptoms.len > 0) {
		if (doc->symptoms.len > 0)
			buf_addc(&doc->symptoms, '\n');
		buf_add(&doc->symptoms, rb->symptoms.data, rb->symptoms.len);
	}
}

/* Ends the open explicit runbook; the implicit one becomes current. */
void
runbook_close(struct parser *p)
{
	struct runbook_build *rb = &p->open;
	if (!p->have_open)
		return;
	p->have_open = 0;
	p->cur = &p->implicit;
	p->step = -1;
	p->implicit.orphan = -1;
	if (rb->kind == RB_SECTION && !numbered_is_runbook(rb)) {
		/* Commands under a plain heading stay steps of the document. */
		for (size_t i = 0; i < rb->nsteps; i++) {
			struct step_build *st = &rb->steps[i];
			if (st->pub.ncommands == 0 && st->pub.checklist.n == 0)
				continue;
			struct step_build *to = step_new(&p->implicit, st->kind, 0, NULL, 0);
			*to = *st;
			if (to->pub.title == NULL)
				to->pub.title = xstrdup(rb->pub.title);
			memset(st, 0, sizeof *st);
			buf_init(&st->text);
		}
		p->step = -1;
		runbook_build_free(rb);
		return;
	}
	if ((rb->kind == RB_NUMBERED && !numbered_is_runbook(rb)) ||
	    (rb->kind == RB_KEYWORD && rb->nsteps == 0 && rb->container)) {
		if (rb->kind == RB_NUMBERED)
			section_to_step(p, rb);
		p->step = -1;
		runbook_build_free(rb);
		return;
	}
	if (p->ndone == p->done_cap) {
		p->done_cap = p->done_cap ? p->done_cap * 2 : 4;
		p->done = xreallocarray(p->done, p->done_cap, sizeof *p->done);
	}
	p->done[p->ndone++] = *rb;
	runbook_build_init(rb, RB_IMPLICIT);
}

static void
runbook_start(struct parser *p, enum runbook_kind kind, int level, const char *heading,
    const char *title, int number)
{
	step_close(p);
	if (p->have_open) {
		if ((kind == RB_KEYWORD || kind == RB_SECTION) && level > p->open.pub.level &&
		    p->open.nsteps == 0)
			p->open.container = 1;
		runbook_close(p);
	}
	struct runbook_build *rb = &p->open;
	runbook_build_init(rb, kind);
	rb->pub.heading = xstrdup(heading);
	rb->pub.title = xstrdup(title);
	rb->pub.line = p->lineno;
	rb->pub.level = level;
	rb->number = number;
	int64_t lo, hi;
	if (title_take_timebox(rb->pub.title, &lo, &hi) == 0) {
		rb->pub.total_s = lo;
		rb->pub.total_max_s = hi;
	}
	lint_paren_timeboxes(p, title, p->lineno);
	if (rb->pub.title[0] == '\0') {
		free(rb->pub.title);
		rb->pub.title = xstrdup(heading);
	}
	p->have_open = 1;
	p->cur = rb;
	p->step = -1;
	free(p->section_title);
	p->section_title = NULL;
}

/* "### Step 2: Decide severity (5 min)" (level 7 for a "**Step 2: ...**" line). */
static void
heading_step(struct parser *p, int level, int number, const char *title_in,
    const char *fallback)
{
	step_close(p);
	char *title = xstrdup(*title_in != '\0' ? title_in : fallback);
	int64_t lo, hi;
	int has_box = title_take_timebox(title, &lo, &hi) == 0;
	lint_paren_timeboxes(p, title_in, p->lineno);
	if (*title == '\0') {
		free(title);
		title = xstrdup(fallback);
	}
	struct step_build *st = step_new(p->cur, STEP_HEADING, number, NULL, p->lineno);
	st->pub.title = title;
	st->level = level;
	if (has_box)
		set_timebox(st, lo, hi);
	p->step = (long)p->cur->nsteps - 1;
}

/* Any other heading: may end the runbook or the step, may open a section. */
static void
other_heading(struct parser *p, int level, const char *text, const char *line)
{
	if (p->have_open && level <= p->open.pub.level)
		runbook_close(p);
	struct step_build *st = cur_step(p);
	if (st != NULL && st->kind == STEP_HEADING && level > st->level) {
		text_add(&st->text, &st->blank, line);
	} else {
		p->step = -1;
		free(p->section_title);
		p->section_title = xstrdup(text);
		p->cur->orphan = -1;
		p->cur->section++;
	}
	if (symptoms_heading(text))
		section_start(p, SEC_SYMPTOMS, 1, 0);
	else if (expected_heading(text))
		section_start(p, SEC_EXPECTED, 1, 0);
}

/* "## Title ##" -> level 2, "Title"; returns 0 when s is no ATX heading. */
static int
atx_heading(const char *t, int *level, char **text)
{
	int n = 0;
	while (t[n] == '#')
		n++;
	if (n < 1 || n > 6 || (t[n] != '\0' && !is_blank(t[n])))
		return 0;
	const char *s = skip_blank(t + n);
	size_t len = rtrim_len(s);
	size_t end = len;
	while (end > 0 && s[end - 1] == '#')
		end--;
	if (end < len && (end == 0 || is_blank(s[end - 1])))
		len = end;
	*level = n;
	*text = trim_dup(s, len);
	return 1;
}

/*
 * Whether a plain heading ("### Redis failure", "#### **Database Failover**")
 * may open a runbook of its own: it does unless it lies inside a step or
 * inside a runbook that already has steps (a "Rollback" or "Notes" part of
 * it), or names a part such as "Symptoms". The runbook is kept only if its
 * section turns out to hold ordered steps.
 */
static int
section_opens_runbook(struct parser *p, int level, const char *text)
{
	struct step_build *st = cur_step(p);
	if (st != NULL && st->kind == STEP_HEADING && level > st->level)
		return 0;
	if (p->have_open && level > p->open.pub.level && p->open.nsteps > 0)
		return 0;
	if (symptoms_heading(text) || expected_heading(text))
		return 0;
	return 1;
}

/* A copy of a heading without the bold marks around it ("**Failover**"). */
static char *
unbold_dup(const char *text)
{
	size_t n = strlen(text);
	if (n > 4 && ((text[0] == '*' && text[1] == '*' && text[n - 1] == '*' && text[n - 2] == '*') ||
	    (text[0] == '_' && text[1] == '_' && text[n - 1] == '_' && text[n - 2] == '_')))
		return trim_dup(text + 2, n - 4);
	return xstrdup(text);
}

static void
heading_line(struct parser *p, int level, const char *text, const char *line)
{
	const char *title;
	int number;
	section_end(p);
	free(p->lead);
	p->lead = NULL;
	if (p->first_heading == NULL) {
		p->first_heading = xstrdup(text);
		p->first_heading_line = p->lineno;
		p->first_heading_level = level;
	}
	if (runbook_heading(text, &title)) {
		runbook_start(p, RB_KEYWORD, level, text, title, 0);
		return;
	}
	if (step_heading(text, &number, &title)) {
		heading_step(p, level, number, title, text);
		return;
	}
	if (numbered_heading(text, &number, &title)) {
		struct step_build *st = cur_step(p);
		if (st != NULL && st->kind == STEP_HEADING && level > st->level) {
			text_add(&st->text, &st->blank, line);
			return;
		}
		if (p->have_open && level > p->open.pub.level && p->open.kind != RB_SECTION) {
			heading_step(p, level, number, title, text);
			return;
		}
		runbook_start(p, RB_NUMBERED, level, text, title, number);
		return;
	}
	if (section_opens_runbook(p, level, text)) {
		char *plain = unbold_dup(text);
		runbook_start(p, RB_SECTION, level, text, plain, 0);
		free(plain);
		return;
	}
	other_heading(p, level, text, line);
}

/* Removes plain-item steps once a bold item shows they were not the steps. */
static void
demote_plain_steps(struct runbook_build *rb)
{
	size_t k = 0;
	for (size_t i = 0; i < rb->nsteps; i++) {
		struct step_build *st = &rb->steps[i];
		if (st->kind == STEP_PLAIN && st->pub.ncommands == 0 && st->pub.checklist.n == 0) {
			step_build_free(st);
			continue;
		}
		if (st->kind == STEP_PLAIN) {
			st->kind = STEP_ORPHAN;
			st->pub.number = 0;
		}
		rb->steps[k++] = *st;
	}
	rb->nsteps = k;
	rb->orphan = -1;
}

/* Whether the current runbook already holds a numbered list, so "1." starts anew. */
static int
list_restarts(const struct parser *p)
{
	const struct runbook_build *rb = p->cur;
	for (size_t i = 0; i < rb->nsteps; i++)
		if ((rb->steps[i].kind == STEP_PLAIN || rb->steps[i].kind == STEP_ITEM) &&
		    rb->steps[i].pub.number >= 1)
			return 1;
	return 0;
}

/*
 * "Purging a queue:" then a list numbered from 1 again: a procedure of its
 * own, named by that line, next to the one before it.
 */
static void
lead_runbook(struct parser *p)
{
	char *title = xstrdup(p->lead);
	size_t n = strlen(title);
	while (n > 0 && (title[n - 1] == ':' || title[n - 1] == '*' || is_blank(title[n - 1])))
		title[--n] = '\0';
	const char *t = title;
	while (*t == '*' || *t == '_')
		t++;
	if (*t != '\0' && n < 80) {
		int level = p->have_open ? p->open.pub.level : 6;
		runbook_start(p, RB_SECTION, level, t, t, 0);
	}
	free(title);
}

/* "1. **Check the backups** (10 min)" or a plain "1. Check disk space". */
static void
list_step(struct parser *p, enum step_kind kind, int number, const char *title_in,
    size_t title_len, const char *rest, int indent, int content_indent)
{
	struct runbook_build *rb = p->cur;
	int64_t lo, hi;
	int has_box;
	step_close(p);
	if (kind == STEP_ITEM && !rb->has_bold) {
		rb->has_bold = 1;
		demote_plain_steps(rb);
	}
	char *title = trim_dup(title_in, title_len);
	size_t n = strlen(title);
	while (n > 0 && (title[n - 1] == ':' || is_blank(title[n - 1])))
		title[--n] = '\0';
	lint_paren_timeboxes(p, title, p->lineno);
	has_box = title_take_timebox(title, &lo, &hi) == 0;

	char *text = xstrdup(rest);
	lint_paren_timeboxes(p, text, p->lineno);
	if (!has_box) {
		char *scan = xstrdup(text);
		size_t start, end;
		blank_code_spans(scan);
		int64_t l2, h2;
		if (timebox_find(scan, &l2, &h2, &start, &end) == 0) {
			has_box = 1;
			lo = l2;
			hi = h2;
			title_take_timebox(text, &l2, &h2);
		}
		free(scan);
	}
	struct step_build *st = step_new(rb, kind, number, NULL, p->lineno);
	st->pub.title = title;
	st->indent = indent;
	st->content_indent = content_indent;
	if (has_box)
		set_timebox(st, lo, hi);
	const char *t = skip_title_sep(text);
	if (*t != '\0')
		text_add(&st->text, &st->blank, t);
	free(text);
	p->step = (long)rb->nsteps - 1;
}

/* "**Check the backups** (10 min)": the bold title and what follows; 0 if none. */
static int
bold_split(const char *s, const char **title, size_t *title_len, const char **rest)
{
	if (!((s[0] == '*' && s[1] == '*') || (s[0] == '_' && s[1] == '_')))
		return 0;
	char mark[3] = { s[0], s[0], '\0' };
	const char *close = strstr(s + 2, mark);
	if (close == NULL)
		return 0;
	const char *t = skip_blank(s + 2);
	if (t >= close)
		return 0;
	*title = s + 2;
	*title_len = (size_t)(close - s - 2);
	*rest = close + 2;
	return 1;
}

/* "12. " or "3) ": the marker's length with the blanks after it, 0 if none. */
static size_t
numbered_marker(const char *t, int *number)
{
	size_t i = read_number(t, number);
	if (i == 0 || (t[i] != '.' && t[i] != ')'))
		return 0;
	i++;
	if (t[i] == '\0')
		return i;
	if (!is_blank(t[i]))
		return 0;
	return (size_t)(skip_blank(t + i) - t);
}

/* "- ", "* ", "+ ": the marker's length with the blanks after it, 0 if none. */
static size_t
bullet_marker(const char *t)
{
	if ((*t == '-' || *t == '*' || *t == '+') && (is_blank(t[1]) || t[1] == '\0'))
		return (size_t)(skip_blank(t + 1) - t);
	return 0;
}

static int
is_list_item(const char *t)
{
	int number;
	return bullet_marker(t) > 0 || numbered_marker(t, &number) > 0;
}

/* A numbered list item: a step, or 0 to let it be text. */
static int
numbered_item(struct parser *p, const char *t, int indent)
{
	int number;
	size_t m = numbered_marker(t, &number);
	if (m == 0)
		return 0;
	const char *content = t + m;
	struct step_build *st = cur_step(p);
	if (st != NULL && st->kind == STEP_HEADING)
		return 0;	/* lists under a step heading are its text */
	if (st != NULL && (st->kind == STEP_ITEM || st->kind == STEP_PLAIN) &&
	    indent >= st->indent + 2)
		return 0;	/* nested under the current item */
	const char *title, *rest;
	size_t title_len;
	int bold = bold_split(content, &title, &title_len, &rest);
	if (p->section != SEC_NONE) {
		if (p->section_heading || (!bold && !p->section_blank))
			return 0;	/* a symptom or an expected result */
		section_end(p);
	}
	if (number == 1 && indent < 2 && p->lead != NULL && list_restarts(p))
		lead_runbook(p);
	free(p->lead);
	p->lead = NULL;
	int digits = 0;
	while (is_digit(t[digits]))
		digits++;
	int content_indent = indent + digits + 2;
	if (bold) {
		list_step(p, STEP_ITEM, number, title, title_len, rest, indent, content_indent);
		return 1;
	}
	if (p->cur->has_bold || indent > 3 || *content == '\0')
		return 0;
	list_step(p, STEP_PLAIN, number, content, strlen(content), "", indent, content_indent);
	return 1;
}

/* "- [ ] item", "* [x] item", "1. [ ] item": adds a checklist item; 0 if not one. */
static int
checklist_item(struct parser *p, const char *t)
{
	int number;
	size_t m = bullet_marker(t);
	if (m == 0)
		m = numbered_marker(t, &number);
	if (m == 0)
		return 0;
	const char *b = t + m;
	if (b[0] != '[' || (b[1] != ' ' && b[1] != 'x' && b[1] != 'X') || b[2] != ']' ||
	    (b[3] != '\0' && !is_blank(b[3])))
		return 0;
	const char *item = skip_blank(b + 3);
	if (*item == '\0')
		return 1;
	struct step_build *st = cur_step(p);
	items_add_trimmed(st != NULL ? &st->pub.checklist : &p->cur->pub.checklist, item);
	return 1;
}

/* "**Step 2: Restart** (5 min)": a step written as a bold line; 0 if not one. */
static int
bold_step_line(struct parser *p, const char *t)
{
	const char *inner, *rest, *title;
	size_t inner_len;
	int number;
	if (!bold_split(t, &inner, &inner_len, &rest))
		return 0;
	char *in = xstrndup(inner, inner_len);
	if (!step_heading(in, &number, &title) && !sub_numbered(in, &number, &title)) {
		free(in);
		return 0;
	}
	char *whole = *title != '\0' ? xasprintf("%s %s", title, skip_blank(rest)) :
	    xstrdup(skip_blank(rest));
	char *trimmed = trim_dup(whole, strlen(whole));
	heading_step(p, 7, number, trimmed, in);
	free(trimmed);
	free(whole);
	free(in);
	return 1;
}

/* A label line; returns 0 to let the line be text. */
static int
label_line(struct parser *p, const char *t)
{
	char label[48];
	const char *raw_value;
	int64_t lo, hi;
	int kind = label_split(t, label, sizeof label, &raw_value);
	if (kind == 0)
		return 0;
	enum label_kind lk = label_kind(label);
	if (lk == LABEL_OTHER) {
		if (kind == 2)
			section_end(p);
		return 0;
	}
	section_end(p);
	char *value = label_value(raw_value);
	struct step_build *st = cur_step(p);
	switch (lk) {
	case LABEL_TIME:
	case LABEL_TOTAL:
		if (*value == '\0')
			break;
		if (placeholder_timebox(value)) {
			lint_placeholder_timebox(p, p->lineno, value);
			break;
		}
		if (runbook_parse_timebox(value, &lo, &hi) < 0) {
			char *c = clip(value, 60);
			lint(p, p->lineno, LINT_WARNING, "\"%s\" after \"%s\" is not a duration: "
			    "no time box taken", c, label);
			free(c);
			break;
		}
		if (lk == LABEL_TIME && st != NULL) {
			if (st->pub.timebox_s == 0)
				set_timebox(st, lo, hi);
		} else if (lk == LABEL_TOTAL || p->cur->pub.total_s == 0) {
			p->cur->pub.total_s = lo;
			p->cur->pub.total_max_s = hi;
		}
		break;
	case LABEL_EXPECTED:
		if (*value != '\0')
			expected_add(p, value);
		else
			section_start(p, SEC_EXPECTED, 0, 0);
		break;
	case LABEL_SYMPTOMS:
		section_start(p, SEC_SYMPTOMS, 0, *value != '\0');
		if (*value != '\0')
			symptoms_add(p, value);
		break;
	case LABEL_OTHER:
		break;
	}
	free(value);
	return 1;
}

/* Prose: a section's content, the step's text, or the runbook's. */
static void
text_line(struct parser *p, const char *s, const char *t)
{
	if (p->section != SEC_NONE) {
		int list = is_list_item(t);
		if (p->section_heading || !p->section_blank || (list && !p->section_value)) {
			int number;
			size_t m = bullet_marker(t);
			if (m == 0)
				m = numbered_marker(t, &number);
			if (p->section == SEC_SYMPTOMS)
				symptoms_add(p, t + m);
			else
				expected_add(p, t + m);
			return;
		}
		section_end(p);
	}
	struct step_build *st = cur_step(p);
	free(p->lead);
	p->lead = indent_of(s) < 2 ? xstrdup(t) : NULL;
	if (st != NULL)
		text_add(&st->text, &st->blank, strip_indent(s, st->content_indent));
	else
		runbook_text_add(p, t);
}

static void
blank_line(struct parser *p)
{
	struct step_build *st = cur_step(p);
	if (p->section != SEC_NONE)
		p->section_blank = 1;
	if (st != NULL)
		st->blank = 1;
	else
		p->cur->text_blank = 1;
}

/* "---", "***", "___" */
static int
thematic_break(const char *t)
{
	char c = *t;
	int n = 0;
	if (c != '-' && c != '*' && c != '_')
		return 0;
	for (; *t != '\0'; t++) {
		if (*t == c)
			n++;
		else if (!is_blank(*t))
			return 0;
	}
	return n >= 3;
}

void
parse_line(struct parser *p, const char *s)
{
	if (p->fence.open) {
		fence_line(p, s);
		return;
	}
	if (p->in_comment) {
		if (strstr(s, "-->") != NULL)
			p->in_comment = 0;
		return;
	}
	const char *t = skip_blank(s);
	int indent = indent_of(s), level;
	char *text;
	if (*t == '\0') {
		blank_line(p);
		return;
	}
	if (strncmp(t, "<!--", 4) == 0) {
		p->in_comment = strstr(t + 4, "-->") == NULL;
		return;
	}
	if (fence_open(p, s, indent))
		return;
	if (indent < 4 && atx_heading(t, &level, &text)) {
		p->stray_len = 0;
		heading_line(p, level, text, t);
		free(text);
		return;
	}
	if (indent < 4 && thematic_break(t)) {
		struct step_build *st = cur_step(p);
		if (st != NULL && st->kind != STEP_HEADING)
			p->step = -1;
		section_end(p);
		return;
	}
	if (bold_step_line(p, t) || checklist_item(p, t) || numbered_item(p, t, indent) ||
	    label_line(p, t))
		return;
	text_line(p, s, t);
}
