#include "pon.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "phpser.h"
#include "stardust.h"
#include "switches.h"
#include "ubcache.h"
#include "pon_int.h"
#include "util.h"

/* --- PHP string helpers, so odd agent output gives PHP's odd results ---- */

char *pon_str_replace(const char *text, const char *search)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	size_t sl = search ? strlen(search) : 0;
	const char *p = text;
	if (sl) {
		const char *hit;
		while ((hit = strstr(p, search)) != NULL) {
			sbuf_add(&b, p, (size_t)(hit - p));
			p = hit + sl;
		}
	}
	sbuf_puts(&b, p);
	return sbuf_detach(&b);
}

char *pon_trim(char *s)
{
	static const char ws[] = " \t\n\r\v";
	size_t l = strlen(s);
	while (l && strchr(ws, s[l - 1]))
		s[--l] = '\0';
	size_t i = 0;
	while (s[i] && strchr(ws, s[i]))
		i++;
	memmove(s, s + i, l - i + 1);
	return s;
}

/* explode('=', line): pon_piece k (0-based) trimmed, or NULL */
char *pon_piece(const char *line, char sep, int k)
{
	const char *p = line;
	for (int i = 0; i < k; i++) {
		p = strchr(p, sep);
		if (!p)
			return NULL;
		p++;
	}
	const char *e = strchr(p, sep);
	char *r = e ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
	return pon_trim(r);
}

/* ordered PHP array with string values and PHP key semantics */

void pon_omap_set(struct omap *m, const char *k, const char *v, int t)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->k[i], k) == 0) {
			free(m->v[i]);
			m->v[i] = xstrdup(v);
			m->t[i] = t;
			return;
		}
	m->k = xrealloc(m->k, (m->n + 1) * sizeof *m->k);
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->t = xrealloc(m->t, (m->n + 1) * sizeof *m->t);
	m->k[m->n] = xstrdup(k);
	m->v[m->n] = xstrdup(v);
	m->t[m->n] = t;
	m->n++;
}

const char *pon_omap_get(const struct omap *m, const char *k)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->k[i], k) == 0)
			return m->v[i];
	return NULL;
}

void pon_omap_free(struct omap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->k[i]);
		free(m->v[i]);
	}
	free(m->k);
	free(m->v);
	free(m->t);
	memset(m, 0, sizeof *m);
}

/* PHP: an integer-like string is an int key and an int once flipped */
bool pon_canonical_int(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (!*p || (p[0] == '0' && p[1]) || strlen(p) > 18 || (s[0] == '-' && strcmp(p, "0") == 0))
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

void pon_omap_serialize(const struct omap *m, struct sbuf *out)
{
	phpser_array_begin(out, m->n);
	for (size_t i = 0; i < m->n; i++) {
		phpser_key_str(out, m->k[i]);
		if (m->t[i] == V_INT)
			phpser_int(out, atoll(m->v[i]));
		else if (m->t[i] == V_FLOAT)
			phpser_float(out, strtod(m->v[i], NULL));
		else
			phpser_string(out, m->v[i], strlen(m->v[i]));
	}
	phpser_array_end(out);
}

bool pon_numeric(const char *s)
{
	if (!*s)
		return false;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c) && !strchr("+-.eE", *c))
			return false;
	char *end;
	strtod(s, &end);
	return *end == '\0' && end != s;
}

bool pon_int_string(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	if (!*p || strlen(p) > 17)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* PHP's == between a walk value and a template value */
bool pon_loose_eq(const char *a, const char *b)
{
	if (!b)
		return false;
	if (pon_numeric(a) && pon_numeric(b))
		return strtod(a, NULL) == strtod(b, NULL);
	return strcmp(a, b) == 0;
}

/* echo of a PHP float (precision 14) */
void pon_float_text(double d, char *buf, size_t size)
{
	snprintf(buf, size, "%.14G", d);
	if (strchr(buf, 'E') == NULL && strchr(buf, '.') == NULL && strcmp(buf, "-0") == 0)
		snprintf(buf, size, "-0");
}

/* --- OLT list ------------------------------------------------------------- */

int pon_load_olts(struct config *cfg, struct db *db, struct pon_olt **out, size_t *n, const char *only_id)
{
	static const char *const orders[] = { "id", "ip", "location", "snmp", "modelid", "desc" };
	const char *want = cfg_alter(cfg, "PON_OLT_ORDER", "id");
	const char *order = "id";
	for (size_t i = 0; i < sizeof orders / sizeof *orders; i++)
		if (strcmp(want, orders[i]) == 0)
			order = orders[i];
	struct sbuf q = SBUF_INIT;
	sbuf_printf(&q,
		    "SELECT `id`,`ip`,`location`,`snmp`,`modelid`,`desc` FROM `switches` WHERE `desc` LIKE '%%OLT%%'%s "
		    "ORDER BY `%s` ASC, `id` ASC",
		    only_id ? " AND `id`=?" : "", order);
	struct db_rows rows;
	int rc = only_id ? db_query(db, &rows, sbuf_str(&q), "s", only_id) : db_query(db, &rows, sbuf_str(&q), "");
	sbuf_free(&q);
	*out = NULL;
	*n = 0;
	if (rc != 0)
		return -1;
	*out = xcalloc(rows.nrows ? rows.nrows : 1, sizeof **out);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *snmp = db_cell(&rows, i, 3);
		if (!snmp || !*snmp)
			continue;
		struct pon_olt *o = &(*out)[(*n)++];
		char **f[] = { &o->id, &o->ip, &o->location, &o->snmp, &o->modelid, &o->desc };
		for (size_t c = 0; c < 6; c++)
			*f[c] = xstrdup(db_cell(&rows, i, c) ? db_cell(&rows, i, c) : "");
	}
	db_rows_free(&rows);
	return 0;
}

