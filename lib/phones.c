#include "phones.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clock.h"
#include "config.h"
#include "money.h"
#include "phpser.h"
#include "db.h"
#include "util.h"

void strlist_push(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s ? s : "");
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void phones_normalize(const char *in, char out[14])
{
	char d[32];
	size_t n = 0, total = 0;
	for (const char *p = in ? in : ""; *p; p++)
		if (*p >= '0' && *p <= '9') {
			if (n < sizeof d - 1)
				d[n++] = *p;
			total++;
		}
	d[n] = '\0';
	out[0] = '\0';
	if (total != n)
		return; /* far too long: never 12 */
	static const char *const prefix[] = { [9] = "380", [10] = "38", [11] = "3", [12] = "" };
	if (n < 9 || n > 12)
		return;
	out[0] = '+';
	strcpy(out + 1, prefix[n]);
	strcat(out + 1, d);
}

/* ---------------------------------------------------------------- string map
 * Open addressing; keys point into storage owned elsewhere. Values are
 * indices the caller interprets. */

struct smap {
	uint32_t *slot; /* entry + 1, 0 empty */
	size_t cap;     /* power of two */
	const char **key;
	size_t *klen;
	size_t n, ncap;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static void smap_free(struct smap *m)
{
	free(m->slot);
	free(m->key);
	free(m->klen);
	memset(m, 0, sizeof *m);
}

static void smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	uint32_t *slot = xcalloc(cap, sizeof *slot);
	for (size_t e = 0; e < m->n; e++) {
		size_t i = hash_bytes(m->key[e], m->klen[e]) & (cap - 1);
		while (slot[i])
			i = (i + 1) & (cap - 1);
		slot[i] = (uint32_t)(e + 1);
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
}

/* Entry index of key, or -1. */
static long smap_find(const struct smap *m, const char *k, size_t n)
{
	if (!m->cap)
		return -1;
	size_t i = hash_bytes(k, n) & (m->cap - 1);
	for (; m->slot[i]; i = (i + 1) & (m->cap - 1)) {
		size_t e = m->slot[i] - 1;
		if (m->klen[e] == n && memcmp(m->key[e], k, n) == 0)
			return (long)e;
	}
	return -1;
}

/* Entry index of key, appending it (in insertion order) when new. */
static size_t smap_put(struct smap *m, const char *k, size_t n, bool *added)
{
	long f = smap_find(m, k, n);
	if (f >= 0) {
		*added = false;
		return (size_t)f;
	}
	if ((m->n + 1) * 2 > m->cap)
		smap_grow(m);
	if (m->n == m->ncap) {
		m->ncap = m->ncap ? m->ncap * 2 : 1024;
		m->key = xrealloc(m->key, m->ncap * sizeof *m->key);
		m->klen = xrealloc(m->klen, m->ncap * sizeof *m->klen);
	}
	size_t e = m->n++;
	m->key[e] = k;
	m->klen[e] = n;
	size_t i = hash_bytes(k, n) & (m->cap - 1);
	while (m->slot[i])
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = (uint32_t)(e + 1);
	*added = true;
	return e;
}

/* ---------------------------------------------------------------- state */

struct telepathy_idx {
	bool built, ext;
	struct smap map;
	const char **login; /* per entry: the last login assigned */
	struct strlist keys; /* owns the digit strings */
};

struct info_idx {
	bool built, ext;
	char *dopmobile;
	struct smap map;
	const char **login;
	const char **uniq_login; /* first contributing login */
	bool *many;              /* a second distinct login contributed */
	bool *in_uniq;           /* some row contributed to U */
	struct db_rows cf;
};

#define GRAM_BITS 16
#define GRAM_BUCKETS (1u << GRAM_BITS)

struct like_idx {
	bool built;
	size_t n;
	const char **value, **login;
	uint32_t *start; /* GRAM_BUCKETS + 1 offsets into post */
	uint32_t *post;
};

static struct {
	bool loaded, tentative;
	char *fp, *ids;
	long long checked_ms, ids_checked_ms;
	time_t loaded_at;
	struct db_rows phones; /* login, phone, mobile */
	struct db_rows ext;    /* login, mobile */
	struct telepathy_idx tp;
	struct info_idx info;
	struct like_idx like;
} st;

static void telepathy_free(struct telepathy_idx *t)
{
	smap_free(&t->map);
	free(t->login);
	strlist_free(&t->keys);
	memset(t, 0, sizeof *t);
}

static void info_free(struct info_idx *t)
{
	smap_free(&t->map);
	free(t->login);
	free(t->uniq_login);
	free(t->many);
	free(t->in_uniq);
	free(t->dopmobile);
	db_rows_free(&t->cf);
	memset(t, 0, sizeof *t);
}

static void like_free(struct like_idx *t)
{
	free(t->value);
	free(t->login);
	free(t->start);
	free(t->post);
	memset(t, 0, sizeof *t);
}

static void unload(void)
{
	telepathy_free(&st.tp);
	info_free(&st.info);
	like_free(&st.like);
	db_rows_free(&st.phones);
	db_rows_free(&st.ext);
	st.loaded = false;
}

/* The request whose freshness check already ran (see refresh). */
static unsigned long checked_seq;

void phones_invalidate(void)
{
	checked_seq = 0;
	free(st.fp);
	st.fp = NULL;
	free(st.ids);
	st.ids = NULL;
}

/* The cheap part, read before every lookup: inserts show up at once. */
static const char IDS_SQL[] =
	"SELECT CONCAT_WS('|', (SELECT MAX(id) FROM phones), (SELECT MAX(id) FROM mobileext)),"
	" (SELECT `value` FROM `ubstorage` WHERE `key`='ASTERISK_DOPMOBILE' ORDER BY `id` LIMIT 1)";

/* ubstorage ASTERISK_DOPMOBILE as read with the ids of this request: the
 * info API needs it on every call, and one query serves both. */
static char *dopmobile_seen;

/* The full fingerprint (information_schema costs ~0.5 ms), read at most
 * every phones_check_ms: in-place edits and deletes show up within that. */
static const char FP_SQL[] =
	"SELECT (SELECT GROUP_CONCAT(TABLE_NAME, '@', IFNULL(UPDATE_TIME, '-') ORDER BY TABLE_NAME)"
	"  FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	"  AND TABLE_NAME IN ('phones', 'mobileext', 'cfitems')),"
	" (SELECT MAX(UPDATE_TIME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	"  AND TABLE_NAME IN ('phones', 'mobileext', 'cfitems')),"
	" DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s')";

