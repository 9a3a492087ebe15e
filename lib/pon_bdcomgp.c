/* PONBdcomGP: BDCOM GP3600-series GPON OLTs (ident = ONU serial), spec
 * §2.4.2. ONUs are keyed by ifIndex; the MAC index holds the serials the
 * signals are reported for, the ONU index the serials the distances,
 * deregistration reasons and UNI states are reported for. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

static char *cleaned(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *oidkey,
		     const char *valkey, bool drop_quotes)
{
	const char *val = valkey ? pon_sget(o, sec, valkey) : NULL;
	return pon_cleaned(o, w, which, pon_sget(o, sec, oidkey), val ? val : "", drop_quotes);
}

static bool dist_branch(const struct olt_run *o)
{
	const char *d = pon_sget(o, "misc", "DISTINDEX");
	return d && !pon_php_empty(d);
}

static bool uni_enabled(const struct config *cfg, const struct olt_run *o)
{
	return pon_sget(o, "misc", "UNIOPERSTATUS") && php_truthy(cfg_alter(cfg, "PON_ONU_UNI_STATUS_ENABLED", "0"));
}

static void gp_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *st = cleaned(o, w, B_SIG, "signal", "SIGINDEX", "SIGVALUE", false);
	pon_div_signals(cfg, o, st, macs, false);
	free(st);
}

/* distances in decimetres: "1234" -> "123.4"; an empty() one is int 0 */
static void gp_distances(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *onus)
{
	char *t = cleaned(o, w, B_DIST, "misc", "DISTINDEX", "DISTVALUE", false);
	struct omap dist = { 0 }, result = { 0 };
	pon_rows_map(t, &dist, false);
	free(t);
	for (size_t i = 0; i < onus->n; i++) {
		const char *d = pon_omap_get(&dist, onus->k[i]);
		if (!d)
			continue;
		if (pon_php_empty(d)) {
			pon_omap_set(&result, onus->v[i], "0", V_INT);
			continue;
		}
		size_t l = strlen(d);
		struct sbuf m = SBUF_INIT;
		sbuf_add(&m, d, l - 1);
		sbuf_printf(&m, ".%c", d[l - 1]);
		pon_omap_set(&result, onus->v[i], sbuf_str(&m), V_STR);
		sbuf_free(&m);
	}
	pon_container_map(cfg, "dist", o->olt->id, "OLTDISTANCE", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", onus);
	pon_omap_free(&dist);
	pon_omap_free(&result);
}

static void gp_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleaned(o, w, B_IFACE, "misc", "INTERFACEINDEX", "INTERFACEVALUE", false);
	struct omap names = { 0 }, result = { 0 }, none = { 0 };
	pon_rows_map(t, &names, false);
	free(t);
	for (size_t i = 0; i < macs->n; i++) {
		const char *n = pon_omap_get(&names, macs->k[i]);
		if (n)
			pon_omap_set(&result, macs->v[i], n, V_STR);
	}
	pon_container_map(cfg, "iface", o->olt->id, "ONUINTERFACE", &result);
	/* no custom descriptions are read for this model: always empty */
	pon_container_map(cfg, "iface", o->olt->id, "OLTINTERFACEDESCR", &none);
	pon_omap_free(&names);
	pon_omap_free(&result);
}

/* "up(1)" / "1" -> 1, anything else 0; one "eth1" state per ONU */
static void gp_uni(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *onus)
{
	char *t = cleaned(o, w, B_UNI, "misc", "UNIOPERSTATUS", "UNIOPERSTATUSVALUE", true);
	struct omap state = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			char *idx = k;
			while (*idx == '.')
				idx++;
			pon_trim(idx);
			const char *raw = pon_trim(v), *num = raw;
			for (const char *p = raw; (p = strchr(p, '(')) != NULL; p++)
				if (isdigit((unsigned char)p[1])) {
					const char *e = p + 1;
					while (isdigit((unsigned char)*e))
						e++;
					if (*e == ')') {
						num = p + 1;
						break;
					}
				}
			const char *onu = pon_omap_get(onus, idx);
			if (onu)
				pon_omap_set(&state, onu, strtoll(num, NULL, 10) == 1 ? "1" : "0", V_INT);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, state.n);
	for (size_t i = 0; i < state.n; i++) {
		phpser_key_str(&out, state.k[i]);
		phpser_array_begin(&out, 1);
		phpser_key_str(&out, "eth1");
		phpser_int(&out, atoll(state.v[i]));
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, "unioperstats", o->olt->id, "UNIOPERSTATS", out.s, out.len);
	sbuf_free(&out);
	pon_omap_free(&state);
}

