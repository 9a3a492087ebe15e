/* Advanced SendDog (spec actions-ops.md §4.2, §4.4): SMS routed by their
 * SMSSRVID to the sms_services rows, each row's class sending with the
 * row's own gateway settings. Unlike PHP, every message is sent once (PHP
 * sends the last message of a run through two services). */
#include "senddog.h"
#include "senddog_sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "req.h"
#include "util.h"
#include "weblog.h"

/* The classes of api/vendor/sms_services_APIs and the gateway that sends
 * for each; php_status: PHP has a delivery-status routine for it. */
static const struct adv_class {
	const char *api;
	const char *id;
	const char *prefix;
	bool php_status;
} classes[] = {
	{ "AlphaSms", "alphasms", "SENDDOG_ALPHASMS_", false },
	{ "GradwellSms", "gradwell", "SENDDOG_ADV_", false },
	{ "LifeCell", "lifecell", "SENDDOG_LIFECELL_", false },
	{ "Mobipace", "mobipace", "SENDDOG_MOBIPACE_", true },
	{ "RedSms", "redsms2", "SENDDOG_ADV_", false },
	{ "SkySms", "skyriver", "SENDDOG_SKYSMS_", true },
	{ "SmsClubMobi", "smsclub", "SENDDOG_ADV_", true },
	{ "SmsFly", "smsfly", "SENDDOG_SMSFLY_", false },
	{ "SmsFlyAPI2", "smsflyapi2", "SENDDOG_SMSFLYAPI2_", true },
	{ "SmsPilot", "smspilot", "SENDDOG_SMSPILOT_", false },
	{ "TurboSms", "tsms", "SENDDOG_TSMS_", false },
};

enum { C_ID, C_LOGIN, C_PASSWD, C_URL, C_APIKEY, C_ALPHA, C_DEFAULT, C_API, C_N };

struct adv_group {
	size_t from, n;       /* a run of sd_adv.order */
	char *srvid;          /* the id the messages carry */
	const char *svc_id;   /* the resolved row's id, "" for none */
	const char *api;      /* its api_file_name, NULL for no row */
	const struct adv_class *cls;
	bool is_default;
};

struct sd_adv {
	struct db_rows rows;
	const char *default_id, *default_api;
	bool check;           /* groups of sms_history rows, not of the queue */
	struct sd_msgs q;
	size_t *order;
	struct adv_group *g;
	size_t ng;
};

static const struct adv_class *class_find(const char *api)
{
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
		if (strcmp(classes[i].api, api) == 0)
			return &classes[i];
	return NULL;
}

/* PHP's loose == of two ids read as strings: numeric when both are */
static bool id_equal(const char *a, const char *b)
{
	if (str_is_digits(a) && str_is_digits(b))
		return strtoull(a, NULL, 10) == strtoull(b, NULL, 10);
	return strcmp(a, b) == 0;
}

static const char *cell(const struct sd_adv *a, size_t row, int col)
{
	const char *v = db_cell(&a->rows, row, (size_t)col);
	return v ? v : "";
}

static void resolve(struct sd_adv *a, struct adv_group *g)
{
	g->svc_id = "";
	g->api = NULL;
	if (!php_truthy(g->srvid) || (*a->default_id && id_equal(g->srvid, a->default_id))) {
		g->svc_id = a->default_id;
		g->api = *a->default_id ? a->default_api : NULL;
		g->is_default = true;
	} else {
		g->svc_id = g->srvid;
		for (size_t i = 0; i < a->rows.nrows; i++)
			if (id_equal(cell(a, i, C_ID), g->srvid))
				g->api = cell(a, i, C_API);
		g->is_default = false;
	}
	if (g->api && !*g->api)
		g->api = NULL;
	g->cls = g->api ? class_find(g->api) : NULL;
}

struct keyed {
	const char *id;
	size_t idx;
};

