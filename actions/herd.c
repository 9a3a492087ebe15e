/* herd: oltpoll's per-OLT child (PHP called it over HTTP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "pon.h"
#include "stardust.h"
#include "switches.h"
#include "util.h"
#include "weblog.h"

static void log_and_print(struct req *r, const char *id, const char *text)
{
	char date[20];
	clock_format_datetime(clock_now(), date);
	struct sbuf l = SBUF_INIT;
	sbuf_printf(&l, "%s | OLT[%s] | %s\n", date, id, text);
	char *p = exports_path(r->cfg, "oltpoll.log");
	file_append(p, l.s, l.len);
	free(p);
	sbuf_add(&r->reply.body, l.s, l.len);
	sbuf_free(&l);
}

void cmd_herd(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "PON_ENABLED", "0"))) {
		reply_text(r, "ERROR:PON_DISABLED");
		return;
	}
	const char *raw = req_param(r, "oltid");
	struct sbuf id = SBUF_INIT;
	for (const char *c = raw ? raw : ""; *c; c++)
		if (*c >= '0' && *c <= '9')
			sbuf_putc(&id, *c);
	if (!raw || !*raw || id.len == 0 || id.len > 10) {
		sbuf_free(&id);
		reply_text(r, "ERROR:NO_OLTID");
		return;
	}
	char oltid[16];
	snprintf(oltid, sizeof oltid, "%lld", atoll(sbuf_str(&id)));
	sbuf_free(&id);
	if (stardust_running(r->db, "ONUSIGCOMPRESSOR")) {
		weblog(r, "PON HERD OLT [%s] SKIPPED DUE COMPRESSOR RUNNING", oltid);
		reply_text(r, "SKIPPED:HERD");
		return;
	}
	struct pon_olt *olts;
	size_t n;
	if (pon_load_olts(r->cfg, r->db, &olts, &n, oltid) != 0) {
		reply_db_error(r);
		return;
	}
	reply_text(r, "");
	if (n == 0) {
		bool err = false;
		char *known = db_value(r->db, &err, "SELECT `id` FROM `switches` WHERE `id`=? AND `desc` LIKE '%OLT%'",
				       "s", oltid);
		log_and_print(r, oltid, "STARTING: polling");
		log_and_print(r, oltid, known ? "SKIPPING No snmp data for this OLT" : "SKIPPING Not in OLT devices list");
		free(known);
	} else {
		pon_poll(r->cfg, r->db, olts, n, &r->reply.body);
	}
	pon_free_olts(olts, n);
	sbuf_puts(&r->reply.body, "OK:HERD");
}
