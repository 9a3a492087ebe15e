/* rebuildglscache: rebuild the global-search autocomplete file
 * exports/globalsearchcache.dat (spec actions-ops.md §5.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "actions.h"
#include "phpser.h"
#include "switches.h"
#include "util.h"

struct entry {
	char key[9];
	char *label;
	const char *category, *type;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

/* Ubilling's strtolower_utf8: ASCII and Cyrillic (incl. Ukrainian) letters. */
static char *lower_utf8(const char *s)
{
	struct sbuf out = SBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x80) {
			sbuf_putc(&out, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
			p++;
			continue;
		}
		if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			unsigned cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
			if (cp >= 0x410 && cp <= 0x42f)
				cp += 0x20;
			else if (cp >= 0x400 && cp <= 0x40f)
				cp += 0x50;
			else if (cp == 0x490)
				cp = 0x491;
			sbuf_putc(&out, (char)(0xc0 | (cp >> 6)));
			sbuf_putc(&out, (char)(0x80 | (cp & 0x3f)));
			p += 2;
			continue;
		}
		sbuf_putc(&out, (char)*p++);
	}
	return sbuf_detach(&out);
}

static void random_key(char key[9])
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char b[8] = { 0 };
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)rand();
	for (int i = 0; i < 8; i++)
		key[i] = alphabet[b[i] % 36];
	key[8] = '\0';
}

static void add(struct entries *e, const char *label, const char *category, const char *type)
{
	if (!label || !*label || (label[0] == '0' && !label[1])) /* PHP empty() */
		return;
	char key[9];
	random_key(key);
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].key, key) == 0)
			return; /* PHP's array union keeps the first of a colliding key */
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->v = xrealloc(e->v, e->cap * sizeof *e->v);
	}
	struct entry *x = &e->v[e->n++];
	memcpy(x->key, key, 9);
	x->label = xstrdup(label);
	x->category = category;
	x->type = type;
}

