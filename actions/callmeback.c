/* callmeback: register a "call me back" request for the digits of param. */
#include "actions.h"
#include "clock.h"
#include "util.h"

void cmd_callmeback(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "CALLMEBACK_ENABLED", ""))) {
		reply_text(r, "ERROR:CALLMEBACK_DISABLED");
		return;
	}
	if (!param_present(&r->params, "param")) {
		reply_text(r, "ERROR:EMPTY_PARAM");
		return;
	}
	struct sbuf digits = SBUF_INIT;
	sbuf_puts(&digits, "");
	for (const char *p = req_param(r, "param"); *p && digits.len < 250; p++)
		if (*p >= '0' && *p <= '9')
			sbuf_putc(&digits, *p);
	if (php_truthy(digits.s)) {
		char stamp[20];
		clock_format_datetime(r->now, stamp);
		if (db_exec(r->db, "INSERT INTO `callmeback` (`date`, `number`, `state`) VALUES (?, ?, 'undone')", "ss",
			    stamp, digits.s) < 0) {
			sbuf_free(&digits);
			reply_db_error(r);
			return;
		}
	}
	sbuf_free(&digits);
	reply_text(r, "OK:CALLMEBACK");
}
