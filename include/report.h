/*
 * report: an incident as a markdown report, and reliability figures across
 * incidents. Deterministic for the same store; everything in it is
 * sanitized and escaped so that it renders as CommonMark and carries no
 * control character, HTML or table-breaking pipe from the data.
 */
#ifndef SITREP_REPORT_H
#define SITREP_REPORT_H

#include <cjson/cJSON.h>

#include "conf.h"
#include "store.h"
#include "util.h"

#define REPORT_OUTPUT_EXCERPT 2048	/* bytes of command output in the report */

int report_markdown(struct store *, const struct conf *, int64_t id, char **out, char **cause);

/* Escapes untrusted text for inline markdown (one line; table-safe). */
char *md_inline(const char *);
/* A fenced code block that its content cannot close. */
void md_code_block(struct buf *, const char *text, size_t len, const char *info);

struct stats_opts {
	int64_t since;		/* 0: all */
	int json;
};
/* Writes the figures across incidents as text or JSON into out. */
int stats_compute(struct store *, const struct conf *, const struct stats_opts *, char **out,
    char **cause);

#endif
