/*
 * db: the two databases a store can live in, behind one small statement
 * interface, so that store.c holds each query once. Internal to
 * src/store/: nothing else includes this header.
 *
 * SQLite is embedded (a file, WAL, synchronous=FULL). PostgreSQL is
 * reached through libpq with a connection URI (postgresql://...); it is
 * there when configure found libpq (HAVE_LIBPQ).
 *
 * Statements are written once in SQLite's dialect with ? or ?N
 * parameters; for PostgreSQL they are rewritten to $N (db_pg_sql), an
 * INSERT gets RETURNING id, and the schema's types are mapped
 * (db_pg_ddl). Values are bound as 64-bit integers, text, blobs or NULL;
 * a NULL reads back as 0 or a NULL pointer on both.
 */
#ifndef SITREP_STORE_DB_H
#define SITREP_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>
#ifdef HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "store.h"

enum db_kind { DB_SQLITE, DB_PG };

#define DB_MAX_PARAMS 40
#define DB_CONNECT_TIMEOUT "3"	/* seconds, unless the URI says otherwise */
#define DB_REVIVE_MS 5000	/* a lost server is tried again this often */

struct store {
	enum db_kind kind;
	sqlite3 *db;
#ifdef HAVE_LIBPQ
	PGconn *pg;
	int64_t notified;		/* NOTIFYs seen: the data version */
	int64_t revive_after;		/* mono_ms: when a lost server is tried again */
	int nonblocking;		/* made again without waiting (the console) */
	int reviving;			/* ... and being made again now */
	int64_t revive_started;
#endif
	int readonly;
	char *path;			/* for messages: a URI without its password */
	char *error;
};

struct stmt {
	struct store *s;
	sqlite3_stmt *sq;
	/* PostgreSQL: the rewritten text, its parameters and the result */
	char *sql;
	int nparams;
	char *vals[DB_MAX_PARAMS];
	int lens[DB_MAX_PARAMS];
	int fmts[DB_MAX_PARAMS];
#ifdef HAVE_LIBPQ
	PGresult *res;
#endif
	int row, nrows, ran;
};

enum { ST_ROW = 1, ST_DONE = 0, ST_ERROR = -1 };

/* 1 if target names a PostgreSQL database (postgresql:// or postgres://). */
int db_is_pg(const char *target);
/* The target as it may be shown: a URI's password replaced by "***". */
char *db_display(const char *target);

/* Records the connection's last error as the store's error; -1 after *cause. */
int db_fail(struct store *, char **cause, const char *what);
/* Runs statements without results; -1 after *cause. */
int db_exec(struct store *, const char *sql, char **cause);
/* 1 inside a transaction. */
int db_in_transaction(struct store *);

struct stmt *db_prepare(struct store *, const char *sql, char **cause);
void st_bind_int64(struct stmt *, int i, int64_t);
void st_bind_null(struct stmt *, int i);
/* Text as given (the caller redacts): copied. */
void st_bind_text(struct stmt *, int i, const char *);
void st_bind_blob(struct stmt *, int i, const void *, size_t);
/* ST_ROW, ST_DONE or ST_ERROR. */
int st_step(struct stmt *);
int64_t st_int64(struct stmt *, int col);
int st_is_null(struct stmt *, int col);
/* A copy, or NULL for NULL. */
char *st_text(struct stmt *, int col);
/* A copy (NUL-terminated as well), or NULL for NULL. */
char *st_blob(struct stmt *, int col, size_t *len);
/* The id of the row an INSERT made (0 if none). */
int64_t st_insert_id(struct stmt *);
void st_finalize(struct stmt *);

/* PostgreSQL's spelling of a statement: ?N and ? as $N, INSERT ... RETURNING id. */
char *db_pg_sql(const char *sql, int *nparams);
/* PostgreSQL's spelling of the schema: 64-bit integers, identity keys, bytea, text in byte order. */
char *db_pg_ddl(const char *ddl);

/* Opens the PostgreSQL connection into s (LISTEN for changes); -1 after *cause. */
int db_pg_connect(struct store *, const char *uri, char **cause);
/* The number of changes other connections announced. */
int64_t db_pg_version(struct store *);

#endif