static int natcmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int c = php_natcmp(a->id, b->id);
	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Stable natural sort of n ids (PHP's zb_sortArray by smssrvid), then
 * one group per run of equal ids. */
static void group_ids(struct sd_adv *a, char **ids, size_t n)
{
	struct keyed *k = xcalloc(n ? n : 1, sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){ ids[i], i };
	qsort(k, n, sizeof *k, natcmp_keyed);
	a->order = xcalloc(n ? n : 1, sizeof *a->order);
	for (size_t i = 0; i < n; i++)
		a->order[i] = k[i].idx;
	free(k);
	a->g = xcalloc(n ? n : 1, sizeof *a->g);
	for (size_t i = 0; i < n; i++) {
		const char *id = ids[a->order[i]];
		if (a->ng && strcmp(a->g[a->ng - 1].srvid, id) == 0) {
			a->g[a->ng - 1].n++;
			continue;
		}
		struct adv_group *g = &a->g[a->ng++];
		g->from = i;
		g->n = 1;
		g->srvid = xstrdup(id);
		resolve(a, g);
	}
}

static int load_rows(struct req *r, struct sd_adv *a)
{
	if (db_query(r->db, &a->rows,
		     "SELECT `id`,`login`,`passwd`,`url_addr`,`api_key`,`alpha_name`,`default_service`,"
		     "`api_file_name` FROM `sms_services` ORDER BY `id`",
		     "") != 0)
		return -1;
	a->default_id = "";
	a->default_api = "";
	/* the last row flagged default wins, as PHP's loop leaves it */
	for (size_t i = 0; i < a->rows.nrows; i++)
		if (php_truthy(cell(a, i, C_DEFAULT))) {
			a->default_id = cell(a, i, C_ID);
			a->default_api = cell(a, i, C_API);
		}
	return 0;
}

struct sd_adv *sd_adv_load(struct req *r, bool check)
{
	struct sd_adv *a = xcalloc(1, sizeof *a);
	a->check = check;
	if (load_rows(r, a) != 0) {
		free(a);
		return NULL;
	}
	if (!check) {
		sd_msgs_read(r, &a->q);
		char **ids = xcalloc(a->q.n ? a->q.n : 1, sizeof *ids);
		for (size_t i = 0; i < a->q.n; i++)
			ids[i] = a->q.v[i].srvid;
		group_ids(a, ids, a->q.n);
		free(ids);
		return a;
	}
	struct db_rows h;
	if (db_query(r->db, &h,
		     "SELECT DISTINCT `smssrvid` FROM `sms_history` WHERE `no_statuschk`<1 AND `delivered`<1", "") != 0) {
		sd_adv_free(a);
		return NULL;
	}
	char **ids = xcalloc(h.nrows ? h.nrows : 1, sizeof *ids);
	for (size_t i = 0; i < h.nrows; i++)
		ids[i] = xstrdup(db_cell(&h, i, 0) ? db_cell(&h, i, 0) : "0");
	group_ids(a, ids, h.nrows);
	for (size_t i = 0; i < h.nrows; i++)
		free(ids[i]);
	free(ids);
	db_rows_free(&h);
	return a;
}

bool sd_adv_needs_php(const struct sd_adv *a)
{
	for (size_t i = 0; i < a->ng; i++) {
		const struct adv_group *g = &a->g[i];
		if (!g->api)
			continue; /* stays queued / is skipped, as in PHP */
		if (!g->cls)
			return true;
		if (a->check ? g->cls->php_status && !sd_sms_status_native(g->cls->id) : !sd_sms_supported(g->cls->id))
			return true;
	}
	return false;
}

/* The row's settings under the keys the gateway reads. */
static struct sd_services *row_settings(const struct sd_adv *a, const struct adv_group *g)
{
	struct sd_services *s = sd_services_new();
	size_t row = a->rows.nrows;
	for (size_t i = 0; i < a->rows.nrows; i++)
		if (id_equal(cell(a, i, C_ID), g->svc_id))
			row = i;
	if (row == a->rows.nrows)
		return s;
	static const struct {
		const char *suffix;
		int col;
	} map[] = { { "GATEWAY", C_URL }, { "LOGIN", C_LOGIN }, { "PASSWORD", C_PASSWD }, { "SIGN", C_ALPHA },
		    { "ALPHANAME", C_ALPHA }, { "APIKEY", C_APIKEY }, { "KEY", C_APIKEY } };
	for (size_t k = 0; k < sizeof map / sizeof *map; k++) {
		char key[96];
		snprintf(key, sizeof key, "%s%s", g->cls->prefix, map[k].suffix);
		sd_services_put(s, key, cell(a, row, map[k].col));
	}
	return s;
}

long sd_adv_run_sms(struct req *r, struct sd_adv *a)
{
	for (size_t i = 0; i < a->ng; i++) {
		struct adv_group *g = &a->g[i];
		if (!g->api) {
			weblog(r, "SENDDOG SMS service with ID [%s] does not exists", g->svc_id);
			continue;
		}
		if (!g->cls || !sd_sms_supported(g->cls->id)) {
			syslog(LOG_WARNING, "ubapi senddog: SMS service class %s is not implemented natively; SMS stay queued",
			       g->api);
			continue;
		}
		struct sd_msg *m = xcalloc(g->n, sizeof *m);
		for (size_t k = 0; k < g->n; k++)
			m[k] = a->q.v[a->order[g->from + k]];
		struct sd_services *s = row_settings(a, g);
		sd_sms_push(r, s, g->cls->id, g->svc_id, a->q.dir, m, g->n);
		sd_services_free(s);
		free(m);
	}
	return (long)a->q.listed;
}

void sd_adv_status_check(struct req *r, struct sd_adv *a)
{
	for (size_t i = 0; i < a->ng; i++) {
		struct adv_group *g = &a->g[i];
		if (!g->api) {
			weblog(r, "SENDDOG SMS service with ID [%s] does not exists", g->svc_id);
			continue;
		}
		/* the routines read their own rows (the default one's include
		 * smssrvid 0): smssrvid 0 and the default id are one check, not
		 * two as in PHP */
		bool done = false;
		for (size_t j = 0; j < i && !done; j++)
			done = a->g[j].api && id_equal(a->g[j].svc_id, g->svc_id);
		if (done)
			continue;
		struct sd_services *s = g->cls ? row_settings(a, g) : NULL;
		if (!g->cls || !sd_sms_status(r, s, g->cls->id, g->svc_id, g->is_default)) {
			if (!g->cls || !g->cls->php_status)
				weblog(r, "Checking statuses for [%s] SMS service is not implemented", g->api);
			else
				syslog(LOG_WARNING, "ubapi senddog: status check of %s is not implemented natively", g->api);
		}
		sd_services_free(s);
	}
}

/* The expiry step of the advanced status check, before the groups. */
int sd_adv_expire(struct req *r)
{
	const char *opt = cfg_alter(r->cfg, "SMS_CHECKSTATUS_EXPIRE_DAYS", "");
	/* PHP pastes the option into the SQL; an empty one breaks it: 7 then */
	long long days = str_is_digits(opt) ? atoll(opt) : 7;
	char now[24];
	clock_format_datetime(r->now, now);
	return db_exec(r->db,
		       "UPDATE `sms_history` SET `no_statuschk`=1, `send_status`=? "
		       "WHERE ABS(DATEDIFF(?, `date_send`)) > ? AND `no_statuschk`<1 AND `delivered`<1",
		       "ssi", "SMS status check period expired", now, days) < 0 ? -1 : 0;
}

void sd_adv_free(struct sd_adv *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ng; i++)
		free(a->g[i].srvid);
	free(a->g);
	free(a->order);
	sd_msgs_free(&a->q);
	db_rows_free(&a->rows);
	free(a);
}
