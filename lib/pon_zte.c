/* The PonZte family of collectors (PonZte, PONZteEpon, PONZteGpon,
 * PONHuaweiGpon): ZTE C2xx/C3xx/C6xx EPON and GPON OLTs and Huawei MA56xx/
 * MA58xx. ONU idents are MACs (EPON) or serials (GPON); ZTE encodes the
 * interface of an ONU in the bits of its SNMP index, which is decoded here
 * with the same bit widths the PHP HAL uses, so the cached interface names
 * and FDB keys match what the web UI expects. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

enum zmode { Z_EPON, Z_GPON, Z_HUAWEI };

struct zstate {
	enum zmode mode;
	bool epon_names;     /* TYPE == EPON: interfaces are named epon-... */
	struct omap idx;     /* MAC index (EPON) or serial index (GPON) */
	struct omap sig;     /* index -> signal */
	struct omap dist;    /* index -> distance */
	bool fast;           /* POLLTYPE fast: one walk instead of one per ONU */
	bool onurx;
	char *sigoid;        /* SIGINDEX or ONURXINDEX, as in the template */
};

/* PHP's trim(str_replace($search, '', $s)) */
static char *strip(const char *s, const char *search)
{
	return pon_trim(pon_str_replace(s, search));
}

static char *strip_oid_dot(const char *s, const char *oid)
{
	struct sbuf b = SBUF_INIT;
	sbuf_printf(&b, "%s.", oid ? oid : "");
	char *r = strip(s, sbuf_str(&b));
	sbuf_free(&b);
	return r;
}

/* explodeRows(trim($walk)) as a NULL-terminated vector */
static char **rows_of(const char *text)
{
	char *t = pon_trim(xstrdup(text ? text : ""));
	size_t n = 1;
	for (const char *c = t; *c; c++)
		n += *c == '\n';
	char **v = xcalloc(n + 1, sizeof *v);
	size_t i = 0;
	for (char *s = t, *line; (line = strsep(&s, "\n")) != NULL;)
		v[i++] = xstrdup(line);
	free(t);
	return v;
}

static void rows_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* (int)$s in PHP: the leading integer */
static long long php_int(const char *s)
{
	return strtoll(s ? s : "", NULL, 10);
}

static char *decbin(long long v)
{
	char buf[80];
	unsigned long long u = (unsigned long long)v;
	size_t n = 0;
	do {
		buf[n++] = (char)('0' + (u & 1));
		u >>= 1;
	} while (u && n < 64);
	char *r = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		r[i] = buf[n - 1 - i];
	r[n] = '\0';
	return r;
}

/* preg_match of consecutive fixed-width binary fields: m[1..k] */
static bool split_bits(const char *bin, const int *widths, int k, long long *m)
{
	size_t total = 0;
	for (int i = 0; i < k; i++)
		total += (size_t)widths[i];
	if (strlen(bin) < total)
		return false;
	const char *p = bin;
	for (int i = 0; i < k; i++) {
		long long v = 0;
		for (int b = 0; b < widths[i]; b++)
			v = v * 2 + (*p++ - '0');
		m[i + 1] = v;
	}
	return true;
}

enum { D_TYPE = 1, D_SHELF, D_SLOT, D_OLT, D_ONU };

/* getDecodeType: false when the index does not decode; *has_onu false
 * when the ONU field stays unset (C6xx index without ".onu") */
static bool decode_type(const char *bin, const char *uuid, long long *m, bool *has_onu)
{
	static const int w30[] = { 4, 3, 4, 3, 8, 8 }, w31[] = { 4, 4, 4, 3, 8, 8 }, w32[] = { 4, 4, 5, 3, 8, 8 },
			 w9[] = { 4, 4, 4, 4, 8, 8 }, w6xx[] = { 4, 4, 8, 8, 8 };
	size_t len = strlen(bin);
	*has_onu = true;
	if (len == 29) {
		char pad[40];
		snprintf(pad, sizeof pad, "000%s", bin);
		long long t[7] = { 0 };
		split_bits(pad, w6xx, 5, t);
		m[D_TYPE] = 3;
		m[D_SHELF] = t[3];
		m[D_SLOT] = t[4];
		m[D_OLT] = t[5];
		const char *dot = uuid ? strchr(uuid, '.') : NULL;
		bool ok = dot && dot != uuid && dot[1];
		for (const char *c = uuid; ok && *c; c++)
			if (c != dot && !isdigit((unsigned char)*c))
				ok = false;
		*has_onu = ok;
		if (ok)
			m[D_ONU] = php_int(dot + 1);
		return true;
	}
	const int *w = len == 30 ? w30 : len == 31 ? w31 : len == 32 ? w32 : NULL;
	if (!w)
		return false;
	split_bits(bin, w, 6, m);
	m[D_OLT] += 1;
	if ((m[D_TYPE] == 9 || m[D_TYPE] == 10) && len == 32) {
		split_bits(bin, w9, 6, m);
		m[D_OLT] += 1;
	}
	return true;
}