void pon_free_olts(struct pon_olt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].id);
		free(o[i].ip);
		free(o[i].location);
		free(o[i].snmp);
		free(o[i].modelid);
		free(o[i].desc);
	}
	free(o);
}

/* --- containers ------------------------------------------------------------ */

void pon_container_put(const struct config *cfg, const char *dir, const char *oltid, const char *ext,
			  const char *data, size_t len)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "exports/pondata/%s", dir);
	char *d = cfg_path(cfg, sbuf_str(&rel));
	mkdir_p(d);
	sbuf_reset(&rel);
	sbuf_printf(&rel, "%s/%s_%s", d, oltid, ext);
	file_put(sbuf_str(&rel), data, len, 0);
	free(d);
	sbuf_free(&rel);
}

void pon_container_map(const struct config *cfg, const char *dir, const char *oltid, const char *ext,
			  const struct omap *m)
{
	struct sbuf s = SBUF_INIT;
	pon_omap_serialize(m, &s);
	pon_container_put(cfg, dir, oltid, ext, s.s, s.len);
	sbuf_free(&s);
}

void pon_signal_history(const struct config *cfg, const char *ident, const char *level)
{
	if (pon_php_empty(ident)) /* writeSignalHistory skips empty() idents, "0" too */
		return;
	char *d = cfg_path(cfg, "content/documents/onusig");
	mkdir_p(d);
	char md5[33];
	md5_hex(ident, md5);
	char date[20];
	clock_format_datetime(clock_now(), date);
	struct sbuf p = SBUF_INIT, line = SBUF_INIT;
	sbuf_printf(&p, "%s/%s", d, md5);
	sbuf_printf(&line, "%s,%s\n", date, level);
	file_append(sbuf_str(&p), line.s, line.len);
	sbuf_free(&p);
	sbuf_free(&line);
	free(d);
}

static void poll_stats(const struct config *cfg, const char *oltid, time_t start, time_t end, bool finished)
{
	char *d = cfg_path(cfg, "exports/pondata/races");
	mkdir_p(d);
	struct sbuf p = SBUF_INIT, j = SBUF_INIT;
	sbuf_printf(&p, "%s/PONYRUN_%s", d, oltid);
	sbuf_printf(&j, "{\"start\":%lld,\"end\":%lld,\"finished\":%d}", (long long)start, (long long)end,
		    finished ? 1 : 0);
	file_put(sbuf_str(&p), j.s, j.len, 0);
	sbuf_free(&p);
	sbuf_free(&j);
	free(d);
}

/* --- the PONBdcom collector -------------------------------------------------- */


const char *pon_walk_of(const struct olt_run *o, const struct cwalk *w, int which)
{
	return o->walk[which] >= 0 ? w[o->walk[which]].text : NULL;
}

/* walk text with "<oid>." and the value prefix removed, as PHP prepares it */
char *pon_cleaned(const struct olt_run *o, const struct cwalk *w, int which, const char *oid, const char *value,
		     bool drop_quotes)
{
	const char *t = pon_walk_of(o, w, which);
	if (!t)
		return xstrdup("");
	struct sbuf pre = SBUF_INIT;
	sbuf_printf(&pre, "%s.", oid ? oid : "");
	char *a = pon_str_replace(t, sbuf_str(&pre));
	sbuf_free(&pre);
	char *b = pon_str_replace(a, value);
	free(a);
	if (drop_quotes) {
		a = pon_str_replace(b, "\"");
		free(b);
		b = a;
	}
	return b;
}

