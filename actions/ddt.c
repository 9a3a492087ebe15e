/* ddt: doomsday (timed) tariffs (DoomsDayTariffs). Part 1 gives every user
 * on a DDT tariff without a pending tariffchange task its move task, a
 * ddt_users record and the option's charges and credit; part 2 charges
 * users registered today under a charge rule once. The front holds the
 * StarDust lock stardustPID_DDT (so PHP and ubapi exclude each other);
 * with alter.ini STARDUST_FLOCK_FORCE PHP locks a file instead, and so
 * does this. Each user's rows and charges commit together. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "actions.h"
#include "billing.h"
#include "clock.h"
#include "dealwithit.h"
#include "ini.h"
#include "money.h"
#include "stardust.h"
#include "util.h"
#include "weblog.h"

struct ddt {
	struct db_rows options, rules, tariffs, pending;
	struct sched_map fees, waiting;
	long prevdays;
	const char *word;       /* __('Doomsday tariff') */
	struct batch *run;
	struct ini *lang_ini;
	char today[11];
	struct batch *dry;
};

enum { O_NAME, O_PERIOD, O_STARTNOW, O_DURATION, O_CHARGEFEE, O_UNTILDAY, O_SETCREDIT, O_MOVE,
       O_ABSOLUTE, O_CREDITCUSTOM };
enum { R_TARIFF, R_UNTILDAY, R_CHARGEFEE, R_ABSOLUTE, R_CREDITDAYS };

/* The translation PHP's __() gives with config.ini default_lang. */
static void load_word(struct req *r, struct ddt *d)
{
	char *path = cfg_path(r->cfg, "config/config.ini");
	d->lang_ini = ini_load(path, INI_PHP);
	free(path);
	const char *lang = d->lang_ini ? ini_get(d->lang_ini, "default_lang") : NULL;
	if (!lang || strcmp(lang, "uk") == 0 || strcmp(lang, "ru") == 0)
		d->word = "Тариф судного дня";
	else if (strcmp(lang, "es") == 0)
		d->word = "Tarifa publicitaria";
	else
		d->word = "Doomsday tariff";
}

static long num(const char *s)
{
	return s ? atol(s) : 0;
}

static bool truthy_num(const char *s)
{
	return num(s) != 0;
}

/* The last row of a key wins, as in PHP's keyed arrays. */
static char **row_for(const struct db_rows *rows, const char *tariff)
{
	char **found = NULL;
	for (size_t i = 0; i < rows->nrows; i++)
		if (db_cell(rows, i, 0) && strcmp(db_cell(rows, i, 0), tariff) == 0)
			found = &rows->cells[i * rows->ncols];
	return found;
}

static money_t fee_of(const struct ddt *d, const char *tariff)
{
	const char *fee = NULL;
	money_t m = { 0 };
	if (sched_map_get(&d->fees, tariff, &fee) && fee)
		money_parse_db(fee, &m);
	return m;
}

/* "-<amount>" for a weblog or a payment; "-0" for zero, as PHP writes. */
static void minus(money_t m, struct sbuf *out)
{
	struct sbuf plain = SBUF_INIT;
	money_format(m, &plain);
	money_negate_str(sbuf_str(&plain), out);
	sbuf_free(&plain);
}

/* One correction charge: dry-run line, or weblog then CashAdd. */
static enum cash_result charge(struct req *r, struct ddt *d, const char *login, money_t amount,
			       const char *event, const char *note)
{
	struct sbuf neg = SBUF_INIT;
	minus(amount, &neg);
	enum cash_result rc = CASH_DONE;
	if (d->dry) {
		batch_dry_line(d->dry, login, sbuf_str(&neg), note, "paymentscorr");
	} else if (weblog(r, "%s%s", event, sbuf_str(&neg)) != 0) {
		rc = CASH_DB_FAILED;
	} else {
		struct cash_request c = {
			.login = login, .amount = sbuf_str(&neg), .op = CASH_CORRECT, .cashtype = 1, .note = note,
		};
		rc = cash_add(r, &c);
	}
	sbuf_free(&neg);
	return rc;
}

