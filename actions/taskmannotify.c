/* taskmannotify: "you have N undone tasks for today" to each active
 * employee with a Telegram chat (spec actions-ops.md §5.16). */
#include "actions.h"
#include "clock.h"
#include "notify.h"
#include "util.h"

void cmd_taskmannotify(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "ERROR:SENDDOG_DISABLED");
		return;
	}
	char today[11];
	clock_format_date(r->now, today);
	struct notify_staff *staff = notify_staff_load(r);
	struct db_rows tasks = { 0 };
	if (!staff || db_query(r->db, &tasks,
			       "SELECT `employee` FROM `taskman` WHERE `status` = '0' AND `startdate` = ? ORDER BY `id`",
			       "s", today) < 0) {
		notify_staff_free(staff);
		reply_db_error(r);
		return;
	}
	struct notify_box box = NOTIFY_BOX_INIT;
	for (size_t i = 0; i < tasks.nrows; i++) {
		const char *chat = notify_staff_chat(staff, db_cell(&tasks, i, 0), true);
		if (chat) {
			size_t slot = notify_box_slot(&box, chat);
			box.counts[slot]++;
		}
	}
	struct notify_lang *lang = notify_lang_load(r->cfg);
	for (size_t i = 0; i < box.n; i++)
		sbuf_printf(&box.texts[i], "😾 %s %ld %s", notify_tr(lang, "You have"), box.counts[i],
			    notify_tr(lang, "undone tasks for today"));
	notify_box_send(r, &box, "TASKMANNOTIFY");
	notify_lang_free(lang);
	notify_box_free(&box);
	db_rows_free(&tasks);
	notify_staff_free(staff);
	reply_text(r, "OK:TASKMANNOTIFY");
}
