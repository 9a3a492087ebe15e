/* feesharvester: copy Stargazer's fee charges from its log into `fees`
 * (spec actions-ops.md §5.7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actions.h"
#include "clock.h"
#include "money.h"
#include "phpser.h"
#include "switches.h"
#include "ubcache.h"
#include "util.h"
#include "weblog.h"

#define TOKENS 15

/* Open-addressing set of md5 hex strings: the fees table can hold millions
 * of rows, the log as many lines. */
struct hashset {
	char (*slot)[33];
	size_t cap, used;
};

static size_t hs_pos(const struct hashset *s, const char *h)
{
	size_t v = 14695981039346656037u;
	for (const char *c = h; *c; c++)
		v = (v ^ (unsigned char)*c) * 1099511628211u;
	size_t i = v & (s->cap - 1);
	while (s->slot[i][0] && strcmp(s->slot[i], h) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool hs_has(const struct hashset *s, const char *h)
{
	return s->slot[hs_pos(s, h)][0] != '\0';
}

static void hs_add(struct hashset *s, const char *h)
{
	if ((s->used + 1) * 2 > s->cap) {
		struct hashset n = { xcalloc(s->cap * 2, sizeof *n.slot), s->cap * 2, 0 };
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i][0])
				memcpy(n.slot[hs_pos(&n, s->slot[i])], s->slot[i], 33);
		n.used = s->used;
		free(s->slot);
		*s = n;
	}
	size_t i = hs_pos(s, h);
	if (!s->slot[i][0]) {
		memcpy(s->slot[i], h, 33);
		s->used++;
	}
}

static void remove_all(char *s, const char *what)
{
	size_t wl = strlen(what);
	char *p;
	while ((p = strstr(s, what)))
		memmove(p, p + wl, strlen(p + wl) + 1);
}

/* PHP's numeric string: optional blanks, sign, digits with an optional
 * fraction and exponent. *integral when it has neither point nor exponent. */
static bool php_numeric(const char *s, bool *integral)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+' || *s == '-')
		s++;
	size_t digits = 0;
	*integral = true;
	while (*s >= '0' && *s <= '9')
		s++, digits++;
	if (*s == '.') {
		*integral = false;
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits++;
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		*integral = false;
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* $to - $from as PHP prints it: int arithmetic for two integer strings
 * (unless it overflows), else a double at precision 14 ("-3.2"). */
static bool fee_summ(const char *from, const char *to, struct sbuf *out)
{
	bool fi, ti;
	if (!php_numeric(from, &fi) || !php_numeric(to, &ti))
		return false;
	if (fi && ti) {
		errno = 0;
		long long a = strtoll(to, NULL, 10), b = strtoll(from, NULL, 10), d;
		if (!errno && !__builtin_sub_overflow(a, b, &d)) {
			sbuf_printf(out, "%lld", d);
			return true;
		}
	}
	phpnum_format(strtod(to, NULL) - strtod(from, NULL), out);
	return true;
}

static int load_harvested(struct req *r, const char *mask, struct hashset *set)
{
	struct db_rows h;
	int rc = *mask ? db_query(r->db, &h, "SELECT `hash` FROM `fees` WHERE `date` LIKE CONCAT(?, '%')", "s", mask)
		       : db_query(r->db, &h, "SELECT `hash` FROM `fees`", "");
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < h.nrows; i++) {
		const char *v = db_cell(&h, i, 0);
		if (v && strlen(v) == 32)
			hs_add(set, v);
	}
	db_rows_free(&h);
	return 0;
}

