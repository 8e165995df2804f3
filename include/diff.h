/*
 * diff: what changed on a host between two snapshots, as timeline events
 * (container restarted / stopped / unhealthy / recovered, a check or a
 * health endpoint flipped, a disk or memory threshold crossed, host lost or
 * back, host key problems). Pure.
 */
#ifndef SITREP_DIFF_H
#define SITREP_DIFF_H

#include <stddef.h>

#include "snapshot.h"

struct change {
	char *kind;		/* lost, back, key, restarted, stopped, unhealthy, recovered, ... */
	char *text;		/* in words, raw (sanitized when shown) */
	int bad;		/* a problem (not a recovery): may start an incident */
};

/* Appends the changes from old to new; returns how many. old may be NULL. */
size_t diff_snapshots(const struct host_snapshot *old, const struct host_snapshot *new,
    struct change **out, size_t *n);
void changes_free(struct change *, size_t);

#endif
