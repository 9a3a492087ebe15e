/* btrxupd: push new or changed subscriber records to a Bitrix24 webhook
 * (spec actions-services §8). PHP keeps the last pushed records in its
 * cache (BTRX_DATA), which C cannot read; ubapi keeps them in ubstorage and
 * saves them only after the CRM answered 2xx, so a failed push is retried. */
#include "actions.h"
#include "clock.h"
#include "bitrix.h"
#include "phpjson.h"
#include "phpser.h"
#include "stardust.h"
#include "storage.h"
#include "switches.h"
#include "userdata.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTRX_LOCK "BITRX24_UPD"
#define BTRX_STATE_KEY "UBAPI_BTRX_STATE"

/* Everything the records need, each a login-keyed cJSON object. */
struct btrx {
	cJSON *users, *stg, *payids, *tags, *fees, *speeds, *pays, *mob2, *dwi, *signals;
};

static void btrx_free(struct btrx *b)
{
	cJSON_Delete(b->users);
	cJSON_Delete(b->stg);
	cJSON_Delete(b->payids);
	cJSON_Delete(b->tags);
	cJSON_Delete(b->fees);
	cJSON_Delete(b->speeds);
	cJSON_Delete(b->pays);
	cJSON_Delete(b->mob2);
	cJSON_Delete(b->dwi);
	cJSON_Delete(b->signals);
}

static cJSON *get(const cJSON *map, const char *key)
{
	return key ? cJSON_GetObjectItemCaseSensitive(map, key) : NULL;
}

/* PHP's $map[$key] = $value: a later row replaces the value in place. */
static void put(cJSON *map, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(map, key))
		cJSON_ReplaceItemInObjectCaseSensitive(map, key, v);
	else
		cJSON_AddItemToObject(map, key, v);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Two-column query into map: col0 => col1 (server text), last row wins. */
