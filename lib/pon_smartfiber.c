/* PONSFE90BT: SmartFiber E9004-BT EPON OLTs (spec §2.4.2). ONU ident is the
 * MAC, normalised to lower-case "xx:xx:.."; the device index is
 * "<port>.<llid>", and the vendor tables hang those two parts (plus an entry
 * number for the FDB) under their column OID. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

static bool fdb_wanted(const struct olt_run *o)
{
	return !strstr(o->olt->desc, "NOFDBQUERY");
}

static char *cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *oidkey,
		     const char *valkey, const char *extra)
{
	return pon_walk_cleared(o, w, which, pon_sget(o, sec, oidkey), "", pon_sget(o, sec, valkey), extra);
}

/* every separator PHP's list names dropped, then "xx:" pairs, lower-case
 * (an odd last digit stays alone, as str_split leaves it) */
static char *sf_mac(const char *raw)
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

/* PHP round($x, 2): the scaled value is pre-rounded to 15 significant
 * digits first, so 1.005-style inputs round the way PHP prints them */
static double sf_round2(double v)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15e", v * 100.0);
	double t = strtod(buf, NULL);
	double r = (double)(long long)(t < 0 ? t - 0.5 : t + 0.5);
	return r / 100.0;
}

/* the text between "(" and the first "dBm" (any case) before the closing
 * ")", trimmed: "0.02 mW (-16.99 dBm)" -> "-16.99"; "" when a marker is
 * missing */
static char *sf_dbm(const char *raw)
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

/* index -> MAC of every row whose raw index and value are not empty() */
static void sf_macs(const struct olt_run *o, const struct cwalk *w, struct omap *macs)
{
	char *t = cleared(o, w, B_MAC, "signal", "MACINDEX", "MACVALUE", NULL);
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			char *mac = sf_mac(pon_trim(v));
			pon_trim(k);
			if (!pon_php_empty(k) && !pon_php_empty(mac))
				pon_omap_set(macs, k, mac, V_STR);
			free(mac);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
}

static void sf_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_SIG, "signal", "SIGINDEX", "SIGVALUE", NULL);
	/* every row counts, even one without "=": its whole text is the index */
	struct omap rx = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		char *dbm = pon_php_empty(v) ? xstrdup("") : sf_dbm(pon_trim(v));
		pon_omap_set(&rx, pon_trim(k), dbm, V_STR);
		free(dbm);
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
	struct omap result = { 0 }, flip = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		const char *sig = pon_omap_get(&rx, macs->k[i]);
		if (!sig)
			continue;
		char lvl[64];
		snprintf(lvl, sizeof lvl, "%s", offline);
		/* PHP's round() dies on a non-numeric level; here it is no signal */
		if (!pon_php_empty(sig) && pon_numeric(sig)) {
			double r = sf_round2(strtod(sig, NULL));
			char num[64];
			snprintf(num, sizeof num, "%.17g", r);
			pon_omap_set(&result, macs->v[i], num, V_FLOAT);
			if (r != 0)
				pon_float_text(r, lvl, sizeof lvl);
		}
		pon_signal_history(cfg, macs->v[i], lvl);
	}
	/* array_flip: a MAC seen twice keeps its first place, the last index */
	for (size_t i = 0; i < macs->n; i++)
		pon_omap_set(&flip, macs->v[i], macs->k[i], pon_canonical_int(macs->k[i]) ? V_INT : V_STR);
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", macs);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
	pon_omap_free(&result);
	pon_omap_free(&flip);
	pon_omap_free(&rx);
}

