#include "olltv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "httpc.h"
#include "money.h"
#include "prostotv.h"
#include "sbuf.h"
#include "util.h"
#include "weblog.h"

#define OLLTV_API_URL "http://oll.tv/ispAPI/"

enum { OT_ERROR = 1, OT_WARNING = 2, OT_INFO = 3 };

struct ot_tariff {
	long id;
	char *alias;
	char *fee_s;   /* the server's text; NULL for NULL */
	money_t fee;
	bool fee_ok;   /* readable and not negative */
};

struct ot_user {
	long id;
	char *login;
	long tariffid, addtariffid; /* 0 for NULL */
	bool active;
};

struct olltv {
	struct req *r;
	struct batch b;
	struct ot_tariff *tariffs;
	size_t ntariffs;
	struct ot_user *users;
	size_t nusers;
	int log_level;   /* OLLTV_DEBUG: 0 none .. 3 info */
	char *hash;      /* auth2's answer; "" when it failed, as in PHP */
};

/* exports/olltv.log, Ubilling's format and levels */
static void ot_log(struct olltv *o, int type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ot_log(struct olltv *o, int type, const char *fmt, ...)
{
	static const char *const names[] = { "", "Error", "Warning", "Info" };
	if (o->log_level == 0 || type > o->log_level)
		return;
	char *path = cfg_path(o->r->cfg, "exports/olltv.log");
	FILE *f = fopen(path, "a");
	if (f) {
		char when[32];
		clock_format_datetime(o->r->now, when);
		va_list ap;
		va_start(ap, fmt);
		fprintf(f, "%s %s: ", when, names[type]);
		vfprintf(f, fmt, ap);
		fputs(";\n", f);
		va_end(ap);
		fclose(f);
	} else {
		syslog(LOG_WARNING, "ubapi olltv: cannot write %s", path);
	}
	free(path);
}

static void form_field(struct sbuf *b, const char *name, const char *value)
{
	if (b->len)
		sbuf_putc(b, '&');
	sbuf_puts(b, name);
	sbuf_putc(b, '=');
	/* PHP's http_build_query: RFC 1738, space as '+' */
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			sbuf_putc(b, (char)*p);
		else if (*p == ' ')
			sbuf_putc(b, '+');
		else
			sbuf_printf(b, "%%%02X", *p);
	}
}

/* POST method with the form body; the decoded reply when its status is the
 * integer 0, else NULL (logged). */
static cJSON *ot_call(struct olltv *o, const char *method, const char *body, const char *shown)
{
	const struct config *cfg = o->r->cfg;
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;
	const char *base = cfg_ubapi(cfg, "olltv_api_url", OLLTV_API_URL);
	sbuf_puts(&url, base);
	if (!url.len || url.s[url.len - 1] != '/')
		sbuf_putc(&url, '/');
	sbuf_puts(&url, method);
	ot_log(o, OT_INFO, "[_sendToAPI] - send request to url: %s", sbuf_str(&url));
	ot_log(o, OT_INFO, "[_sendToAPI] - send request data: %s", shown);
	struct http_request q = {
		.method = "POST",
		.url = sbuf_str(&url),
		.body = body,
		.body_len = strlen(body),
		.timeout_ms = cfg_ubapi_long(cfg, "olltv_timeout_ms", 30000),
		.connect_timeout_ms = cfg_ubapi_long(cfg, "olltv_connect_timeout_ms", 10000),
	};
	struct http_response resp;
	cJSON *root = NULL;
	if (http_request(&q, &resp, &err) != 0) {
		ot_log(o, OT_ERROR, "[_readResult] - cannot read result: %s", sbuf_str(&err));
		syslog(LOG_ERR, "ubapi olltv: %s: %s", method, sbuf_str(&err));
		goto out;
	}
	ot_log(o, OT_INFO, "[_readResult] - read result: %s", resp.body.s ? resp.body.s : "");
	root = resp.body.s ? cJSON_Parse(resp.body.s) : NULL;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(st)) {
		ot_log(o, OT_ERROR, "[_return] - API result is bad type (HTTP %ld)", resp.status);
		syslog(LOG_ERR, "ubapi olltv: %s: bad answer (HTTP %ld)", method, resp.status);
		cJSON_Delete(root);
		root = NULL;
		goto out;
	}
	const cJSON *warn = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (warn && !cJSON_IsNull(warn) && !cJSON_IsFalse(warn)) {
		char *w = cJSON_PrintUnformatted(warn);
		ot_log(o, OT_ERROR, "[_return] - API warnings: %s", w ? w : "");
		free(w);
	}
	if (st->valuedouble != 0) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "message");
		if (cJSON_IsString(msg))
			ot_log(o, OT_ERROR, "Code #%g %s", st->valuedouble, msg->valuestring);
		else
			ot_log(o, OT_ERROR, "[_return] - API return false status");
		syslog(LOG_ERR, "ubapi olltv: %s refused (status %g)", method, st->valuedouble);
		cJSON_Delete(root);
		root = NULL;
		goto out;
	}
	ot_log(o, OT_INFO, "[_return] - return API result");
