/* The billing core: the account changes Ubilling asks Stargazer for, behind
 * one interface with two backends chosen by billing.ini baseconf:
 *   sgconfxml | sgconf | xmlrpc -> the native Stargazer client (SG04),
 *   direct                      -> the same changes as SQL on `users`.
 * Values are validated before anything is sent. */
#ifndef UBAPI_BILLING_H
#define UBAPI_BILLING_H

#include <stdbool.h>

#include "req.h"

enum billing_field {
	BF_CASH_ADD,      /* value: amount */
	BF_CASH_SET,      /* value: amount */
	BF_CREDIT,        /* value: amount */
	BF_CREDIT_EXPIRE, /* value: unix time (digits) */
	BF_PASSIVE,       /* value: "0" | "1" */
	BF_DOWN,          /* value: "0" | "1" */
	BF_AONLINE,       /* value: "0" | "1" */
	BF_TARIFF_NOW,    /* value: tariff name */
	BF_TARIFF_NEXT,   /* value: tariff name, from next month */
};

bool billing_is_direct(const struct config *cfg);

/* One change. 0 on success; -1 when the value is malformed, the user is
 * unknown, or the core refused or did not answer (logged). With the direct
 * backend the SQL joins the caller's open transaction. */
int billing_set(struct req *r, const char *login, enum billing_field field, const char *value);

/* Ubilling's resetuser: AlwaysOnline 0 then 1 when billing.ini RESET_AO is
 * on, else Down 1 then 0, so Stargazer re-runs the connect scripts. */
int billing_reset(struct req *r, const char *login);

/* Whether login has a row in `users`: 1, 0, or -1 on a database error. */
int billing_user_exists(struct req *r, const char *login);

/* For handlers: true when login is well-formed and has a users row;
 * otherwise replies ERROR:WRONG_LOGIN (or ERROR:DB) and returns false. */
bool billing_require_user(struct req *r, const char *login);

/* One account change of several steps as one unit: with the direct
 * backend a transaction (joining the caller's when one is open), with Stargazer
 * nothing to open, as its changes cannot be rolled back. A failed begin
 * replies ERROR:DB and returns false.
 * billing_unit_end(r, ok) commits when ok, else rolls back; a failed
 * commit replies ERROR:DB and returns false. */
bool billing_unit_begin(struct req *r);
bool billing_unit_end(struct req *r, bool ok);

/* Ubilling's zb_UserResurrect: lifts whatever keeps the user offline
 * (down, frozen, out of money), lets Stargazer reconnect them, then puts
 * every value back and logs RESURRECT (login) FLAGS. */
int billing_resurrect(struct req *r, const char *login);

#endif
