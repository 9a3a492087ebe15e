/* ukvfeeprocessing: the monthly fee of every UKV (cable TV) subscriber,
 * on its own balance in ukv_users, once per month (ukv_fees).
 *
 * Unlike PHP the month's marker is written first, the whole run is one
 * transaction (InnoDB: all or nothing), and a user who already has a
 * UKVFEE payment this month is not charged again, so a run resumed after a
 * crash on MyISAM (operator removed the marker) never charges twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "clock.h"
#include "money.h"
#include "ukv.h"
#include "util.h"
#include "weblog.h"

enum { U_ID, U_TARIFF, U_NMID, U_NMDATE, U_CASH, U_ACTIVE };
enum { T_ID, T_NAME, T_PRICE };

struct ukvrun {
	struct req *r;
	bool dry;
	struct sbuf report;
	struct db_rows users, tariffs;
	long *charged;        /* users with a UKVFEE payment this month, sorted */
	size_t ncharged;
	char now[20], today[11], ym[32];
	const char *month;
	int year;
};

static long cell_id(const char *v)
{
	return v ? atol(v) : 0;
}

static int long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static bool already_charged(const struct ukvrun *u, long id)
{
	return bsearch(&id, u->charged, u->ncharged, sizeof *u->charged, long_cmp) != NULL;
}

/* the tariff row of id, or (size_t)-1 */
static size_t tariff_row(const struct ukvrun *u, long id)
{
	for (size_t i = 0; i < u->tariffs.nrows; i++)
		if (cell_id(db_cell(&u->tariffs, i, T_ID)) == id)
			return i;
	return (size_t)-1;
}

static int load(struct ukvrun *u)
{
	struct req *r = u->r;
	char from[48], to[48];
	struct tm tm;
	localtime_r(&r->now, &tm);
	snprintf(from, sizeof from, "%s-01 00:00:00", u->ym);
	snprintf(to, sizeof to, "%04d-%02d-01 00:00:00", tm.tm_mon == 11 ? tm.tm_year + 1901 : tm.tm_year + 1900,
		 tm.tm_mon == 11 ? 1 : tm.tm_mon + 2);
	struct db_rows done;
	if (db_query(r->db, &u->tariffs, "SELECT `id`,`tariffname`,`price` FROM `ukv_tariffs` ORDER BY `id`", "") != 0)
		return -1;
	if (db_query(r->db, &u->users,
		     "SELECT `id`,`tariffid`,`tariffnmid`,`tariffnmdate`,`cash`,`active` FROM `ukv_users`"
		     " ORDER BY `id`",
		     "") != 0)
		return -1;
	if (db_query(r->db, &done,
		     "SELECT DISTINCT `userid` FROM `ukv_payments` WHERE `date`>=? AND `date`<?"
		     " AND `note` LIKE 'UKVFEE:%' ORDER BY `userid`",
		     "ss", from, to) != 0)
		return -1;
	u->charged = xcalloc(done.nrows ? done.nrows : 1, sizeof *u->charged);
	for (size_t i = 0; i < done.nrows; i++)
		u->charged[u->ncharged++] = cell_id(db_cell(&done, i, 0));
	db_rows_free(&done);
	qsort(u->charged, u->ncharged, sizeof *u->charged, long_cmp);
	return 0;
}

/* a scheduled tariff move that is due: the new tariff id, else 0 */
static long move_due(const struct ukvrun *u, size_t i)
{
	long nm = cell_id(db_cell(&u->users, i, U_NMID));
	const char *when = db_cell(&u->users, i, U_NMDATE);
	if (nm == 0 || tariff_row(u, nm) == (size_t)-1)
		return 0;
	if (when && *when && strcmp(when, u->today) > 0)
		return 0;
	return nm;
}

static int move_tariff(struct ukvrun *u, size_t i, long nm)
{
	const char *id = db_cell(&u->users, i, U_ID);
	if (u->dry) {
		sbuf_printf(&u->report, "%s\tTARIFF\t%ld\tukv_users\n", id, nm);
		return 0;
	}
	/* PHP's '' into the int column is stored as 0 */
	return db_exec(u->r->db,
		       "UPDATE `ukv_users` SET `tariffid`=?,`tariffnmid`=0,`tariffnmdate`='' WHERE `id`=?",
		       "ii", (long long)nm, (long long)cell_id(id)) < 0
		       ? -1
		       : 0;
}

static int pay(struct ukvrun *u, long id, const char *balance, const char *summ, const char *note)
{
	if (u->dry) {
		sbuf_printf(&u->report, "%ld\t%s\t%s\tukv_payments\n", id, summ, note);
		return 0;
	}
	return db_exec(u->r->db,
		       "INSERT INTO `ukv_payments` (`userid`,`date`,`admin`,`balance`,`summ`,`visible`,"
		       "`cashtypeid`,`note`) VALUES (?,?,?,?,?,0,1,?)",
		       "isssss", (long long)id, u->now, WEBLOG_ADMIN, balance, summ, note) < 0
		       ? -1
		       : 0;
}

/* the fee of one active user: the balance read under lock, the payment
 * row with it, then the new balance computed exactly */
