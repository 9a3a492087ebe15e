/* discountprocessing: pay each user with a discount (table discounts) their
 * percent of this period's payments (this month, the previous one with
 * DISCOUNT_PREVMONTH, or today with DISCOUNT_DAILY). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "batch.h"
#include "money.h"
#include "util.h"

struct sum {
	char *login;
	money_t total;
	char *percent_s;
	money_t percent;
	size_t row;   /* position in the discounts table */
	bool listed;  /* already in the run's order */
};

static bool last_day_of_month(time_t now)
{
	struct tm tm;
	localtime_r(&now, &tm);
	tm.tm_mday += 1;
	tm.tm_isdst = -1;
	time_t next = mktime(&tm);
	localtime_r(&next, &tm);
	return tm.tm_mday == 1;
}

/* "YYYY-MM%" of this or the previous calendar month, or "YYYY-MM-DD%" */
static void target_pattern(struct req *r, char *buf, size_t size)
{
	struct tm tm;
	localtime_r(&r->now, &tm);
	if (php_truthy(cfg_alter(r->cfg, "DISCOUNT_DAILY", ""))) {
		snprintf(buf, size, "%04d-%02d-%02d%%", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		return;
	}
	if (php_truthy(cfg_alter(r->cfg, "DISCOUNT_PREVMONTH", ""))) {
		if (--tm.tm_mon < 0) {
			tm.tm_mon = 11;
			tm.tm_year--;
		}
	}
	snprintf(buf, size, "%04d-%02d%%", tm.tm_year + 1900, tm.tm_mon + 1);
}

static int str_cmp_login(const void *a, const void *b)
{
	return strcmp(((const struct sum *)a)->login, ((const struct sum *)b)->login);
}

/* by login, the latest row first */
static int cmp_login_latest(const void *a, const void *b)
{
	const struct sum *x = a, *y = b;
	int c = strcmp(x->login, y->login);
	return c ? c : (x->row < y->row) - (x->row > y->row);
}

/* discounts: login -> percent (the last row of a login wins), non-zero only */
static int load_discounts(struct req *r, struct sum **out, size_t *n)
{
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `login`,`percent` FROM `discounts` ORDER BY `id`", "") != 0)
		return -1;
	struct sum *v = xcalloc(rows.nrows + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0), *pct = db_cell(&rows, i, 1);
		if (!login)
			continue;
		v[k].login = xstrdup(login);
		v[k].percent_s = xstrdup(pct ? pct : "");
		if (pct)
			money_parse_db(pct, &v[k].percent);
		v[k].row = i;
		k++;
	}
	db_rows_free(&rows);
	qsort(v, k, sizeof *v, cmp_login_latest);
	size_t u = 0;
	for (size_t i = 0; i < k; i++) {
		if (u && strcmp(v[u - 1].login, v[i].login) == 0) {
			free(v[i].login);
			free(v[i].percent_s);
			continue;
		}
		v[u++] = v[i];
	}
	k = u;
	*out = v;
	*n = k;
	return 0;
}

void cmd_discountprocessing(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "DISCOUNTS_ENABLED", NULL))) {
		reply_text(r, "ERROR:DISCOUNTS_DISABLED");
		return;
	}
	if (param_present(&r->params, "lastday") && !last_day_of_month(r->now)) {
		reply_text(r, "OK:DISCOUNTS_SKIPPED");
		return;
	}
	const char *ct = cfg_alter(r->cfg, "DISCOUNT_CASHTYPEID", "");
	long cashtype = valid_uint(ct) && atol(ct) > 0 ? atol(ct) : 1;
	enum cash_op op = strcmp(cfg_alter(r->cfg, "DISCOUNT_OPERATION", ""), "CORR") == 0 ? CASH_CORRECT
											 : CASH_ADD;
	char pattern[64];
	target_pattern(r, pattern, sizeof pattern);
	struct batch b;
	batch_init(&b, r);
	struct sum *disc = NULL;
	size_t ndisc = 0;
	struct db_rows pay = { 0 };
	/* the filter stays in SQL: summ is VARCHAR and Ubilling's > '0' is a
	 * string comparison ("-5" and ".5" out, "10" in) */
	if (load_discounts(r, &disc, &ndisc) != 0 ||
	    db_query(r->db, &pay,
		     "SELECT `login`,`summ` FROM `payments` WHERE `date` LIKE ? AND `summ`>'0'"
		     " AND `note` NOT LIKE 'DISCOUNT:%' ORDER BY `id`",
		     "s", pattern) != 0) {
		b.db_failed = true;
	} else {
		/* sums per login, in the order of each login's first payment */
		struct sum **order = xcalloc(pay.nrows + 1, sizeof *order);
		size_t norder = 0;
		money_t zero = { 0 };
		for (size_t i = 0; i < pay.nrows; i++) {
			struct sum key = { .login = (char *)(db_cell(&pay, i, 0) ? db_cell(&pay, i, 0) : "") };
			struct sum *d = bsearch(&key, disc, ndisc, sizeof *disc, str_cmp_login);
			if (!d || money_cmp(d->percent, zero) == 0)
				continue;
			money_t x = { 0 };
			money_parse_db(db_cell(&pay, i, 1), &x);
			if (!d->listed) {
				d->listed = true;
				order[norder++] = d;
			}
			money_add(d->total, x, &d->total);
		}
		for (size_t i = 0; i < norder && !b.db_failed; i++) {
			money_t amount;
			if (!money_percent(order[i]->total, order[i]->percent, &amount))
				continue;
			struct sbuf a = SBUF_INIT, note = SBUF_INIT;
			money_format(amount, &a);
			sbuf_printf(&note, "DISCOUNT:%s", order[i]->percent_s);
			struct cash_request c = { .login = order[i]->login, .amount = sbuf_str(&a), .op = op,
						  .cashtype = cashtype, .note = sbuf_str(&note) };
			batch_cash(&b, &c);
			sbuf_free(&a);
			sbuf_free(&note);
		}
		free(order);
	}
	batch_reply(&b, "OK:DISCOUNTS_PROCESSING");
	db_rows_free(&pay);
	for (size_t i = 0; i < ndisc; i++) {
		free(disc[i].login);
		free(disc[i].percent_s);
	}
	free(disc);
	batch_free(&b);
}
