/* dealwithit: runs the scheduled per-user tasks that are due (DealWithIt).
 * Each task and its bookkeeping (history done, task deleted, weblog) is one
 * unit; a task whose param is unusable, or a setdiscount task while
 * discounts are off, stays pending instead of blocking the queue. */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "billing.h"
#include "clock.h"
#include "dealwithit.h"
#include "util.h"
#include "weblog.h"

static int mark_done(struct req *r, const struct dwi_task *t)
{
	char now[20];
	clock_format_datetime(r->now, now);
	if (db_exec(r->db,
		    "UPDATE `dealwithithist` SET `done`='1', `datetimedone`=? WHERE `originalid`=?", "ss",
		    now, t->id) < 0 ||
	    db_exec(r->db, "DELETE FROM `dealwithit` WHERE `id`=?", "s", t->id) < 0)
		return -1;
	return weblog(r, "SCHEDULER DONE ID [%s] (%s)", t->id, t->login);
}

static int drop_orphan(struct req *r, const struct dwi_task *t)
{
	if (weblog(r, "SCHEDULER FAIL ID [%s] USER (%s)  NON EXISTS", t->id, t->login) != 0 ||
	    db_exec(r->db, "DELETE FROM `dealwithit` WHERE `id`=?", "s", t->id) < 0)
		return -1;
	return weblog(r, "SCHEDULER DELETE ID [%s] (%s)  DATE `%s `ACTION `%s`", t->id, t->login, t->date,
		      t->action);
}

/* One task as one unit; NULL or the reply that stops the run. */
static const char *run_task(struct req *r, const struct dwi_task *t)
{
	int exists = valid_login(t->login) ? billing_user_exists(r, t->login) : 0;
	if (exists < 0 || sched_unit_begin(r) != 0)
		return "ERROR:DB";
	if (exists == 0) {
		bool ok = drop_orphan(r, t) == 0;
		return sched_unit_end(r, ok, false) == 0 && ok ? NULL : "ERROR:DB";
	}
	enum cash_result cash;
	enum dwi_result rc = dwi_perform(r, t, &cash);
	if (rc == DWI_BAD_PARAM || rc == DWI_DISABLED) {
		db_rollback(r->db);
		weblog(r, "SCHEDULER FAIL ID [%s] %s", t->id,
		       rc == DWI_BAD_PARAM ? "WRONG PARAM" : "DISCOUNTS DISABLED");
		return NULL;
	}
	/* A change Stargazer applied is final, so its task is done even when a
	 * later step failed (running it again would repeat the change). With
	 * the direct backend a failure rolls the whole task back. */
	bool direct = billing_is_direct(r->cfg);
	bool done = rc == DWI_DONE || (rc == DWI_PARTIAL && !direct);
	if (!done) {
		db_rollback(r->db);
	} else if (mark_done(r, t) != 0 || sched_unit_end(r, true, true) != 0) {
		db_rollback(r->db);
		return "ERROR:DB";
	}
	if (rc == DWI_DONE)
		return NULL;
	return cash != CASH_DONE ? sched_cash_error(cash) : "ERROR:BILLING_CORE";
}

void cmd_dealwithit(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "DEALWITHIT_ENABLED", ""))) {
		reply_text(r, "ERROR:DEALWITHIT DISABLED");
		return;
	}
	const char *username = param_present(&r->params, "username") ? req_param(r, "username") : NULL;
	if (username && !valid_login(username)) {
		reply_text(r, "ERROR:WRONG_LOGIN");
		return;
	}
	char today[11];
	clock_format_date(r->now, today);
	struct db_rows rows;
	int q = username ? db_query(r->db, &rows,
				    "SELECT `id`,`date`,`login`,`action`,`param`,`note` FROM `dealwithit`"
				    " WHERE `login`=? AND `date`<=? ORDER BY `id`",
				    "ss", username, today)
			 : db_query(r->db, &rows,
				    "SELECT `id`,`date`,`login`,`action`,`param`,`note` FROM `dealwithit`"
				    " WHERE `date`<=? ORDER BY `id`",
				    "s", today);
	if (q != 0) {
		reply_db_error(r);
		return;
	}
	struct batch b;
	batch_init(&b, r);
	struct sbuf amount = SBUF_INIT, note = SBUF_INIT;
	for (size_t i = 0; i < rows.nrows; i++) {
		struct dwi_task t = {
			db_cell(&rows, i, 0), db_cell(&rows, i, 1), db_cell(&rows, i, 2),
			db_cell(&rows, i, 3), db_cell(&rows, i, 4), db_cell(&rows, i, 5),
		};
		if (!t.login || !t.action)
			continue;
		if (!b.dry) {
			if (sched_failed(&b, run_task(r, &t)))
				break;
			continue;
		}
		const char *table;
		sbuf_reset(&amount);
		sbuf_reset(&note);
		if (dwi_money_preview(r, &t, &amount, &note, &table))
			batch_dry_line(&b, t.login, sbuf_str(&amount), sbuf_str(&note), table);
	}
	db_rows_free(&rows);
	batch_reply(&b, "OK:DEALWITHIT");
	batch_free(&b);
	sbuf_free(&amount);
	sbuf_free(&note);
}