/* Makes the snapshot current: 0, or -1 on a DB error. */
static int refresh(struct req *r)
{
	/* one look per request is enough: a lookup and the info API in the
	 * same call must see the same numbers anyway */
	if (st.loaded && r->seq && r->seq == checked_seq)
		return 0;
	/* under PBX load the id probe itself is a round trip per call; a number
	 * added a moment ago may wait phones_ids_ms to be known */
	long check_ms = cfg_ubapi_long(r->cfg, "phones_check_ms", 1000);
	long ids_ms = cfg_ubapi_long(r->cfg, "phones_ids_ms", 1000);
	if (ids_ms > check_ms)
		ids_ms = check_ms;
	if (st.loaded && st.ids && !st.tentative && ids_ms > 0 && clock_mono_ms() - st.ids_checked_ms < ids_ms)
		return 0;
	checked_seq = r->seq;
	struct db_rows idrow;
	if (db_query(r->db, &idrow, IDS_SQL, "") != 0 || idrow.nrows != 1) {
		checked_seq = 0;
		db_rows_free(&idrow);
		return -1;
	}
	st.ids_checked_ms = clock_mono_ms();
	char *ids = xstrdup(db_cell(&idrow, 0, 0) ? db_cell(&idrow, 0, 0) : "");
	free(dopmobile_seen);
	dopmobile_seen = xstrdup(db_cell(&idrow, 0, 1) ? db_cell(&idrow, 0, 1) : "");
	db_rows_free(&idrow);
	long max_age = cfg_ubapi_long(r->cfg, "phones_max_age_s", 300);
	bool stale = !st.loaded || !st.ids || strcmp(st.ids, ids) != 0 || st.tentative ||
		     (max_age > 0 && r->now - st.loaded_at >= max_age);
	struct db_rows fp = { 0 };
	bool full = stale || clock_mono_ms() - st.checked_ms >= check_ms;
	if (full) {
		if (db_query(r->db, &fp, FP_SQL, "") != 0 || fp.nrows != 1) {
			db_rows_free(&fp);
			free(ids);
			return -1;
		}
		st.checked_ms = clock_mono_ms();
		const char *print = db_cell(&fp, 0, 0) ? db_cell(&fp, 0, 0) : "";
		stale = stale || !st.fp || strcmp(st.fp, print) != 0;
	}
	if (!stale) {
		db_rows_free(&fp);
		free(ids);
		return 0;
	}
	unload();
	if (db_query(r->db, &st.phones, "SELECT login, phone, mobile FROM phones ORDER BY id", "") != 0 ||
	    db_query(r->db, &st.ext, "SELECT login, mobile FROM mobileext ORDER BY id", "") != 0) {
		syslog(LOG_ERR, "phones: load failed: %s", db_error(r->db));
		unload();
		db_rows_free(&fp);
		free(ids);
		phones_invalidate();
		return -1;
	}
	const char *print = db_cell(&fp, 0, 0), *maxupd = db_cell(&fp, 0, 1), *now = db_cell(&fp, 0, 2);
	free(st.fp);
	st.fp = xstrdup(print ? print : "");
	free(st.ids);
	st.ids = ids;
	/* a write later in this same second would leave UPDATE_TIME as it is */
	st.tentative = maxupd && now && strcmp(maxupd, now) >= 0;
	st.loaded = true;
	st.loaded_at = r->now;
	db_rows_free(&fp);
	return 0;
}

