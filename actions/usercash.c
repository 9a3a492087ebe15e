/* usercash: one financial operation on a user (add, correct, set, mock, op). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "billing.h"
#include "money.h"
#include "payments.h"
#include "util.h"

/* Ubilling keeps the digits of ct; nothing left, or 0, means cash type 1. */
static long cashtype_of(const char *ct)
{
	long v = 0;
	for (const char *p = ct ? ct : ""; *p; p++)
		if (isdigit((unsigned char)*p) && v < 100000000)
			v = v * 10 + (*p - '0');
	return v > 0 ? v : 1;
}

/* payments.note is varchar(200) of one-line text: refuse what would be cut
 * or would break a line-based reader, rather than store a changed note.
 * Quotes are fine: the note is bound, never part of SQL. */
static bool note_ok(const char *note)
{
	size_t chars = 0;
	if (!note)
		return true;
	if (!utf8_valid(note, strlen(note)))
		return false;
	for (const unsigned char *p = (const unsigned char *)note; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	return chars <= 200;
}

void cmd_usercash(struct req *r)
{
	const char *login = req_param(r, "login"), *summ = req_param(r, "summ");
	if (!param_present(&r->params, "login") || !param_present(&r->params, "summ")) {
		reply_text(r, "ERROR:NO_PARAMS");
		return;
	}
	if (!money_valid(summ)) {
		reply_text(r, "ERROR:DIRTY_MONEY");
		return;
	}
	int exists = valid_login(login) ? billing_user_exists(r, login) : 0;
	if (exists < 0) {
		reply_db_error(r);
		return;
	}
	if (exists == 0) {
		reply_text(r, "ERROR:WRONG_LOGIN");
		return;
	}
	struct cash_request c = {
		.login = login,
		.amount = summ,
		.cashtype = cashtype_of(req_param(r, "ct")),
		.note = req_param(r, "note"),
	};
	if (!cash_op_parse(req_param(r, "op"), &c.op)) {
		reply_text(r, "ERROR:WRONG_OPERATION");
		return;
	}
	if (!note_ok(c.note)) {
		reply_text(r, "ERROR:WRONG_NOTE");
		return;
	}
	enum cash_result rc = cash_add(r, &c);
	reply_text(r, rc == CASH_DONE ? "OK:USERCASH" : cash_error_reply(rc));
}
