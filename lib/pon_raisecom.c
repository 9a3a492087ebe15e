/* PONRC5508GPSC: Raisecom ISCOM5508-GPSC GPON OLTs (ident = ONU serial),
 * spec §2.4.2. ONUs are found through their ifIndex ("plastic index"): the
 * serial table and ifName share it, and ifName "<prefix> b/p/n" gives the
 * ONU's "b/p:n". The signal, UNI and FDB tables are indexed by a packed
 * number whose digits encode board, port and ONU number instead. The
 * distance, deregistration, UNI and FDB tables are only walked (second
 * round) when the OLT reported ONU serials, as PHP only walks them then. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

struct rc_state {
	struct omap serials; /* plastic index -> serial */
	size_t duplex;       /* second-round walk of UNIDUPLEXSPEED, or (size_t)-1 */
};

static const char *sget(const struct olt_run *o, const char *sec, const char *key)
{
	const char *v = pon_sget(o, sec, key);
	return v ? v : "";
}

/* walkCleared(oid, '', array(VALUE, '"'[, extra])) */
static char *cleaned(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *oidkey,
		     const char *valkey, const char *extra)
{
	char *t = pon_walk_cleared(o, w, which, pon_sget(o, sec, oidkey), "", pon_sget(o, sec, valkey), "\"");
	if (extra && *extra) {
		char *n = pon_str_replace(t, extra);
		free(t);
		t = n;
	}
	return t;
}

/* PHP intval() of a string: leading integer, or a float prefix truncated;
 * out-of-range values saturate as PHP's string conversion does */
static long long php_intval(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') {
		const char *p = s;
		while (*p && strchr(" \t\n\r\v\f", *p))
			p++;
		if (isdigit((unsigned char)*p) || *p == '.' || *p == '+' || *p == '-') {
			double d = strtod(s, NULL);
			if (isnan(d))
				return 0;
			if (d >= 9223372036854775807.0)
				return 9223372036854775807LL;
			if (d <= -9223372036854775808.0)
				return (-9223372036854775807LL - 1);
			return (long long)d;
		}
	}
	return v;
}

/* substr(s, start, len) for start >= 0 */
static char *substr(const char *s, size_t start, size_t len)
{
	size_t l = strlen(s);
	if (start >= l)
		return xstrdup("");
	return xstrndup(s + start, l - start < len ? l - start : len);
}

/* "b/p:n" from a packed index with its dots removed: a leading 1 or 3 is the
 * board, the third digit the port, the next two the ONU; a leading 8 holds
 * ONUs 100..: board second digit, port fourth digit - 3, ONU next two + 94.
 * NULL for any other leading digit. */
static char *llid_of(const char *raw)
{
	struct sbuf r = SBUF_INIT;
	if (raw[0] == '1' || raw[0] == '3') {
		char *port = substr(raw, 2, 1), *n = substr(raw, 3, 2);
		sbuf_printf(&r, "%c/%s:%lld", raw[0], port, php_intval(n));
		free(port);
		free(n);
	} else if (raw[0] == '8') {
		char *board = substr(raw, 1, 1), *port = substr(raw, 3, 1), *n = substr(raw, 4, 2);
		sbuf_printf(&r, "%s/%lld:%lld", board, php_intval(port) - 3, php_intval(n) + 94);
		free(board);
		free(port);
		free(n);
	} else {
		return NULL;
	}
	return sbuf_detach(&r);
}

static char *no_dots(const char *s)
{
	char *t = xstrdup(s);
	pon_trim(t);
	char *r = pon_str_replace(t, ".");
	free(t);
	return r;
}

/* ifName / ifDescr rows with every blank removed: index -> text */
static void name_rows(const struct olt_run *o, const struct cwalk *w, int which, const char *oidkey, struct omap *m)
{
	char *t = cleaned(o, w, which, "misc", oidkey, "IFACEVALUE", pon_sget(o, "misc", "ONUIFACEPREFIX"));
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line))
			continue;
		char *row = pon_no_ws(line);
		char *k = pon_piece(row, '=', 0), *v = pon_piece(row, '=', 1);
		if (!pon_php_empty(k) && !pon_php_empty(v))
			pon_omap_set(m, k, v, V_STR);
		free(k);
		free(v);
		free(row);
	}
	free(copy);
	free(t);
}

