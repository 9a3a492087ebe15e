/* setculpa: set a user's "culpa", the alternative RADIUS user name that
 * MultiGen offers (username type meaculpa). A culpa belongs to one user. */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "util.h"
#include "weblog.h"

#define CULPA_LOCK "ubapi_setculpa"
#define CULPA_MAX_CHARS 255 /* mlg_culpas.culpa is varchar(255) */
/* A culpa that overlaps another call waits this long for it (seconds). */
#define CULPA_LOCK_WAIT "5"

/* A RADIUS user name: printable UTF-8, nothing that quotes, comments or
 * breaks the weblog's `...` quoting. */
static bool culpa_ok(const char *s)
{
	size_t len = strlen(s), chars = 0;
	if (!utf8_valid(s, len))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || strchr("'\"`\\;<>", *p))
			return false;
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	return chars <= CULPA_MAX_CHARS;
}

/* Whether any row (the user's own included) already holds exactly this
 * culpa: 1, 0, or -1 on a database error. The column's collation would
 * also match other case and trailing blanks, so compare the bytes here. */
static int culpa_taken(struct req *r, const char *culpa)
{
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `culpa` FROM `mlg_culpas` WHERE `culpa`=?", "s", culpa) != 0)
		return -1;
	int taken = 0;
	for (size_t i = 0; i < rows.nrows && !taken; i++) {
		const char *v = db_cell(&rows, i, 0);
		taken = v && strcmp(v, culpa) == 0;
	}
	db_rows_free(&rows);
	return taken;
}

/* Update the user's row, or create it: the event name for the weblog, or
 * NULL on a database error. */
static const char *culpa_store(struct req *r, const char *login, const char *culpa)
{
	long long n = db_exec(r->db, "UPDATE `mlg_culpas` SET `culpa`=? WHERE `login`=?", "ss", culpa, login);
	if (n < 0)
		return NULL;
	if (n > 0)
		return "UPDATE";
	if (db_exec(r->db, "INSERT INTO `mlg_culpas` (`login`,`culpa`) VALUES (?,?)", "ss", login, culpa) < 0)
		return NULL;
	return "CREATE";
}

static void culpa_set(struct req *r, const char *login, const char *culpa)
{
	int taken = culpa_taken(r, culpa);
	if (taken < 0) {
		reply_db_error(r);
		return;
	}
	if (taken) {
		if (weblog(r, "CULPA FAIL (%s) DUPLICATE CULPA `%s`", login, culpa) != 0)
			reply_db_error(r);
		else
			reply_text(r, "FAIL:MEACULPA");
		return;
	}
	/* row and weblog together where the engine allows it */
	if (db_begin(r->db) != 0) {
		reply_db_error(r);
		return;
	}
	const char *what = culpa_store(r, login, culpa);
	if (!what || weblog(r, "CULPA %s (%s) CULPA `%s`", what, login, culpa) != 0 ||
	    db_commit(r->db) != 0) {
		db_rollback(r->db);
		reply_db_error(r);
		return;
	}
	reply_text(r, "OK:MEACULPA");
}

void cmd_setculpa(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "MEACULPA_ENABLED", ""))) {
		reply_text(r, "ERROR:MEACULPA_DISABLED");
		return;
	}
	if (!param_present(&r->params, "login") || !param_present(&r->params, "culpa")) {
		reply_text(r, "ERROR:PARAMS_MISSED");
		return;
	}
	const char *login = req_param(r, "login"), *culpa = req_param(r, "culpa");
	if (!valid_login(login)) {
		reply_text(r, "ERROR:WRONG_LOGIN");
		return;
	}
	if (!culpa_ok(culpa)) {
		reply_text(r, "ERROR:WRONG_CULPA");
		return;
	}
	/* the uniqueness check and the write must not interleave with another
	 * call's; this is quick, so a second call waits instead of failing */
	bool err = false;
	char *got = db_value(r->db, &err, "SELECT GET_LOCK(?, " CULPA_LOCK_WAIT ")", "s", CULPA_LOCK);
	bool locked = got && strcmp(got, "1") == 0;
	free(got);
	if (!locked) {
		if (err)
			reply_db_error(r);
		else
			reply_text(r, "SKIP:SETCULPA_ALREADY_RUNNING");
		return;
	}
	culpa_set(r, login, culpa);
	db_lock_release(r->db, CULPA_LOCK);
}
