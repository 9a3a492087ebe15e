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

#endif
