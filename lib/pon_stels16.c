/* PONstels16: Stels / C-Data FD16xx GPON OLTs (ident = ONU serial), spec
 * §2.4.2. ONUs are keyed by a device index whose last four hex digits are
 * the PON port and the ONU number (0x01000B01: port 11, ONU 1). Templates spell the
 * class "PONStels16"; the registry matches names case-insensitively.
 *
 * PHP quirks kept: the interface map is built from the ONUMACDEVINDEX
 * container as it is on disk (so a stale one from an earlier poll is used
 * when this poll wrote none), the distance parser keeps serial rows the
 * signal parser drops, the deregistration reason of an ONU is the one of
 * the last row whose index is not above the ONU's, UNI states are written
 * whatever PON_ONU_UNI_STATUS_ENABLED says, and only the last UNI port of an
 * ONU is kept. No uptime or temperature is read. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

enum { POLL_BULK, POLL_SINGLE, POLL_NONE };

struct s16 {
	struct omap macs; /* device index -> serial, as macParseStels16 keeps them */
};

static bool misc_set(const struct olt_run *o, const char *key)
{
	const char *v = pon_sget(o, "misc", key);
	return v && !pon_php_empty(v);
}

static int poll_type(const struct olt_run *o)
{
	const char *t = pon_sget(o, "signal", "SIGNAL_POLL_TYPE");
	if (pon_php_empty(t) || strcmp(t, "bulk") == 0)
		return POLL_BULK;
	return strcmp(t, "single") == 0 ? POLL_SINGLE : POLL_NONE;
}

/* [onu] SERIAL_CASE_MODE: 1 lower, 2 upper, otherwise (and unset) as is */
static int case_mode(const struct olt_run *o)
{
	return pon_case_mode(pon_sget(o, "onu", "SERIAL_CASE_MODE"), 0);
}

static char *cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *key,
		     const char *rm1, const char *rm2)
{
	return pon_walk_cleared(o, w, which, pon_sget(o, sec, key), "", rm1, rm2);
}

/* PONProto::distanceParse against the raw serial rows: no empty() filter */
static void distances(const struct config *cfg, const struct olt_run *o, const struct cwalk *w, const char *mactext,
		      int mode)
{
	char *t = cleared(o, w, B_DIST, "misc", "DISTINDEX", NULL, NULL);
	struct omap dist = { 0 }, onus = { 0 }, result = { 0 };
	pon_rows_map(t, &dist, false);
	free(t);
	char *copy = xstrdup(mactext);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *v = pon_piece(line, '=', 1);
		if (!v)
			continue;
		char *k = pon_piece(line, '=', 0);
		pon_case_form(v, mode, true);
		pon_omap_set(&onus, k, v, V_STR);
		free(k);
		free(v);
	}
	free(copy);
	if (onus.n) {
		for (size_t i = 0; i < onus.n; i++) {
			const char *d = pon_omap_get(&dist, onus.k[i]);
			if (d)
				pon_omap_set(&result, onus.v[i], d, V_STR);
		}
		pon_container_map(cfg, "dist", o->olt->id, "OLTDISTANCE", &result);
		pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", &onus);
	}
	pon_omap_free(&dist);
	pon_omap_free(&onus);
	pon_omap_free(&result);
}

/* the ONUMACDEVINDEX container as PHP's readMacIndex() sees it:
 * serial -> device index, empty when missing or unreadable */
