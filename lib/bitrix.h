/* The Bitrix24 webhook push shared by btrxupd and btrxpolls. */
#ifndef UBAPI_BITRIX_H
#define UBAPI_BITRIX_H

/* POSTs "<var>=<json>&" to url as application/x-www-form-urlencoded, both
 * parts percent-encoded (PHP sent them raw, which broke on '&', '+', '%').
 * 2 s connect and 30 s total timeout, redirects followed, no TLS checks as
 * in PHP. 0 when the CRM answered 2xx, -1 otherwise. */
int btrx_post(const char *url, const char *var, const char *json);

#endif
