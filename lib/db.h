/* MariaDB access. Values from requests only ever travel as bound
 * parameters of prepared statements; SQL text is always a constant. */
#ifndef UBAPI_DB_H
#define UBAPI_DB_H

#include <stdbool.h>
#include <stddef.h>

struct config;

struct db_settings {
	char *host, *user, *password, *database, *socket, *charset;
	unsigned port;
	unsigned timeout_s;
};

struct db;

/* Rows as the server's strings (NULL for SQL NULL), row-major. */
struct db_rows {
	size_t nrows, ncols;
	char **cells;
};

/* Reads Ubilling's mysql.ini (server, port, username, password, db,
 * character) and ubapi.ini's db_socket / db_timeout overrides. */
void db_settings_from_config(struct db_settings *s, const struct config *cfg);
void db_settings_free(struct db_settings *s);

/* Connection is lazy: the first query connects. */
struct db *db_new(void);
void db_free(struct db *db);
/* Adopts new settings (the next use reconnects if they differ). */
void db_configure(struct db *db, const struct db_settings *s);
/* Makes sure the connection is usable, reconnecting if it dropped while
 * idle. 0 or -1. Called once at the start of every request. */
int db_ready(struct db *db);
const char *db_error(const struct db *db);

/* types: one letter per '?': 's' const char * (NULL binds SQL NULL),
 * 'i' long long, 'u' unsigned long long.
 * db_exec returns the rows matched (CLIENT_FOUND_ROWS: an UPDATE that
 * sets a value already there still counts its row) or -1; db_query 0 or -1. */
long long db_exec(struct db *db, const char *sql, const char *types, ...);
int db_query(struct db *db, struct db_rows *out, const char *sql, const char *types, ...);
/* First column of the first row, copied; NULL when no row, SQL NULL or error
 * (*err set to true on error when err is given). */
char *db_value(struct db *db, bool *err, const char *sql, const char *types, ...);
/* The same with n string values bound in order (NULL binds SQL NULL), for
 * statements whose placeholder count is decided at run time (a multi-row
 * INSERT, an IN list). The SQL text is still the caller's constant shape. */
long long db_exec_list(struct db *db, const char *sql, size_t n, const char *const *values);
int db_query_list(struct db *db, struct db_rows *out, const char *sql, size_t n,
		  const char *const *values);
unsigned long long db_insert_id(const struct db *db);

const char *db_cell(const struct db_rows *r, size_t row, size_t col);
void db_rows_free(struct db_rows *r);

int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);

/* GET_LOCK(name, 0): 1 taken, 0 held elsewhere, -1 error. */
int db_lock_try(struct db *db, const char *name);
/* The same, waiting up to seconds for the lock. */
int db_lock_wait(struct db *db, const char *name, int seconds);
void db_lock_release(struct db *db, const char *name);
/* Ends a request: rolls back an open transaction and releases named locks
 * a handler forgot, because the connection outlives the request. */
void db_request_done(struct db *db);

#endif
