/* fullhostscan: which subscribers look alive, from nmap ping scans of every
 * network and/or upload counters that moved since the last call, written as
 * content/dn/<login> markers (spec actions-network.md §2). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "actions.h"
#include "clock.h"
#include "networks.h"
#include "phpser.h"
#include "runcmd.h"
#include "switches.h"
#include "util.h"

#define NMAP_MAX_OUT (64u << 20)

static void scan_networks(struct req *r, struct sbuf *result, struct sbuf *reply, struct db_rows *nets)
{
	const char *nmap = cfg_alter_rcms(r->cfg, "NMAP_PATH", "");
	if (!*nmap)
		nmap = "/usr/local/bin/nmap";
	long timeout_s = cfg_ubapi_long(r->cfg, "nmap_timeout_s", 600);
	if (timeout_s < 1 || timeout_s > 86400)
		timeout_s = 600;
	int timeout_ms = (int)timeout_s * 1000;
	for (size_t i = 0; i < nets->nrows; i++) {
		const char *id = db_cell(nets, i, 0), *net = db_cell(nets, i, 1);
		/* networks.desc goes to argv: only a well-formed CIDR, never an option */
		if (!net || !net_cidr_valid(net)) {
			syslog(LOG_WARNING, "ubapi: fullhostscan skips network %s: desc is not A.B.C.D/NN", id);
			continue;
		}
		size_t argc = 0;
		char **argv = spawn_argv_split(nmap, 3, &argc);
		argv[argc++] = xstrdup("-sP");
		argv[argc++] = xstrdup("-n");
		argv[argc++] = xstrdup(net);
		argv[argc] = NULL;
		struct spawn_result res;
		if (spawn_run(argv, timeout_ms, NMAP_MAX_OUT, result, &res) != 0 || res.status != 0)
			syslog(LOG_WARNING, "ubapi: fullhostscan: %s failed on %s (status %d%s)", argv[0], net,
			       res.status, res.timed_out ? ", timed out" : "");
		spawn_argv_free(argv);
		char ts[32];
		clock_format_datetime(clock_now(), ts);
		sbuf_printf(reply, "%s :%s:SCANNED\n", net, ts);
	}
}

struct cur {
	struct db_rows rows; /* login, IP, traff */
	struct zval *traff;
};

/* login => D0+U0 of this month from mlg_ishimura or ophtraff, added to the
 * upload sums; the traffic becomes a PHP int where it was added. */
static int add_traffic(struct req *r, struct cur *c, const char *sql)
{
	struct tm tm;
	localtime_r(&r->now, &tm);
	struct db_rows rows;
	if (db_query(r->db, &rows, sql, "ii", (long long)tm.tm_mon + 1, (long long)tm.tm_year + 1900) != 0)
		return -1;
	long long *add = xmalloc((rows.nrows ? rows.nrows : 1) * sizeof *add);
	struct pmap m = { 0 };
	for (size_t i = 0; i < rows.nrows; i++) {
		long long d = 0, u = 0;
		const char *ds = db_cell(&rows, i, 1), *us = db_cell(&rows, i, 2);
		if (ds)
			php_numeric(ds, NULL, &d, NULL);
		if (us)
			php_numeric(us, NULL, &u, NULL);
		add[i] = d + u;
		pmap_put(&m, db_cell(&rows, i, 0) ? db_cell(&rows, i, 0) : "", i);
	}
	pmap_done(&m);
	for (size_t i = 0; i < c->rows.nrows; i++) {
		long k = pmap_find(&m, db_cell(&c->rows, i, 0));
		if (k < 0)
			continue;
		struct zval *z = &c->traff[i];
		long long base = 0;
		if (z->k == Z_STR)
			php_numeric(z->s, NULL, &base, NULL);
		else if (z->k == Z_INT)
			base = z->i;
		z->k = Z_INT;
		z->i = base + add[k];
	}
	pmap_free(&m);
	free(add);
	db_rows_free(&rows);
	return 0;
}

