/* PONStels12 (Stels FD12xx EPON OLTs, ident = MAC), spec §2.4.2. ONUs are
 * keyed by their NSCRTV device index, whose two low bytes are the internal
 * PON port number and the LLID (0x1000B01: port 11, LLID 1). PHP builds the
 * interfaces and the FDB from the MAC index container as it is on disk, so
 * they are read back from it here too: after a poll that got no MAC rows,
 * the previous poll's index still decides whether they are rewritten. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

/* what PHP prints where an ONU's port is unknown (its i18n has no entry) */
#define NO_PORT "On ho"

static bool dist_on(const struct olt_run *o)
{
	return !pon_php_empty(pon_sget(o, "misc", "DISTINDEX"));
}

static bool dereg_on(const struct olt_run *o)
{
	return !pon_php_empty(pon_sget(o, "misc", "DEREGREASON"));
}

/* walkCleared(oid, '', rm): "<oid>.", the type prefixes and rm removed */
static char *cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *key,
		     const char *rm)
{
	return pon_walk_cleared(o, w, which, pon_sget(o, sec, key), "", rm, NULL);
}

static void s12_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	/* rows are "<index>.0.0 = <rx>": the ".0.0 " goes with the prefixes */
	char *t = cleared(o, w, B_SIG, "signal", "SIGINDEX", ".0.0 ");
	pon_div_signals(cfg, o, t, macs, false);
	free(t);
}

/* the distance rows are joined with the MAC index, not the ONU index */
static void s12_distances(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_DIST, "misc", "DISTINDEX", NULL);
	struct omap dist = { 0 }, result = { 0 };
	pon_rows_map(t, &dist, false);
	free(t);
	for (size_t i = 0; i < macs->n; i++) {
		const char *d = pon_omap_get(&dist, macs->k[i]);
		if (d)
			pon_omap_set(&result, macs->v[i], d, V_STR);
	}
	pon_container_map(cfg, "dist", o->olt->id, "OLTDISTANCE", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", macs);
	pon_omap_free(&dist);
	pon_omap_free(&result);
}

/* PHP !empty() of an unserialized value */
static bool php_nonempty(const cJSON *v)
{
	if (!v)
		return false;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return !pon_php_empty(v->valuestring);
	return cJSON_IsTrue(v);
}

/* an element's PHP key: a list's elements are keyed 0..n-1 */
static const char *elem_key(const cJSON *e, size_t pos, char *buf, size_t size)
{
	if (e->string)
		return e->string;
	snprintf(buf, size, "%zu", pos);
	return buf;
}

/* an index PHP's dechex() takes; false where PHP throws or truncates */
static bool index_int(const cJSON *v, long long *out)
{
	if (cJSON_IsNumber(v)) {
		if (!(v->valuedouble > -9e18 && v->valuedouble < 9e18) ||
		    v->valuedouble != (double)(long long)v->valuedouble)
			return false;
		*out = (long long)v->valuedouble;
		return true;
	}
	if (!cJSON_IsString(v))
		return false;
	char *s = pon_trim(xstrdup(v->valuestring));
	bool ok = pon_int_string(s);
	if (ok)
		*out = atoll(s);
	free(s);
	return ok;
}

/* ONU interface "<prefix><n>:<llid>", n = the row number of the device
 * index's port in the PON interface walk (every row counts, even one
 * without '='); an ONU on a port the walk lacks gets "<prefix>On ho" */
static void s12_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w)
{
	cJSON *index = pon_container_read(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX");
	if (!php_nonempty(index)) {
		cJSON_Delete(index);
		return;
	}
	char *t = cleared(o, w, B_IFACE, "misc", "INTERFACEINDEX", "\"");
	struct omap ports = { 0 }, result = { 0 };
	size_t row = 0;
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		row++;
		char *port = pon_piece(line, '=', 1);
		if (port) {
			char num[24];
			snprintf(num, sizeof num, "%zu", row);
			pon_omap_set(&ports, port, num, V_INT);
		}
		free(port);
	}
	free(copy);
	free(t);
	const char *prefix = pon_sget(o, "misc", "INTERFACEADDPONPREFIX");
	prefix = pon_php_empty(prefix) ? "" : prefix;
	size_t pos = 0;
	for (const cJSON *e = (cJSON_IsArray(index) || cJSON_IsObject(index)) && ports.n ? index->child : NULL; e;
	     e = e->next, pos++) {
		long long dev;
		if (!index_int(e, &dev))
			continue;
		char hex[24], pkey[24], portkey[24];
		snprintf(hex, sizeof hex, "%llx", (unsigned long long)dev);
		snprintf(portkey, sizeof portkey, "%lld", pon_hex_pair(hex, 4));
		const char *n = pon_omap_get(&ports, portkey);
		struct sbuf name = SBUF_INIT;
		if (n)
			sbuf_printf(&name, "%s%s:%lld", prefix, n, pon_hex_pair(hex, 2));
		else
			sbuf_printf(&name, "%s%s", prefix, NO_PORT);
		pon_omap_set(&result, elem_key(e, pos, pkey, sizeof pkey), sbuf_str(&name), V_STR);
		sbuf_free(&name);
	}
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &result);
	pon_omap_free(&ports);
	pon_omap_free(&result);
	cJSON_Delete(index);
}

/* PHP 8 "$dev >= $threshold": numerically when the index is numeric, else
 * as strings against the threshold's text */
