#include "bitrix.h"

#include "httpc.h"
#include "sbuf.h"

static void form_encode(struct sbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			sbuf_printf(out, "%c", *p);
		else
			sbuf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

int btrx_post(const char *url, const char *var, const char *json)
{
	struct sbuf body = SBUF_INIT, err = SBUF_INIT;
	form_encode(&body, var);
	sbuf_printf(&body, "=");
	form_encode(&body, json);
	sbuf_printf(&body, "&");
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	struct http_request q = {
		.method = "POST",
		.url = url,
		.body = sbuf_str(&body),
		.body_len = body.len,
		.headers = headers,
		.timeout_ms = 30000,
		.connect_timeout_ms = 2000,
		.follow_redirects = 1,
		.insecure = 1,
	};
	struct http_response resp = { 0 };
	int rc = http_request(&q, &resp, &err);
	if (rc == 0 && (resp.status < 200 || resp.status > 299))
		rc = -1;
	http_response_free(&resp);
	sbuf_free(&body);
	sbuf_free(&err);
	return rc;
}