out:
	http_response_free(&resp);
	sbuf_free(&url);
	sbuf_free(&err);
	return root;
}

/* Ubilling authenticates before anything else; a failure only means the
 * later calls carry an empty hash and fail */
static void ot_auth(struct olltv *o, const char *login, const char *password)
{
	struct sbuf body = SBUF_INIT, shown = SBUF_INIT;
	form_field(&body, "login", login);
	form_field(&body, "password", password);
	form_field(&shown, "login", login);
	sbuf_puts(&shown, "&password=*************");
	cJSON *root = ot_call(o, "auth2", sbuf_str(&body), sbuf_str(&shown));
	const cJSON *hash = cJSON_GetObjectItemCaseSensitive(root, "hash");
	free(o->hash);
	if (cJSON_IsString(hash) && hash->valuestring[0]) {
		o->hash = xstrdup(hash->valuestring);
	} else {
		o->hash = xstrdup("");
		ot_log(o, OT_ERROR, "[_auth] - false authenticate");
	}
	cJSON_Delete(root);
	sbuf_free(&body);
	sbuf_free(&shown);
}

/* disableBundle: confirmed when status is 0 and data is present */
static bool ot_disable_bundle(struct olltv *o, const char *login, const char *alias)
{
	struct sbuf body = SBUF_INIT;
	form_field(&body, "account", login);
	form_field(&body, "sub_id", alias);
	form_field(&body, "type", "subs_negative_balance");
	form_field(&body, "hash", o->hash);
	cJSON *root = ot_call(o, "disableBundle", sbuf_str(&body), sbuf_str(&body));
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	bool ok = data && !cJSON_IsNull(data);
	cJSON_Delete(root);
	sbuf_free(&body);
	return ok;
}

static int ot_load(struct olltv *o)
{
	struct db_rows rows;
	if (db_query(o->r->db, &rows, "SELECT `id`,`alias`,`fee` FROM `ot_tariffs` ORDER BY `id`", "") != 0)
		return -1;
	o->ntariffs = rows.nrows;
	o->tariffs = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *o->tariffs);
	for (size_t i = 0; i < rows.nrows; i++) {
		struct ot_tariff *t = &o->tariffs[i];
		const char *id = db_cell(&rows, i, 0), *alias = db_cell(&rows, i, 1),
			   *fee = db_cell(&rows, i, 2);
		t->id = id ? atol(id) : 0;
		t->alias = xstrdup(alias ? alias : "");
		t->fee_s = fee ? xstrdup(fee) : NULL;
		t->fee_ok = fee && money_parse_db(fee, &t->fee) && t->fee.units >= 0;
	}
	db_rows_free(&rows);
	if (db_query(o->r->db, &rows,
		     "SELECT `id`,`login`,`tariffid`,`addtariffid`,`active` FROM `ot_users` ORDER BY `id`",
		     "") != 0)
		return -1;
	o->nusers = rows.nrows;
	o->users = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *o->users);
	for (size_t i = 0; i < rows.nrows; i++) {
		struct ot_user *u = &o->users[i];
		const char *v;
		u->id = (v = db_cell(&rows, i, 0)) ? atol(v) : 0;
		u->login = xstrdup((v = db_cell(&rows, i, 1)) ? v : "");
		u->tariffid = (v = db_cell(&rows, i, 2)) ? atol(v) : 0;
		u->addtariffid = (v = db_cell(&rows, i, 3)) ? atol(v) : 0;
		u->active = (v = db_cell(&rows, i, 4)) && php_truthy(v);
	}
	db_rows_free(&rows);
	return 0;
}

