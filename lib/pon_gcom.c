/* PONGCOMEL5610 (EPON, ident = MAC) and PONGCOMGL5610 (GPON, ident =
 * serial) OLTs (spec §2.4.2). The GPON model's vendor rows carry a chassis
 * index "0." before the ONU index, removed with the OID. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

static bool is_gpon(const struct olt_run *o)
{
	return strcasecmp(o->collector->name, "PONGCOMGL5610") == 0;
}

static const char *chassis(const struct olt_run *o)
{
	return is_gpon(o) ? "0." : "";
}

/* lower-case "xx:xx:.." from any of "00 11-22.33:..." */
static char *norm_mac(const char *raw)
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

static void gcom_macs(const struct olt_run *o, const struct cwalk *w, struct omap *macs)
{
	bool gpon = is_gpon(o);
	char *t = pon_walk_cleared(o, w, B_MAC, pon_sget(o, "signal", "MACINDEX"), chassis(o), pon_sget(o, "signal", "MACVALUE"),
				   gpon ? "\"" : NULL);
	const char *cm = pon_sget(o, "onu", "SERIAL_CASE_MODE");
	int casemode = cm && pon_loose_eq(cm, "1") ? 1 : cm && pon_loose_eq(cm, "2") ? 2 : 0;
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			pon_trim(k);
			pon_trim(v);
			char *id = gpon ? xstrdup(v) : norm_mac(v);
			for (char *c = id; gpon && casemode && *c; c++)
				*c = (char)(casemode == 1 ? tolower((unsigned char)*c) : toupper((unsigned char)*c));
			if (!pon_php_empty(k) && !pon_php_empty(id))
				pon_omap_set(macs, k, id, V_STR);
			free(id);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
}

/* PHP round($x, 2), with its pre-rounding of the scaled value */
static double round2(double v)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15e", v * 100.0);
	double t = strtod(buf, NULL);
	double r = (double)(long long)(t < 0 ? t - 0.5 : t + 0.5);
	return r / 100.0;
}

static void gcom_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = pon_walk_cleared(o, w, B_SIG, pon_sget(o, "signal", "SIGINDEX"), chassis(o), pon_sget(o, "signal", "SIGVALUE"),
				   "\"");
	struct omap rx = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line) || !strchr(line, '='))
			continue;
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		pon_omap_set(&rx, pon_trim(k), pon_trim(v), V_STR);
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
		/* a value PHP's round() refuses counts as no signal */
		if (!pon_php_empty(sig) && pon_numeric(sig)) {
			double r = round2(strtod(sig, NULL));
			char num[64];
			snprintf(num, sizeof num, "%.17g", r);
			pon_omap_set(&result, macs->v[i], num, V_FLOAT);
			if (r != 0)
				pon_float_text(r, lvl, sizeof lvl);
		}
		pon_signal_history(cfg, macs->v[i], lvl);
	}
	for (size_t i = 0; i < macs->n; i++)
		pon_omap_set(&flip, macs->v[i], macs->k[i], pon_canonical_int(macs->k[i]) ? V_INT : V_STR);
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", macs);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
	pon_omap_free(&result);
	pon_omap_free(&flip);
	pon_omap_free(&rx);
}

