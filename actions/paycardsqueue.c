/* paycardsqueue: pay the payment cards that userstats queued (usedlogin
 * set, used still 0). Each card is claimed by its id before it is paid, so
 * a card is paid once even if PHP's queue runs at the same time. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "actions.h"
#include "billing.h"
#include "money.h"
#include "payments.h"
#include "util.h"

struct card {
	const char *id, *serial, *cash, *login;
};

/* PC_CASHTYPEID: default 1; anything but a positive integer is refused
 * rather than written into payments.cashtypeid. */
static long queue_cashtype(struct req *r)
{
	const char *ct = cfg_alter(r->cfg, "PC_CASHTYPEID", "1");
	if (!*ct)
		return 1;
	if (!valid_uint(ct) || strlen(ct) > 9 || atol(ct) < 1)
		return -1;
	return atol(ct);
}

/* A card whose row cannot be paid as it stands stays queued, and says why
 * in the log, instead of blocking the cards after it. */
static int card_payable(struct req *r, const struct card *k)
{
	if (!k->serial || !k->cash || !money_valid(k->cash) || !valid_login(k->login)) {
		syslog(LOG_WARNING, "ubapi paycardsqueue: card id %s has a malformed cash or login, left queued",
		       k->id);
		return 0;
	}
	int exists = billing_user_exists(r, k->login);
	if (exists == 0)
		syslog(LOG_WARNING, "ubapi paycardsqueue: card id %s is queued for unknown user %s, left queued",
		       k->id, k->login);
	return exists;
}

/* Claim the card, then pay it; a failed payment gives the card back to
 * the queue. With the direct backend claim and payment are one transaction.
 * CASH_DONE, or why it failed; *paid is false when another run had it. */
static enum cash_result card_pay(struct req *r, const struct card *k, long cashtype, bool *paid)
{
	bool tx = billing_is_direct(r->cfg);
	*paid = false;
	if (tx && db_begin(r->db) != 0)
		return CASH_DB_FAILED;
	long long claimed = db_exec(r->db, "UPDATE `cardbank` SET `used`=1 WHERE `id`=? AND `used`=0", "s", k->id);
	if (claimed != 1) {
		if (tx)
			db_rollback(r->db);
		return claimed < 0 ? CASH_DB_FAILED : CASH_DONE;
	}
	struct sbuf note = SBUF_INIT;
	sbuf_printf(&note, "CARD:%s", k->serial);
	struct cash_request c = {
		.login = k->login, .amount = k->cash, .op = CASH_ADD, .cashtype = cashtype, .note = sbuf_str(&note),
	};
	enum cash_result rc = cash_add(r, &c);
	sbuf_free(&note);
	if (rc == CASH_DONE && tx && db_commit(r->db) != 0)
		rc = CASH_DB_FAILED;
	if (rc != CASH_DONE) {
		if (tx)
			db_rollback(r->db);
		/* MyISAM and Stargazer: the claim was already committed */
		db_exec(r->db, "UPDATE `cardbank` SET `used`=0 WHERE `id`=?", "s", k->id);
		return rc;
	}
	*paid = true;
	return CASH_DONE;
}

void cmd_paycardsqueue(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "PAYMENTCARDS_ENABLED", ""))) {
		reply_text(r, "ERROR:PAYCARDS_DISABLED");
		return;
	}
	long cashtype = queue_cashtype(r);
	if (cashtype < 0) {
		reply_text(r, "ERROR:WRONG_CASHTYPE");
		return;
	}
	bool dryrun = param_present(&r->params, "dryrun");
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `id`,`serial`,`cash`,`usedlogin` FROM `cardbank`"
		     " WHERE `usedlogin`!='' AND `used`=0 ORDER BY `id`",
		     "") != 0) {
		reply_db_error(r);
		return;
	}
	struct sbuf plan = SBUF_INIT;
	long count = 0;
	enum cash_result rc = CASH_DONE;
	for (size_t i = 0; i < rows.nrows && rc == CASH_DONE; i++) {
		struct card k = { db_cell(&rows, i, 0), db_cell(&rows, i, 1), db_cell(&rows, i, 2),
				  db_cell(&rows, i, 3) };
		int ok = card_payable(r, &k);
		if (ok < 0) {
			rc = CASH_DB_FAILED;
			break;
		}
		if (!ok)
			continue;
		if (dryrun) {
			sbuf_printf(&plan, "%s\t%s\tCARD:%s\n", k.login, k.cash, k.serial);
			count++;
			continue;
		}
		bool paid;
		rc = card_pay(r, &k, cashtype, &paid);
		if (rc == CASH_DONE && paid)
			count++;
		else if (rc != CASH_DONE)
			syslog(LOG_ERR, "ubapi paycardsqueue: card id %s for %s not paid, left queued", k.id,
			       k.login);
	}
	db_rows_free(&rows);
	if (rc != CASH_DONE)
		reply_text(r, cash_error_reply(rc));
	else
		reply_printf(r, "%sPAYCARDS_QUEUE:%ld", sbuf_str(&plan), count);
	sbuf_free(&plan);
}