static void sf_distances(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_DIST, "misc", "DISTINDEX", "DISTVALUE", NULL);
	struct omap rows = { 0 }, result = { 0 };
	pon_rows_nonempty(t, &rows);
	free(t);
	for (size_t i = 0; i < macs->n; i++) {
		const char *v = pon_omap_get(&rows, macs->k[i]);
		if (v)
			pon_omap_set(&result, macs->v[i], v, V_STR);
	}
	pon_container_map(cfg, "dist", o->olt->id, "OLTDISTANCE", &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

static const char *sf_dereg_text(const char *raw)
{
	long long code = strtoll(raw, NULL, 10);
	if (code == 1)
		return "<font color=\"#F80000\">Wire down</font >";
	if (code == 3)
		return "<font color=\"#FF4400\">Power off</font >";
	return "<font color=\"#000000\">Unknown</font >";
}

static void sf_deregs(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_DEREG, "misc", "DEREGREASON", "DEREGVALUE", NULL);
	struct omap rows = { 0 }, result = { 0 };
	pon_rows_nonempty(t, &rows);
	free(t);
	for (size_t i = 0; i < macs->n; i++) {
		const char *v = pon_omap_get(&rows, macs->k[i]);
		if (v)
			pon_omap_set(&result, macs->v[i], sf_dereg_text(v), V_STR);
	}
	pon_container_map(cfg, "dereg", o->olt->id, "ONUDEREGS", &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

/* ifDescr rows: ifIndex 9 is PON port 1 (PHP subtracts 8); rows with a
 * lower or non-numeric index are not ports */
static void sf_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	bool have_cust = pon_sget(o, "misc", "IFACECUSTOMDESCR") != NULL;
	struct omap cust = { 0 }, names = { 0 };
	if (have_cust) {
		char *t = cleared(o, w, B_IFDESCR, "misc", "IFACECUSTOMDESCR", "IFACEVALUE", "\"");
		pon_cust_descr_rows(t, &cust);
		free(t);
	}
	char *t = cleared(o, w, B_IFACE, "misc", "IFACEDESCR", "IFACEVALUE", "\"");
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

/* FDB rows "<port>.<llid>.<n>": PHP takes the ONU as the first three
 * characters of the index and the entry number as its last character, so
 * LLID 10 lands on LLID 1 and entry 12 replaces entry 2 */
static void sf_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *vt = cleared(o, w, B_FDBVLAN, "misc", "FDBVLANINDEX", "FDBVLANVALUE", NULL);
	char *mt = cleared(o, w, B_FDBMAC, "misc", "FDBMACINDEX", "FDBMACVALUE", NULL);
	struct omap fmac = { 0 }, vlan = { 0 }, entries = { 0 };
	char *copy = xstrdup(mt);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			char *a = pon_str_replace(v, "\"");
			char *b = pon_str_replace(a, "STRING:");
			char *c = pon_str_replace(b, "dev/ro");
			if (!pon_php_empty(pon_trim(c))) {
				char *m = sf_mac(c);
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
	/* ONU MAC -> its index; a MAC seen twice keeps its first place and the
	 * last index's entries */
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
			phpser_array_begin(&out, 2);
			phpser_key_str(&out, "mac");
			phpser_string(&out, entries.v[r], (size_t)(tab - entries.v[r]));
			phpser_key_str(&out, "vlan");
			phpser_string(&out, tab + 1, strlen(tab + 1));
			phpser_array_end(&out);
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

static void sf_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	pon_add_walk(w, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
	pon_add_walk(w, o, B_IFACE, pon_sget(o, "misc", "IFACEDESCR"));
	pon_add_walk(w, o, B_IFDESCR, pon_sget(o, "misc", "IFACECUSTOMDESCR"));
	pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
	if (fdb_wanted(o)) {
		/* the vendor loses the first VLAN row unless that table is read
		 * before the MAC table */
		pon_add_walk(w, o, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"));
		pon_add_walk(w, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
	}
	pon_add_system_walks(w, o);
}

static void sf_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
		       const struct pon_walks *w2)
{
	(void)w2;
	struct omap macs = { 0 };
	sf_macs(o, w1->w, &macs);
	if (macs.n) {
		sf_signals(cfg, o, w1->w, &macs);
		sf_distances(cfg, o, w1->w, &macs);
		sf_ifaces(cfg, o, w1->w, &macs);
		sf_deregs(cfg, o, w1->w, &macs);
		if (fdb_wanted(o))
			sf_fdb(cfg, o, w1->w, &macs);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&macs);
}

const struct pon_collector pon_smartfiber_family[] = {
	{ "PONSFE90BT", { "collect", NULL }, sf_plan, NULL, sf_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
