/* btrxpolls: push today's votes of running user polls to a Bitrix24
 * webhook (spec actions-services §9). No local state: every run of the day
 * re-sends the whole day, the receiver de-duplicates. */
#include "actions.h"
#include "bitrix.h"
#include "clock.h"
#include "phpjson.h"
#include "stardust.h"
#include "userdata.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define POLLS_LOCK "BTRX42_POLLS"

/* strtotime() as the PHP comparison sees it: false (unparsable, zero
 * dates) counts as 0. */
static long long poll_time(const char *s)
{
	time_t t;
	return s && clock_parse_datetime(s, &t) ? (long long)t : 0;
}

static cJSON *child(cJSON *map, const char *key)
{
	cJSON *c = key ? cJSON_GetObjectItemCaseSensitive(map, key) : NULL;
	if (!c && key)
		c = cJSON_AddObjectToObject(map, key);
	return c;
}

/* poll id => { login => vote row }, later votes replacing earlier ones in
 * place, as PHP's keyed array does. */
static int load_votes(struct db *db, cJSON *votes)
{
	struct db_rows rows = { 0 };
	if (db_query(db, &rows, "SELECT `poll_id`, `login`, `date`, `option_id` FROM `polls_votes` ORDER BY `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 1);
		cJSON *poll = child(votes, db_cell(&rows, i, 0));
		if (!poll || !login)
			continue;
		cJSON *v = cJSON_CreateObject();
		cJSON_AddItemToObject(v, "date", phpjson_dbval(db_cell(&rows, i, 2)));
		cJSON_AddItemToObject(v, "option_id", phpjson_dbval(db_cell(&rows, i, 3)));
		if (cJSON_GetObjectItemCaseSensitive(poll, login))
			cJSON_ReplaceItemInObjectCaseSensitive(poll, login, v);
		else
			cJSON_AddItemToObject(poll, login, v);
	}
	db_rows_free(&rows);
	return 0;
}

static int load_options(struct db *db, cJSON *options)
{
	struct db_rows rows = { 0 };
	if (db_query(db, &rows, "SELECT `poll_id`, `id`, `text` FROM `polls_options` ORDER BY `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		cJSON *poll = child(options, db_cell(&rows, i, 0));
		const char *id = db_cell(&rows, i, 1);
		if (poll && id && !cJSON_GetObjectItemCaseSensitive(poll, id))
			cJSON_AddItemToObject(poll, id, phpjson_dbval(db_cell(&rows, i, 2)));
	}
	db_rows_free(&rows);
	return 0;
}

static cJSON *dup_or_null(const cJSON *v)
{
	return v ? cJSON_Duplicate(v, false) : cJSON_CreateNull();
}

/* The export object, or NULL on a DB error. */
static cJSON *collect(struct req *r)
{
	cJSON *out = cJSON_CreateObject(), *votes = cJSON_CreateObject(), *options = cJSON_CreateObject();
	cJSON *users = NULL;
	struct db_rows polls = { 0 };
	char today[11];
	clock_format_date(r->now, today);
	long long now = (long long)r->now;
	if (db_query(r->db, &polls, "SELECT `id`, `title`, `enabled`, `start_date`, `end_date`, `voting` FROM `polls` ORDER BY `id`", "") != 0 ||
	    load_votes(r->db, votes) != 0 || load_options(r->db, options) != 0 || userdata_all(r, &users) != 0) {
		cJSON_Delete(out);
		out = NULL;
		goto done;
	}
	for (size_t i = 0; i < polls.nrows; i++) {
		const char *id = db_cell(&polls, i, 0), *enabled = db_cell(&polls, i, 2), *voting = db_cell(&polls, i, 5);
		long long pid;
		if (!id || !php_key_int(id, &pid) || !enabled || strcmp(enabled, "1") != 0 || !voting || strcmp(voting, "Users") != 0)
			continue;
		if (now < poll_time(db_cell(&polls, i, 3)) || now > poll_time(db_cell(&polls, i, 4)))
			continue;
		cJSON *list = cJSON_CreateArray();
		cJSON *pv = cJSON_GetObjectItemCaseSensitive(votes, id);
		cJSON *po = cJSON_GetObjectItemCaseSensitive(options, id);
		for (const cJSON *v = pv ? pv->child : NULL; v; v = v->next) {
			const cJSON *date = cJSON_GetObjectItemCaseSensitive(v, "date");
			const cJSON *opt = cJSON_GetObjectItemCaseSensitive(v, "option_id");
			if (!cJSON_IsString(date) || !strstr(date->valuestring, today))
				continue;
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(users, v->string);
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "login", v->string);
			cJSON_AddItemToObject(e, "vote", dup_or_null(cJSON_IsString(opt) ? cJSON_GetObjectItemCaseSensitive(po, opt->valuestring) : NULL));
			cJSON_AddItemToObject(e, "option_id", dup_or_null(opt));
			cJSON_AddItemToObject(e, "address", dup_or_null(cJSON_GetObjectItemCaseSensitive(u, "fulladress")));
			cJSON_AddItemToObject(e, "date", dup_or_null(date));
			cJSON_AddItemToArray(list, e);
		}
		if (!list->child) {
			cJSON_Delete(list);
			continue;
		}
		cJSON *p = cJSON_AddObjectToObject(out, id);
		cJSON_AddNumberToObject(p, "id", (double)pid);
		cJSON_AddItemToObject(p, "title", phpjson_dbval(db_cell(&polls, i, 1)));
		cJSON_AddStringToObject(p, "enabled", enabled);
		cJSON_AddItemToObject(p, "votes", list);
	}
done:
	db_rows_free(&polls);
	cJSON_Delete(users);
	cJSON_Delete(votes);
	cJSON_Delete(options);
	return out;
}

void cmd_btrxpolls(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "BTRX24_ENABLED", ""))) {
		reply_text(r, "ERROR:BTRX24_DISABLED");
		return;
	}
	struct stardust lock;
	if (!stardust_take_or_reply(r, POLLS_LOCK, "SKIPPED:BTRXPOLLS_ALREADY_RUNNING", &lock))
		return;
	const char *url = cfg_alter(r->cfg, "BTRX24_POLLS_URL", "");
	cJSON *data = *url ? collect(r) : NULL;
	if (!*url) {
		reply_text(r, "ERROR:EX_NO_EXPORT_URL");
	} else if (!data) {
		reply_db_error(r);
	} else {
		if (data->child) {
			struct sbuf json = SBUF_INIT;
			/* the CRM's answer is ignored, as in PHP: tomorrow's runs
			 * cannot re-send today's votes anyway */
			if (phpjson_print_php(data, &json) == 0)
				(void)btrx_post(url, cfg_alter(r->cfg, "BTRX24_POLLS_VAR", "pollsupdtd"), sbuf_str(&json));
			sbuf_free(&json);
		}
		reply_text(r, "OK:BTRXPOLLS");
	}
	cJSON_Delete(data);
	stardust_give(r->db, &lock);
}
