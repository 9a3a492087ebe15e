#include "payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "billing.h"
#include "clock.h"
#include "money.h"
#include "validate.h"
#include "weblog.h"

static const struct cash_rule op_rules[] = {
	[CASH_ADD] = { "add", "BALANCEADD", "payments", "", 1 },
	[CASH_CORRECT] = { "correct", "BALANCECORRECT", "paymentscorr", "", 1 },
	[CASH_SET] = { "set", "BALANCESET", "payments", "BALANCESET:", 2 },
	[CASH_MOCK] = { "mock", "BALANCEMOCK", "payments", "MOCK:", 0 },
	[CASH_OP] = { "op", NULL, "payments", "", 1 },
};

long cash_type_from_param(const char *ct)
{
	long v = 0;
	for (const char *p = ct ? ct : ""; *p; p++)
		if (*p >= '0' && *p <= '9' && v < 100000000)
			v = v * 10 + (*p - '0');
	return v > 0 ? v : 1;
}

bool cash_op_parse(const char *s, enum cash_op *op)
{
	if (!s || !*s) {
		*op = CASH_ADD;
		return true;
	}
	for (size_t i = 0; i < sizeof op_rules / sizeof *op_rules; i++)
		if (strcmp(s, op_rules[i].word) == 0) {
			*op = (enum cash_op)i;
			return true;
		}
	return false;
}

const struct cash_rule *cash_rule_of(enum cash_op op)
{
	return (unsigned)op < sizeof op_rules / sizeof *op_rules ? &op_rules[op] : NULL;
}

void cash_note(const struct cash_rule *rule, const char *note, struct sbuf *out)
{
	sbuf_printf(out, "%s%s", rule->note_prefix, note ? note : "");
	sbuf_truncate_chars(out, 200);
}

const char *cash_error_reply(enum cash_result rc)
{
	switch (rc) {
	case CASH_BAD_INPUT: return "ERROR:WRONG_PARAMS";
	case CASH_DB_FAILED: return "ERROR:DB";
	case CASH_CORE_FAILED: return "ERROR:BILLING_CORE";
	case CASH_DONE: break;
	}
	return "";
}

/* The balance column keeps the server's own text of users.Cash before the
 * change, or "" for an unknown user, as Ubilling stores it. */
static int read_balance(struct req *r, const char *login, bool lock, char **out)
{
	bool err = false;
	*out = db_value(r->db, &err,
			lock ? "SELECT CAST(`Cash` AS CHAR) FROM `users` WHERE `login`=? FOR UPDATE"
			     : "SELECT CAST(`Cash` AS CHAR) FROM `users` WHERE `login`=?",
			"s", login);
	if (err)
		return -1;
	if (!*out)
		*out = strdup("");
	return 0;
}

static int core_change(struct req *r, const struct cash_request *c, const struct cash_rule *rule)
{
	if (rule->core == 0)
		return 0;
	return billing_set(r, c->login, rule->core == 2 ? BF_CASH_SET : BF_CASH_ADD, c->amount);
}

static int write_records(struct req *r, const struct cash_request *c, const struct cash_rule *rule,
			 const char *balance)
{
	if (rule->event && weblog(r, "%s (%s) ON %s", rule->event, c->login, c->amount) != 0)
		return -1;
	struct sbuf note = SBUF_INIT;
	cash_note(rule, c->note, &note);
	char date[20];
	clock_format_datetime(r->now, date);
	struct sbuf sql = SBUF_INIT;
	/* the table name comes from the fixed op table, never from input */
	sbuf_printf(&sql,
		    "INSERT INTO `%s` (`login`,`date`,`admin`,`balance`,`summ`,`cashtypeid`,`note`)"
		    " VALUES (?,?,?,?,?,?,?)",
		    rule->table);
	long long rc = db_exec(r->db, sbuf_str(&sql), "sssssis", c->login, date,
			       c->admin ? c->admin : WEBLOG_ADMIN, balance, c->amount,
			       (long long)c->cashtype, sbuf_str(&note));
	sbuf_free(&sql);
	sbuf_free(&note);
	return rc < 0 ? -1 : 0;
}

/* weblog and payment row together, in their own transaction unless the
 * caller has one open */
static int write_records_once(struct req *r, const struct cash_request *c,
			      const struct cash_rule *rule, const char *balance)
{
	bool own_tx = !db_in_transaction(r->db);
	if (own_tx && db_begin(r->db) != 0)
		return -1;
	if (write_records(r, c, rule, balance) != 0 || (own_tx && db_commit(r->db) != 0)) {
		if (own_tx)
			db_rollback(r->db);
		return -1;
	}
	return 0;
}

enum cash_result cash_add(struct req *r, const struct cash_request *c)
{
	if (!valid_login(c->login) || !money_valid(c->amount) || c->cashtype < 1 ||
	    (unsigned)c->op >= sizeof op_rules / sizeof *op_rules)
		return CASH_BAD_INPUT;
	const struct cash_rule *rule = &op_rules[c->op];
	bool direct = billing_is_direct(r->cfg);
	char *balance = NULL;
	enum cash_result result = CASH_DONE;

	if (direct) {
		/* the users row stays locked from the balance read to the commit,
		 * so the recorded balance is the one the change applied to; a
		 * caller's open transaction (sc: credit + fee) is joined */
		bool own_tx = !db_in_transaction(r->db);
		if (own_tx && db_begin(r->db) != 0)
			return CASH_DB_FAILED;
		if (read_balance(r, c->login, true, &balance) != 0)
			result = CASH_DB_FAILED;
		else if (core_change(r, c, rule) != 0)
			result = CASH_CORE_FAILED;
		else if (write_records(r, c, rule, balance) != 0 || (own_tx && db_commit(r->db) != 0))
			result = CASH_DB_FAILED;
		if (result != CASH_DONE && own_tx)
			db_rollback(r->db);
	} else {
		if (read_balance(r, c->login, false, &balance) != 0)
			result = CASH_DB_FAILED;
		else if (core_change(r, c, rule) != 0)
			result = CASH_CORE_FAILED;
		else if (write_records_once(r, c, rule, balance) != 0) {
			/* Stargazer already moved the money: say so loudly */
			syslog(LOG_CRIT, "ubapi: %s %s applied by Stargazer but its payment row failed",
			       c->login, c->amount);
			result = CASH_DB_FAILED;
		}
	}
	free(balance);
	return result;
}