static void read_macdev(const struct config *cfg, const struct olt_run *o, struct omap *out)
{
	cJSON *root = pon_container_read(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX");
	if (!root)
		return;
	size_t i = 0;
	for (cJSON *it = root->child; it && (cJSON_IsArray(root) || cJSON_IsObject(root)); it = it->next, i++) {
		char key[32], val[32];
		const char *k = it->string;
		if (!k) {
			snprintf(key, sizeof key, "%zu", i);
			k = key;
		}
		if (cJSON_IsNumber(it)) {
			snprintf(val, sizeof val, "%.0f", it->valuedouble);
			if ((double)atoll(val) != it->valuedouble)
				continue;
			pon_omap_set(out, k, val, V_INT);
		} else if (cJSON_IsString(it)) {
			pon_omap_set(out, k, it->valuestring, V_STR);
		}
	}
	cJSON_Delete(root);
}

/* interfaceParsestels16: the n-th row of the port table is PON port n;
 * the device index in hex ends in <port><onu> */
static void interfaces(const struct config *cfg, const struct olt_run *o, const struct cwalk *w)
{
	struct omap macdev = { 0 };
	read_macdev(cfg, o, &macdev);
	if (!macdev.n)
		return;
	char *t = cleared(o, w, B_IFACE, "misc", "INTERFACEINDEX", "\"", NULL);
	struct omap ports = { 0 }, result = { 0 };
	size_t row = 0;
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		row++;
		char *v = pon_piece(line, '=', 1);
		if (!v)
			continue;
		char num[32];
		snprintf(num, sizeof num, "%zu", row);
		pon_omap_set(&ports, v, num, V_INT);
		free(v);
	}
	free(copy);
	free(t);
	const char *prefix = pon_sget(o, "misc", "INTERFACEADDPONPREFIX");
	prefix = pon_php_empty(prefix) ? "" : prefix;
	for (size_t i = 0; ports.n && i < macdev.n; i++) {
		/* dechex() of a non-integer stops PHP: such an entry is skipped */
		if (!pon_int_string(macdev.v[i]))
			continue;
		char hex[32], port[32];
		snprintf(hex, sizeof hex, "%llx", (unsigned long long)atoll(macdev.v[i]));
		snprintf(port, sizeof port, "%lld", pon_hex_pair(hex, 4));
		const char *seq = pon_omap_get(&ports, port);
		struct sbuf ifn = SBUF_INIT;
		if (seq && !pon_php_empty(seq))
			sbuf_printf(&ifn, "%s%s:%lld", prefix, seq, pon_hex_pair(hex, 2));
		else
			sbuf_printf(&ifn, "%sOn ho", prefix);
		pon_omap_set(&result, macdev.k[i], sbuf_str(&ifn), V_STR);
		sbuf_free(&ifn);
	}
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &result);
	pon_omap_free(&ports);
	pon_omap_free(&result);
	pon_omap_free(&macdev);
}

/* PHP 8 loose comparison of two scalars given as text: numerically when
 * both are numeric, else as strings */
static int php_cmp(const char *a, const char *b)
{
	if (pon_numeric(a) && pon_numeric(b)) {
		double x = strtod(a, NULL), y = strtod(b, NULL);
		return (x > y) - (x < y);
	}
	int c = strcmp(a, b);
	return (c > 0) - (c < 0);
}

/* lastDeregParsestels16: small indexes (< 100) are PON ports of newer
 * firmware, mapped to the first device index of that port */
static void deregs(const struct config *cfg, const struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_DEREG, "misc", "DEREGREASON", "\"", NULL);
	struct omap rows = { 0 }, bound = { 0 }, result = { 0 };
	pon_rows_map(t, &rows, false);
	free(t);
	for (size_t i = 0; i < rows.n; i++) {
		const char *k = rows.k[i];
		char b[64];
		if (pon_numeric(k) && strtod(k, NULL) < 100) {
			snprintf(b, sizeof b, "%.17g", (strtod(k, NULL) - 10) * 256 + 16779776);
		} else if (!pon_numeric(k) && strcmp(k, "100") < 0) {
			/* PHP would do arithmetic on a non-numeric string and stop */
			continue;
		} else {
			snprintf(b, sizeof b, "%s", k);
		}
		pon_omap_set(&bound, k, b, V_STR);
	}
	for (size_t m = 0; bound.n && m < macs->n; m++) {
		const char *cur = NULL;
		for (size_t i = 0; i < bound.n; i++)
			if (php_cmp(macs->k[m], bound.v[i]) >= 0)
				cur = bound.k[i];
		pon_omap_set(&result, macs->v[m], cur ? pon_omap_get(&rows, cur) : "On ho", V_STR);
	}
	pon_container_map(cfg, "dereg", o->olt->id, "ONUDEREGS", &result);
	pon_omap_free(&rows);
	pon_omap_free(&bound);
	pon_omap_free(&result);
}

