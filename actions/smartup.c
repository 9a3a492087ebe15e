/* smartup: the SmartUP middleware's two read-only lookups (spec
 * actions-services.md §7): which login and tariff an IP belongs to, and a
 * login's name, balance, tariff and OpenPayz id. Read fresh from the
 * database each time: Ubilling's 24-hour cache of the same rows is only a
 * speed-up, and a stale answer helps nobody. */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "config.h"
#include "db.h"
#include "ini.h"
#include "phpjson.h"
#include "util.h"

/* Ubilling's __('User not exists') in config.ini's default_lang. */
static const char *user_not_exists(const struct config *cfg)
{
	char *path = cfg_path(cfg, "config/config.ini");
	struct ini *ini = ini_load(path, INI_PHP);
	free(path);
	const char *v = ini ? ini_get(ini, "default_lang") : NULL;
	char *lang = v ? str_trim(xstrdup(v)) : NULL;
	const char *text = "Користувача не існує";
	if (lang && *lang) {
		if (strcmp(lang, "ru") == 0)
			text = "Пользователя не существует";
		else if (strcmp(lang, "es") == 0)
			text = "El usuario no existe";
		else if (strcmp(lang, "uk") != 0)
			text = "User not exists";
	}
	free(lang);
	if (ini)
		ini_free(ini);
	return text;
}

static void reply_json(struct req *r, cJSON *o)
{
	struct sbuf out = SBUF_INIT;
	if (phpjson_print(o, &out) != 0)
		sbuf_reset(&out);
	reply_set_type(r, CT_JSON);
	reply_text(r, sbuf_str(&out));
	sbuf_free(&out);
	cJSON_Delete(o);
}

/* The server compares IPs and logins by collation (case, trailing blanks);
 * PHP compares bytes, so rows are re-checked here. */
static void by_ip(struct req *r, const char *ip)
{
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `login`,`Tariff`,`IP` FROM `users` WHERE `IP`=? ORDER BY `login`", "s",
		     ip) != 0) {
		reply_db_error(r);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	size_t i = 0;
	while (i < rows.nrows && !(db_cell(&rows, i, 2) && strcmp(db_cell(&rows, i, 2), ip) == 0))
		i++;
	if (i < rows.nrows && db_cell(&rows, i, 0) && php_truthy(db_cell(&rows, i, 0))) {
		cJSON_AddItemToObject(o, "login", phpjson_dbval(db_cell(&rows, i, 0)));
		cJSON_AddItemToObject(o, "tp", phpjson_dbval(db_cell(&rows, i, 1)));
	} else {
		cJSON_AddStringToObject(o, "error", "user not exists");
	}
	db_rows_free(&rows);
	reply_json(r, o);
}

static void info(struct req *r, const char *login)
{
	struct db_rows u, pay;
	/* several realname rows for one login: PHP keeps the last one read */
	if (db_query(r->db, &u,
		     "SELECT `users`.`login`,`realname`.`realname`,`Cash`,`Tariff` FROM `users`"
		     " LEFT JOIN `realname` ON (`users`.`login`=`realname`.`login`)"
		     " WHERE `users`.`login`=? ORDER BY `realname`.`id`",
		     "s", login) != 0) {
		reply_db_error(r);
		return;
	}
	if (db_query(r->db, &pay, "SELECT `realid`,`virtualid` FROM `op_customers` WHERE `realid`=?", "s",
		     login) != 0) {
		db_rows_free(&u);
		reply_db_error(r);
		return;
	}
	size_t found = (size_t)-1;
	for (size_t i = 0; i < u.nrows; i++)
		if (db_cell(&u, i, 0) && strcmp(db_cell(&u, i, 0), login) == 0)
			found = i;
	const char *account = NULL;
	for (size_t i = 0; i < pay.nrows; i++)
		if (db_cell(&pay, i, 0) && strcmp(db_cell(&pay, i, 0), login) == 0)
			account = db_cell(&pay, i, 1);
	cJSON *o = cJSON_CreateObject();
	if (found != (size_t)-1) {
		cJSON_AddItemToObject(o, "fio", phpjson_dbval(db_cell(&u, found, 1)));
		cJSON_AddItemToObject(o, "balance", phpjson_dbval(db_cell(&u, found, 2)));
		cJSON_AddItemToObject(o, "tariff", phpjson_dbval(db_cell(&u, found, 3)));
		cJSON_AddItemToObject(o, "account", phpjson_dbval(account));
	} else {
		cJSON_AddStringToObject(o, "error", user_not_exists(r->cfg));
	}
	db_rows_free(&u);
	db_rows_free(&pay);
	reply_json(r, o);
}

void cmd_smartup(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "SMARTUP_ENABLED", "0"))) {
		reply_text(r, "ERROR: SMARTUP DISABLED");
		return;
	}
	const char *param = req_param(r, "param");
	if (!param_present(&r->params, "param")) {
		reply_text(r, "ERROR: EMPTY PARAM");
		return;
	}
	if (strcmp(param, "user") == 0) {
		if (!param_present(&r->params, "ip"))
			reply_text(r, "ERROR: NO IP");
		else
			by_ip(r, req_param(r, "ip"));
	} else if (strcmp(param, "info") == 0) {
		if (!param_present(&r->params, "login"))
			reply_text(r, "ERROR: NO LOGIN");
		else
			info(r, req_param(r, "login"));
	} else {
		reply_text(r, "ERROR: WRONG PARAM");
	}
}
