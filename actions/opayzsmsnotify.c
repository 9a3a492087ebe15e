/* opayzsmsnotify: SMS after OpenPayz payments (spec actions-ops.md §5.17).
 * Two passes as in PHP: pull new openpayz payments into
 * op_sms_notifications, then send every unprocessed row and mark it. The
 * action lock keeps two overlapping runs from sending one row twice. */
#include "actions.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "money.h"
#include "reminder.h"
#include "senddog.h"
#include "util.h"
#include "weblog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opz {
	struct req *r;
	bool debug, ext, translit, respect;
	long tagid;
};

/* pullNotysPayments. 0, or -1 on a DB error. */
static int pull(struct opz *o)
{
	struct req *r = o->r;
	bool err = false;
	char *last = db_value(r->db, &err, "SELECT MAX(`date`) FROM `op_sms_notifications`", "");
	if (err)
		return -1;
	time_t t = r->now;
	if (last && *last && !clock_parse_datetime(last, &t))
		t = r->now;
	free(last);
	long interval = atol(cfg_alter(r->cfg, "OP_SMS_NOTIFY_PAYMENTS_PULL_INTERVAL", "5"));
	t -= (time_t)interval * 60;
	struct tm tm;
	localtime_r(&t, &tm);
	char from[32];
	/* PHP's 'Y:m:d H:i:s', which MySQL reads as a datetime all the same */
	strftime(from, sizeof from, "%Y:%m:%d %H:%M:%S", &tm);

	bool any_tags = false;
	if (o->respect) {
		char *n = db_value(r->db, &err, "SELECT COUNT(*) FROM `tags`", "");
		if (err)
			return -1;
		any_tags = n && atol(n) > 0;
		free(n);
	}
	struct db_rows p;
	if (db_query(r->db, &p,
		     "SELECT `p`.`id`, `p`.`date`, `p`.`login`, `p`.`balance`, `p`.`summ`,"
		     " EXISTS(SELECT 1 FROM `tags` WHERE `tags`.`login` = `p`.`login` AND `tags`.`tagid` = ?)"
		     " FROM `payments` `p` WHERE `p`.`date` >= ? AND `p`.`admin` = 'openpayz'"
		     " AND `p`.`id` NOT IN (SELECT `payment_id` FROM `op_sms_notifications`) ORDER BY `p`.`id`",
		     "is", (long long)o->tagid, from) != 0)
		return -1;
	long n = 0;
	int rc = 0;
	for (size_t i = 0; i < p.nrows && rc == 0; i++) {
		const char *id = db_cell(&p, i, 0), *login = db_cell(&p, i, 2);
		if (o->respect && any_tags && strcmp(db_cell(&p, i, 5), "1") != 0) {
			if (o->debug)
				weblog(r, "OPAYZ SMS NOTIFY: skipping payment with ID: %s for login: (%s) as it doesn't"
					  " have REMINDER_TAGID [%ld] assigned", id, login, o->tagid);
			continue;
		}
		money_t bal = { 0 }, sum = { 0 };
		money_parse_db(db_cell(&p, i, 3) ? db_cell(&p, i, 3) : "0", &bal);
		money_parse_db(db_cell(&p, i, 4) ? db_cell(&p, i, 4) : "0", &sum);
		struct sbuf b = SBUF_INIT, s = SBUF_INIT;
		money_t tot = { 0 };
		money_add(bal, sum, &tot);
		money_format(tot, &b);
		money_format(sum, &s);
		if (db_exec(r->db,
			    "INSERT INTO `op_sms_notifications` (`payment_id`, `date`, `login`, `balance`, `summ`)"
			    " VALUES (?, ?, ?, ?, ?)",
			    "sssss", id, db_cell(&p, i, 1), login, sbuf_str(&b), sbuf_str(&s)) < 0)
			rc = -1;
		else
			n++;
		sbuf_free(&b);
		sbuf_free(&s);
	}
	db_rows_free(&p);
	if (rc == 0 && (n > 0 || o->debug))
		weblog(r, "OPAYZ SMS NOTIFY: pulled %ld payment records, starting from: %s", n, from);
	return rc;
}

/* The user's numbers as PHP's all-phones cache holds them: false when the
 * login has no phones row (the notice then waits for the next run). */
static int numbers(struct opz *o, const char *login, struct strlist *nums, bool *found)
{
	struct db_rows m;
	if (db_query(o->r->db, &m, "SELECT `mobile` FROM `phones` WHERE `login` = ? ORDER BY `id`", "s", login) != 0)
		return -1;
	*found = m.nrows > 0;
	if (m.nrows) /* later rows overwrite earlier ones in PHP's array */
		strlist_push(nums, db_cell(&m, m.nrows - 1, 0) ? db_cell(&m, m.nrows - 1, 0) : "");
	db_rows_free(&m);
	if (*found && o->ext && php_truthy(cfg_alter(o->r->cfg, "MOBILES_EXT", "")))
		return rmd_ext_mobiles(o->r, login, nums);
	return 0;
}

