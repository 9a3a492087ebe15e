#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#include "sbuf.h"
#include "util.h"

/* Prepared statements kept per connection, keyed by their SQL text: a
 * batch runs the same few statements thousands of times, and preparing
 * each time costs a round trip. */
#define STMT_CACHE_SIZE 64

struct cached_stmt {
	char *sql;
	MYSQL_STMT *stmt;
	unsigned long long last_use;
};

struct db {
	MYSQL *conn;
	struct cached_stmt cache[STMT_CACHE_SIZE];
	unsigned long long use_clock;
	unsigned long long insert_id;
	struct db_settings settings;
	bool configured;
	bool in_tx;
	int locks_held;
	time_t last_used;
	char error[256];
};

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

void db_settings_from_config(struct db_settings *s, const struct config *cfg)
{
	memset(s, 0, sizeof *s);
	s->host = dup_or_null(cfg_mysql(cfg, "server", "localhost"));
	s->user = dup_or_null(cfg_mysql(cfg, "username", ""));
	s->password = xstrdup(cfg_mysql(cfg, "password", ""));
	s->database = dup_or_null(cfg_mysql(cfg, "db", ""));
	s->socket = dup_or_null(cfg_ubapi(cfg, "db_socket", ""));
	const char *charset = cfg_mysql(cfg, "character", "utf8");
	/* Ubilling writes "UTF8"; the server's name for it is utf8 */
	s->charset = xstrdup(strcasecmp(charset, "utf8") == 0 || !*charset ? "utf8" : charset);
	long port = atol(cfg_mysql(cfg, "port", "3306"));
	s->port = port > 0 && port < 65536 ? (unsigned)port : 3306;
	long t = cfg_ubapi_long(cfg, "db_timeout", 10);
	s->timeout_s = t > 0 ? (unsigned)t : 10;
}

void db_settings_free(struct db_settings *s)
{
	free(s->host);
	free(s->user);
	free(s->password);
	free(s->database);
	free(s->socket);
	free(s->charset);
	memset(s, 0, sizeof *s);
}

static bool str_eq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool settings_equal(const struct db_settings *a, const struct db_settings *b)
{
	return str_eq_null(a->host, b->host) && str_eq_null(a->user, b->user) &&
	       str_eq_null(a->password, b->password) && str_eq_null(a->database, b->database) &&
	       str_eq_null(a->socket, b->socket) && str_eq_null(a->charset, b->charset) &&
	       a->port == b->port && a->timeout_s == b->timeout_s;
}

static void settings_copy(struct db_settings *dst, const struct db_settings *src)
{
	dst->host = src->host ? xstrdup(src->host) : NULL;
	dst->user = src->user ? xstrdup(src->user) : NULL;
	dst->password = src->password ? xstrdup(src->password) : NULL;
	dst->database = src->database ? xstrdup(src->database) : NULL;
	dst->socket = src->socket ? xstrdup(src->socket) : NULL;
	dst->charset = src->charset ? xstrdup(src->charset) : NULL;
	dst->port = src->port;
	dst->timeout_s = src->timeout_s;
}

struct db *db_new(void)
{
	return xcalloc(1, sizeof(struct db));
}

static void cache_clear(struct db *db)
{
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		if (db->cache[i].stmt)
			mysql_stmt_close(db->cache[i].stmt);
		free(db->cache[i].sql);
		db->cache[i].stmt = NULL;
		db->cache[i].sql = NULL;
	}
}

static void db_disconnect(struct db *db)
{
	cache_clear(db);
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = false;
	db->locks_held = 0;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	db_disconnect(db);
	db_settings_free(&db->settings);
	free(db);
}

void db_configure(struct db *db, const struct db_settings *s)
{
	if (db->configured && settings_equal(&db->settings, s))
		return;
	db_disconnect(db);
	db_settings_free(&db->settings);
	settings_copy(&db->settings, s);
	db->configured = true;
}

static void set_error(struct db *db, const char *what)
{
	snprintf(db->error, sizeof db->error, "%s: %s", what,
		 db->conn ? mysql_error(db->conn) : "no connection");
	syslog(LOG_ERR, "ubapi db: %s", db->error);
}

const char *db_error(const struct db *db)
{
	return db->error;
}

static int db_connect(struct db *db)
{
	db_disconnect(db);
	db->conn = mysql_init(NULL);
	if (!db->conn) {
		snprintf(db->error, sizeof db->error, "mysql_init failed");
		return -1;
	}
	unsigned t = db->settings.timeout_s;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, db->settings.charset ? db->settings.charset : "utf8");
	const char *host = db->settings.host;
	if (!mysql_real_connect(db->conn, host, db->settings.user, db->settings.password,
				db->settings.database, db->settings.port, db->settings.socket,
				CLIENT_FOUND_ROWS)) {
		set_error(db, "connect");
		mysql_close(db->conn);
		db->conn = NULL;
		return -1;
	}
	db->last_used = time(NULL);
	return 0;
}