/* dot1qTpFdb rows: column 1 "1.<vlan>.<6 MAC bytes>" = MAC, column 2 the
 * same index = the ONU ifIndex; the entry number is the MAC's last byte */
static void gp_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleaned(o, w, B_FDB, "misc", "FDBINDEX", NULL, false);
	const char *fv = pon_sget(o, "misc", "FDBVALUE");
	fv = fv ? fv : "";
	/* row index -> "mac\tvlan\tnum" (column 1) and -> ifIndex (column 2) */
	struct omap rows = { 0 }, port = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (!(*fv && strstr(line, fv)) && !strstr(line, "INTEGER:"))
			continue;
		char *a = *fv ? pon_str_replace(line, fv) : xstrdup(line);
		char *b = pon_str_replace(a, "INTEGER:");
		char *idx = pon_piece(b, '=', 0), *val = pon_piece(b, '=', 1);
		if (val) {
			char *vlan = pon_piece(idx, '.', 1), *num = pon_piece(idx, '.', 7);
			if (idx[0] == '1') {
				struct sbuf e = SBUF_INIT;
				for (char *c = val; *c; c++)
					*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
				sbuf_printf(&e, "%s\t%s\t%s", val, vlan ? vlan : "", num ? num : "");
				pon_omap_set(&rows, idx, sbuf_str(&e), V_STR);
				sbuf_free(&e);
			} else if (idx[0] == '2') {
				idx[0] = '1';
				pon_omap_set(&port, idx, val, V_STR);
				if (!pon_omap_get(&rows, idx))
					pon_omap_set(&rows, idx, "", V_STR);
			}
			free(vlan);
			free(num);
		}
		free(idx);
		free(val);
		free(a);
		free(b);
	}
	free(copy);
	free(t);
	/* ifIndex -> serialized {num: {mac, vlan}} and its entry count */
	struct omap onu = { 0 }, count = { 0 };
	for (size_t i = 0; i < rows.n; i++) {
		const char *ifx = pon_omap_get(&port, rows.k[i]);
		if (!ifx || !*rows.v[i])
			continue;
		char *mac = xstrdup(rows.v[i]);
		char *vlan = strchr(mac, '\t');
		*vlan++ = '\0';
		char *num = strchr(vlan, '\t');
		*num++ = '\0';
		/* the same entry number again replaces the earlier entry in place */
		struct sbuf key = SBUF_INIT;
		sbuf_printf(&key, "%s\t%s", ifx, num);
		struct sbuf e = SBUF_INIT;
		phpser_key_str(&e, num);
		pon_ser_fdb_entry(&e, mac, strlen(mac), vlan);
		pon_omap_set(&onu, sbuf_str(&key), sbuf_str(&e), V_STR);
		if (!pon_omap_get(&count, ifx))
			pon_omap_set(&count, ifx, "", V_STR);
		sbuf_free(&key);
		sbuf_free(&e);
		free(mac);
	}
	/* a serial seen twice keeps its first place and the later ONU's FDB */
	struct omap result = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		const char *ifx = macs->k[i];
		if (!pon_omap_get(&count, ifx))
			continue;
		size_t kl = strlen(ifx), n = 0;
		struct sbuf body = SBUF_INIT;
		sbuf_puts(&body, "");
		for (size_t r = 0; r < onu.n; r++)
			if (strncmp(onu.k[r], ifx, kl) == 0 && onu.k[r][kl] == '\t') {
				sbuf_puts(&body, onu.v[r]);
				n++;
			}
		struct sbuf whole = SBUF_INIT;
		phpser_array_begin(&whole, n);
		sbuf_puts(&whole, sbuf_str(&body));
		phpser_array_end(&whole);
		pon_omap_set(&result, macs->v[i], sbuf_str(&whole), V_STR);
		sbuf_free(&body);
		sbuf_free(&whole);
	}
	pon_container_bodies(cfg, o->olt->id, "fdb", "OLTFDB", &result, NULL);
	pon_omap_free(&result);
	pon_omap_free(&onu);
	pon_omap_free(&count);
	pon_omap_free(&rows);
	pon_omap_free(&port);
}

