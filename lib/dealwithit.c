#include "dealwithit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "billing.h"
#include "clock.h"
#include "money.h"
#include "ubcache.h"
#include "util.h"
#include "validate.h"
#include "weblog.h"

/* --- units -------------------------------------------------------------------- */

int sched_unit_begin(struct req *r)
{
	return db_begin(r->db);
}

bool sched_cash_applied(const struct req *r, enum cash_result rc)
{
	return rc == CASH_DONE || (rc == CASH_DB_FAILED && !billing_is_direct(r->cfg));
}

int sched_unit_end(struct req *r, bool ok, bool applied)
{
	if (!ok && (!applied || billing_is_direct(r->cfg))) {
		db_rollback(r->db);
		return 0;
	}
	if (db_commit(r->db) != 0) {
		db_rollback(r->db);
		return -1;
	}
	return 0;
}

const char *sched_cash_error(enum cash_result rc)
{
	return rc == CASH_DONE ? "ERROR:DB" : cash_error_reply(rc);
}

bool sched_failed(struct batch *b, const char *reply)
{
	if (!reply)
		return false;
	if (strcmp(reply, "ERROR:DB") == 0) {
		b->db_failed = true;
		return true;
	}
	syslog(LOG_ERR, "ubapi: a user's step failed (%s); the run goes on", reply);
	b->core_failed++;
	return false;
}

/* --- lookups ----------------------------------------------------------------------- */

struct indexed_pair {
	struct sched_pair p;
	size_t row;
};

static int by_key_then_row(const void *a, const void *b)
{
	const struct indexed_pair *x = a, *y = b;
	int c = strcmp(x->p.key, y->p.key);
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

void sched_map_build(struct sched_map *m, const struct db_rows *rows, size_t kcol, size_t vcol)
{
	struct indexed_pair *tmp = xcalloc(rows->nrows + 1, sizeof *tmp);
	size_t n = 0;
	for (size_t i = 0; i < rows->nrows; i++)
		if (db_cell(rows, i, kcol)) {
			tmp[n].p.key = db_cell(rows, i, kcol);
			tmp[n].p.val = db_cell(rows, i, vcol);
			tmp[n].row = i;
			n++;
		}
	qsort(tmp, n, sizeof *tmp, by_key_then_row);
	m->v = xcalloc(n + 1, sizeof *m->v);
	m->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(tmp[i].p.key, tmp[i + 1].p.key) == 0)
			continue; /* a later row of the same key wins */
		m->v[m->n++] = tmp[i].p;
	}
	free(tmp);
}

static int by_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sched_pair *)elem)->key);
}

bool sched_map_get(const struct sched_map *m, const char *key, const char **val)
{
	const struct sched_pair *p = key && m->n ? bsearch(key, m->v, m->n, sizeof *m->v, by_key) : NULL;
	if (p && val)
		*val = p->val;
	return p != NULL;
}

