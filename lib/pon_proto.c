/* Parsers and container writers shared by the vendor collectors
 * (lib/pon_<vendor>.c). They live apart from lib/pon.c, which keeps the OLT
 * loop, the container files and PONBdcom, so that a collector only has to
 * pick from one place the pieces Ubilling's PONProto subclasses have in
 * common. Each one keeps the PHP quirks every caller relies on. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

/* --- PHP scalars and rows ------------------------------------------------- */

/* PHP empty() of a string (NULL = unset) */
bool pon_php_empty(const char *s)
{
	return !s || !*s || strcmp(s, "0") == 0;
}

/* explode('=', line)[k] untrimmed (PHP tests empty() before trimming), or NULL */
char *pon_raw_piece(const char *line, int k)
{
	const char *p = line;
	for (int i = 0; i < k; i++) {
		p = strchr(p, '=');
		if (!p)
			return NULL;
		p++;
	}
	const char *e = strchr(p, '=');
	return e ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
}

/* every whitespace byte PHP's list strips, gone from the whole row */
char *pon_no_ws(const char *s)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	for (; *s; s++)
		if (!strchr(" \t\n\r\v", *s))
			sbuf_putc(&b, *s);
	return sbuf_detach(&b);
}

char *pon_text_cleared(const char *text, const char *prefix, const char *rm1, const char *rm2)
{
	static const char *const types[] = { "Counter32:", "Counter64:", "Gauge32:",  "Gauge64:", "INTEGER:",
					     "Hex-STRING:", "OID:",     "Timeticks:", "STRING:",  "Network Address:" };
	if (!text || !*text)
		return xstrdup("");
	char *s = pon_str_replace(text, prefix);
	const char *rm[sizeof types / sizeof *types + 2];
	memcpy(rm, types, sizeof types);
	rm[sizeof types / sizeof *types] = rm1;
	rm[sizeof types / sizeof *types + 1] = rm2;
	for (size_t i = 0; i < sizeof rm / sizeof *rm; i++) {
		if (!rm[i])
			continue;
		char *n = pon_str_replace(s, rm[i]);
		free(s);
		s = n;
	}
	return s;
}

char *pon_walk_cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *oid, const char *oidpart,
		       const char *rm1, const char *rm2)
{
	struct sbuf pre = SBUF_INIT;
	sbuf_printf(&pre, "%s.%s", oid ? oid : "", oidpart);
	char *s = pon_text_cleared(pon_walk_of(o, w, which), sbuf_str(&pre), rm1, rm2);
	sbuf_free(&pre);
	return s;
}

/* every "index = value" row whose raw pieces are not empty(), trimmed */
void pon_rows_nonempty(const char *text, struct omap *m)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v))
			pon_omap_set(m, pon_trim(k), pon_trim(v), V_STR);
		free(k);
		free(v);
	}
	free(copy);
}

void pon_omap_flip(const struct omap *in, struct omap *out)
{
	for (size_t i = 0; i < in->n; i++)
		pon_omap_set(out, in->v[i], in->k[i], pon_canonical_int(in->k[i]) ? V_INT : V_STR);
}

