/* exhorse: the monthly statistics row (spec actions-ops.md §5.6).
 *
 * Counters that PHP computes by loading whole tables and counting in PHP
 * are plain COUNT()/SUM() queries here where the WHERE clause is PHP's own;
 * rows whose classification needs PHP's comparison rules (users, CaTV
 * users, payment sums) are walked in C. Money sums are exact (money.h) and
 * printed as PHP prints its float sums. */
#include "exhorse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <openssl/evp.h>

#include "cdr.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "money.h"
#include "phpser.h"
#include "sbuf.h"
#include "util.h"
#include "weblog.h"

enum kind { K_INT, K_MONEY, K_TEXT };

/* The row, in the order of Ubilling's storeTmp (and so of its INSERT). */
#define HORSE_FIELDS(X)                                                                          \
	X(u_totalusers, K_INT) X(u_activeusers, K_INT) X(u_inactiveusers, K_INT)                 \
	X(u_frozenusers, K_INT) X(u_complextotal, K_INT) X(u_complexactive, K_INT)               \
	X(u_complexinactive, K_INT) X(u_signups, K_INT) X(u_citysignups, K_TEXT)                 \
	X(f_totalmoney, K_MONEY) X(f_paymentscount, K_INT) X(f_cashmoney, K_MONEY)               \
	X(f_cashcount, K_INT) X(f_arpu, K_MONEY) X(f_arpau, K_MONEY) X(c_totalusers, K_INT)      \
	X(c_activeusers, K_INT) X(c_inactiveusers, K_INT) X(c_illegal, K_INT)                    \
	X(c_complex, K_INT) X(c_social, K_INT) X(c_totalmoney, K_MONEY)                          \
	X(c_paymentscount, K_INT) X(c_arpu, K_MONEY) X(c_arpau, K_MONEY)                         \
	X(c_totaldebt, K_MONEY) X(c_signups, K_INT) X(a_totalcalls, K_INT)                       \
	X(a_totalanswered, K_INT) X(a_totalcallsduration, K_INT)                                 \
	X(a_averagecallduration, K_INT) X(e_switches, K_INT) X(e_pononu, K_INT)                  \
	X(e_docsis, K_INT) X(a_recallunsuccess, K_MONEY) X(a_recalltrytime, K_INT)               \
	X(e_deadswintervals, K_INT) X(t_sigreq, K_INT) X(t_tickets, K_INT) X(t_tasks, K_INT)     \
	X(t_capabtotal, K_INT) X(t_capabundone, K_INT) X(a_outtotalcalls, K_INT)                 \
	X(a_outtotalanswered, K_INT) X(a_outtotalcallsduration, K_INT)                           \
	X(a_outaveragecallduration, K_INT) X(ct_totalusers, K_INT) X(ct_activeusers, K_INT)

enum field {
#define X(name, kind) F_##name,
	HORSE_FIELDS(X)
#undef X
	F_COUNT
};

static const struct {
	const char *name;
	enum kind kind;
} fields[F_COUNT] = {
#define X(name, kind) { #name, kind },
	HORSE_FIELDS(X)
#undef X
};

struct horse {
	struct req *r;
	char month[8];  /* Y-m */
	char like[16];  /* "Y-m-%" */
	char today[11]; /* Y-m-d */
	long long iv[F_COUNT];
	money_t mv[F_COUNT];
	struct sbuf citysignups;
	bool complex;
	char **masks;
	size_t nmasks;
	bool overflow;
};

/* ------------------------------------------------------------ PHP rules */

static bool php_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* PHP 8 is_numeric() for a string (surrounding whitespace allowed, no hex,
 * no INF/NAN) and its value. */
static bool php_numeric(const char *s, double *out)
{
	const char *p = s;
	while (php_ws(*p))
		p++;
	const char *start = p;
	if (*p == '+' || *p == '-')
		p++;
	bool digits = false;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1;
		if (*e == '+' || *e == '-')
			e++;
		if (isdigit((unsigned char)*e)) {
			while (isdigit((unsigned char)*e))
				e++;
			p = e;
		}
	}
	const char *end = p;
	while (php_ws(*p))
		p++;
	if (*p)
		return false;
	if (out) {
		char *num = xstrndup(start, (size_t)(end - start));
		*out = strtod(num, NULL);
		free(num);
	}
	return true;
}