/* index -> value (trimmed) of every row with an '=' */
void pon_rows_map(const char *text, struct omap *m, bool as_mac)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *val = pon_piece(line, '=', 1);
		if (!val)
			continue;
		char *idx = pon_piece(line, '=', 0);
		if (as_mac) {
			for (char *c = val; *c; c++)
				*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
		}
		pon_omap_set(m, idx, val, V_STR);
		free(idx);
		free(val);
	}
	free(copy);
}

static void bdcom_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, struct omap *macidx)
{
	const struct tpl_section *sig = tpl_section(o->t, "signal");
	const char *sigoid = tpl_sget(sig, "SIGINDEX"), *macoid = tpl_sget(sig, "MACINDEX");
	char *st = pon_cleaned(o, w, B_SIG, sigoid, tpl_sget(sig, "SIGVALUE"), false);
	char *mt = pon_cleaned(o, w, B_MAC, macoid, tpl_sget(sig, "MACVALUE"), false);
	struct omap sigs = { 0 }, macs = { 0 };
	const char *down = tpl_sget(sig, "DOWNVALUE"), *mode = tpl_sget(sig, "OFFSETMODE");
	const char *offset = tpl_sget(sig, "OFFSET");
	bool have_rows = *st && *mt;
	if (have_rows) {
		char *copy = xstrdup(st);
		for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
			char *raw = pon_piece(line, '=', 1);
			if (!raw)
				continue;
			char *idx = pon_piece(line, '=', 0);
			int type = V_STR;
			char buf[64];
			const char *val = raw;
			if (pon_loose_eq(raw, down ? down : "")) { /* no DOWNVALUE: PHP null, equal to "" */
				val = "Offline";
			} else if (mode && strcmp(mode, "div") == 0 && offset && php_truthy(offset)) {
				if (!pon_numeric(raw)) {
					val = "Fail";
				} else {
					type = pon_divide(raw, offset, buf, sizeof buf);
					val = buf;
				}
			}
			pon_omap_set(&sigs, idx, val, type);
			free(idx);
			free(raw);
		}
		free(copy);
		pon_rows_map(mt, &macs, true);
	}
	free(st);
	free(mt);
	if (have_rows && macs.n) {
		struct omap result = { 0 }, flip = { 0 };
		const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
		for (size_t i = 0; i < macs.n; i++) {
			const char *s = pon_omap_get(&sigs, macs.k[i]);
			if (!s)
				continue;
			int type = V_STR;
			for (size_t k = 0; k < sigs.n; k++)
				if (strcmp(sigs.k[k], macs.k[i]) == 0)
					type = sigs.t[k];
			pon_omap_set(&result, macs.v[i], s, type);
			char lvl[64];
			if (strcmp(s, "Offline") == 0)
				snprintf(lvl, sizeof lvl, "%s", offline);
			else if (type == V_FLOAT)
				pon_float_text(strtod(s, NULL), lvl, sizeof lvl);
			else
				snprintf(lvl, sizeof lvl, "%s", s);
			pon_signal_history(cfg, macs.v[i], lvl);
		}
		pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
		/* array_flip: ident -> index, an int when the index was an int key */
		pon_omap_flip(&macs, &flip);
		pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
		pon_omap_free(&result);
		pon_omap_free(&flip);
	}
	/* onuMacProcessing: every MAC row, even without signal */
	for (size_t i = 0; i < macs.n; i++)
		pon_omap_set(macidx, macs.k[i], macs.v[i], V_STR);
	pon_omap_free(&sigs);
	pon_omap_free(&macs);
}

static const char *dereg_text(const char *raw)
{
	static const char *const txt[] = {
		"<font color=\"#00B20E\">Normal</font >",          "<font color=\"#F80000\">MPCP down</font >",
		"<font color=\"#F80000\">OAM down</font >",        "<font color=\"#6500FF\">Firmware download</font >",
		"<font color=\"#F80000\">Illegal MAC</font >",     "<font color=\"#FF4400\">LLID admin down</font >",
		"<font color=\"#F80000\">Wire down</font >",       "<font color=\"#6500FF\">Power off</font >",
	};
	if (pon_numeric(raw)) {
		double d = strtod(raw, NULL);
		for (int k = 2; k <= 9; k++)
			if (d == k)
				return txt[k - 2];
	}
	return "<font color=\"#000000\">Unknown</font >";
}