void pon_plan_proto(struct pon_walks *w, struct olt_run *o)
{
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	pon_add_walk(w, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
	pon_add_walk(w, o, B_IFACE, pon_sget(o, "misc", "IFACEDESCR"));
	pon_add_walk(w, o, B_IFDESCR, pon_sget(o, "misc", "IFACECUSTOMDESCR"));
	pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
}

bool pon_fdb_query(const struct olt_run *o)
{
	return strstr(o->olt->desc, "NOFDBQUERY") == NULL;
}

/* --- identifiers ------------------------------------------------------------ */

char *pon_mac_norm(const char *raw)
{
	struct sbuf hex = SBUF_INIT, out = SBUF_INIT;
	sbuf_puts(&hex, "");
	sbuf_puts(&out, "");
	for (const char *c = raw; *c; c++)
		if (!strchr(":-. ", *c))
			sbuf_putc(&hex, (char)tolower((unsigned char)*c));
	for (size_t i = 0; i < hex.len; i += 2) {
		if (i)
			sbuf_putc(&out, ':');
		sbuf_add(&out, hex.s + i, hex.len - i >= 2 ? 2 : 1);
	}
	sbuf_free(&hex);
	return sbuf_detach(&out);
}

/* An octet over 255 gives 3 digits and shifts the colons, as in PHP; a
 * signed one is what dechex() makes of a negative int. */
char *pon_dec_mac(const char *dec)
{
	if (pon_php_empty(dec))
		return xstrdup("");
	struct sbuf hex = SBUF_INIT, out = SBUF_INIT;
	sbuf_puts(&hex, "");
	sbuf_puts(&out, "");
	char *copy = xstrdup(dec);
	bool ok = true;
	for (char *s = copy, *tok; ok && (tok = strsep(&s, ".")) != NULL;) {
		if (!pon_int_string(tok)) {
			ok = false;
			break;
		}
		long long v = atoll(tok);
		if (v == 0)
			sbuf_puts(&hex, "00");
		else
			sbuf_printf(&hex, "%s%llx", (v > 0 && v < 16) ? "0" : "", (unsigned long long)v);
	}
	free(copy);
	for (size_t i = 0; ok && i < hex.len; i += 2) {
		if (i)
			sbuf_putc(&out, ':');
		sbuf_add(&out, hex.s + i, hex.len - i >= 2 ? 2 : 1);
	}
	sbuf_free(&hex);
	if (!ok) {
		sbuf_free(&out);
		return NULL;
	}
	return sbuf_detach(&out);
}

long long pon_hex_pair(const char *hex, size_t from_end)
{
	size_t l = strlen(hex), start = l > from_end ? l - from_end : 0;
	char pair[3] = { 0 };
	memcpy(pair, hex + start, l - start < 2 ? l - start : 2);
	return strtoll(pair, NULL, 16);
}

int pon_case_mode(const char *cm, int unset)
{
	if (!cm)
		return unset;
	return pon_loose_eq(cm, "1") ? 1 : pon_loose_eq(cm, "2") ? 2 : 0;
}

void pon_case_form(char *s, int mode, bool colons)
{
	for (char *c = s; *c; c++)
		*c = colons && *c == ' ' ? ':'
		     : mode == 1	  ? (char)tolower((unsigned char)*c)
		     : mode == 2	  ? (char)toupper((unsigned char)*c)
					  : *c;
}

void pon_ident_rows(const char *text, struct omap *m, int how)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			pon_trim(k);
			pon_trim(v);
			char *id = how & PON_IDENT_MAC ? pon_mac_norm(v) : xstrdup(v);
			if (!(how & PON_IDENT_MAC))
				pon_case_form(id, how & 3, how & PON_IDENT_COLONS);
			if (!pon_php_empty(k) && !pon_php_empty(id))
				pon_omap_set(m, k, id, V_STR);
			free(id);
		}
		free(k);
		free(v);
	}
	free(copy);
}

/* --- signals -------------------------------------------------------------- */

double pon_round2(double v)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15e", v * 100.0);
	double t = strtod(buf, NULL);
	return (t < 0 ? ceil(t - 0.5) : floor(t + 0.5)) / 100.0;
}

int pon_divide(const char *raw, const char *offset, char *buf, size_t size)
{
	if (pon_int_string(raw) && pon_int_string(offset) && atoll(offset) != 0 && atoll(raw) % atoll(offset) == 0) {
		snprintf(buf, size, "%lld", atoll(raw) / atoll(offset));
		return V_INT;
	}
	snprintf(buf, size, "%.17g", strtod(raw, NULL) / strtod(offset, NULL));
	return V_FLOAT;
}

void pon_div_signals(const struct config *cfg, const struct olt_run *o, const char *rows, const struct omap *macs,
		     bool drop_zero_offset)
{
	const char *down = pon_sget(o, "signal", "DOWNVALUE"), *mode = pon_sget(o, "signal", "OFFSETMODE"),
		   *offset = pon_sget(o, "signal", "OFFSET");
	bool div = mode && strcmp(mode, "div") == 0 && offset && php_truthy(offset);
	struct omap sigs = { 0 };
	char *copy = xstrdup(rows);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *raw = pon_piece(line, '=', 1);
		if (!raw)
			continue;
		char *idx = pon_piece(line, '=', 0), buf[64];
		const char *val = raw;
		int type = V_STR;
		/* a missing DOWNVALUE is PHP's null, equal to "" only */
		if (pon_loose_eq(raw, down ? down : "")) {
			val = "Offline";
		} else if (div && !pon_numeric(raw)) {
			val = "Fail";
		} else if (div && drop_zero_offset && strtod(offset, NULL) == 0) {
			free(idx);
			free(raw);
			continue;
		} else if (div) {
			type = pon_divide(raw, offset, buf, sizeof buf);
			val = buf;
		}
		pon_omap_set(&sigs, idx, val, type);
		free(idx);
		free(raw);
	}
	free(copy);
	const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
	struct omap result = { 0 }, flip = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		for (size_t k = 0; k < sigs.n; k++) {
			if (strcmp(sigs.k[k], macs->k[i]) != 0)
				continue;
			pon_omap_set(&result, macs->v[i], sigs.v[k], sigs.t[k]);
			char lvl[64];
			if (sigs.t[k] == V_STR && strcmp(sigs.v[k], "Offline") == 0)
				snprintf(lvl, sizeof lvl, "%s", offline);
			else if (sigs.t[k] == V_FLOAT)
				pon_float_text(strtod(sigs.v[k], NULL), lvl, sizeof lvl);
			else
				snprintf(lvl, sizeof lvl, "%s", sigs.v[k]);
			pon_signal_history(cfg, macs->v[i], lvl);
			break;
		}
	}
	pon_omap_flip(macs, &flip);
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
	pon_omap_free(&result);
	pon_omap_free(&flip);
	pon_omap_free(&sigs);
}