/* interfaceDecode: NULL where PHP returns FALSE */
static char *iface_decode(const struct olt_run *o, const struct zstate *z, const char *uuid)
{
	char *bin = decbin(php_int(uuid));
	long long m[8] = { 0 };
	bool has_onu;
	bool ok = decode_type(bin, uuid, m, &has_onu);
	free(bin);
	if (!ok)
		return NULL;
	const char *pre = z->epon_names ? "epon" : "gpon";
	struct sbuf r = SBUF_INIT;
	switch (m[D_TYPE]) {
	case 1:
		sbuf_printf(&r, "%s_olt_virtualIfBER_%lld/%lld/%lld", pre, m[D_SHELF], m[D_SLOT], m[D_OLT]);
		return sbuf_detach(&r);
	case 6:
		sbuf_printf(&r, "%lld/%lld/", m[D_SHELF], m[D_SLOT]);
		return sbuf_detach(&r);
	case 8:
		m[D_SLOT] += php_int(pon_sget(o, "misc", "CARDOFFSET"));
		m[D_ONU] += 1;
		break;
	case 10:
		m[D_SLOT] += 1;
		m[D_ONU] += 1;
		break;
	case 3:
	case 9:
	case 12:
		break;
	default:
		return NULL;
	}
	sbuf_printf(&r, "%s-onu_%lld/%lld/%lld:", pre, m[D_SHELF], m[D_SLOT], m[D_OLT]);
	if (has_onu)
		sbuf_printf(&r, "%lld", m[D_ONU]);
	return sbuf_detach(&r);
}

/* gponOltInterfaceDecode: "gpon-onu_1/2/3:" or "" */
static char *gpon_olt_iface(const struct zstate *z, const char *dec)
{
	static const int w[] = { 4, 6, 3, 8, 8 };
	char *bin = decbin(php_int(dec));
	long long m[7] = { 0 };
	struct sbuf r = SBUF_INIT;
	sbuf_puts(&r, "");
	if (strlen(bin) == 29) {
		split_bits(bin, w, 5, m);
		const char *pre = z->epon_names ? "epon-onu_" : "gpon-onu_";
		if (m[5] == 0)
			sbuf_printf(&r, "%s%lld/%lld/%lld:", pre, m[2], m[3], m[4]);
		else
			sbuf_printf(&r, "%s%lld/%lld/%lld:", pre, m[3], m[4], m[5]);
	}
	free(bin);
	return sbuf_detach(&r);
}

/* --- indexes --------------------------------------------------------------- */

static void mac_index(const struct olt_run *o, const struct cwalk *w, struct omap *out)
{
	const char *oid = pon_sget(o, "signal", "MACINDEX"), *val = pon_sget(o, "signal", "MACVALUE");
	char **rows = rows_of(pon_walk_of(o, w, B_MAC));
	for (size_t i = 0; rows[i]; i++) {
		char *a = strip_oid_dot(rows[i], oid), *b = strip(a, val);
		char *k = pon_piece(b, '=', 0), *v = pon_piece(b, '=', 1);
		if (v)
			pon_omap_set(out, k, v, V_STR);
		free(a);
		free(b);
		free(k);
		free(v);
	}
	rows_free(rows);
}

static char *hex_to_string(const char *hex, size_t len)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	for (size_t i = 0; i + 1 < len + 1 && i < len; i += 2) {
		char pair[3] = { hex[i], i + 1 < len ? hex[i + 1] : '0', '\0' };
		sbuf_putc(&b, (char)strtol(pair, NULL, 16));
	}
	return sbuf_detach(&b);
}

static void sn_part(const struct olt_run *o, struct sbuf *out, const char *hex, size_t len)
{
	const char *mode = pon_sget(o, "signal", "SNMODE");
	if (mode && strcmp(mode, "STRING") == 0) {
		char *s = hex_to_string(hex, len);
		sbuf_puts(out, s);
		free(s);
	} else if (mode && strcmp(mode, "PURE") == 0) {
		sbuf_add(out, hex, len);
	}
}

/* serialNumberBinaryParse: the token after "STRING:" as raw bytes */
static void sn_binary(const struct olt_run *o, struct sbuf *out, const char *tok)
{
	struct sbuf hex = SBUF_INIT;
	sbuf_puts(&hex, "");
	for (const unsigned char *c = (const unsigned char *)tok; *c; c++)
		sbuf_printf(&hex, "%02x", *c);
	size_t start = hex.len == 20 ? 2 : 0, hl = hex.len;
	for (size_t p = 0; p < 4; p++) {
		size_t at = start + 2 * p;
		sn_part(o, out, at < hl ? hex.s + at : "", at + 2 <= hl ? 2 : at < hl ? 1 : 0);
	}
	for (size_t i = start + 8; i < start + 16 && i < hl; i++)
		sbuf_putc(out, hex.s[i]);
	sbuf_free(&hex);
}

