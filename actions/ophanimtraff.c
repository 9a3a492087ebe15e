/* ophanimtraff: per-login monthly traffic totals from OphanimFlow
 * collectors into ophtraff (spec actions-network.md §7). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "actions.h"
#include "httpc.h"
#include "networks.h"
#include "stardust.h"
#include "util.h"

#define OPH_LOCK "OPHANIMTRAFF"

/* This month's rows, by login (the last row wins, as PHP's keyed array). */
struct stat_row {
	char *login;
	long long id;
	char *d0, *u0; /* NULL for SQL NULL */
};

struct oph {
	struct req *r;
	int year, month;
	struct stat_row *st;
	size_t nst, capst;
	struct db_rows users; /* login, IP */
	bool dberr;
};

static struct stat_row *stat_find(struct oph *o, const char *login)
{
	for (size_t i = o->nst; i-- > 0;)
		if (strcmp(o->st[i].login, login) == 0)
			return &o->st[i];
	return NULL;
}

static struct stat_row *stat_add(struct oph *o, const char *login)
{
	if (o->nst == o->capst) {
		o->capst = o->capst ? o->capst * 2 : 64;
		o->st = xrealloc(o->st, o->capst * sizeof *o->st);
	}
	struct stat_row *s = &o->st[o->nst++];
	memset(s, 0, sizeof *s);
	s->login = xstrdup(login);
	return s;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static int load(struct oph *o)
{
	struct db_rows rows;
	if (db_query(o->r->db, &rows,
		     "SELECT `id`,`login`,`D0`,`U0` FROM `ophtraff` WHERE `year`=? AND `month`=? ORDER BY `id`",
		     "ii", (long long)o->year, (long long)o->month) != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 1);
		if (!login)
			continue;
		struct stat_row *s = stat_find(o, login);
		if (!s)
			s = stat_add(o, login);
		s->id = strtoll(db_cell(&rows, i, 0), NULL, 10);
		set_str(&s->d0, db_cell(&rows, i, 2));
		set_str(&s->u0, db_cell(&rows, i, 3));
	}
	db_rows_free(&rows);
	/* array_flip of login => IP: the last login (primary key order) wins,
	 * so scan from the end when looking up */
	return db_query(o->r->db, &o->users, "SELECT `login`,`IP` FROM `users` ORDER BY `login`", "");
}

static const char *ip_login(const struct oph *o, const char *ip)
{
	for (size_t i = o->users.nrows; i-- > 0;) {
		const char *v = db_cell(&o->users, i, 1);
		if (v && strcmp(v, ip) == 0)
			return db_cell(&o->users, i, 0);
	}
	return NULL;
}

/* A counter the collector sent: a JSON integer or a string of digits, up
 * to int64. PHP pastes it into SQL as it is; we take nothing else. */
static bool counter(const cJSON *v, char out[24])
{
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		/* doubles hold integers exactly only up to 2^53 */
		if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(long long)d)
			return false;
		snprintf(out, 24, "%lld", (long long)d);
		return true;
	}
	if (!cJSON_IsString(v) || !v->valuestring)
		return false;
	const char *s = v->valuestring;
	size_t n = strlen(s);
	if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
		return false;
	unsigned long long u = strtoull(s, NULL, 10);
	if (u > (unsigned long long)INT64_MAX)
		return false;
	snprintf(out, 24, "%llu", u);
	return true;
}

/* PHP's $dl != $row['D0']: numeric comparison, NULL differs from a number */
static bool differs(const char *db, const char *val)
{
	if (!db)
		return true;
	struct zval a = { .k = Z_STR, .s = db }, b = { .k = Z_STR, .s = val };
	return !php_loose_eq(&a, &b);
}

