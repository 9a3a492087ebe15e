/* The "Deal With It" scheduler (Ubilling's DealWithIt class): creating
 * tasks (DDT does) and running due ones (dealwithit does), plus the small
 * pieces the scheduler family of actions (friendshipdaily,
 * crimeandpunishment, ddt, pt, karmaguard, dealwithit) share on top of
 * lib/batch.h: per-user units of work, keyed lookups and PHP's calendar
 * arithmetic. */
#ifndef UBAPI_DEALWITHIT_H
#define UBAPI_DEALWITHIT_H

#include <stdbool.h>
#include <time.h>

#include "batch.h"
#include "payments.h"
#include "req.h"

/* --- one user's unit of work ------------------------------------------ */

/* Every row a user's step writes commits together. With the direct backend
 * that includes the money change, so a failure rolls the whole step back
 * and the next run retries it. With Stargazer a change Stargazer already
 * applied cannot be undone: once one was (applied), the rows written so
 * far are kept, so the next run does not repeat it. */
int sched_unit_begin(struct req *r);
/* ok: commit. !ok: commit only when applied and the backend is Stargazer,
 * else roll back. -1 when the commit failed. */
int sched_unit_end(struct req *r, bool ok, bool applied);
/* Whether a cash_add result left a change in the billing core. */
bool sched_cash_applied(const struct req *r, enum cash_result rc);

/* The reply for a failed money operation: ERROR:DB, ERROR:BILLING_CORE or
 * ERROR:WRONG_PARAMS. */
const char *sched_cash_error(enum cash_result rc);
/* Counts a user's failure into the run: a database failure stops it
 * (true), a refused user does not (the others still get their turn). */
bool sched_failed(struct batch *b, const char *reply);

/* --- lookups -------------------------------------------------------------- */

/* PHP's "$map[$row[k]] = $row[v]" over a result: one value per key, the
 * last row of a key winning; looked up by binary search. */
struct sched_map {
	size_t n;
	struct sched_pair {
		const char *key, *val;
	} *v;
};

/* Borrows the strings of rows (keep rows alive); NULL keys are skipped. */
void sched_map_build(struct sched_map *m, const struct db_rows *rows, size_t kcol, size_t vcol);
/* true when key is present (*val may then be NULL for an SQL NULL). */
bool sched_map_get(const struct sched_map *m, const char *key, const char **val);
void sched_map_free(struct sched_map *m);

/* --- calendar, PHP style (strtotime / date) ------------------------------ */

/* Local midnight of the day `days` days after t's day ("+N days"). */
time_t sched_add_days(time_t t, long days);
/* date('Y-m-t', strtotime("+N months", today)): the month is reached with
 * PHP's overflow rule (Jan 31 + 1 month is in March), then its last day. */
time_t sched_month_end_after(time_t t, long months);
/* Day of month of t, 1..31. */
int sched_mday(time_t t);

/* --- the scheduler --------------------------------------------------------- */

/* createTask: the dealwithit row, its dealwithithist twin and the SCHEDULER
 * CREATE weblog. note is cut to the column's 45 characters. 0 or -1. */
int dwi_create_task(struct req *r, const char *date, const char *login, const char *action,
		    const char *param, const char *note, unsigned long long *id);

enum dwi_result {
	DWI_DONE = 0,       /* performed (or an unknown action: nothing to do) */
	DWI_BAD_PARAM = 1,  /* the task's param is unusable: left pending */
	DWI_DISABLED = 2,   /* setdiscount with DISCOUNTS_ENABLED off: left pending */
	DWI_FAILED = -1,    /* failed before anything reached the billing core */
	DWI_PARTIAL = -2,   /* failed after a change the billing core applied */
};

struct dwi_task {
	const char *id, *date, *login, *action, *param, *note;
};

/* Performs one task's action (not its bookkeeping). On DWI_FAILED *cash
 * holds the cash_add result when a money operation failed. */
enum dwi_result dwi_perform(struct req *r, const struct dwi_task *t, enum cash_result *cash);
/* What a dry run reports for a task: true and the amount, note and table
 * when the task moves money. */
bool dwi_money_preview(const struct req *r, const struct dwi_task *t, struct sbuf *amount,
		       struct sbuf *note, const char **table);

#endif
