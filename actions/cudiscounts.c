/* cudiscounts: cumulative loyalty discounts, run daily. Every day a user is
 * active counts; after CUD_PULLDAYS such days the discount grows by
 * CUD_PERCENT (up to CUD_PERCENTLIMIT) and that percent of the tariff fee is
 * paid to the user. An inactive day resets the count and the discount. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "batch.h"
#include "clock.h"
#include "money.h"
#include "util.h"

struct cud_row {
	char *login;
	long days;
	char *discount_s;
	money_t discount;
	size_t seq;       /* position in the table */
};

struct cud_run {
	struct batch b;
	struct batch_users users;
	struct batch_tariffs tariffs;
	struct batch_tags tags;
	struct cud_row *rows; /* bytewise login order; the last row of a login wins */
	size_t nrows;
	char **cf_login;      /* custom-field override percent, parallel arrays */
	long *cf_pct;
	size_t ncf;
	long pulldays, fill, limit, payid, cfid, only_tag;
	enum cash_op op;
	long debug;
	char now[20];
	FILE *log;
};

/* Ubilling's 'int' filter: the digits of the value, or def when unset */
static long conf_int(struct req *r, const char *key, long def)
{
	const char *v = cfg_alter(r->cfg, key, NULL);
	if (!v)
		return def;
	long x = 0;
	for (; *v; v++)
		if (*v >= '0' && *v <= '9' && x < 100000000)
			x = x * 10 + (*v - '0');
	return x;
}

static void debug_log(struct cud_run *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void debug_log(struct cud_run *c, const char *fmt, ...)
{
	if (c->debug < 1 || c->b.dry)
		return;
	struct sbuf text = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (!c->log) {
		char *path = cfg_path(c->b.r->cfg, "content/documents/cudiscounts.log");
		c->log = fopen(path, "a");
		free(path);
	}
	if (c->log)
		fprintf(c->log, "%s %s\n", c->now, sbuf_str(&text));
	if (c->debug > 1)
		batch_weblog(&c->b, "%s", sbuf_str(&text));
	sbuf_free(&text);
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cud_row *)a)->login, ((const struct cud_row *)b)->login);
}

/* by login, the newest row first */
static int row_cmp_newest(const void *a, const void *b)
{
	const struct cud_row *x = a, *y = b;
	int c = strcmp(x->login, y->login);
	return c ? c : (x->seq < y->seq) - (x->seq > y->seq);
}

static int load_rows(struct cud_run *c)
{
	struct db_rows rows;
	if (db_query(c->b.r->db, &rows, "SELECT `login`,`days`,`discount` FROM `cudiscounts` ORDER BY `id`", "") != 0)
		return -1;
	c->rows = xcalloc(rows.nrows + 1, sizeof *c->rows);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0), *days = db_cell(&rows, i, 1),
			   *disc = db_cell(&rows, i, 2);
		struct cud_row *x = &c->rows[c->nrows++];
		x->login = xstrdup(login ? login : "");
		x->seq = i;
		x->days = days ? atol(days) : 0;
		x->discount_s = xstrdup(disc ? disc : "");
		if (disc)
			money_parse_db(disc, &x->discount);
	}
	db_rows_free(&rows);
	/* the last row of a login is the one Ubilling's array keeps */
	qsort(c->rows, c->nrows, sizeof *c->rows, row_cmp_newest);
	size_t u = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		if (u && strcmp(c->rows[u - 1].login, c->rows[i].login) == 0) {
			free(c->rows[i].login);
			free(c->rows[i].discount_s);
			continue;
		}
		c->rows[u++] = c->rows[i];
	}
	c->nrows = u;
	return 0;
}

static int load_overrides(struct cud_run *c)
{
	if (c->cfid <= 0)
		return 0;
	struct db_rows rows;
	if (db_query(c->b.r->db, &rows, "SELECT `login`,`content` FROM `cfitems` WHERE `typeid`=? ORDER BY `id`",
		     "i", (long long)c->cfid) != 0)
		return -1;
	c->cf_login = xcalloc(rows.nrows + 1, sizeof *c->cf_login);
	c->cf_pct = xcalloc(rows.nrows + 1, sizeof *c->cf_pct);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *v = db_cell(&rows, i, 1);
		long x = 0;
		for (; v && *v; v++)
			if (*v >= '0' && *v <= '9' && x < 100000000)
				x = x * 10 + (*v - '0');
		if (x == 0 || !db_cell(&rows, i, 0))
			continue;
		c->cf_login[c->ncf] = xstrdup(db_cell(&rows, i, 0));
		c->cf_pct[c->ncf++] = x;
	}
	db_rows_free(&rows);
	return 0;
}