static void serial_index(const struct olt_run *o, const struct cwalk *w, struct omap *out)
{
	const char *oid = pon_sget(o, "signal", "SNINDEX"), *val = pon_sget(o, "signal", "SNVALUE");
	char **rows = rows_of(pon_walk_of(o, w, B_SN));
	for (size_t i = 0; rows[i]; i++) {
		char *a = strip(rows[i], val), *b = strip_oid_dot(a, oid);
		char *k = pon_piece(b, '=', 0), *raw = pon_piece(b, '=', 1);
		if (raw) {
			char *tok[8] = { 0 };
			char *copy = xstrdup(raw);
			size_t nt = 0;
			for (char *s = copy, *t; nt < 8 && (t = strsep(&s, " ")) != NULL;)
				tok[nt++] = t;
			struct sbuf sn = SBUF_INIT;
			sbuf_puts(&sn, "");
			char *check = pon_trim(xstrdup(tok[0]));
			if (strcmp(check, "STRING:") == 0) {
				sn_binary(o, &sn, tok[1] ? tok[1] : "");
			} else {
				for (int p = 0; p < 4; p++)
					sn_part(o, &sn, tok[p] ? tok[p] : "", tok[p] ? strlen(tok[p]) : 0);
				for (int p = 4; p < 8; p++)
					sbuf_puts(&sn, tok[p] ? tok[p] : "");
			}
			pon_omap_set(out, k, sbuf_str(&sn), V_STR);
			sbuf_free(&sn);
			free(check);
			free(copy);
		}
		free(a);
		free(b);
		free(k);
		free(raw);
	}
	rows_free(rows);
}

/* one "index = value" row of a signal or distance walk into out */
static void index_row(struct zstate *z, struct omap *out, const char *row, const char *oid_dot, const char *oid,
		      const char *val, bool sigrow)
{
	char *a, *b;
	if (sigrow) {
		a = strip(row, val);
		b = oid_dot ? strip(a, oid_dot) : strip_oid_dot(a, oid);
	} else {
		a = strip_oid_dot(row, oid);
		b = strip(a, val);
	}
	char *k = pon_piece(b, '=', 0), *v = pon_piece(b, '=', 1);
	if (v) {
		int type = V_STR;
		char num[64];
		const char *value = v;
		char *key = k;
		if (sigrow && z->onurx) {
			char *d1 = strchr(k, '.');
			char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
			if (d2)
				*d2 = '\0';
			if (!pon_loose_eq(v, "65535")) {
				double s = strtod(v, NULL);
				double r = s <= 30000 ? s * 0.002 - 30 : (s - 65535) * 0.002 - 30;
				snprintf(num, sizeof num, "%.17g", r);
				value = num;
				type = V_FLOAT;
			}
		}
		pon_omap_set(out, key, value, type);
	}
	free(a);
	free(b);
	free(k);
	free(v);
}

/* signalIndexProcessing: Offline, quotes, division */
static void signals_process(const struct olt_run *o, struct zstate *z)
{
	const char *down[] = { pon_sget(o, "signal", "DOWNVALUE"), pon_sget(o, "signal", "DOWNVALUE2"),
			       pon_sget(o, "signal", "DOWNVALUE3") };
	const char *mode = pon_sget(o, "signal", "OFFSETMODE"), *offset = pon_sget(o, "signal", "OFFSET");
	const char *div = z->onurx ? pon_sget(o, "signal", "ONURXOFFSET") : offset;
	for (size_t i = 0; i < z->sig.n; i++) {
		char text[64];
		const char *v = z->sig.v[i];
		if (z->sig.t[i] == V_FLOAT) {
			pon_float_text(strtod(v, NULL), text, sizeof text);
			v = text;
		}
		bool off = !down[0] && !*v;
		for (int d = 0; d < 3; d++)
			off = off || pon_loose_eq(v, down[d]);
		if (off) {
			pon_omap_set(&z->sig, z->sig.k[i], "Offline", V_STR);
			continue;
		}
		char *clean = pon_str_replace(v, "\"");
		int type = z->sig.t[i] == V_FLOAT ? V_STR : z->sig.t[i];
		char out[64];
		const char *res = clean;
		if (mode && strcmp(mode, "div") == 0 && offset && php_truthy(offset) && div) {
			char *tv = pon_trim(xstrdup(clean));
			if (!pon_numeric(tv) || !pon_numeric(div) || strtod(div, NULL) == 0) {
				res = "Fail";
				type = V_STR;
			} else if (pon_int_string(tv) && pon_int_string(div) && atoll(tv) % atoll(div) == 0) {
				snprintf(out, sizeof out, "%lld", atoll(tv) / atoll(div));
				res = out;
				type = V_INT;
			} else {
				snprintf(out, sizeof out, "%.17g", strtod(tv, NULL) / strtod(div, NULL));
				res = out;
				type = V_FLOAT;
			}
			free(tv);
		}
		char *keep = xstrdup(res);
		pon_omap_set(&z->sig, z->sig.k[i], keep, type);
		free(keep);
		free(clean);
	}
}