/* Credit to cover a balance, expiring at local midnight of `until`. */
static int give_credit(struct req *r, const char *login, money_t balance, time_t until)
{
	struct sbuf credit = SBUF_INIT;
	money_format(money_abs(balance), &credit);
	char epoch[24], date[11];
	snprintf(epoch, sizeof epoch, "%lld", (long long)until);
	clock_format_date(until, date);
	int rc = billing_set(r, login, BF_CREDIT, sbuf_str(&credit)) != 0 ||
			 weblog(r, "DDT CHANGE Credit (%s) ON %s", login, sbuf_str(&credit)) != 0 ||
			 billing_set(r, login, BF_CREDIT_EXPIRE, epoch) != 0 ||
			 weblog(r, "DDT CHANGE CreditExpire (%s) ON %s", login, date) != 0
		 ? -1 : 0;
	sbuf_free(&credit);
	return rc;
}

static time_t target_date(const struct req *r, const struct ddt *d, char **o)
{
	long span = num(o[O_DURATION]) - (truthy_num(o[O_STARTNOW]) ? 1 : 0);
	if (strcmp(o[O_PERIOD] ? o[O_PERIOD] : "", "day") == 0)
		return sched_add_days(r->now, span);
	time_t end = sched_month_end_after(r->now, span);
	return d->prevdays ? sched_add_days(end, -d->prevdays) : end;
}

/* Part 1 for one user: task, history, charges, credit. NULL or the reply
 * that stops the run. */
static const char *schedule(struct req *r, struct ddt *d, const char *login, const char *tariff,
			    const char *cash, const char *credit, char **o)
{
	const char *period = o[O_PERIOD] ? o[O_PERIOD] : "";
	if (strcmp(period, "month") != 0 && strcmp(period, "day") != 0)
		return NULL; /* PHP computes no target date, so does nothing */
	char target[11], now[20];
	clock_format_date(target_date(r, d, o), target);
	clock_format_datetime(r->now, now);
	money_t next = { 0 }, m_credit = { 0 };
	money_parse_db(cash, &next);
	if (credit)
		money_parse_db(credit, &m_credit);
	if (!d->dry && sched_unit_begin(r) != 0)
		return "ERROR:DB";
	struct sbuf note = SBUF_INIT, event = SBUF_INIT, text = SBUF_INIT;
	sbuf_printf(&note, "%s: %s", d->word, o[O_NAME]);
	unsigned long long id = 0;
	enum cash_result rc = CASH_DONE;
	bool applied = false;
	const char *move = o[O_MOVE] ? o[O_MOVE] : "";
	if (!d->dry && (dwi_create_task(r, target, login, "tariffchange", move, sbuf_str(&note), &id) != 0 ||
			db_exec(r->db,
				"INSERT INTO `ddt_users` (`login`,`active`,`startdate`,`curtariff`,`enddate`,"
				"`nexttariff`,`dwiid`) VALUES (?,1,?,?,?,?,?)",
				"sssssi", login, now, tariff, target, move, (long long)id) < 0))
		rc = CASH_DB_FAILED;
	long until = num(o[O_UNTILDAY]);
	if (rc == CASH_DONE && truthy_num(o[O_CHARGEFEE]) && until && until >= sched_mday(r->now)) {
		money_t fee = fee_of(d, tariff);
		money_sub(next, fee, &next);
		sbuf_printf(&event, "DDT FEE CHARGE (%s) TARIFF `%s` ON ", login, tariff);
		sbuf_printf(&text, "DDT: %s", tariff);
		rc = charge(r, d, login, fee, sbuf_str(&event), sbuf_str(&text));
		applied |= sched_cash_applied(r, rc);
	}
	money_t absolute = { num(o[O_ABSOLUTE]) * MONEY_SCALE };
	if (rc == CASH_DONE && absolute.units) {
		money_sub(next, absolute, &next);
		sbuf_reset(&event);
		sbuf_reset(&text);
		sbuf_printf(&event, "DDT FEE CHARGE (%s) ABSOLUTE ON ", login);
		sbuf_printf(&text, "DDT: ABSOLUTE %ld", num(o[O_ABSOLUTE]));
		rc = charge(r, d, login, absolute, sbuf_str(&event), sbuf_str(&text));
		applied |= sched_cash_applied(r, rc);
	}
	if (rc == CASH_DONE && !d->dry && truthy_num(o[O_SETCREDIT]) &&
	    money_cmp(next, money_neg(m_credit)) < 0) {
		long custom = num(o[O_CREDITCUSTOM]);
		time_t until_t = custom ? sched_add_days(r->now, custom)
				 : strcmp(period, "month") == 0 ? sched_month_end_after(r->now, 0)
								: sched_add_days(r->now, 3);
		if (give_credit(r, login, next, until_t) != 0)
			rc = CASH_CORE_FAILED;
	}
	sbuf_free(&note);
	sbuf_free(&event);
	sbuf_free(&text);
	if (d->dry)
		return NULL;
	if (sched_unit_end(r, rc == CASH_DONE, applied) != 0)
		return "ERROR:DB";
	return rc == CASH_DONE ? NULL : sched_cash_error(rc);
}