static void bdcom_misc(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macidx)
{
	const struct tpl_section *misc = tpl_section(o->t, "misc");
	const char *distoid = tpl_sget(misc, "DISTINDEX");
	if (!distoid || !*distoid)
		return;
	const char *id = o->olt->id;
	char *dt = pon_cleaned(o, w, B_DIST, distoid, tpl_sget(misc, "DISTVALUE"), false);
	char *ot = pon_cleaned(o, w, B_ONU, tpl_sget(misc, "ONUINDEX"), tpl_sget(misc, "ONUVALUE"), false);
	struct omap dist = { 0 }, onu = { 0 }, onudev = { 0 };
	pon_rows_map(dt, &dist, false);
	pon_rows_map(ot, &onu, true);
	onudev = (struct omap){ 0 };
	for (size_t i = 0; i < onu.n; i++)
		pon_omap_set(&onudev, onu.k[i], onu.v[i], V_STR);
	/* distances */
	if (*dt && *ot && onu.n) {
		struct omap res = { 0 };
		for (size_t i = 0; i < onu.n; i++) {
			const char *dv = pon_omap_get(&dist, onu.k[i]);
			if (dv)
				pon_omap_set(&res, onu.v[i], dv, V_STR);
		}
		pon_container_map(cfg, "dist", id, "OLTDISTANCE", &res);
		pon_container_map(cfg, "onucache", id, "ONUINDEX", &onu);
		pon_omap_free(&res);
	}
	/* interfaces and their custom descriptions */
	char *it = pon_cleaned(o, w, B_IFACE, tpl_sget(misc, "INTERFACEINDEX"), tpl_sget(misc, "INTERFACEVALUE"), false);
	char *ct = tpl_sget(misc, "IFACECUSTOMDESCR")
			   ? pon_cleaned(o, w, B_IFDESCR, tpl_sget(misc, "IFACECUSTOMDESCR"), tpl_sget(misc, "INTERFACEVALUE"), true)
			   : xstrdup("");
	struct omap descr_idx = { 0 };
	{
		char *copy = xstrdup(ct);
		for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
			struct sbuf nows = SBUF_INIT;
			sbuf_puts(&nows, "");
			for (char *c = line; *c; c++)
				if (!strchr(" \t\n\r\v", *c) && *c != '\0')
					sbuf_putc(&nows, *c);
			char *k = pon_piece(sbuf_str(&nows), '=', 0), *v = pon_piece(sbuf_str(&nows), '=', 1);
			bool skip = !*nows.s || ((!k || !*k) && (!v || !*v)) || !k || atol(k) < 7;
			if (!skip && atol(k) > 10) {
				free(k);
				free(v);
				sbuf_free(&nows);
				break;
			}
			if (!skip) {
				char key[24];
				snprintf(key, sizeof key, "%ld", atol(k) - 6);
				pon_omap_set(&descr_idx, key, v ? v : "", V_STR);
			}
			free(k);
			free(v);
			sbuf_free(&nows);
		}
		free(copy);
	}
	if (*it && macidx->n) {
		struct omap iface = { 0 }, res = { 0 }, descr = { 0 };
		pon_rows_map(it, &iface, false);
		for (size_t i = 0; i < macidx->n; i++) {
			const char *in = pon_omap_get(&iface, macidx->k[i]);
			if (!in)
				continue;
			pon_omap_set(&res, macidx->v[i], in, V_STR);
			const char *colon = strchr(in, ':');
			char *clean = colon ? xstrndup(in, (size_t)(colon - in)) : xstrdup("");
			char num[2] = { clean[0] ? clean[strlen(clean) - 1] : '\0', '\0' };
			const char *dv = *ct ? pon_omap_get(&descr_idx, num) : NULL;
			if (dv && !pon_omap_get(&descr, clean))
				pon_omap_set(&descr, clean, dv, V_STR);
			free(clean);
		}
		pon_container_map(cfg, "iface", id, "ONUINTERFACE", &res);
		pon_container_map(cfg, "iface", id, "OLTINTERFACEDESCR", &descr);
		pon_omap_free(&iface);
		pon_omap_free(&res);
		pon_omap_free(&descr);
	}
	/* FDB: index.vlan.<mac6>.n -> {n: {mac, vlan}} per ONU */
	if (pon_fdb_query(o) && macidx->n) {
		const char *fv = tpl_sget(misc, "FDBVALUE");
		char *ft = pon_cleaned(o, w, B_FDB, tpl_sget(misc, "FDBINDEX"), NULL, false);
		if (*ft) {
			struct sbuf out = SBUF_INIT;
			/* collect rows first: ident -> list of (num, mac, vlan) */
			struct omap rows = { 0 }; /* key "devIndex\tnum" -> "mac\tvlan" */
			char *copy = xstrdup(ft);
			for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
				if (!fv || !*fv || !strstr(line, fv))
					continue;
				char *l2 = pon_str_replace(line, fv);
				char *raw = pon_piece(l2, '=', 1), *oid = pon_piece(l2, '=', 0);
				if (raw && oid) {
					char *parts[16];
					size_t np = 0;
					char *oc = xstrdup(oid);
					for (char *x = oc, *tok; np < 16 && (tok = strsep(&x, ".")) != NULL;)
						parts[np++] = tok;
					if (np >= 8) {
						for (char *c = raw; *c; c++)
							*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
						struct sbuf k = SBUF_INIT, v = SBUF_INIT;
						sbuf_printf(&k, "%s\t%s", pon_trim(parts[0]), pon_trim(parts[7]));
						sbuf_printf(&v, "%s\t%s", raw, pon_trim(parts[1]));
						pon_omap_set(&rows, sbuf_str(&k), sbuf_str(&v), V_STR);
						sbuf_free(&k);
						sbuf_free(&v);
					}
					free(oc);
				}
				free(raw);
				free(oid);
				free(l2);
			}
			free(copy);
			size_t nonu = 0;
			for (size_t i = 0; i < macidx->n; i++) {
				size_t kl = strlen(macidx->k[i]);
				for (size_t r = 0; r < rows.n; r++)
					if (strncmp(rows.k[r], macidx->k[i], kl) == 0 && rows.k[r][kl] == '\t') {
						nonu++;
						break;
					}
			}
			phpser_array_begin(&out, nonu);
			for (size_t i = 0; i < macidx->n; i++) {
				size_t kl = strlen(macidx->k[i]), cnt = 0;
				for (size_t r = 0; r < rows.n; r++)
					cnt += strncmp(rows.k[r], macidx->k[i], kl) == 0 && rows.k[r][kl] == '\t';
				if (!cnt)
					continue;
				phpser_key_str(&out, macidx->v[i]);
				phpser_array_begin(&out, cnt);
				for (size_t r = 0; r < rows.n; r++) {
					if (strncmp(rows.k[r], macidx->k[i], kl) != 0 || rows.k[r][kl] != '\t')
						continue;
					const char *tab = strchr(rows.v[r], '\t');
					phpser_key_str(&out, rows.k[r] + kl + 1);
					pon_ser_fdb_entry(&out, rows.v[r], (size_t)(tab - rows.v[r]), tab + 1);
				}
				phpser_array_end(&out);
			}
			phpser_array_end(&out);
			pon_container_put(cfg, "fdb", id, "OLTFDB", out.s, out.len);
			sbuf_free(&out);
			pon_omap_free(&rows);
		}
		free(ft);
	}
	/* last deregistration reasons */
	if (tpl_sget(misc, "DEREGREASON") && onudev.n) {
		char *rt = pon_cleaned(o, w, B_DEREG, tpl_sget(misc, "DEREGREASON"), tpl_sget(misc, "DEREGVALUE"), false);
		if (*rt) {
			struct omap raw = { 0 }, res = { 0 };
			pon_rows_map(rt, &raw, false);
			for (size_t i = 0; i < raw.n; i++) {
				const char *ident = pon_omap_get(&onudev, raw.k[i]);
				if (ident)
					pon_omap_set(&res, ident, dereg_text(raw.v[i]), V_STR);
			}
			pon_container_map(cfg, "dereg", id, "ONUDEREGS", &res);
			pon_omap_free(&raw);
			pon_omap_free(&res);
		}
		free(rt);
	}
	/* UNI port states: <llid>.<port> -> eth<port> = 1|0 */
	if (tpl_sget(misc, "UNIOPERSTATUS") && php_truthy(cfg_alter(cfg, "PON_ONU_UNI_STATUS_ENABLED", "0")) &&
	    macidx->n) {
		char *ut = pon_cleaned(o, w, B_UNI, tpl_sget(misc, "UNIOPERSTATUS"), tpl_sget(misc, "UNIOPERSTATUSVALUE"), true);
		struct omap pairs = { 0 }; /* "ident\teth<n>" -> 1|0 */
		char *copy = xstrdup(ut);
		for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
			char *k = pon_piece(line, '=', 0), *v = pon_piece(line, '=', 1);
			if (k && v && *k && *v && strcmp(v, "0") != 0 && strcmp(k, "0") != 0) {
				char *kk = k;
				while (*kk == '.')
					kk++;
				char *dot = strrchr(kk, '.');
				if (dot) {
					*dot = '\0';
					const char *ident = pon_omap_get(macidx, kk);
					if (ident) {
						struct sbuf key = SBUF_INIT;
						sbuf_printf(&key, "%s\teth%s", ident, dot + 1);
						pon_omap_set(&pairs, sbuf_str(&key), pon_loose_eq(v, "1") ? "1" : "0", V_INT);
						sbuf_free(&key);
					}
				}
			}
			free(k);
			free(v);
		}
		free(copy);
		struct sbuf out = SBUF_INIT;
		struct omap idents = { 0 };
		for (size_t i = 0; i < pairs.n; i++) {
			char *ident = xstrndup(pairs.k[i], (size_t)(strchr(pairs.k[i], '\t') - pairs.k[i]));
			pon_omap_set(&idents, ident, "", V_STR);
			free(ident);
		}
		phpser_array_begin(&out, idents.n);
		for (size_t i = 0; i < idents.n; i++) {
			size_t kl = strlen(idents.k[i]), cnt = 0;
			for (size_t r = 0; r < pairs.n; r++)
				cnt += strncmp(pairs.k[r], idents.k[i], kl) == 0 && pairs.k[r][kl] == '\t';
			phpser_key_str(&out, idents.k[i]);
			phpser_array_begin(&out, cnt);
			for (size_t r = 0; r < pairs.n; r++)
				if (strncmp(pairs.k[r], idents.k[i], kl) == 0 && pairs.k[r][kl] == '\t') {
					phpser_key_str(&out, pairs.k[r] + kl + 1);
					phpser_int(&out, atoll(pairs.v[r]));
				}
			phpser_array_end(&out);
		}
		phpser_array_end(&out);
		pon_container_put(cfg, "unioperstats", id, "UNIOPERSTATS", out.s, out.len);
		sbuf_free(&out);
		pon_omap_free(&idents);
		pon_omap_free(&pairs);
		free(ut);
	}
	free(it);
	free(ct);
	free(dt);
	free(ot);
	pon_omap_free(&dist);
	pon_omap_free(&onu);
	pon_omap_free(&onudev);
	pon_omap_free(&descr_idx);
}