/* ONU serial -> "b/p:n" from ifName "b/p/n"; PON ports (names holding the
 * PON prefix past their first character) -> custom or default description */
static void rc_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *serials,
		      struct omap *ifaces)
{
	struct omap names = { 0 }, descrs = { 0 }, pons = { 0 };
	name_rows(o, w, B_IFNAME, "IFACENAME", &names);
	name_rows(o, w, B_IFDESCR, "IFACEDESCR", &descrs);
	const char *prefix = sget(o, "misc", "PONIFACEPREFIX");
	for (size_t i = 0; i < names.n && serials->n; i++) {
		const char *name = names.v[i], *serial = pon_omap_get(serials, names.k[i]);
		if (!pon_php_empty(serial)) {
			/* no '/' at all: strrpos() is false, so the first character goes */
			const char *slash = strrchr(name, '/');
			size_t at = slash ? (size_t)(slash - name) : 0;
			struct sbuf l = SBUF_INIT;
			sbuf_add(&l, name, at);
			sbuf_printf(&l, ":%s", name + at + 1);
			pon_omap_set(ifaces, serial, sbuf_str(&l), V_STR);
			sbuf_free(&l);
		}
		const char *hit = *prefix ? strstr(name, prefix) : NULL;
		if (hit && hit != name) {
			char *port = pon_str_replace(name, prefix);
			const char *custom = pon_omap_get(&descrs, names.k[i]);
			struct sbuf dsc = SBUF_INIT;
			if (!pon_php_empty(custom))
				sbuf_puts(&dsc, custom);
			else
				sbuf_printf(&dsc, "%s %s", prefix, port);
			pon_omap_set(&pons, port, sbuf_str(&dsc), V_STR);
			sbuf_free(&dsc);
			free(port);
		}
	}
	if (serials->n && names.n) {
		pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", ifaces);
		pon_container_map(cfg, "iface", o->olt->id, "OLTINTERFACEDESCR", &pons);
	}
	pon_omap_free(&names);
	pon_omap_free(&descrs);
	pon_omap_free(&pons);
}

static void rc_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *ifaces)
{
	struct omap byllid = { 0 };
	pon_omap_flip(ifaces, &byllid);
	if (!byllid.n)
		return;
	char *t = cleaned(o, w, B_SIG, "signal", "SIGINDEX", "SIGVALUE", NULL);
	struct omap sig = { 0 }; /* llid -> %.17g dBm, "0" when the raw value is 0 */
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line) || !strchr(line, '='))
			continue;
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		char *raw = no_dots(k), *llid = llid_of(raw);
		if (llid) {
			long long rx = php_intval(pon_trim(v));
			char num[64] = "0";
			if (rx != 0) {
				double dbm = ((double)rx - 15000.0) / 500.0;
				if (rx >= 60000)
					dbm -= 131;
				snprintf(num, sizeof num, "%.17g", pon_round2(dbm));
			}
			pon_omap_set(&sig, llid, num, V_FLOAT);
		}
		free(llid);
		free(raw);
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
	struct omap result = { 0 };
	for (size_t i = 0; i < byllid.n; i++) {
		const char *dbm = pon_omap_get(&sig, byllid.k[i]);
		if (!dbm)
			continue;
		double d = strtod(dbm, NULL);
		char lvl[64];
		if (d != 0) {
			pon_omap_set(&result, byllid.v[i], dbm, V_FLOAT);
			pon_float_text(d, lvl, sizeof lvl);
		} else {
			snprintf(lvl, sizeof lvl, "%s", offline);
		}
		pon_signal_history(cfg, byllid.v[i], lvl);
	}
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", &byllid);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", ifaces);
	pon_omap_free(&result);
	pon_omap_free(&sig);
	pon_omap_free(&byllid);
}

static const char *rc_dereg(const char *v)
{
	long long code = php_intval(v);
	if (code == 13)
		return "<font color=\"#F80000\">Wire down</font >";
	if (code == 6)
		return "<font color=\"#FF4400\">Power off</font >";
	return "<font color=\"#000000\">Unknown</font >";
}