void sched_map_free(struct sched_map *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* --- calendar ------------------------------------------------------------------ */

time_t sched_add_days(time_t t, long days)
{
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_mday += (int)days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

time_t sched_month_end_after(time_t t, long months)
{
	struct tm tm;
	localtime_r(&t, &tm);
	/* mktime normalises Jan 31 + 1 month into March, as strtotime does */
	tm.tm_mon += (int)months;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	time_t reached = mktime(&tm);
	localtime_r(&reached, &tm);
	/* day 0 of the next month is the last day of this one */
	tm.tm_mon += 1;
	tm.tm_mday = 0;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int sched_mday(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_mday;
}

/* --- tasks ----------------------------------------------------------------------- */

int dwi_create_task(struct req *r, const char *date, const char *login, const char *action,
		    const char *param, const char *note, unsigned long long *id)
{
	struct sbuf n = SBUF_INIT;
	sbuf_puts(&n, note ? note : "");
	sbuf_truncate_chars(&n, 45);
	char now[20];
	clock_format_datetime(r->now, now);
	int rc = -1;
	if (db_exec(r->db,
		    "INSERT INTO `dealwithit` (`date`,`login`,`action`,`param`,`note`) VALUES (?,?,?,?,?)",
		    "sssss", date, login, action, param, sbuf_str(&n)) < 0)
		goto out;
	*id = db_insert_id(r->db);
	if (db_exec(r->db,
		    "INSERT INTO `dealwithithist` (`originalid`,`mtime`,`date`,`login`,`action`,`param`,"
		    "`note`,`admin`,`done`) VALUES (?,?,?,?,?,?,?,?,0)",
		    "isssssss", (long long)*id, now, date, login, action, param, sbuf_str(&n),
		    WEBLOG_ADMIN) < 0)
		goto out;
	/* Ubilling's exact text, two spaces and stray backtick included */
	rc = weblog(r, "SCHEDULER CREATE ID [%llu] (%s)  DATE `%s `ACTION `%s` NOTE `%s`", *id, login,
		    date, action, sbuf_str(&n));
out:
	sbuf_free(&n);
	return rc;
}

/* ubRouting's 'int' filter: the digits of s, nothing else. */
static void digits_of(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; s && *s && n + 1 < size; s++)
		if (isdigit((unsigned char)*s))
			out[n++] = *s;
	out[n] = '\0';
}

/* addcash's "summ" or "summ|cashtype" */
static bool split_addcash(const char *param, char *summ, size_t ssize, long *cashtype)
{
	const char *bar = strchr(param, '|');
	size_t len = bar ? (size_t)(bar - param) : strlen(param);
	if (len >= ssize)
		return false;
	memcpy(summ, param, len);
	summ[len] = '\0';
	*cashtype = 1;
	if (bar) {
		const char *ct = bar + 1;
		size_t ctlen = strcspn(ct, "|");
		if (ctlen > 0) {
			char buf[24];
			if (ctlen >= sizeof buf)
				return false;
			memcpy(buf, ct, ctlen);
			buf[ctlen] = '\0';
			if (!valid_uint(buf) || atol(buf) < 1)
				return false;
			*cashtype = atol(buf);
		}
	}
	return money_valid(summ);
}

struct money_task {
	enum cash_op op;
	char amount[MONEY_STR_MAX + 1];
	long cashtype;
	const char *note;
};

/* Recognises the three money actions; 1 money task, 0 not one, -1 bad param. */
static int money_task_of(const struct dwi_task *t, struct money_task *m)
{
	const char *param = t->param ? t->param : "";
	m->cashtype = 1;
	m->note = "SCHEDULED";
	if (strcmp(t->action, "addcash") == 0) {
		m->op = CASH_ADD;
		return split_addcash(param, m->amount, sizeof m->amount, &m->cashtype) ? 1 : -1;
	}
	if (strcmp(t->action, "corrcash") == 0)
		m->op = CASH_CORRECT;
	else if (strcmp(t->action, "setcash") == 0)
		m->op = CASH_SET;
	else
		return 0;
	if (!money_valid(param))
		return -1;
	snprintf(m->amount, sizeof m->amount, "%s", param);
	/* default-sale corrections keep their own note for the sales report */
	if (m->op == CASH_CORRECT && t->note && strstr(t->note, "DEFSALE:"))
		m->note = t->note;
	return 1;
}

bool dwi_money_preview(const struct req *r, const struct dwi_task *t, struct sbuf *amount,
		       struct sbuf *note, const char **table)
{
	(void)r;
	struct money_task m;
	if (money_task_of(t, &m) != 1)
		return false;
	sbuf_puts(amount, m.amount);
	sbuf_printf(note, "%s%s", m.op == CASH_SET ? "BALANCESET:" : "", m.note);
	*table = m.op == CASH_CORRECT ? "paymentscorr" : "payments";
	return true;
}

static enum dwi_result core(struct req *r, const char *login, enum billing_field f, const char *v)
{
	return billing_set(r, login, f, v) == 0 ? DWI_DONE : DWI_FAILED;
}

/* "<WHAT> CHANGE (login) ON `value`" after a successful core change */
static enum dwi_result logged(struct req *r, enum dwi_result rc, const char *what, const char *login,
			      const char *value)
{
	if (rc != DWI_DONE)
		return rc;
	return weblog(r, "%s CHANGE (%s) ON `%s`", what, login, value) == 0 ? DWI_DONE : DWI_PARTIAL;
}

static enum dwi_result do_reset(struct req *r, const char *login)
{
	if (billing_reset(r, login) != 0)
		return DWI_FAILED;
	return weblog(r, "RESET (%s)", login) == 0 ? DWI_DONE : DWI_PARTIAL;
}

static enum dwi_result do_flag(struct req *r, const char *login, enum billing_field f,
			       const char *v, const char *what)
{
	enum dwi_result rc = core(r, login, f, v);
	if (rc != DWI_DONE)
		return rc;
	return weblog(r, "%s CHANGE (%s) ON `%s`", what, login, v) == 0 ? DWI_DONE : DWI_PARTIAL;
}

static enum dwi_result do_tag(struct req *r, const char *login, const char *param, bool add)
{
	char tagid[24];
	digits_of(param, tagid, sizeof tagid);
	if (!valid_uint(tagid))
		return DWI_BAD_PARAM;
	long long n = add ? db_exec(r->db, "INSERT INTO `tags` (`tagid`,`login`) VALUES (?,?)", "ss",
				   tagid, login)
			  : db_exec(r->db, "DELETE FROM `tags` WHERE `login`=? AND `tagid`=?", "ss", login,
				    tagid);
	if (n < 0)
		return DWI_FAILED;
	return weblog(r, "TAG %s (%s) TAGID [%s]", add ? "ADD" : "DELETE", login, tagid) == 0
		       ? DWI_DONE : DWI_FAILED;
}

static enum dwi_result do_setspeed(struct req *r, const char *login, const char *param)
{
	char speed[24];
	digits_of(param, speed, sizeof speed);
	if (!valid_uint(speed))
		return DWI_BAD_PARAM;
	if (db_exec(r->db, "DELETE FROM `userspeeds` WHERE `login`=?", "s", login) < 0 ||
	    weblog(r, "SPEEDOVERRIDE DELETE (%s)", login) != 0 ||
	    db_exec(r->db, "INSERT INTO `userspeeds` (`login`,`speed`) VALUES (?,?)", "ss", login, speed) < 0 ||
	    weblog(r, "SPEEDOVERRIDE CREATE (%s) `%s`", login, speed) != 0)
		return DWI_FAILED;
	return do_reset(r, login);
}

static enum dwi_result do_setdiscount(struct req *r, const char *login, const char *param)
{
	if (!php_truthy(cfg_alter(r->cfg, "DISCOUNTS_ENABLED", "")))
		return DWI_DISABLED;
	char percent[24];
	digits_of(param, percent, sizeof percent);
	if (php_truthy(param)) {
		if (!valid_uint(percent))
			return DWI_BAD_PARAM;
		bool err = false;
		/* PHP keys discounts by login: the last row is the one it updates */
		char *id = db_value(r->db, &err,
				    "SELECT `id` FROM `discounts` WHERE `login`=? ORDER BY `id` DESC LIMIT 1",
				    "s", login);
		long long n = err ? -1
			      : id ? db_exec(r->db, "UPDATE `discounts` SET `percent`=? WHERE `id`=?", "ss",
					     percent, id)
				   : db_exec(r->db, "INSERT INTO `discounts` (`login`,`percent`) VALUES (?,?)",
					     "ss", login, percent);
		free(id);
		if (n < 0)
			return DWI_FAILED;
		ubcache_delete(r->cfg, "DISCOUNTS");
		if (weblog(r, "DISCOUNT SET (%s) PERCENT `%s`", login, percent) != 0)
			return DWI_FAILED;
	}
	return weblog(r, "DISCOUNT CHANGE (%s) PERCENT `%s`", login, param) == 0 ? DWI_DONE
										  : DWI_FAILED;
}

static enum dwi_result do_creditexpire(struct req *r, const char *login, const char *param)
{
	time_t when;
	if (!clock_parse_date(param, &when))
		return DWI_BAD_PARAM;
	char epoch[24];
	snprintf(epoch, sizeof epoch, "%lld", (long long)when);
	return logged(r, core(r, login, BF_CREDIT_EXPIRE, epoch), "CREDITEXPIRE",
		      login, param);
}

enum dwi_result dwi_perform(struct req *r, const struct dwi_task *t, enum cash_result *cash)
{
	const char *login = t->login, *a = t->action, *param = t->param ? t->param : "";
	*cash = CASH_DONE;
	struct money_task m;
	int money = money_task_of(t, &m);
	if (money < 0)
		return DWI_BAD_PARAM;
	if (money > 0) {
		struct cash_request c = {
			.login = login, .amount = m.amount, .op = m.op, .cashtype = m.cashtype, .note = m.note,
		};
		*cash = cash_add(r, &c);
		if (*cash == CASH_DB_FAILED && !billing_is_direct(r->cfg))
			return DWI_PARTIAL; /* Stargazer moved the money, the rows failed */
		return *cash == CASH_DONE ? DWI_DONE : *cash == CASH_BAD_INPUT ? DWI_BAD_PARAM : DWI_FAILED;
	}
	if (strcmp(a, "credit") == 0) {
		if (!money_valid(param))
			return DWI_BAD_PARAM;
		return logged(r, core(r, login, BF_CREDIT, param), "CREDIT", login,
			      param);
	}
	if (strcmp(a, "creditexpire") == 0)
		return do_creditexpire(r, login, param);
	if (strcmp(a, "tariffchange") == 0) {
		if (!*param || strlen(param) > 40 || strpbrk(param, "\"<>&\r\n"))
			return DWI_BAD_PARAM;
		enum dwi_result rc = logged(r, core(r, login, BF_TARIFF_NOW, param),
					    "TARIFF", login, param);
		if (rc == DWI_DONE && php_truthy(cfg_alter(r->cfg, "TARIFFCHGRESET", "")) &&
		    do_reset(r, login) != DWI_DONE)
			rc = DWI_PARTIAL;
		return rc;
	}
	if (strcmp(a, "tagadd") == 0 || strcmp(a, "tagdel") == 0)
		return do_tag(r, login, param, a[3] == 'a');
	if (strcmp(a, "freeze") == 0 || strcmp(a, "unfreeze") == 0)
		return do_flag(r, login, BF_PASSIVE, a[0] == 'f' ? "1" : "0", "PASSIVE");
	if (strcmp(a, "down") == 0 || strcmp(a, "undown") == 0)
		return do_flag(r, login, BF_DOWN, a[0] == 'd' ? "1" : "0", "DOWN");
	if (strcmp(a, "ao") == 0 || strcmp(a, "unao") == 0)
		return do_flag(r, login, BF_AONLINE, a[0] == 'a' ? "1" : "0", "ALWAYSONLINE");
	if (strcmp(a, "reset") == 0)
		return do_reset(r, login);
	if (strcmp(a, "setspeed") == 0)
		return do_setspeed(r, login, param);
	if (strcmp(a, "setdiscount") == 0)
		return do_setdiscount(r, login, param);
	return DWI_DONE;
}