int exhorse_php_cmp(const char *a, const char *b)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	double x, y;
	if (php_numeric(a, &x) && php_numeric(b, &y))
		return (x > y) - (x < y);
	int c = strcmp(a, b);
	return (c > 0) - (c < 0);
}

/* $s == <int n> in PHP 8: null is false-y (equal to 0 only), non-numeric
 * strings equal no number. */
static bool php_eq_int(const char *s, long n)
{
	if (!s)
		return n == 0;
	double x;
	return php_numeric(s, &x) && x == (double)n;
}

/* A column PHP would round(): the number, NULL for text PHP 8 refuses. */
static bool db_amount(const char *s, money_t *out)
{
	if (!s)
		return false;
	char *t = str_trim(xstrdup(s));
	bool ok = money_parse_db(t, out);
	free(t);
	return ok;
}

static void madd(struct horse *h, enum field f, money_t v)
{
	if (!money_add(h->mv[f], v, &h->mv[f]))
		h->overflow = true;
}

/* round(a / n, 2), half away from zero, exactly; n != 0. */
static money_t money_div_round2(money_t a, long long n)
{
	const long long cent = MONEY_SCALE / 100;
	unsigned long long num = a.units < 0 ? (unsigned long long)-a.units : (unsigned long long)a.units;
	unsigned long long den = (unsigned long long)(n < 0 ? -n : n) * (unsigned long long)cent;
	unsigned long long q = num / den, rem = num % den;
	if (rem >= den - rem)
		q++;
	long long units = (long long)(q * (unsigned long long)cent);
	money_t m = { ((a.units < 0) != (n < 0)) ? -units : units };
	return m;
}

/* round(a / b) to an integer, half away from zero; b != 0. */
static long long div_round(long long a, long long b)
{
	unsigned long long x = a < 0 ? 0ULL - (unsigned long long)a : (unsigned long long)a;
	unsigned long long y = b < 0 ? 0ULL - (unsigned long long)b : (unsigned long long)b;
	unsigned long long q = x / y, rem = x % y;
	if (rem >= y - rem)
		q++;
	return ((a < 0) != (b < 0)) ? -(long long)q : (long long)q;
}

