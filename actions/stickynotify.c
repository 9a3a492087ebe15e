/* stickynotify: "you have N notes for today" to each administrator whose
 * active employee record has a Telegram chat (spec actions-ops.md §5.15). */
#include "actions.h"
#include "clock.h"
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
	char today[11];
	clock_format_date(r->now, today);
	struct notify_staff *staff = notify_staff_load(r);
	struct db_rows notes = { 0 };
	if (!staff || db_query(r->db, &notes,
			       "SELECT `owner` FROM `stickynotes` WHERE `active` = '1' AND `reminddate` = ? ORDER BY `id`",
			       "s", today) < 0) {
		notify_staff_free(staff);
		reply_db_error(r);
		return;
	}
	/* keyed by chat id: two admins sharing one chat get one summed message */
	struct notify_box box = NOTIFY_BOX_INIT;
	for (size_t i = 0; i < notes.nrows; i++) {
		const char *chat = notify_staff_chat(staff, notify_staff_by_admin(staff, db_cell(&notes, i, 0)), true);
		if (chat) {
			size_t slot = notify_box_slot(&box, chat);
			box.counts[slot]++;
		}
	}
	struct notify_lang *lang = notify_lang_load(r->cfg);
	for (size_t i = 0; i < box.n; i++)
		sbuf_printf(&box.texts[i], "🙀 %s %ld %s", notify_tr(lang, "You have"), box.counts[i],
			    notify_tr(lang, "notes or reminders for today"));
	notify_box_send(r, &box, "STICKYNOTIFY");
	notify_lang_free(lang);
	notify_box_free(&box);
	db_rows_free(&notes);
	notify_staff_free(staff);
	reply_text(r, "OK:STICKYNOTIFY");
}
