/* policedog: alerts when a wanted MAC is bound to a subscriber, once per MAC
 * ever. Runs under the front's lock (ubapi_policedog) so two runs cannot
 * raise the same alert twice. */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "util.h"
#include "weblog.h"

void cmd_policedog(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "POLICEDOG_ENABLED", "0"))) {
		reply_text(r, "ERROR:POLICEDOG_DISABLED");
		return;
	}
	/* wanted macs that belong to a user and were never alerted; of users
	 * sharing a mac the last one (highest nethosts id) wins, as PHP's
	 * mac -> login flip does */
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT w.`mac`, (SELECT u.`login` FROM `nethosts` n JOIN `users` u ON u.`IP`=n.`ip` "
		     "WHERE BINARY n.`mac`=BINARY w.`mac` ORDER BY n.`id` DESC LIMIT 1) AS `login` "
		     "FROM (SELECT DISTINCT `mac` FROM `policedog`) w "
		     "WHERE NOT EXISTS (SELECT 1 FROM `policedogalerts` a WHERE BINARY a.`mac`=BINARY w.`mac`) "
		     "ORDER BY w.`mac`",
		     "") != 0) {
		reply_db_error(r);
		return;
	}
	char date[20];
	clock_format_datetime(r->now, date);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *mac = db_cell(&rows, i, 0), *login = db_cell(&rows, i, 1);
		if (!mac || !login)
			continue;
		if (db_exec(r->db, "INSERT INTO `policedogalerts` (`date`,`mac`,`login`) VALUES (?,?,?)",
			    "sss", date, mac, login) < 0 ||
		    weblog(r, "POLICEDOG MAC `%s` ALERT `%s`", mac, login) != 0) {
			db_rows_free(&rows);
			reply_db_error(r);
			return;
		}
	}
	db_rows_free(&rows);
	reply_text(r, "OK:POLICEDOG");
}
