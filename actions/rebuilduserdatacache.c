/* rebuilduserdatacache: login => address, login => IP and IP => MAC as
 * PHP-serialized files for external scripts (spec actions-network.md §4). */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "actions.h"
#include "networks.h"
#include "switches.h"
#include "util.h"

/* PHP 8 $apt == 0: NULL, or a numeric string worth zero ("" is not). */
static bool apt_is_zero(const char *apt)
{
	double d;
	return !apt || (php_numeric(apt, NULL, NULL, &d) && d == 0);
}

static void put_export(struct req *r, const char *name, const struct sbuf *data)
{
	char *path = exports_path(r->cfg, name);
	/* PHP ignores a failed write and still answers OK; so do we, but say so */
	if (file_put(path, sbuf_str(data), data->len, 0) != 0)
		syslog(LOG_WARNING, "ubapi: rebuilduserdatacache cannot write %s", path);
	free(path);
}

/* Two columns: key, value. */
static int pair_map(struct req *r, const char *sql, struct sbuf *out)
{
	struct db_rows rows;
	if (db_query(r->db, &rows, sql, "") != 0)
		return -1;
	struct pmap m = { 0 };
	const char **vals = xmalloc((rows.nrows ? rows.nrows : 1) * sizeof *vals);
	for (size_t i = 0; i < rows.nrows; i++) {
		vals[i] = db_cell(&rows, i, 1);
		pmap_put(&m, db_cell(&rows, i, 0), i);
	}
	pmap_done(&m);
	pmap_serialize(&m, vals, out);
	pmap_free(&m);
	free(vals);
	db_rows_free(&rows);
	return 0;
}

static int address_map(struct req *r, struct sbuf *out)
{
	bool zero = php_truthy(cfg_alter(r->cfg, "ZERO_TOLERANCE", ""));
	bool city = php_truthy(cfg_alter(r->cfg, "CITY_DISPLAY", ""));
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `address`.`login`, `city`.`cityname`, `street`.`streetname`, "
		     "`build`.`buildnum`, `apt`.`apt` FROM `address` "
		     "INNER JOIN `apt` ON `address`.`aptid` = `apt`.`id` "
		     "INNER JOIN `build` ON `apt`.`buildid` = `build`.`id` "
		     "INNER JOIN `street` ON `build`.`streetid` = `street`.`id` "
		     "INNER JOIN `city` ON `street`.`cityid` = `city`.`id` "
		     "ORDER BY `address`.`id`",
		     "") != 0)
		return -1;
	struct pmap m = { 0 };
	char **vals = xmalloc((rows.nrows ? rows.nrows : 1) * sizeof *vals);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *apt = db_cell(&rows, i, 4);
		struct sbuf v = SBUF_INIT;
		/* PHP concatenates NULL as "" */
		if (city)
			sbuf_printf(&v, "%s ", db_cell(&rows, i, 1) ? db_cell(&rows, i, 1) : "");
		sbuf_printf(&v, "%s %s", db_cell(&rows, i, 2) ? db_cell(&rows, i, 2) : "",
			    db_cell(&rows, i, 3) ? db_cell(&rows, i, 3) : "");
		if (!(zero && apt_is_zero(apt)))
			sbuf_printf(&v, "/%s", apt ? apt : "");
		vals[i] = sbuf_detach(&v);
		pmap_put(&m, db_cell(&rows, i, 0), i);
	}
	pmap_done(&m);
	pmap_serialize(&m, (const char *const *)vals, out);
	pmap_free(&m);
	for (size_t i = 0; i < rows.nrows; i++)
		free(vals[i]);
	free(vals);
	db_rows_free(&rows);
	return 0;
}

void cmd_rebuilduserdatacache(struct req *r)
{
	/* all three are built before any is written, as PHP does */
	struct sbuf addr = SBUF_INIT, ips = SBUF_INIT, macs = SBUF_INIT;
	if (address_map(r, &addr) != 0 ||
	    pair_map(r, "SELECT `login`, `IP` FROM `users` ORDER BY `login`", &ips) != 0 ||
	    pair_map(r, "SELECT `ip`, `mac` FROM `nethosts` ORDER BY `id`", &macs) != 0) {
		reply_db_error(r);
	} else {
		put_export(r, "cache_address", &addr);
		put_export(r, "cache_ips", &ips);
		put_export(r, "cache_mac", &macs);
		reply_text(r, "OK:REBUILDUSERDATACACHE");
	}
	sbuf_free(&addr);
	sbuf_free(&ips);
	sbuf_free(&macs);
}