static void ident_case(struct omap *m, bool upper)
{
	for (size_t i = 0; i < m->n; i++)
		for (char *c = m->v[i]; *c; c++)
			*c = *c == ' ' ? ':' : (char)(upper ? toupper((unsigned char)*c) : tolower((unsigned char)*c));
}

static void write_signals(const struct config *cfg, struct olt_run *o, struct zstate *z)
{
	struct omap res = { 0 };
	if (z->sig.n && z->idx.n) {
		signals_process(o, z);
		ident_case(&z->idx, z->mode != Z_EPON);
		for (size_t i = 0; i < z->idx.n; i++) {
			const char *s = NULL;
			int type = V_STR;
			for (size_t k = 0; k < z->sig.n; k++)
				if (strcmp(z->sig.k[k], z->idx.k[i]) == 0) {
					s = z->sig.v[k];
					type = z->sig.t[k];
				}
			if (!s)
				continue;
			pon_omap_set(&res, z->idx.v[i], s, type);
			char lvl[64];
			if (strcmp(s, "Offline") == 0)
				snprintf(lvl, sizeof lvl, "-9000");
			else if (type == V_FLOAT)
				pon_float_text(strtod(s, NULL), lvl, sizeof lvl);
			else
				snprintf(lvl, sizeof lvl, "%s", s);
			pon_signal_history(cfg, z->idx.v[i], lvl);
		}
	}
	/* written even when empty: an unreachable OLT wipes its signals */
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &res);
	pon_omap_free(&res);
}

/* --- EPON card layout -------------------------------------------------------- */

static bool epon_card(const struct config *cfg, const char *name)
{
	static const char *const cards[] = { "EPFC", "EPFCB", "ETGO", "ETGOD", "ETTO", "ETTOD",
					     "ETTOK", "ETGH", "ETGHG", "ETGHK", "EFTL", "EFTM" };
	for (size_t i = 0; i < sizeof cards / sizeof *cards; i++)
		if (strcmp(cards[i], name) == 0)
			return true;
	/* ONUREG_CUSTOM_ZTE_C6XX_EPON="NAME:ports,NAME:ports" */
	const char *custom = cfg_alter(cfg, "ONUREG_CUSTOM_ZTE_C6XX_EPON", "");
	char *copy = xstrdup(custom);
	bool hit = false;
	for (char *s = copy, *e; !hit && (e = strsep(&s, ",")) != NULL;) {
		char *colon = strchr(e, ':');
		if (!colon)
			continue;
		*colon = '\0';
		hit = strcmp(pon_trim(e), name) == 0 && atol(colon + 1) > 0;
	}
	free(copy);
	return hit;
}

struct cards {
	long long *c;
	size_t n;
};

static void epon_cards(const struct config *cfg, const struct olt_run *o, const struct cwalk *w, struct cards *cs)
{
	const char *oid = pon_sget(o, "misc", "ALLCARDS");
	cs->c = NULL;
	cs->n = 0;
	if (oid) {
		char **rows = rows_of(pon_walk_of(o, w, B_CARDS));
		for (size_t i = 0; rows[i]; i++) {
			char *k = pon_piece(rows[i], '=', 0), *v = pon_piece(rows[i], '=', 1);
			if (v) {
				char *sub = strip_oid_dot(k, oid);
				const char *last = strrchr(sub, '.');
				char *name = strip(v, "STRING:"), *bare = pon_str_replace(name, "\"");
				if (epon_card(cfg, bare)) {
					cs->c = xrealloc(cs->c, (cs->n + 1) * sizeof *cs->c);
					cs->c[cs->n++] = php_int(last ? last + 1 : sub);
				}
				free(sub);
				free(name);
				free(bare);
			}
			free(k);
			free(v);
		}
		rows_free(rows);
	}
	if (!cs->n) {
		const char *off = pon_sget(o, "misc", "CARDOFFSET");
		for (long long c = off ? php_int(off) : 1; c <= 20; c++) {
			cs->c = xrealloc(cs->c, (cs->n + 1) * sizeof *cs->c);
			cs->c[cs->n++] = c;
		}
	}
}

/* intIndexCalcEpon without the table: the last card whose range holds the
 * index names it, as the later card overwrote the PHP array entry */