static long long to_ll(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* One COUNT()/SUM() value; like binds the month pattern when the SQL has
 * a '?'. */
static bool scalar(struct horse *h, long long *out, const char *sql, const char *like)
{
	bool err = false;
	char *v = like ? db_value(h->r->db, &err, sql, "s", like) : db_value(h->r->db, &err, sql, "");
	*out = to_ll(v);
	free(v);
	return !err;
}

/* ------------------------------------------------------------ sections */

static bool is_complex(const struct horse *h, const char *tariff)
{
	if (!h->complex)
		return false;
	/* PHP 8's strpos() finds an empty needle anywhere, so an empty mask
	 * ("A,,B") makes every user complex, as it does in PHP. */
	for (size_t i = 0; i < h->nmasks; i++)
		if (strstr(tariff ? tariff : "", h->masks[i]))
			return true;
	return false;
}

enum ustate { US_NONE, US_ACTIVE, US_INACTIVE, US_FROZEN };

/* isActive(): Cash against "-" . Credit with PHP's string comparison; a
 * user matching no branch has no category (PHP 8: '' == 0 is false). */
static enum ustate user_state(const char *cash, const char *credit, const char *ao, const char *passive,
			      const char *down)
{
	struct sbuf neg = SBUF_INIT;
	sbuf_putc(&neg, '-');
	sbuf_puts(&neg, credit ? credit : "");
	int c = exhorse_php_cmp(cash, sbuf_str(&neg));
	sbuf_free(&neg);
	bool online = php_eq_int(ao, 1) && php_eq_int(passive, 0);
	enum ustate st = US_NONE;
	if (c >= 0 && online && php_eq_int(down, 0))
		st = US_ACTIVE;
	if (c < 0 && online && (php_eq_int(down, 0) || php_eq_int(down, 1)))
		st = US_INACTIVE;
	if (php_eq_int(passive, 1))
		st = US_FROZEN;
	return st;
}

static bool users_part(struct horse *h)
{
	struct db_rows rows;
	if (db_query(h->r->db, &rows,
		     "SELECT `Cash`,`Credit`,`AlwaysOnline`,`Passive`,`Down`,`Tariff` FROM `users`", "") != 0)
		return false;
	for (size_t i = 0; i < rows.nrows; i++) {
		enum ustate st = user_state(db_cell(&rows, i, 0), db_cell(&rows, i, 1), db_cell(&rows, i, 2),
					    db_cell(&rows, i, 3), db_cell(&rows, i, 4));
		if (st == US_ACTIVE)
			h->iv[F_u_activeusers]++;
		else if (st == US_INACTIVE)
			h->iv[F_u_inactiveusers]++;
		else if (st == US_FROZEN)
			h->iv[F_u_frozenusers]++;
		if (is_complex(h, db_cell(&rows, i, 5))) {
			h->iv[F_u_complextotal]++;
			if (st == US_ACTIVE)
				h->iv[F_u_complexactive]++;
		}
		h->iv[F_u_totalusers]++;
	}
	h->iv[F_u_complexinactive] = h->iv[F_u_complextotal] - h->iv[F_u_complexactive];
	db_rows_free(&rows);
	return true;
}

/* u_signups and u_citysignups = base64(serialize(cityname => count)), the
 * city being zb_AddressGetCityUsers()'s (the login's last address row). */
static bool signups_part(struct horse *h)
{
	struct db_rows rows;
	if (db_query(h->r->db, &rows,
		     "SELECT r.`login`,(SELECT c.`cityname` FROM `address` a"
		     " INNER JOIN `apt` p ON a.`aptid`=p.`id`"
		     " INNER JOIN `build` b ON p.`buildid`=b.`id`"
		     " INNER JOIN `street` s ON b.`streetid`=s.`id`"
		     " INNER JOIN `city` c ON s.`cityid`=c.`id`"
		     " WHERE a.`login`=r.`login` AND BINARY a.`login`=r.`login`"
		     " ORDER BY a.`id` DESC LIMIT 1)"
		     " FROM `userreg` r WHERE r.`date` LIKE ? ORDER BY r.`id`",
		     "s", h->like) != 0)
		return false;
	if (rows.nrows == 0) {
		db_rows_free(&rows);
		return true;
	}
	const char **city = xcalloc(rows.nrows, sizeof *city);
	long long *count = xcalloc(rows.nrows, sizeof *count);
	size_t ncities = 0;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *name = db_cell(&rows, i, 1);
		if (php_truthy(db_cell(&rows, i, 0)) && name) {
			size_t j = 0;
			while (j < ncities && strcmp(city[j], name) != 0)
				j++;
			if (j == ncities)
				city[ncities++] = name;
			count[j]++;
		}
		h->iv[F_u_signups]++;
	}
	struct sbuf ser = SBUF_INIT;
	phpser_array_begin(&ser, ncities);
	for (size_t j = 0; j < ncities; j++) {
		phpser_key_str(&ser, city[j]);
		phpser_int(&ser, count[j]);
	}
	phpser_array_end(&ser);
	unsigned char *b64 = xmalloc(4 * ((ser.len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)ser.s, (int)ser.len);
	sbuf_puts(&h->citysignups, (const char *)b64);
	free(b64);
	sbuf_free(&ser);
	free(city);
	free(count);
	db_rows_free(&rows);
	return true;
}

/* EXHORSE_CASHIDS items are matched as exact strings, like PHP's
 * isset(array_flip(explode(','))[cashtypeid]): "1, 10" never matches 10. */
static bool is_cash_id(const char *list, const char *id)
{
	if (!id)
		return false;
	size_t n = strlen(id);
	for (const char *p = list;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && memcmp(p, id, n) == 0)
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

static bool finance_part(struct horse *h)
{
	const char *ids = cfg_alter(h->r->cfg, "EXHORSE_CASHIDS", "");
	if (!php_truthy(ids))
		ids = "1";
	struct db_rows rows;
	if (db_query(h->r->db, &rows,
		     "SELECT `summ`,`cashtypeid` FROM `payments` WHERE `date` LIKE ? AND `summ` > '0' ORDER BY `id`",
		     "s", h->like) != 0)
		return false;
	for (size_t i = 0; i < rows.nrows; i++) {
		money_t summ;
		if (!db_amount(db_cell(&rows, i, 0), &summ)) {
			/* PHP 8's round() throws on such text and the run dies */
			syslog(LOG_WARNING, "ubapi exhorse: payment summ '%s' is not a number, skipped",
			       db_cell(&rows, i, 0));
			continue;
		}
		summ = money_round(summ, 2);
		madd(h, F_f_totalmoney, summ);
		h->iv[F_f_paymentscount]++;
		if (money_cmp(summ, (money_t){ 0 }) >= 0 && is_cash_id(ids, db_cell(&rows, i, 1))) {
			madd(h, F_f_cashmoney, summ);
			h->iv[F_f_cashcount]++;
		}
	}
	db_rows_free(&rows);
	if (h->iv[F_f_paymentscount] != 0) {
		h->mv[F_f_arpu] = money_div_round2(h->mv[F_f_totalmoney], h->iv[F_f_paymentscount]);
		if (h->iv[F_u_activeusers] != 0)
			h->mv[F_f_arpau] = money_div_round2(h->mv[F_f_totalmoney], h->iv[F_u_activeusers]);
	}
	return true;
}

/* UKV_MONTH_DEBTLIMIT * price as PHP prints it: int * int stays an int,
 * anything else is a float printed with precision 14. */
static void debt_limit(const char *limit, const char *price, struct sbuf *out)
{
	double a = 0, b = 0;
	bool an = limit && php_numeric(limit, &a), bn = price && php_numeric(price, &b);
	bool ints = an && bn && !strpbrk(limit, ".eE") && !strpbrk(price, ".eE");
	if (ints && a * b < 9.2e18 && a * b > -9.2e18) {
		sbuf_printf(out, "%lld", strtoll(limit, NULL, 10) * strtoll(price, NULL, 10));
		return;
	}
	/* Non-numeric text is a TypeError in PHP 8; ubapi counts it as 0. */
	if (!an)
		a = 0;
	if (!bn)
		b = 0;
	phpnum_format(a * b, out);
}

static bool ukv_part(struct horse *h)
{
	const struct config *cfg = h->r->cfg;
	const char *illegal = cfg_alter(cfg, "UKV_ILLEGAL_TARIFFID", "");
	const char *social = cfg_alter(cfg, "UKV_SOCIAL_TARIFFID", "");
	const char *complex = cfg_alter(cfg, "UKV_COMPLEX_TARIFFID", "");
	const char *limit = cfg_alter(cfg, "UKV_MONTH_DEBTLIMIT", "");
	struct db_rows rows;
	if (db_query(h->r->db, &rows,
		     "SELECT u.`cash`,u.`active`,u.`tariffid`,u.`regdate`,t.`price` FROM `ukv_users` u"
		     " LEFT JOIN `ukv_tariffs` t ON t.`id`=u.`tariffid` ORDER BY u.`id`",
		     "") != 0)
		return false;
	char month_dash[9];
	snprintf(month_dash, sizeof month_dash, "%s-", h->month);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *cash = db_cell(&rows, i, 0), *tariff = db_cell(&rows, i, 2);
		const char *regdate = db_cell(&rows, i, 3), *price = db_cell(&rows, i, 4);
		h->iv[F_c_totalusers]++;
		money_t m;
		if (exhorse_php_cmp(cash, "0") < 0 && db_amount(cash, &m))
			madd(h, F_c_totaldebt, money_round(m, 2));
		if (price) {
			struct sbuf neg = SBUF_INIT;
			sbuf_putc(&neg, '-');
			debt_limit(limit, price, &neg);
			if (exhorse_php_cmp(cash, sbuf_str(&neg)) >= 0 && php_eq_int(db_cell(&rows, i, 1), 1))
				h->iv[F_c_activeusers]++;
			sbuf_free(&neg);
		}
		if (php_truthy(illegal) && exhorse_php_cmp(tariff, illegal) == 0)
			h->iv[F_c_illegal]++;
		if (php_truthy(complex) && h->complex && exhorse_php_cmp(tariff, complex) == 0)
			h->iv[F_c_complex]++;
		if (php_truthy(social) && exhorse_php_cmp(tariff, social) == 0)
			h->iv[F_c_social]++;
		if (regdate && strstr(regdate, month_dash))
			h->iv[F_c_signups]++;
	}
	if (rows.nrows)
		h->iv[F_c_inactiveusers] = h->iv[F_c_totalusers] - h->iv[F_c_activeusers];
	db_rows_free(&rows);

	if (db_query(h->r->db, &rows,
		     "SELECT `summ` FROM `ukv_payments` WHERE `date` LIKE ? AND `summ` > '0' AND `visible` = '1'"
		     " ORDER BY `id`",
		     "s", h->like) != 0)
		return false;
	for (size_t i = 0; i < rows.nrows; i++) {
		money_t summ;
		if (!db_amount(db_cell(&rows, i, 0), &summ)) {
			syslog(LOG_WARNING, "ubapi exhorse: ukv payment summ '%s' is not a number, skipped",
			       db_cell(&rows, i, 0));
			continue;
		}
		madd(h, F_c_totalmoney, money_round(summ, 2));
		h->iv[F_c_paymentscount]++;
	}
	db_rows_free(&rows);
	if (h->iv[F_c_paymentscount] != 0) {
		h->mv[F_c_arpu] = money_div_round2(h->mv[F_c_totalmoney], h->iv[F_c_paymentscount]);
		/* PHP divides by zero when every active user is complex; 0 here */
		long long per = h->iv[F_c_activeusers] - (h->complex ? h->iv[F_c_complex] : 0);
		if (h->iv[F_c_activeusers] != 0 && per != 0)
			h->mv[F_c_arpau] = money_div_round2(h->mv[F_c_totalmoney], per);
	}
	return true;
}

static bool equipment_part(struct horse *h)
{
	const struct config *cfg = h->r->cfg;
	if (!scalar(h, &h->iv[F_e_switches], "SELECT COUNT(`id`) FROM `switches` WHERE `desc` NOT LIKE '%NP%'",
		    NULL))
		return false;
	struct db_rows rows;
	if (db_query(h->r->db, &rows, "SELECT `swdead` FROM `switchdeadlog` WHERE `date` LIKE ? ORDER BY `id`", "s",
		     h->like) != 0)
		return false;
	/* Only the element count of each serialized array matters. */
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *s = db_cell(&rows, i, 0);
		if (s && s[0] == 'a' && s[1] == ':' && isdigit((unsigned char)s[2])) {
			char *end;
			long long n = strtoll(s + 2, &end, 10);
			if (*end == ':')
				h->iv[F_e_deadswintervals] += n;
		}
	}
	db_rows_free(&rows);
	if (php_truthy(cfg_alter(cfg, "PON_ENABLED", "")) &&
	    !scalar(h, &h->iv[F_e_pononu], "SELECT COUNT(`id`) FROM `pononu`", NULL))
		return false;
	if (php_truthy(cfg_alter(cfg, "DOCSIS_SUPPORT", "")) &&
	    !scalar(h, &h->iv[F_e_docsis], "SELECT COUNT(`id`) FROM `modems`", NULL))
		return false;
	return true;
}

