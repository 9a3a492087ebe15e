/* reset: make Stargazer re-run a user's connect scripts; with RESETHARD
 * also resurrect them for a moment. */
#include "actions.h"
#include "billing.h"
#include "util.h"
#include "weblog.h"

void cmd_reset(struct req *r)
{
	const char *login = req_param(r, "param");
	if (!login) {
		reply_text(r, "ERROR:GET_NO_PARAM");
		return;
	}
	int exists = valid_login(login) ? billing_user_exists(r, login) : 0;
	if (exists < 0) {
		reply_db_error(r);
		return;
	}
	if (exists == 0) {
		reply_text(r, "ERROR:WRONG_LOGIN");
		return;
	}
	/* direct backend: the toggle pair and its weblog commit once */
	bool tx = billing_is_direct(r->cfg);
	if (tx && db_begin(r->db) != 0) {
		reply_db_error(r);
		return;
	}
	if (billing_reset(r, login) != 0) {
		if (tx)
			db_rollback(r->db);
		reply_text(r, "ERROR:BILLING_CORE");
		return;
	}
	if (weblog(r, "REMOTEAPI RESET (%s)", login) != 0 || (tx && db_commit(r->db) != 0)) {
		if (tx)
			db_rollback(r->db);
		reply_db_error(r);
		return;
	}
	if (php_truthy(cfg_alter_rcms(r->cfg, "RESETHARD", "")) && billing_resurrect(r, login) < 0) {
		reply_text(r, "ERROR:BILLING_CORE");
		return;
	}
	reply_text(r, "OK:RESET");
}
