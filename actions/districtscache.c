/* districtscache: precompute login => {districtId => name} into the cache
 * key DISTRICTS that the web UI reads instead of walking addresses itself
 * (spec actions-ops.md §5.5). */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "phpser.h"
#include "ubcache.h"
#include "util.h"

/* PHP's == between two DB values as they occur here (int columns): NULL
 * only equals NULL or "". */
static bool loose_eq(const char *a, const char *b)
{
	if (!a || !b)
		return (!a || !*a) && (!b || !*b);
	return strcmp(a, b) == 0;
}

/* PHP's empty() on a DB value */
static bool php_empty(const char *s)
{
	return !s || !*s || strcmp(s, "0") == 0;
}

/* One districtdata row matches when the city is the user's and the street
 * and build are either unset or the user's too. */
static bool in_district(const struct db_rows *data, size_t from, size_t to, const struct db_rows *users, size_t u)
{
	const char *build = db_cell(users, u, 1), *street = db_cell(users, u, 2), *city = db_cell(users, u, 3);
	for (size_t i = from; i < to; i++) {
		if (!loose_eq(city, db_cell(data, i, 1)))
			continue;
		const char *ds = db_cell(data, i, 2), *db = db_cell(data, i, 3);
		if (php_empty(ds) || (loose_eq(street, ds) && (php_empty(db) || loose_eq(build, db))))
			return true;
	}
	return false;
}

void cmd_districtscache(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "DISTRICTS_ENABLED", ""))) {
		reply_text(r, "ERROR: DISTRICTS DISABLED");
		return;
	}
	struct db_rows names = { 0 }, data = { 0 }, users = { 0 };
	/* address may repeat a login: PHP keeps its first position and the last
	 * row's apartment. build, street and city come from apt.buildid,
	 * build.streetid and street.cityid as PHP walks them. */
	if (db_query(r->db, &names, "SELECT `id`, `name` FROM `districtnames` ORDER BY `id`", "") != 0 ||
	    db_query(r->db, &data,
		     "SELECT `districtid`, `cityid`, `streetid`, `buildid` FROM `districtdata` ORDER BY `districtid`, `id`",
		     "") != 0 ||
	    db_query(r->db, &users,
		     "SELECT `a`.`login`, `ap`.`buildid`, `b`.`streetid`, `s`.`cityid` FROM `address` `a`"
		     " JOIN (SELECT `login`, MIN(`id`) AS `first`, MAX(`id`) AS `last` FROM `address` GROUP BY `login`) `m`"
		     " ON `m`.`last` = `a`.`id`"
		     " LEFT JOIN `apt` `ap` ON `ap`.`id` = `a`.`aptid`"
		     " LEFT JOIN `build` `b` ON `b`.`id` = `ap`.`buildid`"
		     " LEFT JOIN `street` `s` ON `s`.`id` = `b`.`streetid`"
		     " ORDER BY `m`.`first`",
		     "") != 0) {
		db_rows_free(&names);
		db_rows_free(&data);
		db_rows_free(&users);
		reply_db_error(r);
		return;
	}
	/* rows of district k are data[lo[k] .. hi[k]): both lists are sorted by
	 * district id */
	size_t *lo = xmalloc((names.nrows + 1) * 2 * sizeof *lo), *hi = lo + names.nrows + 1;
	size_t d = 0;
	for (size_t k = 0; k < names.nrows; k++) {
		long long id = strtoll(db_cell(&names, k, 0), NULL, 10);
		while (d < data.nrows && strtoll(db_cell(&data, d, 0), NULL, 10) < id)
			d++;
		lo[k] = d;
		while (d < data.nrows && strtoll(db_cell(&data, d, 0), NULL, 10) == id)
			d++;
		hi[k] = d;
	}
	size_t *hits = xmalloc((names.nrows + 1) * sizeof *hits);
	struct sbuf body = SBUF_INIT, out = SBUF_INIT;
	size_t logins = 0;
	for (size_t u = 0; u < users.nrows; u++) {
		size_t n = 0;
		for (size_t k = 0; k < names.nrows; k++) {
			if (in_district(&data, lo[k], hi[k], &users, u))
				hits[n++] = k;
		}
		if (!n)
			continue;
		logins++;
		phpser_key_str(&body, db_cell(&users, u, 0));
		phpser_array_begin(&body, n);
		for (size_t i = 0; i < n; i++) {
			const char *name = db_cell(&names, hits[i], 1) ? db_cell(&names, hits[i], 1) : "";
			phpser_key_str(&body, db_cell(&names, hits[i], 0));
			phpser_string(&body, name, strlen(name));
		}
		phpser_array_end(&body);
	}
	phpser_array_begin(&out, logins);
	if (body.len)
		sbuf_add(&out, body.s, body.len);
	phpser_array_end(&out);
	ubcache_set(r->cfg, "DISTRICTS", sbuf_str(&out));
	sbuf_free(&body);
	sbuf_free(&out);
	free(lo);
	free(hits);
	db_rows_free(&names);
	db_rows_free(&data);
	db_rows_free(&users);
	reply_text(r, "OK: DISTRICTSCACHE");
}
