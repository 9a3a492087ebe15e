/* vserviceschargefee: charge every virtual service's price to each holder of
 * its tag, services in priority order, against an in-memory balance that
 * follows this run's own charges (so a low-priority service is skipped once
 * the higher ones used the money up). */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "batch.h"
#include "money.h"
#include "payments.h"
#include "util.h"

struct vsrun {
	struct batch b;
	struct batch_users users;
	struct batch_tags tags;
	struct batch_vservices services;
	enum cash_op op;
	long cashtype;
	bool consider_credit;
	bool nofrozen;
};

/* Ubilling's gate: always, else cash >= -credit (CONSIDER_CREDIT) or cash > 0 */
static bool allowed(const struct vsrun *s, const struct batch_vservice *v, money_t cash,
		    money_t credit)
{
	if (v->always)
		return true;
	money_t zero = { 0 };
	if (s->consider_credit)
		return money_cmp(cash, money_neg(credit)) >= 0;
	return money_cmp(cash, zero) > 0;
}

/* the change to the balance: -price, or |price| for a negative price; a
 * zero price still writes its "-0" row, as Ubilling does */
static void fee_text(const struct batch_vservice *v, struct sbuf *out)
{
	money_t zero = { 0 };
	if (money_cmp(v->price, zero) >= 0) {
		sbuf_puts(out, "-");
		money_format(v->price, out);
	} else {
		money_format(money_abs(v->price), out);
	}
}

static void charge_stargazer(struct vsrun *s, const struct batch_vservice *v, const char *login)
{
	struct batch_user *u = batch_user_find(&s->users, login);
	if (!u) {
		batch_weblog(&s->b, "VSERVICE_CHARGE_FEE: user (%s) not found in overall existent users list",
			     login);
		return;
	}
	if (!allowed(s, v, u->cash, u->credit) || (s->nofrozen && u->passive))
		return;
	struct sbuf amount = SBUF_INIT, note = SBUF_INIT;
	fee_text(v, &amount);
	sbuf_printf(&note, "Service:%ld", v->id);
	struct cash_request c = {
		.login = login, .amount = sbuf_str(&amount), .op = s->op, .cashtype = s->cashtype,
		.note = sbuf_str(&note),
	};
	money_t delta;
	if (batch_cash(&s->b, &c) == CASH_DONE && money_parse(sbuf_str(&amount), &delta))
		money_add(u->cash, delta, &u->cash);
	sbuf_free(&amount);
	sbuf_free(&note);
}

/* The deprecated internal wallet: vcash/vcashlog, one transaction per user.
 * vcash.cash is INT, so the server may round what it stores; vcashlog's
 * balance is the stored value read back, its summ the computed one, as in
 * Ubilling. */
static int vcash_current(struct vsrun *s, const char *login, money_t *cur)
{
	struct req *r = s->b.r;
	bool err = false;
	char *v = db_value(r->db, &err,
			   "SELECT `cash` FROM `vcash` WHERE `login`=? ORDER BY `id` LIMIT 1 FOR UPDATE", "s",
			   login);
	cur->units = 0;
	if (err)
		return -1;
	if (v) {
		money_parse_db(v, cur);
		free(v);
		return 0;
	}
	if (db_exec(r->db, "INSERT INTO `vcash` (`login`,`cash`) VALUES (?,0)", "s", login) < 0)
		return -1;
	return batch_weblog(&s->b, "VCASH CREATE (%s) `0`", login);
}

static int vcash_change(struct vsrun *s, const struct batch_vservice *v, const char *login,
			money_t cur)
{
	struct req *r = s->b.r;
	money_t next, zero = { 0 };
	bool ok = money_cmp(v->price, zero) >= 0 ? money_sub(cur, v->price, &next)
						 : money_add(cur, money_abs(v->price), &next);
	if (!ok)
		return -1;
	struct sbuf nv = SBUF_INIT;
	money_format(next, &nv);
	char date[20];
	clock_format_datetime(r->now, date);
	int rc = -1;
	char *stored = NULL;
	bool err = false;
	if (db_exec(r->db, "UPDATE `vcash` SET `cash`=? WHERE `login`=?", "ss", sbuf_str(&nv), login) >= 0 &&
	    batch_weblog(&s->b, "VCASH CHANGE (%s) `%s`", login, sbuf_str(&nv)) == 0 &&
	    (stored = db_value(r->db, &err, "SELECT `cash` FROM `vcash` WHERE `login`=? ORDER BY `id` LIMIT 1",
			       "s", login)) != NULL &&
	    db_exec(r->db,
		    "INSERT INTO `vcashlog` (`login`,`date`,`balance`,`summ`,`cashtypeid`,`note`)"
		    " VALUES (?,?,?,?,?,'')",
		    "ssssi", login, date, stored, sbuf_str(&nv), (long long)v->id) >= 0)
		rc = 0;
	free(stored);
	sbuf_free(&nv);
	return rc;
}