void pon_round_signals(const struct config *cfg, const struct olt_run *o, const struct omap *rx,
		       const struct omap *macs)
{
	const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
	struct omap result = { 0 }, flip = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		const char *sig = pon_omap_get(rx, macs->k[i]);
		if (!sig)
			continue;
		char lvl[64];
		snprintf(lvl, sizeof lvl, "%s", offline);
		/* PHP's round() dies on a non-numeric level; here it is no signal */
		if (!pon_php_empty(sig) && pon_numeric(sig)) {
			double r = pon_round2(strtod(sig, NULL));
			char num[64];
			snprintf(num, sizeof num, "%.17g", r);
			pon_omap_set(&result, macs->v[i], num, V_FLOAT);
			if (r != 0)
				pon_float_text(r, lvl, sizeof lvl);
		}
		pon_signal_history(cfg, macs->v[i], lvl);
	}
	/* array_flip: an ident seen twice keeps its first place, the last index */
	pon_omap_flip(macs, &flip);
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", macs);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
	pon_omap_free(&result);
	pon_omap_free(&flip);
}

char *pon_paren_dbm(const char *raw)
{
	const char *open = strchr(raw, '(');
	const char *close = open ? strchr(open, ')') : NULL;
	if (!close)
		return xstrdup("");
	for (const char *p = open; p + 3 <= close; p++)
		if (strncasecmp(p, "dBm", 3) == 0)
			return pon_trim(xstrndup(open + 1, (size_t)(p - open - 1)));
	return xstrdup("");
}

/* --- per-ONU tables -------------------------------------------------------- */

void pon_join_container(const struct config *cfg, const struct olt_run *o, const char *text, const struct omap *idx,
			const char *dir, const char *ext, const char *(*xlate)(const char *))
{
	struct omap rows = { 0 }, result = { 0 };
	pon_rows_nonempty(text, &rows);
	for (size_t i = 0; i < idx->n; i++) {
		const char *v = pon_omap_get(&rows, idx->k[i]);
		if (v)
			pon_omap_set(&result, idx->v[i], xlate ? xlate(v) : v, V_STR);
	}
	pon_container_map(cfg, dir, o->olt->id, ext, &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

const char *pon_dereg_wire1_power3(const char *v)
{
	long long code = strtoll(v, NULL, 10);
	if (code == 1)
		return "<font color=\"#F80000\">Wire down</font >";
	if (code == 3)
		return "<font color=\"#FF4400\">Power off</font >";
	return "<font color=\"#000000\">Unknown</font >";
}

/* IFACECUSTOMDESCR rows: port -> description, blanks removed */
void pon_cust_descr_rows(const char *text, struct omap *cust)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line))
			continue;
		char *row = pon_no_ws(line);
		char *k = pon_raw_piece(row, 0), *v = pon_raw_piece(row, 1);
		if (!(pon_php_empty(k) && pon_php_empty(v)))
			pon_omap_set(cust, k, v ? v : "", V_STR);
		free(k);
		free(v);
		free(row);
	}
	free(copy);
}

/* ONU interface "<port name> / <port>:<llid>", the port taken from the first
 * character of the index; the first ONU of a port names its description */