static const char *run_processing(struct req *r, struct ddt *d)
{
	if (d->options.nrows == 0)
		return d->dry || weblog(r, "DDT RUN FAIL NO_TARIFFS") == 0 ? NULL : "ERROR:DB";
	struct db_rows users;
	if (db_query(r->db, &users,
		     "SELECT `login`,`Tariff`,CAST(`Cash` AS CHAR),CAST(`Credit` AS CHAR) FROM `users`"
		     " ORDER BY `login`",
		     "") != 0)
		return "ERROR:DB";
	const char *stop = NULL;
	if (users.nrows == 0 && !d->dry && weblog(r, "DDT RUN FAIL NO_USERS") != 0)
		stop = "ERROR:DB";
	for (size_t i = 0; i < users.nrows && !stop; i++) {
		const char *login = db_cell(&users, i, 0), *tariff = db_cell(&users, i, 1);
		char **o = tariff ? row_for(&d->options, tariff) : NULL;
		if (!o || !login || !db_cell(&users, i, 2) || sched_map_get(&d->waiting, login, NULL))
			continue;
		if (sched_failed(d->run, schedule(r, d, login, tariff, db_cell(&users, i, 2),
						  db_cell(&users, i, 3), o)))
			stop = "ERROR:DB";
	}
	db_rows_free(&users);
	return stop;
}

/* Part 2 for one user registered today; NULL or the stopping reply. */
static const char *force_charge(struct req *r, struct ddt *d, const char *login)
{
	struct db_rows u;
	if (db_query(r->db, &u,
		     "SELECT `Tariff`,CAST(`Cash` AS CHAR) FROM `users` WHERE `login`=?", "s", login) != 0)
		return "ERROR:DB";
	char **rule = u.nrows && db_cell(&u, 0, 0) ? row_for(&d->rules, db_cell(&u, 0, 0)) : NULL;
	long until = rule ? num(rule[R_UNTILDAY]) : 0;
	if (!rule || (until != 0 && sched_mday(r->now) > until)) {
		db_rows_free(&u);
		return NULL;
	}
	const char *tariff = db_cell(&u, 0, 0);
	money_t amount = { 0 }, expected = { 0 }, absolute = { num(rule[R_ABSOLUTE]) * MONEY_SCALE };
	if (truthy_num(rule[R_CHARGEFEE]))
		amount = fee_of(d, tariff);
	money_add(amount, absolute, &amount);
	if (db_cell(&u, 0, 1))
		money_parse_db(db_cell(&u, 0, 1), &expected);
	money_sub(expected, amount, &expected);
	long creditdays = num(rule[R_CREDITDAYS]);
	struct sbuf event = SBUF_INIT, note = SBUF_INIT, summ = SBUF_INIT;
	sbuf_printf(&event, "DDT FORCED CHARGE (%s) TARIFF `%s` ON ", login, tariff);
	sbuf_printf(&note, "DDT: %s", tariff);
	money_format(amount, &summ);
	enum cash_result rc = CASH_DONE;
	bool applied = false;
	if (!d->dry && sched_unit_begin(r) != 0)
		rc = CASH_DB_FAILED;
	else if (!d->dry && expected.units < 0 && creditdays &&
		 give_credit(r, login, expected, sched_add_days(r->now, creditdays)) != 0)
		rc = CASH_CORE_FAILED;
	if (rc == CASH_DONE) {
		rc = charge(r, d, login, amount, sbuf_str(&event), sbuf_str(&note));
		applied = sched_cash_applied(r, rc);
	}
	if (rc == CASH_DONE && !d->dry &&
	    db_exec(r->db, "INSERT INTO `ddt_charges` (`login`,`chargedate`,`tariff`,`summ`) VALUES (?,?,?,?)",
		    "ssss", login, d->today, tariff, sbuf_str(&summ)) < 0)
		rc = CASH_DB_FAILED;
	const char *stop = NULL;
	if (!d->dry && (sched_unit_end(r, rc == CASH_DONE, applied) != 0 || rc != CASH_DONE))
		stop = sched_cash_error(rc);
	sbuf_free(&event);
	sbuf_free(&note);
	sbuf_free(&summ);
	db_rows_free(&u);
	return stop;
}

