/* autofreeze: freeze (Passive=1) every active user without credit whose
 * balance is at or below alter.ini AUTOFREEZE_CASH_LIMIT; with
 * param=nocredit, users who took a self-service credit this month are
 * spared. autofreezemonth shares this run with a per-tariff limit. */
#include "autofreeze.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "batch.h"
#include "billing.h"
#include "clock.h"
#include "money.h"
#include "util.h"

struct freeze_run {
	struct batch b;
	struct batch_users users;
	struct batch_tariffs tariffs;
	char **sc_logins; /* sorted: logins with a zbssclog row this month */
	size_t nsc;
	size_t count;
};

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_self_credits(struct freeze_run *f)
{
	struct req *r = f->b.r;
	char month[24];
	clock_format_date(r->now, month);
	month[7] = '%';
	month[8] = '\0';
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `login` FROM `zbssclog` WHERE `date` LIKE ?", "s", month) != 0)
		return -1;
	f->sc_logins = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *f->sc_logins);
	for (size_t i = 0; i < rows.nrows; i++)
		if (db_cell(&rows, i, 0))
			f->sc_logins[f->nsc++] = xstrdup(db_cell(&rows, i, 0));
	db_rows_free(&rows);
	qsort(f->sc_logins, f->nsc, sizeof *f->sc_logins, str_ptr_cmp);
	return 0;
}

static bool took_self_credit(const struct freeze_run *f, const char *login)
{
	return f->nsc && bsearch(&login, f->sc_logins, f->nsc, sizeof *f->sc_logins, str_ptr_cmp);
}

/* one unit: the freeze and its weblog line (batch_change: one transaction,
 * or a queued group, with the direct backend; with Stargazer the line is
 * written once it said ok) */
static void freeze_one(struct freeze_run *f, const struct batch_user *u, bool skip_sc)
{
	if (skip_sc) {
		batch_weblog(&f->b, "AUTOFREEZE (%s) ON BALANCE %s SKIP BY ZBSSC", u->login, u->cash_s);
		return;
	}
	if (f->b.dry) {
		batch_dry_line(&f->b, u->login, "passive=1", u->cash_s, "users");
		f->count++;
		return;
	}
	struct sbuf event = SBUF_INIT;
	sbuf_printf(&event, "AUTOFREEZE (%s) ON BALANCE %s", u->login, u->cash_s);
	struct batch_change c = { .login = u->login, .field = { BF_PASSIVE }, .value = { "1" },
				  .nfields = 1, .event = sbuf_str(&event) };
	batch_change(&f->b, &c);
	sbuf_free(&event);
}

/* -(fee x months): the balance at or below which the user is frozen */
static money_t month_limit(money_t fee, money_t months)
{
	long double units = (long double)fee.units * (long double)months.units / MONEY_SCALE;
	money_t m = { (long long)llroundl(units) };
	return money_neg(m);
}

static bool owes_too_much(const struct freeze_run *f, const struct batch_user *u, bool by_months,
			  money_t limit)
{
	if (!by_months)
		return money_cmp(u->cash, limit) <= 0;
	const struct batch_tariff *t = batch_tariff_find(&f->tariffs, u->tariff);
	money_t zero = { 0 };
	/* Ubilling builds "-" . (fee*m) as text, so a negative fee gives a
	 * meaningless "--x": a fee at or below zero never freezes anyone here */
	if (!t || money_cmp(t->fee, zero) <= 0)
		return false;
	return money_cmp(u->cash, month_limit(t->fee, money_abs(limit))) <= 0;
}

static bool limit_parse(const char *raw, money_t *out)
{
	char *s = str_trim(xstrdup(raw));
	bool ok = !*s || money_parse_db(s, out);
	if (!*s)
		out->units = 0; /* Ubilling compares with '' (0 to MySQL) */
	free(s);
	return ok;
}

void autofreeze_run(struct req *r, bool by_months)
{
	const char *raw = cfg_alter_rcms(r->cfg, "AUTOFREEZE_CASH_LIMIT", NULL);
	money_t limit;
	if (!raw || !limit_parse(raw, &limit)) {
		reply_text(r, "ERROR:NO_AUTOFREEZE_CASH_LIMIT");
		return;
	}
	int nocredit = batch_param(r, "nocredit");
	if (nocredit < 0) {
		reply_text(r, "ERROR:WRONG_PARAM");
		return;
	}
	struct freeze_run f = { 0 };
	batch_init(&f.b, r);
	if (batch_users_load(r, &f.users, "`Passive`=0 AND `Credit`=0") != 0 ||
	    (by_months && batch_tariffs_load(r, &f.tariffs) != 0) ||
	    (nocredit && load_self_credits(&f) != 0)) {
		f.b.db_failed = true;
	} else if (f.users.n == 0) {
		reply_text(r, "OK:NO_USERS_TO_AUTOFREEZE");
		goto out;
	} else {
		size_t candidates = 0;
		for (size_t i = 0; i < f.users.n && !f.b.db_failed; i++) {
			const struct batch_user *u = &f.users.v[i];
			if (!owes_too_much(&f, u, by_months, limit))
				continue;
			candidates++;
			freeze_one(&f, u, nocredit && took_self_credit(&f, u->login));
		}
		/* Ubilling's autofreeze selects by the limit in SQL: no match is
		 * "no users"; autofreezemonth filters later and always logs DONE */
		if (!by_months && candidates == 0 && !f.b.db_failed) {
			reply_text(r, "OK:NO_USERS_TO_AUTOFREEZE");
			goto out;
		}
		/* the count is of the freezes applied: the queued ones first */
		batch_flush(&f.b);
		if (!f.b.dry)
			f.count = f.b.done;
		if (!f.b.db_failed)
			batch_weblog(&f.b, "AUTOFREEZE DONE COUNT `%zu`", f.count);
	}
	batch_reply(&f.b, "OK:AUTOFREEZE");
out:
	batch_users_free(&f.users);
	batch_tariffs_free(&f.tariffs);
	for (size_t i = 0; i < f.nsc; i++)
		free(f.sc_logins[i]);
	free(f.sc_logins);
	batch_free(&f.b);
}

void cmd_autofreeze(struct req *r)
{
	autofreeze_run(r, false);
}