/* plastic index -> value rows joined to the serials (distance, dereg) */
static void rc_by_serial(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *serials,
			 int which, const char *oidkey, const char *valkey, const char *dir, const char *ext, bool dereg)
{
	char *t = cleaned(o, w, which, "misc", oidkey, valkey, NULL);
	pon_join_container(cfg, o, t, serials, dir, ext, dereg ? rc_dereg : NULL);
	free(t);
}

static const char *speed_name(long long code)
{
	switch (code) {
	case 1:
		return "10M FULL";
	case 2:
		return "100M FULL";
	case 3:
		return "1000M FULL";
	case 17:
		return "10M HALF";
	case 18:
		return "100M HALF";
	case 19:
		return "1000M HALF";
	default:
		return "UNKNOWN";
	}
}

/* one "eth0" entry per ONU: state "UP"/"DOWN" and the duplex/speed text */
static void rc_uni(const struct config *cfg, struct olt_run *o, const struct pon_walks *w2, const struct omap *ifaces)
{
	const struct rc_state *st = o->priv;
	struct omap speed = { 0 }, state = { 0 }, spd = { 0 };
	if (st->duplex != (size_t)-1) {
		struct sbuf oid = SBUF_INIT;
		sbuf_printf(&oid, "%s.", sget(o, "misc", "UNIDUPLEXSPEED"));
		char *t = pon_text_cleared(w2->w[st->duplex].text, sbuf_str(&oid), pon_sget(o, "misc", "UNIDUPLEXSPEEDVALUE"), "\"");
		sbuf_free(&oid);
		struct omap rows = { 0 };
		pon_rows_nonempty(t, &rows);
		for (size_t i = 0; i < rows.n; i++) {
			char *raw = no_dots(rows.k[i]);
			pon_omap_set(&speed, raw, speed_name(php_intval(rows.v[i])), V_STR);
			free(raw);
		}
		pon_omap_free(&rows);
		free(t);
	}
	char *t = cleaned(o, w2->w, B_UNI, "misc", "UNIOPERSTATUS", "UNIOPERSTATUSVALUE", NULL);
	struct omap rows = { 0 };
	pon_rows_nonempty(t, &rows);
	free(t);
	for (size_t i = 0; i < rows.n; i++) {
		char *raw = no_dots(rows.k[i]), *llid = llid_of(raw);
		if (llid) {
			const char *sp = pon_omap_get(&speed, raw);
			pon_omap_set(&state, llid, pon_loose_eq(rows.v[i], "1") ? "UP" : "DOWN", V_STR);
			pon_omap_set(&spd, llid, pon_php_empty(sp) ? "" : sp, V_STR);
		}
		free(llid);
		free(raw);
	}
	pon_omap_free(&rows);
	struct omap byllid = { 0 };
	pon_omap_flip(ifaces, &byllid);
	struct omap seen = { 0 }; /* serial -> its serialized entry */
	for (size_t i = 0; i < byllid.n; i++) {
		const char *s = pon_omap_get(&state, byllid.k[i]);
		if (!s)
			continue;
		const char *sp = pon_omap_get(&spd, byllid.k[i]);
		struct sbuf e = SBUF_INIT;
		phpser_array_begin(&e, 1);
		phpser_key_str(&e, "eth0");
		phpser_array_begin(&e, 2);
		phpser_key_str(&e, "unistatus");
		phpser_string(&e, s, strlen(s));
		phpser_key_str(&e, "unispeed");
		phpser_string(&e, sp, strlen(sp));
		phpser_array_end(&e);
		phpser_array_end(&e);
		pon_omap_set(&seen, byllid.v[i], sbuf_str(&e), V_STR);
		sbuf_free(&e);
	}
	pon_container_bodies(cfg, o->olt->id, "unioperstats", "UNIOPERSTATS", &seen, NULL);
	pon_omap_free(&seen);
	pon_omap_free(&byllid);
	pon_omap_free(&state);
	pon_omap_free(&spd);
	pon_omap_free(&speed);
}

