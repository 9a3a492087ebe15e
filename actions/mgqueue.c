/* mgqueue: run the Megogo unsubscriptions users scheduled for the new
 * month (mg_queue 'unsub' items), before mgprocessing charges them. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "actions.h"
#include "megogo.h"

void cmd_mgqueue(struct req *r)
{
	struct megogo m;
	if (!mg_start(&m, r, false)) {
		mg_free(&m);
		return;
	}
	struct db_rows q;
	if (db_query(r->db, &q, "SELECT `id`,`login`,`action`,`tariffid` FROM `mg_queue` ORDER BY `id`",
		     "") != 0) {
		mg_free(&m);
		reply_db_error(r);
		return;
	}
	for (size_t i = 0; i < q.nrows && !m.db_failed; i++) {
		const char *id = db_cell(&q, i, 0), *login = db_cell(&q, i, 1);
		const char *action = db_cell(&q, i, 2), *tid = db_cell(&q, i, 3);
		if (!action || strcmp(action, "unsub") != 0)
			continue;
		if (!valid_login(login) || !tid) {
			syslog(LOG_WARNING, "ubapi mgqueue: item %s skipped: bad login", id ? id : "?");
			continue;
		}
		long tariffid = atol(tid);
		enum mg_unsub rc = mg_unsubscribe(&m, login, tariffid, atol(id), NULL);
		mg_line(&m, login, "SCHEDULE UNSUB", tariffid, "", rc);
	}
	db_rows_free(&q);
	mg_reply(&m);
	mg_free(&m);
}
