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
