/* pseudocrm: PseudoCRM's scheduled calls; param=openactnotify sends every
 * employee the list of his open activities (spec actions-ops.md §5.25). */
#include <string.h>

#include "actions.h"
#include "notify.h"
#include "util.h"

#define EOL "\\r\\n"

static int notify_open_activities(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "SENDDOG_ENABLED", "")))
		return 0;
	struct notify_staff *staff = notify_staff_load(r);
	struct db_rows acts = { 0 };
	if (!staff || db_query(r->db, &acts,
			       "SELECT `id`, `date`, `employeeid`, `state` FROM `crm_activities` ORDER BY `id` DESC",
			       "") < 0) {
		notify_staff_free(staff);
		return -1;
	}
	const char *url = cfg_alter(r->cfg, "FULL_BILLING_URL", "");
	bool linked = php_truthy(url);
	struct notify_lang *lang = notify_lang_load(r->cfg);
	struct notify_box box = NOTIFY_BOX_INIT;
	for (size_t i = 0; i < acts.nrows; i++) {
		const char *state = db_cell(&acts, i, 3), *emp = db_cell(&acts, i, 2);
		/* PHP's loose state == 0 also takes NULL */
		if (state && strcmp(state, "0") != 0)
			continue;
		size_t slot = notify_box_slot(&box, emp ? emp : "");
		struct sbuf *t = &box.texts[slot];
		sbuf_printf(t, " #%s %s %s. ", db_cell(&acts, i, 0), notify_tr(lang, "from"),
			    db_cell(&acts, i, 1) ? db_cell(&acts, i, 1) : "");
		/* wf_Link() ends with two newlines; the queue turns them into spaces */
		if (linked)
			sbuf_printf(t, "<a href=\"%s?module=pseudocrm&showactivity=%s\" >%s</a>\n\n", url,
				    db_cell(&acts, i, 0), notify_tr(lang, "Show"));
		sbuf_puts(t, EOL);
	}
	for (size_t i = 0; i < box.n; i++) {
		const char *chat = notify_staff_chat(staff, box.keys[i], false);
		if (!chat) {
			sbuf_reset(&box.texts[i]);
			continue;
		}
		box.extra[i] = xstrdup(chat);
		struct sbuf msg = SBUF_INIT;
		sbuf_printf(&msg, "%s:" EOL "%s parseMode:{html}",
			    notify_tr(lang, "The following activities are open for you"), sbuf_str(&box.texts[i]));
		sbuf_free(&box.texts[i]);
		box.texts[i] = msg;
	}
	notify_box_send(r, &box, "PSEUDOCRM");
	notify_box_free(&box);
	notify_lang_free(lang);
	db_rows_free(&acts);
	notify_staff_free(staff);
	return 0;
}

void cmd_pseudocrm(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "PSEUDOCRM_ENABLED", ""))) {
		reply_text(r, "ERROR:PSEUDOCRM_DISABLED");
		return;
	}
	const char *call = req_param(r, "param");
	if (!php_truthy(call)) {
		reply_text(r, "OK:NONE");
		return;
	}
	if (strcmp(call, "openactnotify") == 0 && notify_open_activities(r) != 0) {
		reply_db_error(r);
		return;
	}
	/* the echo scripts match on, minus control characters */
	struct sbuf out = SBUF_INIT;
	sbuf_puts(&out, "OK:");
	for (const unsigned char *p = (const unsigned char *)call; *p; p++)
		if (*p >= 0x20 && *p != 0x7f)
			sbuf_putc(&out, (char)*p);
	reply_text(r, sbuf_str(&out));
	sbuf_free(&out);
}
