/* Plumbing shared by the batch money actions (vserviceschargefee, freezemonth,
 * discounts, friendship, pt, ddt...): the whole user base, tariffs, tags and
 * virtual services read once, set-based, then one money unit per user
 * (cash_add, or a queued group of units with the direct backend), and the
 * dryrun=1 report that shows those units instead of running them.
 *
 * Order: rows come in the table's primary-key order (DECISIONS 18b); lookups
 * by login compare bytes, as PHP array keys do. */
#ifndef UBAPI_BATCH_H
#define UBAPI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "billing.h"
#include "money.h"
#include "payments.h"
#include "req.h"
#include "sbuf.h"

/* --- users --------------------------------------------------------------- */

struct batch_user {
	char *login;
	char *cash_s;     /* users.Cash as the server prints it ("" for NULL) */
	char *credit_s;
	money_t cash;     /* 0 when the text is not a number */
	money_t credit;
	bool passive, down;
	char *tariff;
};

struct batch_users {
	struct batch_user *v; /* primary-key order */
	size_t n;
	struct batch_user **by_login; /* bytewise order, for batch_user_find */
};

/* SELECT login, Cash, Credit, Passive, Down, Tariff FROM users [WHERE where]
 * ORDER BY login. where is constant SQL from the caller (never request text),
 * or NULL. 0 or -1 (database error). */
int batch_users_load(struct req *r, struct batch_users *u, const char *where);
struct batch_user *batch_user_find(const struct batch_users *u, const char *login);
void batch_users_free(struct batch_users *u);

/* --- tariffs -------------------------------------------------------------- */

struct batch_tariff {
	char *name;
	char *fee_s;
	money_t fee;
};

struct batch_tariffs {
	struct batch_tariff *v; /* bytewise name order */
	size_t n;
};

int batch_tariffs_load(struct req *r, struct batch_tariffs *t);
const struct batch_tariff *batch_tariff_find(const struct batch_tariffs *t, const char *name);
void batch_tariffs_free(struct batch_tariffs *t);

/* --- tags ----------------------------------------------------------------- */

struct batch_tag {
	long long id;
	long tagid;
	char *login;
};

struct batch_tags {
	struct batch_tag *v;       /* id order */
	size_t n;
	struct batch_tag **by_key; /* (login, tagid) order, for lookups */
};

int batch_tags_load(struct req *r, struct batch_tags *t);
/* How many tag rows of tagid the login holds (a tag may repeat). */
size_t batch_tags_count(const struct batch_tags *t, const char *login, long tagid);
/* Whether the login holds any tag of the list. */
bool batch_tags_any(const struct batch_tags *t, const char *login, const long *tagids, size_t n);
void batch_tags_free(struct batch_tags *t);

/* --- virtual services ----------------------------------------------------- */

struct batch_vservice {
	long id, tagid;
	char *price_s;      /* as the server prints the DOUBLE */
	money_t price;
	bool is_virtual;    /* cashtype 'virtual' (else 'stargazer' or unknown) */
	bool is_stargazer;
	long priority;
	bool always;        /* fee_charge_always */
	long period;        /* charge_period_days */
	long *exclude;      /* exclude_tags parsed: integers, no duplicates */
	size_t nexclude;
	bool archived;
};

struct batch_vservices {
	struct batch_vservice *v; /* priority DESC, then id */
	size_t n;
};

/* periods: NULL/0 for every service, else only those whose
 * charge_period_days is in the list. Archived services are included, as in
 * Ubilling. */
int batch_vservices_load(struct req *r, struct batch_vservices *s, const long *periods,
			 size_t nperiods);
void batch_vservices_free(struct batch_vservices *s);

/* --- integer lists -------------------------------------------------------- */

/* Ubilling's delimited lists (exclude_tags, *_ONLY_TAG config): split on
 * delim, blanks trimmed, empties dropped, duplicates removed. An item that
 * is not plain digits makes the whole list invalid: false, and *out is NULL. */
bool batch_int_list(const char *s, char delim, long **out, size_t *n);
/* vserviceschargefee's period: digits joined by '_' ("30", "30_7_15"),
 * surrounding blanks allowed ("period= 1" is in Ubilling's manual). */
bool batch_valid_period(const char *s);

/* The action's "param": 1 when it is word, 0 when absent, "" or "0"
 * (Ubilling's checkGet), -1 for any other value (ERROR:WRONG_PARAM). */
int batch_param(const struct req *r, const char *word);

/* --- the run --------------------------------------------------------------- */

struct batch_unit;

struct batch {
	struct req *r;
	bool dry;              /* dryrun=1: report, change nothing */
	struct sbuf lines;     /* the dry-run report */
	size_t done;           /* units applied (or reported, when dry) */
	size_t core_failed;    /* users the billing core refused: not charged */
	bool db_failed;        /* stop: the database failed */
	/* direct backend on InnoDB: units wait here and are applied a group
	 * at a time, each group one transaction (see batch_flush) */
	struct batch_unit *q;
	size_t nq, capq;
	int grouped;           /* 0 not yet known, 1 queue units, -1 one by one */
};

/* dryrun: absent, "" or "0" -> false, "1" -> true. The action table rule
 * (batch_valid_dryrun) refuses anything else before the handler runs. */
void batch_init(struct batch *b, struct req *r);
void batch_free(struct batch *b);
bool batch_valid_dryrun(const char *v);

/* The table a cash operation writes to. */
const char *batch_cash_table(enum cash_op op);

/* One money unit: cash_add, or its report line when dry. CASH_DONE when
 * charged (or reported); a core refusal is counted and the run goes on; a
 * database failure sets db_failed and the caller stops.
 * With the direct backend on InnoDB tables, outside a caller's transaction,
 * a well-formed unit is queued instead and CASH_DONE means "queued": its
 * outcome (done, core_failed, db_failed) is known after the next flush. */
enum cash_result batch_cash(struct batch *b, const struct cash_request *c);

/* A non-money account change as one unit: up to two billing_set fields,
 * then the weblog line recording them (event may be NULL). Same results
 * and queueing as batch_cash; nothing is done in a dry run (the caller
 * writes its own report line). */
struct batch_change {
	const char *login;
	enum billing_field field[2];
	const char *value[2];
	size_t nfields;
	const char *event;
};
enum cash_result batch_change(struct batch *b, const struct batch_change *c);

/* Applies the queued units: up to BATCH_GROUP of them in one transaction
 * with a few set-based statements (the users rows locked first, the
 * balance changes one statement per kind, then one multi-row INSERT per
 * table, rows in unit order). If any statement fails before COMMIT the
 * group is rolled back and its units run one by one (cash_add), so a
 * failure is isolated and reported exactly as without the queue. Called
 * by batch_weblog, batch_reply and batch_free; a caller that reads users
 * or payments, or opens its own transaction, flushes first. */
void batch_flush(struct batch *b);

/* A dry-run report line for a non-money change (freeze, credit...):
 * "login<TAB>what<TAB>note<TAB>target". */
void batch_dry_line(struct batch *b, const char *login, const char *what, const char *note,
		    const char *target);

/* A weblog line, skipped in a dry run; queued units are flushed first so
 * the lines keep their order. 0 or -1 (and db_failed). */
int batch_weblog(struct batch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The final reply: ERROR:DB when the database failed, ERROR:BILLING_CORE
 * when the core refused some users (the others are charged and recorded),
 * else ok. A dry run replies with its report lines, then the ok line. */
void batch_reply(struct batch *b, const char *ok);

#endif