/* fdbParsestels16: rows "<6 decimal MAC octets>.<vlan> = <device index>";
 * entries are numbered by their row in the walk */
static void fdb(const struct config *cfg, const struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_FDBMAC, "misc", "FDBMACINDEX", NULL, NULL);
	struct omap body = { 0 }, count = { 0 };
	size_t row = 0;
	char *copy = xstrdup(t);
	for (char *s = copy, *line; macs->n && (line = strsep(&s, "\n")) != NULL;) {
		row++;
		if (pon_php_empty(line) || !strchr(line, '='))
			continue;
		char *idx = pon_piece(line, '=', 0), *plastic = pon_piece(line, '=', 1);
		const char *ident = pon_omap_get(macs, plastic);
		char *dot = ident ? strrchr(idx, '.') : NULL;
		if (dot) {
			*dot = '\0';
			char *mac = pon_dec_mac(idx);
			if (mac) {
				struct sbuf e = SBUF_INIT;
				const char *prev = pon_omap_get(&body, ident), *n = pon_omap_get(&count, ident);
				char num[32];
				sbuf_puts(&e, prev ? prev : "");
				phpser_key_int(&e, (long long)row);
				pon_ser_fdb_entry(&e, mac, strlen(mac), dot + 1);
				snprintf(num, sizeof num, "%lld", (n ? atoll(n) : 0) + 1);
				pon_omap_set(&body, ident, sbuf_str(&e), V_STR);
				pon_omap_set(&count, ident, num, V_INT);
				sbuf_free(&e);
				free(mac);
			}
		}
		free(idx);
		free(plastic);
	}
	free(copy);
	free(t);
	pon_container_bodies(cfg, o->olt->id, "fdb", "OLTFDB", &body, &count);
	pon_omap_free(&body);
	pon_omap_free(&count);
}

/* PHP substr($s, 0, $len) with a possibly negative length */
static char *head(const char *s, long long len)
{
	long long l = (long long)strlen(s);
	long long end = len < 0 ? l + len : (len < l ? len : l);
	return xstrndup(s, end > 0 ? (size_t)end : 0);
}

/* uniParseStels16: "<dev>.0.<port>" -> {eth<port>: status}, the last port
 * of an ONU replacing the earlier ones */
static void uni(const struct config *cfg, const struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_UNI, "misc", "UNIOPERSTATUS", pon_sget(o, "misc", "UNIOPERSTATUSVALUE"), "\"");
	struct omap port = { 0 }, state = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			pon_trim(k);
			const char *dot = strrchr(k, '.');
			const char *tail = dot ? dot : "";
			struct sbuf eth = SBUF_INIT;
			sbuf_puts(&eth, "eth");
			const char *p = tail;
			while (*p == '.')
				p++;
			sbuf_puts(&eth, p);
			while (eth.len > 3 && eth.s[eth.len - 1] == '.')
				eth.s[--eth.len] = '\0';
			char *dev = head(k, (long long)strlen(k) - (long long)strlen(tail) - 2);
			char *st = pon_trim(v);
			size_t l = strlen(st);
			while (l && st[l - 1] == '"')
				st[--l] = '\0';
			while (*st == '"')
				st++;
			pon_omap_set(&port, dev, sbuf_str(&eth), V_STR);
			pon_omap_set(&state, dev, st, V_STR);
			sbuf_free(&eth);
			free(dev);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	pon_uni_last_port(cfg, o, macs, &port, &state);
	pon_omap_free(&port);
	pon_omap_free(&state);
}

