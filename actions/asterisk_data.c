/* asterisk JSON/data params: user data by login or mobile, contracts by
 * mobile, adding a mobile, vservices count, spends, online days left,
 * contragent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asterisk_int.h"
#include "money.h"
#include "phones.h"
#include "phpjson.h"
#include "ubcache.h"
#include "userdata.h"
#include "util.h"
#include "userdata.h"
#include "weblog.h"

static void reply_json(struct req *r, cJSON *v, bool php_arrays)
{
	struct sbuf out = SBUF_INIT;
	if ((php_arrays ? phpjson_print_php(v, &out) : phpjson_print(v, &out)) != 0)
		sbuf_reset(&out);
	reply_set_type(r, CT_JSON);
	reply_text(r, sbuf_str(&out));
	reply_set_type(r, CT_JSON);
	sbuf_free(&out);
}

static const char *const UD_KEYS[] = { "login", "Password", "Cash", "Credit", "CreditExpire", "Passive",
				       "Down", "AlwaysOnline", "Tariff", "Fee", "period", "contract",
				       "mobile", "agentid", "contrname" };

/* Asterisk::getUserData for one login into obj (keyed by login). */
static int user_data_into(struct req *r, const char *login, cJSON *obj)
{
	struct db_rows u;
	if (db_query(r->db, &u,
		     "SELECT `users`.`login`, `Password`, `Cash`, `Credit`, `CreditExpire`, `Passive`, `Down`,"
		     " `AlwaysOnline`, `Tariff`, `tariffs`.`Fee`, `tariffs`.`period`, `contracts`.`contract`,"
		     " `phones`.`mobile`, `ahenassignstrict`.`agentid`, `contrahens`.`contrname` FROM `users`"
		     " LEFT JOIN `tariffs` ON (`users`.`Tariff` = `tariffs`.`name`)"
		     " LEFT JOIN `contracts` ON (`contracts`.`login` = `users`.`login`)"
		     " LEFT JOIN `phones` ON (`phones`.`login` = `users`.`login`)"
		     " LEFT JOIN `ahenassignstrict` ON (`ahenassignstrict`.`login` = `users`.`login`)"
		     " LEFT JOIN `contrahens` ON (`ahenassignstrict`.`agentid` = `contrahens`.`id`)"
		     " WHERE `users`.`login` = ? ORDER BY `contracts`.`id` DESC, `phones`.`id` DESC,"
		     " `ahenassignstrict`.`id` DESC LIMIT 1",
		     "s", login) != 0)
		return -1;
	if (u.nrows) {
		const char *key = db_cell(&u, 0, 0);
		cJSON *rec = cJSON_CreateObject();
		for (size_t i = 0; i < sizeof UD_KEYS / sizeof *UD_KEYS; i++)
			cJSON_AddItemToObject(rec, UD_KEYS[i], phpjson_dbval(db_cell(&u, 0, i)));
		if (php_truthy(cfg_alter(r->cfg, "MOBILES_EXT", ""))) {
			struct db_rows m;
			if (db_query(r->db, &m, "SELECT `mobile` FROM `mobileext` WHERE `login` = ? ORDER BY `id`", "s",
				     key) != 0) {
				cJSON_Delete(rec);
				db_rows_free(&u);
				return -1;
			}
			cJSON *list = cJSON_AddArrayToObject(rec, "ext_mobiles");
			for (size_t i = 0; i < m.nrows; i++)
				cJSON_AddItemToArray(list, phpjson_dbval(db_cell(&m, i, 0)));
			db_rows_free(&m);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		cJSON_AddItemToObject(obj, key, rec);
	}
	db_rows_free(&u);
	return 0;
}

void ast_getuserdatabylogin(struct req *r, struct ast *a)
{
	if (param_present(&r->params, "userpass")) {
		char *pass = db_value(r->db, NULL, "SELECT `Password` FROM `users` WHERE `login` = ?", "s", a->login);
		bool ok = pass && strcmp(pass, req_param(r, "userpass")) == 0;
		free(pass);
		if (!ok) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "ERROR", "Auth failed");
			reply_json(r, e, false);
			cJSON_Delete(e);
			return;
		}
	}
	cJSON *obj = cJSON_CreateObject();
	if (user_data_into(r, a->login, obj) != 0)
		reply_db_error(r);
	else
		reply_json(r, obj, true);
	cJSON_Delete(obj);
}