static char *epon_int_index(const struct cards *cs, const char *idx)
{
	if (!pon_canonical_int(idx))
		return NULL;
	long long v = atoll(idx);
	char *r = NULL;
	for (size_t i = 0; i < cs->n; i++) {
		long long off = v - (805830912LL + 524288LL * (cs->c[i] - 1));
		if (off < 0 || off >= 16 * 65536LL || (off % 65536) % 256 || (off % 65536) / 256 >= 64)
			continue;
		free(r);
		struct sbuf b = SBUF_INIT;
		sbuf_printf(&b, "epon-onu_%lld/%lld:%lld", cs->c[i], off / 65536 + 1, (off % 65536) / 256 + 1);
		r = sbuf_detach(&b);
	}
	return r;
}

/* --- FDB ------------------------------------------------------------------- */

struct fdbrow {
	char *iface, *mac, *vlan;
	long long n;
};

struct fdb {
	struct fdbrow *r;
	size_t n;
};

static void fdb_add(struct fdb *f, const char *iface, long long n, const char *mac, const char *vlan)
{
	f->r = xrealloc(f->r, (f->n + 1) * sizeof *f->r);
	f->r[f->n++] = (struct fdbrow){ xstrdup(iface), xstrdup(mac), xstrdup(vlan), n };
}

static bool fdb_has(const struct fdb *f, const char *iface)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->r[i].iface, iface) == 0)
			return true;
	return false;
}

static void fdb_parse(const struct olt_run *o, const struct zstate *z, const struct cwalk *w, struct fdb *f)
{
	const char *oid = pon_sget(o, "misc", "FDBINDEX");
	const char *ver = pon_sget(o, "onu_reg", "VERSION");
	bool c6xx = ver && strcmp(ver, "C6XX") == 0;
	char **rows = rows_of(pon_walk_of(o, w, B_FDB));
	long long counter = 1;
	for (size_t i = 0; rows[i]; i++) {
		char *row = strip_oid_dot(rows[i], oid);
		char *dev = pon_piece(row, '=', 0), *rhs = pon_piece(row, '=', 1);
		char *parts[10] = { 0 };
		size_t np = 0;
		char *copy = xstrdup(dev);
		for (char *s = copy, *t; np < 10 && (t = strsep(&s, ".")) != NULL;)
			parts[np++] = pon_trim(t);
		if (c6xx) {
			if (np > 2 && !pon_loose_eq(parts[2], "0")) {
				char *vport = gpon_olt_iface(z, parts[1]);
				char *bin = decbin(php_int(parts[2]));
				static const int wd[] = { 4, 9, 8, 8 };
				long long m[6] = { 0 };
				struct sbuf name = SBUF_INIT;
				sbuf_puts(&name, vport);
				if (strlen(bin) == 29 && split_bits(bin, wd, 4, m))
					sbuf_printf(&name, "%lld", m[2]);
				if (name.len && strcmp(name.s, "0") != 0 && !fdb_has(f, name.s)) {
					char *mac = strip(rhs ? rhs : "", "Hex-STRING:");
					for (char *c = mac; *c; c++)
						*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
					fdb_add(f, name.s, counter, mac, parts[0]);
					free(mac);
				}
				sbuf_free(&name);
				free(bin);
				free(vport);
			}
			counter++;
		} else {
			char *name = iface_decode(o, z, parts[0] ? parts[0] : "");
			if (name && np > 1) {
				char mac[32] = "";
				for (int k = 2; k <= 7; k++) {
					char hx[24];
					snprintf(hx, sizeof hx, "%llx", (unsigned long long)php_int((size_t)k < np ? parts[k] : ""));
					if (strlen(hx) < 2)
						snprintf(hx, sizeof hx, "0%llx", (unsigned long long)php_int((size_t)k < np ? parts[k] : ""));
					if (strlen(mac) + strlen(hx) + 2 < sizeof mac) {
						if (k > 2)
							strcat(mac, ":");
						strcat(mac, hx);
					}
				}
				fdb_add(f, name, counter, mac, parts[1]);
				counter++;
			}
			free(name);
		}
		free(copy);
		free(row);
		free(dev);
		free(rhs);
	}
	rows_free(rows);
}

