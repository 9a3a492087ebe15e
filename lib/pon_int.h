/* Internals shared by the PON framework (lib/pon.c) and the vendor
 * collectors (lib/pon_<vendor>.c): PHP-like string and array helpers, the
 * attractor containers, and one OLT's polling state. */
#ifndef UBAPI_PON_INT_H
#define UBAPI_PON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "pon.h"
#include "sbuf.h"
/* lib/switches.h must be included before this header (its cwalk part has no
 * include guard) */
struct cwalk;
struct tpl;

/* ordered PHP array with string values and PHP key semantics */
enum { V_STR, V_INT, V_FLOAT };
struct omap {
	char **k, **v;
	int *t;
	size_t n;
};

void pon_omap_set(struct omap *m, const char *k, const char *v, int t);
const char *pon_omap_get(const struct omap *m, const char *k);
void pon_omap_free(struct omap *m);
void pon_omap_serialize(const struct omap *m, struct sbuf *out);

char *pon_str_replace(const char *text, const char *search);
char *pon_trim(char *s);
/* explode(sep, line)[k] trimmed, or NULL */
char *pon_piece(const char *line, char sep, int k);
bool pon_canonical_int(const char *s);
bool pon_numeric(const char *s);
bool pon_int_string(const char *s);
bool pon_loose_eq(const char *a, const char *b);
void pon_float_text(double d, char *buf, size_t size);

void pon_container_put(const struct config *cfg, const char *dir, const char *oltid, const char *ext, const char *data,
		       size_t len);
void pon_container_map(const struct config *cfg, const char *dir, const char *oltid, const char *ext,
		       const struct omap *m);
void pon_signal_history(const struct config *cfg, const char *ident, const char *level);

/* walk slots of one OLT (not every vendor uses every slot) */
enum { B_SIG, B_MAC, B_DIST, B_ONU, B_DEREG, B_IFACE, B_FDB, B_IFDESCR, B_UNI, B_UPTIME, B_TEMP, B_CARDS, B_SN,
       B_IFNAME, B_FDBVLAN, B_FDBMAC, B_COUNT };

struct pon_walks {
	struct cwalk *w;
	size_t n, cap;
};

struct olt_run {
	const struct pon_olt *olt;
	struct tpl *t;
	struct sbuf lines;
	bool locked;
	time_t start;
	const struct pon_collector *collector; /* implemented collector, or NULL */
	const char *method;
	const char *type; /* TYPE handed to the collector: EPON, GPON or PON */
	char *collector_name;
	void *priv;       /* the collector's own state between its rounds */
	int walk[B_COUNT]; /* index into the first-round walks, -1 none */
	char *host;
	/* second-round walks (walks whose OIDs depend on the first round) */
	size_t sig_first, sig_n, dist_first, dist_n;
};

/* A collector plans its walks, optionally a second round from the first
 * round's answers, then parses them all into the containers. */
struct pon_collector {
	const char *name;
	const char *methods[4];
	void (*plan)(const struct config *cfg, struct olt_run *o, struct pon_walks *w1);
	void (*plan2)(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1, struct pon_walks *w2);
	void (*process)(const struct config *cfg, struct olt_run *o, const struct pon_walks *w1,
			const struct pon_walks *w2);
};

/* NULL-name terminated */
extern const struct pon_collector pon_bdcomgp_family[];
extern const struct pon_collector pon_gcom_family[];
extern const struct pon_collector pon_raisecom_family[];
extern const struct pon_collector pon_smartfiber_family[];
extern const struct pon_collector pon_stels_family[];
extern const struct pon_collector pon_stels12_family[];
extern const struct pon_collector pon_stels16_family[];
extern const struct pon_collector pon_vsol_family[];
extern const struct pon_collector pon_zte_family[];

int pon_add_walk(struct pon_walks *w, struct olt_run *o, int which, const char *oid);
/* The OLT template's value of [sec] key, or NULL. */
const char *pon_sget(const struct olt_run *o, const char *sec, const char *key);
/* Uptime and temperature, when the template has a [system] section. */
void pon_add_system_walks(struct pon_walks *w, struct olt_run *o);
/* adds a walk not tied to a slot; returns its index */
size_t pon_add_walk_raw(struct pon_walks *w, struct olt_run *o, const char *oid);
const char *pon_walk_of(const struct olt_run *o, const struct cwalk *w, int which);
char *pon_cleaned(const struct olt_run *o, const struct cwalk *w, int which, const char *oid, const char *value,
		  bool drop_quotes);
void pon_rows_map(const char *text, struct omap *m, bool as_mac);
/* uptime and temperature containers from the B_UPTIME / B_TEMP walks */
void pon_system(const struct config *cfg, struct olt_run *o, const struct cwalk *w);

/* PHP helpers of the PONProto-style collectors (lib/pon_vsol.c) */
bool pon_php_empty(const char *s);
/* explode('=', line)[k] untrimmed, or NULL */
char *pon_raw_piece(const char *line, int k);
/* the row with every blank PHP's list names removed */
char *pon_no_ws(const char *s);
/* PONProto::walkCleared: "<oid>.<oidpart>", the usual type prefixes, then
 * rm1 and rm2 (either may be NULL) removed from the walk text */
char *pon_walk_cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *oid, const char *oidpart,
		       const char *rm1, const char *rm2);
/* every "index = value" row whose raw pieces are not empty(), trimmed */
void pon_rows_nonempty(const char *text, struct omap *m);
void pon_cust_descr_rows(const char *text, struct omap *cust);
void pon_iface_join(const struct config *cfg, const struct olt_run *o, const struct omap *macs,
		    const struct omap *names, const struct omap *cust, bool have_cust);

#endif
