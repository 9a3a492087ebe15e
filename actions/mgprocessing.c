/* mgprocessing: charge the Megogo subscriptions (the whole fee, or with
 * MG_SPREAD a day's share of it), unsubscribe those the balance no longer
 * covers, and end trials. The balance check follows this run's own
 * charges, so a user with several subscriptions never goes below zero. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "actions.h"
#include "batch.h"
#include "billing.h"
#include "megogo.h"
#include "money.h"
#include "payments.h"
#include "util.h"
#include "weblog.h"

static int month_days(time_t now)
{
	struct tm tm;
	localtime_r(&now, &tm);
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = tm.tm_year + 1900;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return tm.tm_mon == 1 && leap ? 29 : days[tm.tm_mon];
}

/* PHP's round(fee / days, 2), done on the exact decimal (spec §1.3) */
static money_t daily_fee(money_t fee, int days)
{
	long long cent = MONEY_SCALE / 100, d = (long long)days * cent;
	money_t out = { ((2 * fee.units + d) / (2 * d)) * cent };
	return out;
}

/* One money unit: the cash change with its payments row and BALANCEADD
 * line, then the MEGOGO FEE line; with the direct backend one transaction. */
static bool charge(struct megogo *m, const char *login, long tariffid, money_t fee)
{
	struct req *r = m->r;
	struct sbuf fee_s = SBUF_INIT, amount = SBUF_INIT, note = SBUF_INIT;
	money_format(fee, &fee_s);
	sbuf_printf(&amount, "-%s", sbuf_str(&fee_s));
	sbuf_printf(&note, "MEGOGO:%ld", tariffid);
	bool done = false;
	if (m->dry) {
		sbuf_printf(&m->out, "%s\t%s\t%s\tpayments\n", login, sbuf_str(&amount), sbuf_str(&note));
		done = true;
		goto out;
	}
	bool tx = billing_is_direct(r->cfg);
	if (tx && db_begin(r->db) != 0) {
		m->db_failed = true;
		goto out;
	}
	struct cash_request c = {
		.login = login, .amount = sbuf_str(&amount), .op = CASH_ADD, .cashtype = 1,
		.note = sbuf_str(&note),
	};
	enum cash_result rc = cash_add(r, &c);
	if (rc == CASH_DONE && weblog(r, "MEGOGO FEE (%s) %s", login, sbuf_str(&amount)) != 0)
		rc = CASH_DB_FAILED;
	if (rc == CASH_DONE && tx && db_commit(r->db) != 0)
		rc = CASH_DB_FAILED;
	if (rc != CASH_DONE && tx)
		db_rollback(r->db);
	if (rc == CASH_DB_FAILED) {
		m->db_failed = true;
	} else if (rc != CASH_DONE) {
		/* one refused user must not stop the others; the reply says so */
		syslog(LOG_ERR, "ubapi mgprocessing: %s %s not charged (%s)", login, sbuf_str(&amount),
		       cash_error_reply(rc));
		m->core_failed++;
	} else {
		sbuf_printf(&m->out, "%s FEE %s\n", login, sbuf_str(&fee_s));
		done = true;
	}
out:
	sbuf_free(&fee_s);
	sbuf_free(&amount);
	sbuf_free(&note);
	return done;
}

static void paid_row(struct megogo *m, struct batch_users *users, const struct mg_sub *s,
		     bool spread)
{
	if (!s->active)
		return;
	const struct mg_tariff *t = mg_tariff_find(m, s->tariffid);
	if (!t || !t->fee_ok) {
		/* Ubilling would charge "-0" (or "--fee") every run */
		syslog(LOG_WARNING, "ubapi mgprocessing: subscriber %ld skipped: tariff %ld %s", s->id,
		       s->tariffid, t ? "has a bad fee" : "does not exist");
		return;
	}
	money_t fee = spread ? daily_fee(t->fee, month_days(m->r->now)) : t->fee;
	struct batch_user *u = batch_user_find(users, s->login);
	money_t zero = { 0 }, balance = u ? u->cash : zero, left;
	if (money_cmp(balance, zero) >= 0 && money_sub(balance, fee, &left) &&
	    money_cmp(left, zero) >= 0) {
		if (!u) {
			syslog(LOG_WARNING, "ubapi mgprocessing: %s has no account: not charged", s->login);
			return;
		}
		if (charge(m, s->login, s->tariffid, fee))
			u->cash = left;
		return;
	}
	enum mg_unsub rc = mg_unsubscribe(m, s->login, s->tariffid, 0, NULL);
	mg_line(m, s->login, "UNSUB", s->tariffid, "", rc);
}

void cmd_mgprocessing(struct req *r)
{
	struct megogo m;
	struct batch_users users = { 0 };
	if (!mg_start(&m, r, true)) {
		mg_free(&m);
		return;
	}
	if (batch_users_load(r, &users, "`login` IN (SELECT `login` FROM `mg_subscribers`)") != 0) {
		mg_free(&m);
		reply_db_error(r);
		return;
	}
	bool spread = php_truthy(cfg_alter(r->cfg, "MG_SPREAD", "0"));
	for (size_t i = 0; i < m.nsubs && !m.db_failed; i++) {
		const struct mg_sub *s = &m.subs[i];
		if (!valid_login(s->login)) {
			syslog(LOG_WARNING, "ubapi mgprocessing: subscriber %ld skipped: bad login", s->id);
			continue;
		}
		if (!s->freeperiod)
			paid_row(&m, &users, s, spread);
		else if (!m.free_rule || mg_trial_expired(&m, s))
			mg_end_trial(&m, s, "MP");
	}
	mg_reply(&m);
	batch_users_free(&users);
	mg_free(&m);
}
