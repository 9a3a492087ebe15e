#include "reqid.h"

#include <string.h>

#include "clock.h"
#include "util.h"

enum reqid_claim reqid_claim(struct req *r, const char *action, const char *reqid)
{
	char created[20];
	clock_format_datetime(r->now, created);
	/* The insert is the claim: of two concurrent retries exactly one
	 * gets a row in, the other sees it. */
	long long n = db_exec(r->db,
			      "INSERT IGNORE INTO `ubapi_requests` (`action`,`reqid`,`reply`,`content_type`,`created`)"
			      " VALUES (?,?,NULL,NULL,?)",
			      "sss", action, reqid, created);
	if (n < 0)
		return REQID_FAILED;
	if (n == 1)
		return REQID_RUN;
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `reply`,`content_type` FROM `ubapi_requests` WHERE `action`=? AND `reqid`=?",
		     "ss", action, reqid) != 0)
		return REQID_FAILED;
	enum reqid_claim result = REQID_BUSY;
	if (rows.nrows == 0) {
		result = REQID_FAILED; /* dropped between our insert and select */
	} else if (db_cell(&rows, 0, 0)) {
		reply_text(r, db_cell(&rows, 0, 0));
		const char *ct = db_cell(&rows, 0, 1);
		reply_set_type(r, ct && strcmp(ct, CT_JSON) == 0 ? CT_JSON : CT_TEXT);
		result = REQID_REPLAYED;
	}
	db_rows_free(&rows);
	return result;
}

void reqid_finish(struct req *r, const char *action, const char *reqid)
{
	if (str_has_prefix(sbuf_str(&r->reply.body), "ERROR")) {
		db_exec(r->db, "DELETE FROM `ubapi_requests` WHERE `action`=? AND `reqid`=?", "ss",
			action, reqid);
		return;
	}
	db_exec(r->db, "UPDATE `ubapi_requests` SET `reply`=?, `content_type`=? WHERE `action`=? AND `reqid`=?",
		"ssss", sbuf_str(&r->reply.body), r->reply.content_type, action, reqid);
}