static void ot_free(struct olltv *o)
{
	for (size_t i = 0; i < o->ntariffs; i++) {
		free(o->tariffs[i].alias);
		free(o->tariffs[i].fee_s);
	}
	for (size_t i = 0; i < o->nusers; i++)
		free(o->users[i].login);
	free(o->tariffs);
	free(o->users);
	free(o->hash);
}

static const struct ot_tariff *ot_tariff_find(const struct olltv *o, long id)
{
	for (size_t i = 0; i < o->ntariffs; i++)
		if (o->tariffs[i].id == id)
			return &o->tariffs[i];
	return NULL;
}

static void ot_charge(struct olltv *o, const struct ot_user *u, long tid)
{
	const struct ot_tariff *t = ot_tariff_find(o, tid);
	if (!t) {
		/* the empty AS [] is Ubilling's text (its id is unset there) */
		batch_weblog(&o->b, "OLLTV CHARGE FAIL NOTARIFF [%ld] FOR (%s) AS []", tid, u->login);
		return;
	}
	struct sbuf amount = SBUF_INIT, note = SBUF_INIT, ev = SBUF_INIT;
	if (tv_fee_amount(t->fee_s, &amount)) {
		sbuf_printf(&note, "OLLTV:%ld", tid);
		sbuf_printf(&ev, "OLLTV CHARGE TARIFF [%ld] FEE `%s` FOR (%s) AS [%ld]", tid, t->fee_s,
			    u->login, u->id);
		tv_fee_unit(&o->b, u->login, sbuf_str(&amount), sbuf_str(&note), sbuf_str(&ev));
	}
	sbuf_free(&amount);
	sbuf_free(&note);
	sbuf_free(&ev);
}

/* Provider first: the local row is marked suspended only when oll.tv
 * confirmed, so a refused or lost call is retried by the next run. */
static void ot_suspend(struct olltv *o, const struct ot_user *u, const struct ot_tariff *main_t)
{
	struct batch *b = &o->b;
	if (b->dry) {
		struct sbuf what = SBUF_INIT;
		sbuf_printf(&what, "[%ld]", u->tariffid);
		batch_dry_line(b, u->login, "SUSPEND", sbuf_str(&what), "ot_users");
		sbuf_free(&what);
		return;
	}
	if (u->addtariffid) {
		const struct ot_tariff *add = ot_tariff_find(o, u->addtariffid);
		/* a vanished add tariff has no bundle left to disable */
		if (add && !ot_disable_bundle(o, u->login, add->alias)) {
			batch_weblog(b, "OLLTV SUBSCRIBER (%s) SUSPEND API FAIL", u->login);
			return;
		}
		if (batch_weblog(b, "OLLTV SUBSCRIBER (%s) SUSPEND ADDTARIFF [%ld]", u->login,
				 u->addtariffid) != 0)
			return;
	}
	if (!ot_disable_bundle(o, u->login, main_t->alias)) {
		batch_weblog(b, "OLLTV SUBSCRIBER (%s) SUSPEND API FAIL", u->login);
		return;
	}
	struct db *db = o->r->db;
	bool ok = db_begin(db) == 0 &&
		  db_exec(db, "UPDATE `ot_users` SET `active`='0' WHERE `id`=?", "i", (long long)u->id) >= 0 &&
		  weblog(o->r, "OLLTV SUBSCRIBER (%s) SUSPEND TARIFF [%ld]", u->login, u->tariffid) == 0 &&
		  db_commit(db) == 0;
	if (!ok) {
		db_rollback(db);
		syslog(LOG_CRIT, "ubapi olltv: %s suspended at oll.tv but not locally", u->login);
		b->db_failed = true;
	}
}

