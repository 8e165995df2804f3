/*
 * library: the runbooks sitrep knows, from the files given on the command
 * line, $XDG_CONFIG_HOME/sitrep/runbooks/, and the shipped ones
 * ($(datadir)/sitrep/runbooks, or the source tree when run from it).
 */
#ifndef SITREP_LIBRARY_H
#define SITREP_LIBRARY_H

#include "runbook.h"
#include "snapshot.h"

struct library {
	struct runbook_doc *docs;
	size_t ndocs;
};

struct runbook_ref {
	const struct runbook_doc *doc;
	const struct runbook *rb;
	size_t doc_index, rb_index;
};

/* Loads every *.md of the search path plus extra files (errors become lint). */
int library_load(struct library *, const struct strv *extra, char **cause);
void library_free(struct library *);
/* The directories searched, in order (for messages and the man page). */
void library_dirs(struct strv *out);
/*
 * Finds a runbook by "N" (its number in 'runbook list'), "FILE#N", or a
 * case-insensitive part of its title. 0 found, -1 with *cause.
 */
int library_find(const struct library *, const char *spec, struct runbook_ref *, char **cause);
/* The triage runbook (triage.md), or -1. */
int library_triage(const struct library *, struct runbook_ref *);
/* Number of runbooks, and the i-th in list order. */
size_t library_count(const struct library *);
int library_nth(const struct library *, size_t i, struct runbook_ref *);
/* The items of a checklist view of a runbook: checklist items, or step titles. */
void library_checklist(const struct runbook *, struct strv *items);
/*
 * Suggests runbooks for the fleet's state: indexes into list order, best
 * first, with a reason each. Returns the number written (at most max).
 */
size_t library_suggest(const struct library *, struct host_snapshot **snaps, size_t nsnaps,
    size_t *out, char **reasons, size_t max);

#endif