static long override_of(const struct cud_run *c, const char *login)
{
	for (size_t i = c->ncf; i-- > 0;)
		if (strcmp(c->cf_login[i], login) == 0)
			return c->cf_pct[i];
	return 0;
}

static struct cud_row *row_of(struct cud_run *c, const char *login)
{
	struct cud_row key = { .login = (char *)login };
	return bsearch(&key, c->rows, c->nrows, sizeof *c->rows, row_cmp);
}

static int set_discount(struct cud_run *c, const char *login, long days, const char *discount)
{
	if (c->b.dry) {
		char what[96];
		snprintf(what, sizeof what, "days=%ld discount=%s", days, discount);
		batch_dry_line(&c->b, login, what, "", "cudiscounts");
		return 0;
	}
	return db_exec(c->b.r->db, "UPDATE `cudiscounts` SET `days`=?, `discount`=? WHERE `login`=?", "iss",
		       (long long)days, discount, login) < 0 ? -1 : 0;
}

static void create_row(struct cud_run *c, const struct batch_user *u, bool active)
{
	if (c->b.dry)
		batch_dry_line(&c->b, u->login, active ? "days=1 discount=0" : "days=0 discount=0", "",
			       "cudiscounts");
	else if (db_exec(c->b.r->db,
			 "INSERT INTO `cudiscounts` (`login`,`discount`,`date`,`days`) VALUES (?,'0',?,?)", "ssi",
			 u->login, c->now, (long long)(active ? 1 : 0)) < 0) {
		c->b.db_failed = true;
		return;
	}
	debug_log(c, "CUDISCOUNTS CREATE (%s)", u->login);
}

/* the days reset, the new percent and its payment: one unit */
static void push(struct cud_run *c, const struct batch_user *u, const struct cud_row *row)
{
	long cf = override_of(c, u->login);
	money_t next;
	money_t limit = { c->limit * MONEY_SCALE }, fill = { c->fill * MONEY_SCALE };
	if (cf)
		next.units = cf * MONEY_SCALE;
	else if (money_cmp(row->discount, limit) < 0)
		money_add(row->discount, fill, &next);
	else
		next = limit;
	struct sbuf pct = SBUF_INIT;
	money_format(next, &pct);
	const struct batch_tariff *t = batch_tariff_find(&c->tariffs, u->tariff);
	money_t zero = { 0 }, amount;
	bool pay = t && money_cmp(t->fee, zero) != 0 && money_percent(t->fee, next, &amount);
	struct req *r = c->b.r;
	bool tx = !c->b.dry;
	if (tx && db_begin(r->db) != 0) {
		c->b.db_failed = true;
		sbuf_free(&pct);
		return;
	}
	enum cash_result rc = set_discount(c, u->login, 0, sbuf_str(&pct)) == 0 ? CASH_DONE : CASH_DB_FAILED;
	struct sbuf cash = SBUF_INIT, note = SBUF_INIT;
	if (rc == CASH_DONE && pay) {
		money_format(amount, &cash);
		sbuf_printf(&note, "DISCOUNT:%s", sbuf_str(&pct));
		struct cash_request cr = { .login = u->login, .amount = sbuf_str(&cash), .op = c->op,
					   .cashtype = c->payid, .note = sbuf_str(&note) };
		rc = batch_cash(&c->b, &cr);
	}
	if (tx && (rc != CASH_DONE || db_commit(r->db) != 0)) {
		/* the discount step is retried on the next run with its payment */
		db_rollback(r->db);
		if (rc != CASH_CORE_FAILED && rc != CASH_BAD_INPUT)
			c->b.db_failed = true;
	} else if (pay) {
		debug_log(c, "CUDISCOUNTS PUSH (%s) PERCENT:%s DAYS:0 CASH:%s TARIFF:%s", u->login,
			  sbuf_str(&pct), sbuf_str(&cash), u->tariff);
	} else {
		debug_log(c, "CUDISCOUNTS IGNORE (%s) TARIFF %s %s", u->login, u->tariff,
			  t ? "ZERO PRICE" : "NOT EXISTS");
	}
	sbuf_free(&cash);
	sbuf_free(&note);
	sbuf_free(&pct);
}

