/* Ubilling's one money routine (zb_CashAdd): the billing-core change, the
 * payments/paymentscorr row and the weblog line, as one unit. */
#ifndef UBAPI_PAYMENTS_H
#define UBAPI_PAYMENTS_H

#include <stdbool.h>

#include "req.h"
#include "sbuf.h"

enum cash_op {
	CASH_ADD,     /* core add, weblog BALANCEADD, payments */
	CASH_CORRECT, /* core add, weblog BALANCECORRECT, paymentscorr */
	CASH_SET,     /* core set, weblog BALANCESET, payments (summ = new balance) */
	CASH_MOCK,    /* no core call, weblog BALANCEMOCK, payments */
	CASH_OP,      /* core add, no weblog, payments */
};

enum cash_result {
	CASH_DONE = 0,
	CASH_BAD_INPUT = -1,   /* amount, login, op or cashtype malformed */
	CASH_DB_FAILED = -2,   /* nothing was written */
	CASH_CORE_FAILED = -3, /* the billing core refused: nothing was written */
};

/* Ubilling's cash type from a request: the digits of ct are kept; nothing
 * left, or 0, means cash type 1. */
long cash_type_from_param(const char *ct);

/* NULL or "" is add, as in Ubilling; false for an unknown word. */
bool cash_op_parse(const char *s, enum cash_op *op);

struct cash_request {
	const char *login;
	const char *amount;   /* money_valid() text, written as given */
	enum cash_op op;
	long cashtype;        /* >= 1 */
	const char *note;     /* may be NULL */
	const char *admin;    /* NULL: guest */
};

/* Direct backend: one transaction with the users row locked. Stargazer:
 * the payment row is written only after Stargazer said ok. */
enum cash_result cash_add(struct req *r, const struct cash_request *c);

/* What an operation writes, for code that applies many units at once
 * (lib/batch.c): the same rows cash_add writes, one unit at a time. */
struct cash_rule {
	const char *word;
	const char *event;   /* weblog event name, NULL for none */
	const char *table;
	const char *note_prefix;
	int core;            /* 0 none, 1 add, 2 set */
};
const struct cash_rule *cash_rule_of(enum cash_op op);
/* The payment row's note: prefix + note, cut to the column's 200 characters. */
void cash_note(const struct cash_rule *rule, const char *note, struct sbuf *out);

/* The reply a handler gives for a failed cash_add. */
const char *cash_error_reply(enum cash_result rc);

#endif