/* The same list PHP serializes: [{login, IP, traff}, ...] */
static void cur_serialize(const struct cur *c, struct sbuf *out)
{
	phpser_array_begin(out, c->rows.nrows);
	for (size_t i = 0; i < c->rows.nrows; i++) {
		const char *login = db_cell(&c->rows, i, 0), *ip = db_cell(&c->rows, i, 1);
		phpser_key_int(out, (long long)i);
		phpser_array_begin(out, 3);
		phpser_key_str(out, "login");
		phpser_string(out, login, strlen(login));
		phpser_key_str(out, "IP");
		if (ip)
			phpser_string(out, ip, strlen(ip));
		else
			phpser_null(out);
		phpser_key_str(out, "traff");
		const struct zval *z = &c->traff[i];
		if (z->k == Z_INT)
			phpser_int(out, z->i);
		else if (z->k == Z_STR)
			phpser_string(out, z->s, strlen(z->s));
		else
			phpser_null(out);
		phpser_array_end(out);
	}
	phpser_array_end(out);
}

/* A value read back from prevtraff; false for arrays, which never equal
 * a number or a string in PHP. */
static bool json_zval(const cJSON *j, struct zval *z)
{
	memset(z, 0, sizeof *z);
	if (!j || cJSON_IsNull(j)) {
		z->k = Z_NULL;
	} else if (cJSON_IsBool(j)) {
		z->k = Z_BOOL;
		z->i = cJSON_IsTrue(j);
	} else if (cJSON_IsString(j)) {
		z->k = Z_STR;
		z->s = j->valuestring;
	} else if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		if (d == (double)(long long)d && d >= -9.2e18 && d <= 9.2e18) {
			z->k = Z_INT;
			z->i = (long long)d;
		} else {
			z->k = Z_DBL;
			z->d = d;
		}
	} else {
		return false;
	}
	return true;
}

struct prev {
	cJSON *tree;
	char **login;
	const cJSON **traff;
	size_t n;
};

static void prev_load(const char *path, struct prev *p)
{
	size_t len = 0;
	char *text = file_get(path, &len);
	p->tree = text ? phpser_parse(text, len) : NULL;
	free(text);
	size_t cap = p->tree ? (size_t)cJSON_GetArraySize(p->tree) : 0;
	p->login = xcalloc(cap ? cap : 1, sizeof *p->login);
	p->traff = xcalloc(cap ? cap : 1, sizeof *p->traff);
	if (!p->tree || !(cJSON_IsArray(p->tree) || cJSON_IsObject(p->tree)))
		return; /* garbage counts as no previous data */
	const cJSON *el;
	cJSON_ArrayForEach(el, p->tree) {
		if (!cJSON_IsObject(el))
			continue;
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(el, "login");
		char buf[32];
		if (cJSON_IsString(l)) {
			p->login[p->n] = xstrdup(l->valuestring);
		} else if (cJSON_IsNumber(l)) {
			snprintf(buf, sizeof buf, "%lld", (long long)l->valuedouble);
			p->login[p->n] = xstrdup(buf);
		} else {
			continue;
		}
		p->traff[p->n++] = cJSON_GetObjectItemCaseSensitive(el, "traff");
	}
}

static void prev_free(struct prev *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->login[i]);
	free(p->login);
	free(p->traff);
	cJSON_Delete(p->tree);
}