void pon_system(const struct config *cfg, struct olt_run *o, const struct cwalk *w)
{
	const char *up = pon_walk_of(o, w, B_UPTIME), *tp = pon_walk_of(o, w, B_TEMP);
	if (up && *up) {
		char *v = pon_piece(up, ')', 1);
		if (!pon_php_empty(v)) /* OLTAttractor::writeUptime skips empty() */
			pon_container_put(cfg, "uptime", o->olt->id, "OLTUPTIME", v, strlen(v));
		free(v);
	}
	if (tp && *tp) {
		char *v = pon_piece(tp, ':', 1);
		if (!pon_php_empty(v))
			pon_container_put(cfg, "temp", o->olt->id, "OLTTEMPERATURE", v, strlen(v));
		free(v);
	}
}

/* --- the framework ----------------------------------------------------------- */

static void logline(struct olt_run *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logline(struct olt_run *o, const char *fmt, ...)
{
	char date[20];
	clock_format_datetime(clock_now(), date);
	sbuf_printf(&o->lines, "%s | OLT[%s] | ", date, o->olt->id);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&o->lines, fmt, ap);
	va_end(ap);
	sbuf_putc(&o->lines, '\n');
}

static const struct {
	const char *mode, *collector, *method, *type;
} legacy[] = {
	{ "BDCOM", "PONBdcom", "collect", "PON" },
	{ "GPBDCOM", "PONBdcomGP", "collect", "PON" },
	{ "STELS12", "PONStels12", "collect", "PON" },
	{ "STELSFD", "PONStels11", "collect", "PON" },
	{ "VSOL", "PONVsol", "collect", "PON" },
	{ "ZTE", "PonZte", "pollEpon", "EPON" },
	{ "ZTE_GPON", "PonZte", "pollGpon", "GPON" },
	{ "HUAWEI_GPON", "PonZte", "huaweiPollGpon", "GPON" },
};