static void digits_of(const char *s, struct sbuf *out)
{
	sbuf_reset(out);
	sbuf_puts(out, "");
	for (; s && *s; s++)
		if (*s >= '0' && *s <= '9')
			sbuf_putc(out, *s);
}

static void tp_set(struct telepathy_idx *t, const char *digits, const char *login)
{
	struct strlist *k = &t->keys;
	bool added;
	long f = smap_find(&t->map, digits, strlen(digits));
	if (f >= 0) {
		t->login[f] = login;
		return;
	}
	strlist_push(k, digits);
	size_t e = smap_put(&t->map, k->v[k->n - 1], strlen(digits), &added);
	if (e % 1024 == 0)
		t->login = xrealloc(t->login, (e + 1024) * sizeof *t->login);
	t->login[e] = login;
}

static void build_telepathy(bool ext)
{
	struct telepathy_idx *t = &st.tp;
	telepathy_free(t);
	t->ext = ext;
	/* zb_UserGetAllPhoneData: a login keeps its first position and the
	 * values of its last phones row */
	struct smap logins = { 0 };
	size_t *row_of = NULL;
	const struct db_rows *p = &st.phones;
	for (size_t i = 0; i < p->nrows; i++) {
		const char *l = db_cell(p, i, 0);
		l = l ? l : "";
		bool added;
		size_t e = smap_put(&logins, l, strlen(l), &added);
		if (e % 1024 == 0 && added)
			row_of = xrealloc(row_of, (e + 1024) * sizeof *row_of);
		row_of[e] = i;
	}
	struct sbuf d = SBUF_INIT;
	for (size_t e = 0; e < logins.n; e++) {
		const char *login = logins.key[e];
		digits_of(db_cell(p, row_of[e], 2), &d);
		if (d.len)
			tp_set(t, d.s, login);
		digits_of(db_cell(p, row_of[e], 1), &d);
		if (d.len)
			tp_set(t, d.s, login);
	}
	if (ext) {
		/* MobilesExt::getAllMobilesUsers: raw mobile -> last login, first position */
		struct smap raw = { 0 };
		const char **rlogin = NULL;
		for (size_t i = 0; i < st.ext.nrows; i++) {
			const char *m = db_cell(&st.ext, i, 1), *l = db_cell(&st.ext, i, 0);
			m = m ? m : "";
			bool added;
			size_t e = smap_put(&raw, m, strlen(m), &added);
			if (e % 1024 == 0 && added)
				rlogin = xrealloc(rlogin, (e + 1024) * sizeof *rlogin);
			rlogin[e] = l ? l : "";
		}
		for (size_t e = 0; e < raw.n; e++) {
			digits_of(raw.key[e], &d);
			tp_set(t, d.s, rlogin[e]); /* an empty key is kept: it matches every number */
		}
		free(rlogin);
		smap_free(&raw);
	}
	sbuf_free(&d);
	free(row_of);
	smap_free(&logins);
	t->built = true;
}

