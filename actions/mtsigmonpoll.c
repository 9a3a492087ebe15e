/* mtsigmonpoll: wireless APs' station tables (Mikrotik, UBNT, Ligowave)
 * over SNMPv1 -> UbillingCache MTSIGMON_* keys and per-client signal
 * history files (spec §2.5). Every AP is queried at once; vendor
 * fallbacks run as further rounds for the APs that gave nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "clock.h"
#include "phpser.h"
#include "switches.h"
#include "ubcache.h"
#include "util.h"

#define OID_MT_RX ".1.3.6.1.4.1.14988.1.1.1.2.1.3"
#define OID_MT_TX ".1.3.6.1.4.1.14988.1.1.1.2.1.19"
#define OID_STATION ".1.2.840.10036.1.1.1.1.5"

struct ap {
	const char *id, *ip, *location, *snmp;
	const char *cpemac;   /* CPE autopoll: history key, no cache */
	char *rxoid, *rx, *tx, *st;
	int shift;
	bool queried;
};

static bool nothing(const char *text, const char *oid)
{
	size_t l = strlen(oid);
	return !text || (strncmp(text, oid, l) == 0 && strcmp(text + l, " = ") == 0);
}

/* one round of walks: for every ap with want[i] set, walk oid[i] */
static void round_walk(struct req *r, struct ap *a, size_t n, const char **oid, char **out[])
{
	struct cwalk *w = xcalloc(n ? n : 1, sizeof *w);
	size_t *map = xcalloc(n ? n : 1, sizeof *map), k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!oid[i])
			continue;
		w[k] = (struct cwalk){ a[i].ip, a[i].snmp, xstrdup(oid[i]), false, true, NULL, -1 };
		map[k++] = i;
	}
	cwalk_run(r->cfg, w, k);
	for (size_t j = 0; j < k; j++) {
		free(*out[map[j]]);
		*out[map[j]] = w[j].text;
		w[j].text = NULL;
	}
	cwalk_free(w, k);
	free(map);
}

