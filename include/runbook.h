/*
 * runbook: reads the markdown documents teams already keep (disaster
 * recovery plans, on-call procedures, in English and Russian) into
 * runbooks -> steps -> commands, time boxes, expected results, checklists.
 *
 * Pure: text in, structs out, no I/O; every string is raw text from the
 * file (sanitize before display). Never fails as a whole: what cannot be
 * read becomes a lint message with its line.
 */
#ifndef SITREP_RUNBOOK_H
#define SITREP_RUNBOOK_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define RUNBOOK_MAX_SIZE (8 * 1024 * 1024)

struct runbook_command {
	char *text;		/* what runs: for "ssh HOST 'cmd'" lines, just cmd */
	char *raw;		/* the line(s) as written */
	char *host;		/* HOST of an "ssh [user@]HOST ..." line, or NULL */
	char *user;		/* its user, or NULL */
	int line;
	int destructive;	/* needs the host name typed to run */
	struct strv placeholders;	/* "<latest_timestamp>", "$TIMESTAMP", "YYYY-MM-DD" */
};

struct runbook_step {
	int number;		/* as written; 0 when unnumbered */
	char *title;
	int line;
	int64_t timebox_s;	/* 0: none; for a range, its lower end */
	int64_t timebox_max_s;	/* the upper end of a range, else == timebox_s */
	char *text;		/* the step's prose, joined, without code */
	struct runbook_command *commands;
	size_t ncommands;
	struct strv expected;	/* "# Expected: ..." and "Expected: ..." */
	struct strv checklist;	/* "- [ ] item" */
};

struct runbook {
	char *title;		/* "Gateway down" (without "Runbook 2:") */
	char *heading;		/* the heading as written */
	int line;
	int level;		/* heading level (1-6) */
	int64_t total_s;	/* Total Time / MTTR / Estimated Recovery Time */
	int64_t total_max_s;
	char *symptoms;		/* **Symptoms:** / **Detection:** / **When to use:** text */
	struct strv checklist;	/* checklist items outside steps */
	struct runbook_step *steps;
	size_t nsteps;
	struct runbook_step *attached;	/* Rollback, Troubleshooting: its parts, not steps */
	size_t nattached;
};

enum lint_level {
	LINT_WARNING,		/* something the author should fix */
	LINT_ERROR,		/* the document cannot be read as meant */
	LINT_NOTE,		/* for information only: nothing to fix */
};

struct lint_msg {
	int line;
	enum lint_level level;
	char *text;
};

struct runbook_doc {
	char *path;
	char *title;		/* the document's first heading, or NULL */
	struct runbook *runbooks;
	size_t nrunbooks;
	struct lint_msg *lint;
	size_t nlint;
};

/*
 * Parses a document. Always fills doc (possibly with no runbook); returns
 * the number of LINT_ERROR messages. Messages that say the same thing on
 * several lines are one message, at the first line, with the count and
 * the lines.
 */
int runbook_parse(const char *text, size_t len, const char *path, struct runbook_doc *doc);
void runbook_doc_free(struct runbook_doc *);

/*
 * Reads a time box anywhere in s: "(5 min)", "(30 min - 2 hours)",
 * "10 minutes", "1 hour", "2-4 hours", "5 минут", "1 час", "4 часа",
 * "1h30m". Returns 0 and sets min/max seconds (equal unless a range), or -1.
 */
int runbook_parse_timebox(const char *s, int64_t *min_s, int64_t *max_s);

/* Nonzero for commands that destroy or stop things (rm -rf, FLUSHALL, DROP,
 * prune, down, stop, restore, mv of data directories, dd, mkfs, ...). */
int runbook_is_destructive(const char *command);
/* Why a command is destructive ("rm with -r", "pipes into a shell"), or NULL. */
const char *runbook_destructive_reason(const char *command);

/* Adds the placeholders found in a command to out (each once). */
void runbook_find_placeholders(const char *command, struct strv *out);
/*
 * A copy of command with each placeholder names[i] replaced by values[i].
 * A value is data: it arrives as one literal word (or part of the word the
 * placeholder sits in), quoted for the quotes around it, unless the
 * placeholder is raw ("<name:raw>"), whose value is shell code as typed.
 */
char *runbook_fill_placeholders(const char *command, const struct strv *names,
    const struct strv *values);
/* Nonzero for a raw placeholder, "<name:raw>". */
int runbook_placeholder_is_raw(const char *name);

/* What a placeholder names, by its words: the console offers the host's names. */
enum placeholder_kind {
	PLACEHOLDER_TEXT,
	PLACEHOLDER_CONTAINER,	/* <container>, <container_name>, $CONTAINER */
	PLACEHOLDER_UNIT,	/* <unit>, <service>, $SERVICE_NAME */
};
enum placeholder_kind runbook_placeholder_kind(const char *name);

struct conf;
/*
 * The host a command runs on, as an index into c's hosts: the host its
 * "ssh HOST cmd" line names (host, by name, else by address), else
 * fallback. -1 when the named host is not in the fleet: a command never
 * runs on a machine other than the one the runbook names. The console and
 * "incident run" both ask here.
 */
int runbook_command_host(const struct conf *c, const char *host, int fallback);

#endif