/* "H:MM" or "HH:MM" as DateTime::createFromFormat('!H:i') reads it. */
static bool parse_hm(const char *s, size_t len, int *out)
{
	size_t i = 0;
	while (i < len && s[i] == ' ')
		i++;
	int h = 0, nd = 0;
	while (i < len && isdigit((unsigned char)s[i]) && nd < 2) {
		h = h * 10 + (s[i++] - '0');
		nd++;
	}
	if (nd == 0 || i + 3 != len || s[i] != ':' || !isdigit((unsigned char)s[i + 1]) ||
	    !isdigit((unsigned char)s[i + 2]))
		return false;
	int m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	if (h > 23 || m > 59)
		return false;
	*out = h * 60 + m;
	return true;
}

bool exhorse_in_hours(const char *range, int minute)
{
	const char *dash = range ? strchr(range, '-') : NULL;
	if (!dash)
		return false;
	const char *end = strchr(dash + 1, '-');
	size_t tlen = end ? (size_t)(end - dash - 1) : strlen(dash + 1);
	int from, to;
	if (!parse_hm(range, (size_t)(dash - range), &from) || !parse_hm(dash + 1, tlen, &to))
		return false;
	if (from > to)
		to += 1440;
	return (from <= minute && minute <= to) || (from <= minute + 1440 && minute + 1440 <= to);
}