static const char *run_charge_rules(struct req *r, struct ddt *d)
{
	if (d->rules.nrows == 0)
		return NULL;
	char like[16];
	snprintf(like, sizeof like, "%s%%", d->today);
	struct db_rows reg = { 0 }, charged = { 0 };
	struct sched_map done = { 0 };
	const char *stop = NULL;
	if (db_query(r->db, &reg, "SELECT `login` FROM `userreg` WHERE `date` LIKE ? ORDER BY `id`", "s",
		     like) != 0 ||
	    db_query(r->db, &charged, "SELECT DISTINCT `login` FROM `ddt_charges` WHERE `chargedate`=?", "s",
		     d->today) != 0) {
		stop = "ERROR:DB";
		goto out;
	}
	sched_map_build(&done, &charged, 0, 0);
	for (size_t i = 0; i < reg.nrows && !stop; i++) {
		const char *login = db_cell(&reg, i, 0);
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = db_cell(&reg, j, 0) && login && strcmp(db_cell(&reg, j, 0), login) == 0;
		if (login && !seen && !sched_map_get(&done, login, NULL) &&
		    sched_failed(d->run, force_charge(r, d, login)))
			stop = "ERROR:DB";
	}
out:
	sched_map_free(&done);
	db_rows_free(&reg);
	db_rows_free(&charged);
	return stop;
}

void cmd_ddt(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "DDT_ENABLED", ""))) {
		reply_text(r, "ERROR:NO_DDT_ENABLED");
		return;
	}
	if (!php_truthy(cfg_alter_rcms(r->cfg, "DEALWITHIT_ENABLED", ""))) {
		reply_text(r, "ERROR:NO_DEALWITHIT_ENABLED");
		return;
	}
	/* the action table holds stardustPID_DDT; the forced mode's file too */
	int lockfd = php_truthy(cfg_alter(r->cfg, "STARDUST_FLOCK_FORCE", "")) ? stardust_file_take(r->cfg, "DDT") : -3;
	if (lockfd == -1 || lockfd == -2) {
		reply_text(r, lockfd == -1 ? "SKIP:DDT_ALREADY_RUNNING" : "ERROR:LOCK_FILE");
		return;
	}
	struct ddt d = { 0 };
	struct batch b;
	batch_init(&b, r);
	d.dry = b.dry ? &b : NULL;
	d.run = &b;
	const char *prev = cfg_alter(r->cfg, "DDT_ENDPREVDAYS", "");
	d.prevdays = valid_uint(prev) ? atol(prev) : 0;
	clock_format_date(r->now, d.today);
	load_word(r, &d);
	if (db_query(r->db, &d.options,
		     "SELECT `tariffname`,`period`,`startnow`,`duration`,`chargefee`,`chargeuntilday`,"
		     "`setcredit`,`tariffmove`,`chargeabsolute`,`creditcustom` FROM `ddt_options` ORDER BY `id`",
		     "") != 0 ||
	    db_query(r->db, &d.rules,
		     "SELECT `tariff`,`untilday`,`chargefee`,`absolute`,`creditdays` FROM `ddt_chargeopts`"
		     " ORDER BY `id`",
		     "") != 0 ||
	    db_query(r->db, &d.tariffs, "SELECT `name`,CAST(`Fee` AS CHAR) FROM `tariffs`", "") != 0 ||
	    db_query(r->db, &d.pending,
		     "SELECT DISTINCT `login` FROM `dealwithit` WHERE `action`='tariffchange'", "") != 0) {
		b.db_failed = true;
	} else {
		sched_map_build(&d.fees, &d.tariffs, 0, 1);
		sched_map_build(&d.waiting, &d.pending, 0, 0);
		if (!sched_failed(&b, run_processing(r, &d)))
			sched_failed(&b, run_charge_rules(r, &d));
	}
	stardust_file_drop(lockfd);
	batch_reply(&b, "OK:DDTPROCESSING");
	batch_free(&b);
	sched_map_free(&d.fees);
	sched_map_free(&d.waiting);
	db_rows_free(&d.options);
	db_rows_free(&d.rules);
	db_rows_free(&d.tariffs);
	db_rows_free(&d.pending);
	if (d.lang_ini)
		ini_free(d.lang_ini);
}