static void s16_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
	if (poll_type(o) == POLL_BULK)
		pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	if (misc_set(o, "DISTINDEX")) {
		pon_add_walk(w, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
		/* walked (and cached) as PHP does, though nothing reads it */
		pon_add_walk(w, o, B_ONU, pon_sget(o, "misc", "ONUINDEX"));
		pon_add_walk(w, o, B_IFACE, pon_sget(o, "misc", "INTERFACEINDEX"));
	}
	if (misc_set(o, "DEREGREASON"))
		pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
	if (pon_fdb_query(o))
		pon_add_walk(w, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
	if (pon_sget(o, "misc", "UNIOPERSTATUS"))
		pon_add_walk(w, o, B_UNI, pon_sget(o, "misc", "UNIOPERSTATUS"));
}

/* SIGNAL_POLL_TYPE "single": one walk of SIGINDEX.<index> per ONU */
static void s16_plan2(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1, struct pon_walks *w2)
{
	(void)cfg;
	struct s16 *st = xcalloc(1, sizeof *st);
	o->priv = st;
	char *t = cleared(o, w1->w, B_MAC, "signal", "MACINDEX", NULL, NULL);
	pon_ident_rows(t, &st->macs, case_mode(o) | PON_IDENT_COLONS);
	free(t);
	if (poll_type(o) != POLL_SINGLE)
		return;
	const char *sigoid = pon_sget(o, "signal", "SIGINDEX");
	o->sig_first = w2->n;
	for (size_t i = 0; i < st->macs.n; i++) {
		struct sbuf oid = SBUF_INIT;
		sbuf_printf(&oid, "%s.%s", sigoid ? sigoid : "", st->macs.k[i]);
		pon_add_walk_raw(w2, o, sbuf_str(&oid));
		sbuf_free(&oid);
	}
	o->sig_n = st->macs.n;
}

/* the per-ONU answers as the rows "<index><first answer row>", PHP's
 * sigIndex; *any says whether there was at least one */
static char *single_rows(const struct olt_run *o, const struct pon_walks *w2, const struct omap *macs, bool *any)
{
	const char *sigoid = pon_sget(o, "signal", "SIGINDEX");
	struct sbuf rows = SBUF_INIT;
	sbuf_puts(&rows, "");
	*any = false;
	for (size_t i = 0; i < o->sig_n && i < macs->n; i++) {
		struct olt_run one = *o;
		one.walk[B_SIG] = (int)(o->sig_first + i);
		struct sbuf oid = SBUF_INIT;
		sbuf_printf(&oid, "%s.%s", sigoid ? sigoid : "", macs->k[i]);
		char *t = pon_walk_cleared(&one, w2->w, B_SIG, sbuf_str(&oid), "", "0.0 ", NULL);
		sbuf_free(&oid);
		char *nl = strchr(t, '\n');
		if (nl)
			*nl = '\0';
		if (!strstr(t, "No Such Instance currently exists at this OID")) {
			sbuf_printf(&rows, "%s%s\n", macs->k[i], t);
			*any = true;
		}
		free(t);
	}
	return sbuf_detach(&rows);
}

static void s16_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			const struct pon_walks *w2)
{
	struct s16 *st = o->priv;
	if (!st)
		return;
	int mode = case_mode(o), type = poll_type(o);
	char *mactext = cleared(o, w1->w, B_MAC, "signal", "MACINDEX", NULL, NULL);
	char *rows = NULL;
	bool any = false;
	if (type == POLL_BULK) {
		rows = cleared(o, w1->w, B_SIG, "signal", "SIGINDEX", ".0.0 ", NULL);
		any = true;
	} else if (type == POLL_SINGLE) {
		rows = single_rows(o, w2, &st->macs, &any);
	}
	if (any && st->macs.n)
		pon_div_signals(cfg, o, rows, &st->macs, true);
	free(rows);
	if (misc_set(o, "DISTINDEX")) {
		distances(cfg, o, w1->w, mactext, mode);
		interfaces(cfg, o, w1->w);
	}
	if (misc_set(o, "DEREGREASON") && st->macs.n)
		deregs(cfg, o, w1->w, &st->macs);
	if (pon_fdb_query(o))
		fdb(cfg, o, w1->w, &st->macs);
	if (pon_sget(o, "misc", "UNIOPERSTATUS") && st->macs.n)
		uni(cfg, o, w1->w, &st->macs);
	free(mactext);
	pon_omap_free(&st->macs);
	free(st);
	o->priv = NULL;
}

const struct pon_collector pon_stels16_family[] = {
	{ "PONstels16", { "collect", NULL }, s16_plan, s16_plan2, s16_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