/* "Y-m-d H:i:s" -> minute of the day, -1 when it is not that shape. */
static int start_minute(const char *callstart)
{
	if (!callstart || strlen(callstart) < 16 || callstart[10] != ' ' || callstart[13] != ':')
		return -1;
	const char *t = callstart + 11;
	if (!isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[1]) || !isdigit((unsigned char)t[3]) ||
	    !isdigit((unsigned char)t[4]))
		return -1;
	return ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
}

static bool str_is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

/* TelePony getHorseMonthData(): flows of the month so far that start in
 * WORKING_HOURS, incoming (direction in, or a Queue) and outgoing. */
static const char *telepony_part(struct horse *h)
{
	const struct config *cfg = h->r->cfg;
	if (!php_truthy(cfg_alter(cfg, "TELEPONY_ENABLED", "")) || !php_truthy(cfg_alter(cfg, "TELEPONY_CDR", "")))
		return NULL;
	struct cdr_conf conf;
	if (cdr_conf_parse(cfg_alter(cfg, "TELEPONY_CDR", ""), &conf) != 0)
		return "ERROR:TELEPONY_CDR_INVALID";
	char first[11];
	snprintf(first, sizeof first, "%s-01", h->month);
	long timeout = cfg_ubapi_long(cfg, "db_timeout", 10);
	struct cdr_flows flows;
	int rc = cdr_fetch_flows(&conf, timeout > 0 ? (unsigned)timeout : 10, first, h->today, &flows);
	cdr_conf_free(&conf);
	if (rc != 0)
		return "ERROR:TELEPONY_CDR_UNAVAILABLE";
	const char *hours = cfg_alter(cfg, "WORKING_HOURS", "");
	for (size_t i = 0; i < flows.n; i++) {
		const struct cdr_flow *f = &flows.v[i];
		bool in = str_is(f->direction, "in") || str_is(f->app, "Queue");
		if (!in && !str_is(f->direction, "out"))
			continue;
		int minute = start_minute(f->callstart);
		if (minute < 0 || !exhorse_in_hours(hours, minute))
			continue;
		h->iv[in ? F_a_totalcalls : F_a_outtotalcalls]++;
		h->iv[in ? F_a_totalcallsduration : F_a_outtotalcallsduration] += to_ll(f->realtime);
		if (str_is(f->status, "ANSWERED"))
			h->iv[in ? F_a_totalanswered : F_a_outtotalanswered]++;
	}
	cdr_flows_free(&flows);
	/* PHP stores the float quotient in an INT column; rounded here */
	if (h->iv[F_a_totalanswered])
		h->iv[F_a_averagecallduration] = div_round(h->iv[F_a_totalcallsduration], h->iv[F_a_totalanswered]);
	if (h->iv[F_a_outtotalanswered])
		h->iv[F_a_outaveragecallduration] =
			div_round(h->iv[F_a_outtotalcallsduration], h->iv[F_a_outtotalanswered]);
	return NULL;
}

