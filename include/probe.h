/*
 * probe: the read-only script a host runs each cycle, and the pure parsers
 * that turn its output into a host_data.
 *
 * The script prints every section after a marker line
 * "@@sitrep:NONCE:NAME", where NONCE is fresh each cycle so nothing a host
 * prints can forge a section. One script, one round trip on a warm session.
 */
#ifndef SITREP_PROBE_H
#define SITREP_PROBE_H

#include <stddef.h>

#include "conf.h"
#include "snapshot.h"

#define PROBE_MAX_LINE (1024 * 1024)
#define PROBE_MAX_ITEMS 4096
#define PROBE_CHECK_OUTPUT 4096

struct probe_opts {
	int with_stats;		/* docker stats this cycle (slow: not every cycle) */
	int budget_s;		/* per-command time limit on the host */
	int engine_api;		/* the containers come from the engine's API, not its CLI */
	int no_disk;		/* df and the CPU count left out: processes (see probe_carry) */
};

/* What a cycle's output tells the worker alone: never in a snapshot. */
struct probe_found {
	char *engine_socket;	/* where the engine's API listens, or NULL */
	char *stats;		/* docker stats lines, for the containers the engine lists */
};
void probe_found_clear(struct probe_found *);

/* The script for one cycle; its last line prints the "end" marker. */
char *probe_script(const struct host_conf *, const char *nonce, const struct probe_opts *);
/* The command that prints the last n lines of a container's or unit's log. */
char *probe_logs_command(const struct host_conf *, const char *name, int is_unit, int lines);
/* Fills nonce (>= 17 bytes) with 16 random hex digits. */
void probe_nonce(char *nonce);

/*
 * Splits the output of probe_script() into sections and parses each into
 * data. Sections that fail to parse leave their part UNKNOWN with a reason;
 * nothing here fails as a whole. Returns 0, or -1 when the end marker is
 * missing (the cycle did not complete).
 */
int probe_parse(const char *out, size_t len, const char *nonce,
    const struct host_conf *, struct host_data *data);
/* The line that ends the script's output: what the transport reads up to. */
char *probe_end_marker(const char *nonce);
/*
 * probe_parse() of output read up to the end marker, which the transport
 * left out; what is for the worker alone goes into found.
 */
int probe_parse_finished(const char *out, size_t len, const char *nonce,
    const struct host_conf *, struct host_data *data, struct probe_found *found);
/* A cycle that left out df (no_disk) keeps prev's disks and CPU count. */
void probe_carry(struct host_data *d, const struct host_data *prev);

/* Section parsers: pure, bounded, and tolerant of garbage. -1 with *cause. */
int probe_parse_docker_ps_line(const char *line, size_t len, struct container *, char **cause);
/* Merges one inspect line (the template of probe_script) into the matching container. */
int probe_parse_docker_inspect_line(const char *line, size_t len,
    struct container *, size_t n, char **cause);
int probe_parse_docker_stats_line(const char *line, size_t len,
    struct container *, size_t n, char **cause);
int probe_parse_df(const char *text, size_t len, struct disk **disks, size_t *n, char **cause);
int probe_parse_df_inodes(const char *text, size_t len, struct disk *disks, size_t n, char **cause);
int probe_parse_loadavg(const char *text, size_t len, double load[3], char **cause);
int probe_parse_meminfo(const char *text, size_t len, uint64_t *total_kb, uint64_t *avail_kb,
    uint64_t *swap_total_kb, uint64_t *swap_free_kb, char **cause);
int probe_parse_uptime(const char *text, size_t len, double *uptime_s, char **cause);
int probe_parse_systemd(const char *text, size_t len, struct unit_status **units, size_t *n,
    char **cause);
/* The engine API's container list (GET /containers/json): a JSON array. */
int probe_parse_docker_api_list(const char *json, size_t len, struct container **out, size_t *n,
    char **cause);
/*
 * One event of the engine's /events stream (a JSON object): 1 with *id
 * (hex) when it names a container whose state may have moved, 0 when it is
 * no such event (exec, attach, another type), -1 with *cause.
 */
int probe_parse_engine_event(const char *line, size_t len, char **id, char **cause);
/* Merges docker stats lines (probe_found's stats; NULL: none) into d's containers. */
void probe_apply_stats(const char *stats, struct host_data *d);
/* Docker's "2026-11-21T23:16:54.123456789Z" and podman's "2026-11-21 23:16:54.1 +0000 UTC". */
int probe_parse_time(const char *, int64_t *ms);

#endif