const char *pon_sget(const struct olt_run *o, const char *sec, const char *key)
{
	return tpl_get(o->t, sec, key);
}

void pon_add_system_walks(struct pon_walks *w, struct olt_run *o)
{
	if (!tpl_section(o->t, "system"))
		return;
	pon_add_walk(w, o, B_UPTIME, pon_sget(o, "system", "UPTIME"));
	pon_add_walk(w, o, B_TEMP, pon_sget(o, "system", "TEMPERATURE"));
}

int pon_add_walk(struct pon_walks *w, struct olt_run *o, int which, const char *oid)
{
	if (!oid || !*oid)
		return -1;
	o->walk[which] = (int)pon_add_walk_raw(w, o, oid);
	return o->walk[which];
}

size_t pon_add_walk_raw(struct pon_walks *w, struct olt_run *o, const char *oid)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->w = xrealloc(w->w, w->cap * sizeof *w->w);
	}
	struct cwalk c = { o->host, o->olt->snmp, xstrdup(oid), false, false, NULL, -1 };
	w->w[w->n] = c;
	return w->n++;
}

static void plan_bdcom(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	const struct tpl *t = o->t;
	pon_add_walk(w, o, B_SIG, tpl_get(t, "signal", "SIGINDEX"));
	const char *dist = tpl_get(t, "misc", "DISTINDEX");
	if (dist && *dist) {
		pon_add_walk(w, o, B_DIST, dist);
		pon_add_walk(w, o, B_ONU, tpl_get(t, "misc", "ONUINDEX"));
		pon_add_walk(w, o, B_DEREG, tpl_get(t, "misc", "DEREGREASON"));
		pon_add_walk(w, o, B_IFACE, tpl_get(t, "misc", "INTERFACEINDEX"));
		if (pon_fdb_query(o))
			pon_add_walk(w, o, B_FDB, tpl_get(t, "misc", "FDBINDEX"));
	}
	pon_add_walk(w, o, B_IFDESCR, tpl_get(t, "misc", "IFACECUSTOMDESCR"));
	if (php_truthy(cfg_alter(cfg, "PON_ONU_UNI_STATUS_ENABLED", "0")))
		pon_add_walk(w, o, B_UNI, tpl_get(t, "misc", "UNIOPERSTATUS"));
	pon_add_walk(w, o, B_UPTIME, tpl_get(t, "system", "UPTIME"));
	pon_add_walk(w, o, B_TEMP, tpl_get(t, "system", "TEMPERATURE"));
	pon_add_walk(w, o, B_MAC, tpl_get(t, "signal", "MACINDEX"));
}

