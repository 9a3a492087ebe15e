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

/* --- shared by the collectors (lib/pon_proto.c) --- */
struct cJSON;

/* PHP empty() of a string (NULL = unset) */
bool pon_php_empty(const char *s);
/* explode('=', line)[k] untrimmed, or NULL */
char *pon_raw_piece(const char *line, int k);
/* the row with every blank PHP's list names removed */
char *pon_no_ws(const char *s);
/* trimSNMPOutput(): prefix, the usual type prefixes, then rm1 and rm2
 * (either may be NULL) removed; "" for no text */
char *pon_text_cleared(const char *text, const char *prefix, const char *rm1, const char *rm2);
/* PONProto::walkCleared: the same on a slot's walk, prefix "<oid>.<oidpart>" */
char *pon_walk_cleared(const struct olt_run *o, const struct cwalk *w, int which, const char *oid, const char *oidpart,
		       const char *rm1, const char *rm2);
/* every "index = value" row whose raw pieces are not empty(), trimmed */
void pon_rows_nonempty(const char *text, struct omap *m);
/* array_flip(): a key PHP held as an int comes back as an int value */
void pon_omap_flip(const struct omap *in, struct omap *out);
/* the first walks of the IFACEDESCR-style collectors (GCOM, SmartFiber,
 * V-SOL): SIG, MAC, DIST, IFACE, IFDESCR, DEREG, in PHP's order */
void pon_plan_proto(struct pon_walks *w, struct olt_run *o);
/* false when the OLT's description asks for no FDB (NOFDBQUERY) */
bool pon_fdb_query(const struct olt_run *o);

/* lower-case "xx:xx:.." after every ":-. " is dropped (an odd last digit
 * stays alone, as str_split leaves it) */
char *pon_mac_norm(const char *raw);
/* convertMACDec2Hex(): "0.170.187.204.221.1" -> "00:aa:bb:cc:dd:01"; NULL
 * for an octet that is not an integer, where PHP's dechex() throws */
char *pon_dec_mac(const char *dec);
/* hexdec(substr($hex, -from_end, 2)) */
long long pon_hex_pair(const char *hex, size_t from_end);
/* SERIAL_CASE_MODE: 1 lower, 2 upper, anything else 0 (as is); unset when NULL */
int pon_case_mode(const char *cm, int unset);
/* the case mode applied, and ' ' -> ':' when colons */
void pon_case_form(char *s, int mode, bool colons);
/* macParse rows: raw pieces not empty(), trimmed, the ident formed (a MAC
 * normalised, or a case mode | PON_IDENT_COLONS), neither empty() */
enum { PON_IDENT_COLONS = 4, PON_IDENT_MAC = 8 };
void pon_ident_rows(const char *text, struct omap *m, int how);

/* the text between "(" and the first "dBm" (any case) before the closing
 * ")", trimmed: "0.02 mW (-16.99 dBm)" -> "-16.99"; "" when a marker is
 * missing */
char *pon_paren_dbm(const char *raw);
/* PHP round($v, 2), with its pre-rounding of the scaled value */
double pon_round2(double v);
/* PHP "raw / offset" on numeric strings: V_INT when both are integers and
 * the division is exact, else V_FLOAT */
int pon_divide(const char *raw, const char *offset, char *buf, size_t size);
/* "index = raw" rows with DOWNVALUE / OFFSETMODE div -> OLTSIGNALS, history
 * and ONUMACDEVINDEX; drop_zero_offset: a truthy zero OFFSET ("0.0") drops
 * the row instead of dividing by zero */
void pon_div_signals(const struct config *cfg, const struct olt_run *o, const char *rows, const struct omap *macs,
		     bool drop_zero_offset);
/* index -> dBm text, rounded to 2 places -> OLTSIGNALS, history, ONUINDEX
 * and ONUMACDEVINDEX */
void pon_round_signals(const struct config *cfg, const struct olt_run *o, const struct omap *rx,
		       const struct omap *macs);

/* pon_rows_nonempty() rows joined to idx (index -> ident), each value through
 * xlate when given, written as one container */
void pon_join_container(const struct config *cfg, const struct olt_run *o, const char *text, const struct omap *idx,
			const char *dir, const char *ext, const char *(*xlate)(const char *));
/* deregistration code 1 wire down, 3 power off, else unknown */
const char *pon_dereg_wire1_power3(const char *v);
void pon_cust_descr_rows(const char *text, struct omap *cust);
void pon_iface_join(const struct config *cfg, const struct olt_run *o, const struct omap *macs,
		    const struct omap *names, const struct omap *cust, bool have_cust);
/* ONUINTERFACE / OLTINTERFACEDESCR from IFACEDESCR (ifIndex 9 = port 1) and
 * IFACECUSTOMDESCR, both cleared with IFACEVALUE */
void pon_ifdescr_ifaces(const struct config *cfg, const struct olt_run *o, const struct cwalk *w,
			const struct omap *macs, const char *oidpart);

/* the serialized {mac, vlan} of one FDB entry */
void pon_ser_fdb_entry(struct sbuf *out, const char *mac, size_t maclen, const char *vlan);
/* a container of key -> already serialized values; with counts, each value
 * is the body of an array of counts->v[i] elements */
void pon_container_bodies(const struct config *cfg, const char *oltid, const char *dir, const char *ext,
			  const struct omap *body, const struct omap *counts);
/* OLTFDB from FDBMACINDEX / FDBVLANINDEX rows "<port>.<llid>...<n>" */
void pon_fdb_substr(const struct config *cfg, const struct olt_run *o, const struct cwalk *w,
		    const struct omap *macs);
/* UNIOPERSTATS with one port per ONU: port and state are keyed by index */
void pon_uni_last_port(const struct config *cfg, const struct olt_run *o, const struct omap *macs,
		       const struct omap *port, const struct omap *state);
/* a container as unserialize() gives it, NULL when missing or unreadable */
struct cJSON *pon_container_read(const struct config *cfg, const char *dir, const char *oltid, const char *ext);

#endif
