#include "billing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <unistd.h>

#include "money.h"
#include "stargazer.h"
#include "util.h"
#include "validate.h"
#include "weblog.h"

bool billing_is_direct(const struct config *cfg)
{
	return strcmp(cfg_billing(cfg, "baseconf", "sgconfxml"), "direct") == 0;
}

static bool flag_value(const char *v)
{
	return v && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0);
}

static bool value_ok(enum billing_field f, const char *v)
{
	switch (f) {
	case BF_CASH_ADD:
	case BF_CASH_SET:
	case BF_CREDIT:
		return money_valid(v);
	case BF_CREDIT_EXPIRE:
		return valid_uint(v);
	case BF_PASSIVE:
	case BF_DOWN:
	case BF_AONLINE:
		return flag_value(v);
	case BF_TARIFF_NOW:
	case BF_TARIFF_NEXT:
		return v && *v && strlen(v) <= 40 && !strpbrk(v, "\"<>&\r\n");
	}
	return false;
}

/* --- direct: SQL doing what Stargazer does to the users row ----------- */

static long long direct_passive(struct req *r, const char *login, const char *v)
{
	char now[24];
	snprintf(now, sizeof now, "%lld", (long long)r->now);
	/* Stargazer charges the tariff's PassiveCost when a user is frozen */
	if (strcmp(v, "1") == 0 &&
	    db_exec(r->db,
		    "UPDATE `users` u JOIN `tariffs` t ON t.`name`=u.`Tariff`"
		    " SET u.`Cash`=u.`Cash`-t.`PassiveCost`, u.`LastCashAdd`=-t.`PassiveCost`,"
		    " u.`LastCashAddTime`=?"
		    " WHERE u.`login`=? AND u.`Passive`=0 AND t.`PassiveCost`>0",
		    "ss", now, login) < 0)
		return -1;
	return db_exec(r->db, "UPDATE `users` SET `Passive`=?, `PassiveTime`=? WHERE `login`=?", "sss", v,
		       now, login);
}

static long long direct_set(struct req *r, const char *login, enum billing_field f, const char *v)
{
	char now[24];
	snprintf(now, sizeof now, "%lld", (long long)r->now);
	switch (f) {
	case BF_CASH_ADD:
		return db_exec(r->db,
			       "UPDATE `users` SET `Cash`=`Cash`+?, `LastCashAdd`=?, `LastCashAddTime`=?"
			       " WHERE `login`=?",
			       "ssss", v, v, now, login);
	case BF_CASH_SET:
		return db_exec(r->db,
			       "UPDATE `users` SET `LastCashAdd`=?-`Cash`, `Cash`=?, `LastCashAddTime`=?"
			       " WHERE `login`=?",
			       "ssss", v, v, now, login);
	case BF_CREDIT:
		return db_exec(r->db, "UPDATE `users` SET `Credit`=? WHERE `login`=?", "ss", v, login);
	case BF_CREDIT_EXPIRE:
		return db_exec(r->db, "UPDATE `users` SET `CreditExpire`=? WHERE `login`=?", "ss", v, login);
	case BF_PASSIVE:
		return direct_passive(r, login, v);
	case BF_DOWN:
		return db_exec(r->db, "UPDATE `users` SET `Down`=? WHERE `login`=?", "ss", v, login);
	case BF_AONLINE:
		return db_exec(r->db, "UPDATE `users` SET `AlwaysOnline`=? WHERE `login`=?", "ss", v, login);
	case BF_TARIFF_NOW:
		return db_exec(r->db, "UPDATE `users` SET `Tariff`=?, `TariffChange`='' WHERE `login`=?", "ss",
			       v, login);
	case BF_TARIFF_NEXT:
		return db_exec(r->db, "UPDATE `users` SET `TariffChange`=? WHERE `login`=?", "ss", v, login);
	}
	return -1;
}

