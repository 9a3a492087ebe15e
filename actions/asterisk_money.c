/* asterisk setcredit, paycardpay, setpause, setunpause: the params that
 * change an account. Every change goes through the billing core; with the
 * direct backend each is one transaction. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asterisk_int.h"
#include "billing.h"
#include "clock.h"
#include "money.h"
#include "payments.h"
#include "util.h"
#include "weblog.h"

static bool expiredays_ok(const char *s)
{
	return valid_uint(s) && strlen(s) <= 3 && atoi(s) <= 365;
}

/* ZBSSC checks; true when the credit may be given (else replied). */
static bool sc_checks(struct req *r, struct ast *a)
{
	char *note = db_value(r->db, NULL,
			      "SELECT `note` FROM `payments` WHERE `login` = ? AND (`summ` > 0 OR `note` = 'SCFEE')"
			      " ORDER BY `date` DESC, `id` DESC LIMIT 1",
			      "s", a->login);
	bool hack = note && strcmp(note, "SCFEE") == 0;
	free(note);
	if (hack) {
		weblog(r, "ASTERISK CREDIT GET TRY (%s): NOT PAYED PREVIOUSLY", a->login);
		reply_text(r, "ASTERISK CREDIT NOT AVAILABLE: NOT PAYED PREVIOUSLY");
		return false;
	}
	char month[11];
	clock_format_date(r->now, month);
	month[7] = '%';
	month[8] = '\0';
	char *took = db_value(r->db, NULL, "SELECT `id` FROM `zbssclog` WHERE `login` = ? AND `date` LIKE ? LIMIT 1",
			      "ss", a->login, month);
	bool already = took != NULL;
	free(took);
	if (already) {
		weblog(r, "ASTERISK CREDIT GET TRY (%s): ALREADY TOOK", a->login);
		reply_text(r, "ASTERISK CREDIT NOT AVAILABLE: ALREADY TOOK");
		return false;
	}
	if (php_truthy(cfg_alter_rcms(r->cfg, "ASTERISK_SC_TARIFFSALLOWED", ""))) {
		char *list = xstrdup(cfg_alter(r->cfg, "ASTERISK_SC_TARIFFSALLOWED", ""));
		bool allowed = false;
		for (char *save = NULL, *t = list;; t = NULL) {
			char *item = strtok_r(t, ",", &save);
			if (!item)
				break;
			if (strcmp(item, a->tariff) == 0)
				allowed = true;
		}
		free(list);
		if (!allowed) {
			weblog(r, "ASTERISK CREDIT GET TRY (%s): NOT ALLOWED FOR TARIFF  %s", a->login, a->tariff);
			reply_text(r, "ASTERISK CREDIT NOT AVAILABLE: NOT ALLOWED FOR TARIFF");
			return false;
		}
	}
	return true;
}

static bool sc_apply(struct req *r, struct ast *a, const char *money, const char *days, bool check)
{
	if (billing_set(r, a->login, BF_CREDIT, money) != 0) {
		reply_text(r, "ERROR:BILLING_CORE");
		return false;
	}
	weblog(r, "ASTERISK CHANGE Credit (%s) ON %s", a->login, money);
	struct tm tm;
	time_t now = r->now;
	localtime_r(&now, &tm);
	tm.tm_mday += atoi(days);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	time_t midnight = mktime(&tm);
	char expire[11], epoch[24];
	clock_format_date(midnight, expire);
	clock_parse_date(expire, &midnight);
	snprintf(epoch, sizeof epoch, "%lld", (long long)midnight);
	if (billing_set(r, a->login, BF_CREDIT_EXPIRE, epoch) != 0) {
		reply_text(r, "ERROR:BILLING_CORE");
		return false;
	}
	char stamp[20];
	clock_format_datetime(r->now, stamp);
	if (check && db_exec(r->db, "INSERT INTO `zbssclog` (`date`, `login`) VALUES (?, ?)", "ss", stamp, a->login) < 0) {
		reply_db_error(r);
		return false;
	}
	weblog(r, "ASTERISK CHANGE CreditExpire (%s) ON %s", a->login, expire);
	reply_text(r, "ASTERISK CREDIT SET SUCCESSFULY");
	return true;
}

