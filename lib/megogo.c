#include "megogo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "httpc.h"
#include "util.h"
#include "validate.h"
#include "weblog.h"

#define MG_API_URL "http://billing.megogo.net/partners/"

static char *cell_dup(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return xstrdup(v ? v : "");
}

static long cell_long(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v ? atol(v) : 0;
}

static bool cell_truthy(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v && php_truthy(v);
}

static int load_tariffs(struct megogo *m)
{
	struct db_rows rows;
	if (db_query(m->r->db, &rows, "SELECT `id`,`fee`,`serviceid` FROM `mg_tariffs` ORDER BY `id`", "") != 0)
		return -1;
	m->ntariffs = rows.nrows;
	m->tariffs = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *m->tariffs);
	for (size_t i = 0; i < rows.nrows; i++) {
		struct mg_tariff *t = &m->tariffs[i];
		const char *fee = db_cell(&rows, i, 1);
		t->id = cell_long(&rows, i, 0);
		t->fee.units = 0;
		/* Ubilling's "-" . NULL charges nothing; a negative fee would be
		 * "--5", which no operator means: such tariffs are not charged */
		t->fee_ok = !fee || (money_parse_db(fee, &t->fee) && t->fee.units >= 0);
		t->serviceid = cell_dup(&rows, i, 2);
	}
	db_rows_free(&rows);
	return 0;
}

static int load_subs(struct megogo *m)
{
	struct db_rows rows;
	if (db_query(m->r->db, &rows,
		     "SELECT `id`,`login`,`tariffid`,`actdate`,`active`,`freeperiod` FROM `mg_subscribers`"
		     " ORDER BY `id`",
		     "") != 0)
		return -1;
	m->nsubs = rows.nrows;
	m->subs = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *m->subs);
	for (size_t i = 0; i < rows.nrows; i++) {
		struct mg_sub *s = &m->subs[i];
		s->id = cell_long(&rows, i, 0);
		s->login = cell_dup(&rows, i, 1);
		s->tariffid = cell_long(&rows, i, 2);
		s->actdate = cell_dup(&rows, i, 3);
		s->active = cell_truthy(&rows, i, 4);
		s->freeperiod = cell_truthy(&rows, i, 5);
	}
	db_rows_free(&rows);
	return 0;
}

bool mg_start(struct megogo *m, struct req *r, bool subs)
{
	memset(m, 0, sizeof *m);
	m->r = r;
	const char *d = req_param(r, "dryrun");
	m->dry = d && strcmp(d, "1") == 0;
	if (!php_truthy(cfg_alter(r->cfg, "MG_ENABLED", "0"))) {
		reply_text(r, MG_DISABLED_REPLY);
		return false;
	}
	const char *days = cfg_alter(r->cfg, "MG_FREEPERIOD_DAYS", "");
	m->free_rule = php_truthy(cfg_alter(r->cfg, "MG_SPREAD", "0")) || php_truthy(days);
	m->free_days = 30;
	if (php_truthy(days)) {
		/* PHP would multiply whatever text is there; a typo must not end
		 * every trial at once */
		if (!valid_uint(days) || strlen(days) > 6) {
			reply_text(r, "ERROR:WRONG_MG_FREEPERIOD_DAYS");
			return false;
		}
		m->free_days = atol(days);
	}
	if (load_tariffs(m) != 0 || (subs && load_subs(m) != 0)) {
		reply_db_error(r);
		return false;
	}
	return true;
}

void mg_free(struct megogo *m)
{
	for (size_t i = 0; i < m->ntariffs; i++)
		free(m->tariffs[i].serviceid);
	for (size_t i = 0; i < m->nsubs; i++) {
		free(m->subs[i].login);
		free(m->subs[i].actdate);
	}
	free(m->tariffs);
	free(m->subs);
	sbuf_free(&m->out);
	memset(m, 0, sizeof *m);
}

const struct mg_tariff *mg_tariff_find(const struct megogo *m, long id)
{
	for (size_t i = 0; i < m->ntariffs; i++)
		if (m->tariffs[i].id == id)
			return &m->tariffs[i];
	return NULL;
}

/* RFC 3986 unreserved characters stay, everything else is %XX */
static void url_escape(struct sbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~')
			sbuf_putc(b, (char)*p);
		else
			sbuf_printf(b, "%%%02X", *p);
	}
}

/* PHP reads `successful` of the decoded JSON as a boolean */
static bool answer_ok(const struct http_response *resp)
{
	if (resp->status < 200 || resp->status > 299 || !resp->body.s)
		return false;
	cJSON *root = cJSON_Parse(resp->body.s);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "successful");
	bool ok = cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0) ||
		  (cJSON_IsString(v) && php_truthy(v->valuestring));
	cJSON_Delete(root);
	return ok;
}

static bool provider_unsubscribe(struct megogo *m, const char *login, const char *serviceid)
{
	const struct config *cfg = m->r->cfg;
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;
	sbuf_puts(&url, cfg_ubapi(cfg, "megogo_api_url", MG_API_URL));
	url_escape(&url, cfg_alter(cfg, "MG_PARTNERID", "testpartner"));
	sbuf_puts(&url, "/subscription/unsubscribe?userId=");
	url_escape(&url, cfg_alter(cfg, "MG_PREFIX", "OurISP"));
	url_escape(&url, login);
	sbuf_puts(&url, "&serviceId=");
	url_escape(&url, serviceid);
	struct http_request q = {
		.method = "GET",
		.url = sbuf_str(&url),
		.timeout_ms = cfg_ubapi_long(cfg, "megogo_timeout_ms", 60000),
		.connect_timeout_ms = cfg_ubapi_long(cfg, "megogo_connect_timeout_ms", 10000),
	};
	struct http_response resp;
	bool ok = false;
	if (http_request(&q, &resp, &err) != 0)
		syslog(LOG_ERR, "ubapi megogo: unsubscribe %s: %s", login, sbuf_str(&err));
	else if (!(ok = answer_ok(&resp)))
		syslog(LOG_ERR, "ubapi megogo: unsubscribe %s refused (HTTP %ld)", login, resp.status);
	http_response_free(&resp);
	sbuf_free(&url);
	sbuf_free(&err);
	return ok;
}

