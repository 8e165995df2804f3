/*
 * store: SQLite persistence for incidents and the fleet log. See store.h.
 *
 * Every write the console makes is one BEGIN IMMEDIATE transaction that
 * commits before anything is drawn as recorded; synchronous=FULL makes a
 * commit survive power loss, not only a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "db.h"
#include "sanitize.h"
#include "store.h"


/*
 * Why writing the store may have failed, in the operator's words: SQLite's
 * "disk I/O error" on a full disk, or "unable to open" on a read-only one,
 * does not say it. Empty when nothing obvious is wrong.
 */
static const char *
store_hint(const char *path)
{
	char *dir = xstrdup(path ? path : ".");
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir)
		*slash = '\0';
	struct statvfs sv;
	const char *hint = "";
	/* a pseudo file system (procfs) has no blocks: "full" would blame the disk */
	if (statvfs(dir, &sv) == 0 && sv.f_blocks > 0) {
		if (sv.f_flag & ST_RDONLY)
			hint = " (the store is on a read-only file system)";
		else if (sv.f_bavail < 16)
			hint = " (the disk holding the store is full)";
	}
	free(dir);
	return hint;
}

static const char *const milestone_names[MS_COUNT] = {
	"started", "detected", "triage started", "triage done", "mitigated", "restored", "resolved"
};
static const char *const milestone_keys[MS_COUNT] = {
	"started", "detected", "triage_started", "triage_done", "mitigated", "restored", "resolved"
};

const char *
milestone_name(enum milestone m)
{
	return (unsigned)m < MS_COUNT ? milestone_names[m] : "?";
}

const char *
milestone_key(enum milestone m)
{
	return (unsigned)m < MS_COUNT ? milestone_keys[m] : "?";
}

int
milestone_from_key(const char *k)
{
	for (int i = 0; i < MS_COUNT; i++)
		if (strcmp(k, milestone_keys[i]) == 0 || strcmp(k, milestone_names[i]) == 0)
			return i;
	return -1;
}

/* Each entry migrates from version i to i + 1. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE incident ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),"
	"  status TEXT NOT NULL DEFAULT 'open',"
	"  drill INTEGER NOT NULL DEFAULT 0,"
	"  users_impacted INTEGER NOT NULL DEFAULT -1,"
	"  business_impact TEXT,"
	"  hosts TEXT, services TEXT, reporter TEXT,"
	"  rto_s INTEGER NOT NULL DEFAULT 0, rpo_s INTEGER NOT NULL DEFAULT 0,"
	"  runbook_path TEXT, runbook_title TEXT,"
	"  opened_at INTEGER NOT NULL,"
	"  started_at INTEGER, detected_at INTEGER, triage_started_at INTEGER,"
	"  triage_done_at INTEGER, mitigated_at INTEGER, restored_at INTEGER, resolved_at INTEGER,"
	"  data_loss_s INTEGER NOT NULL DEFAULT -1,"
	"  summary TEXT, impact TEXT, root_cause TEXT, resolution TEXT, prevention TEXT,"
	"  went_well TEXT, needs_improvement TEXT);"
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER REFERENCES incident(id),"
	"  at INTEGER NOT NULL,"
	"  source TEXT NOT NULL, kind TEXT NOT NULL, host TEXT, text TEXT NOT NULL);"
	"CREATE INDEX event_by_incident ON event(incident_id, id);"
	"CREATE INDEX event_by_time ON event(at);"
	"CREATE TABLE tick ("
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  list TEXT NOT NULL, item_index INTEGER NOT NULL, item TEXT NOT NULL,"
	"  checked INTEGER NOT NULL, at INTEGER NOT NULL, operator TEXT,"
	"  PRIMARY KEY (incident_id, list, item_index));"
	"CREATE TABLE step_run ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  runbook TEXT, step_index INTEGER NOT NULL, number INTEGER NOT NULL, title TEXT NOT NULL,"
	"  timebox_s INTEGER NOT NULL DEFAULT 0, timebox_max_s INTEGER NOT NULL DEFAULT 0,"
	"  started_at INTEGER NOT NULL, ended_at INTEGER,"
	"  outcome TEXT NOT NULL DEFAULT 'running', note TEXT);"
	"CREATE INDEX step_by_incident ON step_run(incident_id, id);"
	"CREATE TABLE command_run ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  step_run_id INTEGER REFERENCES step_run(id),"
	"  host TEXT NOT NULL, command TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL, ended_at INTEGER,"
	"  exit_status INTEGER NOT NULL DEFAULT -1, duration_ms INTEGER NOT NULL DEFAULT 0,"
	"  output BLOB, output_total INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'running', error TEXT);"
	"CREATE INDEX command_by_incident ON command_run(incident_id, id);"
	"CREATE TABLE action_item ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  text TEXT NOT NULL, owner TEXT, kind TEXT);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id INTEGER REFERENCES event(id),"
	"  target TEXT NOT NULL, payload TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER NOT NULL, delivered_at INTEGER, last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(delivered_at, next_at);",
	/* 1 -> 2: who did it, on every event (several operators share a store) */
	"ALTER TABLE event ADD COLUMN operator TEXT;"
	"ALTER TABLE step_run ADD COLUMN operator TEXT;",
	/* 2 -> 3: actions applied once (by their key), and the local outbox of
	 * actions waiting for a shared store that is away */
	"CREATE TABLE applied (key TEXT PRIMARY KEY, at INTEGER NOT NULL);"
	"CREATE TABLE pending ("
	"  seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, store TEXT NOT NULL,"
	"  incident_id INTEGER NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,"
	"  operator TEXT, list TEXT, value INTEGER NOT NULL DEFAULT 0,"
	"  checked INTEGER NOT NULL DEFAULT 0, text TEXT);",
};

/* Adds to the error just recorded why a SQLite file may have failed (a full disk); -1. */
static int
with_hint(struct store *s, char **cause)
{
	if (s->kind == DB_SQLITE && store_hint(s->path)[0] != '\0') {
		char *e = xasprintf("%s%s", s->error, store_hint(s->path));
		free(s->error);
		s->error = e;
		set_cause(cause, "%s", e);
	}
	return -1;
}

static int
fail(struct store *s, char **cause, const char *what)
{
	db_fail(s, cause, what);
	return with_hint(s, cause);
}

static int
exec_sql(struct store *s, const char *sql, char **cause)
{
	return db_exec(s, sql, cause) == 0 ? 0 : with_hint(s, cause);
}