void ast_setcredit(struct req *r, struct ast *a)
{
	const char *money = param_present(&r->params, "money") ? req_param(r, "money") : "0";
	const char *days = param_present(&r->params, "expiredays") ? req_param(r, "expiredays") : "0";
	money_t m, cash;
	if (!money_parse(money, &m) || m.units < 0 || (m.units == 0 && strcmp(money, "0") != 0) ||
	    !expiredays_ok(days)) {
		reply_text(r, "ERROR:WRONG_PARAMS");
		return;
	}
	if (!a->have_user) {
		ast_say(r, "ASTERISK CREDIT NOT SET: EMPTY USERDATA");
		return;
	}
	if (!money_parse_db(a->cash, &cash) || cash.units >= 0) {
		weblog(r, "ASTERISK CREDIT NOT SET (%s): CASH > 0 OR NOT SET", a->login);
		reply_text(r, "ASTERISK CREDIT NOT SET: CASH > 0 OR NOT SET");
		return;
	}
	bool check = php_truthy(cfg_alter_rcms(r->cfg, "ASTERISK_SC_CHECK_ENABLED", ""));
	if (check && !sc_checks(r, a))
		return;
	if (money_cmp(cash, money_neg(m)) <= 0) {
		weblog(r, "ASTERISK CREDIT TRY (%s): BALANCE LOWER THAN CREDIT LIMIT", a->login);
		reply_text(r, "ASTERISK CREDIT NOT AVAILABLE: BALANCE LOWER THAN CREDIT LIMIT");
		return;
	}
	char today[11], until[11];
	clock_format_date(r->now, today);
	clock_format_date((time_t)atoll(a->expire), until);
	if (strcmp(today, until) < 0) {
		weblog(r, "ASTERISK CREDIT GET TRY (%s): CREDIT IS CURRENTLY ACTIVE", a->login);
		reply_text(r, "ASTERISK CREDIT NOT AVAILABLE: CREDIT IS CURRENTLY ACTIVE");
		return;
	}
	if (!billing_unit_begin(r))
		return;
	billing_unit_end(r, sc_apply(r, a, money, days, check));
}

static bool card_pay(struct req *r, struct ast *a, const char *serial, const char *id, const char *cash)
{
	char stamp[20];
	clock_format_datetime(r->now, stamp);
	/* the claim: only one request can flip this card from unused to used */
	long long claimed = db_exec(r->db,
				    "UPDATE `cardbank` SET `usedlogin` = ?, `usedip` = ?, `usedate` = ?, `used` = 1"
				    " WHERE `id` = ? AND `used` = 0 AND `usedlogin` = '' AND `active` = 1",
				    "ssss", a->login, a->ip, stamp, id);
	if (claimed < 0) {
		reply_db_error(r);
		return false;
	}
	if (claimed == 0) {
		reply_text(r, "ASTERISK PAYCARD NOT EXISTS");
		return false;
	}
	char note[300];
	snprintf(note, sizeof note, "CARD:%s", serial);
	struct cash_request c = {
		.login = a->login,
		.amount = cash,
		.op = CASH_OP,
		.cashtype = cash_type_from_param(param_present(&r->params, "paycardcashtype") ? req_param(r, "paycardcashtype") : "1"),
		.note = note,
		.admin = "external",
	};
	enum cash_result rc = cash_add(r, &c);
	if (rc != CASH_DONE) {
		reply_text(r, cash_error_reply(rc));
		return false;
	}
	ast_say(r, "ASTERISK PAYCARD PAYMENT SUCCESSFUL");
	return true;
}

