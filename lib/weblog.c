#include "weblog.h"

#include <stdarg.h>

#include "clock.h"

/* weblogs.event is VARCHAR(255) in utf8: count characters, not bytes, and
 * never split a multi-byte sequence. */
static void cut_utf8_chars(struct sbuf *b, size_t max_chars)
{
	size_t chars = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (((unsigned char)b->s[i] & 0xC0) != 0x80) {
			if (chars == max_chars) {
				b->len = i;
				b->s[i] = '\0';
				return;
			}
			chars++;
		}
	}
}

int weblog(struct req *r, const char *fmt, ...)
{
	struct sbuf event = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&event, fmt, ap);
	va_end(ap);
	cut_utf8_chars(&event, 255);
	char date[20];
	clock_format_datetime(r->now, date);
	long long rc = db_exec(r->db,
			       "INSERT INTO `weblogs` (`date`,`admin`,`ip`,`event`) VALUES (?,?,?,?)",
			       "ssss", date, WEBLOG_ADMIN, r->remote_ip, sbuf_str(&event));
	sbuf_free(&event);
	return rc < 0 ? -1 : 0;
}
