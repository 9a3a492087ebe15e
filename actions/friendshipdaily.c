/* friendshipdaily: pays each referrer (friendship.parent) a percentage of
 * what their friend paid yesterday (FriendshipIsMagic). Unlike PHP, only
 * positive payments earn a bonus, and a payment that already has its
 * FRIENDSHIP:<id> bonus is skipped, so a second run the same day pays
 * nothing twice. "Yesterday" is the request's date, not MySQL's CURDATE(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "actions.h"
#include "billing.h"
#include "clock.h"
#include "dealwithit.h"
#include "money.h"
#include "util.h"

struct friendship {
	struct db_rows friends, paid;
	struct sched_map parents; /* friend -> parent, the last row winning */
	struct sched_map bonuses; /* notes of bonuses already paid */
	money_t percent;
	long cashtype;
};

static const char *parent_of(const struct friendship *f, const char *login)
{
	const char *parent = NULL;
	sched_map_get(&f->parents, login, &parent);
	return parent;
}

static bool already_paid(const struct friendship *f, const char *note)
{
	return sched_map_get(&f->bonuses, note, NULL);
}

static bool read_config(struct req *r, struct friendship *f)
{
	const char *pct = cfg_alter(r->cfg, "FRIENDSHIP_PERCENT", "");
	const char *ct = cfg_alter(r->cfg, "FRIENDSHIP_CASHTYPEID", "1");
	if (!money_parse(pct, &f->percent) || pct[0] == '-' || !valid_uint(ct) || atol(ct) < 1) {
		syslog(LOG_ERR, "ubapi friendshipdaily: FRIENDSHIP_PERCENT or FRIENDSHIP_CASHTYPEID invalid");
		return false;
	}
	f->cashtype = atol(ct);
	return true;
}

/* One bonus; NULL, or the reply that stops the run. */
static const char *bonus(struct req *r, const struct friendship *f, const char *id,
			 const char *login, const char *summ, struct batch *dry)
{
	money_t paid, amount;
	const char *parent = parent_of(f, login);
	/* refunds, fees and garbage text earn no (negative) bonus */
	if (!parent || !money_parse_db(summ, &paid) || paid.units <= 0)
		return NULL;
	char note[48];
	snprintf(note, sizeof note, "FRIENDSHIP:%s", id);
	if (already_paid(f, note) || !money_percent(paid, f->percent, &amount) || amount.units <= 0)
		return NULL;
	int exists = valid_login(parent) ? billing_user_exists(r, parent) : 0;
	if (exists < 0)
		return "ERROR:DB";
	if (exists == 0) {
		syslog(LOG_WARNING, "ubapi friendshipdaily: parent %s of %s does not exist", parent, login);
		return NULL;
	}
	struct sbuf text = SBUF_INIT;
	money_format(amount, &text);
	const char *stop = NULL;
	if (dry) {
		batch_dry_line(dry, parent, sbuf_str(&text), note, "payments");
	} else {
		struct cash_request c = {
			.login = parent, .amount = sbuf_str(&text), .op = CASH_ADD,
			.cashtype = f->cashtype, .note = note,
		};
		enum cash_result rc = cash_add(r, &c);
		if (rc != CASH_DONE)
			stop = sched_cash_error(rc);
	}
	sbuf_free(&text);
	return stop;
}

void cmd_friendshipdaily(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "FRIENDSHIP_ENABLED", ""))) {
		reply_text(r, "ERROR:FRIENDSHIP DISABLED");
		return;
	}
	struct friendship f = { 0 };
	if (!read_config(r, &f)) {
		reply_text(r, "ERROR:WRONG_CONFIG");
		return;
	}
	char from[24], to[24];
	clock_format_date(sched_add_days(r->now, -1), from);
	clock_format_date(sched_add_days(r->now, 0), to);
	strcat(from, " 00:00:00");
	strcat(to, " 00:00:00");
	struct db_rows pays = { 0 };
	if (db_query(r->db, &f.friends, "SELECT `friend`,`parent` FROM `friendship` ORDER BY `id`", "") != 0 ||
	    db_query(r->db, &f.paid,
		     "SELECT `note` FROM `payments` WHERE `note` LIKE 'FRIENDSHIP:%' AND `date`>=?", "s",
		     from) != 0 ||
	    db_query(r->db, &pays,
		     "SELECT `id`,`login`,`summ` FROM `payments` WHERE `date`>=? AND `date`<? ORDER BY `id`",
		     "ss", from, to) != 0) {
		reply_db_error(r);
		goto out;
	}
	sched_map_build(&f.parents, &f.friends, 0, 1);
	sched_map_build(&f.bonuses, &f.paid, 0, 0);
	struct batch b;
	batch_init(&b, r);
	for (size_t i = 0; i < pays.nrows; i++)
		if (db_cell(&pays, i, 1) && db_cell(&pays, i, 2) &&
		    sched_failed(&b, bonus(r, &f, db_cell(&pays, i, 0), db_cell(&pays, i, 1),
					   db_cell(&pays, i, 2), b.dry ? &b : NULL)))
			break;
	batch_reply(&b, "OK:FRIENDSHIP");
	batch_free(&b);
out:
	sched_map_free(&f.parents);
	sched_map_free(&f.bonuses);
	db_rows_free(&f.friends);
	db_rows_free(&f.paid);
	db_rows_free(&pays);
}