/* getLoginsByMobile, refusing numbers that would match everybody. */
static int logins_by_mobile(struct req *r, const char *number, struct strlist *out)
{
	if (!phones_like_number_ok(number))
		return 0;
	return phones_like(r, number, out);
}

void ast_getuserdatabymobile(struct req *r, struct ast *a)
{
	struct strlist logins = { 0 };
	cJSON *obj = cJSON_CreateObject();
	int rc = logins_by_mobile(r, a->number, &logins);
	for (size_t i = 0; rc == 0 && i < logins.n; i++)
		if (!cJSON_GetObjectItemCaseSensitive(obj, logins.v[i]))
			rc = user_data_into(r, logins.v[i], obj);
	if (rc != 0)
		reply_db_error(r);
	else
		reply_json(r, obj, true);
	cJSON_Delete(obj);
	strlist_free(&logins);
}

void ast_getcontractsbymobile(struct req *r, struct ast *a)
{
	struct strlist logins = { 0 };
	cJSON *list = cJSON_CreateArray();
	int rc = logins_by_mobile(r, a->number, &logins);
	for (size_t i = 0; rc == 0 && i < logins.n; i++) {
		bool err = false;
		char *c = db_value(r->db, &err, "SELECT `contract` FROM `contracts` WHERE `login` = ? ORDER BY `id` LIMIT 1",
				   "s", logins.v[i]);
		if (err)
			rc = -1;
		cJSON_AddItemToArray(list, phpjson_dbval(c));
		free(c);
	}
	if (rc != 0)
		reply_db_error(r);
	else
		reply_json(r, list, false);
	cJSON_Delete(list);
	strlist_free(&logins);
}

static void json_msg(struct req *r, const char *key, const char *text)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, key, text);
	reply_json(r, e, false);
	cJSON_Delete(e);
}

static bool mobile_ok(const char *s)
{
	if (!s[0] || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '+'))
			return false;
	return true;
}

static int add_mobile(struct req *r, struct ast *a, long max)
{
	struct db_rows ph, ext;
	if (db_query(r->db, &ph, "SELECT `mobile` FROM `phones` WHERE `login` = ? ORDER BY `id` DESC LIMIT 1", "s",
		     a->login) != 0)
		return -1;
	const char *use_ext = cfg_alter(r->cfg, "MOBILES_EXT", "");
	if (db_query(r->db, &ext, "SELECT `mobile` FROM `mobileext` WHERE `login` = ? AND ? ORDER BY `id`", "si",
		     a->login, (long long)php_truthy(use_ext)) != 0) {
		db_rows_free(&ph);
		return -1;
	}
	int rc = 0;
	if (ph.nrows) {
		const char *main = db_cell(&ph, 0, 0) ? db_cell(&ph, 0, 0) : "";
		bool dup = strcmp(main, a->number) == 0;
		for (size_t i = 0; i < ext.nrows; i++)
			dup |= db_cell(&ext, i, 0) && strcmp(db_cell(&ext, i, 0), a->number) == 0;
		size_t count = (main[0] ? 1 : 0) + ext.nrows;
		if (dup) {
			json_msg(r, "ERROR", "Such mobile already exists for this user");
		} else if (max > 0 && count >= (size_t)max) {
			json_msg(r, "ERROR", "Max mobiles count threshold reached");
		} else if (!main[0] || strcmp(main, "0") == 0) {
			rc = db_exec(r->db, "UPDATE `phones` SET `mobile` = ? WHERE `login` = ?", "ss", a->number, a->login) < 0;
			if (!rc) {
				weblog(r, "MOBILE CHANGE (%s) `%s`", a->login, a->number);
				ubcache_delete(r->cfg, "USER_ALL_DATA");
				ubcache_delete(r->cfg, "USER_ALL_REALNAMES");
			}
		} else {
			rc = db_exec(r->db, "INSERT INTO `mobileext` (`login`, `mobile`, `notes`) VALUES (?, ?, 'Added by Asterisk')",
				     "ss", a->login, a->number) < 0;
			if (!rc)
				weblog(r, "MOBILEEXT CREATE (%s) MOBILE `%s` [%llu]", a->login, a->number,
				       db_insert_id(r->db));
		}
		if (dup || (max > 0 && count >= (size_t)max))
			goto out;
	} else {
		rc = db_exec(r->db, "INSERT INTO `phones` (`login`, `phone`, `mobile`) VALUES (?, '', ?)", "ss", a->login,
			     a->number) < 0;
		if (!rc) {
			weblog(r, "PHONE CREATE (%s) `` `%s`", a->login, a->number);
			ubcache_delete(r->cfg, "USER_ALL_DATA");
			ubcache_delete(r->cfg, "USER_ALL_REALNAMES");
		}
	}
	if (!rc) {
		phones_invalidate();
		ubcache_delete(r->cfg, "USER_ALL_PHONES_DATA");
		json_msg(r, "SUCCES", "Mobile added");
	}
out:
	db_rows_free(&ph);
	db_rows_free(&ext);
	return rc ? -1 : 0;
}