static const char *const dereg_reason[][2] = {
	{ "#000000", "No Reason" }, { "#6500FF", "Power off" },	  { "#000000", "Laser always on" },
	{ "#FF4400", "Admin Down" }, { "#000000", "omcc-down" },   { "#000000", "Unknown" },
	{ "#000000", "pon-los" },    { "#000000", "lcdg" },	  { "#F80000", "Wire down" },
	{ "#000000", "omci-mismatch" }, { "#000000", "password-mismatch" }, { "#000000", "Reboot" },
	{ "#000000", "ranging-failed" },
};

static void gp_deregs(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *onus)
{
	char *t = cleaned(o, w, B_DEREG, "misc", "DEREGREASON", "DEREGVALUE", false);
	struct omap rows = { 0 }, result = { 0 };
	pon_rows_map(t, &rows, false);
	free(t);
	for (size_t i = 0; i < rows.n; i++) {
		const char *onu = pon_omap_get(onus, rows.k[i]);
		if (!onu)
			continue;
		long long code = strtoll(rows.v[i], NULL, 10);
		const char *color = "#000000", *text = "Unknown reason";
		if (code >= 0 && code < (long long)(sizeof dereg_reason / sizeof *dereg_reason)) {
			color = dereg_reason[code][0];
			text = dereg_reason[code][1];
		}
		struct sbuf f = SBUF_INIT;
		sbuf_printf(&f, "<font color=\"%s\">%s</font >", color, text);
		pon_omap_set(&result, onu, sbuf_str(&f), V_STR);
		sbuf_free(&f);
	}
	pon_container_map(cfg, "dereg", o->olt->id, "ONUDEREGS", &result);
	pon_omap_free(&rows);
	pon_omap_free(&result);
}

static void gp_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	pon_add_walk(w, o, B_SIG, pon_sget(o, "signal", "SIGINDEX"));
	if (dist_branch(o)) {
		pon_add_walk(w, o, B_DIST, pon_sget(o, "misc", "DISTINDEX"));
		pon_add_walk(w, o, B_ONU, pon_sget(o, "misc", "ONUINDEX"));
		pon_add_walk(w, o, B_IFACE, pon_sget(o, "misc", "INTERFACEINDEX"));
		if (pon_fdb_query(o))
			pon_add_walk(w, o, B_FDB, pon_sget(o, "misc", "FDBINDEX"));
		pon_add_walk(w, o, B_DEREG, pon_sget(o, "misc", "DEREGREASON"));
	}
	if (uni_enabled(cfg, o))
		pon_add_walk(w, o, B_UNI, pon_sget(o, "misc", "UNIOPERSTATUS"));
	pon_add_system_walks(w, o);
	pon_add_walk(w, o, B_MAC, pon_sget(o, "signal", "MACINDEX"));
}

static void gp_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
		       const struct pon_walks *w2)
{
	(void)w2;
	struct omap macs = { 0 }, onus = { 0 };
	int casemode = pon_case_mode(pon_sget(o, "misc", "SERIAL_CASE_MODE"), 1);
	char *t = cleaned(o, w1->w, B_MAC, "signal", "MACINDEX", "MACVALUE", true);
	pon_rows_map(t, &macs, false);
	free(t);
	for (size_t i = 0; i < macs.n; i++)
		pon_case_form(macs.v[i], casemode, true);
	if (dist_branch(o)) {
		t = cleaned(o, w1->w, B_ONU, "misc", "ONUINDEX", "ONUVALUE", true);
		pon_rows_map(t, &onus, true);
		free(t);
	}
	if (macs.n)
		gp_signals(cfg, o, w1->w, &macs);
	if (dist_branch(o)) {
		if (onus.n)
			gp_distances(cfg, o, w1->w, &onus);
		if (macs.n)
			gp_ifaces(cfg, o, w1->w, &macs);
		if (uni_enabled(cfg, o) && onus.n)
			gp_uni(cfg, o, w1->w, &onus);
		if (pon_fdb_query(o) && macs.n)
			gp_fdb(cfg, o, w1->w, &macs);
		if (pon_sget(o, "misc", "DEREGREASON") && onus.n)
			gp_deregs(cfg, o, w1->w, &onus);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&macs);
	pon_omap_free(&onus);
}

const struct pon_collector pon_bdcomgp_family[] = {
	{ "PONBdcomGP", { "collect", NULL }, gp_plan, NULL, gp_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
