#include "batch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "billing.h"
#include "clock.h"
#include "util.h"
#include "validate.h"
#include "weblog.h"

static char *cell_dup(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return xstrdup(v ? v : "");
}

static money_t cell_money(const char *s)
{
	money_t m = { 0 };
	if (s && *s)
		money_parse_db(s, &m);
	return m;
}

static bool cell_flag(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v && atol(v) == 1;
}

static long cell_long(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v ? atol(v) : 0;
}

/* --- users --------------------------------------------------------------- */

static int user_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct batch_user *const *)a)->login, (*(struct batch_user *const *)b)->login);
}

int batch_users_load(struct req *r, struct batch_users *u, const char *where)
{
	memset(u, 0, sizeof *u);
	struct sbuf sql = SBUF_INIT;
	sbuf_puts(&sql, "SELECT `login`,`Cash`,`Credit`,`Passive`,`Down`,`Tariff` FROM `users`");
	if (where)
		sbuf_printf(&sql, " WHERE %s", where);
	sbuf_puts(&sql, " ORDER BY `login`");
	struct db_rows rows;
	int rc = db_query(r->db, &rows, sbuf_str(&sql), "");
	sbuf_free(&sql);
	if (rc != 0)
		return -1;
	u->n = rows.nrows;
	u->v = xcalloc(u->n ? u->n : 1, sizeof *u->v);
	u->by_login = xcalloc(u->n ? u->n : 1, sizeof *u->by_login);
	for (size_t i = 0; i < u->n; i++) {
		struct batch_user *x = &u->v[i];
		x->login = cell_dup(&rows, i, 0);
		x->cash_s = cell_dup(&rows, i, 1);
		x->credit_s = cell_dup(&rows, i, 2);
		x->cash = cell_money(x->cash_s);
		x->credit = cell_money(x->credit_s);
		x->passive = cell_flag(&rows, i, 3);
		x->down = cell_flag(&rows, i, 4);
		x->tariff = cell_dup(&rows, i, 5);
		u->by_login[i] = x;
	}
	db_rows_free(&rows);
	qsort(u->by_login, u->n, sizeof *u->by_login, user_ptr_cmp);
	return 0;
}

struct batch_user *batch_user_find(const struct batch_users *u, const char *login)
{
	struct batch_user key = { .login = (char *)login }, *kp = &key;
	struct batch_user **hit = bsearch(&kp, u->by_login, u->n, sizeof *u->by_login, user_ptr_cmp);
	return hit ? *hit : NULL;
}

void batch_users_free(struct batch_users *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].login);
		free(u->v[i].cash_s);
		free(u->v[i].credit_s);
		free(u->v[i].tariff);
	}
	free(u->v);
	free(u->by_login);
	memset(u, 0, sizeof *u);
}

/* --- tariffs -------------------------------------------------------------- */

static int tariff_cmp(const void *a, const void *b)
{
	return strcmp(((const struct batch_tariff *)a)->name, ((const struct batch_tariff *)b)->name);
}

int batch_tariffs_load(struct req *r, struct batch_tariffs *t)
{
	memset(t, 0, sizeof *t);
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `name`,`Fee` FROM `tariffs` ORDER BY `name`", "") != 0)
		return -1;
	t->n = rows.nrows;
	t->v = xcalloc(t->n ? t->n : 1, sizeof *t->v);
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].name = cell_dup(&rows, i, 0);
		t->v[i].fee_s = cell_dup(&rows, i, 1);
		t->v[i].fee = cell_money(t->v[i].fee_s);
	}
	db_rows_free(&rows);
	qsort(t->v, t->n, sizeof *t->v, tariff_cmp);
	return 0;
}

const struct batch_tariff *batch_tariff_find(const struct batch_tariffs *t, const char *name)
{
	struct batch_tariff key = { .name = (char *)name };
	return bsearch(&key, t->v, t->n, sizeof *t->v, tariff_cmp);
}

void batch_tariffs_free(struct batch_tariffs *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].fee_s);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* --- tags ----------------------------------------------------------------- */

static int tag_key_cmp(const void *a, const void *b)
{
	const struct batch_tag *x = *(struct batch_tag *const *)a, *y = *(struct batch_tag *const *)b;
	int c = strcmp(x->login, y->login);
	if (c)
		return c;
	return (x->tagid > y->tagid) - (x->tagid < y->tagid);
}

