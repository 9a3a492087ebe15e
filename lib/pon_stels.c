/* PONStels11 (Stels FD1xx EPON OLTs, ident = MAC), spec §2.4.2. ONUs are
 * keyed "<pon port>:<onu index>" from the two index parts after the OID. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

/* "port.idx[...]" -> "port:idx" (trimmed parts; a missing idx is "") */
static char *port_key(const char *index)
{
	char *port = pon_piece(index, '.', 0), *idx = pon_piece(index, '.', 1);
	struct sbuf k = SBUF_INIT;
	sbuf_printf(&k, "%s:%s", port ? port : "", idx ? idx : "");
	free(port);
	free(idx);
	return sbuf_detach(&k);
}

/* rows "port.idx = value" -> "port:idx" -> trimmed value; quotes trimmed
 * from both ends of the value when asked (the dereg reasons) */
static void port_rows(const char *text, struct omap *m, bool unquote)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			char *key = port_key(k);
			char *val = pon_trim(v);
			if (unquote) {
				size_t l = strlen(val);
				while (l && val[l - 1] == '"')
					val[--l] = '\0';
				while (*val == '"')
					val++;
			}
			pon_omap_set(m, key, val, V_STR);
			free(key);
		}
		free(k);
		free(v);
	}
	free(copy);
}

static char *walk_text(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *oidkey,
		       const char *valkey)
{
	return pon_cleaned(o, w, which, pon_sget(o, sec, oidkey), pon_sget(o, sec, valkey) ? pon_sget(o, sec, valkey) : "", false);
}

/* raw: "port:idx" -> MAC as the agent printed it; macs: the same keys ->
 * "xx:xx:.." */
static void stels_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = walk_text(o, w, B_SIG, "signal", "SIGINDEX", "SIGVALUE");
	struct omap sig = { 0 };
	port_rows(t, &sig, false);
	free(t);
	const char *down = pon_sget(o, "signal", "DOWNVALUE"), *mode = pon_sget(o, "signal", "OFFSETMODE"),
		   *offset = pon_sget(o, "signal", "OFFSET");
	bool logm = mode && strcmp(mode, "logm") == 0 && offset && php_truthy(offset);
	struct omap result = { 0 }, iface = { 0 }, macdev = { 0 };
	const char *prefix = pon_sget(o, "misc", "INTERFACEADDPONPREFIX");
	const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
	for (size_t i = 0; i < macs->n; i++) {
		struct sbuf ifn = SBUF_INIT;
		sbuf_printf(&ifn, "%s%s", prefix && !pon_php_empty(prefix) ? prefix : "", macs->k[i]);
		pon_omap_set(&iface, macs->v[i], sbuf_str(&ifn), V_STR);
		pon_omap_set(&macdev, macs->v[i], macs->k[i], V_STR);
		sbuf_free(&ifn);
		const char *raw = pon_omap_get(&sig, macs->k[i]);
		if (!raw)
			continue;
		char lvl[64];
		if (pon_loose_eq(raw, down ? down : "") || pon_php_empty(raw)) {
			pon_omap_set(&result, macs->v[i], "Offline", V_STR);
			snprintf(lvl, sizeof lvl, "%s", offline);
		} else if (logm && pon_numeric(raw)) {
			double r = pon_round2(10 * log10(strtod(raw, NULL)) - strtod(offset, NULL));
			char num[64];
			snprintf(num, sizeof num, "%.17g", r);
			pon_omap_set(&result, macs->v[i], num, V_FLOAT);
			pon_float_text(r, lvl, sizeof lvl);
		} else {
			pon_omap_set(&result, macs->v[i], raw, V_STR);
			snprintf(lvl, sizeof lvl, "%s", raw);
		}
		pon_signal_history(cfg, macs->v[i], lvl);
	}
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", macs);
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &iface);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &macdev);
	pon_omap_free(&result);
	pon_omap_free(&iface);
	pon_omap_free(&macdev);
	pon_omap_free(&sig);
}

/* ident -> value of every ONU the rows know */
static void stels_joined(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs,
			 int which, const char *oidkey, const char *valkey, const char *dir, const char *ext, bool unquote)
{
	char *t = pon_sget(o, "misc", oidkey) ? walk_text(o, w, which, "misc", oidkey, valkey) : xstrdup("");
	struct omap rows = { 0 }, result = { 0 };
	port_rows(t, &rows, unquote);
	free(t);
	for (size_t i = 0; i < macs->n; i++) {
		const char *v = pon_omap_get(&rows, macs->k[i]);
		if (v)
			pon_omap_set(&result, macs->v[i], v, V_STR);
	}
	pon_container_map(cfg, dir, o->olt->id, ext, &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

/* second index part -> trimmed value (the last port's row wins, as in PHP) */
static void fdb_rows(const char *text, struct omap *m, bool with_port)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			pon_trim(k);
			char *idx = pon_piece(k, '.', 1);
			if (with_port) {
				char *port = pon_piece(k, '.', 0);
				struct sbuf pv = SBUF_INIT;
				sbuf_printf(&pv, "%s:%s", port ? port : "", pon_trim(v));
				pon_omap_set(m, idx ? idx : "", sbuf_str(&pv), V_STR);
				sbuf_free(&pv);
				free(port);
			} else {
				pon_omap_set(m, idx ? idx : "", pon_trim(v), V_STR);
			}
			free(idx);
		}
		free(k);
		free(v);
	}
	free(copy);
}

