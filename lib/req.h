/* One API request as a handler sees it: checked parameters in, one reply
 * out, plus the worker's long-lived configuration and database. */
#ifndef UBAPI_REQ_H
#define UBAPI_REQ_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "params.h"
#include "sbuf.h"

#define CT_TEXT "text/plain; charset=UTF-8"
#define CT_HTML "text/html; charset=UTF-8"
#define CT_JSON "application/json"

struct reply {
	int status;               /* HTTP status; 200 for every API answer */
	const char *content_type; /* static string */
	struct sbuf body;
	struct sbuf headers;      /* extra "Name: value\r\n" lines */
};

struct action;

struct req {
	struct config *cfg;
	struct db *db;
	struct params params;
	const char *query;        /* the raw query string, for the PHP fallback */
	char peer_ip[64];         /* the connecting address itself */
	char remote_ip[64];       /* peer address, or a trusted proxy's client */
	bool from_cli;
	unsigned long seq;        /* this process's request number, from 1 */
	time_t now;
	const struct action *action;
	bool unit_tx;             /* billing_unit_begin() opened a transaction */
	struct reply reply;
};

void req_init(struct req *r, struct config *cfg, struct db *db);
void req_free(struct req *r);

/* Replaces the reply with text (text/plain). Handlers end with one of these. */
void reply_text(struct req *r, const char *text);
void reply_printf(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_set_type(struct req *r, const char *content_type);
void reply_header(struct req *r, const char *name, const char *value);
/* ERROR:DB, logged with the db's own message (never shown to the caller). */
void reply_db_error(struct req *r);

/* Convenience for handlers. */
static inline const char *req_param(const struct req *r, const char *name)
{
	return param_get(&r->params, name);
}

#endif