int db_ready(struct db *db)
{
	if (!db->configured) {
		snprintf(db->error, sizeof db->error, "database not configured");
		return -1;
	}
	if (!db->conn)
		return db_connect(db);
	/* A connection idle for a while may have been dropped by a server
	 * restart or wait_timeout; one ping then is cheaper than a failed
	 * write half-way through an action. */
	time_t now = time(NULL);
	if (now - db->last_used >= 2 && mysql_ping(db->conn) != 0)
		return db_connect(db);
	db->last_used = now;
	return 0;
}

static bool connection_lost(unsigned err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST;
}

/* --- statements ------------------------------------------------------ */

struct bound {
	MYSQL_BIND *binds;
	long long *ints;
	unsigned long *lens;
	size_t n;
};

static void bound_free(struct bound *b)
{
	free(b->binds);
	free(b->ints);
	free(b->lens);
}

static void bound_alloc(struct bound *b, size_t n)
{
	b->n = n;
	b->binds = xcalloc(n, sizeof *b->binds);
	b->ints = xcalloc(n, sizeof *b->ints);
	b->lens = xcalloc(n, sizeof *b->lens);
}

static void bind_string(struct bound *b, size_t i, const char *s)
{
	MYSQL_BIND *m = &b->binds[i];
	if (!s) {
		m->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	b->lens[i] = strlen(s);
	m->buffer_type = MYSQL_TYPE_STRING;
	m->buffer = (void *)s;
	m->buffer_length = b->lens[i];
	m->length = &b->lens[i];
}

static int bind_args(struct bound *b, const char *types, va_list ap)
{
	bound_alloc(b, strlen(types));
	for (size_t i = 0; i < b->n; i++) {
		MYSQL_BIND *m = &b->binds[i];
		switch (types[i]) {
		case 's':
			bind_string(b, i, va_arg(ap, const char *));
			break;
		case 'i':
		case 'u':
			b->ints[i] = types[i] == 'i' ? va_arg(ap, long long)
						     : (long long)va_arg(ap, unsigned long long);
			m->buffer_type = MYSQL_TYPE_LONGLONG;
			m->buffer = &b->ints[i];
			m->is_unsigned = types[i] == 'u';
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static void bind_list(struct bound *b, size_t n, const char *const *values)
{
	bound_alloc(b, n);
	for (size_t i = 0; i < n; i++)
		bind_string(b, i, values[i]);
}

static int fetch_rows(MYSQL_STMT *st, struct db_rows *out)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	if (!meta)
		return 0;
	size_t ncols = mysql_num_fields(meta);
	if (mysql_stmt_store_result(st)) {
		mysql_free_result(meta);
		return -1;
	}
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	MYSQL_BIND *rb = xcalloc(ncols, sizeof *rb);
	unsigned long *lens = xcalloc(ncols, sizeof *lens);
	my_bool *nulls = xcalloc(ncols, sizeof *nulls);
	char **bufs = xcalloc(ncols, sizeof *bufs);
	for (size_t c = 0; c < ncols; c++) {
		size_t cap = fields[c].max_length + 1;
		if (cap < 64)
			cap = 64; /* numbers converted client-side need room */
		bufs[c] = xmalloc(cap);
		rb[c].buffer_type = MYSQL_TYPE_STRING;
		rb[c].buffer = bufs[c];
		rb[c].buffer_length = cap;
		rb[c].length = &lens[c];
		rb[c].is_null = &nulls[c];
	}
	int rc = 0;
	size_t nrows = (size_t)mysql_stmt_num_rows(st);
	out->ncols = ncols;
	out->nrows = 0;
	out->cells = xcalloc(nrows * ncols + 1, sizeof(char *));
	if (mysql_stmt_bind_result(st, rb)) {
		rc = -1;
	} else {
		int f;
		while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
			if (out->nrows == nrows)
				break;
			for (size_t c = 0; c < ncols; c++) {
				char **cell = &out->cells[out->nrows * ncols + c];
				if (nulls[c])
					*cell = NULL;
				else if (lens[c] < rb[c].buffer_length)
					*cell = xstrndup(bufs[c], lens[c]);
				else {
					/* longer than max_length promised: fetch it whole */
					char *big = xmalloc(lens[c] + 1);
					MYSQL_BIND one = { 0 };
					one.buffer_type = MYSQL_TYPE_STRING;
					one.buffer = big;
					one.buffer_length = lens[c] + 1;
					mysql_stmt_fetch_column(st, &one, (unsigned)c, 0);
					big[lens[c]] = '\0';
					*cell = big;
				}
			}
			out->nrows++;
		}
		if (f == 1)
			rc = -1;
	}
	for (size_t c = 0; c < ncols; c++)
		free(bufs[c]);
	free(bufs);
	free(rb);
	free(lens);
	free(nulls);
	mysql_free_result(meta);
	mysql_stmt_free_result(st);
	return rc;
}

/* Text-protocol results keep the server's own spelling of every value
 * (a DOUBLE Cash of 12.5 stays "12.5"), which Ubilling's replies copy. */
static int text_rows(MYSQL *conn, struct db_rows *out)
{
	MYSQL_RES *res = mysql_store_result(conn);
	if (!res)
		return mysql_field_count(conn) ? -1 : 0;
	size_t ncols = mysql_num_fields(res), nrows = (size_t)mysql_num_rows(res);
	out->ncols = ncols;
	out->nrows = 0;
	out->cells = xcalloc(nrows * ncols + 1, sizeof(char *));
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res))) {
		unsigned long *lens = mysql_fetch_lengths(res);
		for (size_t c = 0; c < ncols; c++)
			out->cells[out->nrows * ncols + c] = row[c] ? xstrndup(row[c], lens[c]) : NULL;
		out->nrows++;
	}
	mysql_free_result(res);
	return 0;
}

