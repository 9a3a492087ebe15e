/* uhwbrutecleanup: flushes the UHW brute-force register. */
#include "actions.h"
#include "weblog.h"

void cmd_uhwbrutecleanup(struct req *r)
{
	/* TRUNCATE needs the DROP privilege; DELETE does the same job without it */
	if (db_exec(r->db, "TRUNCATE TABLE `uhw_brute`", "") < 0 &&
	    db_exec(r->db, "DELETE FROM `uhw_brute`", "") < 0) {
		reply_db_error(r);
		return;
	}
	if (weblog(r, "UHW CLEANUP BRUTE") != 0) {
		reply_db_error(r);
		return;
	}
	reply_text(r, "OK:UHWBRUTECLEANUP");
}