static void process_bdcom(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			  const struct pon_walks *w2)
{
	(void)w2;
	struct omap macidx = { 0 };
	bdcom_signals(cfg, o, w1->w, &macidx);
	bdcom_misc(cfg, o, w1->w, &macidx);
	pon_system(cfg, o, w1->w);
	pon_omap_free(&macidx);
}

static const struct pon_collector bdcom_family[] = {
	{ "PONBdcom", { "collect", NULL }, plan_bdcom, NULL, process_bdcom },
	{ NULL, { NULL }, NULL, NULL, NULL },
};

/* collectors built in (PHP class names match case-insensitively) */
static const struct pon_collector *const families[] = {
	bdcom_family,
	pon_bdcomgp_family,
	pon_gcom_family,
	pon_raisecom_family,
	pon_smartfiber_family,
	pon_stels_family,
	pon_stels12_family,
	pon_stels16_family,
	pon_vsol_family,
	pon_zte_family,
};

static const struct pon_collector *find_collector(const char *name)
{
	for (size_t f = 0; f < sizeof families / sizeof *families; f++)
		for (const struct pon_collector *c = families[f]; c->name; c++)
			if (strcasecmp(c->name, name) == 0)
				return c;
	return NULL;
}

/* PHP's method_exists, like its class lookup, ignores case */
static bool has_method(const struct pon_collector *c, const char *method)
{
	for (size_t i = 0; i < sizeof c->methods / sizeof *c->methods && c->methods[i]; i++)
		if (strcasecmp(c->methods[i], method) == 0)
			return true;
	return false;
}