static bool index_ge(const char *dev, double thr, const char *thr_text)
{
	if (pon_numeric(dev))
		return strtod(dev, NULL) >= thr;
	return strcmp(dev, thr_text) >= 0;
}

/* The dereg rows are keyed by PON port (firmware > 1.4: a small number n
 * standing for device index 0x1000000 + n * 256) or by a device index; an
 * ONU takes the reason of the last row whose start it reaches. */
static void s12_deregs(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_DEREG, "misc", "DEREGREASON", "\"");
	struct omap rows = { 0 }, result = { 0 };
	pon_rows_map(t, &rows, false);
	free(t);
	for (size_t i = 0; i < macs->n && rows.n; i++) {
		const char *cur = "";
		for (size_t r = 0; r < rows.n; r++) {
			const char *k = rows.k[r];
			/* a non-numeric index would go through PHP's string
			 * arithmetic (warnings or a TypeError): ignored */
			if (!pon_numeric(k))
				continue;
			double thr = strtod(k, NULL);
			char text[64];
			if (thr < 100) {
				/* PHP int arithmetic, unless it would overflow */
				if (pon_int_string(k) && atoll(k) > -1000000000000LL) {
					long long v = (atoll(k) - 10) * 256 + 16779776;
					thr = (double)v;
					snprintf(text, sizeof text, "%lld", v);
				} else {
					thr = (thr - 10) * 256 + 16779776;
					pon_float_text(thr, text, sizeof text);
				}
			} else {
				snprintf(text, sizeof text, "%s", k);
			}
			if (index_ge(macs->k[i], thr, text))
				cur = k;
		}
		const char *reason = pon_omap_get(&rows, cur);
		pon_omap_set(&result, macs->v[i], reason ? reason : NO_PORT, V_STR);
	}
	pon_container_map(cfg, "dereg", o->olt->id, "ONUDEREGS", &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

/* FDB rows "<MAC as 6 decimals>.<vlan> = <ONU MAC>": every row is kept
 * under its ONU MAC, known ONU or not, numbered by its row in the walk (a
 * value wrapped onto a second line uses up a number); the MAC index is
 * only a gate. PHP writes the container even when it is empty. */
static void s12_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w)
{
	cJSON *index = pon_container_read(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX");
	char *t = php_nonempty(index) ? cleared(o, w, B_FDBMAC, "misc", "FDBMACINDEX", NULL) : xstrdup("");
	cJSON_Delete(index);
	/* ONU MAC -> serialized entries, and their count */
	struct omap cache = { 0 }, counts = { 0 };
	size_t row = 0;
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		row++;
		char *onu = pon_piece(line, '=', 1);
		if (!onu)
			continue;
		char *idx = pon_piece(line, '=', 0);
		char *dot = strrchr(idx, '.');
		char *mac = NULL;
		const char *vlan = dot ? dot + 1 : idx[0] ? idx + 1 : idx;
		if (!strstr(onu, "STRING:")) {
			char *dec = xstrndup(idx, dot ? (size_t)(dot - idx) : 0);
			mac = pon_dec_mac(dec);
			free(dec);
		}
		if (mac) {
			for (char *c = onu; *c; c++)
				*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
			struct sbuf e = SBUF_INIT;
			const char *prev = pon_omap_get(&cache, onu);
			sbuf_puts(&e, prev ? prev : "");
			phpser_key_int(&e, (long long)row);
			pon_ser_fdb_entry(&e, mac, strlen(mac), vlan);
			pon_omap_set(&cache, onu, sbuf_str(&e), V_STR);
			const char *c = pon_omap_get(&counts, onu);
			char num[24];
			snprintf(num, sizeof num, "%lld", (c ? atoll(c) : 0) + 1);
			pon_omap_set(&counts, onu, num, V_INT);
			sbuf_free(&e);
			free(mac);
		}
		free(idx);
		free(onu);
	}
	free(copy);
	free(t);
	pon_container_bodies(cfg, o->olt->id, "fdb", "OLTFDB", &cache, &counts);
	pon_omap_free(&cache);
	pon_omap_free(&counts);
}

static void s12_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	if (dist_on(o)) {
		pon_add_walk(w, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
		/* walked (and cached) like PHP does, though nothing reads it */
		pon_add_walk(w, o, B_ONU, pon_sget(o, "misc", "ONUINDEX"));
		pon_add_walk(w, o, B_IFACE, pon_sget(o, "misc", "INTERFACEINDEX"));
	}
	if (dereg_on(o))
		pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	if (pon_fdb_query(o))
		pon_add_walk(w, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
}

static void s12_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			const struct pon_walks *w2)
{
	(void)w2;
	struct omap macs = { 0 };
	char *t = cleared(o, w1->w, B_MAC, "signal", "MACINDEX", NULL);
	pon_rows_map(t, &macs, true);
	free(t);
	if (macs.n)
		s12_signals(cfg, o, w1->w, &macs);
	if (dist_on(o)) {
		if (macs.n)
			s12_distances(cfg, o, w1->w, &macs);
		s12_ifaces(cfg, o, w1->w);
	}
	if (dereg_on(o) && macs.n)
		s12_deregs(cfg, o, w1->w, &macs);
	if (pon_fdb_query(o))
		s12_fdb(cfg, o, w1->w);
	pon_omap_free(&macs);
}

const struct pon_collector pon_stels12_family[] = {
	{ "PONStels12", { "collect", NULL }, s12_plan, NULL, s12_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
