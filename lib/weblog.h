/* Ubilling's audit trail (log_register): one weblogs row per event. */
#ifndef UBAPI_WEBLOG_H
#define UBAPI_WEBLOG_H

#include "req.h"

/* The admin every remoteapi row carries: no admin session exists here. */
#define WEBLOG_ADMIN "guest"

/* Inserts (now, guest, r->remote_ip, event cut to 255 characters). */
int weblog(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
