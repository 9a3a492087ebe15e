/* pt: power tariffs (PowerTariffs). A user on a power tariff pays its fee
 * on their own day of the month: new active users are registered with
 * today's day (and charged at once when PT_CHARGEONREG), users whose day
 * it is are charged and, when that leaves them below their credit,
 * "buried" (day 0) until they pay again. The fee is a billing-core add and
 * a PTFEE paymentscorr row, without CashAdd's weblog, as in PHP. Unlike
 * PHP, a user is charged at most once a day: a second run on the same day
 * (where PHP charges a just-registered user again) finds their PTFEE row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "actions.h"
#include "billing.h"
#include "clock.h"
#include "dealwithit.h"
#include "money.h"
#include "util.h"
#include "weblog.h"

struct pt {
	long maxday, curday, realday;
	bool charge_on_reg;
	char now[20];
	struct db_rows pt_users;
	struct sched_map days;   /* login -> day, as loaded before registration */
	struct batch *dry;
};

enum { U_LOGIN, U_TARIFF, U_CASH, U_CREDIT, U_PASSIVE, U_FEE, U_CHARGED };

static bool read_config(struct req *r, struct pt *p)
{
	const char *maxday = cfg_alter(r->cfg, "PT_MAXDAY", "");
	p->maxday = 26;
	if (php_truthy(maxday)) {
		if (!valid_uint(maxday) || atol(maxday) < 1 || atol(maxday) > 32)
			return false;
		p->maxday = atol(maxday);
	}
	const char *onreg = cfg_alter(r->cfg, "PT_CHARGEONREG", NULL);
	p->charge_on_reg = onreg ? php_truthy(onreg) : true;
	p->realday = sched_mday(r->now);
	p->curday = p->realday >= p->maxday ? 1 : p->realday;
	clock_format_datetime(r->now, p->now);
	return true;
}

/* Cash >= 0 and not frozen; credit does not count. */
static bool active(char **u)
{
	money_t cash;
	return u[U_CASH] && money_parse_db(u[U_CASH], &cash) && cash.units >= 0 && u[U_PASSIVE] &&
	       atol(u[U_PASSIVE]) == 0;
}

static int log_day(struct req *r, const struct pt *p, char **u, long day)
{
	return db_exec(r->db, "INSERT INTO `pt_log` (`date`,`login`,`tariff`,`day`) VALUES (?,?,?,?)", "sssi",
		       p->now, u[U_LOGIN], u[U_TARIFF], (long long)day) < 0 ? -1 : 0;
}

static void fee_text(char **u, struct sbuf *out)
{
	money_t fee = { 0 };
	if (u[U_FEE])
		money_parse_db(u[U_FEE], &fee);
	struct sbuf plain = SBUF_INIT;
	money_format(money_abs(fee), &plain);
	money_negate_str(sbuf_str(&plain), out); /* PHP's '-' . abs($fee): "-0" stays */
	sbuf_free(&plain);
}

/* The core change and its paymentscorr row; the caller's unit commits them. */
static int charge(struct req *r, const struct pt *p, char **u)
{
	struct sbuf fee = SBUF_INIT;
	fee_text(u, &fee);
	int rc = 0;
	if (p->dry)
		batch_dry_line(p->dry, u[U_LOGIN], sbuf_str(&fee), "PTFEE", "paymentscorr");
	else if (billing_set(r, u[U_LOGIN], BF_CASH_ADD, sbuf_str(&fee)) != 0)
		rc = -1;
	else if (db_exec(r->db,
			 "INSERT INTO `paymentscorr` (`login`,`date`,`admin`,`balance`,`summ`,`cashtypeid`,`note`)"
			 " VALUES (?,?,?,?,?,1,'PTFEE')",
			 "sssss", u[U_LOGIN], p->now, WEBLOG_ADMIN, u[U_CASH], sbuf_str(&fee)) < 0)
		rc = -2;
	sbuf_free(&fee);
	return rc;
}

static bool charged_today(char **u)
{
	return u[U_CHARGED] != NULL;
}

/* Part 1 for one user: 0 done, -1 core failed, -2 database failed. The fee
 * goes first, so a refused charge writes nothing even on MyISAM. */
static int register_user(struct req *r, const struct pt *p, char **u)
{
	bool now_fee = p->charge_on_reg && p->realday < p->maxday && !charged_today(u);
	int rc = now_fee ? charge(r, p, u) : 0;
	if (rc != 0 || p->dry)
		return rc;
	if (db_exec(r->db, "INSERT INTO `pt_users` (`login`,`day`) VALUES (?,?)", "si", u[U_LOGIN],
		    (long long)p->curday) < 0 ||
	    log_day(r, p, u, p->curday) != 0)
		return -2;
	if (p->charge_on_reg && p->realday >= p->maxday &&
	    weblog(r, "PT USER (%s) SKIP FEE ON DAY `%02ld`", u[U_LOGIN], p->realday) != 0)
		return -2;
	return 0;
}