int phones_dopmobile(struct req *r, char **out)
{
	*out = NULL;
	if (refresh(r) != 0)
		return -1;
	*out = xstrdup(dopmobile_seen ? dopmobile_seen : "");
	return 0;
}

int phones_telepathy(struct req *r, const char *number, bool ext, char **login)
{
	*login = NULL;
	char norm[14];
	phones_normalize(number, norm);
	if (!norm[0])
		return 0;
	if (refresh(r) != 0)
		return -1;
	if (!st.tp.built || st.tp.ext != ext)
		build_telepathy(ext);
	const struct telepathy_idx *t = &st.tp;
	const char *digits = norm + 1;
	long best = smap_find(&t->map, "", 0);
	for (size_t i = 0; i < 12; i++)
		for (size_t n = 1; i + n <= 12; n++) {
			long e = smap_find(&t->map, digits + i, n);
			if (e > best)
				best = e;
		}
	if (best >= 0 && t->login[best][0])
		*login = xstrdup(t->login[best]);
	return 0;
}

/* ---------------------------------------------------------------- info map */

static const char *last10(const char *s, size_t *n)
{
	if (!s) {
		*n = 0;
		return "";
	}
	size_t len = strlen(s);
	*n = len > 10 ? 10 : len;
	return s + len - *n;
}

static void info_add(struct info_idx *t, const char *val, const char *login, bool contributes)
{
	size_t n;
	const char *k = last10(val, &n);
	bool added;
	size_t e = smap_put(&t->map, k, n, &added);
	if (added && e % 1024 == 0) {
		size_t c = e + 1024;
		t->login = xrealloc(t->login, c * sizeof *t->login);
		t->uniq_login = xrealloc(t->uniq_login, c * sizeof *t->uniq_login);
		t->many = xrealloc(t->many, c * sizeof *t->many);
		t->in_uniq = xrealloc(t->in_uniq, c * sizeof *t->in_uniq);
	}
	if (added) {
		t->in_uniq[e] = false;
		t->many[e] = false;
		t->uniq_login[e] = NULL;
	}
	t->login[e] = login;
	if (!contributes)
		return;
	if (!t->in_uniq[e]) {
		t->in_uniq[e] = true;
		t->uniq_login[e] = login;
	} else if (strcmp(t->uniq_login[e], login) != 0) {
		t->many[e] = true;
	}
}

/* PHP empty() of a string */
static bool php_empty(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '0');
}

static int build_info(struct req *r, bool ext, const char *dopmobile)
{
	struct info_idx *t = &st.info;
	info_free(t);
	if (dopmobile[0] &&
	    db_query(r->db, &t->cf, "SELECT login, content FROM cfitems WHERE typeid = ? ORDER BY id", "s",
		     dopmobile) != 0)
		return -1;
	t->ext = ext;
	t->dopmobile = xstrdup(dopmobile);
	const struct db_rows *p = &st.phones;
	for (size_t i = 0; i < p->nrows; i++) {
		const char *l = db_cell(p, i, 0);
		l = l ? l : "";
		size_t n;
		const char *k;
		k = last10(db_cell(p, i, 1), &n);
		info_add(t, db_cell(p, i, 1), l, !php_empty(k, n));
		k = last10(db_cell(p, i, 2), &n);
		info_add(t, db_cell(p, i, 2), l, !php_empty(k, n));
	}
	for (size_t i = 0; i < t->cf.nrows; i++) {
		const char *l = db_cell(&t->cf, i, 0);
		info_add(t, db_cell(&t->cf, i, 1), l ? l : "", true);
	}
	if (ext)
		for (size_t i = 0; i < st.ext.nrows; i++) {
			const char *l = db_cell(&st.ext, i, 0);
			info_add(t, db_cell(&st.ext, i, 1), l ? l : "", true);
		}
	t->built = true;
	return 0;
}

