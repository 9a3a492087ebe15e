/* crimeandpunishment: counts each debtor's days in debt (capdata) and
 * charges a penalty once, on the run where the counter reaches CAP_DAYLIMIT
 * (CrimeAndPunishment). Its events go to content/documents/
 * crimeandpunishment.log, not to weblogs (CashAdd still writes its own).
 * A user's penalty and counter update commit together, so a crash cannot
 * leave a charged user whose counter would charge them again. */
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

struct cap {
	long daylimit;
	money_t penalty;        /* absolute penalty, or the percent in percent mode */
	bool percent_mode;
	long payid;
	bool ignore_frozen;
	bool pt_enabled;
	struct sbuf log;        /* log lines of the user in hand */
	char started[20];
};

/* PHP reduces these settings to their digits (vf(...,3)): "30 days" is 30. */
static long digits_value(const char *s, long def)
{
	if (!s)
		return def;
	long v = 0;
	bool any = false;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9' && v < 100000000) {
			v = v * 10 + (*s - '0');
			any = true;
		}
	return any ? v : 0;
}

/* An amount setting: exact when it is a plain number ("20.5" stays 20.5,
 * where PHP's digit filter made it 205), else PHP's digits. */
static money_t amount_value(const char *s, long def)
{
	money_t m = { def * MONEY_SCALE };
	if (s && money_valid(s) && s[0] != '-' && money_parse(s, &m))
		return m;
	m.units = digits_value(s, def) * MONEY_SCALE;
	return m;
}

static void read_config(struct req *r, struct cap *c)
{
	c->daylimit = digits_value(cfg_alter(r->cfg, "CAP_DAYLIMIT", NULL), 30);
	money_t pct = amount_value(cfg_alter(r->cfg, "CAP_PENALTY_PERCENT", NULL), 0);
	c->percent_mode = pct.units != 0;
	c->penalty = c->percent_mode ? pct : amount_value(cfg_alter(r->cfg, "CAP_PENALTY", NULL), 20);
	c->payid = digits_value(cfg_alter(r->cfg, "CAP_PAYID", NULL), 1);
	if (c->payid < 1)
		c->payid = 1;
	c->ignore_frozen = php_truthy(cfg_alter(r->cfg, "CAP_IGNOREFROZEN", "1"));
	c->pt_enabled = php_truthy(cfg_alter(r->cfg, "PT_ENABLED", ""));
	clock_format_datetime(r->now, c->started);
}

/* "<run start> CAP <event> (<login>) DAYS:<n>" */
static void log_line(struct cap *c, const char *event, const char *login, long n)
{
	sbuf_printf(&c->log, "%s CAP %s (%s) DAYS:%ld\n", c->started, event, login, n);
}

static void flush_log(struct req *r, struct cap *c)
{
	if (!c->log.len)
		return;
	char *path = cfg_path(r->cfg, "content/documents/crimeandpunishment.log");
	FILE *f = fopen(path, "a");
	if (!f || fputs(sbuf_str(&c->log), f) < 0)
		syslog(LOG_WARNING, "ubapi crimeandpunishment: cannot append to %s", path);
	if (f)
		fclose(f);
	free(path);
	sbuf_reset(&c->log);
}

/* The fee the percent applies to: the tariff's, or for a zero-fee power
 * tariff the power tariff's price. */
static money_t fee_of(struct req *r, const struct cap *c, const char *tariff, const char *fee)
{
	money_t m = { 0 };
	if (fee)
		money_parse_db(fee, &m);
	if (m.units == 0 && c->pt_enabled && tariff) {
		char *pt = db_value(r->db, NULL,
				    "SELECT CAST(`fee` AS CHAR) FROM `pt_tariffs` WHERE `tariff`=?"
				    " ORDER BY `id` DESC LIMIT 1",
				    "s", tariff);
		if (pt)
			money_parse_db(pt, &m);
		free(pt);
	}
	return m;
}

static void penalty_text(struct req *r, const struct cap *c, const char *tariff, const char *fee,
			 struct sbuf *out)
{
	money_t amount = c->penalty;
	if (c->percent_mode && !money_percent(fee_of(r, c, tariff, fee), c->penalty, &amount))
		amount.units = 0;
	struct sbuf plain = SBUF_INIT;
	money_format(amount, &plain);
	/* PHP writes "-" . penalty, so a zero penalty is "-0" */
	money_negate_str(sbuf_str(&plain), out);
	sbuf_free(&plain);
}

static long long set_days(struct req *r, struct cap *c, const char *login, long days)
{
	log_line(c, "UPDATE", login, days);
	return db_exec(r->db, "UPDATE `capdata` SET `days`=? WHERE `login`=?", "is", (long long)days,
		       login);
}