/* result[ident] = fdb rows of the interface, in the order of idents */
static void fdb_write(const struct config *cfg, const struct olt_run *o, const struct fdb *f, const struct omap *byif)
{
	struct omap res = { 0 }; /* ident -> interface */
	for (size_t i = 0; i < byif->n; i++)
		if (fdb_has(f, byif->k[i]))
			pon_omap_set(&res, byif->v[i], byif->k[i], V_STR);
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, res.n);
	for (size_t i = 0; i < res.n; i++) {
		size_t cnt = 0;
		for (size_t r = 0; r < f->n; r++)
			cnt += strcmp(f->r[r].iface, res.v[i]) == 0;
		phpser_key_str(&out, res.k[i]);
		phpser_array_begin(&out, cnt);
		for (size_t r = 0; r < f->n; r++) {
			if (strcmp(f->r[r].iface, res.v[i]) != 0)
				continue;
			phpser_key_int(&out, f->r[r].n);
			pon_ser_fdb_entry(&out, f->r[r].mac, strlen(f->r[r].mac), f->r[r].vlan);
		}
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, "fdb", o->olt->id, "OLTFDB", out.s, out.len);
	sbuf_free(&out);
	pon_omap_free(&res);
}

static void fdb_free(struct fdb *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->r[i].iface);
		free(f->r[i].mac);
		free(f->r[i].vlan);
	}
	free(f->r);
}

/* --- the collector ----------------------------------------------------------- */

static enum zmode mode_of(const struct olt_run *o, bool *epon_names)
{
	const char *n = o->collector_name, *m = o->method;
	/* the subclasses fix TYPE; PonZte itself keeps what oltpoll gave it */
	if (strcasecmp(n, "PONZteEpon") == 0)
		*epon_names = true;
	else if (strcasecmp(n, "PonZte") == 0)
		*epon_names = strcmp(o->type, "EPON") == 0;
	else
		*epon_names = false;
	if (strcasecmp(m, "pollEpon") == 0 || (strcasecmp(m, "collect") == 0 && strcasecmp(n, "PONZteEpon") == 0))
		return Z_EPON;
	if (strcasecmp(m, "huaweiPollGpon") == 0 ||
	    (strcasecmp(m, "collect") == 0 && strcasecmp(n, "PONHuaweiGpon") == 0))
		return Z_HUAWEI;
	return Z_GPON;
}

static bool has_cardoffset(const struct olt_run *o)
{
	return tpl_section(o->t, "misc") && pon_sget(o, "misc", "CARDOFFSET");
}

static void zte_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	struct zstate *z = xcalloc(1, sizeof *z);
	o->priv = z;
	z->mode = mode_of(o, &z->epon_names);
	const char *poll = pon_sget(o, "signal", "POLLTYPE"), *stype = pon_sget(o, "signal", "SIGNALTYPE");
	z->fast = poll && strcmp(poll, "fast") == 0;
	z->onurx = stype && strcmp(stype, "ONURX") == 0;
	const char *sigoid = pon_sget(o, "signal", z->onurx ? "ONURXINDEX" : "SIGINDEX");
	z->sigoid = xstrdup(sigoid ? sigoid : "");
	if (z->mode == Z_EPON)
		pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	else
		pon_add_walk(w, o, B_SN, pon_sget(o, "signal", "SNINDEX"));
	if (z->fast && *z->sigoid) {
		char *root = xstrndup(z->sigoid, strlen(z->sigoid) - 1);
		pon_add_walk(w, o, B_SIG, root);
		free(root);
	}
	if (z->mode != Z_EPON && z->fast)
		pon_add_walk(w, o, B_DIST, pon_sget(o, "signal", "DISTANCE"));
	if (z->mode != Z_HUAWEI && has_cardoffset(o)) {
		if (z->mode == Z_EPON)
			pon_add_walk(w, o, B_CARDS, pon_sget(o, "misc", "ALLCARDS"));
		pon_add_walk(w, o, B_FDB, pon_sget(o, "misc", "FDBINDEX"));
	}
	if (z->mode == Z_HUAWEI) {
		pon_add_walk(w, o, B_IFNAME, pon_sget(o, "misc", "INTERFACENAME"));
	} else {
		pon_add_system_walks(w, o);
	}
}

/* POLLTYPE default: one walk of <SIGINDEX><index> (and DISTANCE.<index>) per ONU */
static void zte_plan2(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1, struct pon_walks *w2)
{
	(void)cfg;
	struct zstate *z = o->priv;
	if (z->mode == Z_EPON)
		mac_index(o, w1->w, &z->idx);
	else
		serial_index(o, w1->w, &z->idx);
	const char *poll = pon_sget(o, "signal", "POLLTYPE");
	if (z->fast || (poll && strcmp(poll, "default") != 0) || !z->idx.n)
		return;
	o->sig_first = w2->n;
	for (size_t i = 0; i < z->idx.n; i++) {
		struct sbuf oid = SBUF_INIT;
		sbuf_printf(&oid, "%s%s", z->sigoid, z->idx.k[i]);
		pon_add_walk_raw(w2, o, sbuf_str(&oid));
		sbuf_free(&oid);
	}
	o->sig_n = w2->n - o->sig_first;
	const char *dist = pon_sget(o, "signal", "DISTANCE");
	if (z->mode != Z_EPON && dist) {
		o->dist_first = w2->n;
		for (size_t i = 0; i < z->idx.n; i++) {
			struct sbuf oid = SBUF_INIT;
			sbuf_printf(&oid, "%s.%s", dist, z->idx.k[i]);
			pon_add_walk_raw(w2, o, sbuf_str(&oid));
			sbuf_free(&oid);
		}
		o->dist_n = w2->n - o->dist_first;
	}
}