int phones_info(struct req *r, const char *number, bool ext, const char *dopmobile, char **login,
		char **uniq)
{
	*login = *uniq = NULL;
	size_t n;
	const char *k = last10(number, &n);
	if (n == 0)
		return 0;
	if (refresh(r) != 0)
		return -1;
	dopmobile = dopmobile ? dopmobile : "";
	if (!st.info.built || st.info.ext != ext || strcmp(st.info.dopmobile, dopmobile) != 0)
		if (build_info(r, ext, dopmobile) != 0)
			return -1;
	long e = smap_find(&st.info.map, k, n);
	if (e < 0 || !php_truthy(st.info.login[e]))
		return 0;
	*login = xstrdup(st.info.login[e]);
	if (st.info.in_uniq[e] && !st.info.many[e])
		*uniq = xstrdup(st.info.uniq_login[e]);
	return 0;
}

/* ---------------------------------------------------------------- LIKE index */

static uint32_t gram(const char *s)
{
	return (uint32_t)(hash_bytes(s, 4) & (GRAM_BUCKETS - 1));
}

static void build_like(void)
{
	struct like_idx *t = &st.like;
	like_free(t);
	size_t n = st.phones.nrows + st.ext.nrows;
	t->n = n;
	t->value = xcalloc(n ? n : 1, sizeof *t->value);
	t->login = xcalloc(n ? n : 1, sizeof *t->login);
	for (size_t i = 0; i < st.phones.nrows; i++) {
		t->value[i] = db_cell(&st.phones, i, 2);
		t->login[i] = db_cell(&st.phones, i, 0);
	}
	for (size_t i = 0; i < st.ext.nrows; i++) {
		t->value[st.phones.nrows + i] = db_cell(&st.ext, i, 1);
		t->login[st.phones.nrows + i] = db_cell(&st.ext, i, 0);
	}
	/* two passes: count, then fill; a row is listed once per bucket */
	uint32_t *count = xcalloc(GRAM_BUCKETS + 1, sizeof *count);
	uint32_t *last = xcalloc(GRAM_BUCKETS, sizeof *last); /* row + 1 */
	for (int pass = 0; pass < 2; pass++) {
		memset(last, 0, GRAM_BUCKETS * sizeof *last);
		for (size_t i = 0; i < n; i++) {
			const char *v = t->value[i];
			size_t len = v ? strlen(v) : 0;
			for (size_t j = 0; j + 4 <= len; j++) {
				uint32_t b = gram(v + j);
				if (last[b] == i + 1)
					continue;
				last[b] = (uint32_t)(i + 1);
				if (pass == 0)
					count[b + 1]++;
				else
					t->post[count[b]++] = (uint32_t)i;
			}
		}
		if (pass == 0) {
			for (size_t b = 0; b < GRAM_BUCKETS; b++)
				count[b + 1] += count[b];
			t->start = xmalloc((GRAM_BUCKETS + 1) * sizeof *t->start);
			memcpy(t->start, count, (GRAM_BUCKETS + 1) * sizeof *count);
			t->post = xmalloc((count[GRAM_BUCKETS] ? count[GRAM_BUCKETS] : 1) * sizeof *t->post);
		}
	}
	free(count);
	free(last);
	t->built = true;
}

bool phones_like_number_ok(const char *number)
{
	size_t digits = 0;
	if (!number)
		return false;
	for (const char *p = number; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +()-", *p))
			return false;
	}
	return digits >= 5;
}

int phones_like(struct req *r, const char *needle, struct strlist *logins)
{
	if (refresh(r) != 0)
		return -1;
	if (!st.like.built)
		build_like();
	const struct like_idx *t = &st.like;
	size_t len = strlen(needle);
	if (len < 4) {
		for (size_t i = 0; i < t->n; i++)
			if (t->value[i] && strstr(t->value[i], needle))
				strlist_push(logins, t->login[i]);
		return 0;
	}
	uint32_t best = 0, best_n = UINT32_MAX;
	for (size_t j = 0; j + 4 <= len; j++) {
		uint32_t b = gram(needle + j);
		uint32_t c = t->start[b + 1] - t->start[b];
		if (c < best_n) {
			best_n = c;
			best = b;
		}
	}
	for (uint32_t k = t->start[best]; k < t->start[best + 1]; k++) {
		uint32_t i = t->post[k];
		if (t->value[i] && strstr(t->value[i], needle))
			strlist_push(logins, t->login[i]);
	}
	return 0;
}

