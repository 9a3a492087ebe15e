/* usercash: one financial operation on a user (add, correct, set, mock, op). */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "billing.h"
#include "money.h"
#include "payments.h"
#include "util.h"

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
	if (!billing_require_user(r, login))
		return;
	struct cash_request c = {
		.login = login,
		.amount = summ,
		.cashtype = cash_type_from_param(req_param(r, "ct")),
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