static int direct_apply(struct req *r, const char *login, enum billing_field f, const char *v)
{
	/* the connection counts matched rows, so 0 means no such user */
	long long n = direct_set(r, login, f, v);
	if (n == 0)
		syslog(LOG_WARNING, "ubapi billing: direct change for unknown user %s", login);
	return n > 0 ? 0 : -1;
}

/* --- stargazer --------------------------------------------------------- */

static void stg_conf_from(const struct config *cfg, struct stg_conf *c)
{
	memset(c, 0, sizeof *c);
	c->host = cfg_billing(cfg, "STG_HOST", "localhost");
	c->port = atoi(cfg_billing(cfg, "STG_PORT", "5555"));
	c->login = cfg_billing(cfg, "STG_LOGIN", "admin");
	c->password = cfg_billing(cfg, "STG_PASSWD", "123456");
	c->timeout_ms = (int)cfg_ubapi_long(cfg, "stg_timeout_ms", 5000);
}

static int stargazer_apply(struct req *r, const char *login, enum billing_field f, const char *v)
{
	struct stg_conf c;
	stg_conf_from(r->cfg, &c);
	struct sbuf err = SBUF_INIT;
	int rc;
	switch (f) {
	case BF_CASH_ADD: rc = stg_add_cash(&c, login, v, &err); break;
	case BF_CASH_SET: rc = stg_set_cash(&c, login, v, &err); break;
	case BF_CREDIT: rc = stg_set_credit(&c, login, v, &err); break;
	case BF_CREDIT_EXPIRE: rc = stg_set_credit_expire(&c, login, atoll(v), &err); break;
	case BF_PASSIVE: rc = stg_set_passive(&c, login, v[0] == '1', &err); break;
	case BF_DOWN: rc = stg_set_down(&c, login, v[0] == '1', &err); break;
	case BF_AONLINE: rc = stg_set_aonline(&c, login, v[0] == '1', &err); break;
	case BF_TARIFF_NOW: rc = stg_set_tariff(&c, login, v, &err); break;
	case BF_TARIFF_NEXT: {
		struct sbuf field = SBUF_INIT;
		stg_field(&field, "tariff", "delayed", v);
		rc = stg_set_user(&c, login, sbuf_str(&field), &err);
		sbuf_free(&field);
		break;
	}
	default: rc = STG_E_INVALID; break;
	}
	if (rc != 0)
		syslog(LOG_ERR, "ubapi billing: stargazer change for %s failed: %s (%s)", login,
		       stg_strerror(rc), sbuf_str(&err));
	sbuf_free(&err);
	return rc == 0 ? 0 : -1;
}

int billing_set(struct req *r, const char *login, enum billing_field f, const char *value)
{
	if (!valid_login(login) || !value_ok(f, value))
		return -1;
	if (billing_is_direct(r->cfg))
		return direct_apply(r, login, f, value);
	return stargazer_apply(r, login, f, value);
}

int billing_reset(struct req *r, const char *login)
{
	if (php_truthy(cfg_billing(r->cfg, "RESET_AO", "")))
		return billing_set(r, login, BF_AONLINE, "0") == 0 &&
				       billing_set(r, login, BF_AONLINE, "1") == 0
			       ? 0 : -1;
	return billing_set(r, login, BF_DOWN, "1") == 0 && billing_set(r, login, BF_DOWN, "0") == 0
		       ? 0 : -1;
}

int billing_user_exists(struct req *r, const char *login)
{
	bool err = false;
	char *v = db_value(r->db, &err, "SELECT 1 FROM `users` WHERE `login`=?", "s", login);
	int rc = err ? -1 : v ? 1 : 0;
	free(v);
	return rc;
}

struct resurrect_state {
	char *down, *passive, *aonline, *cash, *credit;
};

