/* reminder: queue payment-reminder SMS (spec actions-ops.md §5.11). */
#include "actions.h"
#include "config.h"
#include "reminder.h"
#include "util.h"
#include "weblog.h"

#include <string.h>

void cmd_reminder(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "REMINDER_ENABLED", ""))) {
		reply_text(r, "ERROR:REMINDER DISABLED");
		return;
	}
	if (!php_truthy(cfg_alter(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "ERROR:SENDDOG_REQUIRED");
		return;
	}
	struct reminder *m = reminder_new(r);
	if (!m) {
		reply_db_error(r);
		return;
	}
	bool force = param_present(&r->params, "param");
	if (force && strcmp(req_param(r, "param"), "force") != 0) {
		reminder_free(m);
		reply_text(r, "ERROR:WRONG PARAM");
		return;
	}
	const char *kind = force ? "FORCED" : "REGULAR";
	weblog(r, "REMINDER: %s processing STARTED....", kind);
	int rc = reminder_run(m, force);
	reminder_free(m);
	if (rc != 0) {
		reply_db_error(r);
		return;
	}
	weblog(r, "REMINDER: %s processing FINISHED", kind);
	reply_text(r, "OK:SEND REMIND SMS");
}