static void first_row(struct zstate *z, struct omap *out, const char *text, const char *oid_dot, const char *oid,
		      const char *val, bool sigrow)
{
	char **rows = rows_of(text);
	index_row(z, out, rows[0], oid_dot, oid, val, sigrow);
	rows_free(rows);
}

static void zte_signals_dist(const struct config *cfg, struct olt_run *o, struct zstate *z, const struct cwalk *w1,
			     const struct cwalk *w2)
{
	const char *sigval = pon_sget(o, "signal", "SIGVALUE");
	if (z->idx.n) {
		if (z->fast) {
			char *root = xstrndup(z->sigoid, strlen(z->sigoid) ? strlen(z->sigoid) - 1 : 0);
			char **rows = rows_of(pon_walk_of(o, w1, B_SIG));
			for (size_t i = 0; rows[i]; i++)
				index_row(z, &z->sig, rows[i], NULL, root, sigval, true);
			rows_free(rows);
			free(root);
		} else {
			for (size_t i = 0; i < o->sig_n; i++)
				first_row(z, &z->sig, w2[o->sig_first + i].text, z->sigoid, NULL, sigval, true);
		}
	}
	write_signals(cfg, o, z);
	const char *dist = pon_sget(o, "signal", "DISTANCE");
	if (z->mode == Z_EPON || !dist)
		return;
	const char *dv = pon_sget(o, "signal", "DISTVALUE");
	if (z->fast) {
		char **rows = rows_of(pon_walk_of(o, w1, B_DIST));
		for (size_t i = 0; rows[i]; i++)
			index_row(z, &z->dist, rows[i], NULL, dist, dv, false);
		rows_free(rows);
	} else {
		for (size_t i = 0; i < o->dist_n; i++)
			first_row(z, &z->dist, w2[o->dist_first + i].text, NULL, dist, dv, false);
	}
	struct omap res = { 0 };
	for (size_t i = 0; z->dist.n && i < z->idx.n; i++) {
		const char *d = pon_omap_get(&z->dist, z->idx.k[i]);
		if (d)
			pon_omap_set(&res, z->idx.v[i], d, V_STR);
	}
	pon_container_map(cfg, "dist", o->olt->id, "OLTDISTANCE", &res);
	pon_omap_free(&res);
}

static void zte_epon_misc(const struct config *cfg, struct olt_run *o, struct zstate *z, const struct cwalk *w)
{
	struct cards cs;
	epon_cards(cfg, o, w, &cs);
	/* EPON idents are lower-case even when no signal row processed them */
	struct omap macs = { 0 };
	for (size_t i = 0; i < z->idx.n; i++)
		pon_omap_set(&macs, z->idx.k[i], z->idx.v[i], V_STR);
	ident_case(&macs, false);
	struct fdb f = { 0 };
	struct omap byif = { 0 };
	if (z->idx.n) {
		fdb_parse(o, z, w, &f);
		for (size_t i = 0; i < z->idx.n; i++) {
			char *name = iface_decode(o, z, z->idx.k[i]);
			if (name)
				pon_omap_set(&byif, name, z->idx.v[i], V_STR);
			free(name);
		}
	}
	fdb_write(cfg, o, &f, &byif);
	struct omap ifs = { 0 };
	for (size_t i = 0; i < macs.n; i++) {
		char *name = epon_int_index(&cs, macs.k[i]);
		if (!name)
			name = iface_decode(o, z, macs.k[i]);
		if (name)
			pon_omap_set(&ifs, macs.v[i], name, V_STR);
		free(name);
	}
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &ifs);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", &macs);
	pon_omap_free(&ifs);
	pon_omap_free(&byif);
	pon_omap_free(&macs);
	fdb_free(&f);
	free(cs.c);
}