static void ap_mac_file(struct req *r, const struct ap *a, const char *text)
{
	const char *p = strstr(text, ": ");
	if (!p)
		return;
	char *v = xstrdup(p + 2);
	char *nl = strstr(v, ": ");
	if (nl)
		*nl = '\0';
	str_trim(v);
	char parts[6][3];
	int np = 0;
	bool bad = false;
	for (char *s = v, *tok; (tok = strsep(&s, " \t\n:\"")) != NULL;) {
		if (!*tok)
			continue;
		if (np >= 6 || strlen(tok) > 2) {
			bad = true;
			break;
		}
		snprintf(parts[np++], 3, "%2s", tok);
	}
	free(v);
	if (bad || np != 6)
		return;
	char mac[18];
	snprintf(mac, sizeof mac, "%s:%s:%s:%s:%s:%s", parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
	for (char *c = mac; *c; c++)
		*c = *c == ' ' ? '0' : (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	struct sbuf name = SBUF_INIT;
	sbuf_printf(&name, "%s_MAC", a->ip);
	char *path = exports_path(r->cfg, sbuf_str(&name));
	file_put(path, mac, strlen(mac), 0);
	free(path);
	sbuf_free(&name);
}

static char *value_of(const char *v)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	const char *hit = strstr(v, "INTEGER:");
	if (hit) {
		sbuf_add(&b, v, (size_t)(hit - v));
		sbuf_puts(&b, hit + strlen("INTEGER:"));
	} else {
		sbuf_puts(&b, v);
	}
	char *s = sbuf_detach(&b);
	return str_trim(s);
}

/* result[mac] = "rx[ / tx]" for one AP, history lines appended */
static void ap_parse(struct req *r, struct ap *a, struct sbuf *ser, struct sbuf *macs, size_t *nmacs)
{
	struct sbuf body = SBUF_INIT, list = SBUF_INIT;
	size_t count = 0;
	char *hist = cfg_path(r->cfg, "content/documents/wifi_cpe_sig_hist");
	mkdir_p(hist);
	char date[20];
	clock_format_datetime(clock_now(), date);
	bool have_tx = a->tx && !nothing(a->tx, OID_MT_TX) && strstr(a->tx, " = ");
	if (a->rx && !nothing(a->rx, a->rxoid)) {
		char *copy = xstrdup(a->rx);
		for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
			char *sep = strstr(line, " = ");
			if (!sep)
				continue;
			*sep = '\0';
			const char *oid = line;
			char *rx = value_of(sep + 3);
			/* the six sub-ids before the last (Mikrotik: mac.ifIndex), or the last six */
			char *parts[64];
			size_t np = 0;
			char *oc = xstrdup(oid);
			for (char *x = oc, *tok; np < 64 && (tok = strsep(&x, ".")) != NULL;)
				parts[np++] = tok;
			size_t end = np + (size_t)a->shift;
			char mac[18] = "";
			if (end >= 8 && end - 2 < np + 1) {
				unsigned o[6];
				for (int c = 0; c < 6; c++)
					o[c] = (unsigned)atoi(parts[end - 7 + (size_t)c]) & 0xff;
				snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", o[0], o[1], o[2], o[3], o[4], o[5]);
			}
			free(oc);
			char *tx = NULL;
			if (have_tx) {
				struct sbuf want = SBUF_INIT;
				sbuf_printf(&want, "%s%s = ", OID_MT_TX, oid + strlen(a->rxoid));
				const char *hit = strstr(a->tx, sbuf_str(&want));
				if (hit) {
					const char *v = hit + want.len, *e = strchr(v, '\n');
					char *raw = e ? xstrndup(v, (size_t)(e - v)) : xstrdup(v);
					tx = value_of(raw);
					free(raw);
				} else {
					tx = xstrdup("");
				}
				sbuf_free(&want);
			}
			if (!a->cpemac) {
				struct sbuf val = SBUF_INIT;
				sbuf_printf(&val, "%s%s%s", rx, tx ? " / " : "", tx ? tx : "");
				phpser_key_str(&body, mac);
				phpser_string(&body, val.s, val.len);
				phpser_int(&list, (long long)count);
				phpser_string(&list, mac, strlen(mac));
				count++;
				sbuf_free(&val);
			}
			char md5[33];
			md5_hex(a->cpemac ? a->cpemac : mac, md5);
			struct sbuf path = SBUF_INIT, l = SBUF_INIT;
			sbuf_printf(&path, "%s/%s_%s", hist, md5, a->cpemac ? "CPE" : "AP");
			sbuf_printf(&l, "%s,%s,%s\n", date, rx, tx ? tx : "");
			file_append(sbuf_str(&path), l.s, l.len);
			sbuf_free(&path);
			sbuf_free(&l);
			free(rx);
			free(tx);
		}
		free(copy);
	}
	free(hist);
	if (!a->cpemac) {
		phpser_array_begin(ser, count);
		sbuf_add(ser, body.s ? body.s : "", body.len);
		phpser_array_end(ser);
		phpser_key_str(macs, a->id);
		phpser_array_begin(macs, count);
		sbuf_add(macs, list.s ? list.s : "", list.len);
		phpser_array_end(macs);
		(*nmacs)++;
	}
	sbuf_free(&body);
	sbuf_free(&list);
}

