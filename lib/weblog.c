#include "weblog.h"

#include <stdarg.h>

#include "clock.h"

int weblog(struct req *r, const char *fmt, ...)
{
	struct sbuf event = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&event, fmt, ap);
	va_end(ap);
	sbuf_truncate_chars(&event, 255);
	char date[20];
	clock_format_datetime(r->now, date);
	long long rc = db_exec(r->db,
			       "INSERT INTO `weblogs` (`date`,`admin`,`ip`,`event`) VALUES (?,?,?,?)",
			       "ssss", date, WEBLOG_ADMIN, r->remote_ip, sbuf_str(&event));
	sbuf_free(&event);
	return rc < 0 ? -1 : 0;
}