void pon_iface_join(const struct config *cfg, const struct olt_run *o, const struct omap *macs,
		    const struct omap *names, const struct omap *cust, bool have_cust)
{
	struct omap result = { 0 }, descr = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		const char *dev = macs->k[i];
		char num[2] = { dev[0], '\0' };
		const char *name = pon_omap_get(names, num);
		char *llid = xstrdup(dev);
		for (char *c = llid; *c; c++)
			if (*c == '.')
				*c = ':';
		struct sbuf str = SBUF_INIT;
		if (name) {
			sbuf_printf(&str, "%s / %s", name, llid);
			/* PHP strstr(..., ':', true): false (array key 0) without a colon */
			const char *colon = strchr(sbuf_str(&str), ':');
			char *clean = colon ? xstrndup(sbuf_str(&str), (size_t)(colon - sbuf_str(&str))) : xstrdup("0");
			const char *cv = pon_omap_get(cust, num);
			if (have_cust && !pon_omap_get(&descr, clean) && cv)
				pon_omap_set(&descr, clean, cv, V_STR);
			free(clean);
		} else {
			sbuf_puts(&str, llid);
		}
		pon_omap_set(&result, macs->v[i], sbuf_str(&str), V_STR);
		sbuf_free(&str);
		free(llid);
	}
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &result);
	pon_container_map(cfg, "iface", o->olt->id, "OLTINTERFACEDESCR", &descr);
	pon_omap_free(&result);
	pon_omap_free(&descr);
}

/* ifDescr rows: ifIndex 9 is PON port 1 (PHP subtracts 8); rows with a
 * lower or non-numeric index are not ports */
void pon_ifdescr_ifaces(const struct config *cfg, const struct olt_run *o, const struct cwalk *w,
			const struct omap *macs, const char *oidpart)
{
	const char *val = pon_sget(o, "misc", "IFACEVALUE");
	bool have_cust = pon_sget(o, "misc", "IFACECUSTOMDESCR") != NULL;
	struct omap cust = { 0 }, names = { 0 };
	if (have_cust) {
		char *t = pon_walk_cleared(o, w, B_IFDESCR, pon_sget(o, "misc", "IFACECUSTOMDESCR"), oidpart, val, "\"");
		pon_cust_descr_rows(t, &cust);
		free(t);
	}
	char *t = pon_walk_cleared(o, w, B_IFACE, pon_sget(o, "misc", "IFACEDESCR"), oidpart, val, "\"");
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line))
			continue;
		char *row = pon_no_ws(line);
		char *k = pon_raw_piece(row, 0), *v = pon_raw_piece(row, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v) && pon_numeric(k) && strtod(k, NULL) >= 9) {
			char port[32];
			snprintf(port, sizeof port, "%lld", (long long)(strtod(k, NULL) - 8));
			pon_omap_set(&names, port, v, V_STR);
		}
		free(k);
		free(v);
		free(row);
	}
	free(copy);
	free(t);
	pon_iface_join(cfg, o, macs, &names, &cust, have_cust);
	pon_omap_free(&cust);
	pon_omap_free(&names);
}

/* --- FDB and UNI containers --------------------------------------------------- */

void pon_ser_fdb_entry(struct sbuf *out, const char *mac, size_t maclen, const char *vlan)
{
	phpser_array_begin(out, 2);
	phpser_key_str(out, "mac");
	phpser_string(out, mac, maclen);
	phpser_key_str(out, "vlan");
	phpser_string(out, vlan, strlen(vlan));
	phpser_array_end(out);
}

void pon_container_bodies(const struct config *cfg, const char *oltid, const char *dir, const char *ext,
			  const struct omap *body, const struct omap *counts)
{
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, body->n);
	for (size_t i = 0; i < body->n; i++) {
		phpser_key_str(&out, body->k[i]);
		if (counts)
			phpser_array_begin(&out, (size_t)atoll(counts->v[i]));
		sbuf_puts(&out, body->v[i]);
		if (counts)
			phpser_array_end(&out);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, dir, oltid, ext, out.s, out.len);
	sbuf_free(&out);
}

/* FDB rows "<port>.<llid>...<n>": PHP takes the ONU as the first three
 * characters of the index and the entry number as its last character, so
 * LLID 10 lands on LLID 1 and entry 12 replaces entry 2 */