void ast_addusermobile(struct req *r, struct ast *a)
{
	const char *max = param_present(&r->params, "maxmobilesamnt") ? req_param(r, "maxmobilesamnt") : "0";
	if (!a->have_user || !mobile_ok(a->number) || !valid_uint(max)) {
		json_msg(r, "ERROR", "Wrong parameters");
		return;
	}
	if (add_mobile(r, a, atol(max)) != 0)
		reply_db_error(r);
}

/* ---------------------------------------------------------------- by login */

static const char VSRV_SQL[] =
	"SELECT `tagtypes`.`tagname`, `v`.`price`, `v`.`charge_period_days` FROM `tags`"
	" JOIN `vservices` AS `v` ON `v`.`id` = (SELECT MAX(`id`) FROM `vservices` WHERE `vservices`.`tagid` = `tags`.`tagid`)"
	" LEFT JOIN `tagtypes` ON `tagtypes`.`id` = `tags`.`tagid` WHERE `tags`.`login` = ? ORDER BY `tags`.`id`";

static void vservices_count(struct req *r, const char *login)
{
	struct db_rows v;
	if (db_query(r->db, &v, VSRV_SQL, "s", login) != 0) {
		reply_db_error(r);
		return;
	}
	reply_printf(r, "%zu", v.nrows);
	db_rows_free(&v);
}

static void user_spends(struct req *r, const char *login)
{
	struct db_rows t, v;
	if (db_query(r->db, &t,
		     "SELECT `Tariff`, `tariffs`.`Fee`, `tariffs`.`period` FROM `users` LEFT JOIN `tariffs`"
		     " ON (`users`.`Tariff` = `tariffs`.`name`) WHERE `users`.`login` = ?",
		     "s", login) != 0)
		return reply_db_error(r);
	if (db_query(r->db, &v, VSRV_SQL, "s", login) != 0) {
		db_rows_free(&t);
		return reply_db_error(r);
	}
	cJSON *obj = cJSON_CreateObject();
	struct db_rows *src[2] = { &t, &v };
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < src[s]->nrows; i++) {
			const char *name = db_cell(src[s], i, 0) ? db_cell(src[s], i, 0) : "";
			cJSON *e = cJSON_CreateObject();
			cJSON_AddItemToObject(e, "price", phpjson_dbval(db_cell(src[s], i, 1)));
			cJSON_AddItemToObject(e, "daysperiod", phpjson_dbval(db_cell(src[s], i, 2)));
			if (cJSON_GetObjectItemCaseSensitive(obj, name))
				cJSON_ReplaceItemInObjectCaseSensitive(obj, name, e);
			else
				cJSON_AddItemToObject(obj, name, e);
		}
	reply_json(r, obj, true);
	cJSON_Delete(obj);
	db_rows_free(&t);
	db_rows_free(&v);
}