static int read_state(struct req *r, const char *login, struct resurrect_state *st)
{
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `Down`,`Passive`,`AlwaysOnline`,CAST(`Cash` AS CHAR),CAST(`Credit` AS CHAR)"
		     " FROM `users` WHERE `login`=?",
		     "s", login) != 0)
		return -1;
	int found = rows.nrows > 0;
	if (found) {
		st->down = xstrdup(db_cell(&rows, 0, 0) ? db_cell(&rows, 0, 0) : "0");
		st->passive = xstrdup(db_cell(&rows, 0, 1) ? db_cell(&rows, 0, 1) : "0");
		st->aonline = xstrdup(db_cell(&rows, 0, 2) ? db_cell(&rows, 0, 2) : "0");
		st->cash = xstrdup(db_cell(&rows, 0, 3) ? db_cell(&rows, 0, 3) : "0");
		st->credit = xstrdup(db_cell(&rows, 0, 4) ? db_cell(&rows, 0, 4) : "0");
	}
	db_rows_free(&rows);
	return found;
}

static void free_state(struct resurrect_state *st)
{
	free(st->down);
	free(st->passive);
	free(st->aonline);
	free(st->cash);
	free(st->credit);
}

int billing_resurrect(struct req *r, const char *login)
{
	struct resurrect_state st = { 0 };
	int found = read_state(r, login, &st);
	if (found <= 0)
		return found;
	money_t cash = { 0 }, credit = { 0 };
	bool money_ok = money_parse_db(st.cash, &cash) && money_parse_db(st.credit, &credit);
	bool down = strcmp(st.down, "1") == 0, passive = strcmp(st.passive, "1") == 0;
	bool ao_off = strcmp(st.aonline, "0") == 0;
	bool broke = money_ok && money_cmp(cash, money_neg(credit)) < 0;
	struct sbuf flags = SBUF_INIT, lift = SBUF_INIT;
	int rc = 0;
	if (down) {
		rc |= billing_set(r, login, BF_DOWN, "0");
		sbuf_puts(&flags, ",DOWN");
	}
	if (passive) {
		rc |= billing_set(r, login, BF_PASSIVE, "0");
		sbuf_puts(&flags, ",PASSIVE");
	}
	if (ao_off) {
		rc |= billing_set(r, login, BF_AONLINE, "1");
		sbuf_puts(&flags, ",AO");
	}
	if (broke) {
		money_t one = { MONEY_SCALE }, temp;
		money_add(money_abs(cash), one, &temp);
		money_format(temp, &lift);
		rc |= billing_set(r, login, BF_CREDIT, sbuf_str(&lift));
		sbuf_puts(&flags, ",CASH");
	}
	if (flags.len) {
		if (down)
			rc |= billing_set(r, login, BF_DOWN, "1");
		if (passive)
			rc |= billing_set(r, login, BF_PASSIVE, "1");
		if (ao_off)
			rc |= billing_set(r, login, BF_AONLINE, "0");
		if (broke) {
			/* Stargazer needs a moment to reconnect before the credit goes */
			sleep(1);
			rc |= billing_set(r, login, BF_CREDIT, st.credit);
		}
		if (weblog(r, "RESURRECT (%s) %s", login, flags.s + 1) != 0)
			rc = -1;
	}
	sbuf_free(&flags);
	sbuf_free(&lift);
	free_state(&st);
	return rc ? -1 : 1;
}

bool billing_require_user(struct req *r, const char *login)
{
	int exists = valid_login(login) ? billing_user_exists(r, login) : 0;
	if (exists < 0)
		reply_db_error(r);
	else if (exists == 0)
		reply_text(r, "ERROR:WRONG_LOGIN");
	return exists == 1;
}

bool billing_unit_begin(struct req *r)
{
	if (!billing_is_direct(r->cfg) || db_in_transaction(r->db))
		return true;
	r->unit_tx = db_begin(r->db) == 0;
	if (!r->unit_tx)
		reply_db_error(r);
	return r->unit_tx;
}

bool billing_unit_end(struct req *r, bool ok)
{
	if (!r->unit_tx)
		return ok;
	r->unit_tx = false;
	if (ok && db_commit(r->db) == 0)
		return true;
	db_rollback(r->db);
	if (ok)
		reply_db_error(r);
	return false;
}
