/* salarytelegram: today's salary jobs, with their prices, time and the
 * day's totals, to each employee with a Telegram chat (spec actions-ops.md
 * §5.13). The "\r\n" in the text are the literal two-character sequences
 * Ubilling writes, which the SendDog reader un-escapes into line breaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "money.h"
#include "notify.h"
#include "util.h"

#define EOL "\\r\\n "

enum { J_ID, J_DATE, J_TASK, J_EMPLOYEE, J_JOBTYPE, J_FACTOR, J_OVERPRICE };
enum { P_JOBTYPE, P_PRICE, P_UNIT, P_TIME };

/* The last row of a key wins, as PHP's keyed arrays do. */
static long last_row(const struct db_rows *rows, size_t col, const char *key)
{
	long found = -1;
	for (size_t i = 0; key && i < rows->nrows; i++)
		if (db_cell(rows, i, col) && strcmp(db_cell(rows, i, col), key) == 0)
			found = (long)i;
	return found;
}

static double num(const char *s)
{
	return s ? strtod(s, NULL) : 0;
}

struct totals {
	money_t money;
	double minutes;
};

static void job_block(struct req *r, struct notify_lang *l, const struct db_rows *jobs, size_t j,
		      const struct db_rows *types, const struct db_rows *prices, struct sbuf *msg,
		      struct totals *t)
{
	const char *factor = db_cell(jobs, j, J_FACTOR), *over = db_cell(jobs, j, J_OVERPRICE);
	long p = last_row(prices, P_JOBTYPE, db_cell(jobs, j, J_JOBTYPE));
	long jt = last_row(types, 0, db_cell(jobs, j, J_JOBTYPE));
	money_t price = { 0 };
	struct sbuf shown = SBUF_INIT;
	if (php_truthy(over)) {
		/* PHP prints the override as the database gave it */
		money_parse_db(over, &price);
		sbuf_puts(&shown, over);
	} else {
		if (p >= 0)
			money_from_double(num(db_cell(prices, (size_t)p, P_PRICE)) * num(factor), &price);
		money_format(price, &shown);
	}
	double minutes = p >= 0 ? num(db_cell(prices, (size_t)p, P_TIME)) * num(factor) : 0;
	money_add(t->money, price, &t->money);
	t->minutes += minutes;

	char *address = db_value(r->db, NULL, "SELECT `address` FROM `taskman` WHERE `id` = ?", "s",
				 db_cell(jobs, j, J_TASK) ? db_cell(jobs, j, J_TASK) : "");
	const char *unit = p >= 0 && db_cell(prices, (size_t)p, P_UNIT) ? db_cell(prices, (size_t)p, P_UNIT) : "";
	sbuf_printf(msg, "%s %s" EOL, notify_tr(l, "Job added on"), address ? address : "");
	sbuf_printf(msg, "%s: %s" EOL, notify_tr(l, "Job type"),
		    jt >= 0 && db_cell(types, (size_t)jt, 1) ? db_cell(types, (size_t)jt, 1) : "");
	sbuf_printf(msg, "%s: %s / %s" EOL, notify_tr(l, "Factor"), factor ? factor : "", *unit ? notify_tr(l, unit) : "");
	sbuf_printf(msg, "%s: ", notify_tr(l, "Spent time"));
	phpnum_format(minutes, msg);
	sbuf_printf(msg, " %s" EOL, notify_tr(l, "minutes"));
	sbuf_printf(msg, "%s: %s", notify_tr(l, "Job price"), sbuf_str(&shown));
	if (php_truthy(over))
		sbuf_printf(msg, " (%s)", notify_tr(l, "Price override"));
	sbuf_puts(msg, EOL "💵💵💵" EOL EOL);
	free(address);
	sbuf_free(&shown);
}

void cmd_salarytelegram(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "SALARY_ENABLED", ""))) {
		reply_text(r, "ERROR: SALARY DISABLED");
		return;
	}
	if (!php_truthy(cfg_alter(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "OK: SALARYTELEGRAM");
		return;
	}
	char today[11], from[20], to[20];
	clock_format_date(r->now, today);
	snprintf(from, sizeof from, "%.8s01 00:00:00", today);
	/* sic: Ubilling's day ends at 23:56:59 here */
	snprintf(to, sizeof to, "%s 23:56:59", today);
	struct notify_staff *staff = notify_staff_load(r);
	struct db_rows jobs = { 0 }, types = { 0 }, prices = { 0 };
	if (!staff ||
	    db_query(r->db, &jobs,
		     "SELECT `id`, `date`, `taskid`, `employeeid`, `jobtypeid`, `factor`, `overprice` FROM `salary_jobs`"
		     " WHERE `date` BETWEEN ? AND ? ORDER BY `id` ASC",
		     "ss", from, to) < 0 ||
	    db_query(r->db, &types, "SELECT `id`, `jobname` FROM `jobtypes` ORDER BY `id`", "") < 0 ||
	    db_query(r->db, &prices,
		     "SELECT `jobtypeid`, `price`, `unit`, `time` FROM `salary_jobprices` ORDER BY `id`", "") < 0) {
		db_rows_free(&jobs);
		db_rows_free(&types);
		notify_staff_free(staff);
		reply_db_error(r);
		return;
	}
	struct notify_lang *lang = notify_lang_load(r->cfg);
	struct notify_box box = NOTIFY_BOX_INIT;
	struct totals *tot = NULL;
	for (size_t j = 0; j < jobs.nrows; j++) {
		const char *date = db_cell(&jobs, j, J_DATE), *emp = db_cell(&jobs, j, J_EMPLOYEE);
		if (!date || !strstr(date, today) || !php_truthy(notify_staff_telegram(staff, emp)))
			continue;
		size_t slot = notify_box_slot(&box, emp);
		if (slot + 1 == box.n && !box.extra[slot]) {
			box.extra[slot] = xstrdup(notify_staff_telegram(staff, emp));
			tot = realloc(tot, box.n * sizeof *tot);
			if (!tot)
				abort();
			memset(&tot[slot], 0, sizeof tot[slot]);
		}
		job_block(r, lang, &jobs, j, &types, &prices, &box.texts[slot], &tot[slot]);
	}
	for (size_t i = 0; i < box.n; i++) {
		sbuf_printf(&box.texts[i], "⏱️ %s: ", notify_tr(lang, "Labor time"));
		notify_format_time(lang, tot[i].minutes * 60, &box.texts[i]);
		sbuf_printf(&box.texts[i], EOL "💰 %s: ", notify_tr(lang, "Total money"));
		money_format(tot[i].money, &box.texts[i]);
		sbuf_puts(&box.texts[i], EOL);
	}
	notify_box_send(r, &box, "SALARY");
	free(tot);
	notify_box_free(&box);
	notify_lang_free(lang);
	db_rows_free(&jobs);
	db_rows_free(&types);
	db_rows_free(&prices);
	notify_staff_free(staff);
	reply_text(r, "OK: SALARYTELEGRAM");
}