void ast_paycardpay(struct req *r, struct ast *a)
{
	if (!param_present(&r->params, "paycardnum")) {
		ast_say(r, "ASTERISK PAYCARD NUMBER IS EMPTY");
		return;
	}
	if (!a->have_user) {
		ast_say(r, "ASTERISK PAYCARD PAYMENT UNSUCCESSFUL: EMPTY USERDATA");
		return;
	}
	char *serial = xstrdup(req_param(r, "paycardnum"));
	vf_filter(serial);
	struct db_rows card;
	if (db_query(r->db, &card,
		     "SELECT `id`, `cash` FROM `cardbank` WHERE `serial` = ? AND `active` = 1 AND `used` = 0"
		     " AND `usedlogin` = '' ORDER BY `id` LIMIT 1",
		     "s", serial) != 0) {
		reply_db_error(r);
		free(serial);
		return;
	}
	if (!card.nrows) {
		char stamp[20];
		clock_format_datetime(r->now, stamp);
		if (db_exec(r->db, "INSERT INTO `cardbrute` (`serial`, `date`, `login`, `ip`) VALUES (?, ?, ?, ?)", "ssss",
			    serial, stamp, a->login, a->ip) < 0)
			reply_db_error(r);
		else
			ast_say(r, "ASTERISK PAYCARD NOT EXISTS");
	} else if (!money_valid(db_cell(&card, 0, 1))) {
		reply_text(r, "ERROR:DIRTY_MONEY");
	} else if (billing_is_direct(r->cfg)) {
		if (billing_unit_begin(r))
			billing_unit_end(r, card_pay(r, a, serial, db_cell(&card, 0, 0), db_cell(&card, 0, 1)));
	} else if (!card_pay(r, a, serial, db_cell(&card, 0, 0), db_cell(&card, 0, 1))) {
		/* Stargazer refused after the claim: give the card back */
		db_exec(r->db, "UPDATE `cardbank` SET `usedlogin` = '', `usedip` = NULL, `usedate` = NULL, `used` = 0"
			       " WHERE `id` = ? AND `usedlogin` = ?",
			"ss", db_cell(&card, 0, 0), a->login);
	}
	db_rows_free(&card);
	free(serial);
}

void ast_setpause(struct req *r, struct ast *a)
{
	if (!a->have_user) {
		ast_say(r, "ASTERISK SET PAUSE UNSUCCESSFUL: EMPTY USERDATA");
		return;
	}
	if (php_truthy(a->passive)) {
		ast_say(r, "ASTERISK SET PAUSE UNSUCCESSFUL: PAUSE IS CURRENTLY ACTIVE");
		return;
	}
	if (php_truthy(cfg_alter_rcms(r->cfg, "FREEZE_DAYS_CHARGE_ENABLED", ""))) {
		struct db_rows fz;
		if (db_query(r->db, &fz,
			     "SELECT `freeze_days_amount`, `freeze_days_used` FROM `frozen_charge_days` WHERE `login` = ?"
			     " ORDER BY `id` LIMIT 1",
			     "s", a->login) != 0) {
			reply_db_error(r);
			return;
		}
		bool none_left = fz.nrows && atol(db_cell(&fz, 0, 1)) >= atol(db_cell(&fz, 0, 0));
		db_rows_free(&fz);
		if (none_left) {
			ast_say(r, "ASTERISK SET PAUSE UNSUCCESSFUL: NO AVAILABLE FREEZE DAYS LEFT");
			return;
		}
	}
	if (!billing_unit_begin(r))
		return;
	bool ok = billing_set(r, a->login, BF_PASSIVE, "1") == 0;
	if (ok) {
		char text[200];
		snprintf(text, sizeof text, "ASTERISK SET PAUSE SUCCESSFUL FOR  %s", a->login);
		ast_say(r, text);
	} else {
		reply_text(r, "ERROR:BILLING_CORE");
	}
	billing_unit_end(r, ok);
}

void ast_setunpause(struct req *r, struct ast *a)
{
	struct sbuf text = SBUF_INIT;
	if (!a->have_user || !php_truthy(a->passive)) {
		sbuf_printf(&text, "ASTERISK UNPAUSE UNSUCCESSFUL FOR  %s FROM MOBILE: %s: PAUSE IS NOT ACTIVE", a->login,
			    a->number);
		ast_say(r, text.s);
		sbuf_free(&text);
		return;
	}
	if (!billing_unit_begin(r))
		return;
	bool ok = billing_set(r, a->login, BF_PASSIVE, "0") == 0;
	if (ok) {
		sbuf_printf(&text, "ASTERISK UNPAUSE SUCCESSFUL FOR  %s FROM MOBILE: %s", a->login, a->number);
		ast_say(r, text.s);
	} else {
		reply_text(r, "ERROR:BILLING_CORE");
	}
	sbuf_free(&text);
	billing_unit_end(r, ok);
}
