/* PONVsol: V-SOL V1600D / V1600D_L EPON OLTs (spec §2.4.2). ONU ident is the
 * MAC string exactly as the OLT prints it; the device index is
 * "<port>.<llid>". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phpser.h"
#include "switches.h"
#include "pon_int.h"
#include "util.h"

static void vsol_macs(const struct olt_run *o, const struct cwalk *w, struct omap *macs)
{
	char *t = pon_cleaned(o, w, B_MAC, pon_sget(o, "signal", "MACINDEX"), pon_sget(o, "signal", "MACVALUE"), false);
	bool active_only = php_truthy(pon_sget(o, "misc", "GETACTIVEONUMACONLY") ? pon_sget(o, "misc", "GETACTIVEONUMACONLY") : "");
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (!pon_php_empty(k) && !pon_php_empty(v)) {
			char *q = pon_str_replace(pon_trim(v), "\"");
			char *mac;
			if (active_only) {
				/* "0x0011..." -> "00:11:..." */
				char *h = pon_str_replace(q, "0x");
				struct sbuf b = SBUF_INIT;
				sbuf_puts(&b, "");
				for (size_t i = 0; h[i]; i += 2) {
					if (i)
						sbuf_putc(&b, ':');
					sbuf_add(&b, h + i, h[i + 1] ? 2 : 1);
					if (!h[i + 1])
						break;
				}
				mac = sbuf_detach(&b);
				free(h);
			} else {
				mac = xstrdup(q);
			}
			pon_trim(k);
			if (!pon_php_empty(k) && !pon_php_empty(mac))
				pon_omap_set(macs, k, mac, V_STR);
			free(mac);
			free(q);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
}

static void vsol_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = pon_cleaned(o, w, B_SIG, pon_sget(o, "signal", "SIGINDEX"), pon_sget(o, "signal", "SIGVALUE"), false);
	/* the walk covers the whole ONU optics table: column 7 is RX power */
	struct omap seen = { 0 }, rx = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		pon_trim(k);
		const char *llid = strlen(k) > 2 ? k + 2 : "";
		if (k[0] == '6' || k[0] == '7')
			pon_omap_set(&seen, llid, "", V_STR);
		if (k[0] == '7') {
			char *d = pon_paren_dbm(v ? pon_trim(v) : "");
			pon_omap_set(&rx, llid, d, V_STR);
			free(d);
		}
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	const char *offline = cfg_alter(cfg, "PON_ONU_OFFLINE_SIGNAL", "-9000");
	struct omap result = { 0 }, flip = { 0 };
	for (size_t i = 0; i < macs->n; i++) {
		if (!pon_omap_get(&seen, macs->k[i]))
			continue;
		const char *sig = pon_omap_get(&rx, macs->k[i]);
		if (!pon_php_empty(sig))
			pon_omap_set(&result, macs->v[i], sig, V_STR);
		pon_signal_history(cfg, macs->v[i], pon_php_empty(sig) || strcmp(sig, "Offline") == 0 ? offline : sig);
	}
	pon_omap_flip(macs, &flip);
	pon_container_map(cfg, "signals", o->olt->id, "OLTSIGNALS", &result);
	pon_container_map(cfg, "onucache", o->olt->id, "ONUINDEX", macs);
	pon_container_map(cfg, "macdev", o->olt->id, "ONUMACDEVINDEX", &flip);
	pon_omap_free(&result);
	pon_omap_free(&flip);
	pon_omap_free(&seen);
	pon_omap_free(&rx);
}

static const char *vsol_dereg(const char *v)
{
	long long code = strtoll(v, NULL, 10);
	return code == 0   ? "<font color=\"#F80000\">Wire down</font >"
	       : code == 1 ? "<font color=\"#FF4400\">Power off</font >"
			   : "<font color=\"#000000\">Unknown</font >";
}

/* LLID -> value rows joined to the ONU MACs */
static void vsol_by_mac(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs,
			int which, const char *oidkey, const char *valkey, const char *dir, const char *ext, bool dereg)
{
	char *t = pon_cleaned(o, w, which, pon_sget(o, "misc", oidkey), pon_sget(o, "misc", valkey), false);
	pon_join_container(cfg, o, t, macs, dir, ext, dereg ? vsol_dereg : NULL);
	free(t);
}