/* ---------------------------------------------------------------- PBXNum */

static void incalls_log(struct req *r, const char *stamp, const char *number, const char *reply,
			const char *login)
{
	char *path = cfg_path(r->cfg, "content/documents/incallsnum.log");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		syslog(LOG_WARNING, "incallsnum.log: %s: %m", path);
	} else {
		struct sbuf line = SBUF_INIT;
		sbuf_printf(&line, "%s NUMBER: %s REPLY: %s LOGIN: %s\n", stamp, number, reply, login);
		/* one write: concurrent workers never interleave a line */
		if (write(fd, line.s, line.len) != (ssize_t)line.len)
			syslog(LOG_WARNING, "incallsnum.log: short write");
		sbuf_free(&line);
		close(fd);
	}
	free(path);
}

static double round2(const char *dbval)
{
	money_t m;
	if (!dbval || !money_parse_db(dbval, &m))
		return 0.0; /* PHP: round(null) and round("") are 0 */
	return money_to_double(money_round(m, 2));
}

int pbx_reply(struct req *r, const char *number, const char *log_number, bool getmoney, struct sbuf *out)
{
	char *login = NULL;
	bool ext = php_truthy(cfg_alter(r->cfg, "MOBILES_EXT", ""));
	if (phones_telepathy(r, number, ext, &login) != 0)
		return -1;
	const char *reply = "0";
	sbuf_reset(out);
	if (login) {
		struct db_rows u;
		if (db_query(r->db, &u,
			     "SELECT `Cash`, `Credit`, `Passive`, `Down`, `AlwaysOnline`, `Fee` FROM `users`"
			     " LEFT JOIN `tariffs` ON (`users`.`Tariff` = `tariffs`.`name`) WHERE `users`.`login` = ?",
			     "s", login) != 0) {
			free(login);
			return -1;
		}
		if (u.nrows) {
			const char *cash = db_cell(&u, 0, 0), *credit = db_cell(&u, 0, 1);
			money_t mc, mcr;
			bool paid;
			if (credit && credit[0] == '-')
				paid = true; /* PHP 8 compares Cash with "--x" as strings: always greater */
			else if (cash && credit && money_parse_db(cash, &mc) && money_parse_db(credit, &mcr))
				paid = money_cmp(mc, money_neg(mcr)) >= 0;
			else
				paid = true;
			reply = paid ? "1" : "2";
			const char *pas = db_cell(&u, 0, 2), *down = db_cell(&u, 0, 3), *ao = db_cell(&u, 0, 4);
			if ((pas && atol(pas) == 1) || (down && atol(down) == 1) || (ao && atol(ao) == 0))
				reply = "3";
			if (getmoney) {
				struct sbuf ser = SBUF_INIT;
				phpser_array_begin(&ser, 3);
				phpser_key_int(&ser, 0);
				phpser_string(&ser, reply, 1);
				phpser_key_int(&ser, 1);
				phpser_float(&ser, round2(cash));
				phpser_key_int(&ser, 2);
				phpser_float(&ser, round2(db_cell(&u, 0, 5)));
				phpser_array_end(&ser);
				unsigned char *b64 = xmalloc(4 * ((ser.len + 2) / 3) + 1);
				EVP_EncodeBlock(b64, (const unsigned char *)ser.s, (int)ser.len);
				sbuf_puts(out, (const char *)b64);
				free(b64);
				sbuf_free(&ser);
			}
		}
		db_rows_free(&u);
	}
	if (!out->len)
		sbuf_puts(out, reply);
	char stamp[20];
	clock_format_datetime(r->now, stamp);
	incalls_log(r, stamp, log_number, reply, login ? login : "");
	char *trimmed = xstrdup(number ? number : "");
	str_trim(trimmed);
	long long rc = db_exec(r->db, "INSERT INTO `callshist` (`date`, `number`, `login`) VALUES (?, ?, ?)", "sss",
			       stamp, trimmed, login ? login : "");
	free(trimmed);
	free(login);
	return rc < 0 ? -1 : 0;
}
