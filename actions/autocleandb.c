/* autocleandb: drop Stargazer's per-month logs_MM_YYYY / detailstat_MM_YYYY
 * tables of every month but the current one (spec actions-ops.md §5.2). */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "weblog.h"

/* Only names of exactly Stargazer's form: PHP's LIKE 'logs_%' also matched
 * any table that merely starts with "logs" plus one character. */
static bool monthly_name(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(name, prefix, pl) != 0 || strlen(name) != pl + 8)
		return false;
	const char *p = name + pl;
	for (int i = 0; i < 8; i++) {
		bool digit = p[i] >= '0' && p[i] <= '9';
		if ((i == 0 || i == 3) ? p[i] != '_' : !digit)
			return false;
	}
	return true;
}

void cmd_autocleandb(struct req *r)
{
	static const char *const prefixes[] = { "logs", "detailstat" };
	struct tm tm;
	localtime_r(&r->now, &tm);
	long dropped = 0;
	for (size_t k = 0; k < 2; k++) {
		char like[32], current[32];
		snprintf(like, sizeof like, "%s\\_%%", prefixes[k]);
		snprintf(current, sizeof current, "%s_%02d_%04d", prefixes[k], tm.tm_mon + 1, tm.tm_year + 1900);
		struct db_rows t;
		if (db_query(r->db, &t,
			     "SELECT `table_name` FROM `information_schema`.`tables` WHERE `table_schema` = DATABASE()"
			     " AND `table_type` = 'BASE TABLE' AND `table_name` LIKE ? ORDER BY `table_name`",
			     "s", like) != 0) {
			reply_db_error(r);
			return;
		}
		for (size_t i = 0; i < t.nrows; i++) {
			const char *name = db_cell(&t, i, 0);
			if (!name || !monthly_name(name, prefixes[k]) || strcmp(name, current) == 0)
				continue;
			char sql[96];
			/* safe to splice: monthly_name() allowed letters, digits and '_' only */
			snprintf(sql, sizeof sql, "DROP TABLE `%s`", name);
			if (db_exec(r->db, sql, "") < 0) {
				db_rows_free(&t);
				reply_db_error(r);
				return;
			}
			weblog(r, "DBCLEANUP `%s`", name);
			dropped++;
		}
		db_rows_free(&t);
	}
	reply_printf(r, "OK:AUTOCLEANDB %ld", dropped);
}
