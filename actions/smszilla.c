/* smszilla: bulk SMS from a saved filter and template (spec actions-ops.md
 * §5.12). The internet-user ("login") and number-list directions; a filter
 * ubapi does not implement refuses the whole run rather than sending to
 * more people than the filter meant. */
#include "actions.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "money.h"
#include "phpjson.h"
#include "reminder.h"
#include "senddog.h"
#include "userdata.h"
#include "util.h"
#include "weblog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

struct smz {
	struct req *r;
	const char *dir;
	cJSON *ents;   /* id => entity object, in PHP's array order */
	bool ext;
	char code[32];
	size_t mlen;
};

static const char *js(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double jn(const cJSON *o, const char *k)
{
	return atof(js(o, k));
}

/* Each filter: true = drop this entity. p is the filter's parameter. */
static int tag_of(struct smz *z, const char *login, const char *p, bool *has)
{
	char *v = db_value(z->r->db, NULL, "SELECT 1 FROM `tags` WHERE `login` = ? AND `tagid` = ? LIMIT 1", "ss",
			   login, p);
	*has = v != NULL;
	free(v);
	return 0;
}

enum fres { F_KEEP, F_DROP, F_UNKNOWN, F_ERROR };

static enum fres login_filter(struct smz *z, const char *f, const char *p, const cJSON *e)
{
	const char *login = js(e, "login");
	if (!strcmp(f, "city"))
		return strcmp(js(e, "cityname"), p) ? F_DROP : F_KEEP;
	if (!strcmp(f, "address") || !strcmp(f, "login") || !strcmp(f, "ip") || !strcmp(f, "realname")) {
		const char *field = !strcmp(f, "address") ? "fulladress" : f;
		char *needle = str_trim(xstrdup(p));
		bool hit = strstr(js(e, field), needle) != NULL;
		free(needle);
		return hit ? F_KEEP : F_DROP;
	}
	if (!strcmp(f, "cashgreater"))
		return jn(e, "Cash") < atof(p) ? F_DROP : F_KEEP;
	if (!strcmp(f, "cashlesser"))
		return jn(e, "Cash") > atof(p) ? F_DROP : F_KEEP;
	if (!strcmp(f, "cashlesszero"))
		return jn(e, "Cash") >= 0 ? F_DROP : F_KEEP;
	if (!strcmp(f, "cashzero"))
		return jn(e, "Cash") != 0 ? F_DROP : F_KEEP;
	if (!strcmp(f, "creditset"))
		return jn(e, "Credit") == 0 ? F_DROP : F_KEEP;
	if (!strcmp(f, "ao"))
		return strcmp(js(e, "AlwaysOnline"), "1") ? F_DROP : F_KEEP;
	if (!strcmp(f, "passive"))
		return strcmp(js(e, "Passive"), "1") ? F_DROP : F_KEEP;
	if (!strcmp(f, "notpassive"))
		return strcmp(js(e, "Passive"), "0") ? F_DROP : F_KEEP;
	if (!strcmp(f, "down"))
		return strcmp(js(e, "Down"), "1") ? F_DROP : F_KEEP;
	if (!strcmp(f, "active"))
		return (!strcmp(js(e, "Passive"), "1") || !strcmp(js(e, "Down"), "1") ||
			!strcmp(js(e, "AlwaysOnline"), "0") || jn(e, "Cash") < -jn(e, "Credit"))
			       ? F_DROP
			       : F_KEEP;
	if (!strcmp(f, "tariff"))
		return strcmp(js(e, "Tariff"), p) ? F_DROP : F_KEEP;
	if (!strcmp(f, "tariffcontain"))
		return strstr(js(e, "Tariff"), p) ? F_KEEP : F_DROP;
	if (!strcmp(f, "notariff"))
		return strcmp(js(e, "Tariff"), "*_NO_TARIFF_*") ? F_DROP : F_KEEP;
	if (!strcmp(f, "tariffnm"))
		return php_truthy(js(e, "TariffChange")) ? F_KEEP : F_DROP;
	if (!strcmp(f, "tags")) {
		bool has;
		tag_of(z, login, p, &has);
		return has ? F_KEEP : F_DROP;
	}
	if (!strcmp(f, "cashdays")) {
		long d;
		if (rmd_days_left(z->r, login, &d) != 0)
			return F_ERROR;
		return (d <= 0 || d > atol(p)) ? F_DROP : F_KEEP;
	}
	return F_UNKNOWN;
}

static enum fres numlist_filter(const char *f, const char *p, const cJSON *e)
{
	if (!strcmp(f, "numlist"))
		return strcmp(js(e, "numid"), p) ? F_DROP : F_KEEP;
	if (!strcmp(f, "numcontain"))
		return strstr(js(e, "notes"), p) ? F_KEEP : F_DROP;
	if (!strcmp(f, "numnotcontain"))
		return strstr(js(e, "notes"), p) ? F_DROP : F_KEEP;
	return F_UNKNOWN;
}

/* One filter over every remaining entity; a filter that names another
 * direction's field leaves this direction alone, as in PHP. */
static enum fres apply(struct smz *z, const char *f, const char *p)
{
	static const char *const other[] = { "ukvtariff", "ukvactive", "ukvdebtor", "employeeappointment",
					     "employeeactive", NULL };
	bool numlist = !strcmp(z->dir, "numlist");
	cJSON *e = z->ents->child;
	while (e) {
		cJSON *next = e->next;
		enum fres fr = numlist ? numlist_filter(f, p, e) : login_filter(z, f, p, e);
		if (fr == F_UNKNOWN) {
			/* a known filter of the other direction is a no-op here */
			bool mine = numlist ? login_filter(z, f, p, e) == F_UNKNOWN : numlist_filter(f, p, e) == F_UNKNOWN;
			for (size_t i = 0; other[i] && mine; i++)
				mine = strcmp(other[i], f) != 0;
			return mine ? F_UNKNOWN : F_KEEP;
		}
		if (fr == F_ERROR)
			return F_ERROR;
		if (fr == F_DROP)
			cJSON_Delete(cJSON_DetachItemViaPointer(z->ents, e));
		e = next;
	}
	return F_KEEP;
}

/* normalizePhoneFormat: E.164 with the country code, or "". */
static void normalize(const struct smz *z, const char *raw, struct sbuf *out)
{
	char num[64] = "";
	size_t n = 0;
	for (const char *s = raw; *s && n < sizeof num - 1; s++)
		if (isdigit((unsigned char)*s))
			num[n++] = *s;
	num[n] = '\0';
	sbuf_reset(out);
	if (!php_truthy(num)) {
		sbuf_puts(out, num);
		return;
	}
	char cur[128];
	snprintf(cur, sizeof cur, "%s", num);
	size_t cl = strlen(z->code);
	if (n < z->mlen) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%s", num);
		for (size_t i = 1; i <= cl; i++) {
			if (strlen(tmp) < z->mlen) {
				snprintf(tmp, sizeof tmp, "%.*s%s", (int)i, z->code, num);
				if (strlen(tmp) == z->mlen)
					snprintf(cur, sizeof cur, "%s", tmp);
			} else {
				snprintf(cur, sizeof cur, "%s", tmp);
			}
		}
	}
	if (strstr(cur, z->code) && strlen(cur) == z->mlen)
		sbuf_printf(out, "+%s", cur);
}