/* One user; NULL or the reply that stops the run. */
static const char *judge(struct req *r, struct cap *c, char **u, struct batch *dry)
{
	const char *login = u[0], *cash = u[1], *credit = u[2], *tariff = u[3], *fee = u[4];
	money_t m_cash = { 0 }, m_credit = { 0 };
	if (!login || !cash || !money_parse_db(cash, &m_cash))
		return NULL;
	if (credit)
		money_parse_db(credit, &m_credit);
	bool debtor = money_cmp(m_cash, money_neg(m_credit)) < 0;
	long days = u[5] ? atol(u[5]) : -1; /* -1: no capdata row */
	if (!debtor && days <= 0)
		return NULL;
	struct sbuf penalty = SBUF_INIT;
	bool punish = debtor && days == c->daylimit;
	if (punish)
		penalty_text(r, c, tariff, fee, &penalty);
	const char *stop = NULL;
	if (dry) {
		if (punish) {
			char note[40];
			snprintf(note, sizeof note, "PENALTY:%ld", days);
			batch_dry_line(dry, login, sbuf_str(&penalty), note, "payments");
		}
		goto out;
	}
	if (sched_unit_begin(r) != 0) {
		stop = "ERROR:DB";
		goto out;
	}
	bool ok = true, applied = false;
	if (debtor && days < 0) {
		ok = db_exec(r->db, "INSERT INTO `capdata` (`login`,`date`,`days`) VALUES (?,?,1)", "ss",
			     login, c->started) >= 0;
		sbuf_printf(&c->log, "%s CAP CREATE (%s)\n", c->started, login);
	} else if (debtor) {
		if (punish) {
			char note[40];
			snprintf(note, sizeof note, "PENALTY:%ld", days);
			struct cash_request cr = {
				.login = login, .amount = sbuf_str(&penalty), .op = CASH_ADD,
				.cashtype = c->payid, .note = note,
			};
			enum cash_result rc = cash_add(r, &cr);
			applied = sched_cash_applied(r, rc);
			if (rc != CASH_DONE) {
				stop = sched_cash_error(rc);
				ok = false;
			} else {
				sbuf_printf(&c->log, "%s CAP PENALTY (%s) DAYS:%ld PENALTY:%s\n", c->started,
					    login, days, sbuf_str(&penalty));
			}
		}
		if (ok)
			ok = set_days(r, c, login, days + 1) >= 0;
	} else {
		ok = set_days(r, c, login, 0) >= 0;
		log_line(c, "RESURRECTED", login, days);
	}
	if (sched_unit_end(r, ok, applied) != 0 || (!ok && !stop))
		stop = "ERROR:DB";
	if (ok || (applied && !billing_is_direct(r->cfg)))
		flush_log(r, c);
	sbuf_reset(&c->log);
out:
	sbuf_free(&penalty);
	return stop;
}

void cmd_crimeandpunishment(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "CAP_ENABLED", ""))) {
		reply_text(r, "ERROR:CRIMEANDPUNISHMENT_DISABLED");
		return;
	}
	struct cap c = { 0 };
	read_config(r, &c);
	struct db_rows users = { 0 };
	/* PHP keys capdata by login, so a user's last row is the one it reads */
#define CAP_USERS                                                                              \
	"SELECT u.`login`,CAST(u.`Cash` AS CHAR),CAST(u.`Credit` AS CHAR),u.`Tariff`,"          \
	"CAST(t.`Fee` AS CHAR),(SELECT CAST(IFNULL(c.`days`,0) AS CHAR) FROM `capdata` c"        \
	" WHERE c.`login`=u.`login` ORDER BY c.`id` DESC LIMIT 1)"                               \
	" FROM `users` u LEFT JOIN `tariffs` t ON u.`Tariff`=t.`name`"
	if (db_query(r->db, &users,
		     c.ignore_frozen ? CAP_USERS " WHERE u.`Passive`='0' ORDER BY u.`login`"
				     : CAP_USERS " ORDER BY u.`login`",
		     "") != 0) {
		reply_db_error(r);
		goto out;
	}
	struct batch b;
	batch_init(&b, r);
	for (size_t i = 0; i < users.nrows; i++)
		if (sched_failed(&b, judge(r, &c, &users.cells[i * users.ncols], b.dry ? &b : NULL)))
			break;
	batch_reply(&b, "OK:CRIMEANDPUNISHMENT");
	batch_free(&b);
out:
	db_rows_free(&users);
	sbuf_free(&c.log);
}