static bool wdyc_part(struct horse *h)
{
	if (!php_truthy(cfg_alter(h->r->cfg, "WDYC_ENABLED", "")))
		return true;
	struct db_rows rows;
	if (db_query(h->r->db, &rows,
		     "SELECT COALESCE(SUM(`missedcount`),0),COALESCE(SUM(`recallscount`),0),"
		     "COALESCE(SUM(`unsucccount`),0),COALESCE(SUM(`totaltrytime`),0)"
		     " FROM `wdycinfo` WHERE `date` LIKE ?",
		     "s", h->like) != 0)
		return false;
	long long missed = to_ll(db_cell(&rows, 0, 0)), recalls = to_ll(db_cell(&rows, 0, 1));
	long long unsucc = to_ll(db_cell(&rows, 0, 2)), trytime = to_ll(db_cell(&rows, 0, 3));
	db_rows_free(&rows);
	long long calls = recalls + missed;
	if (calls != 0) {
		if (missed > 1000000000LL || missed < -1000000000LL)
			h->overflow = true;
		else
			h->mv[F_a_recallunsuccess] =
				money_div_round2((money_t){ missed * 100 * MONEY_SCALE }, calls);
	}
	if (recalls + unsucc != 0)
		h->iv[F_a_recalltrytime] = div_round(trytime, recalls + unsucc);
	return true;
}

