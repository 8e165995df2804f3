/*
 * render: snapshots as JSON (sitrep status --json) and as plain text lines
 * (sitrep status, sitrep hosts). The JSON schema is in sitrep(1).
 */
#ifndef SITREP_RENDER_H
#define SITREP_RENDER_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "snapshot.h"

/* One host as a JSON object; strings are redacted but otherwise raw. */
cJSON *render_host_json(const struct host_snapshot *, int64_t now_mono);
/*
 * Adds a string to a JSON object as machine readers want it: secrets
 * redacted, valid UTF-8 (invalid bytes as U+FFFD), otherwise raw; NULL is null.
 */
void render_json_str(cJSON *, const char *key, const char *);
/* One host as text lines (sanitized): the host line, then items not OK (all with verbose). */
void render_host_text(FILE *, const struct host_snapshot *, int64_t now_mono, int verbose);
/* "3s", "2m05s", or "-" without data. */
void render_age(char *, size_t, const struct host_snapshot *, int64_t now_mono);

#endif
