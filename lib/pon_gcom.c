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

static void gcom_macs(const struct olt_run *o, const struct cwalk *w, struct omap *macs)
{
	bool gpon = is_gpon(o);
	char *t = pon_walk_cleared(o, w, B_MAC, pon_sget(o, "signal", "MACINDEX"), chassis(o), pon_sget(o, "signal", "MACVALUE"),
				   gpon ? "\"" : NULL);
	pon_ident_rows(t, macs, gpon ? pon_case_mode(pon_sget(o, "onu", "SERIAL_CASE_MODE"), 0) : PON_IDENT_MAC);
	free(t);
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
	pon_round_signals(cfg, o, &rx, macs);
	pon_omap_free(&rx);
}

static void gcom_dist_dereg(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	bool gpon = is_gpon(o);
	char *t = pon_walk_cleared(o, w, B_DIST, pon_sget(o, "misc", "DISTINDEX"), chassis(o), pon_sget(o, "misc", "DISTVALUE"),
				   gpon ? "\"" : NULL);
	pon_join_container(cfg, o, t, macs, "dist", "OLTDISTANCE", NULL);
	free(t);
	/* the GPON model cleans the reason rows with IFACEVALUE, as PHP does */
	t = pon_walk_cleared(o, w, B_DEREG, pon_sget(o, "misc", "DEREGREASON"), chassis(o),
			     pon_sget(o, "misc", gpon ? "IFACEVALUE" : "DEREGVALUE"), gpon ? "\"" : NULL);
	pon_join_container(cfg, o, t, macs, "dereg", "ONUDEREGS", pon_dereg_wire1_power3);
	free(t);
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
	pon_uni_last_port(cfg, o, macs, &port, &state);
	pon_omap_free(&port);
	pon_omap_free(&state);
}

static void gcom_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_plan_proto(w, o);
	if (pon_fdb_query(o)) {
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
		pon_ifdescr_ifaces(cfg, o, w1->w, &macs, chassis(o));
		if (pon_fdb_query(o))
			pon_fdb_substr(cfg, o, w1->w, &macs);
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
