/* Payment reminders (Ubilling's Reminder class) and the helpers the
 * OpenPayz SMS notices share with it. */
#include "reminder.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "money.h"
#include "senddog.h"
#include "userdata.h"
#include "util.h"
#include "weblog.h"

/* Days in the month of (base + plus days), and that day's day of month. */
static int month_days_at(time_t base, long plus, int *mday)
{
	struct tm tm;
	localtime_r(&base, &tm);
	tm.tm_mday += (int)plus;
	tm.tm_isdst = -1;
	mktime(&tm);
	*mday = tm.tm_mday;
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = tm.tm_year + 1900;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dm[tm.tm_mon] + (tm.tm_mon == 1 && leap);
}

int rmd_days_left(struct req *r, const char *login, long *days)
{
	struct db_rows u;
	*days = 0;
	if (db_query(r->db, &u,
		     "SELECT `users`.`Cash`, `tariffs`.`Fee`, `tariffs`.`period` FROM `users` JOIN `tariffs`"
		     " ON `users`.`Tariff` = `tariffs`.`name` WHERE `users`.`login` = ?",
		     "s", login) != 0)
		return -1;
	if (u.nrows == 0) {
		db_rows_free(&u);
		return 0;
	}
	/* PHP computes in floats; so do we, so the edge days match */
	double cash = atof(db_cell(&u, 0, 0) ? db_cell(&u, 0, 0) : "0");
	double fee = atof(db_cell(&u, 0, 1) ? db_cell(&u, 0, 1) : "0");
	bool monthly = !db_cell(&u, 0, 2) || strcmp(db_cell(&u, 0, 2), "month") == 0;
	db_rows_free(&u);
	if (cash < 0) {
		*days = -1;
		return 0;
	}
	if (fee <= 0) {
		*days = -2;
		return 0;
	}
	bool spread = php_truthy(cfg_alter(r->cfg, "SPREAD_FEE", ""));
	long d = 0;
	for (long guard = 0; cash >= 0 && guard < 100000; guard++) {
		int mday, dim = month_days_at(r->now, d, &mday);
		if (monthly && spread) {
			d++;
			cash -= fee / month_days_at(r->now, d, &mday);
		} else if (monthly) {
			d += dim - mday + 1;
			cash -= fee;
		} else {
			d++;
			cash -= fee;
		}
	}
	*days = d;
	return 0;
}

void rmd_ireplace(struct sbuf *text, const char *macro, const char *value)
{
	size_t ml = strlen(macro);
	const char *s = sbuf_str(text);
	struct sbuf out = SBUF_INIT;
	sbuf_puts(&out, "");
	while (*s) {
		if (strncasecmp(s, macro, ml) == 0) {
			sbuf_puts(&out, value ? value : "");
			s += ml;
		} else {
			sbuf_putc(&out, *s++);
		}
	}
	sbuf_reset(text);
	sbuf_puts(text, sbuf_str(&out));
	sbuf_free(&out);
}

void rmd_round2(const char *dbval, struct sbuf *out)
{
	money_t m;
	if (dbval && money_parse_db(dbval, &m))
		money_format(money_round(m, 2), out);
	else
		sbuf_puts(out, "0");
}

int rmd_online_macros(struct req *r, const char *login, char leftday[32], char todate[16])
{
	long d;
	if (rmd_days_left(r, login, &d) != 0)
		return -1;
	snprintf(leftday, 32, "%ld", d >= 0 ? d : 0L);
	time_t t = r->now + (d >= 0 ? (time_t)d * 86400 : 0);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(todate, 16, "%d.%m.%Y", &tm);
	return 0;
}