static void ot_row(struct olltv *o, const struct batch_users *users, const struct ot_user *u)
{
	const struct batch_user *acc = batch_user_find(users, u->login);
	if (!acc) {
		batch_weblog(&o->b, "OLLTV CHARGE (%s) AS [%ld] FAIL MISS", u->login, u->id);
		return;
	}
	const struct ot_tariff *t = u->active && u->tariffid ? ot_tariff_find(o, u->tariffid) : NULL;
	if (!t)
		return;
	const struct ot_tariff *add = u->addtariffid ? ot_tariff_find(o, u->addtariffid) : NULL;
	money_t need = t->fee;
	if (!t->fee_ok || (add && (!add->fee_ok || !money_add(need, add->fee, &need)))) {
		/* Ubilling would charge "--5" or "-": such rows are left alone */
		syslog(LOG_WARNING, "ubapi olltvchargefee: %s skipped: a tariff has a bad fee", u->login);
		return;
	}
	if (money_cmp(acc->cash, need) >= 0 && !acc->passive) {
		ot_charge(o, u, u->tariffid);
		if (u->addtariffid && !o->b.db_failed)
			ot_charge(o, u, u->addtariffid);
	} else {
		ot_suspend(o, u, t);
	}
}

void olltv_fee_processing(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "OLLTV_ENABLED", "0"))) {
		reply_text(r, OLLTV_DISABLED_REPLY);
		return;
	}
	const char *login = cfg_alter(r->cfg, "OLLTV_LOGIN", "");
	const char *password = cfg_alter(r->cfg, "OLLTV_PASSWORD", "");
	if (!php_truthy(login) || !php_truthy(password)) {
		reply_text(r, "ERROR:EX_EMPTY_OLLTVOPTIONS");
		return;
	}
	struct olltv o;
	memset(&o, 0, sizeof o);
	o.r = r;
	/* PHP casts a missing key to 0 */
	long level = atol(cfg_alter(r->cfg, "OLLTV_DEBUG", "0"));
	o.log_level = level < 0 || level > 3 ? 1 : (int)level;
	struct batch_users users = { 0 };
	if (ot_load(&o) != 0 ||
	    batch_users_load(r, &users, "`login` IN (SELECT `login` FROM `ot_users`)") != 0) {
		ot_free(&o);
		batch_users_free(&users);
		reply_db_error(r);
		return;
	}
	batch_init(&o.b, r);
	/* a dry run calls nobody */
	if (!o.b.dry)
		ot_auth(&o, login, password);
	else
		o.hash = xstrdup("");
	char **logins = xcalloc(o.nusers ? o.nusers : 1, sizeof *logins);
	for (size_t i = 0; i < o.nusers; i++)
		logins[i] = o.users[i].login;
	size_t *winner = tv_rows_by_login(logins, o.nusers);
	for (size_t i = 0; i < o.nusers && !o.b.db_failed; i++)
		if (winner[i] != (size_t)-1)
			ot_row(&o, &users, &o.users[winner[i]]);
	batch_reply(&o.b, "OK:OLLTVCHARGEFEE");
	batch_free(&o.b);
	free(winner);
	free(logins);
	batch_users_free(&users);
	ot_free(&o);
}