/* One considered line; 1 inserted, 0 skipped, -1 DB error. */
static int harvest_line(struct req *r, char *line, struct hashset *set)
{
	char *tok[TOKENS];
	size_t n = 0;
	for (char *p = line; n < TOKENS;) {
		tok[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < TOKENS)
		return 0;
	char *from = xstrdup(tok[12]), *to = xstrdup(tok[14]), *login = xstrdup(tok[7]);
	remove_all(from, "'.");
	remove_all(from, "'");
	remove_all(to, "'.");
	remove_all(to, "'");
	remove_all(login, "'");
	remove_all(login, ":");
	struct sbuf date = SBUF_INIT, summ = SBUF_INIT, key = SBUF_INIT;
	sbuf_printf(&date, "%s %s", tok[0], tok[1]);
	time_t t;
	int rc = 0;
	if (*login && clock_parse_datetime(sbuf_str(&date), &t) && fee_summ(from, to, &summ)) {
		char hash[33];
		sbuf_printf(&key, "%s%s%s%s%s", sbuf_str(&date), login, sbuf_str(&summ), from, to);
		md5_hex(sbuf_str(&key), hash);
		if (!hs_has(set, hash)) {
			if (db_exec(r->db,
				    "INSERT INTO `fees` (`id`,`hash`,`login`,`date`,`admin`,`from`,`to`,`summ`,`note`,`cashtype`)"
				    " VALUES (NULL,?,?,?,'stargazer',?,?,?,'','0')",
				    "ssssss", hash, login, sbuf_str(&date), from, to, sbuf_str(&summ)) < 0)
				rc = -1;
			else {
				hs_add(set, hash);
				rc = 1;
			}
		}
	}
	free(from);
	free(to);
	free(login);
	sbuf_free(&date);
	sbuf_free(&summ);
	sbuf_free(&key);
	return rc;
}

/* STG_LAST_FEE_CHARGE: login => {login, summ, max_date} of its latest fee. */
static int cache_last_fees(struct req *r)
{
	struct db_rows f;
	if (db_query(r->db, &f,
		     "SELECT `f`.`login`, `f`.`summ`, `f`.`date` FROM `fees` `f` JOIN (SELECT `login`, MAX(`date`) AS `md`"
		     " FROM `fees` GROUP BY `login`) `m` ON `m`.`login` = `f`.`login` AND `m`.`md` = `f`.`date`"
		     " ORDER BY `f`.`login`, `f`.`id`",
		     "") != 0)
		return -1;
	size_t logins = 0;
	for (size_t i = 0; i < f.nrows; i++)
		if (i + 1 == f.nrows || strcmp(db_cell(&f, i, 0), db_cell(&f, i + 1, 0)) != 0)
			logins++;
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, logins);
	for (size_t i = 0; i < f.nrows; i++) {
		if (i + 1 < f.nrows && strcmp(db_cell(&f, i, 0), db_cell(&f, i + 1, 0)) == 0)
			continue; /* the last row of equal max dates wins */
		static const char *const keys[] = { "login", "summ", "max_date" };
		phpser_key_str(&out, db_cell(&f, i, 0));
		phpser_array_begin(&out, 3);
		for (size_t c = 0; c < 3; c++) {
			const char *v = db_cell(&f, i, c) ? db_cell(&f, i, c) : "";
			phpser_key_str(&out, keys[c]);
			phpser_string(&out, v, strlen(v));
		}
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	db_rows_free(&f);
	ubcache_set(r->cfg, "STG_LAST_FEE_CHARGE", sbuf_str(&out));
	sbuf_free(&out);
	weblog(r, "FEES HARVESTER: ONLINE_SHOW_LAST_FEECHARGE data cache have been updated");
	return 0;
}

static int harvest(struct req *r, const char *mask, long *inserted, long *parsed)
{
	const char *path = cfg_alter(r->cfg, "STG_LOG_PATH", "");
	FILE *fp = NULL;
	if (!*path || access(path, F_OK) != 0)
		return 0;
	struct hashset set = { xcalloc(1024, sizeof *set.slot), 1024, 0 };
	int rc = load_harvested(r, mask, &set);
	if (rc == 0 && !(fp = fopen(path, "re")))
		weblog(r, "FEES HARVESTER: FAILED TO OPEN \"%s\"", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (rc == 0 && fp && (len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if ((*mask && !strstr(line, mask)) || !strstr(line, "fee charge"))
			continue;
		(*parsed)++;
		int got = harvest_line(r, line, &set);
		if (got < 0)
			rc = -1;
		else
			*inserted += got;
	}
	free(line);
	if (fp)
		fclose(fp);
	free(set.slot);
	return rc;
}

void cmd_feesharvester(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "FEES_HARVESTER", ""))) {
		reply_text(r, "ERROR:FEES_HARVESTER_DISABLED");
		return;
	}
	int got = db_lock_try(r->db, "stardustPID_FEESHARVESTER");
	if (got <= 0) {
		if (got < 0)
			reply_db_error(r);
		else
			reply_text(r, "WARNING:FEES_HARVESTER_ALREADY_RUNING");
		return;
	}
	char mask[11];
	clock_format_date(r->now, mask); /* Y-m-d */
	if (!req_param(r, "today"))
		mask[req_param(r, "full") ? 0 : 7] = '\0';
	long inserted = 0, parsed = 0;
	int rc = harvest(r, mask, &inserted, &parsed);
	if (rc == 0) {
		weblog(r, "FEES HARVESTED `%ld` OF `%ld` RECORDS PARSED BY `%s`", inserted, parsed,
		       *mask ? mask : "ALL_TIME");
		if (php_truthy(cfg_alter(r->cfg, "ONLINE_SHOW_LAST_FEECHARGE", "")))
			rc = cache_last_fees(r);
	}
	db_lock_release(r->db, "stardustPID_FEESHARVESTER");
	if (rc != 0)
		reply_db_error(r);
	else
		reply_printf(r, "OK: FEES HARVESTED `%ld`", inserted);
}