/* Part 2 for one user on their own day, or buried and paying again. */
static int process_user(struct req *r, const struct pt *p, char **u, long day)
{
	if (day == p->curday && p->realday == p->curday) {
		if (!active(u) || charged_today(u))
			return 0;
		int rc = charge(r, p, u);
		if (rc != 0 || p->dry)
			return rc;
		money_t cash, credit = { 0 }, fee = { 0 }, after;
		money_parse_db(u[U_CASH], &cash);
		if (u[U_CREDIT])
			money_parse_db(u[U_CREDIT], &credit);
		if (u[U_FEE])
			money_parse_db(u[U_FEE], &fee);
		if (money_sub(cash, fee, &after) && money_cmp(after, money_neg(credit)) < 0 &&
		    (db_exec(r->db, "UPDATE `pt_users` SET `day`=0 WHERE `login`=?", "s", u[U_LOGIN]) < 0 ||
		     log_day(r, p, u, 0) != 0))
			return -2;
		return 0;
	}
	if (day != 0 || !active(u) || p->dry)
		return 0;
	long back = p->realday >= p->maxday ? p->maxday - 1 : p->realday;
	if (db_exec(r->db, "UPDATE `pt_users` SET `day`=? WHERE `login`=?", "is", (long long)back,
		    u[U_LOGIN]) < 0 ||
	    log_day(r, p, u, p->curday) != 0)
		return -2;
	return 0;
}

/* One user as one unit; NULL or the reply that stops the run. PHP registers
 * everyone first (pass 0), then charges the users it knew (pass 1). */
static const char *one_user(struct req *r, struct pt *p, char **u, int pass)
{
	if (!u[U_FEE] || !u[U_LOGIN])
		return NULL; /* not on a power tariff */
	const char *day = NULL;
	bool known = sched_map_get(&p->days, u[U_LOGIN], &day);
	if (known != (pass == 1) || (!known && !active(u)))
		return NULL;
	if (!p->dry && sched_unit_begin(r) != 0)
		return "ERROR:DB";
	int rc = known ? process_user(r, p, u, day ? atol(day) : 0) : register_user(r, p, u);
	if (p->dry)
		return NULL;
	/* -1: the core refused, nothing applied; -2: the database failed,
	 * possibly after the core change */
	if (sched_unit_end(r, rc == 0, rc == -2) != 0)
		return "ERROR:DB";
	return rc == 0 ? NULL : rc == -1 ? "ERROR:BILLING_CORE" : "ERROR:DB";
}

void cmd_pt(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "PT_ENABLED", ""))) {
		reply_text(r, "ERROR: PT_DISABLED");
		return;
	}
	struct pt p = { 0 };
	if (!read_config(r, &p)) {
		reply_text(r, "ERROR:WRONG_CONFIG");
		return;
	}
	char from[24], to[24];
	clock_format_date(sched_add_days(r->now, 0), from);
	clock_format_date(sched_add_days(r->now, 1), to);
	strcat(from, " 00:00:00");
	strcat(to, " 00:00:00");
	struct db_rows users = { 0 };
	struct batch b;
	batch_init(&b, r);
	p.dry = b.dry ? &b : NULL;
	if (db_query(r->db, &p.pt_users, "SELECT `login`,`day` FROM `pt_users` ORDER BY `id`", "") != 0 ||
	    db_query(r->db, &users,
		     "SELECT u.`login`,u.`Tariff`,CAST(u.`Cash` AS CHAR),CAST(u.`Credit` AS CHAR),"
		     "CAST(u.`Passive` AS CHAR),"
		     "(SELECT CAST(IFNULL(t.`fee`,0) AS CHAR) FROM `pt_tariffs` t WHERE t.`tariff`=u.`Tariff`"
		     " ORDER BY t.`id` DESC LIMIT 1),"
		     "(SELECT 1 FROM `paymentscorr` c WHERE c.`login`=u.`login` AND c.`note`='PTFEE'"
		     " AND c.`date`>=? AND c.`date`<? LIMIT 1)"
		     " FROM `users` u ORDER BY u.`login`",
		     "ss", from, to) != 0) {
		reply_db_error(r);
		goto out;
	}
	sched_map_build(&p.days, &p.pt_users, 0, 1);
	for (int pass = 0; pass < 2 && !b.db_failed; pass++)
		for (size_t i = 0; i < users.nrows; i++)
			if (sched_failed(&b, one_user(r, &p, &users.cells[i * users.ncols], pass)))
				break;
	batch_reply(&b, "OK: PT_ROCESSING");
out:
	batch_free(&b);
	sched_map_free(&p.days);
	db_rows_free(&p.pt_users);
	db_rows_free(&users);
}
