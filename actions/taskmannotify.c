/* taskmannotify: "you have N undone tasks for today" to each active
 * employee with a Telegram chat (spec actions-ops.md §5.16). */
#include "actions.h"
#include "notify.h"
#include "util.h"

void cmd_taskmannotify(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "ERROR:SENDDOG_DISABLED");
		return;
	}
	if (notify_daily_count(r, "SELECT `employee` FROM `taskman` WHERE `status` = '0' AND `startdate` = ? ORDER BY `id`",
			       false, "😾", "undone tasks for today", "TASKMANNOTIFY") != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:TASKMANNOTIFY");
}
