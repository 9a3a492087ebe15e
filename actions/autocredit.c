/* autocredit: on the last day of the month, give every user with a "credit
 * day" custom field (alter.ini AUTOCREDIT_CFID) a credit of their tariff fee
 * plus their virtual services, expiring on that day of next month. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "batch.h"
#include "billing.h"
#include "clock.h"
#include "money.h"
#include "util.h"

struct ac_item {
	const struct batch_user *user;
	long day;
};

struct ac_run {
	struct batch b;
	struct batch_users users;
	struct batch_tariffs tariffs;
	struct batch_tags tags;
	struct ac_item *items; /* first-seen order of the login, as PHP's array */
	size_t n;
	long cfid;
	size_t count;
};

static long digits_of(const char *s, char *buf, size_t size)
{
	size_t k = 0;
	for (; s && *s && k + 1 < size; s++)
		if (*s >= '0' && *s <= '9')
			buf[k++] = *s;
	buf[k] = '\0';
	return k && k <= 9 ? atol(buf) : -1;
}

static bool last_day_of_month(time_t now)
{
	struct tm tm;
	localtime_r(&now, &tm);
	tm.tm_mday += 1;
	tm.tm_isdst = -1;
	time_t next = mktime(&tm);
	struct tm tn;
	localtime_r(&next, &tn);
	return tn.tm_mday == 1;
}

/* services = sum of price(tag) x times the user holds it; the price of a
 * tag is its last vservice row by id, archived ones included */
static int services_of(const struct ac_run *a, const struct batch_vservices *vs, const char *login,
		       money_t *out)
{
	out->units = 0;
	for (size_t i = 0; i < vs->n; i++) {
		const struct batch_vservice *v = &vs->v[i];
		bool last = true;
		for (size_t k = 0; k < vs->n && last; k++)
			last = !(vs->v[k].tagid == v->tagid && vs->v[k].id > v->id);
		if (!last)
			continue;
		size_t times = batch_tags_count(&a->tags, login, v->tagid);
		for (size_t t = 0; t < times; t++)
			if (!money_add(*out, v->price, out))
				return -1;
	}
	return 0;
}

static int load_days(struct ac_run *a)
{
	struct req *r = a->b.r;
	bool err = false;
	char *any = db_value(r->db, &err, "SELECT 1 FROM `cftypes` LIMIT 1", "");
	bool have_types = any != NULL;
	free(any);
	if (err)
		return -1;
	if (!have_types)
		return 0;
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `login`,`content` FROM `cfitems` WHERE `typeid`=? ORDER BY `id`",
		     "i", (long long)a->cfid) != 0)
		return -1;
	a->items = xcalloc(rows.nrows + 1, sizeof *a->items);
	/* slot of each user in items (0: none yet), so a repeated field
	 * updates the day in place, as a PHP array key does */
	size_t *slot = xcalloc(a->users.n + 1, sizeof *slot);
	for (size_t i = 0; i < rows.nrows; i++) {
		const struct batch_user *u = batch_user_find(&a->users, db_cell(&rows, i, 0) ? db_cell(&rows, i, 0) : "");
		if (!u)
			continue;
		char digits[64];
		long day = digits_of(db_cell(&rows, i, 1), digits, sizeof digits);
		if (day < 1 || day > 31) {
			if (batch_weblog(&a->b, "AUTOCREDIT (%s) FAIL WRONG CFDAY `%s`", u->login, digits) != 0)
				break;
			continue;
		}
		size_t ui = (size_t)(u - a->users.v);
		if (!slot[ui]) {
			a->items[a->n++].user = u;
			slot[ui] = a->n;
		}
		a->items[slot[ui] - 1].day = day;
	}
	free(slot);
	db_rows_free(&rows);
	return a->b.db_failed ? -1 : 0;
}

static void credit_one(struct ac_run *a, const struct ac_item *it, const char *credit, const char *date)
{
	time_t expire;
	if (!clock_parse_date(date, &expire)) {
		batch_weblog(&a->b, "AUTOCREDIT (%s) FAIL WRONG CFDAY `%s`", it->user->login, date);
		return;
	}
	if (a->b.dry) {
		batch_dry_line(&a->b, it->user->login, credit, date, "credit");
		a->count++;
		return;
	}
	char epoch[24];
	snprintf(epoch, sizeof epoch, "%lld", (long long)expire);
	struct sbuf event = SBUF_INIT;
	sbuf_printf(&event, "AUTOCREDIT (%s) ON `%s` TO `%s`", it->user->login, credit, date);
	struct batch_change c = { .login = it->user->login, .field = { BF_CREDIT, BF_CREDIT_EXPIRE },
				  .value = { credit, epoch }, .nfields = 2, .event = sbuf_str(&event) };
	batch_change(&a->b, &c);
	sbuf_free(&event);
}

static void process(struct ac_run *a, const struct batch_vservices *vs)
{
	struct tm tm;
	localtime_r(&a->b.r->now, &tm);
	int year = tm.tm_year + 1900, month = tm.tm_mon + 2;
	if (month == 13) {
		month = 1;
		year++;
	}
	money_t zero = { 0 };
	for (size_t i = 0; i < a->n && !a->b.db_failed; i++) {
		const struct ac_item *it = &a->items[i];
		const struct batch_tariff *t = batch_tariff_find(&a->tariffs, it->user->tariff);
		if (!t || money_cmp(t->fee, zero) <= 0)
			continue; /* free or unknown tariff: skipped silently */
		money_t services, total;
		if (services_of(a, vs, it->user->login, &services) != 0 ||
		    !money_add(t->fee, services, &total))
			continue;
		struct sbuf credit = SBUF_INIT;
		money_format(total, &credit);
		char date[64];
		snprintf(date, sizeof date, "%04d-%02d-%02ld", year, month, it->day);
		credit_one(a, it, sbuf_str(&credit), date);
		sbuf_free(&credit);
	}
}

void cmd_autocredit(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "AUTOCREDIT_CFID", NULL))) {
		reply_text(r, "ERROR:AUTOCREDIT DISABLED");
		return;
	}
	if (!last_day_of_month(r->now)) {
		reply_text(r, "SKIP:AUTOCREDIT");
		return;
	}
	struct ac_run a = { 0 };
	char digits[64];
	a.cfid = digits_of(cfg_alter(r->cfg, "AUTOCREDIT_CFID", ""), digits, sizeof digits);
	batch_init(&a.b, r);
	struct batch_vservices vs = { 0 };
	if (batch_users_load(r, &a.users, NULL) != 0 || batch_tariffs_load(r, &a.tariffs) != 0 ||
	    batch_vservices_load(r, &vs, NULL, 0) != 0 || batch_tags_load(r, &a.tags) != 0 ||
	    (a.cfid > 0 && load_days(&a) != 0))
		a.b.db_failed = true;
	else
		process(&a, &vs);
	/* the count is of the credits applied: the queued ones first */
	batch_flush(&a.b);
	if (!a.b.dry)
		a.count = a.b.done;
	struct sbuf ok = SBUF_INIT;
	sbuf_printf(&ok, "OK:AUTOCREDIT %zu", a.count);
	batch_reply(&a.b, sbuf_str(&ok));
	sbuf_free(&ok);
	batch_vservices_free(&vs);
	batch_users_free(&a.users);
	batch_tariffs_free(&a.tariffs);
	batch_tags_free(&a.tags);
	free(a.items);
	batch_free(&a.b);
}