static int charge_active(struct ukvrun *u, long id, size_t t, const char *snap)
{
	struct req *r = u->r;
	money_t price = { 0 }, cash = { 0 }, next;
	if (t != (size_t)-1 && db_cell(&u->tariffs, t, T_PRICE))
		money_parse_db(db_cell(&u->tariffs, t, T_PRICE), &price);
	price = money_abs(price);
	struct sbuf summ = SBUF_INIT, note = SBUF_INIT, nv = SBUF_INIT;
	sbuf_puts(&summ, "-");
	money_format(price, &summ);
	sbuf_printf(&note, "UKVFEE:%s %s %d",
		    t != (size_t)-1 && db_cell(&u->tariffs, t, T_NAME) ? db_cell(&u->tariffs, t, T_NAME) : "",
		    u->month, u->year);
	sbuf_truncate_chars(&note, 255);
	bool err = false;
	char *cur = u->dry ? NULL
			   : db_value(r->db, &err, "SELECT CAST(`cash` AS CHAR) FROM `ukv_users` WHERE `id`=? FOR UPDATE",
				      "i", (long long)id);
	const char *balance = cur ? cur : snap ? snap : "0";
	int rc = -1;
	if (!err && money_parse_db(balance, &cash) && money_sub(cash, price, &next)) {
		money_format(next, &nv);
		if (pay(u, id, balance, sbuf_str(&summ), sbuf_str(&note)) == 0 &&
		    (u->dry || db_exec(r->db, "UPDATE `ukv_users` SET `cash`=? WHERE `id`=?", "si",
				       sbuf_str(&nv), (long long)id) >= 0))
			rc = 0;
	}
	free(cur);
	sbuf_free(&summ);
	sbuf_free(&note);
	sbuf_free(&nv);
	return rc;
}

static int charge_user(struct ukvrun *u, size_t i, long tariffid)
{
	long id = cell_id(db_cell(&u->users, i, U_ID));
	const char *snap = db_cell(&u->users, i, U_CASH);
	if (tariffid == 0)
		return pay(u, id, snap ? snap : "0", "0", "UKVFEE: NO_TARIFF_SET");
	const char *active = db_cell(&u->users, i, U_ACTIVE);
	if (!active || !php_truthy(active))
		return pay(u, id, snap ? snap : "0", "0", "UKVFEE: USER_NOT_ACTIVE");
	return charge_active(u, id, tariff_row(u, tariffid), snap);
}

static int run(struct ukvrun *u, long *count)
{
	struct req *r = u->r;
	if (!u->dry && db_exec(r->db, "INSERT INTO `ukv_fees` (`yearmonth`) VALUES (?)", "s", u->ym) < 0)
		return -1;
	for (size_t i = 0; i < u->users.nrows; i++) {
		long tariffid = cell_id(db_cell(&u->users, i, U_TARIFF));
		long nm = move_due(u, i);
		if (nm) {
			if (move_tariff(u, i, nm) != 0)
				return -1;
			tariffid = nm;
		}
		if (already_charged(u, cell_id(db_cell(&u->users, i, U_ID))))
			continue;
		if (charge_user(u, i, tariffid) != 0)
			return -1;
		(*count)++;
	}
	return u->dry ? 0 : weblog(r, "UKV FEE CHARGED FOR %ld USERS", *count);
}

void cmd_ukvfeeprocessing(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "UKV_ENABLED", "0"))) {
		reply_text(r, "ERROR:NO_UKV_ENABLED");
		return;
	}
	struct ukvrun u = { .r = r };
	const char *d = req_param(r, "dryrun");
	u.dry = d && strcmp(d, "1") == 0;
	struct tm tm;
	localtime_r(&r->now, &tm);
	clock_format_datetime(r->now, u.now);
	clock_format_date(r->now, u.today);
	snprintf(u.ym, sizeof u.ym, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
	u.month = ukv_month_name(r->cfg, tm.tm_mon + 1);
	u.year = tm.tm_year + 1900;

	bool err = false;
	char *marker = db_value(r->db, &err, "SELECT `id` FROM `ukv_fees` WHERE `yearmonth`=? LIMIT 1", "s", u.ym);
	long count = 0;
	if (err) {
		reply_db_error(r);
	} else if (marker) {
		if (!u.dry && weblog(r, "UKV FEE CHARGE DOUBLE TRY") != 0)
			reply_db_error(r);
		else
			reply_text(r, "OK:UKVFEEPROCESSING:0");
	} else if (load(&u) != 0 || (!u.dry && db_begin(r->db) != 0)) {
		reply_db_error(r);
	} else if (run(&u, &count) != 0 || (!u.dry && db_commit(r->db) != 0)) {
		if (!u.dry)
			db_rollback(r->db);
		reply_db_error(r);
	} else {
		sbuf_printf(&u.report, "OK:UKVFEEPROCESSING:%ld", count);
		reply_text(r, sbuf_str(&u.report));
	}
	free(marker);
	free(u.charged);
	db_rows_free(&u.users);
	db_rows_free(&u.tariffs);
	sbuf_free(&u.report);
}