static void vsol_ifaces(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	const char *val = pon_sget(o, "misc", "IFACEVALUE");
	bool have_cust = pon_sget(o, "misc", "IFACECUSTOMDESCR") != NULL;
	struct omap cust = { 0 }, names = { 0 };
	if (have_cust) {
		char *t = pon_cleaned(o, w, B_IFDESCR, pon_sget(o, "misc", "IFACECUSTOMDESCR"), val, true);
		pon_cust_descr_rows(t, &cust);
		free(t);
	}
	char *t = pon_cleaned(o, w, B_IFACE, pon_sget(o, "misc", "IFACEDESCR"), val, true);
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		if (pon_php_empty(line))
			continue;
		char *row = pon_no_ws(line);
		pon_rows_nonempty(row, &names);
		free(row);
	}
	free(copy);
	free(t);
	pon_iface_join(cfg, o, macs, &names, &cust, have_cust);
	pon_omap_free(&cust);
	pon_omap_free(&names);
}

/* "0.170.187.204.221.1" -> "00:aa:bb:cc:dd:01" (convertMACDec2Hex); not
 * pon_dec_mac(): a non-integer octet counts as 0 here instead of dropping the row */
static char *dec_mac(const char *dec)
{
	struct sbuf hex = SBUF_INIT, out = SBUF_INIT;
	sbuf_puts(&hex, "");
	sbuf_puts(&out, "");
	if (!pon_php_empty(dec)) {
		char *copy = xstrdup(dec);
		for (char *s = copy, *oct; (oct = strsep(&s, ".")) != NULL;) {
			long long v = strtoll(oct, NULL, 10);
			sbuf_printf(&hex, v == 0 ? "00" : v < 16 && v > 0 ? "0%llx" : "%llx", (unsigned long long)v);
		}
		free(copy);
		for (size_t i = 0; i < hex.len; i += 2) {
			if (i)
				sbuf_putc(&out, ':');
			sbuf_add(&out, hex.s + i, hex.len - i >= 2 ? 2 : 1);
		}
	}
	sbuf_free(&hex);
	char *r = sbuf_detach(&out);
	for (char *c = r; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return pon_trim(r);
}

/* "EPON0/1:3" -> "1.3" */
static char *port_llid(const char *raw)
{
	char *a = pon_str_replace(raw, "\"");
	char *b = pon_str_replace(a, "EPON0/");
	free(a);
	pon_trim(b);
	for (char *c = b; *c; c++)
		if (*c == ':')
			*c = '.';
	return b;
}

/* rows with a value: key (as given to keyfn) -> trimmed value */
static void fdb_rows(const char *text, struct omap *m, bool mac_key, int how)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		if (v) {
			char *key = mac_key ? dec_mac(k) : pon_trim(xstrdup(k));
			char *val;
			if (how == 1) {
				val = port_llid(v);
			} else if (how == 2) {
				val = pon_trim(xstrdup(v));
				for (char *c = val; *c; c++)
					*c = *c == ' ' ? ':' : (char)tolower((unsigned char)*c);
			} else {
				val = pon_trim(xstrdup(v));
			}
			pon_omap_set(m, key, val, V_STR);
			free(key);
			free(val);
		}
		free(k);
		free(v);
	}
	free(copy);
}

