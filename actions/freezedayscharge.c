/* freezedayscharge: limited freeze days. Each run (daily) counts one used
 * freeze day per frozen user and unfreezes those past their quota; users
 * who exhausted it earn the quota back after FREEZE_DAYS_WORK_TO_RESTORE
 * days of working service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "batch.h"
#include "billing.h"
#include "clock.h"
#include "money.h"
#include "util.h"

struct fdc_row {
	char *login;
	long amount, used, restore, worked;
	bool joined;      /* the user still exists */
	bool passive, down;
	money_t cash, credit;
};

struct fdc_run {
	struct batch b;
	struct fdc_row *rows;
	size_t n;
	long initial, restore;
	bool debug, verbose;
	char now[20];
};

static long conf_days(const char *v, bool *ok)
{
	if (!v || !*v)
		return 0;
	if (!valid_uint(v) || strlen(v) > 5) {
		*ok = false;
		return 0;
	}
	return atol(v);
}

/* users frozen now and not yet counted get their row (the datetime
 * columns are NOT NULL without default: the zero date a non-strict PHP run
 * stores is written explicitly) */
static int register_new(struct fdc_run *f)
{
	struct req *r = f->b.r;
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT u.`login` FROM `users` u LEFT JOIN `frozen_charge_days` f ON f.`login`=u.`login`"
		     " WHERE u.`Passive`=1 AND f.`login` IS NULL ORDER BY u.`login`",
		     "") != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < rows.nrows && rc == 0; i++) {
		const char *login = db_cell(&rows, i, 0);
		if (f->b.dry) {
			batch_dry_line(&f->b, login, "register", "", "frozen_charge_days");
			f->rows = xrealloc(f->rows, (f->n + 1) * sizeof *f->rows);
			f->rows[f->n++] = (struct fdc_row){ .login = xstrdup(login), .amount = f->initial,
							    .restore = f->restore, .joined = true, .passive = true };
			continue;
		}
		if (db_exec(r->db,
			    "INSERT INTO `frozen_charge_days` (`login`,`freeze_days_amount`,`freeze_days_used`,"
			    "`last_freeze_charge_dt`,`work_days_restore`,`days_worked`,`last_workdays_upd_dt`)"
			    " VALUES (?,?,0,'0000-00-00 00:00:00',?,0,'0000-00-00 00:00:00')",
			    "sii", login, (long long)f->initial, (long long)f->restore) < 0)
			rc = -1;
		else if (f->debug)
			rc = batch_weblog(&f->b,
					  "FREEZE DAYS CHARGE: login `%s` added to freeze days charge processing table",
					  login);
	}
	db_rows_free(&rows);
	return rc;
}

static int load_rows(struct fdc_run *f)
{
	struct db_rows rows;
	if (db_query(f->b.r->db, &rows,
		     "SELECT f.`login`,f.`freeze_days_amount`,f.`freeze_days_used`,f.`work_days_restore`,"
		     "f.`days_worked`,u.`login`,u.`Passive`,u.`Down`,u.`Cash`,u.`Credit`"
		     " FROM `frozen_charge_days` f LEFT JOIN `users` u ON u.`login`=f.`login` ORDER BY f.`id`",
		     "") != 0)
		return -1;
	/* dry-run registrations were appended first; they come after the
	 * stored rows, as their new ids would */
	struct fdc_row *all = xcalloc(rows.nrows + f->n + 1, sizeof *all);
	for (size_t i = 0; i < rows.nrows; i++) {
		struct fdc_row *x = &all[i];
		const char *v;
		x->login = xstrdup(db_cell(&rows, i, 0) ? db_cell(&rows, i, 0) : "");
		x->amount = atol((v = db_cell(&rows, i, 1)) ? v : "0");
		x->used = atol((v = db_cell(&rows, i, 2)) ? v : "0");
		x->restore = atol((v = db_cell(&rows, i, 3)) ? v : "0");
		x->worked = atol((v = db_cell(&rows, i, 4)) ? v : "0");
		x->joined = db_cell(&rows, i, 5) != NULL;
		x->passive = (v = db_cell(&rows, i, 6)) && atol(v) != 0;
		x->down = (v = db_cell(&rows, i, 7)) && atol(v) != 0;
		if ((v = db_cell(&rows, i, 8)))
			money_parse_db(v, &x->cash);
		if ((v = db_cell(&rows, i, 9)))
			money_parse_db(v, &x->credit);
	}
	if (f->n)
		memcpy(all + rows.nrows, f->rows, f->n * sizeof *all);
	free(f->rows);
	f->rows = all;
	f->n += rows.nrows;
	db_rows_free(&rows);
	return 0;
}