static bool excluded(struct smz *z, const char *num)
{
	char *v = db_value(z->r->db, NULL, "SELECT 1 FROM `smz_excl` WHERE `mobile` = ? LIMIT 1", "s", num);
	bool x = v != NULL;
	free(v);
	return x;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* generateSmsText for the login direction. */
static int login_text(struct smz *z, const cJSON *e, const char *tpl, struct sbuf *out)
{
	struct req *r = z->r;
	const char *login = js(e, "login");
	struct db_rows t;
	if (db_query(r->db, &t,
		     "SELECT (SELECT `Fee` FROM `tariffs` WHERE `name` = ? LIMIT 1),"
		     " (SELECT `Fee` FROM `tariffs` WHERE `name` = ? LIMIT 1),"
		     " (SELECT `period` FROM `tariffs` WHERE `name` = ? LIMIT 1)",
		     "sss", js(e, "Tariff"), js(e, "TariffChange"), js(e, "Tariff")) != 0)
		return -1;
	const char *price = db_cell(&t, 0, 0), *nprice = db_cell(&t, 0, 1), *period = db_cell(&t, 0, 2);
	char *payid = NULL;
	if (php_truthy(cfg_alter(r->cfg, "OPENPAYZ_SUPPORT", ""))) {
		if (php_truthy(cfg_alter(r->cfg, "OPENPAYZ_REALID", ""))) {
			payid = db_value(r->db, NULL,
					 "SELECT `virtualid` FROM `op_customers` WHERE `realid` = ? ORDER BY `id` DESC LIMIT 1",
					 "s", login);
		} else {
			unsigned a, b, c, d;
			if (sscanf(js(e, "ip"), "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
				struct sbuf pb = SBUF_INIT;
				sbuf_printf(&pb, "%lu", ((unsigned long)a << 24) | (b << 16) | (c << 8) | d);
				payid = sbuf_detach(&pb);
			}
		}
	}
	double lack = atof(php_truthy(js(e, "TariffChange")) ? (nprice ? nprice : "0") : (price ? price : "0")) -
		      jn(e, "Cash");
	struct sbuf lk = SBUF_INIT, rc = SBUF_INIT;
	phpnum_format(lack, &lk);
	rmd_round2(js(e, "Cash"), &rc);
	char left[32], todate[16], curdate[16];
	if (rmd_online_macros(r, login, left, todate) != 0) {
		free(payid);
		sbuf_free(&lk);
		sbuf_free(&rc);
		db_rows_free(&t);
		return -1;
	}
	clock_format_date(r->now, curdate);
	const char *pairs[][2] = {
		{ "{LOGIN}", login },
		{ "{REALNAME}", js(e, "realname") },
		{ "{TARIFF}", js(e, "Tariff") },
		{ "{TARIFFPRICE}", price ? price : "" },
		{ "{TARIFFNM}", js(e, "TariffChange") },
		{ "{TARIFFNMPRICE}", nprice ? nprice : "" },
		{ "{TARIFFPERIOD}", period ? period : "" },
		{ "{PAYMENTID}", payid ? payid : "" },
		{ "{CREDIT}", js(e, "Credit") },
		{ "{CASH}", js(e, "Cash") },
		{ "{LACK}", sbuf_str(&lk) },
		{ "{ROUNDCASH}", sbuf_str(&rc) },
		{ "{IP}", js(e, "ip") },
		{ "{MAC}", js(e, "mac") },
		{ "{FULLADDRESS}", js(e, "fulladress") },
		{ "{PHONE}", js(e, "phone") },
		{ "{MOBILE}", js(e, "mobile") },
		{ "{CONTRACT}", js(e, "contract") },
		{ "{EMAIL}", js(e, "email") },
		{ "{CURDATE}", curdate },
		{ "{PASSWORD}", js(e, "Password") },
		{ "{USERONLINELEFTDAY}", left },
		{ "{USERONLINETODATE}", todate },
	};
	sbuf_puts(out, tpl);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		rmd_ireplace(out, pairs[i][0], pairs[i][1]);
	free(payid);
	sbuf_free(&lk);
	sbuf_free(&rc);
	db_rows_free(&t);
	return 0;
}

struct pool {
	cJSON *rows;
	long sent;
};

static int queue_one(struct smz *z, struct pool *pl, const char *label, const char *number, const char *text,
		     const char *login)
{
	size_t len = utf8_chars(text);
	bool translit = param_present(&z->r->params, "translit");
	size_t per = translit ? 160 : 70;
	cJSON *row = cJSON_CreateArray();
	cJSON_AddItemToArray(row, cJSON_CreateString(label));
	cJSON_AddItemToArray(row, cJSON_CreateString(number));
	cJSON_AddItemToArray(row, cJSON_CreateString(text));
	cJSON_AddItemToArray(row, cJSON_CreateNumber((double)len));
	cJSON_AddItemToArray(row, cJSON_CreateNumber((double)((len + per - 1) / per)));
	cJSON_AddItemToArray(pl->rows, row);
	char *srv = login ? sd_sms_direction(z->r, login) : NULL;
	char name[SD_QNAME_MAX];
	int rc = sd_queue_sms_ex(z->r, number, text, false, "SMSZILLA", srv, name);
	free(srv);
	pl->sent++;
	return rc;
}

static int send_all(struct smz *z, const char *tpl, struct pool *pl)
{
	bool translit = param_present(&z->r->params, "translit");
	bool login = !strcmp(z->dir, "login");
	struct sbuf num = SBUF_INIT, text = SBUF_INIT, tr = SBUF_INIT, label = SBUF_INIT;
	int rc = 0;
	for (cJSON *e = z->ents->child; e && rc == 0; e = e->next) {
		struct strlist nums = { 0 };
		strlist_push(&nums, js(e, "mobile"));
		if (login && z->ext)
			rc = rmd_ext_mobiles(z->r, js(e, "login"), &nums);
		sbuf_reset(&text);
		sbuf_puts(&text, tpl);
		if (rc == 0 && login) {
			sbuf_reset(&text);
			rc = login_text(z, e, tpl, &text);
		}
		if (rc == 0 && translit) {
			sbuf_reset(&tr);
			sd_translit(&tr, sbuf_str(&text), false);
			sbuf_reset(&text);
			sbuf_puts(&text, sbuf_str(&tr));
		}
		sbuf_reset(&label);
		if (login)
			sbuf_printf(&label, "%s %s", js(e, "fulladress"), js(e, "realname"));
		else
			sbuf_puts(&label, js(e, "notes"));
		for (size_t i = 0; i < nums.n && rc == 0; i++) {
			normalize(z, nums.v[i], &num);
			if (num.len == 0 || excluded(z, sbuf_str(&num)))
				continue;
			rc = queue_one(z, pl, sbuf_str(&label), sbuf_str(&num), sbuf_str(&text),
				       login ? js(e, "login") : NULL);
		}
		strlist_free(&nums);
	}
	sbuf_free(&num);
	sbuf_free(&text);
	sbuf_free(&tr);
	sbuf_free(&label);
	return rc;
}

static int load_entities(struct smz *z)
{
	if (!strcmp(z->dir, "login"))
		return userdata_all(z->r, &z->ents);
	struct db_rows n;
	if (db_query(z->r->db, &n, "SELECT `id`, `numid`, `mobile`, `notes` FROM `smz_nums` ORDER BY `id`", "") != 0)
		return -1;
	z->ents = cJSON_CreateObject();
	static const char *const cols[] = { "id", "numid", "mobile", "notes" };
	for (size_t i = 0; i < n.nrows; i++) {
		cJSON *o = cJSON_CreateObject();
		for (size_t c = 0; c < 4; c++)
			cJSON_AddStringToObject(o, cols[c], db_cell(&n, i, c) ? db_cell(&n, i, c) : "");
		cJSON_AddItemToObject(z->ents, db_cell(&n, i, 0), o);
	}
	db_rows_free(&n);
	return 0;
}

static void write_preview(struct smz *z, const char *fid, const char *tid, cJSON *rows)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "aaData", rows);
	struct sbuf js = SBUF_INIT, rel = SBUF_INIT;
	phpjson_print(root, &js);
	sbuf_printf(&rel, "exports/SMZ_PREVIEW_%s_%s", fid, tid);
	char *path = cfg_path(z->r->cfg, sbuf_str(&rel));
	FILE *f = fopen(path, "we");
	if (f) {
		fwrite(sbuf_str(&js), 1, js.len, f);
		fclose(f);
	}
	free(path);
	sbuf_free(&js);
	sbuf_free(&rel);
	cJSON_Delete(root);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* 1 done (possibly nothing to send), 0 unsupported filter, -1 DB error. */
static int run(struct smz *z, const char *fid, const char *tid)
{
	struct req *r = z->r;
	char *fjson = db_value(r->db, NULL, "SELECT `filters` FROM `smz_filters` WHERE `id` = ?", "s", fid);
	char *tpl = db_value(r->db, NULL, "SELECT `text` FROM `smz_templates` WHERE `id` = ?", "s", tid);
	cJSON *filters = fjson ? cJSON_Parse(fjson) : NULL;
	free(fjson);
	int rc = 1;
	z->dir = js(filters, "newfilterdirection");
	if (!*z->dir) {
		cJSON_Delete(filters);
		free(tpl);
		return 1;
	}
	if (strcmp(z->dir, "login") && strcmp(z->dir, "numlist")) {
		weblog(r, "SMSZILLA UNSUPPORTED DIRECTION `%s`", z->dir);
		cJSON_Delete(filters);
		free(tpl);
		return 0;
	}
	if (load_entities(z) != 0) {
		cJSON_Delete(filters);
		free(tpl);
		return -1;
	}
	for (cJSON *f = filters->child; f && rc == 1; f = f->next) {
		const char *k = f->string;
		if (strncmp(k, "newfilter", 9) || !strcmp(k, "newfilterdirection") || !strcmp(k, "newfiltername"))
			continue;
		const char *name = k + 9;
		if (!strcmp(name, "extmobiles")) {
			z->ext = true;
			continue;
		}
		char pbuf[64];
		const char *p = cJSON_IsString(f) ? f->valuestring : "";
		if (cJSON_IsNumber(f)) {
			snprintf(pbuf, sizeof pbuf, "%.0f", f->valuedouble);
			p = pbuf;
		}
		if (!php_truthy(p))
			continue;
		enum fres fr = apply(z, name, p);
		if (fr == F_UNKNOWN) {
			weblog(r, "SMSZILLA UNSUPPORTED FILTER `%s`", name);
			rc = 0;
		} else if (fr == F_ERROR) {
			rc = -1;
		}
	}
	if (rc == 1 && z->ents->child && tpl) {
		struct pool pl = { cJSON_CreateArray(), 0 };
		if (send_all(z, tpl, &pl) != 0)
			rc = -1;
		if (pl.sent > 0)
			weblog(r, "SMSZILLA SENDING TEMPLATE [%s] FILTER [%s] COUNT `%ld`", tid, fid, pl.sent);
		write_preview(z, fid, tid, pl.rows);
	}
	cJSON_Delete(z->ents);
	cJSON_Delete(filters);
	free(tpl);
	return rc;
}

void cmd_smszilla(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "SMSZILLA_ENABLED", ""))) {
		reply_text(r, "ERROR:SMSZILLA_DISABLED");
		return;
	}
	if (!param_present(&r->params, "templateid") || !param_present(&r->params, "filterid")) {
		reply_text(r, "ERROR:NO_FILTER_OR_TEMPLATE_ID");
		return;
	}
	const char *fid = req_param(r, "filterid"), *tid = req_param(r, "templateid");
	if (!all_digits(fid) || !all_digits(tid)) {
		reply_text(r, "ERROR:WRONG_FILTER_OR_TEMPLATE_ID");
		return;
	}
	struct smz z = { .r = r, .mlen = 12 };
	snprintf(z.code, sizeof z.code, "380");
	const char *cc = cfg_alter(r->cfg, "SMSZILLA_COUNTRY_CODE", ""), *ml = cfg_alter(r->cfg, "SMSZILLA_MOBILE_LEN", "");
	if (php_truthy(cc) && php_truthy(ml)) {
		snprintf(z.code, sizeof z.code, "%s", cc);
		z.mlen = (size_t)atol(ml);
	}
	int rc = run(&z, fid, tid);
	if (rc < 0) {
		reply_db_error(r);
		return;
	}
	reply_text(r, rc ? "OK:SMSZILLA" : "ERROR:SMSZILLA_UNSUPPORTED_FILTER");
}
