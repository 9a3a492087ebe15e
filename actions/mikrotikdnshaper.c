/* mikrotikdnshaper: inside a tariff's dshape_time window, set the
 * download limit of each user's MikroTik simple queue to the window's
 * speed; param=downshift puts the tariff speeds back (spec
 * actions-network.md §6). */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "actions.h"
#include "money.h"
#include "networks.h"
#include "phpser.h"
#include "routeros.h"
#include "util.h"
#include "weblog.h"

#define ROS_ATTEMPTS 3
#define ROS_TIMEOUT_MS 5000

enum { C_LOGIN, C_IP, C_TARIFF, C_NETID, C_NASIP, C_OPTIONS, C_SPEEDDOWN, C_SPEEDUP, C_BURSTDOWN,
       C_BURSTUP, C_BTIMEDOWN, C_BTIMEUP, C_T1, C_T2, C_SPEED };

/* One session per router and credentials for the whole call (PHP logs in
 * again for every user and never closes); a failed one is not retried. */
struct session {
	char *key;
	struct ros c;
	bool ok;
};

struct sessions {
	struct session *v;
	size_t n, cap;
};

/* PHP base64_decode() without strict: characters outside the alphabet,
 * padding included, are skipped. */
static void b64_decode(const char *in, struct sbuf *out)
{
	unsigned acc = 0;
	int bits = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		int v;
		if (*p >= 'A' && *p <= 'Z')
			v = *p - 'A';
		else if (*p >= 'a' && *p <= 'z')
			v = *p - 'a' + 26;
		else if (*p >= '0' && *p <= '9')
			v = *p - '0' + 52;
		else if (*p == '+')
			v = 62;
		else if (*p == '/')
			v = 63;
		else
			continue;
		acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sbuf_putc(out, (char)((acc >> bits) & 0xFF));
		}
	}
}

/* A scalar of the options array as PHP would print it ("" when absent). */
static void opt_str(const cJSON *o, const char *key, struct sbuf *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(v))
		sbuf_puts(out, v->valuestring);
	else if (cJSON_IsNumber(v))
		phpnum_format(v->valuedouble, out);
	else if (cJSON_IsTrue(v))
		sbuf_putc(out, '1');
}

