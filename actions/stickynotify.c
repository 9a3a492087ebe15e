/* stickynotify: "you have N notes for today" to each administrator whose
 * active employee record has a Telegram chat (spec actions-ops.md §5.15). */
#include "actions.h"
#include "notify.h"
#include "util.h"

void cmd_stickynotify(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "STICKY_NOTES_ENABLED", ""))) {
		reply_text(r, "ERROR:STICKYNOTIFY_DISABLED");
		return;
	}
	if (!php_truthy(cfg_alter_rcms(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "ERROR:SENDDOG_DISABLED");
		return;
	}
	if (notify_daily_count(r, "SELECT `owner` FROM `stickynotes` WHERE `active` = '1' AND `reminddate` = ? ORDER BY `id`",
			       true, "🙀", "notes or reminders for today", "STICKYNOTIFY") != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:STICKYNOTIFY");
}
