/*
 * runbook internals: the parser's state and the helpers the files of
 * src/runbook/ share. Only the .c files of src/runbook/ may include this header; the
 * rest of the program uses runbook.h and library.h.
 *
 *   runbook.c            the entry: lines in, the finished document out
 *   runbook-parse.c      headings, labels, lists: runbooks and steps
 *   runbook-commands.c   code blocks: commands, ssh sessions, what is not shell
 *   runbook-split.c      shell text split into whole commands
 *   runbook-placeholder.c  placeholders found and filled
 *   runbook-duration.c   time boxes
 *   runbook-guard.c      the destructive command guard
 *   runbook-lint.c       lint messages
 *   runbook-encoding.c   mis-encoded text repaired
 *   runbook-text.c       character classes and small text helpers
 */
#ifndef SITREP_RUNBOOK_INTERNAL_H
#define SITREP_RUNBOOK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"
#include "util.h"

#define LINE_MAX_BYTES (64 * 1024)
#define MAX_LINT 1000		/* messages kept per document */
#define MAX_ITEMS 1024		/* checklist items, expected results per owner */
#define MAX_PLACEHOLDERS 64	/* per command */
#define MAX_ASSIGNED 256	/* shell variables remembered per code block */
#define MAX_SSH_WORDS 256
#define FRONT_MATTER_LINES 200

enum step_kind {
	STEP_ITEM,		/* 1. **Bold title** */
	STEP_PLAIN,		/* 1. Plain item */
	STEP_HEADING,		/* ### Step 2: ..., **Step 2: ...** */
	STEP_COMMENT,		/* # 3. ... inside a code block */
	STEP_ORPHAN,		/* commands outside any step */
	STEP_SECTION,		/* a numbered section that held no steps */
};

enum runbook_kind {
	RB_IMPLICIT,
	RB_KEYWORD,		/* Runbook / Procedure / Scenario / Сценарий ... */
	RB_NUMBERED,		/* ### 4. Redis failure */
	RB_SECTION,		/* ### Redis failure: a runbook if it holds ordered steps */
};

enum section {
	SEC_NONE,
	SEC_SYMPTOMS,
	SEC_EXPECTED,
};

struct step_build {
	struct runbook_step pub;
	size_t command_cap;
	struct buf text;
	int blank;		/* a blank line waits before the next text */
	enum step_kind kind;
	int level;		/* heading steps: the heading level (7: bold line) */
	int indent;		/* list steps: the marker's indentation */
	int content_indent;	/* list steps: where the item's text starts */
	int section;		/* the runbook's section (plain heading) it is in */
};

struct runbook_build {
	struct runbook pub;	/* steps are filled in at the end */
	struct step_build *steps;
	size_t nsteps, cap;
	struct buf symptoms;
	struct buf text;	/* prose outside steps (numbered sections only) */
	int text_blank;
	enum runbook_kind kind;
	int number;
	int has_bold;		/* holds a bold-titled item: plain items are text */
	int container;		/* closed by a deeper runbook heading */
	long orphan;		/* the unnumbered step of this section, or -1 */
	int section;		/* plain headings seen inside it */
};

struct fence {
	int open;
	char ch;
	size_t len;
	int indent;
	int line;
	char lang[32];
	int runnable;
	int console;		/* only "$ " lines are commands */
	int expected;		/* the block is an expected result */
	long step_before;	/* the current step when the block opened */
	long block_orphan;	/* orphan step created by this block, or -1 */
	int comment_steps;	/* "# N." comments made steps in this block */
	struct buf body;	/* blocks that are not commands */
	struct buf text, raw;	/* the logical command being assembled */
	int command_line;
	int cont;		/* the last line ended with a backslash */
	char *heredoc;		/* terminator of an open heredoc */
	struct strv assigned;	/* variables assigned earlier in the block */
	struct buf chunk;	/* shell lines not yet split into commands */
	int seen_line;		/* a non-blank line was read */
	int as_text;		/* a block without a language that holds no shell */
	int chunk_line;		/* the line of its first line */
	char *session_host;	/* after an "ssh HOST" line alone, until "exit" */
	char *session_user;
	char *ssh_pending;	/* an "ssh HOST" line alone, not yet given */
	char *ssh_pending_raw;
	int ssh_pending_line;
	char *ssh_pending_host, *ssh_pending_user;
	int inner_line;		/* a fence with an info string inside the block ("```bash") */
	char inner[40];		/* that line, cut */
};

