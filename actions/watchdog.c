/* watchdog: runs the WatchDog monitoring tasks once (spec actions-ops.md
 * §5.9). Maintenance mode and a run already in progress still answer
 * OK:WATCHDOG, as in PHP; only the weblogs row tells them apart. */
#include "actions.h"
#include "util.h"
#include "watchdog.h"

void cmd_watchdog(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "WATCHDOG_ENABLED", ""))) {
		reply_text(r, "ERROR:NO_WATCHDOG_ENABLED");
		return;
	}
	switch (watchdog_run(r)) {
	case WD_OK:
		reply_text(r, "OK:WATCHDOG");
		break;
	case WD_NO_SETTINGS:
		/* PHP dies with an uncaught exception here: a 500 page */
		reply_text(r, "ERROR:NO_SETTINGS_LOADED");
		r->reply.status = 500;
		break;
	case WD_LOCK_ERROR:
		reply_text(r, "ERROR:LOCK_FILE");
		break;
	case WD_DB_ERROR:
		reply_db_error(r);
		break;
	}
}
