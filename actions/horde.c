/* horde: swpoll's per-device child (PHP called it over HTTP); polls one
 * switch and appends its line to exports/swpolldata.log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "storage.h"
#include "switches.h"
#include "util.h"

void cmd_horde(struct req *r)
{
	const char *raw = req_param(r, "devid");
	if (!param_present(&r->params, "devid")) {
		reply_text(r, "ERROR:NO_DEVID");
		return;
	}
	struct sbuf id = SBUF_INIT;
	for (const char *c = raw; *c; c++)
		if (*c >= '0' && *c <= '9')
			sbuf_putc(&id, *c);
	if (id.len == 0 || id.len > 10) {
		sbuf_free(&id);
		reply_text(r, "ERROR:EMPTY_DEVID");
		return;
	}
	struct swlist sw;
	struct db_rows models;
	struct sbuf tail = SBUF_INIT;
	sbuf_printf(&tail, "WHERE `id`=%lld", atoll(sbuf_str(&id)));
	if (swlist_load(r->db, &sw, sbuf_str(&tail)) != 0 ||
	    db_query(r->db, &models, "SELECT `id`, `snmptemplate` FROM `switchmodels` WHERE `snmptemplate` != ''",
		     "") != 0) {
		sbuf_free(&tail);
		sbuf_free(&id);
		reply_db_error(r);
		return;
	}
	sbuf_free(&tail);
	char *dead = storage_get(r->db, "SWDEAD");
	struct sbuf line = SBUF_INIT;
	char date[20];
	if (sw.n == 0) {
		clock_format_datetime(clock_now(), date);
		sbuf_printf(&line, "%s devid=%s [FAIL] DEVICE NOT FOUND\n", date, sbuf_str(&id));
	} else {
		const struct swdev *d = &sw.v[0];
		const char *tpl = NULL;
		for (size_t i = 0; i < models.nrows && !tpl; i++)
			if (strcmp(db_cell(&models, i, 0), d->modelid) == 0)
				tpl = db_cell(&models, i, 1);
		const char *what = "[OK]";
		if (!strstr(d->desc, "SWPOLL"))
			what = "[SKIP] NO SWPOLL TAG";
		else if (!tpl)
			what = "[FAIL] NO TEMPLATE";
		else if (swdead_has(dead, d->ip))
			what = "[SKIP] SWITCH DEAD";
		else {
			struct swpoll_item it = { d, tpl, false };
			swpoll_devices(r->cfg, r->db, &it, 1);
		}
		clock_format_datetime(clock_now(), date);
		sbuf_printf(&line, "%s %s %s\n", date, d->ip, what);
	}
	char *logpath = exports_path(r->cfg, "swpolldata.log");
	file_append(logpath, line.s, line.len);
	free(logpath);
	sbuf_free(&line);
	free(dead);
	db_rows_free(&models);
	swlist_free(&sw);
	sbuf_free(&id);
	reply_text(r, "OK:HORDE");
}
