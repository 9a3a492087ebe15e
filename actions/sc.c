/* sc: self-service credit from userstats: credit, its expiry date and the
 * SCFEE payment row (written even for a zero fee: later credit checks look
 * for it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "billing.h"
#include "clock.h"
#include "money.h"
#include "payments.h"

static bool fee_ok(const char *fee)
{
	return money_valid(fee) && fee[0] != '-';
}

static void sc_apply(struct req *r, const char *login, const char *credit, time_t expire,
		     const char *fee, long cashtype)
{
	char epoch[24];
	snprintf(epoch, sizeof epoch, "%lld", (long long)expire);
	if (billing_set(r, login, BF_CREDIT, credit) != 0 ||
	    billing_set(r, login, BF_CREDIT_EXPIRE, epoch) != 0) {
		reply_text(r, "ERROR:BILLING_CORE");
		return;
	}
	char amount[MONEY_STR_MAX + 2];
	snprintf(amount, sizeof amount, "-%s", fee);
	struct cash_request c = {
		.login = login, .amount = amount, .op = CASH_ADD, .cashtype = cashtype, .note = "SCFEE",
	};
	enum cash_result rc = cash_add(r, &c);
	reply_text(r, rc == CASH_DONE ? "SC:OK" : cash_error_reply(rc));
}

void cmd_sc(struct req *r)
{
	static const char *const required[] = { "login", "cr", "end", "ct" };
	for (size_t i = 0; i < sizeof required / sizeof *required; i++)
		if (!param_present(&r->params, required[i])) {
			reply_text(r, "ERROR:PARAMS_MISSED");
			return;
		}
	const char *login = req_param(r, "login"), *credit = req_param(r, "cr");
	const char *fee = param_present(&r->params, "fee") ? req_param(r, "fee") : "0";
	const char *ct = req_param(r, "ct");
	time_t expire;
	if (!money_valid(credit) || !clock_parse_date(req_param(r, "end"), &expire) || !fee_ok(fee) ||
	    !valid_uint(ct) || strcmp(ct, "0") == 0) {
		reply_text(r, "ERROR:WRONG_PARAMS");
		return;
	}
	if (!billing_require_user(r, login))
		return;
	/* direct backend: credit, expiry and fee commit together */
	if (!billing_unit_begin(r))
		return;
	sc_apply(r, login, credit, expire, fee, atol(ct));
	billing_unit_end(r, strcmp(sbuf_str(&r->reply.body), "SC:OK") == 0);
}