/* One integer from a query (a pragma, a count), or -1 after a cause. */
static int
query_int(struct store *s, const char *sql, int *v, char **cause)
{
	struct stmt *st = db_prepare(s, sql, cause);
	if (st == NULL)
		return -1;
	*v = 0;
	int rc = st_step(st);
	if (rc == ST_ROW)
		*v = (int)st_int64(st, 0);
	st_finalize(st);
	return rc == ST_ROW ? 0 : fail(s, cause, sql);
}

/*
 * The application id, the schema version, how many objects the database
 * holds and how many of them are sitrep's tables: SQLite keeps the first
 * two in its header, PostgreSQL in the sitrep_schema table.
 */
static int
read_header(struct store *s, int *app, int *version, int *objects, int *ours, char **cause)
{
	*app = *version = 0;
	if (s->kind == DB_SQLITE)
		return query_int(s, "PRAGMA application_id", app, cause) == -1 ||
		    query_int(s, "PRAGMA user_version", version, cause) == -1 ||
		    query_int(s, "SELECT count(*) FROM sqlite_master", objects, cause) == -1 ||
		    query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
		    "name IN ('incident', 'event', 'outbox')", ours, cause) == -1 ? -1 : 0;
	const char *tables = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()";
	if (query_int(s, tables, objects, cause) == -1 ||
	    query_int(s, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
	    "AND tablename IN ('incident', 'event', 'outbox')", ours, cause) == -1)
		return -1;
	int has = 0;
	if (query_int(s, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
	    "AND tablename = 'sitrep_schema'", &has, cause) == -1)
		return -1;
	if (has && (query_int(s, "SELECT max(application_id) FROM sitrep_schema", app,
	    cause) == -1 || query_int(s, "SELECT max(version) FROM sitrep_schema", version,
	    cause) == -1))
		return -1;
	*objects -= has;
	return 0;
}

/*
 * What the database is: 1 a sitrep store (its version in *version), 0 an
 * empty database, -1 after a cause (another application's database, a
 * damaged or a newer store). SQLite stores written before the application
 * id was set are known by their tables and taken as sitrep's.
 */
static int
identify_in(struct store *s, int *version, int *current, char **cause)
{
	int app, objects = 0, ours = 0;
	*current = 0;
	if (read_header(s, &app, version, &objects, &ours, cause) == -1)
		return -1;
	const char *what = s->kind == DB_PG ? "PostgreSQL" : "SQLite";
	if (app != 0 && app != STORE_APPLICATION_ID)
		return set_cause(cause, "not a sitrep store (application id 0x%08x, another "
		    "program's database): not changed", (unsigned)app);
	if (app == 0 && objects == 0 && *version == 0)
		return 0;
	if (app == 0 && (ours != 3 || *version <= 0))
		return set_cause(cause, "not a sitrep store (a %s database with %d other "
		    "%s%s): not changed", what, objects, s->kind == DB_PG ? "table" : "object",
		    objects == 1 ? "" : "s");
	if (*version <= 0)
		return set_cause(cause, "damaged store: schema version %d", *version);
	if (*version > (int)nitems(migrations))
		return set_cause(cause, "the store has schema version %d, newer than this sitrep "
		    "understands (%d): upgrade sitrep", *version, (int)nitems(migrations));
	*current = app == STORE_APPLICATION_ID && *version == (int)nitems(migrations);
	return 1;
}

/* The header and the schema are read in one transaction, so a store being
 * created by another sitrep is seen before or after, never half-made. */
static int
identify(struct store *s, int *version, int *current, char **cause)
{
	if (db_in_transaction(s))
		return identify_in(s, version, current, cause);
	if (exec_sql(s, "BEGIN", cause) == -1)
		return -1;
	int rc = identify_in(s, version, current, cause);
	db_exec(s, rc == -1 ? "ROLLBACK" : "COMMIT", NULL);
	return rc;
}

/* Runs migration v in the store's dialect; records the version reached. */
static int
migrate_one(struct store *s, int v, char **cause)
{
	if (s->kind == DB_SQLITE)
		return exec_sql(s, migrations[v], cause);
	char *ddl = db_pg_ddl(migrations[v]);
	int rc = exec_sql(s, ddl, cause);
	free(ddl);
	return rc;
}

static int
set_version(struct store *s, char **cause)
{
	char *sql = s->kind == DB_SQLITE ?
	    xasprintf("PRAGMA user_version = %d; PRAGMA application_id = %d",
	    (int)nitems(migrations), STORE_APPLICATION_ID) :
	    xasprintf("CREATE TABLE IF NOT EXISTS sitrep_schema (application_id BIGINT NOT NULL, "
	    "version BIGINT NOT NULL); DELETE FROM sitrep_schema; "
	    "INSERT INTO sitrep_schema VALUES (%d, %d)", STORE_APPLICATION_ID,
	    (int)nitems(migrations));
	int rc = exec_sql(s, sql, cause);
	free(sql);
	return rc;
}

/*
 * Brings the schema to the current version. The version is read again
 * inside the write transaction: two sitreps creating one store at once
 * serialise (SQLite on BEGIN IMMEDIATE, PostgreSQL on an advisory lock
 * held to the commit), and the second finds the work done.
 */
static int
migrate(struct store *s, char **cause)
{
	if (store_begin(s, cause) == -1)
		return -1;
	int version, current;
	if ((s->kind == DB_PG && exec_sql(s, "SELECT pg_advisory_xact_lock(1398035024)",
	    cause) == -1) || identify(s, &version, &current, cause) == -1) {
		store_rollback(s);
		return -1;
	}
	if (current)
		return store_commit(s, cause);
	for (int v = version; v < (int)nitems(migrations); v++) {
		if (migrate_one(s, v, cause) == -1) {
			store_rollback(s);
			return -1;
		}
	}
	if (set_version(s, cause) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, cause);
}