void rmd_clean_mobile(struct req *r, const char *raw, struct sbuf *out)
{
	sbuf_reset(out);
	char *t = xstrdup(raw ? raw : "");
	str_trim(t);
	if (!php_truthy(raw ? raw : "") || t[0] == '+') {
		sbuf_puts(out, raw ? raw : "");
		free(t);
		return;
	}
	struct sbuf digits = SBUF_INIT;
	sbuf_puts(&digits, "");
	for (const char *s = t; *s; s++)
		if (isdigit((unsigned char)*s))
			sbuf_putc(&digits, *s);
	char *cut = sd_cut_international(sbuf_str(&digits));
	sbuf_printf(out, "%s%s", cfg_alter(r->cfg, "REMINDER_PREFIX", ""), cut);
	free(cut);
	sbuf_free(&digits);
	free(t);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void fmt_num(double x, char *buf, size_t size)
{
	struct sbuf b = SBUF_INIT;
	phpnum_format(x, &b);
	snprintf(buf, size, "%s", sbuf_str(&b));
	sbuf_free(&b);
}

int rmd_template(struct req *r, const char *login, const char *tpl, struct sbuf *out)
{
	sbuf_puts(out, "");
	cJSON *u = NULL;
	int rc = userdata_get(r, login, &u);
	if (rc <= 0)
		return rc;
	struct db_rows x;
	if (db_query(r->db, &x,
		     "SELECT (SELECT `Fee` FROM `tariffs` WHERE `name` = `users`.`Tariff` LIMIT 1),"
		     " (SELECT `Fee` FROM `tariffs` WHERE `name` = `users`.`TariffChange` LIMIT 1),"
		     " `D0`, `U0`, `IP` FROM `users` WHERE `login` = ?",
		     "s", login) != 0) {
		cJSON_Delete(u);
		return -1;
	}
	const char *price = x.nrows ? db_cell(&x, 0, 0) : NULL;
	const char *nprice = x.nrows ? db_cell(&x, 0, 1) : NULL;
	double d0 = x.nrows && db_cell(&x, 0, 2) ? atof(db_cell(&x, 0, 2)) : 0;
	double u0 = x.nrows && db_cell(&x, 0, 3) ? atof(db_cell(&x, 0, 3)) : 0;
	const char *cash = jstr(u, "Cash");
	const char *change = jstr(u, "TariffChange");
	/* {LACK}: the (next) tariff's price minus the balance, PHP arithmetic */
	double lackv = atof(php_truthy(change) ? (nprice ? nprice : "0") : (price ? price : "0")) - atof(cash);
	char lack[64], traffic[64], roundcash[64], curdate[16], payid[32] = "";
	fmt_num(lackv, lack, sizeof lack);
	fmt_num(d0 + u0, traffic, sizeof traffic);
	money_t m;
	struct sbuf rc2 = SBUF_INIT;
	if (money_parse_db(cash, &m))
		money_format(money_round(m, 2), &rc2);
	snprintf(roundcash, sizeof roundcash, "%s", sbuf_str(&rc2));
	sbuf_free(&rc2);
	clock_format_date(r->now, curdate);
	char *opid = NULL;
	if (php_truthy(cfg_alter(r->cfg, "OPENPAYZ_REALID", ""))) {
		opid = db_value(r->db, NULL, "SELECT `virtualid` FROM `op_customers` WHERE `realid` = ? ORDER BY `id` DESC LIMIT 1",
				"s", login);
	} else {
		unsigned a, b, c, d;
		if (sscanf(jstr(u, "ip"), "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
			snprintf(payid, sizeof payid, "%lu", ((unsigned long)a << 24) | (b << 16) | (c << 8) | d);
	}
	const char *lackvs = lackv == 0 ? "0" : lack;
	const char *pairs[][2] = {
		{ "{LOGIN}", login },
		{ "{PASSWORD}", jstr(u, "Password") },
		{ "{TARIFF}", jstr(u, "Tariff") },
		{ "{TARIFFPRICE}", price ? price : "" },
		{ "{CASH}", cash },
		{ "{ROUNDCASH}", roundcash },
		{ "{CURDATE}", curdate },
		{ "{CREDIT}", jstr(u, "Credit") },
		{ "{LACK}", lack },
		{ "{VSERVICESTOTALCOST}", "0" },
		{ "{LACKPLUSVSRVTOTALCOST}", lackvs },
		{ "{TARIFFPLUSVSRVTOTALCOST}", php_truthy(change) ? (nprice ? nprice : "") : (price ? price : "") },
		{ "{DOWN}", jstr(u, "Down") },
		{ "{PASSIVE}", jstr(u, "Passive") },
		{ "{AO}", jstr(u, "AlwaysOnline") },
		{ "{CONTRACT}", jstr(u, "contract") },
		{ "{REALNAME}", jstr(u, "realname") },
		{ "{ADDRESS}", jstr(u, "fulladress") },
		{ "{EMAIL}", jstr(u, "email") },
		{ "{MOBILE}", jstr(u, "mobile") },
		{ "{PHONE}", jstr(u, "phone") },
		{ "{PAYID}", opid ? opid : payid },
		{ "{TRAFFIC}", traffic },
		{ "{TRAFFICDOWN}", x.nrows && db_cell(&x, 0, 2) ? db_cell(&x, 0, 2) : "" },
		{ "{TRAFFICUP}", x.nrows && db_cell(&x, 0, 3) ? db_cell(&x, 0, 3) : "" },
		{ "{IP}", jstr(u, "ip") },
		{ "{MAC}", jstr(u, "mac") },
	};
	sbuf_puts(out, tpl);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		rmd_ireplace(out, pairs[i][0], pairs[i][1]);
	free(opid);
	db_rows_free(&x);
	cJSON_Delete(u);
	return 0;
}

int rmd_ext_mobiles(struct req *r, const char *login, struct strlist *out)
{
	struct db_rows m;
	if (db_query(r->db, &m, "SELECT `mobile` FROM `mobileext` WHERE `login` = ? ORDER BY `id`", "s", login) != 0)
		return -1;
	for (size_t i = 0; i < m.nrows; i++)
		strlist_push(out, db_cell(&m, i, 0) ? db_cell(&m, i, 0) : "");
	db_rows_free(&m);
	return 0;
}

/* ---- the Reminder class ---- */

struct rmd {
	struct req *r;
	long mode, tagid, caplimit;
	long th, th_credit, th_cap, th_frozen;
	const char *prefix, *tpl, *tpl_credit, *tpl_cap, *tpl_frozen;
	bool translit, ext, credit, cap, frozen;
};

/* FILTER_VALIDATE_BOOLEAN: "1", "true", "on", "yes" (any case). */
bool rmd_fi_bool(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0 ||
		     strcasecmp(v, "yes") == 0);
}

static long int_opt(const struct rmd *c, const char *key)
{
	return atol(cfg_alter(c->r->cfg, key, "0"));
}

static const char *str_opt(const struct rmd *c, const char *key)
{
	return cfg_alter(c->r->cfg, key, "");
}

static void load_options(struct rmd *c)
{
	c->mode = int_opt(c, "REMINDER_ENABLED");
	c->tagid = int_opt(c, "REMINDER_TAGID");
	c->th = int_opt(c, "REMINDER_DAYS_THRESHOLD");
	c->ext = rmd_fi_bool(str_opt(c, "REMINDER_USE_EXTMOBILES"));
	c->credit = rmd_fi_bool(str_opt(c, "REMINDER_CONSIDER_CREDIT"));
	c->th_credit = int_opt(c, "REMINDER_DAYS_THRESHOLD_CREDIT");
	c->caplimit = int_opt(c, "CAP_DAYLIMIT");
	c->cap = rmd_fi_bool(str_opt(c, "REMINDER_CONSIDER_CAP"));
	c->th_cap = int_opt(c, "REMINDER_DAYS_THRESHOLD_CAP");
	c->frozen = rmd_fi_bool(str_opt(c, "REMINDER_CONSIDER_FROZEN"));
	c->th_frozen = int_opt(c, "REMINDER_DAYS_THRESHOLD_FROZEN");
	c->prefix = str_opt(c, "REMINDER_PREFIX");
	c->tpl = str_opt(c, "REMINDER_TEMPLATE");
	c->tpl_credit = str_opt(c, "REMINDER_TEMPLATE_CREDIT");
	c->tpl_cap = str_opt(c, "REMINDER_TEMPLATE_CAP");
	c->tpl_frozen = str_opt(c, "REMINDER_TEMPLATE_FROZEN");
	c->translit = rmd_fi_bool(cfg_alter(c->r->cfg, "REMINDER_FORCE_TRANSLIT", "1"));
	if (!rmd_fi_bool(str_opt(c, "CAP_ENABLED")) || c->caplimit == 0) {
		c->cap = false;
		weblog(c->r, "REMINDER WARNING: CAP CONSIDERING DISABLED BECAUSE CAP SERVICE IS OFF");
	}
	if (!rmd_fi_bool(str_opt(c, "FREEZE_DAYS_CHARGE_ENABLED"))) {
		c->frozen = false;
		weblog(c->r, "REMINDER WARNING: FROZEN CONSIDERING DISABLED BECAUSE FREEZE DAYS CHARGE SERVICE IS OFF");
	}
	if (!php_truthy(c->tpl))
		weblog(c->r, "REMINDER WARNING: TEMPLATE IS EMPTY");
	if (!php_truthy(c->tpl_credit) && c->credit)
		weblog(c->r, "REMINDER WARNING: CREDIT TEMPLATE IS EMPTY");
	if (!php_truthy(c->tpl_cap) && c->cap)
		weblog(c->r, "REMINDER WARNING: CAP TEMPLATE IS EMPTY");
	if (!php_truthy(c->tpl_frozen) && c->frozen)
		weblog(c->r, "REMINDER WARNING: FROZEN TEMPLATE IS EMPTY");
}

/* Columns of the candidate rows. */
enum { C_LOGIN, C_CASH, C_CREDIT, C_CREXP, C_CAPDAYS, C_PASSIVE, C_FAMOUNT, C_FUSED, C_MOBILE };

static int load_candidates(struct rmd *c, struct db_rows *rows)
{
	char sql[1400];
	char caplimit[32];
	snprintf(caplimit, sizeof caplimit, "%ld", c->caplimit);
	/* every optional column is always selected (NULL when its mode is off)
	 * so the row layout is fixed; the joins and the WHERE follow PHP */
	snprintf(sql, sizeof sql,
		 "SELECT `users`.`login`, `users`.`Cash`, %s, %s, %s, %s, %s, %s, `phones`.`mobile`"
		 " FROM `tags` INNER JOIN `users` ON `tags`.`login` = `users`.`login`"
		 " INNER JOIN `phones` ON `tags`.`login` = `phones`.`login`"
		 "%s%s"
		 " WHERE `tags`.`tagid` = ?%s ORDER BY `tags`.`id`, `phones`.`id`",
		 c->credit ? "`users`.`Credit`" : "NULL", c->credit ? "`users`.`CreditExpire`" : "NULL",
		 c->cap ? "`capdata`.`days`" : "NULL", c->frozen ? "`users`.`Passive`" : "NULL",
		 c->frozen ? "`frozen_charge_days`.`freeze_days_amount`" : "NULL",
		 c->frozen ? "`frozen_charge_days`.`freeze_days_used`" : "NULL",
		 c->cap ? " LEFT JOIN `capdata` ON `tags`.`login` = `capdata`.`login` AND `capdata`.`days` < ?" : "",
		 c->frozen ? " LEFT JOIN `frozen_charge_days` ON `tags`.`login` = `frozen_charge_days`.`login`"
			     " AND `frozen_charge_days`.`freeze_days_used` < `frozen_charge_days`.`freeze_days_amount`"
			   : "",
		 c->frozen ? "" : " AND `users`.`Passive` != '1'");
	char tag[32];
	snprintf(tag, sizeof tag, "%ld", c->tagid);
	if (c->cap)
		return db_query(c->r->db, rows, sql, "ss", caplimit, tag);
	return db_query(c->r->db, rows, sql, "s", tag);
}

static char *flag_path(struct rmd *c, const char *kind, const char *login)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "exports/REMINDER.%s%s", kind, login);
	char *p = cfg_path(c->r->cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	return p;
}

static bool flag_exists(struct rmd *c, const char *kind, const char *login)
{
	char *p = flag_path(c, kind, login);
	bool ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

static void flag_touch(struct rmd *c, const char *kind, const char *login)
{
	char *p = flag_path(c, kind, login);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	free(p);
}

/* Trim, drop every copy of the prefix, digits only, prefix again. */
static void clean_number(const char *raw, const char *prefix, struct sbuf *out)
{
	struct sbuf digits = SBUF_INIT;
	size_t pl = strlen(prefix);
	sbuf_puts(&digits, "");
	for (const char *s = raw; *s;) {
		if (pl && strncmp(s, prefix, pl) == 0) {
			s += pl;
			continue;
		}
		if (isdigit((unsigned char)*s))
			sbuf_putc(&digits, *s);
		s++;
	}
	sbuf_reset(out);
	if (digits.len)
		sbuf_printf(out, "%s%s", prefix, sbuf_str(&digits));
	sbuf_free(&digits);
}

/* createRemindMsg: kind NULL = forced (log, no flag). -1 on a DB error. */
static int remind(struct rmd *c, const char *login, const struct strlist *numbers, const char *kind,
		  const char *tpl)
{
	if (!php_truthy(tpl))
		return 0;
	struct sbuf msg = SBUF_INIT, num = SBUF_INIT;
	int rc = rmd_template(c->r, login, tpl, &msg);
	if (rc == 0 && php_truthy(sbuf_str(&msg))) {
		char *srv = sd_sms_direction(c->r, login);
		for (size_t i = 0; i < numbers->n; i++) {
			clean_number(numbers->v[i], c->prefix, &num);
			if (num.len == 0) {
				weblog(c->r, "REMINDER EMPTY NUMBER (%s)", login);
				continue;
			}
			char name[SD_QNAME_MAX];
			sd_queue_sms_ex(c->r, sbuf_str(&num), sbuf_str(&msg), c->translit, "REMINDER", srv, name);
			if (!kind)
				weblog(c->r, "REMINDER FORCE SEND SMS (%s) NUMBER `%s`", login, sbuf_str(&num));
			else
				flag_touch(c, kind, login);
		}
		free(srv);
	}
	sbuf_free(&msg);
	sbuf_free(&num);
	return rc;
}

static void expire_flags(struct rmd *c, const char *login, long live_days)
{
	static const char *const kinds[] = { "", "CREDIT.", "CAP.", "FROZEN." };
	time_t cache = c->r->now - (time_t)live_days * 86400;
	for (size_t i = 0; i < 4; i++) {
		char *p = flag_path(c, kinds[i], login);
		struct stat st;
		if (lstat(p, &st) == 0 && cache > st.st_mtime)
			unlink(p);
		free(p);
	}
}

static const char *cell(const struct db_rows *rows, size_t i, int col)
{
	const char *v = db_cell(rows, i, (size_t)col);
	return v ? v : "";
}

static int numbers_of(struct rmd *c, const struct db_rows *rows, size_t i, struct strlist *nums)
{
	strlist_push(nums, cell(rows, i, C_MOBILE));
	if (!c->ext)
		return 0;
	struct strlist ext = { 0 };
	if (rmd_ext_mobiles(c->r, cell(rows, i, C_LOGIN), &ext) != 0)
		return -1;
	/* PHP's array union drops the first extra mobile; we keep all, once */
	for (size_t k = 0; k < ext.n; k++) {
		bool dup = false;
		for (size_t j = 0; j < nums->n && !dup; j++)
			dup = strcmp(nums->v[j], ext.v[k]) == 0;
		if (!dup)
			strlist_push(nums, ext.v[k]);
	}
	strlist_free(&ext);
	return 0;
}

static int regular_one(struct rmd *c, const struct db_rows *rows, size_t i, const struct strlist *nums)
{
	const char *login = cell(rows, i, C_LOGIN);
	bool frozen = php_truthy(cell(rows, i, C_PASSIVE));
	long d;
	if (rmd_days_left(c->r, login, &d) != 0)
		return -1;
	long live = c->th;
	int rc = 0;
	if (d <= live && d >= 0 && c->mode != 2 && !frozen && !flag_exists(c, "", login))
		rc |= remind(c, login, nums, "", c->tpl);
	if (c->credit && d == -1 && !frozen) {
		if (c->th_credit)
			live = c->th_credit;
		if (!flag_exists(c, "CREDIT.", login)) {
			const char *sum = cell(rows, i, C_CREDIT), *exp = cell(rows, i, C_CREXP);
			if (php_truthy(sum) && !php_truthy(exp)) {
				weblog(c->r, "REMINDER IGNORING ETERNAL CREDIT FOR (%s)", login);
			} else {
				long long e = atoll(exp);
				long long start = e - (long long)live * 86400;
				if (start <= (long long)c->r->now && e > (long long)c->r->now)
					rc |= remind(c, login, nums, "CREDIT.", c->tpl_credit);
			}
		}
	}
	if (c->cap && d == -1 && php_truthy(cell(rows, i, C_CAPDAYS)) && !frozen) {
		if (c->th_cap)
			live = c->th_cap;
		if (!flag_exists(c, "CAP.", login) && c->caplimit - atol(cell(rows, i, C_CAPDAYS)) <= live)
			rc |= remind(c, login, nums, "CAP.", c->tpl_cap);
	}
	if (c->frozen && frozen && php_truthy(cell(rows, i, C_FAMOUNT)) && php_truthy(cell(rows, i, C_FUSED))) {
		if (c->th_frozen)
			live = c->th_frozen;
		if (!flag_exists(c, "FROZEN.", login) &&
		    atol(cell(rows, i, C_FAMOUNT)) - atol(cell(rows, i, C_FUSED)) <= live)
			rc |= remind(c, login, nums, "FROZEN.", c->tpl_frozen);
	}
	if (d == -2)
		weblog(c->r, "REMINDER IGNORING FREE TARIFF (%s)", login);
	expire_flags(c, login, live);
	return rc;
}

struct reminder {
	struct rmd c;
	struct db_rows rows;
};

struct reminder *reminder_new(struct req *r)
{
	struct reminder *m = xcalloc(1, sizeof *m);
	m->c.r = r;
	load_options(&m->c);
	if (m->c.tagid == 0) {
		weblog(r, "REMINDER FAILED: EMPTY TAG ID");
		return m;
	}
	if (load_candidates(&m->c, &m->rows) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

int reminder_run(struct reminder *m, bool force)
{
	struct rmd *c = &m->c;
	int rc = 0;
	for (size_t i = 0; i < m->rows.nrows && rc == 0; i++) {
		struct strlist nums = { 0 };
		rc = numbers_of(c, &m->rows, i, &nums);
		if (rc == 0)
			rc = force ? remind(c, cell(&m->rows, i, C_LOGIN), &nums, NULL, c->tpl)
				   : regular_one(c, &m->rows, i, &nums);
		strlist_free(&nums);
	}
	return rc;
}

void reminder_free(struct reminder *m)
{
	if (!m)
		return;
	db_rows_free(&m->rows);
	free(m);
}