static void vsol_fdb(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	const char *dev = pon_sget(o, "define", "DEVICE");
	bool l_series = dev && strcmp(dev, "V-Solution OLT V1600D_L") == 0;
	struct omap where = { 0 }, vlan = { 0 }, fmac = { 0 };
	char *t = pon_walk_cleared(o, w, B_FDB, pon_sget(o, "misc", "FDBINDEX"), "", pon_sget(o, "misc", "FDBVALUE"), NULL);
	fdb_rows(t, &where, !l_series, 1);
	free(t);
	t = pon_walk_cleared(o, w, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"), "", pon_sget(o, "misc", "FDBVLANVALUE"), NULL);
	fdb_rows(t, &vlan, !l_series, 0);
	free(t);
	if (l_series) {
		t = pon_walk_cleared(o, w, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"), "", pon_sget(o, "misc", "FDBMACVALUE"), "\"");
		fdb_rows(t, &fmac, false, 2);
		free(t);
	}
	struct sbuf out = SBUF_INIT;
	/* PHP array_keys($map, $llid) compares loosely ("1.1" matches "1.10");
	 * an ONU MAC seen twice keeps its first place with the last entries */
	struct omap owners = { 0 };
	for (size_t i = 0; where.n && i < macs->n; i++)
		for (size_t r = 0; r < where.n; r++)
			if (pon_loose_eq(where.v[r], macs->k[i])) {
				char num[24];
				snprintf(num, sizeof num, "%zu", i);
				pon_omap_set(&owners, macs->v[i], num, V_STR);
				break;
			}
	phpser_array_begin(&out, owners.n);
	for (size_t x = 0; x < owners.n; x++) {
		size_t i = (size_t)atol(owners.v[x]);
		size_t cnt = 0, io = 0;
		struct sbuf inner = SBUF_INIT;
		sbuf_puts(&inner, "");
		for (size_t r = 0; r < where.n; r++) {
			if (!pon_loose_eq(where.v[r], macs->k[i]))
				continue;
			const char *key = where.k[r];
			size_t pos = io++;
			const char *m, *vl;
			if (l_series) {
				if (pon_php_empty(key))
					continue;
				m = pon_omap_get(&fmac, key);
				vl = pon_omap_get(&vlan, key);
			} else {
				if (pon_php_empty(key) || pon_loose_eq(key, macs->v[i]))
					continue;
				m = key;
				vl = pon_omap_get(&vlan, key);
			}
			m = pon_php_empty(m) ? "" : m;
			vl = pon_php_empty(vl) ? "" : vl;
			phpser_int(&inner, (long long)pos);
			pon_ser_fdb_entry(&inner, m, strlen(m), vl);
			cnt++;
		}
		phpser_key_str(&out, owners.k[x]);
		phpser_array_begin(&out, cnt);
		sbuf_add(&out, inner.s, inner.len);
		phpser_array_end(&out);
		sbuf_free(&inner);
	}
	phpser_array_end(&out);
	pon_container_put(cfg, "fdb", o->olt->id, "OLTFDB", out.s, out.len);
	sbuf_free(&out);
	pon_omap_free(&owners);
	pon_omap_free(&where);
	pon_omap_free(&vlan);
	pon_omap_free(&fmac);
}

static void vsol_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_plan_proto(w, o);
	if (pon_fdb_query(o)) {
		const char *dev = pon_sget(o, "define", "DEVICE");
		pon_add_walk(w, o, B_FDB, pon_sget(o, "misc", "FDBINDEX"));
		pon_add_walk(w, o, B_FDBVLAN, pon_sget(o, "misc", "FDBVLANINDEX"));
		if (dev && strcmp(dev, "V-Solution OLT V1600D_L") == 0)
			pon_add_walk(w, o, B_FDBMAC, pon_sget(o, "misc", "FDBMACINDEX"));
	}
	pon_add_system_walks(w, o);
}

static void vsol_process(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			 const struct pon_walks *w2)
{
	(void)w2;
	struct omap macs = { 0 };
	vsol_macs(o, w1->w, &macs);
	if (macs.n) {
		vsol_signals(cfg, o, w1->w, &macs);
		vsol_by_mac(cfg, o, w1->w, &macs, B_DIST, "DISTINDEX", "DISTVALUE", "dist", "OLTDISTANCE", false);
		vsol_ifaces(cfg, o, w1->w, &macs);
		vsol_by_mac(cfg, o, w1->w, &macs, B_DEREG, "DEREGREASON", "DEREGVALUE", "dereg", "ONUDEREGS", true);
		if (pon_fdb_query(o))
			vsol_fdb(cfg, o, w1->w, &macs);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&macs);
}

const struct pon_collector pon_vsol_family[] = {
	{ "PONVsol", { "collect", NULL }, vsol_plan, NULL, vsol_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