/* A store path names a file: not SQLite's temporary or in-memory database. */
static int
check_path(const char *path, int readonly, char **cause)
{
	if (path == NULL || path[0] == '\0')
		return set_cause(cause, "the store path is empty: --db or 'db' must name a file "
		    "or a postgresql:// database");
	if (db_is_pg(path))
		return 0;
	if (strcmp(path, ":memory:") == 0)
		return set_cause(cause, "':memory:' is not a store: nothing would be kept; "
		    "--db or 'db' must name a file");
	struct stat sb;
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT)
			return set_cause(cause, "%s: %s", path, strerror(errno));
		if (readonly)
			return set_cause(cause, "%s: no incident store here yet (nothing has "
			    "been recorded)", path);
		return 0;
	}
	if (!S_ISREG(sb.st_mode))
		return set_cause(cause, "%s: not a regular file (%s): a store is a file", path,
		    S_ISDIR(sb.st_mode) ? "a directory" : S_ISFIFO(sb.st_mode) ? "a FIFO" :
		    S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device" : "a special file");
	struct statvfs sv;
	if (statvfs(path, &sv) == 0 && sv.f_blocks == 0)
		return set_cause(cause, "%s: on a pseudo file system (such as /proc): a store "
		    "is a file on a disk", path);
	return 0;
}

/* Opens the SQLite file (its directory made when writing); -1 after *cause. */
static int
open_sqlite(struct store *s, const char *path, char **cause)
{
	if (!s->readonly) {
		char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');
		int rc = 0;
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			rc = mkdir_p(dir, cause);
		}
		free(dir);
		if (rc == -1)
			return -1;
	}
	int flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK)
		return set_cause(cause, "%s: %s%s", path, s->db ? sqlite3_errmsg(s->db) :
		    "cannot open", store_hint(path));
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	return 0;
}

int
store_open(const char *path, int readonly, struct store **sp, char **cause)
{
	*sp = NULL;
	if (check_path(path, readonly, cause) == -1)
		return -1;
	struct store *s = xcalloc(1, sizeof *s);
	s->readonly = readonly;
	s->kind = db_is_pg(path) ? DB_PG : DB_SQLITE;
	s->path = db_display(path);
	int kind = s->kind == DB_PG ? db_pg_connect(s, path, cause) :
	    open_sqlite(s, path, cause);
	if (kind == -1) {
		if (s->kind == DB_PG) {
			char *why = cause && *cause ? xstrdup(*cause) : xstrdup("cannot connect");
			set_cause(cause, "%s: %s", s->path, why);
			free(why);
		}
		store_close(&s);
		return -1;
	}
	/* nothing is changed (not even the journal mode) before the database is known */
	int version, current;
	kind = identify(s, &version, &current, cause);
	if (kind == 0 && readonly)
		kind = set_cause(cause, "no incident store here yet (nothing has been recorded)");
	else if (kind == 1 && readonly && version != STORE_SCHEMA_VERSION)
		kind = set_cause(cause, "schema version %d: open it once read-write (any "
		    "recording command) to upgrade it", version);
	if (kind != -1 && !readonly && s->kind == DB_SQLITE && exec_sql(s,
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
	    cause) == -1)
		kind = -1;
	if (kind != -1 && !readonly && !current && migrate(s, cause) == -1)
		kind = -1;
	if (kind == -1) {
		char *why = cause && *cause ? xstrdup(*cause) : xstrdup("cannot prepare");
		set_cause(cause, "%s: %s", s->path, why);
		free(why);
		store_close(&s);
		return -1;
	}
	*sp = s;
	return 0;
}