void pon_poll(struct config *cfg, struct db *db, const struct pon_olt *olts, size_t n, struct sbuf *out)
{
	struct olt_run *runs = xcalloc(n ? n : 1, sizeof *runs);
	struct pon_walks w1 = { 0 }, w2 = { 0 };
	bool caching = atol(cfg_alter(cfg, "PON_ONU_CACHING", "0")) > 0;
	for (size_t i = 0; i < n; i++) {
		struct olt_run *o = &runs[i];
		o->olt = &olts[i];
		for (int k = 0; k < B_COUNT; k++)
			o->walk[k] = -1;
		logline(o, "STARTING: polling");
		if (caching) {
			struct sbuf key = SBUF_INIT;
			sbuf_printf(&key, "ONULISTAJ_%s", o->olt->id);
			ubcache_delete(cfg, sbuf_str(&key));
			sbuf_free(&key);
		}
		struct db_rows m;
		char *tplname = NULL;
		if (db_query(db, &m, "SELECT `snmptemplate` FROM `switchmodels` WHERE `id`=?", "s", o->olt->modelid) == 0) {
			if (m.nrows && db_cell(&m, 0, 0))
				tplname = xstrdup(db_cell(&m, 0, 0));
			db_rows_free(&m);
		}
		o->t = tplname && *tplname ? tpl_load_for_model(cfg, tplname) : NULL;
		free(tplname);
		if (!o->t) {
			logline(o, "SKIPPING MODELID:%s NO_SNMP_TEMPLATE_BODY", o->olt->modelid);
			continue;
		}
		const char *dev = tpl_get(o->t, "define", "DEVICE");
		logline(o, "Using device SNMP template \"%s\"", dev ? dev : "");
		const struct tpl_section *sig = tpl_section(o->t, "signal");
		if (!sig) {
			logline(o, "Failed polling due signal section is not exists");
			continue;
		}
		const char *mode = tpl_sget(sig, "SIGNALMODE"), *cname = tpl_sget(sig, "COLLECTORNAME");
		logline(o, "Template mode:\"%s\" collector name:\"%s\"", mode ? mode : "", cname ? cname : "");
		struct sbuf lock = SBUF_INIT;
		sbuf_printf(&lock, "OLTPOLL_%s", o->olt->id);
		o->locked = stardust_start(db, sbuf_str(&lock)) == 1;
		sbuf_free(&lock);
		if (!o->locked) {
			logline(o, "FINISHED: skipped, polling already in progress");
			continue;
		}
		o->start = time(NULL);
		poll_stats(cfg, o->olt->id, o->start, 0, false);
		const char *name = NULL, *method = "collect", *type = "PON";
		if (mode && strcmp(mode, "HAL") == 0) {
			name = cname;
			const char *cm = tpl_sget(sig, "COLLECTORMETHOD");
			if (cm)
				method = cm;
		} else {
			for (size_t k = 0; mode && k < sizeof legacy / sizeof *legacy; k++)
				if (strcmp(mode, legacy[k].mode) == 0) {
					name = legacy[k].collector;
					method = legacy[k].method;
					type = legacy[k].type;
				}
		}
		o->method = method;
		o->type = type;
		if (!name || !*name) {
			logline(o, "Failed: collector name not defined");
			continue;
		}
		o->collector_name = xstrdup(name);
		o->collector = find_collector(name);
		if (!o->collector) {
			logline(o, "FATAL run PON HAL collector:%s EX_HAL_COLLECTOR_NOT_EXISTS", name);
			continue;
		}
		logline(o, "Polling prepare using PON HAL collector:\"%s\" with parameters OLT ID: %s IP:%s", name,
			o->olt->id, o->olt->ip);
		if (!has_method(o->collector, method)) {
			logline(o, "FAILED run PON HAL collector:%s->%s METHOD_NOT_EXISTS", name, method);
			o->collector = NULL;
			continue;
		}
		logline(o, "RUNNING: PON HAL collector method:%s->%s", name, method);
		struct sbuf host = SBUF_INIT;
		sbuf_printf(&host, "%s:161", o->olt->ip);
		o->host = sbuf_detach(&host);
		o->collector->plan(cfg, o, &w1);
	}
	/* every OLT's walks at once (PON walks never read the cache); then the
	 * walks whose OIDs come from the first answers, again all at once */
	cwalk_run(cfg, w1.w, w1.n);
	for (size_t i = 0; i < n; i++)
		if (runs[i].locked && runs[i].collector && runs[i].collector->plan2)
			runs[i].collector->plan2(cfg, &runs[i], &w1, &w2);
	cwalk_run(cfg, w2.w, w2.n);
	char *logpath = exports_path(cfg, "oltpoll.log");
	for (size_t i = 0; i < n; i++) {
		struct olt_run *o = &runs[i];
		if (o->locked) {
			if (o->collector) {
				o->collector->process(cfg, o, &w1, &w2);
				logline(o, "COMPLETED: PON HAL collector method:%s->%s", o->collector_name, o->method);
			}
			poll_stats(cfg, o->olt->id, o->start, time(NULL), true);
			struct sbuf lock = SBUF_INIT;
			sbuf_printf(&lock, "OLTPOLL_%s", o->olt->id);
			stardust_stop(db, sbuf_str(&lock));
			sbuf_free(&lock);
			logline(o, "FINISHED: polled successfully");
		}
		if (o->lines.len) {
			file_append(logpath, o->lines.s, o->lines.len);
			if (out)
				sbuf_add(&out[i], o->lines.s, o->lines.len);
		}
		sbuf_free(&o->lines);
		tpl_free(o->t);
		free(o->host);
		free(o->collector_name);
	}
	free(logpath);
	cwalk_free(w1.w, w1.n);
	cwalk_free(w2.w, w2.n);
	free(runs);
}