static MYSQL_STMT *cached_prepare(struct db *db, const char *sql)
{
	struct cached_stmt *slot = &db->cache[0];
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		struct cached_stmt *c = &db->cache[i];
		if (c->sql && strcmp(c->sql, sql) == 0) {
			c->last_use = ++db->use_clock;
			return c->stmt;
		}
		if (!c->sql || c->last_use < slot->last_use)
			slot = c;
		if (!c->sql)
			break;
	}
	MYSQL_STMT *st = mysql_stmt_init(db->conn);
	if (!st)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		snprintf(db->error, sizeof db->error, "%s", mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	my_bool update_max = 1;
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	if (slot->stmt)
		mysql_stmt_close(slot->stmt);
	free(slot->sql);
	slot->sql = xstrdup(sql);
	slot->stmt = st;
	slot->last_use = ++db->use_clock;
	return st;
}

static long long run_text(struct db *db, struct db_rows *out, const char *sql, unsigned *err)
{
	long long rc = -1;
	if (mysql_real_query(db->conn, sql, strlen(sql)) == 0) {
		rc = out ? text_rows(db->conn, out) : (long long)mysql_affected_rows(db->conn);
		db->insert_id = mysql_insert_id(db->conn);
		if (!out) {
			MYSQL_RES *junk = mysql_store_result(db->conn);
			if (junk)
				mysql_free_result(junk);
		}
	}
	if (rc < 0)
		*err = mysql_errno(db->conn);
	return rc;
}

static long long run_prepared(struct db *db, struct db_rows *out, const char *sql,
			      struct bound *b, unsigned *err)
{
	MYSQL_STMT *st = cached_prepare(db, sql);
	if (!st) {
		*err = mysql_errno(db->conn);
		return -1;
	}
	long long rc = -1;
	if (mysql_stmt_param_count(st) != b->n) {
		snprintf(db->error, sizeof db->error, "statement wants %lu values, got %zu",
			 mysql_stmt_param_count(st), b->n);
		return -1;
	}
	if (mysql_stmt_bind_param(st, b->binds) == 0 && mysql_stmt_execute(st) == 0) {
		rc = out ? fetch_rows(st, out) : (long long)mysql_stmt_affected_rows(st);
		db->insert_id = mysql_stmt_insert_id(st);
	}
	if (rc < 0) {
		*err = mysql_stmt_errno(st);
		snprintf(db->error, sizeof db->error, "%s", mysql_stmt_error(st));
		mysql_stmt_free_result(st);
		mysql_stmt_reset(st);
	}
	return rc;
}

/* One statement: text protocol without parameters (the server's own
 * spelling of every value), else a cached prepared statement. On a
 * connection lost before anything was sent (server restarted while idle)
 * it reconnects and tries once more; never inside a transaction or while
 * holding a lock, whose state would be lost with the connection. */