struct parser {
	struct runbook_doc *doc;
	struct runbook_build implicit, open;
	int have_open;
	struct runbook_build *cur;
	struct runbook_build *done;
	size_t ndone, done_cap;
	long step;		/* index in cur->steps, or -1 */
	enum section section;
	int section_heading;	/* the section came from a heading */
	int section_value;	/* its label had a value on the same line */
	int section_blank;	/* a blank line was seen in the section */
	char *section_title;	/* the last heading inside the runbook */
	struct fence fence;
	char stray_ch;		/* a fence closed early by an inner one: its own */
	size_t stray_len;	/* closing line is still to come and opens nothing */
	int lineno;
	int in_comment;		/* inside <!-- ... --> */
	int skip_lines;		/* front matter */
	int mojibake_line;	/* the first line repaired from mis-encoded text */
	int mojibake_lines;
	int mojibake_table;
	char *first_heading;
	int first_heading_line, first_heading_level;
	char *lead;		/* the last paragraph line outside lists ("Purging a queue:") */
	int placeholder_boxes;	/* lines with a template's time box ("[X] min") */
	int placeholder_first, placeholder_last;
	char *placeholder_box;
	struct buf placeholder_lines;
	size_t lint_cap;
	int errors;
};

/* Labels: "**Expected time:** 5 min" and the like. */
enum label_kind {
	LABEL_OTHER,
	LABEL_TIME,
	LABEL_TOTAL,
	LABEL_EXPECTED,
	LABEL_SYMPTOMS,
};

/* runbook-text.c */
int is_digit(int c);
int is_alpha(int c);
int is_alnum(int c);
int is_blank(int c);
int is_space(int c);
size_t letter_len(const char *p);
size_t word_len(const char *p, size_t max);
void fold(const char *s, size_t n, char *out);
int table_find(const char *const *table, const char *word);
size_t table_prefix(const char *const *table, const char *folded);
const char *skip_blank(const char *s);
int indent_of(const char *s);
const char *strip_indent(const char *s, int cols);
char *trim_dup(const char *s, size_t n);
void buf_rtrim(struct buf *b);
size_t rtrim_len(const char *s);
void items_add(struct strv *sv, const char *s, size_t n, size_t max);
void items_add_trimmed(struct strv *sv, const char *s);
void text_add(struct buf *b, int *blank, const char *s);
void blank_code_spans(char *s);
size_t read_number(const char *s, int *n);
const char *skip_title_sep(const char *p);

/* runbook-duration.c */
int timebox_find(const char *s, int64_t *min_s, int64_t *max_s, size_t *start, size_t *end);
int mentions_time_unit(const char *s);
int title_take_timebox(char *title, int64_t *min_s, int64_t *max_s);

/* runbook-lint.c */
void lint(struct parser *p, int line, enum lint_level level, const char *fmt, ...)
    ATTR_PRINTF(4, 5);
char *clip(const char *s, size_t max);
int placeholder_timebox(const char *s);
void lint_placeholder_timebox(struct parser *p, int line, const char *box);
void lint_paren_timeboxes(struct parser *p, const char *s, int line);
void lint_steps(struct parser *p, const struct runbook *rb, const struct step_build *steps);
void lint_sort(struct runbook_doc *doc);
void lint_group(struct runbook_doc *doc);

/* runbook-parse.c */
enum label_kind label_kind(const char *folded);
int label_split(const char *t, char *label, size_t cap, const char **value);
char *label_value(const char *v);
int step_heading(const char *text, int *number, const char **title);
int numbered_heading(const char *text, int *number, const char **title);
void section_end(struct parser *p);
struct step_build *cur_step(struct parser *p);
struct step_build *target_step(struct parser *p);
struct step_build *step_new(struct runbook_build *rb, enum step_kind kind, int number, const char *title, int line);
void command_free(struct runbook_command *c);
void step_add_command(struct step_build *st, struct runbook_command *c);
void set_timebox(struct step_build *st, int64_t lo, int64_t hi);
void runbook_build_init(struct runbook_build *rb, enum runbook_kind kind);
void runbook_build_free(struct runbook_build *rb);
void symptoms_add(struct parser *p, const char *s);
void runbook_text_add(struct parser *p, const char *s);
void step_close(struct parser *p);
void runbook_close(struct parser *p);
void parse_line(struct parser *p, const char *s);

/* runbook-commands.c */
void fence_reset(struct fence *f);
int fence_open(struct parser *p, const char *s, int indent);
void fence_close(struct parser *p);
void fence_line(struct parser *p, const char *s);

/* runbook-placeholder.c */
size_t angle_at(const char *s, const char *start);
void collect_assignments(const char *s, struct strv *out);
void find_placeholders(const char *s, const struct strv *assigned, struct strv *out);

/* runbook-split.c */
int split_block_commands(const char *text, struct strv *out, struct buf *spans, char **why);

/* runbook-encoding.c */
extern const char *const mojibake_names[];
int mojibake_repair(struct buf *line);

#endif
