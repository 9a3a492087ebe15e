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

static char *cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *sec, const char *oidkey,
		     const char *valkey, const char *extra)
{
	return pon_walk_cleared(o, w, which, pon_sget(o, sec, oidkey), "", pon_sget(o, sec, valkey), extra);
}

static void sf_signals(const struct config *cfg, struct olt_run *o, const struct cwalk *w, const struct omap *macs)
{
	char *t = cleared(o, w, B_SIG, "signal", "SIGINDEX", "SIGVALUE", NULL);
	/* every row counts, even one without "=": its whole text is the index */
	struct omap rx = { 0 };
	char *copy = xstrdup(t);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char *k = pon_raw_piece(line, 0), *v = pon_raw_piece(line, 1);
		char *dbm = pon_php_empty(v) ? xstrdup("") : pon_paren_dbm(pon_trim(v));
		pon_omap_set(&rx, pon_trim(k), dbm, V_STR);
		free(dbm);
		free(k);
		free(v);
	}
	free(copy);
	free(t);
	pon_round_signals(cfg, o, &rx, macs);
	pon_omap_free(&rx);
}

static void sf_plan(const struct config *cfg, struct olt_run *o, struct pon_walks *w)
{
	(void)cfg;
	pon_plan_proto(w, o);
	if (pon_fdb_query(o)) {
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
	char *t = cleared(o, w1->w, B_MAC, "signal", "MACINDEX", "MACVALUE", NULL);
	pon_ident_rows(t, &macs, PON_IDENT_MAC);
	free(t);
	if (macs.n) {
		sf_signals(cfg, o, w1->w, &macs);
		t = cleared(o, w1->w, B_DIST, "misc", "DISTINDEX", "DISTVALUE", NULL);
		pon_join_container(cfg, o, t, &macs, "dist", "OLTDISTANCE", NULL);
		free(t);
		pon_ifdescr_ifaces(cfg, o, w1->w, &macs, "");
		t = cleared(o, w1->w, B_DEREG, "misc", "DEREGREASON", "DEREGVALUE", NULL);
		pon_join_container(cfg, o, t, &macs, "dereg", "ONUDEREGS", pon_dereg_wire1_power3);
		free(t);
		if (pon_fdb_query(o))
			pon_fdb_substr(cfg, o, w1->w, &macs);
	}
	pon_system(cfg, o, w1->w);
	pon_omap_free(&macs);
}

const struct pon_collector pon_smartfiber_family[] = {
	{ "PONSFE90BT", { "collect", NULL }, sf_plan, NULL, sf_process },
	{ NULL, { NULL }, NULL, NULL, NULL },
};