static void query_all(struct req *r, struct ap *a, size_t n, struct sbuf *macs, size_t *nmacs)
{
	const char **oid = xcalloc(n ? n : 1, sizeof *oid);
	char ***out = xcalloc(n ? n : 1, sizeof *out);
	static const char *const fallbacks[] = { ".1.3.6.1.4.1.41112.1.4.7.1.3.1", ".1.3.6.1.4.1.32750.3.10.1.3.2.1.5.5",
						 ".1.3.6.1.4.1.32750.3.10.1.3.2.1.5.7" };
	const char *const firsts[3] = { OID_MT_RX, OID_MT_TX, OID_STATION };
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < n; i++) {
			oid[i] = a[i].queried ? firsts[k] : NULL;
			out[i] = k == 0 ? &a[i].rx : k == 1 ? &a[i].tx : &a[i].st;
		}
		round_walk(r, a, n, oid, out);
	}
	for (size_t i = 0; i < n; i++)
		a[i].rxoid = xstrdup(OID_MT_RX);
	for (int f = 0; f < 3; f++) {
		for (size_t i = 0; i < n; i++) {
			oid[i] = a[i].queried && nothing(a[i].rx, a[i].rxoid) ? fallbacks[f] : NULL;
			out[i] = &a[i].rx;
			if (oid[i]) {
				free(a[i].rxoid);
				a[i].rxoid = xstrdup(fallbacks[f]);
				if (f == 0)
					a[i].shift = 1;
			}
		}
		round_walk(r, a, n, oid, out);
	}
	if (php_truthy(cfg_alter(r->cfg, "SWITCHES_SNMP_MAC_EXORCISM", "0"))) {
		static const char *const macoids[] = { OID_STATION, ".1.3.6.1.4.1.32750.3.10.1.2.1.1.1", ".1.3.6.1.2.1.2.2.1.6.1" };
		char **cur = xcalloc(n ? n : 1, sizeof *cur);
		for (size_t i = 0; i < n; i++)
			cur[i] = xstrdup(OID_STATION);
		for (int f = 1; f < 3; f++) {
			for (size_t i = 0; i < n; i++) {
				bool empty = !a[i].st || !*a[i].st || nothing(a[i].st, cur[i]);
				oid[i] = a[i].queried && empty ? macoids[f] : NULL;
				out[i] = &a[i].st;
				if (oid[i]) {
					free(cur[i]);
					cur[i] = xstrdup(macoids[f]);
				}
			}
			round_walk(r, a, n, oid, out);
		}
		for (size_t i = 0; i < n; i++) {
			if (a[i].queried && a[i].st && *a[i].st && !nothing(a[i].st, cur[i]))
				ap_mac_file(r, &a[i], a[i].st);
			free(cur[i]);
		}
		free(cur);
	}
	for (size_t i = 0; i < n; i++) {
		if (!a[i].queried)
			continue;
		struct sbuf ser = SBUF_INIT;
		ap_parse(r, &a[i], &ser, macs, nmacs);
		if (!a[i].cpemac) {
			char key[64];
			snprintf(key, sizeof key, "MTSIGMON_%s", a[i].id);
			ubcache_set(r->cfg, key, sbuf_str(&ser));
		}
		sbuf_free(&ser);
	}
	free(oid);
	free(out);
}

static void free_aps(struct ap *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].rxoid);
		free(a[i].rx);
		free(a[i].tx);
		free(a[i].st);
	}
	free(a);
}

/* username mode: the AP whose cached client list has the user's MAC */
static char *user_ap(struct req *r, const char *login)
{
	struct db_rows macs;
	bool cpe = php_truthy(cfg_alter(r->cfg, "WIFICPE_ENABLED", "0"));
	int rc = cpe ? db_query(r->db, &macs,
				"SELECT n.`mac` FROM `users` u JOIN `nethosts` n ON n.`ip`=u.`IP` WHERE u.`login`=? "
				"UNION ALL SELECT d.`mac` FROM `wcpeusers` w JOIN `wcpedevices` d ON d.`id`=w.`cpeid` "
				"WHERE w.`login`=? AND d.`bridge`=1",
				"ss", login, login)
		     : db_query(r->db, &macs,
				"SELECT n.`mac` FROM `users` u JOIN `nethosts` n ON n.`ip`=u.`IP` WHERE u.`login`=?", "s",
				login);
	if (rc != 0)
		return NULL;
	char *idx = ubcache_get(r->cfg, "MTSIGMON_MTID_UMAC", 2592000);
	cJSON *m = idx ? phpser_parse(idx, strlen(idx)) : NULL;
	char *found = NULL;
	cJSON *ap;
	cJSON_ArrayForEach(ap, m)
	{
		cJSON *mac;
		cJSON_ArrayForEach(mac, ap)
		{
			for (size_t i = 0; i < macs.nrows && !found; i++) {
				const char *um = db_cell(&macs, i, 0);
				if (um && cJSON_IsString(mac) && strcasecmp(mac->valuestring, um) == 0)
					found = xstrdup(ap->string ? ap->string : "");
			}
		}
	}
	cJSON_Delete(m);
	free(idx);
	db_rows_free(&macs);
	return found;
}