static void process_user(struct cud_run *c, const struct batch_user *u)
{
	bool active = money_cmp(u->cash, money_neg(u->credit)) >= 0 && !u->passive && !u->down;
	struct cud_row *row = row_of(c, u->login);
	if (!row) {
		create_row(c, u, active);
		return;
	}
	if (!active) {
		/* Ubilling leaves the discount alone when days is already 0 */
		if (row->days != 0) {
			if (set_discount(c, u->login, 0, "0") != 0)
				c->b.db_failed = true;
			else
				debug_log(c, "CUDISCOUNTS SETDOWN (%s) DAYS: 0 PERCENT: 0", u->login);
		}
		return;
	}
	if (row->days >= c->pulldays) {
		push(c, u, row);
		return;
	}
	long cf = override_of(c, u->login);
	char pct[32];
	if (cf) {
		snprintf(pct, sizeof pct, "%ld", cf);
		debug_log(c, "CUDISCOUNTS OVERRIDE (%s) PERCENT:%ld", u->login, cf);
	}
	if (set_discount(c, u->login, row->days + 1, cf ? pct : row->discount_s) != 0) {
		c->b.db_failed = true;
		return;
	}
	debug_log(c, "CUDISCOUNTS UPDATE (%s) DAYS:%ld PERCENT:%s", u->login, row->days + 1, row->discount_s);
}

void cmd_cudiscounts(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "CUD_ENABLED", NULL))) {
		reply_text(r, "ERROR:CUDISCOUNTS_DISABLED");
		return;
	}
	struct cud_run c = { 0 };
	c.pulldays = conf_int(r, "CUD_PULLDAYS", 30);
	c.fill = conf_int(r, "CUD_PERCENT", 1);
	c.limit = conf_int(r, "CUD_PERCENTLIMIT", 10);
	c.payid = conf_int(r, "CUD_PAYID", 1);
	if (c.payid < 1)
		c.payid = 1;
	c.cfid = conf_int(r, "CUD_CFID", 0);
	c.only_tag = conf_int(r, "CUD_ONLY_TAGID", 0);
	c.op = strcmp(cfg_alter(r->cfg, "CUD_OPERATION", ""), "CORR") == 0 ? CASH_CORRECT : CASH_ADD;
	c.debug = conf_int(r, "CUD_ENABLED", 0);
	clock_format_datetime(r->now, c.now);
	batch_init(&c.b, r);
	if (batch_users_load(r, &c.users, NULL) != 0 || batch_tariffs_load(r, &c.tariffs) != 0 ||
	    (c.only_tag && batch_tags_load(r, &c.tags) != 0) || load_rows(&c) != 0 ||
	    load_overrides(&c) != 0) {
		c.b.db_failed = true;
	} else if (c.users.n == 0) {
		debug_log(&c, "CUDISCOUNTS NO USERS");
	} else {
		for (size_t i = 0; i < c.users.n && !c.b.db_failed; i++) {
			const struct batch_user *u = &c.users.v[i];
			if (c.only_tag && batch_tags_count(&c.tags, u->login, c.only_tag) == 0)
				continue;
			process_user(&c, u);
		}
	}
	batch_reply(&c.b, "OK:CUDISCOUNTS");
	if (c.log)
		fclose(c.log);
	batch_users_free(&c.users);
	batch_tariffs_free(&c.tariffs);
	batch_tags_free(&c.tags);
	for (size_t i = 0; i < c.nrows; i++) {
		free(c.rows[i].login);
		free(c.rows[i].discount_s);
	}
	free(c.rows);
	for (size_t i = 0; i < c.ncf; i++)
		free(c.cf_login[i]);
	free(c.cf_login);
	free(c.cf_pct);
	batch_free(&c.b);
}
