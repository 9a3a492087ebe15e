/* Payment reminders and payment notices by SMS (spec actions-ops.md §5.11,
 * §5.17): Ubilling's Reminder class and the pieces OpenPayz's SMS notices
 * share with it (days of service left, the user template macros). */
#ifndef UBAPI_REMINDER_H
#define UBAPI_REMINDER_H

#include <stdbool.h>

#include "phones.h"
#include "req.h"
#include "sbuf.h"

/* FundsFlow::getOnlineLeftCountFast on the cash only: days of service the
 * balance pays for; 0 for an unknown user or tariff, -1 in debt, -2 on a
 * free tariff. 0, or -1 on a DB error. */
int rmd_days_left(struct req *r, const char *login, long *days);

/* zb_TemplateReplace(login, tpl): the user macros, case-insensitively,
 * one after another as PHP's str_ireplace chain does. out stays "" for an
 * unknown login. 0, or -1 on a DB error. */
int rmd_template(struct req *r, const char *login, const char *tpl, struct sbuf *out);

/* FILTER_VALIDATE_BOOLEAN: "1", "true", "on", "yes" (any case). */
bool rmd_fi_bool(const char *v);

/* str_ireplace(macro, value, text) for an ASCII macro: the step every
 * SMS template engine here (reminder, OpenPayz notices, SMSZilla) repeats
 * macro by macro. */
void rmd_ireplace(struct sbuf *text, const char *macro, const char *value);

/* round($dbvalue, 2) as PHP prints the float: "150", "12.5". */
void rmd_round2(const char *dbval, struct sbuf *out);

/* {USERONLINELEFTDAY} (days left, 0 when negative) and {USERONLINETODATE}
 * (d.m.Y of now + those days; today when negative). 0, or -1. */
int rmd_online_macros(struct req *r, const char *login, char leftday[32], char todate[16]);

/* zb_CleanMobileNumber: a number not starting with '+' (after trim) is
 * reduced to digits, its international prefix cut, REMINDER_PREFIX put in
 * front; a "+..." number (or an empty one) is kept as given. */
void rmd_clean_mobile(struct req *r, const char *raw, struct sbuf *out);

/* The login's mobileext numbers in id order. 0, or -1. */
int rmd_ext_mobiles(struct req *r, const char *login, struct strlist *out);

/* The Reminder object: options read (their warnings logged) and the
 * tagged candidates loaded, as PHP's constructor does before it even looks
 * at the parameters. NULL on a DB error. */
struct reminder;
struct reminder *reminder_new(struct req *r);
/* One run, regular or forced. 0, or -1 on a DB error. */
int reminder_run(struct reminder *m, bool force);
void reminder_free(struct reminder *m);

#endif