int batch_tags_load(struct req *r, struct batch_tags *t)
{
	memset(t, 0, sizeof *t);
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `id`,`tagid`,`login` FROM `tags` ORDER BY `id`", "") != 0)
		return -1;
	t->n = rows.nrows;
	t->v = xcalloc(t->n ? t->n : 1, sizeof *t->v);
	t->by_key = xcalloc(t->n ? t->n : 1, sizeof *t->by_key);
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].id = atoll(db_cell(&rows, i, 0) ? db_cell(&rows, i, 0) : "0");
		t->v[i].tagid = cell_long(&rows, i, 1);
		t->v[i].login = cell_dup(&rows, i, 2);
		t->by_key[i] = &t->v[i];
	}
	db_rows_free(&rows);
	qsort(t->by_key, t->n, sizeof *t->by_key, tag_key_cmp);
	return 0;
}

/* index of the first (login, tagid) entry not below the key */
static size_t tags_lower(const struct batch_tags *t, const char *login, long tagid)
{
	struct batch_tag key = { .tagid = tagid, .login = (char *)login }, *kp = &key;
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tag_key_cmp(&t->by_key[mid], &kp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t batch_tags_count(const struct batch_tags *t, const char *login, long tagid)
{
	size_t n = 0;
	for (size_t i = tags_lower(t, login, tagid);
	     i < t->n && t->by_key[i]->tagid == tagid && strcmp(t->by_key[i]->login, login) == 0; i++)
		n++;
	return n;
}

bool batch_tags_any(const struct batch_tags *t, const char *login, const long *tagids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (batch_tags_count(t, login, tagids[i]) > 0)
			return true;
	return false;
}

void batch_tags_free(struct batch_tags *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].login);
	free(t->v);
	free(t->by_key);
	memset(t, 0, sizeof *t);
}

/* --- integer lists -------------------------------------------------------- */

bool batch_int_list(const char *s, char delim, long **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!s)
		return true;
	char *copy = xstrdup(s);
	long *v = xcalloc(strlen(s) / 2 + 2, sizeof *v);
	size_t k = 0;
	bool ok = true;
	char *p = copy;
	for (;;) {
		char *end = strchr(p, delim);
		if (end)
			*end = '\0';
		char *item = str_trim(p);
		if (*item) {
			if (!str_is_digits(item) || strlen(item) > 9) {
				ok = false;
				break;
			}
			long x = atol(item);
			bool dup = false;
			for (size_t j = 0; j < k && !dup; j++)
				dup = v[j] == x;
			if (!dup)
				v[k++] = x;
		}
		if (!end)
			break;
		p = end + 1;
	}
	free(copy);
	if (!ok || k == 0) {
		free(v);
		return ok;
	}
	*out = v;
	*n = k;
	return true;
}

bool batch_valid_period(const char *s)
{
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len > 64)
		return false;
	bool need_digit = true;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			need_digit = false;
		else if (s[i] == '_' && !need_digit)
			need_digit = true;
		else
			return false;
	}
	return !need_digit;
}

/* --- virtual services ----------------------------------------------------- */

int batch_vservices_load(struct req *r, struct batch_vservices *s, const long *periods,
			 size_t nperiods)
{
	memset(s, 0, sizeof *s);
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `id`,`tagid`,`price`,`cashtype`,`priority`,`fee_charge_always`,"
		     "`charge_period_days`,`exclude_tags`,`archived`"
		     " FROM `vservices` ORDER BY `priority` DESC, `id`",
		     "") != 0)
		return -1;
	s->v = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *s->v);
	for (size_t i = 0; i < rows.nrows; i++) {
		long period = cell_long(&rows, i, 6);
		bool wanted = nperiods == 0;
		for (size_t k = 0; k < nperiods && !wanted; k++)
			wanted = periods[k] == period;
		if (!wanted)
			continue;
		struct batch_vservice *v = &s->v[s->n++];
		v->id = cell_long(&rows, i, 0);
		v->tagid = cell_long(&rows, i, 1);
		v->price_s = cell_dup(&rows, i, 2);
		v->price = cell_money(v->price_s);
		const char *ct = db_cell(&rows, i, 3);
		v->is_virtual = ct && strcmp(ct, "virtual") == 0;
		v->is_stargazer = ct && strcmp(ct, "stargazer") == 0;
		v->priority = cell_long(&rows, i, 4);
		v->always = cell_long(&rows, i, 5) != 0;
		v->period = period;
		/* Ubilling would build broken SQL from a non-numeric list and charge
		 * nobody for that service; an unusable list excludes nothing here,
		 * and is logged */
		if (!batch_int_list(db_cell(&rows, i, 7), ',', &v->exclude, &v->nexclude))
			syslog(LOG_WARNING, "ubapi: vservice %ld has a non-numeric exclude_tags list",
			       v->id);
		v->archived = cell_long(&rows, i, 8) != 0;
	}
	db_rows_free(&rows);
	return 0;
}

