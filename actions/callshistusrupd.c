/* callshistusrupd: attach logins to this year's anonymous incoming calls. */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "phones.h"
#include "util.h"
#include "weblog.h"

void cmd_callshistusrupd(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "CALLSHIST_ENABLED", ""))) {
		reply_text(r, "ERROR:CALLSHIST_DISABLED");
		return;
	}
	char year[11];
	clock_format_date(r->now, year);
	strcpy(year + 4, "-%");
	struct db_rows calls;
	if (db_query(r->db, &calls,
		     "SELECT `id`, `number` FROM `callshist` WHERE `date` LIKE ? AND (`login` IS NULL OR `login` = '')"
		     " ORDER BY `id`",
		     "s", year) != 0) {
		reply_db_error(r);
		return;
	}
	bool ext = php_truthy(cfg_alter(r->cfg, "MOBILES_EXT", ""));
	long guessed = 0, missed = 0;
	for (size_t i = 0; i < calls.nrows; i++) {
		char *login = NULL;
		if (phones_telepathy(r, db_cell(&calls, i, 1), ext, &login) != 0 ||
		    (login && db_exec(r->db, "UPDATE `callshist` SET `login` = ? WHERE `id` = ?", "ss", login,
				      db_cell(&calls, i, 0)) < 0)) {
			free(login);
			db_rows_free(&calls);
			reply_db_error(r);
			return;
		}
		if (login)
			guessed++;
		else
			missed++;
		free(login);
	}
	db_rows_free(&calls);
	weblog(r, "CALLSHIST USERS UPDATE GUESSED `%ld` MISSED`%ld`", guessed, missed);
	reply_printf(r, "GUESSED:%ld MISSED:%ld OK:CALLSHIST_USERS_UPDATE", guessed, missed);
}