static bool claptrap_part(struct horse *h)
{
	if (!php_truthy(cfg_alter(h->r->cfg, "CLAPTRAPBOT_ENABLED", "")))
		return true;
	struct db_rows rows;
	if (db_query(h->r->db, &rows, "SELECT COUNT(*),COALESCE(SUM(`active`=1),0) FROM `ct_auth`", "") != 0)
		return false;
	h->iv[F_ct_totalusers] = to_ll(db_cell(&rows, 0, 0));
	h->iv[F_ct_activeusers] = to_ll(db_cell(&rows, 0, 1));
	db_rows_free(&rows);
	return true;
}

static bool misc_part(struct horse *h)
{
	const struct config *cfg = h->r->cfg;
	if (php_truthy(cfg_alter(cfg, "SIGREQ_ENABLED", "")) &&
	    !scalar(h, &h->iv[F_t_sigreq], "SELECT COUNT(`id`) FROM `sigreq` WHERE `date` LIKE ?", h->like))
		return false;
	if (!scalar(h, &h->iv[F_t_tickets], "SELECT COUNT(*) FROM `ticketing` WHERE `date` LIKE ? AND `from` != 'NULL'",
		    h->like) ||
	    !scalar(h, &h->iv[F_t_tasks], "SELECT COUNT(*) FROM `taskman` WHERE `date` LIKE ?", h->like))
		return false;
	if (php_truthy(cfg_alter(cfg, "CAPABDIR_ENABLED", ""))) {
		struct db_rows rows;
		if (db_query(h->r->db, &rows,
			     "SELECT COUNT(*),COALESCE(SUM(`stateid`=0),0) FROM `capab` WHERE `date` LIKE ?", "s",
			     h->like) != 0)
			return false;
		h->iv[F_t_capabtotal] = to_ll(db_cell(&rows, 0, 0));
		h->iv[F_t_capabundone] = to_ll(db_cell(&rows, 0, 1));
		db_rows_free(&rows);
	}
	return true;
}

/* ------------------------------------------------------------ saving */

/* The base ubilling.sql lacks the ct_* columns (update 1.6.3 adds them),
 * so only the columns the table has are written. */
