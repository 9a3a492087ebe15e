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
	if (!billing_require_user(r, login))
		return;
	/* direct backend: the toggle pair and its weblog commit once */
	if (!billing_unit_begin(r))
		return;
	if (billing_reset(r, login) != 0) {
		billing_unit_end(r, false);
		reply_text(r, "ERROR:BILLING_CORE");
		return;
	}
	if (weblog(r, "REMOTEAPI RESET (%s)", login) != 0) {
		billing_unit_end(r, false);
		reply_db_error(r);
		return;
	}
	if (!billing_unit_end(r, true))
		return;
	if (php_truthy(cfg_alter_rcms(r->cfg, "RESETHARD", "")) && billing_resurrect(r, login) < 0) {
		reply_text(r, "ERROR:BILLING_CORE");
		return;
	}
	reply_text(r, "OK:RESET");
}
