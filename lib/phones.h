/* Ubilling's phone-number lookups, answered from an in-process index per
 * worker so a PBX call never scans the phones table.
 *
 * Three lookups, each giving exactly the answer of the PHP code it copies:
 *   - telepathy (userstatus, telepony, askozianum, userbynum, callshistusrupd):
 *     the number normalised to +380XXXXXXXXX, then the LAST entry (in PHP
 *     array order) of the digits-only phone/mobile/mobileext map whose key is
 *     a substring of it. The index enumerates the 78 substrings of the 12
 *     digits (plus the empty key) and takes the highest position: the same
 *     answer as PHP's loop, in microseconds.
 *   - info (asterisk login/loginuniq/realname/swstatus): exact match of the
 *     last 10 bytes of the number against the last 10 bytes of every phone,
 *     mobile, dop-mobile and mobileext value; later rows win.
 *   - like (getuserdatabymobile & co): phones.mobile LIKE '%n%' UNION ALL
 *     mobileext.mobile LIKE '%n%', answered from a 4-gram index.
 *
 * Freshness (bounded staleness): at most every ubapi.ini phones_ids_ms
 * (default 1000; 0 = before each lookup) the worker reads MAX(id) of phones
 * and mobileext (an index probe), so added numbers are seen within that
 * time. Every phones_check_ms (default 1000) it also reads
 * the UPDATE_TIME of phones, mobileext and cfitems from information_schema,
 * so in-place edits and deletes are seen within that interval. UPDATE_TIME
 * has one-second resolution, so an index built in the same second as the
 * last write is tentative and rebuilt on every lookup until a build happens
 * in a later second. A worker that writes phones itself reloads at once
 * (phones_invalidate). phones_max_age_s (default 300, 0 = never) forces a
 * reload in case a server never maintains UPDATE_TIME. */
#ifndef UBAPI_PHONES_H
#define UBAPI_PHONES_H

#include <stdbool.h>
#include <stddef.h>

#include "req.h"

struct strlist {
	char **v;
	size_t n, cap;
};

void strlist_push(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* Ubilling's normalizePhoneFormat: digits only; 11 -> "3"+, 10 -> "38"+,
 * 9 -> "380"+; then "+" and 12 digits, or "" (out: 14 bytes). */
void phones_normalize(const char *in, char out[14]);

/* Telepathy by phone (onlyMobile, normalize). *login is a heap copy, or NULL
 * when nothing matched. ext: alter MOBILES_EXT. 0, or -1 on a DB error. */
int phones_telepathy(struct req *r, const char *number, bool ext, char **login);

/* The asterisk "info API" maps. *login NULL: not our user. *uniq: the
 * loginuniq answer (heap copy) or NULL when several logins share it. */
int phones_info(struct req *r, const char *number, bool ext, const char *dopmobile,
		char **login, char **uniq);

/* Logins of phones.mobile / mobileext.mobile rows containing needle, in
 * UNION ALL order (duplicates kept). */
int phones_like(struct req *r, const char *needle, struct strlist *logins);

/* A number a LIKE lookup accepts: only [0-9 +()-], at least 5 digits. */
bool phones_like_number_ok(const char *number);

/* Forces a reload before the next lookup (after this worker wrote phones). */
void phones_invalidate(void);
/* ubstorage ASTERISK_DOPMOBILE ("" when unset), read together with this
 * request's freshness check. 0, or -1 on a database error. */
int phones_dopmobile(struct req *r, char **out);

/* Ubilling's PBXNum reply for an incoming number: "0" unknown, "1" paid up,
 * "2" in debt, "3" frozen/down/not always-online; with getmoney (and a user
 * found) base64(serialize([reply, round(Cash,2), round(Fee,2)])). Always
 * appends the content/documents/incallsnum.log line (log_number as given)
 * and inserts the callshist row (number trimmed). The reply goes to out.
 * 0, or -1 on a DB error (nothing useful in out). */
int pbx_reply(struct req *r, const char *number, const char *log_number, bool getmoney,
	      struct sbuf *out);

#endif