void batch_vservices_free(struct batch_vservices *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].price_s);
		free(s->v[i].exclude);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

int batch_param(const struct req *r, const char *word)
{
	if (!param_present(&r->params, "param"))
		return 0;
	return strcmp(req_param(r, "param"), word) == 0 ? 1 : -1;
}

/* --- the run --------------------------------------------------------------- */

bool batch_valid_dryrun(const char *v)
{
	return v && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0);
}

void batch_init(struct batch *b, struct req *r)
{
	memset(b, 0, sizeof *b);
	b->r = r;
	const char *d = req_param(r, "dryrun");
	b->dry = d && strcmp(d, "1") == 0;
}

void batch_free(struct batch *b)
{
	batch_flush(b);
	free(b->q);
	b->q = NULL;
	b->capq = 0;
	sbuf_free(&b->lines);
}

const char *batch_cash_table(enum cash_op op)
{
	return op == CASH_CORRECT ? "paymentscorr" : "payments";
}

void batch_dry_line(struct batch *b, const char *login, const char *what, const char *note,
		    const char *target)
{
	sbuf_printf(&b->lines, "%s\t%s\t%s\t%s\n", login, what, note ? note : "", target);
}

/* --- units, one at a time --------------------------------------------------- */

static void count_result(struct batch *b, const char *login, const char *what, enum cash_result rc)
{
	switch (rc) {
	case CASH_DONE:
		b->done++;
		break;
	case CASH_BAD_INPUT:
	case CASH_CORE_FAILED:
		/* one refused user must not stop the others' charges; the
		 * reply says something was left undone */
		syslog(LOG_ERR, "ubapi batch: %s %s not applied (%s)", login, what, cash_error_reply(rc));
		b->core_failed++;
		break;
	case CASH_DB_FAILED:
		b->db_failed = true;
		break;
	}
}

static enum cash_result cash_now(struct batch *b, const struct cash_request *c)
{
	enum cash_result rc = cash_add(b->r, c);
	count_result(b, c->login, c->amount, rc);
	return rc;
}

/* the fields, then the weblog line: one transaction with the direct backend
 * (joining the caller's); with Stargazer the line is written once it said ok */
static enum cash_result change_now(struct batch *b, const struct batch_change *c)
{
	struct req *r = b->r;
	bool tx = billing_is_direct(r->cfg) && !db_in_transaction(r->db);
	enum cash_result rc = CASH_DONE;
	if (tx && db_begin(r->db) != 0) {
		rc = CASH_DB_FAILED;
	} else {
		for (size_t i = 0; i < c->nfields && rc == CASH_DONE; i++)
			if (billing_set(r, c->login, c->field[i], c->value[i]) != 0)
				rc = CASH_CORE_FAILED;
		if (rc == CASH_DONE && ((c->event && weblog(r, "%s", c->event) != 0) ||
					(tx && db_commit(r->db) != 0)))
			rc = CASH_DB_FAILED;
		if (rc != CASH_DONE && tx)
			db_rollback(r->db);
	}
	count_result(b, c->login, c->event ? c->event : "change", rc);
	return rc;
}

/* --- units, a group at a time ------------------------------------------------ */

/* Units per group: every statement of a group stays far below MariaDB's
 * 65535 placeholders (7 per payment row), and a group's transaction short. */
#define BATCH_GROUP 500

enum unit_kind { UNIT_CASH, UNIT_CHANGE };

struct batch_unit {
	enum unit_kind kind;
	char *login;
	struct cash_request cash;   /* strings owned by the unit */
	struct batch_change change; /* idem */
	/* the flush's state */
	size_t pass;                /* 1 for the user's first unit in the group */
	size_t first;               /* index of the user's first unit */
	bool missing;               /* no users row */
	char *balance;              /* CAST(Cash AS CHAR) before this unit */
};