/* one row's unit: the unfreeze (if due) and the counter update together */
static bool count_frozen_day(struct fdc_run *f, struct fdc_row *x)
{
	struct req *r = f->b.r;
	bool unfreeze = x->used >= x->amount;
	if (f->b.dry) {
		if (unfreeze)
			batch_dry_line(&f->b, x->login, "passive=0", "", "users");
		char what[48];
		snprintf(what, sizeof what, "freeze_days_used=%ld", x->used + 1);
		batch_dry_line(&f->b, x->login, what, "", "frozen_charge_days");
		return true;
	}
	bool tx = billing_is_direct(r->cfg);
	if (tx && db_begin(r->db) != 0)
		return false;
	if (unfreeze && billing_set(r, x->login, BF_PASSIVE, "0") != 0) {
		if (tx)
			db_rollback(r->db);
		f->b.core_failed++;
		return true;
	}
	if (db_exec(r->db,
		    "UPDATE `frozen_charge_days` SET `freeze_days_used`=?, `last_freeze_charge_dt`=?"
		    " WHERE `login`=?",
		    "iss", (long long)x->used + 1, f->now, x->login) < 0 ||
	    (tx && db_commit(r->db) != 0)) {
		if (tx)
			db_rollback(r->db);
		return false;
	}
	if (f->debug)
		return batch_weblog(&f->b,
				    "FREEZE DAYS CHARGE: used freeze days amount increased from [%ld] to [%ld] for login `%s`",
				    x->used, x->used + 1, x->login) == 0;
	return true;
}

static bool count_worked_day(struct fdc_run *f, struct fdc_row *x)
{
	long w = x->worked + 1;
	bool reset = w >= x->restore;
	if (reset)
		w = 0;
	if (f->b.dry) {
		char what[64];
		snprintf(what, sizeof what, "days_worked=%ld%s", w, reset ? " freeze_days_used=0" : "");
		batch_dry_line(&f->b, x->login, what, "", "frozen_charge_days");
		return true;
	}
	if (reset && f->debug &&
	    batch_weblog(&f->b,
			 "FREEZE DAYS CHARGE: used freeze days and worked days amount reset to 0, service freezing activated for login `%s`",
			 x->login) != 0)
		return false;
	long long n = reset ? db_exec(f->b.r->db,
				      "UPDATE `frozen_charge_days` SET `freeze_days_used`=0, `days_worked`=?,"
				      " `last_workdays_upd_dt`=? WHERE `login`=?",
				      "iss", (long long)w, f->now, x->login)
			    : db_exec(f->b.r->db,
				      "UPDATE `frozen_charge_days` SET `days_worked`=?, `last_workdays_upd_dt`=?"
				      " WHERE `login`=?",
				      "iss", (long long)w, f->now, x->login);
	if (n < 0)
		return false;
	if (f->debug)
		return batch_weblog(&f->b,
				    "FREEZE DAYS CHARGE: worked days amount increased from [%ld] to [%ld] for login `%s`",
				    x->worked, w, x->login) == 0;
	return true;
}

static void process(struct fdc_run *f)
{
	size_t processed = 0;
	batch_weblog(&f->b, "FREEZE DAYS CHARGE: frozen users to process charge total amount [%zu]", f->n);
	for (size_t i = 0; i < f->n && !f->b.db_failed; i++) {
		struct fdc_row *x = &f->rows[i];
		bool ok = true;
		if (x->joined && x->passive) {
			processed++;
			ok = count_frozen_day(f, x);
		} else if (x->joined && x->used >= x->amount &&
			   money_cmp(x->cash, money_neg(x->credit)) > 0 && !x->down) {
			processed++;
			ok = count_worked_day(f, x);
		} else if (f->debug && f->verbose) {
			ok = batch_weblog(&f->b, "FREEZE DAYS CHARGE: skipping processing for login `%s`",
					  x->login) == 0;
		}
		if (!ok)
			f->b.db_failed = true;
	}
	if (!f->b.db_failed)
		batch_weblog(&f->b, "FREEZE DAYS CHARGE: processed frozen users amount [%zu]", processed);
}

void cmd_freezedayscharge(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "FREEZE_DAYS_CHARGE_ENABLED", NULL))) {
		/* Ubilling renders its admin page here: an empty page stands in */
		sbuf_reset(&r->reply.body);
		reply_set_type(r, CT_HTML);
		return;
	}
	int debug = batch_param(r, "debug2ublog");
	if (debug < 0) {
		reply_text(r, "ERROR:WRONG_PARAM");
		return;
	}
	struct fdc_run f = { 0 };
	bool ok = true;
	f.initial = conf_days(cfg_alter_rcms(r->cfg, "FREEZE_DAYS_INITIAL_AMOUNT", ""), &ok);
	f.restore = conf_days(cfg_alter_rcms(r->cfg, "FREEZE_DAYS_WORK_TO_RESTORE", ""), &ok);
	if (!ok) {
		reply_text(r, "ERROR:WRONG_CONFIG");
		return;
	}
	f.debug = debug == 1;
	f.verbose = param_present(&r->params, "verbosedebug");
	clock_format_datetime(r->now, f.now);
	batch_init(&f.b, r);
	if (register_new(&f) != 0 || load_rows(&f) != 0)
		f.b.db_failed = true;
	else if (f.n == 0) {
		reply_text(r, "OK:FREEZE_DAYS_CHARGE_NO_USERS");
		goto out;
	} else
		process(&f);
	batch_reply(&f.b, "OK:FREEZE_DAYS_CHARGE");
out:
	for (size_t i = 0; i < f.n; i++)
		free(f.rows[i].login);
	free(f.rows);
	batch_free(&f.b);
}