static long long run(struct db *db, struct db_rows *out, const char *sql, struct bound *b)
{
	if (out)
		memset(out, 0, sizeof *out);
	db->error[0] = '\0';
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!db->conn && db_ready(db) != 0)
			return -1;
		unsigned err = 0;
		long long rc = b ? run_prepared(db, out, sql, b, &err) : run_text(db, out, sql, &err);
		if (rc >= 0) {
			db->last_used = time(NULL);
			return rc;
		}
		if (out)
			db_rows_free(out);
		if (attempt == 0 && connection_lost(err) && !db->in_tx && db->locks_held == 0) {
			db_disconnect(db);
			continue;
		}
		if (!b || !db->error[0])
			set_error(db, "query");
		else
			syslog(LOG_ERR, "ubapi db: %s", db->error);
		if (connection_lost(err))
			db_disconnect(db);
		return -1;
	}
	return -1;
}

/* Binds the variadic arguments, runs, frees. */
static long long run_va(struct db *db, struct db_rows *out, const char *sql, const char *types,
			va_list ap)
{
	if (!*types)
		return run(db, out, sql, NULL);
	struct bound b = { 0 };
	long long rc = -1;
	if (bind_args(&b, types, ap) == 0)
		rc = run(db, out, sql, &b);
	else
		snprintf(db->error, sizeof db->error, "bad parameter types \"%s\"", types);
	bound_free(&b);
	return rc;
}

long long db_exec_list(struct db *db, const char *sql, size_t n, const char *const *values)
{
	struct bound b = { 0 };
	bind_list(&b, n, values);
	long long rc = run(db, NULL, sql, &b);
	bound_free(&b);
	return rc;
}

int db_query_list(struct db *db, struct db_rows *out, const char *sql, size_t n,
		  const char *const *values)
{
	struct bound b = { 0 };
	bind_list(&b, n, values);
	long long rc = run(db, out, sql, &b);
	bound_free(&b);
	return rc < 0 ? -1 : 0;
}

long long db_exec(struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	long long rc = run_va(db, NULL, sql, types, ap);
	va_end(ap);
	return rc;
}

int db_query(struct db *db, struct db_rows *out, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	long long rc = run_va(db, out, sql, types, ap);
	va_end(ap);
	return rc < 0 ? -1 : 0;
}

char *db_value(struct db *db, bool *err, const char *sql, const char *types, ...)
{
	struct db_rows rows;
	va_list ap;
	va_start(ap, types);
	long long rc = run_va(db, &rows, sql, types, ap);
	va_end(ap);
	if (err)
		*err = rc < 0;
	if (rc < 0)
		return NULL;
	char *v = rows.nrows && rows.ncols && rows.cells[0] ? xstrdup(rows.cells[0]) : NULL;
	db_rows_free(&rows);
	return v;
}

unsigned long long db_insert_id(const struct db *db)
{
	return db->insert_id;
}

const char *db_cell(const struct db_rows *r, size_t row, size_t col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

void db_rows_free(struct db_rows *r)
{
	if (r->cells) {
		for (size_t i = 0; i < r->nrows * r->ncols; i++)
			free(r->cells[i]);
		free(r->cells);
	}
	memset(r, 0, sizeof *r);
}

/* --- transactions and locks ------------------------------------------ */

int db_begin(struct db *db)
{
	if (db_exec(db, "START TRANSACTION", "") < 0)
		return -1;
	db->in_tx = true;
	return 0;
}

int db_commit(struct db *db)
{
	int rc = db_exec(db, "COMMIT", "") < 0 ? -1 : 0;
	db->in_tx = false;
	return rc;
}

int db_rollback(struct db *db)
{
	if (!db->conn)
		return -1;
	int rc = db_exec(db, "ROLLBACK", "") < 0 ? -1 : 0;
	db->in_tx = false;
	return rc;
}

bool db_in_transaction(const struct db *db)
{
	return db->in_tx;
}

int db_lock_try(struct db *db, const char *name)
{
	return db_lock_wait(db, name, 0);
}

int db_lock_wait(struct db *db, const char *name, int seconds)
{
	bool err = false;
	char *v = db_value(db, &err, "SELECT GET_LOCK(?, ?)", "si", name, (long long)seconds);
	int rc = err || !v ? -1 : strcmp(v, "1") == 0 ? 1 : 0;
	free(v);
	if (rc == 1)
		db->locks_held++;
	return rc;
}

void db_lock_release(struct db *db, const char *name)
{
	if (!db->conn)
		return;
	char *v = db_value(db, NULL, "SELECT RELEASE_LOCK(?)", "s", name);
	free(v);
	if (db->locks_held > 0)
		db->locks_held--;
}

void db_request_done(struct db *db)
{
	if (!db->conn)
		return;
	if (db->in_tx)
		db_rollback(db);
	if (db->locks_held > 0) {
		char *v = db_value(db, NULL, "SELECT RELEASE_ALL_LOCKS()", "");
		free(v);
		db->locks_held = 0;
	}
}