void pon_fdb_substr(const struct config *cfg, const struct olt_run *o, const struct cwalk *w,
		    const struct omap *macs)
{
	char *vt = pon_walk_cleared(o, w, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"), "",
				    pon_sget(o, "misc", "FDBVLANVALUE"), NULL);
	char *mt = pon_walk_cleared(o, w, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"), "",
				    pon_sget(o, "misc", "FDBMACVALUE"), NULL);
	struct omap fmac = { 0 }, vlan = { 0 }, entries = { 0 };
	char *copy = xstrdup(mt);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			char *a = pon_str_replace(v, "\"");
			char *b = pon_str_replace(a, "STRING:");
			char *c = pon_str_replace(b, "dev/ro");
			if (!pon_php_empty(pon_trim(c))) {
				char *m = pon_mac_norm(c);
				pon_omap_set(&fmac, pon_trim(k), m, V_STR);
				free(m);
			}
			free(a);
			free(b);
			free(c);
		}
		free(k);
		free(v);
	}
	free(copy);
	copy = xstrdup(vt);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v)
			pon_omap_set(&vlan, pon_trim(k), pon_trim(v), V_STR);
		free(k);
		free(v);
	}
	free(copy);
	free(vt);
	free(mt);
	/* "onu\tn" -> "mac\tvlan", in first-seen order */
	for (size_t i = 0; i < fmac.n; i++) {
		const char *key = fmac.k[i];
		size_t kl = strlen(key);
		const char *vl = pon_omap_get(&vlan, key);
		struct sbuf ek = SBUF_INIT, ev = SBUF_INIT;
		sbuf_add(&ek, key, kl < 3 ? kl : 3);
		sbuf_printf(&ek, "\t%s", kl ? key + kl - 1 : "");
		sbuf_printf(&ev, "%s\t%s", fmac.v[i], pon_php_empty(vl) ? "" : vl);
		pon_omap_set(&entries, sbuf_str(&ek), sbuf_str(&ev), V_STR);
		sbuf_free(&ek);
		sbuf_free(&ev);
	}
	/* ONU ident -> its index; an ident seen twice keeps its first place and
	 * the last index's entries */
	struct omap owners = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		size_t kl = strlen(macs->k[i]);
		for (size_t r = 0; r < entries.n; r++)
			if (strncmp(entries.k[r], macs->k[i], kl) == 0 && entries.k[r][kl] == '\t') {
				pon_omap_set(&owners, macs->v[i], macs->k[i], V_STR);
				break;
			}
	}
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, owners.n);
	for (size_t x = 0; x < owners.n; x++) {
		const char *llid = owners.v[x];
		size_t kl = strlen(llid), cnt = 0;
		for (size_t r = 0; r < entries.n; r++)
			cnt += strncmp(entries.k[r], llid, kl) == 0 && entries.k[r][kl] == '\t';
		phpser_key_str(&out, owners.k[x]);
		phpser_array_begin(&out, cnt);
		for (size_t r = 0; r < entries.n; r++) {
			if (strncmp(entries.k[r], llid, kl) != 0 || entries.k[r][kl] != '\t')
				continue;
			const char *tab = strchr(entries.v[r], '\t');
			phpser_key_str(&out, entries.k[r] + kl + 1);
			pon_ser_fdb_entry(&out, entries.v[r], (size_t)(tab - entries.v[r]), tab + 1);
		}
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, "fdb", o->olt->id, "OLTFDB", out.s, out.len);
	sbuf_free(&out);
	pon_omap_free(&owners);
	pon_omap_free(&entries);
	pon_omap_free(&fmac);
	pon_omap_free(&vlan);
}

void pon_uni_last_port(const struct config *cfg, const struct olt_run *o, const struct omap *macs,
		       const struct omap *port, const struct omap *state)
{
	struct omap owners = { 0 };
	for (size_t i = 0; i < macs->n; i++)
		if (pon_omap_get(port, macs->k[i]))
			pon_omap_set(&owners, macs->v[i], macs->k[i], V_STR);
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, owners.n);
	for (size_t i = 0; i < owners.n; i++) {
		const char *eth = pon_omap_get(port, owners.v[i]), *st = pon_omap_get(state, owners.v[i]);
		phpser_key_str(&out, owners.k[i]);
		phpser_array_begin(&out, 1);
		phpser_key_str(&out, eth);
		phpser_string(&out, st, strlen(st));
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, "unioperstats", o->olt->id, "UNIOPERSTATS", out.s, out.len);
	sbuf_free(&out);
	pon_omap_free(&owners);
}

cJSON *pon_container_read(const struct config *cfg, const char *dir, const char *oltid, const char *ext)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "exports/pondata/%s/%s_%s", dir, oltid, ext);
	char *path = cfg_path(cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	size_t len = 0;
	char *raw = file_get(path, &len);
	free(path);
	cJSON *v = raw ? phpser_parse(raw, len) : NULL;
	free(raw);
	return v;
}