static int days_in_month_at(time_t base, int plus_days, int *mday)
{
	struct tm tm;
	localtime_r(&base, &tm);
	tm.tm_mday += plus_days;
	tm.tm_isdst = -1;
	mktime(&tm);
	*mday = tm.tm_mday;
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = tm.tm_year + 1900;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dm[tm.tm_mon] + (tm.tm_mon == 1 && leap);
}

/* FundsFlow::getOnlineLeftCountFast, in doubles as PHP computes it. */
static void online_days_left(struct req *r, const char *login)
{
	struct db_rows u;
	if (db_query(r->db, &u,
		     "SELECT `Cash`, `tariffs`.`Fee`, `tariffs`.`period` FROM `users` JOIN `tariffs`"
		     " ON (`users`.`Tariff` = `tariffs`.`name`) WHERE `users`.`login` = ?",
		     "s", login) != 0)
		return reply_db_error(r);
	if (!u.nrows) {
		db_rows_free(&u);
		reply_text(r, "0");
		return;
	}
	double cash = atof(db_cell(&u, 0, 0) ? db_cell(&u, 0, 0) : "0");
	double fee = atof(db_cell(&u, 0, 1) ? db_cell(&u, 0, 1) : "0");
	bool month = !db_cell(&u, 0, 2) || strcmp(db_cell(&u, 0, 2), "month") == 0;
	db_rows_free(&u);
	bool incl = param_present(&r->params, "includevsrvs") ||
		    php_truthy(cfg_alter(r->cfg, "FUNDSFLOW_CONSIDER_VSERVICES", ""));
	if (incl) {
		struct db_rows v;
		if (db_query(r->db, &v, VSRV_SQL, "s", login) != 0)
			return reply_db_error(r);
		int mday;
		int dim = days_in_month_at(r->now, 0, &mday);
		for (size_t i = 0; i < v.nrows; i++) {
			double p = atof(db_cell(&v, i, 1) ? db_cell(&v, i, 1) : "0");
			long n = atol(db_cell(&v, i, 2) ? db_cell(&v, i, 2) : "0");
			double daily = n != 0 ? (n > 1 ? p / (double)n : p) : 0;
			fee += month ? (daily == 0 ? p : daily * dim) : (daily == 0 ? p : daily);
		}
		db_rows_free(&v);
	}
	if (cash < 0) {
		reply_text(r, "-1");
		return;
	}
	if (fee <= 0) {
		reply_text(r, "-2");
		return;
	}
	bool spread = php_truthy(cfg_alter(r->cfg, "SPREAD_FEE", ""));
	long days = 0;
	for (long guard = 0; cash >= 0 && guard < 100000; guard++) {
		int mday, dim = days_in_month_at(r->now, (int)days, &mday);
		if (spread && month) {
			days++;
			cash -= fee / days_in_month_at(r->now, (int)days, &mday);
		} else if (!spread && month) {
			days = days + dim - mday + 1;
			cash -= fee;
		} else {
			days++;
			cash -= fee;
		}
	}
	reply_printf(r, "%ld", days);
}

void ast_data_by_login(struct req *r, struct ast *a, const char *param)
{
	char *login = xstrdup(a->login);
	if (!login[0] && a->number[0]) {
		struct strlist l = { 0 };
		if (logins_by_mobile(r, a->number, &l) != 0) {
			free(login);
			return reply_db_error(r);
		}
		if (l.n) {
			free(login);
			login = xstrdup(l.v[0]);
		}
		strlist_free(&l);
	}
	if (!strcmp(param, "getvservicescount"))
		vservices_count(r, login);
	else if (!strcmp(param, "getuserspends"))
		user_spends(r, login);
	else if (!strcmp(param, "getonlinedaysleft"))
		online_days_left(r, login);
	else {
		cJSON *agent = NULL;
		if (agent_data(r, login, false, &agent) != 0)
			reply_db_error(r);
		else
			reply_json(r, agent, true);
		cJSON_Delete(agent);
	}
	free(login);
}