static int traffdiff(struct req *r, struct sbuf *result)
{
	sbuf_puts(result, "== Traffic analysis diff here ==\n");
	struct cur c = { 0 };
	if (db_query(r->db, &c.rows,
		     "SELECT `login`, `IP`, (`U0`+`U1`+`U2`+`U3`+`U4`+`U5`+`U6`+`U7`+`U8`+`U9`) AS `traff` "
		     "FROM `users` ORDER BY `login`",
		     "") != 0)
		return -1;
	c.traff = xcalloc(c.rows.nrows ? c.rows.nrows : 1, sizeof *c.traff);
	for (size_t i = 0; i < c.rows.nrows; i++) {
		const char *t = db_cell(&c.rows, i, 2);
		c.traff[i] = (struct zval){ .k = t ? Z_STR : Z_NULL, .s = t };
	}
	int rc = 0;
	if (php_truthy(cfg_alter_rcms(r->cfg, "ISHIMURA_ENABLED", "")))
		rc = add_traffic(r, &c, "SELECT `login`, `D0`, `U0` FROM `mlg_ishimura` WHERE `month` = ? AND `year` = ?");
	if (rc == 0 && php_truthy(cfg_alter_rcms(r->cfg, "OPHANIMFLOW_ENABLED", "")))
		rc = add_traffic(r, &c,
				 "SELECT `login`, `D0`, `U0` FROM `ophtraff` WHERE `month` = ? AND `year` = ? ORDER BY `id`");
	if (rc != 0) {
		free(c.traff);
		db_rows_free(&c.rows);
		return -1;
	}

	char *path = exports_path(r->cfg, "prevtraff");
	struct sbuf ser = SBUF_INIT;
	cur_serialize(&c, &ser);
	struct stat st;
	bool first = stat(path, &st) != 0;

	struct prev p = { 0 };
	struct pmap pm = { 0 }, cm = { 0 };
	if (!first) { /* else the previous state is the current one: nothing moved */
		prev_load(path, &p);
		for (size_t i = 0; i < p.n; i++)
			pmap_put(&pm, p.login[i], i);
		pmap_done(&pm);
		for (size_t i = 0; i < c.rows.nrows; i++)
			pmap_put(&cm, db_cell(&c.rows, i, 0), i);
		pmap_done(&cm);
	}
	for (size_t i = 0; i < cm.n; i++) {
		const struct pmap_ent *e = pmap_at(&cm, i);
		long k = pmap_find(&pm, e->key);
		struct zval before;
		if (k < 0 || (json_zval(p.traff[k], &before) && php_loose_eq(&c.traff[e->idx], &before)))
			continue;
		const char *ip = db_cell(&c.rows, e->idx, 1);
		sbuf_printf(result, "login %s %s looks like alive\n", e->key, ip ? ip : "");
	}

	if (file_put(path, sbuf_str(&ser), ser.len, 0) != 0)
		syslog(LOG_WARNING, "ubapi: fullhostscan cannot write %s", path);
	pmap_free(&pm);
	pmap_free(&cm);
	prev_free(&p);
	sbuf_free(&ser);
	free(path);
	free(c.traff);
	db_rows_free(&c.rows);
	return 0;
}

/* Every dotted quad the scan and diff lines name, first one per line. */
static void active_ips(const struct sbuf *result, struct pmap *active, char ***ips, size_t *nips)
{
	size_t cap = 16;
	*ips = xmalloc(cap * sizeof **ips);
	*nips = 0;
	const char *s = sbuf_str(result), *end = s + result->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		size_t off, mlen;
		if (find_dotted_quad(s, len, &off, &mlen)) {
			if (*nips == cap) {
				cap *= 2;
				*ips = xrealloc(*ips, cap * sizeof **ips);
			}
			(*ips)[*nips] = xstrndup(s + off, mlen);
			pmap_put(active, (*ips)[*nips], *nips);
			(*nips)++;
		}
		s += len + 1;
	}
	pmap_done(active);
}

static bool is_alive_file(const char *path)
{
	size_t len = 0;
	char *data = file_get(path, &len);
	bool ok = data && len == 5 && memcmp(data, "alive", 5) == 0;
	free(data);
	return ok;
}

/* The new marker set is computed first, then only stale markers go: PHP
 * empties the directory before rewriting it, and the UI shows everyone
 * offline in between. */