/* every 12 hex digits of the cleaned value -> "xx:xx:..", lower-case */
static void split_macs(const char *hex, struct omap *macs)
{
	size_t l = strlen(hex);
	for (size_t i = 0, n = 1; i < l; i += 12, n++) {
		char *chunk = xstrndup(hex + i, l - i < 12 ? l - i : 12);
		char *m = pon_mac_norm(chunk);
		char key[32];
		snprintf(key, sizeof key, "%zu", n);
		pon_omap_set(macs, key, m, V_STR);
		free(m);
		free(chunk);
	}
}

struct fdb_onu {
	char *llid;
	struct omap mac, vlan; /* device number -> value */
};

static struct fdb_onu *fdb_find(struct fdb_onu **v, size_t *n, const char *llid)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].llid, llid) == 0)
			return &(*v)[i];
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	struct fdb_onu *f = &(*v)[(*n)++];
	memset(f, 0, sizeof *f);
	f->llid = xstrdup(llid);
	return f;
}

/* The MAC table holds every MAC behind an ONU as one octet string. PHP
 * splits the whole walk text at every '.', so only an index's last part
 * names the ONU there, while the VLAN rows are keyed by the whole index
 * with its dots removed. */
static void rc_fdb(const struct config *cfg, struct olt_run *o, const struct pon_walks *w2, const struct omap *ifaces)
{
	static const char *const junk[] = { "\n", "\r", "\t", "\"", " ", "STRING:", "dev/ro" };
	struct omap raws = { 0 }, vlans = { 0 };
	struct omap *macsets = NULL; /* parallel to raws */
	const char *mt = pon_walk_of(o, w2->w, B_FDBMAC);
	if (mt && *mt) {
		char *s = pon_text_cleared(mt, sget(o, "misc", "FDBMACINDEX"), pon_sget(o, "misc", "FDBMACVALUE"), NULL);
		for (char *p = s, *piece; (piece = strsep(&p, ".")) != NULL;) {
			char *k = pon_raw_piece(piece, 0), *v = pon_raw_piece(piece, 1);
			if (v) {
				char *mac = xstrdup(v);
				for (size_t j = 0; j < sizeof junk / sizeof *junk; j++) {
					char *r = pon_str_replace(mac, junk[j]);
					free(mac);
					mac = r;
				}
				pon_trim(mac);
				if (!pon_php_empty(mac)) {
					pon_trim(k);
					size_t at = raws.n;
					for (size_t j = 0; j < raws.n; j++)
						if (strcmp(raws.k[j], k) == 0)
							at = j;
					if (at == raws.n) {
						pon_omap_set(&raws, k, "", V_STR);
						macsets = xrealloc(macsets, raws.n * sizeof *macsets);
						memset(&macsets[at], 0, sizeof *macsets);
					} else {
						pon_omap_free(&macsets[at]);
					}
					split_macs(mac, &macsets[at]);
				}
				free(mac);
			}
			free(k);
			free(v);
		}
		free(s);
	}
	char *vt = pon_walk_cleared(o, w2->w, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"), "",
				    pon_sget(o, "misc", "FDBVLANVALUE"), NULL);
	char *copy = xstrdup(vt);
	for (char *p = copy, *line; (line = strsep(&p, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			char *raw = no_dots(k);
			pon_omap_set(&vlans, raw, pon_trim(v), V_STR);
			free(raw);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(vt);
	struct fdb_onu *onus = NULL;
	size_t nonus = 0;
	for (size_t i = 0; i < raws.n; i++) {
		char *llid = llid_of(raws.k[i]);
		if (!llid)
			continue;
		const char *vl = pon_omap_get(&vlans, raws.k[i]);
		vl = pon_php_empty(vl) ? "" : vl;
		struct fdb_onu *f = fdb_find(&onus, &nonus, llid);
		for (size_t j = 0; j < macsets[i].n; j++) {
			pon_omap_set(&f->mac, macsets[i].k[j], macsets[i].v[j], V_STR);
			pon_omap_set(&f->vlan, macsets[i].k[j], vl, V_STR);
		}
		free(llid);
	}
	struct omap byllid = { 0 }, result = { 0 };
	pon_omap_flip(ifaces, &byllid);
	for (size_t i = 0; i < byllid.n; i++) {
		const struct fdb_onu *f = NULL;
		for (size_t j = 0; j < nonus; j++)
			if (strcmp(onus[j].llid, byllid.k[i]) == 0)
				f = &onus[j];
		if (!f || !f->mac.n)
			continue;
		struct sbuf e = SBUF_INIT;
		phpser_array_begin(&e, f->mac.n);
		for (size_t j = 0; j < f->mac.n; j++) {
			phpser_key_str(&e, f->mac.k[j]);
			pon_ser_fdb_entry(&e, f->mac.v[j], strlen(f->mac.v[j]), f->vlan.v[j]);
		}
		phpser_array_end(&e);
		pon_omap_set(&result, byllid.v[i], sbuf_str(&e), V_STR);
		sbuf_free(&e);
	}
	pon_container_bodies(cfg, o->olt->id, "fdb", "OLTFDB", &result, NULL);
	for (size_t i = 0; i < nonus; i++) {
		free(onus[i].llid);
		pon_omap_free(&onus[i].mac);
		pon_omap_free(&onus[i].vlan);
	}
	free(onus);
	for (size_t i = 0; i < raws.n; i++)
		pon_omap_free(&macsets[i]);
	free(macsets);
	pon_omap_free(&raws);
	pon_omap_free(&vlans);
	pon_omap_free(&byllid);
	pon_omap_free(&result);
}

static void rc_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	struct rc_state *st = xcalloc(1, sizeof *st);
	st->duplex = (size_t)-1;
	o->priv = st;
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	pon_add_walk(w, o, B_SN, pon_sget(o, "signal", "ONUSERIALINDEX"));
	pon_add_walk(w, o, B_IFDESCR, pon_sget(o, "misc", "IFACEDESCR"));
	pon_add_walk(w, o, B_IFNAME, pon_sget(o, "misc", "IFACENAME"));
	pon_add_system_walks(w, o);
}

static void rc_plan2(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1, struct pon_walks *w2)
{
	(void)cfg;
	struct rc_state *st = o->priv;
	char *t = cleaned(o, w1->w, B_SN, "signal", "ONUSERIALINDEX", "ONUSERIALVALUE",
			  pon_sget(o, "signal", "ONUSERIALREMOVEPREFIX"));
	/* the stock template sets the case mode in [signal], PHP reads [onu] */
	pon_ident_rows(t, &st->serials, pon_case_mode(pon_sget(o, "onu", "ONU_SERIAL_CASE_MODE"), 0));
	free(t);
	if (!st->serials.n)
		return;
	pon_add_walk(w2, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
	pon_add_walk(w2, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
	pon_add_walk(w2, o, B_UNI, pon_sget(o, "misc", "UNIOPERSTATUS"));
	const char *dx = pon_sget(o, "misc", "UNIDUPLEXSPEED");
	if (dx && *dx)
		st->duplex = pon_add_walk_raw(w2, o, dx);
	if (pon_fdb_query(o)) {
		pon_add_walk(w2, o, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"));
		pon_add_walk(w2, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
	}
}

static void rc_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
		       const struct pon_walks *w2)
{
	struct rc_state *st = o->priv;
	const struct omap *serials = &st->serials;
	if (serials->n) {
		struct omap ifaces = { 0 };
		rc_ifaces(cfg, o, w1->w, serials, &ifaces);
		rc_signals(cfg, o, w1->w, &ifaces);
		if (pon_sget(o, "misc", "DISTINDEX"))
			rc_by_serial(cfg, o, w2->w, serials, B_DIST, "DISTINDEX", "DISTVALUE", "dist", "OLTDISTANCE", false);
		if (pon_sget(o, "misc", "DEREGREASON"))
			rc_by_serial(cfg, o, w2->w, serials, B_DEREG, "DEREGREASON", "DEREGVALUE", "dereg", "ONUDEREGS",
				     true);
		if (pon_sget(o, "misc", "UNIOPERSTATUS") && ifaces.n)
			rc_uni(cfg, o, w2, &ifaces);
		if (pon_fdb_query(o) && ifaces.n)
			rc_fdb(cfg, o, w2, &ifaces);
		pon_omap_free(&ifaces);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&st->serials);
	free(st);
	o->priv = NULL;
}

const struct pon_collector pon_raisecom_family[] = {
	{ "PONRC5508GPSC", { "collect", NULL }, rc_plan, rc_plan2, rc_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