static void import_one(struct oph *o, const char *ip, const cJSON *e)
{
	char dl[24], ul[24];
	const char *login = ip_login(o, ip);
	if (!login || !cJSON_IsObject(e) || !counter(cJSON_GetObjectItemCaseSensitive(e, "dl"), dl) ||
	    !counter(cJSON_GetObjectItemCaseSensitive(e, "ul"), ul))
		return;
	struct stat_row *s = stat_find(o, login);
	if (s) {
		if (!differs(s->d0, dl) && !differs(s->u0, ul))
			return;
		if (db_exec(o->r->db, "UPDATE `ophtraff` SET `D0`=?, `U0`=? WHERE `id`=?", "ssi", dl, ul,
			    s->id) < 0) {
			o->dberr = true;
			return;
		}
		set_str(&s->d0, dl);
		set_str(&s->u0, ul);
		return;
	}
	/* the first sighting in a month is 0/0, so last month's total is not
	 * carried over; the next run stores the real totals */
	if (db_exec(o->r->db,
		    "INSERT INTO `ophtraff` (`id`,`login`,`month`,`year`,`D0`,`U0`) VALUES (NULL,?,?,?,'0','0')",
		    "sii", login, (long long)o->month, (long long)o->year) < 0) {
		o->dberr = true;
		return;
	}
	s = stat_add(o, login);
	s->id = (long long)db_insert_id(o->r->db);
	set_str(&s->d0, "0");
	set_str(&s->u0, "0");
}

static void import_url(struct oph *o, const char *base, size_t len)
{
	/* libcurl is limited to http(s) anyway; an empty or foreign item is a
	 * config slip, not a request */
	if (len == 0 || !(strncasecmp(base, "http://", 7) == 0 || strncasecmp(base, "https://", 8) == 0))
		return;
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;
	sbuf_add(&url, base, len);
	sbuf_puts(&url, "/?module=gettraff");
	struct http_response resp = { 0 };
	struct http_request q = { .url = sbuf_str(&url), .timeout_ms = 30000, .connect_timeout_ms = 2000,
				  .follow_redirects = 1, .insecure = 1 };
	if (http_request(&q, &resp, &err) != 0) {
		syslog(LOG_WARNING, "ubapi ophanimtraff: %s: %s", sbuf_str(&url), sbuf_str(&err));
	} else if (resp.body.len) {
		cJSON *j = cJSON_ParseWithLength(resp.body.s, resp.body.len);
		if (cJSON_IsObject(j))
			for (const cJSON *e = j->child; e && !o->dberr; e = e->next)
				if (e->string)
					import_one(o, e->string, e);
		cJSON_Delete(j);
	}
	http_response_free(&resp);
	sbuf_free(&url);
	sbuf_free(&err);
}

void cmd_ophanimtraff(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "OPHANIMFLOW_ENABLED", "0"))) {
		reply_text(r, "ERROR:OPHANIMTRAFF_DIABLED");
		return;
	}
	struct stardust lock;
	if (!stardust_take_or_reply(r, OPH_LOCK, "SKIP:OPHANIMTRAFF_RUNNING", &lock))
		return;
	const char *urls = cfg_alter(r->cfg, "OPHANIMFLOW_URLS", "");
	struct oph o = { .r = r };
	struct tm tm;
	localtime_r(&r->now, &tm);
	o.year = tm.tm_year + 1900;
	o.month = tm.tm_mon + 1;
	if (urls && *urls) {
		if (load(&o) != 0) {
			o.dberr = true;
		} else {
			/* comma-separated, not trimmed (PHP explode) */
			for (const char *p = urls; !o.dberr;) {
				const char *c = strchr(p, ',');
				size_t n = c ? (size_t)(c - p) : strlen(p);
				import_url(&o, p, n);
				if (!c)
					break;
				p = c + 1;
			}
		}
	}
	stardust_give(r->db, &lock);
	for (size_t i = 0; i < o.nst; i++) {
		free(o.st[i].login);
		free(o.st[i].d0);
		free(o.st[i].u0);
	}
	free(o.st);
	db_rows_free(&o.users);
	if (o.dberr)
		reply_db_error(r);
	else
		reply_text(r, "OK:OPHANIMTRAFF_DONE");
}