static struct ros *session_get(struct sessions *ss, const char *nasip, const char *options)
{
	if (!nasip || !options)
		return NULL;
	struct sbuf raw = SBUF_INIT;
	b64_decode(options, &raw);
	cJSON *o = raw.len ? phpser_parse(raw.s, raw.len) : NULL;
	sbuf_free(&raw);
	if (!cJSON_IsObject(o) && !cJSON_IsArray(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	struct sbuf user = SBUF_INIT, pass = SBUF_INIT, mode = SBUF_INIT, port = SBUF_INIT;
	opt_str(o, "username", &user);
	opt_str(o, "password", &pass);
	opt_str(o, "use_new_conn_mode", &mode);
	opt_str(o, "apiport", &port);
	cJSON_Delete(o);
	bool new_mode = php_truthy(sbuf_str(&mode));
	/* !empty($apiport) ? $apiport : 8728 */
	unsigned long pn = 8728;
	if (php_truthy(sbuf_str(&port))) {
		char *end;
		pn = strtoul(sbuf_str(&port), &end, 10);
		if (*end || pn == 0 || pn > 65535)
			pn = 0;
	}
	struct sbuf key = SBUF_INIT;
	sbuf_printf(&key, "%s%c%lu%c%s%c%s%c%d", nasip, 1, pn, 1, sbuf_str(&user), 1, sbuf_str(&pass), 1,
		    new_mode);
	struct session *s = NULL;
	for (size_t i = 0; i < ss->n && !s; i++)
		if (strcmp(ss->v[i].key, sbuf_str(&key)) == 0)
			s = &ss->v[i];
	if (!s) {
		if (ss->n == ss->cap) {
			ss->cap = ss->cap ? ss->cap * 2 : 4;
			ss->v = xrealloc(ss->v, ss->cap * sizeof *ss->v);
		}
		s = &ss->v[ss->n++];
		s->key = sbuf_detach(&key);
		s->c.fd = -1;
		s->ok = pn && ros_open(&s->c, nasip, (unsigned)pn, sbuf_str(&user), sbuf_str(&pass), new_mode,
				       ROS_ATTEMPTS, ROS_TIMEOUT_MS) == 0;
		if (!s->ok)
			syslog(LOG_WARNING, "ubapi mikrotikdnshaper: cannot log in to %s:%lu", nasip, pn);
	}
	sbuf_free(&key);
	sbuf_free(&user);
	sbuf_free(&pass);
	sbuf_free(&mode);
	sbuf_free(&port);
	/* a session the router dropped (e.g. after !fatal) stays failed */
	return s->ok && s->c.fd >= 0 ? &s->c : NULL;
}

/* PHP empty() of a DB value */
static bool php_empty(const char *v)
{
	return !php_truthy(v);
}

/* $v * 0.8 printed by PHP; false when $v is not a number at all (PHP 8
 * throws a TypeError there). A leading-numeric string counts its prefix, as
 * PHP does with a warning. */
static bool times08(const char *v, struct sbuf *out)
{
	bool is_int;
	long long iv;
	double dv;
	if (!v)
		return false;
	if (php_numeric(v, &is_int, &iv, &dv)) {
		phpnum_format((is_int ? (double)iv : dv) * 0.8, out);
		return true;
	}
	char *end;
	dv = strtod(v, &end);
	if (end == v)
		return false;
	phpnum_format(dv * 0.8, out);
	return true;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The set-template words after =.id=, in PHP's key order. */
static bool template_words(const struct db_rows *rows, size_t i, bool downshift, struct sbuf w[4],
			   size_t *nw)
{
	const char *up = nz(db_cell(rows, i, C_SPEEDUP));
	const char *down = downshift ? nz(db_cell(rows, i, C_SPEEDDOWN)) : nz(db_cell(rows, i, C_SPEED));
	sbuf_printf(&w[0], "=max-limit=%sk/%sk", up, down);
	*nw = 1;
	if (php_empty(db_cell(rows, i, C_BTIMEUP)) || php_empty(db_cell(rows, i, C_BTIMEDOWN)) ||
	    php_empty(db_cell(rows, i, C_BURSTUP)) || php_empty(db_cell(rows, i, C_BURSTDOWN)))
		return true;
	sbuf_printf(&w[1], "=burst-limit=%sk/%sk", db_cell(rows, i, C_BURSTUP),
		    downshift ? db_cell(rows, i, C_BURSTDOWN) : down);
	sbuf_puts(&w[2], "=burst-threshold=");
	if (!times08(db_cell(rows, i, C_SPEEDUP), &w[2]))
		return false;
	sbuf_puts(&w[2], "k/");
	if (!times08(downshift ? db_cell(rows, i, C_SPEEDDOWN) : db_cell(rows, i, C_SPEED), &w[2]))
		return false;
	sbuf_putc(&w[2], 'k');
	sbuf_printf(&w[3], "=burst-time=%s/%s", db_cell(rows, i, C_BTIMEUP), db_cell(rows, i, C_BTIMEDOWN));
	*nw = 4;
	return true;
}

static void shape_row(struct ros *c, const struct db_rows *rows, size_t i, bool downshift)
{
	struct sbuf w[4] = { SBUF_INIT, SBUF_INIT, SBUF_INIT, SBUF_INIT };
	size_t nw = 0;
	if (!template_words(rows, i, downshift, w, &nw)) {
		syslog(LOG_WARNING, "ubapi mikrotikdnshaper: non-numeric speed for %s", nz(db_cell(rows, i, C_LOGIN)));
		goto out;
	}
	struct sbuf name = SBUF_INIT;
	sbuf_printf(&name, "?name=%s", nz(db_cell(rows, i, C_LOGIN)));
	const char *pw[] = { "/queue/simple/print", "=.proplist=.id", sbuf_str(&name) };
	struct ros_reply rep;
	/* the client trims every word, so ?name= carries trim(login) */
	if (ros_command(c, pw, 3, &rep) == 0) {
		for (size_t k = 0; k < rep.n; k++) {
			const char *id = strcmp(rep.s[k].w[0], "!re") == 0 ? ros_attr(&rep.s[k], ".id") : NULL;
			if (!id)
				continue;
			struct sbuf idw = SBUF_INIT;
			sbuf_printf(&idw, "=.id=%s", id);
			const char *sw[6] = { "/queue/simple/set", sbuf_str(&idw) };
			for (size_t j = 0; j < nw; j++)
				sw[2 + j] = sbuf_str(&w[j]);
			/* replies are ignored, as in PHP */
			int rc = ros_command(c, sw, 2 + nw, NULL);
			sbuf_free(&idw);
			if (rc != 0)
				break;
		}
	}
	ros_reply_free(&rep);
	sbuf_free(&name);
out:
	for (size_t j = 0; j < 4; j++)
		sbuf_free(&w[j]);
}

void cmd_mikrotikdnshaper(struct req *r)
{
	/* PHP prints nothing at all here: the core's unknown-action reply */
	if (!php_truthy(cfg_alter(r->cfg, "DSHAPER_ENABLED", "0"))) {
		reply_text(r, "ERROR:UNKNOWN_ACTION");
		return;
	}
	char now[16];
	struct tm tm;
	localtime_r(&r->now, &tm);
	strftime(now, sizeof now, "%H:%M:%S", &tm);
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `usr_nh`.`login`, `usr_nh`.`ip`, `usr_nh`.`Tariff`, `usr_nh`.`netid`, "
		     "`nas`.`nasip`, `nas`.`options`, `speeds`.`speeddown`, `speeds`.`speedup`, "
		     "`speeds`.`burstdownload`, `speeds`.`burstupload`, `speeds`.`bursttimedownload`, "
		     "`speeds`.`burstimetupload`, `dshpt`.`threshold1`, `dshpt`.`threshold2`, `dshpt`.`speed` "
		     "FROM (SELECT `users`.`login`, `users`.`ip`, `users`.`Tariff`, `nh`.`netid` FROM `users` "
		     "LEFT JOIN `nethosts` AS `nh` ON `users`.`ip` = `nh`.`ip` "
		     "WHERE !`users`.`Down` AND !(`users`.`Cash` < -(`users`.`Credit`))) AS `usr_nh` "
		     "LEFT JOIN `nas` ON `usr_nh`.`netid` = `nas`.`netid` "
		     "LEFT JOIN `dshape_time` AS `dshpt` ON `usr_nh`.`Tariff` = `dshpt`.`tariff` "
		     "LEFT JOIN `speeds` ON `usr_nh`.`Tariff` = `speeds`.`tariff` "
		     "WHERE `nas`.`nastype` = 'mikrotik' AND `dshpt`.`speed` IS NOT NULL "
		     "AND ? BETWEEN `dshpt`.`threshold1` AND `dshpt`.`threshold2` "
		     "ORDER BY `usr_nh`.`login`, `nas`.`id`, `dshpt`.`id`, `speeds`.`id`",
		     "s", now) != 0) {
		reply_db_error(r);
		return;
	}
	if (rows.nrows == 0) {
		db_rows_free(&rows);
		reply_text(r, "OK:MT_DN_SHAPER_NO_USERS_TO_PROCESS");
		return;
	}
	const char *param = req_param(r, "param");
	bool downshift = param && strcmp(param, "downshift") == 0;
	bool any = false;
	struct sessions ss = { 0 };
	for (size_t i = 0; i < rows.nrows; i++) {
		struct ros *c = session_get(&ss, db_cell(&rows, i, C_NASIP), db_cell(&rows, i, C_OPTIONS));
		if (!c)
			continue;
		any = true;
		shape_row(c, &rows, i, downshift);
	}
	for (size_t i = 0; i < ss.n; i++) {
		ros_close(&ss.v[i].c);
		free(ss.v[i].key);
	}
	free(ss.v);
	weblog(r, "MT_DN_SHAPER %s done to `%zu` users", downshift && any ? "DOWNSHIFT" : "", rows.nrows);
	db_rows_free(&rows);
	reply_text(r, "OK:MT_DN_SHAPER");
}
