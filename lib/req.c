#include "req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

void req_init(struct req *r, struct config *cfg, struct db *db)
{
	memset(r, 0, sizeof *r);
	r->cfg = cfg;
	r->db = db;
	params_init(&r->params);
	r->reply.status = 200;
	r->reply.content_type = CT_TEXT;
	snprintf(r->remote_ip, sizeof r->remote_ip, "127.0.0.1");
}

void req_free(struct req *r)
{
	params_free(&r->params);
	sbuf_free(&r->reply.body);
	sbuf_free(&r->reply.headers);
}

void reply_text(struct req *r, const char *text)
{
	sbuf_reset(&r->reply.body);
	sbuf_puts(&r->reply.body, text);
}

void reply_printf(struct req *r, const char *fmt, ...)
{
	sbuf_reset(&r->reply.body);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&r->reply.body, fmt, ap);
	va_end(ap);
}

void reply_set_type(struct req *r, const char *content_type)
{
	r->reply.content_type = content_type;
}

void reply_header(struct req *r, const char *name, const char *value)
{
	sbuf_printf(&r->reply.headers, "%s: %s\r\n", name, value);
}

void reply_db_error(struct req *r)
{
	syslog(LOG_ERR, "ubapi: database error: %s", db_error(r->db));
	reply_set_type(r, CT_TEXT);
	reply_text(r, "ERROR:DB");
}