static int add_query(struct req *r, struct entries *e, const char *sql, const char *category, const char *type)
{
	struct db_rows rows;
	if (db_query(r->db, &rows, sql, "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++)
		add(e, db_cell(&rows, i, 0), category, type);
	db_rows_free(&rows);
	return 0;
}

static bool wanted(const char *fields, const char *name)
{
	/* exact items of the comma list, untrimmed, as PHP's explode/array_flip */
	size_t nl = strlen(name);
	for (const char *p = fields; p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == nl && strncmp(p, name, nl) == 0)
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static const char *address_sql(struct req *r)
{
	bool city = php_truthy(cfg_alter(r->cfg, "CITY_DISPLAY", ""));
	bool zero = php_truthy(cfg_alter(r->cfg, "ZERO_TOLERANCE", ""));
	static const char *const q[4] = {
		"SELECT CONCAT(`streetname`, ' ', `buildnum`, '/', `apt`.`apt`)",
		"SELECT CONCAT(`cityname`, ' ', `streetname`, ' ', `buildnum`, '/', `apt`.`apt`)",
		"SELECT CONCAT(`streetname`, ' ', `buildnum`, IF(`apt`.`apt`, CONCAT('/', `apt`.`apt`), ''))",
		"SELECT CONCAT(`cityname`, ' ', `streetname`, ' ', `buildnum`, IF(`apt`.`apt`, CONCAT('/', `apt`.`apt`), ''))",
	};
	return q[(zero ? 2 : 0) + (city ? 1 : 0)];
}

static int collect(struct req *r, struct entries *e)
{
	const char *fields = cfg_alter(r->cfg, "GLOBALSEARCH_FIELDS", "");
	int rc = 0;
	/* one value per login, the last row winning, as PHP's login-keyed arrays */
	if (wanted(fields, "realname"))
		rc |= add_query(r, e, "SELECT `realname` FROM `realname` WHERE `id` IN (SELECT MAX(`id`) FROM `realname`"
				      " GROUP BY `login`) ORDER BY `id`", "Real Name", "realname");
	if (!rc && wanted(fields, "address")) {
		struct sbuf q = SBUF_INIT;
		sbuf_printf(&q, "%s FROM `address` JOIN `apt` ON `address`.`aptid` = `apt`.`id`"
				" JOIN `build` ON `apt`.`buildid` = `build`.`id` JOIN `street` ON `build`.`streetid` = `street`.`id`"
				" JOIN `city` ON `street`.`cityid` = `city`.`id` WHERE `address`.`id` IN (SELECT MAX(`id`)"
				" FROM `address` GROUP BY `login`) ORDER BY `address`.`id`",
			    address_sql(r));
		rc |= add_query(r, e, q.s, "Full address", "address");
		sbuf_free(&q);
	}
	if (!rc && wanted(fields, "address_extend") && php_truthy(cfg_alter(r->cfg, "ADDRESS_EXTENDED_ENABLED", "")))
		rc |= add_query(r, e, "SELECT CONCAT_WS(' ', `postal_code`, `town_district`, `address_exten`)"
				      " FROM `address_extended` ORDER BY `id`", "Extended address info", "address_extend");
	if (!rc && wanted(fields, "contract"))
		rc |= add_query(r, e, "SELECT `contract` FROM `contracts` GROUP BY `contract` ORDER BY MIN(`id`)",
				"Contract", "contract");
#define PHONES_FROM " FROM `phones` WHERE `id` IN (SELECT MAX(`id`) FROM `phones` GROUP BY `login`) ORDER BY `id`"
	if (!rc && wanted(fields, "phone"))
		rc |= add_query(r, e, "SELECT `phone`" PHONES_FROM, "Phone", "phone");
	if (!rc && wanted(fields, "mobile"))
		rc |= add_query(r, e, "SELECT `mobile`" PHONES_FROM, "Mobile", "mobile");
	if (!rc && wanted(fields, "ip"))
		rc |= add_query(r, e, "SELECT `IP` FROM `users` ORDER BY `login`", "IP", "ip");
	if (!rc && wanted(fields, "mac"))
		rc |= add_query(r, e, "SELECT `mac` FROM `nethosts` ORDER BY `id`", "MAC address", "mac");
	if (!rc && wanted(fields, "login"))
		rc |= add_query(r, e, "SELECT `login` FROM `users` ORDER BY `login`", "Login", "login");
	if (!rc && wanted(fields, "seal"))
		rc |= add_query(r, e, "SELECT `seal` FROM `condet` WHERE `seal` != '' ORDER BY `id`", "Cable seal",
				"seal");
	if (!rc && wanted(fields, "paymentid") && php_truthy(cfg_alter(r->cfg, "OPENPAYZ_SUPPORT", ""))) {
		if (php_truthy(cfg_alter(r->cfg, "OPENPAYZ_REALID", "")))
			rc |= add_query(r, e, "SELECT `virtualid` FROM `op_customers`", "Payment ID", "payid");
		else
			rc |= add_query(r, e, "SELECT CAST(INET_ATON(`IP`) AS CHAR) FROM `users` ORDER BY `login`",
					"Payment ID", "payid");
	}
	return rc ? -1 : 0;
}

void cmd_rebuildglscache(struct req *r)
{
	if (php_truthy(cfg_alter(r->cfg, "SPHINX_SEARCH_ENABLED", ""))) {
		reply_text(r, "SKIPPED:SPHINX_SEARCH_ENABLED");
		return;
	}
	int got = db_lock_try(r->db, "stardustPID_GLSREBUILD");
	if (got <= 0) {
		if (got < 0)
			reply_db_error(r);
		else
			reply_text(r, "SKIPPED:ALREADY_RUNNING");
		return;
	}
	struct entries e = { 0 };
	int rc = collect(r, &e);
	struct sbuf out = SBUF_INIT;
	if (rc == 0) {
		phpser_array_begin(&out, e.n);
		for (size_t i = 0; i < e.n; i++) {
			char *lower = lower_utf8(e.v[i].label);
			phpser_key_str(&out, e.v[i].key);
			phpser_array_begin(&out, 4);
			phpser_key_str(&out, "label");
			phpser_string(&out, e.v[i].label, strlen(e.v[i].label));
			phpser_key_str(&out, "lower");
			phpser_string(&out, lower, strlen(lower));
			phpser_key_str(&out, "category");
			phpser_string(&out, e.v[i].category, strlen(e.v[i].category));
			phpser_key_str(&out, "type");
			phpser_string(&out, e.v[i].type, strlen(e.v[i].type));
			phpser_array_end(&out);
			free(lower);
		}
		phpser_array_end(&out);
	}
	for (size_t i = 0; i < e.n; i++)
		free(e.v[i].label);
	free(e.v);
	db_lock_release(r->db, "stardustPID_GLSREBUILD");
	if (rc != 0) {
		sbuf_free(&out);
		reply_db_error(r);
		return;
	}
	char *path = exports_path(r->cfg, "globalsearchcache.dat");
	rc = file_put(path, out.s, out.len, 0);
	free(path);
	sbuf_free(&out);
	if (rc != 0)
		reply_text(r, "ERROR:GLSCACHE_WRITE_FAILED");
	else
		reply_text(r, "OK:REBUILDGLSCACHE");
}
