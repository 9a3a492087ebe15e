/* swpoll: SNMP-polls every SWPOLL device into the raw cache the UI reads
 * (exports/<ip>_<oid>, FDB caches, HORDE_<ip>). All devices are polled at
 * once in-process; HORDE_OF_SWITCHES only changes which lines are printed
 * (horde children never printed theirs), no child calls are made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "stardust.h"
#include "storage.h"
#include "switches.h"
#include "util.h"

static const char *model_template(const struct db_rows *models, const char *modelid)
{
	for (size_t i = 0; i < models->nrows; i++)
		if (strcmp(db_cell(models, i, 0), modelid) == 0)
			return db_cell(models, i, 1);
	return NULL;
}

/* one line to the reply (when printed) and to the log text, written at once */
static void log_line(struct req *r, struct sbuf *log, bool print, const char *fmt, const char *ip)
{
	char date[20];
	clock_format_datetime(clock_now(), date);
	size_t at = log->len;
	sbuf_printf(log, "%s %s %s\n", date, ip, fmt);
	if (print)
		sbuf_add(&r->reply.body, log->s + at, log->len - at);
}

void cmd_swpoll(struct req *r)
{
	struct swlist sw;
	struct db_rows models;
	if (swlist_load(r->db, &sw, "WHERE `snmp` != '' AND `desc` LIKE '%SWPOLL%' ORDER BY `id`") != 0) {
		reply_db_error(r);
		return;
	}
	if (db_query(r->db, &models, "SELECT `id`, `snmptemplate` FROM `switchmodels` WHERE `snmptemplate` != ''",
		     "") != 0) {
		swlist_free(&sw);
		reply_db_error(r);
		return;
	}
	char *dead = storage_get(r->db, "SWDEAD");
	if (sw.n == 0) {
		reply_text(r, "ERROR:SWPOLL_NODEVICES");
		goto out;
	}
	int got = stardust_start(r->db, "SWPOLL_ALL");
	if (got <= 0) {
		if (got < 0)
			reply_db_error(r);
		else
			reply_text(r, "SKIP:SWPOLL_ALREADY_RUNNING");
		goto out;
	}
	reply_text(r, "");
	char *logpath = exports_path(r->cfg, "swpolldata.log");
	char date[20];
	clock_format_datetime(clock_now(), date);
	struct sbuf start = SBUF_INIT;
	sbuf_printf(&start, "%s [SWPOLLSTART]\n", date);
	file_put(logpath, start.s, start.len, 0);
	sbuf_free(&start);

	bool horde = php_truthy(cfg_alter(r->cfg, "HORDE_OF_SWITCHES", "0"));
	struct swpoll_item *items = xcalloc(sw.n, sizeof *items);
	enum { L_NONE, L_NOTPL, L_DEAD, L_POLL } *kind = xcalloc(sw.n, sizeof *kind);
	size_t n = 0;
	for (size_t i = 0; i < sw.n; i++) {
		const char *tpl = model_template(&models, sw.v[i].modelid);
		bool isdead = swdead_has(dead, sw.v[i].ip);
		if (horde) {
			kind[i] = isdead ? L_DEAD : tpl ? L_POLL : L_NOTPL;
		} else if (models.nrows > 0) {
			kind[i] = !tpl ? L_NOTPL : isdead ? L_DEAD : L_POLL;
		}
		if (kind[i] == L_POLL) {
			items[n].dev = &sw.v[i];
			items[n++].tplname = tpl;
		}
	}
	swpoll_devices(r->cfg, r->db, items, n);
	struct sbuf log = SBUF_INIT;
	for (size_t i = 0; i < sw.n; i++) {
		const char *ip = sw.v[i].ip;
		switch (kind[i]) {
		case L_NOTPL: log_line(r, &log, !horde, "[FAIL] NO TEMPLATE", ip); break;
		case L_DEAD: log_line(r, &log, true, "[SKIP] SWITCH DEAD", ip); break;
		case L_POLL: log_line(r, &log, !horde, "[OK]", ip); break;
		default: break;
		}
	}
	clock_format_datetime(clock_now(), date);
	sbuf_printf(&log, "%s [SWPOLLFINISHED]\n", date);
	file_append(logpath, log.s, log.len);
	sbuf_free(&log);
	free(logpath);
	free(items);
	free(kind);
	stardust_stop(r->db, "SWPOLL_ALL");
	sbuf_puts(&r->reply.body, "OK:SWPOLL");
out:
	free(dead);
	db_rows_free(&models);
	swlist_free(&sw);
}