static void unit_free(struct batch_unit *u)
{
	free(u->login);
	free((char *)u->cash.amount);
	free((char *)u->cash.note);
	free((char *)u->cash.admin);
	for (size_t i = 0; i < u->change.nfields; i++)
		free((char *)u->change.value[i]);
	free((char *)u->change.event);
	free(u->balance);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Grouping needs the transactions and the locks of InnoDB: on MyISAM
 * (Ubilling's own schema) a crash inside a group could leave it half
 * applied, where one unit at a time leaves at most one unit behind. */
static bool grouping(struct batch *b)
{
	if (b->grouped == 0) {
		b->grouped = -1;
		if (!b->dry && billing_is_direct(b->r->cfg)) {
			bool err = false;
			char *n = db_value(b->r->db, &err,
					   "SELECT COUNT(*) FROM information_schema.TABLES"
					   " WHERE TABLE_SCHEMA=DATABASE()"
					   " AND TABLE_NAME IN ('users','payments','paymentscorr','weblogs')"
					   " AND (ENGINE IS NULL OR ENGINE<>'InnoDB')",
					   "");
			if (!err && n && strcmp(n, "0") == 0)
				b->grouped = 1;
			free(n);
		}
	}
	return b->grouped == 1 && !db_in_transaction(b->r->db);
}

static struct batch_unit *unit_push(struct batch *b)
{
	if (b->nq == b->capq) {
		b->capq = b->capq ? b->capq * 2 : 64;
		b->q = xrealloc(b->q, b->capq * sizeof *b->q);
	}
	struct batch_unit *u = &b->q[b->nq++];
	memset(u, 0, sizeof *u);
	return u;
}

static bool field_grouped(enum billing_field f)
{
	return f == BF_PASSIVE || f == BF_CREDIT || f == BF_CREDIT_EXPIRE || f == BF_DOWN ||
	       f == BF_AONLINE;
}

/* the values billing_set would accept: anything else runs alone and fails
 * there exactly as it always did */
static bool change_valid(const struct batch_change *c)
{
	if (!valid_login(c->login) || c->nfields > 2)
		return false;
	for (size_t i = 0; i < c->nfields; i++) {
		const char *v = c->value[i];
		if (!field_grouped(c->field[i]) || !v)
			return false;
		switch (c->field[i]) {
		case BF_CREDIT:
			if (!money_valid(v))
				return false;
			break;
		case BF_CREDIT_EXPIRE:
			if (!valid_uint(v))
				return false;
			break;
		default:
			if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
				return false;
			break;
		}
	}
	return true;
}

enum cash_result batch_cash(struct batch *b, const struct cash_request *c)
{
	if (b->dry) {
		batch_dry_line(b, c->login, c->amount, c->note, batch_cash_table(c->op));
		b->done++;
		return CASH_DONE;
	}
	if (grouping(b) && valid_login(c->login) && money_valid(c->amount) && c->cashtype >= 1 &&
	    cash_rule_of(c->op)) {
		struct batch_unit *u = unit_push(b);
		u->kind = UNIT_CASH;
		u->login = xstrdup(c->login);
		u->cash = *c;
		u->cash.login = u->login;
		u->cash.amount = xstrdup(c->amount);
		u->cash.note = dup_or_null(c->note);
		u->cash.admin = dup_or_null(c->admin);
		if (b->nq >= BATCH_GROUP)
			batch_flush(b);
		return CASH_DONE;
	}
	batch_flush(b);
	return cash_now(b, c);
}

enum cash_result batch_change(struct batch *b, const struct batch_change *c)
{
	if (b->dry)
		return CASH_DONE;
	if (grouping(b) && change_valid(c)) {
		struct batch_unit *u = unit_push(b);
		u->kind = UNIT_CHANGE;
		u->login = xstrdup(c->login);
		u->change = *c;
		u->change.login = u->login;
		for (size_t i = 0; i < c->nfields; i++)
			u->change.value[i] = xstrdup(c->value[i]);
		if (c->event) {
			struct sbuf e = SBUF_INIT;
			sbuf_puts(&e, c->event);
			sbuf_truncate_chars(&e, 255); /* as weblog() stores it */
			u->change.event = xstrdup(sbuf_str(&e));
			sbuf_free(&e);
		}
		if (b->nq >= BATCH_GROUP)
			batch_flush(b);
		return CASH_DONE;
	}
	batch_flush(b);
	return change_now(b, c);
}

/* A group's statements: SQL text with the values bound in order. */
struct stmt {
	struct sbuf sql;
	const char **v;
	size_t n, cap;
};

static void stmt_val(struct stmt *s, const char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = v;
}

static void stmt_reset(struct stmt *s)
{
	sbuf_free(&s->sql);
	s->n = 0;
}

static void stmt_free(struct stmt *s)
{
	sbuf_free(&s->sql);
	free(s->v);
}

/* "(SELECT ? AS a, ? AS b UNION ALL SELECT ?,? ...) d": rows of two values,
 * joined to users on the login so the server's own comparison decides which
 * row a unit changes, exactly as the one-unit statements' WHERE login=? */
static void derived_row(struct stmt *s, size_t row, const char *x, const char *y)
{
	sbuf_puts(&s->sql, row == 0 ? "(SELECT ? AS a, ? AS b" : " UNION ALL SELECT ?,?");
	stmt_val(s, x);
	stmt_val(s, y);
}

struct group {
	struct batch *b;
	struct batch_unit *u;
	size_t n;
	char **index;    /* unit indexes as text, bound in the lock query */
	char now[24];    /* unix time, for the *Time columns */
	char date[20];   /* datetime, for the rows */
};

static bool unit_in_user(const struct group *g, size_t i)
{
	return !g->u[g->u[i].first].missing;
}

/* Reads CAST(Cash AS CHAR) of the users whose unit of this pass needs its
 * balance (pass 1: every user, locking the rows and finding the missing
 * ones), into that unit's balance. */
static int read_balances(struct group *g, size_t pass)
{
	struct stmt s = { 0 };
	size_t rows = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct batch_unit *u = &g->u[i];
		if (u->pass != pass || (pass > 1 && (u->kind != UNIT_CASH || !unit_in_user(g, i))))
			continue;
		derived_row(&s, rows++, g->index[i], u->login);
	}
	if (rows == 0) {
		stmt_free(&s);
		return 0;
	}
	sbuf_puts(&s.sql, ") d JOIN `users` u ON u.`login`=d.b FOR UPDATE");
	struct sbuf sql = SBUF_INIT;
	sbuf_printf(&sql, "SELECT d.a, CAST(u.`Cash` AS CHAR) FROM %s", sbuf_str(&s.sql));
	struct db_rows res;
	int rc = db_query_list(g->b->r->db, &res, sbuf_str(&sql), s.n, s.v);
	sbuf_free(&sql);
	stmt_free(&s);
	if (rc != 0)
		return -1;
	for (size_t k = 0; k < res.nrows; k++) {
		const char *ix = db_cell(&res, k, 0), *cash = db_cell(&res, k, 1);
		size_t i = ix ? strtoul(ix, NULL, 10) : g->n;
		if (i < g->n) {
			free(g->u[i].balance);
			g->u[i].balance = xstrdup(cash ? cash : "");
		}
	}
	db_rows_free(&res);
	if (pass == 1)
		for (size_t i = 0; i < g->n; i++)
			if (g->u[i].pass == 1 && !g->u[i].balance) {
				g->u[i].missing = true;
				g->u[i].balance = xstrdup(""); /* Ubilling's balance for no user */
			}
	return 0;
}

/* Runs an UPDATE over the derived rows; every row must match its user. */
static int exec_update(struct group *g, struct stmt *s, size_t rows, const char *tail)
{
	if (rows == 0)
		return 0;
	struct sbuf sql = SBUF_INIT;
	sbuf_printf(&sql, "UPDATE `users` u JOIN %s) d ON u.`login`=d.a %s", sbuf_str(&s->sql), tail);
	if (strchr(tail, '?'))
		stmt_val(s, g->now);
	long long n = db_exec_list(g->b->r->db, sbuf_str(&sql), s->n, s->v);
	sbuf_free(&sql);
	stmt_reset(s);
	return n == (long long)rows ? 0 : -1;
}

static int cash_updates(struct group *g, size_t pass)
{
	struct stmt s = { 0 };
	int rc = 0;
	for (int core = 1; core <= 2 && rc == 0; core++) {
		size_t rows = 0;
		for (size_t i = 0; i < g->n; i++) {
			struct batch_unit *u = &g->u[i];
			if (u->pass == pass && u->kind == UNIT_CASH && unit_in_user(g, i) &&
			    cash_rule_of(u->cash.op)->core == core)
				derived_row(&s, rows++, u->login, u->cash.amount);
		}
		/* the order of the SET list matters for set: LastCashAdd first,
		 * from the old Cash, as the one-unit statement does */
		rc = exec_update(g, &s, rows,
				 core == 1 ? "SET u.`Cash`=u.`Cash`+d.b, u.`LastCashAdd`=d.b,"
					     " u.`LastCashAddTime`=?"
					   : "SET u.`LastCashAdd`=d.b-u.`Cash`, u.`Cash`=d.b,"
					     " u.`LastCashAddTime`=?");
	}
	stmt_free(&s);
	return rc;
}

static const char *field_set(enum billing_field f)
{
	switch (f) {
	case BF_PASSIVE: return "SET u.`Passive`=d.b, u.`PassiveTime`=?";
	case BF_CREDIT: return "SET u.`Credit`=d.b";
	case BF_CREDIT_EXPIRE: return "SET u.`CreditExpire`=d.b";
	case BF_DOWN: return "SET u.`Down`=d.b";
	case BF_AONLINE: return "SET u.`AlwaysOnline`=d.b";
	default: return NULL;
	}
}

static int change_updates(struct group *g, size_t pass)
{
	static const enum billing_field fields[] = { BF_PASSIVE, BF_CREDIT, BF_CREDIT_EXPIRE, BF_DOWN,
						     BF_AONLINE };
	struct stmt s = { 0 };
	int rc = 0;
	/* a unit's fields in its own order: its first field for every user,
	 * then its second */
	for (size_t j = 0; j < 2 && rc == 0; j++)
		for (size_t f = 0; f < sizeof fields / sizeof *fields && rc == 0; f++) {
			size_t rows = 0, freezes = 0;
			for (size_t i = 0; i < g->n; i++) {
				struct batch_unit *u = &g->u[i];
				if (u->pass == pass && u->kind == UNIT_CHANGE && unit_in_user(g, i) &&
				    j < u->change.nfields && u->change.field[j] == fields[f]) {
					derived_row(&s, rows++, u->login, u->change.value[j]);
					freezes += fields[f] == BF_PASSIVE && strcmp(u->change.value[j], "1") == 0;
				}
			}
			if (rows == 0)
				continue;
			if (freezes) {
				/* Stargazer charges the tariff's PassiveCost when it
				 * freezes an active user (billing.c's direct_passive) */
				struct sbuf sql = SBUF_INIT;
				sbuf_printf(&sql,
					    "UPDATE `users` u JOIN %s) d ON u.`login`=d.a"
					    " JOIN `tariffs` t ON t.`name`=u.`Tariff`"
					    " SET u.`Cash`=u.`Cash`-t.`PassiveCost`,"
					    " u.`LastCashAdd`=-t.`PassiveCost`, u.`LastCashAddTime`=?"
					    " WHERE d.b='1' AND u.`Passive`=0 AND t.`PassiveCost`>0",
					    sbuf_str(&s.sql));
				size_t n = s.n;
				stmt_val(&s, g->now);
				if (db_exec_list(g->b->r->db, sbuf_str(&sql), s.n, s.v) < 0)
					rc = -1;
				s.n = n;
				sbuf_free(&sql);
			}
			if (rc == 0)
				rc = exec_update(g, &s, rows, field_set(fields[f]));
			stmt_reset(&s);
		}
	stmt_free(&s);
	return rc;
}

/* whether the unit is applied (a mock unit needs no users row) */
static bool unit_applies(const struct group *g, size_t i)
{
	const struct batch_unit *u = &g->u[i];
	if (!unit_in_user(g, i))
		return u->kind == UNIT_CASH && cash_rule_of(u->cash.op)->core == 0;
	return true;
}

static int insert_rows(struct group *g, const char *const *events)
{
	struct batch *b = g->b;
	struct stmt s = { 0 };
	size_t rows = 0;
	for (size_t i = 0; i < g->n; i++)
		if (unit_applies(g, i) && events[i]) {
			sbuf_puts(&s.sql, rows++ ? ",(?,?,?,?)" : "(?,?,?,?)");
			stmt_val(&s, g->date);
			stmt_val(&s, WEBLOG_ADMIN);
			stmt_val(&s, b->r->remote_ip);
			stmt_val(&s, events[i]);
		}
	int rc = 0;
	if (rows) {
		struct sbuf sql = SBUF_INIT;
		sbuf_printf(&sql, "INSERT INTO `weblogs` (`date`,`admin`,`ip`,`event`) VALUES %s",
			    sbuf_str(&s.sql));
		rc = db_exec_list(b->r->db, sbuf_str(&sql), s.n, s.v) < 0 ? -1 : 0;
		sbuf_free(&sql);
	}
	/* payment rows, per table, in unit order */
	static const char *const tables[] = { "payments", "paymentscorr" };
	struct sbuf *notes = xcalloc(g->n, sizeof *notes);
	char (*types)[24] = xcalloc(g->n, sizeof *types);
	for (size_t t = 0; t < 2 && rc == 0; t++) {
		stmt_reset(&s);
		rows = 0;
		for (size_t i = 0; i < g->n; i++) {
			struct batch_unit *u = &g->u[i];
			if (u->kind != UNIT_CASH || !unit_applies(g, i))
				continue;
			const struct cash_rule *rule = cash_rule_of(u->cash.op);
			if (strcmp(rule->table, tables[t]) != 0)
				continue;
			cash_note(rule, u->cash.note, &notes[i]);
			snprintf(types[i], sizeof types[i], "%ld", u->cash.cashtype);
			sbuf_puts(&s.sql, rows++ ? ",(?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)");
			stmt_val(&s, u->login);
			stmt_val(&s, g->date);
			stmt_val(&s, u->cash.admin ? u->cash.admin : WEBLOG_ADMIN);
			stmt_val(&s, u->balance ? u->balance : "");
			stmt_val(&s, u->cash.amount);
			stmt_val(&s, types[i]);
			stmt_val(&s, sbuf_str(&notes[i]));
		}
		if (rows == 0)
			continue;
		/* the table name comes from the fixed list above */
		struct sbuf sql = SBUF_INIT;
		sbuf_printf(&sql,
			    "INSERT INTO `%s` (`login`,`date`,`admin`,`balance`,`summ`,`cashtypeid`,`note`)"
			    " VALUES %s",
			    tables[t], sbuf_str(&s.sql));
		rc = db_exec_list(b->r->db, sbuf_str(&sql), s.n, s.v) < 0 ? -1 : 0;
		sbuf_free(&sql);
	}
	for (size_t i = 0; i < g->n; i++)
		sbuf_free(&notes[i]);
	free(notes);
	free(types);
	stmt_free(&s);
	return rc;
}

struct order_key {
	const char *login;
	size_t i;
};

/* logins are ASCII (valid_login), and the users table compares them
 * without case: the same user whatever the case */
static int order_cmp(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;
	int c = strcasecmp(x->login, y->login);
	if (c)
		return c;
	return (x->i > y->i) - (x->i < y->i);
}

static size_t assign_passes(struct group *g)
{
	struct order_key *k = xcalloc(g->n, sizeof *k);
	for (size_t i = 0; i < g->n; i++)
		k[i] = (struct order_key){ g->u[i].login, i };
	qsort(k, g->n, sizeof *k, order_cmp);
	size_t maxpass = 0;
	for (size_t j = 0; j < g->n; j++) {
		struct batch_unit *u = &g->u[k[j].i];
		if (j > 0 && strcasecmp(k[j - 1].login, k[j].login) == 0) {
			struct batch_unit *prev = &g->u[k[j - 1].i];
			u->pass = prev->pass + 1;
			u->first = prev->first;
		} else {
			u->pass = 1;
			u->first = k[j].i;
		}
		if (u->pass > maxpass)
			maxpass = u->pass;
	}
	free(k);
	return maxpass;
}

/* 0 committed, -1 failed before COMMIT (rolled back: nothing applied),
 * -2 COMMIT failed (the outcome is the server's: no retry) */
static int group_apply(struct group *g)
{
	struct db *db = g->b->r->db;
	if (db_begin(db) != 0)
		return -1;
	size_t maxpass = assign_passes(g);
	/* without money units no balance is recorded: the UPDATEs lock the
	 * rows themselves, and one matching fewer rows than units (a user
	 * gone) fails the group, whose units then run one by one */
	bool balances = false;
	for (size_t i = 0; i < g->n && !balances; i++)
		balances = g->u[i].kind == UNIT_CASH;
	int rc = 0;
	for (size_t pass = 1; pass <= maxpass && rc == 0; pass++)
		if ((balances && read_balances(g, pass) != 0) || cash_updates(g, pass) != 0 ||
		    change_updates(g, pass) != 0)
			rc = -1;
	const char **events = xcalloc(g->n, sizeof *events);
	for (size_t i = 0; i < g->n && rc == 0; i++) {
		struct batch_unit *u = &g->u[i];
		if (u->kind == UNIT_CHANGE) {
			events[i] = u->change.event;
			continue;
		}
		const struct cash_rule *rule = cash_rule_of(u->cash.op);
		if (!rule->event)
			continue;
		struct sbuf e = SBUF_INIT;
		sbuf_printf(&e, "%s (%s) ON %s", rule->event, u->login, u->cash.amount);
		sbuf_truncate_chars(&e, 255);
		events[i] = xstrdup(sbuf_str(&e));
		sbuf_free(&e);
	}
	if (rc == 0 && insert_rows(g, events) != 0)
		rc = -1;
	for (size_t i = 0; i < g->n; i++)
		if (g->u[i].kind == UNIT_CASH)
			free((char *)events[i]);
	free(events);
	if (rc == 0 && db_commit(db) != 0)
		rc = -2;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

void batch_flush(struct batch *b)
{
	if (b->nq == 0)
		return;
	struct group g = { .b = b, .u = b->q, .n = b->nq };
	snprintf(g.now, sizeof g.now, "%lld", (long long)b->r->now);
	clock_format_datetime(b->r->now, g.date);
	g.index = xcalloc(g.n, sizeof *g.index);
	for (size_t i = 0; i < g.n; i++) {
		char ix[24];
		snprintf(ix, sizeof ix, "%zu", i);
		g.index[i] = xstrdup(ix);
	}
	int rc = db_in_transaction(b->r->db) ? -1 : group_apply(&g);
	if (rc == 0) {
		for (size_t i = 0; i < g.n; i++) {
			struct batch_unit *u = &g.u[i];
			count_result(b, u->login, u->kind == UNIT_CASH ? u->cash.amount : "change",
				     unit_applies(&g, i) ? CASH_DONE : CASH_CORE_FAILED);
		}
	} else if (rc == -2) {
		syslog(LOG_ERR, "ubapi batch: COMMIT of a group of %zu units failed", g.n);
		b->db_failed = true;
	} else {
		/* a failed statement: the group is rolled back, its units run
		 * one by one so the failure stays with the unit that caused it */
		for (size_t i = 0; i < g.n && !b->db_failed; i++) {
			if (g.u[i].kind == UNIT_CASH)
				cash_now(b, &g.u[i].cash);
			else
				change_now(b, &g.u[i].change);
		}
	}
	for (size_t i = 0; i < g.n; i++) {
		unit_free(&g.u[i]);
		free(g.index[i]);
	}
	free(g.index);
	b->nq = 0;
}

int batch_weblog(struct batch *b, const char *fmt, ...)
{
	if (b->dry)
		return 0;
	batch_flush(b);
	struct sbuf event = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&event, fmt, ap);
	va_end(ap);
	int rc = weblog(b->r, "%s", sbuf_str(&event));
	sbuf_free(&event);
	if (rc != 0)
		b->db_failed = true;
	return rc;
}

void batch_reply(struct batch *b, const char *ok)
{
	batch_flush(b);
	if (b->db_failed) {
		reply_db_error(b->r);
		return;
	}
	if (b->core_failed && !b->dry) {
		reply_text(b->r, "ERROR:BILLING_CORE");
		return;
	}
	if (!b->dry) {
		reply_text(b->r, ok);
		return;
	}
	struct sbuf out = SBUF_INIT;
	sbuf_add(&out, b->lines.s ? b->lines.s : "", b->lines.len);
	sbuf_puts(&out, ok);
	reply_text(b->r, sbuf_str(&out));
	sbuf_free(&out);
}