static bool save(struct horse *h)
{
	struct db_rows cols;
	if (db_query(h->r->db, &cols,
		     "SELECT `COLUMN_NAME` FROM information_schema.`COLUMNS`"
		     " WHERE `TABLE_SCHEMA`=DATABASE() AND `TABLE_NAME`='exhorse'",
		     "") != 0)
		return false;
	if (cols.nrows == 0) {
		syslog(LOG_ERR, "ubapi exhorse: table exhorse not found");
		db_rows_free(&cols);
		return false;
	}
	struct sbuf sql = SBUF_INIT;
	char **vals = xcalloc(F_COUNT + 1, sizeof *vals);
	size_t n = 0;
	char now[20];
	clock_format_datetime(h->r->now, now);
	sbuf_puts(&sql, "INSERT INTO `exhorse` (`id`,`date`");
	vals[n++] = xstrdup(now);
	for (int f = 0; f < F_COUNT; f++) {
		bool present = false;
		for (size_t c = 0; c < cols.nrows && !present; c++)
			present = db_cell(&cols, c, 0) && strcasecmp(db_cell(&cols, c, 0), fields[f].name) == 0;
		if (!present)
			continue;
		sbuf_printf(&sql, ",`%s`", fields[f].name);
		struct sbuf v = SBUF_INIT;
		if (fields[f].kind == K_INT)
			sbuf_printf(&v, "%lld", h->iv[f]);
		else if (fields[f].kind == K_MONEY)
			money_format(h->mv[f], &v);
		else
			sbuf_puts(&v, sbuf_str(&h->citysignups));
		vals[n++] = sbuf_detach(&v);
	}
	db_rows_free(&cols);
	sbuf_puts(&sql, ") VALUES (NULL");
	for (size_t i = 0; i < n; i++)
		sbuf_puts(&sql, ",?");
	sbuf_putc(&sql, ')');
	long long rc = db_exec_list(h->r->db, sbuf_str(&sql), n, (const char *const *)vals);
	for (size_t i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	sbuf_free(&sql);
	return rc >= 0;
}

static bool last_day_of_month(time_t now)
{
	struct tm tm;
	localtime_r(&now, &tm);
	struct tm next = tm;
	next.tm_mday++;
	next.tm_hour = 12;
	next.tm_isdst = -1;
	mktime(&next);
	return next.tm_mon != tm.tm_mon;
}

static bool cleanup(struct horse *h, bool ebobo)
{
	if (ebobo) {
		/* every month keeps only its latest row; PHP logs nothing here */
		return db_exec(h->r->db,
			       "DELETE `ex` FROM `exhorse` AS `ex` LEFT JOIN (SELECT MAX(`date`) AS `mDate`"
			       " FROM `exhorse` GROUP BY DATE_FORMAT(`date`,'%Y-%m')) AS `tmp`"
			       " ON (`tmp`.`mDate`=`ex`.`date`) WHERE `tmp`.`mDate` IS NULL",
			       "") >= 0;
	}
	if (!last_day_of_month(h->r->now))
		return true;
	char keep[16];
	snprintf(keep, sizeof keep, "%s%%", h->today);
	if (db_exec(h->r->db, "DELETE FROM `exhorse` WHERE `date` LIKE ? AND `date` NOT LIKE ?", "ss", h->like,
		    keep) < 0)
		return false;
	weblog(h->r, "EXHORSE CLEANUP MONTH `%s`", h->month);
	return true;
}

static bool load_masks(struct horse *h)
{
	const char *raw = cfg_alter(h->r->cfg, "COMPLEX_MASKS", "");
	if (!php_truthy(raw))
		return false;
	for (const char *p = raw;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		/* PHP trim(): space, \t, \n, \r, \0, \v */
		while (len && strchr(" \t\n\r\v", *p)) {
			p++;
			len--;
		}
		while (len && strchr(" \t\n\r\v", p[len - 1]))
			len--;
		h->masks = xrealloc(h->masks, (h->nmasks + 1) * sizeof *h->masks);
		h->masks[h->nmasks++] = xstrndup(p, len);
		if (!comma)
			return true;
		p = comma + 1;
	}
}

const char *exhorse_run(struct req *r, bool ebobo)
{
	struct horse h = { .r = r, .citysignups = SBUF_INIT };
	clock_format_date(r->now, h.today);
	memcpy(h.month, h.today, 7);
	h.month[7] = '\0';
	snprintf(h.like, sizeof h.like, "%s-%%", h.month);
	const char *reply = "OK:EXHORSE";
	h.complex = php_truthy(cfg_alter(r->cfg, "COMPLEX_ENABLED", ""));
	if (h.complex && !load_masks(&h)) {
		reply = "ERROR:EXHORSE_COMPLEX_MASKS_EMPTY";
		goto done;
	}
	const char *pbx = NULL;
	if (!users_part(&h) || !signups_part(&h) || !finance_part(&h) ||
	    (php_truthy(cfg_alter(r->cfg, "UKV_ENABLED", "")) && !ukv_part(&h)) || !equipment_part(&h)) {
		reply = "ERROR:DB";
		goto done;
	}
	if ((pbx = telepony_part(&h)) != NULL) {
		reply = pbx;
		goto done;
	}
	if (!wdyc_part(&h) || !claptrap_part(&h) || !misc_part(&h)) {
		reply = "ERROR:DB";
		goto done;
	}
	if (h.overflow) {
		syslog(LOG_ERR, "ubapi exhorse: a money sum is out of range, nothing saved");
		reply = "ERROR:EXHORSE_OVERFLOW";
		goto done;
	}
	if (!save(&h)) {
		reply = "ERROR:DB";
		goto done;
	}
	weblog(r, "EXHORSE SAVE DATA");
	if (!cleanup(&h, ebobo))
		reply = "ERROR:DB";
done:
	for (size_t i = 0; i < h.nmasks; i++)
		free(h.masks[i]);
	free(h.masks);
	sbuf_free(&h.citysignups);
	return reply;
}