static int dn_update(struct req *r, const struct sbuf *result, const char *dndir)
{
	struct pmap active = { 0 };
	char **ips;
	size_t nips;
	active_ips(result, &active, &ips, &nips);

	struct db_rows users;
	if (db_query(r->db, &users, "SELECT `login`, `IP` FROM `users` ORDER BY `login`", "") != 0) {
		pmap_free(&active);
		for (size_t i = 0; i < nips; i++)
			free(ips[i]);
		free(ips);
		return -1;
	}
	struct pmap owner = { 0 }, keep = { 0 };
	for (size_t i = 0; i < users.nrows; i++)
		if (db_cell(&users, i, 1))
			pmap_put(&owner, db_cell(&users, i, 1), i);
	pmap_done(&owner);
	for (size_t i = 0; i < active.n; i++) {
		long u = pmap_find(&owner, pmap_at(&active, i)->key);
		const char *login = u >= 0 ? db_cell(&users, (size_t)u, 0) : NULL;
		if (login && dn_name_ok(login))
			pmap_put(&keep, login, (size_t)u);
	}
	pmap_done(&keep);

	DIR *d = opendir(dndir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || pmap_find(&keep, de->d_name) >= 0)
			continue;
		struct sbuf f = SBUF_INIT;
		sbuf_printf(&f, "%s/%s", dndir, de->d_name);
		unlink(sbuf_str(&f)); /* directories stay, as PHP's unlink() fails on them */
		sbuf_free(&f);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < keep.n; i++) {
		struct sbuf f = SBUF_INIT;
		sbuf_printf(&f, "%s/%s", dndir, pmap_at(&keep, i)->key);
		if (!is_alive_file(sbuf_str(&f)) && file_put_inplace(sbuf_str(&f), "alive", 5) != 0)
			syslog(LOG_WARNING, "ubapi: fullhostscan cannot write %s", sbuf_str(&f));
		sbuf_free(&f);
	}

	char ts[32];
	clock_format_datetime(clock_now(), ts);
	struct sbuf line = SBUF_INIT;
	sbuf_printf(&line, "%s;%zu\n", ts, active.n);
	char *timeline = cfg_path(r->cfg, "content/documents/dntimeline.log");
	if (file_append(timeline, line.s, line.len) != 0)
		syslog(LOG_WARNING, "ubapi: fullhostscan cannot append to %s", timeline);
	free(timeline);
	sbuf_free(&line);

	pmap_free(&owner);
	pmap_free(&keep);
	pmap_free(&active);
	db_rows_free(&users);
	for (size_t i = 0; i < nips; i++)
		free(ips[i]);
	free(ips);
	return 0;
}

void cmd_fullhostscan(struct req *r)
{
	struct sbuf result = SBUF_INIT, reply = SBUF_INIT;
	int rc = 0;
	if (!param_present(&r->params, "nn")) {
		struct db_rows nets;
		rc = db_query(r->db, &nets, "SELECT `id`, `desc` FROM `networks` ORDER BY `id`", "");
		if (rc == 0) {
			scan_networks(r, &result, &reply, &nets);
			db_rows_free(&nets);
		}
	}
	const char *param = req_param(r, "param");
	if (rc == 0 && param && strcmp(param, "traffdiff") == 0)
		rc = traffdiff(r, &result);
	if (rc != 0) {
		reply_db_error(r);
		goto out;
	}

	char *scanfile = exports_path(r->cfg, "nmaphostscan");
	if (file_put(scanfile, sbuf_str(&result), result.len, 0) != 0)
		syslog(LOG_WARNING, "ubapi: fullhostscan cannot write %s", scanfile);
	free(scanfile);

	if (php_truthy(cfg_alter_rcms(r->cfg, "DN_FULLHOSTSCAN", ""))) {
		char *dndir = cfg_path(r->cfg, "content/dn");
		struct stat st;
		if (stat(dndir, &st) != 0) {
			sbuf_puts(&reply, "FAIL:NO_CONTENT_DN_EXISTS");
			reply_text(r, sbuf_str(&reply));
			free(dndir);
			goto out;
		}
		rc = dn_update(r, &result, dndir);
		free(dndir);
		if (rc != 0) {
			reply_db_error(r);
			goto out;
		}
	}
	sbuf_puts(&reply, "OK:FULLHOSTSCAN");
	reply_text(r, sbuf_str(&reply));
out:
	sbuf_free(&result);
	sbuf_free(&reply);
}