static int load_pairs(struct db *db, cJSON *map, const char *sql)
{
	struct db_rows rows = { 0 };
	if (db_query(db, &rows, sql, "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++)
		if (db_cell(&rows, i, 0))
			put(map, db_cell(&rows, i, 0), phpjson_dbval(db_cell(&rows, i, 1)));
	db_rows_free(&rows);
	return 0;
}

/* PHP is_numeric(): optional blanks, sign, digits with an optional
 * fraction, optional exponent, trailing blanks. */
static bool php_numeric(const char *s, bool *is_float)
{
	const char *p = s;
	*is_float = false;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
		p++;
	if (*p == '+' || *p == '-')
		p++;
	size_t digits = 0;
	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.') {
		*is_float = true;
		p++;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1;
		if (*e == '+' || *e == '-')
			e++;
		if (!(*e >= '0' && *e <= '9'))
			return false;
		while (*e >= '0' && *e <= '9')
			e++;
		*is_float = true;
		p = e;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
		p++;
	return *p == '\0';
}

static long long php_strtotime(const char *s)
{
	time_t t;
	return s && clock_parse_datetime(s, &t) ? (long long)t : 0;
}

/* First and latest positive payment, and their sum as PHP adds it: the
 * first summ stays the string, later ones turn it into an int or float. */
static int load_payments(struct db *db, cJSON *pays)
{
	struct db_rows rows = { 0 };
	if (db_query(db, &rows, "SELECT `login`, `date`, `summ` FROM `payments` WHERE `summ` > 0 ORDER BY `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0), *date = db_cell(&rows, i, 1), *summ = db_cell(&rows, i, 2);
		bool fl;
		if (!login || !summ || !php_numeric(summ, &fl))
			continue;
		cJSON *p = get(pays, login);
		if (!p) {
			p = cJSON_AddObjectToObject(pays, login);
			cJSON_AddNumberToObject(p, "first", (double)php_strtotime(date));
			cJSON_AddNumberToObject(p, "last", 0);
			cJSON_AddStringToObject(p, "text", summ);
			cJSON_AddNumberToObject(p, "n", 1);
			cJSON_AddNumberToObject(p, "sum", strtod(summ, NULL));
			cJSON_AddBoolToObject(p, "float", fl);
			continue;
		}
		cJSON_SetNumberValue(get(p, "last"), (double)php_strtotime(date));
		cJSON_SetNumberValue(get(p, "n"), get(p, "n")->valuedouble + 1);
		cJSON_SetNumberValue(get(p, "sum"), get(p, "sum")->valuedouble + strtod(summ, NULL));
		if (fl)
			cJSON_ReplaceItemInObjectCaseSensitive(p, "float", cJSON_CreateTrue());
	}
	db_rows_free(&rows);
	return 0;
}

/* A PHP float as json_encode prints it: shortest round-trip digits, and
 * ".0" when that reads as an integer. */
static cJSON *php_float(double v)
{
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strpbrk(buf, ".eEn"))
		strcat(buf, ".0");
	return cJSON_CreateRaw(buf);
}

/* All *_OLTSIGNALS containers merged (mac or serial => signal), then each
 * ONU's login gets its signal, the serial's winning over the mac's. */
static int load_signals(struct req *r, cJSON *signals)
{
	char *dir = cfg_path(r->cfg, "exports/pondata/signals");
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	cJSON *cache = cJSON_CreateObject();
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t len = strlen(nm);
		if (len >= 10 && strcmp(nm + len - 10, "OLTSIGNALS") == 0 && nm[0] != '.') {
			struct sbuf path = SBUF_INIT;
			sbuf_printf(&path, "%s/%s", dir, nm);
			size_t flen = 0;
			char *data = file_get(sbuf_str(&path), &flen);
			cJSON *m = data ? phpser_parse(data, flen) : NULL;
			for (cJSON *e = m ? m->child : NULL; e; e = e->next)
				if (e->string && (cJSON_IsString(e) || cJSON_IsNumber(e)))
					put(cache, e->string, cJSON_Duplicate(e, false));
			cJSON_Delete(m);
			free(data);
			sbuf_free(&path);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	if (!cache->child) {
		cJSON_Delete(cache);
		return 0;
	}
	struct db_rows rows = { 0 };
	if (db_query(r->db, &rows, "SELECT `login`, `mac`, `serial` FROM `pononu` WHERE `login` != '' AND `login` IS NOT NULL ORDER BY `id`", "") != 0) {
		cJSON_Delete(cache);
		return -1;
	}
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0);
		for (int col = 1; col <= 2; col++) {
			cJSON *s = get(cache, db_cell(&rows, i, (size_t)col));
			if (s)
				put(signals, login, cJSON_Duplicate(s, false));
		}
	}
	db_rows_free(&rows);
	cJSON_Delete(cache);
	return 0;
}

static int load_all(struct req *r, struct btrx *b)
{
	struct db *db = r->db;
	b->stg = cJSON_CreateObject();
	b->payids = cJSON_CreateObject();
	b->tags = cJSON_CreateObject();
	b->fees = cJSON_CreateObject();
	b->speeds = cJSON_CreateObject();
	b->pays = cJSON_CreateObject();
	b->mob2 = cJSON_CreateObject();
	b->dwi = cJSON_CreateObject();
	b->signals = cJSON_CreateObject();
	if (userdata_all(r, &b->users) != 0)
		return -1;

	struct db_rows rows = { 0 };
	if (db_query(db, &rows, "SELECT `login`, `CreditExpire`, `LastActivityTime` FROM `users`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "ce", phpjson_dbval(db_cell(&rows, i, 1)));
		cJSON_AddItemToObject(o, "lat", phpjson_dbval(db_cell(&rows, i, 2)));
		put(b->stg, db_cell(&rows, i, 0), o);
	}
	db_rows_free(&rows);

	/* PHP flips virtualid => login, so the id comes back as an int key */
	if (db_query(db, &rows, "SELECT `realid`, `virtualid` FROM `op_customers`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0), *vid = db_cell(&rows, i, 1);
		long long v;
		if (!login || !vid)
			continue;
		put(b->payids, login, php_key_int(vid, &v) ? cJSON_CreateNumber((double)v) : cJSON_CreateString(vid));
	}
	db_rows_free(&rows);

	/* one name per tag id, in the order the tags were set */
	if (db_query(db, &rows, "SELECT t.`login`, t.`tagid`, tt.`tagname` FROM `tags` t "
			 "LEFT JOIN `tagtypes` tt ON tt.`id` = t.`tagid` ORDER BY t.`id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0), *tagid = db_cell(&rows, i, 1);
		if (!login || !tagid)
			continue;
		cJSON *m = get(b->tags, login);
		if (!m)
			m = cJSON_AddObjectToObject(b->tags, login);
		const char *name = db_cell(&rows, i, 2);
		put(m, tagid, cJSON_CreateString(name ? name : ""));
	}
	db_rows_free(&rows);

	if (load_pairs(db, b->fees, "SELECT `name`, `Fee` FROM `tariffs`") != 0)
		return -1;
	if (db_query(db, &rows, "SELECT `tariff`, `speeddown`, `speedup` FROM `speeds` ORDER BY `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		if (!db_cell(&rows, i, 0))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "down", phpjson_dbval(db_cell(&rows, i, 1)));
		cJSON_AddItemToObject(o, "up", phpjson_dbval(db_cell(&rows, i, 2)));
		put(b->speeds, db_cell(&rows, i, 0), o);
	}
	db_rows_free(&rows);

	if (load_payments(db, b->pays) != 0)
		return -1;

	if (db_query(db, &rows, "SELECT `login`, `mobile` FROM `mobileext` ORDER BY `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++)
		if (db_cell(&rows, i, 0) && !get(b->mob2, db_cell(&rows, i, 0)))
			cJSON_AddItemToObject(b->mob2, db_cell(&rows, i, 0), phpjson_dbval(db_cell(&rows, i, 1)));
	db_rows_free(&rows);

	/* PHP orders by date DESC and keys by login: the oldest row wins */
	if (db_query(db, &rows, "SELECT `login`, `date`, `param` FROM `dealwithit` "
			 "WHERE `action` = 'tariffchange' ORDER BY `date` DESC, `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		if (!db_cell(&rows, i, 0))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "date", phpjson_dbval(db_cell(&rows, i, 1)));
		cJSON_AddItemToObject(o, "param", phpjson_dbval(db_cell(&rows, i, 2)));
		put(b->dwi, db_cell(&rows, i, 0), o);
	}
	db_rows_free(&rows);

	return load_signals(r, b->signals);
}

static cJSON *dbv(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v ? cJSON_Duplicate(v, false) : cJSON_CreateNull();
}

static cJSON *or_int(const cJSON *v, long long def)
{
	return v && !cJSON_IsNull(v) ? cJSON_Duplicate(v, false) : cJSON_CreateNumber((double)def);
}

/* One user's record, in PHP's field order. NULL on a DB error. */
static cJSON *user_record(struct req *r, const struct btrx *b, const char *login, const cJSON *u, bool lat)
{
	cJSON *rec = cJSON_CreateObject();
	const char *tariff = str_of(u, "Tariff");
	const cJSON *stg = get(b->stg, login);
	const cJSON *pay = get(b->pays, login);
	const cJSON *dwi = get(b->dwi, login);
	const cJSON *speed = get(b->speeds, tariff);

	cJSON_AddItemToObject(rec, "phone", dbv(u, "mobile"));
	cJSON_AddItemToObject(rec, "fio", dbv(u, "realname"));
	const cJSON *payid = get(b->payids, login);
	cJSON_AddItemToObject(rec, "pay_id", payid ? cJSON_Duplicate(payid, false) : cJSON_CreateString(""));
	cJSON_AddStringToObject(rec, "login", login);
	cJSON_AddItemToObject(rec, "password", dbv(u, "Password"));
	cJSON_AddItemToObject(rec, "tariff", dbv(u, "Tariff"));
	cJSON_AddItemToObject(rec, "balance", dbv(u, "Cash"));

	struct sbuf tags = SBUF_INIT;
	const cJSON *tm = get(b->tags, login);
	for (const cJSON *t = tm ? tm->child : NULL; t; t = t->next)
		sbuf_printf(&tags, "%s%s", t == tm->child ? "" : ",", t->valuestring);
	cJSON_AddStringToObject(rec, "tegs", sbuf_str(&tags));
	sbuf_free(&tags);

	cJSON_AddItemToObject(rec, "speed_up", or_int(get(speed, "up"), 0));
	cJSON_AddItemToObject(rec, "speed_down", or_int(get(speed, "down"), 0));
	cJSON_AddItemToObject(rec, "abonplata", or_int(get(b->fees, tariff), 0));
	cJSON_AddNumberToObject(rec, "cash_first_pay", pay ? get(pay, "first")->valuedouble : 0);
	const cJSON *m2 = get(b->mob2, login);
	cJSON_AddItemToObject(rec, "mobile2", m2 ? cJSON_Duplicate(m2, false) : cJSON_CreateString(""));
	/* PHP only records a "latest" payment from the second one on */
	cJSON_AddNumberToObject(rec, "cash_last_pay", pay ? get(pay, "last")->valuedouble : 0);
	cJSON_AddItemToObject(rec, "full_adress", dbv(u, "fulladress"));
	if (!pay)
		cJSON_AddNumberToObject(rec, "cash_all_pays", 0);
	else if (get(pay, "n")->valuedouble < 2)
		cJSON_AddStringToObject(rec, "cash_all_pays", str_of(pay, "text"));
	else if (cJSON_IsTrue(get(pay, "float")))
		cJSON_AddItemToObject(rec, "cash_all_pays", php_float(get(pay, "sum")->valuedouble));
	else
		cJSON_AddNumberToObject(rec, "cash_all_pays", get(pay, "sum")->valuedouble);

	long long dwi_at = 0;
	const char *dwi_date = dwi ? str_of(dwi, "date") : NULL;
	if (dwi_date && *dwi_date) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s 02:10:00", dwi_date);
		dwi_at = php_strtotime(buf);
	}
	cJSON_AddNumberToObject(rec, "deal_with_it1", (double)dwi_at);
	cJSON_AddItemToObject(rec, "deal_with_it2", dwi ? dbv(dwi, "param") : cJSON_CreateString(""));

	cJSON *agent = NULL;
	if (agent_data(r, login, true, &agent) != 0) {
		cJSON_Delete(agent);
		cJSON_Delete(rec);
		return NULL;
	}
	const char *owner = str_of(agent, "contrname");
	cJSON_AddStringToObject(rec, "owner", owner ? owner : "");
	cJSON_Delete(agent);

	cJSON_AddItemToObject(rec, "credit", dbv(u, "Credit"));
	cJSON_AddItemToObject(rec, "credit_day", dbv(stg, "ce"));
	cJSON_AddItemToObject(rec, "ip", dbv(u, "ip"));
	cJSON_AddItemToObject(rec, "mac", dbv(u, "mac"));
	cJSON_AddItemToObject(rec, "onu_signal", or_int(get(b->signals, login), 0));
	cJSON_AddItemToObject(rec, "lat", lat ? dbv(stg, "lat") : cJSON_CreateNumber(0));
	return rec;
}

static int run_export(struct req *r, const char *url)
{
	const char *var = cfg_alter(r->cfg, "BTRX24_EXPORT_VAR", "usrsupdtd");
	bool lat = php_truthy(cfg_alter(r->cfg, "BTRX24_EXPORT_LAT", ""));
	struct btrx b = { 0 };
	int rc = load_all(r, &b);
	char *raw = rc == 0 ? storage_get(r->db, BTRX_STATE_KEY) : NULL;
	cJSON *old = raw ? cJSON_Parse(raw) : NULL;
	free(raw);
	cJSON *state = cJSON_CreateObject(), *changed = cJSON_CreateArray();
	for (const cJSON *u = b.users ? b.users->child : NULL; rc == 0 && u; u = u->next) {
		cJSON *rec = user_record(r, &b, u->string, u, lat);
		if (!rec) {
			rc = -1;
			break;
		}
		/* the state holds what reading the stored text back gives */
		char *text = cJSON_PrintUnformatted(rec);
		cJSON *norm = text ? cJSON_Parse(text) : NULL;
		free(text);
		if (!norm) {
			cJSON_Delete(rec);
			rc = -1;
			break;
		}
		if (!cJSON_Compare(norm, get(old, u->string), true))
			cJSON_AddItemToArray(changed, rec);
		else
			cJSON_Delete(rec);
		cJSON_AddItemToObject(state, u->string, norm);
	}
	if (rc == 0 && changed->child) {
		struct sbuf json = SBUF_INIT;
		if (phpjson_print(changed, &json) == 0 && btrx_post(url, var, sbuf_str(&json)) == 0) {
			char *text = cJSON_PrintUnformatted(state);
			if (!text || storage_set(r->db, BTRX_STATE_KEY, text) != 0)
				rc = -1;
			free(text);
		}
		sbuf_free(&json);
	}
	cJSON_Delete(changed);
	cJSON_Delete(state);
	cJSON_Delete(old);
	btrx_free(&b);
	return rc;
}

void cmd_btrxupd(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "BTRX24_ENABLED", ""))) {
		reply_text(r, "ERROR:BTRX24_DISABLED");
		return;
	}
	struct stardust lock;
	if (!stardust_take_or_reply(r, BTRX_LOCK, "SKIPPED:BTRXUPD_ALREADY_RUNNING", &lock))
		return;
	const char *url = cfg_alter(r->cfg, "BTRX24_EXPORT_URL", "");
	if (!*url)
		reply_text(r, "ERROR:EX_NO_EXPORT_URL");
	else if (run_export(r, url) != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:BTRXUPD");
	stardust_give(r->db, &lock);
}