static void stels_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *raw)
{
	struct omap llid = { 0 }, fmac = { 0 }, fvlan = { 0 };
	char *t = walk_text(o, w, B_FDB, "misc", "FDBINDEX", "FDBVALUE");
	fdb_rows(t, &llid, true);
	free(t);
	t = walk_text(o, w, B_FDBMAC, "misc", "FDBMACINDEX", "FDBMACVALUE");
	fdb_rows(t, &fmac, false);
	free(t);
	t = walk_text(o, w, B_FDBVLAN, "misc", "FDBVLANINDEX", "FDBVLANVALUE");
	fdb_rows(t, &fvlan, false);
	free(t);
	/* ONU ident -> serialized {fdb index: {mac, vlan}}; a later ONU with the
	 * same ident replaces the earlier one's entry in place */
	struct omap cache = { 0 }, counts = { 0 };
	for (size_t i = 0; i < raw->n; i++) {
		size_t hits = 0, kept = 0;
		struct sbuf body = SBUF_INIT;
		sbuf_puts(&body, "");
		for (size_t f = 0; f < llid.n; f++) {
			if (strcmp(llid.v[f], raw->k[i]) != 0)
				continue;
			hits++;
			const char *m = pon_omap_get(&fmac, llid.k[f]);
			if (!m || pon_php_empty(m) || pon_loose_eq(m, raw->v[i]))
				continue;
			const char *vl = pon_omap_get(&fvlan, llid.k[f]);
			char *mac = pon_mac_norm(m);
			kept++;
			phpser_key_str(&body, llid.k[f]);
			pon_ser_fdb_entry(&body, mac, strlen(mac), vl && !pon_php_empty(vl) ? vl : "");
			free(mac);
		}
		if (hits) {
			char *ident = pon_mac_norm(raw->v[i]);
			char num[32];
			snprintf(num, sizeof num, "%zu", kept);
			pon_omap_set(&cache, ident, sbuf_str(&body), V_STR);
			pon_omap_set(&counts, ident, num, V_INT);
			free(ident);
		}
		sbuf_free(&body);
	}
	pon_container_bodies(cfg, o->olt->id, "fdb", "OLTFDB", &cache, &counts);
	pon_omap_free(&cache);
	pon_omap_free(&counts);
	pon_omap_free(&llid);
	pon_omap_free(&fmac);
	pon_omap_free(&fvlan);
}

static void stels11_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	const char *dist = pon_sget(o, "misc", "DISTINDEX");
	if (dist && !pon_php_empty(dist)) {
		pon_add_walk(w, o, B_DIST, dist);
		pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
		if (pon_fdb_query(o)) {
			pon_add_walk(w, o, B_FDB, pon_sget(o, "misc", "FDBINDEX"));
			pon_add_walk(w, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
			pon_add_walk(w, o, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"));
		}
	}
	pon_add_system_walks(w, o);
}

static void stels11_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			    const struct pon_walks *w2)
{
	(void)w2;
	struct omap raw = { 0 }, macs = { 0 };
	char *t = walk_text(o, w1->w, B_MAC, "signal", "MACINDEX", "MACVALUE");
	port_rows(t, &raw, false);
	free(t);
	for (size_t i = 0; i < raw.n; i++) {
		char *m = xstrdup(raw.v[i]);
		for (char *c = m; *c; c++)
			*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
		pon_omap_set(&macs, raw.k[i], m, V_STR);
		free(m);
	}
	if (macs.n)
		stels_signals(cfg, o, w1->w, &macs);
	const char *dist = pon_sget(o, "misc", "DISTINDEX");
	if (dist && !pon_php_empty(dist)) {
		if (macs.n) {
			stels_joined(cfg, o, w1->w, &macs, B_DIST, "DISTINDEX", "DISTVALUE", "dist", "OLTDISTANCE", false);
			stels_joined(cfg, o, w1->w, &macs, B_DEREG, "DEREGREASON", "DEREGVALUE", "dereg", "ONUDEREGS", true);
		}
		if (pon_fdb_query(o))
			stels_fdb(cfg, o, w1->w, &raw);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&raw);
	pon_omap_free(&macs);
}

const struct pon_collector pon_stels_family[] = {
	{ "PONStels11", { "collect", NULL }, stels11_plan, NULL, stels11_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