static int send_one(struct opz *o, const struct db_rows *q, size_t i, long *sent)
{
	struct req *r = o->r;
	const char *id = db_cell(q, i, 0), *login = db_cell(q, i, 1);
	if (o->debug)
		weblog(r, "OPAYZ SMS NOTIFY: sending message for payment: %s", id);
	struct strlist nums = { 0 };
	bool found = false;
	int rc = numbers(o, login, &nums, &found);
	if (rc != 0 || !found) {
		if (rc == 0 && o->debug)
			weblog(r, "OPAYZ SMS NOTIFY: unable to send message for user (%s) - no assigned cell phone"
				  " numbers found", login);
		strlist_free(&nums);
		return rc;
	}
	char left[32], todate[16];
	if (rmd_online_macros(r, login, left, todate) != 0) {
		strlist_free(&nums);
		return -1;
	}
	struct sbuf text = SBUF_INIT, bal = SBUF_INIT, sum = SBUF_INIT, num = SBUF_INIT;
	rmd_round2(db_cell(q, i, 2), &bal);
	rmd_round2(db_cell(q, i, 3), &sum);
	sbuf_puts(&text, cfg_alter(r->cfg, "OP_SMS_NOTIFY_TEXT", ""));
	rmd_ireplace(&text, "{LOGIN}", login);
	rmd_ireplace(&text, "{USERONLINELEFTDAY}", left);
	rmd_ireplace(&text, "{USERONLINETODATE}", todate);
	rmd_ireplace(&text, "{ROUNDBALANCE}", sbuf_str(&bal));
	rmd_ireplace(&text, "{ROUNDPAYMENTAMOUNT}", sbuf_str(&sum));
	char *srv = sd_sms_direction(r, login);
	for (size_t k = 0; k < nums.n && rc == 0; k++) {
		rmd_clean_mobile(r, nums.v[k], &num);
		char name[SD_QNAME_MAX];
		rc = sd_queue_sms_ex(r, sbuf_str(&num), sbuf_str(&text), o->translit, "OPENPAYZ", srv, name);
		if (rc == 0 && o->debug)
			weblog(r, "OPAYZ SMS NOTIFY: sent message for user (%s) to %s", login, sbuf_str(&num));
	}
	if (rc == 0 && db_exec(r->db, "UPDATE `op_sms_notifications` SET `processed` = '1' WHERE `id` = ?", "s", id) < 0)
		rc = -1;
	if (rc == 0)
		(*sent)++;
	free(srv);
	sbuf_free(&text);
	sbuf_free(&bal);
	sbuf_free(&sum);
	sbuf_free(&num);
	strlist_free(&nums);
	return rc;
}

void cmd_opayzsmsnotify(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "OP_SMS_NOTIFY_ENABLED", ""))) {
		reply_text(r, "OPAZYSMSNOTIFY ERROR: OPENPAZY SMS NOTIFICATION IS DISABLED");
		return;
	}
	if (!php_truthy(cfg_alter(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "OPAZYSMSNOTIFY ERROR: SENDDOG IS DISABLED");
		return;
	}
	struct opz o = {
		.r = r,
		.debug = rmd_fi_bool(cfg_alter(r->cfg, "OP_SMS_NOTIFY_DEBUG_ON", "")),
		.ext = rmd_fi_bool(cfg_alter(r->cfg, "OP_SMS_NOTIFY_USE_EXTMOBILES", "")),
		.translit = rmd_fi_bool(cfg_alter(r->cfg, "OP_SMS_NOTIFY_FORCED_TRANSLIT", "")),
		.respect = rmd_fi_bool(cfg_alter(r->cfg, "OP_SMS_NOTIFY_RESPECT_REMINDER_TAGID", "")),
		.tagid = atol(cfg_alter(r->cfg, "REMINDER_TAGID", "0")),
	};
	if (pull(&o) != 0) {
		reply_db_error(r);
		return;
	}
	struct db_rows q;
	if (db_query(r->db, &q,
		     "SELECT `id`, `login`, `balance`, `summ` FROM `op_sms_notifications` WHERE `processed` = '0'"
		     " ORDER BY `id`",
		     "") != 0) {
		reply_db_error(r);
		return;
	}
	long sent = 0;
	int rc = 0;
	for (size_t i = 0; i < q.nrows && rc == 0; i++)
		rc = send_one(&o, &q, i, &sent);
	db_rows_free(&q);
	if (rc != 0) {
		reply_db_error(r);
		return;
	}
	if (sent > 0 || o.debug)
		weblog(r, "OPAYZ SMS NOTIFY: sent %ld messages", sent);
	reply_text(r, "OPAZYSMSNOTIFY: FINISHED PROCESSING");
}