static void charge_virtual(struct vsrun *s, const struct batch_vservice *v, const char *login)
{
	struct req *r = s->b.r;
	struct batch_user *u = batch_user_find(&s->users, login);
	money_t credit = u ? u->credit : (money_t){ 0 }, cur;
	if (s->b.dry) {
		struct sbuf amount = SBUF_INIT, note = SBUF_INIT;
		fee_text(v, &amount);
		sbuf_printf(&note, "Service:%ld", v->id);
		batch_dry_line(&s->b, login, sbuf_str(&amount), sbuf_str(&note), "vcash");
		sbuf_free(&amount);
		sbuf_free(&note);
		return;
	}
	/* the queued charges go first: weblog ids stay in run order */
	batch_flush(&s->b);
	if (db_begin(r->db) != 0) {
		s->b.db_failed = true;
		return;
	}
	int rc = vcash_current(s, login, &cur);
	bool charge = rc == 0 && allowed(s, v, cur, credit);
	if (charge)
		rc = vcash_change(s, v, login, cur);
	if (rc != 0 || db_commit(r->db) != 0) {
		db_rollback(r->db);
		s->b.db_failed = true;
		return;
	}
	if (charge)
		s->b.done++;
}

static void run_service(struct vsrun *s, const struct batch_vservice *v)
{
	for (size_t i = 0; i < s->tags.n && !s->b.db_failed; i++) {
		const struct batch_tag *t = &s->tags.v[i];
		if (t->tagid != v->tagid || batch_tags_any(&s->tags, t->login, v->exclude, v->nexclude))
			continue;
		if (v->is_virtual)
			charge_virtual(s, v, t->login);
		else if (v->is_stargazer)
			charge_stargazer(s, v, t->login);
	}
}

static long cashtype_from(const char *v)
{
	/* Ubilling passes the raw value on; only a positive integer is a cash type */
	return v && valid_uint(v) && atol(v) > 0 ? atol(v) : 1;
}

void cmd_vserviceschargefee(struct req *r)
{
	int nofrozen = batch_param(r, "nofrozen");
	if (nofrozen < 0) {
		reply_text(r, "ERROR:WRONG_PARAM");
		return;
	}
	long *periods = NULL;
	size_t nperiods = 0;
	if (param_present(&r->params, "period") &&
	    (!batch_valid_period(req_param(r, "period")) ||
	     !batch_int_list(req_param(r, "period"), '_', &periods, &nperiods))) {
		reply_text(r, "ERROR:WRONG_PERIOD");
		return;
	}
	struct vsrun s = { 0 };
	batch_init(&s.b, r);
	const char *as_payments = cfg_alter_rcms(r->cfg, "VSERVICES_AS_PAYMENTS", NULL);
	s.op = !as_payments || php_truthy(as_payments) ? CASH_ADD : CASH_CORRECT;
	s.cashtype = cashtype_from(cfg_alter(r->cfg, "VSERVICES_CASHTYPEID", ""));
	s.consider_credit = php_truthy(cfg_alter(r->cfg, "VSERVICES_CONSIDER_CREDIT", "0"));
	s.nofrozen = nofrozen == 1;

	if (batch_weblog(&s.b, "REMOTEAPI VSERVICE_CHARGE_FEE STARTED") == 0 &&
	    batch_users_load(r, &s.users, NULL) == 0 && batch_tags_load(r, &s.tags) == 0 &&
	    batch_vservices_load(r, &s.services, periods, nperiods) == 0) {
		for (size_t i = 0; i < s.services.n && !s.b.db_failed; i++)
			run_service(&s, &s.services.v[i]);
		if (!s.b.db_failed)
			batch_weblog(&s.b, "REMOTEAPI VSERVICE_CHARGE_FEE FINISHED");
	} else {
		s.b.db_failed = true;
	}
	batch_reply(&s.b, "OK:SERVICE_CHARGE_FEE");
	batch_users_free(&s.users);
	batch_tags_free(&s.tags);
	batch_vservices_free(&s.services);
	batch_free(&s.b);
	free(periods);
}