static void zte_gpon_misc(const struct config *cfg, struct olt_run *o, struct zstate *z, const struct cwalk *w)
{
	const char *ver = pon_sget(o, "onu_reg", "VERSION");
	bool c6xx = ver && strcmp(ver, "C6XX") == 0;
	struct fdb f = { 0 };
	struct omap byif = { 0 }, ifs = { 0 }, cache = { 0 };
	for (size_t i = 0; i < z->idx.n; i++) {
		const char *k = z->idx.k[i], *dot = strchr(k, '.');
		char *head = dot ? xstrndup(k, (size_t)(dot - k)) : xstrdup(k);
		char *base = gpon_olt_iface(z, head);
		struct sbuf name = SBUF_INIT;
		sbuf_printf(&name, "%s%s", base, dot ? dot + 1 : "");
		if (name.len && strcmp(name.s, "0") != 0)
			pon_omap_set(&byif, name.s, z->idx.v[i], V_STR);
		pon_omap_set(&ifs, z->idx.v[i], sbuf_str(&name), V_STR);
		if (c6xx) {
			pon_omap_set(&cache, k, z->idx.v[i], V_STR);
		} else {
			char *dec = iface_decode(o, z, k);
			/* PHP: a FALSE array key is 0 */
			pon_omap_set(&cache, dec ? dec : "0", z->idx.v[i], V_STR);
			free(dec);
		}
		sbuf_free(&name);
		free(base);
		free(head);
	}
	if (z->idx.n)
		fdb_parse(o, z, w, &f);
	fdb_write(cfg, o, &f, &byif);
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &ifs);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", &cache);
	pon_omap_free(&byif);
	pon_omap_free(&ifs);
	pon_omap_free(&cache);
	fdb_free(&f);
}

static void huawei_ifaces(const struct config *cfg, struct olt_run *o, struct zstate *z, const struct cwalk *w)
{
	const char *oid = pon_sget(o, "misc", "INTERFACENAME");
	struct omap names = { 0 }, res = { 0 };
	char **rows = rows_of(pon_walk_of(o, w, B_IFNAME));
	for (size_t i = 0; rows[i]; i++) {
		char *k = pon_piece(rows[i], '=', 0), *v = pon_piece(rows[i], '=', 1);
		char *kk = strip_oid_dot(k ? k : "", oid);
		char *vv = strip(v ? v : "", "STRING:");
		pon_omap_set(&names, kk, vv, V_STR);
		free(k);
		free(v);
		free(kk);
		free(vv);
	}
	rows_free(rows);
	for (size_t i = 0; i < z->idx.n; i++) {
		const char *k = z->idx.k[i], *dot = strchr(k, '.');
		char *head = dot ? xstrndup(k, (size_t)(dot - k)) : xstrdup(k);
		const char *n = pon_omap_get(&names, head);
		if (n) {
			struct sbuf s = SBUF_INIT;
			sbuf_printf(&s, "%s:%s", n, dot ? dot + 1 : "");
			pon_omap_set(&res, z->idx.v[i], sbuf_str(&s), V_STR);
			sbuf_free(&s);
		}
		free(head);
	}
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &res);
	pon_omap_free(&names);
	pon_omap_free(&res);
}

/* OLTAttractor keeps the last uptime/temperature when the new one is
 * empty() after trim ("" or "0") */
static void zte_system(const struct config *cfg, struct olt_run *o, const struct cwalk *w)
{
	static const struct {
		int slot;
		char sep;
		const char *dir, *ext;
	} s[] = { { B_UPTIME, ')', "uptime", "OLTUPTIME" }, { B_TEMP, ':', "temp", "OLTTEMPERATURE" } };
	for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
		const char *raw = pon_walk_of(o, w, s[i].slot);
		if (!raw || !*raw)
			continue;
		char *v = pon_piece(raw, s[i].sep, 1);
		if (!pon_php_empty(v))
			pon_container_put(cfg, s[i].dir, o->olt->id, s[i].ext, v, strlen(v));
		free(v);
	}
}

static void zte_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			const struct pon_walks *w2)
{
	struct zstate *z = o->priv;
	zte_signals_dist(cfg, o, z, w1->w, w2->w);
	if (z->mode == Z_HUAWEI) {
		if (pon_sget(o, "misc", "INTERFACENAME"))
			huawei_ifaces(cfg, o, z, w1->w);
	} else {
		if (has_cardoffset(o)) {
			if (z->mode == Z_EPON)
				zte_epon_misc(cfg, o, z, w1->w);
			else
				zte_gpon_misc(cfg, o, z, w1->w);
		}
		zte_system(cfg, o, w1->w);
	}
	pon_omap_free(&z->idx);
	pon_omap_free(&z->sig);
	pon_omap_free(&z->dist);
	free(z->sigoid);
	free(z);
	o->priv = NULL;
}

const struct pon_collector pon_zte_family[] = {
	{ "PonZte", { "pollEpon", "pollGpon", "huaweiPollGpon", NULL }, zte_plan, zte_plan2, zte_process },
	{ "PONZteEpon", { "collect", "pollEpon", "pollGpon", "huaweiPollGpon" }, zte_plan, zte_plan2, zte_process },
	{ "PONZteGpon", { "collect", "pollEpon", "pollGpon", "huaweiPollGpon" }, zte_plan, zte_plan2, zte_process },
	{ "PONHuaweiGpon", { "collect", "pollEpon", "pollGpon", "huaweiPollGpon" }, zte_plan, zte_plan2, zte_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
