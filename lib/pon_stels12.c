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

static bool fdb_on(const struct olt_run *o)
{
	return strstr(o->olt->desc, "NOFDBQUERY") == NULL;
}

/* walkCleared(oid, '', rm): "<oid>.", the type prefixes and rm removed */
static char *cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *key,
		     const char *rm)
{
	return pon_walk_cleared(o, w, which, pon_sget(o, sec, key), "", rm, NULL);
}

/* PHP "raw / OFFSET" on numeric strings: an int when both are integers and
 * the division is exact */
static int divide(const char *raw, const char *offset, char *buf, size_t size)
{
	if (pon_int_string(raw) && pon_int_string(offset) && atoll(offset) != 0 && atoll(raw) % atoll(offset) == 0) {
		snprintf(buf, size, "%lld", atoll(raw) / atoll(offset));
		return V_INT;
	}
	snprintf(buf, size, "%.17g", strtod(raw, NULL) / strtod(offset, NULL));
	return V_FLOAT;
}

static void s12_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	/* rows are "<index>.0.0 = <rx>": the ".0.0 " goes with the prefixes */
	char *t = cleared(o, w, B_SIG, "signal", "SIGINDEX", ".0.0 ");
	const char *down = pon_sget(o, "signal", "DOWNVALUE"), *mode = pon_sget(o, "signal", "OFFSETMODE"),
		   *offset = pon_sget(o, "signal", "OFFSET");
	bool div = mode && strcmp(mode, "div") == 0 && offset && php_truthy(offset);
	struct omap sigs = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *raw = pon_piece(line, '=', 1);
		if (!raw)
			continue;
		char *idx = pon_piece(line, '=', 0), buf[64];
		const char *val = raw;
		int type = V_STR;
		if (pon_loose_eq(raw, down ? down : ""))
			val = "Offline";
		else if (div && !pon_numeric(raw))
			val = "Fail";
		else if (div) {
			type = divide(raw, offset, buf, sizeof buf);
			val = buf;
		}
		pon_omap_set(&sigs, idx, val, type);
		free(idx);
		free(raw);
	}
	free(copy);
	free(t);
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
			/* PHP skips an empty() ident, "0" included */
			if (!pon_php_empty(macs->v[i]))
				pon_signal_history(cfg, macs->v[i], lvl);
			break;
		}
		/* array_flip: ident -> index, an int when the index was an int key */
		pon_omap_set(&flip, macs->v[i], macs->k[i], pon_canonical_int(macs->k[i]) ? V_INT : V_STR);
	}
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
	pon_omap_free(&result);
	pon_omap_free(&flip);
	pon_omap_free(&sigs);
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

/* readMacIndex(): the container as unserialize() gives it, NULL when the
 * file is missing or unreadable */
static cJSON *macdev_read(const struct config *cfg, const struct olt_run *o)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "exports/pondata/macdev/%s_ONUMACDEVINDEX", o->olt->id);
	char *path = cfg_path(cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	size_t len = 0;
	char *raw = file_get(path, &len);
	free(path);
	cJSON *v = raw ? phpser_parse(raw, len) : NULL;
	free(raw);
	return v;
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

/* hexdec(substr(dechex(dev), -from, 2)) */
static long hex_part(const char *hex, size_t from)
{
	size_t l = strlen(hex);
	const char *p = l >= from ? hex + l - from : hex;
	char two[3] = { p[0], p[0] ? p[1] : '\0', '\0' };
	return strtol(two, NULL, 16);
}

/* ONU interface "<prefix><n>:<llid>", n = the row number of the device
 * index's port in the PON interface walk (every row counts, even one
 * without '='); an ONU on a port the walk lacks gets "<prefix>On ho" */
static void s12_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w)
{
	cJSON *index = macdev_read(cfg, o);
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
		snprintf(portkey, sizeof portkey, "%ld", hex_part(hex, 4));
		const char *n = pon_omap_get(&ports, portkey);
		struct sbuf name = SBUF_INIT;
		if (n)
			sbuf_printf(&name, "%s%s:%ld", prefix, n, hex_part(hex, 2));
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

/* convertMACDec2Hex(): "0.170.187.204.221.1" -> "00:aa:bb:cc:dd:01" (an
 * octet over 255 gives 3 digits and shifts the colons, as in PHP); NULL for
 * an octet that is not an integer, where PHP's dechex() throws */
static char *dec_mac(const char *dec)
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

/* FDB rows "<MAC as 6 decimals>.<vlan> = <ONU MAC>": every row is kept
 * under its ONU MAC, known ONU or not, numbered by its row in the walk (a
 * value wrapped onto a second line uses up a number); the MAC index is
 * only a gate. PHP writes the container even when it is empty. */
static void s12_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w)
{
	cJSON *index = macdev_read(cfg, o);
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
			mac = dec_mac(dec);
			free(dec);
		}
		if (mac) {
			for (char *c = onu; *c; c++)
				*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
			struct sbuf e = SBUF_INIT;
			const char *prev = pon_omap_get(&cache, onu);
			sbuf_puts(&e, prev ? prev : "");
			phpser_key_int(&e, (long long)row);
			phpser_array_begin(&e, 2);
			phpser_key_str(&e, "mac");
			phpser_string(&e, mac, strlen(mac));
			phpser_key_str(&e, "vlan");
			phpser_string(&e, vlan, strlen(vlan));
			phpser_array_end(&e);
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
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, cache.n);
	for (size_t i = 0; i < cache.n; i++) {
		phpser_key_str(&out, cache.k[i]);
		phpser_array_begin(&out, (size_t)atoll(counts.v[i]));
		sbuf_puts(&out, cache.v[i]);
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, "fdb", o->olt->id, "OLTFDB", out.s, out.len);
	sbuf_free(&out);
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
	if (fdb_on(o))
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
	if (fdb_on(o))
		s12_fdb(cfg, o, w1->w);
	pon_omap_free(&macs);
}

const struct pon_collector pon_stels12_family[] = {
	{ "PONStels12", { "collect", NULL }, s12_plan, NULL, s12_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