void
store_close(struct store **sp)
{
	struct store *s = *sp;
	*sp = NULL;
	if (s == NULL)
		return;
	if (s->db != NULL)
		sqlite3_close_v2(s->db);
#ifdef HAVE_LIBPQ
	if (s->pg != NULL)
		PQfinish(s->pg);
#endif
	free(s->error);
	free(s->path);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

int
store_wait_fd(struct store *s)
{
#ifdef HAVE_LIBPQ
	if (s->kind == DB_PG && s->pg != NULL)
		return PQsocket(s->pg);
#endif
	return -1;
}

void
store_set_nonblocking(struct store *s)
{
#ifdef HAVE_LIBPQ
	s->nonblocking = 1;
#else
	(void)s;
#endif
}

int
store_is_shared(const struct store *s)
{
	return s->kind == DB_PG;
}

const char *
store_name(const struct store *s)
{
	return s->path;
}

int
store_is_readonly(const struct store *s)
{
	return s->readonly;
}

const char *
store_error(const struct store *s)
{
	return s->error ? s->error : "";
}

int
store_begin(struct store *s, char **cause)
{
	if (s->readonly)
		return set_cause(cause, "the store is open read-only");
	return exec_sql(s, s->kind == DB_PG ? "BEGIN" : "BEGIN IMMEDIATE", cause);
}

int
store_commit(struct store *s, char **cause)
{
	/* PostgreSQL delivers the notification to every follower at the commit */
	if ((s->kind == DB_PG && exec_sql(s, "NOTIFY sitrep", cause) == -1) ||
	    exec_sql(s, "COMMIT", cause) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	if (db_in_transaction(s))
		db_exec(s, "ROLLBACK", NULL);
}

int64_t
store_data_version(struct store *s)
{
	if (s->kind == DB_PG)
		return db_pg_version(s);
	int v;
	return query_int(s, "PRAGMA data_version", &v, NULL) == 0 ? v : -1;
}

/* --- binding helpers ------------------------------------------------------------ */

static void
bind_text(struct stmt *st, int i, const char *v)
{
	if (v == NULL)
		st_bind_null(st, i);
	else {
		/* secrets never reach the store */
		char *r = sanitize_redact(v, strlen(v));
		st_bind_text(st, i, r);
		free(r);
	}
}

static void
bind_time(struct stmt *st, int i, int64_t v)
{
	if (v <= 0)
		st_bind_null(st, i);
	else
		st_bind_int64(st, i, v);
}

static struct stmt *
prepare(struct store *s, const char *sql, char **cause)
{
	return db_prepare(s, sql, cause);
}

/* Steps a write statement; returns the new row id (or 0), or -1. */
static int64_t
run_write(struct store *s, struct stmt *st, char **cause)
{
	int rc = st_step(st);
	int64_t id = rc == ST_DONE || rc == ST_ROW ? st_insert_id(st) : -1;
	if (rc == ST_ERROR)
		fail(s, cause, "write");
	st_finalize(st);
	return id;
}

/* --- incidents -------------------------------------------------------------------- */

#define INCIDENT_COLUMNS \
	"id, title, severity, status, drill, users_impacted, business_impact, hosts, " \
	"services, reporter, rto_s, rpo_s, runbook_path, runbook_title, opened_at, " \
	"started_at, detected_at, triage_started_at, triage_done_at, mitigated_at, " \
	"restored_at, resolved_at, data_loss_s, summary, impact, root_cause, resolution, " \
	"prevention, went_well, needs_improvement"

static void
bind_incident(struct stmt *st, const struct incident *in)
{
	bind_text(st, 1, in->title ? in->title : "");
	st_bind_int64(st, 2, in->severity);
	bind_text(st, 3, in->status ? in->status : "open");
	st_bind_int64(st, 4, in->drill);
	st_bind_int64(st, 5, in->users_impacted);
	bind_text(st, 6, in->business_impact);
	bind_text(st, 7, in->hosts);
	bind_text(st, 8, in->services);
	bind_text(st, 9, in->reporter);
	st_bind_int64(st, 10, in->rto_s);
	st_bind_int64(st, 11, in->rpo_s);
	bind_text(st, 12, in->runbook_path);
	bind_text(st, 13, in->runbook_title);
	st_bind_int64(st, 14, in->opened_at);
	for (int m = 0; m < MS_COUNT; m++)
		bind_time(st, 15 + m, in->ms[m]);
	st_bind_int64(st, 22, in->data_loss_s);
	bind_text(st, 23, in->summary);
	bind_text(st, 24, in->impact);
	bind_text(st, 25, in->root_cause);
	bind_text(st, 26, in->resolution);
	bind_text(st, 27, in->prevention);
	bind_text(st, 28, in->went_well);
	bind_text(st, 29, in->needs_improvement);
}

int64_t
store_incident_insert(struct store *s, const struct incident *in, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO incident (title, severity, status, drill, "
	    "users_impacted, business_impact, hosts, services, reporter, rto_s, rpo_s, "
	    "runbook_path, runbook_title, opened_at, started_at, detected_at, triage_started_at, "
	    "triage_done_at, mitigated_at, restored_at, resolved_at, data_loss_s, summary, impact, "
	    "root_cause, resolution, prevention, went_well, needs_improvement) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cause);
	if (st == NULL)
		return -1;
	bind_incident(st, in);
	return run_write(s, st, cause);
}

int
store_incident_update(struct store *s, const struct incident *in, char **cause)
{
	struct stmt *st = prepare(s, "UPDATE incident SET title=?1, severity=?2, status=?3, "
	    "drill=?4, users_impacted=?5, business_impact=?6, hosts=?7, services=?8, reporter=?9, "
	    "rto_s=?10, rpo_s=?11, runbook_path=?12, runbook_title=?13, opened_at=?14, "
	    "started_at=?15, detected_at=?16, triage_started_at=?17, triage_done_at=?18, "
	    "mitigated_at=?19, restored_at=?20, resolved_at=?21, data_loss_s=?22, summary=?23, "
	    "impact=?24, root_cause=?25, resolution=?26, prevention=?27, went_well=?28, "
	    "needs_improvement=?29 WHERE id=?30", cause);
	if (st == NULL)
		return -1;
	bind_incident(st, in);
	st_bind_int64(st, 30, in->id);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

static void
read_incident(struct stmt *st, struct incident *in)
{
	memset(in, 0, sizeof *in);
	in->id = st_int64(st, 0);
	in->title = st_text(st, 1);
	in->severity = (int)st_int64(st, 2);
	in->status = st_text(st, 3);
	in->drill = (int)st_int64(st, 4);
	in->users_impacted = (int)st_int64(st, 5);
	in->business_impact = st_text(st, 6);
	in->hosts = st_text(st, 7);
	in->services = st_text(st, 8);
	in->reporter = st_text(st, 9);
	in->rto_s = st_int64(st, 10);
	in->rpo_s = st_int64(st, 11);
	in->runbook_path = st_text(st, 12);
	in->runbook_title = st_text(st, 13);
	in->opened_at = st_int64(st, 14);
	for (int m = 0; m < MS_COUNT; m++)
		in->ms[m] = st_int64(st, 15 + m);
	in->data_loss_s = st_int64(st, 22);
	in->summary = st_text(st, 23);
	in->impact = st_text(st, 24);
	in->root_cause = st_text(st, 25);
	in->resolution = st_text(st, 26);
	in->prevention = st_text(st, 27);
	in->went_well = st_text(st, 28);
	in->needs_improvement = st_text(st, 29);
}

int
store_incident_get(struct store *s, int64_t id, struct incident *in, char **cause)
{
	/*
	 * Read inside a write transaction, the incident is locked to its
	 * commit: two operators' changes to one incident on a shared store
	 * happen one after the other, each seeing the other's (SQLite's
	 * BEGIN IMMEDIATE already serialises every write).
	 */
	int lock = s->kind == DB_PG && db_in_transaction(s);
	struct stmt *st = prepare(s, lock ?
	    "SELECT " INCIDENT_COLUMNS " FROM incident WHERE id=? FOR UPDATE" :
	    "SELECT " INCIDENT_COLUMNS " FROM incident WHERE id=?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, id);
	int rc = st_step(st);
	if (rc == ST_ROW)
		read_incident(st, in);
	else if (rc == ST_DONE)
		set_cause(cause, "no incident %lld", (long long)id);
	else
		fail(s, cause, "read");
	st_finalize(st);
	return rc == ST_ROW ? 0 : -1;
}

int
store_incident_open_latest(struct store *s, struct incident *in, char **cause)
{
	struct stmt *st = prepare(s, "SELECT " INCIDENT_COLUMNS " FROM incident "
	    "WHERE status='open' ORDER BY id DESC LIMIT 1", cause);
	if (st == NULL)
		return -1;
	int rc = st_step(st);
	if (rc == ST_ROW)
		read_incident(st, in);
	else if (rc != ST_DONE)
		fail(s, cause, "read");
	st_finalize(st);
	return rc == ST_ROW ? 1 : rc == ST_DONE ? 0 : -1;
}

int
store_incident_list(struct store *s, int64_t since, struct incident **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT " INCIDENT_COLUMNS " FROM incident "
	    "WHERE opened_at >= ? ORDER BY id", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, since);
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		read_incident(st, &(*out)[(*n)++]);
	}
	st_finalize(st);
	if (rc != ST_DONE)
		return fail(s, cause, "read");
	return 0;
}

void
incident_clear(struct incident *in)
{
	free(in->title);
	free(in->business_impact);
	free(in->hosts);
	free(in->services);
	free(in->reporter);
	free(in->runbook_path);
	free(in->runbook_title);
	free(in->status);
	free(in->summary);
	free(in->impact);
	free(in->root_cause);
	free(in->resolution);
	free(in->prevention);
	free(in->went_well);
	free(in->needs_improvement);
	memset(in, 0, sizeof *in);
}

void
incidents_free(struct incident *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		incident_clear(&v[i]);
	free(v);
}

/* --- events ------------------------------------------------------------------------ */

int64_t
store_event_insert(struct store *s, const struct event *e, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO event (incident_id, at, source, kind, host, text, "
	    "operator) VALUES (?,?,?,?,?,?,?)", cause);
	if (st == NULL)
		return -1;
	if (e->incident_id > 0)
		st_bind_int64(st, 1, e->incident_id);
	else
		st_bind_null(st, 1);
	st_bind_int64(st, 2, e->at);
	bind_text(st, 3, e->source);
	bind_text(st, 4, e->kind);
	bind_text(st, 5, e->host);
	bind_text(st, 6, e->text ? e->text : "");
	bind_text(st, 7, e->operator_name);
	return run_write(s, st, cause);
}

static int
read_events(struct store *s, struct stmt *st, struct event **out, size_t *n, char **cause)
{
	int rc;
	size_t cap = 0;
	while ((rc = st_step(st)) == ST_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct event *e = &(*out)[(*n)++];
		e->id = st_int64(st, 0);
		e->incident_id = st_int64(st, 1);
		e->at = st_int64(st, 2);
		e->source = st_text(st, 3);
		e->kind = st_text(st, 4);
		e->host = st_text(st, 5);
		e->text = st_text(st, 6);
		e->operator_name = st_text(st, 7);
	}
	st_finalize(st);
	if (rc != ST_DONE)
		return fail(s, cause, "read");
	return 0;
}

int
store_events(struct store *s, int64_t incident, size_t limit, struct event **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	const char *sql;
	if (limit == 0)
		sql = incident > 0 ?
		    "SELECT id, incident_id, at, source, kind, host, text, operator FROM event "
		    "WHERE incident_id=?1 ORDER BY id" :
		    "SELECT id, incident_id, at, source, kind, host, text, operator FROM event "
		    "WHERE incident_id IS NULL ORDER BY id";
	else
		sql = incident > 0 ?
		    "SELECT * FROM (SELECT id, incident_id, at, source, kind, host, text, operator FROM event "
		    "WHERE incident_id=?1 ORDER BY id DESC LIMIT ?2) AS newest ORDER BY id" :
		    "SELECT * FROM (SELECT id, incident_id, at, source, kind, host, text, operator FROM event "
		    "WHERE incident_id IS NULL ORDER BY id DESC LIMIT ?1) AS newest ORDER BY id";
	struct stmt *st = prepare(s, sql, cause);
	if (st == NULL)
		return -1;
	if (incident > 0)
		st_bind_int64(st, 1, incident);
	if (limit > 0)
		st_bind_int64(st, incident > 0 ? 2 : 1, (int64_t)limit);
	return read_events(s, st, out, n, cause);
}

int
store_event_count(struct store *s, int64_t incident, int64_t *n, char **cause)
{
	struct stmt *st = prepare(s, incident > 0 ?
	    "SELECT count(*) FROM event WHERE incident_id = ?" :
	    "SELECT count(*) FROM event WHERE incident_id IS NULL", cause);
	if (st == NULL)
		return -1;
	if (incident > 0)
		st_bind_int64(st, 1, incident);
	int rc = st_step(st);
	*n = rc == ST_ROW ? st_int64(st, 0) : 0;
	st_finalize(st);
	return rc == ST_ROW ? 0 : fail(s, cause, "read");
}

int
store_fleet_events_since(struct store *s, int64_t since, struct event **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT id, incident_id, at, source, kind, host, text, "
	    "operator FROM event WHERE incident_id IS NULL AND at >= ? ORDER BY id", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, since);
	return read_events(s, st, out, n, cause);
}

int
store_fleet_log_trim(struct store *s, int64_t older_than, char **cause)
{
	struct stmt *st = prepare(s, "DELETE FROM event WHERE incident_id IS NULL AND at < ?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, older_than);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

void
event_clear(struct event *e)
{
	free(e->source);
	free(e->kind);
	free(e->host);
	free(e->text);
	free(e->operator_name);
	memset(e, 0, sizeof *e);
}

void
events_free(struct event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		event_clear(&v[i]);
	free(v);
}

/* --- checklist ticks ---------------------------------------------------------------- */

int
store_tick_set(struct store *s, const struct tick *t, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO tick (incident_id, list, item_index, item, "
	    "checked, at, operator) VALUES (?,?,?,?,?,?,?) ON CONFLICT (incident_id, list, item_index) "
	    "DO UPDATE SET checked=excluded.checked, at=excluded.at, operator=excluded.operator", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, t->incident_id);
	bind_text(st, 2, t->list);
	st_bind_int64(st, 3, t->item_index);
	bind_text(st, 4, t->item ? t->item : "");
	st_bind_int64(st, 5, t->checked);
	st_bind_int64(st, 6, t->at);
	bind_text(st, 7, t->operator_name);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

int
store_ticks(struct store *s, int64_t incident, struct tick **out, size_t *n, char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT incident_id, list, item_index, item, checked, at, "
	    "operator FROM tick WHERE incident_id=? ORDER BY list, item_index", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, incident);
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct tick *t = &(*out)[(*n)++];
		t->incident_id = st_int64(st, 0);
		t->list = st_text(st, 1);
		t->item_index = (int)st_int64(st, 2);
		t->item = st_text(st, 3);
		t->checked = (int)st_int64(st, 4);
		t->at = st_int64(st, 5);
		t->operator_name = st_text(st, 6);
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

void
tick_clear(struct tick *t)
{
	free(t->list);
	free(t->item);
	free(t->operator_name);
	memset(t, 0, sizeof *t);
}

void
ticks_free(struct tick *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tick_clear(&v[i]);
	free(v);
}

/* --- steps -------------------------------------------------------------------------- */

int64_t
store_step_insert(struct store *s, const struct step_run *r, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO step_run (incident_id, runbook, step_index, "
	    "number, title, timebox_s, timebox_max_s, started_at, outcome, operator) "
	    "VALUES (?,?,?,?,?,?,?,?,'running',?)", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, r->incident_id);
	bind_text(st, 2, r->runbook);
	st_bind_int64(st, 3, r->step_index);
	st_bind_int64(st, 4, r->number);
	bind_text(st, 5, r->title ? r->title : "");
	st_bind_int64(st, 6, r->timebox_s);
	st_bind_int64(st, 7, r->timebox_max_s);
	st_bind_int64(st, 8, r->started_at);
	bind_text(st, 9, r->operator_name);
	return run_write(s, st, cause);
}

int
store_step_end(struct store *s, int64_t id, int64_t ended_at, const char *outcome,
    const char *note, char **cause)
{
	struct stmt *st = prepare(s, "UPDATE step_run SET ended_at=?, outcome=?, note=? WHERE id=?",
	    cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, ended_at);
	bind_text(st, 2, outcome);
	bind_text(st, 3, note);
	st_bind_int64(st, 4, id);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

int
store_steps(struct store *s, int64_t incident, struct step_run **out, size_t *n, char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT id, incident_id, runbook, step_index, number, title, "
	    "timebox_s, timebox_max_s, started_at, ended_at, outcome, note, operator FROM step_run "
	    "WHERE incident_id=? ORDER BY id", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, incident);
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct step_run *r = &(*out)[(*n)++];
		r->id = st_int64(st, 0);
		r->incident_id = st_int64(st, 1);
		r->runbook = st_text(st, 2);
		r->step_index = (int)st_int64(st, 3);
		r->number = (int)st_int64(st, 4);
		r->title = st_text(st, 5);
		r->timebox_s = st_int64(st, 6);
		r->timebox_max_s = st_int64(st, 7);
		r->started_at = st_int64(st, 8);
		r->ended_at = st_int64(st, 9);
		r->outcome = st_text(st, 10);
		r->note = st_text(st, 11);
		r->operator_name = st_text(st, 12);
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

void
step_run_clear(struct step_run *r)
{
	free(r->runbook);
	free(r->title);
	free(r->outcome);
	free(r->note);
	free(r->operator_name);
	memset(r, 0, sizeof *r);
}

void
step_runs_free(struct step_run *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		step_run_clear(&v[i]);
	free(v);
}

/* --- commands ----------------------------------------------------------------------- */

int64_t
store_command_insert(struct store *s, const struct command_run *c, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO command_run (incident_id, step_run_id, host, "
	    "command, started_at, status) VALUES (?,?,?,?,?,'running')", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, c->incident_id);
	if (c->step_run_id > 0)
		st_bind_int64(st, 2, c->step_run_id);
	else
		st_bind_null(st, 2);
	bind_text(st, 3, c->host);
	bind_text(st, 4, c->command);
	st_bind_int64(st, 5, c->started_at);
	return run_write(s, st, cause);
}

int
store_command_finish(struct store *s, const struct command_run *c, char **cause)
{
	struct stmt *st = prepare(s, "UPDATE command_run SET ended_at=?, exit_status=?, "
	    "duration_ms=?, output=?, output_total=?, status=?, error=? WHERE id=?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, c->ended_at);
	st_bind_int64(st, 2, c->exit_status);
	st_bind_int64(st, 3, c->duration_ms);
	if (c->output != NULL) {
		/* redacted whole, then cut: the cut never keeps the start of a secret */
		size_t keep;
		char *r = sanitize_redact_max(c->output, c->output_len, STORE_OUTPUT_KEEP, &keep);
		st_bind_blob(st, 4, r, keep);
		free(r);
	} else
		st_bind_null(st, 4);
	st_bind_int64(st, 5, c->output_total);
	bind_text(st, 6, c->status);
	bind_text(st, 7, c->error);
	st_bind_int64(st, 8, c->id);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

int
store_commands(struct store *s, int64_t incident, struct command_run **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT id, incident_id, step_run_id, host, command, "
	    "started_at, ended_at, exit_status, duration_ms, output, output_total, status, error "
	    "FROM command_run WHERE incident_id=? ORDER BY id", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, incident);
	int rc;
	size_t cap = 0;
	while ((rc = st_step(st)) == ST_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct command_run *c = &(*out)[(*n)++];
		memset(c, 0, sizeof *c);
		c->id = st_int64(st, 0);
		c->incident_id = st_int64(st, 1);
		c->step_run_id = st_int64(st, 2);
		c->host = st_text(st, 3);
		c->command = st_text(st, 4);
		c->started_at = st_int64(st, 5);
		c->ended_at = st_int64(st, 6);
		c->exit_status = (int)st_int64(st, 7);
		c->duration_ms = st_int64(st, 8);
		c->output = st_blob(st, 9, &c->output_len);
		c->output_total = st_int64(st, 10);
		c->status = st_text(st, 11);
		c->error = st_text(st, 12);
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

void
command_run_clear(struct command_run *c)
{
	free(c->host);
	free(c->command);
	free(c->output);
	free(c->status);
	free(c->error);
	memset(c, 0, sizeof *c);
}

void
command_runs_free(struct command_run *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		command_run_clear(&v[i]);
	free(v);
}

/* --- action items ------------------------------------------------------------------- */

int64_t
store_action_insert(struct store *s, int64_t incident, const struct action_item *a, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO action_item (incident_id, text, owner, kind) "
	    "VALUES (?,?,?,?)", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, incident);
	bind_text(st, 2, a->text ? a->text : "");
	bind_text(st, 3, a->owner);
	bind_text(st, 4, a->kind);
	return run_write(s, st, cause);
}

int
store_actions(struct store *s, int64_t incident, struct action_item **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT id, text, owner, kind FROM action_item "
	    "WHERE incident_id=? ORDER BY id", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, incident);
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct action_item *a = &(*out)[(*n)++];
		a->id = st_int64(st, 0);
		a->text = st_text(st, 1);
		a->owner = st_text(st, 2);
		a->kind = st_text(st, 3);
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

void
action_item_clear(struct action_item *a)
{
	free(a->text);
	free(a->owner);
	free(a->kind);
	memset(a, 0, sizeof *a);
}

void
action_items_free(struct action_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		action_item_clear(&v[i]);
	free(v);
}

void
incident_record_clear(struct incident_record *r)
{
	events_free(r->ev, r->nev);
	step_runs_free(r->steps, r->nsteps);
	command_runs_free(r->cmds, r->ncmds);
	ticks_free(r->ticks, r->nticks);
	action_items_free(r->actions, r->nactions);
	incident_clear(&r->in);
	memset(r, 0, sizeof *r);
}

int
store_incident_record(struct store *s, int64_t id, struct incident_record *r, char **cause)
{
	memset(r, 0, sizeof *r);
	if (store_incident_get(s, id, &r->in, cause) == -1)
		return -1;
	if (store_events(s, id, 0, &r->ev, &r->nev, cause) == -1 ||
	    store_steps(s, id, &r->steps, &r->nsteps, cause) == -1 ||
	    store_commands(s, id, &r->cmds, &r->ncmds, cause) == -1 ||
	    store_ticks(s, id, &r->ticks, &r->nticks, cause) == -1 ||
	    store_actions(s, id, &r->actions, &r->nactions, cause) == -1) {
		incident_record_clear(r);
		return -1;
	}
	return 0;
}

/* --- outbox ------------------------------------------------------------------------- */

int64_t
store_outbox_insert(struct store *s, int64_t event_id, const char *target, const char *payload,
    int64_t at, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO outbox (event_id, target, payload, created_at, "
	    "next_at) VALUES (?,?,?,?,?)", cause);
	if (st == NULL)
		return -1;
	if (event_id > 0)
		st_bind_int64(st, 1, event_id);
	else
		st_bind_null(st, 1);
	bind_text(st, 2, target);
	/* the payload is built from redacted text already; tokens live in the config only */
	st_bind_text(st, 3, payload);
	st_bind_int64(st, 4, at);
	st_bind_int64(st, 5, at);
	return run_write(s, st, cause);
}

int
store_outbox_done(struct store *s, int64_t id, int64_t at, char **cause)
{
	struct stmt *st = prepare(s, "UPDATE outbox SET delivered_at=?, attempts=attempts+1, "
	    "last_error=NULL WHERE id=?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, at);
	st_bind_int64(st, 2, id);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

int
store_outbox_attempts(struct store *s, int64_t id, int *attempts, char **cause)
{
	struct stmt *st = prepare(s, "SELECT attempts FROM outbox WHERE id=?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, id);
	int rc = st_step(st);
	*attempts = rc == ST_ROW ? (int)st_int64(st, 0) : 0;
	st_finalize(st);
	if (rc != ST_ROW && rc != ST_DONE)
		return fail(s, cause, "outbox attempts");
	return 0;
}

int
store_outbox_retry(struct store *s, int64_t id, int attempts, int64_t next_at, const char *error,
    char **cause)
{
	struct stmt *st = prepare(s, "UPDATE outbox SET attempts=?, next_at=?, last_error=? "
	    "WHERE id=?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, attempts);
	st_bind_int64(st, 2, next_at);
	bind_text(st, 3, error);
	st_bind_int64(st, 4, id);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

int
store_outbox_due(struct store *s, int64_t now, size_t limit, struct outbox_msg **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	/*
	 * A message waits while an earlier one for the same target waits:
	 * each target gets its messages in the order they were queued.
	 */
	struct stmt *st = prepare(s, "SELECT id, event_id, target, payload, attempts, next_at "
	    "FROM outbox o WHERE delivered_at IS NULL AND next_at <= ?1 AND NOT EXISTS "
	    "(SELECT 1 FROM outbox p WHERE p.target = o.target AND p.delivered_at IS NULL "
	    "AND p.id < o.id AND p.next_at > ?1) ORDER BY id LIMIT ?2", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, now);
	st_bind_int64(st, 2, (int64_t)limit);
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct outbox_msg *m = &(*out)[(*n)++];
		m->id = st_int64(st, 0);
		m->event_id = st_int64(st, 1);
		m->target = st_text(st, 2);
		m->payload = st_text(st, 3);
		m->attempts = (int)st_int64(st, 4);
		m->next_at = st_int64(st, 5);
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

int
store_outbox_waiting(struct store *s, struct strv *targets, int64_t *total, char **cause)
{
	*total = 0;
	struct stmt *st = prepare(s, "SELECT target, COUNT(*) FROM outbox WHERE delivered_at IS NULL "
	    "GROUP BY target ORDER BY target", cause);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		int64_t n = st_int64(st, 1);
		char *t = st_text(st, 0);
		char *line = xasprintf("%s %lld", t, (long long)n);
		strv_add(targets, line);
		free(line);
		free(t);
		*total += n;
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

void
outbox_msg_clear(struct outbox_msg *m)
{
	free(m->target);
	free(m->payload);
	memset(m, 0, sizeof *m);
}

void
outbox_msgs_free(struct outbox_msg *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outbox_msg_clear(&v[i]);
	free(v);
}

/* --- copying a store --------------------------------------------------------------- */

/* Every table, parents first, with its columns; the blob column by name. */
static const struct {
	const char *table;
	const char *columns;
} store_tables[] = {
	{ "incident", INCIDENT_COLUMNS },
	{ "event", "id, incident_id, at, source, kind, host, text, operator" },
	{ "tick", "incident_id, list, item_index, item, checked, at, operator" },
	{ "step_run", "id, incident_id, runbook, step_index, number, title, timebox_s, "
	    "timebox_max_s, started_at, ended_at, outcome, note, operator" },
	{ "command_run", "id, incident_id, step_run_id, host, command, started_at, ended_at, "
	    "exit_status, duration_ms, output, output_total, status, error" },
	{ "action_item", "id, incident_id, text, owner, kind" },
	{ "outbox", "id, event_id, target, payload, created_at, attempts, next_at, "
	    "delivered_at, last_error" },
	{ "applied", "key, at" },
};

static int
count_rows(struct store *s, const char *table, int64_t *n, char **cause)
{
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	struct stmt *st = prepare(s, sql, cause);
	free(sql);
	if (st == NULL)
		return -1;
	int rc = st_step(st);
	*n = rc == ST_ROW ? st_int64(st, 0) : 0;
	st_finalize(st);
	return rc == ST_ROW ? 0 : fail(s, cause, table);
}

/* Copies one row's values from a SELECT into an INSERT, as they are. */
static void
copy_values(struct stmt *from, struct stmt *to, int ncols, int blob_col)
{
	for (int c = 0; c < ncols; c++) {
		if (st_is_null(from, c))
			st_bind_null(to, c + 1);
		else if (c == blob_col) {
			size_t len;
			char *v = st_blob(from, c, &len);
			st_bind_blob(to, c + 1, v, len);
			free(v);
		} else {
			char *v = st_text(from, c);
			st_bind_text(to, c + 1, v);
			free(v);
		}
	}
}

/* Copies one table's rows with their ids; *copied rows. -1 after *cause. */
static int
copy_table(struct store *from, struct store *to, int t, int64_t *copied, char **cause)
{
	const char *cols = store_tables[t].columns;
	int ncols = 1, blob_col = -1;
	for (const char *p = cols; *p != '\0'; p++)
		ncols += *p == ',';
	if (strcmp(store_tables[t].table, "command_run") == 0)
		blob_col = 9;
	char *sel = xasprintf("SELECT %s FROM %s", cols, store_tables[t].table);
	struct buf ins;
	buf_init(&ins);
	buf_printf(&ins, "INSERT INTO %s (%s) VALUES (", store_tables[t].table, cols);
	for (int c = 0; c < ncols; c++)
		buf_printf(&ins, "%s?", c ? "," : "");
	buf_adds(&ins, ")");
	char *insql = buf_take(&ins);
	struct stmt *rd = prepare(from, sel, cause);
	int rc = rd == NULL ? -1 : 0;
	*copied = 0;
	while (rc == 0 && (rc = st_step(rd)) == ST_ROW) {
		struct stmt *wr = prepare(to, insql, cause);
		if (wr == NULL) {
			rc = -1;
			break;
		}
		copy_values(rd, wr, ncols, blob_col);
		rc = run_write(to, wr, cause) < 0 ? -1 : 0;
		if (rc == 0)
			(*copied)++;
	}
	if (rc == ST_ERROR)
		fail(from, cause, store_tables[t].table);
	st_finalize(rd);
	free(sel);
	free(insql);
	return rc == ST_DONE ? 0 : -1;
}

/* After rows came with their ids, PostgreSQL's next id follows the highest. */
static int
reset_ids(struct store *to, const char *table, char **cause)
{
	if (to->kind != DB_PG || strcmp(table, "tick") == 0 || strcmp(table, "applied") == 0)
		return 0;
	char *sql = xasprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), "
	    "GREATEST((SELECT max(id) FROM %s), 1), (SELECT max(id) FROM %s) IS NOT NULL)",
	    table, table, table);
	int rc = exec_sql(to, sql, cause);
	free(sql);
	return rc;
}

int
store_copy(struct store *from, struct store *to, struct strv *counts, char **cause)
{
	int64_t n;
	for (size_t t = 0; t < nitems(store_tables); t++) {
		if (count_rows(to, store_tables[t].table, &n, cause) == -1)
			return -1;
		if (n > 0)
			return set_cause(cause, "%s is not empty (%lld %s rows): a store is copied "
			    "only into an empty one", to->path, (long long)n, store_tables[t].table);
	}
	if (store_begin(to, cause) == -1)
		return -1;
	for (size_t t = 0; t < nitems(store_tables); t++) {
		int64_t copied, had;
		const char *name = store_tables[t].table;
		if (copy_table(from, to, (int)t, &copied, cause) == -1 ||
		    reset_ids(to, name, cause) == -1 ||
		    count_rows(from, name, &had, cause) == -1 ||
		    count_rows(to, name, &n, cause) == -1) {
			store_rollback(to);
			return -1;
		}
		if (had != n || copied != n) {
			store_rollback(to);
			return set_cause(cause, "%s: %lld rows in the source, %lld copied: "
			    "nothing was kept", name, (long long)had, (long long)n);
		}
		char *line = xasprintf("%s %lld", name, (long long)n);
		strv_add(counts, line);
		free(line);
	}
	return store_commit(to, cause);
}

/* --- actions applied once, and the local outbox ---------------------------------- */

int
store_claim(struct store *s, const char *key, int64_t at, char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO applied (key, at) VALUES (?, ?) "
	    "ON CONFLICT (key) DO NOTHING RETURNING key", cause);
	if (st == NULL)
		return -1;
	st_bind_text(st, 1, key);
	st_bind_int64(st, 2, at);
	int rc = st_step(st);
	st_finalize(st);
	if (rc == ST_ERROR)
		return fail(s, cause, "claim");
	return rc == ST_ROW ? 1 : 0;
}

int
store_is_connected(struct store *s)
{
#ifdef HAVE_LIBPQ
	if (s->kind == DB_PG)
		return s->pg != NULL && PQstatus(s->pg) == CONNECTION_OK;
#endif
	return 1;
}

int
store_pending_add(struct store *s, const char *target, const struct pending_action *p,
    char **cause)
{
	struct stmt *st = prepare(s, "INSERT INTO pending (key, store, incident_id, kind, at, "
	    "operator, list, value, checked, text) VALUES (?,?,?,?,?,?,?,?,?,?)", cause);
	if (st == NULL)
		return -1;
	st_bind_text(st, 1, p->key);
	st_bind_text(st, 2, target);
	st_bind_int64(st, 3, p->incident);
	st_bind_text(st, 4, p->kind);
	st_bind_int64(st, 5, p->at);
	bind_text(st, 6, p->operator_name);
	bind_text(st, 7, p->list);
	st_bind_int64(st, 8, p->value);
	st_bind_int64(st, 9, p->checked);
	bind_text(st, 10, p->text);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

int
store_pending(struct store *s, const char *target, struct pending_action **out, size_t *n,
    char **cause)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = prepare(s, "SELECT seq, key, incident_id, kind, at, operator, list, "
	    "value, checked, text FROM pending WHERE store = ? ORDER BY seq", cause);
	if (st == NULL)
		return -1;
	st_bind_text(st, 1, target);
	int rc;
	while ((rc = st_step(st)) == ST_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct pending_action *p = &(*out)[(*n)++];
		p->seq = st_int64(st, 0);
		p->key = st_text(st, 1);
		p->incident = st_int64(st, 2);
		p->kind = st_text(st, 3);
		p->at = st_int64(st, 4);
		p->operator_name = st_text(st, 5);
		p->list = st_text(st, 6);
		p->value = (int)st_int64(st, 7);
		p->checked = (int)st_int64(st, 8);
		p->text = st_text(st, 9);
	}
	st_finalize(st);
	return rc == ST_DONE ? 0 : fail(s, cause, "read");
}

int
store_pending_done(struct store *s, int64_t seq, char **cause)
{
	struct stmt *st = prepare(s, "DELETE FROM pending WHERE seq = ?", cause);
	if (st == NULL)
		return -1;
	st_bind_int64(st, 1, seq);
	return run_write(s, st, cause) < 0 ? -1 : 0;
}

void
pending_actions_free(struct pending_action *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].kind);
		free(v[i].operator_name);
		free(v[i].list);
		free(v[i].text);
	}
	free(v);
}