static int local_unsubscribe(struct megogo *m, const char *login, long tariffid, long queue_id,
			     const char *serviceid, const char *extra_event)
{
	struct req *r = m->r;
	bool own_tx = !db_in_transaction(r->db);
	if (own_tx && db_begin(r->db) != 0)
		return -1;
	int rc = -1;
	if ((queue_id <= 0 ||
	     db_exec(r->db, "DELETE FROM `mg_queue` WHERE `id`=?", "i", (long long)queue_id) >= 0) &&
	    db_exec(r->db, "DELETE FROM `mg_subscribers` WHERE `login`=? AND `tariffid`=?", "si", login,
		    (long long)tariffid) >= 0 &&
	    weblog(r, "MEGOGO UNSUBSCRIBE (%s) TARIFF [%ld]", login, tariffid) == 0 &&
	    weblog(r, "MEGOGO DEACTIVATED (%s) SERVICE [%s]", login, serviceid) == 0 &&
	    (!extra_event || weblog(r, "%s", extra_event) == 0) && (!own_tx || db_commit(r->db) == 0))
		rc = 0;
	if (rc != 0 && own_tx)
		db_rollback(r->db);
	return rc;
}

enum mg_unsub mg_unsubscribe(struct megogo *m, const char *login, long tariffid, long queue_id,
			     const char *extra_event)
{
	const struct mg_tariff *t = mg_tariff_find(m, tariffid);
	if (m->dry) {
		sbuf_printf(&m->out, "%s\tUNSUB\t[%ld]\t%s\n", login, tariffid,
			    t ? "mg_subscribers" : "nothing");
		return t ? MG_UNSUB_DONE : MG_UNSUB_NO_TARIFF;
	}
	if (!t) {
		/* Ubilling still drops the queue item of an unknown tariff */
		if (queue_id > 0 &&
		    db_exec(m->r->db, "DELETE FROM `mg_queue` WHERE `id`=?", "i", (long long)queue_id) < 0) {
			m->db_failed = true;
			return MG_UNSUB_DB_FAILED;
		}
		return MG_UNSUB_NO_TARIFF;
	}
	if (!provider_unsubscribe(m, login, t->serviceid)) {
		/* the provider may still serve the user: keep the local rows (and
		 * the queue item) so the next run tries again */
		if (weblog(m->r, "MEGOGO UNSUBSCRIBE FAIL (%s) SERVICE [%s]", login, t->serviceid) != 0) {
			m->db_failed = true;
			return MG_UNSUB_DB_FAILED;
		}
		return MG_UNSUB_FAILED;
	}
	if (local_unsubscribe(m, login, tariffid, queue_id, t->serviceid, extra_event) != 0) {
		syslog(LOG_CRIT, "ubapi megogo: %s unsubscribed at the provider but not locally", login);
		m->db_failed = true;
		return MG_UNSUB_DB_FAILED;
	}
	return MG_UNSUB_DONE;
}

bool mg_trial_expired(const struct megogo *m, const struct mg_sub *s)
{
	time_t start;
	if (!clock_parse_datetime(s->actdate, &start))
		return false;
	return m->r->now >= start + (time_t)86400 * m->free_days;
}

void mg_line(struct megogo *m, const char *login, const char *what, long tariffid,
	     const char *suffix, enum mg_unsub rc)
{
	if (m->dry || rc == MG_UNSUB_DB_FAILED)
		return;
	sbuf_printf(&m->out, "%s %s [%ld]%s%s\n", login, what, tariffid, suffix,
		    rc == MG_UNSUB_FAILED ? " FAIL" : "");
}

void mg_end_trial(struct megogo *m, const struct mg_sub *s, const char *tag)
{
	struct sbuf ev = SBUF_INIT;
	if (m->free_rule)
		sbuf_printf(&ev, "MEGOGO (%s) FREE PERIOD EXPIRED AFTER `%ld` DAYS ON `%s`", s->login,
			    m->free_days, tag);
	else
		sbuf_printf(&ev, "MEGOGO (%s) FREE PERIOD EXPIRED ON `%s`", s->login, tag);
	enum mg_unsub rc = mg_unsubscribe(m, s->login, s->tariffid, 0, sbuf_str(&ev));
	/* an unknown tariff unsubscribes nothing, and Ubilling still logs the
	 * expiry */
	if (rc == MG_UNSUB_NO_TARIFF && !m->dry && weblog(m->r, "%s", sbuf_str(&ev)) != 0) {
		m->db_failed = true;
		rc = MG_UNSUB_DB_FAILED;
	}
	mg_line(m, s->login, "UNSUB", s->tariffid, " FREE", rc);
	sbuf_free(&ev);
}

void mg_reply(struct megogo *m)
{
	if (m->db_failed)
		reply_db_error(m->r);
	else if (m->core_failed && !m->dry)
		reply_text(m->r, "ERROR:BILLING_CORE");
	else
		reply_text(m->r, sbuf_str(&m->out));
}
