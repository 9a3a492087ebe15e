/* The switch directory and the machinery the device actions share:
 * StarDust process locks, Ubilling's SNMP template dialect, UbillingCache
 * (files backend) and cache files under exports/ (spec actions-devices §1). */
#ifndef UBAPI_SWITCHES_H
#define UBAPI_SWITCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "sbuf.h"

/* --- the directory ---------------------------------------------------- */

struct swdev {
	char *id, *modelid, *ip, *desc, *location, *snmp, *snmpwrite;
};

struct swlist {
	struct swdev *v;
	size_t n;
};

/* where: a constant SQL tail ("WHERE ..." / "ORDER BY ..."), never request text */
int swlist_load(struct db *db, struct swlist *out, const char *tail);
void swlist_free(struct swlist *l);
/* ip non-empty and desc has no case-sensitive "NP" */
bool sw_pingable(const struct swdev *d);

/* --- SNMP templates (Ubilling's own ini dialect) -------------------- */

struct tpl_kv {
	char *key, *val;
};
struct tpl_section {
	char *name; /* lower-cased */
	struct tpl_kv *kv;
	size_t n;
};
struct tpl {
	char *name;
	struct tpl_section *sec;
	size_t n;
};

/* Parses text; NULL when it yields no section (empty file = "no template"). */
struct tpl *tpl_parse(const char *name, const char *text);
struct tpl *tpl_load_file(const char *name, const char *path);
void tpl_free(struct tpl *t);
const struct tpl_section *tpl_section(const struct tpl *t, const char *name);
/* NULL when the key is absent */
const char *tpl_sget(const struct tpl_section *s, const char *key);
const char *tpl_get(const struct tpl *t, const char *section, const char *key);
/* oltpoll's rule: stock config/snmptemplates/<name>, replaced wholesale by
 * content/documents/mysnmptemplates/<name> when that exists. */
struct tpl *tpl_load_for_model(const struct config *cfg, const char *name);
/* swpoll's rule: the private file wins only when it has [define] DEVICE. */
struct tpl *tpl_load_swpoll(const struct config *cfg, const char *name);
/* template names are file names: no '/', no leading '.', not empty */
bool tpl_name_ok(const char *name);

/* --- files ----------------------------------------------------------- */

/* Writes through a temporary file and rename, so the PHP UI never reads a
 * half-written cache. mode 0 = 0664. 0 or -1. */
int file_put(const char *path, const void *data, size_t len, int mode);
int file_append(const char *path, const void *data, size_t len);
/* Truncates and writes in place, as PHP's file_put_contents does: for the
 * thousands of raw SNMP cache files, where a rename per file is the cost. */
int file_put_inplace(const char *path, const void *data, size_t len);
/* Whole file, NUL-terminated; NULL when unreadable. */
char *file_get(const char *path, size_t *len);
/* mkdir -p with 0775 */
int mkdir_p(const char *path);
/* root/exports/<name> */
char *exports_path(const struct config *cfg, const char *name);

/* --- misc ------------------------------------------------------------ */

/* "a:..." dead map from ubstorage SWDEAD -> is ip a key of it */
bool swdead_has(const char *swdead, const char *ip);
/* 00:11:.. from six decimal sub-ids "0.17.34.51.68.85"; false if malformed */
bool mac_from_decimal(const char *s, char out[18]);
bool mac_valid(const char *s);
/* lowercase hex md5 of s, 33 bytes */
void md5_hex(const char *s, char out[33]);


/* --- SNMP walks through the raw cache (spec §1.3) ---------------------- */

struct cwalk {
	const char *host;      /* as PHP names the cache file: "ip" or "ip:161" */
	const char *community;
	char *oid;             /* owned: as written in the template, trimmed */
	bool use_cache;        /* reuse exports/<host>_<oid> younger than SNMPCACHE_TIME */
	bool native;           /* PHP native mode: SNMPv1, 1 s, 1 retry, "<oid> = " form */
	char *text;            /* out, owned */
	int status;            /* out: 0 answered or cached, 1 no response, -1 error */
};

/* Runs every walk not answered from the cache, all devices at once
 * (ubapi.ini snmp_inflight, default 128), and (re)writes the cache files. */
void cwalk_run(const struct config *cfg, struct cwalk *w, size_t n);
void cwalk_free(struct cwalk *w, size_t n);
/* oid text fit for a file name and for net-snmp: [.0-9], not empty */
bool oid_text_ok(const char *oid);

/* --- swpoll (spec §2.3.1) ---------------------------------------------- */

struct swpoll_item {
	const struct swdev *dev;
	const char *tplname;   /* switchmodels.snmptemplate */
	bool polled;           /* out: its own lock was free and the template loaded */
};

/* Polls every item in parallel: templates' data sections, FDB, device MAC,
 * exports/HORDE_<ip>; per-device StarDust lock SWPOLL_<ip>. */
void swpoll_devices(struct config *cfg, struct db *db, struct swpoll_item *items, size_t n);

#endif