void cmd_mtsigmonpoll(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "MTSIGMON_ENABLED", "0"))) {
		reply_text(r, "ERROR:MTSIGMON_DISABLED");
		return;
	}
	char *login = req_param(r, "username") ? xstrdup(req_param(r, "username")) : NULL;
	if (login)
		vf_filter(login);
	char *only = login && *login ? user_ap(r, login) : NULL;
	const char *sort = cfg_alter(r->cfg, "SIGMON_WCPE_AP_LIST_SORT", "id");
	const char *order = strcmp(sort, "ip") == 0 ? "`ip`, `id`" : strcmp(sort, "location") == 0 ? "`location`, `id`" : "`id`";
	struct sbuf q = SBUF_INIT;
	sbuf_printf(&q, "SELECT `id`,`ip`,`location`,`snmp` FROM `switches` WHERE `desc` LIKE '%%MTSIGMON%%'%s ORDER BY %s",
		    only ? " AND `id`=?" : "", order);
	struct db_rows rows;
	int rc = only ? db_query(r->db, &rows, sbuf_str(&q), "s", only) : db_query(r->db, &rows, sbuf_str(&q), "");
	sbuf_free(&q);
	if (rc != 0) {
		free(login);
		free(only);
		reply_db_error(r);
		return;
	}
	reply_text(r, "");
	struct ap *a = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *a);
	for (size_t i = 0; i < rows.nrows; i++) {
		a[i].id = db_cell(&rows, i, 0);
		a[i].ip = db_cell(&rows, i, 1) ? db_cell(&rows, i, 1) : "";
		a[i].location = db_cell(&rows, i, 2) ? db_cell(&rows, i, 2) : "";
		a[i].snmp = db_cell(&rows, i, 3) ? db_cell(&rows, i, 3) : "";
		a[i].queried = a[i].snmp[0] != '\0';
		sbuf_printf(&r->reply.body, "POLLING:%s %s - %s\n", a[i].id, a[i].ip, a[i].location);
	}
	struct sbuf macs = SBUF_INIT;
	size_t nmacs = 0;
	query_all(r, a, rows.nrows, &macs, &nmacs);
	if (!only) {
		struct sbuf idx = SBUF_INIT, date = SBUF_INIT;
		phpser_array_begin(&idx, nmacs);
		sbuf_add(&idx, macs.s ? macs.s : "", macs.len);
		phpser_array_end(&idx);
		ubcache_set(r->cfg, "MTSIGMON_MTID_UMAC", sbuf_str(&idx));
		char now[20];
		clock_format_datetime(clock_now(), now);
		phpser_string(&date, now, strlen(now));
		ubcache_set(r->cfg, "MTSIGMON_DATE", sbuf_str(&date));
		sbuf_free(&idx);
		sbuf_free(&date);
	}
	sbuf_free(&macs);
	free_aps(a, rows.nrows);
	db_rows_free(&rows);
	if (php_truthy(cfg_alter(r->cfg, "MTSIGMON_CPE_AUTOPOLL", "0")) &&
	    php_truthy(cfg_alter(r->cfg, "WIFICPE_ENABLED", "0")) &&
	    db_query(r->db, &rows, "SELECT `id`,`ip`,`mac`,`snmp` FROM `wcpedevices` ORDER BY `id`", "") == 0) {
		a = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *a);
		for (size_t i = 0; i < rows.nrows; i++) {
			a[i].id = db_cell(&rows, i, 0);
			a[i].ip = db_cell(&rows, i, 1) ? db_cell(&rows, i, 1) : "";
			a[i].cpemac = db_cell(&rows, i, 2) ? db_cell(&rows, i, 2) : "";
			a[i].snmp = db_cell(&rows, i, 3) ? db_cell(&rows, i, 3) : "";
			a[i].queried = a[i].ip[0] && a[i].cpemac[0];
		}
		struct sbuf ignored = SBUF_INIT;
		size_t ni = 0;
		query_all(r, a, rows.nrows, &ignored, &ni);
		sbuf_free(&ignored);
		free_aps(a, rows.nrows);
		db_rows_free(&rows);
	}
	free(login);
	free(only);
	sbuf_puts(&r->reply.body, "OK:MTPOLL");
}
