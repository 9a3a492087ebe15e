/* Outbound HTTP through libcurl, always with timeouts. */
#ifndef UBAPI_HTTPC_H
#define UBAPI_HTTPC_H

#include "sbuf.h"

struct http_response {
	long status;
	struct sbuf body;
	char content_type[128];
};

/* GET url. 0 when an HTTP answer arrived (any status), -1 on transport
 * failure (err gets curl's words). */
int http_get(const char *url, long timeout_ms, struct http_response *resp, struct sbuf *err);
void http_response_free(struct http_response *resp);

/* One request with everything the SMS gateways and Telegram need. */
struct http_request {
	const char *method;           /* NULL: POST when body is set, else GET */
	const char *url;
	const char *body;             /* NULL: no body */
	size_t body_len;
	const char *const *headers;   /* NULL-terminated "Name: value" lines, or NULL */
	const char *userpwd;          /* "user:password" for HTTP Basic, or NULL */
	long timeout_ms;              /* whole exchange; 0 = none */
	long connect_timeout_ms;      /* 0 = libcurl's default */
	int follow_redirects;         /* at most 10, as PHP's gateways allow */
	int insecure;                 /* no TLS verification (PHP gateways switch it off) */
};

/* As http_get(): 0 when an HTTP answer arrived, -1 on transport failure. */
int http_request(const struct http_request *q, struct http_response *resp, struct sbuf *err);

#endif