static void gcom_dist_dereg(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	bool gpon = is_gpon(o);
	char *t = pon_walk_cleared(o, w, B_DIST, pon_sget(o, "misc", "DISTINDEX"), chassis(o), pon_sget(o, "misc", "DISTVALUE"),
				   gpon ? "\"" : NULL);
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
	/* the GPON model cleans the reason rows with IFACEVALUE, as PHP does */
	t = pon_walk_cleared(o, w, B_DEREG, pon_sget(o, "misc", "DEREGREASON"), chassis(o),
			     pon_sget(o, "misc", gpon ? "IFACEVALUE" : "DEREGVALUE"), gpon ? "\"" : NULL);
	pon_rows_nonempty(t, &rows);
	free(t);
	for (size_t i = 0; i < macs->n; i++) {
		const char *v = pon_omap_get(&rows, macs->k[i]);
		if (!v)
			continue;
		long long code = strtoll(v, NULL, 10);
		pon_omap_set(&result, macs->v[i],
			     code == 1   ? "<font color=\"#F80000\">Wire down</font >"
			     : code == 3 ? "<font color=\"#FF4400\">Power off</font >"
					 : "<font color=\"#000000\">Unknown</font >",
			     V_STR);
	}
	pon_container_map(cfg, "dereg", o->olt->id, "ONUDEREGS", &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

static void gcom_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	const char *val = pon_sget(o, "misc", "IFACEVALUE");
	bool have_cust = pon_sget(o, "misc", "IFACECUSTOMDESCR") != NULL;
	struct omap cust = { 0 }, names = { 0 };
	if (have_cust) {
		char *t = pon_walk_cleared(o, w, B_IFDESCR, pon_sget(o, "misc", "IFACECUSTOMDESCR"), chassis(o), val, "\"");
		pon_cust_descr_rows(t, &cust);
		free(t);
	}
	char *t = pon_walk_cleared(o, w, B_IFACE, pon_sget(o, "misc", "IFACEDESCR"), chassis(o), val, "\"");
	char *copy = xstrdup(t);
	/* ifIndex 9 is PON port 1 */
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line))
			continue;
		char *row = pon_no_ws(line);
		char *k = pon_raw_piece(row, 0), *v = pon_raw_piece(row, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v) && pon_numeric(k) && strtod(k, NULL) >= 9) {
			char key[32];
			snprintf(key, sizeof key, "%lld", (long long)(strtod(k, NULL) - 8));
			pon_omap_set(&names, key, v, V_STR);
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

/* FDB rows "<port>.<llid>...<n>": the ONU is the first three characters of
 * the index, the entry number its last character (PHP's substr) */
static void gcom_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *vt = pon_walk_cleared(o, w, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"), "", pon_sget(o, "misc", "FDBVLANVALUE"),
				    NULL);
	char *mt = pon_walk_cleared(o, w, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"), "", pon_sget(o, "misc", "FDBMACVALUE"),
				    NULL);
	struct omap fmac = { 0 }, vlan = { 0 }, entries = { 0 };
	char *copy = xstrdup(mt);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			char *a = pon_str_replace(v, "\"");
			char *b = pon_str_replace(a, "STRING:");
			char *c = pon_str_replace(b, "dev/ro");
			pon_trim(c);
			if (!pon_php_empty(c)) {
				char *m = norm_mac(c);
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
	/* "onu\tn" -> "mac\tvlan", first-seen order kept */
	for (size_t i = 0; i < fmac.n; i++) {
		const char *key = fmac.k[i];
		size_t kl = strlen(key);
		struct sbuf ek = SBUF_INIT, ev = SBUF_INIT;
		const char *vl = pon_omap_get(&vlan, key);
		sbuf_add(&ek, key, kl < 3 ? kl : 3);
		sbuf_printf(&ek, "\t%s", kl ? key + kl - 1 : "");
		sbuf_printf(&ev, "%s\t%s", fmac.v[i], pon_php_empty(vl) ? "" : vl);
		pon_omap_set(&entries, sbuf_str(&ek), sbuf_str(&ev), V_STR);
		sbuf_free(&ek);
		sbuf_free(&ev);
	}
	struct omap owners = { 0 }; /* ONU ident -> its index (the last one wins) */
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

/* "<onu index>.<port>" -> {eth<port>: status}; PHP keeps one port per ONU,
 * the last row's */
static void gcom_uni(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = pon_walk_cleared(o, w, B_UNI, pon_sget(o, "misc", "UNIOPERSTATUS"), chassis(o),
				   pon_sget(o, "misc", "UNIOPERSTATUSVALUE"), "\"");
	struct omap port = { 0 }, state = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			pon_trim(k);
			pon_trim(v);
			char *dot = strrchr(k, '.');
			struct sbuf eth = SBUF_INIT;
			sbuf_puts(&eth, "eth");
			if (dot) {
				const char *p = dot;
				while (*p == '.')
					p++;
				sbuf_puts(&eth, p);
				while (eth.len > 3 && eth.s[eth.len - 1] == '.')
					eth.s[--eth.len] = '\0';
				*dot = '\0';
			}
			pon_omap_set(&port, k, sbuf_str(&eth), V_STR);
			pon_omap_set(&state, k, v, V_STR);
			sbuf_free(&eth);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	struct omap owners = { 0 };
	for (size_t i = 0; i < macs->n; i++)
		if (pon_omap_get(&port, macs->k[i]))
			pon_omap_set(&owners, macs->v[i], macs->k[i], V_STR);
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, owners.n);
	for (size_t i = 0; i < owners.n; i++) {
		const char *eth = pon_omap_get(&port, owners.v[i]), *st = pon_omap_get(&state, owners.v[i]);
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
	pon_omap_free(&port);
	pon_omap_free(&state);
}

static void gcom_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	pon_add_walk(w, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
	pon_add_walk(w, o, B_IFACE, pon_sget(o, "misc", "IFACEDESCR"));
	pon_add_walk(w, o, B_IFDESCR, pon_sget(o, "misc", "IFACECUSTOMDESCR"));
	pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
	if (!strstr(o->olt->desc, "NOFDBQUERY")) {
		pon_add_walk(w, o, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"));
		pon_add_walk(w, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
	}
	pon_add_walk(w, o, B_UNI, pon_sget(o, "misc", "UNIOPERSTATUS"));
	pon_add_system_walks(w, o);
}

static void gcom_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			 const struct pon_walks *w2)
{
	(void)w2;
	struct omap macs = { 0 };
	gcom_macs(o, w1->w, &macs);
	if (macs.n) {
		gcom_signals(cfg, o, w1->w, &macs);
		gcom_dist_dereg(cfg, o, w1->w, &macs);
		gcom_ifaces(cfg, o, w1->w, &macs);
		if (!strstr(o->olt->desc, "NOFDBQUERY"))
			gcom_fdb(cfg, o, w1->w, &macs);
		if (pon_sget(o, "misc", "UNIOPERSTATUS"))
			gcom_uni(cfg, o, w1->w, &macs);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&macs);
}

const struct pon_collector pon_gcom_family[] = {
	{ "PONGCOMEL5610", { "collect", NULL }, gcom_plan, NULL, gcom_process },
	{ "PONGCOMGL5610", { "collect", NULL }, gcom_plan, NULL, gcom_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
