/* Megogo TV subscriptions (mgqueue, mgprocessing, mgfreecleanup): the
 * tariffs and subscribers read once per run, the unsubscribe primitive
 * (provider first, local rows second) and the trial expiry rule. */
#ifndef UBAPI_MEGOGO_H
#define UBAPI_MEGOGO_H

#include <stdbool.h>
#include <stddef.h>

#include "money.h"
#include "req.h"
#include "sbuf.h"

#define MG_DISABLED_REPLY "ERROR: MEGOGO DISABLED"

struct mg_tariff {
	long id;
	money_t fee;
	bool fee_ok;      /* NULL fee counts as 0; unreadable or negative: false */
	char *serviceid;  /* "" for NULL */
};

struct mg_sub {
	long id;
	char *login;
	long tariffid;
	char *actdate;
	bool active;
	bool freeperiod;
};

struct megogo {
	struct req *r;
	bool dry;              /* dryrun=1: report, change nothing, call nobody */
	struct sbuf out;       /* the reply lines, or the dry-run report */
	struct mg_tariff *tariffs;
	size_t ntariffs;
	struct mg_sub *subs;   /* id order */
	size_t nsubs;
	bool free_rule;        /* MG_SPREAD or MG_FREEPERIOD_DAYS set */
	long free_days;
	size_t core_failed;    /* charges the billing core refused */
	bool db_failed;        /* stop: the database failed */
};

/* MG_ENABLED, then the tariffs and (subs) the subscribers. On false the
 * reply is already written (disabled, bad config, ERROR:DB). */
bool mg_start(struct megogo *m, struct req *r, bool subs);
void mg_free(struct megogo *m);

const struct mg_tariff *mg_tariff_find(const struct megogo *m, long id);

enum mg_unsub {
	MG_UNSUB_DONE,
	MG_UNSUB_NO_TARIFF,    /* unknown tariff: nothing to do, as in Ubilling */
	MG_UNSUB_FAILED,       /* the provider did not confirm: local rows kept */
	MG_UNSUB_DB_FAILED,
};

/* Ubilling's deleteSubscribtion, provider first: the unsubscribe call,
 * then (only when it succeeded) the mg_subscribers row, its two weblog
 * lines and the caller's extra line (may be NULL), plus the mg_queue row
 * queue_id when > 0, as one transaction. A dry run only reports. */
enum mg_unsub mg_unsubscribe(struct megogo *m, const char *login, long tariffid, long queue_id,
			     const char *extra_event);

/* Whether a trial row has run out at r->now (the caller checked free_rule).
 * False for an unreadable actdate. */
bool mg_trial_expired(const struct megogo *m, const struct mg_sub *s);

/* Ends the free rows of a run: expired ones (or all, for mgprocessing
 * without a trial rule) unsubscribed with their weblog line ending in
 * `tag`, a "LOGIN UNSUB [TID] FREE" line each. */
void mg_end_trial(struct megogo *m, const struct mg_sub *s, const char *tag);

/* "LOGIN WHAT [TID]SUFFIX", plus " FAIL" when the provider did not
 * confirm; nothing in a dry run (mg_unsubscribe reported it) or after a
 * database failure. */
void mg_line(struct megogo *m, const char *login, const char *what, long tariffid,
	     const char *suffix, enum mg_unsub rc);

/* The run's reply: ERROR:DB, ERROR:BILLING_CORE, else the lines. */
void mg_reply(struct megogo *m);

#endif
